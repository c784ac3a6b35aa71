// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/rt's slot, RAM, heap and vregion allocators (mem.c,
 * heap.c) against a fake kernel: retype, delete, revoke and map on tables
 * here, refusing what the real one refuses (an occupied slot, an overlap,
 * a mapping across a table's end or over another). The allocators keep
 * their state in statics, so the tests run in order: first without RAM
 * (before ram_init), then with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/sys.h>

/* heap.c's sbrk, renamed for the host (meson: -Dsbrk=rt_sbrk). */
void *rt_sbrk(ptrdiff_t incr);

/* The static heap the linker script makes (4096 bytes in both lines). */
#define STATIC_HEAP 4096
char __heap_start[STATIC_HEAP];
__asm__(".globl __heap_end\n.set __heap_end, __heap_start + 4096");

/* ---- the fake kernel ---- */

#define NCAPS	 (CSPACE_L2_SLOTS * CSPACE_L2_SLOTS)
#define NONE	 UINT32_MAX
#define RAM	 CAPADDR(CN_TASK, TASK_RAM)
#define RAM_SIZE (16u << 20)
#define VROOT	 CAPADDR(CN_TASK, TASK_VROOT)
#define ROOTCN	 CAPADDR(CN_TASK, TASK_ROOTCN)

struct obj {
	uint8_t type; /* OBJ_NULL: empty */
	uint64_t base, size;
	uint32_t parent;    /* the capability it was retyped from, or NONE */
	uint32_t table;	    /* a VNode: its index in tables, or NONE */
	uint32_t mapped_in; /* mapped: the table's index, or NONE */
	uint32_t entry, pages;
	bool writable;
};

static struct obj caps[NCAPS];
/* The L2 CNodes in the L1 CNode's slots. */
static struct {
	bool present;
	uint64_t base, size;
	uint32_t parent;
} cnodes[CSPACE_L2_SLOTS];
static struct {
	uint32_t owner; /* the VNode capability; NONE: unused */
	uint32_t pte[512];
} tables[64];
static unsigned nonempty_cnodes_destroyed;

static void fake_init(void)
{
	memset(caps, 0, sizeof(caps));
	memset(cnodes, 0, sizeof(cnodes));
	for (unsigned i = 0; i < NCAPS; i++)
		caps[i].parent = caps[i].table = caps[i].mapped_in = NONE;
	for (unsigned i = 0; i < 64; i++) {
		tables[i].owner = NONE;
		for (unsigned e = 0; e < 512; e++)
			tables[i].pte[e] = NONE;
	}
	for (unsigned l1 = 0; l1 < CN_FIRST_FREE; l1++)
		cnodes[l1].present = true;
	caps[RAM] = (struct obj){OBJ_RAM, 0x80000000u, RAM_SIZE, NONE, NONE, NONE, 0, 0, 0};
	caps[VROOT] = (struct obj){OBJ_VNODE_L2, 0x1000, OBJSIZE_VNODE, NONE, 0, NONE, 0, 0, 0};
	tables[0].owner = VROOT;
}

static bool resolves(capaddr_t a)
{
	return CAPADDR_L1(a) < CSPACE_L2_SLOTS && cnodes[CAPADDR_L1(a)].present;
}

static void unmap(struct obj *o)
{
	if (o->mapped_in == NONE)
		return;
	for (uint32_t e = o->entry; e < o->entry + o->pages; e++)
		tables[o->mapped_in].pte[e] = NONE;
	o->mapped_in = NONE;
}

static void fake_delete(capaddr_t a)
{
	struct obj *o = &caps[a];
	unmap(o);
	if (o->table != NONE) {
		for (unsigned e = 0; e < 512; e++)
			if (tables[o->table].pte[e] != NONE)
				unmap(&caps[tables[o->table].pte[e]]);
		tables[o->table].owner = NONE;
	}
	*o = (struct obj){.parent = NONE, .table = NONE, .mapped_in = NONE};
}

static void fake_revoke(capaddr_t a)
{
	for (uint32_t c = 0; c < NCAPS; c++)
		if (caps[c].type && caps[c].parent == a) {
			fake_revoke(c);
			fake_delete(c);
		}
	for (unsigned l1 = CN_FIRST_FREE; l1 < CSPACE_L2_SLOTS; l1++) {
		if (!cnodes[l1].present || cnodes[l1].parent != a)
			continue;
		for (unsigned s = 0; s < CSPACE_L2_SLOTS; s++)
			if (caps[CAPADDR(l1, s)].type) {
				nonempty_cnodes_destroyed++;
				fake_revoke(CAPADDR(l1, s));
				fake_delete(CAPADDR(l1, s));
			}
		cnodes[l1].present = false;
	}
}

errval_t cap_identify(capaddr_t a, struct cap_info *out)
{
	if (!resolves(a))
		return ERR_CAP_ADDR;
	if (!caps[a].type)
		return ERR_CAP_EMPTY;
	*out = (struct cap_info){.type = caps[a].type, .base = caps[a].base, .size = caps[a].size};
	return ERR_OK;
}

static bool overlaps(uint64_t b, uint64_t s, uint64_t b2, uint64_t s2)
{
	return b < b2 + s2 && b2 < b + s;
}

errval_t cap_retype(capaddr_t src, enum objtype type, uint64_t offset, uint64_t objsize,
		    uint32_t count, capaddr_t dest_cn, unsigned dest_level, uint64_t dest_slot)
{
	assert_int_equal(count, 1);
	if (!resolves(src) || !caps[src].type)
		return ERR_CAP_EMPTY;
	const struct obj *s = &caps[src];
	if (s->type != OBJ_RAM)
		return ERR_CAP_DERIVE;
	if (offset % OBJSIZE_PAGE || objsize % OBJSIZE_PAGE || !objsize)
		return ERR_CAP_ALIGN;
	if (offset + objsize > s->size)
		return ERR_CAP_RANGE;
	uint64_t base = s->base + offset;
	for (uint32_t c = 0; c < NCAPS; c++)
		if (caps[c].type && caps[c].parent == src &&
		    overlaps(caps[c].base, caps[c].size, base, objsize))
			return ERR_CAP_OVERLAP;
	for (unsigned l1 = 0; l1 < CSPACE_L2_SLOTS; l1++)
		if (cnodes[l1].present && cnodes[l1].parent == src &&
		    overlaps(cnodes[l1].base, cnodes[l1].size, base, objsize))
			return ERR_CAP_OVERLAP;
	if (dest_level == 2 && dest_cn == ROOTCN) { /* into the L1 CNode itself */
		assert_int_equal(type, OBJ_L2CNODE);
		assert_int_equal(objsize, OBJSIZE_L2CNODE);
		if (dest_slot >= CSPACE_L2_SLOTS)
			return ERR_CAP_ADDR;
		if (cnodes[dest_slot].present)
			return ERR_CAP_OCCUPIED;
		cnodes[dest_slot].present = true;
		cnodes[dest_slot].base = base;
		cnodes[dest_slot].size = objsize;
		cnodes[dest_slot].parent = src;
		return ERR_OK;
	}
	assert_int_equal(dest_level, 1);
	if (!resolves(dest_cn) || dest_slot >= CSPACE_L2_SLOTS)
		return ERR_CAP_ADDR;
	struct obj *d = &caps[CAPADDR(CAPADDR_L1(dest_cn), dest_slot)];
	if (d->type)
		return ERR_CAP_OCCUPIED;
	*d = (struct obj){(uint8_t)type, base, objsize, src, NONE, NONE, 0, 0, 0};
	if (type == OBJ_VNODE_L1 || type == OBJ_VNODE_L0) {
		unsigned t;
		for (t = 0; t < 64 && tables[t].owner != NONE; t++)
			;
		assert_true(t < 64);
		tables[t].owner = CAPADDR(CAPADDR_L1(dest_cn), dest_slot);
		d->table = t;
	}
	return ERR_OK;
}

errval_t cnode_delete(capaddr_t cn, unsigned level, uint64_t slot)
{
	assert_int_equal(level, 1);
	capaddr_t a = CAPADDR(CAPADDR_L1(cn), slot);
	if (!resolves(a) || !caps[a].type)
		return ERR_CAP_EMPTY;
	fake_delete(a);
	return ERR_OK;
}

errval_t cnode_revoke(capaddr_t cn, unsigned level, uint64_t slot)
{
	assert_int_equal(level, 1);
	capaddr_t a = CAPADDR(CAPADDR_L1(cn), slot);
	if (!resolves(a) || !caps[a].type)
		return ERR_CAP_EMPTY;
	fake_revoke(a);
	return ERR_OK;
}

errval_t vnode_map(capaddr_t vnode, uint64_t entry, capaddr_t child, uint64_t rights,
		   uint64_t offset, uint64_t pages)
{
	if (!resolves(vnode) || !resolves(child) || !caps[vnode].type || !caps[child].type)
		return ERR_CAP_EMPTY;
	struct obj *v = &caps[vnode], *c = &caps[child];
	static const uint8_t below[] = {[OBJ_VNODE_L2] = OBJ_VNODE_L1,
					[OBJ_VNODE_L1] = OBJ_VNODE_L0,
					[OBJ_VNODE_L0] = OBJ_FRAME};
	if (v->table == NONE || c->type != below[v->type])
		return ERR_VM_LEVEL;
	if (c->mapped_in != NONE)
		return ERR_VM_MAPPED;
	uint64_t limit = v->type == OBJ_VNODE_L2 ? 256 : 512;
	if (!pages || entry >= limit || pages > limit - entry ||
	    (c->type == OBJ_FRAME ? offset + pages > c->size / OBJSIZE_PAGE : pages != 1))
		return ERR_VM_ADDR;
	for (uint64_t e = entry; e < entry + pages; e++)
		if (tables[v->table].pte[e] != NONE)
			return ERR_VM_MAPPED;
	for (uint64_t e = entry; e < entry + pages; e++)
		tables[v->table].pte[e] = child;
	c->mapped_in = v->table;
	c->entry = (uint32_t)entry;
	c->pages = (uint32_t)pages;
	c->writable = rights & CAP_RIGHT_WRITE;
	return ERR_OK;
}

errval_t vnode_unmap(capaddr_t vnode, capaddr_t child)
{
	if (caps[child].mapped_in == NONE || caps[child].mapped_in != caps[vnode].table)
		return ERR_VM_NOT_MAPPED;
	unmap(&caps[child]);
	return ERR_OK;
}

errval_t monitor_revoke(capaddr_t c, uint64_t how, union monitor_rep *r)
{
	(void)c, (void)how, (void)r;
	fail_msg("nothing here is shared with other cores");
	return ERR_CAP_REMOTE;
}

/* The frame mapped writable at va, or NONE. */
static uint32_t frame_at(uint64_t va)
{
	uint32_t c = VROOT;
	for (unsigned shift = 30; shift >= 12; shift -= 9) {
		c = tables[caps[c].table].pte[(va >> shift) & 511];
		if (c == NONE)
			return NONE;
	}
	return caps[c].type == OBJ_FRAME && caps[c].writable ? c : NONE;
}

/* L2 CNodes made from RAM (beyond the cspace's first ones). */
static unsigned made_cnodes(void)
{
	unsigned n = 0;
	for (unsigned l1 = CN_FIRST_FREE; l1 < CSPACE_L2_SLOTS; l1++)
		n += cnodes[l1].present;
	return n;
}

/* ---- the tests ---- */

static bool seen[NCAPS];

/* Take up to max slots (fewer if slot_alloc says SLOT_NONE), each a new
   and empty slot of a CNode that exists; fill each. */
static unsigned take_slots(capaddr_t *s, unsigned max)
{
	unsigned n;
	for (n = 0; n < max; n++) {
		s[n] = slot_alloc();
		if (s[n] == SLOT_NONE)
			break;
		assert_true(resolves(s[n]));
		assert_false(seen[s[n]]);
		assert_int_equal(caps[s[n]].type, OBJ_NULL);
		seen[s[n]] = true;
		caps[s[n]].type = OBJ_ENDPOINT; /* something in it */
	}
	return n;
}

static void give_slots(const capaddr_t *s, unsigned n, bool backwards)
{
	for (unsigned i = 0; i < n; i++) {
		capaddr_t a = s[backwards ? n - 1 - i : i];
		caps[a].type = OBJ_NULL;
		seen[a] = false;
		slot_free(a);
	}
}

static capaddr_t slots[CSPACE_L2_SLOTS * CSPACE_L2_SLOTS];

static void test_before_ram(void **state)
{
	(void)state;
	/* Only CN_SLOT0 and CN_SLOT1: no RAM to make more from. */
	assert_int_equal(take_slots(slots, 1000), 2 * CSPACE_L2_SLOTS);
	for (unsigned i = 0; i < 2 * CSPACE_L2_SLOTS; i++)
		assert_true(CAPADDR_L1(slots[i]) == CN_SLOT0 || CAPADDR_L1(slots[i]) == CN_SLOT1);
	slot_free(SLOT_NONE);	  /* ignored */
	slot_free(CAPADDR(3, 1)); /* not a slot CNode: ignored */
	give_slots(slots, 2 * CSPACE_L2_SLOTS, false);
	slot_free(slots[0]); /* twice: ignored */
	assert_int_equal(take_slots(slots, 1000), 2 * CSPACE_L2_SLOTS);
	give_slots(slots, 2 * CSPACE_L2_SLOTS, true);

	/* The static heap, then nothing. */
	assert_ptr_equal(rt_sbrk(0), __heap_start);
	assert_ptr_equal(rt_sbrk(STATIC_HEAP - 64), __heap_start);
	assert_ptr_equal(rt_sbrk(65), (void *)-1);
	assert_ptr_equal(rt_sbrk(-8), (void *)-1);
	assert_ptr_equal(rt_sbrk(64), __heap_start + STATIC_HEAP - 64);
	assert_ptr_equal(rt_sbrk(0), __heap_start + STATIC_HEAP);
	assert_int_equal(heap_grown(), 0);
	assert_int_equal(made_cnodes(), 0);
}

static void test_slots_grow(void **state)
{
	(void)state;
	assert_int_equal(ram_init(RAM), ERR_OK);
	uint64_t before = ram_free_bytes();
	assert_int_equal(before, RAM_SIZE);
	/* 3000 slots: CN_SLOT0, CN_SLOT1 and ten more CNodes (three chunks). */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(take_slots(slots, 3000), 3000);
		assert_int_equal(made_cnodes(), 12);
		assert_int_equal(ram_free_bytes(), before - 3 * RAM_UNIT);
		give_slots(slots, 3000, round == 1);
		assert_int_equal(made_cnodes(), 0);
		assert_int_equal(ram_free_bytes(), before);
	}
	/* A RAM capability when one slot is left: that slot goes to the RAM
	   of new CNodes first, the capability into one of them. */
	assert_int_equal(take_slots(slots, 2 * CSPACE_L2_SLOTS - 1), 2 * CSPACE_L2_SLOTS - 1);
	capaddr_t r;
	assert_int_equal(ram_alloc(RAM_UNIT, &r), ERR_OK);
	assert_int_equal(made_cnodes(), 4);
	assert_true(CAPADDR_L1(r) >= CN_FIRST_FREE);
	assert_int_equal(ram_free_bytes(), before - 2 * RAM_UNIT);
	assert_int_equal(ram_free(r), ERR_OK);
	assert_int_equal(made_cnodes(), 0);
	give_slots(slots, 2 * CSPACE_L2_SLOTS - 1, false);
	assert_int_equal(ram_free_bytes(), before);
	/* Freed from the middle out: every chunk still goes back. */
	assert_int_equal(take_slots(slots, 2000), 2000);
	give_slots(slots + 1000, 1000, false);
	give_slots(slots, 1000, true);
	assert_int_equal(made_cnodes(), 0);
	assert_int_equal(ram_free_bytes(), before);
	assert_int_equal(nonempty_cnodes_destroyed, 0);
}

static void test_slots_without_ram(void **state)
{
	(void)state;
	uint64_t before = ram_free_bytes();
	static capaddr_t ram[RAM_SIZE / RAM_UNIT];
	unsigned nram = 0;
	while (ram_alloc(RAM_UNIT, &ram[nram]) == ERR_OK)
		nram++;
	assert_int_equal(nram, RAM_SIZE / RAM_UNIT);
	assert_int_equal(ram_free_bytes(), 0);
	/* What CN_SLOT0 and CN_SLOT1 have left, then SLOT_NONE. */
	unsigned n = take_slots(slots, 1000);
	assert_int_equal(n, 2 * CSPACE_L2_SLOTS - nram);
	assert_int_equal(slot_alloc(), SLOT_NONE);
	assert_int_equal(made_cnodes(), 0);
	give_slots(slots, n, false);
	for (unsigned i = 0; i < nram; i++)
		assert_int_equal(ram_free(ram[i]), ERR_OK);
	assert_int_equal(ram_free_bytes(), before);
}

static void test_slots_without_l1(void **state)
{
	(void)state;
	uint64_t before = ram_free_bytes();
	/* Every free L1 slot gets a CNode; then SLOT_NONE with RAM left. */
	unsigned l1_free_slots = CSPACE_L2_SLOTS - CN_FIRST_FREE;
	unsigned n = take_slots(slots, NCAPS);
	assert_int_equal(made_cnodes(), l1_free_slots);
	assert_int_equal(n, (2 + l1_free_slots) * CSPACE_L2_SLOTS -
				(l1_free_slots + 3) / 4 /* RAM for four in a chunk */);
	assert_int_equal(slot_alloc(), SLOT_NONE);
	assert_int_equal(l1_alloc(), 0);
	assert_true(ram_free_bytes() > 0);
	give_slots(slots, n, true);
	assert_int_equal(made_cnodes(), 0);
	assert_int_equal(ram_free_bytes(), before);
	assert_int_equal(nonempty_cnodes_destroyed, 0);
}

/* Every page of [HEAP_VADDR, + heap_grown()) is mapped writable, none after. */
static void check_heap_mapped(void)
{
	for (uint64_t va = HEAP_VADDR; va < HEAP_VADDR + heap_grown(); va += OBJSIZE_PAGE)
		assert_int_not_equal(frame_at(va), NONE);
	assert_int_equal(frame_at(HEAP_VADDR + heap_grown()), NONE);
}

static void test_heap(void **state)
{
	(void)state;
	uint64_t before = ram_free_bytes();
	/* The static part is full: on at HEAP_VADDR, one RAM unit at a time
	   (and tables), each piece right after the last. */
	char *p = rt_sbrk(100);
	assert_ptr_equal(p, (char *)HEAP_VADDR);
	assert_int_equal(heap_grown(), RAM_UNIT);
	for (unsigned i = 0; i < 1000; i++)
		assert_ptr_equal(rt_sbrk(1000), p + 100 + 1000 * i);
	assert_int_equal(heap_grown(), 16 * RAM_UNIT);
	check_heap_mapped();
	/* 3 MiB at once: pieces stop at each 2 MiB table's end (the fake
	   refuses a mapping across it). */
	char *q = rt_sbrk(3 << 20);
	assert_ptr_equal(q, p + 100 + 1000 * 1000);
	assert_ptr_equal(rt_sbrk(0), q + (3 << 20));
	assert_true(heap_grown() >= (uint64_t)((char *)rt_sbrk(0) - p));
	assert_int_equal(heap_grown() % RAM_UNIT, 0);
	check_heap_mapped();
	uint64_t tables = before - ram_free_bytes() - heap_grown();
	assert_int_equal(tables, RAM_UNIT); /* an L1 and two L0 tables, of eight in a unit */

	/* More than there is: refused, nothing changes but what was mapped
	   on the way (kept for later). */
	char *top = rt_sbrk(0);
	assert_ptr_equal(rt_sbrk(RAM_SIZE), (void *)-1);
	assert_ptr_equal(rt_sbrk(0), top);
	assert_int_equal(ram_free_bytes(), 0);
	check_heap_mapped();
	assert_ptr_equal(rt_sbrk((ptrdiff_t)(HEAP_VADDR + heap_grown() - (uint64_t)top)), top);
	assert_ptr_equal(rt_sbrk(HEAP_GROWN_MAX), (void *)-1);
	assert_ptr_equal(rt_sbrk(0), (char *)HEAP_VADDR + heap_grown());
}

/* The frame in a new slot, pages of RAM ram from page at. */
static capaddr_t frame(capaddr_t ram, uint64_t at, uint64_t pages)
{
	capaddr_t f = slot_alloc();
	assert_int_equal(cap_retype(ram, OBJ_FRAME, at * OBJSIZE_PAGE, pages * OBJSIZE_PAGE, 1,
				    CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)),
			 ERR_OK);
	return f;
}

static void test_vregion(void **state)
{
	(void)state;
	uint64_t before = ram_free_bytes();
	static struct vregion r;
	const uint64_t base = 5ul << 30;
	assert_int_equal(vregion_init(&r, base), ERR_OK);
	/* One page each, first fit: as many as the window has pages. */
	capaddr_t ram, big, f[VREGION_PAGES + 1];
	assert_int_equal(ram_alloc((VREGION_PAGES + 4) * OBJSIZE_PAGE, &ram), ERR_OK);
	for (unsigned i = 0; i < VREGION_PAGES + 1; i++)
		f[i] = frame(ram, i, 1);
	for (unsigned i = 0; i < VREGION_PAGES; i++) {
		assert_ptr_equal(vregion_map(&r, f[i], 1, true), (void *)(base + i * OBJSIZE_PAGE));
		assert_int_equal(frame_at(base + i * OBJSIZE_PAGE), f[i]);
	}
	assert_int_equal(r.nmaps, VREGION_PAGES);
	assert_null(vregion_map(&r, f[VREGION_PAGES], 1, true)); /* full */
	/* Every other page free: one page fits, two in a row do not. */
	for (unsigned i = 0; i < VREGION_PAGES; i += 2)
		vregion_unmap(&r, f[i]);
	assert_int_equal(r.nmaps, VREGION_PAGES / 2);
	assert_int_equal(frame_at(base), NONE);
	assert_int_equal(frame_at(base + OBJSIZE_PAGE), f[1]);
	capaddr_t two = frame(ram, VREGION_PAGES + 2, 2);
	assert_null(vregion_map(&r, two, 2, true));
	assert_ptr_equal(vregion_map(&r, f[VREGION_PAGES], 1, true), (void *)base);
	vregion_unmap(&r, f[VREGION_PAGES]);
	for (unsigned i = 1; i < VREGION_PAGES; i += 2)
		vregion_unmap(&r, f[i]);
	vregion_unmap(&r, f[1]); /* not mapped any more: ignored */
	assert_int_equal(r.nmaps, 0);
	/* The whole window for one frame, then no room for another. */
	assert_int_equal(ram_alloc(VREGION_PAGES * OBJSIZE_PAGE, &big), ERR_OK);
	capaddr_t whole = frame(big, 0, VREGION_PAGES);
	assert_null(vregion_map(&r, whole, VREGION_PAGES + 1, true));
	assert_ptr_equal(vregion_map(&r, whole, VREGION_PAGES, false), (void *)base);
	assert_int_equal(frame_at(base), NONE); /* read-only */
	assert_null(vregion_map(&r, f[0], 1, true));
	vregion_unmap(&r, whole);
	assert_ptr_equal(vregion_map(&r, f[0], 1, true), (void *)base);
	vregion_unmap(&r, f[0]);
	/* Frames go with their RAM; the window's tables stay. */
	assert_int_equal(ram_free(ram), ERR_OK);
	assert_int_equal(ram_free(big), ERR_OK);
	for (unsigned i = 0; i < VREGION_PAGES + 1; i++)
		slot_free(f[i]);
	slot_free(two);
	slot_free(whole);
	assert_int_equal(ram_free_bytes(), before - RAM_UNIT);
}

/* More regions (ram_add): a 3 GiB one, bigger than the static map, serves
   requests no smaller region can; a bad capability is refused; every byte
   comes back. Last: the regions stay. */
static void test_ram_regions(void **state)
{
	(void)state;
	capaddr_t big = CAPADDR(CN_MEM, 0), small = CAPADDR(CN_MEM, 1), a, b;
	caps[big] = (struct obj){OBJ_RAM, 0x100000000ul, 3ul << 30, NONE, NONE, NONE, 0, 0, 0};
	caps[small] = (struct obj){OBJ_RAM, 0x40000000ul, 4 * RAM_UNIT, NONE, NONE, NONE, 0, 0, 0};
	uint64_t before = ram_free_bytes(), total = ram_total_bytes();
	assert_int_equal(ram_add(VROOT), ERR_CAP_TYPE);
	assert_int_equal(ram_add(CAPADDR(CN_MEM, 2)), ERR_CAP_EMPTY);
	assert_int_equal(ram_add(big), ERR_OK);
	assert_int_equal(ram_add(small), ERR_OK);
	assert_int_equal(ram_total_bytes(), total + (3ul << 30) + 4 * RAM_UNIT);
	assert_int_equal(ram_free_bytes(), before + (3ul << 30) + 4 * RAM_UNIT);
	assert_int_equal(ram_largest_free(), (3ul << 30) - RAM_UNIT); /* never all of one */
	assert_int_equal(ram_alloc(3ul << 30, &a), ERR_NO_MEMORY);
	assert_int_equal(ram_alloc(1536ul << 20, &a), ERR_OK);
	assert_int_equal(ram_alloc(1ul << 30, &b), ERR_OK); /* beyond the first GiB */
	assert_int_equal(caps[a].base, 0x100000000ul);
	assert_int_equal(caps[b].base, 0x100000000ul + (1536ul << 20));
	capaddr_t c;
	assert_int_equal(ram_alloc(1ul << 30, &c), ERR_NO_MEMORY); /* 512 MiB left there */
	assert_int_equal(ram_free(a), ERR_OK);
	assert_int_equal(ram_alloc(1ul << 30, &a), ERR_OK); /* where the first one was */
	assert_int_equal(caps[a].base, 0x100000000ul);
	assert_int_equal(ram_free(a), ERR_OK);
	assert_int_equal(ram_free(b), ERR_OK);
	assert_int_equal(ram_free(b), ERR_CAP_NOT_FOUND);
	assert_int_equal(ram_free_bytes(), before + (3ul << 30) + 4 * RAM_UNIT);
}

/* By NUMA node (ADR 0022), over the regions test_ram_regions left: the
   16 MiB RAM on node 0, the 3 GiB on node 1, the 256 KiB on node 2, none
   on node 3. A request is served only from its node's regions, never from
   another's that has room. */
static void test_ram_nodes(void **state)
{
	(void)state;
	static struct bootinfo bi = {.nnodes = 4,
				     .nranges = 3,
				     .ranges = {{0x80000000ul, 1ul << 30, 0},
						{0x100000000ul, 4ul << 30, 1},
						{0x40000000ul, 1ul << 30, 2}}};
	capaddr_t a, b, c;
	uint64_t before = ram_free_bytes();
	assert_int_equal(ram_total_node(&bi, 0), RAM_SIZE);
	assert_int_equal(ram_total_node(&bi, 1), 3ul << 30);
	assert_int_equal(ram_total_node(&bi, 2), 4 * RAM_UNIT);
	assert_int_equal(ram_total_node(&bi, 3), 0);
	assert_int_equal(ram_largest_node(&bi, 1), (3ul << 30) - RAM_UNIT);
	assert_int_equal(ram_largest_node(&bi, 2), 3 * RAM_UNIT);
	assert_int_equal(ram_largest_node(&bi, 3), 0);
	assert_int_equal(ram_alloc_node(&bi, 2, 4 * RAM_UNIT, &a), ERR_NO_MEMORY);
	assert_int_equal(ram_alloc_node(&bi, 3, RAM_UNIT, &a), ERR_NO_MEMORY);
	assert_int_equal(ram_alloc_node(&bi, 2, RAM_UNIT, &a), ERR_OK);
	assert_int_equal(caps[a].base, 0x40000000ul);
	assert_int_equal(ram_alloc_node(&bi, 1, RAM_UNIT, &b), ERR_OK);
	assert_int_equal(caps[b].base, 0x100000000ul);
	/* (node 0's region is what the tests before left of it) */
	assert_true(ram_largest_node(&bi, 0) <= RAM_SIZE - RAM_UNIT);
	assert_int_equal(ram_alloc_node(&bi, 1, 1ul << 30, &c), ERR_OK);
	assert_int_equal(caps[c].base, 0x100000000ul + RAM_UNIT);
	assert_int_equal(ram_largest_node(&bi, 2), 3 * RAM_UNIT); /* the other three */
	assert_int_equal(ram_free(a), ERR_OK);
	assert_int_equal(ram_free(b), ERR_OK);
	assert_int_equal(ram_free(c), ERR_OK);
	assert_int_equal(ram_free_bytes(), before);
}

int main(void)
{
	fake_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_before_ram),	      cmocka_unit_test(test_slots_grow),
	    cmocka_unit_test(test_slots_without_ram), cmocka_unit_test(test_slots_without_l1),
	    cmocka_unit_test(test_vregion),	      cmocka_unit_test(test_heap),
	    cmocka_unit_test(test_ram_regions),	      cmocka_unit_test(test_ram_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
