/* SPDX-License-Identifier: MIT */
/*
 * Where memory is, by NUMA node (ADR 0022): the boot information's memory
 * ranges, each on one node, and the distances between nodes. Pure: reads
 * only the boot information it is given, no system calls; tested on the
 * host (tests/unit/test_memnode.c).
 *
 * Monitor 0 takes each core's block (its kernel, monitor and pool) from the
 * core's own node, else from the nearest node that has a piece big enough.
 */
#pragma once

#include <stdint.h>

#include <abi/bootinfo.h>

#define MEMNODE_NONE 0xffffu

/* The nodes the boot information describes: 1 to BOOTINFO_MAX_NODES. */
unsigned memnode_count(const struct bootinfo *bi);

/* The node of the memory range holding pa; MEMNODE_NONE if none does. */
unsigned memnode_of(const struct bootinfo *bi, uint64_t pa);

/*
 * The nodes to take memory from for a core on node home, best first: home,
 * then the others by their distance from it, a tie to the lower id. A home
 * beyond the nodes has no distances: every node in id order. Writes
 * memnode_count(bi) entries to order and returns that count.
 */
unsigned memnode_order(const struct bootinfo *bi, unsigned home,
		       uint16_t order[BOOTINFO_MAX_NODES]);

/*
 * The node to take a block of size bytes from for a core on node home: the
 * first in memnode_order whose largest free piece (largest[node]) holds it;
 * MEMNODE_NONE if no node's does.
 */
unsigned memnode_pick(const struct bootinfo *bi, unsigned home,
		      const uint64_t largest[BOOTINFO_MAX_NODES], uint64_t size);
