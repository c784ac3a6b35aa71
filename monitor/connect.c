// SPDX-License-Identifier: MIT
/*
 * Channels on demand (docs/protocol.md 3): two monitors other than
 * monitor 0 talk through it (MON_FWD) until they have a channel of their
 * own. Before an operation sends to cores it reaches only that way, it asks
 * monitor 0 for the channels it needs (MON_CONNECT), all at once, as one
 * round of the operation; monitor 0 makes a zeroed frame for each pair,
 * has both open it (MON_CHAN_OPEN) and answers. Monitor 0 makes one
 * channel at a time (the lock CONNECTING), so no pair gets two.
 *
 * Layer: the operation engine and the transport below it; share.c and
 * revoke.c above.
 */
#include <stdio.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/mem.h>

#include "connect.h"
#include "monitor.h"
#include "ops.h"
#include "records.h"

#define CONNECTING (1ull << 63) /* the "object" monitor 0 locks: no memory there */
#define OPEN_TICKS 500		/* how long an open may take (a dead core: 5 s) */

/* Pairs of monitors with a channel of their own (j in linked[k]): on
   monitor 0 those it made, elsewhere those this monitor asked for. */
static struct coreset linked[BOOTINFO_MAX_CORES];

struct connect_op {
	struct op op;
	unsigned from; /* who asked (mon_me(): an operation here) */
	unsigned a, b; /* the pair */
	uint64_t req;  /* the asker's request number */
	capaddr_t frame;
	bool refused; /* a side answered that it could not open it */
};

static void connect_answer(struct connect_op *c, errval_t err)
{
	union mon_payload r = {
	    .connected = {.req = c->req, .err = err, .b = c->b, .a = c->a + 1ull}};
	mon_answer(c->from, MON_CONNECTED, &r);
	op_end(&c->op);
}

static void open_answer(struct op *o, unsigned from, const union mon_payload *p)
{
	(void)from;
	((struct connect_op *)o)->refused |= p->chan_opened.err != ERR_OK;
}

/*
 * Both sides answered, or one did not in time: the asker is told so
 * (ERR_MON_TIMEOUT: that core is taken for dead). Then too, unless a side
 * could not open it, the frame is the pair's channel for good: each side
 * opened it or will if it ever reads its request; a new frame for the
 * next asker would be a page lost each time, and could split the pair.
 */
static void opened(struct op *o)
{
	struct connect_op *c = (struct connect_op *)o;
	if (!o->err || (o->err == ERR_MON_TIMEOUT && !c->refused)) {
		cs_add(&linked[c->a], c->b);
		cs_add(&linked[c->b], c->a);
	}
	connect_answer(c, o->err);
}

/* The pairs' pages are carved from RAM units, UNIT_PAGES to a unit: they
   stay as long as the pairs run, and a unit each (ram_alloc's least) ran
   monitor 0's RAM out after about a hundred pairs. */
#define UNIT_PAGES (RAM_UNIT / OBJSIZE_PAGE)
static capaddr_t unit = SLOT_NONE; /* the unit pages come from now */
static uint32_t unit_used;	   /* its pages taken, a bit each */

/* A zeroed page for the pair, kept for as long as they run: its base. */
static errval_t new_frame(capaddr_t *f, uint64_t *base)
{
	struct cap_info ci = {0};
	errval_t err = ERR_OK;
	if (unit != SLOT_NONE && unit_used == (1u << UNIT_PAGES) - 1)
		unit = SLOT_NONE; /* full (its pages are the pairs' for good) */
	if (unit == SLOT_NONE) {
		capaddr_t ram;
		if (!(err = ram_alloc(RAM_UNIT, &ram))) {
			unit = ram;
			unit_used = 0;
		}
	}
	unsigned page = (unsigned)__builtin_ctz(~unit_used);
	if (!err && (*f = slot_alloc()) == SLOT_NONE)
		err = ERR_NO_SLOTS;
	else if (err)
		*f = SLOT_NONE;
	if (!err)
		err = cap_retype(unit, OBJ_FRAME, page * (uint64_t)OBJSIZE_PAGE, OBJSIZE_PAGE, 1,
				 CAPADDR(CAPADDR_L1(*f), 0), 1, CAPADDR_L2(*f));
	if (!err)
		err = cap_identify(*f, &ci);
	if (!err)
		err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, *f, 1, 0, 0, 0).err;
	*base = ci.base;
	if (err && *f != SLOT_NONE) { /* nothing of it stays (its page is free again) */
		slot_drop(*f);
		*f = SLOT_NONE;
	}
	if (!err)
		unit_used |= 1u << page;
	return err;
}

/* Monitor 0, holding the lock: open a channel for the pair, or answer. */
static void connect_pair(struct connect_op *c)
{
	unsigned a = c->a, b = c->b;
	uint64_t base;
	errval_t err = ERR_OK;
	if (mon_me() != 0 || a == b || a == 0 || b == 0 || !mon_peer_up(a) || !mon_peer_up(b))
		err = ERR_CORE_NONE;
	if (err || cs_has(&linked[a], b) || (err = new_frame(&c->frame, &base))) {
		connect_answer(c, err);
		return;
	}
	union mon_payload pa = {.chan_open = {.base = base, .peer = b, .side = UMP_SIDE_A}};
	union mon_payload pb = {.chan_open = {.base = base, .peer = a, .side = UMP_SIDE_B}};
	if (a > b) { /* the lower core is side A */
		pa.chan_open.side = UMP_SIDE_B;
		pb.chan_open.side = UMP_SIDE_A;
	}
	op_round(&c->op, MON_CHAN_OPENED);
	c->op.each = open_answer;
	if ((err = op_ask(&c->op, a, MON_CHAN_OPEN, &pa)) ||
	    (err = op_ask(&c->op, b, MON_CHAN_OPEN, &pb))) {
		c->op.err = err;
		c->refused = true; /* (not asked: it will not open it) */
	}
	op_wait(&c->op, OPEN_TICKS, opened);
}

/* Monitor 0: MON_CONNECT, from another monitor or from an operation here. */
void on_connect(unsigned from, uint8_t type, const union mon_payload *p)
{
	struct connect_op *c = (struct connect_op *)op_request(
	    sizeof(*c), CONNECTING, 1, on_connect, from, type, p, MON_CONNECTED);
	if (!c)
		return; /* one at a time: again when the lock is free */
	c->from = from;
	const struct mon_connect *m = &p->connect;
	c->a = m->a && m->a <= BOOTINFO_MAX_CORES ? (unsigned)m->a - 1 : from;
	c->b = m->b < BOOTINFO_MAX_CORES ? (unsigned)m->b : 0;
	c->req = m->req;
	c->frame = SLOT_NONE;
	c->refused = false;
	connect_pair(c);
}

/* The answer to one of our MON_CONNECTs: remember the pair. */
static void connected(struct op *o, unsigned from, const union mon_payload *p)
{
	(void)o;
	(void)from;
	unsigned b = (unsigned)p->connected.b, a = (unsigned)p->connected.a - 1;
	if (!p->connected.err && a < BOOTINFO_MAX_CORES && b < BOOTINFO_MAX_CORES) {
		cs_add(&linked[a], b);
		cs_add(&linked[b], a);
	}
}

/* Ask for the channel between monitors a and b in o's round. */
static void ask_pair(struct op *o, unsigned a, unsigned b)
{
	union mon_payload r = {.connect = {.req = o->req, .b = b, .a = a + 1ull}};
	if (a == 0 || b == 0 || a == b || cs_has(&linked[a], b) || (a == mon_me() && mon_direct(b)))
		return;
	if (mon_me() == 0) { /* we make it ourselves: a request of our own */
		o->pending++;
		on_connect(0, MON_CONNECT, &r);
	} else {
		op_ask(o, 0, MON_CONNECT, &r);
	}
}

void connect_round(struct op *o)
{
	op_round(o, MON_CONNECTED);
	o->each = connected;
}

void connect_to(struct op *o, const struct coreset *cores)
{
	CS_FOR_EACH(k, cores)
	{
		if (k != mon_me())
			ask_pair(o, mon_me(), k);
	}
}

/* The edges below core `at`, which is sent `below` (coreset.h's tree by
   node, ADR 0019). */
static void connect_below(struct op *o, unsigned at, const struct coreset *below)
{
	unsigned child[CS_TREE_FANOUT];
	struct coreset sub[CS_TREE_FANOUT];
	cs_topo_split(below, mon_nodes(), mon_nodes()[at], child, sub);
	for (unsigned c = 0; c < CS_TREE_FANOUT; c++) {
		if (child[c] == CORESET_NONE)
			continue;
		ask_pair(o, at, child[c]);
		connect_below(o, child[c], &sub[c]);
	}
}

void connect_tree(struct op *o, const struct coreset *cores)
{
	connect_below(o, mon_me(), cores);
}

void connect_relay(struct op *o, const struct coreset *cores)
{
	unsigned self = mon_nodes()[mon_me()];
	CS_FOR_EACH(k, cores)
	{
		struct coreset sub;
		if (mon_nodes()[k] == self || !cs_relay(cores, mon_nodes(), self, k, &sub))
			continue;
		ask_pair(o, mon_me(), k);
		CS_FOR_EACH(j, &sub)
		ask_pair(o, k, j);
	}
}

uint64_t connect_ticks(const struct op *o)
{
	return OPEN_TICKS * (1 + o->pending); /* monitor 0 opens one at a time */
}
