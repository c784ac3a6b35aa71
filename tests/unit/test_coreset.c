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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bits),
	    cmocka_unit_test(test_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
