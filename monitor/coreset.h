/* SPDX-License-Identifier: MIT */
/*
 * Sets of cores, as bitmaps as wide as the build's core limit
 * (BOOTINFO_MAX_CORES), and the revoke tree over such a set. Pure C, no
 * globals: the monitors use it, and tests/unit/test_coreset.c on the host.
 *
 * The tree (docs/protocol.md 5.1): a node that must reach the set `below`
 * puts itself first and the members of `below` after it in increasing
 * order, and reads that list as a binary heap: index 0 is the node, index
 * i's children are 2i + 1 and 2i + 2. Its children are the cores at
 * indices 1 and 2, and each gets the cores of its own subtree as its
 * `below`. The subtree of a heap node, in increasing order, is again such a
 * heap (its levels are contiguous runs of the parent's levels), so every
 * core runs the same rule on the set it was sent, and a message carries
 * only the receiver's subtree: CORESET_WORDS words, never a position.
 * k cores are reached at depth floor(log2(k + 1)) below the owner.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/bootinfo.h>

#define CORESET_WORDS ((BOOTINFO_MAX_CORES + 63) / 64)
#define CORESET_NONE  BOOTINFO_MAX_CORES /* "no core" from cs_next and cs_tree_split */

/* Two words carry a subtree in MON_CAP_MARK / MON_CAP_SWEEP (w4, w5). */
_Static_assert(CORESET_WORDS <= 2, "a core set must fit in two message words");

struct coreset {
	uint64_t w[CORESET_WORDS];
};

static inline bool cs_has(const struct coreset *s, unsigned k)
{
	return k < BOOTINFO_MAX_CORES && (s->w[k / 64] >> (k % 64) & 1);
}

static inline void cs_add(struct coreset *s, unsigned k)
{
	if (k < BOOTINFO_MAX_CORES)
		s->w[k / 64] |= 1ull << (k % 64);
}

static inline void cs_del(struct coreset *s, unsigned k)
{
	if (k < BOOTINFO_MAX_CORES)
		s->w[k / 64] &= ~(1ull << (k % 64));
}

static inline struct coreset cs_one(unsigned k)
{
	struct coreset s = {{0}};
	cs_add(&s, k);
	return s;
}

static inline bool cs_empty(const struct coreset *s)
{
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

static inline unsigned cs_count(const struct coreset *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

/* *s |= *t */
static inline void cs_or(struct coreset *s, const struct coreset *t)
{
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		s->w[i] |= t->w[i];
}

/* *s &= ~*t */
static inline void cs_andnot(struct coreset *s, const struct coreset *t)
{
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		s->w[i] &= ~t->w[i];
}

/* The lowest member >= k, CORESET_NONE if none. O(words), not O(cores). */
static inline unsigned cs_next(const struct coreset *s, unsigned k)
{
	while (k < BOOTINFO_MAX_CORES) {
		uint64_t w = s->w[k / 64] >> (k % 64);
		if (w)
			return k + (unsigned)__builtin_ctzll(w);
		k = (k / 64 + 1) * 64;
	}
	return CORESET_NONE;
}

#define CS_FOR_EACH(k, s)                                                                          \
	for (unsigned k = cs_next((s), 0); k < CORESET_NONE; k = cs_next((s), k + 1))

/* Into message words and back (w[0..CORESET_WORDS-1]). */
static inline void cs_put(const struct coreset *s, uint64_t *w)
{
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		w[i] = s->w[i];
}

static inline struct coreset cs_get(const uint64_t *w)
{
	struct coreset s;
	for (unsigned i = 0; i < CORESET_WORDS; i++)
		s.w[i] = w[i];
	return s;
}

/*
 * The node's children in the tree over `below` (see the top): child[c] is a
 * core (CORESET_NONE: none) and sub[c] the part of `below` under it. O(k log k)
 * for k members.
 */
static inline void cs_tree_split(const struct coreset *below, unsigned child[2],
				 struct coreset sub[2])
{
	unsigned i = 0;
	child[0] = child[1] = CORESET_NONE;
	sub[0] = sub[1] = (struct coreset){{0}};
	CS_FOR_EACH(k, below)
	{
		unsigned top = ++i;
		while (top > 2)
			top = (top - 1) / 2;
		if (top == i)
			child[top - 1] = k;
		else
			cs_add(&sub[top - 1], k);
	}
}

/* Levels below a node whose `below` has n members: floor(log2(n + 1)). */
static inline unsigned cs_tree_depth(unsigned n)
{
	unsigned d = 0;
	for (n++; n > 1; n /= 2)
		d++;
	return d;
}

/*
 * The tree by NUMA node (ADR 0019). node[k] is core k's node (NULL: every
 * core on node 0); self_node the splitting core's. The members of `below`
 * on our own node are reached by the binary tree above; those on other
 * nodes through one core of each such node, its leader (its lowest member
 * of `below`): the leaders in increasing order make a binary heap below
 * us, as above, and each leader is sent every other member of its node
 * and of the nodes of the leaders under it in that heap. A leader runs the
 * same rule on what it was sent, so every node but ours is entered by
 * exactly one edge. child[0..1] are leaders on other nodes (the longer
 * paths: asked first), child[2..3] members of our node; CORESET_NONE:
 * none. With one node child[2..3] and sub[2..3] are cs_tree_split's.
 */
#define CS_TREE_FANOUT 4

static inline unsigned cs_node(const uint16_t *node, unsigned k)
{
	return node && k < BOOTINFO_MAX_CORES ? node[k] : 0;
}

/* The leader of node n in `set` (its lowest member there), CORESET_NONE if none. */
static inline unsigned cs_leader(const struct coreset *set, const uint16_t *node, unsigned n)
{
	CS_FOR_EACH(k, set)
	{
		if (cs_node(node, k) == n)
			return k;
	}
	return CORESET_NONE;
}

static inline void cs_topo_split(const struct coreset *below, const uint16_t *node,
				 unsigned self_node, unsigned child[CS_TREE_FANOUT],
				 struct coreset sub[CS_TREE_FANOUT])
{
	struct coreset local = {{0}}, leaders = {{0}};
	CS_FOR_EACH(k, below)
	{
		unsigned n = cs_node(node, k);
		if (n == self_node)
			cs_add(&local, k);
		else if (cs_leader(&leaders, node, n) == CORESET_NONE)
			cs_add(&leaders, k); /* in increasing order: the node's lowest */
	}
	cs_tree_split(&leaders, child, sub);
	for (unsigned c = 0; c < 2; c++) { /* a leader's subtree: whole nodes */
		struct coreset heap = sub[c];
		if (child[c] == CORESET_NONE)
			continue;
		cs_add(&heap, child[c]);
		CS_FOR_EACH(k, below)
		{
			unsigned n = cs_node(node, k);
			if (n != self_node && k != child[c] &&
			    cs_has(&heap, cs_leader(&leaders, node, n)))
				cs_add(&sub[c], k);
		}
	}
	cs_tree_split(&local, &child[2], &sub[2]);
}

/* Levels below a core on node self_node whose `below` is this set, in the
   tree of cs_topo_split: the deeper of its own node's binary tree and, for
   each leader, its level in the heap of leaders plus its node's tree. */
static inline unsigned cs_topo_depth(const struct coreset *below, const uint16_t *node,
				     unsigned self_node)
{
	struct coreset leaders = {{0}};
	unsigned local = 0, deepest;
	CS_FOR_EACH(k, below)
	{
		unsigned n = cs_node(node, k);
		if (n == self_node)
			local++;
		else if (cs_leader(&leaders, node, n) == CORESET_NONE)
			cs_add(&leaders, k);
	}
	deepest = cs_tree_depth(local);
	unsigned i = 0;
	CS_FOR_EACH(l, &leaders)
	{
		unsigned n = cs_node(node, l), members = 0, d;
		CS_FOR_EACH(k, below)
		members += cs_node(node, k) == n;
		d = cs_tree_depth(++i) + cs_tree_depth(members - 1);
		if (d > deepest)
			deepest = d;
	}
	return deepest;
}

/*
 * The broadcast's routing (ADR 0019): a core on node self_node reaches
 * every member of `set` on its own node itself, and those of each other
 * node through that node's leader (its lowest member), which is sent the
 * rest of its node and asks each of them itself. For member k: whether we
 * ask it, and then (*sub) the cores it asks for us.
 */
static inline bool cs_relay(const struct coreset *set, const uint16_t *node, unsigned self_node,
			    unsigned k, struct coreset *sub)
{
	unsigned n = cs_node(node, k);
	*sub = (struct coreset){{0}};
	if (n == self_node)
		return true;
	CS_FOR_EACH(j, set)
	{
		if (cs_node(node, j) != n)
			continue;
		if (j < k)
			return false; /* relayed by its leader */
		if (j != k)
			cs_add(sub, j);
	}
	return true;
}

/* Whether some member of `set` is on a node other than n. */
static inline bool cs_spans(const struct coreset *set, const uint16_t *node, unsigned n)
{
	CS_FOR_EACH(k, set)
	{
		if (cs_node(node, k) != n)
			return true;
	}
	return false;
}
