// SPDX-License-Identifier: MIT
/*
 * Domains on core k > 0: the core's spawnd builds them, its monitor knows
 * them (ADR 0008).
 *
 * Monitor k starts its core's spawnd at boot (services_start_spawnd), from
 * its own RAM and its own copy of the boot modules, so nothing is shared
 * with core 0. MON_SPAWN and MON_DOMAIN from monitor 0 become SPAWN_START,
 * SPAWN_STATUS, SPAWN_KILL and SPAWN_LIST requests to it; its answers come
 * back to our endpoint (badge SERVER_SPAWND) in the order asked and go on
 * to monitor 0. We never wait for spawnd: it asks us in turn while it
 * works (MONITOR_ADOPT when it builds a domain, MONITOR_REVOKE when a kill
 * finds that the domain shared something with other cores), and we serve
 * those from the event loop like any other request.
 *
 * MONITOR_ADOPT: spawnd introduces each domain before it runs. We keep a
 * copy of the domain's endpoint (made from the domain's RAM, so the kill
 * deletes it, which frees its place here) and give the domain an endpoint
 * badged with its place and that place's generation (spawn_badge), through
 * which it shares, revokes, retypes and gives back capabilities
 * (capops.c); a message a killed domain left behind does not pass for one
 * of the next domain's in the same place.
 *
 * spawnd's answers are noted as soon as they arrive (serve_local calls
 * spawn_note), so none is ever dropped; spawn_flush sends them on from the
 * event loop, in the order asked.
 *
 * Arguments (abi/args.h): monitor 0 keeps the block each client sends
 * (MONITOR_ARGS) until its MONITOR_SPAWN takes it, and then sends the
 * block (MON_SPAWN_ARGS) and the MON_SPAWN in one go; monitor k passes
 * each part on to its spawnd at once (SPAWN_ARGS), so nothing comes
 * between a block and its SPAWN_START there, and spawnd checks that it
 * came whole.
 *
 * Waits (MON_WAIT): spawnd answers SPAWN_WAIT when the domain stops, not
 * in the order asked, so they go on an endpoint of their own (badge
 * CLIENT_WAIT) and come back badged SERVER_SPAWND_WAIT with the domain's
 * id, and we never wait for them.
 *
 * Domains from any core (ADR 0015): what a domain we adopted asks about
 * domains (MONITOR_ARGS, _SPAWN, _DOMAIN, _WAIT) goes to monitor 0
 * (MON_FAR_ARGS, MON_FAR_REQ), which runs it as for its own clients and
 * answers MON_FAR_DONE. Relayed rather than sent to core k' ourselves:
 * blocks from two monitors on two channels could interleave at spawnd.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/args.h>
#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <chan/ump.h>
#include <rt/args.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/queue.h>
#include <rt/spawn.h>

#include "monitor.h"
#include "chans.h"
#include "names.h"
#include "roles.h"
#include "ops.h"
#include "records.h"

#define SPAWN_TICKS 520 /* how long core k may take to answer (5 s) */

static struct child spawnd;
static capaddr_t to_spawnd = SLOT_NONE; /* badged CLIENT_MONITOR */
static capaddr_t to_waits = SLOT_NONE;	/* badged CLIENT_WAIT: SPAWN_WAIT only */

/* What we asked spawnd, oldest first: for whom and what it is. */
struct asked {
	unsigned from;			/* the monitor that asked us */
	uint8_t type;			/* MON_SPAWN or MON_DOMAIN */
	uint64_t how;			/* MON_DOMAIN: 0 report, 1 kill, 2 list, 3 RAM */
	uint64_t req;			/* its w0 */
	uint64_t after;			/* a list: only ids above this */
	uint32_t ids[MONITOR_LIST_IDS]; /* a list so far: the lowest, ascending */
	unsigned nids;
	bool done; /* answered: r goes to `from` */
	union mon_payload r;
};
static struct queue asked = QUEUE_INIT(struct asked);

/* The waits spawnd has (MON_WAIT): for whom, and which domain. */
struct waiting {
	unsigned from;
	uint64_t req, id;
};
static struct queue waiting = QUEUE_INIT(struct waiting);

/* Into *ep an endpoint to spawnd badged badge; false (nothing kept) if
   that failed. */
static bool spawnd_ep(capaddr_t *ep, uint64_t badge)
{
	*ep = slot_alloc();
	if (*ep == SLOT_NONE)
		return false;
	if (!cnode_mint(CAPADDR(CAPADDR_L1(*ep), 0), 1, CAPADDR_L2(*ep),
			child_cap(&spawnd, SPAWN_H_EP), CAP_RIGHTS_ALL, badge))
		return true;
	slot_free(*ep);
	*ep = SLOT_NONE;
	return false;
}

errval_t spawn_init(void)
{
	errval_t err = services_start_spawnd(&spawnd);
	if (!err && (!spawnd_ep(&to_spawnd, CLIENT_MONITOR) || !spawnd_ep(&to_waits, CLIENT_WAIT)))
		err = ERR_NO_SLOTS;
	if (!err)
		err = spawn_run_as(&spawnd, DISP_RUN_PLAIN); /* a system service */
	if (err && to_spawnd != SLOT_NONE)
		slot_drop(to_spawnd);
	if (err && to_waits != SLOT_NONE)
		slot_drop(to_waits);
	if (err && spawnd.l1) /* its RAM comes back */
		spawn_kill(&spawnd);
	if (err)
		to_spawnd = to_waits = SLOT_NONE;
	char name[17]; /* found by name by our domains (ADR 0016); it runs without */
	snprintf(name, sizeof(name), SVC_NAME_SPAWND, mon_me());
	errval_t e = err ? ERR_OK : services_name(name, child_cap(&spawnd, SPAWN_H_EP));
	if (e)
		printf("monitor %u: cannot register %s: %s\n", mon_me(), name, err_str(e));
	return err;
}

/* Not stopped (it faulted or exited: then nobody would answer). */
static bool spawnd_up(void)
{
	uint64_t state, faults;
	int64_t status;
	return to_spawnd != SLOT_NONE && !spawn_status(&spawnd, &state, &faults, &status) && state;
}

/* One message to spawnd on ep, without waiting: what its full buffer
   cannot take now goes from the loop, in order (ops.h: op_reply). */
static errval_t spawnd_send(capaddr_t ep, const uint64_t w[4])
{
	if (!spawnd_up())
		return ERR_NO_SPAWND;
	op_reply(ep, false, w, CAPADDR_NONE, false);
	return ERR_OK;
}

static errval_t ask_spawnd(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = {op, w1, w2, w3};
	return spawnd_send(to_spawnd, w);
}

_Static_assert(sizeof(((struct mon_spawn_args *)0)->data) % ARGS_FRAGMENT == 0,
	       "a part of a block is whole SPAWN_ARGS fragments");

void spawn_args_pass(const struct mon_spawn_args *p)
{
	const char *data = (const char *)p->data;
	for (uint32_t i = 0; i < sizeof(p->data) && p->offset + i < p->total; i += ARGS_FRAGMENT) {
		struct args_fragment f = {.op = SPAWN_ARGS,
					  .offset = (uint32_t)(p->offset + i),
					  .total = (uint32_t)p->total};
		uint64_t w[4];
		memcpy(f.data, data + i, ARGS_FRAGMENT);
		memcpy(w, &f, sizeof(w));
		spawnd_send(to_spawnd, w); /* (spawnd gone: the MON_SPAWN fails) */
	}
}

void spawn_wait(unsigned from, const struct mon_wait *p)
{
	struct waiting w = {from, p->req, p->id};
	uint64_t q[4] = {SPAWN_WAIT, p->id, SPAWN_WAIT_REAP, 0};
	errval_t err = !spawnd_up()		   ? ERR_NO_SPAWND
		       : !queue_push(&waiting, &w) ? ERR_NO_MEMORY
						   : spawnd_send(to_waits, q);
	if (err) {
		union mon_payload r = {.waited = {.req = p->req, .err = err}};
		mon_send(from, MON_WAITED, &r);
	}
}

/* spawnd's answer to a wait (w3: the domain's id): the domain was taken
   away, so what it held of other cores' objects goes back first, as after
   a kill, then its waiter hears. */
static void waited(const struct lmp_recv *m)
{
	struct waiting w = {0};
	bool found = false;
	for (unsigned n = waiting.n; n-- > 0;) { /* the oldest wait on it goes */
		struct waiting x = *(struct waiting *)queue_front(&waiting);
		queue_pop(&waiting);
		if (!found && x.id == m->words[3]) {
			w = x;
			found = true;
		} else {
			queue_push(&waiting, &x); /* cannot fail: it was just taken */
		}
	}
	if (!found)
		return; /* no wait of ours */
	capops_release();
	names_sweep(); /* a reaped domain's names go before the answer */
	chans_sweep(); /* and its channels */
	union mon_payload r = {
	    .waited = {
		.req = w.req, .err = m->words[0], .status = m->words[1], .faults = m->words[2]}};
	mon_send(w.from, MON_WAITED, &r);
}

void spawn_request(unsigned from, uint8_t type, const union mon_payload *p)
{
	uint8_t answer = type == MON_SPAWN ? MON_SPAWNED : MON_DOMAIN_STATUS;
	uint64_t how = type == MON_DOMAIN ? p->domain.how : 0;
	errval_t err = ERR_OK;
	struct asked a = {
	    .from = from, .type = type, .how = how, .req = p->request.req, .after = p->domain.id};
	static const uint64_t ops[4] = {SPAWN_STATUS, SPAWN_KILL, SPAWN_LIST, SPAWN_MEM};
	if (how > 3)
		err = ERR_BAD_REQUEST;
	else if (!queue_push(&asked, &a))
		err = ERR_NO_MEMORY;
	else if (type == MON_SPAWN)
		err = ask_spawnd(SPAWN_START, p->spawn.name[0], p->spawn.name[1],
				 (uint32_t)p->spawn.arg | p->spawn.args << 32);
	else
		err = ask_spawnd(ops[how], p->domain.id, 0, 0);
	if (err) {
		if (err != ERR_BAD_REQUEST && err != ERR_NO_MEMORY)
			((struct asked *)queue_at(&asked, asked.n - 1))->type = 0; /* not asked */
		union mon_payload r = {.answer = {.req = p->request.req, .err = err}};
		mon_send(from, answer, &r);
	}
}

/* Keep id if it is above the list's start and among the lowest so far
   (spawnd need not list them in order). */
static void list_add(struct asked *a, uint32_t id)
{
	if (id <= a->after)
		return;
	unsigned i = a->nids;
	for (; i > 0 && a->ids[i - 1] > id; i--)
		if (i < MONITOR_LIST_IDS)
			a->ids[i] = a->ids[i - 1];
	if (i < MONITOR_LIST_IDS)
		a->ids[i] = id;
	if (a->nids < MONITOR_LIST_IDS)
		a->nids++;
}

bool spawn_note(const struct lmp_recv *m)
{
	if (mon_me() == 0 || (m->badge != SERVER_SPAWND && m->badge != SERVER_SPAWND_WAIT))
		return false;
	if (m->has_cap)
		mon_drop_recv(); /* spawnd sends us none */
	if (m->badge == SERVER_SPAWND_WAIT) {
		waited(m);
		return true;
	}
	struct asked *a = NULL; /* the oldest not answered yet */
	for (unsigned i = 0; i < asked.n && !a; i++)
		if (!((struct asked *)queue_at(&asked, i))->done &&
		    ((struct asked *)queue_at(&asked, i))->type)
			a = queue_at(&asked, i);
	if (!a)
		return true; /* nothing asked: not an answer of ours */
	a->r.answer.req = a->req;
	a->r.answer.err = m->words[0];
	if (a->type == MON_SPAWN) {
		a->r.spawned.id = m->words[1];
	} else if ((a->how == 0 || a->how == 3) && !m->words[0]) {
		memcpy(a->r.domain_status.v, &m->words[1], sizeof(a->r.domain_status.v));
	} else if (a->how == 2 && !m->words[0] && m->words[1]) {
		list_add(a, (uint32_t)m->words[1]); /* one line per domain, then w1 = 0 */
		return true;
	} else if (a->how == 2) {
		for (unsigned i = 0; i < a->nids; i++)
			a->r.domain_status.v[i / 2] |= (uint64_t)a->ids[i] << (32 * (i % 2));
	}
	a->done = true;
	return true;
}

void spawn_flush(void)
{
	struct asked *f;
	while ((f = queue_front(&asked)) && (f->done || !f->type)) {
		struct asked a = *f;
		queue_pop(&asked);
		if (!a.type)
			continue; /* spawnd was not asked after all */
		/* A killed domain's copies of other cores' objects went with it:
		   the owners hear before the answer does (FIFO to core 0). */
		if (a.type == MON_DOMAIN && a.how == 1) {
			capops_release();
			names_sweep(); /* and its names are gone before the answer */
			chans_sweep();
		}
		mon_send(a.from, a.type == MON_SPAWN ? MON_SPAWNED : MON_DOMAIN_STATUS, &a.r);
	}
}

/*
 * Monitor 0: the argument blocks clients are sending (MONITOR_ARGS), each
 * for the client's next MONITOR_SPAWN: one per client, in a table that
 * grows from the heap. A client's first fragment takes a free entry, or
 * one whose client is gone (clients_alive), or a new one; only when the
 * heap is out does it take the one touched least recently, whose client's
 * spawn then fails (ERR_ARGS_INCOMPLETE).
 */
struct staged {
	uint64_t client; /* its badge; 0: free */
	uint64_t used;	 /* when it was last touched */
	struct args_in in;
};
static struct staged *staged;
static unsigned nstaged;
static uint64_t touches;

/* Monitor 0 keeps the block a domain on core k sent (MON_FAR_ARGS) under
   a key of core k's: only until its MON_FAR_REQ, which comes next on the
   same channel, so one a core at a time. */
#define FAR_KIND      (0xfeull << 56)
#define FAR_KEY(core) (FAR_KIND | (core))

/* The client of a block may still send its spawn. */
static bool staged_alive(uint64_t client)
{
	if (MON_BADGE_KIND(client) == FAR_KIND)
		return mon_peer_up((unsigned)MON_BADGE_PLACE(client));
	return clients_alive(client);
}

/* A free entry (one whose client went counts), the table grown if it has
   none; NULL when the heap is out. */
static struct staged *staged_free(void)
{
	for (unsigned i = 0; i < nstaged; i++)
		if (!staged[i].client || !staged_alive(staged[i].client))
			return &staged[i];
	unsigned was = nstaged, n = nstaged ? 2 * nstaged : 4;
	struct staged *t = fault_now() ? NULL : realloc(staged, n * sizeof(*t));
	if (!t)
		return NULL;
	memset(t + was, 0, (n - was) * sizeof(*t));
	staged = t;
	nstaged = n;
	return &staged[was];
}

/* The client's block; with take, a new one if it has none. */
static struct staged *staged_of(uint64_t client, bool take)
{
	struct staged *old = NULL;
	for (unsigned i = 0; i < nstaged; i++) {
		if (staged[i].client == client)
			return &staged[i];
		if (!old || staged[i].used < old->used)
			old = &staged[i];
	}
	if (!take)
		return NULL;
	struct staged *s = staged_free();
	if (!s && !(s = old))
		return NULL;
	s->client = client;
	s->in = (struct args_in){0};
	return s;
}

/* len bytes at offset of the client's block of total. */
static void staged_put(uint64_t client, uint32_t offset, uint32_t total, const void *data,
		       uint32_t len)
{
	struct staged *s = staged_of(client, offset == 0);
	if (!s)
		return; /* its block went to another: its spawn fails */
	s->used = ++touches;
	args_put(&s->in, offset, total, data, len);
}

void mon_args_put(uint64_t client, const struct monitor_args *f)
{
	staged_put(client, (uint32_t)f->offset, (uint32_t)f->total, f->data, sizeof(f->data));
}

/* A spawn takes its client's block (any): into *block if one of bytes
   came whole. */
static errval_t args_of(uint64_t client, uint32_t bytes, const char **block)
{
	struct staged *s = staged_of(client, false);
	errval_t err = s ? args_take(&s->in, bytes) : bytes ? ERR_ARGS_INCOMPLETE : ERR_OK;
	if (s)
		s->client = 0;
	*block = s ? s->in.buf : NULL; /* (holds until the next fragment) */
	return err;
}

_Static_assert(sizeof(struct mon_far_args) == sizeof(struct mon_spawn_args) &&
		   offsetof(struct mon_far_args, data) == offsetof(struct mon_spawn_args, data),
	       "MON_FAR_ARGS is laid out as MON_SPAWN_ARGS");

/* The block to core k as messages of type (MON_SPAWN_ARGS, MON_FAR_ARGS),
   just before the request that takes it. */
static errval_t args_forward(unsigned k, uint8_t type, const char *block, uint32_t bytes)
{
	errval_t err = ERR_OK;
	union mon_payload f;
	for (uint32_t off = 0; !err && off < bytes; off += sizeof(f.spawn_args.data)) {
		uint32_t n = bytes - off;
		f = (union mon_payload){.spawn_args = {.offset = off, .total = bytes}};
		memcpy(f.spawn_args.data, block + off,
		       n < sizeof(f.spawn_args.data) ? n : sizeof(f.spawn_args.data));
		err = mon_send(k, type, &f);
	}
	return err;
}

struct domain_op {
	struct op op;
	struct asker to; /* the domain that asked, unless from */
	unsigned from;	 /* monitor 0: the core of a domain's MON_FAR_REQ (0: none) */
	uint64_t req;	 /* and that request's number */
};

/* The answer to a request about domains, core k's values (MON_SPAWNED's,
   MON_DOMAIN_STATUS's, MON_WAITED's or MON_FAR_DONE's) in order, to the
   domain that asked, or to the monitor that relayed its request. */
static void domain_done(struct op *o)
{
	struct domain_op *d = (struct domain_op *)o;
	if (o->err)
		memset(o->last, 0, sizeof(o->last));
	union monitor_rep r = {.words = {o->err, o->last[0], o->last[1], o->last[2]}};
	union mon_payload a = {.far_done = {.req = d->req, .err = o->err}};
	memcpy(a.far_done.v, o->last, sizeof(a.far_done.v));
	if (d->from)
		mon_send(d->from, MON_FAR_DONE, &a);
	else
		asker_reply(&d->to, &r);
	op_end(o);
}

/* The message to core k for a client's request, and its answer's type. */
static errval_t remote_request(const union monitor_req *q, union mon_payload *p, uint8_t *type,
			       uint8_t *answer)
{
	switch (q->op) {
	case MONITOR_SPAWN:
		*p = (union mon_payload){.spawn = {.name = {q->spawn.name[0], q->spawn.name[1]},
						   .arg = q->spawn.arg,
						   .args = q->spawn.args}};
		*type = MON_SPAWN;
		*answer = MON_SPAWNED;
		return ERR_OK;
	case MONITOR_WAIT:
		*p = (union mon_payload){.wait = {.id = q->wait.id}};
		*type = MON_WAIT;
		*answer = MON_WAITED;
		return ERR_OK;
	default:
		*p = (union mon_payload){.domain = {.id = q->domain.id, .how = q->domain.how}};
		*type = MON_DOMAIN;
		*answer = MON_DOMAIN_STATUS;
		return q->domain.how > 3 ? ERR_BAD_REQUEST : ERR_OK;
	}
}

/*
 * Monitor 0: start asking core k about a request of client's (its block,
 * for a spawn, taken here unless args_err already says what became of
 * it); the operation, waiting, or NULL with the error in *err. The checks
 * come in one order for every asker: the request, the core, the block.
 */
static struct domain_op *remote_start(const union monitor_req *asked, uint64_t client,
				      errval_t args_err, errval_t *err)
{
	bool spawn = asked->op == MONITOR_SPAWN;
	uint64_t core = spawn			    ? asked->spawn.core
			: asked->op == MONITOR_WAIT ? asked->wait.core
						    : asked->domain.core;
	uint32_t bytes = spawn ? asked->spawn.args : 0;
	const char *block = NULL;
	union mon_payload q;
	uint8_t type, answer;
	*err = remote_request(asked, &q, &type, &answer);
	/* A spawn takes its client's block, whatever becomes of it. */
	errval_t args = args_err ? args_err : spawn ? args_of(client, bytes, &block) : ERR_OK;
	if (core == 0 || core >= BOOTINFO_MAX_CORES || !mon_peer_up((unsigned)core))
		*err = ERR_CORE_NONE;
	struct domain_op *d = *err || args ? NULL : (struct domain_op *)op_new(sizeof(*d));
	if (!*err && !args && !d)
		*err = ERR_NO_MEMORY;
	if (*err || args) {
		*err = *err ? *err : args;
		return NULL;
	}
	op_round(&d->op, answer);
	/* The block and its spawn go in one go: nothing comes between them. */
	d->op.err = args_forward((unsigned)core, MON_SPAWN_ARGS, block, bytes);
	if (!d->op.err)
		d->op.err = op_ask(&d->op, (unsigned)core, type, &q);
	op_wait(&d->op, SPAWN_TICKS, domain_done); /* (it runs from the loop) */
	return d;
}

void mon_remote_domain(const union monitor_req *asked, struct asker to, uint64_t client)
{
	errval_t err;
	struct domain_op *d = remote_start(asked, client, ERR_OK, &err);
	if (d)
		d->to = to;
	else
		asker_fail(&to, err);
}

/* Monitor 0: MON_FAR_ARGS or MON_FAR_REQ from monitor `from` (ADR 0015). */
void spawn_far_message(unsigned from, uint8_t type, const union mon_payload *p)
{
	if (type == MON_FAR_ARGS) {
		staged_put(FAR_KEY(from), (uint32_t)p->far_args.offset, (uint32_t)p->far_args.total,
			   p->far_args.data, sizeof(p->far_args.data));
		return;
	}
	union monitor_req q;
	errval_t err;
	memcpy(q.words, p->far_req.q, sizeof(q.words));
	struct domain_op *d = remote_start(&q, FAR_KEY(from), p->far_req.args_err, &err);
	if (d) {
		d->from = from;
		d->req = p->far_req.req;
		return;
	}
	union mon_payload r = {.far_done = {.req = p->far_req.req, .err = err}};
	mon_send(from, MON_FAR_DONE, &r);
}

/*
 * Monitor k > 0: MONITOR_SPAWN, MONITOR_DOMAIN or MONITOR_WAIT from a
 * domain we adopted (badge), relayed to monitor 0, which runs it as for
 * its own clients (ADR 0015): a spawn's block first, then the request,
 * in one go on our channel to it. The answer goes to the domain.
 */
void spawn_far_ask(const union monitor_req *q, struct asker to, uint64_t badge)
{
	bool spawn = q->op == MONITOR_SPAWN;
	uint32_t bytes = spawn ? q->spawn.args : 0;
	const char *block = NULL;
	errval_t args = spawn ? args_of(badge, bytes, &block) : ERR_OK;
	struct domain_op *d = (struct domain_op *)op_new(sizeof(*d));
	if (!d) {
		asker_fail(&to, ERR_NO_MEMORY);
		return;
	}
	d->to = to;
	union mon_payload p = {.far_req = {.args_err = args}};
	memcpy(p.far_req.q, q->words, sizeof(p.far_req.q));
	op_round(&d->op, MON_FAR_DONE);
	d->op.err = args || !bytes ? ERR_OK : args_forward(0, MON_FAR_ARGS, block, bytes);
	if (!d->op.err)
		d->op.err = op_ask(&d->op, 0, MON_FAR_REQ, &p);
	op_wait(&d->op, SPAWN_TICKS, domain_done);
}
