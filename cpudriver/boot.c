// SPDX-License-Identifier: MIT
/*
 * The boot core: parse the device tree, build its own page table, then run
 * the boot policy: start every usable hart as a core with core_start() and
 * wait, with a bound, for each to report in by mailbox + IPI. The policy is
 * kept apart from the mechanism so the monitor can take it over later.
 */
#include <libfdt.h>
#include <string.h>

#include <arch/asm.h>
#include <arch/csr.h>
#include <arch/kpt.h>
#include <arch/sbi.h>

#include "bootargs.h"
#include "core.h"
#include "corectl.h"
#include "dispatch.h"
#include "irq.h"
#include "initdomain.h"
#include "kernel.h"
#include "kprintf.h"
#include "physmap.h"

/* Boot-core state; every other core has a zeroed, unused copy of these. */
static struct platform plat;
static struct bootargs args;

/* The physmap's page tables (ADR 0020): in the image, so the boot core can
   write them before its own page table is on. */
static uint64_t physmap_tables[PHYSMAP_TABLES_MAX][512]
    __attribute__((section(".ptables"), aligned(PAGE_SIZE)));
static unsigned physmap_used;
static bool physmap_on; /* our own page table, with the devices, is on */

void __attribute__((noreturn)) kernel_poweroff(unsigned code)
{
	if (plat.test_base && physmap_on) {
		/* sifive,test0: 0x5555 = pass, (code << 16) | 0x3333 = fail with code. */
		volatile uint32_t *test = pa2kva(plat.test_base);
		*test = code ? (code << 16) | 0x3333 : 0x5555;
	}
	sbi_system_reset(SBI_SRST_SHUTDOWN, code ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	/* sifive_u has no shutdown device: QEMU -no-reboot turns a reboot into an exit. */
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
	kprintf("reef: power off failed; stopping\n");
	core_stop();
}

static void __attribute__((noreturn)) boot_fatal(const char *what, const char *why)
{
	kprintf("reef: fatal: %s: %s\n", what, why);
	kernel_poweroff(1);
}

static void plat_warn(const char *msg, const char *detail)
{
	kprintf("reef: device tree: %s %s\n", msg, detail);
}

static void bootarg_warn(const char *problem, const char *word, size_t len)
{
	char w[64];
	size_t n = len < sizeof(w) - 1 ? len : sizeof(w) - 1;
	memcpy(w, word, n);
	w[n] = 0;
	kprintf("reef: bootargs: %s: '%s'\n", problem, w);
}

static void boot_parse(paddr_t dtb_pa)
{
	if (dtb_pa == 0 || dtb_pa >= PHYSMAP_SIZE)
		boot_fatal("device tree", "address outside the physmap");
	/* entry.S mapped it up to FDT_MAX_SIZE, within its GiB. */
	uint64_t size = ((dtb_pa | (GIB - 1)) + 1) - dtb_pa;
	const void *fdt = pa2kva(dtb_pa);
	enum plat_err err =
	    platform_parse(fdt, size < FDT_MAX_SIZE ? size : FDT_MAX_SIZE, &plat, plat_warn);
	if (err)
		boot_fatal("device tree", platform_strerror(err));
	bootargs_parse(plat.bootargs, &args, bootarg_warn);

	unsigned max = CONFIG_MAX_CORES;
	if (args.maxcores && args.maxcores < max)
		max = args.maxcores;
	else if (args.maxcores > max)
		kprintf("reef: maxcores=%u exceeds CONFIG_MAX_CORES, using %u\n", args.maxcores,
			max);
	err = platform_assign_cores(&plat, kcb.conf.hartid, max, args.forcehart);
	if (err)
		boot_fatal("boot hart", platform_strerror(err));
	for (unsigned i = 0; i < plat.ncpus; i++) {
		const struct plat_cpu *c = &plat.cpus[i];
		if (c->skip && !strcmp(c->skip, PLAT_SKIP_LIMIT))
			kprintf("hart %u skipped: %s (%u)\n", c->hartid, c->skip, max);
		else if (c->skip)
			kprintf("hart %u skipped: %s\n", c->hartid, c->skip);
	}
	/* The image (bss included), the firmware below it and the DTB are not
	   free memory. */
	unsigned before = plat.nresv;
	if (platform_reserve_below(&plat, kcb.conf.image_pa))
		boot_fatal("memory", "the image is in no memory range, or too many reserved");
	if (plat.nresv > before)
		kprintf("reef: memory below the image reserved (firmware): [%#lx, %#lx)\n",
			plat.resv[before].base, plat.resv[before].base + plat.resv[before].size);
	platform_reserve(&plat, kcb.conf.image_pa, (uint64_t)(__image_end - __image_start));
	platform_reserve(&plat, dtb_pa, fdt_totalsize(fdt));
}

static uint64_t *physmap_table(void *ctx, paddr_t *pa)
{
	(void)ctx;
	if (physmap_used == PHYSMAP_TABLES_MAX)
		return NULL;
	uint64_t *t = physmap_tables[physmap_used++];
	memset(t, 0, PAGE_SIZE);
	*pa = image_sym_pa(t);
	return t;
}

static uint64_t *physmap_kva(void *ctx, paddr_t pa)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)((uintptr_t)__image_start + (pa - kcb.conf.image_pa));
}

static void boot_own_page_table(void)
{
	paddr_t end = platform_mem_end(&plat);
	end = (end + GIB - 1) & ~(GIB - 1);
	if (end > PHYSMAP_SIZE) {
		kprintf("reef: memory above %lu GiB is not mapped\n", PHYSMAP_SIZE / GIB);
		end = PHYSMAP_SIZE;
	}
	kcb.conf.physmap_end = end;
	paddr_t pt_pa = kcb.priv_pa + (paddr_t)((char *)&kpt - __priv_start);
	uint64_t satp = kpt_build(&kpt, pt_pa, kcb.conf.image_pa, kcb.priv_pa, NULL, false);
	const struct physmap_alloc a = {physmap_table, physmap_kva, NULL};
	enum physmap_err err = physmap_build(kpt.root, &plat, kcb.conf.image_pa, &a);
	if (err == PHYSMAP_NO_TABLES)
		boot_fatal("physmap", "needs more than PHYSMAP_TABLES_MAX page tables");
	if (err)
		boot_fatal("physmap", "memory and devices overlap in the device tree");
	csr_write(satp, satp);
	arch_tlb_flush_all();
	physmap_on = true;
}

/* The facts every core's monitor gets: core id -> hart id, boot arguments. */
static void boot_user_facts(void)
{
	struct core_user *u = &kcb.user;
	u->ncores = plat.ncores;
	for (unsigned i = 0; i < plat.ncpus; i++)
		if (plat.cpus[i].coreid != COREID_INVALID) {
			u->harts[plat.cpus[i].coreid] = plat.cpus[i].hartid;
			u->node[plat.cpus[i].coreid] = plat.cpus[i].node;
			u->cluster[plat.cpus[i].coreid] = plat.cpus[i].cluster;
			u->isa_user[plat.cpus[i].coreid] = platform_user_isa(&plat.cpus[i]);
			u->mmu[plat.cpus[i].coreid] = plat.cpus[i].mmu;
		}
	strncpy(u->bootargs, plat.bootargs, sizeof(u->bootargs) - 1);
	u->nnodes = plat.nnodes;
	u->nranges = plat.nmem;
	memcpy(u->ranges, plat.mem, sizeof(u->ranges));
	memcpy(u->distance, plat.distance, sizeof(u->distance));
}

/*
 * How each core the platform assigned will be started, when monitor 0 asks
 * (KERNEL_CORE_START, ADR 0005): its hart, ISA and the test hooks.
 */
static void boot_prepare_cores(void)
{
	for (unsigned i = 0; i < plat.ncpus; i++) {
		const struct plat_cpu *c = &plat.cpus[i];
		if (c->coreid == COREID_INVALID || c->coreid == 0)
			continue;
		struct kconf conf = kcb.conf;
		conf.coreid = c->coreid;
		conf.hartid = c->hartid;
		conf.isa = c->isa;
		conf.irq = irq_conf_of(&plat, c);
		conf.test_hook = c->coreid == args.crashcore  ? HOOK_CRASH
				 : c->coreid == args.stopcore ? HOOK_STOP_ONCE
							      : HOOK_NONE;
		corectl_prepare(&conf);
	}
}

/* Monitor 0's build memory: on the boot hart's NUMA node when it has room
   there (ADR 0022), else the lowest free. */
static paddr_t boot_monitor_mem(unsigned node)
{
	for (unsigned i = 0; i < plat.nmem; i++) {
		const struct plat_range *r = &plat.mem[i];
		paddr_t pa =
		    r->node == node ? platform_find_free(&plat, r->base, INIT_MEM, INIT_MEM) : 0;
		if (pa && pa >= r->base && pa - r->base + INIT_MEM <= r->size)
			return pa;
	}
	return platform_find_free(&plat, 0, INIT_MEM, INIT_MEM);
}

/* Build monitor 0 from reserved memory; it gets everything that is left. */
static bool boot_monitor(unsigned node)
{
	struct domain_spec spec = {.plat = &plat, .build_size = INIT_MEM};
	spec.build = boot_monitor_mem(node);
	if (!spec.build || platform_reserve(&plat, spec.build, INIT_MEM)) {
		kprintf("reef: no memory for monitor 0\n");
		return false;
	}
	return initdomain_create(&spec) != NULL;
}

/* Called from entry.S on the boot hart, on the early page table. */
void __attribute__((noreturn)) boot_main(hartid_t hartid, paddr_t dtb_pa, paddr_t image_pa)
{
	kcb.conf.hartid = hartid;
	kcb.conf.boot_hart = hartid;
	kcb.conf.coreid = 0;
	kcb.conf.image_pa = image_pa;
	kcb.priv_pa = image_sym_pa(__priv_start);
	trap_init();
	icache_sync(); /* (entry.S did, before its first fetch; counted) */
	kprintf("\nreef: CPU driver on hart %u, image at %#lx, device tree at %#lx\n", hartid,
		image_pa, dtb_pa);

	boot_parse(dtb_pa);
	const struct plat_cpu *me = platform_cpu_by_hart(&plat, hartid);
	kcb.conf.timebase_hz = plat.timebase_hz;
	kcb.conf.isa = me->isa;
	kcb.conf.uart = plat.uart;
	kcb.conf.ncores_max = plat.ncores;
	boot_own_page_table();
	capsys_init();
	console_init(&plat.uart);
	kcb.conf.irq = irq_conf_of(&plat, me);
	irq_init();
	const char *why = irq_relays(&plat, args.irqrelay);
	if (why)
		kprintf("reef: irqrelay=%u ignored: %s\n", args.irqrelay, why);
	timer_init();
	uint64_t ram = 0;
	for (unsigned i = 0; i < plat.nmem; i++)
		ram += plat.mem[i].size;
	kprintf("reef: %s, %u harts, %lu MiB RAM, timebase %lu Hz, bootargs '%s'\n",
		plat.model[0] ? plat.model : "unknown machine", plat.ncpus, ram >> 20,
		plat.timebase_hz, plat.bootargs);
	core_report_online();

	boot_user_facts();
	kcb.user.online[0] = 1;
	boot_prepare_cores();
	/* Monitor 0 starts the other cores, and powers off for "poweroff" once
	   their monitors have joined. */
	if (boot_monitor(me->node))
		dispatch_schedule();
	if (args.poweroff)
		kernel_poweroff(1);
	core_idle();
}
