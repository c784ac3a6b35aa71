// SPDX-License-Identifier: MIT
/*
 * Requests from local domains about capabilities across cores
 * (abi/monitor.h): bound clients (MONITOR_BIND: the shell, tests, and on
 * core k > 0 its spawnd) and, on core k > 0, the domains its spawnd built
 * (adopted, spawn.c). Each request that needs other monitors starts an
 * operation (share.c, revoke.c, or one here) and returns; the answer goes
 * to a copy of the domain's endpoint of our own, so a domain killed
 * meanwhile loses it, and no domain adopted in its place gets it.
 *
 * A request about an object an operation here has locked is answered
 * ERR_MON_BUSY (lib/rt asks again).
 *
 * Layer: the top of the capability operations, below the loop (main.c).
 */
#include <stdio.h>

#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/rpc.h>

#include "monitor.h"
#include "chans.h"
#include "names.h"
#include "roles.h"
#include "ops.h"
#include "places.h"
#include "records.h"
#include "revoke.h"
#include "share.h"

#define ASK_TICKS 520 /* how long one monitor may take to answer (5 s) */

/* Bound clients: ep is our copy of each one's reply endpoint. */
static struct places clients = PLACES_INIT(MON_BADGE_CLIENT);

/* Our own copy of endpoint ep, to answer on; ep itself if we cannot. */
static struct asker asker_for(capaddr_t ep)
{
	capaddr_t c = slot_alloc();
	if (c != SLOT_NONE &&
	    cnode_copy(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c), ep, CAP_RIGHTS_ALL) == ERR_OK)
		return (struct asker){c, true};
	if (c != SLOT_NONE)
		slot_free(c);
	return (struct asker){ep, false};
}

/* The capability that came with a request into a new slot; SLOT_NONE,
   with the receive slot emptied and armed again, if that failed. */
static capaddr_t take_cap(void)
{
	capaddr_t slot = slot_alloc();
	if (slot != SLOT_NONE && rpc_take_cap(slot) == ERR_OK)
		return slot;
	if (slot != SLOT_NONE)
		slot_drop(slot);
	mon_drop_recv();
	return SLOT_NONE;
}

/* ---- revoke, count and check for a domain ---- */

static void revoke_answer(struct revoke_op *r)
{
	slot_drop(r->cap);
	union monitor_rep rep = {.revoke = {.err = r->err,
					    .cores = r->ncores,
					    .xnode = r->xnode,
					    .deleted = r->deleted,
					    .msgs = r->msgs,
					    .depth = r->depth}};
	asker_reply(&r->to, &rep);
	op_end(&r->op);
}

/* Revoke the object of cap (ours; it goes) on every other core (and here
   with local); the answer: cores asked, capabilities deleted, messages. */
static void revoke_for(struct asker to, capaddr_t cap, uint64_t how, bool local)
{
	struct cap_info ci;
	errval_t err = cap_identify(cap, &ci);
	struct revoke_op *r = (struct revoke_op *)op_local(sizeof(*r), ci.base, ci.size, &err);
	if (err) {
		slot_drop(cap);
		asker_fail(&to, err);
		return;
	}
	r->ci = ci;
	r->how = how;
	r->exempt = CORESET_NONE;
	r->local = local;
	r->to = to;
	r->cap = cap; /* dropped at the end */
	r->done = revoke_answer;
	revoke_run(r);
}

struct ask_op {
	struct op op;
	struct asker to;
	uint64_t n; /* MONITOR_CHECK: cores asked, this one too */
	uint64_t bad;
	capaddr_t cap;		 /* a domain's request: its capability, SLOT_NONE: none */
	union monitor_req asked; /* and the request */
	struct cap_info ci;
};

static void counted(struct op *o)
{
	struct ask_op *a = (struct ask_op *)o;
	union monitor_rep r = {.count = {.err = o->err, .count = o->err ? 0 : o->last[0]}};
	asker_reply(&a->to, &r);
	op_end(o);
}

/* MONITOR_COUNT: how many capabilities a core's monitor holds in a range
   (locked meanwhile: no operation's halfway state is counted). */
static void count(struct asker to, const struct monitor_count *c)
{
	errval_t err =
	    c->core == 0 || c->core >= BOOTINFO_MAX_CORES || !mon_peer_up((unsigned)c->core)
		? ERR_CORE_NONE
		: ERR_OK;
	struct ask_op *a = (struct ask_op *)op_local(sizeof(*a), c->base, c->size, &err);
	if (err) {
		asker_fail(&to, err);
		return;
	}
	a->to = to;
	union mon_payload q = {.cap_count = {.base = c->base, .size = c->size}};
	op_round(&a->op, MON_CAP_COUNTED);
	a->op.err = op_ask(&a->op, (unsigned)c->core, MON_CAP_COUNT, &q);
	op_wait(&a->op, ASK_TICKS, counted);
}

/* Checked here and on every core that answered (one that did not fails
   the round: ERR_MON_TIMEOUT; it is not counted as checked). */
static void checked(struct op *o)
{
	struct ask_op *a = (struct ask_op *)o;
	union monitor_rep r = {
	    .check = {.err = o->err, .cores = 1 + o->answers, .failed = a->bad + o->sum}};
	asker_reply(&a->to, &r);
	op_end(o);
}

/* MONITOR_CHECK: the invariants here and on every core that answers. */
static void check_all(struct asker to)
{
	struct ask_op *a = (struct ask_op *)op_new(sizeof(*a));
	if (!a) {
		asker_fail(&to, ERR_NO_MEMORY);
		return;
	}
	a->to = to;
	a->n = 1;
	a->bad = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_CHECK, 0, 0, 0, 0, 0).err != ERR_OK;
	op_round(&a->op, MON_CHECKED);
	union mon_payload q = {.check = {0}};
	for (unsigned k = 1; k < mon_bootinfo()->ncores; k++) {
		if (!mon_peer_up(k))
			continue;
		a->n++;
		if (!a->op.err)
			a->op.err = op_ask(&a->op, k, MON_CHECK, &q);
	}
	op_wait(&a->op, ASK_TICKS + 20 * a->n, checked);
}

/* MON_CAP_COUNT from monitor 0. */
void on_count(unsigned from, const struct mon_cap_count *m)
{
	union mon_payload r = {.cap_counted = {.req = m->req,
					       .err = ERR_OK,
					       .count = held_count_in(m->base, m->size)}};
	mon_send(from, MON_CAP_COUNTED, &r);
}

/* ---- a domain on core k > 0 about another core's object ---- */

static void remote_done(struct op *o)
{
	struct ask_op *a = (struct ask_op *)o;
	const union monitor_req *q = &a->asked;
	union monitor_rep r = {.err = o->err};
	struct held *give = NULL;
	if (q->share.op == MONITOR_SHARE)
		r.share.msgs = o->last[0];
	else if (q->revoke.op == MONITOR_REVOKE) {
		r.revoke.msgs = o->last[0];
		r.revoke.depth = o->last[1];
		r.revoke.xnode = o->last[2];
	}
	for (struct held *h = held_list; q->retype.op == MONITOR_RETYPE && !o->err && h && !give;
	     h = h->next) /* the owner delivered the result to us */
		if (h->slot != SLOT_NONE && h->pin && h->type == (uint8_t)q->retype.type &&
		    h->base == a->ci.base + q->retype.offset && h->size == q->retype.size)
			give = h;
	slot_drop(a->cap);
	capops_release(); /* if the domain died meanwhile, ours was its last */
	/* A retype's result goes with the answer: the domain holds it now (and
	   our copy no longer keeps this core in the set by itself). */
	if (give && ep_send(a->to.ep, r.words, give->slot) == ERR_OK) {
		give->pin = false;
		if (a->to.own)
			slot_drop(a->to.ep);
	} else {
		asker_reply(&a->to, &r);
	}
	op_end(o);
}

/* Its owner gives the copy, revokes or retypes (MON_COPY_REQ,
   MON_REVOKE_REQ, MON_RETYPE_REQ), asked by us. */
static void ask_owner(struct asker to, capaddr_t cap, const struct cap_info *ci,
		      const union monitor_req *asked)
{
	struct ask_op *a = (struct ask_op *)op_new(sizeof(*a));
	if (!a || !mon_peer_up(ci->owner)) {
		if (a)
			op_end(&a->op);
		slot_drop(cap);
		asker_fail(&to, a ? ERR_CORE_NONE : ERR_NO_MEMORY);
		return;
	}
	a->to = to;
	a->cap = cap;
	a->ci = *ci;
	a->asked = *asked;
	/* The three requests start alike: req, desc, base, size. */
	union mon_payload q = {
	    .retype_req = {.desc = ci->type, .base = ci->base, .size = ci->size}};
	uint8_t type = MON_REVOKE_REQ, answer = MON_REVOKE_REPLY;
	if (asked->share.op == MONITOR_SHARE) {
		type = MON_COPY_REQ;
		answer = MON_COPY_REPLY;
		q.copy_req.to = asked->share.core;
	} else if (asked->retype.op == MONITOR_RETYPE) {
		type = MON_RETYPE_REQ;
		answer = MON_RETYPE_REPLY;
		q.retype_req.desc |= (asked->retype.type & 0xff) << 8;
		q.retype_req.offset = asked->retype.offset;
		q.retype_req.newsize = asked->retype.size;
	}
	op_round(&a->op, answer);
	a->op.err = op_ask(&a->op, ci->owner, type, &q);
	/* The owner answers a revoke only after its tree has. */
	uint64_t ticks = ASK_TICKS;
	if (type == MON_REVOKE_REQ)
		ticks *= 3 + 2 * cs_tree_depth(mon_bootinfo()->ncores);
	op_wait(&a->op, ticks, remote_done);
}

/*
 * Core k: a domain we adopted asks about a capability it has (attached):
 * MONITOR_SHARE (a copy to another core), MONITOR_REVOKE (every copy and
 * descendant goes on every other core; the domain then revokes here, its
 * own copy stays) or MONITOR_RETYPE (the result comes with the answer).
 * Its owner runs it: we, for what was made here, else the owner core's
 * monitor, asked.
 */
static void child_request(capaddr_t dep, const union monitor_req *q)
{
	struct asker to = asker_for(dep);
	capaddr_t cap = take_cap();
	struct cap_info ci;
	errval_t err = cap == SLOT_NONE		? ERR_NO_SLOTS
		       : cap_identify(cap, &ci) ? ERR_CAP_EMPTY
						: ERR_OK;
	bool ours = !err && ci.owner == mon_me();
	if (!err && !ours) {
		ask_owner(to, cap, &ci, q);
		return;
	}
	if (ours && q->share.op == MONITOR_SHARE) {
		share_start(to, cap, q->share.core, 0);
		return;
	}
	if (ours && q->revoke.op == MONITOR_REVOKE && q->revoke.how > MON_REVOKE_STAR)
		err = ERR_BAD_REQUEST; /* no such way to revoke */
	else if (ours && q->revoke.op == MONITOR_REVOKE && shared_find(ci.type, ci.base, ci.size)) {
		revoke_for(to, cap, q->revoke.how, true); /* here too */
		return;
	} else if (ours)
		err = ERR_CAP_NOT_FOUND; /* ours and not shared: do it locally */
	if (cap != SLOT_NONE)
		slot_drop(cap);
	asker_fail(&to, err);
}

static bool is_name(uint64_t op)
{
	return op >= MONITOR_NAME_REGISTER && op <= MONITOR_NAME_UNREGISTER;
}

/* A name (names.c) or channel (chans.c) request, with what came with it,
   if anything. */
static void role_request(struct asker to, const struct lmp_recv *m, const union monitor_req *q)
{
	capaddr_t cap = m->has_cap ? take_cap() : SLOT_NONE;
	if (m->has_cap && cap == SLOT_NONE)
		asker_fail(&to, ERR_NO_SLOTS);
	else if (is_name(q->op))
		names_request(to, m->badge, cap, q);
	else
		chans_request(to, m->badge, cap, q);
}

/* A message from a domain we adopted (core k > 0). */
static void child_serve(capaddr_t dep, const struct lmp_recv *m)
{
	union monitor_req q = monitor_req_of(m->words);
	uint64_t op = q.op;
	if (is_name(op) || chans_is_request(op)) {
		role_request(asker_for(dep), m, &q);
		return;
	}
	if (op == MONITOR_BIND) { /* (lib/rt's monitor_bind: bound already) */
		union monitor_rep r = {.err = ERR_OK};
		if (m->has_cap)
			mon_drop_recv();
		op_reply(dep, false, r.words, CAPADDR_NONE, false);
		return;
	}
	if (m->has_cap && (op == MONITOR_REVOKE || op == MONITOR_RETYPE || op == MONITOR_SHARE)) {
		child_request(dep, &q);
		return;
	}
	/* Domains on any core start, wait for and kill domains (ADR 0015). */
	if (!m->has_cap && op == MONITOR_ARGS) {
		mon_args_put(m->badge, &q.args); /* (no reply) */
		return;
	}
	if (op == MONITOR_SPAWN || op == MONITOR_DOMAIN || op == MONITOR_WAIT) {
		if (m->has_cap)
			mon_drop_recv(); /* (nothing goes with these) */
		spawn_far_ask(&q, asker_for(dep), m->badge);
		return;
	}
	/* (an answer it was asked for is never one of these: op_domain_answer) */
	union monitor_rep r = {.err = ERR_BAD_REQUEST};
	if (m->has_cap)
		mon_drop_recv();
	else if (op == MONITOR_RELEASE)
		r.release.err =
		    capops_release_one(q.release.base, q.release.size, &r.release.owners);
	op_reply(dep, false, r.words, CAPADDR_NONE, false);
}

/* ---- bound clients ---- */

/* MONITOR_BIND: keep the client's endpoint, give it one of ours. */
static void bind(const struct lmp_recv *m)
{
	/* No fault injected into taking its endpoint: without it there is
	   nowhere to answer, and the client would wait for ever (faults=4
	   found memserv's first revoke stuck in its bind). */
	faults_hold();
	capaddr_t ep = take_cap();
	faults_release();
	if (ep == SLOT_NONE)
		return;		/* nowhere to answer */
	places_sweep(&clients); /* the places of clients that are gone */
	bool asks = monitor_req_of(m->words).bind.op == MONITOR_BIND;
	union monitor_rep r = {.bind = {.err = ERR_BAD_REQUEST}};
	capaddr_t mine = SLOT_NONE;
	uint32_t i;
	if (asks && (mine = slot_alloc()) == SLOT_NONE)
		r.bind.err = ERR_NO_SLOTS;
	else if (asks && !places_take(&clients, ep, &i))
		r.bind.err = ERR_NO_MEMORY;
	else if (asks && (r.bind.err = cnode_mint(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine),
						  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL,
						  places_badge(&clients, i))))
		clients.at[i].ep = SLOT_NONE; /* free again; ep stays ours, to answer on */
	if (r.bind.err && mine != SLOT_NONE)
		slot_free(mine);
	op_reply(ep, r.bind.err != ERR_OK, r.words, r.bind.err ? CAPADDR_NONE : mine, !r.bind.err);
}

/* MONITOR_ADOPT from spawnd (core k > 0): the domain's endpoint came. */
static void adopt(struct asker to, capaddr_t cap, uint64_t id)
{
	capaddr_t mine = SLOT_NONE;
	unsigned at = 0;
	union monitor_rep r = {.adopt = {.err = cap == SLOT_NONE
						    ? ERR_BAD_REQUEST
						    : spawn_adopt(id, cap, &mine, &at)}};
	if (r.adopt.err && cap != SLOT_NONE)
		slot_drop(cap);
	op_reply(to.ep, to.own, r.words, r.adopt.err ? CAPADDR_NONE : mine, !r.adopt.err);
}

/* MONITOR_NOTIFY_MAKE (tests, ADR 0010): a Notify capability for a slot of
   another core, from its description; that core's kernel alone knows
   whether it is bound, and in that generation. It goes with the answer. */
static void notify_make(struct asker to, const struct monitor_notify_make *q)
{
	capaddr_t c = SLOT_NONE;
	union monitor_rep r = {.err = q->core >= mon_bootinfo()->ncores		    ? ERR_CORE_NONE
				      : q->slot > UINT32_MAX || q->core == mon_me() ? ERR_SYS_ARG
										    : ERR_OK};
	if (!r.err && (c = slot_alloc()) == SLOT_NONE)
		r.err = ERR_NO_SLOTS;
	if (!r.err)
		r.err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_CREATE, CAPADDR(CAPADDR_L1(c), 0),
				   CAPADDR_L2(c),
				   OBJ_NOTIFY | (uint64_t)CAP_RIGHTS_ALL << 8 | q->core << 16,
				   NOTIFY_BASE(q->core, q->slot), q->gen)
			    .err;
	if (r.err && c != SLOT_NONE) {
		slot_free(c);
		c = SLOT_NONE;
	}
	op_reply(to.ep, to.own, r.words, c == SLOT_NONE ? CAPADDR_NONE : c, c != SLOT_NONE);
}

/* Start what a bound client (badge client) asks; false if it is nothing
   to start. */
static bool client_start(struct asker to, capaddr_t cap, const union monitor_req *q,
			 uint64_t client)
{
	switch (q->op) {
	case MONITOR_SHARE:
		if (cap == SLOT_NONE)
			return false;
		share_start(to, cap, q->share.core, q->share.domain);
		return true;
	case MONITOR_REVOKE:
		if (cap == SLOT_NONE || q->revoke.how > MON_REVOKE_STAR)
			return false;
		revoke_for(to, cap, q->revoke.how, false);
		return true;
	case MONITOR_COUNT:
		count(to, &q->count);
		return true;
	case MONITOR_SPAWN:
	case MONITOR_DOMAIN:
	case MONITOR_WAIT:
		mon_remote_domain(q, to, client);
		return true;
	case MONITOR_CHECK:
		check_all(to);
		return true;
	case MONITOR_ADOPT:
		adopt(to, cap, q->adopt.id);
		return true;
	case MONITOR_NOTIFY_MAKE:
		if (cap != SLOT_NONE)
			return false;
		notify_make(to, &q->notify_make);
		return true;
	case MONITOR_MEM_MORE:
		if (cap != SLOT_NONE || !mon_me())
			return false; /* (core k's spawnd only: far_allowed) */
		mem_more_start(to, q->mem_more.bytes);
		return true;
	case MONITOR_TRACE_START:
	case MONITOR_TRACE_DUMP:
		if (cap != SLOT_NONE || mon_me())
			return false; /* (monitor 0's clients only) */
		trace_request(to, q);
		return true;
	default:
		return false;
	}
}

/* What a bound client asks; cap: what came with it (ours), or SLOT_NONE. */
static void client_request(struct asker to, capaddr_t cap, const union monitor_req *q,
			   uint64_t client)
{
	if (client_start(to, cap, q, client))
		return; /* it answers */
	union monitor_rep r = {.err = ERR_BAD_REQUEST};
	if (q->release.op == MONITOR_RELEASE)
		r.release.err =
		    capops_release_one(q->release.base, q->release.size, &r.release.owners);
	if (cap != SLOT_NONE)
		slot_drop(cap);
	asker_reply(&to, &r);
}

/* On core k > 0 the client is spawnd: it revokes what it made here (a
   killed domain's RAM), releases, and introduces the domains it builds. */
static bool far_allowed(capaddr_t cap, const union monitor_req *q)
{
	struct cap_info ci = {0};
	if (cap != SLOT_NONE)
		cap_identify(cap, &ci);
	if (q->revoke.op == MONITOR_REVOKE)
		return ci.owner == mon_me();
	return q->release.op == MONITOR_RELEASE || q->adopt.op == MONITOR_ADOPT ||
	       (q->mem_more.op == MONITOR_MEM_MORE && cap == SLOT_NONE);
}

bool clients_alive(uint64_t badge)
{
	struct cap_info ci;
	struct place *p =
	    MON_BADGE_KIND(badge) == MON_BADGE_CLIENT ? places_find(&clients, badge) : NULL;
	capaddr_t ep = p ? p->ep : SLOT_NONE;
	if (badge == CLIENT_SHELL)
		return true;
	if (MON_BADGE_KIND(badge) == MON_BADGE_ADOPTED && mon_me() != 0)
		ep = spawn_ep(badge); /* SLOT_NONE: killed, its place taken again */
	return ep != SLOT_NONE && cap_identify(ep, &ci) != ERR_CAP_EMPTY;
}

bool capops_serve(const struct lmp_recv *m)
{
	bool far = mon_me() != 0;
	capaddr_t dep = far ? spawn_ep(m->badge) : SLOT_NONE;
	if (dep != SLOT_NONE) { /* a domain our spawnd built */
		child_serve(dep, m);
		return true;
	}
	if (m->badge == CLIENT_APP) { /* any domain, to bind */
		if (m->has_cap)
			bind(m);
		return true;
	}
	if (MON_BADGE_KIND(m->badge) != MON_BADGE_CLIENT)
		return false;
	struct place *p = places_find(&clients, m->badge);
	union monitor_req q = monitor_req_of(m->words);
	if (p && (is_name(q.op) || chans_is_request(q.op))) {
		role_request(asker_for(p->ep), m, &q);
		return true;
	}
	if (p && !far && !m->has_cap && q.op == MONITOR_ARGS) {
		mon_args_put(m->badge, &q.args); /* (no reply) */
		return true;
	}
	capaddr_t cap = m->has_cap ? take_cap() : SLOT_NONE;
	if (!p) { /* not bound (any more): nowhere to answer */
		if (cap != SLOT_NONE)
			slot_drop(cap);
		return true;
	}
	struct asker to = asker_for(p->ep);
	if (m->has_cap && cap == SLOT_NONE) {
		asker_fail(&to, ERR_NO_SLOTS);
		return true;
	}
	if (far && !far_allowed(cap, &q))
		q.op = 0; /* not on this core */
	client_request(to, cap, &q, m->badge);
	return true;
}
