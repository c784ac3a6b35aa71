/* SPDX-License-Identifier: MIT */
/*
 * Request/reply over LMP (abi/services.h). A client sends on its badged
 * endpoint to the server and waits for the reply badged with the server's
 * number; messages from others that arrive meanwhile are kept, in order, for
 * rpc_next(). A server replies on the endpoint in its CN_BASE slot of the
 * client's number.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rt/sys.h>

/* Send req (and cap, or CAPADDR_NONE) on ep, waiting only while the
   server's queue or its capability slot is full: for requests that get no
   reply. */
errval_t rpc_send(capaddr_t ep, const uint64_t req[4], uint64_t cap);
/* Call: send req (and cap, or CAPADDR_NONE) on ep, wait for server's reply. */
errval_t rpc_call(capaddr_t ep, uint64_t server, const uint64_t req[4], uint64_t cap,
		  struct lmp_recv *rep);
/* Wait for another reply from server (multi-message answers). */
errval_t rpc_more(uint64_t server, struct lmp_recv *rep);
/* The next message that was not a reply we waited for (blocking). */
errval_t rpc_next(struct lmp_recv *m);
/* The same, but wait at most ticks (ERR_LMP_EMPTY when none came). */
errval_t rpc_next_timeout(uint64_t ticks, struct lmp_recv *m);
/* Sleep at most ticks timer ticks, less if a message comes, which is kept
   for rpc_next: a pause that never spins, so that under single-threaded
   TCG the other harts run. */
void rpc_nap(uint64_t ticks);
/* Server side: reply to client, waiting while its queue is full. If its
   receive slot cannot take cap, it gets ERR_LMP_CAP_SLOT (without cap)
   instead and so does the caller, who still holds cap; an answer that
   cannot be sent at all is said on the console. */
errval_t rpc_reply(uint64_t client, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		   uint64_t cap);
/* Move a capability that arrived in TASK_RECV to dest and re-arm the slot. */
errval_t rpc_take_cap(capaddr_t dest);
/* Delete the capability in TASK_RECV and re-arm the slot (without that the
   next capability sent to us is refused: ERR_LMP_CAP_SLOT). */
errval_t rpc_drop_cap(void);

/* Keep m for a later rpc_next (after the filter had its look). */
void rpc_keep(const struct lmp_recv *m);
/* A look at every message before it is kept or returned by rpc_next:
   true takes it out of the way (lib/rt's channels take their events). */
void rpc_set_filter(bool (*f)(const struct lmp_recv *m));
/* Did the filter take m (for code that receives by itself)? */
bool rpc_filtered(const struct lmp_recv *m);
