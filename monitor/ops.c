// SPDX-License-Identifier: MIT
/*
 * The operation engine (ops.h): operation records, their rounds of
 * questions and continuations, locks on object ranges, requests deferred
 * on a lock, and answers to domains that wait for room in their buffer.
 * Owns nothing of capabilities; knows the transport only through
 * mon_send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/queue.h>

#include "monitor.h"
#include "ops.h"

static struct op *ops;	   /* in progress, newest first */
static unsigned nops;	   /* how many */
static uint64_t next_req;  /* round numbers: never 0, never reused */
static bool lock_freed;	   /* a lock went: deferred requests may run now */
static bool replies_moved; /* the last look at the kept answers sent one */

struct deferred {
	op_request_fn handler;
	unsigned from;
	uint8_t type;
	union mon_payload p;
};
static struct queue deferred = QUEUE_INIT(struct deferred);

struct kept {
	bool event; /* waits for the receive slot too (op_event_send) */
	capaddr_t ep;
	uint64_t key; /* the endpoint object's address: one order per endpoint */
	uint64_t cap;
	bool own_ep, own_cap;
	uint64_t w[4];
};
static struct queue kept = QUEUE_INIT(struct kept);

struct op *op_new(size_t size)
{
	if (fault_now())
		return NULL; /* (injected: said too often to be worth a line) */
	struct op *o = calloc(1, size);
	if (!o) {
		printf("monitor %u: out of memory for an operation\n", mon_me());
		return NULL;
	}
	o->next = ops;
	ops = o;
	nops++;
	return o;
}

void op_end(struct op *o)
{
	for (struct op **p = &ops; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			break;
		}
	lock_freed |= o->locked;
	nops--;
	free(o);
}

unsigned ops_count(void)
{
	return nops;
}

static bool overlaps(const struct op *o, uint64_t base, uint64_t size)
{
	return o->locked && size && base < o->base + o->size && o->base < base + size;
}

bool op_locked(uint64_t base, uint64_t size)
{
	for (struct op *o = ops; o; o = o->next)
		if (overlaps(o, base, size))
			return true;
	return false;
}

struct op *op_local(size_t size, uint64_t base, uint64_t len, errval_t *err)
{
	struct op *o = *err ? NULL : op_new(size);
	if (!*err && !o)
		*err = ERR_NO_MEMORY;
	if (o && !op_lock(o, base, len)) {
		op_end(o);
		o = NULL;
		*err = ERR_MON_BUSY;
	}
	return o;
}

bool op_lock(struct op *o, uint64_t base, uint64_t size)
{
	if (!size)
		return true;
	if (op_locked(base, size))
		return false;
	o->locked = true;
	o->base = base;
	o->size = size;
	return true;
}

void op_round(struct op *o, uint8_t answer)
{
	o->req = ++next_req;
	o->answer = answer;
	o->pending = o->answers = o->asked = 0;
	o->err = ERR_OK;
	o->sum = o->sum3 = 0;
	memset(o->last, 0, sizeof(o->last));
	o->badge = 0;
	o->ready = false;
	o->then = NULL;
	o->each = NULL;
	o->waiting = (struct coreset){{0}};
	o->pinged = 0;
}

errval_t op_ask(struct op *o, unsigned k, uint8_t type, const union mon_payload *p)
{
	union mon_payload q = *p;
	q.request.req = o->req;
	errval_t err = mon_send(k, type, &q);
	o->pending += !err;
	o->asked += !err;
	if (!err)
		cs_add(&o->waiting, k);
	return err;
}

void op_wait(struct op *o, uint64_t ticks, op_fn then)
{
	o->then = then;
	o->deadline = mon_ticks() + ticks;
	o->ready = !o->pending;
}

void op_wait_domain(struct op *o, uint64_t badge, uint64_t ticks, op_fn then)
{
	o->badge = badge;
	o->pending = 1;
	op_wait(o, ticks, then);
}

/* A badge no domain has: the round times out as a domain's does, and no
   domain's message is taken for its answer. */
#define BADGE_EVENT (~0ull)

void op_wait_event(struct op *o, uint64_t ticks, op_fn then)
{
	op_wait_domain(o, BADGE_EVENT, ticks, then);
}

void op_event(struct op *o, errval_t err)
{
	if (o->badge != BADGE_EVENT || !o->pending)
		return;
	o->err = err;
	o->pending = 0;
	o->badge = 0;
	o->ready = true;
}

bool op_answer(unsigned from, uint8_t type, const union mon_payload *p)
{
	const struct mon_answer *a = &p->answer;
	for (struct op *o = ops; o; o = o->next) {
		if (!o->pending || o->badge || o->req != a->req || o->answer != type)
			continue;
		if (o->each)
			o->each(o, from, p);
		cs_del(&o->waiting, from);
		o->pending--;
		o->answers++;
		if (a->err && !o->err)
			o->err = (errval_t)a->err;
		o->sum += a->val[0];
		o->sum3 += a->val[1];
		memcpy(o->last, a->val, sizeof(o->last));
		o->ready = !o->pending && o->then;
		return true;
	}
	return false;
}

bool op_domain_answer(const struct lmp_recv *m)
{
	union monitor_req q = monitor_req_of(m->words);
	if (m->has_cap || q.release.op == MONITOR_RELEASE)
		return false;	 /* a request of its own, never an answer */
	struct op *first = NULL; /* the oldest that waits for it */
	for (struct op *o = ops; o; o = o->next)
		if (o->pending && o->badge == m->badge)
			first = o;
	if (!first)
		return false;
	first->word = q.handed.word;
	first->pending = 0;
	first->badge = 0;
	first->ready = true;
	return true;
}

void asker_reply(const struct asker *a, const union monitor_rep *r)
{
	op_reply(a->ep, a->own, r->words, CAPADDR_NONE, false);
}

void asker_fail(const struct asker *a, errval_t err)
{
	union monitor_rep r = {.err = err};
	asker_reply(a, &r);
}

void mon_answer(unsigned to, uint8_t type, const union mon_payload *p)
{
	if (to == mon_me())
		op_answer(to, type, p);
	else
		mon_send(to, type, p);
}

struct op *op_request(size_t size, uint64_t base, uint64_t len, op_request_fn handler,
		      unsigned from, uint8_t type, const union mon_payload *p, uint8_t answer)
{
	struct op *o = op_new(size);
	if (o && op_lock(o, base, len))
		return o;
	errval_t err = ERR_NO_MEMORY;
	if (o) {
		op_end(o);
		err = op_defer(handler, from, type, p);
	}
	if (err) {
		union mon_payload r = {.answer = {.req = p->request.req, .err = err}};
		mon_answer(from, answer, &r);
	}
	return NULL;
}

errval_t op_defer(op_request_fn handler, unsigned from, uint8_t type, const union mon_payload *p)
{
	struct deferred d = {handler, from, type, *p};
	return queue_push(&deferred, &d) ? ERR_OK : ERR_NO_MEMORY;
}

/* Each deferred request once, in order; those still locked come back. */
static void serve_deferred(void)
{
	for (unsigned n = deferred.n; n-- > 0;) {
		struct deferred d = *(struct deferred *)queue_front(&deferred);
		queue_pop(&deferred);
		d.handler(d.from, d.type, &d.p);
	}
}

static void kept_free(const struct kept *k)
{
	if (k->own_cap) {
		cnode_delete(CAPADDR(CAPADDR_L1(k->cap), 0), 1, CAPADDR_L2(k->cap));
		slot_free(k->cap);
	}
	if (k->own_ep) {
		cnode_delete(CAPADDR(CAPADDR_L1(k->ep), 0), 1, CAPADDR_L2(k->ep));
		slot_free(k->ep);
	}
}

static void kept_put(struct kept *k, errval_t err);

/* Must k wait (its endpoint's buffer is full, or, for an event, the
   receive slot still holds a capability)? */
static bool must_wait(const struct kept *k, errval_t err)
{
	return err == ERR_LMP_BUF_FULL || (k->event && err == ERR_LMP_CAP_SLOT);
}

static void keep(struct kept *k, bool event, capaddr_t ep, bool own_ep, const uint64_t w[4],
		 uint64_t cap, bool own_cap)
{
	*k = (struct kept){event, ep, 0, cap, own_ep, own_cap, {w[0], w[1], w[2], w[3]}};
}

void op_event_send(capaddr_t ep, bool own_ep, const uint64_t w[4], uint64_t cap, bool own_cap)
{
	struct kept k;
	keep(&k, true, ep, own_ep, w, cap, own_cap);
	kept_put(&k, kept.n ? ERR_LMP_BUF_FULL : ep_send(ep, w, cap));
}

void op_reply(capaddr_t ep, bool own_ep, const uint64_t w[4], uint64_t cap, bool own_cap)
{
	struct kept k;
	keep(&k, false, ep, own_ep, w, cap, own_cap);
	/* Behind what is kept already (maybe for the same endpoint). */
	errval_t err = kept.n ? ERR_LMP_BUF_FULL : ep_send(ep, w, cap);
	if (err && err != ERR_LMP_BUF_FULL && cap != CAPADDR_NONE && !w[0]) {
		/* The capability cannot go (its receive slot is full, or it
		   may not be sent): the answer goes as that error, without
		   it, rather than not at all. */
		uint64_t e[4] = {(uint64_t)err, w[1], w[2], w[3]};
		err = ep_send(ep, e, CAPADDR_NONE);
		memcpy(k.w, e, sizeof(e));
		if (!err)
			printf("monitor %u: an answer's capability could not go: %s\n", mon_me(),
			       err_str((errval_t)e[0]));
	}
	kept_put(&k, err);
}

/* k went (err: or could not) or must wait: then it is kept. */
static void kept_put(struct kept *k, errval_t err)
{
	struct cap_info ci;
	if (!must_wait(k, err)) {
		kept_free(k);
		return;
	}
	/* Kept on a copy of our own: the slot we were given may be freed
	   and reused for another domain's endpoint before it goes. No fault
	   is injected here: the answer would be lost, and its domain wait
	   for ever. */
	faults_hold();
	capaddr_t ep = k->ep, copy = k->own_ep ? ep : slot_alloc();
	if (copy != SLOT_NONE && !k->own_ep &&
	    cnode_copy(CAPADDR(CAPADDR_L1(copy), 0), 1, CAPADDR_L2(copy), ep, CAP_RIGHTS_ALL)) {
		slot_free(copy);
		copy = SLOT_NONE;
	}
	k->ep = copy;
	k->own_ep = true;
	k->key = cap_identify(ep, &ci) ? ep : ci.base;
	if (copy == SLOT_NONE || !queue_push(&kept, k)) {
		printf("monitor %u: out of memory, an answer is lost\n", mon_me());
		k->own_ep = copy != SLOT_NONE;
		kept_free(k);
	}
	faults_release();
}

/* Send what the domains' buffers take now, each endpoint's in order. */
static void send_kept(void)
{
	replies_moved = false;
	uint64_t full[8];
	unsigned nfull = 0;
	for (unsigned n = kept.n; n-- > 0;) {
		struct kept k = *(struct kept *)queue_front(&kept);
		queue_pop(&kept);
		bool blocked = nfull == 8; /* too many full ones to tell: wait */
		for (unsigned i = 0; i < nfull && !blocked; i++)
			blocked = full[i] == k.key;
		errval_t err = blocked ? ERR_LMP_BUF_FULL : ep_send(k.ep, k.w, k.cap);
		if (must_wait(&k, err)) {
			if (!blocked && nfull < 8)
				full[nfull++] = k.key;
			queue_push(&kept, &k); /* cannot fail: it was just taken */
			continue;
		}
		replies_moved = true;
		kept_free(&k);
	}
}

/* The round's time is up: are the monitors it waits for alive? Each must
   have answered our last ping (if any); then they are asked again. */
static bool alive(struct op *o, uint64_t now)
{
	if (o->badge)
		return false;			   /* a domain need never answer */
	if (cs_empty(&o->waiting)) {		   /* only answers from operations here: */
		o->deadline = now + OP_LIVE_TICKS; /* they end by their own rounds */
		return true;
	}
	CS_FOR_EACH(k, &o->waiting)
	{
		if (o->pinged && mon_heard(k) < o->pinged)
			return false;
	}
	CS_FOR_EACH(k, &o->waiting)
	mon_ping(k);
	o->pinged = now ? now : 1;
	o->deadline = now + OP_LIVE_TICKS;
	return true;
}

/* Rounds whose monitors are dead fail; continuations of rounds that are
   over run. True if any ran. */
static bool run_ready(void)
{
	uint64_t now = mon_ticks();
	for (struct op *o = ops; o; o = o->next) {
		if (o->pending && o->then && now >= o->deadline && !alive(o, now)) {
			o->err = ERR_MON_TIMEOUT;
			o->pending = 0;
			o->badge = 0;
			o->ready = true;
		}
		if (o->ready) {
			o->ready = false;
			op_fn then = o->then;
			o->then = NULL;
			then(o); /* may end o or start a new round: look again */
			return true;
		}
	}
	return false;
}

uint64_t ops_run(void)
{
	for (;;) {
		while (run_ready())
			;
		if (!lock_freed)
			break;
		lock_freed = false;
		serve_deferred();
	}
	send_kept();
	if (kept.n) /* its domain runs when we yield; else look again soon */
		return replies_moved ? OPS_YIELD : 1;
	uint64_t now = mon_ticks(), sleep = 0;
	for (struct op *o = ops; o; o = o->next)
		if (o->pending && o->then)
			if (!sleep || o->deadline - now < sleep)
				sleep = o->deadline > now ? o->deadline - now : 1;
	return sleep;
}
