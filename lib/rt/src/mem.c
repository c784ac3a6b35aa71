// SPDX-License-Identifier: MIT
/* Slot, RAM and mapping-window helpers (rt/mem.h). Single-threaded. */
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/memnode.h>
#include <rt/monitor.h>
#include <rt/sys.h>

/* ---- slots ---- */

/*
 * Slots come from L2 CNodes: CN_SLOT0 and CN_SLOT1, which every domain has,
 * then CNodes made from RAM once ram_init was called, CHUNK_CNODES to a RAM
 * unit (a chunk), each in a free L1 slot. A chunk none of whose slots is
 * taken goes back to RAM at once, so memory comes back exactly. The table
 * is indexed by L1 slot: the L1 CNode's size bounds it.
 */
#define CHUNK_CNODES (RAM_UNIT / OBJSIZE_L2CNODE)

static struct {
	uint64_t used[CSPACE_L2_SLOTS / 64];
	uint16_t taken; /* of CSPACE_L2_SLOTS */
	capaddr_t ram;	/* its chunk's RAM (made from RAM); 0 if not */
} cns[CSPACE_L2_SLOTS];

static unsigned slots_free = 2 * CSPACE_L2_SLOTS;
static bool growing;

/* Is the L2 CNode at L1 slot l1 one slots are handed out of? */
static bool slot_cnode(unsigned l1)
{
	return l1 == CN_SLOT0 || l1 == CN_SLOT1 || cns[l1].ram;
}

/* A chunk of new CNodes. Its RAM capability needs a slot itself: slot_alloc
   calls this while one is still free, and ram_alloc takes that one. */
static void slots_grow(void)
{
	capaddr_t ram;
	unsigned made = 0;
	if (growing)
		return;
	growing = true;
	if (ram_alloc(RAM_UNIT, &ram)) {
		growing = false;
		return;
	}
	for (unsigned i = 0; i < CHUNK_CNODES; i++) {
		unsigned l1 = l1_alloc();
		if (!l1)
			break;
		if (cap_retype(ram, OBJ_L2CNODE, i * OBJSIZE_L2CNODE, OBJSIZE_L2CNODE, 1,
			       CAPADDR(CN_TASK, TASK_ROOTCN), 2, l1)) {
			l1_free(l1);
			break;
		}
		memset(&cns[l1], 0, sizeof(cns[l1]));
		cns[l1].ram = ram;
		slots_free += CSPACE_L2_SLOTS;
		made++;
	}
	growing = false;
	if (!made) /* no L1 slot left */
		ram_free(ram);
}

/* Give the chunk made of ram back if none of its slots is taken. */
static void slots_shrink(capaddr_t ram)
{
	for (unsigned l1 = 0; l1 < CSPACE_L2_SLOTS; l1++)
		if (cns[l1].ram == ram && cns[l1].taken)
			return;
	/* Its CNodes look full while they go, so nothing is handed out of them. */
	for (unsigned l1 = 0; l1 < CSPACE_L2_SLOTS; l1++)
		if (cns[l1].ram == ram) {
			cns[l1].taken = CSPACE_L2_SLOTS;
			slots_free -= CSPACE_L2_SLOTS;
		}
	/* Revoking the RAM destroys its CNodes. Its own slot is in an older
	   CNode (which stayed, as that slot was taken); freeing it may give
	   that chunk back in turn. */
	bool gone = ram_free(ram) == ERR_OK;
	for (unsigned l1 = 0; l1 < CSPACE_L2_SLOTS; l1++) {
		if (cns[l1].ram != ram)
			continue;
		if (gone) {
			cns[l1].ram = 0;
			l1_free(l1);
		} else { /* still there: keep handing its slots out */
			cns[l1].taken = 0;
			slots_free += CSPACE_L2_SLOTS;
		}
	}
}

capaddr_t slot_alloc(void)
{
	if (fault_now())
		return SLOT_NONE;
	if (slots_free <= 1) /* the last one is for the RAM of more */
		slots_grow();
	for (unsigned l1 = 0; l1 < CSPACE_L2_SLOTS; l1++) {
		if (!slot_cnode(l1) || cns[l1].taken == CSPACE_L2_SLOTS)
			continue;
		for (unsigned w = 0;; w++) {
			if (cns[l1].used[w] == ~0ull)
				continue;
			unsigned b = (unsigned)__builtin_ctzll(~cns[l1].used[w]);
			cns[l1].used[w] |= 1ull << b;
			cns[l1].taken++;
			slots_free--;
			return CAPADDR(l1, w * 64 + b);
		}
	}
	return SLOT_NONE;
}

void slot_free(capaddr_t s)
{
	unsigned l1 = CAPADDR_L1(s), i = CAPADDR_L2(s);
	if (l1 >= CSPACE_L2_SLOTS || !slot_cnode(l1) ||
	    !(cns[l1].used[i / 64] & (1ull << (i % 64))))
		return;
	cns[l1].used[i / 64] &= ~(1ull << (i % 64));
	cns[l1].taken--;
	slots_free++;
	if (cns[l1].ram && !cns[l1].taken)
		slots_shrink(cns[l1].ram);
}

static uint64_t l1_used[4] = {(1ull << CN_FIRST_FREE) - 1};

unsigned l1_alloc(void)
{
	for (unsigned i = CN_FIRST_FREE; i < CSPACE_L2_SLOTS; i++)
		if (!(l1_used[i / 64] & (1ull << (i % 64)))) {
			l1_used[i / 64] |= 1ull << (i % 64);
			return i;
		}
	return 0;
}

void l1_free(unsigned l1)
{
	if (l1 >= CN_FIRST_FREE && l1 < CSPACE_L2_SLOTS)
		l1_used[l1 / 64] &= ~(1ull << (l1 % 64));
}

/* ---- RAM ---- */

/*
 * Up to RAM_REGIONS RAM capabilities (ram_init's, then ram_add's), each
 * with a bitmap of its 64 KiB units. The first GiB of the first region is
 * mapped by a static bitmap, so a small domain needs no heap for it; a
 * bigger region's map comes from malloc (2 KiB per GiB), and a region
 * whose map cannot be had is refused (ram_add) or, for ram_init's, used
 * up to its first GiB only.
 */
#define RAM_STATIC_UNITS 16384 /* 1 GiB of 64 KiB units */
#define RAM_LIVE	 512

struct ram_region {
	capaddr_t cap;
	uint64_t base; /* physical: which node it is on (ADR 0022) */
	uint64_t units;
	uint64_t *map;
};

static uint64_t map0[RAM_STATIC_UNITS / 64];

static struct {
	struct ram_region r[RAM_REGIONS];
	unsigned n;
	uint64_t units;
	uint64_t used_units;
	struct {
		capaddr_t cap;
		uint32_t region;
		uint32_t first, n; /* 0: a free entry */
	} live[RAM_LIVE];
} ram;

/* Region i for cap: its bitmap, from malloc if it is bigger than fits in
   the static one (region 0 alone may use that). */
static errval_t region_set(unsigned i, capaddr_t cap, uint64_t base, uint64_t units)
{
	uint64_t *map = NULL;
	if (i == 0 && units <= RAM_STATIC_UNITS)
		map = map0;
	else if ((map = calloc((units + 63) / 64, sizeof(uint64_t))) == NULL && i == 0)
		map = map0, units = RAM_STATIC_UNITS;
	if (!map)
		return ERR_NO_MEMORY;
	ram.r[i] = (struct ram_region){cap, base, units, map};
	return ERR_OK;
}

static errval_t ram_cap_units(capaddr_t cap, uint64_t *base, uint64_t *units)
{
	struct cap_info ci;
	errval_t err = cap_identify(cap, &ci);
	if (err)
		return err;
	if (ci.type != OBJ_RAM)
		return ERR_CAP_TYPE;
	*base = ci.base;
	*units = ci.size / RAM_UNIT;
	return ERR_OK;
}

errval_t ram_init(capaddr_t cap)
{
	uint64_t base, units;
	errval_t err = ram_cap_units(cap, &base, &units);
	if (err)
		return err;
	if (ram.n && ram.r[0].map != map0)
		free(ram.r[0].map);
	ram.units -= ram.n ? ram.r[0].units : 0;
	err = region_set(0, cap, base, units);
	if (err)
		return err;
	ram.n = ram.n ? ram.n : 1;
	ram.units += ram.r[0].units;
	return ERR_OK;
}

errval_t ram_add(capaddr_t cap)
{
	uint64_t base, units;
	errval_t err = ram_cap_units(cap, &base, &units);
	if (err)
		return err;
	if (ram.n == 0)
		return ERR_BAD_REQUEST; /* ram_init first */
	if (ram.n == RAM_REGIONS || units == 0)
		return ERR_NO_MEMORY;
	err = region_set(ram.n, cap, base, units);
	if (err)
		return err;
	ram.units += ram.r[ram.n++].units;
	return ERR_OK;
}

static bool unit_used(const struct ram_region *r, uint64_t u)
{
	return r->map[u / 64] & (1ull << (u % 64));
}

static void mark(struct ram_region *r, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t u = first; u < first + n; u++) {
		if (used)
			r->map[u / 64] |= 1ull << (u % 64);
		else
			r->map[u / 64] &= ~(1ull << (u % 64));
	}
}

/* The first run of n free units in region r, or false. Never all of it:
   the kernel refuses a retype as big as its source (that is a copy). */
static bool region_fit(const struct ram_region *r, uint64_t n, uint64_t *at)
{
	if (n >= r->units)
		return false;
	for (uint64_t first = 0, run = 0; first + run < r->units;) {
		if (unit_used(r, first + run)) {
			first += run + 1;
			run = 0;
		} else if (++run == n) {
			*at = first;
			return true;
		}
	}
	return false;
}

/* Is region r one to take from: on node, or any when bi is NULL? */
static bool region_on(const struct ram_region *r, const struct bootinfo *bi, unsigned node)
{
	return !bi || memnode_of(bi, r->base) == node;
}

/* ram_alloc from the regions on node (bi NULL: from any). */
static errval_t alloc_on(const struct bootinfo *bi, unsigned node, uint64_t size, capaddr_t *out)
{
	uint64_t n = (size + RAM_UNIT - 1) / RAM_UNIT;
	if (n == 0 || size > ram.units * RAM_UNIT || n > ram.units - ram.used_units || fault_now())
		return ERR_NO_MEMORY;
	/* The slot first: taking it may make more slots, from RAM (and take
	   an entry of live). */
	capaddr_t s = slot_alloc();
	if (s == SLOT_NONE)
		return ERR_NO_SLOTS;
	unsigned li;
	for (li = 0; li < RAM_LIVE && ram.live[li].n; li++)
		;
	for (unsigned i = 0; li < RAM_LIVE && i < ram.n; i++) {
		struct ram_region *r = &ram.r[i];
		uint64_t first;
		if (!region_on(r, bi, node) || !region_fit(r, n, &first))
			continue;
		errval_t err = cap_retype(r->cap, OBJ_RAM, first * RAM_UNIT, n * RAM_UNIT, 1,
					  CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		if (err) {
			slot_free(s);
			return err;
		}
		mark(r, first, n, true);
		ram.used_units += n;
		ram.live[li].cap = s;
		ram.live[li].region = i;
		ram.live[li].first = (uint32_t)first;
		ram.live[li].n = (uint32_t)n;
		*out = s;
		return ERR_OK;
	}
	slot_free(s);
	return ERR_NO_MEMORY;
}

errval_t ram_alloc(uint64_t size, capaddr_t *out)
{
	return alloc_on(NULL, 0, size, out);
}

errval_t ram_alloc_node(const struct bootinfo *bi, unsigned node, uint64_t size, capaddr_t *out)
{
	return alloc_on(bi, node, size, out);
}

errval_t ram_free(capaddr_t cap)
{
	for (unsigned i = 0; i < RAM_LIVE; i++) {
		if (!ram.live[i].n || ram.live[i].cap != cap)
			continue;
		capaddr_t cn = CAPADDR(CAPADDR_L1(cap), 0);
		errval_t err = cnode_revoke(cn, 1, CAPADDR_L2(cap));
		if (err == ERR_CAP_REMOTE) { /* shared with other cores: revoke there first */
			union monitor_rep r;
			err = monitor_revoke(cap, 0, &r);
		}
		if (!err)
			err = cnode_delete(cn, 1, CAPADDR_L2(cap));
		if (err)
			return err;
		mark(&ram.r[ram.live[i].region], ram.live[i].first, ram.live[i].n, false);
		ram.used_units -= ram.live[i].n;
		ram.live[i].n = 0;
		slot_free(cap);
		return ERR_OK;
	}
	return ERR_CAP_NOT_FOUND;
}

uint64_t ram_free_bytes(void)
{
	return (ram.units - ram.used_units) * RAM_UNIT;
}

uint64_t ram_total_bytes(void)
{
	return ram.units * RAM_UNIT;
}

static uint64_t largest_on(const struct bootinfo *bi, unsigned node)
{
	uint64_t best = 0;
	for (unsigned i = 0; i < ram.n; i++)
		for (uint64_t u = 0, run = 0; region_on(&ram.r[i], bi, node) && u < ram.r[i].units;
		     u++) {
			run = unit_used(&ram.r[i], u) ? 0 : run + 1;
			if (run > best && run < ram.r[i].units) /* (never all: region_fit) */
				best = run;
		}
	return best * RAM_UNIT;
}

uint64_t ram_largest_free(void)
{
	return largest_on(NULL, 0);
}

uint64_t ram_largest_node(const struct bootinfo *bi, unsigned node)
{
	return largest_on(bi, node);
}

uint64_t ram_total_node(const struct bootinfo *bi, unsigned node)
{
	uint64_t units = 0;
	for (unsigned i = 0; i < ram.n; i++)
		units += region_on(&ram.r[i], bi, node) ? ram.r[i].units : 0;
	return units * RAM_UNIT;
}

/* ---- mapping regions ---- */

errval_t vregion_init_in(struct vregion *r, uint64_t va, capaddr_t ram)
{
	capaddr_t l1 = slot_alloc(), l0 = slot_alloc();
	if (va & ((1ul << 30) - 1))
		return ERR_VM_ALIGN;
	if (l1 == SLOT_NONE || l0 == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cap_retype(ram, OBJ_VNODE_L1, 0, OBJSIZE_VNODE, 1,
				  CAPADDR(CAPADDR_L1(l1), 0), 1, CAPADDR_L2(l1));
	if (!err)
		err = cap_retype(ram, OBJ_VNODE_L0, OBJSIZE_VNODE, OBJSIZE_VNODE, 1,
				 CAPADDR(CAPADDR_L1(l0), 0), 1, CAPADDR_L2(l0));
	if (!err)
		err = vnode_map(CAPADDR(CN_TASK, TASK_VROOT), va >> 30, l1, 0, 0, 1);
	if (!err)
		err = vnode_map(l1, 0, l0, 0, 0, 1);
	r->base = va;
	r->l0 = l0;
	return err;
}

errval_t vregion_init(struct vregion *r, uint64_t va)
{
	capaddr_t mem;
	if (va & ((1ul << 30) - 1))
		return ERR_VM_ALIGN;
	errval_t err = ram_alloc(RAM_UNIT, &mem);
	return err ? err : vregion_init_in(r, va, mem);
}

static bool page_used(const struct vregion *r, uint64_t e)
{
	return r->used[e / 64] & (1ull << (e % 64));
}

static void page_mark(struct vregion *r, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t e = first; e < first + n; e++) {
		if (used)
			r->used[e / 64] |= 1ull << (e % 64);
		else
			r->used[e / 64] &= ~(1ull << (e % 64));
	}
}

void *vregion_map(struct vregion *r, capaddr_t f, uint64_t pages, bool writable)
{
	if (pages == 0 || pages > VREGION_PAGES)
		return NULL;
	for (uint64_t first = 0; first + pages <= VREGION_PAGES; first++) {
		uint64_t k;
		for (k = 0; k < pages && !page_used(r, first + k); k++)
			;
		if (k < pages) {
			first += k;
			continue;
		}
		if (r->nmaps == r->maps_cap) { /* room for the record first */
			unsigned cap = r->maps_cap ? 2 * r->maps_cap : 16;
			struct vregion_map *m = realloc(r->maps, cap * sizeof(*m));
			if (!m)
				return NULL;
			r->maps = m;
			r->maps_cap = cap;
		}
		uint64_t rights = CAP_RIGHT_READ | (writable ? CAP_RIGHT_WRITE : 0);
		if (vnode_map(r->l0, first, f, rights, 0, pages))
			return NULL;
		page_mark(r, first, pages, true);
		r->maps[r->nmaps++] = (struct vregion_map){f, (uint32_t)first, (uint32_t)pages};
		return (void *)(r->base + first * OBJSIZE_PAGE);
	}
	return NULL;
}

void vregion_unmap(struct vregion *r, capaddr_t f)
{
	for (unsigned m = 0; m < r->nmaps; m++) {
		if (r->maps[m].f != f)
			continue;
		vnode_unmap(r->l0, f);
		page_mark(r, r->maps[m].first, r->maps[m].n, false);
		r->maps[m] = r->maps[--r->nmaps]; /* the order does not matter */
		return;
	}
}

/* ---- the mapping window ---- */

static struct vregion win;

errval_t win_init(void)
{
	return vregion_init(&win, WIN_VADDR);
}

void *win_map(capaddr_t f, uint64_t pages, bool writable)
{
	return vregion_map(&win, f, pages, writable);
}

void win_unmap(capaddr_t f)
{
	vregion_unmap(&win, f);
}
