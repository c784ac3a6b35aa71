// SPDX-License-Identifier: MIT
/*
 * Randomized test of lib/caps against a reference model: long, seeded
 * sequences of copy, mint, retype, delete, delete_step, revoke (in random
 * budgets, to completion), lookup and identify on slots outside object
 * memory and inside CNodes. The model (objects with parent links, cells
 * with occupied/zombie/object/rights/badge) is written from caps.h and
 * docs/capabilities.md alone; it predicts each result and the whole state
 * afterwards, and caps_check_invariants() must hold after every call.
 *
 *   REEF_CAPS_SEED  (default 1)      REEF_CAPS_STEPS (default 20000)
 *
 * Where the model cannot know the exact outcome the operation is skipped,
 * never loosely checked: after a zombie step that did not finish, which of
 * the doomed CTEs are already gone is the library's business, so operations
 * touching doomed CTEs wait until the zombies are finished. The header gives
 * no order among copy's (or lookup's type/level) errors: when several apply,
 * any one of them is accepted, and nothing may change.
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

#define ARENA_BASE 0x80000000ull
#define ARENA_SIZE (1u << 20)
#define NEXT	   64 /* slots outside object memory; 0 holds the PhysAddr root */
#define NARENA	   (ARENA_SIZE / sizeof(struct cte))
#define NCELLS	   (NEXT + NARENA)
#define OTHER_PA   0x1000ull /* v2p of the slots outside object memory */
#define PAGE	   4096ull

/* ---- the database under test ---- */

static struct caps_env env;
static uint8_t *arena;
static struct cte ext[NEXT];

static struct cte *cell_ptr(int c)
{
	return c < NEXT ? &ext[c] : (struct cte *)arena + (c - NEXT);
}

static int cell_of(const struct cte *p)
{
	if (p >= ext && p < ext + NEXT)
		return (int)(p - ext);
	const struct cte *a = (const struct cte *)arena;
	if (p >= a && p < a + NARENA)
		return NEXT + (int)(p - a);
	return -1;
}

static uint64_t cell_pa(int c)
{
	return c < NEXT ? OTHER_PA : ARENA_BASE + (uint64_t)(c - NEXT) * sizeof(struct cte);
}

static void *t_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < ARENA_BASE || pa - ARENA_BASE >= ARENA_SIZE)
		fail_msg("p2v(%#llx) outside object memory", (unsigned long long)pa);
	return arena + (pa - ARENA_BASE);
}

static uint64_t t_v2p(void *ctx, const void *p)
{
	(void)ctx;
	int c = cell_of(p);
	if (c < 0)
		fail_msg("v2p of something that is no CTE");
	return cell_pa(c);
}

enum { EV_DELETE, EV_LAST };

struct event {
	int kind, cell;
	struct capability cap;
};

struct log {
	struct event *e;
	unsigned n, max;
};

static struct log oplog;   /* events of the current call */
static struct log fluxlog; /* of zombie steps since the zombies were last finished */

static void log_add(struct log *l, const struct event *e)
{
	if (l->n == l->max) {
		l->max = l->max ? 2 * l->max : 256;
		l->e = realloc(l->e, l->max * sizeof(*l->e));
		if (!l->e)
			abort();
	}
	l->e[l->n++] = *e;
}

static void record(int kind, struct cte *c)
{
	struct event e = {kind, cell_of(c), c->cap};
	if (e.cell < 0)
		fail_msg("callback for a CTE that is no slot");
	log_add(&oplog, &e);
}

static void t_last_copy(void *ctx, struct cte *c)
{
	(void)ctx;
	record(EV_LAST, c);
}

static void t_on_delete(void *ctx, struct cte *c)
{
	(void)ctx;
	record(EV_DELETE, c);
}

/* ---- randomness and reporting ---- */

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

static unsigned long long seed;
static unsigned step;
static char opdesc[256];

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		char m_[512];                                                                      \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                                             \
		fail_msg("seed %llu step %u: %s\n  op: %s", seed, step, m_, opdesc);               \
	} while (0)

static void inv(void)
{
	const char *why = caps_check_invariants(&env);
	if (why)
		FAIL("invariant broken: %s", why);
}

static const char *cname(int c)
{
	static char buf[4][48];
	static unsigned k;
	char *b = buf[k++ % 4];
	if (c < NEXT)
		snprintf(b, 48, "ext[%d]", c);
	else
		snprintf(b, 48, "pa %#llx", (unsigned long long)cell_pa(c));
	return b;
}

/* ---- the reference model ---- */

struct obj {
	uint8_t type;
	uint64_t base, size;
	int parent; /* object retyped from, -1 for the root */
	int ep;	    /* dispatcher: its endpoint object, -1 */
	unsigned ncaps;
	unsigned dcount, xstamp, astamp, lstamp, cstamp;
	bool anc;
};

struct mcell {
	bool occ, zombie;
	int obj;
	uint8_t rights;
	uint64_t badge;
};

static struct obj *objs;
static int nobjs, maxobjs;
static struct mcell m[NCELLS];
static int occ_list[NCELLS], occ_pos[NCELLS], nocc;
static int cn_of[NARENA]; /* CNode object whose memory holds this arena cell */
static unsigned nlive, nzombies;
static bool flux; /* zombie steps happened and the zombies are not finished */
static unsigned doomed[NCELLS], gen, agen;
static int freed[NCELLS], nfreed;

static int new_obj(uint8_t type, uint64_t base, uint64_t size, int parent)
{
	if (nobjs == maxobjs) {
		maxobjs = maxobjs ? 2 * maxobjs : 1024;
		objs = realloc(objs, (size_t)maxobjs * sizeof(*objs));
		if (!objs)
			abort();
	}
	objs[nobjs] =
	    (struct obj){.type = type, .base = base, .size = size, .parent = parent, .ep = -1};
	return nobjs++;
}

static bool is_cnode(uint8_t t)
{
	return t == OBJ_L1CNODE || t == OBJ_L2CNODE;
}

static uint8_t type_of(int c)
{
	return m[c].occ ? objs[m[c].obj].type : OBJ_NULL;
}

static void occupy(int c, int o, uint8_t rights, uint64_t badge)
{
	m[c] = (struct mcell){.occ = true, .obj = o, .rights = rights, .badge = badge};
	objs[o].ncaps++;
	occ_pos[c] = nocc;
	occ_list[nocc++] = c;
	nlive++;
}

/* Free a cell; the object goes with its last capability. */
static void vacate(int c)
{
	struct obj *o = &objs[m[c].obj];
	if (m[c].zombie)
		nzombies--;
	else
		nlive--;
	m[c] = (struct mcell){0};
	int last = occ_list[--nocc];
	occ_list[occ_pos[c]] = last;
	occ_pos[last] = occ_pos[c];
	freed[nfreed++] = c;
	if (--o->ncaps == 0 && is_cnode(o->type))
		for (uint64_t i = 0; i < o->size / sizeof(struct cte); i++)
			cn_of[(o->base - ARENA_BASE) / sizeof(struct cte) + i] = -1;
}

static bool ref_can_retype(unsigned s, unsigned d)
{
	switch (s) {
	case OBJ_PHYSADDR:
		return d == OBJ_RAM || d == OBJ_DEVFRAME;
	case OBJ_RAM:
		return d == OBJ_RAM || d == OBJ_FRAME || d == OBJ_L1CNODE || d == OBJ_L2CNODE ||
		       d == OBJ_VNODE_L2 || d == OBJ_VNODE_L1 || d == OBJ_VNODE_L0 ||
		       d == OBJ_DISPATCHER;
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

static bool ref_size_ok(unsigned t, uint64_t sz)
{
	switch (t) {
	case OBJ_RAM:
	case OBJ_FRAME:
	case OBJ_DEVFRAME:
		return sz && sz % PAGE == 0;
	case OBJ_L1CNODE:
		return sz >= OBJSIZE_L2CNODE && sz <= (1ull << 30) && !(sz & (sz - 1));
	case OBJ_L2CNODE:
		return sz == OBJSIZE_L2CNODE;
	case OBJ_VNODE_L2:
	case OBJ_VNODE_L1:
	case OBJ_VNODE_L0:
		return sz == OBJSIZE_VNODE;
	case OBJ_DISPATCHER:
		return sz == OBJSIZE_DISPATCHER;
	case OBJ_ENDPOINT:
		return sz == 0;
	default:
		return false;
	}
}

/* Is object o retyped, directly or not, from object a? (memoized per a) */
static bool descends(int o, int a)
{
	int path[512], n = 0;
	bool r = false;
	for (int x = objs[o].parent; x >= 0; x = objs[x].parent) {
		if (x == a) {
			r = true;
			break;
		}
		if (objs[x].astamp == agen) {
			r = objs[x].anc;
			break;
		}
		if (n < 512)
			path[n++] = x;
	}
	for (int i = 0; i < n; i++) {
		objs[path[i]].astamp = agen;
		objs[path[i]].anc = r;
	}
	return r;
}

static bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/*
 * The CTEs that finishing the zombies (and deleting the cells in seed) will
 * delete: the zombies, the seeds, every CTE in the memory of a CNode whose
 * capabilities all go, to a fixpoint. Marks doomed[c] == gen and the
 * objects that go with objs[o].xstamp == gen; returns how many CTEs.
 */
static unsigned fixpoint(const int *seeds, int nseeds)
{
	gen++;
	for (int i = 0; i < nocc; i++)
		if (m[occ_list[i]].zombie)
			doomed[occ_list[i]] = gen;
	for (int i = 0; i < nseeds; i++)
		doomed[seeds[i]] = gen;
	for (bool changed = true; changed;) {
		changed = false;
		for (int i = 0; i < nocc; i++)
			objs[m[occ_list[i]].obj].dcount = 0;
		for (int i = 0; i < nocc; i++)
			if (doomed[occ_list[i]] == gen)
				objs[m[occ_list[i]].obj].dcount++;
		for (int i = 0; i < nocc; i++) {
			struct obj *o = &objs[m[occ_list[i]].obj];
			if (o->dcount == o->ncaps && o->xstamp != gen) {
				o->xstamp = gen;
				changed = true;
			}
		}
		for (int i = 0; i < nocc; i++) {
			int c = occ_list[i];
			if (c >= NEXT && doomed[c] != gen && cn_of[c - NEXT] >= 0 &&
			    objs[cn_of[c - NEXT]].xstamp == gen) {
				doomed[c] = gen;
				changed = true;
			}
		}
	}
	unsigned n = 0;
	for (int i = 0; i < nocc; i++)
		n += doomed[occ_list[i]] == gen;
	return n;
}

static bool doom_valid; /* doomed[] describes the current zombies */

static void refresh_doom(void)
{
	if (nzombies)
		fixpoint(NULL, 0);
	doom_valid = nzombies != 0;
}

/* Will this cell be deleted (or is its memory going) with the zombies? */
static bool is_doomed(int c)
{
	if (!doom_valid)
		return false;
	if (m[c].occ && doomed[c] == gen)
		return true;
	return c >= NEXT && cn_of[c - NEXT] >= 0 && objs[cn_of[c - NEXT]].xstamp == gen;
}

/*
 * The zombies are finished (delete_step or revoke said ERR_OK): check what
 * the zombie steps and revoke calls reported against the cells marked by
 * the last fixpoint(), then apply it to the model.
 */
static void resolve(void)
{
	static unsigned seen[NCELLS], sgen, lgen;
	unsigned dels = 0, lasts = 0, want_dels = 0, want_lasts = 0;
	sgen++;
	lgen++;
	for (unsigned i = 0; i < fluxlog.n; i++) {
		const struct event *e = &fluxlog.e[i];
		int c = e->cell;
		if (e->kind == EV_DELETE) {
			if (!m[c].occ || doomed[c] != gen || m[c].zombie || seen[c] == sgen)
				FAIL("on_delete for %s which should not go (now)", cname(c));
			seen[c] = sgen;
			dels++;
			continue;
		}
		/* last_copy: an object that goes, once, after all its CTEs */
		int o = -1;
		for (int k = 0; k < nocc && o < 0; k++) {
			int d = occ_list[k];
			const struct obj *x = &objs[m[d].obj];
			if (doomed[d] == gen && x->xstamp == gen && x->type == e->cap.type &&
			    x->base == e->cap.base && x->size == e->cap.size)
				o = m[d].obj;
		}
		if (o < 0)
			FAIL("last_copy for %s %#llx+%#llx which should not go",
			     caps_type_name((enum objtype)e->cap.type),
			     (unsigned long long)e->cap.base, (unsigned long long)e->cap.size);
		if (objs[o].lstamp == lgen)
			FAIL("last_copy twice for %s %#llx",
			     caps_type_name((enum objtype)e->cap.type),
			     (unsigned long long)e->cap.base);
		objs[o].lstamp = lgen;
		for (int k = 0; k < nocc; k++) {
			int d = occ_list[k];
			if (m[d].obj == o && !m[d].zombie && seen[d] != sgen)
				FAIL("last_copy before on_delete of %s", cname(d));
		}
		lasts++;
	}
	for (int k = 0; k < nocc; k++) {
		int d = occ_list[k];
		if (doomed[d] != gen)
			continue;
		want_dels += !m[d].zombie;
		struct obj *x = &objs[m[d].obj];
		if (x->xstamp == gen && x->cstamp != lgen) {
			if (x->lstamp != lgen)
				FAIL("no last_copy for %s %#llx",
				     caps_type_name((enum objtype)x->type),
				     (unsigned long long)x->base);
			x->cstamp = lgen;
			want_lasts++;
		}
	}
	if (dels != want_dels || lasts != want_lasts)
		FAIL("finishing deleted %u CTEs and %u objects, want %u and %u", dels, lasts,
		     want_dels, want_lasts);
	for (int k = nocc - 1; k >= 0; k--) {
		int d = occ_list[k];
		if (doomed[d] == gen)
			vacate(d);
	}
	fluxlog.n = 0;
	flux = false;
	doom_valid = false;
}

/* ---- checking the whole state against the model ---- */

static unsigned flux_deletes(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fluxlog.n; i++)
		n += fluxlog.e[i].kind == EV_DELETE;
	return n;
}

static void verify(void)
{
	inv();
	refresh_doom();
	if (env.count != nlive - flux_deletes())
		FAIL("count %llu, model %u - %u", (unsigned long long)env.count, nlive,
		     flux_deletes());
	for (int i = 0; i < nocc; i++) {
		int c = occ_list[i];
		const struct cte *p = cell_ptr(c);
		const struct obj *o = &objs[m[c].obj];
		if (flux && is_doomed(c))
			continue;
		uint64_t badge = o->type == OBJ_ENDPOINT ? m[c].badge : 0;
		if (p->cap.type != o->type || p->cap.base != o->base || p->cap.size != o->size ||
		    p->cap.rights != m[c].rights || p->cap.badge != badge || p->cap.flags ||
		    p->cap.extra)
			FAIL("cell %d holds %s %#llx+%#llx r%x b%llu, model %s %#llx+%#llx r%x "
			     "b%llu",
			     c, caps_type_name((enum objtype)p->cap.type),
			     (unsigned long long)p->cap.base, (unsigned long long)p->cap.size,
			     p->cap.rights, (unsigned long long)p->cap.badge,
			     caps_type_name((enum objtype)o->type), (unsigned long long)o->base,
			     (unsigned long long)o->size, m[c].rights, (unsigned long long)badge);
		bool z = p->mdb.flags & MDB_ZOMBIE;
		if (z != m[c].zombie || (!z && p->mdb.level == 0))
			FAIL("cell %d: zombie %d, model %d (level %u)", c, z, m[c].zombie,
			     p->mdb.level);
	}
	for (int i = 0; i < nfreed; i++) {
		static const struct cte zero;
		if (memcmp(cell_ptr(freed[i]), &zero, sizeof(zero)))
			FAIL("cell %d should be empty", freed[i]);
	}
	nfreed = 0;
	unsigned n = 0;
	for (const struct cte *e = mdb_first(&env); e; e = mdb_next(&env, e), n++) {
		int c = cell_of(e);
		if (c < 0 || !m[c].occ || m[c].zombie)
			FAIL("the MDB holds cell %d, not live in the model", c);
	}
	if (n != env.count)
		FAIL("MDB walk found %u, count %llu", n, (unsigned long long)env.count);
	n = 0;
	for (const struct cte *z = env.zombies; z; z = z->mdb.left, n++) {
		int c = cell_of(z);
		if (c < 0 || !m[c].occ || (flux ? !is_doomed(c) : !m[c].zombie))
			FAIL("zombie list holds cell %d", c);
		if (n > NCELLS)
			FAIL("zombie list loops");
	}
	if (!flux && n != nzombies)
		FAIL("%u zombies, model %u", n, nzombies);
}

/* ---- predictions ---- */

struct pred {
	errval_t e[4];
	unsigned n;
};

static void add(struct pred *p, errval_t e)
{
	p->e[p->n++] = e;
}

static unsigned long stats[8][14];
static const char *const op_names[] = {"copy",	 "retype", "delete",   "step",
				       "revoke", "lookup", "identify", "skipped"};

static void check(unsigned op, errval_t got, const struct pred *p)
{
	bool ok = p->n == 0 ? got == ERR_OK : false;
	for (unsigned i = 0; i < p->n; i++)
		ok |= got == p->e[i];
	if (!ok)
		FAIL("got %s, want %s%s%s", err_str(got), p->n ? err_str(p->e[0]) : "ERR_OK",
		     p->n > 1 ? " or " : "", p->n > 1 ? err_str(p->e[1]) : "");
	stats[op][got == ERR_OK ? 0 : got >= 100 && got <= 111 ? got - 99 : 13]++;
}

/* The callbacks of the last call must be exactly these, in this order. */
static void expect_events(const int *kinds, const int *cells, unsigned n)
{
	if (oplog.n != n)
		FAIL("%u callbacks, want %u", oplog.n, n);
	for (unsigned i = 0; i < n; i++)
		if (oplog.e[i].kind != kinds[i] || oplog.e[i].cell != cells[i])
			FAIL("callback %u: %s of cell %d, want %s of %d", i,
			     oplog.e[i].kind == EV_DELETE ? "on_delete" : "last_copy",
			     oplog.e[i].cell, kinds[i] == EV_DELETE ? "on_delete" : "last_copy",
			     cells[i]);
}

/* ---- picking arguments ---- */

static int pick_cnode_cell(void)
{
	for (int tries = 0; tries < 8 && nocc; tries++) {
		int c = occ_list[below((unsigned)nocc)];
		if (!is_cnode(type_of(c)))
			continue;
		const struct obj *o = &objs[m[c].obj];
		unsigned n = (unsigned)(o->size / sizeof(struct cte));
		unsigned r = below(100), i;
		if (r < 60)
			i = below(12);
		else if (r < 75) /* the ends of zombie scans */
			i = n - 1 - below(3);
		else if (r < 85)
			i = (64 * (1 + below(n / 64)) - 1 + below(2)) % n;
		else
			i = below(n);
		return NEXT + (int)((o->base - ARENA_BASE) / sizeof(struct cte)) + (int)i;
	}
	return 1 + (int)below(NEXT - 1);
}

static int pick_cell(void)
{
	return chance(65) ? 1 + (int)below(NEXT - 1) : pick_cnode_cell();
}

/* Mostly an occupied cell other than the root. */
static int pick_occ(void)
{
	if (nocc > 1 && chance(88)) {
		int c = occ_list[below((unsigned)nocc)];
		if (c)
			return c;
	}
	return pick_cell();
}

/* ---- operations ---- */

enum { OP_COPY, OP_RETYPE, OP_DELETE, OP_STEP, OP_REVOKE, OP_LOOKUP, OP_IDENTIFY, OP_SKIP };

#define SKIP()                                                                                     \
	do {                                                                                       \
		stats[OP_SKIP][0]++;                                                               \
		return;                                                                            \
	} while (0)

static void op_copy(void)
{
	int dst = pick_cell(), src = chance(3) ? 0 : pick_occ();
	uint8_t rights = chance(60)   ? CAP_RIGHTS_ALL
			 : chance(20) ? (uint8_t)rnd()
				      : (uint8_t)below(CAP_RIGHTS_ALL + 1);
	uint64_t badge = chance(30) ? 1 + below(1000) : 0;
	snprintf(opdesc, sizeof(opdesc), "copy %s <- %s rights %#x badge %llu", cname(dst),
		 cname(src), rights, (unsigned long long)badge);
	if (flux && (is_doomed(src) || is_doomed(dst)))
		SKIP();
	struct pred p = {0};
	const struct mcell *s = &m[src];
	if (!s->occ)
		add(&p, ERR_CAP_EMPTY);
	else if (s->zombie)
		add(&p, ERR_CAP_BUSY);
	if (m[dst].occ)
		add(&p, ERR_CAP_OCCUPIED);
	if (s->occ && badge && (objs[s->obj].type != OBJ_ENDPOINT || s->badge))
		add(&p, ERR_CAP_RIGHTS);
	oplog.n = 0;
	errval_t err = caps_copy(&env, cell_ptr(dst), cell_ptr(src), rights, badge);
	check(OP_COPY, err, &p);
	expect_events(NULL, NULL, 0);
	if (err)
		return;
	bool ep = objs[s->obj].type == OBJ_ENDPOINT;
	occupy(dst, s->obj, s->rights & rights, ep ? (badge ? badge : s->badge) : 0);
}

static const uint8_t all_types[] = {
    OBJ_NULL,	 OBJ_PHYSADDR, OBJ_RAM,	     OBJ_DEVFRAME, OBJ_FRAME,	   OBJ_L1CNODE,
    OBJ_L2CNODE, OBJ_VNODE_L2, OBJ_VNODE_L1, OBJ_VNODE_L0, OBJ_DISPATCHER, OBJ_ENDPOINT,
    OBJ_KERNEL,	 OBJ_IRQ,      OBJ_ID,	     OBJ_NOTIFY,   OBJ_TYPE_COUNT};

static uint64_t pick_size(unsigned t, uint64_t srcsize)
{
	static const uint64_t bad[] = {
	    0, 100, PAGE / 2, PAGE + 512, 3 * OBJSIZE_L2CNODE, 1ull << 31, 1ull << 40};
	if (chance(6))
		return bad[below(sizeof(bad) / sizeof(bad[0]))];
	switch (t) {
	case OBJ_RAM:
	case OBJ_FRAME:
	case OBJ_DEVFRAME: {
		uint64_t pages = srcsize / PAGE;
		if (pages > 64)
			pages = chance(50) ? 64 : pages;
		return PAGE * (1 + below(pages ? (unsigned)(pages < 256 ? pages : 256) : 1));
	}
	case OBJ_L1CNODE:
		return chance(80) ? OBJSIZE_L2CNODE : 2 * OBJSIZE_L2CNODE;
	case OBJ_L2CNODE:
		return OBJSIZE_L2CNODE;
	case OBJ_VNODE_L2:
	case OBJ_VNODE_L1:
	case OBJ_VNODE_L0:
		return OBJSIZE_VNODE;
	case OBJ_DISPATCHER:
		return OBJSIZE_DISPATCHER;
	default:
		return 0;
	}
}

static void do_retype(int src, unsigned type, uint64_t off, uint64_t objsize, uint32_t count,
		      int d0);

/* Mostly something that can be retyped. */
static int pick_retype_src(void)
{
	if (chance(4))
		return 0;
	for (int tries = 0; tries < 20 && (tries || chance(90)); tries++) {
		int c = pick_occ();
		uint8_t t = type_of(c);
		if (t == OBJ_RAM || t == OBJ_DISPATCHER ||
		    ((t == OBJ_FRAME || t == OBJ_DEVFRAME) && objs[m[c].obj].size > PAGE))
			return c;
	}
	return pick_occ();
}

static void op_retype(void)
{
	int src = pick_retype_src();
	uint8_t st = type_of(src);
	unsigned type;
	if (st == OBJ_RAM && chance(35)) {
		type = chance(40) ? OBJ_L1CNODE : OBJ_L2CNODE;
	} else if (chance(88)) { /* something the table allows, if anything */
		unsigned ok[OBJ_TYPE_COUNT], n = 0;
		for (unsigned t = 0; t < OBJ_TYPE_COUNT; t++)
			if (ref_can_retype(st, t))
				ok[n++] = t;
		type = n ? ok[below(n)] : all_types[below(sizeof(all_types))];
	} else {
		type = all_types[below(sizeof(all_types))];
	}
	uint64_t srcsize = m[src].occ ? objs[m[src].obj].size : 0;
	uint64_t objsize = pick_size(type, srcsize);
	uint32_t count = chance(3) ? 0 : chance(70) ? 1 : 2 + below(3);
	uint64_t off;
	if (type == OBJ_ENDPOINT)
		off = chance(90) ? 0 : PAGE * below(3) + (chance(50) ? 8 : 0);
	else if (chance(5))
		off = PAGE * below(8) + 64 * (1 + below(63));
	else if (chance(5))
		off = srcsize + PAGE * below(4);
	else
		off = srcsize >= PAGE ? PAGE * below((unsigned)(srcsize / PAGE)) : 0;
	if (chance(40) && objsize && objsize <= srcsize && off % objsize)
		off -= off % objsize;
	/* count consecutive destination cells, outside or inside one CNode */
	int d0 = pick_cell();
	uint32_t room = count ? count : 1;
	if (d0 < NEXT) {
		if (d0 + (int)room > NEXT)
			d0 = NEXT - (int)room;
	} else {
		int cn = cn_of[d0 - NEXT];
		const struct obj *o = &objs[cn];
		int first = NEXT + (int)((o->base - ARENA_BASE) / sizeof(struct cte));
		int end = first + (int)(o->size / sizeof(struct cte));
		if (d0 + (int)room > end)
			d0 = end - (int)room;
	}
	do_retype(src, type, off, objsize, count, d0);
}

static void do_retype(int src, unsigned type, uint64_t off, uint64_t objsize, uint32_t count,
		      int d0)
{
	snprintf(opdesc, sizeof(opdesc), "retype %s -> %s off %#llx size %#llx count %u at %s",
		 cname(src), caps_type_name((enum objtype)type), (unsigned long long)off,
		 (unsigned long long)objsize, count, cname(d0));
	if (flux && is_doomed(src))
		SKIP();

	struct pred p = {0};
	const struct mcell *s = &m[src];
	const struct obj *so = s->occ ? &objs[s->obj] : NULL;
	uint64_t b = 0, e = 0;
	if (!s->occ)
		add(&p, ERR_CAP_EMPTY);
	else if (s->zombie)
		add(&p, ERR_CAP_BUSY);
	else if (!(s->rights & CAP_RIGHT_WRITE))
		add(&p, ERR_CAP_RIGHTS);
	else if (!ref_can_retype(so->type, type))
		add(&p, ERR_CAP_DERIVE);
	else if (!ref_size_ok(type, objsize) || (type == so->type && objsize == so->size))
		add(&p, ERR_CAP_SIZE);
	else if (count == 0)
		add(&p, ERR_CAP_SIZE);
	else if (off % PAGE || (type == OBJ_ENDPOINT && off))
		add(&p, ERR_CAP_ALIGN);
	else if (type != OBJ_ENDPOINT && (off > so->size || objsize > (so->size - off) / count))
		add(&p, ERR_CAP_RANGE);
	if (!p.n && type != OBJ_ENDPOINT) {
		b = so->base + off;
		e = b + objsize * count;
		bool live = false, zomb = false;
		agen++;
		for (int i = 0; i < nocc; i++) {
			int c = occ_list[i];
			const struct obj *x = &objs[m[c].obj];
			if (flux && is_doomed(c) &&
			    (overlaps(x->base, x->size, b, e - b) ||
			     overlaps(cell_pa(c), sizeof(struct cte), b, e - b)))
				SKIP();
			if (!m[c].zombie && m[c].obj != s->obj &&
			    overlaps(x->base, x->size, b, e - b) && descends(m[c].obj, s->obj))
				live = true;
			if (m[c].zombie && (overlaps(x->base, x->size, b, e - b) ||
					    overlaps(cell_pa(c), sizeof(struct cte), b, e - b)))
				zomb = true;
		}
		if (live)
			add(&p, ERR_CAP_OVERLAP);
		else if (zomb)
			add(&p, ERR_CAP_BUSY);
	}
	if (!p.n && type == OBJ_ENDPOINT && flux && so->ep >= 0 && objs[so->ep].ncaps) {
		for (int i = 0; i < nocc; i++) /* doomed endpoints decide last copies */
			if (m[occ_list[i]].obj == so->ep && is_doomed(occ_list[i]))
				SKIP();
	}
	if (!p.n)
		for (uint32_t i = 0; i < count; i++) {
			if (flux && is_doomed(d0 + (int)i))
				SKIP();
			if (m[d0 + i].occ) {
				add(&p, ERR_CAP_OCCUPIED);
				break;
			}
		}
	oplog.n = 0;
	errval_t err =
	    caps_retype(&env, cell_ptr(src), (enum objtype)type, off, objsize, count, cell_ptr(d0));
	check(OP_RETYPE, err, &p);
	expect_events(NULL, NULL, 0);
	if (err)
		return;
	int src_obj = s->obj;
	uint8_t rights = s->rights;
	for (uint32_t i = 0; i < count; i++) {
		int o;
		if (type == OBJ_ENDPOINT) {
			int ep = objs[src_obj].ep;
			if (ep < 0 || objs[ep].ncaps == 0) {
				ep = new_obj(OBJ_ENDPOINT, objs[src_obj].base, objs[src_obj].size,
					     src_obj);
				objs[src_obj].ep = ep;
			}
			o = ep;
		} else {
			o = new_obj((uint8_t)type, b + i * objsize, objsize, src_obj);
		}
		occupy(d0 + (int)i, o, rights, 0);
		if (is_cnode((uint8_t)type)) { /* memory for slots: nothing in it */
			uint64_t first = (objs[o].base - ARENA_BASE) / sizeof(struct cte);
			for (uint64_t k = 0; k < objsize / sizeof(struct cte); k++) {
				static const struct cte zero;
				if (m[NEXT + first + k].occ ||
				    memcmp(cell_ptr(NEXT + (int)(first + k)), &zero, sizeof(zero)))
					FAIL("new CNode over a CTE at %s",
					     cname(NEXT + (int)(first + k)));
				cn_of[first + k] = o;
			}
		}
	}
}

static bool cnode_empty(const struct obj *o)
{
	int first = NEXT + (int)((o->base - ARENA_BASE) / sizeof(struct cte));
	int n = (int)(o->size / sizeof(struct cte));
	for (int i = 0; i < n; i++)
		if (m[first + i].occ)
			return false;
	return true;
}

static void op_delete(void)
{
	int c = pick_occ();
	snprintf(opdesc, sizeof(opdesc), "delete %s", cname(c));
	if (c <= 1 || (flux && is_doomed(c))) /* keep the root and the RAM under it */
		SKIP();
	struct pred p = {0};
	const struct obj *o = m[c].occ ? &objs[m[c].obj] : NULL;
	bool last = o && o->ncaps == 1;
	if (o && flux)
		for (int i = 0; i < nocc; i++) /* whether c is the last copy is not known */
			if (m[occ_list[i]].obj == m[c].obj && is_doomed(occ_list[i]))
				SKIP();
	if (o && !m[c].zombie && last && is_cnode(o->type) && cnode_empty(o))
		SKIP(); /* see test_delete_last_copy_of_empty_cnode */
	if (!o)
		add(&p, ERR_CAP_EMPTY);
	else if (m[c].zombie || (last && is_cnode(o->type)))
		add(&p, ERR_CAP_PENDING);
	oplog.n = 0;
	errval_t err = caps_delete(&env, cell_ptr(c));
	check(OP_DELETE, err, &p);
	if (!o || m[c].zombie) {
		expect_events(NULL, NULL, 0);
		return;
	}
	static const int kinds[] = {EV_DELETE, EV_LAST};
	const int cells[] = {c, c};
	if (err == ERR_CAP_PENDING) {
		expect_events(kinds, cells, 1);
		m[c].zombie = true;
		nlive--;
		nzombies++;
		return;
	}
	expect_events(kinds, cells, last ? 2 : 1);
	vacate(c);
}

static void op_step(void)
{
	unsigned budget = chance(10) ? 0 : chance(80) ? 1 + below(8) : 1000;
	snprintf(opdesc, sizeof(opdesc), "delete_step %u (%u zombies)", budget, nzombies);
	struct pred p = {0};
	if (nzombies && budget == 0)
		add(&p, ERR_CAP_PENDING);
	uint64_t before = env.count;
	oplog.n = 0;
	errval_t err = caps_delete_step(&env, budget);
	inv();
	if (nzombies && budget)
		add(&p, err == ERR_CAP_PENDING ? ERR_CAP_PENDING : ERR_OK);
	check(OP_STEP, err, &p);
	unsigned dels = 0;
	for (unsigned i = 0; i < oplog.n; i++) {
		dels += oplog.e[i].kind == EV_DELETE;
		log_add(&fluxlog, &oplog.e[i]);
	}
	if (dels > budget || before - env.count > budget)
		FAIL("%u deletions with budget %u", dels, budget);
	if (!nzombies) {
		expect_events(NULL, NULL, 0);
		return;
	}
	if (err == ERR_CAP_PENDING) {
		if (!env.zombies)
			FAIL("pending without zombies");
		flux |= budget > 0;
		return;
	}
	if (env.zombies)
		FAIL("ERR_OK with zombies left");
	fixpoint(NULL, 0);
	resolve();
}

static void op_revoke(int t)
{
	snprintf(opdesc, sizeof(opdesc), "revoke %s", cname(t));
	if (!m[t].occ || m[t].zombie || (flux && is_doomed(t)))
		SKIP();
	/* its copies and descendants, and what goes with them */
	static int victims[NCELLS];
	int nv = 0, o = m[t].obj;
	agen++;
	for (int i = 0; i < nocc; i++) {
		int c = occ_list[i];
		if (c != t && !m[c].zombie && (m[c].obj == o || descends(m[c].obj, o)))
			victims[nv++] = c;
	}
	fixpoint(victims, nv);
	if (doomed[t] == gen) {
		/* caps.h: a capability kept in memory its revoke would destroy is
		   refused (when its own range holds it), and nothing changes. */
		const struct cte *p = cell_ptr(t);
		if (p->cap.type == OBJ_L1CNODE || p->cap.type == OBJ_L2CNODE ||
		    cell_pa(t) - p->cap.base >= p->cap.size)
			SKIP(); /* the known limit in caps.h */
		uint64_t before = env.count;
		const struct cte *zs = env.zombies;
		errval_t e = caps_revoke(&env, cell_ptr(t), 1 + below(8));
		inv();
		if (e != ERR_CAP_OVERLAP || env.count != before || env.zombies != zs)
			FAIL("revoke of a capability inside its own range: %s", err_str(e));
		return;
	}
	if (t != 0 && (doomed[0] == gen || doomed[1] == gen))
		SKIP(); /* keep the root and the RAM under it, but see op_reset() */
	unsigned calls = 0;
	errval_t err;
	do {
		unsigned budget = chance(70) ? 1 + below(8) : 1 + below(200);
		uint64_t before = env.count;
		oplog.n = 0;
		err = caps_revoke(&env, cell_ptr(t), budget);
		inv();
		unsigned dels = 0;
		for (unsigned i = 0; i < oplog.n; i++) {
			dels += oplog.e[i].kind == EV_DELETE;
			log_add(&fluxlog, &oplog.e[i]);
		}
		if (dels > budget || before - env.count > budget)
			FAIL("revoke call %u: %u deletions with budget %u", calls, dels, budget);
		if (++calls > 1000000)
			FAIL("revoke does not finish");
	} while (err == ERR_CAP_PENDING);
	struct pred p = {0};
	check(OP_REVOKE, err, &p);
	/* done; zombies may be left to caps_delete_step() */
	for (calls = 0; env.zombies; calls++) {
		unsigned budget = 1 + below(8);
		uint64_t before = env.count;
		oplog.n = 0;
		err = caps_delete_step(&env, budget);
		inv();
		unsigned dels = 0;
		for (unsigned i = 0; i < oplog.n; i++) {
			dels += oplog.e[i].kind == EV_DELETE;
			log_add(&fluxlog, &oplog.e[i]);
		}
		if (dels > budget || before - env.count > budget ||
		    (err != ERR_OK && err != ERR_CAP_PENDING) || calls > 1000000)
			FAIL("delete_step after revoke: %s, %u deletions with budget %u",
			     err_str(err), dels, budget);
	}
	resolve();
}

/* Revoke everything from the root and start again with RAM over it all. */
static void op_reset(void)
{
	op_revoke(0);
	if (m[1].occ)
		FAIL("revoking the root left ext[1]");
	verify();
	do_retype(0, OBJ_RAM, 0, ARENA_SIZE, 1, 1);
	if (!m[1].occ)
		FAIL("no RAM after the reset");
}

static void op_lookup(void)
{
	int r = chance(85) ? pick_occ() : pick_cell();
	for (int tries = 0; tries < 6 && type_of(r) != OBJ_L1CNODE; tries++)
		r = pick_occ();
	unsigned level = chance(90) ? 1 + below(2) : (chance(50) ? 0 : 3 + below(5));
	uint64_t n1 = type_of(r) == OBJ_L1CNODE ? objs[m[r].obj].size / sizeof(struct cte) : 4;
	unsigned l1 = chance(90) ? below((unsigned)n1) : (unsigned)n1 + below(3);
	if (type_of(r) == OBJ_L1CNODE && chance(60)) { /* an L1 slot in use */
		int first = NEXT + (int)((objs[m[r].obj].base - ARENA_BASE) / sizeof(struct cte));
		for (int i = 0, k = (int)below((unsigned)nocc); i < nocc; i++) {
			int c = occ_list[(k + i) % nocc];
			if (c >= first && c < first + (int)n1) {
				l1 = (unsigned)(c - first);
				break;
			}
		}
	}
	if (nzombies && !flux && chance(50)) { /* through a zombie in an L1 CNode */
		for (int i = 0; i < nocc; i++) {
			int z = occ_list[i], cn = z >= NEXT ? cn_of[z - NEXT] : -1;
			if (!m[z].zombie || cn < 0 || objs[cn].type != OBJ_L1CNODE)
				continue;
			for (int k = 0; k < nocc; k++) {
				int c = occ_list[k];
				if (m[c].obj == cn && !m[c].zombie) {
					r = c;
					n1 = objs[cn].size / sizeof(struct cte);
					l1 = (unsigned)((cell_pa(z) - objs[cn].base) /
							sizeof(struct cte));
					level = 2;
					break;
				}
			}
		}
	}
	capaddr_t addr = chance(5) ? (capaddr_t)rnd() : CAPADDR(l1, below(CSPACE_L2_SLOTS));
	snprintf(opdesc, sizeof(opdesc), "lookup root %s addr %#x level %u", cname(r), addr, level);
	if (m[r].zombie || (flux && is_doomed(r)))
		SKIP();
	struct pred p = {0};
	int want = -1;
	if (type_of(r) != OBJ_L1CNODE)
		add(&p, ERR_CAP_TYPE);
	if (level != 1 && level != 2)
		add(&p, ERR_CAP_ADDR);
	if (!p.n) {
		const struct obj *o = &objs[m[r].obj];
		int l1 =
		    NEXT + (int)((o->base - ARENA_BASE) / sizeof(struct cte) + CAPADDR_L1(addr));
		if (CAPADDR_L1(addr) >= n1)
			add(&p, ERR_CAP_ADDR);
		else if (level == 1)
			want = l1;
		else if (flux && is_doomed(l1))
			SKIP();
		else if (!m[l1].occ)
			add(&p, ERR_CAP_EMPTY);
		else if (m[l1].zombie)
			add(&p, ERR_CAP_BUSY);
		else if (type_of(l1) != OBJ_L2CNODE)
			add(&p, ERR_CAP_TYPE);
		else
			want =
			    NEXT + (int)((objs[m[l1].obj].base - ARENA_BASE) / sizeof(struct cte) +
					 CAPADDR_L2(addr));
	}
	struct cte *out = NULL;
	errval_t err = caps_lookup(&env, &cell_ptr(r)->cap, addr, level, &out);
	check(OP_LOOKUP, err, &p);
	if (!err && cell_of(out) != want)
		FAIL("lookup found %s, want %s", out ? cname(cell_of(out)) : "NULL", cname(want));
	if (err && out)
		FAIL("lookup failed but set *out");
}

static void op_identify(void)
{
	int c = pick_occ();
	snprintf(opdesc, sizeof(opdesc), "identify %s", cname(c));
	if (flux && is_doomed(c))
		SKIP();
	struct pred p = {0};
	if (!m[c].occ)
		add(&p, ERR_CAP_EMPTY);
	struct cap_info ci;
	memset(&ci, 0xa5, sizeof(ci));
	errval_t err = caps_identify(cell_ptr(c), &ci);
	check(OP_IDENTIFY, err, &p);
	if (err)
		return;
	const struct obj *o = &objs[m[c].obj];
	uint64_t badge = o->type == OBJ_ENDPOINT ? m[c].badge : 0;
	if (ci.type != o->type || ci.rights != m[c].rights || ci.base != o->base ||
	    ci.size != o->size || ci.badge != badge)
		FAIL("identify: %u r%x %#llx+%#llx b%llu", ci.type, ci.rights,
		     (unsigned long long)ci.base, (unsigned long long)ci.size,
		     (unsigned long long)ci.badge);
}

/* ---- the run ---- */

static unsigned long env_num(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	return s && *s ? strtoul(s, NULL, 0) : def;
}

static uint64_t count0; /* the root alone */

static void setup_db(void)
{
	arena = aligned_alloc(4096, ARENA_SIZE);
	assert_non_null(arena);
	memset(arena, 0, ARENA_SIZE);
	memset(ext, 0, sizeof(ext));
	memset(cn_of, 0xff, sizeof(cn_of));
	caps_env_init(&env, t_p2v, t_last_copy, NULL);
	env.on_delete = t_on_delete;
	env.v2p = t_v2p;
	/* ext[0]: the PhysAddr root, which only retype, copy and a rare revoke
	   use; ext[1]: RAM over all of it */
	ext[0].cap = (struct capability){
	    .type = OBJ_PHYSADDR, .rights = CAP_RIGHTS_ALL, .base = ARENA_BASE, .size = ARENA_SIZE};
	mdb_insert(&env, &ext[0]);
	count0 = env.count;
	occupy(0, new_obj(OBJ_PHYSADDR, ARENA_BASE, ARENA_SIZE, -1), CAP_RIGHTS_ALL, 0);
	assert_int_equal(caps_retype(&env, &ext[0], OBJ_RAM, 0, ARENA_SIZE, 1, &ext[1]), ERR_OK);
	occupy(1, new_obj(OBJ_RAM, ARENA_BASE, ARENA_SIZE, 0), CAP_RIGHTS_ALL, 0);
	verify();
}

static void test_random_ops(void **state)
{
	(void)state;
	seed = env_num("REEF_CAPS_SEED", 1);
	unsigned long steps = env_num("REEF_CAPS_STEPS", 20000);
	printf("test_caps_random: REEF_CAPS_SEED=%llu REEF_CAPS_STEPS=%lu\n", seed, steps);
	fflush(stdout);
	rng_state = seed;
	setup_db();
	for (step = 1; step <= steps; step++) {
		unsigned r = below(10000);
		refresh_doom();
		if (r < 2300)
			op_copy();
		else if (r < 5800)
			op_retype();
		else if (r < 7000)
			op_delete();
		else if (r < 7500)
			op_step();
		else if (r < 7795)
			op_revoke(pick_occ());
		else if (r < 7800)
			op_reset();
		else if (r < 9000)
			op_lookup();
		else
			op_identify();
		verify();
	}
	/* finish the zombies, revoke everything from the root */
	snprintf(opdesc, sizeof(opdesc), "final delete_step");
	oplog.n = 0;
	errval_t err = caps_delete_step(&env, ~0u);
	for (unsigned i = 0; i < oplog.n; i++)
		log_add(&fluxlog, &oplog.e[i]);
	if (err != ERR_OK)
		FAIL("final delete_step: %s", err_str(err));
	if (nzombies) {
		fixpoint(NULL, 0);
		resolve();
	}
	verify();
	op_revoke(0);
	verify();
	if (env.count != count0 || env.zombies || nocc != 1 || mdb_first(&env) != &ext[0])
		FAIL("after revoking the root: count %llu (was %llu), %d cells",
		     (unsigned long long)env.count, (unsigned long long)count0, nocc);
	for (unsigned i = 0; i < ARENA_SIZE; i++)
		if (arena[i])
			FAIL("object memory not clean at %#x", i);
	printf("test_caps_random: %d objects; results (ERR_OK, 100..111, other):\n", nobjs);
	for (unsigned op = 0; op < 8; op++) {
		printf("  %-9s", op_names[op]);
		for (unsigned k = 0; k < 14; k++)
			printf(" %lu", stats[op][k]);
		printf("\n");
	}
	free(arena);
	free(objs);
	free(oplog.e);
	free(fluxlog.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
