// SPDX-License-Identifier: MIT
/*
 * Retype across cores (docs/protocol.md 4): a domain on core k retypes
 * part of an object it was handed (MONITOR_RETYPE to its monitor, which
 * asks the owner: MON_RETYPE_REQ). The owner retypes its own copy, so its
 * kernel sees every descendant on any core (all of them are made there),
 * owns the result, and delivers core k a copy before it answers.
 *
 * Layer: an operation, with share.c (whose delivery it uses); records,
 * the engine and the transport below.
 */
#include <abi/monitor.h>
#include <rt/mem.h>

#include "monitor.h"
#include "ops.h"
#include "records.h"
#include "share.h"

/* MON_RETYPE_REQ, holding the lock: retype part of our object s into a
   new record n (its anchor in slot). */
static errval_t retype_record(struct shared *s, const struct mon_retype_req *m, struct shared **n)
{
	uint8_t newtype = (uint8_t)(m->desc >> 8);
	capaddr_t slot = SLOT_NONE;
	if (newtype != OBJ_RAM && newtype != OBJ_FRAME)
		return ERR_CAP_DERIVE;
	if (!(*n = shared_new()) || (slot = slot_alloc()) == SLOT_NONE) {
		if (*n)
			(*n)->used = false;
		return ERR_NO_SLOTS;
	}
	errval_t err = cap_retype(s->anchor, newtype, m->offset, m->newsize, 1,
				  CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	if (!err && (err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, slot, 1, 0, 0, 0).err))
		cnode_delete(CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	if (err) {
		slot_free(slot);
		(*n)->used = false;
		return err;
	}
	(*n)->type = newtype;
	(*n)->base = m->base + m->offset;
	(*n)->size = m->newsize;
	(*n)->anchor = slot;
	return ERR_OK;
}

/* MON_RETYPE_REQ: retype part of our object for core `from`, which gets a
   copy of the result (ours, with `from` in its set before it goes). */
void on_retype_req(unsigned from, uint8_t type, const union mon_payload *p)
{
	const struct mon_retype_req *m = &p->retype_req;
	struct copy_op *c = (struct copy_op *)op_request(
	    sizeof(*c), m->base, m->size, on_retype_req, from, type, p, MON_RETYPE_REPLY);
	if (!c)
		return;
	union mon_payload r = {.retype_reply = {.req = m->req, .err = ERR_CAP_NOT_FOUND}};
	struct shared *s = shared_find((uint8_t)m->desc, m->base, m->size), *n = NULL;
	if (s && cs_has(&s->cores, from))
		r.retype_reply.err = retype_record(s, m, &n);
	if (r.retype_reply.err) {
		mon_send(from, MON_RETYPE_REPLY, &r);
		op_end(&c->op);
		return;
	}
	*c = (struct copy_op){c->op, from, from, m->req, n, false, MON_RETYPE_REPLY};
	share_deliver_round(&c->op, n, from, CAP_RIGHTS_ALL, 0, 0);
	op_wait(&c->op, DELIVER_TICKS, share_copy_done);
}
