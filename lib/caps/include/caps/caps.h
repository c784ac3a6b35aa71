/* SPDX-License-Identifier: MIT */
/*
 * The capability database: CTEs, the mapping database (MDB) and the
 * operations on them. Pure, freestanding C: no globals, no allocation; the
 * same sources build into the CPU driver and the host tests.
 *
 * Theory of operation
 * -------------------
 * A CTE (capability table entry) is a 64-byte slot: the capability and the
 * MDB node embedded in it, so the database never allocates. Every occupied
 * CTE on a core is in that core's MDB, an AA tree ordered by
 *
 *     (class, base ascending, size descending, type rank, CTE address)
 *
 * where class separates unrelated roots (memory, Kernel, IRQ, ID, Notify).
 * With that order copies (same class, base, size, type) are adjacent and the
 * descendants of a capability follow it: they are exactly the entries after
 * its last copy whose base lies below its end. This holds because retype
 * never creates an object overlapping a live descendant of its source, so
 * the memory ranges of one root form a laminar family.
 *
 * Deletion: removing a CTE that is not the last copy of its object only
 * takes it out of the tree. Removing the last copy lets the owner clean up
 * the object (env->last_copy: unmap a frame, stop a dispatcher). The last
 * copy of a CNode becomes a *zombie* (even an empty one: finding out would
 * mean scanning its slots in one call): it
 * leaves the tree, stays in its slot (refusing use with ERR_CAP_BUSY) and
 * joins the zombie list; later steps delete its slots one at a time, so no
 * single call does unbounded work, however deep CNodes are nested (a CNode
 * holding the last copy of itself included). Memory that a zombie still
 * occupies cannot be retyped (ERR_CAP_BUSY) until the zombie is gone.
 *
 * Revoke deletes all copies and descendants of a capability, at most
 * `budget` deletions (or zombie slot steps) per call, returning
 * ERR_CAP_PENDING until it is finished; the caller resumes by calling again.
 *
 * Rights are enforced here for copy/mint (never widened) and retype (source
 * needs WRITE); invocations check the rest.
 *
 * Cores (docs/protocol.md): mdb.owner is the core whose monitor sequences
 * operations on the object; a CTE owned by another core (a copy that came
 * from there, caps_create) cannot be retyped here (ERR_CAP_REMOTE). A
 * non-zero mdb.remote (caps_set_remote; the owner's monitor keeps it on its
 * own copy, the anchor) says other cores hold copies or descendants: delete
 * and revoke refuse to remove such a CTE (ERR_CAP_REMOTE) until the monitor
 * has revoked the remote ones and cleared it. Only a zombie CNode's slots
 * are deleted regardless (the CNode's memory is going).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>

struct capability {
	uint8_t type;	/* enum objtype */
	uint8_t rights; /* CAP_RIGHT_* */
	uint16_t flags; /* per type: CAPF_* */
	uint32_t extra; /* IRQ: line; Frame/VNode: pages mapped by this copy */
	uint64_t base;	/* memory types: physical base; IRQ: line; ID: value */
	uint64_t size;	/* memory types: bytes; others: 1 */
	uint64_t badge; /* Endpoint: badge; Frame/VNode: physical address of its first PTE */
};

/* capability.flags: about this CTE, never copied */
#define CAPF_MAPPED	    0x1 /* Frame/DevFrame/VNode copy is mapped (extra, badge say where) */
#define CAPF_DCB_ROOT	    0x2 /* the cspace/vspace root copy inside a dispatcher object */
#define CAPF_IRQ_BINDING    0x4 /* the kernel's endpoint copy an interrupt line is bound to */
#define CAPF_NOTIFY_BINDING 0x8 /* the kernel's endpoint copy a notification slot is bound to */

/* mdbnode.flags */
#define MDB_ZOMBIE 0x1 /* last copy of a CNode being emptied; not in the tree */

struct cte;

struct mdbnode {
	struct cte *left, *right; /* AA tree; for a zombie: next and previous zombie */
	uint8_t level;		  /* AA level, 0 when not in the tree */
	uint8_t flags;		  /* MDB_* */
	uint16_t owner;		  /* owner core */
	uint32_t remote;	  /* non-zero: other cores hold copies/descendants */
	uint64_t aux;		  /* in the tree: max end address in this subtree;
				     zombie: next slot to scan */
};

struct cte {
	struct capability cap;
	struct mdbnode mdb;
};

_Static_assert(sizeof(struct capability) == 32, "capability is 32 bytes");
_Static_assert(sizeof(struct cte) == 64, "a CTE is one 64-byte cache line");

/* An object a distributed revoke has marked on this core (docs/protocol.md
   5.2): its copies and descendants here cannot be used until the sweep. */
#define CAPS_MARKS 8
struct caps_mark {
	uint8_t type;  /* OBJ_NULL: free */
	uint8_t count; /* marked this many times (nested revokes) */
	uint64_t base, size;
};

/* One core's database and what the owner of the memory must do. */
struct caps_env {
	struct cte *root;    /* MDB root */
	struct cte *zombies; /* list through mdb.left */
	uint64_t count;	     /* CTEs in the tree */
	/* Translate a physical address of object memory to a pointer. */
	void *(*p2v)(void *ctx, uint64_t pa);
	/* Called once when the last copy of an object goes (may be NULL). */
	void (*last_copy)(void *ctx, struct cte *cte);
	/* Called for every CTE deleted, before last_copy (may be NULL): the
	   kernel removes that copy's mapping here. */
	void (*on_delete)(void *ctx, struct cte *cte);
	/* Physical address of a CTE (may be NULL: then retype cannot see that
	   a zombie's own CTE lies in the memory to retype). */
	uint64_t (*v2p)(void *ctx, const void *p);
	void *ctx;
	uint16_t core; /* this core: owner of what is retyped here (0 by default) */
	struct caps_mark marks[CAPS_MARKS];
};

void caps_env_init(struct caps_env *env, void *(*p2v)(void *, uint64_t),
		   void (*last_copy)(void *, struct cte *), void *ctx);

/* ---- derivation rules (a table in caps.c) ---- */

/* May a capability of type src be retyped into type dst? */
bool caps_can_retype(enum objtype src, enum objtype dst);
/* Is objsize a valid object size for type t? (CNodes, VNodes, pages...) */
bool caps_objsize_ok(enum objtype t, uint64_t objsize);
const char *caps_type_name(enum objtype t);

/* ---- the mapping database ---- */

/* Insert an occupied CTE. requires: not already in the tree. */
void mdb_insert(struct caps_env *env, struct cte *cte);
/* Remove a CTE from the tree. requires: in the tree. */
void mdb_remove(struct caps_env *env, struct cte *cte);
struct cte *mdb_first(const struct caps_env *env);
struct cte *mdb_next(const struct caps_env *env, const struct cte *cte);
struct cte *mdb_prev(const struct caps_env *env, const struct cte *cte);
bool caps_is_copy(const struct capability *a, const struct capability *b);
bool caps_is_descendant(const struct capability *desc, const struct capability *anc);
bool mdb_has_copies(const struct caps_env *env, const struct cte *cte);
bool mdb_has_descendants(const struct caps_env *env, const struct cte *cte);

/* ---- operations ---- */

/*
 * Copy src into the empty slot dest with rights src.rights & rights and, for
 * an Endpoint whose badge is 0, the given badge (mint). Flags (a mapping)
 * are never copied. Errors: ERR_CAP_EMPTY (src), ERR_CAP_OCCUPIED (dest), ERR_CAP_BUSY
 * (src is a zombie), ERR_CAP_RIGHTS (badge on a non-endpoint or on an
 * already badged endpoint).
 */
errval_t caps_copy(struct caps_env *env, struct cte *dest, const struct cte *src, uint8_t rights,
		   uint64_t badge);

/*
 * Retype [offset, offset + count * objsize) of src into count objects of
 * type in the slots dest[0..count). Checks, in order: src occupied and not a
 * zombie; src has WRITE; derivation allowed; objsize valid (and not the
 * whole of src retyped into its own type: ERR_CAP_SIZE); count >= 1;
 * src owned by this core (else ERR_CAP_REMOTE); offset and objsize page
 * aligned (endpoints: offset 0, objsize 0); range inside src; no live descendant of src, nor a
 * zombie, overlaps the range; all dest slots empty. Nothing changes unless every check passes.
 * requires: dest[0..count) are valid slots (the caller checked the CNode).
 * Endpoints take base/size of their dispatcher and do not consume memory.
 */
errval_t caps_retype(struct caps_env *env, const struct cte *src, enum objtype type,
		     uint64_t offset, uint64_t objsize, uint32_t count, struct cte *dest);

/*
 * Delete one CTE. ERR_OK when it is gone; ERR_CAP_PENDING when it was the
 * last copy of a CNode (empty or not), now a zombie, or is a zombie
 * already: call caps_delete_step() (or caps_revoke()) until the zombie
 * list is empty. ERR_CAP_EMPTY for an empty slot, ERR_CAP_REMOTE when the
 * CTE is marked remote.
 */
errval_t caps_delete(struct caps_env *env, struct cte *cte);

/* Do at most budget zombie steps. ERR_OK when no zombie is left. */
errval_t caps_delete_step(struct caps_env *env, unsigned budget);

/*
 * Delete every copy and descendant of cte (but not cte itself), at most
 * budget deletions or zombie steps per call. ERR_OK when done, else
 * ERR_CAP_PENDING (call again with the same cte). budget >= 1.
 * Errors: ERR_CAP_EMPTY, ERR_CAP_BUSY (cte is a zombie), ERR_CAP_REMOTE (a
 * copy or descendant to delete is marked remote; what came before it is
 * deleted, call again once the monitor has cleared it), ERR_CAP_OVERLAP
 * (cte itself lies in the memory it names, i.e. in a CNode retyped from it,
 * which the revoke would destroy; needs env->v2p to be detected). Known
 * limit: when cte lies in a CNode whose only capability is kept in such a
 * CNode, the revoke deletes cte on the way and returns ERR_CAP_EMPTY with
 * the rest undone; revoke again from another copy.
 */
errval_t caps_revoke(struct caps_env *env, struct cte *cte, unsigned budget);

/*
 * Make a capability that came from another core (its monitor described it)
 * in the empty slot dest, owned by owner. Only memory types without a kernel
 * object (RAM, Frame, DevFrame), and Notify (not memory: base =
 * NOTIFY_BASE(owner, slot), size = generation; the kernel also makes its own
 * core's this way). Errors: ERR_CAP_OCCUPIED, ERR_CAP_TYPE,
 * ERR_CAP_RIGHTS (rights beyond CAP_RIGHTS_ALL), ERR_CAP_SIZE / ERR_CAP_ALIGN
 * (not a valid object size, base not aligned to a page, or wrapping),
 * ERR_CAP_OVERLAP (the range partly overlaps a capability here, so the ranges
 * of this core would not stay laminar, or overlaps a kernel object here: a
 * CNode, VNode, Dispatcher or Endpoint, which must never be mappable);
 * Notify: ERR_SYS_ARG (another core than owner in base, a slot beyond
 * NOTIFY_SLOTS, a generation 0 or above 32 bits).
 */
errval_t caps_create(struct caps_env *env, struct cte *dest, const struct capability *cap,
		     uint16_t owner);

/* No capability of a memory class covers any byte of [base, base + size)
   here (the kernel's check before it makes its own core's RAM out of
   memory another core gave up for good, ADR 0012). */
bool caps_range_free(const struct caps_env *env, uint64_t base, uint64_t size);

/* Mark (remote != 0) or unmark a CTE as having copies or descendants on
   other cores. ERR_CAP_EMPTY for an empty slot, ERR_CAP_BUSY for a zombie. */
errval_t caps_set_remote(struct cte *cte, uint32_t remote);

/*
 * How cte is related on this core, in bounded work: *copies = its copies
 * here, itself included, counted up to max (more than max: max, and
 * *descs = true); *descs = whether a descendant exists here. Looks at no
 * more than 2 * max + 1 entries. ERR_CAP_EMPTY for an empty slot,
 * ERR_CAP_BUSY for a zombie (not in the tree). max >= 1.
 */
errval_t caps_relations(const struct caps_env *env, const struct cte *cte, unsigned max,
			unsigned *copies, bool *descs);

/*
 * Mark (on) or unmark the object type, base, size on this core: while it
 * is marked, caps_marked() is true for its copies and descendants here, in
 * O(CAPS_MARKS) whatever their number. Marks nest (the same object twice
 * needs two unmarks). Errors: ERR_CAP_TYPE (not RAM, Frame or DevFrame),
 * ERR_CAP_SIZE (size 0 or the range wraps), ERR_NO_SLOTS (CAPS_MARKS
 * objects are marked), ERR_CAP_NOT_FOUND (unmark of an unmarked object).
 */
errval_t caps_mark(struct caps_env *env, uint8_t type, uint64_t base, uint64_t size, bool on);

/* Is cap a copy or a descendant of a marked object? */
bool caps_marked(const struct caps_env *env, const struct capability *cap);

/* Describe a capability. ERR_CAP_EMPTY for an empty slot. */
errval_t caps_identify(const struct cte *cte, struct cap_info *out);

/* The slots of a CNode capability (L1 or L2), and how many there are. */
struct cte *caps_cnode_slots(const struct caps_env *env, const struct capability *cnode,
			     uint64_t *nslots);

/*
 * Resolve addr in the cspace rooted at the L1 CNode capability root:
 * level 2 = the slot addr names, level 1 = the L1 slot of addr >> 8.
 * The slot may be empty. Errors: ERR_CAP_ADDR, ERR_CAP_TYPE (root or the
 * L1 slot is not a CNode of the right kind), ERR_CAP_EMPTY (no L2 CNode in
 * the L1 slot), ERR_CAP_BUSY (a zombie on the way).
 */
errval_t caps_lookup(const struct caps_env *env, const struct capability *root, capaddr_t addr,
		     unsigned level, struct cte **out);

/*
 * Check every invariant of the database: AA-tree shape and levels, strict
 * order, count, occupied entries only, laminar ranges (every two
 * overlapping entries are copies or one descends from the other), zombies
 * out of the tree. Returns NULL when all hold, else a description.
 */
const char *caps_check_invariants(const struct caps_env *env);
