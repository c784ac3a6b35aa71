// SPDX-License-Identifier: MIT
/*
 * Copies across cores (docs/protocol.md 4): an owner shares its object
 * with core k (MON_CAP_DELIVER, answered MON_CAP_DELIVERED), a holder has
 * the owner give a third core a copy (MON_COPY_REQ) or retype part of the
 * object for it (MON_RETYPE_REQ). The receiving monitor makes its copy
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
#include "ops.h"
#include "records.h"
#include "share.h"

#define DELIVER_TICKS 500 /* how long a live monitor may take to answer (5 s) */
#define DOMAIN_TICKS  200 /* how long a domain may take to answer (2 s) */

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

/* The domain read the frame (or did not answer in time: it may hold it,
   the owner keeps this core in the set). */
static void handed(struct op *o)
{
	struct deliver_op *d = (struct deliver_op *)o;
	uint64_t r[UMP_PAYLOAD] = {d->req, o->err, o->err ? 0 : o->word};
	if (o->err)
		held_undo(d->h, d->slot);
	mon_send(d->from, MON_CAP_DELIVERED, r);
	op_end(o);
}

/* Give our copy's copy to domain w[5] here; a Frame's answer is waited for. */
static void hand_to_domain(struct held *h, unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_DOMAIN_NOT_FOUND};
	uint64_t msg[4] = {MON_SHARE_VA, mon_me()};
	unsigned place;
	bool known = spawn_place(w[5], &place);
	bool frame = (uint8_t)w[1] == OBJ_FRAME;
	struct deliver_op *d = NULL;
	if (known && frame && !(d = (struct deliver_op *)op_new(sizeof(*d))))
		r[1] = ERR_NO_MEMORY;
	else if (known)
		r[1] = ep_send(spawn_ep(spawn_badge(place)), msg, h->slot);
	if (d && !r[1]) {
		*d = (struct deliver_op){d->op, from, w[0], h, h->slot};
		op_wait_domain(&d->op, spawn_badge(place), DOMAIN_TICKS, handed);
		return;
	}
	if (d)
		op_end(&d->op);
	if (r[1])
		held_undo(h, h->slot);
	mon_send(from, MON_CAP_DELIVERED, r);
}

void on_deliver(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_NO_SLOTS};
	struct held *h = held_new();
	capaddr_t s = h ? slot_alloc() : SLOT_NONE;
	if (s != SLOT_NONE && (r[1] = cap_make(s, w[1], w[2], w[3])))
		slot_free(s);
	if (s == SLOT_NONE || r[1]) {
		mon_send(from, MON_CAP_DELIVERED, r);
		return;
	}
	h->slot = s;
	h->pin = !w[5];
	h->type = (uint8_t)w[1];
	h->owner = (uint16_t)from;
	h->base = w[2];
	h->size = w[3];
	if (w[5]) {
		hand_to_domain(h, from, w);
		return;
	}
	if (w[4] && (uint8_t)w[1] == OBJ_FRAME)
		r[2] = held_probe(h);
	mon_send(from, MON_CAP_DELIVERED, r);
}

/* ---- the owner ---- */

/* Deliver s's object to core k in o's round (k joins the set first). */
static void deliver(struct op *o, struct shared *s, unsigned k, uint8_t rights, uint64_t probe,
		    uint64_t domain)
{
	uint64_t w[UMP_PAYLOAD] = {
	    0,	     s->type | (uint64_t)rights << 8 | (uint64_t)mon_me() << 16,
	    s->base, s->size,
	    probe,   domain};
	cs_add(&s->cores, k);
	op_round(o, MON_CAP_DELIVERED);
	o->err = op_ask(o, k, MON_CAP_DELIVER, w);
}

/* The delivery's answer is in: a core that refused it leaves the set
   again, unless it was there before (had); an unanswered one stays. */
static void delivered(struct op *o, struct shared *s, unsigned k, bool had)
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
	asker_answer(&sh->to, err, word, msgs, 0);
	op_end(&sh->op);
}

static void share_done(struct op *o)
{
	struct share_op *sh = (struct share_op *)o;
	delivered(o, sh->s, sh->core, sh->had);
	/* What this share sent and got. */
	uint64_t msgs = (o->answers + o->asked) * mon_hops(sh->core);
	share_end(sh, o->err, o->err ? 0 : o->last[0], msgs);
}

static void share_deliver(struct op *o)
{
	struct share_op *sh = (struct share_op *)o;
	sh->had = cs_has(&sh->s->cores, sh->core);
	deliver(o, sh->s, sh->core, sh->ci.rights, 1, sh->domain);
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
	struct share_op *sh = err ? NULL : (struct share_op *)op_new(sizeof(*sh));
	if (!err && !sh)
		err = ERR_NO_MEMORY;
	if (sh && !op_lock(&sh->op, ci.base, ci.size)) {
		op_end(&sh->op);
		err = ERR_MON_BUSY;
	}
	if (err) {
		slot_drop(cap);
		asker_answer(&to, err, 0, 0, 0);
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

struct copy_op {
	struct op op;
	unsigned from, to;
	uint64_t req;
	struct shared *s;
	bool had;
	uint8_t answer;
};

static void copy_done(struct op *o)
{
	struct copy_op *c = (struct copy_op *)o;
	delivered(o, c->s, c->to, c->had);
	uint64_t r[UMP_PAYLOAD] = {c->req, o->err};
	if (c->answer == MON_COPY_REPLY)
		r[2] = (o->answers + o->asked) * mon_hops(c->to) + 2;
	mon_send(c->from, c->answer, r);
	op_end(o);
}

/* MON_COPY_REQ: a holder on core `from` has us give core w[4] a copy. */
void on_copy_req(unsigned from, uint8_t type, const uint64_t *w)
{
	struct copy_op *c = (struct copy_op *)op_request(sizeof(*c), w[2], w[3], on_copy_req, from,
							 type, w, MON_COPY_REPLY);
	if (!c)
		return;
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CAP_NOT_FOUND};
	struct shared *s = shared_find((uint8_t)w[1], w[2], w[3]);
	uint64_t to = w[4];
	struct cap_info ci;
	if (s && cs_has(&s->cores, from) && /* it holds a copy that came from us */
	    (to >= BOOTINFO_MAX_CORES || to == mon_me() || !mon_peer_up((unsigned)to)))
		r[1] = ERR_CORE_NONE;
	if (!s || !cs_has(&s->cores, from) || r[1] == ERR_CORE_NONE) {
		mon_send(from, MON_COPY_REPLY, r);
		op_end(&c->op);
		return;
	}
	cap_identify(s->anchor, &ci);
	*c = (struct copy_op){
	    c->op, from, (unsigned)to, w[0], s, cs_has(&s->cores, (unsigned)to), MON_COPY_REPLY};
	deliver(&c->op, s, (unsigned)to, ci.rights, 0, 0);
	op_wait(&c->op, DELIVER_TICKS, copy_done);
}

/* MON_RETYPE_REQ, holding the lock: retype part of our object s into a
   new record n (its anchor in slot). */
static errval_t retype_record(struct shared *s, const uint64_t *w, struct shared **n)
{
	uint8_t newtype = (uint8_t)(w[1] >> 8);
	capaddr_t slot = SLOT_NONE;
	if (newtype != OBJ_RAM && newtype != OBJ_FRAME)
		return ERR_CAP_DERIVE;
	if (!(*n = shared_new()) || (slot = slot_alloc()) == SLOT_NONE) {
		if (*n)
			(*n)->used = false;
		return ERR_NO_SLOTS;
	}
	errval_t err = cap_retype(s->anchor, newtype, w[4], w[5], 1, CAPADDR(CAPADDR_L1(slot), 0),
				  1, CAPADDR_L2(slot));
	if (!err && (err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, slot, 1, 0, 0, 0).err))
		cnode_delete(CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	if (err) {
		slot_free(slot);
		(*n)->used = false;
		return err;
	}
	(*n)->type = newtype;
	(*n)->base = w[2] + w[4];
	(*n)->size = w[5];
	(*n)->anchor = slot;
	return ERR_OK;
}

/* MON_RETYPE_REQ: retype part of our object for core `from`, which gets a
   copy of the result (ours, with `from` in its set before it goes). */
void on_retype_req(unsigned from, uint8_t type, const uint64_t *w)
{
	struct copy_op *c = (struct copy_op *)op_request(sizeof(*c), w[2], w[3], on_retype_req,
							 from, type, w, MON_RETYPE_REPLY);
	if (!c)
		return;
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CAP_NOT_FOUND};
	struct shared *s = shared_find((uint8_t)w[1], w[2], w[3]), *n = NULL;
	if (s && cs_has(&s->cores, from))
		r[1] = retype_record(s, w, &n);
	if (r[1]) {
		mon_send(from, MON_RETYPE_REPLY, r);
		op_end(&c->op);
		return;
	}
	*c = (struct copy_op){c->op, from, from, w[0], n, false, MON_RETYPE_REPLY};
	deliver(&c->op, n, from, CAP_RIGHTS_ALL, 0, 0);
	op_wait(&c->op, DELIVER_TICKS, copy_done);
}
