/* SPDX-License-Identifier: MIT */
/*
 * Channels between domains (chans.c, ADR 0014): the monitors broker the
 * binding and keep a record of each end their domains hold, to tell the
 * other end when one goes.
 *
 * Layer: a role, beside names.c (which it asks for a server's endpoint),
 * below the loop (which hands it MON_CHAN_* messages) and clients.c (which
 * hands it requests).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/monitor.h>
#include <rt/sys.h>

#include "ops.h"

/* MONITOR_CHAN_*: from the local domain with badge `badge`, answered to
   `to`; cap: what came with it (ours now), else SLOT_NONE. */
void chans_request(struct asker to, uint64_t badge, capaddr_t cap, const union monitor_req *q);
bool chans_is_request(uint64_t op);
/* MON_CHAN_OFFER, MON_CHAN_GONE. */
void chans_on_message(unsigned from, uint8_t type, const union mon_payload *p);
/* Ends whose domain went (killed, waited for) or, on a server's core,
   whose frame was revoked: the other end is told. main.c calls it where
   it looks for names that went, and after a revoke's sweep here. */
void chans_sweep(void);
/* Channel ends recorded here (for tests' counts). */
unsigned chans_count(void);
