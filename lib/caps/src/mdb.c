// SPDX-License-Identifier: MIT
/*
 * The mapping database: an AA tree (Andersson 1993) embedded in the CTEs,
 * ordered by (class, base asc, size desc, type, CTE address) and augmented
 * with the maximum end address of each subtree, so that "does anything
 * overlap [b, e)?" prunes whole subtrees. Recursion depth is the tree
 * height, at most 2 log2(n).
 */
#include <caps/caps.h>

#include "internal.h"

static uint64_t cap_end(const struct capability *c)
{
	return c->base + c->size;
}

int caps_class(uint8_t type)
{
	switch (type) {
	case OBJ_KERNEL:
		return 1;
	case OBJ_IRQ:
		return 2;
	case OBJ_ID:
		return 3;
	case OBJ_NOTIFY:
		return 4;
	default:
		return 0;
	}
}

/* Order of capabilities alone: copies compare equal. */
int caps_cmp_cap(const struct capability *a, const struct capability *b)
{
	int ca = caps_class(a->type), cb = caps_class(b->type);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (a->base != b->base)
		return a->base < b->base ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return 0;
}

/* Total order of CTEs: copies are ordered by their address. */
int mdb_cmp(const struct cte *a, const struct cte *b)
{
	int c = caps_cmp_cap(&a->cap, &b->cap);
	if (c)
		return c;
	if (a == b)
		return 0;
	return a < b ? -1 : 1;
}

unsigned mdb_level(const struct cte *n)
{
	return n ? n->mdb.level : 0;
}

static void fix_maxend(struct cte *n)
{
	uint64_t m = cap_end(&n->cap);
	if (n->mdb.left && n->mdb.left->mdb.aux > m)
		m = n->mdb.left->mdb.aux;
	if (n->mdb.right && n->mdb.right->mdb.aux > m)
		m = n->mdb.right->mdb.aux;
	n->mdb.aux = m;
}

static struct cte *skew(struct cte *t)
{
	struct cte *l = t ? t->mdb.left : NULL;
	if (!l || l->mdb.level != t->mdb.level)
		return t;
	t->mdb.left = l->mdb.right;
	l->mdb.right = t;
	fix_maxend(t);
	fix_maxend(l);
	return l;
}

static struct cte *split(struct cte *t)
{
	struct cte *r = t ? t->mdb.right : NULL;
	if (!r || !r->mdb.right || r->mdb.right->mdb.level != t->mdb.level)
		return t;
	t->mdb.right = r->mdb.left;
	r->mdb.left = t;
	r->mdb.level++;
	fix_maxend(t);
	fix_maxend(r);
	return r;
}

static struct cte *insert(struct cte *t, struct cte *x)
{
	if (!t)
		return x;
	if (mdb_cmp(x, t) < 0)
		t->mdb.left = insert(t->mdb.left, x);
	else
		t->mdb.right = insert(t->mdb.right, x);
	fix_maxend(t);
	return split(skew(t));
}

void mdb_insert(struct caps_env *env, struct cte *cte)
{
	cte->mdb.left = cte->mdb.right = NULL;
	cte->mdb.level = 1;
	cte->mdb.aux = cap_end(&cte->cap);
	env->root = insert(env->root, cte);
	env->count++;
}

static struct cte *extreme(struct cte *t, bool leftmost)
{
	while (t && (leftmost ? t->mdb.left : t->mdb.right))
		t = leftmost ? t->mdb.left : t->mdb.right;
	return t;
}

static struct cte *rebalance(struct cte *t)
{
	unsigned should =
	    (mdb_level(t->mdb.left) < mdb_level(t->mdb.right) ? mdb_level(t->mdb.left)
							      : mdb_level(t->mdb.right)) +
	    1;
	if (should < t->mdb.level) {
		t->mdb.level = (uint8_t)should;
		if (t->mdb.right && should < t->mdb.right->mdb.level)
			t->mdb.right->mdb.level = (uint8_t)should;
	}
	t = skew(t);
	t->mdb.right = skew(t->mdb.right);
	if (t->mdb.right)
		t->mdb.right->mdb.right = skew(t->mdb.right->mdb.right);
	t = split(t);
	t->mdb.right = split(t->mdb.right);
	fix_maxend(t);
	return t;
}

static struct cte *remove(struct cte *t, struct cte *x);

/* Put node r (just detached from t's subtree) in t's place. */
static struct cte *replace(struct cte *t, struct cte *r)
{
	r->mdb.left = t->mdb.left;
	r->mdb.right = t->mdb.right;
	r->mdb.level = t->mdb.level;
	return r;
}

static struct cte *remove(struct cte *t, struct cte *x)
{
	if (!t)
		return NULL;
	if (t == x) {
		if (!t->mdb.left && !t->mdb.right)
			return NULL;
		if (!t->mdb.left) {
			struct cte *s = extreme(t->mdb.right, true);
			t->mdb.right = remove(t->mdb.right, s);
			t = replace(t, s);
		} else {
			struct cte *p = extreme(t->mdb.left, false);
			t->mdb.left = remove(t->mdb.left, p);
			t = replace(t, p);
		}
	} else if (mdb_cmp(x, t) < 0) {
		t->mdb.left = remove(t->mdb.left, x);
	} else {
		t->mdb.right = remove(t->mdb.right, x);
	}
	return rebalance(t);
}

void mdb_remove(struct caps_env *env, struct cte *cte)
{
	env->root = remove(env->root, cte);
	cte->mdb.left = cte->mdb.right = NULL;
	cte->mdb.level = 0;
	cte->mdb.aux = 0;
	env->count--;
}

struct cte *mdb_first(const struct caps_env *env)
{
	return extreme(env->root, true);
}

struct cte *mdb_next(const struct caps_env *env, const struct cte *cte)
{
	struct cte *best = NULL;
	for (struct cte *n = env->root; n;) {
		if (mdb_cmp(n, cte) > 0) {
			best = n;
			n = n->mdb.left;
		} else {
			n = n->mdb.right;
		}
	}
	return best;
}

struct cte *mdb_prev(const struct caps_env *env, const struct cte *cte)
{
	struct cte *best = NULL;
	for (struct cte *n = env->root; n;) {
		if (mdb_cmp(n, cte) < 0) {
			best = n;
			n = n->mdb.right;
		} else {
			n = n->mdb.left;
		}
	}
	return best;
}

bool caps_is_copy(const struct capability *a, const struct capability *b)
{
	return a->type != OBJ_NULL && caps_cmp_cap(a, b) == 0;
}

bool caps_is_descendant(const struct capability *d, const struct capability *a)
{
	if (d->type == OBJ_NULL || a->type == OBJ_NULL || caps_class(d->type) != 0 ||
	    caps_class(a->type) != 0)
		return false;
	if (d->base < a->base || cap_end(d) > cap_end(a))
		return false;
	return d->size < a->size || d->type > a->type;
}

bool mdb_has_copies(const struct caps_env *env, const struct cte *cte)
{
	const struct cte *n = mdb_next(env, cte), *p = mdb_prev(env, cte);
	return (n && caps_is_copy(&n->cap, &cte->cap)) || (p && caps_is_copy(&p->cap, &cte->cap));
}

bool mdb_has_descendants(const struct caps_env *env, const struct cte *cte)
{
	const struct cte *n = mdb_next(env, cte);
	while (n && caps_is_copy(&n->cap, &cte->cap))
		n = mdb_next(env, n);
	return n && caps_is_descendant(&n->cap, &cte->cap);
}

/*
 * Any entry of class 0 in t's subtree, other than src and its copies, that
 * descends from src and overlaps [b, e). Subtrees whose max end <= b are
 * skipped; right subtrees are skipped once the base passes e.
 */
static const struct cte *find_overlap(const struct cte *t, const struct capability *src, uint64_t b,
				      uint64_t e)
{
	if (!t || t->mdb.aux <= b)
		return NULL;
	int cls = caps_class(t->cap.type);
	if (cls >= 0) {
		const struct cte *l = find_overlap(t->mdb.left, src, b, e);
		if (l)
			return l;
	}
	if (cls == 0 && t->cap.base < e && cap_end(&t->cap) > b &&
	    caps_is_descendant(&t->cap, src) && !caps_is_copy(&t->cap, src))
		return t;
	if (cls > 0 || t->cap.base >= e)
		return NULL;
	return find_overlap(t->mdb.right, src, b, e);
}

const struct cte *mdb_find_overlapping_descendant(const struct caps_env *env,
						  const struct capability *src, uint64_t b,
						  uint64_t e)
{
	return find_overlap(env->root, src, b, e);
}

/*
 * Entries of class 0 in t's subtree that contain point p strictly after
 * their base (base < p < end) and do not nest with [b, e). Only entries
 * with base < p are candidates, and a subtree whose max end <= p holds
 * none, so such subtrees are skipped. (Monitors only: caps_create.)
 */
static const struct cte *stab(const struct cte *t, uint64_t p, uint64_t b, uint64_t e)
{
	if (!t || t->mdb.aux <= p)
		return NULL;
	const struct cte *l = stab(t->mdb.left, p, b, e);
	if (l)
		return l;
	if (caps_class(t->cap.type) != 0 || t->cap.base >= p)
		return NULL; /* everything to the right has a larger base or class */
	uint64_t tb = t->cap.base, te = cap_end(&t->cap);
	bool nested = (tb <= b && te >= e) || (tb >= b && te <= e);
	if (te > p && !nested)
		return t;
	return stab(t->mdb.right, p, b, e);
}

const struct cte *mdb_find_straddling(const struct caps_env *env, uint64_t b, uint64_t e)
{
	const struct cte *c = stab(env->root, b, b, e);
	return c ? c : stab(env->root, e, b, e);
}

static bool kernel_object(uint8_t t)
{
	return t != OBJ_PHYSADDR && t != OBJ_RAM && t != OBJ_FRAME && t != OBJ_DEVFRAME;
}

/* The first class-0 entry in t's subtree overlapping [b, e) whose type
   `want` takes. */
static const struct cte *find_in(const struct cte *t, uint64_t b, uint64_t e,
				 bool (*want)(uint8_t type))
{
	if (!t || t->mdb.aux <= b)
		return NULL;
	const struct cte *l = find_in(t->mdb.left, b, e, want);
	if (l)
		return l;
	if (caps_class(t->cap.type) != 0 || t->cap.base >= e)
		return NULL;
	if (cap_end(&t->cap) > b && want(t->cap.type))
		return t;
	return find_in(t->mdb.right, b, e, want);
}

const struct cte *mdb_find_kernel_object(const struct caps_env *env, uint64_t b, uint64_t e)
{
	return find_in(env->root, b, e, kernel_object); /* CNode, VNode, Dispatcher, Endpoint */
}

/* Any capability but PhysAddr, the root of all memory under which RAM is
   made. */
static bool not_physaddr(uint8_t t)
{
	return t != OBJ_PHYSADDR;
}

bool caps_range_free(const struct caps_env *env, uint64_t base, uint64_t size)
{
	return base + size > base && !find_in(env->root, base, base + size, not_physaddr);
}
