// SPDX-License-Identifier: MIT
/*
 * Copies across cores (docs/protocol.md 4): an owner shares its object
 * with core k (MON_CAP_DELIVER, answered MON_CAP_DELIVERED), a holder has
 * the owner give a third core a copy (MON_COPY_REQ; retype.c has it
 * retype part of the object). The receiving monitor makes its copy
 * (KERNEL_CAP_CREATE) and may hand it to one of its domains, which maps a
 * Frame at MON_SHARE_VA and answers with the first word it read.
 *
 * Every step that waits for an answer is an operation (ops.h) that returns
 * to the loop; the core is in the object's set before the copy goes, so a
 * revoke reaches it whether or not it answered.
 *
 * Layer: records, channels on demand, the operation engine, the transport;
 * clients.c above.
 */
#include <stdio.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/mem.h>

#include "connect.h"
#include "monitor.h"
#include "domains.h"
#include "ops.h"
#include "records.h"
#include "share.h"

#define DOMAIN_TICKS 200 /* how long a domain may take to answer (2 s) */

/* ---- the receiving core ---- */

struct deliver_op {
	struct op op;
	unsigned from;
	uint64_t req;
	struct held *h;
	capaddr_t slot;
};

static void held_undo(struct held *h, capaddr_t slot)
{
	if (h->slot != slot)
		return; /* revoked meanwhile: gone already */
	cnode_delete(CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	held_gone(h);
}

static void delivered_answer(unsigned to, uint64_t req, errval_t err, uint64_t word)
{
	union mon_payload r = {.cap_delivered = {.req = req, .err = err, .word = word}};
	mon_send(to, MON_CAP_DELIVERED, &r);
}

/* The domain read the frame (or did not answer in time: it may hold it,
   the owner keeps this core in the set). */
static void handed(struct op *o)
{
	struct deliver_op *d = (struct deliver_op *)o;
	if (o->err)
		held_undo(d->h, d->slot);
	delivered_answer(d->from, d->req, o->err, o->err ? 0 : o->word);
	op_end(o);
}

/* Give our copy's copy to domain m->domain here; a Frame's answer is
   waited for. */
static void hand_to_domain(struct held *h, unsigned from, const struct mon_cap_deliver *m)
{
	errval_t err = ERR_DOMAIN_NOT_FOUND;
	union monitor_rep msg = {.handed = {.va = MON_SHARE_VA, .core = mon_me()}};
	unsigned place;
	bool known = spawn_place(m->domain, &place);
	bool frame = (uint8_t)m->desc == OBJ_FRAME;
	struct deliver_op *d = NULL;
	if (known && frame && !(d = (struct deliver_op *)op_new(sizeof(*d))))
		err = ERR_NO_MEMORY;
	else if (known)
		err = ep_send(spawn_ep(spawn_badge(place)), msg.words, h->slot);
	if (d && !err) {
		*d = (struct deliver_op){d->op, from, m->req, h, h->slot};
		op_wait_domain(&d->op, spawn_badge(place), DOMAIN_TICKS, handed);
		return;
	}
	if (d)
		op_end(&d->op);
	if (err)
		held_undo(h, h->slot);
	delivered_answer(from, m->req, err, 0);
}

void on_deliver(unsigned from, const struct mon_cap_deliver *m)
{
	errval_t err = ERR_NO_SLOTS;
	struct held *h = held_new();
	capaddr_t s = h ? slot_alloc() : SLOT_NONE;
	if (s != SLOT_NONE && (err = cap_make(s, m->desc, m->base, m->size)))
		slot_free(s);
	if (s == SLOT_NONE || err) {
		delivered_answer(from, m->req, err, 0);
		return;
	}
	h->slot = s;
	h->pin = !m->domain;
	h->type = (uint8_t)m->desc;
	h->owner = (uint16_t)from;
	h->base = m->base;
	h->size = m->size;
	if (m->domain) {
		hand_to_domain(h, from, m);
		return;
	}
	delivered_answer(from, m->req, ERR_OK,
			 m->probe && (uint8_t)m->desc == OBJ_FRAME ? held_probe(h) : 0);
}

/* ---- the owner ---- */

void share_deliver_round(struct op *o, struct shared *s, unsigned k, uint8_t rights, uint64_t probe,
			 uint64_t domain)
{
	union mon_payload d = {
	    .cap_deliver = {.desc = s->type | (uint64_t)rights << 8 | (uint64_t)mon_me() << 16,
			    .base = s->base,
			    .size = s->size,
			    .probe = probe,
			    .domain = domain}};
	cs_add(&s->cores, k);
	op_round(o, MON_CAP_DELIVERED);
	o->err = op_ask(o, k, MON_CAP_DELIVER, &d);
}

void share_delivered(struct op *o, struct shared *s, unsigned k, bool had)
{
	if (!o->err || o->err == ERR_MON_TIMEOUT) {
		shared_delivered(s, k);
	} else if (!had) {
		cs_del(&s->cores, k);
		if (cs_empty(&s->cores))
			shared_drop(s);
	}
}

struct share_op {
	struct op op;
	struct asker to;
	capaddr_t cap; /* the requester's capability, SLOT_NONE once the anchor */
	struct cap_info ci;
	unsigned core;
	uint64_t domain;
	struct shared *s;
	bool had;
};

static void share_end(struct share_op *sh, errval_t err, uint64_t word, uint64_t msgs)
{
	if (sh->cap != SLOT_NONE)
		slot_drop(sh->cap);
	union monitor_rep r = {.share = {.err = err, .word = word, .msgs = msgs}};
	asker_reply(&sh->to, &r);
	op_end(&sh->op);
}

static void share_done(struct op *o)
{
	struct share_op *sh = (struct share_op *)o;
	share_delivered(o, sh->s, sh->core, sh->had);
	/* What this share sent and got. */
	uint64_t msgs = (o->answers + o->asked) * mon_hops(sh->core);
	share_end(sh, o->err, o->err ? 0 : o->last[0], msgs);
}

/* The channel is open: deliver. If monitor 0 could not open it because
   the core did not answer in time, it is taken for dead and the share
   fails now: nothing went, so the core does not join the set (other
   errors: monitor 0 forwards instead). */
static void share_deliver(struct op *o)
{
	struct share_op *sh = (struct share_op *)o;
	if (o->err == ERR_MON_TIMEOUT) {
		if (cs_empty(&sh->s->cores))
			shared_drop(sh->s);
		share_end(sh, o->err, 0, 0);
		return;
	}
	sh->had = cs_has(&sh->s->cores, sh->core);
	share_deliver_round(o, sh->s, sh->core, sh->ci.rights, 1, sh->domain);
	op_wait(o, DELIVER_TICKS + DOMAIN_TICKS, share_done);
}

/* The record for the object: found, or new with cap as its anchor. */
static errval_t share_record(struct share_op *sh)
{
	const struct cap_info *ci = &sh->ci;
	if ((sh->s = shared_find(ci->type, ci->base, ci->size)))
		return ERR_OK;
	if (!(sh->s = shared_new()))
		return ERR_NO_MEMORY;
	errval_t err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, sh->cap, 1, 0, 0, 0).err;
	if (err) {
		sh->s->used = false;
		return err;
	}
	sh->s->type = ci->type;
	sh->s->base = ci->base;
	sh->s->size = ci->size;
	sh->s->anchor = sh->cap;
	sh->cap = SLOT_NONE; /* kept as the anchor */
	return ERR_OK;
}

void share_start(struct asker to, capaddr_t cap, uint64_t core, uint64_t domain)
{
	struct cap_info ci;
	errval_t err = cap_identify(cap, &ci);
	if (!err && ci.type != OBJ_RAM && ci.type != OBJ_FRAME && ci.type != OBJ_DEVFRAME)
		err = ERR_CAP_TYPE;
	if (!err &&
	    (core >= BOOTINFO_MAX_CORES || core == mon_me() || !mon_peer_up((unsigned)core)))
		err = ERR_CORE_NONE;
	struct share_op *sh = (struct share_op *)op_local(sizeof(*sh), ci.base, ci.size, &err);
	if (err) {
		slot_drop(cap);
		asker_fail(&to, err);
		return;
	}
	sh->to = to;
	sh->cap = cap;
	sh->ci = ci;
	sh->core = (unsigned)core;
	sh->domain = domain;
	if ((err = share_record(sh))) {
		share_end(sh, err, 0, 0);
		return;
	}
	struct coreset dest = cs_one((unsigned)core);
	connect_round(&sh->op);
	connect_to(&sh->op, &dest);
	op_wait(&sh->op, connect_ticks(&sh->op), share_deliver);
}

/* ---- the owner, asked by a holder ---- */

void share_copy_done(struct op *o)
{
	struct copy_op *c = (struct copy_op *)o;
	share_delivered(o, c->s, c->to, c->had);
	union mon_payload r = {.answer = {.req = c->req, .err = o->err}};
	if (c->answer == MON_COPY_REPLY)
		r.copy_reply.msgs = (o->answers + o->asked) * mon_hops(c->to) + 2;
	mon_send(c->from, c->answer, &r);
	op_end(o);
}

/* MON_COPY_REQ: a holder on core `from` has us give core m->to a copy. */
void on_copy_req(unsigned from, uint8_t type, const union mon_payload *p)
{
	const struct mon_copy_req *m = &p->copy_req;
	struct copy_op *c = (struct copy_op *)op_request(sizeof(*c), m->base, m->size, on_copy_req,
							 from, type, p, MON_COPY_REPLY);
	if (!c)
		return;
	union mon_payload r = {.copy_reply = {.req = m->req, .err = ERR_CAP_NOT_FOUND}};
	struct shared *s = shared_find((uint8_t)m->desc, m->base, m->size);
	uint64_t to = m->to;
	struct cap_info ci;
	if (s && cs_has(&s->cores, from) && /* it holds a copy that came from us */
	    (to >= BOOTINFO_MAX_CORES || to == mon_me() || !mon_peer_up((unsigned)to)))
		r.copy_reply.err = ERR_CORE_NONE;
	if (!s || !cs_has(&s->cores, from) || r.copy_reply.err == ERR_CORE_NONE) {
		mon_send(from, MON_COPY_REPLY, &r);
		op_end(&c->op);
		return;
	}
	cap_identify(s->anchor, &ci);
	*c = (struct copy_op){
	    c->op, from, (unsigned)to, m->req, s, cs_has(&s->cores, (unsigned)to), MON_COPY_REPLY};
	share_deliver_round(&c->op, s, (unsigned)to, ci.rights, 0, 0);
	op_wait(&c->op, DELIVER_TICKS, share_copy_done);
}
