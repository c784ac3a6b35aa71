/* SPDX-License-Identifier: MIT */
/*
 * The domains a monitor on core k > 0 adopted (MONITOR_ADOPT from its
 * spawnd, domains.c): looked up by the capability operations, which hand
 * them frames, and by clients.c, which answers them.
 */
#pragma once

#include <stdint.h>

#include <abi/errors.h>
#include <rt/sys.h>

#include <stdbool.h>

/* MONITOR_ADOPT: remember domain id's endpoint (ep, ours now) in place
 *at; *mine = an endpoint to us with its badge. */
errval_t spawn_adopt(uint64_t id, capaddr_t ep, capaddr_t *mine, unsigned *at);
bool spawn_place(uint64_t id, unsigned *place); /* false: not one of ours */
uint64_t spawn_badge(unsigned place);		/* the badge of its requests (MON_BADGE_ADOPTED) */
capaddr_t spawn_ep(uint64_t badge);		/* our copy of its endpoint, SLOT_NONE: none */
