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
 * spawnd's answers are noted as soon as they arrive, even while we wait
 * for something else (mon_lmp_wait calls spawn_note), so none is ever
 * dropped; spawn_flush sends them on from the event loop, in the order
 * asked.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <chan/ump.h>
#include <rt/mem.h>
#include <rt/queue.h>
#include <rt/spawn.h>

#include "monitor.h"
#include "names.h"
#include "roles.h"
#include "ops.h"
#include "records.h"

#define SPAWN_TICKS 520 /* how long core k may take to answer (5 s) */

static struct child spawnd;
static capaddr_t to_spawnd = SLOT_NONE; /* badged CLIENT_MONITOR */

/* What we asked spawnd, oldest first: for whom and what it is. */
struct asked {
	unsigned from;			/* the monitor that asked us */
	uint8_t type;			/* MON_SPAWN or MON_DOMAIN */
	uint64_t how;			/* MON_DOMAIN: 0 report, 1 kill, 2 list */
	uint64_t req;			/* its w0 */
	uint64_t after;			/* a list: only ids above this */
	uint32_t ids[MONITOR_LIST_IDS]; /* a list so far: the lowest, ascending */
	unsigned nids;
	bool done; /* answered: r goes to `from` */
	union mon_payload r;
};
static struct queue asked = QUEUE_INIT(struct asked);

errval_t spawn_init(void)
{
	errval_t err = services_start_spawnd(&spawnd);
	if (!err && (to_spawnd = slot_alloc()) == SLOT_NONE)
		err = ERR_NO_SLOTS;
	if (!err)
		err = cnode_mint(CAPADDR(CAPADDR_L1(to_spawnd), 0), 1, CAPADDR_L2(to_spawnd),
				 child_cap(&spawnd, SPAWN_H_EP), CAP_RIGHTS_ALL, CLIENT_MONITOR);
	if (!err)
		err = spawn_run(&spawnd);
	if (err && to_spawnd != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(to_spawnd), 0), 1, CAPADDR_L2(to_spawnd));
		slot_free(to_spawnd);
	}
	if (err && spawnd.l1) /* its RAM comes back */
		spawn_kill(&spawnd);
	if (err)
		to_spawnd = SLOT_NONE;
	return err;
}

/* One request to spawnd, without waiting: what its full buffer cannot
   take now goes from the loop, in order (ops.h: op_reply). */
static errval_t ask_spawnd(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = {op, w1, w2, w3};
	uint64_t state, faults;
	int64_t status;
	/* Stopped (it faulted or exited): nobody would answer. */
	if (to_spawnd == SLOT_NONE || spawn_status(&spawnd, &state, &faults, &status) || !state)
		return ERR_NO_SPAWND;
	op_reply(to_spawnd, false, w, CAPADDR_NONE, false);
	return ERR_OK;
}

void spawn_request(unsigned from, uint8_t type, const union mon_payload *p)
{
	uint8_t answer = type == MON_SPAWN ? MON_SPAWNED : MON_DOMAIN_STATUS;
	uint64_t how = type == MON_DOMAIN ? p->domain.how : 0;
	errval_t err = ERR_OK;
	struct asked a = {
	    .from = from, .type = type, .how = how, .req = p->request.req, .after = p->domain.id};
	if (how > 2)
		err = ERR_BAD_REQUEST;
	else if (!queue_push(&asked, &a))
		err = ERR_NO_MEMORY;
	else if (type == MON_SPAWN)
		err = ask_spawnd(SPAWN_START, p->spawn.name[0], p->spawn.name[1], p->spawn.arg);
	else
		err = ask_spawnd(how == 0   ? SPAWN_STATUS
				 : how == 1 ? SPAWN_KILL
					    : SPAWN_LIST,
				 p->domain.id, 0, 0);
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
	if (mon_me() == 0 || m->badge != SERVER_SPAWND)
		return false;
	if (m->has_cap)
		mon_drop_recv(); /* spawnd sends us none */
	struct asked *a = NULL;	 /* the oldest not answered yet */
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
	} else if (a->how == 0 && !m->words[0]) {
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
		}
		mon_send(a.from, a.type == MON_SPAWN ? MON_SPAWNED : MON_DOMAIN_STATUS, &a.r);
	}
}

struct domain_op {
	struct op op;
	struct asker to;
};

static void domain_done(struct op *o)
{
	struct domain_op *d = (struct domain_op *)o;
	if (o->err)
		memset(o->last, 0, sizeof(o->last));
	union monitor_rep r = {.words = {o->err, o->last[0], o->last[1], o->last[2]}};
	asker_reply(&d->to, &r); /* spawn's or domain's, as MON_SPAWNED's or MON_DOMAIN_STATUS's */
	op_end(o);
}

void mon_remote_domain(const union monitor_req *asked, struct asker to)
{
	bool spawn = asked->spawn.op == MONITOR_SPAWN;
	uint64_t core = spawn ? asked->spawn.core : asked->domain.core;
	errval_t err = ERR_OK;
	if (core == 0 || core >= BOOTINFO_MAX_CORES || !mon_peer_up((unsigned)core))
		err = ERR_CORE_NONE;
	else if (!spawn && asked->domain.how > 2)
		err = ERR_BAD_REQUEST;
	struct domain_op *d = err ? NULL : (struct domain_op *)op_new(sizeof(*d));
	if (!err && !d)
		err = ERR_NO_MEMORY;
	if (err) {
		asker_fail(&to, err);
		return;
	}
	d->to = to;
	union mon_payload q = {.spawn = {.name = {asked->spawn.name[0], asked->spawn.name[1]},
					 .arg = asked->spawn.arg}};
	if (!spawn)
		q.domain = (struct mon_domain){.id = asked->domain.id, .how = asked->domain.how};
	op_round(&d->op, spawn ? MON_SPAWNED : MON_DOMAIN_STATUS);
	d->op.err = op_ask(&d->op, (unsigned)core, spawn ? MON_SPAWN : MON_DOMAIN, &q);
	op_wait(&d->op, SPAWN_TICKS, domain_done);
}
