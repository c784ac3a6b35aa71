/* SPDX-License-Identifier: MIT */
/*
 * Talking to the monitors from any domain (abi/monitor.h): bind once (on
 * core 0 to monitor 0; on core k > 0 the domain's own monitor knows it
 * already), then share capabilities with other cores and revoke them
 * everywhere, and start, wait for and kill domains. The calls and their
 * errors are the same on every core (ADR 0015: monitor k relays requests
 * about domains to monitor 0).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/monitor.h>
#include <rt/sys.h>

/* MONITOR_BIND through TASK_MONITOR (once; again: nothing to do); the
   others need it first. */
errval_t monitor_bind(void);
/* One request (abi/monreq.h), with cap attached unless CAPADDR_NONE;
   asked again (without a limit) while the monitor answers ERR_MON_BUSY,
   and up to 64 times, a tick apart, while it is short of memory. The
   reply in *r (r->words[0] = the error returned). */
errval_t monitor_ask(union monitor_req q, uint64_t cap, union monitor_rep *r);
/* The same from the four words of a request, as they go on the wire, the
   reply as it came (with a capability, maybe): for tests that send
   requests a well-formed monitor_req cannot express. */
errval_t monitor_call(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t cap,
		      struct lmp_recv *rep);
/* Start boot module name on core `core` (> 0) with a0 = arg and the
   arguments argv[0..argc-1] (MONITOR_ARGS, then MONITOR_SPAWN; both again
   when asked again); its id there in *id. */
errval_t monitor_spawn(unsigned core, const char *name, uint32_t arg, int argc, char *const argv[],
		       uint64_t *id);
/* Wait for domain id on core `core` (> 0) to stop (MONITOR_WAIT); it is
   then taken away. Its exit status and faults. */
errval_t monitor_wait(unsigned core, uint64_t id, int64_t *status, uint64_t *faults);
/* Our endpoint to our monitor after the bind (SLOT_NONE before): monitor
   0's, or on core k > 0 TASK_MONITOR. */
capaddr_t monitor_ep(void);
/* Revoke c on every other core (MONITOR_REVOKE, how: 0 or
   MON_REVOKE_STAR or MON_REVOKE_BROADCAST), then here; binds first if
   needed. ram_free() falls back to it on ERR_CAP_REMOTE. */
errval_t monitor_revoke(capaddr_t c, uint64_t how, union monitor_rep *r);
