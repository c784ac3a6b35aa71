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

#include <stdbool.h>

bool spawn_place(uint64_t id, unsigned *place); /* false: not one of ours */
uint64_t spawn_badge(unsigned place);		/* the badge of its requests (MON_BADGE_ADOPTED) */
capaddr_t spawn_ep(uint64_t badge);		/* our copy of its endpoint, SLOT_NONE: none */
