/* SPDX-License-Identifier: MIT */
/*
 * The name service (names.c, ADR 0011): monitor 0 keeps the directory of
 * every name and the core it was registered on; each monitor keeps, for
 * the names its own domains registered, a copy of the endpoint given.
 *
 * Layer: a role, beside clients.c (which hands it requests) and below the
 * loop (which hands it MON_NAME_* messages).
 */
#pragma once

#include <stdint.h>

#include <abi/monitor.h>
#include <rt/sys.h>

#include "ops.h"

/* MONITOR_NAME_*: from a local domain (its requests come with `owner`, the
   badge of its place), answered to `to`; ep: what came with a register
   (ours now, kept or dropped here), else SLOT_NONE. */
void names_request(struct asker to, uint64_t owner, capaddr_t ep, const union monitor_req *q);
/* MON_NAME_REG, MON_NAME_FIND, MON_NAME_DROP at monitor 0. */
void names_on_message(unsigned from, uint8_t type, const union mon_payload *p);
/* Forget the names whose endpoint went (their domain is gone); main.c
   calls it after a domain was killed or waited for. */
void names_sweep(void);

/* A name one of our own domains registered: our copy of its endpoint and
   the badge of its owner; SLOT_NONE if it is not ours (or went). */
capaddr_t names_local(const uint64_t key[2], uint64_t *owner);
/* Register name for a system service this monitor built (ADR 0016): ep
   (ours, kept for good) is its endpoint badged CLIENT_BIND. At boot only,
   before any domain runs: on core k > 0 monitor 0 is told, not asked. */
errval_t names_system(const char *name, capaddr_t ep);
