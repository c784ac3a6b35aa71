// SPDX-License-Identifier: MIT
/*
 * Channels between domains (rt/chan.h, ADR 0014).
 *
 * Frames are mapped in one 2 MiB window at CHAN_VADDR whose page tables,
 * and the clients' frames, come from 64 KiB RAM units (the first unit's
 * first 16 KiB are the tables): a channel costs a page, not a unit, so
 * a domain on a core with little RAM can hold several.
 *
 * Every access to a frame runs under a catch: a revoke may take the
 * mapping away at any instruction (the peer was killed, or revoked the
 * frame), and the kernel then resumes us at chan_fault (DISP_CATCH), which
 * jumps back to the call in progress; the call fails with ERR_CHAN_CLOSED.
 *
 * Events arrive on our endpoint among everything else; the rpc filter
 * takes them out of the way: offers (queued for chan_accept, their frame
 * moved out of the receive slot at once), close events (the channel is
 * marked), and notifications for our channels' slots (hints: a receiver
 * looks at its ring before every sleep).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/chan.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/queue.h>
#include <rt/rpc.h>

#define UNIT_PAGES   (RAM_UNIT / CHAN_FRAME) /* 16 */
#define UNITS	     8
#define WINDOW_PAGES (CHAN_WINDOW / CHAN_FRAME)

static struct {
	bool ready;
	struct vregion region; /* the window's tables (pages: used below) */
	capaddr_t l0;
	uint64_t used[WINDOW_PAGES / 64]; /* pages of the window mapped */
	capaddr_t unit[UNITS];		  /* RAM the clients' frames come from */
	uint16_t taken[UNITS];		  /* its pages in use */
} w;

static struct chan *open_list;

struct offer {
	struct chan_offer o;
	capaddr_t frame;
};
static struct queue offers = QUEUE_INIT(struct offer);

enum { MSG_DATA, MSG_CAP }; /* the UMP type byte */

static jmp_buf *catching;
static uint64_t caught;

/* Entered by the kernel on a fault in the window (DISP_CATCH), on the
   stack of the code that faulted. */
static void __attribute__((noreturn)) chan_fault(uint64_t addr, uint64_t cause, uint64_t pc)
{
	caught++;
	if (catching) {
		jmp_buf *j = catching;
		catching = NULL;
		longjmp(*j, 1);
	}
	printf("domain %lu: fault at %#lx (cause %lu, pc %#lx) in the channel window outside a "
	       "channel call\n",
	       (unsigned long)rt_domain(), (unsigned long)addr, (unsigned long)cause,
	       (unsigned long)pc);
	exit(255);
}

/* Run what follows under a catch: a fault in the window returns
   ERR_CHAN_CLOSED from the function, with c closed. */
#define CATCH(c)                                                                                   \
	jmp_buf jb_;                                                                               \
	if (setjmp(jb_)) {                                                                         \
		(c)->closed = true;                                                                \
		return ERR_CHAN_CLOSED;                                                            \
	}                                                                                          \
	catching = &jb_
#define UNCATCH() (catching = NULL)

uint64_t chan_faults_caught(void)
{
	return caught;
}

static void drop(capaddr_t *c)
{
	if (*c == SLOT_NONE)
		return;
	cnode_delete(CAPADDR(CAPADDR_L1(*c), 0), 1, CAPADDR_L2(*c));
	slot_free(*c);
	*c = SLOT_NONE;
}

/* ---- events ---- */

static bool filter(const struct lmp_recv *m)
{
	if (m->words[0] == NOTIFY_EVENT && !m->has_cap) {
		for (struct chan *c = open_list; c; c = c->next)
			if (c->mine != SLOT_NONE && c->slot == m->words[1])
				return true;
		return false; /* someone else's notification */
	}
	if (m->words[0] == CHAN_EVENT_CLOSED && !m->has_cap) {
		for (struct chan *c = open_list; c; c = c->next)
			if (c->base == m->words[1])
				c->closed = true;
		return true; /* (or for a channel we closed already) */
	}
	if (m->words[0] != CHAN_EVENT_OFFER || !m->has_cap)
		return false;
	struct offer o = {{m->words[0], m->words[1], m->words[2], m->words[3]}, slot_alloc()};
	if (o.frame == SLOT_NONE || rpc_take_cap(o.frame) || !queue_push(&offers, &o)) {
		/* No room: never answered, the client's bind times out. (No
		   monitor call from here: we may be inside one.) */
		if (o.frame == SLOT_NONE)
			rpc_drop_cap();
		else
			drop(&o.frame);
		printf("domain %lu: no room for a channel offer, refused\n",
		       (unsigned long)rt_domain());
	}
	return true;
}

/* Sleep until any message comes; sort it. */
static errval_t wait_any(void)
{
	struct lmp_recv m;
	errval_t err = lmp_recv(1, &m);
	if (!err)
		rpc_keep(&m);
	return err;
}

/* ---- the window and the frames ---- */

/* The window's tables from ram, and its faults caught. */
static errval_t tables(capaddr_t ram)
{
	errval_t err = vregion_init_in(&w.region, CHAN_VADDR, ram);
	if (!err)
		err = cap_invoke(CAPADDR(CN_TASK, TASK_DISP), 2, DISP_CATCH,
				 (uint64_t)(uintptr_t)chan_fault, CHAN_VADDR, CHAN_WINDOW, 0, 0)
			  .err;
	return err;
}

static errval_t setup(void)
{
	if (w.ready)
		return ERR_OK;
	capaddr_t ram = SLOT_NONE;
	errval_t err = monitor_ep() == SLOT_NONE ? monitor_bind() : ERR_OK;
	if (!err && !ram_total_bytes())
		err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	if (!err)
		err = ram_alloc(RAM_UNIT, &ram);
	if (!err)
		err = tables(ram);
	if (err) {
		if (ram != SLOT_NONE)
			ram_free(ram); /* (its tables with it) */
		return err;
	}
	w.l0 = w.region.l0;
	w.unit[0] = ram;
	w.taken[0] = (1u << (2 * OBJSIZE_VNODE / CHAN_FRAME)) - 1; /* the tables */
	for (unsigned u = 1; u < UNITS; u++)
		w.unit[u] = SLOT_NONE;
	rpc_set_filter(filter);
	w.ready = true;
	return ERR_OK;
}

/* A frame of the client's own, from a unit. */
static errval_t frame_new(struct chan *c)
{
	for (unsigned u = 0; u < UNITS; u++) {
		if (w.unit[u] == SLOT_NONE && ram_alloc(RAM_UNIT, &w.unit[u])) {
			w.unit[u] = SLOT_NONE;
			return ERR_NO_MEMORY;
		}
		if (w.taken[u] == 0xffff)
			continue;
		unsigned i = (unsigned)__builtin_ctz(~(unsigned)w.taken[u]);
		capaddr_t f = slot_alloc();
		if (f == SLOT_NONE)
			return ERR_NO_SLOTS;
		errval_t err = cap_retype(w.unit[u], OBJ_FRAME, i * CHAN_FRAME, CHAN_FRAME, 1,
					  CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
		if (err) {
			slot_free(f);
			return err;
		}
		w.taken[u] |= (uint16_t)(1u << i);
		c->frame = f;
		c->arena = (int)(u * UNIT_PAGES + i);
		return ERR_OK;
	}
	return ERR_NO_MEMORY;
}

/* n free pages in a row in the window: the first, or WINDOW_PAGES. */
static unsigned window_find(unsigned n)
{
	for (unsigned p = 0, run = 0; p < WINDOW_PAGES; p++) {
		run = w.used[p / 64] >> (p % 64) & 1 ? 0 : run + 1;
		if (run == n)
			return p + 1 - n;
	}
	return WINDOW_PAGES;
}

static void window_mark(unsigned first, unsigned n, bool used)
{
	for (unsigned p = first; p < first + n; p++)
		if (used)
			w.used[p / 64] |= 1ull << (p % 64);
		else
			w.used[p / 64] &= ~(1ull << (p % 64));
}

/* Map all of frame f in the window at *page; its address, or NULL. */
static void *window_map(capaddr_t f, bool writable, unsigned *page, unsigned *pages)
{
	struct cap_info ci;
	if (cap_identify(f, &ci) || ci.type != OBJ_FRAME || ci.size > CHAN_WINDOW)
		return NULL;
	unsigned n = (unsigned)(ci.size / OBJSIZE_PAGE), p = window_find(n);
	uint64_t rights = CAP_RIGHT_READ | (writable ? CAP_RIGHT_WRITE : 0);
	if (p == WINDOW_PAGES || vnode_map(w.l0, p, f, rights, 0, n))
		return NULL;
	window_mark(p, n, true);
	*page = p;
	*pages = n;
	return (void *)(CHAN_VADDR + (uint64_t)p * OBJSIZE_PAGE);
}

static errval_t map(struct chan *c)
{
	struct cap_info ci;
	unsigned n;
	errval_t err = cap_identify(c->frame, &ci);
	if (err)
		return err;
	if (ci.type != OBJ_FRAME || ci.size != CHAN_FRAME)
		return ERR_CAP_TYPE;
	c->base = ci.base;
	c->va = window_map(c->frame, true, &c->page, &n);
	return c->va ? ERR_OK : ERR_NO_MEMORY;
}

/* Frames mapped by chan_map: few, so a short list. */
struct mapped {
	struct mapped *next;
	capaddr_t f;
	unsigned page, pages;
};
static struct mapped *mapped_list;

void *chan_map(capaddr_t f, bool writable)
{
	struct mapped *m = setup() ? NULL : malloc(sizeof(*m));
	void *va = m ? window_map(f, writable, &m->page, &m->pages) : NULL;
	if (!va) {
		free(m);
		return NULL;
	}
	m->f = f;
	m->next = mapped_list;
	mapped_list = m;
	return va;
}

void chan_unmap(capaddr_t f)
{
	for (struct mapped **at = &mapped_list; *at; at = &(*at)->next) {
		struct mapped *m = *at;
		if (m->f != f)
			continue;
		vnode_unmap(w.l0, f);
		window_mark(m->page, m->pages, false);
		*at = m->next;
		free(m);
		return;
	}
}

static errval_t bind_mine(struct chan *c)
{
	if ((c->mine = slot_alloc()) == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = ep_notify_bind(CAPADDR(CN_TASK, TASK_EP), c->mine, &c->slot, &c->gen);
	if (err) {
		slot_free(c->mine);
		c->mine = SLOT_NONE;
	}
	return err;
}

/* The frame of a client goes everywhere first: copies on other cores (a
   revoke through the monitors), then those here, then ours. */
static void frame_free(struct chan *c)
{
	union monitor_rep r;
	if (c->arena < 0) {
		drop(&c->frame);
		return;
	}
	if (c->core == rt_core() || monitor_revoke(c->frame, 0, &r))
		cnode_revoke(CAPADDR(CAPADDR_L1(c->frame), 0), 1, CAPADDR_L2(c->frame));
	drop(&c->frame);
	unsigned u = (unsigned)c->arena / UNIT_PAGES, i = (unsigned)c->arena % UNIT_PAGES;
	w.taken[u] &= (uint16_t) ~(1u << i);
	c->arena = -1;
}

static void teardown(struct chan *c)
{
	if (c->mine != SLOT_NONE)
		notify_unbind(c->mine);
	drop(&c->mine);
	drop(&c->peer);
	if (c->va) {
		vnode_unmap(w.l0, c->frame);
		window_mark(c->page, 1, false);
		c->va = NULL;
	}
	if (c->frame != SLOT_NONE)
		frame_free(c);
}

static void init(struct chan *c)
{
	memset(c, 0, sizeof(*c));
	c->frame = c->mine = c->peer = SLOT_NONE;
	c->arena = -1;
}

static void link(struct chan *c)
{
	c->next = open_list;
	open_list = c;
}

static void unlink(struct chan *c)
{
	for (struct chan **at = &open_list; *at; at = &(*at)->next)
		if (*at == c) {
			*at = c->next;
			return;
		}
}

/* The Notify capability for the peer's slot, with the monitor's reply. */
static errval_t take_peer(struct chan *c)
{
	if ((c->peer = slot_alloc()) == SLOT_NONE) {
		rpc_drop_cap();
		return ERR_NO_SLOTS;
	}
	errval_t err = rpc_take_cap(c->peer);
	if (err)
		slot_free(c->peer), c->peer = SLOT_NONE;
	return err;
}

/* ---- opening ---- */

errval_t chan_listen(const char *name)
{
	errval_t err = setup();
	return err ? err : name_register(name, CAPADDR(CN_TASK, TASK_EP));
}

static errval_t accept_one(struct chan *c, const struct offer *o)
{
	c->frame = o->frame;
	c->core = (unsigned)o->o.core;
	errval_t err = o->o.size != CHAN_FRAME ? ERR_CAP_SIZE : map(c);
	if (!err && ump_chan_init(&c->u, c->va, CHAN_FRAME, UMP_SIDE_B) != UMP_OK)
		err = ERR_CAP_SIZE;
	if (!err)
		err = bind_mine(c);
	union monitor_req q = {.chan_accept = {MONITOR_CHAN_ACCEPT, .id = o->o.id, .err = err,
					       .slot = err ? 0 : (uint32_t)c->slot,
					       .gen = err ? 0 : (uint32_t)c->gen}};
	union monitor_rep r;
	errval_t asked = monitor_ask(q, CAPADDR_NONE, &r);
	if (!err && !(err = asked))
		err = take_peer(c);
	return err;
}

errval_t chan_accept(struct chan *c)
{
	init(c);
	errval_t err = setup();
	while (!err && !queue_front(&offers))
		err = wait_any();
	if (err)
		return err;
	struct offer o = *(struct offer *)queue_front(&offers);
	queue_pop(&offers);
	if ((err = accept_one(c, &o))) {
		teardown(c);
		return err;
	}
	link(c);
	return ERR_OK;
}

static errval_t bind_to(struct chan *c, const char *name, unsigned core)
{
	union monitor_rep r;
	errval_t err = frame_new(c);
	if (!err)
		err = map(c);
	if (!err && (ump_frame_init(c->va, CHAN_FRAME) != UMP_OK ||
		     ump_chan_init(&c->u, c->va, CHAN_FRAME, UMP_SIDE_A) != UMP_OK))
		err = ERR_CAP_SIZE;
	if (!err)
		err = bind_mine(c);
	if (!err && core != rt_core()) /* the server's core holds a copy first */
		err = monitor_ask((union monitor_req){.share = {MONITOR_SHARE, .core = core}},
				  c->frame, &r);
	union monitor_req q = {.chan_bind = {MONITOR_CHAN_BIND, .core = core,
					     .slot = (uint16_t)c->slot, .gen = (uint32_t)c->gen}};
	memcpy(q.chan_bind.name, name, strlen(name));
	if (!err)
		err = monitor_ask(q, c->frame, &r);
	if (!err)
		err = take_peer(c);
	return err;
}

errval_t chan_bind(const char *name, struct chan *c)
{
	unsigned core = 0;
	init(c);
	errval_t err = setup();
	if (!err)
		err = name_lookup(name, &core, CAPADDR_NONE);
	c->core = core;
	if (!err)
		err = bind_to(c, name, core);
	if (err) {
		teardown(c);
		return err;
	}
	link(c);
	return ERR_OK;
}

errval_t chan_bind_wait(const char *name, struct chan *c, unsigned ticks)
{
	errval_t err;
	for (unsigned i = 0; (err = chan_bind(name, c)) == ERR_NAME_NOT_FOUND && i < ticks; i++)
		rpc_nap(1);
	return err;
}

/* ---- messages ---- */

static errval_t send_typed(struct chan *c, const uint64_t in[CHAN_WORDS], uint8_t type)
{
	for (;;) {
		if (c->closed)
			return ERR_CHAN_CLOSED;
		if (c->broken)
			return ERR_CHAN_BROKEN;
		bool notify = false;
		CATCH(c);
		enum ump_status st = ump_send(&c->u, in, type, &notify);
		UNCATCH();
		if (st == UMP_OK) {
			c->sent++;
			if (notify) /* (a peer gone meanwhile: nothing to wake) */
				notify_send(c->peer);
			return ERR_OK;
		}
		if (st != UMP_FULL) {
			c->broken = true;
			return ERR_CHAN_BROKEN;
		}
		/* Full: the receiver acknowledges as it reads. A tick at a
		   time, looking at events meanwhile (a close ends it). */
		struct lmp_recv m;
		if (lmp_recv_timeout(1, &m) == ERR_OK)
			rpc_keep(&m);
	}
}

errval_t chan_send(struct chan *c, const uint64_t in[CHAN_WORDS])
{
	return send_typed(c, in, MSG_DATA);
}

errval_t chan_send_cap(struct chan *c, const uint64_t in[CHAN_CAP_WORDS], capaddr_t cap)
{
	struct cap_info ci;
	union monitor_rep r;
	errval_t err = c->closed ? ERR_CHAN_CLOSED : cap_identify(cap, &ci);
	if (!err && ci.type != OBJ_RAM && ci.type != OBJ_FRAME)
		err = ERR_CAP_TYPE;
	/* Its copy goes first: to the peer's core through the monitors'
	   copy protocol (that core joins the object's set), or to our
	   monitor for the peer here. */
	if (!err && c->core != rt_core())
		err = monitor_ask((union monitor_req){.share = {MONITOR_SHARE, .core = c->core}},
				  cap, &r);
	else if (!err)
		err = monitor_ask(
		    (union monitor_req){.chan_give = {MONITOR_CHAN_GIVE, .chan = c->base}}, cap,
		    &r);
	if (err)
		return err;
	uint64_t m[CHAN_WORDS] = {0};
	memcpy(m, in, CHAN_CAP_WORDS * sizeof(m[0]));
	m[CHAN_CAP_WORDS] = ci.type | (uint64_t)ci.rights << 8;
	m[CHAN_CAP_WORDS + 1] = ci.base;
	m[CHAN_CAP_WORDS + 2] = ci.size;
	return send_typed(c, m, MSG_CAP);
}

/* The capability a MSG_CAP message m describes, from our monitor, into
 *cap (NULL: not wanted, deleted at once). */
static errval_t take_cap(struct chan *c, const uint64_t m[CHAN_WORDS], capaddr_t *cap)
{
	union monitor_rep r;
	capaddr_t s = slot_alloc();
	union monitor_req q = {.chan_take = {MONITOR_CHAN_TAKE, .chan = c->base,
					     .type = (uint8_t)m[CHAN_CAP_WORDS],
					     .pages = m[CHAN_CAP_WORDS + 2] / OBJSIZE_PAGE,
					     .base = m[CHAN_CAP_WORDS + 1]}};
	errval_t err = s == SLOT_NONE ? ERR_NO_SLOTS : monitor_ask(q, CAPADDR_NONE, &r);
	if (!err)
		err = rpc_take_cap(s);
	if (!err && !cap)
		cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
	if ((err || !cap) && s != SLOT_NONE)
		slot_free(s);
	if (cap)
		*cap = err ? SLOT_NONE : s;
	return err;
}

static errval_t try_recv(struct chan *c, uint64_t out[CHAN_WORDS], bool *got, capaddr_t *cap)
{
	uint8_t type;
	*got = false;
	if (cap)
		*cap = SLOT_NONE;
	if (c->broken)
		return ERR_CHAN_BROKEN;
	CATCH(c);
	enum ump_status st = ump_recv(&c->u, out, &type);
	UNCATCH();
	if (st == UMP_EPEER || (st == UMP_OK && type > MSG_CAP)) {
		c->broken = true;
		return ERR_CHAN_BROKEN;
	}
	*got = st == UMP_OK;
	c->received += *got;
	return *got && type == MSG_CAP ? take_cap(c, out, cap) : ERR_OK;
}

errval_t chan_try_recv(struct chan *c, uint64_t out[CHAN_WORDS], bool *got)
{
	return try_recv(c, out, got, NULL);
}

/* Declare ourselves asleep; false if a message came meanwhile. */
static errval_t prepare(struct chan *c, bool *sleep)
{
	CATCH(c);
	*sleep = ump_prepare_sleep(&c->u);
	UNCATCH();
	return ERR_OK;
}

static errval_t woken(struct chan *c)
{
	CATCH(c);
	ump_wake_done(&c->u);
	UNCATCH();
	return ERR_OK;
}

errval_t chan_recv_cap(struct chan *c, uint64_t out[CHAN_WORDS], capaddr_t *cap)
{
	for (;;) {
		bool got, sleep;
		errval_t err = try_recv(c, out, &got, cap);
		if (err || got)
			return err;
		if (c->closed)
			return ERR_CHAN_CLOSED;
		if ((err = prepare(c, &sleep)))
			return err;
		if (!sleep)
			continue;
		err = wait_any();
		errval_t e2 = woken(c);
		if (err || e2)
			return err ? err : e2;
	}
}

errval_t chan_recv(struct chan *c, uint64_t out[CHAN_WORDS])
{
	return chan_recv_cap(c, out, NULL);
}

/* ---- closing ---- */

errval_t chan_close(struct chan *c)
{
	uint64_t base = c->base;
	unlink(c);
	teardown(c);
	union monitor_rep r;
	errval_t err =
	    monitor_ask((union monitor_req){.chan_close = {MONITOR_CHAN_CLOSE, .base = base}},
			CAPADDR_NONE, &r);
	c->closed = true;
	return err == ERR_CHAN_CLOSED ? ERR_OK : err; /* (the peer's going closed it) */
}

void chans_release(void)
{
	while (open_list)
		chan_close(open_list);
}
