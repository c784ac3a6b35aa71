// SPDX-License-Identifier: MIT
/*
 * The physmap's page tables (include/physmap.h, ADR 0020). RAM is cut into
 * pieces at every edge of a region that needs care, each piece either
 * left out (no-map, the firmware below the image), or mapped with 4 KiB
 * pages (reserved by the device tree), or mapped with the largest pages
 * its alignment and length allow; device pages are 4 KiB each.
 */
#include "physmap.h"
#include "irq.h"
#include "kernel.h"

#define MIB2 (1ul << 21)

#define PTE_V	 (1ul << 0)
#define PTE_RWX	 (7ul << 1)
#define PM_FLAGS 0xe7 /* V R W G A D: no X, no U; A/D preset */

enum piece { PIECE_OUT, PIECE_SMALL, PIECE_BIG };

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return a + PAGE_SIZE - 1 < a ? ~(PAGE_SIZE - 1) : page_down(a + PAGE_SIZE - 1);
}

/* The table a non-leaf PTE points to, made if there is none. */
static uint64_t *next_table(const struct physmap_alloc *a, uint64_t *pte, enum physmap_err *err)
{
	if (*pte & PTE_V) {
		if (*pte & PTE_RWX) { /* a leaf is there already */
			*err = PHYSMAP_OVERLAP;
			return NULL;
		}
		return a->kva(a->ctx, (*pte >> 10) << 12);
	}
	paddr_t pa;
	uint64_t *t = a->table(a->ctx, &pa);
	if (!t) {
		*err = PHYSMAP_NO_TABLES;
		return NULL;
	}
	*pte = (pa >> 12) << 10 | PTE_V;
	return t;
}

/* One leaf of size (4 KiB, 2 MiB or 1 GiB) for pa; a repeat of the same
   leaf is no error (two contexts' registers in one page). */
static enum physmap_err map_leaf(uint64_t *root, paddr_t pa, uint64_t size,
				 const struct physmap_alloc *a)
{
	uint64_t va = PHYSMAP_BASE + pa, leaf = (pa >> 12) << 10 | PM_FLAGS;
	enum physmap_err err = PHYSMAP_OK;
	uint64_t *pte = &root[(va >> 30) & 511];
	if (size < GIB) {
		uint64_t *l1 = next_table(a, pte, &err);
		if (!l1)
			return err;
		pte = &l1[(va >> 21) & 511];
	}
	if (size < MIB2) {
		uint64_t *l0 = next_table(a, pte, &err);
		if (!l0)
			return err;
		pte = &l0[(va >> 12) & 511];
	}
	if (*pte & PTE_V)
		return *pte == leaf ? PHYSMAP_OK : PHYSMAP_OVERLAP;
	*pte = leaf;
	return PHYSMAP_OK;
}

/* [*lo, *hi) of reserved range r, widened to pages. */
static void resv_pages(const struct plat_range *r, paddr_t *lo, paddr_t *hi)
{
	*lo = page_down(r->base);
	*hi = r->base + r->size < r->base ? ~(PAGE_SIZE - 1) : page_up(r->base + r->size);
}

/*
 * What the piece starting at a is, and where it ends (at the next edge of
 * any region that needs care, or at end). fw: the firmware's range.
 */
static enum piece piece_at(const struct platform *p, paddr_t fw_lo, paddr_t fw_hi, paddr_t a,
			   paddr_t end, paddr_t *to)
{
	enum piece what = a >= fw_lo && a < fw_hi ? PIECE_OUT : PIECE_BIG;
	*to = end;
	if (a < fw_lo && fw_lo < *to)
		*to = fw_lo;
	if (what == PIECE_OUT && fw_hi < *to)
		*to = fw_hi;
	for (unsigned i = 0; i < p->nresv; i++) {
		const struct plat_range *r = &p->resv[i];
		if (!(r->flags & PLAT_RANGE_DT))
			continue; /* the kernel's own (image, DTB): ordinary RAM */
		paddr_t lo, hi;
		resv_pages(r, &lo, &hi);
		if (a < lo && lo < *to)
			*to = lo;
		if (a >= lo && a < hi) {
			enum piece here = r->flags & PLAT_RANGE_NOMAP ? PIECE_OUT : PIECE_SMALL;
			what = here < what ? here : what;
			if (hi < *to)
				*to = hi;
		}
	}
	return what;
}

/* Map [a, end) with the largest pages that fit (only 4 KiB ones if small). */
static enum physmap_err map_piece(uint64_t *root, paddr_t a, paddr_t end, bool small,
				  const struct physmap_alloc *al)
{
	while (a < end) {
		uint64_t size = PAGE_SIZE;
		if (!small && a % GIB == 0 && end - a >= GIB)
			size = GIB;
		else if (!small && a % MIB2 == 0 && end - a >= MIB2)
			size = MIB2;
		enum physmap_err err = map_leaf(root, a, size, al);
		if (err)
			return err;
		a += size;
	}
	return PHYSMAP_OK;
}

static enum physmap_err map_ram(uint64_t *root, const struct platform *p, paddr_t image_pa,
				const struct physmap_alloc *al)
{
	paddr_t fw_lo = 0, fw_hi = 0; /* below the image, in its range */
	for (unsigned i = 0; i < p->nmem; i++)
		if (image_pa >= p->mem[i].base && image_pa - p->mem[i].base < p->mem[i].size) {
			fw_lo = p->mem[i].base;
			fw_hi = image_pa;
		}
	for (unsigned i = 0; i < p->nmem; i++) {
		paddr_t a = page_up(p->mem[i].base),
			end = page_down(p->mem[i].base + p->mem[i].size);
		if (end > PHYSMAP_SIZE)
			end = PHYSMAP_SIZE;
		while (a < end) {
			paddr_t to;
			enum piece what = piece_at(p, fw_lo, fw_hi, a, end, &to);
			if (what != PIECE_OUT) {
				enum physmap_err err =
				    map_piece(root, a, to, what == PIECE_SMALL, al);
				if (err)
					return err;
			}
			a = to;
		}
	}
	return PHYSMAP_OK;
}

/* Call fn for each device page a driver uses (repeats possible). */
static enum physmap_err each_device(const struct platform *p,
				    enum physmap_err (*fn)(void *arg, paddr_t page), void *arg)
{
	enum physmap_err err = PHYSMAP_OK;
	if (p->uart.kind != UART_NONE)
		err = fn(arg, page_down(p->uart.base));
	if (!err && p->test_base)
		err = fn(arg, page_down(p->test_base));
	/* Of each interrupt controller, the pages of the contexts (PLIC) or
	   IDCs (APLIC) of the harts that run a CPU driver, and its
	   controller-wide pages if one does (irq.h has the layouts). */
	for (unsigned i = 0; !err && i < p->ncpus; i++) {
		const struct plat_cpu *c = &p->cpus[i];
		if (c->coreid == COREID_INVALID || c->irqc < 0 || (unsigned)c->irqc >= p->nirqc)
			continue;
		const struct plat_irqc *ic = &p->irqc[c->irqc];
		paddr_t ctx = (paddr_t)c->irq_ctx;
		if (ic->kind == IRQC_PLIC) {
			err = fn(arg, page_down(ic->base + PLIC_PRIORITY(0)));
			if (!err)
				err = fn(arg, page_down(ic->base + PLIC_ENABLE(ctx)));
			if (!err)
				err = fn(arg, page_down(ic->base + PLIC_THRESHOLD(ctx)));
		} else {
			err = fn(arg, page_down(ic->base + APLIC_DOMAINCFG));
			if (!err)
				err = fn(arg, page_down(ic->base + APLIC_SETIENUM));
			if (!err)
				err = fn(arg, page_down(ic->base + APLIC_TARGET(1)));
			if (!err)
				err = fn(arg, page_down(ic->base + APLIC_IDC(ctx)));
		}
	}
	return err;
}

struct page_list {
	paddr_t *pages;
	unsigned n, max;
};

/* Insert page in order, once. */
static enum physmap_err list_page(void *ctx, paddr_t page)
{
	struct page_list *l = ctx;
	unsigned i = 0;
	while (i < l->n && i < l->max && l->pages[i] < page)
		i++;
	if (i < l->n && i < l->max && l->pages[i] == page)
		return PHYSMAP_OK;
	for (unsigned j = l->n; j > i; j--)
		if (j < l->max)
			l->pages[j] = l->pages[j - 1];
	if (i < l->max)
		l->pages[i] = page;
	l->n++;
	return PHYSMAP_OK;
}

unsigned physmap_devices(const struct platform *p, paddr_t *pages, unsigned max)
{
	struct page_list l = {pages, 0, max};
	each_device(p, list_page, &l);
	return l.n;
}

struct device_map {
	uint64_t *root;
	const struct physmap_alloc *a;
};

static enum physmap_err map_device(void *ctx, paddr_t page)
{
	struct device_map *d = ctx;
	return map_leaf(d->root, page, PAGE_SIZE, d->a);
}

enum physmap_err physmap_build(uint64_t *root, const struct platform *p, paddr_t image_pa,
			       const struct physmap_alloc *a)
{
	struct device_map d = {root, a};
	enum physmap_err err = map_ram(root, p, image_pa, a);
	return err ? err : each_device(p, map_device, &d);
}
