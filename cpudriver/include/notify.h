/* SPDX-License-Identifier: MIT */
/*
 * Notifications (ADR 0010; abi/invocations.h EP_NOTIFY_BIND, NOTIFY_SEND,
 * NOTIFY_UNBIND): a Notify capability wakes the endpoint bound to a slot of
 * one core, from any core, with one LMP message. Each core binds up to
 * NOTIFY_SLOTS endpoints in its KCB (kernel copies, CAPF_NOTIFY_BINDING,
 * like the IRQ bindings); a sender on another core sets the slot's bit in
 * that core's doorbell, the one array in .shared besides the console lock
 * (ADR 0003), and sends it an IPI; the IPI path there takes the doorbell and
 * delivers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>
#include <caps/caps.h>

/* One core's bindings (in its KCB: private, ADR 0002). */
struct notify_table {
	struct cte ep[NOTIFY_SLOTS];	     /* bound endpoint copies; OBJ_NULL: free */
	uint32_t gen[NOTIFY_SLOTS];	     /* generation of the slot's last binding */
	uint64_t pending[NOTIFY_SLOTS / 64]; /* rung, not yet delivered (queue full) */
	uint32_t next;			     /* where the search for a free slot starts */
};

/* Bind a free slot to a copy of ep; the Notify capability goes into the
   empty slot dest. *slot and *gen: which and in what generation. */
errval_t notify_bind(const struct cte *ep, struct cte *dest, uint64_t *slot, uint64_t *gen);
/* Ring the slot a Notify capability names, on whatever core it is. */
errval_t notify_send(const struct capability *n);
/* Is slot of this core bound now, in generation gen? */
bool notify_current(uint64_t slot, uint64_t gen);
/* Free the slot (this core's only). */
errval_t notify_unbind(const struct capability *n);
/* The kernel's copy of a bound endpoint is being deleted: its slot is free. */
void notify_binding_deleted(struct cte *cte);
/* The Dispatcher at base is gone: the bindings of its endpoints go too. */
void notify_dispatcher_gone(uint64_t base);
/* Deliver what is pending (every interrupt, every receive: a queue that
   was full may have room now), after taking this core's doorbell if an
   IPI came (SSIP seen and cleared). */
void notify_poll(bool ipi);
