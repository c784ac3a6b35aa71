// SPDX-License-Identifier: MIT
/*
 * The physmap's page tables (cpudriver/physmap.c), built as the boot core
 * builds them from real device trees (QEMU's, and the HiFive Unmatched's
 * with what its firmware adds), then walked: no page larger than 4 KiB over
 * a reserved region, nothing at all over a no-map region or the firmware
 * below the image, devices only in the 4 KiB pages the drivers use, every
 * page of usable RAM mapped once at its own address, nothing executable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "dtb_fixture.h"
#include "kernel.h"
#include "physmap.h"
#include "platform.h"

#define IMAGE_PA   0x80200000ul
#define IMAGE_SIZE 0x600000ul

/* ---- a host allocator: tables at made-up physical addresses ---- */

#define FAKE_PA 0x7f000000000ul /* (above any RAM in the trees) */

struct pool {
	uint64_t (*t)[512];
	unsigned n, max;
};

static uint64_t *pool_table(void *ctx, paddr_t *pa)
{
	struct pool *p = ctx;
	if (p->n == p->max)
		return NULL;
	*pa = FAKE_PA + (paddr_t)p->n * PAGE_SIZE;
	memset(p->t[p->n], 0, PAGE_SIZE);
	return p->t[p->n++];
}

static uint64_t *pool_kva(void *ctx, paddr_t pa)
{
	struct pool *p = ctx;
	unsigned i = (unsigned)((pa - FAKE_PA) / PAGE_SIZE);
	assert_true(pa >= FAKE_PA && i < p->n);
	return p->t[i];
}

/* ---- the machine: parsed as boot.c does ---- */

static size_t dtb_size; /* (the buffer load_dtb gives) */

static struct platform *machine(void *fdt)
{
	struct platform *p = calloc(1, sizeof(*p));
	assert_int_equal(platform_parse(fdt, 1 << 20, p, NULL), PLAT_OK);
	hartid_t boot = 0;
	for (unsigned i = 0; i < p->ncpus; i++)
		if (!p->cpus[i].skip) {
			boot = p->cpus[i].hartid;
			break;
		}
	assert_int_equal(platform_assign_cores(p, boot, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(platform_reserve_below(p, IMAGE_PA), 0);
	assert_int_equal(platform_reserve(p, IMAGE_PA, IMAGE_SIZE), 0);
	return p;
}

/* ---- the walk ---- */

struct leaf {
	paddr_t pa;
	uint64_t size;
};

struct walk {
	struct leaf *leaves;
	unsigned n;
};

static void walk_table(struct pool *pool, const uint64_t *t, int level, uint64_t va, struct walk *w)
{
	static const unsigned shift[3] = {12, 21, 30};
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pte = t[i];
		if (!(pte & 1))
			continue;
		uint64_t v = va | ((uint64_t)i << shift[level]);
		if (!(pte & 0xe)) { /* a table */
			assert_true(level > 0);
			walk_table(pool, pool_kva(pool, (pte >> 10) << 12), level - 1, v, w);
			continue;
		}
		paddr_t pa = (pte >> 10) << 12;
		uint64_t size = 1ul << shift[level];
		/* At its own address, aligned, readable and writable, never
		   executable or for user mode, A/D and G set. */
		assert_int_equal(v, PHYSMAP_BASE + pa);
		assert_int_equal(pa % size, 0);
		assert_int_equal(pte & 0xff, 0xe7);
		w->leaves = realloc(w->leaves, (w->n + 1) * sizeof(*w->leaves));
		w->leaves[w->n++] = (struct leaf){pa, size};
	}
}

static bool overlap(paddr_t a, uint64_t as, paddr_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static bool in_ram(const struct platform *p, paddr_t a, uint64_t size)
{
	for (unsigned i = 0; i < p->nmem; i++)
		if (a >= p->mem[i].base && a + size <= p->mem[i].base + p->mem[i].size)
			return true;
	return false;
}

/* Build and check; returns the leaves of each size (index 0: 4 KiB,
   1: 2 MiB, 2: 1 GiB) in counts. */
static void check(const struct platform *p, unsigned counts[3])
{
	struct pool pool = {calloc(PHYSMAP_TABLES_MAX, PAGE_SIZE), 0, PHYSMAP_TABLES_MAX};
	uint64_t *root = calloc(512, sizeof(uint64_t));
	const struct physmap_alloc a = {pool_table, pool_kva, &pool};
	assert_int_equal(physmap_build(root, p, IMAGE_PA, &a), PHYSMAP_OK);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(root[i], 0); /* the physmap's half only */
	struct walk w = {NULL, 0};
	walk_table(&pool, root, 2, 0xffffff8000000000ul, &w);

	paddr_t dev[2 * PLAT_MAX_HARTS + 3];
	unsigned ndev = physmap_devices(p, dev, 2 * PLAT_MAX_HARTS + 3);
	assert_true(ndev >= 2); /* the UART and the PLIC at least */
	memset(counts, 0, 3 * sizeof(unsigned));
	paddr_t fw_lo = 0x80000000, fw_hi = IMAGE_PA;
	uint64_t ram_mapped = 0;
	for (unsigned i = 0; i < w.n; i++) {
		const struct leaf *l = &w.leaves[i];
		counts[l->size == PAGE_SIZE ? 0 : l->size == (1ul << 21) ? 1 : 2]++;
		assert_false(overlap(l->pa, l->size, fw_lo, fw_hi - fw_lo));
		for (unsigned r = 0; r < p->nresv; r++) {
			const struct plat_range *rv = &p->resv[r];
			if (!(rv->flags & PLAT_RANGE_DT))
				continue;
			bool hit = overlap(l->pa, l->size, rv->base, rv->size);
			assert_false(hit && (rv->flags & PLAT_RANGE_NOMAP));
			assert_false(hit && l->size > PAGE_SIZE);
		}
		if (in_ram(p, l->pa, l->size)) {
			ram_mapped += l->size;
			continue;
		}
		/* Not RAM: one of the device pages, and only 4 KiB. */
		assert_int_equal(l->size, PAGE_SIZE);
		bool known = false;
		for (unsigned d = 0; d < ndev; d++)
			known |= dev[d] == l->pa;
		assert_true(known);
	}
	/* Every device page is there; so is every usable page of RAM (all RAM
	   but the firmware's and no-map regions), each once (leaves are
	   distinct by construction of a radix table). */
	for (unsigned d = 0; d < ndev; d++) {
		bool found = false;
		for (unsigned i = 0; i < w.n; i++)
			found |= w.leaves[i].pa == dev[d];
		assert_true(found);
	}
	uint64_t usable = 0;
	for (unsigned m = 0; m < p->nmem; m++)
		for (paddr_t a = p->mem[m].base; a < p->mem[m].base + p->mem[m].size;
		     a += PAGE_SIZE) {
			bool out = a >= fw_lo && a < fw_hi;
			for (unsigned r = 0; r < p->nresv; r++)
				out |= (p->resv[r].flags & PLAT_RANGE_NOMAP) &&
				       overlap(a, PAGE_SIZE, p->resv[r].base, p->resv[r].size);
			usable += out ? 0 : PAGE_SIZE;
		}
	assert_int_equal(ram_mapped, usable);
	free(w.leaves);
	free(root);
	free(pool.t);
}

static void test_virt(void **state)
{
	(void)state;
	static const char *const trees[] = {"virt-smp1.dtb",	    "virt-smp4.dtb",
					    "virt-smp128.dtb",	    "virt-numa8.dtb",
					    "virt-numa4-aplic.dtb", "sifive_u.dtb"};
	for (unsigned t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
		void *fdt = load_dtb(trees[t], &dtb_size);
		struct platform *p = machine(fdt);
		unsigned counts[3];
		check(p, counts);
		assert_int_equal(counts[2], 0); /* at most 1 GiB of RAM, starting at the firmware */
		assert_true(counts[1] > 0);	/* the rest of its GiB in 2 MiB pages */
		free(p);
		free(fdt);
	}
}

static void test_unmatched(void **state)
{
	(void)state;
	void *fdt = load_dtb("hifive-unmatched.dtb", &dtb_size);
	struct platform *p = machine(fdt);
	unsigned counts[3];
	check(p, counts);
	/* 16 GiB from 0x80000000: the first GiB in 2 MiB pages (from the image
	   on), 15 in 1 GiB pages; 4 KiB pages only for devices: the UART, the
	   PLIC's priorities, its enable bits (the U74s' S-mode contexts 2, 4,
	   6 and 8 share a page) and each of those contexts' own page. */
	assert_int_equal(counts[2], 15);
	assert_int_equal(counts[1], 511);
	paddr_t dev[16];
	assert_int_equal(physmap_devices(p, dev, 16), 1 + 1 + 1 + 4);
	assert_int_equal(dev[0], 0xc000000);
	assert_int_equal(dev[1], 0xc002000);
	assert_int_equal(dev[2], 0xc202000);
	assert_int_equal(dev[5], 0xc208000);
	assert_int_equal(dev[6], 0x10010000);
	assert_int_equal(counts[0], 7);
	free(p);
	free(fdt);
}

/* A tree with reserved regions of every kind, not aligned to anything. */
static void test_reserved(void **state)
{
	(void)state;
	void *fdt = load_dtb("virt-smp4.dtb", &dtb_size);
	assert_int_equal(fdt_add_mem_rsv(fdt, 0x90001000, 0x3000), 0);
	int rm = fdt_add_subnode(fdt, 0, "reserved-memory");
	assert_true(rm >= 0);
	fdt_setprop_u32(fdt, rm, "#address-cells", 2);
	fdt_setprop_u32(fdt, rm, "#size-cells", 2);
	fdt_setprop(fdt, rm, "ranges", NULL, 0);
	int kept = fdt_add_subnode(fdt, rm, "kept@88000000");
	fdt64_t kept_reg[2] = {cpu_to_fdt64(0x88000800), cpu_to_fdt64(0x401000)};
	fdt_setprop(fdt, kept, "reg", kept_reg, sizeof(kept_reg));
	int gone = fdt_add_subnode(fdt, rm, "gone@98000000");
	fdt64_t gone_reg[2] = {cpu_to_fdt64(0x98000000), cpu_to_fdt64(0x200000)};
	fdt_setprop(fdt, gone, "reg", gone_reg, sizeof(gone_reg));
	fdt_setprop(fdt, gone, "no-map", NULL, 0);
	struct platform *p = machine(fdt);
	unsigned dt = 0;
	for (unsigned i = 0; i < p->nresv; i++)
		dt += (p->resv[i].flags & PLAT_RANGE_DT) != 0;
	assert_int_equal(dt, 3);
	unsigned counts[3];
	check(p, counts);
	/* kept: 0x88000000..0x88402000 in 4 KiB pages (1026), /memreserve/'s
	   3 pages and the rest of its 2 MiB (512), plus the devices. */
	assert_true(counts[0] >= 1026 + 512);
	free(p);
	free(fdt);
}

/* Out of tables, or a device inside RAM: an error, never a broken table. */
static void test_errors(void **state)
{
	(void)state;
	void *fdt = load_dtb("virt-smp4.dtb", &dtb_size);
	struct platform *p = machine(fdt);
	struct pool pool = {calloc(2, PAGE_SIZE), 0, 2};
	uint64_t *root = calloc(512, sizeof(uint64_t));
	const struct physmap_alloc a = {pool_table, pool_kva, &pool};
	assert_int_equal(physmap_build(root, p, IMAGE_PA, &a), PHYSMAP_NO_TABLES);
	free(pool.t);
	pool = (struct pool){calloc(PHYSMAP_TABLES_MAX, PAGE_SIZE), 0, PHYSMAP_TABLES_MAX};
	memset(root, 0, 512 * sizeof(uint64_t));
	p->uart.base = 0x90000000; /* in RAM, under a 2 MiB page */
	assert_int_equal(physmap_build(root, p, IMAGE_PA, &a), PHYSMAP_OVERLAP);
	free(pool.t);
	free(root);
	free(p);
	free(fdt);
}

/*
 * The interrupt controllers' pages (ADR 0021): of each PLIC with a core's
 * context its priorities, the enable bits and threshold/claim page of each
 * such context; of each APLIC domain its domaincfg/sourcecfg page, its
 * setienum/clrienum page, its targets' page and the IDC pages of its
 * cores; of a controller no core uses, nothing.
 */
static void test_irqc(void **state)
{
	(void)state;
	void *fdt = load_dtb("virt-numa8.dtb", &dtb_size);
	struct platform *p = machine(fdt);
	paddr_t dev[32];
	/* Per PLIC: priorities, one page of enables (contexts 1, 3, 5, 7),
	   four threshold/claim pages; the test device and the UART. */
	assert_int_equal(physmap_devices(p, dev, 32), 2 * 6 + 2);
	assert_int_equal(dev[1], 0xc000000);
	assert_int_equal(dev[2], 0xc002000);
	assert_int_equal(dev[3], 0xc201000);
	assert_int_equal(dev[6], 0xc207000);
	assert_int_equal(dev[7], 0xc600000);
	assert_int_equal(dev[13], 0x10000000);
	free(p);
	free(fdt);

	fdt = load_dtb("virt-numa4-aplic.dtb", &dtb_size);
	p = machine(fdt);
	unsigned counts[3];
	check(p, counts);
	/* Per S-level APLIC: pages 0, 0x1000, 0x3000 and its two IDCs' page;
	   none of the M-level domains (the firmware's). */
	assert_int_equal(physmap_devices(p, dev, 32), 4 * 4 + 2);
	for (unsigned i = 0; i < 4; i++) {
		paddr_t base = 0xd000000 + 0x8000 * i;
		assert_int_equal(dev[1 + 4 * i], base);
		assert_int_equal(dev[2 + 4 * i], base + 0x1000);
		assert_int_equal(dev[3 + 4 * i], base + 0x3000);
		assert_int_equal(dev[4 + 4 * i], base + 0x4000);
	}
	/* Two cores, both on socket 0: only its domain. */
	assert_int_equal(platform_parse(fdt, 1 << 20, p, NULL), PLAT_OK);
	assert_int_equal(platform_assign_cores(p, 0, 2, (hartid_t)-1), PLAT_OK);
	assert_int_equal(platform_reserve_below(p, IMAGE_PA), 0);
	assert_int_equal(platform_reserve(p, IMAGE_PA, IMAGE_SIZE), 0);
	assert_int_equal(physmap_devices(p, dev, 32), 4 + 2);
	assert_int_equal(dev[4], 0xd004000);
	check(p, counts);
	free(p);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virt),   cmocka_unit_test(test_unmatched),
	    cmocka_unit_test(test_irqc),   cmocka_unit_test(test_reserved),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
