// SPDX-License-Identifier: MIT
/*
 * Capabilities across cores: the part of docs/protocol.md that runs (its
 * "Status" says which). Every monitor owns what its core's domains made.
 * For every object it shared it keeps a record: the object (type, base,
 * size), the set of cores it went to, and the *anchor*, its own copy,
 * marked remote in the kernel (KERNEL_CAP_REMOTE) so that no local delete
 * or revoke can take the object or an ancestor away while other cores may
 * still hold it (ERR_CAP_REMOTE).
 *
 *   share    owner -> k MON_CAP_DELIVER, k -> owner MON_CAP_DELIVERED; k's
 *            monitor makes its copy (KERNEL_CAP_CREATE) and may hand it to
 *            one of its domains (which maps it at MON_SHARE_VA).
 *   revoke   two phases, each down a binary tree over the cores in the
 *            sets of the records that are copies or descendants (each
 *            core passes it on to two more and answers for its subtree):
 *            MON_CAP_MARK (the kernel refuses every use of the object),
 *            then MON_CAP_SWEEP (revoke from a copy of our own making,
 *            unmark): 4k messages for k cores, none when nothing left the
 *            core. Then the anchors go.
 *   delete   a holder whose core holds nothing of an object any more
 *            (after MONITOR_RELEASE or a kill) deletes its copies and
 *            tells the owner: one MON_DEL_NOTIFY; the owner's set shrinks
 *            and the anchor goes with the last core.
 *   holders  on other cores ask the owner: MON_REVOKE_REQ, MON_RETYPE_REQ
 *            (the owner retypes its own copy and owns the result),
 *            MON_COPY_REQ (the new core joins the set before the copy goes).
 *
 * Each operation locks the range of the object it works on (struct op):
 * requests from other monitors on an overlapping object wait (deferred),
 * local clients are told ERR_MON_BUSY; operations on other objects run
 * while it waits for answers, nested in its wait (struct ask), at most
 * OPS deep. So a monitor waiting as a requester still serves others.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <chan/ump.h>
#include <rt/mem.h>
#include <rt/rpc.h>
#include <rt/spawn.h>
#include <rt/sys.h>

#include "coreset.h"
#include "monitor.h"

#define SHARED	       32	     /* records at monitor 0 */
#define HELD	       64	     /* capabilities a monitor holds for others */
#define PROBE_VA       0x180000000ul /* GiB 6: frames other cores shared, mapped */
#define WAIT_TICKS     500	     /* how long to wait for the other monitors (5 s) */
#define PER_CORE_TICKS 20	     /* and more for each core asked at once */
#define REPLY_TRIES    64	     /* yields before an answer a client does not take is dropped */
#define DOMAIN_TICKS   200	     /* how long a domain may take to answer (2 s) */

struct shared {
	bool used;
	uint8_t type;
	uint64_t base, size;
	struct coreset cores; /* the cores that may hold a copy or a descendant */
	struct coreset gone;  /* cores that said MON_DEL_NOTIFY while it was locked */
	capaddr_t anchor;
};

struct held {
	capaddr_t slot; /* ours (slot_alloc), SLOT_NONE: free */
	bool pin;	/* held for no domain: kept until revoked */
	uint8_t type;
	uint16_t owner; /* the core that delivered it */
	uint64_t base, size;
};

static struct shared shared[SHARED];
static struct held held[HELD];
static capaddr_t clients[MON_CLIENTS]; /* their reply endpoints, or 0 */
static bool serving[MON_CLIENTS];      /* a request of theirs is in progress */
static struct vregion probes;
static bool probes_up;
/*
 * Operations in progress here, each with the lock on its object's range
 * (docs/protocol.md 4.1): one whose object overlaps another's (the same
 * object, an ancestor or a descendant) does not start until that one is
 * done; operations on unrelated objects, or on none (size 0: status,
 * spawn), run nested while the others wait for answers, at most OPS deep.
 */
#define OPS	   4
#define CONNECTING (1ull << 63) /* the "object" of MON_CONNECT: no memory there */
static struct op {
	bool used;
	uint64_t base, size;
} ops[OPS];
static unsigned depth;
/* Requests from other monitors whose object was locked (a monitor has at
   most one outstanding for a domain, and one MON_CONNECT per operation in
   progress), served when the lock is free. */
#define DEFERRED (OPS + 1)
static struct {
	uint8_t type; /* 0: none */
	uint64_t w[UMP_PAYLOAD];
} deferred[BOOTINFO_MAX_CORES][DEFERRED];

static bool overlaps(const struct op *o, uint64_t base, uint64_t size)
{
	return o->used && o->size && size && base < o->base + o->size && o->base < base + size;
}

/* Lock [base, base + size) for an operation; -1 if it overlaps one in
   progress or OPS are. */
static int op_begin(uint64_t base, uint64_t size)
{
	int free = -1;
	for (unsigned i = 0; i < OPS; i++) {
		if (overlaps(&ops[i], base, size))
			return -1;
		if (!ops[i].used && free < 0)
			free = (int)i;
	}
	if (free >= 0) {
		ops[free] = (struct op){true, base, size};
		depth++;
	}
	return free;
}

static void op_end(int i)
{
	ops[i].used = false;
	depth--;
}

static bool locked(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < OPS; i++)
		if (overlaps(&ops[i], base, size))
			return true;
	return false;
}

/* A request waiting for its answers. Waits nest (a monitor waiting as a
   requester may serve another monitor's request meanwhile, which waits in
   turn), so they form a stack, innermost first. */
struct ask {
	uint64_t req;	   /* request number */
	uint8_t type;	   /* the answer's message type */
	unsigned pending;  /* answers still to come */
	unsigned answers;  /* answers that came */
	errval_t err;	   /* first error an answer carried */
	uint64_t sum, val; /* sum of w2 over the answers; w2 of the last */
	uint64_t sum3;	   /* sum of w3 over the answers */
	uint64_t last[3];  /* w2..w4 of the last answer */
	struct ask *outer;
};
static struct ask *asks;
static uint64_t next_req;
static bool requesting; /* a domain's request waits for another monitor */

void capops_init(void)
{
	for (unsigned i = 0; i < HELD; i++)
		held[i].slot = SLOT_NONE;
}

static void on_request(unsigned from, uint8_t type, const uint64_t *w);
static uint64_t hops(uint64_t k);
static void ask_begin(struct ask *a, uint8_t answer);
static errval_t ask_end(struct ask *a, errval_t err, uint64_t ticks);
static uint64_t tree_send(uint8_t type, const struct coreset *below, const uint64_t *w0,
			  struct ask *a);
static void connect_all(const struct coreset *cores);
static errval_t on_connect_pair(unsigned from, unsigned j);
static void connect_tree(const struct coreset *cores);
static bool take_cap(capaddr_t *slot);
static errval_t send_bounded(capaddr_t ep, const uint64_t w[4], uint64_t cap);

/* ---- on every monitor: what other cores ask of it ---- */

/* A held capability was revoked: its mapping and slot are ours again. */
static void held_gone(struct held *h)
{
	if (probes_up)
		vregion_unmap(&probes, h->slot);
	slot_free(h->slot);
	h->slot = SLOT_NONE;
}

static struct held *held_free(void)
{
	for (unsigned i = 0; i < HELD; i++) {
		struct cap_info ci;
		if (held[i].slot != SLOT_NONE && cap_identify(held[i].slot, &ci) == ERR_CAP_EMPTY)
			held_gone(&held[i]);
		if (held[i].slot == SLOT_NONE)
			return &held[i];
	}
	return NULL;
}

static errval_t create(capaddr_t slot, uint64_t desc, uint64_t base, uint64_t size)
{
	return cap_invoke(MON_KERNEL, 2, KERNEL_CAP_CREATE, CAPADDR(CAPADDR_L1(slot), 0),
			  CAPADDR_L2(slot), desc, base, size)
	    .err;
}

/*
 * Give a copy of the capability in slot s to domain w[5] on this core, with
 * the message MON_SHARE_VA: a domain handed a Frame maps it (at
 * MON_SHARE_VA) and answers with the first word it read (*word).
 */
static uint64_t waiting_for; /* the badge of the domain whose answer we wait for */

static bool from_child(const struct lmp_recv *m)
{
	return m->badge == waiting_for && !m->has_cap && m->words[0] != MONITOR_RELEASE;
}

static errval_t hand_to_domain(capaddr_t s, const uint64_t *w, uint64_t *word)
{
	int place = spawn_place(w[5]);
	if (place < 0)
		return ERR_DOMAIN_NOT_FOUND;
	uint64_t msg[4] = {MON_SHARE_VA, mon_me()};
	waiting_for = spawn_badge((unsigned)place);
	errval_t err = ep_send(spawn_ep(waiting_for), msg, s);
	if (err || (uint8_t)w[1] != OBJ_FRAME)
		return err;
	/* Its answer, bounded; other messages meanwhile are kept for later. */
	for (unsigned t = 0; t < DOMAIN_TICKS; t++) {
		struct lmp_recv m;
		if (mon_lmp_wait(1, from_child, &m) == ERR_OK) {
			*word = m.words[0];
			return ERR_OK;
		}
	}
	return ERR_MON_TIMEOUT; /* it may hold it: the owner keeps this core */
}

static void on_deliver(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_NO_SLOTS};
	struct held *h = held_free();
	capaddr_t s = h ? slot_alloc() : SLOT_NONE;
	if (s != SLOT_NONE) {
		r[1] = create(s, w[1], w[2], w[3]);
		if (!r[1])
			*h = (struct held){s, !w[5], (uint8_t)w[1], (uint16_t)from, w[2], w[3]};
		if (!r[1] && w[5]) {
			r[1] = hand_to_domain(s, w, &r[2]);
			if (r[1]) {
				cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
				h->slot = SLOT_NONE;
			}
		}
		if (r[1]) {
			slot_free(s);
		} else {
			if (w[4] && (uint8_t)w[1] == OBJ_FRAME && !w[5]) {
				if (!probes_up)
					probes_up = vregion_init(&probes, PROBE_VA) == ERR_OK;
				/* Stays mapped: a revoke must take the mapping away. */
				const volatile uint64_t *p =
				    probes_up ? vregion_map(&probes, s, 1, false) : NULL;
				r[2] = p ? *p : 0;
			}
		}
	}
	mon_send(from, MON_CAP_DELIVERED, r);
}

static errval_t mark(const uint64_t *w, bool on)
{
	return cap_invoke(MON_KERNEL, 2, KERNEL_CAP_MARK, (uint8_t)w[1], w[2], w[3], on, 0).err;
}

/* Delete every copy and descendant of the object w1-w3 here; how many of
   ours went. */
static errval_t sweep(const uint64_t *w, uint64_t *deleted)
{
	errval_t r = ERR_NO_SLOTS;
	unsigned before = 0, after = 0;
	for (unsigned i = 0; i < HELD; i++)
		before += held[i].slot != SLOT_NONE;
	capaddr_t s = slot_alloc();
	if (s != SLOT_NONE) {
		/* A copy of our own making to revoke from: the kernel finds every
		   copy and descendant here, held by us or by anyone else. */
		r = create(s, (w[1] & 0xffff00ff) | (uint64_t)CAP_RIGHTS_ALL << 8, w[2], w[3]);
		errval_t err = r;
		while (!err && (err = cnode_revoke(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s))) ==
				   ERR_CAP_PENDING)
			;
		if (!r) {
			r = err;
			cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		}
		slot_free(s);
	}
	for (unsigned i = 0; i < HELD; i++) {
		if (held[i].slot != SLOT_NONE && held[i].base >= w[2] &&
		    held[i].base + held[i].size <= w[2] + w[3]) {
			struct cap_info ci;
			if (cap_identify(held[i].slot, &ci) == ERR_CAP_EMPTY)
				held_gone(&held[i]);
		}
		after += held[i].slot != SLOT_NONE;
	}
	*deleted = before - after;
	return r;
}

/*
 * The sweep on the exempt core (docs/protocol.md 4.6), whose domain asked
 * for the revoke and keeps its capability: every descendant of the object
 * here goes (each is an object of the owner that we were delivered and
 * hold a copy of), the copies stay; the domain revokes those itself when
 * we have answered it, as with a local revoke.
 */
static errval_t sweep_descendants(const uint64_t *w, uint64_t *deleted)
{
	errval_t err = ERR_OK;
	*deleted = 0;
	for (unsigned i = 0; i < HELD; i++) {
		struct held *h = &held[i];
		if (h->slot == SLOT_NONE || h->base < w[2] || h->base + h->size > w[2] + w[3] ||
		    !(h->size < w[3] || h->type > (uint8_t)w[1])) /* lib/caps' descendant rule */
			continue;
		uint64_t d[UMP_PAYLOAD] = {0, h->type | (w[1] & 0xffff0000), h->base, h->size}, n;
		errval_t e = sweep(d, &n);
		*deleted += n;
		if (!err)
			err = e;
	}
	return err;
}

/*
 * MON_CAP_MARK and MON_CAP_SWEEP, the two phases of a revoke (docs/
 * protocol.md 5): pass it on to our children in the tree first (w4..w5 =
 * the cores below us, coreset.h), meanwhile mark the object here
 * (nothing of it can be used any more) or sweep it (delete every copy and
 * descendant here, then unmark), and answer for the whole subtree once
 * the children have: the first error, what was deleted, the messages.
 */
static void on_phase(unsigned from, uint8_t type, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_OK, 0};
	uint8_t answer = type == MON_CAP_MARK ? MON_CAP_MARKED : MON_CAP_SWEPT;
	struct ask a;
	struct coreset sub = cs_get(&w[4]);
	ask_begin(&a, answer);
	uint64_t below = tree_send(type, &sub, w, &a);
	if (type == MON_CAP_MARK) {
		r[1] = mark(w, true);
	} else {
		bool exempt = (w[1] >> 32) == mon_me() + 1ull; /* its domain revokes */
		r[1] = exempt ? sweep_descendants(w, &r[2]) : sweep(w, &r[2]);
		errval_t e = mark(w, false); /* not marked if its mark failed */
		if (!r[1] && e != ERR_CAP_NOT_FOUND)
			r[1] = e;
	}
	errval_t err = ask_end(&a, ERR_OK, WAIT_TICKS * (1 + cs_tree_depth(cs_count(&sub))));
	if (err && !r[1])
		r[1] = err;
	r[2] += a.sum;
	r[3] = below + a.sum3;
	mon_send(from, answer, r);
}

static void on_count(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_OK, 0};
	for (unsigned i = 0; i < HELD; i++) {
		struct cap_info ci;
		if (held[i].slot != SLOT_NONE && held[i].base >= w[1] &&
		    held[i].base + held[i].size <= w[1] + w[2] &&
		    cap_identify(held[i].slot, &ci) == ERR_OK)
			r[2]++;
	}
	mon_send(from, MON_CAP_COUNTED, r);
}

static bool same(const struct held *a, const struct held *b)
{
	return a->type == b->type && a->base == b->base && a->size == b->size;
}

/*
 * An object is held on this core while any copy or descendant of it is
 * here other than our own unpinned copies: a domain's (a mapped one too),
 * or one we hold for ourselves (pin). The kernel counts the
 * copies (KERNEL_CAP_RELATIONS, bounded); when they are all ours and no
 * descendant is left, ours go and the owner is told, once.
 */
unsigned capops_release(void)
{
	unsigned told = 0;
	for (unsigned i = 0; i < HELD; i++) {
		struct held *h = &held[i];
		struct cap_info ci;
		if (h->slot == SLOT_NONE || h->pin)
			continue;
		if (cap_identify(h->slot, &ci) == ERR_CAP_EMPTY) {
			/* A domain here revoked it locally (it kept its own copy,
			   the exempt one): ask the kernel with a copy made for it. */
			struct held probe = *h;
			held_gone(h);
			probe.slot = slot_alloc();
			if (probe.slot == SLOT_NONE)
				continue;
			if (create(probe.slot, probe.type | (uint64_t)probe.owner << 16, probe.base,
				   probe.size)) {
				slot_free(probe.slot);
				continue;
			}
			*h = probe; /* checked below like any copy of ours */
		}
		unsigned ours = 0;
		bool kept = false;
		for (unsigned j = 0; j < HELD; j++)
			if (held[j].slot != SLOT_NONE && same(&held[j], h)) {
				ours += !held[j].pin;
				kept |= held[j].pin;
			}
		struct sysret r =
		    cap_invoke(MON_KERNEL, 2, KERNEL_CAP_RELATIONS, h->slot, 0, 0, 0, 0);
		if (kept || r.err || r.v[1] || r.v[0] > ours)
			continue;
		uint64_t w[UMP_PAYLOAD] = {0, h->type, h->base, h->size};
		unsigned owner = h->owner;
		for (unsigned j = HELD; j-- > 0;) /* h last: it is what we compare with */
			if (held[j].slot != SLOT_NONE && same(&held[j], h)) {
				cnode_delete(CAPADDR(CAPADDR_L1(held[j].slot), 0), 1,
					     CAPADDR_L2(held[j].slot));
				held_gone(&held[j]);
			}
		told += mon_send(owner, MON_DEL_NOTIFY, w) == ERR_OK;
	}
	return told;
}

/* MONITOR_RELEASE from a domain here: it deleted its copies of the object
   at base, size. */
static errval_t release(uint64_t base, uint64_t size, uint64_t *told)
{
	bool found = false;
	for (unsigned i = 0; i < HELD; i++)
		found |= held[i].slot != SLOT_NONE && held[i].base == base && held[i].size == size;
	*told = capops_release();
	return found ? ERR_OK : ERR_CAP_NOT_FOUND;
}

static struct shared *find(uint8_t type, uint64_t base, uint64_t size);
static void drop_anchor(struct shared *s);

/* Take the cores that hold nothing any more out of the sets (of records
   no operation in progress works on). */
static void apply_gone(void)
{
	for (unsigned i = 0; i < SHARED; i++) {
		struct shared *s = &shared[i];
		if (!s->used || cs_empty(&s->gone) || locked(s->base, s->size))
			continue;
		cs_andnot(&s->cores, &s->gone);
		s->gone = (struct coreset){{0}};
		if (cs_empty(&s->cores))
			drop_anchor(s);
	}
}

/* MON_DEL_NOTIFY: applied at once, or when the operation in progress is
   done; a copy to that core delivered meanwhile cancels it (delivered()). */
static void on_del_notify(unsigned from, const uint64_t *w)
{
	struct shared *s = find((uint8_t)w[1], w[2], w[3]);
	if (!s || !cs_has(&s->cores, from))
		return;
	cs_add(&s->gone, from);
	apply_gone();
}

/* A copy reached core k (or may have): k holds one, whatever k said
   before it came (its MON_DEL_NOTIFY was sent before the answer). */
static void delivered(struct shared *s, uint64_t k)
{
	cs_del(&s->gone, (unsigned)k);
}

bool capops_handle(unsigned from, uint8_t type, const uint64_t *w)
{
	switch (type) {
	case MON_CAP_DELIVER:
		on_deliver(from, w);
		return true;
	case MON_CAP_MARK:
	case MON_CAP_SWEEP:
		on_phase(from, type, w);
		return true;
	case MON_CAP_COUNT:
		on_count(from, w);
		return true;
	case MON_DEL_NOTIFY:
		on_del_notify(from, w);
		return true;
	case MON_REVOKE_REQ:
	case MON_RETYPE_REQ:
	case MON_COPY_REQ:
	case MON_CONNECT:
		on_request(from, type, w);
		return true;
	case MON_CAP_DELIVERED:
	case MON_CAP_SWEPT:
	case MON_CAP_MARKED:
	case MON_CAP_COUNTED:
	case MON_SPAWNED:
	case MON_DOMAIN_STATUS:
	case MON_CHECKED:
	case MON_REVOKE_REPLY:
	case MON_RETYPE_REPLY:
	case MON_COPY_REPLY:
	case MON_CONNECTED:
	case MON_CHAN_OPENED:
		for (struct ask *a = asks; a; a = a->outer)
			if (a->pending && w[0] == a->req && type == a->type) {
				a->pending--;
				a->answers++;
				if (w[1] && !a->err)
					a->err = (errval_t)w[1];
				a->sum += w[2];
				a->sum3 += w[3];
				memcpy(a->last, &w[2], sizeof(a->last));
				a->val = w[2];
				break;
			}
		return true; /* or a late answer to a request that timed out */
	default:
		return false;
	}
}

/* ---- asking other monitors, and requests from local domains ---- */

/* A wait for answers of type answer begins (innermost now). */
static void ask_begin(struct ask *a, uint8_t answer)
{
	*a = (struct ask){.req = ++next_req, .type = answer, .outer = asks};
	asks = a;
}

/* Wait (at most ticks) for the answers still pending. */
static errval_t ask_end(struct ask *a, errval_t err, uint64_t ticks)
{
	uint64_t deadline = mon_ticks() + ticks;
	while (!err && a->pending) {
		uint64_t now = mon_ticks();
		if (now >= deadline)
			err = ERR_MON_TIMEOUT;
		else
			mon_wait(deadline - now);
	}
	asks = a->outer; /* waits nested in ours have ended before it */
	return err ? err : a->err;
}

/* Send type to every core in the set and wait (bounded) for the answers. */
static errval_t ask_all(const struct coreset *cores, uint8_t type, uint8_t answer,
			const uint64_t *w0, struct ask *a)
{
	uint64_t w[UMP_PAYLOAD];
	errval_t err = ERR_OK;
	memcpy(w, w0, sizeof(w));
	ask_begin(a, answer);
	w[0] = a->req;
	CS_FOR_EACH(k, cores)
	{
		if (!err && k != mon_me()) {
			err = mon_send(k, type, w);
			a->pending += !err;
		}
	}
	/* The owner answers a request only after asking the others; what one
	   asking many cores itself, most through monitor 0, sends waits in
	   full channels' outboxes, drained a tick at a time (PER_CORE_TICKS
	   each). */
	return ask_end(
	    a, err,
	    (type == MON_REVOKE_REQ ? 3 + 2 * cs_tree_depth(mon_bootinfo()->ncores) : 1) *
		    WAIT_TICKS +
		a->pending * PER_CORE_TICKS);
}

/* Send w0 (with w4..w5 = the child's subtree) to our children in the tree
   over the cores below us (coreset.h); returns the messages that took. */
static uint64_t tree_send(uint8_t type, const struct coreset *below, const uint64_t *w0,
			  struct ask *a)
{
	uint64_t w[UMP_PAYLOAD], msgs = 0;
	unsigned child[2];
	struct coreset sub[2];
	memcpy(w, w0, sizeof(w));
	w[0] = a->req;
	cs_tree_split(below, child, sub);
	for (unsigned c = 0; c < 2; c++) {
		unsigned k = child[c];
		if (k == CORESET_NONE || k == mon_me())
			continue;
		cs_put(&sub[c], &w[4]);
		if (mon_send(k, type, w) == ERR_OK) {
			a->pending++;
			msgs += 2 * hops(k); /* the request and its answer */
		} else if (!a->err) {
			a->err = ERR_CORE_NONE; /* its subtree is not reached: fail */
		}
	}
	return msgs;
}

errval_t mon_ask3(unsigned core, uint8_t type, uint8_t answer, const uint64_t *w0, uint64_t out[3])
{
	struct ask a;
	struct coreset one = cs_one(core);
	errval_t err = ask_all(&one, type, answer, w0, &a);
	memcpy(out, a.last, sizeof(a.last));
	return err;
}

errval_t mon_ask(unsigned core, uint8_t type, uint8_t answer, const uint64_t *w0, uint64_t *val)
{
	struct ask a;
	struct coreset one = cs_one(core);
	errval_t err = ask_all(&one, type, answer, w0, &a);
	if (val)
		*val = a.val;
	return err;
}

static struct shared *find(uint8_t type, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < SHARED; i++)
		if (shared[i].used && shared[i].type == type && shared[i].base == base &&
		    shared[i].size == size)
			return &shared[i];
	return NULL;
}

/* Is the shared object s a copy or a descendant of ci (lib/caps' rule)? */
static bool covered(const struct shared *s, const struct cap_info *ci)
{
	if (s->base < ci->base || s->base + s->size > ci->base + ci->size)
		return false;
	return s->size < ci->size || s->type >= ci->type;
}

/* Answer a client; one that does not take its answers loses them (a full
   buffer for REPLY_TRIES yields), so no client can stall the monitor. */
static errval_t send_bounded(capaddr_t ep, const uint64_t w[4], uint64_t cap)
{
	errval_t err = ERR_LMP_BUF_FULL;
	for (unsigned i = 0; i < REPLY_TRIES && err == ERR_LMP_BUF_FULL; i++)
		if ((err = ep_send(ep, w, cap)) == ERR_LMP_BUF_FULL)
			sys_yield();
	return err;
}

/* Messages per request or answer to core k: 2 when monitor 0 forwards it. */
static uint64_t hops(uint64_t k)
{
	return mon_me() == 0 || k == 0 || mon_direct((unsigned)k) ? 1 : 2;
}

static void answer(capaddr_t to, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = {w0, w1, w2, w3};
	send_bounded(to, w, CAPADDR_NONE);
}

static void reply(uint64_t client, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = {w0, w1, w2, w3};
	send_bounded(clients[client], w, CAPADDR_NONE);
}

/* The record goes: unmark and delete its anchor. */
static void drop_anchor(struct shared *s)
{
	capaddr_t a = s->anchor;
	cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, a, 0, 0, 0, 0);
	cnode_delete(CAPADDR(CAPADDR_L1(a), 0), 1, CAPADDR_L2(a));
	slot_free(a);
	s->used = false;
}

static void share(capaddr_t to, capaddr_t cap, uint64_t core, uint64_t domain)
{
	struct cap_info ci;
	errval_t err = cap_identify(cap, &ci);
	if (!err && ci.type != OBJ_RAM && ci.type != OBJ_FRAME && ci.type != OBJ_DEVFRAME)
		err = ERR_CAP_TYPE;
	if (!err &&
	    (core >= BOOTINFO_MAX_CORES || core == mon_me() || !mon_peer_up((unsigned)core)))
		err = ERR_CORE_NONE;
	struct shared *s = err ? NULL : find(ci.type, ci.base, ci.size);
	if (!err && !s) {
		for (unsigned i = 0; i < SHARED && !s; i++)
			if (!shared[i].used)
				s = &shared[i];
		if (!s)
			err = ERR_NO_SLOTS;
		else
			err = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, cap, 1, 0, 0, 0).err;
		if (!err) {
			*s = (struct shared){.used = true,
					     .type = ci.type,
					     .base = ci.base,
					     .size = ci.size,
					     .anchor = cap};
			cap = SLOT_NONE; /* kept as the anchor */
		}
	}
	struct coreset dest = cs_one((unsigned)core);
	if (!err)
		connect_all(&dest);
	struct ask a = {0};
	if (!err) {
		/* In the set before it goes: a revoke must reach it, answered or not. */
		bool had = cs_has(&s->cores, (unsigned)core);
		cs_add(&s->cores, (unsigned)core);
		uint64_t w[UMP_PAYLOAD] = {
		    0,	     ci.type | (uint64_t)ci.rights << 8 | (uint64_t)mon_me() << 16,
		    ci.base, ci.size,
		    1,	     domain};
		err = ask_all(&dest, MON_CAP_DELIVER, MON_CAP_DELIVERED, w, &a);
		if (!err || err == ERR_MON_TIMEOUT)
			delivered(s, core);
		else if (!had) { /* refused there: nothing new to reach */
			cs_del(&s->cores, (unsigned)core);
			if (cs_empty(&s->cores))
				drop_anchor(s);
		}
	}
	/* What this share sent and got (not what nested operations did). */
	uint64_t msgs = (2 * a.answers + a.pending) * hops(core);
	if (cap != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
		slot_free(cap);
	}
	answer(to, err, err ? 0 : a.val, msgs, 0);
}

/*
 * Revoke the object ci on every core that may hold a copy or descendant
 * (all of them when broadcast), in parallel, then let the anchors go. With
 * local, also here (a request from another core: the domains here that hold
 * copies or descendants lose them, as everywhere else); otherwise the
 * requesting domain revokes here itself. *ncores, *deleted: cores asked,
 * capabilities deleted there; *msgs: inter-monitor messages sent and
 * received for it.
 */
static errval_t run_revoke(const struct cap_info *ci, uint64_t how, unsigned exempt, bool local,
			   uint64_t *ncores, uint64_t *deleted, uint64_t *msgs)
{
	struct coreset cores = {{0}};
	for (unsigned i = 0; i < SHARED; i++)
		if (shared[i].used && covered(&shared[i], ci))
			cs_or(&cores, &shared[i].cores);
	for (unsigned k = 0; how == MON_REVOKE_BROADCAST && k < mon_bootinfo()->ncores; k++)
		if (mon_peer_up(k))
			cs_add(&cores, k);
	cs_del(&cores, mon_me());
	*ncores = cs_count(&cores);
	errval_t err = ERR_OK;
	if (!cs_has(&cores, exempt))
		exempt = CORESET_NONE;
	/* (w4..w5, the cores below a receiver, stay empty for the star and the
	   broadcast: nobody passes those on.) */
	uint64_t w[UMP_PAYLOAD] = {0,
				   ci->type | (uint64_t)mon_me() << 16 |
				       (exempt < CORESET_NONE ? exempt + 1ull : 0) << 32,
				   ci->base, ci->size};
	*msgs = *deleted = 0;
	if (!cs_empty(&cores)) {
		/* Mark everywhere, here too, then sweep: nothing of it can be used
		   anywhere before anything is deleted (docs/protocol.md 5). */
		errval_t here = mark(w, true);
		if (!how)
			connect_tree(&cores);
		static const uint8_t phases[2][2] = {{MON_CAP_MARK, MON_CAP_MARKED},
						     {MON_CAP_SWEEP, MON_CAP_SWEPT}};
		for (unsigned p = 0; p < 2; p++) {
			struct ask a = {0};
			errval_t e;
			uint8_t type = phases[p][0], answer = phases[p][1];
			if (how) { /* Barrelfish's way: one unicast to each */
				e = ask_all(&cores, type, answer, w, &a);
				CS_FOR_EACH(k, &cores)
				*msgs += 2 * hops(k);
			} else { /* down a tree, in parallel, answers summed up */
				ask_begin(&a, answer);
				*msgs += tree_send(type, &cores, w, &a);
				e = ask_end(&a, ERR_OK, WAIT_TICKS * (1 + cs_tree_depth(*ncores)));
			}
			*deleted += a.sum;
			*msgs += a.sum3;
			if (!err) /* a failed mark still sweeps: what is marked goes */
				err = e;
		}
		if (!here)
			mark(w, false);
	}
	if (err)
		return err;
	/* Nothing is left elsewhere: the anchors go, the object's own last. */
	struct shared *self = NULL;
	for (unsigned i = 0; i < SHARED; i++) {
		struct shared *s = &shared[i];
		if (!s->used || !covered(s, ci))
			continue;
		if (s->type == ci->type && s->base == ci->base && s->size == ci->size) {
			self = s;
			continue;
		}
		drop_anchor(s);
	}
	if (self) {
		capaddr_t a = self->anchor;
		cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, a, 0, 0, 0, 0);
		while (local && (err = cnode_revoke(CAPADDR(CAPADDR_L1(a), 0), 1, CAPADDR_L2(a))) ==
				    ERR_CAP_PENDING)
			;
		if (exempt < CORESET_NONE) { /* its domain keeps its copy: so do we, the anchor */
			cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, a, 1, 0, 0, 0);
			self->cores = cs_one(exempt);
			self->gone = (struct coreset){{0}};
		} else {
			drop_anchor(self);
		}
	}
	return err;
}

static void revoke(capaddr_t to, capaddr_t cap, uint64_t how, bool local)
{
	struct cap_info ci;
	uint64_t ncores = 0, deleted = 0, msgs = 0;
	errval_t err = cap_identify(cap, &ci);
	if (!err)
		err = run_revoke(&ci, how, CORESET_NONE, local, &ncores, &deleted, &msgs);
	cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
	slot_free(cap);
	answer(to, err, ncores, deleted, msgs);
}

/* MON_REVOKE_REQ: a domain on core k revokes our object (it must hold a
   copy that came from us). While another operation runs it waits for it. */
static void on_revoke_req(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CAP_NOT_FOUND};
	struct cap_info ci = {.type = (uint8_t)w[1], .base = w[2], .size = w[3]};
	struct shared *s = find(ci.type, ci.base, ci.size);
	if (s && cs_has(&s->cores, from)) { /* it holds a copy that came from us */
		uint64_t ncores, deleted, msgs;
		/* The asking core is exempt: its domain keeps its own copy. */
		r[1] = run_revoke(&ci, 0, from, true, &ncores, &deleted, &msgs);
		r[2] = msgs + 2; /* with this request and its answer */
	}
	mon_send(from, MON_REVOKE_REPLY, r);
}

/* MON_RETYPE_REQ: retype part of our object for core k, which gets a copy. */
static void on_retype_req(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CAP_NOT_FOUND};
	uint8_t type = (uint8_t)w[1], newtype = (uint8_t)(w[1] >> 8);
	struct shared *s = find(type, w[2], w[3]), *n = NULL;
	capaddr_t slot = SLOT_NONE;
	if (s && cs_has(&s->cores, from)) {
		for (unsigned i = 0; i < SHARED && !n; i++)
			if (!shared[i].used)
				n = &shared[i];
		r[1] = newtype != OBJ_RAM && newtype != OBJ_FRAME ? ERR_CAP_DERIVE
		       : !n || (slot = slot_alloc()) == SLOT_NONE ? ERR_NO_SLOTS
								  : ERR_OK;
	}
	if (!r[1])
		r[1] = cap_retype(s->anchor, newtype, w[4], w[5], 1, CAPADDR(CAPADDR_L1(slot), 0),
				  1, CAPADDR_L2(slot));
	if (!r[1]) {
		r[1] = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, slot, 1, 0, 0, 0).err;
		if (r[1])
			cnode_delete(CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	}
	if (!r[1]) {
		/* Ours now, with core k in its set before the copy goes. */
		*n = (struct shared){.used = true,
				     .type = newtype,
				     .base = w[2] + w[4],
				     .size = w[5],
				     .cores = cs_one(from),
				     .anchor = slot};
		uint64_t d[UMP_PAYLOAD] = {
		    0, newtype | (uint64_t)CAP_RIGHTS_ALL << 8 | (uint64_t)mon_me() << 16, n->base,
		    n->size};
		r[1] = mon_ask(from, MON_CAP_DELIVER, MON_CAP_DELIVERED, d, NULL);
		if (!r[1] || r[1] == ERR_MON_TIMEOUT)
			delivered(n, from);
		else /* refused there: the new object is nobody's, it goes again */
			drop_anchor(n);
	} else if (slot != SLOT_NONE) {
		slot_free(slot);
	}
	mon_send(from, MON_RETYPE_REPLY, r);
}

/* Monitor 0: pairs of monitors with a channel of their own (j in
   linked[k]). */
static struct coreset linked[BOOTINFO_MAX_CORES];

/* MON_CONNECT: a channel of their own for monitors w[2] - 1 (0: `from`)
   and w[1]. */
static void on_connect(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CORE_NONE};
	unsigned a = w[2] && w[2] <= BOOTINFO_MAX_CORES ? (unsigned)w[2] - 1 : from;
	if (w[1] < BOOTINFO_MAX_CORES)
		r[1] = on_connect_pair(a, (unsigned)w[1]);
	mon_send(from, MON_CONNECTED, r);
}

static errval_t on_connect_pair(unsigned from, unsigned j)
{
	uint64_t r[UMP_PAYLOAD] = {0, ERR_CORE_NONE};
	capaddr_t ram = SLOT_NONE, f = SLOT_NONE;
	struct cap_info ci = {0};
	if (mon_me() == 0 && j != from && j != 0 && from != 0 && mon_peer_up(j) &&
	    mon_peer_up(from)) {
		r[1] = ERR_OK;
		if (!cs_has(&linked[from], j)) {
			f = slot_alloc();
			r[1] = f == SLOT_NONE ? ERR_NO_SLOTS : ram_alloc(OBJSIZE_PAGE, &ram);
			if (!r[1]) /* a zeroed page, kept for as long as they run */
				r[1] = cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
						  CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
			if (!r[1])
				r[1] = cap_identify(f, &ci);
			if (!r[1])
				r[1] =
				    cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, f, 1, 0, 0, 0).err;
			uint64_t a[UMP_PAYLOAD] = {0, ci.base, j,
						   from < j ? UMP_SIDE_A : UMP_SIDE_B};
			uint64_t b[UMP_PAYLOAD] = {0, ci.base, from,
						   from < j ? UMP_SIDE_B : UMP_SIDE_A};
			if (!r[1])
				r[1] = mon_ask(from, MON_CHAN_OPEN, MON_CHAN_OPENED, a, NULL);
			if (!r[1])
				r[1] = mon_ask(j, MON_CHAN_OPEN, MON_CHAN_OPENED, b, NULL);
			if (!r[1]) {
				cs_add(&linked[from], j);
				cs_add(&linked[j], from);
			}
		}
	}
	return (errval_t)r[1];
}

/* Before an operation: a channel of our own to every core in the set that
   we reach only through monitor 0 (asked for once per pair). */
static void connect_all(const struct coreset *cores)
{
	CS_FOR_EACH(k, cores)
	{
		if (mon_me() != 0 && k != 0 && k != mon_me() && !mon_direct(k)) {
			uint64_t w[UMP_PAYLOAD] = {0, k};
			mon_ask(0, MON_CONNECT, MON_CONNECTED, w, NULL);
		}
	}
}

/* A channel for the tree edge between monitors a and b (a's child), made
   by monitor 0 (once per pair; we remember which pairs we asked for). */
static void connect_edge(unsigned a, unsigned b)
{
	if (a == 0 || b == 0 || cs_has(&linked[a], b))
		return;
	uint64_t w[UMP_PAYLOAD] = {0, b, a + 1};
	if (mon_me() != 0) {
		if (mon_ask(0, MON_CONNECT, MON_CONNECTED, w, NULL) == ERR_OK) {
			cs_add(&linked[a], b);
			cs_add(&linked[b], a);
		}
		return;
	}
	int op = op_begin(CONNECTING, 1); /* busy opening one: relay this edge */
	if (op >= 0) {
		on_connect_pair(a, b);
		op_end(op);
	}
}

/* The edges below core `at`, which is sent `below` (coreset.h's tree). */
static void connect_below(unsigned at, const struct coreset *below)
{
	unsigned child[2];
	struct coreset sub[2];
	cs_tree_split(below, child, sub);
	for (unsigned c = 0; c < 2 && child[c] != CORESET_NONE; c++) {
		connect_edge(at, child[c]);
		connect_below(child[c], &sub[c]);
	}
}

/* Channels for the edges of the revoke tree over cores: ours to our
   children, and each parent's to its children. */
static void connect_tree(const struct coreset *cores)
{
	unsigned child[2];
	struct coreset sub[2], mine = {{0}};
	cs_tree_split(cores, child, sub);
	for (unsigned c = 0; c < 2 && child[c] != CORESET_NONE; c++)
		cs_add(&mine, child[c]);
	connect_all(&mine);
	for (unsigned c = 0; c < 2 && child[c] != CORESET_NONE; c++)
		connect_below(child[c], &sub[c]);
}

/* MON_COPY_REQ: a holder on core k has us give core B a copy of our object. */
static void on_copy_req(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_CAP_NOT_FOUND};
	struct shared *s = find((uint8_t)w[1], w[2], w[3]);
	uint64_t to = w[4];
	if (s && cs_has(&s->cores, from)) { /* it holds a copy that came from us */
		if (to >= BOOTINFO_MAX_CORES || to == mon_me() || !mon_peer_up((unsigned)to)) {
			r[1] = ERR_CORE_NONE;
		} else {
			struct cap_info ci;
			cap_identify(s->anchor, &ci);
			bool had = cs_has(&s->cores, (unsigned)to);
			struct coreset one = cs_one((unsigned)to);
			cs_add(&s->cores, (unsigned)to); /* in the set before it goes */
			uint64_t d[UMP_PAYLOAD] = {
			    0, s->type | (uint64_t)ci.rights << 8 | (uint64_t)mon_me() << 16,
			    s->base, s->size};
			struct ask a;
			r[1] = ask_all(&one, MON_CAP_DELIVER, MON_CAP_DELIVERED, d, &a);
			if (!r[1] || r[1] == ERR_MON_TIMEOUT)
				delivered(s, to);
			else if (!had)
				cs_del(&s->cores,
				       (unsigned)to); /* (the requester holds one: not empty) */
			r[2] = (2 * a.answers + a.pending) * hops(to) + 2;
		}
	}
	mon_send(from, MON_COPY_REPLY, r);
}

/* Requests from other monitors; one whose object is locked waits for the
   operation in progress. */
static void on_request(unsigned from, uint8_t type, const uint64_t *w)
{
	int op = type == MON_CONNECT ? op_begin(CONNECTING, 1) : op_begin(w[2], w[3]);
	if (op < 0) {
		for (unsigned i = 0; from < BOOTINFO_MAX_CORES && i < DEFERRED; i++)
			if (!deferred[from][i].type) {
				memcpy(deferred[from][i].w, w, sizeof(deferred[from][i].w));
				deferred[from][i].type = type;
				break;
			} /* (none free: cannot happen; the sender times out) */
		return;
	}
	if (type == MON_REVOKE_REQ)
		on_revoke_req(from, w);
	else if (type == MON_RETYPE_REQ)
		on_retype_req(from, w);
	else if (type == MON_CONNECT)
		on_connect(from, w);
	else
		on_copy_req(from, w);
	op_end(op);
}

void capops_deferred(void)
{
	apply_gone();
	for (unsigned k = 0; depth < OPS && k < BOOTINFO_MAX_CORES; k++)
		for (unsigned i = 0; i < DEFERRED; i++)
			if (deferred[k][i].type) {
				uint64_t w[UMP_PAYLOAD];
				uint8_t type = deferred[k][i].type;
				memcpy(w, deferred[k][i].w, sizeof(w));
				deferred[k][i].type = 0;
				on_request(k, type, w); /* deferred again if still locked */
			}
}

/*
 * Core k: a domain we started asks about a capability it has (attached):
 * MONITOR_SHARE (a copy to another core), MONITOR_REVOKE (every copy and
 * descendant goes on every other core; the domain then revokes here, its
 * own copy stays) or MONITOR_RETYPE (the result comes with the answer).
 * Its owner runs it: we, for what was made here, else the owner core's
 * monitor, asked. The answer goes to the domain's endpoint.
 */
static void child_request(capaddr_t dep, const struct lmp_recv *m)
{
	uint64_t w[4] = {ERR_MON_BUSY};
	capaddr_t cap = slot_alloc(), ep = slot_alloc();
	struct cap_info ci;
	bool answered = false;
	struct held *give = NULL;
	/* Answer on a copy of its endpoint of our own: if the domain is killed
	   while we wait for other monitors, the kill deletes the copy too and
	   the answer goes nowhere, not to a domain adopted in its place. */
	if (ep == SLOT_NONE ||
	    cnode_copy(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep), dep, CAP_RIGHTS_ALL)) {
		if (ep != SLOT_NONE)
			slot_free(ep);
		ep = dep;
		w[0] = ERR_NO_SLOTS;
		if (cap != SLOT_NONE)
			slot_free(cap);
		cap = SLOT_NONE;
		mon_drop_recv();
		send_bounded(ep, w, CAPADDR_NONE);
		return;
	}
	bool retype = m->words[0] == MONITOR_RETYPE;
	/* While we wait for another owner (requesting), the domain is told to
	   ask again, and so while its object is locked here. Waiting as a
	   requester we still serve other monitors' requests, so two owners
	   asking each other do not wait on each other. */
	int op = -1;
	if (!take_cap(&cap)) {
		w[0] = ERR_NO_SLOTS;
	} else if (cap_identify(cap, &ci)) {
		w[0] = ERR_CAP_EMPTY;
	} else if (requesting || (ci.owner == mon_me() && (op = op_begin(ci.base, ci.size)) < 0)) {
		w[0] = ERR_MON_BUSY;
	} else if (ci.owner == mon_me() && m->words[0] == MONITOR_SHARE) {
		share(ep, cap, m->words[1], 0); /* ours: this monitor owns what was made here */
		answered = true;		/* share() took the capability and answered */
	} else if (ci.owner == mon_me() && !retype && m->words[1] > MON_REVOKE_STAR) {
		w[0] = ERR_BAD_REQUEST; /* no such way to revoke */
	} else if (ci.owner == mon_me() && !retype && find(ci.type, ci.base, ci.size)) {
		/* ours: revoke it everywhere, here too (w1: how, as MONITOR_REVOKE) */
		revoke(ep, cap, m->words[1], true);
		answered = true; /* as share() */
	} else if (ci.owner == mon_me()) {
		w[0] = ERR_CAP_NOT_FOUND; /* ours and not shared: do it locally */
	} else {
		/* Another core's: its owner gives the copy, revokes or retypes. */
		unsigned owner = ci.owner;
		uint64_t q[UMP_PAYLOAD] = {
		    0,		 ci.type | (retype ? (m->words[3] & 0xff) << 8 : 0),
		    ci.base,	 ci.size,
		    m->words[1], m->words[2]};
		requesting = true;
		if (!mon_peer_up(owner))
			w[0] = ERR_CORE_NONE;
		else if (m->words[0] == MONITOR_SHARE)
			w[0] = mon_ask(owner, MON_COPY_REQ, MON_COPY_REPLY, q, &w[2]);
		else if (retype)
			w[0] = mon_ask(owner, MON_RETYPE_REQ, MON_RETYPE_REPLY, q, NULL);
		else
			w[0] = mon_ask(owner, MON_REVOKE_REQ, MON_REVOKE_REPLY, q, &w[1]);
		requesting = false;
		for (unsigned i = 0; retype && !w[0] && i < HELD && !give; i++) {
			struct held *h = &held[i]; /* the owner delivered the result to us */
			if (h->slot != SLOT_NONE && h->pin && h->type == (uint8_t)m->words[3] &&
			    h->base == ci.base + m->words[1] && h->size == m->words[2])
				give = h;
		}
	}
	if (cap != SLOT_NONE && !answered) {
		cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
		slot_free(cap);
		capops_release(); /* if the domain died meanwhile, ours was its last */
	}
	if (op >= 0)
		op_end(op);
	/* A retype's result goes with the answer: the domain holds it now (and
	   our copy no longer keeps this core in the set by itself). */
	if (!answered && give && ep_send(ep, w, give->slot) == ERR_OK)
		give->pin = false;
	else if (!answered)
		send_bounded(ep, w, CAPADDR_NONE);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
}

static void count(uint64_t client, const uint64_t *w)
{
	errval_t err = w[1] == 0 || w[1] >= BOOTINFO_MAX_CORES || !mon_peer_up((unsigned)w[1])
			   ? ERR_CORE_NONE
			   : 0;
	uint64_t n = 0;
	if (!err) {
		uint64_t q[UMP_PAYLOAD] = {0, w[2], w[3]};
		err = mon_ask((unsigned)w[1], MON_CAP_COUNT, MON_CAP_COUNTED, q, &n);
	}
	reply(client, err, err ? 0 : n, 0, 0);
}

/* MONITOR_CHECK: the invariants here and on every core that answers. */
static void check_all(uint64_t client)
{
	struct coreset cores = {{0}};
	uint64_t n = 1, bad = 0;
	for (unsigned k = 1; k < mon_bootinfo()->ncores; k++)
		if (mon_peer_up(k)) {
			cs_add(&cores, k);
			n++;
		}
	bad = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_CHECK, 0, 0, 0, 0, 0).err != ERR_OK;
	struct ask a = {0};
	uint64_t w[UMP_PAYLOAD] = {0};
	errval_t err = !cs_empty(&cores) ? ask_all(&cores, MON_CHECK, MON_CHECKED, w, &a) : ERR_OK;
	reply(client, err, n, bad + a.sum, 0);
}

/* The capability that came with a request into *slot (allocated by the
   caller, or SLOT_NONE); false, with the slot freed (SLOT_NONE) and the
   receive slot emptied and armed again, if that failed. */
static bool take_cap(capaddr_t *slot)
{
	if (*slot != SLOT_NONE && rpc_take_cap(*slot) == ERR_OK)
		return true;
	if (*slot != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(*slot), 0), 1, CAPADDR_L2(*slot));
		slot_free(*slot);
		*slot = SLOT_NONE;
	}
	mon_drop_recv();
	return false;
}

/* MONITOR_BIND: keep the client's endpoint, give it one of ours. */
static void bind(const struct lmp_recv *m)
{
	capaddr_t ep = slot_alloc();
	if (!take_cap(&ep))
		return; /* nowhere to answer */
	unsigned i = 0;
	for (; i < MON_CLIENTS; i++) {
		struct cap_info ci;
		if (clients[i] && !serving[i] && cap_identify(clients[i], &ci) == ERR_CAP_EMPTY) {
			slot_free(clients[i]); /* its domain is gone */
			clients[i] = 0;
		}
		if (!clients[i])
			break;
	}
	uint64_t w[4] = {ERR_NO_SLOTS};
	capaddr_t mine = SLOT_NONE;
	if (i < MON_CLIENTS && m->words[0] == MONITOR_BIND && (mine = slot_alloc()) != SLOT_NONE) {
		w[0] = cnode_mint(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, MON_BADGE_CLIENT(i));
		if (!w[0])
			clients[i] = ep;
	}
	send_bounded(ep, w, w[0] ? CAPADDR_NONE : mine);
	if (mine != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine));
		slot_free(mine);
	}
	if (w[0]) {
		cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
		slot_free(ep);
	}
}

bool capops_serve(const struct lmp_recv *m)
{
	bool far = mon_me() != 0;
	capaddr_t dep = far ? spawn_ep(m->badge) : SLOT_NONE;
	if (dep != SLOT_NONE) { /* a domain our spawnd built */
		if (m->has_cap && (m->words[0] == MONITOR_REVOKE || m->words[0] == MONITOR_RETYPE ||
				   m->words[0] == MONITOR_SHARE)) {
			child_request(dep, m);
			return true;
		}
		/* (an answer it was asked for is never one of these) */
		uint64_t w[4] = {ERR_BAD_REQUEST};
		if (m->has_cap)
			mon_drop_recv();
		else if (m->words[0] == MONITOR_RELEASE)
			w[0] = release(m->words[1], m->words[2], &w[1]);
		send_bounded(dep, w, CAPADDR_NONE);
		return true;
	}
	if (m->badge == CLIENT_APP) { /* on core k > 0: its spawnd */
		if (m->has_cap)
			bind(m);
		return true;
	}
	if (m->badge < MON_BADGE_CLIENT(0) || m->badge >= MON_BADGE_CLIENT(MON_CLIENTS))
		return false;
	uint64_t client = m->badge - MON_BADGE_CLIENT(0);
	capaddr_t cap = SLOT_NONE;
	if (m->has_cap && (cap = slot_alloc(), !take_cap(&cap))) {
		reply(client, ERR_NO_SLOTS, 0, 0, 0);
		return true;
	}
	/* The object it is about, locked while we serve it (none: size 0). */
	struct cap_info ci = {0};
	if (cap != SLOT_NONE && (m->words[0] == MONITOR_SHARE || m->words[0] == MONITOR_REVOKE))
		cap_identify(cap, &ci);
	if (m->words[0] == MONITOR_COUNT) { /* counts no operation's halfway state */
		ci.base = m->words[2];
		ci.size = m->words[3];
	}
	int op = clients[client] ? op_begin(ci.base, ci.size) : -1;
	if (op < 0) {
		if (cap != SLOT_NONE) {
			cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
			slot_free(cap);
		}
		if (clients[client])
			reply(client, ERR_MON_BUSY, 0, 0, 0);
		return true;
	}
	/* On core k > 0 the client is spawnd: it revokes what it made here
	   (a killed domain's RAM) and introduces the domains it builds. */
	uint64_t what = m->words[0];
	if (far && (what == MONITOR_REVOKE ? ci.owner != mon_me()
					   : what != MONITOR_RELEASE && what != MONITOR_ADOPT))
		what = 0; /* not on this core */
	if (cap != SLOT_NONE && what != MONITOR_SHARE && what != MONITOR_REVOKE &&
	    what != MONITOR_ADOPT) {
		cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
		slot_free(cap);
		cap = SLOT_NONE;
	}
	serving[client] = true; /* its index is not given to a new client meanwhile */
	switch (what) {
	case MONITOR_SHARE: /* share() and revoke() take the capability */
		if (cap != SLOT_NONE)
			share(clients[client], cap, m->words[1], m->words[2]);
		else
			reply(client, ERR_BAD_REQUEST, 0, 0, 0);
		break;
	case MONITOR_REVOKE:
		if (cap != SLOT_NONE && m->words[1] <= MON_REVOKE_STAR) {
			revoke(clients[client], cap, m->words[1], false);
		} else if (cap != SLOT_NONE) {
			cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
			slot_free(cap);
			reply(client, ERR_BAD_REQUEST, 0, 0, 0);
		} else
			reply(client, ERR_BAD_REQUEST, 0, 0, 0);
		break;
	case MONITOR_COUNT:
		count(client, m->words);
		break;
	case MONITOR_SPAWN:
	case MONITOR_DOMAIN: {
		uint64_t v[3] = {0};
		errval_t err = mon_remote_domain(m->words, v);
		if (err)
			memset(v, 0, sizeof(v));
		reply(client, err, v[0], v[1], v[2]);
		break;
	}
	case MONITOR_CHECK:
		check_all(client);
		break;
	case MONITOR_ADOPT: {
		capaddr_t mine = SLOT_NONE;
		unsigned at = 0;
		uint64_t w[4] = {cap == SLOT_NONE ? ERR_BAD_REQUEST
						  : spawn_adopt(m->words[1], cap, &mine, &at)};
		if (w[0] && cap != SLOT_NONE) {
			cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
			slot_free(cap);
		}
		errval_t sent = send_bounded(clients[client], w, w[0] ? CAPADDR_NONE : mine);
		if (sent && !w[0]) { /* it did not get the endpoint: not adopted */
			spawn_forget(at);
			w[0] = sent;
			send_bounded(clients[client], w, CAPADDR_NONE);
		}
		if (mine != SLOT_NONE) {
			cnode_delete(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine));
			slot_free(mine);
		}
		break;
	}
	case MONITOR_RELEASE: {
		uint64_t told = 0;
		errval_t err = release(m->words[1], m->words[2], &told);
		reply(client, err, told, 0, 0);
		break;
	}
	default:
		reply(client, ERR_BAD_REQUEST, 0, 0, 0);
	}
	serving[client] = false;
	op_end(op);
	return true;
}
