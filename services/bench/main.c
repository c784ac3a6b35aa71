// SPDX-License-Identifier: MIT
/*
 * bench: cross-core revocation, run by the shell's `bench` (on core 0):
 *
 *	bench [shape [sizes] [holders=K] [rounds=R] [mode...]]
 *
 * builds one shape of capabilities across the cores, revokes its root
 * from core 0 (concurrent: from several cores at once) and measures that,
 * `rounds` times (default 11) for each size and mode. Plain `bench` is
 * `bench copies`. Sizes are one number or a list (`1,10,100`); without
 * them each shape sweeps its default sizes. The shapes (N cores online,
 * "core i" the i-th of the other N-1):
 *
 *   copies k      a 4 KiB frame of ours with a copy in the monitors of k
 *                 other cores (MONITOR_SHARE); k = 0, 1, 2, 4, ..., N-1
 *   chain d       a derivation chain d links deep over d cores: a helper
 *                 domain on core 1 gets our RAM over a channel and has it
 *                 retyped into a RAM a page smaller (MONITOR_RETYPE: the
 *                 owner, core 0, retypes it and keeps a record of it),
 *                 which it hands to the helper on core 2 over a channel of
 *                 their own, which makes the next link from it, ... to
 *                 core d; the root revoked; d = 1, 2, 4, ..., N-1
 *   tree m        a RAM of m pages retyped here into m frames, frame j
 *                 shared with core 1 + j mod (N-1); the RAM revoked;
 *                 m = 1, 4, 16, ... up to 4(N-1); holders min(m, N-1)
 *   many n        a RAM retyped here into a frame for each of K cores,
 *                 sent over a channel to the helper there, which makes
 *                 n - 1 copies more of it: n descendants of the RAM on
 *                 each of K cores (holders=K, default min(N-1, 4));
 *                 n = 1, 10, 100, 1000 (at most 1000)
 *   concurrent c  helpers on c cores each make a frame of their own and
 *                 share it with the next K cores (holders=K, default
 *                 min(N-1, 2); core 0 too, cyclically); each is then told
 *                 by one channel message to revoke it, all at once;
 *                 c = 1, 2, 4, ..., N/2 while c N <= 1024 (c may be up to
 *                 N-1, but c broadcasts at once, each through monitor 0
 *                 to most cores, can run a monitor out of memory: 63 on
 *                 64 cores did, 64 on 128, and once 32 on 128; a sweep
 *                 then fails, ERR_NO_SLOTS, and leaves the object marked)
 *
 * and the modes (default all three):
 *
 *   targeted   Reef: only the cores that may hold a copy or descendant,
 *              down a binary tree (each core passes it on to two more)
 *   star       the same cores, but the owner asks each one itself
 *   broadcast  Barrelfish's way: the owner asks every core itself
 *              (concurrent: an owner on core k > 0 reaches the cores it
 *              has no channel of its own to through monitor 0, each
 *              message counted twice; a channel for every pair, as
 *              Barrelfish's monitors have, costs monitor 0 a RAM unit
 *              each and runs it out of memory from about 24 cores)
 *
 * One line per case, for scripts (hake/bench.sh reads them):
 *
 *   bench revoke shape=S cores=N size=Z holders=H mode=M msgs=X depth=D
 *     instr=I ticks_median=T ticks_p10=A ticks_p90=B cycles=C xnode=Y
 *
 * (one line). holders: cores holding something of the root (concurrent:
 * of each revoker's object). msgs: inter-monitor messages of one revoke
 * (all monitors; the last round's); depth: its critical path in message
 * hops, as the monitors report it (0 while they do not); concurrent: the
 * sum over the c revokes, and the deepest. instr: the rdinstret delta
 * around one revoke, median over the rounds (concurrent: from the first
 * "revoke" message to the last answer, so c revokes). ticks: the rdtime
 * delta (bootinfo timebase) around it, median, 10th and 90th percentile.
 * Under QEMU -icount (hake/qemu.sh --accel icount) instret is the virtual
 * instruction clock of all harts together: exact, and mostly the same
 * every run (docs/bench.md says how far not).
 * Under multi-threaded TCG rdtime follows the host clock (ratios within
 * one run at most) and instret means nothing; on a board rdinstret is
 * this hart's instructions and rdtime real time. cycles: the rdcycle
 * delta, median: on a board the revoking hart's own clock cycles (the
 * real latency), under -icount the same as instr, under TCG host ticks.
 * A counter the firmware does not let us read (bootinfo's counters)
 * reads 0. xnode: of msgs, the messages between cores on different NUMA
 * nodes (ADR 0019; 0 on a machine of one node).
 *
 * Each round is torn down before the next: every copy and descendant is
 * checked gone (the helpers' by them, the monitors' with MONITOR_COUNT in
 * the last round), every RAM given back; the helpers exit at the end and
 * are waited for. The first line says the setting, the last one
 * "bench: done, <cases> cases"; an error is "bench: ... : <error>" and
 * status 1, bad arguments a usage line and status 2.
 *
 * A helper is this program started on core k with `helper`: it binds to
 * our channel "bench" and does what we ask (H_* below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/chan.h>
#include <rt/mem.h>
#include <rt/memclient.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/rpc.h>
#include <rt/sys.h>

#define ROUNDS		11
#define ROUNDS_MAX	63
#define SIZES_MAX	16
#define MANY_MAX	1000
#define TREE_MAX	1024
#define CONCURRENT_WORK 1024 /* the default sweep: c revokers at once on N cores, c N at most */
#define HELPER_RAM	(256u * 1024)	/* more RAM for a helper, from its core's pool */
#define BIND_TICKS	3000		/* how long a helper waits for the name "bench" */
#define HELPER_ASKED	0x62656e6368ull /* "bench": the first word of a request */

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

/* ---- measuring ---- */

/* The counters, where this core's kernel lets us read them (bootinfo's
   counters: the firmware may forbid one, and a read would then fault);
   else 0, so a case says instr=0 or ticks 0. */
static uint64_t now(void)
{
	uint64_t t = 0;
	if (bi->counters & BOOTINFO_TIME)
		__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t instret(void)
{
	uint64_t i = 0;
	if (bi->counters & BOOTINFO_INSTRET)
		__asm__ volatile("rdinstret %0" : "=r"(i));
	return i;
}

static uint64_t cycles(void)
{
	uint64_t c = 0;
	if (bi->counters & BOOTINFO_CYCLE)
		__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* One round's measurement. */
struct sample {
	uint64_t instr, ticks, cycles, msgs, depth, xnode;
};

/* Revoke c on every other core (how: a mode's), then here: lib/rt's
   monitor_revoke, except that on core k > 0, where the monitor revokes
   its own copy here too and ours goes with it, an empty slot after is no
   error. */
static errval_t revoke(capaddr_t c, uint64_t how, union monitor_rep *r)
{
	errval_t err =
	    monitor_ask((union monitor_req){.revoke = {MONITOR_REVOKE, .how = how}}, c, r);
	if (!err)
		err = cnode_revoke(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c));
	return err == ERR_CAP_EMPTY && rt_core() ? ERR_OK : err;
}

/* The same, measured. */
static errval_t timed_revoke(capaddr_t c, uint64_t how, struct sample *s)
{
	union monitor_rep r;
	uint64_t i0 = instret(), t0 = now(), c0 = cycles();
	errval_t err = revoke(c, how, &r);
	s->cycles = cycles() - c0;
	s->ticks = now() - t0;
	s->instr = instret() - i0;
	s->msgs = r.revoke.msgs;
	s->depth = r.revoke.depth;
	s->xnode = r.revoke.xnode;
	return err;
}

/* ---- capabilities ---- */

static errval_t retype(capaddr_t src, enum objtype type, uint64_t offset, uint64_t size,
		       capaddr_t *dest)
{
	if ((*dest = slot_alloc()) == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cap_retype(src, type, offset, size, 1, CAPADDR(CAPADDR_L1(*dest), 0), 1,
				  CAPADDR_L2(*dest));
	if (err) {
		slot_free(*dest);
		*dest = SLOT_NONE;
	}
	return err;
}

/* Delete what is (or was) in slot s and free it. */
static void drop(capaddr_t *s)
{
	if (*s == SLOT_NONE)
		return;
	cnode_delete(CAPADDR(CAPADDR_L1(*s), 0), 1, CAPADDR_L2(*s));
	slot_free(*s);
	*s = SLOT_NONE;
}

/* A copy of c for the monitor of core k (it keeps it: no domain there). */
static errval_t share(capaddr_t c, unsigned k)
{
	union monitor_rep r;
	return monitor_ask((union monitor_req){.share = {MONITOR_SHARE, .core = k}}, c, &r);
}

/* ---- the helpers' side ---- */

enum helper_request {
	H_ACCEPT = 1, /* take the next channel offered (from the helper before) */
	H_BIND,	      /* open a channel to the helper on core w[2] */
	H_LINK,	      /* chain: w[2] links, we are w[3]: the link comes with this
			 (the first) or over the channel from the helper before;
			 make the next from it and pass it on unless last */
	H_HOLD,	      /* many: a frame comes with it; make w[2] - 1 copies more */
	H_PREP,	      /* concurrent: a frame of our own, shared with the w[2]
			 online cores after ours (w[4], w[5]: online_in); -> its
			 base and size */
	H_GO,	      /* revoke it (how: w[2]) -> msgs, depth, xnode */
	H_CHECK,      /* everything held must be gone: -> how many were not */
};

struct helper_state {
	unsigned core;
	struct chan up, left, right;
	bool has_up, has_left, has_right;
	capaddr_t *held; /* what came or was made for the coordinator */
	unsigned nheld, maxheld;
	capaddr_t own_ram, own; /* concurrent: our frame */
};

static errval_t hold(struct helper_state *h, capaddr_t c)
{
	if (h->nheld == h->maxheld) {
		unsigned n = h->maxheld ? 2 * h->maxheld : 64;
		capaddr_t *p = realloc(h->held, n * sizeof(*p));
		if (!p)
			return ERR_NO_MEMORY;
		h->held = p;
		h->maxheld = n;
	}
	h->held[h->nheld++] = c;
	return ERR_OK;
}

static errval_t h_link(struct helper_state *h, const uint64_t *w, capaddr_t in)
{
	uint64_t links = w[2], at = w[3];
	uint64_t m[CHAN_WORDS];
	errval_t err = ERR_OK;
	if (in == SLOT_NONE && !h->has_left)
		return ERR_CHAN_CLOSED;
	if (in == SLOT_NONE && !(err = chan_recv_cap(&h->left, m, &in)) && in == SLOT_NONE)
		err = ERR_CAP_EMPTY;
	if (err)
		return err;
	if ((err = hold(h, in))) {
		drop(&in);
		return err;
	}
	/* The next link, a page smaller: made by the owner (core 0), which
	   keeps a record of it and gives us a copy with the answer. */
	struct cap_info ci;
	struct lmp_recv rep;
	capaddr_t out = SLOT_NONE;
	if (!(err = cap_identify(in, &ci)) && ci.size <= OBJSIZE_PAGE)
		err = ERR_CAP_SIZE;
	if (!err)
		err = monitor_call(MONITOR_RETYPE, 0, ci.size - OBJSIZE_PAGE, OBJ_RAM, in, &rep);
	if (!err && !rep.has_cap)
		err = ERR_CAP_NOT_FOUND;
	if (!err && (out = slot_alloc()) == SLOT_NONE) {
		rpc_drop_cap();
		err = ERR_NO_SLOTS;
	}
	if (!err && (err = rpc_take_cap(out)))
		slot_free(out);
	if (!err && (err = hold(h, out)))
		drop(&out);
	if (!err && at + 1 < links) {
		uint64_t next[CHAN_CAP_WORDS] = {HELPER_ASKED, H_LINK};
		err = h->has_right ? chan_send_cap(&h->right, next, out) : ERR_CHAN_CLOSED;
	}
	return err;
}

static errval_t h_hold(struct helper_state *h, uint64_t n, capaddr_t in)
{
	if (in == SLOT_NONE)
		return ERR_CAP_EMPTY;
	errval_t err = hold(h, in);
	if (err) {
		drop(&in);
		return err;
	}
	for (uint64_t i = 1; !err && i < n; i++) {
		capaddr_t c = slot_alloc();
		if (c == SLOT_NONE)
			return ERR_NO_SLOTS;
		err = cnode_copy(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c), in, CAP_RIGHTS_ALL);
		if (!err && (err = hold(h, c)))
			cnode_delete(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c));
		if (err)
			slot_free(c);
	}
	return err;
}

/* The online cores, as the coordinator sees them (only core 0's boot
   information says which are): a bit each, in two words (a request's
   w[4] and w[5]). */
static bool online_in(const uint64_t *mask, unsigned k)
{
	return k < BOOTINFO_MAX_CORES && (mask[k / 64] >> (k % 64) & 1);
}

/* The i-th online core after `from`, cyclically (core 0 too). */
static unsigned next_core(const uint64_t *mask, unsigned from, unsigned i)
{
	unsigned k = from;
	while (i) {
		k = (k + 1) % BOOTINFO_MAX_CORES;
		if (k == from)
			break;
		i -= online_in(mask, k);
	}
	return k;
}

static errval_t h_prep(struct helper_state *h, const uint64_t *w, uint64_t *r)
{
	uint64_t holders = w[2];
	struct cap_info ci;
	errval_t err = ram_alloc(OBJSIZE_PAGE, &h->own_ram);
	if (err) {
		h->own_ram = SLOT_NONE;
		return err;
	}
	if (!(err = retype(h->own_ram, OBJ_FRAME, 0, OBJSIZE_PAGE, &h->own)))
		err = cap_identify(h->own, &ci);
	for (uint64_t i = 1; !err && i <= holders; i++)
		err = share(h->own, next_core(w + 4, h->core, (unsigned)i));
	r[1] = err ? 0 : ci.base;
	r[2] = err ? 0 : ci.size;
	return err;
}

static void h_own_free(struct helper_state *h)
{
	drop(&h->own);
	if (h->own_ram != SLOT_NONE)
		ram_free(h->own_ram);
	h->own_ram = SLOT_NONE;
}

static errval_t h_go(struct helper_state *h, uint64_t how, uint64_t *w)
{
	struct sample s;
	errval_t err = h->own == SLOT_NONE ? ERR_CAP_EMPTY : timed_revoke(h->own, how, &s);
	w[1] = err ? 0 : s.msgs;
	w[2] = err ? 0 : s.depth;
	w[3] = err ? 0 : s.xnode;
	return err;
}

/* Everything held must be gone now: what is not is counted, and goes. */
static uint64_t h_check(struct helper_state *h)
{
	uint64_t left = 0;
	for (unsigned i = 0; i < h->nheld; i++) {
		struct cap_info ci;
		left += cap_identify(h->held[i], &ci) != ERR_CAP_EMPTY;
		drop(&h->held[i]);
	}
	h->nheld = 0;
	if (h->own != SLOT_NONE) {
		struct cap_info ci;
		left += cap_identify(h->own, &ci) != ERR_CAP_EMPTY;
	}
	h_own_free(h);
	return left;
}

static int helper(unsigned core)
{
	struct helper_state h = {.core = core, .own_ram = SLOT_NONE, .own = SLOT_NONE};
	char name[NAME_MAX_LEN + 1];
	capaddr_t more;
	uint64_t handle;
	snprintf(name, sizeof(name), "bench.%u", core);
	errval_t err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	if (!err && !(err = mem_alloc(HELPER_RAM, &more, &handle)))
		err = ram_add(more);
	if (!err)
		err = chan_listen(name);
	if (!err)
		h.has_up = !(err = chan_bind_wait("bench", &h.up, BIND_TICKS));
	while (!err) {
		uint64_t w[CHAN_WORDS];
		capaddr_t cap;
		if ((err = chan_recv_cap(&h.up, w, &cap)))
			break;
		uint64_t r[CHAN_WORDS] = {ERR_CHAN_BROKEN};
		if (w[0] != HELPER_ASKED) {
			drop(&cap);
			chan_send(&h.up, r);
			continue;
		}
		errval_t e = ERR_OK;
		switch (w[1]) {
		case H_ACCEPT:
			e = h.has_left ? ERR_CHAN_BROKEN : chan_accept(&h.left);
			h.has_left = !e;
			break;
		case H_BIND: {
			char peer[NAME_MAX_LEN + 1];
			snprintf(peer, sizeof(peer), "bench.%u", (unsigned)w[2]);
			e = h.has_right ? ERR_CHAN_BROKEN
					: chan_bind_wait(peer, &h.right, BIND_TICKS);
			h.has_right = !e;
			break;
		}
		case H_LINK:
			e = h_link(&h, w, cap);
			cap = SLOT_NONE;
			break;
		case H_HOLD:
			e = h_hold(&h, w[2], cap);
			cap = SLOT_NONE;
			break;
		case H_PREP:
			e = h_prep(&h, w, r);
			break;
		case H_GO:
			e = h_go(&h, w[2], r);
			break;
		case H_CHECK:
			r[1] = h_check(&h);
			break;
		default:
			e = ERR_BAD_REQUEST;
		}
		drop(&cap);
		if (e)
			printf("bench: helper on core %u, request %lu: %s\n", core,
			       (unsigned long)w[1], err_str(e));
		r[0] = e;
		err = chan_send(&h.up, r);
	}
	/* The coordinator closed our channel: it is done with us. (Ours are
	   closed here, while their structs are still there.) */
	h_check(&h);
	free(h.held);
	if (h.has_up)
		chan_close(&h.up);
	if (h.has_left)
		chan_close(&h.left);
	if (h.has_right)
		chan_close(&h.right);
	if (err != ERR_CHAN_CLOSED)
		printf("bench: helper on core %u: %s\n", core, err_str(err));
	return err == ERR_CHAN_CLOSED ? 0 : 1;
}

/* ---- the coordinator's side ---- */

enum shape { COPIES, CHAIN, TREE, MANY, CONCURRENT, SHAPES };
static const char *const shape_names[SHAPES] = {"copies", "chain", "tree", "many", "concurrent"};
static const char *const mode_names[3] = {"targeted", "star", "broadcast"};
static const uint64_t mode_how[3] = {0, MON_REVOKE_STAR, MON_REVOKE_BROADCAST};

static unsigned other[BOOTINFO_MAX_CORES]; /* the other online cores, in order */
static unsigned nother;

struct helper {
	uint64_t id;
	struct chan *c;	      /* ours to it, in chans[] */
	bool spawned, linked; /* linked: it has a channel to the next one */
};
static struct helper helpers[BOOTINFO_MAX_CORES]; /* by index into other[] */
static unsigned nhelpers;			  /* started: other[0..nhelpers-1] */
static struct chan chans[BOOTINFO_MAX_CORES];	  /* (a chan stays where it is) */
static unsigned nchans;
static bool listening;

static uint64_t online[2]; /* the online cores, a bit each (online_in) */

static errval_t ask_cap(unsigned i, uint64_t a, uint64_t b, uint64_t c, capaddr_t cap)
{
	uint64_t w[CHAN_WORDS] = {HELPER_ASKED, a, b, c};
	if (cap == SLOT_NONE) { /* (no room beside a capability: not needed there) */
		w[4] = online[0];
		w[5] = online[1];
	}
	if (!helpers[i].c)
		return ERR_CHAN_CLOSED;
	return cap == SLOT_NONE ? chan_send(helpers[i].c, w) : chan_send_cap(helpers[i].c, w, cap);
}

/* Request a with b (w[1], w[2]; the online cores in w[4], w[5]). */
static errval_t ask(unsigned i, uint64_t a, uint64_t b)
{
	return ask_cap(i, a, b, 0, SLOT_NONE);
}

/* Helper i's answer (its error, or the channel's) and its words. */
static errval_t answer(unsigned i, uint64_t w[CHAN_WORDS])
{
	errval_t err = helpers[i].c ? chan_recv(helpers[i].c, w) : ERR_CHAN_CLOSED;
	return err ? err : (errval_t)w[0];
}

/* The answers of helpers [0, n), each its words into w (NULL: not
   wanted) through got; the first error, after which no more are read
   (a helper may wait for the one that failed: closing its channel frees
   it). */
static errval_t gather(unsigned n, void (*got)(unsigned i, const uint64_t *w, void *arg), void *arg)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t w[CHAN_WORDS];
		errval_t err = answer(i, w);
		if (err) {
			printf("bench: the helper on core %u: %s\n", other[i], err_str(err));
			return err;
		}
		if (got)
			got(i, w, arg);
	}
	return ERR_OK;
}

/* Helpers on other[0..n-1], each bound to our channel "bench". */
static errval_t helpers_up(unsigned n)
{
	errval_t err = listening ? ERR_OK : chan_listen("bench");
	listening = !err;
	unsigned first = nhelpers;
	for (unsigned i = first; !err && i < n; i++) {
		char kstr[12];
		snprintf(kstr, sizeof(kstr), "%u", other[i]);
		char *args[] = {"helper", kstr};
		/* (Just after the boot a core's spawnd may not be up yet.) */
		for (unsigned t = 0; (err = monitor_spawn(other[i], "bench", 0, 2, args,
							  &helpers[i].id)) == ERR_NO_SPAWND &&
				     t < BIND_TICKS;
		     t++)
			rpc_nap(1);
		helpers[i].spawned = !err;
		if (!err)
			nhelpers = i + 1;
	}
	/* Each binds in its own time: the channels come in any order. */
	for (unsigned got = first; !err && got < nhelpers; got++) {
		struct chan *c = &chans[nchans];
		unsigned i;
		if ((err = chan_accept(c)))
			break;
		nchans++;
		for (i = first; i < nhelpers && (other[i] != c->core || helpers[i].c); i++)
			;
		if (i == nhelpers)
			err = ERR_CHAN_BROKEN; /* (not one of ours: closed at the end) */
		else
			helpers[i].c = c;
	}
	return err;
}

/* The helpers close, exit and are waited for. */
static errval_t helpers_down(void)
{
	errval_t err = ERR_OK;
	for (unsigned i = 0; i < nchans; i++)
		chan_close(&chans[i]);
	nchans = 0;
	for (unsigned i = 0; i < nhelpers; i++)
		helpers[i].c = NULL;
	for (unsigned i = 0; i < nhelpers; i++) {
		int64_t status;
		uint64_t faults;
		if (!helpers[i].spawned)
			continue;
		errval_t e = monitor_wait(other[i], helpers[i].id, &status, &faults);
		if (!e && (status || faults)) {
			printf("bench: the helper on core %u %s %ld\n", other[i],
			       faults ? "faulted, status" : "exited with status", (long)status);
			e = ERR_CHAN_BROKEN;
		}
		err = err ? err : e;
		helpers[i].spawned = false;
	}
	nhelpers = 0;
	return err;
}

/* Channels from helper i to helper i + 1, for i < d - 1. */
static errval_t chain_links(unsigned d)
{
	errval_t err = ERR_OK;
	for (unsigned i = 0; !err && i + 1 < d; i++) {
		uint64_t w[CHAN_WORDS];
		if (helpers[i].linked)
			continue;
		err = ask(i + 1, H_ACCEPT, 0);
		if (!err)
			err = ask(i, H_BIND, other[i + 1]);
		if (!err)
			err = answer(i, w);
		if (!err)
			err = answer(i + 1, w);
		helpers[i].linked = !err;
	}
	return err;
}

/* Ask helpers [0, n) the same; how many were asked (all, or up to the
   first error, in *err). */
static unsigned ask_all(unsigned n, uint64_t a, uint64_t b, errval_t *err)
{
	unsigned i;
	for (i = 0; i < n && !(*err = ask(i, a, b)); i++)
		;
	return i;
}

static void count_left(unsigned i, const uint64_t *w, void *arg)
{
	if (w[1])
		printf("bench: core %u still holds %lu capabilities after the revoke\n", other[i],
		       (unsigned long)w[1]);
	*(uint64_t *)arg += w[1];
}

/* Helpers [0, n) check that they hold nothing more. */
static errval_t helpers_check(unsigned n)
{
	errval_t err = ERR_OK;
	uint64_t left = 0;
	unsigned asked = ask_all(n, H_CHECK, 0, &err);
	errval_t e = gather(asked, count_left, &left);
	err = err ? err : e;
	return err ? err : left ? ERR_BENCH_LEFT : ERR_OK;
}

/* The monitors of cores [0, n) of other[] (at) hold nothing in base, size. */
static errval_t monitors_clean(const unsigned *at, unsigned n, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < n; i++) {
		union monitor_rep r;
		errval_t err =
		    monitor_ask((union monitor_req){.count = {MONITOR_COUNT, .core = at[i],
							      .base = base, .size = size}},
				CAPADDR_NONE, &r);
		if (!err && r.count.count) {
			printf("bench: monitor %u still holds %lu capabilities after the revoke\n",
			       at[i], (unsigned long)r.count.count);
			err = ERR_BENCH_LEFT;
		}
		if (err)
			return err;
	}
	return ERR_OK;
}

static errval_t ram_range(capaddr_t ram, uint64_t *base, uint64_t *size)
{
	struct cap_info ci;
	errval_t err = cap_identify(ram, &ci);
	*base = ci.base;
	*size = ci.size;
	return err;
}

/* ---- the shapes: one round each (build, revoke measured, check) ---- */

struct run {
	enum shape shape;
	unsigned size, holders; /* holders: as asked (many, concurrent) */
	uint64_t how;
	bool last; /* the last round: the monitors are counted too */
};

static errval_t round_copies(const struct run *c, struct sample *s)
{
	capaddr_t ram, f = SLOT_NONE;
	uint64_t base = 0, size = 0;
	errval_t err = ram_alloc(OBJSIZE_PAGE, &ram);
	if (err)
		return err;
	if (!(err = retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, &f)))
		err = ram_range(ram, &base, &size);
	for (unsigned i = 0; !err && i < c->size; i++)
		err = share(f, other[i]);
	if (!err)
		err = timed_revoke(f, c->how, s);
	if (!err && c->last)
		err = monitors_clean(other, c->size, base, size);
	drop(&f);
	errval_t e2 = ram_free(ram);
	return err ? err : e2;
}

static errval_t round_chain(const struct run *c, struct sample *s)
{
	unsigned d = c->size;
	capaddr_t root;
	uint64_t base = 0, size = 0;
	errval_t err = ram_alloc((d + 1) * (uint64_t)OBJSIZE_PAGE, &root);
	if (err)
		return err;
	err = ram_range(root, &base, &size);
	/* Each helper but the first waits for its link from the one before;
	   the first gets the root with its request. */
	for (unsigned i = 1; !err && i < d; i++)
		err = ask_cap(i, H_LINK, d, i, SLOT_NONE);
	if (!err)
		err = ask_cap(0, H_LINK, d, 0, root);
	if (!err)
		err = gather(d, NULL, NULL);
	if (!err)
		err = timed_revoke(root, c->how, s);
	if (!err)
		err = helpers_check(d);
	if (!err && c->last)
		err = monitors_clean(other, d, base, size);
	errval_t e2 = ram_free(root);
	return err ? err : e2;
}

static errval_t round_tree(const struct run *c, struct sample *s)
{
	unsigned m = c->size;
	capaddr_t ram, *kids = calloc(m, sizeof(*kids));
	uint64_t base = 0, size = 0;
	errval_t err = kids ? ram_alloc(m * (uint64_t)OBJSIZE_PAGE, &ram) : ERR_NO_MEMORY;
	if (err) {
		free(kids);
		return err;
	}
	for (unsigned j = 0; j < m; j++)
		kids[j] = SLOT_NONE;
	err = ram_range(ram, &base, &size);
	for (unsigned j = 0; !err && j < m; j++)
		if (!(err = retype(ram, OBJ_FRAME, j * (uint64_t)OBJSIZE_PAGE, OBJSIZE_PAGE,
				   &kids[j])))
			err = share(kids[j], other[j % nother]);
	if (!err)
		err = timed_revoke(ram, c->how, s);
	if (!err && c->last)
		err = monitors_clean(other, m < nother ? m : nother, base, size);
	for (unsigned j = 0; j < m; j++)
		drop(&kids[j]);
	free(kids);
	errval_t e2 = ram_free(ram);
	return err ? err : e2;
}

static errval_t round_many(const struct run *c, struct sample *s)
{
	unsigned k = c->holders;
	capaddr_t ram, kids[BOOTINFO_MAX_CORES];
	uint64_t base = 0, size = 0;
	errval_t err = ram_alloc(k * (uint64_t)OBJSIZE_PAGE, &ram);
	if (err)
		return err;
	for (unsigned i = 0; i < k; i++)
		kids[i] = SLOT_NONE;
	err = ram_range(ram, &base, &size);
	unsigned asked = 0;
	for (unsigned i = 0; !err && i < k; i++)
		if (!(err = retype(ram, OBJ_FRAME, i * (uint64_t)OBJSIZE_PAGE, OBJSIZE_PAGE,
				   &kids[i])))
			if (!(err = ask_cap(i, H_HOLD, c->size, 0, kids[i])))
				asked++;
	if (!err)
		err = gather(asked, NULL, NULL);
	if (!err)
		err = timed_revoke(ram, c->how, s);
	if (asked) {
		errval_t e = helpers_check(asked);
		err = err ? err : e;
	}
	if (!err && c->last)
		err = monitors_clean(other, k, base, size);
	for (unsigned i = 0; i < k; i++)
		drop(&kids[i]);
	errval_t e2 = ram_free(ram);
	return err ? err : e2;
}

static uint64_t objects[BOOTINFO_MAX_CORES][2]; /* concurrent: each helper's base, size */

static void got_object(unsigned i, const uint64_t *w, void *arg)
{
	(void)arg;
	objects[i][0] = w[1];
	objects[i][1] = w[2];
}

static void got_revoked(unsigned i, const uint64_t *w, void *arg)
{
	(void)i;
	struct sample *s = arg;
	s->msgs += w[1];
	s->depth = w[2] > s->depth ? w[2] : s->depth;
	s->xnode += w[3];
}

static errval_t round_concurrent(const struct run *c, struct sample *s)
{
	unsigned n = c->size;
	errval_t err = ERR_OK, e;
	unsigned asked = ask_all(n, H_PREP, c->holders, &err);
	if ((e = gather(asked, got_object, NULL)) || err)
		return err ? err : e; /* (helpers_down takes what they made) */
	/* All at once: one message each, then every answer. */
	*s = (struct sample){0};
	uint64_t i0 = instret(), t0 = now(), c0 = cycles();
	asked = ask_all(n, H_GO, c->how, &err);
	e = gather(asked, got_revoked, s);
	s->cycles = cycles() - c0;
	s->ticks = now() - t0;
	s->instr = instret() - i0;
	err = err ? err : e;
	if (!err)
		err = helpers_check(n);
	for (unsigned i = 0; !err && c->last && i < n; i++) {
		/* Its holders (core 0's monitor counts only the others') */
		unsigned at[BOOTINFO_MAX_CORES], h = 0;
		for (unsigned j = 1; j <= c->holders; j++)
			if ((at[h] = next_core(online, other[i], j)) != 0)
				h++;
		err = monitors_clean(at, h, objects[i][0], objects[i][1]);
	}
	return err;
}

static errval_t (*const rounds_of[SHAPES])(const struct run *, struct sample *) = {
    round_copies, round_chain, round_tree, round_many, round_concurrent};

/* ---- a case, and the sweep ---- */

static unsigned rounds = ROUNDS;
static unsigned cases;

static unsigned holders_of(const struct run *c)
{
	switch (c->shape) {
	case TREE:
		return c->size < nother ? c->size : nother;
	case MANY:
	case CONCURRENT:
		return c->holders;
	default:
		return c->size;
	}
}

static errval_t one_case(struct run *c, unsigned mode)
{
	uint64_t instr[ROUNDS_MAX], ticks[ROUNDS_MAX], cyc[ROUNDS_MAX];
	struct sample s = {0};
	c->how = mode_how[mode];
	for (unsigned r = 0; r < rounds; r++) {
		c->last = r + 1 == rounds;
		errval_t err = rounds_of[c->shape](c, &s);
		if (err) {
			printf("bench: shape=%s size=%u mode=%s: %s\n", shape_names[c->shape],
			       c->size, mode_names[mode], err_str(err));
			return err;
		}
		instr[r] = s.instr;
		ticks[r] = s.ticks;
		cyc[r] = s.cycles;
	}
	sort(instr, rounds);
	sort(ticks, rounds);
	sort(cyc, rounds);
	printf("bench revoke shape=%s cores=%u size=%u holders=%u mode=%s msgs=%lu depth=%lu "
	       "instr=%lu ticks_median=%lu ticks_p10=%lu ticks_p90=%lu cycles=%lu xnode=%lu\n",
	       shape_names[c->shape], nother + 1, c->size, holders_of(c), mode_names[mode],
	       (unsigned long)s.msgs, (unsigned long)s.depth, (unsigned long)instr[rounds / 2],
	       (unsigned long)ticks[rounds / 2], (unsigned long)ticks[(rounds - 1) / 10],
	       (unsigned long)ticks[(rounds - 1) - (rounds - 1) / 10],
	       (unsigned long)cyc[rounds / 2], (unsigned long)s.xnode);
	cases++;
	return ERR_OK;
}

/* The default sizes of a shape on this machine. */
static unsigned default_sizes(enum shape shape, unsigned *sizes)
{
	unsigned n = 0;
	switch (shape) {
	case COPIES:
		for (unsigned k = 0;; k = k ? 2 * k : 1) {
			sizes[n++] = k < nother ? k : nother;
			if (k >= nother)
				break;
		}
		break;
	case TREE:
		for (unsigned m = 1; m <= 4 * nother && m <= TREE_MAX; m *= 4)
			sizes[n++] = m;
		break;
	case MANY:
		for (unsigned k = 1; k <= MANY_MAX; k *= 10)
			sizes[n++] = k;
		break;
	default: { /* chain: up to N-1; concurrent: up to N/2, and c N up to
		      CONCURRENT_WORK (more broadcasts at once can run a monitor out
		      of memory, see the top) */
		unsigned max = shape == CHAIN ? nother : (nother + 1) / 2;
		if (shape == CONCURRENT && max > CONCURRENT_WORK / (nother + 1))
			max = CONCURRENT_WORK / (nother + 1);
		if (!max)
			max = 1;
		for (unsigned k = 1;; k *= 2) {
			sizes[n++] = k < max ? k : max;
			if (k >= max)
				break;
		}
	}
	}
	return n;
}

static int usage(const char *why)
{
	printf("bench: %s\n", why);
	printf("usage: bench [copies|chain|tree|many|concurrent [size[,size...]] [holders=K] "
	       "[rounds=R] [targeted|star|broadcast...]]\n");
	return 2;
}

static bool number(const char *s, unsigned max, unsigned *v)
{
	uint64_t x = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (x = x * 10 + (uint64_t)(*s - '0')) > max)
			return false;
	}
	*v = (unsigned)x;
	return true;
}

/* "1,10,100" into sizes; false if it is not such a list. */
static bool size_list(char *s, unsigned *sizes, unsigned *n)
{
	*n = 0;
	for (char *p = s; p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		if (*n == SIZES_MAX || !number(p, 1000000, &sizes[(*n)++]))
			return false;
		p = comma ? comma + 1 : NULL;
	}
	return true;
}

/* Is size (for holders) possible here? Why not, in why. */
static bool size_ok(enum shape shape, unsigned size, unsigned holders, const char **why)
{
	switch (shape) {
	case COPIES:
		*why = "copies: 0 to N-1 holders";
		return size <= nother;
	case CHAIN:
		*why = "chain: 1 to N-1 links";
		return size >= 1 && size <= nother;
	case TREE:
		*why = "tree: 1 to 1024 children";
		return size >= 1 && size <= TREE_MAX;
	case MANY:
		*why = "many: 1 to 1000 descendants on each of 1 to N-1 cores";
		return size >= 1 && size <= MANY_MAX && holders >= 1 && holders <= nother;
	default:
		*why = "concurrent: 1 to N-1 revokers, each with 1 to N-1 holders";
		return size >= 1 && size <= nother && holders >= 1 && holders <= nother;
	}
}

static int coordinator(int argc, char **argv)
{
	enum shape shape = COPIES;
	unsigned sizes[SIZES_MAX], nsizes = 0, holders = 0, modes = 0;
	const char *why;
	int a = 1;
	if (a < argc) {
		for (shape = 0; shape < SHAPES && strcmp(argv[a], shape_names[shape]); shape++)
			;
		if (shape == SHAPES)
			return usage("no such shape");
		a++;
	}
	for (; a < argc; a++) {
		unsigned m;
		for (m = 0; m < 3 && strcmp(argv[a], mode_names[m]); m++)
			;
		if (m < 3)
			modes |= 1u << m;
		else if (!strncmp(argv[a], "holders=", 8) && number(argv[a] + 8, 1000, &holders) &&
			 holders)
			;
		else if (!strncmp(argv[a], "rounds=", 7) &&
			 number(argv[a] + 7, ROUNDS_MAX, &rounds) && rounds)
			;
		else if (!nsizes && argv[a][0] >= '0' && argv[a][0] <= '9' &&
			 size_list(argv[a], sizes, &nsizes))
			;
		else
			return usage("bad argument");
	}
	if (!modes)
		modes = 7;
	if (!holders)
		holders = shape == MANY ? 4 : 2;
	if (holders > nother)
		holders = nother;
	if (!nsizes)
		nsizes = default_sizes(shape, sizes);
	if (shape != COPIES && nother == 0)
		return usage("this shape needs 2 cores or more");
	for (unsigned i = 0; i < nsizes; i++)
		if (!size_ok(shape, sizes[i], holders, &why))
			return usage(why);

	errval_t err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	if (!err)
		err = win_init();
	if (!err)
		err = monitor_bind();
	if (err) {
		printf("bench: cannot start: %s\n", err_str(err));
		return 1;
	}
	printf("bench: revoke, shape %s, %u cores, %u rounds, timebase %lu Hz\n",
	       shape_names[shape], nother + 1, rounds, (unsigned long)bi->timebase);
	unsigned need = 0;
	for (unsigned i = 0; i < nsizes; i++) {
		unsigned n = shape == MANY ? holders : sizes[i];
		need = n > need ? n : need;
	}
	if (shape == CHAIN || shape == MANY || shape == CONCURRENT)
		err = helpers_up(need);
	if (!err && shape == CHAIN)
		err = chain_links(need);
	if (err)
		printf("bench: shape %s: the helpers: %s\n", shape_names[shape], err_str(err));
	for (unsigned i = 0; !err && i < nsizes; i++) {
		struct run c = {.shape = shape, .size = sizes[i], .holders = holders};
		for (unsigned m = 0; !err && m < 3; m++)
			if (modes & 1u << m)
				err = one_case(&c, m);
	}
	errval_t e2 = helpers_down();
	if (!err && e2)
		printf("bench: the helpers: %s\n", err_str(e2));
	err = err ? err : e2;
	if (!err)
		printf("bench: done, %u cases\n", cases);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "helper")) {
		unsigned core;
		if (rt_core() == 0 || !number(argv[2], BOOTINFO_MAX_CORES, &core) ||
		    core != rt_core())
			return usage("a helper runs on the core it is named for, not 0");
		return helper(core);
	}
	if (rt_core() != 0)
		return usage("bench runs on core 0");
	for (unsigned c = 0; c < bi->ncores && c < BOOTINFO_MAX_CORES; c++)
		if (bi->cores[c].online) {
			online[c / 64] |= 1ull << (c % 64);
			if (c)
				other[nother++] = c;
		}
	return coordinator(argc, argv);
}
