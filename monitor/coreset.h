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
