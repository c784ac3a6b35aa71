/* SPDX-License-Identifier: MIT */
/*
 * Helpers every domain that manages capabilities needs. What they keep
 * grows from the domain's own RAM once ram_init was called; before that
 * (and in domains that never call it) only the fixed parts exist.
 *  - slots: free slots in CN_SLOT0/CN_SLOT1, then in L2 CNodes made from
 *           RAM as needed (and given back when empty), as many as the
 *           L1 CNode has free slots for; and free L1 slots;
 *  - ram:   a first-fit allocator of RAM capabilities carved (retyped) out of
 *           up to RAM_REGIONS big RAM capabilities of any size, in 64 KiB
 *           units; freeing revokes and deletes the carved capability, so
 *           memory comes back exactly;
 *  - heap:  malloc's memory: a static 128 KiB in .bss (lib/rt/user.ld),
 *           then frames from RAM mapped at HEAP_VADDR (heap.c);
 *  - vregion: a window of VREGION_PAGES pages at a GiB boundary, with page
 *           tables from RAM, where frames are mapped and unmapped;
 *  - win:   the vregion at WIN_VADDR where frames are mapped for a moment
 *           (to fill or read them).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>

#define SLOT_NONE ((capaddr_t)-1)

/* A free slot; SLOT_NONE only when no CNode has one and no more can be
   made (no RAM, or no free L1 slot). */
capaddr_t slot_alloc(void);
void slot_free(capaddr_t s);
/* A free L1 slot (for a new L2 CNode), or 0 if none. */
unsigned l1_alloc(void);
void l1_free(unsigned l1);

#define RAM_UNIT (64u * 1024)

#define RAM_REGIONS 16

/* Manage the RAM capability at ram (base, size from identify) as the
   first region (a second call replaces it). */
errval_t ram_init(capaddr_t ram);
/* Manage one more RAM capability (after ram_init): another range of the
   machine's RAM. Its map of units comes
   from the heap; ERR_NO_MEMORY when the heap is out or RAM_REGIONS are
   managed already. */
errval_t ram_add(capaddr_t ram);
/* A RAM capability of at least size bytes (rounded up to RAM_UNIT), from
   one region (a request no region can hold is ERR_NO_MEMORY). */
errval_t ram_alloc(uint64_t size, capaddr_t *out);
/* Revoke, delete and take back a RAM capability from ram_alloc. */
errval_t ram_free(capaddr_t cap);
uint64_t ram_free_bytes(void);
uint64_t ram_total_bytes(void);
/* The largest request ram_alloc can serve now. */
uint64_t ram_largest_free(void);

/*
 * By NUMA node (ADR 0022; rt/memnode.h says which node a region is on,
 * from the boot information bi): ram_alloc from the regions on node only;
 * the largest request that can serve; the bytes of the regions there.
 */
struct bootinfo;
errval_t ram_alloc_node(const struct bootinfo *bi, unsigned node, uint64_t size, capaddr_t *out);
uint64_t ram_largest_node(const struct bootinfo *bi, unsigned node);
uint64_t ram_total_node(const struct bootinfo *bi, unsigned node);

/*
 * A vregion is one L0 table's worth of address space: 512 pages (2 MiB),
 * a fixed window. A frame is mapped where as many pages as it has are free
 * in a row; a domain that maps more at once needs more vregions. The record
 * of what is mapped grows from the heap.
 */
#define VREGION_PAGES 512

struct vregion_map {
	capaddr_t f;
	uint32_t first, n; /* pages from entry first */
};

struct vregion {
	uint64_t base;
	capaddr_t l0;
	uint64_t used[VREGION_PAGES / 64];
	struct vregion_map *maps; /* nmaps of maps_cap, from malloc */
	unsigned nmaps, maps_cap;
};

/* Set r up at va (GiB aligned, unused): one L1 and one L0 table. */
errval_t vregion_init(struct vregion *r, uint64_t va);
/* The same with the tables made from the first 2 * OBJSIZE_VNODE bytes of
   the RAM capability ram (the caller's; the rest is free for it). */
errval_t vregion_init_in(struct vregion *r, uint64_t va, capaddr_t ram);
/* Map pages of the frame f into r; returns the address, or NULL if no room
   (in the window, or on the heap for its record). */
void *vregion_map(struct vregion *r, capaddr_t f, uint64_t pages, bool writable);
void vregion_unmap(struct vregion *r, capaddr_t f);

#define WIN_VADDR 0x100000000ul /* GiB 4 */
/* Set the window up (page tables from RAM). */
errval_t win_init(void);
/* Map pages of the frame at f into the window; returns its address or NULL. */
void *win_map(capaddr_t f, uint64_t pages, bool writable);
void win_unmap(capaddr_t f);

/*
 * The heap beyond its static part: sbrk (which picolibc's malloc calls)
 * maps frames from ram_alloc here, up to 1 GiB, and fails cleanly (malloc
 * returns NULL) when RAM runs out or ram_init was never called. malloc
 * never gives memory back, so neither does the heap.
 */
#define HEAP_VADDR     0x200000000ul /* GiB 8 */
#define HEAP_GROWN_MAX (1ul << 30)
/* Bytes mapped at HEAP_VADDR so far. */
uint64_t heap_grown(void);
