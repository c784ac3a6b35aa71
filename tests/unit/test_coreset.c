// SPDX-License-Identifier: MIT
/* Host tests of the monitors' core sets and their revoke tree (monitor/coreset.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coreset.h"

static void test_bits(void **state)
{
	(void)state;
	struct coreset s = {{0}};
	assert_true(cs_empty(&s));
	assert_int_equal(cs_next(&s, 0), CORESET_NONE);
	unsigned in[] = {0, 1, 63, 64, 65, 100, BOOTINFO_MAX_CORES - 1};
	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		cs_add(&s, in[i]);
	cs_add(&s, BOOTINFO_MAX_CORES); /* out of range: ignored */
	assert_int_equal(cs_count(&s), sizeof(in) / sizeof(in[0]));
	unsigned i = 0;
	CS_FOR_EACH(k, &s)
	assert_int_equal(k, in[i++]);
	assert_int_equal(i, sizeof(in) / sizeof(in[0]));
	assert_true(cs_has(&s, 64) && !cs_has(&s, 62) && !cs_has(&s, BOOTINFO_MAX_CORES));
	cs_del(&s, 64);
	assert_false(cs_has(&s, 64));
	assert_int_equal(cs_next(&s, 64), 65);
	uint64_t w[CORESET_WORDS];
	cs_put(&s, w);
	struct coreset t = cs_get(w);
	assert_memory_equal(&s, &t, sizeof(s));
	struct coreset one = cs_one(100);
	cs_andnot(&t, &one);
	assert_false(cs_has(&t, 100));
	cs_or(&t, &one);
	assert_memory_equal(&s, &t, sizeof(s));
}

/* Walk the whole tree from a root over `all` as the monitors do, each node
   splitting the set it was sent; check every core is reached once, no deeper
   than cs_tree_depth, and along the old rule: the cores in increasing order
   are positions 0, 1, ...; position p's children are 2p + 2 and 2p + 3. */
static unsigned reached[BOOTINFO_MAX_CORES], depth_of[BOOTINFO_MAX_CORES];
static unsigned order[BOOTINFO_MAX_CORES], pos_of[BOOTINFO_MAX_CORES];

static void walk(int parent_pos, const struct coreset *below, unsigned depth)
{
	unsigned child[2];
	struct coreset sub[2];
	cs_tree_split(below, child, sub);
	for (unsigned c = 0; c < 2; c++) {
		if (child[c] == CORESET_NONE) {
			assert_true(cs_empty(&sub[c]));
			continue;
		}
		assert_true(cs_has(below, child[c]));
		assert_false(cs_has(&sub[c], child[c]));
		assert_int_equal(pos_of[child[c]], 2 * parent_pos + 2 + (int)c);
		reached[child[c]]++;
		depth_of[child[c]] = depth + 1;
		walk((int)pos_of[child[c]], &sub[c], depth + 1);
	}
	assert_true(child[0] != CORESET_NONE || child[1] == CORESET_NONE);
}

static void check_tree(const struct coreset *all)
{
	unsigned n = 0, deepest = 0;
	memset(reached, 0, sizeof(reached));
	CS_FOR_EACH(k, all)
	{
		order[n] = k;
		pos_of[k] = n++;
	}
	walk(-1, all, 0);
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++) {
		assert_int_equal(reached[k], cs_has(all, k) ? 1 : 0);
		if (reached[k] && depth_of[k] > deepest)
			deepest = depth_of[k];
	}
	assert_int_equal(deepest, cs_tree_depth(n));
}

static void test_tree(void **state)
{
	(void)state;
	struct coreset s = {{0}};
	check_tree(&s);
	for (unsigned k = 1; k < BOOTINFO_MAX_CORES; k++) { /* 1..k-1 */
		cs_add(&s, k);
		check_tree(&s);
	}
	srand(7);
	for (unsigned r = 0; r < 2000; r++) {
		struct coreset t = {{0}};
		unsigned n = (unsigned)rand() % BOOTINFO_MAX_CORES;
		for (unsigned i = 0; i < n; i++)
			cs_add(&t, (unsigned)rand() % BOOTINFO_MAX_CORES);
		check_tree(&t);
	}
	assert_int_equal(cs_tree_depth(0), 0);
	assert_int_equal(cs_tree_depth(1), 1);
	assert_int_equal(cs_tree_depth(2), 1);
	assert_int_equal(cs_tree_depth(3), 2);
	assert_int_equal(cs_tree_depth(127), 7);
}

/* The tree by node (ADR 0019): walked from a root on node root_node as the
   monitors do, each core splitting what it was sent by cs_topo_split. */
static uint16_t nodes[BOOTINFO_MAX_CORES];
static unsigned crossings, deepest_topo;

static void walk_topo(unsigned at_node, const struct coreset *below, unsigned depth)
{
	unsigned child[CS_TREE_FANOUT];
	struct coreset sub[CS_TREE_FANOUT], all = {{0}};
	cs_topo_split(below, nodes, at_node, child, sub);
	for (unsigned c = 0; c < CS_TREE_FANOUT; c++) {
		if (child[c] == CORESET_NONE) {
			assert_true(cs_empty(&sub[c]));
			continue;
		}
		unsigned n = nodes[child[c]];
		assert_true(cs_has(below, child[c]));
		assert_false(cs_has(&sub[c], child[c]));
		/* children 0, 1 on other nodes, 2, 3 on ours */
		assert_int_equal(n != at_node, c < 2);
		/* the subtrees are disjoint and cover below */
		for (unsigned i = 0; i < CORESET_WORDS; i++)
			assert_int_equal(all.w[i] & (sub[c].w[i] | cs_one(child[c]).w[i]), 0);
		cs_or(&all, &sub[c]);
		cs_add(&all, child[c]);
		reached[child[c]]++;
		crossings += n != at_node;
		if (depth + 1 > deepest_topo)
			deepest_topo = depth + 1;
		walk_topo(n, &sub[c], depth + 1);
	}
	assert_memory_equal(&all, below, sizeof(all));
}

/* Every core of `all` reached once; one edge into each node other than the
   root's; the depth cs_topo_depth, within the heap of leaders over the
   largest node's tree; with one node the children of cs_tree_split. */
static void check_topo(const struct coreset *all, unsigned root_node)
{
	unsigned in_node[BOOTINFO_MAX_CORES] = {0}, others = 0, largest = 0;
	memset(reached, 0, sizeof(reached));
	crossings = deepest_topo = 0;
	walk_topo(root_node, all, 0);
	CS_FOR_EACH(k, all)
	{
		if (nodes[k] != root_node && in_node[nodes[k]] == 0)
			others++;
		if (++in_node[nodes[k]] > largest)
			largest = in_node[nodes[k]];
	}
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
		assert_int_equal(reached[k], cs_has(all, k) ? 1 : 0);
	assert_int_equal(crossings, others);
	assert_int_equal(deepest_topo, cs_topo_depth(all, nodes, root_node));
	assert_true(deepest_topo <= cs_tree_depth(others) + cs_tree_depth(largest));
	if (others == 0) {
		unsigned child[CS_TREE_FANOUT], plain[2];
		struct coreset sub[CS_TREE_FANOUT], psub[2];
		cs_topo_split(all, nodes, root_node, child, sub);
		cs_tree_split(all, plain, psub);
		assert_int_equal(child[0], CORESET_NONE);
		assert_int_equal(child[1], CORESET_NONE);
		assert_int_equal(child[2], plain[0]);
		assert_int_equal(child[3], plain[1]);
		assert_memory_equal(&sub[2], &psub[0], sizeof(psub));
		assert_int_equal(deepest_topo, cs_tree_depth(cs_count(all)));
	}
}

/* The broadcast's routing: every core reached once, at most two levels,
   one edge into each other node, and the leader the node's lowest. */
static void check_relay(const struct coreset *all, unsigned root_node)
{
	unsigned others = 0, cross = 0;
	bool seen[BOOTINFO_MAX_CORES] = {false};
	memset(reached, 0, sizeof(reached));
	CS_FOR_EACH(k, all)
	{
		struct coreset sub;
		if (!cs_relay(all, nodes, root_node, k, &sub))
			continue;
		reached[k]++;
		cross += nodes[k] != root_node;
		assert_true(nodes[k] == root_node || cs_leader(all, nodes, nodes[k]) == k);
		CS_FOR_EACH(j, &sub)
		{
			struct coreset none;
			assert_int_equal(nodes[j], nodes[k]);
			assert_true(cs_relay(&sub, nodes, nodes[k], j, &none) && cs_empty(&none));
			reached[j]++;
		}
	}
	CS_FOR_EACH(k, all)
	{
		if (nodes[k] != root_node && !seen[nodes[k]])
			others++;
		seen[nodes[k]] = true;
	}
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
		assert_int_equal(reached[k], cs_has(all, k) ? 1 : 0);
	assert_int_equal(cross, others);
	assert_int_equal(cs_spans(all, nodes, root_node), others > 0);
}

/* Node maps of 1, 2 and 4 nodes (in blocks, interleaved, at random) and
   random sets, from a root on each node. */
static void test_topo(void **state)
{
	(void)state;
	srand(19);
	for (unsigned map = 0; map < 6; map++) {
		unsigned nn = map == 0 ? 1 : map <= 2 ? 2 : 4;
		for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
			nodes[k] = (uint16_t)(map == 0	 ? 0
					      : map % 2	 ? k * nn / BOOTINFO_MAX_CORES
					      : map == 2 ? k % nn
							 : (unsigned)rand() % nn);
		for (unsigned r = 0; r < 400; r++) {
			struct coreset t = {{0}};
			unsigned n = r < 8 ? r * 16 : (unsigned)rand() % BOOTINFO_MAX_CORES;
			for (unsigned i = 0; i < n; i++)
				cs_add(&t, r < 8 ? i : (unsigned)rand() % BOOTINFO_MAX_CORES);
			for (unsigned root = 0; root < nn; root++) {
				check_topo(&t, root);
				check_relay(&t, root);
			}
		}
	}
	/* 8 cores on 2 nodes of 4, from core 0 to all: one edge each way
	   between the nodes (core 4), each node a binary tree of 3. */
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
		nodes[k] = (uint16_t)(k / 4);
	struct coreset s = {{0xfe}};
	unsigned child[CS_TREE_FANOUT];
	struct coreset sub[CS_TREE_FANOUT];
	cs_topo_split(&s, nodes, 0, child, sub);
	assert_int_equal(child[0], 4);
	assert_int_equal(sub[0].w[0], 0xe0);
	assert_int_equal(child[1], CORESET_NONE);
	assert_int_equal(child[2], 1);
	assert_int_equal(child[3], 2);
	assert_int_equal(sub[2].w[0], 0x08);
	assert_int_equal(cs_topo_depth(&s, nodes, 0), 3);
	/* 4 nodes of 2: leaders 2, 4, 6 as a heap (2 over 6), depth 3. */
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
		nodes[k] = (uint16_t)(k / 2);
	cs_topo_split(&s, nodes, 0, child, sub);
	assert_int_equal(child[0], 2);
	assert_int_equal(sub[0].w[0], 0xc8);
	assert_int_equal(child[1], 4);
	assert_int_equal(sub[1].w[0], 0x20);
	assert_int_equal(child[2], 1);
	assert_int_equal(child[3], CORESET_NONE);
	assert_int_equal(cs_topo_depth(&s, nodes, 0), 3);
	/* A NULL map is one node. */
	cs_topo_split(&s, NULL, 0, child, sub);
	assert_int_equal(child[0], CORESET_NONE);
	assert_int_equal(child[2], 1);
	assert_int_equal(cs_topo_depth(&s, NULL, 0), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bits),
	    cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_topo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
