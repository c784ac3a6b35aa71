// SPDX-License-Identifier: MIT
/* Host tests of memory by NUMA node (lib/rt/src/memnode.c, ADR 0022). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rt/memnode.h>

#define MIB (1ull << 20)

static struct bootinfo bi;

/* n nodes of size bytes each from 0x80000000, 10 within, 20 between. */
static void nodes(unsigned n, uint64_t size)
{
	memset(&bi, 0, sizeof(bi));
	bi.nnodes = n;
	bi.nranges = n;
	for (unsigned i = 0; i < n; i++)
		bi.ranges[i] = (struct bootinfo_range){0x80000000ull + i * size, size, i};
	for (unsigned a = 0; a < BOOTINFO_MAX_NODES; a++)
		for (unsigned b = 0; b < BOOTINFO_MAX_NODES; b++)
			bi.distance[a][b] = a == b ? 10 : 20;
}

/* QEMU virt's four nodes as tests/meson.build dumps them: a line 0-1-2-3. */
static void line4(void)
{
	nodes(4, 256 * MIB);
	static const uint8_t d[4][4] = {
	    {10, 20, 30, 40}, {20, 10, 20, 30}, {30, 20, 10, 20}, {40, 30, 20, 10}};
	for (unsigned a = 0; a < 4; a++)
		memcpy(bi.distance[a], d[a], 4);
}

static void test_of(void **state)
{
	(void)state;
	nodes(2, 256 * MIB);
	assert_int_equal(memnode_of(&bi, 0x80000000), 0);
	assert_int_equal(memnode_of(&bi, 0x80000000 + 256 * MIB - 1), 0);
	assert_int_equal(memnode_of(&bi, 0x80000000 + 256 * MIB), 1);
	assert_int_equal(memnode_of(&bi, 0x80000000 + 512 * MIB - 1), 1);
	assert_int_equal(memnode_of(&bi, 0x80000000 + 512 * MIB), MEMNODE_NONE);
	assert_int_equal(memnode_of(&bi, 0x7fffffff), MEMNODE_NONE);
	assert_int_equal(memnode_of(&bi, 0), MEMNODE_NONE);
	/* A hole between ranges, and ranges out of order. */
	bi.ranges[0] = (struct bootinfo_range){0x200000000ull, 64 * MIB, 1};
	bi.ranges[1] = (struct bootinfo_range){0x80000000ull, 64 * MIB, 0};
	assert_int_equal(memnode_of(&bi, 0x80000000 + 64 * MIB), MEMNODE_NONE);
	assert_int_equal(memnode_of(&bi, 0x200000000ull + 4096), 1);
	assert_int_equal(memnode_of(&bi, 0x80001000), 0);
	/* A count beyond the table is not trusted. */
	bi.nranges = 1000;
	assert_int_equal(memnode_of(&bi, 0xfffffffffffff000ull), MEMNODE_NONE);
}

static void test_count(void **state)
{
	(void)state;
	nodes(1, 512 * MIB);
	assert_int_equal(memnode_count(&bi), 1);
	bi.nnodes = 0; /* (a zeroed boot information) */
	assert_int_equal(memnode_count(&bi), 1);
	bi.nnodes = 1000;
	assert_int_equal(memnode_count(&bi), BOOTINFO_MAX_NODES);
}

static void expect_order(unsigned home, const uint16_t *want, unsigned n)
{
	uint16_t order[BOOTINFO_MAX_NODES];
	assert_int_equal(memnode_order(&bi, home, order), n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(order[i], want[i]);
}

static void test_order(void **state)
{
	(void)state;
	line4();
	expect_order(0, (uint16_t[]){0, 1, 2, 3}, 4);
	expect_order(1, (uint16_t[]){1, 0, 2, 3}, 4); /* 0 and 2 both 20: the lower id */
	expect_order(2, (uint16_t[]){2, 1, 3, 0}, 4);
	expect_order(3, (uint16_t[]){3, 2, 1, 0}, 4);
	expect_order(7, (uint16_t[]){0, 1, 2, 3}, 4); /* no such node: id order */
	nodes(1, 512 * MIB);
	expect_order(0, (uint16_t[]){0}, 1);
	/* Home first even when a distance-map says another is nearer. */
	nodes(3, 64 * MIB);
	bi.distance[2][0] = 5;
	expect_order(2, (uint16_t[]){2, 0, 1}, 3);
}

static void test_pick(void **state)
{
	(void)state;
	line4();
	uint64_t largest[BOOTINFO_MAX_NODES] = {100 * MIB, 100 * MIB, 100 * MIB, 100 * MIB};
	assert_int_equal(memnode_pick(&bi, 2, largest, 64 * MIB), 2);
	assert_int_equal(memnode_pick(&bi, 2, largest, 100 * MIB), 2);
	largest[2] = 63 * MIB;
	assert_int_equal(memnode_pick(&bi, 2, largest, 64 * MIB), 1); /* 1 and 3 at 20 */
	largest[1] = 0;
	assert_int_equal(memnode_pick(&bi, 2, largest, 64 * MIB), 3);
	largest[3] = 1;
	assert_int_equal(memnode_pick(&bi, 2, largest, 64 * MIB), 0); /* the farthest */
	largest[0] = 64 * MIB - 1;
	assert_int_equal(memnode_pick(&bi, 2, largest, 64 * MIB), MEMNODE_NONE);
	assert_int_equal(memnode_pick(&bi, 2, largest, 63 * MIB), 2);
	assert_int_equal(memnode_pick(&bi, 9, largest, 63 * MIB), 0); /* id order */
}

/*
 * Monitor 0's boot loop as cores.c runs it: each core's block from its
 * node, else the nearest with a piece big enough; one block never spans
 * two nodes. Two nodes of 256 MiB, node 0 with 16 MiB reserved (firmware,
 * image, monitor 0); cores 1-3 on node 0, 4-7 on node 1.
 */
static void test_boot_split(void **state)
{
	(void)state;
	nodes(2, 256 * MIB);
	uint64_t largest[BOOTINFO_MAX_NODES] = {240 * MIB, 256 * MIB};
	static const unsigned node[8] = {0, 0, 0, 0, 1, 1, 1, 1};
	unsigned got[8];
	for (unsigned k = 1; k < 8; k++) { /* 36 MiB: the default share */
		got[k] = memnode_pick(&bi, node[k], largest, 36 * MIB);
		assert_int_not_equal(got[k], MEMNODE_NONE);
		largest[got[k]] -= 36 * MIB;
	}
	for (unsigned k = 1; k < 8; k++)
		assert_int_equal(got[k], node[k]);
	/* 70 MiB each: node 0 holds three (30 left), node 1 three (46 left),
	   so core 7 finds no piece big enough on either. */
	largest[0] = 240 * MIB, largest[1] = 256 * MIB;
	for (unsigned k = 1; k < 7; k++)
		largest[memnode_pick(&bi, node[k], largest, 70 * MIB)] -= 70 * MIB;
	assert_int_equal(memnode_pick(&bi, 1, largest, 70 * MIB), MEMNODE_NONE);
	/* Nodes of unequal size (node 1 has 200 MiB), 60 MiB each: cores 1-6
	   on their own nodes, and core 7 on node 0, which has 60 MiB left
	   where node 1 has 20. */
	largest[0] = 240 * MIB, largest[1] = 200 * MIB;
	for (unsigned k = 1; k < 7; k++) {
		assert_int_equal(memnode_pick(&bi, node[k], largest, 60 * MIB), node[k]);
		largest[node[k]] -= 60 * MIB;
	}
	assert_int_equal(memnode_pick(&bi, node[7], largest, 60 * MIB), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_of),	       cmocka_unit_test(test_count),
	    cmocka_unit_test(test_order),      cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_boot_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
