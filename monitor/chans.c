// SPDX-License-Identifier: MIT
/*
 * Channels between domains (ADR 0014). The client made the channel's
 * Frame, shared it with the server's core (MONITOR_SHARE) and asks us to
 * bind (MONITOR_CHAN_BIND). We offer it to the server's monitor
 * (MON_CHAN_OFFER; ourselves on the same core), which hands the server the
 * offer on the endpoint it registered its name with, with a copy of the
 * frame, and waits for its MONITOR_CHAN_ACCEPT. Each side gets a Notify
 * capability for the other's slot; the answer (MON_CHAN_ANSWER) carries
 * the server's slot back.
 *
 * Each monitor records the ends its own domains hold: the frame (base,
 * size: the channel's name in messages and events), the peer's core, a
 * copy of the domain's endpoint and, at the server's end, a copy of the
 * frame. An end goes when its domain closes it, when its endpoint goes
 * (the domain was killed or waited for), or when the frame copy goes (a
 * revoke); the peer's monitor is told (MON_CHAN_GONE) and tells its
 * domain (CHAN_EVENT_CLOSED).
 *
 * Layer: a role (clients.c hands it requests, main.c messages).
 */
#include <stdlib.h>

#include <abi/monitor.h>
#include <rt/mem.h>

#include "chans.h"
#include "monitor.h"
#include "names.h"
#include "ops.h"
#include "records.h"

#define OFFER_TICKS 1000 /* how long a server may take to accept (10 s) */

/* One end of a channel, held by a domain here. */
struct end {
	struct end *next;
	uint64_t base, size; /* the frame: names the channel */
	unsigned peer;	     /* the other end's core */
	capaddr_t ep;	     /* our copy of the domain's endpoint */
	capaddr_t frame;     /* the server's end: our copy of the frame; else SLOT_NONE */
	uint64_t owner;	     /* the domain's badge */
};
static struct end *ends;
static unsigned nends;

unsigned chans_count(void)
{
	return nends;
}

static capaddr_t copy_of(capaddr_t src)
{
	capaddr_t s = slot_alloc();
	if (s != SLOT_NONE &&
	    cnode_copy(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s), src, CAP_RIGHTS_ALL)) {
		slot_free(s);
		s = SLOT_NONE;
	}
	return s;
}

static bool gone(capaddr_t c)
{
	struct cap_info ci;
	return c != SLOT_NONE && cap_identify(c, &ci) == ERR_CAP_EMPTY;
}

static void drop(capaddr_t c)
{
	if (c != SLOT_NONE)
		slot_drop(c);
}

/* A Notify capability (send, and send on: no unbind) for peer = core | slot << 16 | gen << 32. */
static errval_t notify_for(uint64_t peer, capaddr_t *n)
{
	uint64_t core = peer & 0xffff, slot = peer >> 16 & 0xffff, gen = peer >> 32;
	if ((*n = slot_alloc()) == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cap_make(
	    *n, OBJ_NOTIFY | (uint64_t)(CAP_RIGHT_WRITE | CAP_RIGHT_GRANT) << 8 | core << 16,
	    NOTIFY_BASE(core, slot), gen);
	if (err) {
		slot_free(*n);
		*n = SLOT_NONE;
	}
	return err;
}

static void end_add(struct end *e)
{
	e->next = ends;
	ends = e;
	nends++;
}

/* A capability a domain here gave for its channel's peer on this core. */
struct parcel {
	struct parcel *next;
	uint64_t chan; /* the channel's frame base */
	capaddr_t slot;
	struct cap_info ci;
};
static struct parcel *parcels;

/* The channel on chan is gone: what was given on it and not taken goes. */
static void parcels_drop(uint64_t chan)
{
	for (struct parcel **at = &parcels; *at;) {
		struct parcel *p = *at;
		if (p->chan != chan) {
			at = &p->next;
			continue;
		}
		*at = p->next;
		drop(p->slot);
		free(p);
	}
}

/* The end at *at goes; its domain is told when `tell` (it is still there). */
static void end_drop(struct end **at, bool tell)
{
	struct end *e = *at;
	*at = e->next;
	nends--;
	parcels_drop(e->base);
	drop(e->frame);
	if (tell && !gone(e->ep)) {
		struct chan_closed ev = {CHAN_EVENT_CLOSED, e->base, {0, 0}};
		op_event_send(e->ep, true, (const uint64_t *)&ev, CAPADDR_NONE, false);
	} else {
		drop(e->ep);
	}
	free(e);
}

/* The other end of the channel on base went, on core `from`. */
static void peer_gone(unsigned from, uint64_t base, uint64_t size)
{
	for (struct end **at = &ends; *at;) {
		if ((*at)->base == base && (*at)->size == size && (*at)->peer == from)
			end_drop(at, true);
		else
			at = &(*at)->next;
	}
	capops_release(); /* our copy of the frame may have been the last here */
}

/* One of our ends went: tell the other end's monitor (us: same core). */
static void tell_peer(unsigned peer, uint64_t base, uint64_t size)
{
	if (peer == mon_me()) {
		peer_gone(peer, base, size);
		return;
	}
	union mon_payload p = {.chan_gone = {.base = base, .size = size}};
	mon_send(peer, MON_CHAN_GONE, &p);
}

void chans_sweep(void)
{
	bool any = false;
	for (struct end **at = &ends; *at;) {
		struct end *e = *at;
		bool dead = gone(e->ep);
		if (!dead && !gone(e->frame)) {
			at = &e->next;
			continue;
		}
		unsigned peer = e->peer;
		uint64_t base = e->base, size = e->size;
		end_drop(at, !dead); /* a domain whose frame was revoked is told */
		tell_peer(peer, base, size);
		at = &ends; /* (tell_peer may have dropped others) */
		any = true;
	}
	if (any)
		capops_release();
}

/* ---- the server's core: an offer waits for its server ---- */

struct offer_op {
	struct op op;
	struct offer_op *next; /* the offers that wait */
	unsigned from;	       /* the client's core */
	uint64_t req;	       /* its monitor's request */
	uint64_t peer;	       /* the client's core | slot << 16 | gen << 32 */
	uint64_t mine;	       /* the server's, once it accepted */
	uint64_t owner;	       /* the server's badge */
	capaddr_t ep, frame;   /* our copies: the server's endpoint, the frame */
	uint64_t base, size;
};
static struct offer_op *offers;

static void offer_answer(unsigned to, uint64_t req, errval_t err, uint64_t peer)
{
	union mon_payload r = {.chan_answer = {.req = req, .err = err, .peer = peer}};
	mon_answer(to, MON_CHAN_ANSWER, &r);
}

/* The frame the client's core delivered to us; from now on the channel's
   copies hold it here, ours goes when they have. */
static capaddr_t held_frame(uint64_t base, uint64_t size)
{
	for (struct held *h = held_list; h; h = h->next)
		if (h->slot != SLOT_NONE && h->type == OBJ_FRAME && h->base == base &&
		    h->size == size) {
			h->pin = false;
			return h->slot;
		}
	return SLOT_NONE;
}

/* The server accepted, refused, or did not answer in time. */
static void offered(struct op *op)
{
	struct offer_op *o = (struct offer_op *)op;
	for (struct offer_op **at = &offers; *at; at = &(*at)->next)
		if (*at == o) {
			*at = o->next;
			break;
		}
	errval_t err = op->err;
	struct end *e = err ? NULL : calloc(1, sizeof(*e));
	if (!err && !e)
		err = ERR_NO_MEMORY;
	if (err) {
		drop(o->ep);
		drop(o->frame);
		capops_release();
	} else {
		*e = (struct end){NULL, o->base, o->size, o->from, o->ep, o->frame, o->owner};
		end_add(e);
	}
	offer_answer(o->from, o->req, err, err ? 0 : o->mine);
	op_end(op);
}

/* Hand the server that registered m->key the offer, with a copy of the
   frame: cap (the client's, same core) or the one its core delivered. */
static void offer_start(unsigned from, const struct mon_chan_offer *m, capaddr_t cap)
{
	uint64_t owner = 0;
	capaddr_t ep = names_local(m->key, &owner);
	capaddr_t src = cap != SLOT_NONE ? cap : held_frame(m->base, m->size);
	errval_t err = ep == SLOT_NONE	  ? ERR_NAME_NOT_FOUND
		       : src == SLOT_NONE ? ERR_CAP_NOT_FOUND
					  : ERR_OK;
	struct offer_op *o = err ? NULL : (struct offer_op *)op_new(sizeof(*o));
	capaddr_t myep = o ? copy_of(ep) : SLOT_NONE, frame = o ? copy_of(src) : SLOT_NONE;
	if (!err && !o)
		err = ERR_NO_MEMORY;
	else if (o && (myep == SLOT_NONE || frame == SLOT_NONE))
		err = ERR_NO_SLOTS;
	if (err) {
		drop(myep);
		drop(frame);
		if (o)
			op_end(&o->op);
		offer_answer(from, m->req, err, 0);
		capops_release();
		return;
	}
	*o = (struct offer_op){o->op, offers, from,  m->req,  m->peer, 0,
			       owner, myep,   frame, m->base, m->size};
	offers = o;
	op_round(&o->op, 0);
	struct chan_offer ev = {CHAN_EVENT_OFFER, o->op.req, m->peer & 0xffff, m->size};
	op_event_send(myep, false, (const uint64_t *)&ev, frame, false);
	op_wait_event(&o->op, OFFER_TICKS, offered);
}

/* MONITOR_CHAN_ACCEPT from the server (badge): its answer to offer q->id. */
static void accept(struct asker to, uint64_t badge, const struct monitor_chan_accept *q)
{
	struct offer_op *o = offers;
	while (o && (o->op.req != q->id || o->owner != badge))
		o = o->next;
	capaddr_t n = SLOT_NONE;
	errval_t err = !o	? ERR_BAD_REQUEST /* never offered, or its time ran out */
		       : q->err ? ERR_CHAN_REFUSED
		       : q->slot >= NOTIFY_SLOTS || !q->gen ? ERR_BAD_REQUEST
							    : notify_for(o->peer, &n);
	if (o) {
		o->mine = mon_me() | (uint64_t)q->slot << 16 | (uint64_t)q->gen << 32;
		op_event(&o->op, err);
	}
	union monitor_rep r = {.err = err == ERR_CHAN_REFUSED ? ERR_OK : err};
	/* (An offer that came meanwhile may hold its receive slot: lib/rt
	   takes those out of the way while it waits for this answer.) */
	op_event_send(to.ep, to.own, r.words, n == SLOT_NONE ? CAPADDR_NONE : n, n != SLOT_NONE);
}

void chans_on_message(unsigned from, uint8_t type, const union mon_payload *p)
{
	if (type == MON_CHAN_OFFER)
		offer_start(from, &p->chan_offer, SLOT_NONE);
	else
		peer_gone(from, p->chan_gone.base, p->chan_gone.size);
}

/* ---- the client's core ---- */

struct bind_op {
	struct op op;
	struct asker to;
	capaddr_t frame; /* the client's, ours now */
	capaddr_t ep;	 /* our copy of the client's endpoint */
	uint64_t badge;
	uint64_t base, size;
	unsigned core; /* the server's */
};

/* The server's monitor answered: hand the client the server's slot. */
static void bound(struct op *o)
{
	struct bind_op *b = (struct bind_op *)o;
	uint64_t peer = o->last[0];
	capaddr_t n = SLOT_NONE;
	struct end *e = NULL;
	errval_t err = o->err;
	if (!err && !(err = notify_for(peer, &n)) && !(e = calloc(1, sizeof(*e))))
		err = ERR_NO_MEMORY;
	if (err && !o->err)
		tell_peer(b->core, b->base, b->size); /* it holds an end we will not */
	if (err) {
		drop(n);
		drop(b->ep);
		asker_fail(&b->to, err);
	} else {
		*e = (struct end){NULL, b->base, b->size, b->core, b->ep, SLOT_NONE, b->badge};
		end_add(e);
		union monitor_rep r = {.chan_bind = {.core = peer & 0xffff,
						     .slot = peer >> 16 & 0xffff,
						     .gen = peer >> 32}};
		op_event_send(b->to.ep, b->to.own, r.words, n, true); /* (as accept's) */
	}
	drop(b->frame);
	op_end(o);
}

static errval_t bind_check(capaddr_t cap, const struct monitor_chan_bind *q, struct cap_info *ci)
{
	unsigned s = q->core;
	if (cap == SLOT_NONE)
		return ERR_BAD_REQUEST;
	if (cap_identify(cap, ci))
		return ERR_CAP_EMPTY;
	if (ci->type != OBJ_FRAME)
		return ERR_CAP_TYPE;
	if (s >= mon_bootinfo()->ncores || (s != mon_me() && !mon_peer_up(s)))
		return ERR_CORE_NONE;
	return q->slot >= NOTIFY_SLOTS || !q->gen ? ERR_BAD_REQUEST : ERR_OK;
}

static void bind_start(struct asker to, uint64_t badge, capaddr_t cap,
		       const struct monitor_chan_bind *q)
{
	struct cap_info ci;
	errval_t err = bind_check(cap, q, &ci);
	struct bind_op *b = err ? NULL : (struct bind_op *)op_new(sizeof(*b));
	capaddr_t ep = b ? copy_of(to.ep) : SLOT_NONE;
	if (!err && !b)
		err = ERR_NO_MEMORY;
	else if (b && ep == SLOT_NONE)
		err = ERR_NO_SLOTS;
	if (err) {
		if (b)
			op_end(&b->op);
		drop(cap);
		asker_fail(&to, err);
		return;
	}
	*b = (struct bind_op){b->op, to, cap, ep, badge, ci.base, ci.size, q->core};
	op_round(&b->op, MON_CHAN_ANSWER);
	union mon_payload p = {
	    .chan_offer = {.key = {q->name[0], q->name[1]},
			   .base = ci.base,
			   .size = ci.size,
			   .peer = mon_me() | (uint64_t)q->slot << 16 | (uint64_t)q->gen << 32}};
	if (b->core == mon_me()) {
		p.chan_offer.req = b->op.req;
		b->op.pending = 1;
		offer_start(mon_me(), &p.chan_offer, cap);
	} else {
		b->op.err = op_ask(&b->op, b->core, MON_CHAN_OFFER, &p);
	}
	op_wait(&b->op, OFFER_TICKS + OP_LIVE_TICKS, bound);
}

/* ---- capabilities over channels ---- */

/* The end of the channel on chan that the domain with badge holds here. */
static struct end *end_of(uint64_t chan, uint64_t badge)
{
	struct end *e = ends;
	while (e && (e->base != chan || e->owner != badge))
		e = e->next;
	return e;
}

/* MONITOR_CHAN_GIVE: kept for the peer, which is on this core. */
static void give(struct asker to, uint64_t badge, capaddr_t cap, uint64_t chan)
{
	struct end *e = end_of(chan, badge);
	struct parcel *p = NULL;
	struct cap_info ci;
	errval_t err = cap == SLOT_NONE		? ERR_BAD_REQUEST
		       : !e			? ERR_CHAN_CLOSED
		       : e->peer != mon_me()	? ERR_CORE_NONE /* (share it instead) */
		       : cap_identify(cap, &ci) ? ERR_CAP_EMPTY
		       : ci.type != OBJ_RAM && ci.type != OBJ_FRAME ? ERR_CAP_TYPE
		       : !(p = calloc(1, sizeof(*p)))		    ? ERR_NO_MEMORY
								    : ERR_OK;
	if (err) {
		drop(cap);
	} else {
		*p = (struct parcel){parcels, chan, cap, ci};
		parcels = p;
	}
	asker_fail(&to, err);
}

/* A parcel for chan of the object asked; NULL if none. */
static struct parcel **parcel_for(uint64_t chan, const struct monitor_chan_take *q)
{
	struct parcel **at = &parcels;
	while (*at && ((*at)->chan != chan || (*at)->ci.type != q->type ||
		       (*at)->ci.base != q->base || (*at)->ci.size != q->pages * OBJSIZE_PAGE))
		at = &(*at)->next;
	return at;
}

/* MONITOR_CHAN_TAKE: the parcel its peer here gave, or the copy its
   peer's core delivered to us (which the domain's copy holds from now on,
   as a retype's result does). */
static void take(struct asker to, uint64_t badge, const struct monitor_chan_take *q)
{
	struct end *e = end_of(q->chan, badge);
	struct parcel **at = e ? parcel_for(q->chan, q) : NULL;
	capaddr_t give = SLOT_NONE;
	bool own = false;
	if (at && *at) {
		struct parcel *p = *at;
		*at = p->next;
		give = p->slot;
		own = true;
		free(p);
	}
	for (struct held *h = held_list; e && give == SLOT_NONE && h; h = h->next)
		if (h->slot != SLOT_NONE && h->type == q->type && h->base == q->base &&
		    h->size == q->pages * OBJSIZE_PAGE) {
			give = h->slot;
			h->pin = false;
		}
	union monitor_rep r = {.err = !e		  ? ERR_CHAN_CLOSED
				      : give == SLOT_NONE ? ERR_CAP_NOT_FOUND
							  : ERR_OK};
	op_event_send(to.ep, to.own, r.words, give == SLOT_NONE ? CAPADDR_NONE : give, own);
}

/* ---- requests ---- */

/* MONITOR_CHAN_CLOSE: the domain (badge) closed its end on base. */
static void close_end(struct asker to, uint64_t badge, uint64_t base)
{
	for (struct end **at = &ends; *at; at = &(*at)->next) {
		struct end *e = *at;
		if (e->base != base || e->owner != badge)
			continue;
		unsigned peer = e->peer;
		uint64_t size = e->size;
		end_drop(at, false);
		tell_peer(peer, base, size);
		capops_release();
		asker_fail(&to, ERR_OK);
		return;
	}
	capops_release();		  /* (its copy of the frame may have been the last here) */
	asker_fail(&to, ERR_CHAN_CLOSED); /* closed already, by the other end */
}

bool chans_is_request(uint64_t op)
{
	return op == MONITOR_CHAN_BIND || op == MONITOR_CHAN_ACCEPT || op == MONITOR_CHAN_CLOSE ||
	       op == MONITOR_CHAN_GIVE || op == MONITOR_CHAN_TAKE;
}

void chans_request(struct asker to, uint64_t badge, capaddr_t cap, const union monitor_req *q)
{
	if (q->op == MONITOR_CHAN_BIND) {
		bind_start(to, badge, cap, &q->chan_bind);
		return;
	}
	if (q->op == MONITOR_CHAN_GIVE) {
		give(to, badge, cap, q->chan_give.chan);
		return;
	}
	drop(cap);
	if (q->op == MONITOR_CHAN_ACCEPT)
		accept(to, badge, &q->chan_accept);
	else if (q->op == MONITOR_CHAN_TAKE)
		take(to, badge, &q->chan_take);
	else
		close_end(to, badge, q->chan_close.base);
}
