// SPDX-License-Identifier: MIT
/* Memory by NUMA node (rt/memnode.h, ADR 0022). Pure. */
#include <rt/memnode.h>

unsigned memnode_count(const struct bootinfo *bi)
{
	if (bi->nnodes == 0)
		return 1;
	return bi->nnodes < BOOTINFO_MAX_NODES ? bi->nnodes : BOOTINFO_MAX_NODES;
}

unsigned memnode_of(const struct bootinfo *bi, uint64_t pa)
{
	unsigned n = bi->nranges < BOOTINFO_MAX_RANGES ? bi->nranges : BOOTINFO_MAX_RANGES;
	for (unsigned i = 0; i < n; i++)
		if (pa >= bi->ranges[i].base && pa - bi->ranges[i].base < bi->ranges[i].size)
			return bi->ranges[i].node;
	return MEMNODE_NONE;
}

/* Is node a a better place than node b for a core on home? */
static int nearer(const struct bootinfo *bi, unsigned home, unsigned a, unsigned b)
{
	if (home >= BOOTINFO_MAX_NODES || a == b)
		return a < b;
	if (a == home || b == home)
		return a == home;
	uint8_t da = bi->distance[home][a], db = bi->distance[home][b];
	return da != db ? da < db : a < b;
}

unsigned memnode_order(const struct bootinfo *bi, unsigned home, uint16_t order[BOOTINFO_MAX_NODES])
{
	unsigned n = memnode_count(bi);
	if (home >= n)
		home = BOOTINFO_MAX_NODES; /* no row of distances: id order */
	for (unsigned i = 0; i < n; i++) { /* insertion: at most 16 nodes */
		unsigned j = i;
		for (; j > 0 && nearer(bi, home, i, order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = (uint16_t)i;
	}
	return n;
}

unsigned memnode_pick(const struct bootinfo *bi, unsigned home,
		      const uint64_t largest[BOOTINFO_MAX_NODES], uint64_t size)
{
	uint16_t order[BOOTINFO_MAX_NODES];
	unsigned n = memnode_order(bi, home, order);
	for (unsigned i = 0; i < n; i++)
		if (largest[order[i]] >= size)
			return order[i];
	return MEMNODE_NONE;
}
