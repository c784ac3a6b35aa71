// SPDX-License-Identifier: MIT
/*
 * Host tests of the device-tree-to-platform code, fed with device trees QEMU
 * dumped at build time (virt with 1, 4, 8 harts on two NUMA nodes, 128
 * harts; sifive_u), trees edited at build time (hake/heterodtb.sh:
 * harts without F/D, riscv,isa-extensions) and with broken ones derived
 * from them with libfdt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "dtb_fixture.h"
#include "platform.h"

static int warnings;
static char last_warning[256];
static char all_warnings[2048]; /* since parse_warned() */

static void count_warn(const char *msg, const char *detail)
{
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s %s", msg, detail);
	size_t n = strlen(all_warnings);
	snprintf(all_warnings + n, sizeof(all_warnings) - n, "%s\n", last_warning);
}

static struct platform *parse_ok(const char *name)
{
	size_t size;
	void *fdt = load_dtb(name, &size);
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	free(fdt);
	return p;
}

static void test_virt4(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-smp4.dtb");
	assert_int_equal(warnings, 0);
	assert_int_equal(p->nmem, 1);
	assert_int_equal(p->mem[0].base, 0x80000000);
	assert_int_equal(p->mem[0].size, 512ul << 20);
	assert_int_equal(p->ncpus, 4);
	assert_int_equal(p->timebase_hz, 10000000);
	assert_int_equal(p->uart.kind, UART_NS16550A);
	assert_int_equal(p->uart.base, 0x10000000);
	assert_int_equal(p->uart.irq, 10);
	assert_int_equal(p->irqc[0].base, 0xc000000);
	assert_true(p->irqc[0].ndev > 0);
	assert_int_equal(p->clint_base, 0x2000000);
	assert_int_equal(p->test_base, 0x100000);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(p->cpus[i].hartid, i);
		assert_null(p->cpus[i].skip);
		assert_int_equal(p->cpus[i].xlen, 64);
		assert_true(p->cpus[i].isa & ISA_SSTC);
		assert_true(p->cpus[i].mmu >= MMU_SV39);
	}
	/* The boot hart is core 0; the others follow in device-tree order. */
	assert_int_equal(platform_assign_cores(p, 2, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 4);
	assert_int_equal(platform_cpu_by_hart(p, 2)->coreid, 0);
	assert_int_equal(platform_cpu_by_hart(p, 0)->coreid, 1);
	assert_int_equal(platform_cpu_by_hart(p, 1)->coreid, 2);
	assert_int_equal(platform_cpu_by_hart(p, 3)->coreid, 3);
	assert_null(platform_cpu_by_hart(p, 4));
	char isa[32];
	platform_isa_str(platform_cpu_by_hart(p, 0), isa, sizeof(isa));
	assert_string_equal(isa, "rv64imafdch+sstc");
	/* virt: contexts 2h (M) and 2h + 1 (S) per hart. */
	for (unsigned h = 0; h < 4; h++)
		assert_int_equal(platform_cpu_by_hart(p, h)->irq_ctx, 2 * h + 1);
	free(p);
}

static void test_virt1(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-smp1.dtb");
	assert_int_equal(p->ncpus, 1);
	assert_int_equal(p->mem[0].size, 128ul << 20);
	assert_int_equal(platform_assign_cores(p, 0, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 1);
	/* A boot hart the tree does not list cannot be core 0. */
	assert_int_equal(platform_assign_cores(p, 7, 128, (hartid_t)-1), PLAT_ERR_BOOT_HART);
	free(p);
}

static void test_virt_numa(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-numa8.dtb");
	assert_int_equal(p->ncpus, 8);
	assert_int_equal(p->nmem, 2);
	assert_int_equal(p->mem[0].size + p->mem[1].size, 512ul << 20);
	assert_int_equal(platform_mem_end(p), 0xa0000000);
	/* Two sockets, one cluster and node each: harts 0-3, then 4-7. */
	assert_int_equal(p->nnodes, 2);
	for (unsigned h = 0; h < 8; h++) {
		assert_int_equal(platform_cpu_by_hart(p, h)->node, h / 4);
		assert_int_equal(platform_cpu_by_hart(p, h)->cluster, h / 4);
	}
	assert_int_equal(p->mem[0].node + p->mem[1].node, 1); /* one each */
	assert_int_equal(p->distance[0][0], 10);	      /* no distance-map: the defaults */
	assert_int_equal(p->distance[0][1], 20);
	free(p);
}

/* Four nodes with a distance-map (QEMU -numa dist), under the APLIC. */
static void test_virt_numa4(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-numa4-aplic.dtb");
	assert_int_equal(p->ncpus, 8);
	assert_int_equal(p->nnodes, 4);
	assert_int_equal(warnings, 0);
	for (unsigned h = 0; h < 8; h++) {
		assert_int_equal(platform_cpu_by_hart(p, h)->node, h / 2);
		assert_int_equal(platform_cpu_by_hart(p, h)->cluster, h / 2);
	}
	for (unsigned i = 0; i < p->nmem; i++)
		assert_int_equal(p->mem[i].node, (p->mem[i].base - 0x80000000) >> 28);
	static const uint8_t d[4][4] = {
	    {10, 20, 30, 40}, {20, 10, 20, 30}, {30, 20, 10, 20}, {40, 30, 20, 10}};
	for (unsigned a = 0; a < 4; a++)
		for (unsigned b = 0; b < 4; b++)
			assert_int_equal(p->distance[a][b], d[a][b]);
	free(p);
}

/* A node id out of range, a broken distance-matrix: defaults, said. */
static int bad_topology(void *fdt)
{
	int cpu = fdt_path_offset(fdt, "/cpus/cpu@1");
	int mem = fdt_path_offset(fdt, "/memory@80000000");
	if (cpu < 0 || mem < 0)
		return -1;
	int err = fdt_setprop_u32(fdt, cpu, "numa-node-id", 99);
	err = err ? err : fdt_setprop_u32(fdt, mem, "numa-node-id", 3);
	int dm = fdt_add_subnode(fdt, 0, "distance-map");
	if (dm < 0)
		return dm;
	err = err ? err : fdt_setprop_string(fdt, dm, "compatible", "numa-distance-map-v1");
	fdt32_t m[4] = {cpu_to_fdt32(0), cpu_to_fdt32(3), cpu_to_fdt32(17), cpu_to_fdt32(1)};
	return err ? err : fdt_setprop(fdt, dm, "distance-matrix", m, sizeof(m));
}

static void test_bad_topology(void **state)
{
	(void)state;
	size_t size;
	void *fdt = load_dtb("virt-smp4.dtb", &size);
	assert_int_equal(bad_topology(fdt), 0);
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	assert_int_equal(warnings, 2);
	assert_int_equal(platform_cpu_by_hart(p, 1)->node, 0);
	assert_int_equal(p->mem[0].node, 3);
	assert_int_equal(p->nnodes, 4);
	assert_int_equal(p->distance[0][3], 20);
	free(p);
	free(fdt);
}

static void test_core_limit(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-smp128.dtb");
	assert_int_equal(p->ncpus, 128);
	assert_int_equal(platform_assign_cores(p, 100, 16, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 16);
	unsigned limited = 0;
	for (unsigned i = 0; i < p->ncpus; i++) {
		const struct plat_cpu *c = &p->cpus[i];
		if (c->coreid == COREID_INVALID) {
			assert_string_equal(c->skip, PLAT_SKIP_LIMIT);
			limited++;
		} else {
			assert_true(c->coreid < 16);
		}
	}
	assert_int_equal(limited, 112);
	assert_int_equal(platform_cpu_by_hart(p, 100)->coreid, 0);
	free(p);
}

static void test_sifive_u(void **state)
{
	(void)state;
	struct platform *p = parse_ok("sifive_u.dtb");
	assert_int_equal(p->ncpus, 5);
	assert_int_equal(p->timebase_hz, 1000000);
	assert_int_equal(p->uart.kind, UART_SIFIVE);
	assert_int_equal(p->uart.base, 0x10010000);
	assert_int_equal(p->uart.irq, 4);
	assert_int_equal(p->test_base, 0);
	const struct plat_cpu *e51 = platform_cpu_by_hart(p, 0);
	assert_non_null(e51->skip);
	assert_int_equal(e51->mmu, MMU_NONE);
	/* sifive_u: the E51 has only an M context; hart h >= 1 has S context 2h. */
	assert_int_equal(e51->irq_ctx, -1);
	for (unsigned h = 1; h < 5; h++)
		assert_int_equal(platform_cpu_by_hart(p, h)->irq_ctx, 2 * h);
	assert_false(e51->isa & ISA_SSTC);
	assert_int_equal(platform_assign_cores(p, 0, 128, (hartid_t)-1), PLAT_ERR_BOOT_HART);
	assert_int_equal(platform_assign_cores(p, 3, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 4);
	assert_int_equal(e51->coreid, COREID_INVALID);
	/* forcehart gives the E51 a core anyway (boot tests check it never arrives). */
	assert_int_equal(platform_assign_cores(p, 3, 128, 0), PLAT_OK);
	assert_int_equal(p->ncores, 5);
	assert_int_not_equal(e51->coreid, COREID_INVALID);
	free(p);
}

/*
 * The HiFive Unmatched's own tree (Linux's hifive-unmatched-a00.dts with the
 * CLINT and the /reserved-memory node its firmware adds, hake/boarddtb.sh):
 * what Reef derives from it on the board.
 */
static void test_unmatched(void **state)
{
	(void)state;
	size_t size;
	void *fdt = load_dtb("hifive-unmatched.dtb", &size);
	struct platform *p = malloc(sizeof(*p));
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	assert_string_equal(p->model, "SiFive HiFive Unmatched A00");
	assert_int_equal(p->ncpus, 5);
	/* 1 MHz timebase; 16 GiB at 0x80000000; OpenSBI's region reserved. */
	assert_int_equal(p->timebase_hz, 1000000);
	assert_int_equal(p->nmem, 1);
	assert_int_equal(p->mem[0].base, 0x80000000);
	assert_int_equal(p->mem[0].size, 16ull << 30);
	bool fw = false;
	for (unsigned i = 0; i < p->nresv; i++)
		fw |= p->resv[i].base == 0x80000000 && p->resv[i].size == 0x80000;
	assert_true(fw);
	/* The console: UART0 (stdout-path is the alias serial0), interrupt 39. */
	assert_int_equal(p->uart.kind, UART_SIFIVE);
	assert_int_equal(p->uart.base, 0x10010000);
	assert_int_equal(p->uart.irq, 39);
	assert_int_equal(p->irqc[0].base, 0xc000000);
	assert_int_equal(p->clint_base, 0x2000000);
	assert_int_equal(p->test_base, 0);
	/* Hart 0, the S7, is skipped; harts 1-4, U74s, are usable, Sv39, with
	   no Sstc (so the timer goes through SBI) and their S-mode PLIC contexts
	   from interrupts-extended: 0 is the S7's M context, then M and S for
	   each U74, so hart h's S context is 2h. */
	const struct plat_cpu *s7 = platform_cpu_by_hart(p, 0);
	assert_non_null(s7->skip);
	assert_int_equal(s7->irq_ctx, -1);
	for (unsigned h = 1; h < 5; h++) {
		const struct plat_cpu *c = platform_cpu_by_hart(p, h);
		assert_null(c->skip);
		assert_int_equal(c->mmu, MMU_SV39);
		assert_int_equal(c->xlen, 64);
		assert_true((c->isa & (ISA_EXT('f') | ISA_EXT('d'))) ==
			    (ISA_EXT('f') | ISA_EXT('d')));
		assert_false(c->isa & ISA_SSTC);
		assert_int_equal(c->irq_ctx, 2 * h);
	}
	/* Any U74 may be the boot hart (OpenSBI's lottery); the S7 never is. */
	assert_int_equal(platform_assign_cores(p, 0, 128, (hartid_t)-1), PLAT_ERR_BOOT_HART);
	assert_int_equal(platform_assign_cores(p, 3, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 4);
	assert_int_equal(platform_cpu_by_hart(p, 3)->coreid, 0);
	assert_int_equal(s7->coreid, COREID_INVALID);
	/* Were the S7 enabled in the tree, it would still be skipped: no MMU. */
	int node = fdt_path_offset(fdt, "/cpus/cpu@0");
	assert_true(node >= 0);
	assert_int_equal(fdt_setprop_string(fdt, node, "status", "okay"), 0);
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	assert_string_equal(platform_cpu_by_hart(p, 0)->skip,
			    "no MMU (no S-mode CPU driver possible)");
	free(p);
	free(fdt);
}

static enum plat_err parse_edited(const char *name, int (*edit)(void *fdt))
{
	size_t size;
	void *fdt = load_dtb(name, &size);
	assert_int_equal(edit(fdt), 0);
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	enum plat_err err = platform_parse(fdt, size, p, count_warn);
	free(p);
	free(fdt);
	return err;
}

static int del_path(void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);
	return node < 0 ? node : fdt_del_node(fdt, node);
}

static int del_cpus(void *fdt)
{
	return del_path(fdt, "/cpus");
}

static int del_memory(void *fdt)
{
	return del_path(fdt, "/memory@80000000");
}

static int del_timebase(void *fdt)
{
	return fdt_delprop(fdt, fdt_path_offset(fdt, "/cpus"), "timebase-frequency");
}

static int empty_cpus(void *fdt)
{
	int node;
	while ((node = fdt_path_offset(fdt, "/cpus/cpu@0")) >= 0 ||
	       (node = fdt_path_offset(fdt, "/cpus/cpu@1")) >= 0 ||
	       (node = fdt_path_offset(fdt, "/cpus/cpu@2")) >= 0 ||
	       (node = fdt_path_offset(fdt, "/cpus/cpu@3")) >= 0)
		fdt_del_node(fdt, node);
	return 0;
}

static int bad_address_cells(void *fdt)
{
	return fdt_setprop_u32(fdt, 0, "#address-cells", 5);
}

static void test_broken_structure(void **state)
{
	(void)state;
	assert_int_equal(parse_edited("virt-smp4.dtb", del_cpus), PLAT_ERR_NO_CPUS);
	assert_int_equal(parse_edited("virt-smp4.dtb", empty_cpus), PLAT_ERR_NO_CPUS);
	assert_int_equal(parse_edited("virt-smp4.dtb", del_memory), PLAT_ERR_NO_MEMORY);
	assert_int_equal(parse_edited("virt-smp4.dtb", del_timebase), PLAT_ERR_NO_TIMEBASE);
	assert_int_equal(parse_edited("virt-smp4.dtb", bad_address_cells), PLAT_ERR_NO_MEMORY);
	assert_string_not_equal(platform_strerror(PLAT_ERR_NO_CPUS), "");
}

static void test_broken_header(void **state)
{
	(void)state;
	struct platform *p = malloc(sizeof(*p));
	size_t size;
	char *fdt = load_dtb("virt-smp4.dtb", &size);
	assert_int_equal(fdt_pack(fdt), 0);
	size_t total = fdt_totalsize(fdt);

	assert_int_equal(platform_parse(NULL, size, p, NULL), PLAT_ERR_HEADER);
	assert_int_equal(platform_parse(fdt, 0, p, NULL), PLAT_ERR_HEADER);
	/* Truncated: the blob says it is longer than what we may read. */
	assert_int_equal(platform_parse(fdt, total / 2, p, NULL), PLAT_ERR_HEADER);
	assert_int_equal(platform_parse(fdt, total - 1, p, NULL), PLAT_ERR_HEADER);
	assert_int_equal(platform_parse(fdt, total, p, NULL), PLAT_OK);
	/* Garbage. */
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	assert_int_equal(platform_parse(junk, sizeof(junk), p, NULL), PLAT_ERR_HEADER);
	/* A valid header whose structure and strings blocks are overwritten. */
	memset(fdt + fdt_off_dt_struct(fdt), 0xff, total - fdt_off_dt_struct(fdt));
	assert_int_not_equal(platform_parse(fdt, total, p, NULL), PLAT_OK);
	free(fdt);
	free(p);
}

static int cpu0_bad_props(void *fdt)
{
	int cpu = fdt_path_offset(fdt, "/cpus/cpu@0");
	int err = fdt_setprop(fdt, cpu, "riscv,isa", "rv64", 4); /* not NUL-terminated */
	cpu = fdt_path_offset(fdt, "/cpus/cpu@1");
	err |= fdt_setprop_string(fdt, cpu, "status", "disabled");
	cpu = fdt_path_offset(fdt, "/cpus/cpu@2");
	err |= fdt_setprop(fdt, cpu, "reg", "x", 1);
	cpu = fdt_path_offset(fdt, "/cpus/cpu@3");
	err |= fdt_setprop_string(fdt, cpu, "riscv,isa", "rv32imac");
	err |= fdt_setprop_string(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path",
				  "/nowhere:115200");
	return err;
}

static void test_broken_cpus(void **state)
{
	(void)state;
	size_t size;
	void *fdt = load_dtb("virt-smp4.dtb", &size);
	assert_int_equal(cpu0_bad_props(fdt), 0);
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	assert_int_equal(p->ncpus, 3); /* cpu@2's reg is unusable: ignored with a warning */
	assert_true(warnings >= 2);
	assert_int_equal(p->uart.kind, UART_NONE);
	assert_string_equal(platform_cpu_by_hart(p, 0)->skip, "no riscv,isa property");
	assert_string_equal(platform_cpu_by_hart(p, 1)->skip, "disabled in the device tree");
	assert_string_equal(platform_cpu_by_hart(p, 3)->skip, "not an RV64 hart");
	assert_int_equal(platform_assign_cores(p, 0, 8, (hartid_t)-1), PLAT_ERR_BOOT_HART);
	free(p);
	free(fdt);
}

static void test_long_bootargs(void **state)
{
	(void)state;
	size_t size;
	void *fdt = load_dtb("virt-smp1.dtb", &size);
	char args[2 * PLAT_BOOTARGS_MAX];
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = 0;
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", args),
			 0);
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	assert_int_equal(warnings, 1);
	assert_int_equal(strlen(p->bootargs), PLAT_BOOTARGS_MAX - 1);
	free(p);
	free(fdt);
}

/* Random byte corruption of a real tree: never a crash (ASan/UBSan watch). */
static void test_corruption_never_crashes(void **state)
{
	(void)state;
	size_t size;
	char *orig = load_dtb("virt-smp4.dtb", &size);
	assert_int_equal(fdt_pack(orig), 0);
	size_t total = fdt_totalsize(orig);
	struct platform *p = malloc(sizeof(*p));
	char *buf = malloc(total);
	unsigned seed = 12345, ok = 0;
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(buf, orig, total);
		int flips = 1 + iter % 8;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % total;
			buf[at] ^= (char)(1 << ((seed >> 4) % 8));
		}
		if (platform_parse(buf, total, p, NULL) == PLAT_OK) {
			ok++;
			assert_true(p->ncpus <= PLAT_MAX_HARTS);
			assert_true(p->nmem <= PLAT_MAX_MEM);
			platform_assign_cores(p, 0, 4, (hartid_t)-1);
		}
	}
	assert_true(ok > 0); /* most single flips land in values, not structure */
	free(buf);
	free(p);
	free(orig);
}

static void test_find_free(void **state)
{
	(void)state;
	struct platform *p = calloc(1, sizeof(*p));
	p->mem[0] = (struct plat_range){.base = 0x80000000, .size = 0x1000000};
	p->mem[1] = (struct plat_range){.base = 0x90000000, .size = 0x400000};
	p->nmem = 2;
	assert_int_equal(platform_reserve(p, 0x80000000, 0x80000), 0); /* firmware */
	assert_int_equal(platform_reserve(p, 0x80200000, 0x19000), 0); /* image */
	assert_int_equal(platform_find_free(p, 0, 0x1000, 0x1000), 0x80080000);
	assert_int_equal(platform_find_free(p, 0x80100000, 0x200000, 0x1000), 0x80219000);
	assert_int_equal(platform_find_free(p, 0x80219001, 0x1000, 0x1000), 0x8021a000);
	/* Too big for the first range: only the second fits. */
	assert_int_equal(platform_find_free(p, 0x80f00000, 0x100000, 0x1000), 0x80f00000);
	assert_int_equal(platform_find_free(p, 0x80f00000, 0x200000, 0x1000), 0x90000000);
	assert_int_equal(platform_find_free(p, 0, 0x2000000, 0x1000), 0);
	assert_int_equal(platform_find_free(p, 0, 0x1000, 3), 0);
	assert_int_equal(platform_find_free(p, UINT64_MAX - 10, 0x1000, 0x1000), 0);
	assert_int_equal(platform_reserve(p, UINT64_MAX, 2), -1);
	free(p);
}

/* The firmware below the image is reserved even when no node says so. */
static void test_reserve_below(void **state)
{
	(void)state;
	struct platform *p = calloc(1, sizeof(*p));
	p->mem[0] = (struct plat_range){.base = 0x80000000, .size = 0x1000000};
	p->mem[1] = (struct plat_range){.base = 0x90000000, .size = 0x400000};
	p->nmem = 2;
	assert_int_equal(platform_reserve_below(p, 0x80200000), 0);
	assert_int_equal(p->nresv, 1);
	assert_int_equal(p->resv[0].base, 0x80000000);
	assert_int_equal(p->resv[0].size, 0x200000);
	assert_int_equal(platform_find_free(p, 0, 0x1000, 0x1000), 0x80200000);
	/* At the start of a range: nothing below it to reserve. */
	assert_int_equal(platform_reserve_below(p, 0x90000000), 0);
	assert_int_equal(p->nresv, 1);
	/* In the second range: from its start only. */
	assert_int_equal(platform_reserve_below(p, 0x90100000), 0);
	assert_int_equal(p->resv[1].base, 0x90000000);
	assert_int_equal(p->resv[1].size, 0x100000);
	/* Outside every range, or just past one. */
	assert_int_equal(platform_reserve_below(p, 0x1000), -1);
	assert_int_equal(platform_reserve_below(p, 0x81000000), -1);
	free(p);
}

/* Interrupt controllers (ADR 0021): one PLIC per socket, contexts per hart. */
static void test_irqc_plic_per_socket(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-numa8.dtb");
	assert_int_equal(warnings, 0);
	assert_int_equal(p->nirqc, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(p->irqc[i].kind, IRQC_PLIC);
		assert_int_equal(p->irqc[i].ndev, 96);
		assert_int_equal(p->irqc[i].nctx, 8); /* M and S of four harts */
	}
	assert_int_equal(p->irqc[0].base, 0xc000000);
	assert_int_equal(p->irqc[1].base, 0xc600000);
	/* Each socket's PLIC has its harts' contexts: M 2i, S 2i + 1. */
	for (unsigned h = 0; h < 8; h++) {
		const struct plat_cpu *c = platform_cpu_by_hart(p, h);
		assert_int_equal(c->irqc, h / 4);
		assert_int_equal(c->irq_ctx, 2 * (h % 4) + 1);
	}
	/* QEMU wires the UART to socket 0's PLIC (its interrupt-parent). */
	assert_int_equal(p->uart.irqc, 0);
	assert_int_equal(p->uart.irq, 10);
	assert_int_equal(p->uart.sense, SENSE_LEVEL_HIGH);
	free(p);

	p = parse_ok("virt-smp4.dtb");
	assert_int_equal(p->nirqc, 1);
	assert_int_equal(p->uart.irqc, 0);
	free(p);
}

/* aia=aplic: per socket an M-level domain (the firmware's, not listed) that
   delegates every source to an S-level one; IDC i is the domain's hart i. */
static void test_irqc_aplic(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-numa4-aplic.dtb");
	assert_int_equal(warnings, 0);
	assert_int_equal(p->nirqc, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(p->irqc[i].kind, IRQC_APLIC);
		assert_int_equal(p->irqc[i].base, 0xd000000 + 0x8000 * i);
		assert_int_equal(p->irqc[i].size, 0x8000);
		assert_int_equal(p->irqc[i].ndev, 96);
		assert_int_equal(p->irqc[i].nctx, 2);
	}
	for (unsigned h = 0; h < 8; h++) {
		const struct plat_cpu *c = platform_cpu_by_hart(p, h);
		assert_int_equal(c->irqc, h / 2);
		assert_int_equal(c->irq_ctx, h % 2);
	}
	/* Two cells: source 10, IRQ_TYPE_LEVEL_HIGH. */
	assert_int_equal(p->uart.irqc, 0);
	assert_int_equal(p->uart.irq, 10);
	assert_int_equal(p->uart.sense, SENSE_LEVEL_HIGH);
	free(p);
}

static struct platform *parse_warned(void *fdt, size_t size)
{
	struct platform *p = malloc(sizeof(*p));
	warnings = 0;
	all_warnings[0] = 0;
	assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
	return p;
}

/* Malformed controller nodes: ignored with a warning, never a crash. */
static void test_irqc_malformed(void **state)
{
	(void)state;
	size_t size;
	/* interrupts-extended not (phandle, cause) pairs: the PLIC is ignored,
	   its harts have no context and the UART no controller. */
	void *fdt = load_dtb("virt-numa8.dtb", &size);
	int plic = fdt_path_offset(fdt, "/soc/plic@c000000");
	assert_true(plic >= 0);
	fdt32_t odd[3] = {cpu_to_fdt32(0x10), cpu_to_fdt32(9), cpu_to_fdt32(0x0e)};
	assert_int_equal(fdt_setprop(fdt, plic, "interrupts-extended", odd, sizeof(odd)), 0);
	struct platform *p = parse_warned(fdt, size);
	assert_int_equal(warnings, 2);
	assert_int_equal(p->nirqc, 1);
	assert_int_equal(p->irqc[0].base, 0xc600000);
	assert_int_equal(platform_cpu_by_hart(p, 0)->irqc, -1);
	assert_int_equal(platform_cpu_by_hart(p, 0)->irq_ctx, -1);
	assert_int_equal(platform_cpu_by_hart(p, 4)->irqc, 0);
	assert_int_equal(p->uart.irqc, -1);
	free(p);
	/* No riscv,ndev, then a reg too small for the contexts it lists. */
	assert_int_equal(fdt_delprop(fdt, plic, "riscv,ndev"), 0);
	p = parse_warned(fdt, size);
	assert_int_equal(p->nirqc, 1);
	assert_non_null(strstr(all_warnings, "bad number of sources, ignored: plic@c000000"));
	free(p);
	free(fdt);

	fdt = load_dtb("virt-numa4-aplic.dtb", &size);
	int aplic = fdt_path_offset(fdt, "/soc/aplic@d008000");
	assert_true(aplic >= 0);
	fdt64_t small[2] = {cpu_to_fdt64(0xd008000), cpu_to_fdt64(0x4020)};
	assert_int_equal(fdt_setprop(fdt, aplic, "reg", small, sizeof(small)), 0);
	p = parse_warned(fdt, size);
	/* IDC 0 fits in 0x4020 bytes, IDC 1 does not. */
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(all_warnings, "beyond the controller's registers"));
	assert_int_equal(p->nirqc, 4);
	assert_int_equal(platform_cpu_by_hart(p, 2)->irqc, 1);
	assert_int_equal(platform_cpu_by_hart(p, 3)->irqc, -1);
	free(p);
	aplic = fdt_path_offset(fdt, "/soc/aplic@d010000");
	assert_int_equal(fdt_delprop(fdt, aplic, "reg"), 0);
	p = parse_warned(fdt, size);
	assert_int_equal(p->nirqc, 3);
	assert_non_null(strstr(all_warnings, "without a usable reg, ignored: aplic@d010000"));
	assert_int_equal(platform_cpu_by_hart(p, 4)->irqc, -1);
	assert_int_equal(platform_cpu_by_hart(p, 6)->irqc, 2); /* indices stay dense */
	free(p);
	/* The UART's interrupt-parent names nothing; then an unknown sense. */
	int uart = fdt_path_offset(fdt, "/soc/serial@10000000");
	assert_int_equal(fdt_setprop_u32(fdt, uart, "interrupt-parent", 0x7777), 0);
	p = parse_warned(fdt, size);
	assert_int_equal(p->uart.irqc, -1);
	assert_non_null(strstr(all_warnings, "UART's interrupt controller is not one Reef drives"));
	free(p);
	aplic = fdt_path_offset(fdt, "/soc/aplic@d000000");
	assert_int_equal(
	    fdt_setprop_u32(fdt, uart, "interrupt-parent", fdt_get_phandle(fdt, aplic)), 0);
	fdt32_t cells[2] = {cpu_to_fdt32(10), cpu_to_fdt32(3)};
	assert_int_equal(fdt_setprop(fdt, uart, "interrupts", cells, sizeof(cells)), 0);
	p = parse_warned(fdt, size);
	assert_int_equal(p->uart.irqc, 0);
	assert_int_equal(p->uart.sense, SENSE_LEVEL_HIGH);
	assert_non_null(strstr(all_warnings, "UART interrupt sense unknown"));
	free(p);
	/* A source beyond the controller's. */
	cells[0] = cpu_to_fdt32(500);
	cells[1] = cpu_to_fdt32(4);
	assert_int_equal(fdt_setprop(fdt, uart, "interrupts", cells, sizeof(cells)), 0);
	p = parse_warned(fdt, size);
	assert_int_equal(p->uart.irqc, -1);
	/* (and the two controllers broken above) */
	assert_int_equal(warnings, 3);
	assert_non_null(strstr(all_warnings, "UART's interrupt controller is not one Reef drives"));
	free(p);
	free(fdt);
}

#define FD (ISA_EXT('f') | ISA_EXT('d'))

/* Harts 2 and 3 without F/D, hart 1 with Sv39 (hake/heterodtb.sh): all
   four run a CPU driver; programs get FP on harts 0 and 1 only. */
static void test_hetero(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-hetero4.dtb");
	assert_int_equal(warnings, 0);
	assert_int_equal(p->ncpus, 4);
	char isa[32];
	for (unsigned h = 0; h < 4; h++) {
		const struct plat_cpu *c = platform_cpu_by_hart(p, h);
		assert_null(c->skip);
		assert_int_equal(c->xlen, 64);
		assert_int_equal(c->mmu, h == 1 ? MMU_SV39 : MMU_SV48);
		platform_isa_str(c, isa, sizeof(isa));
		assert_string_equal(isa, h < 2 ? "rv64imafdch+sstc" : "rv64imac");
		assert_int_equal(platform_user_isa(c) & FD, h < 2 ? FD : 0);
		assert_false(platform_user_isa(c) & ISA_EXT('h'));
		assert_true(platform_user_isa(c) & ISA_EXT('c'));
		assert_int_equal(!!(c->isa & ISA_SSTC), h < 2);
	}
	assert_int_equal(platform_assign_cores(p, 3, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 4);
	free(p);
}

/* The newer binding (riscv,isa-base, riscv,isa-extensions), alone or with
   riscv,isa (merged); a malformed list is said and ignored, never a crash. */
static void test_isa_extensions(void **state)
{
	(void)state;
	struct platform *p = parse_ok("virt-isaext4.dtb");
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(last_warning, "malformed riscv,isa-extensions"));
	assert_non_null(strstr(last_warning, "cpu@3"));
	char isa[32];
	const struct plat_cpu *c = platform_cpu_by_hart(p, 0);
	assert_null(c->skip);
	assert_int_equal(c->xlen, 64);
	platform_isa_str(c, isa, sizeof(isa));
	assert_string_equal(isa, "rv64imafdc+sstc");
	assert_true(c->isa & ISA_ZICSR);
	assert_true(c->isa & ISA_ZIFENCEI);
	assert_int_equal(platform_user_isa(c) & FD, FD);
	c = platform_cpu_by_hart(p, 1);
	assert_null(c->skip);
	platform_isa_str(c, isa, sizeof(isa));
	assert_string_equal(isa, "rv64imac");
	assert_false(c->isa & ISA_SSTC);
	/* riscv,isa "rv64imac" and the list "f" "d" "v": merged; programs get
	   F and D, not V (its state is not saved). */
	c = platform_cpu_by_hart(p, 2);
	assert_null(c->skip);
	platform_isa_str(c, isa, sizeof(isa));
	assert_string_equal(isa, "rv64imafdcv");
	assert_int_equal(platform_user_isa(c) & FD, FD);
	assert_false(platform_user_isa(c) & ISA_EXT('v'));
	/* A list not NUL-terminated: riscv,isa-base alone is left. */
	c = platform_cpu_by_hart(p, 3);
	assert_string_equal(c->skip, "ISA lacks rv64imac");
	assert_int_equal(platform_assign_cores(p, 0, 128, (hartid_t)-1), PLAT_OK);
	assert_int_equal(p->ncores, 3);
	free(p);
}

/* Edits of one hart's ISA properties: each a clear default or skip reason. */
static void test_isa_broken(void **state)
{
	(void)state;
	static const struct {
		const char *prop;
		const char *val;
		int len;
		const char *skip; /* NULL: runs */
		const char *isa;
		int warns;
	} cases[] = {
	    /* riscv,isa kept (rv64imafdch...): a bad list is ignored. */
	    {"riscv,isa-extensions", "", 0, NULL, "rv64imafdch+sstc", 1},
	    {"riscv,isa-extensions", "\0f", 2, NULL, "rv64imafdch+sstc", 1},
	    {"riscv,isa-extensions", "f\0\0d", 5, NULL, "rv64imafdch+sstc", 1},
	    {"riscv,isa-extensions", "q\0zfoo\0x", 9, NULL, "rv64imafdqch+sstc", 0},
	    {"riscv,isa-base", "rv128i", 7, NULL, "rv64imafdch+sstc", 0},
	    /* riscv,isa gone too. */
	    {"-riscv,isa", NULL, 0, "no riscv,isa property", NULL, 0},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t size;
		void *fdt = load_dtb("virt-smp4.dtb", &size);
		int cpu = fdt_path_offset(fdt, "/cpus/cpu@1");
		if (cases[i].prop[0] == '-')
			assert_int_equal(fdt_delprop(fdt, cpu, cases[i].prop + 1), 0);
		else
			assert_int_equal(
			    fdt_setprop(fdt, cpu, cases[i].prop, cases[i].val, cases[i].len), 0);
		struct platform *p = malloc(sizeof(*p));
		warnings = 0;
		assert_int_equal(platform_parse(fdt, size, p, count_warn), PLAT_OK);
		const struct plat_cpu *c = platform_cpu_by_hart(p, 1);
		if (cases[i].skip) {
			assert_string_equal(c->skip, cases[i].skip);
		} else {
			char isa[32];
			assert_null(c->skip);
			platform_isa_str(c, isa, sizeof(isa));
			assert_string_equal(isa, cases[i].isa);
		}
		assert_int_equal(warnings, cases[i].warns);
		free(p);
		free(fdt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virt4),
	    cmocka_unit_test(test_virt1),
	    cmocka_unit_test(test_virt_numa),
	    cmocka_unit_test(test_virt_numa4),
	    cmocka_unit_test(test_irqc_plic_per_socket),
	    cmocka_unit_test(test_irqc_aplic),
	    cmocka_unit_test(test_irqc_malformed),
	    cmocka_unit_test(test_bad_topology),
	    cmocka_unit_test(test_core_limit),
	    cmocka_unit_test(test_sifive_u),
	    cmocka_unit_test(test_unmatched),
	    cmocka_unit_test(test_broken_structure),
	    cmocka_unit_test(test_broken_header),
	    cmocka_unit_test(test_broken_cpus),
	    cmocka_unit_test(test_long_bootargs),
	    cmocka_unit_test(test_corruption_never_crashes),
	    cmocka_unit_test(test_find_free),
	    cmocka_unit_test(test_reserve_below),
	    cmocka_unit_test(test_hetero),
	    cmocka_unit_test(test_isa_extensions),
	    cmocka_unit_test(test_isa_broken),
	};
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
