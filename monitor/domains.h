/* SPDX-License-Identifier: MIT */
/*
 * The domains a monitor on core k > 0 adopted (MONITOR_ADOPT from its
 * spawnd): looked up by the capability operations, which hand them
 * frames. Implemented in spawn.c with the rest of the role (the table
 * should move into a file of its own below the operations).
 */
#pragma once

#include <stdint.h>

#include <rt/sys.h>

int spawn_place(uint64_t id);	      /* its place, -1: none here */
uint64_t spawn_badge(unsigned place); /* the badge of its requests */
capaddr_t spawn_ep(uint64_t badge);   /* our copy of its endpoint, SLOT_NONE: none */
