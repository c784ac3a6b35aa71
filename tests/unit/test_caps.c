// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/caps, the capability database: the derivation and size
 * tables, copy/mint, retype (every check in its documented order), delete
 * with zombie CNodes, delete_step, revoke in bounded steps, identify,
 * cnode_slots, lookup, the MDB order and its queries, capabilities from
 * other cores (caps_create, owners, remote marks), and the invariant
 * checker (which every test runs after every operation, and which must
 * notice a deliberately corrupted tree). Written against the documentation
 * in caps.h; where the code disagrees, the test follows the documentation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <caps/caps.h>

/* Object memory: 2 MiB, PhysAddr over all of it, RAM over the first 1 MiB
   (the rest stays free under PhysAddr for DevFrames). */
#define ARENA_BASE 0x80000000ull
#define ARENA_SIZE (2u << 20)
#define RAM_SIZE   (1u << 20)
#define NSLOTS	   64
#define MAXEV	   8192
#define OTHER_PA   0x1000ull /* what v2p says for CTEs outside the arena */

enum ev_kind { EV_DELETE, EV_LAST };

struct event {
	enum ev_kind kind;
	struct cte *cte;
	struct capability cap;
};

struct fix {
	struct caps_env env;
	uint8_t *arena;
	struct cte s[NSLOTS]; /* slots outside object memory */
	struct event ev[MAXEV];
	unsigned nev;
	uint64_t next; /* bump allocator inside RAM */
};

static struct fix *fx;

#define ENV  (&fx->env)
#define PHYS (&fx->s[0])
#define RAM  (&fx->s[1])
#define S(i) (&fx->s[(i)])

/* ---- callbacks ---- */

static void *t_p2v(void *ctx, uint64_t pa)
{
	struct fix *f = ctx;
	if (pa < ARENA_BASE || pa - ARENA_BASE >= ARENA_SIZE)
		fail_msg("p2v(%#llx): outside object memory", (unsigned long long)pa);
	return f->arena + (pa - ARENA_BASE);
}

static uint64_t t_v2p(void *ctx, const void *p)
{
	struct fix *f = ctx;
	const uint8_t *b = p;
	if (b >= f->arena && b < f->arena + ARENA_SIZE)
		return ARENA_BASE + (uint64_t)(b - f->arena);
	return OTHER_PA;
}

static void record(struct fix *f, enum ev_kind k, struct cte *c)
{
	if (f->nev >= MAXEV)
		fail_msg("event log full");
	f->ev[f->nev++] = (struct event){k, c, c->cap};
}

static void t_last_copy(void *ctx, struct cte *c)
{
	record(ctx, EV_LAST, c);
}

static void t_on_delete(void *ctx, struct cte *c)
{
	record(ctx, EV_DELETE, c);
}

/* Events of kind k (for CTE c, or any when c is NULL). */
static unsigned nev(enum ev_kind k, const struct cte *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fx->nev; i++)
		if (fx->ev[i].kind == k && (!c || fx->ev[i].cte == c))
			n++;
	return n;
}

/* ---- checking ---- */

#define INV()                                                                                      \
	do {                                                                                       \
		const char *why_ = caps_check_invariants(ENV);                                     \
		if (why_)                                                                          \
			fail_msg("invariant broken: %s", why_);                                    \
	} while (0)

/* Run an operation, require its result, then the invariants. */
#define EXPECT(call, want)                                                                         \
	do {                                                                                       \
		errval_t got_ = (call), want_ = (want);                                            \
		if (got_ != want_)                                                                 \
			fail_msg("%s\n  got  %s\n  want %s", #call, err_str(got_),                 \
				 err_str(want_));                                                  \
		INV();                                                                             \
	} while (0)

#define OK(call) EXPECT(call, ERR_OK)

/* ---- fixture ---- */

static bool other_class(uint8_t t)
{
	return t == OBJ_KERNEL || t == OBJ_IRQ || t == OBJ_ID || t == OBJ_NOTIFY;
}

static int setup(void **state)
{
	fx = calloc(1, sizeof(*fx));
	fx->arena = aligned_alloc(4096, ARENA_SIZE);
	if (!fx || !fx->arena)
		return -1;
	memset(fx->arena, 0, ARENA_SIZE);
	caps_env_init(ENV, t_p2v, t_last_copy, fx);
	fx->env.on_delete = t_on_delete;
	fx->env.v2p = t_v2p;
	PHYS->cap = (struct capability){
	    .type = OBJ_PHYSADDR, .rights = CAP_RIGHTS_ALL, .base = ARENA_BASE, .size = ARENA_SIZE};
	mdb_insert(ENV, PHYS);
	if (caps_retype(ENV, PHYS, OBJ_RAM, 0, RAM_SIZE, 1, RAM) != ERR_OK ||
	    caps_check_invariants(ENV))
		return -1;
	fx->nev = 0;
	*state = fx;
	return 0;
}

/* Everything left must go with the zombies and a revoke of the root. */
static int teardown(void **state)
{
	(void)state;
	int bad = 0;
	for (unsigned i = 0; i < NSLOTS; i++)
		if (other_class(S(i)->cap.type) && !(S(i)->mdb.flags & MDB_ZOMBIE))
			caps_delete(ENV, S(i));
	if (caps_delete_step(ENV, ~0u) != ERR_OK)
		bad = 1;
	else if (caps_revoke(ENV, PHYS, ~0u) != ERR_OK)
		bad = 2;
	else if (caps_check_invariants(ENV))
		bad = 3;
	else if (fx->env.count != 1 || fx->env.zombies || mdb_first(ENV) != PHYS)
		bad = 4;
	for (unsigned i = 0; !bad && i < ARENA_SIZE; i++)
		if (fx->arena[i])
			bad = 5; /* a CTE left behind in CNode memory */
	if (bad)
		fprintf(stderr, "teardown: database not clean (%d)\n", bad);
	free(fx->arena);
	free(fx);
	fx = NULL;
	return bad ? -1 : 0;
}

/* ---- helpers ---- */

/* Offset (from RAM's base) of size fresh bytes of RAM. */
static uint64_t take(uint64_t size)
{
	uint64_t off = fx->next;
	fx->next += (size + OBJSIZE_PAGE - 1) / OBJSIZE_PAGE * OBJSIZE_PAGE;
	assert_true(fx->next <= RAM_SIZE);
	return off;
}

/* A fresh object of type t from RAM in dest. */
static struct cte *make(enum objtype t, uint64_t size, struct cte *dest)
{
	OK(caps_retype(ENV, RAM, t, take(size), size, 1, dest));
	return dest;
}

static struct cte *slot_of(const struct cte *cn, unsigned i)
{
	uint64_t n;
	struct cte *s = caps_cnode_slots(ENV, &cn->cap, &n);
	assert_true(i < n);
	return &s[i];
}

static bool is_empty(const struct cte *c)
{
	static const struct cte zero;
	return memcmp(c, &zero, sizeof(zero)) == 0;
}

static bool is_zombie(const struct cte *c)
{
	return c->cap.type != OBJ_NULL && (c->mdb.flags & MDB_ZOMBIE);
}

static void insert_raw(struct cte *c, enum objtype t, uint64_t base, uint64_t size)
{
	assert_true(is_empty(c));
	c->cap = (struct capability){
	    .type = (uint8_t)t, .rights = CAP_RIGHTS_ALL, .base = base, .size = size};
	mdb_insert(ENV, c);
	INV();
}

/* caps_delete_step(budget) until ERR_OK; no call deletes more than budget
   CTEs. Returns the number of calls. */
static unsigned drain(unsigned budget)
{
	unsigned calls = 0;
	errval_t err;
	do {
		uint64_t before = fx->env.count;
		unsigned dels = nev(EV_DELETE, NULL);
		err = caps_delete_step(ENV, budget);
		INV();
		assert_true(fx->env.count <= before && before - fx->env.count <= budget);
		assert_true(nev(EV_DELETE, NULL) - dels <= budget);
		if (err != ERR_CAP_PENDING && err != ERR_OK)
			fail_msg("caps_delete_step: %s", err_str(err));
		assert_true(++calls < 1000000);
	} while (err == ERR_CAP_PENDING);
	assert_null(fx->env.zombies);
	return calls;
}

/* caps_revoke(c, budget) until it is not pending; every call makes
   progress and deletes at most budget CTEs. Returns the number of calls. */
static unsigned revoke_all(struct cte *c, unsigned budget, errval_t want)
{
	unsigned calls = 0;
	errval_t err;
	do {
		uint64_t before = fx->env.count;
		unsigned dels = nev(EV_DELETE, NULL), lasts = nev(EV_LAST, NULL);
		err = caps_revoke(ENV, c, budget);
		INV();
		assert_true(fx->env.count <= before && before - fx->env.count <= budget);
		assert_true(nev(EV_DELETE, NULL) - dels <= budget);
		if (err == ERR_CAP_PENDING) /* something happened */
			assert_true(nev(EV_DELETE, NULL) + nev(EV_LAST, NULL) > dels + lasts ||
				    fx->env.zombies);
		assert_true(++calls < 1000000);
	} while (err == ERR_CAP_PENDING);
	if (err != want)
		fail_msg("revoke ended with %s, want %s", err_str(err), err_str(want));
	return calls;
}

/* ---- tables ---- */

static bool ref_can_retype(unsigned s, unsigned d)
{
	switch (s) {
	case OBJ_PHYSADDR:
		return d == OBJ_RAM || d == OBJ_DEVFRAME;
	case OBJ_RAM:
		return d == OBJ_RAM || d == OBJ_FRAME || d == OBJ_L1CNODE || d == OBJ_L2CNODE ||
		       d == OBJ_VNODE_L2 || d == OBJ_VNODE_L1 || d == OBJ_VNODE_L0 ||
		       d == OBJ_DISPATCHER || d == OBJ_KCB;
	case OBJ_FRAME:
		return d == OBJ_FRAME;
	case OBJ_DEVFRAME:
		return d == OBJ_DEVFRAME;
	case OBJ_DISPATCHER:
		return d == OBJ_ENDPOINT;
	default:
		return false;
	}
}

static void test_type_names(void **state)
{
	(void)state;
	static const char *const want[OBJ_TYPE_COUNT] = {
	    "Null",    "PhysAddr", "RAM",      "DevFrame", "Frame",	 "L1CNode",
	    "L2CNode", "VNode_L2", "VNode_L1", "VNode_L0", "Dispatcher", "Endpoint",
	    "Kernel",  "IRQ",	   "ID",       "KCB",	   "Notify"};
	for (unsigned t = 0; t < OBJ_TYPE_COUNT; t++)
		assert_string_equal(caps_type_name((enum objtype)t), want[t]);
	assert_string_equal(caps_type_name(OBJ_TYPE_COUNT), "Invalid");
	assert_string_equal(caps_type_name((enum objtype)200), "Invalid");
}

/* The derivation table of docs/capabilities.md, every pair. */
static void test_can_retype_table(void **state)
{
	(void)state;
	for (unsigned s = 0; s <= OBJ_TYPE_COUNT; s++)
		for (unsigned d = 0; d <= OBJ_TYPE_COUNT; d++)
			if (caps_can_retype((enum objtype)s, (enum objtype)d) !=
			    ref_can_retype(s, d))
				fail_msg("caps_can_retype(%s, %s) wrong",
					 caps_type_name((enum objtype)s),
					 caps_type_name((enum objtype)d));
}

static void test_objsize_ok_table(void **state)
{
	(void)state;
	static const struct {
		enum objtype t;
		uint64_t sz;
		bool ok;
	} rows[] = {
	    {OBJ_RAM, 4096, true},
	    {OBJ_RAM, 3 * 4096, true},
	    {OBJ_RAM, 1ull << 40, true},
	    {OBJ_RAM, 0, false},
	    {OBJ_RAM, 4095, false},
	    {OBJ_RAM, 4097, false},
	    {OBJ_RAM, 2048, false},
	    {OBJ_FRAME, 4096, true},
	    {OBJ_FRAME, 5 * 4096, true},
	    {OBJ_FRAME, 0, false},
	    {OBJ_FRAME, 6000, false},
	    {OBJ_DEVFRAME, 8192, true},
	    {OBJ_DEVFRAME, 100, false},
	    {OBJ_L2CNODE, OBJSIZE_L2CNODE, true},
	    {OBJ_L2CNODE, OBJSIZE_L2CNODE / 2, false},
	    {OBJ_L2CNODE, OBJSIZE_L2CNODE * 2, false},
	    {OBJ_L1CNODE, OBJSIZE_L2CNODE, true},
	    {OBJ_L1CNODE, OBJSIZE_L2CNODE * 4, true},
	    {OBJ_L1CNODE, 1ull << 30, true}, /* 2^24 L1 slots: every capaddr */
	    {OBJ_L1CNODE, 1ull << 31, false},
	    {OBJ_L1CNODE, OBJSIZE_L2CNODE / 2, false},
	    {OBJ_L1CNODE, OBJSIZE_L2CNODE * 3, false},
	    {OBJ_L1CNODE, 0, false},
	    {OBJ_VNODE_L2, OBJSIZE_VNODE, true},
	    {OBJ_VNODE_L1, OBJSIZE_VNODE, true},
	    {OBJ_VNODE_L0, OBJSIZE_VNODE, true},
	    {OBJ_VNODE_L0, 4096, false},
	    {OBJ_VNODE_L1, 2 * OBJSIZE_VNODE, false},
	    {OBJ_DISPATCHER, OBJSIZE_DISPATCHER, true},
	    {OBJ_DISPATCHER, 2 * OBJSIZE_DISPATCHER, false},
	    {OBJ_DISPATCHER, 0, false},
	    {OBJ_ENDPOINT, 0, true},
	    {OBJ_ENDPOINT, 4096, false},
	    {OBJ_NULL, 0, false},
	    {OBJ_NULL, 4096, false},
	    {OBJ_PHYSADDR, 4096, false},
	    {OBJ_KERNEL, 1, false},
	    {OBJ_IRQ, 1, false},
	    {OBJ_ID, 1, false},
	    {OBJ_KCB, 4096, true},
	    {OBJ_KCB, 3 * 4096, true},
	    {OBJ_KCB, 4095, false},
	    {OBJ_KCB, 0, false},
	    {OBJ_NOTIFY, 0, false},
	    {OBJ_NOTIFY, 1, false},
	    {OBJ_NOTIFY, 4096, false},
	    {OBJ_TYPE_COUNT, 4096, false},
	};
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (caps_objsize_ok(rows[i].t, rows[i].sz) != rows[i].ok)
			fail_msg("caps_objsize_ok(%s, %llu) != %d", caps_type_name(rows[i].t),
				 (unsigned long long)rows[i].sz, rows[i].ok);
}

/* ---- copy and mint ---- */

static void test_copy_makes_a_copy(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(2));
	f->mdb.owner = 3;
	uint64_t n = fx->env.count;
	OK(caps_copy(ENV, S(3), f, CAP_RIGHTS_ALL, 0));
	assert_int_equal(fx->env.count, n + 1);
	assert_memory_equal(&S(3)->cap, &f->cap, sizeof(f->cap));
	assert_int_equal(S(3)->mdb.owner, 3);
	assert_true(caps_is_copy(&S(3)->cap, &f->cap));
	assert_true(mdb_has_copies(ENV, f) && mdb_has_copies(ENV, S(3)));
	assert_false(mdb_has_descendants(ENV, f));
	assert_int_equal(fx->nev, 0);
}

static void test_copy_never_widens_rights(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4096, S(2));
	for (unsigned r = 0; r <= CAP_RIGHTS_ALL; r++) {
		OK(caps_copy(ENV, S(3), f, (uint8_t)r, 0));
		assert_int_equal(S(3)->cap.rights, r);
		for (unsigned m = 0; m <= 0xff; m++) {
			OK(caps_copy(ENV, S(4), S(3), (uint8_t)m, 0));
			assert_int_equal(S(4)->cap.rights, r & m);
			OK(caps_delete(ENV, S(4)));
		}
		OK(caps_delete(ENV, S(3)));
	}
	assert_int_equal(f->cap.rights, CAP_RIGHTS_ALL);
}

/* Flags and a mapping belong to one CTE. */
static void test_copy_does_not_copy_flags(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4096, S(2));
	f->cap.flags = CAPF_MAPPED;
	f->cap.extra = 5;
	f->cap.badge = 0x80001000; /* its first PTE */
	OK(caps_copy(ENV, S(3), f, CAP_RIGHTS_ALL, 0));
	assert_int_equal(S(3)->cap.flags, 0);
	assert_int_equal(S(3)->cap.extra, 0);
	assert_int_equal(S(3)->cap.badge, 0);
	assert_int_equal(f->cap.flags, CAPF_MAPPED);
	assert_int_equal(f->cap.extra, 5);
	f->cap.flags = 0;
	f->cap.extra = 0;
	f->cap.badge = 0;

	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(4));
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(5)));
	OK(caps_copy(ENV, S(6), S(5), CAP_RIGHTS_ALL, 9));
	S(6)->cap.flags = CAPF_IRQ_BINDING;
	OK(caps_copy(ENV, S(7), S(6), CAP_RIGHTS_ALL, 0));
	assert_int_equal(S(7)->cap.flags, 0);
	assert_int_equal(S(7)->cap.badge, 9);

	struct cte *cn = make(OBJ_L1CNODE, OBJSIZE_L2CNODE, S(8));
	cn->cap.flags = CAPF_DCB_ROOT;
	OK(caps_copy(ENV, S(9), cn, CAP_RIGHTS_ALL, 0));
	assert_int_equal(S(9)->cap.flags, 0);
	S(6)->cap.flags = 0;
	cn->cap.flags = 0;
}

static void test_mint_badges_unbadged_endpoint(void **state)
{
	(void)state;
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(3)));
	assert_int_equal(S(3)->cap.badge, 0);
	OK(caps_copy(ENV, S(4), S(3), CAP_RIGHT_WRITE | CAP_RIGHT_GRANT, 42));
	assert_int_equal(S(4)->cap.badge, 42);
	assert_int_equal(S(4)->cap.rights, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	assert_int_equal(S(3)->cap.badge, 0);
	struct cap_info ci;
	OK(caps_identify(S(4), &ci));
	assert_int_equal(ci.badge, 42);
	/* copying a badged endpoint keeps its badge */
	OK(caps_copy(ENV, S(5), S(4), CAP_RIGHTS_ALL, 0));
	assert_int_equal(S(5)->cap.badge, 42);
	assert_int_equal(S(5)->cap.rights, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT);
	/* another badge from the unbadged original */
	OK(caps_copy(ENV, S(6), S(3), CAP_RIGHTS_ALL, 7));
	assert_int_equal(S(6)->cap.badge, 7);
}

static void test_mint_badged_endpoint_refused(void **state)
{
	(void)state;
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(3)));
	OK(caps_copy(ENV, S(4), S(3), CAP_RIGHTS_ALL, 42));
	uint64_t n = fx->env.count;
	EXPECT(caps_copy(ENV, S(5), S(4), CAP_RIGHTS_ALL, 43), ERR_CAP_RIGHTS);
	EXPECT(caps_copy(ENV, S(5), S(4), CAP_RIGHTS_ALL, 42), ERR_CAP_RIGHTS);
	assert_true(is_empty(S(5)));
	assert_int_equal(fx->env.count, n);
	assert_int_equal(S(4)->cap.badge, 42);
}

static void test_mint_non_endpoint_refused(void **state)
{
	(void)state;
	make(OBJ_FRAME, 4096, S(2));
	make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(3));
	make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(4));
	make(OBJ_VNODE_L0, OBJSIZE_VNODE, S(5));
	insert_raw(S(6), OBJ_IRQ, 5, 1);
	struct cte *src[] = {PHYS, RAM, S(2), S(3), S(4), S(5), S(6)};
	uint64_t n = fx->env.count;
	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		EXPECT(caps_copy(ENV, S(10), src[i], CAP_RIGHTS_ALL, 1), ERR_CAP_RIGHTS);
		assert_true(is_empty(S(10)));
	}
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, 0);
}

static void test_copy_empty_src(void **state)
{
	(void)state;
	uint64_t n = fx->env.count;
	EXPECT(caps_copy(ENV, S(3), S(2), CAP_RIGHTS_ALL, 0), ERR_CAP_EMPTY);
	EXPECT(caps_copy(ENV, S(3), S(2), CAP_RIGHTS_ALL, 5), ERR_CAP_EMPTY);
	assert_true(is_empty(S(3)));
	assert_int_equal(fx->env.count, n);
}

static void test_copy_occupied_dest(void **state)
{
	(void)state;
	make(OBJ_FRAME, 4096, S(2));
	make(OBJ_FRAME, 4096, S(3));
	struct cte before = *S(3);
	uint64_t n = fx->env.count;
	EXPECT(caps_copy(ENV, S(3), S(2), CAP_RIGHTS_ALL, 0), ERR_CAP_OCCUPIED);
	EXPECT(caps_copy(ENV, S(2), S(2), CAP_RIGHTS_ALL, 0), ERR_CAP_OCCUPIED);
	assert_memory_equal(S(3), &before, sizeof(before));
	assert_int_equal(fx->env.count, n);
}

/* A CNode holding a frame, its last copy deleted: a zombie in S(zslot). */
static struct cte *make_zombie(unsigned zslot, unsigned fslot)
{
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(zslot));
	make(OBJ_FRAME, 4096, S(fslot));
	OK(caps_copy(ENV, slot_of(c, 9), S(fslot), CAP_RIGHTS_ALL, 0));
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	assert_true(is_zombie(c));
	assert_ptr_equal(fx->env.zombies, c);
	return c;
}

static void test_copy_zombie_src_busy(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	uint64_t n = fx->env.count;
	EXPECT(caps_copy(ENV, S(4), z, CAP_RIGHTS_ALL, 0), ERR_CAP_BUSY);
	EXPECT(caps_copy(ENV, S(4), z, CAP_RIGHTS_ALL, 1), ERR_CAP_BUSY);
	assert_true(is_empty(S(4)));
	assert_int_equal(fx->env.count, n);
	drain(1);
}

/* ---- retype ---- */

static void test_retype_into_each_type(void **state)
{
	(void)state;
	static const struct {
		enum objtype t;
		uint64_t size;
		uint32_t count;
	} rows[] = {
	    {OBJ_RAM, 2 * 4096, 2},
	    {OBJ_FRAME, 4096, 3},
	    {OBJ_L1CNODE, 2 * OBJSIZE_L2CNODE, 1},
	    {OBJ_L2CNODE, OBJSIZE_L2CNODE, 2},
	    {OBJ_VNODE_L2, OBJSIZE_VNODE, 1},
	    {OBJ_VNODE_L1, OBJSIZE_VNODE, 1},
	    {OBJ_VNODE_L0, OBJSIZE_VNODE, 2},
	    {OBJ_DISPATCHER, OBJSIZE_DISPATCHER, 2},
	};
	RAM->mdb.owner = 2; /* children inherit the owner; only core 2 may retype */
	fx->env.core = 2;
	unsigned slot = 2;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t n = fx->env.count, off = take(rows[i].size * rows[i].count);
		OK(caps_retype(ENV, RAM, rows[i].t, off, rows[i].size, rows[i].count, S(slot)));
		assert_int_equal(fx->env.count, n + rows[i].count);
		for (uint32_t k = 0; k < rows[i].count; k++, slot++) {
			const struct capability *c = &S(slot)->cap;
			assert_int_equal(c->type, rows[i].t);
			assert_int_equal(c->base, RAM->cap.base + off + k * rows[i].size);
			assert_int_equal(c->size, rows[i].size);
			assert_int_equal(c->rights, CAP_RIGHTS_ALL);
			assert_int_equal(c->flags, 0);
			assert_int_equal(c->badge, 0);
			assert_int_equal(S(slot)->mdb.owner, 2);
			assert_true(caps_is_descendant(c, &RAM->cap));
			assert_false(mdb_has_copies(ENV, S(slot)));
		}
	}
	assert_true(mdb_has_descendants(ENV, RAM));
	assert_int_equal(fx->nev, 0);
}

/* Children carry the source's rights. */
static void test_retype_children_get_src_rights(void **state)
{
	(void)state;
	OK(caps_copy(ENV, S(2), RAM, CAP_RIGHT_WRITE | CAP_RIGHT_READ, 0));
	OK(caps_retype(ENV, S(2), OBJ_FRAME, 0, 4096, 2, S(3)));
	assert_int_equal(S(3)->cap.rights, CAP_RIGHT_WRITE | CAP_RIGHT_READ);
	assert_int_equal(S(4)->cap.rights, CAP_RIGHT_WRITE | CAP_RIGHT_READ);
}

static void test_retype_physaddr_and_frames(void **state)
{
	(void)state;
	/* PhysAddr above RAM: DevFrame and RAM */
	OK(caps_retype(ENV, PHYS, OBJ_DEVFRAME, RAM_SIZE, 4 * 4096, 1, S(2)));
	OK(caps_retype(ENV, PHYS, OBJ_RAM, RAM_SIZE + 4 * 4096, 4096, 1, S(3)));
	EXPECT(caps_retype(ENV, PHYS, OBJ_FRAME, RAM_SIZE + 8 * 4096, 4096, 1, S(4)),
	       ERR_CAP_DERIVE);
	/* DevFrame and Frame split into smaller pieces of themselves */
	OK(caps_retype(ENV, S(2), OBJ_DEVFRAME, 4096, 4096, 2, S(4)));
	assert_int_equal(S(5)->cap.base, ARENA_BASE + RAM_SIZE + 2 * 4096);
	EXPECT(caps_retype(ENV, S(2), OBJ_FRAME, 0, 4096, 1, S(6)), ERR_CAP_DERIVE);
	struct cte *f = make(OBJ_FRAME, 4 * 4096, S(6));
	OK(caps_retype(ENV, f, OBJ_FRAME, 3 * 4096, 4096, 1, S(7)));
	assert_true(caps_is_descendant(&S(7)->cap, &f->cap));
	EXPECT(caps_retype(ENV, f, OBJ_RAM, 0, 4096, 1, S(8)), ERR_CAP_DERIVE);
	/* PhysAddr's RAM part is taken by the fixture's RAM */
	EXPECT(caps_retype(ENV, PHYS, OBJ_RAM, 0, 4096, 1, S(8)), ERR_CAP_OVERLAP);
}

static void test_retype_empty_src(void **state)
{
	(void)state;
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, S(2), OBJ_FRAME, 0, 4096, 1, S(3)), ERR_CAP_EMPTY);
	/* before every later check */
	EXPECT(caps_retype(ENV, S(2), OBJ_KERNEL, 7, 1, 0, RAM), ERR_CAP_EMPTY);
	assert_true(is_empty(S(3)));
	assert_int_equal(fx->env.count, n);
}

static void test_retype_zombie_src(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	EXPECT(caps_retype(ENV, z, OBJ_FRAME, 0, 4096, 1, S(4)), ERR_CAP_BUSY);
	EXPECT(caps_retype(ENV, z, OBJ_KERNEL, 7, 1, 0, RAM), ERR_CAP_BUSY);
	assert_true(is_empty(S(4)));
	drain(3);
}

static void test_retype_needs_write(void **state)
{
	(void)state;
	OK(caps_copy(ENV, S(2), RAM, CAP_RIGHTS_ALL & ~CAP_RIGHT_WRITE, 0));
	EXPECT(caps_retype(ENV, S(2), OBJ_FRAME, 0, 4096, 1, S(3)), ERR_CAP_RIGHTS);
	/* before derivation, size, count, alignment, range and dest */
	EXPECT(caps_retype(ENV, S(2), OBJ_KERNEL, 7, 1, 0, RAM), ERR_CAP_RIGHTS);
	assert_true(is_empty(S(3)));
	/* WRITE alone is enough */
	OK(caps_copy(ENV, S(4), RAM, CAP_RIGHT_WRITE, 0));
	OK(caps_retype(ENV, S(4), OBJ_FRAME, take(4096), 4096, 1, S(3)));
	/* and the dispatcher needs it for endpoints */
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(5));
	OK(caps_copy(ENV, S(6), d, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0));
	EXPECT(caps_retype(ENV, S(6), OBJ_ENDPOINT, 0, 0, 1, S(7)), ERR_CAP_RIGHTS);
}

/* One capability of every type, in S(2) upwards; returns how many. */
static unsigned one_of_each(struct cte **out)
{
	unsigned n = 0;
	out[n++] = PHYS;
	out[n++] = RAM;
	out[n++] = make(OBJ_RAM, 4 * 4096, S(2));
	out[n++] = make(OBJ_FRAME, 4 * 4096, S(3));
	OK(caps_retype(ENV, PHYS, OBJ_DEVFRAME, RAM_SIZE, 4 * 4096, 1, S(4)));
	out[n++] = S(4);
	out[n++] = make(OBJ_L1CNODE, OBJSIZE_L2CNODE, S(5));
	out[n++] = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(6));
	out[n++] = make(OBJ_VNODE_L2, OBJSIZE_VNODE, S(7));
	out[n++] = make(OBJ_VNODE_L1, OBJSIZE_VNODE, S(8));
	out[n++] = make(OBJ_VNODE_L0, OBJSIZE_VNODE, S(9));
	out[n++] = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(10));
	OK(caps_retype(ENV, S(10), OBJ_ENDPOINT, 0, 0, 1, S(11)));
	out[n++] = S(11);
	insert_raw(S(12), OBJ_KERNEL, 0, 1);
	out[n++] = S(12);
	insert_raw(S(13), OBJ_IRQ, 3, 1);
	out[n++] = S(13);
	insert_raw(S(14), OBJ_ID, 77, 1);
	out[n++] = S(14);
	return n;
}

static void test_retype_derivation_refused(void **state)
{
	(void)state;
	struct cte *src[OBJ_TYPE_COUNT];
	unsigned n = one_of_each(src);
	uint64_t count = fx->env.count;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned t = 0; t <= OBJ_TYPE_COUNT; t++) {
			if (ref_can_retype(src[i]->cap.type, t))
				continue;
			/* with a valid request otherwise ... */
			uint64_t sz = t == OBJ_ENDPOINT ? 0 : 4096;
			EXPECT(caps_retype(ENV, src[i], (enum objtype)t, 0, sz, 1, S(20)),
			       ERR_CAP_DERIVE);
			/* ... and before size, count, alignment, range and dest */
			EXPECT(caps_retype(ENV, src[i], (enum objtype)t, 7, 1, 0, RAM),
			       ERR_CAP_DERIVE);
		}
	}
	assert_true(is_empty(S(20)));
	assert_int_equal(fx->env.count, count);
	assert_int_equal(fx->nev, 0);
}

static void test_retype_bad_objsize(void **state)
{
	(void)state;
	static const struct {
		enum objtype t;
		uint64_t size;
	} rows[] = {
	    {OBJ_RAM, 0},
	    {OBJ_RAM, 100},
	    {OBJ_RAM, 4096 + 512},
	    {OBJ_FRAME, 0},
	    {OBJ_FRAME, 2048},
	    {OBJ_L1CNODE, OBJSIZE_L2CNODE / 2},
	    {OBJ_L1CNODE, 3 * OBJSIZE_L2CNODE},
	    {OBJ_L1CNODE, 1ull << 31},
	    {OBJ_L2CNODE, 2 * OBJSIZE_L2CNODE},
	    {OBJ_L2CNODE, 4096},
	    {OBJ_VNODE_L2, 4096},
	    {OBJ_VNODE_L1, 2 * OBJSIZE_VNODE},
	    {OBJ_VNODE_L0, 0},
	    {OBJ_DISPATCHER, 2 * OBJSIZE_DISPATCHER},
	    {OBJ_DISPATCHER, 0},
	};
	uint64_t n = fx->env.count;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		EXPECT(caps_retype(ENV, RAM, rows[i].t, 0, rows[i].size, 1, S(2)), ERR_CAP_SIZE);
		/* before count, alignment, range and dest */
		EXPECT(caps_retype(ENV, RAM, rows[i].t, 7, rows[i].size, 0, RAM), ERR_CAP_SIZE);
	}
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(3));
	n++;
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 4096, 1, S(2)), ERR_CAP_SIZE);
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 1, 1, S(2)), ERR_CAP_SIZE);
	/* an object of the source's own type and size would be a copy */
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 0, RAM_SIZE, 1, S(2)), ERR_CAP_SIZE);
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(4));
	n++;
	EXPECT(caps_retype(ENV, f, OBJ_FRAME, 0, 2 * 4096, 1, S(2)), ERR_CAP_SIZE);
	assert_true(is_empty(S(2)));
	assert_int_equal(fx->env.count, n);
}

static void test_retype_count_zero(void **state)
{
	(void)state;
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 0, 4096, 0, S(2)), ERR_CAP_SIZE);
	/* before alignment, range and dest */
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 7, 4096, 0, RAM), ERR_CAP_SIZE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 2 * RAM_SIZE, 4096, 0, RAM), ERR_CAP_SIZE);
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(3));
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 0, S(2)), ERR_CAP_SIZE);
	assert_true(is_empty(S(2)));
	assert_int_equal(fx->env.count, n + 1);
}

static void test_retype_misaligned(void **state)
{
	(void)state;
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 4096 + 7, 4096, 1, S(2)), ERR_CAP_ALIGN);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 2048, 4096, 1, S(2)), ERR_CAP_ALIGN);
	/* before range and dest */
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 2 * RAM_SIZE + 1, 4096, 1, RAM), ERR_CAP_ALIGN);
	/* a misaligned size is an invalid size: that check comes first */
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 0, 4096 + 2048, 1, S(2)), ERR_CAP_SIZE);
	/* endpoints: offset 0 */
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(3));
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 4096, 0, 1, S(2)), ERR_CAP_ALIGN);
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 1, 0, 1, RAM), ERR_CAP_ALIGN);
	assert_true(is_empty(S(2)));
	assert_int_equal(fx->env.count, n + 1);
}

static void test_retype_range_outside_src(void **state)
{
	(void)state;
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, RAM_SIZE, 4096, 1, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 2 * RAM_SIZE, 4096, 1, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, RAM_SIZE - 4096, 2 * 4096, 1, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, RAM_SIZE - 4096, 4096, 2, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 0, 2 * RAM_SIZE, 1, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, ~0ull & ~4095ull, 4096, 1, S(2)), ERR_CAP_RANGE);
	/* count * objsize wraps around to 0 */
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 0, 1ull << 40, 1u << 24, S(2)), ERR_CAP_RANGE);
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 4096, 1ull << 52, 1u << 12, S(2)), ERR_CAP_RANGE);
	/* before overlap and dest */
	make(OBJ_FRAME, 4096, S(3));
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 0, 2 * RAM_SIZE, 1, S(3)), ERR_CAP_RANGE);
	assert_true(is_empty(S(2)));
	assert_int_equal(fx->env.count, n + 1);
	/* the last page exactly fits */
	OK(caps_retype(ENV, RAM, OBJ_FRAME, RAM_SIZE - 4096, 4096, 1, S(2)));
}

static void test_retype_overlap_live_descendant(void **state)
{
	(void)state;
	uint64_t k = 64 * 1024;
	OK(caps_retype(ENV, RAM, OBJ_FRAME, k, 2 * 4096, 1, S(2))); /* [64K, 72K) */
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, k - 4096, 2 * 4096, 1, S(3)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, k + 4096, 4096, 1, S(3)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, k, 2 * 4096, 1, S(3)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 0, 2 * k, 1, S(3)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, k - 3 * 4096, 4096, 4, S(3)), ERR_CAP_OVERLAP);
	/* before dest */
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, k, 4096, 1, S(2)), ERR_CAP_OVERLAP);
	/* a copy of the source has the same descendants */
	OK(caps_copy(ENV, S(4), RAM, CAP_RIGHTS_ALL, 0));
	n++;
	EXPECT(caps_retype(ENV, S(4), OBJ_FRAME, k, 4096, 1, S(3)), ERR_CAP_OVERLAP);
	assert_true(is_empty(S(3)));
	assert_int_equal(fx->env.count, n);
	/* next to it is fine */
	OK(caps_retype(ENV, RAM, OBJ_FRAME, k - 4096, 4096, 1, S(3)));
	OK(caps_retype(ENV, S(4), OBJ_FRAME, k + 2 * 4096, 4096, 1, S(5)));
	/* a grandchild blocks even when its parent is gone */
	OK(caps_retype(ENV, RAM, OBJ_RAM, 2 * k, k, 1, S(6)));
	OK(caps_retype(ENV, S(6), OBJ_FRAME, 4096, 4096, 1, S(7)));
	OK(caps_delete(ENV, S(6)));
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, 2 * k, k, 1, S(6)), ERR_CAP_OVERLAP);
	OK(caps_retype(ENV, RAM, OBJ_RAM, 2 * k + 2 * 4096, k - 2 * 4096, 1, S(6)));
	/* and a deleted descendant frees its range */
	OK(caps_delete(ENV, S(2)));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, k, 4096, 2, S(8)));
}

static void test_retype_overlap_zombie(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	uint64_t zoff = z->cap.base - RAM->cap.base, n = fx->env.count;
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, zoff, 4096, 1, S(4)), ERR_CAP_BUSY);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, zoff + OBJSIZE_L2CNODE - 4096, 4096, 1, S(4)),
	       ERR_CAP_BUSY);
	EXPECT(caps_retype(ENV, RAM, OBJ_L2CNODE, zoff, OBJSIZE_L2CNODE, 1, S(4)), ERR_CAP_BUSY);
	/* before dest */
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, zoff, 4096, 1, S(3)), ERR_CAP_BUSY);
	/* a live descendant in the range is reported first */
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, zoff, 2 * OBJSIZE_L2CNODE, 1, S(4)), ERR_CAP_OVERLAP);
	assert_true(is_empty(S(4)));
	assert_int_equal(fx->env.count, n);
	/* elsewhere is fine, and once the zombie is gone so is its memory */
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, S(4)));
	drain(1);
	OK(caps_retype(ENV, RAM, OBJ_L2CNODE, zoff, OBJSIZE_L2CNODE, 1, S(5)));
}

/* A zombie's own CTE in memory no capability covers any more (as the cspace
   root inside a destroyed dispatcher): retype must not hand it out (v2p). */
static void test_retype_overlap_zombie_cte(void **state)
{
	(void)state;
	struct cte *cn = make(OBJ_L1CNODE, OBJSIZE_L2CNODE, S(3));
	make(OBJ_FRAME, 4096, S(4));
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	uint64_t doff = d->cap.base - RAM->cap.base;
	struct cte *root = (struct cte *)t_p2v(fx, d->cap.base) + 3;
	OK(caps_copy(ENV, slot_of(cn, 1), S(4), CAP_RIGHTS_ALL, 0));
	OK(caps_copy(ENV, root, cn, CAP_RIGHTS_ALL, 0));
	OK(caps_delete(ENV, cn));
	EXPECT(caps_delete(ENV, root), ERR_CAP_PENDING);
	OK(caps_delete(ENV, d));
	assert_int_equal(root->cap.type, OBJ_L1CNODE);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, doff, 4096, 1, S(2)), ERR_CAP_BUSY);
	EXPECT(caps_retype(ENV, RAM, OBJ_RAM, doff, 4 * 4096, 1, S(2)), ERR_CAP_BUSY);
	assert_true(is_empty(S(2)));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, doff + 4096, 4096, 1, S(2)));
	drain(1);
	OK(caps_retype(ENV, RAM, OBJ_FRAME, doff, 4096, 1, S(5)));
}

static void test_retype_occupied_dest(void **state)
{
	(void)state;
	make(OBJ_FRAME, 4096, S(4));
	uint64_t n = fx->env.count, off = take(3 * 4096);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, off, 4096, 3, S(2)), ERR_CAP_OCCUPIED);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, off, 4096, 1, S(4)), ERR_CAP_OCCUPIED);
	assert_true(is_empty(S(2)) && is_empty(S(3)));
	assert_int_equal(fx->env.count, n);
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(5));
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(4)), ERR_CAP_OCCUPIED);
	OK(caps_retype(ENV, RAM, OBJ_FRAME, off, 4096, 2, S(2)));
}

/* Every refused retype leaves slots, database and memory as they were. */
/* A refused operation changed nothing: database, slots, events, memory
   (mem: a copy of the arena taken before; freed here). */
static void assert_unchanged(const struct fix *before, void *mem)
{
	INV();
	assert_memory_equal(&before->env, &fx->env, sizeof(fx->env));
	assert_memory_equal(before->s, fx->s, sizeof(fx->s));
	assert_int_equal(before->nev, fx->nev);
	assert_memory_equal(mem, fx->arena, ARENA_SIZE);
	free(mem);
}

static void test_retype_errors_change_nothing(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	make(OBJ_FRAME, 4096, S(4));
	OK(caps_copy(ENV, S(5), RAM, CAP_RIGHT_READ, 0));
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(6));
	uint64_t zoff = z->cap.base - RAM->cap.base, foff = S(4)->cap.base - RAM->cap.base;
	const struct {
		const struct cte *src;
		enum objtype t;
		uint64_t off, size;
		uint32_t count;
		struct cte *dest;
		errval_t want;
	} rows[] = {
	    {S(9), OBJ_FRAME, 0, 4096, 1, S(10), ERR_CAP_EMPTY},
	    {z, OBJ_FRAME, 0, 4096, 1, S(10), ERR_CAP_BUSY},
	    {S(5), OBJ_FRAME, 0, 4096, 1, S(10), ERR_CAP_RIGHTS},
	    {RAM, OBJ_ENDPOINT, 0, 0, 1, S(10), ERR_CAP_DERIVE},
	    {RAM, OBJ_L2CNODE, 0, 4096, 1, S(10), ERR_CAP_SIZE},
	    {RAM, OBJ_FRAME, 0, 4096, 0, S(10), ERR_CAP_SIZE},
	    {RAM, OBJ_FRAME, 5, 4096, 1, S(10), ERR_CAP_ALIGN},
	    {RAM, OBJ_FRAME, RAM_SIZE, 4096, 1, S(10), ERR_CAP_RANGE},
	    {RAM, OBJ_FRAME, foff, 4096, 1, S(10), ERR_CAP_OVERLAP},
	    {RAM, OBJ_FRAME, zoff, 4096, 2, S(10), ERR_CAP_BUSY},
	    {RAM, OBJ_FRAME, take(4 * 4096), 4096, 4, S(4), ERR_CAP_OCCUPIED},
	    {d, OBJ_ENDPOINT, 0, 0, 3, S(5), ERR_CAP_OCCUPIED},
	    {d, OBJ_ENDPOINT, 4096, 0, 1, S(10), ERR_CAP_ALIGN},
	};
	static struct fix before;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *mem = malloc(ARENA_SIZE);
		assert_non_null(mem);
		memcpy(mem, fx->arena, ARENA_SIZE);
		before = *fx;
		errval_t err = caps_retype(ENV, rows[i].src, rows[i].t, rows[i].off, rows[i].size,
					   rows[i].count, rows[i].dest);
		if (err != rows[i].want)
			fail_msg("row %u: got %s, want %s", i, err_str(err), err_str(rows[i].want));
		assert_unchanged(&before, mem);
	}
	drain(2);
}

static void test_retype_unused_subranges(void **state)
{
	(void)state;
	OK(caps_retype(ENV, RAM, OBJ_FRAME, 0, 4096, 1, S(2)));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, 2 * 4096, 4096, 1, S(3)));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, 4096, 4096, 1, S(4))); /* the hole */
	OK(caps_retype(ENV, RAM, OBJ_RAM, 3 * 4096, RAM_SIZE - 3 * 4096, 1, S(5)));
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, 5 * 4096, 4096, 1, S(6)), ERR_CAP_OVERLAP);
	/* the child RAM's own unused parts */
	OK(caps_retype(ENV, S(5), OBJ_L2CNODE, 0, OBJSIZE_L2CNODE, 1, S(6)));
	OK(caps_retype(ENV, S(5), OBJ_VNODE_L0, 2 * OBJSIZE_L2CNODE, OBJSIZE_VNODE, 2, S(7)));
	OK(caps_retype(ENV, S(5), OBJ_DISPATCHER, OBJSIZE_L2CNODE, 4096, 1, S(9)));
	EXPECT(caps_retype(ENV, S(5), OBJ_FRAME, 0, 4096, 1, S(10)), ERR_CAP_OVERLAP);
	assert_int_equal(S(8)->cap.base, S(7)->cap.base + OBJSIZE_VNODE);
}

static void test_retype_endpoint_from_dispatcher(void **state)
{
	(void)state;
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	uint64_t n = fx->env.count;
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 2, S(3)));
	assert_int_equal(fx->env.count, n + 2);
	for (unsigned i = 3; i <= 4; i++) {
		assert_int_equal(S(i)->cap.type, OBJ_ENDPOINT);
		assert_int_equal(S(i)->cap.base, d->cap.base);
		assert_int_equal(S(i)->cap.size, d->cap.size);
		assert_int_equal(S(i)->cap.rights, d->cap.rights);
		assert_int_equal(S(i)->cap.badge, 0);
		assert_true(caps_is_descendant(&S(i)->cap, &d->cap));
	}
	assert_true(mdb_has_descendants(ENV, d));
	/* endpoints take no memory: more of them, and a frame next door */
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(5)));
	make(OBJ_FRAME, 4096, S(6));
	/* endpoints come from dispatchers only, and never with a size */
	EXPECT(caps_retype(ENV, RAM, OBJ_ENDPOINT, 0, 0, 1, S(7)), ERR_CAP_DERIVE);
	EXPECT(caps_retype(ENV, S(3), OBJ_ENDPOINT, 0, 0, 1, S(7)), ERR_CAP_DERIVE);
	EXPECT(caps_retype(ENV, d, OBJ_ENDPOINT, 0, OBJSIZE_DISPATCHER, 1, S(7)), ERR_CAP_SIZE);
	/* deleting the dispatcher leaves its endpoints; revoking RAM takes them */
	OK(caps_delete(ENV, d));
	assert_int_equal(nev(EV_LAST, d), 1);
	assert_int_equal(S(3)->cap.type, OBJ_ENDPOINT);
	revoke_all(RAM, 4, ERR_OK);
	assert_true(is_empty(S(3)) && is_empty(S(4)) && is_empty(S(5)));
}

/* ---- delete ---- */

static void test_delete_empty_slot(void **state)
{
	(void)state;
	EXPECT(caps_delete(ENV, S(2)), ERR_CAP_EMPTY);
	assert_int_equal(fx->nev, 0);
	assert_true(is_empty(S(2)));
}

static void test_delete_copy_and_last_copy(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4096, S(2));
	struct capability fc = f->cap;
	OK(caps_copy(ENV, S(3), f, CAP_RIGHT_READ, 0));
	OK(caps_copy(ENV, S(4), S(3), CAP_RIGHT_READ, 0));
	uint64_t n = fx->env.count;
	OK(caps_delete(ENV, S(3)));
	assert_true(is_empty(S(3)));
	assert_int_equal(fx->env.count, n - 1);
	assert_int_equal(nev(EV_DELETE, S(3)), 1);
	assert_int_equal(nev(EV_LAST, NULL), 0);
	OK(caps_delete(ENV, f));
	assert_int_equal(nev(EV_LAST, NULL), 0);
	assert_false(mdb_has_copies(ENV, S(4)));
	fx->nev = 0;
	OK(caps_delete(ENV, S(4)));
	assert_true(is_empty(S(4)));
	/* on_delete, then last_copy, once, with the capability still there */
	assert_int_equal(fx->nev, 2);
	assert_int_equal(fx->ev[0].kind, EV_DELETE);
	assert_int_equal(fx->ev[1].kind, EV_LAST);
	assert_ptr_equal(fx->ev[1].cte, S(4));
	assert_int_equal(fx->ev[1].cap.type, fc.type);
	assert_int_equal(fx->ev[1].cap.base, fc.base);
	assert_int_equal(fx->ev[1].cap.size, fc.size);
	EXPECT(caps_delete(ENV, S(4)), ERR_CAP_EMPTY);
	assert_int_equal(fx->nev, 2);
}

/* Endpoints of one dispatcher (badged or not) are copies of one object. */
static void test_delete_endpoints_last_copy(void **state)
{
	(void)state;
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(3)));
	OK(caps_copy(ENV, S(4), S(3), CAP_RIGHTS_ALL, 5));
	OK(caps_delete(ENV, S(3)));
	assert_int_equal(nev(EV_LAST, NULL), 0);
	OK(caps_delete(ENV, S(4)));
	assert_int_equal(nev(EV_LAST, S(4)), 1);
	assert_int_equal(nev(EV_DELETE, NULL), 2);
}

static void test_delete_leaves_descendants(void **state)
{
	(void)state;
	struct cte *r = make(OBJ_RAM, 4 * 4096, S(2));
	OK(caps_retype(ENV, r, OBJ_FRAME, 4096, 4096, 2, S(3)));
	OK(caps_delete(ENV, r));
	assert_int_equal(nev(EV_LAST, r), 1);
	assert_int_equal(S(3)->cap.type, OBJ_FRAME);
	assert_int_equal(S(4)->cap.type, OBJ_FRAME);
	assert_true(caps_is_descendant(&S(3)->cap, &RAM->cap));
}

/* caps.h: the last copy of a CNode is a zombie even when empty (no slot
   scan in one call); one zombie step per 256-slot chunk finishes it. */
static void test_delete_last_copy_of_empty_cnode(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *c1 = make(OBJ_L1CNODE, 2 * OBJSIZE_L2CNODE, S(3));
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	assert_true(is_zombie(c));
	assert_int_equal(nev(EV_LAST, c), 0);
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING); /* a zombie already */
	OK(caps_delete_step(ENV, 1000));
	INV();
	assert_true(is_empty(c));
	assert_null(fx->env.zombies);
	assert_int_equal(nev(EV_LAST, c), 1);
	EXPECT(caps_delete(ENV, c1), ERR_CAP_PENDING);
	OK(caps_delete_step(ENV, 1000));
	INV();
	assert_true(is_empty(c1));
	assert_null(fx->env.zombies);
	assert_int_equal(nev(EV_LAST, c1), 1);
}

static void test_delete_nonempty_cnode_becomes_zombie(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *f = make(OBJ_FRAME, 4096, S(3)), *cs = slot_of(c, 0);
	OK(caps_copy(ENV, &cs[3], f, CAP_RIGHTS_ALL, 0));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, &cs[200]));
	struct capability cc = c->cap;
	uint64_t n = fx->env.count;
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	/* out of the tree, still in its slot, on the zombie list */
	assert_int_equal(fx->env.count, n - 1);
	assert_true(is_zombie(c));
	assert_memory_equal(&c->cap, &cc, sizeof(cc));
	assert_ptr_equal(fx->env.zombies, c);
	assert_int_equal(nev(EV_DELETE, c), 1);
	assert_int_equal(nev(EV_LAST, NULL), 0);
	assert_int_equal(cs[3].cap.type, OBJ_FRAME);
	for (const struct cte *e = mdb_first(ENV); e; e = mdb_next(ENV, e))
		assert_ptr_not_equal(e, c);
	/* deleting it again: still pending, nothing more happens */
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	assert_int_equal(fx->nev, 1);
	/* budget 0 does nothing */
	EXPECT(caps_delete_step(ENV, 0), ERR_CAP_PENDING);
	assert_int_equal(fx->env.count, n - 1);
	assert_int_equal(fx->nev, 1);
	/* one slot per step */
	assert_true(drain(1) >= 2);
	assert_true(is_empty(c));
	assert_true(is_empty(&cs[3]) && is_empty(&cs[200]));
	assert_int_equal(nev(EV_DELETE, NULL), 3);
	assert_int_equal(nev(EV_LAST, c), 1);
	assert_int_equal(nev(EV_LAST, NULL), 2); /* and the frame in slot 200 */
	assert_int_equal(fx->env.count, n - 3);
	assert_int_equal(f->cap.type, OBJ_FRAME);
}

static void test_delete_step_without_zombies(void **state)
{
	(void)state;
	make(OBJ_FRAME, 4096, S(2));
	uint64_t n = fx->env.count;
	EXPECT(caps_delete_step(ENV, 0), ERR_OK);
	EXPECT(caps_delete_step(ENV, 1), ERR_OK);
	EXPECT(caps_delete_step(ENV, ~0u), ERR_OK);
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, 0);
}

static void test_delete_step_budgets(void **state)
{
	(void)state;
	static const unsigned budgets[] = {1, 2, 7, 1000};
	for (unsigned b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		struct cte *c = make(OBJ_L1CNODE, 4 * OBJSIZE_L2CNODE, S(2));
		struct cte *f = make(OBJ_FRAME, 4096, S(3));
		for (unsigned i = 0; i < 20; i++)
			OK(caps_copy(ENV, slot_of(c, i * 51), f, CAP_RIGHTS_ALL, 0));
		OK(caps_delete(ENV, f));
		fx->nev = 0;
		EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
		unsigned calls = drain(budgets[b]);
		assert_true(calls >= (20 + budgets[b] - 1) / budgets[b]);
		assert_int_equal(nev(EV_DELETE, NULL), 21);
		assert_int_equal(nev(EV_LAST, NULL), 2);
		assert_true(is_empty(c));
	}
}

/* CNodes nested 24 deep, each holding the last copy of the next. */
static void test_delete_nested_cnodes(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *top = c;
	for (unsigned i = 0; i < 24; i++) {
		struct cte *in = slot_of(c, (i * 37) % 256);
		OK(caps_retype(ENV, RAM, OBJ_L2CNODE, take(OBJSIZE_L2CNODE), OBJSIZE_L2CNODE, 1,
			       in));
		c = in;
	}
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, slot_of(c, 255)));
	uint64_t n = fx->env.count;
	EXPECT(caps_delete(ENV, top), ERR_CAP_PENDING);
	drain(3);
	assert_int_equal(fx->env.count, n - 26);
	assert_int_equal(nev(EV_DELETE, NULL), 26);
	assert_int_equal(nev(EV_LAST, NULL), 26);
	for (unsigned i = 0; i < fx->nev; i++) /* each exactly once */
		assert_int_equal(nev(fx->ev[i].kind, fx->ev[i].cte), 1);
	assert_true(is_empty(top));
}

static void test_delete_cnode_holding_last_copy_of_itself(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *cs = slot_of(c, 0), *self = &cs[7];
	OK(caps_copy(ENV, self, c, CAP_RIGHTS_ALL, 0));
	OK(caps_delete(ENV, c));
	assert_int_equal(nev(EV_LAST, NULL), 0);
	assert_int_equal(self->cap.type, OBJ_L2CNODE);
	assert_false(mdb_has_copies(ENV, self));
	/* also holding something else */
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, &cs[3]));
	EXPECT(caps_delete(ENV, self), ERR_CAP_PENDING);
	assert_true(is_zombie(self));
	drain(1);
	assert_true(is_empty(self) && is_empty(&cs[3]));
	assert_int_equal(nev(EV_LAST, self), 1);
	assert_int_equal(nev(EV_LAST, &cs[3]), 1);
	assert_int_equal(nev(EV_LAST, NULL), 2);
}

/* A zombie inside a zombie, each finished once, in either order. */
static void test_delete_zombie_inside_zombie(void **state)
{
	(void)state;
	struct cte *outer = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *in = slot_of(outer, 0);
	OK(caps_retype(ENV, RAM, OBJ_L2CNODE, take(OBJSIZE_L2CNODE), OBJSIZE_L2CNODE, 1, in));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, slot_of(in, 100)));
	EXPECT(caps_delete(ENV, in), ERR_CAP_PENDING); /* the older zombie, inside */
	EXPECT(caps_delete(ENV, outer), ERR_CAP_PENDING);
	drain(1);
	assert_true(is_empty(outer) && is_empty(in));
	assert_int_equal(nev(EV_LAST, outer), 1);
	assert_int_equal(nev(EV_LAST, in), 1);
	assert_int_equal(nev(EV_LAST, NULL), 3);
}

/* ---- revoke ---- */

static void test_revoke_copies_and_descendants(void **state)
{
	(void)state;
	struct cte *r = make(OBJ_RAM, 16 * 4096, S(2));
	OK(caps_copy(ENV, S(3), r, CAP_RIGHTS_ALL, 0));		      /* copy */
	OK(caps_retype(ENV, r, OBJ_FRAME, 0, 4096, 1, S(4)));	      /* child */
	OK(caps_copy(ENV, S(5), S(4), CAP_RIGHTS_ALL, 0));	      /* its copy */
	OK(caps_retype(ENV, S(3), OBJ_RAM, 4096, 4 * 4096, 1, S(6))); /* child via copy */
	OK(caps_retype(ENV, S(6), OBJ_FRAME, 0, 4096, 2, S(7)));      /* grandchildren */
	struct cte *g = make(OBJ_FRAME, 4096, S(9));		      /* unrelated */
	OK(caps_copy(ENV, S(10), RAM, CAP_RIGHTS_ALL, 0));	      /* the parent's copy */
	uint64_t n = fx->env.count;
	revoke_all(r, 1000, ERR_OK);
	assert_int_equal(fx->env.count, n - 6);
	assert_int_equal(r->cap.type, OBJ_RAM);
	for (unsigned i = 3; i <= 8; i++)
		assert_true(is_empty(S(i)));
	assert_int_equal(g->cap.type, OBJ_FRAME);
	assert_int_equal(S(10)->cap.type, OBJ_RAM);
	assert_int_equal(nev(EV_DELETE, NULL), 6);
	assert_int_equal(nev(EV_DELETE, r), 0);
	/* the copy of r was not the last; the others were */
	assert_int_equal(nev(EV_LAST, NULL), 4);
	assert_int_equal(nev(EV_LAST, S(3)), 0);
	assert_false(mdb_has_copies(ENV, r) || mdb_has_descendants(ENV, r));
	/* its memory can be retyped again */
	OK(caps_retype(ENV, r, OBJ_FRAME, 0, 4096, 16, S(11)));
}

/* Copies sort by CTE address: those before the revoked one go too. */
static void test_revoke_copies_on_both_sides(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(2));
	OK(caps_copy(ENV, S(5), f, CAP_RIGHTS_ALL, 0));
	OK(caps_copy(ENV, S(9), f, CAP_RIGHTS_ALL, 0));
	OK(caps_retype(ENV, S(9), OBJ_FRAME, 4096, 4096, 1, S(3)));
	assert_ptr_equal(mdb_prev(ENV, S(5)), f);
	assert_true(revoke_all(S(5), 1, ERR_OK) >= 3);
	assert_true(is_empty(f) && is_empty(S(9)) && is_empty(S(3)));
	assert_int_equal(S(5)->cap.type, OBJ_FRAME);
	assert_false(mdb_has_copies(ENV, S(5)));
	assert_int_equal(nev(EV_DELETE, NULL), 3);
	assert_int_equal(nev(EV_LAST, NULL), 1);
}

static void test_revoke_nothing_to_do(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4096, S(2));
	uint64_t n = fx->env.count;
	EXPECT(caps_revoke(ENV, f, 1), ERR_OK);
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, 0);
	assert_int_equal(f->cap.type, OBJ_FRAME);
}

/* Not in caps.h's list, but what else: an empty slot, a zombie. */
static void test_revoke_empty_or_zombie(void **state)
{
	(void)state;
	EXPECT(caps_revoke(ENV, S(5), 1), ERR_CAP_EMPTY);
	struct cte *z = make_zombie(2, 3);
	EXPECT(caps_revoke(ENV, z, 1), ERR_CAP_BUSY);
	assert_true(is_zombie(z));
	drain(1);
}

static void test_revoke_budget_then_resume(void **state)
{
	(void)state;
	static const unsigned budgets[] = {1, 2, 5, 12, 100};
	for (unsigned b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		struct cte *r = make(OBJ_RAM, 16 * 4096, S(2));
		OK(caps_copy(ENV, S(3), r, CAP_RIGHTS_ALL, 0));
		OK(caps_copy(ENV, S(4), r, CAP_RIGHTS_ALL, 0));
		OK(caps_retype(ENV, r, OBJ_FRAME, 0, 4096, 10, S(5))); /* 12 victims */
		fx->nev = 0;
		unsigned calls = revoke_all(r, budgets[b], ERR_OK);
		assert_true(calls >= (12 + budgets[b] - 1) / budgets[b]);
		assert_int_equal(nev(EV_DELETE, NULL), 12);
		assert_int_equal(nev(EV_LAST, NULL), 10);
		for (unsigned i = 3; i < 15; i++)
			assert_true(is_empty(S(i)));
		OK(caps_delete(ENV, r));
	}
}

/* A chain of 200 RAM capabilities, each inside the previous, kept in an L2
   CNode: revoking the first, one deletion per call. */
static void test_revoke_deep_chain(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	uint64_t size = RAM_SIZE - OBJSIZE_L2CNODE, off = take(size);
	struct cte *prev = slot_of(c, 0);
	OK(caps_retype(ENV, RAM, OBJ_RAM, off, size, 1, prev));
	for (unsigned i = 1; i < 200; i++) {
		size -= 4096;
		OK(caps_retype(ENV, prev, OBJ_RAM, i % 2 ? 4096 : 0, size, 1, slot_of(c, i)));
		assert_true(caps_is_descendant(&slot_of(c, i)->cap, &prev->cap));
		prev = slot_of(c, i);
	}
	OK(caps_retype(ENV, prev, OBJ_FRAME, 0, 4096, 1, slot_of(c, 200)));
	uint64_t n = fx->env.count;
	unsigned calls = revoke_all(slot_of(c, 0), 1, ERR_OK);
	assert_true(calls >= 200);
	assert_int_equal(fx->env.count, n - 200);
	assert_int_equal(slot_of(c, 0)->cap.type, OBJ_RAM);
	for (unsigned i = 1; i <= 200; i++)
		assert_true(is_empty(slot_of(c, i)));
	assert_int_equal(nev(EV_LAST, NULL), 200);
}

/* Revoking RAM destroys CNodes nested 30 deep, each holding the last copy
   of the next plus a frame, in small budgets. */
static void test_revoke_nested_cnodes(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	unsigned objs = 1;
	for (unsigned i = 0; i < 30; i++) {
		OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, slot_of(c, 255 - i)));
		struct cte *in = slot_of(c, i);
		OK(caps_retype(ENV, RAM, OBJ_L2CNODE, take(OBJSIZE_L2CNODE), OBJSIZE_L2CNODE, 1,
			       in));
		c = in;
		objs += 2;
	}
	OK(caps_copy(ENV, slot_of(c, 1), c, CAP_RIGHTS_ALL, 0)); /* the last holds itself */
	revoke_all(RAM, 2, ERR_OK);
	assert_int_equal(fx->env.count, 2);
	assert_null(fx->env.zombies);
	assert_int_equal(nev(EV_LAST, NULL), objs);
	assert_int_equal(nev(EV_DELETE, NULL), objs + 1);
	for (unsigned i = 0; i < fx->nev; i++)
		if (fx->ev[i].kind == EV_LAST)
			assert_int_equal(nev(EV_LAST, fx->ev[i].cte), 1);
}

/* Revoke also does zombie steps (caps.h: call caps_delete_step() "or
   caps_revoke() until the zombie list is empty"). */
static void test_revoke_finishes_zombies(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	struct cte *f = make(OBJ_FRAME, 4096, S(4));
	for (unsigned calls = 0; fx->env.zombies; calls++) {
		errval_t err = caps_revoke(ENV, f, 1);
		INV();
		if (err != ERR_OK && err != ERR_CAP_PENDING)
			fail_msg("revoke: %s", err_str(err));
		assert_true(calls < 1000);
	}
	assert_true(is_empty(z));
	assert_int_equal(nev(EV_LAST, z), 1);
	assert_int_equal(f->cap.type, OBJ_FRAME);
}

/* A copy of RAM kept in a CNode made from that RAM: its revoke would
   destroy that CNode half way, so it is refused and nothing changes. */
static void test_revoke_cap_inside_revoked_cnode(void **state)
{
	(void)state;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *t = slot_of(c, 5);
	OK(caps_copy(ENV, t, RAM, CAP_RIGHTS_ALL, 0));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(3 * 4096), 4096, 3, S(3)));
	uint64_t n = fx->env.count;
	EXPECT(caps_revoke(ENV, t, 1), ERR_CAP_OVERLAP);
	EXPECT(caps_revoke(ENV, t, 100), ERR_CAP_OVERLAP);
	INV();
	assert_int_equal(fx->env.count, n);
	assert_null(fx->env.zombies);
	assert_int_equal(S(3)->cap.type, OBJ_FRAME);
	/* The same RAM revoked from outside the CNode takes everything. */
	OK(caps_revoke(ENV, RAM, 1000));
	INV();
	assert_true(is_empty(t));
	assert_true(is_empty(S(3)));
}

/* ---- identify, cnode_slots, lookup ---- */

static void test_identify_fields(void **state)
{
	(void)state;
	struct cap_info ci;
	OK(caps_identify(RAM, &ci));
	assert_int_equal(ci.type, OBJ_RAM);
	assert_int_equal(ci.rights, CAP_RIGHTS_ALL);
	assert_int_equal(ci.base, ARENA_BASE);
	assert_int_equal(ci.size, RAM_SIZE);
	assert_int_equal(ci.badge, 0);

	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(2));
	OK(caps_copy(ENV, S(3), f, CAP_RIGHT_READ, 0));
	S(3)->cap.flags = CAPF_MAPPED;
	S(3)->cap.badge = 0x80002000; /* a PTE address is not a badge */
	memset(&ci, 0xa5, sizeof(ci));
	OK(caps_identify(S(3), &ci));
	assert_int_equal(ci.type, OBJ_FRAME);
	assert_int_equal(ci.rights, CAP_RIGHT_READ);
	assert_int_equal(ci.base, f->cap.base);
	assert_int_equal(ci.size, 2 * 4096);
	assert_int_equal(ci.badge, 0);
	S(3)->cap.flags = 0;
	S(3)->cap.badge = 0;

	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(4));
	OK(caps_retype(ENV, d, OBJ_ENDPOINT, 0, 0, 1, S(5)));
	OK(caps_copy(ENV, S(6), S(5), CAP_RIGHT_WRITE, 0xbeef));
	OK(caps_identify(S(6), &ci));
	assert_int_equal(ci.type, OBJ_ENDPOINT);
	assert_int_equal(ci.rights, CAP_RIGHT_WRITE);
	assert_int_equal(ci.base, d->cap.base);
	assert_int_equal(ci.size, OBJSIZE_DISPATCHER);
	assert_int_equal(ci.badge, 0xbeef);

	insert_raw(S(7), OBJ_IRQ, 9, 1);
	OK(caps_identify(S(7), &ci));
	assert_int_equal(ci.type, OBJ_IRQ);
	assert_int_equal(ci.base, 9);
	assert_int_equal(ci.size, 1);
	assert_int_equal(fx->nev, 0);
}

static void test_identify_empty(void **state)
{
	(void)state;
	struct cap_info ci, before;
	memset(&ci, 0x5a, sizeof(ci));
	before = ci;
	EXPECT(caps_identify(S(2), &ci), ERR_CAP_EMPTY);
	assert_memory_equal(&ci, &before, sizeof(ci));
}

static void test_cnode_slots(void **state)
{
	(void)state;
	uint64_t n = 0;
	struct cte *c2 = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *c1 = make(OBJ_L1CNODE, 4 * OBJSIZE_L2CNODE, S(3));
	struct cte *s = caps_cnode_slots(ENV, &c2->cap, &n);
	assert_int_equal(n, CSPACE_L2_SLOTS);
	assert_ptr_equal(s, fx->arena + (c2->cap.base - ARENA_BASE));
	s = caps_cnode_slots(ENV, &c1->cap, &n);
	assert_int_equal(n, 4 * CSPACE_L2_SLOTS);
	assert_ptr_equal(s, fx->arena + (c1->cap.base - ARENA_BASE));
	/* a slot holds what was copied into it */
	OK(caps_copy(ENV, &s[1000], c2, CAP_RIGHTS_ALL, 0));
	assert_true(caps_is_copy(&s[1000].cap, &c2->cap));
}

/* An L1 CNode (256 slots) in S(2) with an L2 CNode in L1 slot 3. */
static struct cte *cspace(void)
{
	struct cte *root = make(OBJ_L1CNODE, OBJSIZE_L2CNODE, S(2));
	OK(caps_retype(ENV, RAM, OBJ_L2CNODE, take(OBJSIZE_L2CNODE), OBJSIZE_L2CNODE, 1,
		       slot_of(root, 3)));
	return root;
}

static void test_lookup_level2(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	struct cte *l2 = slot_of(root, 3);
	OK(caps_lookup(ENV, &root->cap, CAPADDR(3, 17), 2, &out));
	assert_ptr_equal(out, slot_of(l2, 17));
	assert_true(is_empty(out)); /* may be empty */
	OK(caps_lookup(ENV, &root->cap, CAPADDR(3, 255), 2, &out));
	assert_ptr_equal(out, slot_of(l2, 255));
	OK(caps_copy(ENV, slot_of(l2, 0), RAM, CAP_RIGHT_READ, 0));
	OK(caps_lookup(ENV, &root->cap, CAPADDR(3, 0), 2, &out));
	assert_ptr_equal(out, slot_of(l2, 0));
	assert_int_equal(out->cap.type, OBJ_RAM);
}

static void test_lookup_level1(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	OK(caps_lookup(ENV, &root->cap, CAPADDR(3, 99), 1, &out));
	assert_ptr_equal(out, slot_of(root, 3));
	OK(caps_lookup(ENV, &root->cap, CAPADDR(255, 0), 1, &out));
	assert_ptr_equal(out, slot_of(root, 255));
	assert_true(is_empty(out));
	/* an L1 slot holding anything at all */
	OK(caps_copy(ENV, slot_of(root, 4), RAM, CAP_RIGHT_READ, 0));
	OK(caps_lookup(ENV, &root->cap, CAPADDR(4, 0), 1, &out));
	assert_ptr_equal(out, slot_of(root, 4));
}

static void test_lookup_root_not_l1cnode(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	struct cte *l2 = slot_of(root, 3);
	EXPECT(caps_lookup(ENV, &l2->cap, CAPADDR(0, 0), 2, &out), ERR_CAP_TYPE);
	EXPECT(caps_lookup(ENV, &l2->cap, CAPADDR(0, 0), 1, &out), ERR_CAP_TYPE);
	EXPECT(caps_lookup(ENV, &RAM->cap, CAPADDR(0, 0), 2, &out), ERR_CAP_TYPE);
	struct capability none = {0};
	EXPECT(caps_lookup(ENV, &none, CAPADDR(0, 0), 1, &out), ERR_CAP_TYPE);
	assert_null(out);
}

static void test_lookup_bad_level(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(3, 0), 0, &out), ERR_CAP_ADDR);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(3, 0), 3, &out), ERR_CAP_ADDR);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(3, 0), ~0u, &out), ERR_CAP_ADDR);
	assert_null(out);
}

static void test_lookup_l1_index_out_of_range(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(256, 0), 2, &out), ERR_CAP_ADDR);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(256, 0), 1, &out), ERR_CAP_ADDR);
	EXPECT(caps_lookup(ENV, &root->cap, 0xffffffffu, 1, &out), ERR_CAP_ADDR);
	assert_null(out);
}

static void test_lookup_l1_slot_empty(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(4, 1), 2, &out), ERR_CAP_EMPTY);
	assert_null(out);
}

static void test_lookup_l1_slot_not_l2cnode(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	make(OBJ_FRAME, 4096, slot_of(root, 4));
	make(OBJ_L1CNODE, OBJSIZE_L2CNODE, slot_of(root, 5));
	OK(caps_copy(ENV, slot_of(root, 6), root, CAP_RIGHTS_ALL, 0));
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(4, 0), 2, &out), ERR_CAP_TYPE);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(5, 0), 2, &out), ERR_CAP_TYPE);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(6, 0), 2, &out), ERR_CAP_TYPE);
	assert_null(out);
}

static void test_lookup_through_zombie(void **state)
{
	(void)state;
	struct cte *root = cspace(), *out = NULL;
	struct cte *l2 = slot_of(root, 3);
	make(OBJ_FRAME, 4096, slot_of(l2, 8));
	EXPECT(caps_delete(ENV, l2), ERR_CAP_PENDING);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(3, 8), 2, &out), ERR_CAP_BUSY);
	assert_null(out);
	/* level 1 names the slot, zombie or not */
	OK(caps_lookup(ENV, &root->cap, CAPADDR(3, 8), 1, &out));
	assert_ptr_equal(out, l2);
	drain(1);
	EXPECT(caps_lookup(ENV, &root->cap, CAPADDR(3, 8), 2, &out), ERR_CAP_EMPTY);
}

/* ---- the MDB ---- */

static int ref_class(uint8_t t)
{
	return t == OBJ_KERNEL ? 1 : t == OBJ_IRQ ? 2 : t == OBJ_ID ? 3 : 0;
}

/* caps.h's order: (class, base ascending, size descending, type, address) */
static int ref_cmp(const struct cte *a, const struct cte *b)
{
	const struct capability *x = &a->cap, *y = &b->cap;
	if (ref_class(x->type) != ref_class(y->type))
		return ref_class(x->type) < ref_class(y->type) ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return a == b ? 0 : a < b ? -1 : 1;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The tree in order, checked against ref_cmp and walked both ways. */
static unsigned walk(const struct caps_env *env, const struct cte **out, unsigned max)
{
	unsigned n = 0;
	for (const struct cte *e = mdb_first(env); e; e = mdb_next(env, e)) {
		assert_true(n < max);
		if (n)
			assert_true(ref_cmp(out[n - 1], e) < 0);
		out[n++] = e;
	}
	assert_int_equal(n, env->count);
	for (unsigned i = 0; i < n; i++)
		assert_ptr_equal(mdb_prev(env, out[i]), i ? out[i - 1] : NULL);
	return n;
}

/* A mixed database: RAM pieces, frames with copies, a dispatcher and its
   endpoints, Kernel/IRQ/ID capabilities, made in a scrambled order. */
static void mixed_database(void)
{
	OK(caps_retype(ENV, RAM, OBJ_RAM, 64 * 1024, 64 * 1024, 1, S(2)));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, 0, 4096, 4, S(3)));
	insert_raw(S(7), OBJ_IRQ, 4, 1);
	OK(caps_retype(ENV, S(2), OBJ_FRAME, 4 * 4096, 4096, 2, S(8)));
	OK(caps_copy(ENV, S(10), S(4), CAP_RIGHT_READ, 0));
	insert_raw(S(11), OBJ_ID, 1, 1);
	OK(caps_retype(ENV, S(2), OBJ_DISPATCHER, 0, 4096, 1, S(12)));
	OK(caps_copy(ENV, S(13), S(8), CAP_RIGHTS_ALL, 0));
	insert_raw(S(14), OBJ_KERNEL, 0, 1);
	OK(caps_retype(ENV, S(12), OBJ_ENDPOINT, 0, 0, 1, S(15)));
	OK(caps_copy(ENV, S(16), S(4), CAP_RIGHTS_ALL, 0));
	OK(caps_copy(ENV, S(17), S(7), CAP_RIGHTS_ALL, 0));
	insert_raw(S(18), OBJ_IRQ, 2, 1);
	OK(caps_copy(ENV, S(19), S(2), CAP_RIGHTS_ALL, 0));
	OK(caps_copy(ENV, S(20), S(15), CAP_RIGHTS_ALL, 3));
	OK(caps_retype(ENV, S(2), OBJ_VNODE_L0, 8 * 4096, OBJSIZE_VNODE, 1, S(21)));
}

static void test_mdb_order_and_walk(void **state)
{
	(void)state;
	mixed_database();
	const struct cte *v[64];
	unsigned n = walk(ENV, v, 64);
	assert_ptr_equal(v[0], PHYS);
	assert_ptr_equal(mdb_first(ENV), PHYS);
	assert_null(mdb_next(ENV, v[n - 1]));
	assert_null(mdb_prev(ENV, v[0]));
	/* the other classes come last: Kernel, IRQ 2, IRQ 4 twice, ID */
	assert_int_equal(v[n - 5]->cap.type, OBJ_KERNEL);
	assert_int_equal(v[n - 4]->cap.base, 2);
	assert_int_equal(v[n - 3]->cap.base, 4);
	assert_int_equal(v[n - 2]->cap.base, 4);
	assert_int_equal(v[n - 1]->cap.type, OBJ_ID);
	/* mdb_next / mdb_prev of a CTE not in the tree: its neighbours */
	struct cte probe = {.cap = {.type = OBJ_FRAME, .base = ARENA_BASE + 4096, .size = 4096}};
	const struct cte *nx = mdb_next(ENV, &probe), *pv = mdb_prev(ENV, &probe);
	assert_non_null(nx);
	assert_non_null(pv);
	assert_true(ref_cmp(pv, &probe) < 0 && ref_cmp(&probe, nx) < 0);
	assert_ptr_equal(mdb_next(ENV, pv), nx);
}

/* Every run of copies in the MDB is contiguous (and the order is caps.h's). */
static void check_copies_adjacent(void)
{
	static const struct cte *v[256];
	unsigned n = walk(ENV, v, 256);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (caps_is_copy(&v[i]->cap, &v[j]->cap))
				for (unsigned k = i + 1; k < j; k++)
					assert_true(caps_is_copy(&v[k]->cap, &v[i]->cap));
}

static void test_mdb_copies_adjacent(void **state)
{
	(void)state;
	mixed_database();
	check_copies_adjacent();
	assert_true(caps_is_copy(&S(4)->cap, &S(16)->cap)); /* 3 copies of frame 1 */
	assert_true(mdb_has_copies(ENV, S(10)) && mdb_has_copies(ENV, S(16)));
	assert_true(mdb_has_copies(ENV, S(15)) && mdb_has_copies(ENV, S(20)));
	assert_false(mdb_has_copies(ENV, S(3)) || mdb_has_copies(ENV, S(9)));
}

/* The descendants of a capability are exactly the entries after its last
   copy whose base lies below its end. */
static void test_mdb_descendants_follow(void **state)
{
	(void)state;
	mixed_database();
	const struct cte *v[64];
	unsigned n = walk(ENV, v, 64);
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i + 1;
		while (j < n && caps_is_copy(&v[j]->cap, &v[i]->cap))
			j++;
		bool any = false;
		for (; j < n; j++) {
			bool below = ref_class(v[j]->cap.type) == ref_class(v[i]->cap.type) &&
				     ref_class(v[i]->cap.type) == 0 &&
				     v[j]->cap.base < v[i]->cap.base + v[i]->cap.size;
			if (!below)
				break;
			assert_true(caps_is_descendant(&v[j]->cap, &v[i]->cap));
			any = true;
		}
		for (; j < n; j++)
			assert_false(caps_is_descendant(&v[j]->cap, &v[i]->cap));
		for (unsigned k = 0; k < i; k++)
			assert_false(caps_is_descendant(&v[k]->cap, &v[i]->cap));
		assert_int_equal(mdb_has_descendants(ENV, v[i]), any);
	}
	assert_true(mdb_has_descendants(ENV, S(2)) && mdb_has_descendants(ENV, S(19)));
	assert_true(mdb_has_descendants(ENV, S(12)));  /* its endpoints */
	assert_false(mdb_has_descendants(ENV, S(15))); /* endpoints have none */
	assert_false(mdb_has_descendants(ENV, S(7)));
}

static void test_is_copy_is_descendant(void **state)
{
	(void)state;
	const struct capability ram = {.type = OBJ_RAM, .base = 0x1000, .size = 0x4000},
				ram2 = {.type = OBJ_RAM,
					.rights = 1,
					.base = 0x1000,
					.size = 0x4000,
					.badge = 9,
					.flags = 1},
				fr = {.type = OBJ_FRAME, .base = 0x1000, .size = 0x4000},
				small = {.type = OBJ_RAM, .base = 0x2000, .size = 0x1000},
				across = {.type = OBJ_FRAME, .base = 0x4000, .size = 0x2000},
				outside = {.type = OBJ_FRAME, .base = 0x8000, .size = 0x1000},
				pa = {.type = OBJ_PHYSADDR, .base = 0x1000, .size = 0x4000},
				irq = {.type = OBJ_IRQ, .base = 0x1000, .size = 1},
				irq2 = {.type = OBJ_IRQ, .base = 0x1000, .size = 1},
				kern = {.type = OBJ_KERNEL, .base = 0, .size = 1},
				id = {.type = OBJ_ID, .base = 0x1000, .size = 1},
				none = {.type = OBJ_NULL, .base = 0x1000, .size = 0x4000},
				none2 = {.type = OBJ_NULL, .base = 0x1000, .size = 0x4000};
	assert_true(caps_is_copy(&ram, &ram2)); /* rights, badge, flags do not matter */
	assert_true(caps_is_copy(&ram, &ram));
	assert_true(caps_is_copy(&irq, &irq2));
	assert_false(caps_is_copy(&ram, &fr));
	assert_false(caps_is_copy(&ram, &small));
	assert_false(caps_is_copy(&none, &none2));
	assert_false(caps_is_copy(&irq, &id));

	assert_true(caps_is_descendant(&small, &ram));
	assert_true(caps_is_descendant(&fr, &ram)); /* same range, later type */
	assert_true(caps_is_descendant(&ram, &pa));
	assert_false(caps_is_descendant(&ram, &fr));
	assert_false(caps_is_descendant(&ram, &ram2)); /* a copy is no descendant */
	assert_false(caps_is_descendant(&ram, &small));
	assert_false(caps_is_descendant(&across, &ram));
	assert_false(caps_is_descendant(&outside, &ram));
	assert_false(caps_is_descendant(&irq, &ram));
	assert_false(caps_is_descendant(&ram, &irq));
	assert_false(caps_is_descendant(&kern, &ram));
	assert_false(caps_is_descendant(&id, &pa));
	assert_false(caps_is_descendant(&none, &pa));
	assert_false(caps_is_descendant(&small, &none));
}

/* Only IRQ/Kernel/ID capabilities: copies, last copy, other classes. */
static void test_mdb_other_classes(void **state)
{
	(void)state;
	insert_raw(S(2), OBJ_IRQ, 7, 1);
	OK(caps_copy(ENV, S(3), S(2), CAP_RIGHT_READ, 0));
	assert_true(mdb_has_copies(ENV, S(2)));
	assert_false(mdb_has_descendants(ENV, S(2)));
	insert_raw(S(4), OBJ_IRQ, 8, 1);
	insert_raw(S(5), OBJ_ID, 7, 1);
	assert_false(mdb_has_copies(ENV, S(5)));
	/* revoking memory does not reach them, revoking the IRQ takes its copy */
	revoke_all(PHYS, 1, ERR_OK);
	assert_int_equal(fx->env.count, 5);
	assert_int_equal(nev(EV_DELETE, NULL), 1); /* RAM */
	revoke_all(S(2), 1, ERR_OK);
	assert_true(is_empty(S(3)));
	assert_int_equal(nev(EV_LAST, NULL), 1);
	OK(caps_delete(ENV, S(2)));
	assert_int_equal(nev(EV_LAST, S(2)), 1);
	OK(caps_delete(ENV, S(4)));
	OK(caps_delete(ENV, S(5)));
	assert_int_equal(nev(EV_LAST, NULL), 4);
}

/* mdb_insert / mdb_remove alone, 600 CTEs in random order, invariants
   after each step, on a database of its own. */
static void test_mdb_insert_remove_random(void **state)
{
	(void)state;
	enum { N = 600 };
	struct caps_env env;
	caps_env_init(&env, NULL, NULL, NULL);
	struct cte *c = calloc(N, sizeof(*c));
	unsigned order[N];
	assert_non_null(c);
	for (unsigned i = 0; i < N; i++) {
		order[i] = i;
		if (i < 8) /* 8 RAM caps of 16 pages; frames of 4 copies inside */
			c[i].cap = (struct capability){.type = OBJ_RAM,
						       .base = ARENA_BASE + i * 16 * 4096ull,
						       .size = 16 * 4096};
		else if (i < 560)
			c[i].cap = (struct capability){.type = OBJ_FRAME,
						       .base = ARENA_BASE + (i % 128) * 4096ull,
						       .size = 4096};
		else
			c[i].cap = (struct capability){.type = OBJ_IRQ, .base = i % 13, .size = 1};
	}
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = N - 1; i > 0; i--) {
			unsigned j = (unsigned)(rnd() % (i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (unsigned i = 0; i < N; i++) {
			mdb_insert(&env, &c[order[i]]);
			const char *why = caps_check_invariants(&env);
			if (why)
				fail_msg("insert %u: %s", i, why);
		}
		const struct cte **v = calloc(N, sizeof(*v));
		assert_int_equal(walk(&env, v, N), N);
		free(v);
		for (unsigned i = N - 1; i > 0; i--) {
			unsigned j = (unsigned)(rnd() % (i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (unsigned i = 0; i < N; i++) {
			mdb_remove(&env, &c[order[i]]);
			assert_int_equal(c[order[i]].mdb.level, 0);
			const char *why = caps_check_invariants(&env);
			if (why)
				fail_msg("remove %u: %s", i, why);
		}
		assert_null(env.root);
		assert_int_equal(env.count, 0);
	}
	free(c);
}

/* ---- capabilities from other cores: caps_create, owners, remote marks ---- */

/* A capability as another core's monitor describes it. */
static struct capability desc(enum objtype t, uint64_t base, uint64_t size)
{
	return (struct capability){
	    .type = (uint8_t)t, .rights = CAP_RIGHTS_ALL, .base = base, .size = size};
}

/* Free memory under PhysAddr, outside RAM: nothing else is there. */
#define FREE_PA (ARENA_BASE + RAM_SIZE)

/* caps_create that must succeed: the new CTE holds exactly the described
   object (no flags, no mapping), owned by owner, unmarked, in the tree. */
static struct cte *create(struct cte *dest, enum objtype t, uint64_t base, uint64_t size,
			  uint16_t owner)
{
	struct capability c = desc(t, base, size);
	uint64_t n = fx->env.count;
	OK(caps_create(ENV, dest, &c, owner));
	assert_int_equal(fx->env.count, n + 1);
	assert_memory_equal(&dest->cap, &c, sizeof(c));
	assert_int_equal(dest->mdb.owner, owner);
	assert_int_equal(dest->mdb.remote, 0);
	assert_int_equal(dest->mdb.flags, 0);
	assert_true(dest->mdb.level > 0);
	return dest;
}

/* How many CTEs in the tree are copies of c (c included if it is there). */
static unsigned copies_of(const struct capability *c)
{
	unsigned n = 0;
	for (const struct cte *e = mdb_first(ENV); e; e = mdb_next(ENV, e))
		n += caps_is_copy(&e->cap, c);
	return n;
}

/* A refused caps_create leaves slots, database, events and memory as they
   were. */
static void create_refused(struct cte *dest, struct capability c, uint16_t owner, errval_t want)
{
	static struct fix before;
	uint8_t *mem = malloc(ARENA_SIZE);
	assert_non_null(mem);
	memcpy(mem, fx->arena, ARENA_SIZE);
	before = *fx;
	errval_t err = caps_create(ENV, dest, &c, owner);
	if (err != want)
		fail_msg("caps_create(type %u, rights %#x, base %#llx, size %#llx)\n  got  %s\n  "
			 "want %s",
			 c.type, c.rights, (unsigned long long)c.base, (unsigned long long)c.size,
			 err_str(err), err_str(want));
	assert_unchanged(&before, mem);
}

static void test_create_makes_capability(void **state)
{
	(void)state;
	/* what the other core knows of its copy (flags, mapping) stays there */
	struct capability c = {.type = OBJ_DEVFRAME,
			       .rights = CAP_RIGHT_READ | CAP_RIGHT_WRITE,
			       .flags = CAPF_MAPPED,
			       .extra = 3,
			       .base = FREE_PA,
			       .size = 2 * 4096,
			       .badge = 0x1234};
	uint64_t n = fx->env.count;
	OK(caps_create(ENV, S(2), &c, 1));
	assert_int_equal(fx->env.count, n + 1);
	assert_int_equal(S(2)->cap.type, OBJ_DEVFRAME);
	assert_int_equal(S(2)->cap.rights, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
	assert_int_equal(S(2)->cap.base, FREE_PA);
	assert_int_equal(S(2)->cap.size, 2 * 4096);
	assert_int_equal(S(2)->cap.flags, 0);
	assert_int_equal(S(2)->cap.extra, 0);
	assert_int_equal(S(2)->cap.badge, 0);
	assert_int_equal(S(2)->mdb.owner, 1);
	assert_int_equal(S(2)->mdb.remote, 0);
	assert_false(is_zombie(S(2)));
	assert_true(caps_is_descendant(&S(2)->cap, &PHYS->cap));
	assert_false(mdb_has_copies(ENV, S(2)));
	assert_false(mdb_has_descendants(ENV, S(2)));
	/* each of the three types, rights 0, any owner */
	struct capability r0 = desc(OBJ_FRAME, RAM->cap.base + take(4096), 4096);
	r0.rights = 0;
	OK(caps_create(ENV, S(3), &r0, 0xffff));
	assert_int_equal(S(3)->cap.rights, 0);
	assert_int_equal(S(3)->mdb.owner, 0xffff);
	assert_true(caps_is_descendant(&S(3)->cap, &RAM->cap));
	create(S(4), OBJ_RAM, RAM->cap.base + take(8 * 4096), 8 * 4096, 2);
	assert_true(caps_is_descendant(&S(4)->cap, &RAM->cap));
	assert_true(mdb_has_descendants(ENV, RAM));
	/* outside any capability here (another core's memory) */
	create(S(5), OBJ_RAM, 1ull << 40, 1ull << 30, 3);
	assert_false(caps_is_descendant(&S(5)->cap, &PHYS->cap));
	create(S(6), OBJ_FRAME, 0, 4096, 3);
	assert_int_equal(fx->nev, 0);
	/* deleted like any other: the last copy's owner cleans up */
	OK(caps_delete(ENV, S(2)));
	OK(caps_delete(ENV, S(5)));
	OK(caps_delete(ENV, S(6)));
	assert_int_equal(nev(EV_LAST, S(2)), 1);
	assert_int_equal(nev(EV_LAST, S(5)), 1);
	assert_int_equal(nev(EV_LAST, S(6)), 1);
}

/* A capability identical to ones here is a copy of the same object:
   adjacent to them in the MDB, and it keeps the object alive. */
/* Only memory nothing here covers may become this core's own RAM. */
static void test_range_free(void **state)
{
	(void)state;
	assert_false(caps_range_free(ENV, RAM->cap.base, 4096));
	assert_false(caps_range_free(ENV, RAM->cap.base + RAM->cap.size - 4096, 8192));
	assert_true(caps_range_free(ENV, FREE_PA, 4096));
	assert_false(caps_range_free(ENV, ~0ull - 4095, 8192)); /* wraps */
	struct capability c = desc(OBJ_FRAME, FREE_PA, 4096);
	OK(caps_create(ENV, S(2), &c, 1));
	assert_false(caps_range_free(ENV, FREE_PA, 4096));
	assert_true(caps_range_free(ENV, FREE_PA + 4096, 4096));
}

static void test_create_copy_of_existing(void **state)
{
	(void)state;
	mixed_database();
	fx->next = 128 * 1024; /* past what mixed_database took */
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(22));
	OK(caps_copy(ENV, S(23), f, CAP_RIGHTS_ALL, 0));
	struct cte *r = make(OBJ_RAM, 4 * 4096, S(24));
	OK(caps_retype(ENV, r, OBJ_FRAME, 4096, 4096, 1, S(25)));
	make(OBJ_FRAME, 4096, S(26)); /* right after r's range */
	OK(caps_retype(ENV, PHYS, OBJ_DEVFRAME, RAM_SIZE, 4 * 4096, 1, S(27)));
	create(S(30), OBJ_FRAME, f->cap.base, f->cap.size, 1);
	create(S(31), OBJ_RAM, r->cap.base, r->cap.size, 2);
	create(S(32), OBJ_DEVFRAME, S(27)->cap.base, S(27)->cap.size, 1);
	create(S(33), OBJ_FRAME, S(4)->cap.base, 4096, 3); /* 3 copies there already */
	create(S(34), OBJ_FRAME, f->cap.base, f->cap.size, 2);
	check_copies_adjacent();
	/* the identical object */
	assert_memory_equal(&S(30)->cap, &f->cap, sizeof(f->cap));
	assert_memory_equal(&S(31)->cap, &r->cap, sizeof(r->cap));
	assert_memory_equal(&S(32)->cap, &S(27)->cap, sizeof(S(27)->cap));
	assert_true(caps_is_copy(&S(30)->cap, &f->cap) && caps_is_copy(&S(34)->cap, &f->cap));
	assert_true(mdb_has_copies(ENV, S(30)) && mdb_has_copies(ENV, S(31)) &&
		    mdb_has_copies(ENV, S(32)) && mdb_has_copies(ENV, S(33)));
	assert_int_equal(copies_of(&f->cap), 4);
	assert_int_equal(copies_of(&S(4)->cap), 4);
	/* the copies of f are one run: 4 in a row from the first */
	const struct cte *e = f;
	while (mdb_prev(ENV, e) && caps_is_copy(&mdb_prev(ENV, e)->cap, &f->cap))
		e = mdb_prev(ENV, e);
	for (unsigned i = 0; i < 4; i++, e = mdb_next(ENV, e))
		assert_true(e && caps_is_copy(&e->cap, &f->cap));
	assert_false(e && caps_is_copy(&e->cap, &f->cap));
	/* same descendants as the original */
	assert_true(mdb_has_descendants(ENV, S(31)));
	assert_true(caps_is_descendant(&S(25)->cap, &S(31)->cap));
	assert_false(mdb_has_descendants(ENV, S(32)));
	/* (not of RAM or of mixed_database's RAM: they hold kernel objects) */
	create_refused(S(35), desc(OBJ_RAM, RAM->cap.base, RAM->cap.size), 1, ERR_CAP_OVERLAP);
	create_refused(S(35), desc(OBJ_RAM, S(2)->cap.base, S(2)->cap.size), 1, ERR_CAP_OVERLAP);
	/* the local copies are not the last ones */
	OK(caps_delete(ENV, f));
	OK(caps_delete(ENV, S(23)));
	OK(caps_delete(ENV, S(30)));
	assert_int_equal(nev(EV_LAST, NULL), 0);
	OK(caps_delete(ENV, S(34)));
	assert_int_equal(nev(EV_LAST, S(34)), 1);
	/* revoking through the created copy reaches the local copy and its
	   descendant, nothing else */
	uint64_t n = fx->env.count;
	revoke_all(S(31), 1, ERR_OK);
	assert_true(is_empty(r) && is_empty(S(25)));
	assert_int_equal(S(26)->cap.type, OBJ_FRAME);
	assert_int_equal(S(31)->cap.type, OBJ_RAM);
	assert_int_equal(fx->env.count, n - 2);
	check_copies_adjacent();
}

static void test_create_nested_and_containing(void **state)
{
	(void)state;
	uint64_t off = take(16 * 4096), b = RAM->cap.base + off, p = 4096;
	OK(caps_retype(ENV, RAM, OBJ_FRAME, off + p, p, 1, S(2)));	 /* [1, 2) */
	OK(caps_retype(ENV, RAM, OBJ_RAM, off + 4 * p, 4 * p, 1, S(3))); /* [4, 8) */
	OK(caps_retype(ENV, S(3), OBJ_FRAME, p, 2 * p, 1, S(4)));	 /* [5, 7) */
	/* nested inside existing capabilities */
	create(S(10), OBJ_FRAME, b + 5 * p, p, 1);
	assert_true(caps_is_descendant(&S(10)->cap, &S(4)->cap));
	assert_true(mdb_has_descendants(ENV, S(4)));
	create(S(11), OBJ_RAM, b + 12 * p, 2 * p, 1); /* in RAM's free part */
	assert_true(caps_is_descendant(&S(11)->cap, &RAM->cap));
	/* containing existing ones, sharing their first and last edges */
	create(S(12), OBJ_RAM, b + p, 7 * p, 2); /* [1, 8) */
	for (unsigned i = 2; i <= 4; i++)
		assert_true(caps_is_descendant(&S(i)->cap, &S(12)->cap));
	assert_true(caps_is_descendant(&S(10)->cap, &S(12)->cap));
	assert_true(caps_is_descendant(&S(12)->cap, &RAM->cap));
	assert_ptr_equal(mdb_next(ENV, S(12)), S(2));
	/* containing all of them */
	create(S(13), OBJ_RAM, b, 16 * p, 2);
	assert_ptr_equal(mdb_next(ENV, S(13)), S(12));
	/* the range of an existing capability, another type: nested */
	create(S(14), OBJ_FRAME, b + 4 * p, 4 * p, 1);
	assert_true(caps_is_descendant(&S(14)->cap, &S(3)->cap));
	assert_true(caps_is_descendant(&S(4)->cap, &S(14)->cap));
	/* touching others on either side */
	create(S(15), OBJ_FRAME, b + 8 * p, p, 1);
	create(S(16), OBJ_DEVFRAME, b, p, 1);
	check_copies_adjacent();
	/* and they are all in the way of local retypes */
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, off + 12 * p, p, 1, S(20)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, off + 15 * p, p, 1, S(20)), ERR_CAP_OVERLAP);
	EXPECT(caps_retype(ENV, S(3), OBJ_FRAME, 3 * p, p, 1, S(20)), ERR_CAP_OVERLAP);
	/* other classes are not memory: ranges over their numbers do not count,
	   even a (made up) wide one that a page range cuts through */
	insert_raw(S(21), OBJ_KERNEL, 0, 1);
	insert_raw(S(22), OBJ_IRQ, 4, 1);
	insert_raw(S(23), OBJ_ID, p / 2, p);
	create(S(17), OBJ_RAM, 0, 4 * p, 1);
	create(S(18), OBJ_FRAME, p, p, 1);
	OK(caps_delete(ENV, S(18)));
	OK(caps_delete(ENV, S(17)));
}

/* A range that partly overlaps a memory capability (neither contains the
   other) would break the laminar order: refused, nothing changes. */
static void test_create_partial_overlap(void **state)
{
	(void)state;
	uint64_t off = take(16 * 4096), b = RAM->cap.base + off, p = 4096;
	OK(caps_retype(ENV, RAM, OBJ_FRAME, off + 4 * p, 4 * p, 1, S(2))); /* [4, 8) */
	create(S(3), OBJ_RAM, b + 10 * p, 4 * p, 1);			   /* [10, 14) */
	static const enum objtype types[] = {OBJ_RAM, OBJ_FRAME, OBJ_DEVFRAME};
	const struct {
		uint64_t base, size;
	} rows[] = {
	    /* the local frame: at its start, at its end, by one page or more */
	    {b + 3 * p, 2 * p},
	    {b + 2 * p, 4 * p},
	    {b, 7 * p},
	    {b + 7 * p, 2 * p},
	    {b + 5 * p, 5 * p},
	    {b + 6 * p, 10 * p},
	    /* the created RAM: at its start and at its end */
	    {b + 9 * p, 2 * p},
	    {b + 13 * p, 2 * p},
	    {b + 12 * p, 64 * p},
	    /* the end of one and the start of the other */
	    {b + 6 * p, 6 * p},
	    /* the root RAM at its end, PhysAddr and RAM at their start,
	       PhysAddr at its end */
	    {ARENA_BASE + RAM_SIZE - p, 2 * p},
	    {ARENA_BASE + RAM_SIZE - 64 * p, RAM_SIZE},
	    {ARENA_BASE - p, 2 * p},
	    {ARENA_BASE - RAM_SIZE, RAM_SIZE + p},
	    {ARENA_BASE + ARENA_SIZE - p, 2 * p},
	    {ARENA_BASE + p, ARENA_SIZE},
	};
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (unsigned t = 0; t < 3; t++)
			create_refused(S(10), desc(types[t], rows[i].base, rows[i].size), 1,
				       ERR_CAP_OVERLAP);
	/* with only the edges in common it is nesting, or no overlap at all */
	create(S(10), OBJ_FRAME, b + 4 * p, 6 * p, 1);	/* [4, 10): contains the frame */
	create(S(11), OBJ_FRAME, b + 10 * p, 2 * p, 1); /* [10, 12): inside the RAM */
	create(S(12), OBJ_RAM, b + 14 * p, 2 * p, 1);	/* [14, 16): after it */
	create(S(13), OBJ_RAM, b + 4 * p, 12 * p, 1);	/* [4, 16): around all */
	check_copies_adjacent();
	create_refused(S(14), desc(OBJ_RAM, b + 3 * p, 2 * p), 1, ERR_CAP_OVERLAP);
	create_refused(S(14), desc(OBJ_RAM, b + 15 * p, 2 * p), 1, ERR_CAP_OVERLAP);
}

/* Kernel objects must never become mappable: no range that overlaps one
   at all (inside, identical, containing) may be described here, and that
   holds while a CNode is a zombie too. Next to them is fine. */
static void test_create_over_kernel_object(void **state)
{
	(void)state;
	static const enum objtype types[] = {OBJ_RAM, OBJ_FRAME, OBJ_DEVFRAME};
	struct cte *obj[7];
	obj[0] = make(OBJ_L1CNODE, 2 * OBJSIZE_L2CNODE, S(2));
	obj[1] = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(3));
	obj[2] = make(OBJ_VNODE_L2, OBJSIZE_VNODE, S(4));
	obj[3] = make(OBJ_VNODE_L1, OBJSIZE_VNODE, S(5));
	obj[4] = make(OBJ_VNODE_L0, OBJSIZE_VNODE, S(6));
	obj[5] = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(7));
	OK(caps_retype(ENV, obj[5], OBJ_ENDPOINT, 0, 0, 1, S(8)));
	obj[6] = S(8);
	make(OBJ_FRAME, 4096, S(9));
	OK(caps_copy(ENV, slot_of(obj[1], 3), S(9), CAP_RIGHTS_ALL, 0));
	uint64_t p = 4096, lo = RAM->cap.base, hi = RAM->cap.base + fx->next;
	for (unsigned i = 0; i < 7; i++) {
		uint64_t ob = obj[i]->cap.base, oe = ob + obj[i]->cap.size;
		for (unsigned k = 0; k < 3; k++) {
			enum objtype t = types[k];
			create_refused(S(20), desc(t, ob, oe - ob), 1, ERR_CAP_OVERLAP);
			create_refused(S(20), desc(t, ob, p), 1, ERR_CAP_OVERLAP);
			create_refused(S(20), desc(t, oe - p, p), 1, ERR_CAP_OVERLAP);
			create_refused(S(20), desc(t, lo, hi - lo), 1, ERR_CAP_OVERLAP);
			create_refused(S(20), desc(t, lo, RAM_SIZE), 1, ERR_CAP_OVERLAP);
		}
	}
	/* next to them */
	create(S(20), OBJ_FRAME, hi, p, 1);
	create(S(21), OBJ_RAM, hi, 16 * p, 1);
	/* the endpoint alone still names the dispatcher */
	uint64_t db = obj[5]->cap.base;
	OK(caps_delete(ENV, obj[5]));
	create_refused(S(22), desc(OBJ_FRAME, db, p), 1, ERR_CAP_OVERLAP);
	OK(caps_delete(ENV, S(8)));
	create(S(22), OBJ_FRAME, db, p, 1);
	assert_int_equal(nev(EV_LAST, NULL), 2);
	/* a zombie CNode: out of the tree, its slots still live */
	struct cte *cn = obj[1];
	uint64_t zb = cn->cap.base;
	EXPECT(caps_delete(ENV, cn), ERR_CAP_PENDING);
	assert_true(is_zombie(cn));
	for (unsigned k = 0; k < 3; k++) {
		create_refused(S(23), desc(types[k], zb, OBJSIZE_L2CNODE), 1, ERR_CAP_OVERLAP);
		create_refused(S(23), desc(types[k], zb + p, p), 1, ERR_CAP_OVERLAP);
	}
	drain(1);
	create(S(23), OBJ_FRAME, zb, OBJSIZE_L2CNODE, 1);
}

/* A zombie's own CTE in memory no capability names any more (the cspace
   root inside a destroyed dispatcher): no mappable capability over it. */
static void test_create_over_zombie_cte(void **state)
{
	(void)state;
	struct cte *cn = make(OBJ_L1CNODE, OBJSIZE_L2CNODE, S(3));
	make(OBJ_FRAME, 4096, S(4));
	struct cte *d = make(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, S(2));
	uint64_t db = d->cap.base, cb = cn->cap.base;
	struct cte *root = (struct cte *)t_p2v(fx, db) + 3;
	OK(caps_copy(ENV, slot_of(cn, 1), S(4), CAP_RIGHTS_ALL, 0));
	OK(caps_copy(ENV, root, cn, CAP_RIGHTS_ALL, 0));
	OK(caps_delete(ENV, cn));
	EXPECT(caps_delete(ENV, root), ERR_CAP_PENDING);
	OK(caps_delete(ENV, d));
	assert_true(is_zombie(root));
	create_refused(S(5), desc(OBJ_FRAME, db, 4096), 1, ERR_CAP_OVERLAP);
	create_refused(S(5), desc(OBJ_RAM, db, 4 * 4096), 1, ERR_CAP_OVERLAP);
	create_refused(S(5), desc(OBJ_FRAME, cb, 4096), 1, ERR_CAP_OVERLAP);
	create(S(5), OBJ_FRAME, db + 4096, 4096, 1);
	drain(1);
	create(S(6), OBJ_FRAME, db, 4096, 1);
	create(S(7), OBJ_FRAME, cb, OBJSIZE_L2CNODE, 1);
}

/* Every error, and that nothing changes when one is returned. */
static void test_create_errors(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(4));
	struct capability good = desc(OBJ_FRAME, FREE_PA, 4096), c;
	/* ERR_CAP_OCCUPIED: a capability, a zombie, before anything else */
	create_refused(f, good, 1, ERR_CAP_OCCUPIED);
	create_refused(z, good, 1, ERR_CAP_OCCUPIED);
	create_refused(PHYS, good, 1, ERR_CAP_OCCUPIED);
	c = desc(OBJ_KERNEL, f->cap.base + 7, 0);
	c.rights = 0xff;
	create_refused(f, c, 1, ERR_CAP_OCCUPIED);
	/* ERR_CAP_TYPE: everything but RAM, Frame, DevFrame (and Notify:
	   test_notify_create); before rights, size, alignment and overlap */
	for (unsigned t = 0; t <= OBJ_TYPE_COUNT + 1; t++) {
		if (t == OBJ_RAM || t == OBJ_FRAME || t == OBJ_DEVFRAME || t == OBJ_NOTIFY)
			continue;
		uint64_t sz = t == OBJ_L2CNODE	  ? OBJSIZE_L2CNODE
			      : t == OBJ_VNODE_L0 ? OBJSIZE_VNODE
			      : t == OBJ_ENDPOINT ? 0
						  : 4096;
		c = desc((enum objtype)t, FREE_PA, sz);
		create_refused(S(10), c, 1, ERR_CAP_TYPE);
		c = desc((enum objtype)t, f->cap.base + 4096, 2 * 4096 + 1);
		c.rights = 0xf0;
		create_refused(S(10), c, 1, ERR_CAP_TYPE);
	}
	c = desc((enum objtype)0xff, FREE_PA, 4096);
	create_refused(S(10), c, 1, ERR_CAP_TYPE);
	/* ERR_CAP_RIGHTS: any bit beyond CAP_RIGHTS_ALL; before size */
	static const uint8_t bad_rights[] = {0x10, 0x20, 0x80, 0xff, CAP_RIGHTS_ALL | 0x40};
	for (unsigned i = 0; i < sizeof(bad_rights); i++) {
		c = good;
		c.rights = bad_rights[i];
		create_refused(S(10), c, 1, ERR_CAP_RIGHTS);
		c.size = 0;
		create_refused(S(10), c, 1, ERR_CAP_RIGHTS);
	}
	/* ERR_CAP_SIZE: not a valid object size; before alignment and overlap */
	static const uint64_t bad_sizes[] = {0, 1, 100, 2048, 4096 + 512, 3 * 4096 - 1};
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		c = desc(OBJ_RAM, FREE_PA, bad_sizes[i]);
		create_refused(S(10), c, 1, ERR_CAP_SIZE);
		c = desc(OBJ_DEVFRAME, f->cap.base + 4096 + 7, bad_sizes[i]);
		create_refused(S(10), c, 1, ERR_CAP_SIZE);
	}
	/* ERR_CAP_ALIGN: base not page aligned, or the range wraps (also to
	   exactly 0); before overlap */
	create_refused(S(10), desc(OBJ_FRAME, FREE_PA + 7, 4096), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_FRAME, FREE_PA + 2048, 4096), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_RAM, f->cap.base + 2048, 4096), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_RAM, ~0ull & ~4095ull, 2 * 4096), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_RAM, 0 - 4096ull, 4096), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_RAM, 0 - (1ull << 20), 2ull << 20), 1, ERR_CAP_ALIGN);
	create_refused(S(10), desc(OBJ_RAM, 1ull << 63, 1ull << 63), 1, ERR_CAP_ALIGN);
	/* ERR_CAP_OVERLAP */
	create_refused(S(10), desc(OBJ_FRAME, f->cap.base + 4096, 2 * 4096), 1, ERR_CAP_OVERLAP);
	create_refused(S(10), desc(OBJ_FRAME, f->cap.base - 4096, 2 * 4096), 1, ERR_CAP_OVERLAP);
	assert_true(is_empty(S(10)));
	/* the largest ranges that do not wrap are fine */
	create(S(10), OBJ_RAM, 0 - 2 * 4096ull, 4096, 1);
	create(S(11), OBJ_RAM, 1ull << 62, (1ull << 63) + (1ull << 62) - 4096, 1);
	OK(caps_delete(ENV, S(10)));
	OK(caps_delete(ENV, S(11)));
	drain(1);
}

static bool is_kernel_object(uint8_t t)
{
	return t == OBJ_L1CNODE || t == OBJ_L2CNODE || t == OBJ_VNODE_L2 || t == OBJ_VNODE_L1 ||
	       t == OBJ_VNODE_L0 || t == OBJ_DISPATCHER || t == OBJ_ENDPOINT;
}

/* May caps_create not make [b, e)? A memory capability in the tree partly
   overlaps it, or a kernel object (in the tree or a zombie CNode, or a
   zombie's own CTE) lies in it. */
static bool ref_create_overlaps(uint64_t b, uint64_t e)
{
	for (const struct cte *t = mdb_first(ENV); t; t = mdb_next(ENV, t)) {
		if (ref_class(t->cap.type) != 0)
			continue;
		uint64_t tb = t->cap.base, te = tb + t->cap.size;
		bool meet = tb < e && b < te;
		bool nested = (tb <= b && e <= te) || (b <= tb && te <= e);
		if (meet && (!nested || is_kernel_object(t->cap.type)))
			return true;
	}
	for (const struct cte *z = fx->env.zombies; z; z = z->mdb.left) {
		uint64_t pa = t_v2p(fx, z);
		if ((z->cap.base < e && b < z->cap.base + z->cap.size) ||
		    (pa < e && b < pa + sizeof(*z)))
			return true;
	}
	return false;
}

/* ---- Notify capabilities (ADR 0010): not memory ---- */

static struct capability notify_desc(uint16_t core, uint64_t slot, uint64_t gen)
{
	return desc(OBJ_NOTIFY, NOTIFY_BASE(core, slot), gen);
}

/* Made from a description (also for this core, by the kernel); every bad
   one refused and nothing changed. */
static void test_notify_create(void **state)
{
	(void)state;
	struct cap_info ci;
	create(S(2), OBJ_NOTIFY, NOTIFY_BASE(1, 5), 3, 1);
	OK(caps_identify(S(2), &ci));
	assert_int_equal(ci.type, OBJ_NOTIFY);
	assert_int_equal(ci.base, NOTIFY_BASE(1, 5));
	assert_int_equal(NOTIFY_CORE(ci.base), 1);
	assert_int_equal(NOTIFY_SLOT(ci.base), 5);
	assert_int_equal(ci.size, 3);
	assert_int_equal(ci.owner, 1);
	assert_int_equal(ci.badge, 0);
	create(S(3), OBJ_NOTIFY, NOTIFY_BASE(0, NOTIFY_SLOTS - 1), UINT32_MAX, 0);
	create(S(4), OBJ_NOTIFY, NOTIFY_BASE(0xffff, 0), 1, 0xffff);
	/* a copy of one here is a copy */
	create(S(5), OBJ_NOTIFY, NOTIFY_BASE(1, 5), 3, 1);
	assert_true(caps_is_copy(&S(5)->cap, &S(2)->cap));
	OK(caps_delete(ENV, S(5)));
	struct capability c = notify_desc(1, 5, 3);
	create_refused(S(2), c, 1, ERR_CAP_OCCUPIED);
	c.rights = 0x10;
	create_refused(S(10), c, 1, ERR_CAP_RIGHTS);
	create_refused(S(10), notify_desc(1, 5, 3), 2, ERR_SYS_ARG); /* core != owner */
	create_refused(S(10), notify_desc(1, NOTIFY_SLOTS, 3), 1, ERR_SYS_ARG);
	create_refused(S(10), notify_desc(1, 0xffffffff, 3), 1, ERR_SYS_ARG);
	create_refused(S(10), notify_desc(1, 5, 0), 1, ERR_SYS_ARG);
	create_refused(S(10), notify_desc(1, 5, 1ull << 32), 1, ERR_SYS_ARG);
	create_refused(S(10), desc(OBJ_NOTIFY, ~0ull, 1), 0xffff, ERR_SYS_ARG);
	assert_int_equal(fx->nev, 1); /* S(5)'s delete */
}

/* Never retyped, derived from or badged; copies only of the same (core,
   slot, generation); memory operations never reach it. */
static void test_notify_rules(void **state)
{
	(void)state;
	for (unsigned t = 0; t <= OBJ_TYPE_COUNT; t++) {
		assert_false(caps_can_retype((enum objtype)t, OBJ_NOTIFY));
		assert_false(caps_can_retype(OBJ_NOTIFY, (enum objtype)t));
	}
	struct cte *n = create(S(2), OBJ_NOTIFY, NOTIFY_BASE(1, 7), 2, 1);
	EXPECT(caps_retype(ENV, RAM, OBJ_NOTIFY, 0, 0, 1, S(3)), ERR_CAP_DERIVE);
	EXPECT(caps_retype(ENV, RAM, OBJ_NOTIFY, take(4096), 4096, 1, S(3)), ERR_CAP_DERIVE);
	for (unsigned t = 0; t <= OBJ_TYPE_COUNT; t++)
		EXPECT(caps_retype(ENV, n, (enum objtype)t, 0, 4096, 1, S(3)), ERR_CAP_DERIVE);
	EXPECT(caps_copy(ENV, S(3), n, CAP_RIGHTS_ALL, 0x42), ERR_CAP_RIGHTS);
	OK(caps_copy(ENV, S(3), n, CAP_RIGHT_WRITE, 0));
	assert_int_equal(S(3)->cap.rights, CAP_RIGHT_WRITE);
	assert_true(caps_is_copy(&S(3)->cap, &n->cap));
	assert_false(caps_is_descendant(&n->cap, &PHYS->cap));
	/* another generation, slot or core is another capability */
	create(S(4), OBJ_NOTIFY, NOTIFY_BASE(1, 7), 3, 1);
	create(S(5), OBJ_NOTIFY, NOTIFY_BASE(1, 8), 2, 1);
	create(S(6), OBJ_NOTIFY, NOTIFY_BASE(2, 7), 2, 2);
	unsigned copies;
	bool descs;
	OK(caps_relations(ENV, n, 8, &copies, &descs));
	assert_int_equal(copies, 2);
	assert_false(descs);
	/* not memory: no mark, and marking memory does not reach it */
	EXPECT(caps_mark(ENV, OBJ_NOTIFY, n->cap.base, n->cap.size, true), ERR_CAP_TYPE);
	OK(caps_mark(ENV, OBJ_RAM, 0, ~0ull, true));
	assert_false(caps_marked(ENV, &n->cap));
	OK(caps_mark(ENV, OBJ_RAM, 0, ~0ull, false));
	revoke_all(PHYS, 4, ERR_OK);
	assert_false(is_empty(n));
	assert_int_equal(nev(EV_DELETE, NULL), 1); /* RAM */
	/* revoking one takes its copies, not the others */
	revoke_all(S(3), 4, ERR_OK);
	assert_true(is_empty(n));
	assert_false(is_empty(S(4)) || is_empty(S(5)) || is_empty(S(6)));
	OK(caps_delete(ENV, S(3)));
	assert_int_equal(nev(EV_LAST, S(3)), 1);
}
/* Random ranges against a brute-force reference, on a mixed database that
   the created capabilities make denser as they stay. */
static void test_create_random_against_reference(void **state)
{
	(void)state;
	static const enum objtype types[] = {OBJ_RAM, OBJ_FRAME, OBJ_DEVFRAME};
	mixed_database();
	const uint64_t pages = ARENA_SIZE / 4096 + 16;
	unsigned made = 0, refused = 0, deleted = 0;
	for (unsigned i = 0; i < 4000; i++) {
		/* a slot among S(30..63); when all are full, free one */
		struct cte *dest = NULL;
		for (unsigned k = 30; k < NSLOTS && !dest; k++)
			if (is_empty(S(k)))
				dest = S(k);
		if (!dest) {
			dest = S(30 + (unsigned)(rnd() % (NSLOTS - 30)));
			OK(caps_delete(ENV, dest));
			deleted++;
		}
		uint64_t base = ARENA_BASE - 8 * 4096 + (rnd() % pages) * 4096;
		uint64_t n = rnd() % 4 ? 1 + rnd() % 8 : 1 + rnd() % pages;
		uint64_t size = n * 4096, count = fx->env.count;
		fx->nev = 0; /* (the log would fill up) */
		struct capability c = desc(types[rnd() % 3], base, size);
		c.rights = (uint8_t)(rnd() % (CAP_RIGHTS_ALL + 1));
		errval_t want = ref_create_overlaps(base, base + size) ? ERR_CAP_OVERLAP : ERR_OK;
		uint16_t owner = (uint16_t)(rnd() % 4);
		EXPECT(caps_create(ENV, dest, &c, owner), want);
		if (want != ERR_OK) {
			assert_true(is_empty(dest));
			assert_int_equal(fx->env.count, count);
			refused++;
			continue;
		}
		made++;
		assert_int_equal(fx->env.count, count + 1);
		assert_memory_equal(&dest->cap, &c, sizeof(c));
		assert_int_equal(dest->mdb.owner, owner);
		/* only what lies in the arena may stay (teardown revokes it) */
		if (base < ARENA_BASE || base + size > ARENA_BASE + ARENA_SIZE || rnd() % 3 == 0) {
			OK(caps_delete(ENV, dest));
			deleted++;
		}
		if (i % 256 == 0)
			check_copies_adjacent();
	}
	check_copies_adjacent();
	assert_true(made > 500 && refused > 500 && deleted > 100);
}

/* ---- owners: only the owner's core retypes ---- */

static void test_retype_remote_owner(void **state)
{
	(void)state;
	uint64_t p = 4096;
	struct cte *r = create(S(2), OBJ_RAM, FREE_PA, 16 * p, 1);
	uint64_t n = fx->env.count;
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, 0, p, 1, S(3)), ERR_CAP_REMOTE);
	EXPECT(caps_retype(ENV, r, OBJ_RAM, 4 * p, 4 * p, 2, S(3)), ERR_CAP_REMOTE);
	/* in caps.h's order: after rights, derivation, size and count ... */
	OK(caps_copy(ENV, S(4), r, CAP_RIGHT_READ, 0));
	assert_int_equal(S(4)->mdb.owner, 1);
	EXPECT(caps_retype(ENV, S(4), OBJ_FRAME, 0, p, 1, S(3)), ERR_CAP_RIGHTS);
	EXPECT(caps_retype(ENV, r, OBJ_ENDPOINT, 0, 0, 1, S(3)), ERR_CAP_DERIVE);
	EXPECT(caps_retype(ENV, r, OBJ_DISPATCHER, 0, 2 * p, 1, S(3)), ERR_CAP_SIZE);
	EXPECT(caps_retype(ENV, r, OBJ_RAM, 0, 16 * p, 1, S(3)), ERR_CAP_SIZE);
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, 0, p, 0, S(3)), ERR_CAP_SIZE);
	/* ... and before alignment, range, overlap and dest */
	create(S(5), OBJ_FRAME, FREE_PA, p, 1); /* a descendant */
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, 7, p, 1, S(3)), ERR_CAP_REMOTE);
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, 16 * p, p, 1, S(3)), ERR_CAP_REMOTE);
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, 0, p, 1, S(3)), ERR_CAP_REMOTE);
	EXPECT(caps_retype(ENV, r, OBJ_FRAME, p, p, 1, S(5)), ERR_CAP_REMOTE);
	assert_true(is_empty(S(3)));
	assert_int_equal(fx->env.count, n + 2);
	assert_int_equal(fx->nev, 0);
	/* a copy keeps the owner, and cannot be retyped either */
	OK(caps_copy(ENV, S(6), r, CAP_RIGHTS_ALL, 0));
	assert_int_equal(S(6)->mdb.owner, 1);
	EXPECT(caps_retype(ENV, S(6), OBJ_FRAME, 2 * p, p, 1, S(3)), ERR_CAP_REMOTE);
	/* local capabilities still retype, next to it or inside PhysAddr */
	struct cte *f = make(OBJ_FRAME, p, S(7));
	assert_int_equal(f->mdb.owner, 0);
	OK(caps_retype(ENV, PHYS, OBJ_DEVFRAME, RAM_SIZE + 32 * p, p, 1, S(8)));
	/* created with this core as the owner: an ordinary local capability */
	struct cte *mine = create(S(9), OBJ_RAM, FREE_PA + 64 * p, 8 * p, 0);
	OK(caps_retype(ENV, mine, OBJ_FRAME, 0, p, 2, S(10)));
	assert_int_equal(S(10)->mdb.owner, 0);
	assert_int_equal(S(11)->mdb.owner, 0);
	/* on core 1 the roles swap */
	fx->env.core = 1;
	OK(caps_retype(ENV, r, OBJ_FRAME, 2 * p, p, 1, S(3)));
	assert_int_equal(S(3)->mdb.owner, 1);
	EXPECT(caps_retype(ENV, RAM, OBJ_FRAME, take(p), p, 1, S(12)), ERR_CAP_REMOTE);
	EXPECT(caps_retype(ENV, mine, OBJ_FRAME, 4 * p, p, 1, S(12)), ERR_CAP_REMOTE);
	fx->env.core = 0;
	/* delete and revoke do not ask who owns it */
	revoke_all(r, 1, ERR_OK);
	assert_true(is_empty(S(3)) && is_empty(S(4)) && is_empty(S(5)) && is_empty(S(6)));
	OK(caps_delete(ENV, r));
	assert_int_equal(nev(EV_LAST, NULL), 3); /* the frames, the RAM */
}

/* ---- remote marks ---- */

static void test_set_remote(void **state)
{
	(void)state;
	EXPECT(caps_set_remote(S(2), 1), ERR_CAP_EMPTY);
	assert_true(is_empty(S(2)));
	struct cte *z = make_zombie(3, 4);
	EXPECT(caps_set_remote(z, 1), ERR_CAP_BUSY);
	assert_int_equal(z->mdb.remote, 0);
	struct cte *f = make(OBJ_FRAME, 4096, S(5));
	uint64_t n = fx->env.count;
	unsigned evs = fx->nev;
	OK(caps_set_remote(f, 1));
	assert_int_equal(f->mdb.remote, 1);
	OK(caps_set_remote(f, 0xffffffffu));
	assert_int_equal(f->mdb.remote, 0xffffffffu);
	OK(caps_set_remote(PHYS, 3));
	OK(caps_set_remote(PHYS, 0));
	OK(caps_set_remote(f, 0));
	assert_int_equal(f->mdb.remote, 0);
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, evs);
	drain(1);
}

/* caps_relations: copies counted up to the bound, descendants seen, a
   bounded walk that stops early and answers conservatively. */
static void test_relations(void **state)
{
	(void)state;
	unsigned copies = 99;
	bool descs = true;
	EXPECT(caps_relations(ENV, S(2), 4, &copies, &descs), ERR_CAP_EMPTY);
	EXPECT(caps_relations(ENV, make_zombie(3, 4), 4, &copies, &descs), ERR_CAP_BUSY);
	assert_int_equal(copies, 99);
	struct cte *f = make(OBJ_FRAME, 2 * 4096, S(5));
	OK(caps_relations(ENV, f, 4, &copies, &descs));
	assert_int_equal(copies, 1);
	assert_false(descs);
	/* RAM (the parent) has descendants; the frame none. */
	OK(caps_relations(ENV, RAM, 4, &copies, &descs));
	assert_true(descs);
	for (unsigned i = 6; i < 8; i++)
		OK(caps_copy(ENV, S(i), f, CAP_RIGHTS_ALL, 0));
	OK(caps_relations(ENV, S(6), 4, &copies, &descs));
	assert_int_equal(copies, 3);
	assert_false(descs);
	OK(caps_relations(ENV, f, 3, &copies, &descs)); /* exactly the bound */
	assert_int_equal(copies, 3);
	assert_false(descs);
	OK(caps_relations(ENV, f, 2, &copies, &descs)); /* beyond it */
	assert_int_equal(copies, 2);
	assert_true(descs);
	OK(caps_retype(ENV, S(7), OBJ_FRAME, 4096, 4096, 1, S(8)));
	for (unsigned i = 5; i < 8; i++) {
		OK(caps_relations(ENV, S(i), 8, &copies, &descs));
		assert_int_equal(copies, 3);
		assert_true(descs);
	}
	OK(caps_relations(ENV, S(8), 8, &copies, &descs));
	assert_int_equal(copies, 1);
	assert_false(descs);
	OK(caps_delete(ENV, S(8)));
	OK(caps_delete(ENV, S(6)));
	OK(caps_relations(ENV, S(7), 8, &copies, &descs));
	assert_int_equal(copies, 2);
	assert_false(descs);
	INV();
	drain(1);
}

/* caps_mark: a marked object's copies and descendants are marked, nothing
   else; marks nest, the table is bounded, bad requests are refused. */
static void test_marks(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4 * 4096, S(5)), *g = S(7);
	OK(caps_retype(ENV, f, OBJ_FRAME, 4096, 4096, 1, S(6)));
	OK(caps_copy(ENV, g, f, CAP_RIGHTS_ALL, 0));
	assert_false(caps_marked(ENV, &f->cap));
	EXPECT(caps_mark(ENV, OBJ_L2CNODE, f->cap.base, f->cap.size, true), ERR_CAP_TYPE);
	EXPECT(caps_mark(ENV, OBJ_FRAME, f->cap.base, 0, true), ERR_CAP_SIZE);
	EXPECT(caps_mark(ENV, OBJ_FRAME, ~0ull - 4095, 8192, true), ERR_CAP_SIZE);
	EXPECT(caps_mark(ENV, OBJ_FRAME, f->cap.base, f->cap.size, false), ERR_CAP_NOT_FOUND);
	OK(caps_mark(ENV, OBJ_FRAME, f->cap.base, f->cap.size, true));
	assert_true(caps_marked(ENV, &f->cap));
	assert_true(caps_marked(ENV, &g->cap));
	assert_true(caps_marked(ENV, &S(6)->cap)); /* a descendant */
	assert_false(caps_marked(ENV, &RAM->cap)); /* the parent */
	/* The inner frame alone: not its parent, nor its parent's copies. */
	OK(caps_mark(ENV, OBJ_FRAME, f->cap.base, f->cap.size, false));
	OK(caps_mark(ENV, OBJ_FRAME, S(6)->cap.base, S(6)->cap.size, true));
	assert_true(caps_marked(ENV, &S(6)->cap));
	assert_false(caps_marked(ENV, &f->cap));
	OK(caps_mark(ENV, OBJ_FRAME, S(6)->cap.base, S(6)->cap.size, true)); /* nested */
	OK(caps_mark(ENV, OBJ_FRAME, S(6)->cap.base, S(6)->cap.size, false));
	assert_true(caps_marked(ENV, &S(6)->cap));
	OK(caps_mark(ENV, OBJ_FRAME, S(6)->cap.base, S(6)->cap.size, false));
	assert_false(caps_marked(ENV, &S(6)->cap));
	/* RAM marked: everything retyped from it, of any type. */
	OK(caps_mark(ENV, OBJ_RAM, RAM->cap.base, RAM->cap.size, true));
	assert_true(caps_marked(ENV, &RAM->cap));
	assert_true(caps_marked(ENV, &f->cap));
	OK(caps_mark(ENV, OBJ_RAM, RAM->cap.base, RAM->cap.size, false));
	for (unsigned i = 0; i < CAPS_MARKS; i++)
		OK(caps_mark(ENV, OBJ_RAM, 0x100000000ull + i * 4096, 4096, true));
	EXPECT(caps_mark(ENV, OBJ_DEVFRAME, 0x200000000ull, 4096, true), ERR_NO_SLOTS);
	assert_false(caps_marked(ENV, &f->cap));
	for (unsigned i = 0; i < CAPS_MARKS; i++)
		OK(caps_mark(ENV, OBJ_RAM, 0x100000000ull + i * 4096, 4096, false));
	OK(caps_mark(ENV, OBJ_DEVFRAME, 0x200000000ull, 4096, true));
	OK(caps_mark(ENV, OBJ_DEVFRAME, 0x200000000ull, 4096, false));
	INV();
	drain(1);
}

static void test_delete_remote_refused(void **state)
{
	(void)state;
	struct cte *f = make(OBJ_FRAME, 4096, S(2));
	OK(caps_copy(ENV, S(3), f, CAP_RIGHTS_ALL, 0));
	OK(caps_set_remote(f, 1));
	uint64_t n = fx->env.count;
	EXPECT(caps_delete(ENV, f), ERR_CAP_REMOTE);
	EXPECT(caps_delete(ENV, f), ERR_CAP_REMOTE);
	assert_int_equal(f->cap.type, OBJ_FRAME);
	assert_int_equal(f->mdb.remote, 1);
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, 0);
	/* the mark is on that CTE: its unmarked copy goes */
	OK(caps_delete(ENV, S(3)));
	assert_int_equal(nev(EV_LAST, NULL), 0);
	/* the last copy now: still refused */
	EXPECT(caps_delete(ENV, f), ERR_CAP_REMOTE);
	assert_int_equal(fx->env.count, n - 1);
	OK(caps_set_remote(f, 0));
	OK(caps_delete(ENV, f));
	assert_true(is_empty(f));
	assert_int_equal(nev(EV_LAST, f), 1);
	assert_int_equal(fx->env.count, n - 2);
	/* a marked CNode does not become a zombie */
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(4));
	OK(caps_set_remote(c, 1));
	EXPECT(caps_delete(ENV, c), ERR_CAP_REMOTE);
	assert_false(is_zombie(c));
	assert_null(fx->env.zombies);
	OK(caps_set_remote(c, 0));
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	drain(1);
	assert_true(is_empty(c));
	/* nor a marked capability from another core */
	struct cte *g = create(S(5), OBJ_RAM, FREE_PA, 4 * 4096, 2);
	OK(caps_set_remote(g, 1));
	EXPECT(caps_delete(ENV, g), ERR_CAP_REMOTE);
	OK(caps_set_remote(g, 0));
	OK(caps_delete(ENV, g));
}

/* Revoke deletes victims in MDB order and stops at a marked one; once the
   mark is cleared, revoke again finishes. */
static void test_revoke_stops_at_remote(void **state)
{
	(void)state;
	struct cte *r = make(OBJ_RAM, 16 * 4096, S(2));
	OK(caps_retype(ENV, r, OBJ_FRAME, 0, 4096, 4, S(3))); /* S(3..6), in order */
	OK(caps_set_remote(S(5), 1));
	uint64_t n = fx->env.count;
	revoke_all(r, 1, ERR_CAP_REMOTE);
	assert_true(is_empty(S(3)) && is_empty(S(4)));
	assert_int_equal(S(5)->cap.type, OBJ_FRAME);
	assert_int_equal(S(6)->cap.type, OBJ_FRAME);
	assert_int_equal(fx->env.count, n - 2);
	assert_int_equal(nev(EV_DELETE, NULL), 2);
	/* again, with any budget: nothing more */
	EXPECT(caps_revoke(ENV, r, 1), ERR_CAP_REMOTE);
	EXPECT(caps_revoke(ENV, r, 1000), ERR_CAP_REMOTE);
	assert_int_equal(fx->env.count, n - 2);
	assert_int_equal(nev(EV_DELETE, NULL), 2);
	OK(caps_set_remote(S(5), 0));
	revoke_all(r, 1, ERR_OK);
	for (unsigned i = 3; i <= 6; i++)
		assert_true(is_empty(S(i)));
	assert_int_equal(fx->env.count, n - 4);
	assert_int_equal(nev(EV_LAST, NULL), 4);
	assert_int_equal(r->cap.type, OBJ_RAM);
	/* a marked copy of the revoked capability comes first: nothing goes */
	OK(caps_copy(ENV, S(7), r, CAP_RIGHTS_ALL, 0));
	OK(caps_retype(ENV, r, OBJ_FRAME, 0, 4096, 2, S(8)));
	OK(caps_set_remote(S(7), 5));
	n = fx->env.count;
	unsigned evs = fx->nev;
	EXPECT(caps_revoke(ENV, r, 1000), ERR_CAP_REMOTE);
	assert_int_equal(fx->env.count, n);
	assert_int_equal(fx->nev, evs);
	/* a marked grandchild, deep down; the revoked one's own mark does
	   not matter */
	OK(caps_set_remote(S(7), 0));
	OK(caps_set_remote(r, 1));
	OK(caps_retype(ENV, r, OBJ_RAM, 8 * 4096, 8 * 4096, 1, S(10)));
	OK(caps_retype(ENV, S(10), OBJ_RAM, 4 * 4096, 4 * 4096, 1, S(11)));
	OK(caps_retype(ENV, S(11), OBJ_FRAME, 4096, 4096, 2, S(12)));
	OK(caps_set_remote(S(13), 1));
	revoke_all(r, 3, ERR_CAP_REMOTE);
	assert_true(is_empty(S(7)) && is_empty(S(8)) && is_empty(S(9)));
	assert_true(is_empty(S(10)) && is_empty(S(11)) && is_empty(S(12)));
	assert_int_equal(S(13)->cap.type, OBJ_FRAME);
	OK(caps_set_remote(S(13), 0));
	revoke_all(r, 3, ERR_OK);
	assert_true(is_empty(S(13)));
	assert_false(mdb_has_copies(ENV, r) || mdb_has_descendants(ENV, r));
	OK(caps_set_remote(r, 0));
}

/* A zombie CNode's slots are deleted whatever their marks (its memory is
   going): a marked copy, a marked last copy, a marked CNode (which becomes
   a zombie in turn) with a marked frame inside, a marked capability from
   another core. Everything goes, each once, and the count adds up. */
static void test_zombie_deletes_remote_marked_slots(void **state)
{
	(void)state;
	uint64_t n0 = fx->env.count;
	struct cte *c = make(OBJ_L2CNODE, OBJSIZE_L2CNODE, S(2));
	struct cte *f = make(OBJ_FRAME, 4096, S(3));
	struct cte *cs = slot_of(c, 0), *in = &cs[7];
	OK(caps_copy(ENV, &cs[4], f, CAP_RIGHTS_ALL, 0));
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, &cs[100]));
	OK(caps_retype(ENV, RAM, OBJ_L2CNODE, take(OBJSIZE_L2CNODE), OBJSIZE_L2CNODE, 1, in));
	struct cte *deep = slot_of(in, 200);
	uint64_t coff = c->cap.base - RAM->cap.base, inoff = in->cap.base - RAM->cap.base;
	OK(caps_retype(ENV, RAM, OBJ_FRAME, take(4096), 4096, 1, deep));
	create(&cs[50], OBJ_FRAME, FREE_PA, 4096, 1);
	struct cte *marked[] = {&cs[4], &cs[100], in, deep, &cs[50]};
	for (unsigned i = 0; i < 5; i++) {
		OK(caps_set_remote(marked[i], 1 + i));
		EXPECT(caps_delete(ENV, marked[i]), ERR_CAP_REMOTE);
	}
	uint64_t n = fx->env.count;
	assert_int_equal(n, n0 + 7);
	fx->nev = 0;
	EXPECT(caps_delete(ENV, c), ERR_CAP_PENDING);
	/* step until the inner CNode is a zombie: marked, but it cannot be
	   unmarked or refuse any more */
	for (unsigned i = 0; !is_zombie(in); i++) {
		EXPECT(caps_delete_step(ENV, 1), ERR_CAP_PENDING);
		assert_true(i < 1000);
	}
	assert_true(is_empty(&cs[4]));
	EXPECT(caps_set_remote(in, 0), ERR_CAP_BUSY);
	EXPECT(caps_delete(ENV, in), ERR_CAP_PENDING);
	EXPECT(caps_revoke(ENV, in, 1), ERR_CAP_BUSY);
	drain(1);
	assert_true(is_empty(c) && is_empty(in) && is_empty(deep));
	for (unsigned i = 0; i < 5; i++)
		assert_true(is_empty(marked[i]));
	assert_null(fx->env.zombies);
	assert_int_equal(fx->env.count, n - 6);
	assert_int_equal(fx->env.count, n0 + 1);
	assert_int_equal(nev(EV_DELETE, NULL), 6);
	assert_int_equal(nev(EV_LAST, NULL), 5); /* all but the copy of f */
	for (unsigned i = 0; i < fx->nev; i++)
		assert_int_equal(nev(fx->ev[i].kind, fx->ev[i].cte), 1);
	assert_int_equal(f->cap.type, OBJ_FRAME);
	assert_false(mdb_has_copies(ENV, f));
	/* and the memory of both CNodes is free again */
	OK(caps_retype(ENV, RAM, OBJ_RAM, coff, OBJSIZE_L2CNODE, 1, S(4)));
	OK(caps_retype(ENV, RAM, OBJ_RAM, inoff, OBJSIZE_L2CNODE, 1, S(5)));
}

/* ---- the invariant checker notices corruption ---- */

#define BROKEN()                                                                                   \
	do {                                                                                       \
		if (!caps_check_invariants(ENV))                                                   \
			fail_msg("corruption not noticed");                                        \
	} while (0)

static void test_invariants_wrong_count(void **state)
{
	(void)state;
	mixed_database();
	fx->env.count++;
	BROKEN();
	fx->env.count -= 2;
	BROKEN();
	fx->env.count++;
	INV();
}

static void test_invariants_broken_order(void **state)
{
	(void)state;
	mixed_database();
	uint64_t a = S(3)->cap.base, b = S(6)->cap.base; /* two frames */
	S(3)->cap.base = b;
	S(6)->cap.base = a;
	BROKEN();
	S(3)->cap.base = a;
	S(6)->cap.base = b;
	INV();
	uint8_t t = S(12)->cap.type; /* a dispatcher that sorts as an ID */
	S(12)->cap.type = OBJ_ID;
	BROKEN();
	S(12)->cap.type = t;
	INV();
}

static void test_invariants_bad_shape(void **state)
{
	(void)state;
	mixed_database();
	struct cte *root = fx->env.root;
	uint8_t level = root->mdb.level;
	root->mdb.level = (uint8_t)(level + 1);
	BROKEN();
	root->mdb.level = 0;
	BROKEN();
	root->mdb.level = level;
	INV();
	uint64_t aux = root->mdb.aux; /* max end of the subtree */
	root->mdb.aux = aux + 1;
	BROKEN();
	root->mdb.aux = aux;
	INV();
	struct cte *left = root->mdb.left;
	root->mdb.left = NULL;
	BROKEN();
	root->mdb.left = left;
	INV();
}

static void test_invariants_empty_or_zombie_in_tree(void **state)
{
	(void)state;
	mixed_database();
	S(9)->mdb.flags |= MDB_ZOMBIE;
	BROKEN();
	S(9)->mdb.flags &= (uint8_t)~MDB_ZOMBIE;
	INV();
	uint8_t t = S(9)->cap.type;
	S(9)->cap.type = OBJ_NULL;
	BROKEN();
	S(9)->cap.type = t;
	INV();
}

static void test_invariants_not_laminar(void **state)
{
	(void)state;
	mixed_database();
	/* a RAM capability half over frame S(3): neither copy nor relative */
	struct cte bad = {.cap = {.type = OBJ_RAM,
				  .rights = CAP_RIGHTS_ALL,
				  .base = S(3)->cap.base + 2048,
				  .size = 4096}};
	mdb_insert(ENV, &bad);
	BROKEN();
	mdb_remove(ENV, &bad);
	INV();
}

static void test_invariants_zombie_list(void **state)
{
	(void)state;
	struct cte *z = make_zombie(2, 3);
	z->mdb.right = z;
	BROKEN();
	z->mdb.right = NULL;
	INV();
	z->mdb.level = 1;
	BROKEN();
	z->mdb.level = 0;
	INV();
	z->mdb.flags = 0;
	BROKEN();
	z->mdb.flags = MDB_ZOMBIE;
	INV();
	drain(1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_type_names),
	    T(test_can_retype_table),
	    T(test_objsize_ok_table),
	    T(test_copy_makes_a_copy),
	    T(test_copy_never_widens_rights),
	    T(test_copy_does_not_copy_flags),
	    T(test_mint_badges_unbadged_endpoint),
	    T(test_mint_badged_endpoint_refused),
	    T(test_mint_non_endpoint_refused),
	    T(test_copy_empty_src),
	    T(test_copy_occupied_dest),
	    T(test_copy_zombie_src_busy),
	    T(test_retype_into_each_type),
	    T(test_retype_children_get_src_rights),
	    T(test_retype_physaddr_and_frames),
	    T(test_retype_empty_src),
	    T(test_retype_zombie_src),
	    T(test_retype_needs_write),
	    T(test_retype_derivation_refused),
	    T(test_retype_bad_objsize),
	    T(test_retype_count_zero),
	    T(test_retype_misaligned),
	    T(test_retype_range_outside_src),
	    T(test_retype_overlap_live_descendant),
	    T(test_retype_overlap_zombie),
	    T(test_retype_overlap_zombie_cte),
	    T(test_retype_occupied_dest),
	    T(test_retype_errors_change_nothing),
	    T(test_retype_unused_subranges),
	    T(test_retype_endpoint_from_dispatcher),
	    T(test_delete_empty_slot),
	    T(test_delete_copy_and_last_copy),
	    T(test_delete_endpoints_last_copy),
	    T(test_delete_leaves_descendants),
	    T(test_delete_last_copy_of_empty_cnode),
	    T(test_delete_nonempty_cnode_becomes_zombie),
	    T(test_delete_step_without_zombies),
	    T(test_delete_step_budgets),
	    T(test_delete_nested_cnodes),
	    T(test_delete_cnode_holding_last_copy_of_itself),
	    T(test_delete_zombie_inside_zombie),
	    T(test_revoke_copies_and_descendants),
	    T(test_revoke_copies_on_both_sides),
	    T(test_revoke_nothing_to_do),
	    T(test_revoke_empty_or_zombie),
	    T(test_revoke_budget_then_resume),
	    T(test_revoke_deep_chain),
	    T(test_revoke_nested_cnodes),
	    T(test_revoke_finishes_zombies),
	    T(test_revoke_cap_inside_revoked_cnode),
	    T(test_identify_fields),
	    T(test_identify_empty),
	    T(test_cnode_slots),
	    T(test_lookup_level2),
	    T(test_lookup_level1),
	    T(test_lookup_root_not_l1cnode),
	    T(test_lookup_bad_level),
	    T(test_lookup_l1_index_out_of_range),
	    T(test_lookup_l1_slot_empty),
	    T(test_lookup_l1_slot_not_l2cnode),
	    T(test_lookup_through_zombie),
	    T(test_mdb_order_and_walk),
	    T(test_mdb_copies_adjacent),
	    T(test_mdb_descendants_follow),
	    T(test_is_copy_is_descendant),
	    T(test_mdb_other_classes),
	    T(test_mdb_insert_remove_random),
	    T(test_create_makes_capability),
	    T(test_create_copy_of_existing),
	    T(test_range_free),
	    T(test_create_nested_and_containing),
	    T(test_create_partial_overlap),
	    T(test_create_over_kernel_object),
	    T(test_create_over_zombie_cte),
	    T(test_create_errors),
	    T(test_create_random_against_reference),
	    T(test_notify_create),
	    T(test_notify_rules),
	    T(test_retype_remote_owner),
	    T(test_set_remote),
	    T(test_relations),
	    T(test_marks),
	    T(test_delete_remote_refused),
	    T(test_revoke_stops_at_remote),
	    T(test_zombie_deletes_remote_marked_slots),
	    T(test_invariants_wrong_count),
	    T(test_invariants_broken_order),
	    T(test_invariants_bad_shape),
	    T(test_invariants_empty_or_zombie_in_tree),
	    T(test_invariants_not_laminar),
	    T(test_invariants_zombie_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
