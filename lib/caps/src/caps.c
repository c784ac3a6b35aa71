// SPDX-License-Identifier: MIT
/*
 * Capability operations: derivation rules, copy/mint, retype, delete with
 * zombie CNodes, revoke in bounded steps, identify, lookup, and the
 * executable invariant checker. See caps.h for the theory of operation.
 */
#include <string.h>

#include <caps/caps.h>

#include "internal.h"

#define ZOMBIE_SCAN 64 /* slots a zombie step looks at */

void caps_env_init(struct caps_env *env, void *(*p2v)(void *, uint64_t),
		   void (*last_copy)(void *, struct cte *), void *ctx)
{
	memset(env, 0, sizeof(*env));
	env->p2v = p2v;
	env->last_copy = last_copy;
	env->ctx = ctx;
}

/* ---- rules ---- */

#define BIT(t) (1u << (t))
static const uint32_t retype_rules[OBJ_TYPE_COUNT] = {
    [OBJ_PHYSADDR] = BIT(OBJ_RAM) | BIT(OBJ_DEVFRAME),
    [OBJ_RAM] = BIT(OBJ_RAM) | BIT(OBJ_FRAME) | BIT(OBJ_L1CNODE) | BIT(OBJ_L2CNODE) |
		BIT(OBJ_VNODE_L2) | BIT(OBJ_VNODE_L1) | BIT(OBJ_VNODE_L0) | BIT(OBJ_DISPATCHER) |
		BIT(OBJ_KCB),
    [OBJ_FRAME] = BIT(OBJ_FRAME),
    [OBJ_DEVFRAME] = BIT(OBJ_DEVFRAME),
    [OBJ_DISPATCHER] = BIT(OBJ_ENDPOINT),
};

bool caps_can_retype(enum objtype src, enum objtype dst)
{
	return src < OBJ_TYPE_COUNT && dst < OBJ_TYPE_COUNT && (retype_rules[src] & BIT(dst));
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

bool caps_objsize_ok(enum objtype t, uint64_t sz)
{
	switch (t) {
	case OBJ_RAM:
	case OBJ_FRAME:
	case OBJ_DEVFRAME:
	case OBJ_KCB:
		return sz >= OBJSIZE_PAGE && sz % OBJSIZE_PAGE == 0;
	case OBJ_L1CNODE:
		return is_pow2(sz) && sz >= OBJSIZE_L2CNODE &&
		       sz <= ((uint64_t)1 << (32 - CSPACE_L2_BITS)) * sizeof(struct cte);
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

const char *caps_type_name(enum objtype t)
{
	static const char *const names[OBJ_TYPE_COUNT] = {
	    [OBJ_NULL] = "Null",
	    [OBJ_PHYSADDR] = "PhysAddr",
	    [OBJ_RAM] = "RAM",
	    [OBJ_DEVFRAME] = "DevFrame",
	    [OBJ_FRAME] = "Frame",
	    [OBJ_L1CNODE] = "L1CNode",
	    [OBJ_L2CNODE] = "L2CNode",
	    [OBJ_VNODE_L2] = "VNode_L2",
	    [OBJ_VNODE_L1] = "VNode_L1",
	    [OBJ_VNODE_L0] = "VNode_L0",
	    [OBJ_DISPATCHER] = "Dispatcher",
	    [OBJ_ENDPOINT] = "Endpoint",
	    [OBJ_KERNEL] = "Kernel",
	    [OBJ_IRQ] = "IRQ",
	    [OBJ_ID] = "ID",
	    [OBJ_KCB] = "KCB",
	    [OBJ_NOTIFY] = "Notify",
	};
	return (unsigned)t < OBJ_TYPE_COUNT ? names[t] : "Invalid";
}

static bool is_cnode(uint8_t t)
{
	return t == OBJ_L1CNODE || t == OBJ_L2CNODE;
}

static bool is_mappable(uint8_t t)
{
	return t == OBJ_FRAME || t == OBJ_DEVFRAME || t == OBJ_VNODE_L2 || t == OBJ_VNODE_L1 ||
	       t == OBJ_VNODE_L0;
}

static bool occupied(const struct cte *c)
{
	return c->cap.type != OBJ_NULL;
}

static bool zombie(const struct cte *c)
{
	return c->mdb.flags & MDB_ZOMBIE;
}

struct cte *caps_cnode_slots(const struct caps_env *env, const struct capability *cnode,
			     uint64_t *nslots)
{
	*nslots = cnode->size / sizeof(struct cte);
	return env->p2v(env->ctx, cnode->base);
}

/* ---- copy ---- */

errval_t caps_copy(struct caps_env *env, struct cte *dest, const struct cte *src, uint8_t rights,
		   uint64_t badge)
{
	if (!occupied(src))
		return ERR_CAP_EMPTY;
	if (zombie(src))
		return ERR_CAP_BUSY;
	if (occupied(dest))
		return ERR_CAP_OCCUPIED;
	if (badge && (src->cap.type != OBJ_ENDPOINT || src->cap.badge))
		return ERR_CAP_RIGHTS;

	memset(dest, 0, sizeof(*dest));
	dest->cap = src->cap;
	dest->cap.rights = src->cap.rights & rights;
	if (badge)
		dest->cap.badge = badge;
	dest->cap.flags = 0;
	if (is_mappable(dest->cap.type)) { /* a mapping belongs to one copy */
		dest->cap.extra = 0;
		dest->cap.badge = 0;
	}
	dest->mdb.owner = src->mdb.owner;
	mdb_insert(env, dest);
	return ERR_OK;
}

/* ---- retype ---- */

/* Does a zombie's object or its own CTE lie in [b, e)? */
static bool zombie_in_range(const struct caps_env *env, uint64_t b, uint64_t e)
{
	for (const struct cte *z = env->zombies; z; z = z->mdb.left) {
		if (z->cap.base < e && z->cap.base + z->cap.size > b)
			return true;
		if (env->v2p) {
			uint64_t pa = env->v2p(env->ctx, z);
			if (pa < e && pa + sizeof(*z) > b)
				return true;
		}
	}
	return false;
}

static errval_t retype_check_size(const struct caps_env *env, const struct cte *src,
				  enum objtype type, uint64_t offset, uint64_t objsize,
				  uint32_t count)
{
	if (!caps_objsize_ok(type, objsize))
		return ERR_CAP_SIZE;
	if (type == src->cap.type && objsize == src->cap.size)
		return ERR_CAP_SIZE; /* indistinguishable from a copy: use copy */
	if (count == 0)
		return ERR_CAP_SIZE;
	if (src->mdb.owner != env->core)
		return ERR_CAP_REMOTE; /* only the owner's monitor may retype it */
	if (type == OBJ_ENDPOINT)
		return offset ? ERR_CAP_ALIGN : ERR_OK;
	if (offset % OBJSIZE_PAGE)
		return ERR_CAP_ALIGN;
	uint64_t total = objsize * count;
	if (total / count != objsize || offset > src->cap.size || total > src->cap.size - offset)
		return ERR_CAP_RANGE;
	return ERR_OK;
}

static errval_t retype_check(const struct caps_env *env, const struct cte *src, enum objtype type,
			     uint64_t offset, uint64_t objsize, uint32_t count,
			     const struct cte *dest)
{
	if (!occupied(src))
		return ERR_CAP_EMPTY;
	if (zombie(src))
		return ERR_CAP_BUSY;
	if (!(src->cap.rights & CAP_RIGHT_WRITE))
		return ERR_CAP_RIGHTS;
	if (!caps_can_retype(src->cap.type, type))
		return ERR_CAP_DERIVE;
	errval_t err = retype_check_size(env, src, type, offset, objsize, count);
	if (err)
		return err;
	if (type != OBJ_ENDPOINT) {
		uint64_t b = src->cap.base + offset, e = b + objsize * count;
		if (mdb_find_overlapping_descendant(env, &src->cap, b, e))
			return ERR_CAP_OVERLAP;
		if (zombie_in_range(env, b, e))
			return ERR_CAP_BUSY;
	}
	for (uint32_t i = 0; i < count; i++)
		if (occupied(&dest[i]))
			return ERR_CAP_OCCUPIED;
	return ERR_OK;
}

errval_t caps_retype(struct caps_env *env, const struct cte *src, enum objtype type,
		     uint64_t offset, uint64_t objsize, uint32_t count, struct cte *dest)
{
	errval_t err = retype_check(env, src, type, offset, objsize, count, dest);
	if (err)
		return err;
	for (uint32_t i = 0; i < count; i++) {
		struct cte *d = &dest[i];
		memset(d, 0, sizeof(*d));
		d->cap.type = (uint8_t)type;
		d->cap.rights = src->cap.rights;
		if (type == OBJ_ENDPOINT) {
			d->cap.base = src->cap.base;
			d->cap.size = src->cap.size;
		} else {
			d->cap.base = src->cap.base + offset + (uint64_t)i * objsize;
			d->cap.size = objsize;
		}
		d->mdb.owner = src->mdb.owner;
		mdb_insert(env, d);
	}
	return ERR_OK;
}

/* ---- delete ---- */

static void zombie_push(struct caps_env *env, struct cte *z)
{
	z->mdb.flags |= MDB_ZOMBIE;
	z->mdb.aux = 0;
	z->mdb.right = NULL;
	z->mdb.left = env->zombies;
	if (env->zombies)
		env->zombies->mdb.right = z;
	env->zombies = z;
}

static void zombie_unlink(struct caps_env *env, struct cte *z)
{
	if (z->mdb.right)
		z->mdb.right->mdb.left = z->mdb.left;
	else
		env->zombies = z->mdb.left;
	if (z->mdb.left)
		z->mdb.left->mdb.right = z->mdb.right;
}

/* The object is gone: let the owner clean up, then free the slot. */
static void finish(struct caps_env *env, struct cte *cte, bool last)
{
	if (last && env->last_copy)
		env->last_copy(env->ctx, cte);
	memset(cte, 0, sizeof(*cte));
}

static errval_t delete_one(struct caps_env *env, struct cte *cte);

errval_t caps_delete(struct caps_env *env, struct cte *cte)
{
	if (occupied(cte) && !zombie(cte) && cte->mdb.remote)
		return ERR_CAP_REMOTE;
	return delete_one(env, cte);
}

/* caps_delete() without the remote check: a zombie CNode's slots go anyway. */
static errval_t delete_one(struct caps_env *env, struct cte *cte)
{
	if (!occupied(cte))
		return ERR_CAP_EMPTY;
	if (zombie(cte))
		return ERR_CAP_PENDING;
	bool last = !mdb_has_copies(env, cte);
	mdb_remove(env, cte);
	if (env->on_delete)
		env->on_delete(env->ctx, cte);
	if (last && is_cnode(cte->cap.type)) {
		zombie_push(env, cte);
		return ERR_CAP_PENDING;
	}
	finish(env, cte, last);
	return ERR_OK;
}

/* One step on the newest zombie: delete one slot, or scan, or finish it. */
static void zombie_step(struct caps_env *env)
{
	struct cte *z = env->zombies;
	uint64_t n;
	struct cte *slots = caps_cnode_slots(env, &z->cap, &n);
	uint64_t i = z->mdb.aux, stop = i + ZOMBIE_SCAN < n ? i + ZOMBIE_SCAN : n;
	for (; i < stop; i++) {
		struct cte *s = &slots[i];
		/* Itself, or another zombie: that one finishes on its own turn. */
		if (!occupied(s) || s == z || zombie(s))
			continue;
		z->mdb.aux = i;
		delete_one(env, s);
		return;
	}
	z->mdb.aux = i;
	if (i < n)
		return;
	zombie_unlink(env, z);
	finish(env, z, true);
}

errval_t caps_delete_step(struct caps_env *env, unsigned budget)
{
	for (; budget && env->zombies; budget--)
		zombie_step(env);
	return env->zombies ? ERR_CAP_PENDING : ERR_OK;
}

/* ---- revoke ---- */

/* A copy of cte, or else its first descendant, or NULL. */
static struct cte *revoke_victim(const struct caps_env *env, const struct cte *cte)
{
	struct cte *n = mdb_next(env, cte);
	if (n && caps_is_copy(&n->cap, &cte->cap))
		return n;
	struct cte *p = mdb_prev(env, cte);
	if (p && caps_is_copy(&p->cap, &cte->cap))
		return p;
	if (n && caps_is_descendant(&n->cap, &cte->cap))
		return n;
	return NULL;
}

errval_t caps_revoke(struct caps_env *env, struct cte *cte, unsigned budget)
{
	if (!occupied(cte))
		return ERR_CAP_EMPTY;
	if (zombie(cte))
		return ERR_CAP_BUSY;
	/* A capability kept in a CNode made from its own memory would be
	   deleted half way through its own revoke: refuse. */
	if (env->v2p && caps_class(cte->cap.type) == 0 && !is_cnode(cte->cap.type) &&
	    env->v2p(env->ctx, cte) - cte->cap.base < cte->cap.size)
		return ERR_CAP_OVERLAP;
	for (; budget; budget--) {
		if (!occupied(cte))	      /* it lived in a CNode only reachable through */
			return ERR_CAP_EMPTY; /* a CNode the revoke destroyed */
		if (env->zombies) {
			zombie_step(env);
			continue;
		}
		struct cte *v = revoke_victim(env, cte);
		if (!v)
			return ERR_OK;
		if (v->mdb.remote)
			return ERR_CAP_REMOTE;
		caps_delete(env, v);
	}
	return env->zombies || revoke_victim(env, cte) ? ERR_CAP_PENDING : ERR_OK;
}

/* ---- capabilities from other cores ---- */

/* A Notify capability names a slot of its owner core in a generation. */
static errval_t notify_check(const struct capability *cap, uint16_t owner)
{
	if (NOTIFY_CORE(cap->base) != owner || NOTIFY_SLOT(cap->base) >= NOTIFY_SLOTS ||
	    cap->size == 0 || cap->size > UINT32_MAX)
		return ERR_SYS_ARG;
	return ERR_OK;
}

/* Memory from another core must keep this core's ranges laminar. */
static errval_t memory_check(const struct caps_env *env, const struct capability *cap)
{
	if (!caps_objsize_ok(cap->type, cap->size))
		return ERR_CAP_SIZE;
	if (cap->base % OBJSIZE_PAGE || cap->base + cap->size < cap->base)
		return ERR_CAP_ALIGN;
	/* A zombie CNode is still a kernel object: out of the tree, but its
	   slots (and its own CTE, wherever that lies) are live until it is gone. */
	if (mdb_find_straddling(env, cap->base, cap->base + cap->size) ||
	    mdb_find_kernel_object(env, cap->base, cap->base + cap->size) ||
	    zombie_in_range(env, cap->base, cap->base + cap->size))
		return ERR_CAP_OVERLAP;
	return ERR_OK;
}

errval_t caps_create(struct caps_env *env, struct cte *dest, const struct capability *cap,
		     uint16_t owner)
{
	if (occupied(dest))
		return ERR_CAP_OCCUPIED;
	if (cap->type != OBJ_RAM && cap->type != OBJ_FRAME && cap->type != OBJ_DEVFRAME &&
	    cap->type != OBJ_NOTIFY)
		return ERR_CAP_TYPE;
	if (cap->rights & ~CAP_RIGHTS_ALL)
		return ERR_CAP_RIGHTS;
	errval_t err = cap->type == OBJ_NOTIFY ? notify_check(cap, owner) : memory_check(env, cap);
	if (err)
		return err;
	memset(dest, 0, sizeof(*dest));
	dest->cap.type = cap->type;
	dest->cap.rights = cap->rights;
	dest->cap.base = cap->base;
	dest->cap.size = cap->size;
	dest->mdb.owner = owner;
	mdb_insert(env, dest);
	return ERR_OK;
}

errval_t caps_set_remote(struct cte *cte, uint32_t remote)
{
	if (!occupied(cte))
		return ERR_CAP_EMPTY;
	if (zombie(cte))
		return ERR_CAP_BUSY;
	cte->mdb.remote = remote;
	return ERR_OK;
}

errval_t caps_relations(const struct caps_env *env, const struct cte *cte, unsigned max,
			unsigned *copies, bool *descs)
{
	if (!occupied(cte))
		return ERR_CAP_EMPTY;
	if (zombie(cte))
		return ERR_CAP_BUSY;
	/* Copies are one run in MDB order, descendants follow it. */
	unsigned n = 1;
	const struct cte *p = mdb_prev(env, cte), *q = mdb_next(env, cte);
	for (; p && n < max && caps_is_copy(&p->cap, &cte->cap); n++)
		p = mdb_prev(env, p);
	for (; q && n < max && caps_is_copy(&q->cap, &cte->cap); n++)
		q = mdb_next(env, q);
	bool more =
	    (p && caps_is_copy(&p->cap, &cte->cap)) || (q && caps_is_copy(&q->cap, &cte->cap));
	*copies = n;
	*descs = more || (q && caps_is_descendant(&q->cap, &cte->cap));
	return ERR_OK;
}

errval_t caps_mark(struct caps_env *env, uint8_t type, uint64_t base, uint64_t size, bool on)
{
	if (type != OBJ_RAM && type != OBJ_FRAME && type != OBJ_DEVFRAME)
		return ERR_CAP_TYPE;
	if (size == 0 || base + size < base)
		return ERR_CAP_SIZE;
	struct caps_mark *free = NULL;
	for (unsigned i = 0; i < CAPS_MARKS; i++) {
		struct caps_mark *m = &env->marks[i];
		if (m->type == type && m->base == base && m->size == size) {
			if (on && m->count == UINT8_MAX)
				return ERR_NO_SLOTS;
			if (on)
				m->count++;
			else if (--m->count == 0)
				m->type = OBJ_NULL;
			return ERR_OK;
		}
		if (m->type == OBJ_NULL && !free)
			free = m;
	}
	if (!on)
		return ERR_CAP_NOT_FOUND;
	if (!free)
		return ERR_NO_SLOTS;
	*free = (struct caps_mark){type, 1, base, size};
	return ERR_OK;
}

bool caps_marked(const struct caps_env *env, const struct capability *cap)
{
	for (unsigned i = 0; i < CAPS_MARKS; i++) {
		const struct caps_mark *m = &env->marks[i];
		struct capability obj = {.type = m->type, .base = m->base, .size = m->size};
		if (m->type != OBJ_NULL &&
		    (caps_is_copy(cap, &obj) || caps_is_descendant(cap, &obj)))
			return true;
	}
	return false;
}

/* ---- identify and lookup ---- */

errval_t caps_identify(const struct cte *cte, struct cap_info *out)
{
	if (!occupied(cte))
		return ERR_CAP_EMPTY;
	out->type = cte->cap.type;
	out->rights = cte->cap.rights;
	out->base = cte->cap.base;
	out->size = cte->cap.size;
	out->badge = cte->cap.type == OBJ_ENDPOINT ? cte->cap.badge : 0;
	out->owner = cte->mdb.owner;
	return ERR_OK;
}

errval_t caps_lookup(const struct caps_env *env, const struct capability *root, capaddr_t addr,
		     unsigned level, struct cte **out)
{
	if (root->type != OBJ_L1CNODE)
		return ERR_CAP_TYPE;
	if (level != 1 && level != 2)
		return ERR_CAP_ADDR;
	uint64_t n1, n2;
	struct cte *l1 = caps_cnode_slots(env, root, &n1);
	if (CAPADDR_L1(addr) >= n1)
		return ERR_CAP_ADDR;
	struct cte *slot = &l1[CAPADDR_L1(addr)];
	if (level == 1) {
		*out = slot;
		return ERR_OK;
	}
	if (!occupied(slot))
		return ERR_CAP_EMPTY;
	if (zombie(slot))
		return ERR_CAP_BUSY;
	if (slot->cap.type != OBJ_L2CNODE)
		return ERR_CAP_TYPE;
	*out = &caps_cnode_slots(env, &slot->cap, &n2)[CAPADDR_L2(addr)];
	return ERR_OK;
}

/* ---- invariants ---- */

struct check {
	const char *err;
	uint64_t count;
	const struct cte *prev;
};

static unsigned check_node(const struct cte *t, struct check *c)
{
	if (!t || c->err)
		return 0;
	const struct cte *l = t->mdb.left, *r = t->mdb.right;
	check_node(l, c);
	if (c->err)
		return 0;
	if (!occupied(t) || zombie(t))
		c->err = "empty or zombie CTE in the tree";
	else if (t->mdb.level == 0)
		c->err = "node in the tree with level 0";
	else if (mdb_level(l) + 1 != t->mdb.level)
		c->err = "AA: left child level is not one less";
	else if (mdb_level(r) != t->mdb.level && mdb_level(r) + 1 != t->mdb.level)
		c->err = "AA: right child level is not equal or one less";
	else if (r && mdb_level(r->mdb.right) == t->mdb.level)
		c->err = "AA: two horizontal links in a row";
	else if (t->mdb.level > 1 && (!l || !r))
		c->err = "AA: inner node without two children";
	else if (c->prev && mdb_cmp(c->prev, t) >= 0)
		c->err = "MDB order violated";
	if (c->err)
		return 0;
	uint64_t m = t->cap.base + t->cap.size;
	if (l && l->mdb.aux > m)
		m = l->mdb.aux;
	if (r && r->mdb.aux > m)
		m = r->mdb.aux;
	if (m != t->mdb.aux)
		c->err = "max-end augmentation is stale";
	c->prev = t;
	c->count++;
	check_node(r, c);
	return 0;
}

static const char *check_laminar(const struct caps_env *env)
{
	for (const struct cte *a = mdb_first(env); a; a = mdb_next(env, a)) {
		for (const struct cte *b = mdb_next(env, a); b; b = mdb_next(env, b)) {
			if (caps_class(b->cap.type) != caps_class(a->cap.type))
				break;
			if (caps_class(a->cap.type) != 0 ||
			    b->cap.base >= a->cap.base + a->cap.size)
				break;
			if (!caps_is_copy(&a->cap, &b->cap) &&
			    !caps_is_descendant(&b->cap, &a->cap))
				return "overlapping capabilities that are neither copies nor "
				       "related";
		}
	}
	return NULL;
}

const char *caps_check_invariants(const struct caps_env *env)
{
	struct check c = {0};
	check_node(env->root, &c);
	if (c.err)
		return c.err;
	if (c.count != env->count)
		return "MDB count does not match the tree";
	const char *err = check_laminar(env);
	if (err)
		return err;
	const struct cte *prev = NULL;
	for (const struct cte *z = env->zombies; z; prev = z, z = z->mdb.left) {
		if (!zombie(z) || !is_cnode(z->cap.type))
			return "zombie list holds a non-zombie";
		if (z->mdb.level != 0)
			return "zombie still in the tree";
		if (z->mdb.right != prev)
			return "zombie list links broken";
	}
	return NULL;
}
