// SPDX-License-Identifier: MIT
/*
 * Build the first user domain of a core, its monitor: a cspace laid out as
 * abi/bootinfo.h says, a vspace with the "monitor" boot module's ELF
 * segments, a stack and the boot information page, and capabilities for the
 * boot modules and the UMP channel pages. On the boot core the monitor also
 * gets all free memory and the console UART; on another core, the RAM the
 * boot core set aside for it (MONITOR_RAM).
 *
 * Everything the monitor itself is made of is retyped from one RAM
 * capability the kernel keeps (init_ram), so it can never revoke the ground
 * it stands on.
 */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/elf.h>
#include <arch/csr.h>

#include "dispatch.h"
#include "initdomain.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"
#include "vspace.h"

/* Kernel-held roots of the monitor (this core's private .bss). */
static struct cte init_ram, init_l1;

struct builder {
	paddr_t mem;	   /* init_ram's base */
	uint64_t mem_size; /* and size */
	uint64_t used;	   /* bytes of init_ram handed out */
	struct cte *cn[CN_FIRST_FREE];
	unsigned base_next; /* next free slot in CN_BASE */
	unsigned page_next; /* next free slot in CN_PAGE */
	struct cte *vroot;
	struct cte *l1_tables[2]; /* VNode_L1 for user GiB 0 and 1 */
	struct cte *l0_tables[2][512];
	const char *err;
};

static struct cte *slot_of(struct cte *cn, unsigned i)
{
	uint64_t n;
	return &caps_cnode_slots(&kcb.caps, &cn->cap, &n)[i];
}

/* Retype one object from init_ram into dest. */
static bool obj(struct builder *b, enum objtype type, uint64_t size, struct cte *dest)
{
	uint64_t align = size >= 4096 ? size : 4096;
	if (type == OBJ_FRAME || type == OBJ_VNODE_L2 || type == OBJ_VNODE_L1 ||
	    type == OBJ_VNODE_L0)
		align = 4096;
	uint64_t off = (b->used + align - 1) & ~(align - 1);
	if (caps_retype(&kcb.caps, &init_ram, type, off, size, 1, dest)) {
		b->err = "out of build memory or slots";
		return false;
	}
	capsys_retype_init(dest, 1);
	b->used = off + size;
	return true;
}

static struct cte *table(struct builder *b, enum objtype type)
{
	if (b->page_next >= CSPACE_L2_SLOTS) {
		b->err = "too many page tables";
		return NULL;
	}
	struct cte *t = slot_of(b->cn[CN_PAGE], b->page_next++);
	return obj(b, type, OBJSIZE_VNODE, t) ? t : NULL;
}

/* The L0 table covering va, made (and hooked up) on first use. */
static struct cte *l0_for(struct builder *b, vaddr_t va)
{
	unsigned g = (unsigned)(va >> 30), m = (va >> 21) & 511;
	if (g >= 2) {
		b->err = "address beyond 2 GiB";
		return NULL;
	}
	if (!b->l1_tables[g]) {
		b->l1_tables[g] = table(b, OBJ_VNODE_L1);
		if (!b->l1_tables[g] || vspace_map(b->vroot, g, b->l1_tables[g], 0, 0, 1))
			return NULL;
	}
	if (!b->l0_tables[g][m]) {
		b->l0_tables[g][m] = table(b, OBJ_VNODE_L0);
		if (!b->l0_tables[g][m] ||
		    vspace_map(b->l1_tables[g], m, b->l0_tables[g][m], 0, 0, 1))
			return NULL;
	}
	return b->l0_tables[g][m];
}

/* A zeroed frame for [va, va + len) (page aligned, inside one 2 MiB block), mapped. */
static struct cte *map_chunk(struct builder *b, vaddr_t va, uint64_t len, uint64_t rights)
{
	if (b->base_next >= CSPACE_L2_SLOTS) {
		b->err = "too many frames";
		return NULL;
	}
	struct cte *f = slot_of(b->cn[CN_BASE], b->base_next++);
	struct cte *l0 = l0_for(b, va);
	if (!l0 || !obj(b, OBJ_FRAME, len, f))
		return NULL;
	if (vspace_map(l0, (va >> 12) & 511, f, rights, 0, len / 4096)) {
		b->err = "mapping failed";
		return NULL;
	}
	return f;
}

/* Map [va, va + memsz), the first filesz bytes from src, in frames split at 2 MiB. */
static bool map_region(struct builder *b, vaddr_t va, uint64_t memsz, const uint8_t *src,
		       uint64_t filesz, uint64_t rights)
{
	vaddr_t end = (va + memsz + 4095) & ~4095ul;
	for (vaddr_t p = va & ~4095ul; p < end;) {
		vaddr_t stop = ((p >> 21) + 1) << 21;
		if (stop > end)
			stop = end;
		struct cte *f = map_chunk(b, p, stop - p, rights);
		if (!f)
			return false;
		vaddr_t lo = p > va ? p : va, hi = va + filesz < stop ? va + filesz : stop;
		if (hi > lo)
			memcpy((uint8_t *)pa2kva(f->cap.base) + (lo - p), src + (lo - va), hi - lo);
		p = stop;
	}
	return true;
}

static bool load_elf(struct builder *b, const uint8_t *elf, uint64_t size, vaddr_t *entry)
{
	const struct elf64_ehdr *eh = (const void *)elf;
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != 2 ||
	    eh->ident[5] != 1 || eh->machine != EM_RISCV || eh->type != ET_EXEC ||
	    eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
	    eh->phnum > (size - eh->phoff) / sizeof(struct elf64_phdr)) {
		b->err = "not a RISC-V ELF executable";
		return false;
	}
	const struct elf64_phdr *ph = (const void *)(elf + eh->phoff);
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type != PT_LOAD || p->memsz == 0)
			continue;
		if (p->offset > size || p->filesz > size - p->offset || p->filesz > p->memsz ||
		    p->vaddr >= USER_TOP || p->memsz > USER_TOP - p->vaddr) {
			b->err = "bad ELF segment";
			return false;
		}
		uint64_t rights = ((p->flags & PF_R) ? CAP_RIGHT_READ : 0) |
				  ((p->flags & PF_W) ? CAP_RIGHT_WRITE : 0) |
				  ((p->flags & PF_X) ? CAP_RIGHT_EXECUTE : 0);
		if (!map_region(b, p->vaddr, p->memsz, elf + p->offset, p->filesz,
				rights | CAP_RIGHT_READ))
			return false;
	}
	*entry = eh->entry;
	return true;
}

static const struct boot_module *find_module(const char *name)
{
	for (unsigned i = 0; i < boot_module_count; i++)
		if (!strcmp(boot_modules[i].name, name))
			return &boot_modules[i];
	return NULL;
}

/* The node of the memory range holding pa (ADR 0022); 0 if none does. */
static uint32_t node_of(const struct bootinfo *bi, paddr_t pa)
{
	for (unsigned i = 0; i < bi->nranges; i++)
		if (pa >= bi->ranges[i].base && pa - bi->ranges[i].base < bi->ranges[i].size)
			return bi->ranges[i].node;
	return 0;
}

static void give_ram(struct builder *b, struct bootinfo *bi, paddr_t base, uint64_t size)
{
	capsys_forge(slot_of(b->cn[CN_MEM], bi->nmem), OBJ_RAM, base, size, CAP_RIGHTS_ALL);
	bi->mem[bi->nmem].base = base;
	bi->mem[bi->nmem].size = size;
	bi->mem[bi->nmem].node = node_of(bi, base); /* a free range is inside one range */
	bi->mem_total += size;
	bi->nmem++;
}

/* RAM capabilities for every free range, and their description. */
static void give_memory(struct builder *b, struct platform *plat, struct bootinfo *bi)
{
	paddr_t from = 0, base;
	uint64_t size;
	while (bi->nmem < BOOTINFO_MAX_MEM && platform_free_range(plat, from, &base, &size)) {
		give_ram(b, bi, base, size);
		from = base + size;
	}
}

static void give_modules(struct builder *b, struct bootinfo *bi)
{
	for (unsigned i = 0; i < boot_module_count && i < BOOTINFO_MAX_MODULES; i++) {
		const struct boot_module *m = &boot_modules[i];
		uint64_t size = (m->size + 4095) & ~4095ul;
		capsys_forge(slot_of(b->cn[CN_MODULE], i), OBJ_FRAME, image_sym_pa(m->data), size,
			     CAP_RIGHT_READ | CAP_RIGHT_GRANT);
		strncpy(bi->modules[i].name, m->name, sizeof(bi->modules[i].name) - 1);
		bi->modules[i].size = m->size;
		bi->nmodules++;
	}
}

static void give_devices(struct builder *b, const struct platform *plat, struct bootinfo *bi)
{
	if (plat->uart.kind == UART_NONE)
		return;
	capsys_forge(slot_of(b->cn[CN_DEV], DEV_UART), OBJ_DEVFRAME, plat->uart.base & ~4095ul,
		     4096, CAP_RIGHTS_ALL);
	/* A UART whose controller Reef does not drive still gets its IRQ
	   capability, naming no controller: IRQ_CONNECT says why it fails. */
	int32_t ctrl = plat->uart.irqc >= 0 ? plat->uart.irqc : PLAT_MAX_IRQC;
	capsys_forge(slot_of(b->cn[CN_DEV], DEV_UART_IRQ), OBJ_IRQ, IRQ_NUM(ctrl, plat->uart.irq),
		     1, CAP_RIGHTS_ALL);
	bi->uart_kind = plat->uart.kind;
	bi->uart_base = plat->uart.base;
	bi->uart_irq = plat->uart.irq;
	bi->uart_reg_shift = plat->uart.reg_shift;
	bi->timebase = (uint32_t)plat->timebase_hz;
}

/* The UMP channel pages, shared with other cores (see abi/bootinfo.h CN_CHAN). */
static void give_chans(struct builder *b, const paddr_t *chans)
{
	for (unsigned i = 0; chans && i < CONFIG_MAX_CORES && i < CSPACE_L2_SLOTS; i++)
		if (chans[i])
			capsys_forge(slot_of(b->cn[CN_CHAN], i), OBJ_FRAME, chans[i], PAGE_SIZE,
				     CAP_RIGHT_READ | CAP_RIGHT_WRITE);
}

static void fill_bootinfo(struct bootinfo *bi, const struct platform *plat)
{
	const struct core_user *u = &kcb.user;
	bi->magic = BOOTINFO_MAGIC;
	bi->coreid = kcb.conf.coreid;
	bi->counters = (uint32_t)csr_read(scounteren);
	bi->ncores = u->ncores < BOOTINFO_MAX_CORES ? u->ncores : BOOTINFO_MAX_CORES;
	strncpy(bi->bootargs, u->bootargs, sizeof(bi->bootargs) - 1);
	for (unsigned k = 0; k < bi->ncores; k++) {
		bi->cores[k].hartid = u->harts[k];
		bi->cores[k].online = u->online[k];
		bi->cores[k].node = u->node[k];
		bi->cores[k].cluster = u->cluster[k];
		bi->cores[k].isa_user = u->isa_user[k];
		bi->cores[k].mmu = u->mmu[k];
	}
	_Static_assert(BOOTINFO_MAX_NODES == PLAT_MAX_NODES, "node tables alike");
	_Static_assert(BOOTINFO_MAX_RANGES >= PLAT_MAX_MEM, "every memory range fits");
	bi->nnodes = u->nnodes ? u->nnodes : 1;
	bi->nranges = u->nranges;
	for (unsigned i = 0; i < u->nranges && i < PLAT_MAX_MEM; i++)
		bi->ranges[i] = (struct bootinfo_range){.base = u->ranges[i].base,
							.size = u->ranges[i].size,
							.node = u->ranges[i].node};
	memcpy(bi->distance, u->distance, sizeof(bi->distance));
	for (unsigned i = 0; plat && i < plat->ncpus; i++) {
		const struct plat_cpu *c = &plat->cpus[i];
		if (c->coreid < bi->ncores)
			platform_isa_str(c, bi->cores[c->coreid].isa,
					 sizeof(bi->cores[c->coreid].isa));
	}
}

static bool build_cspace(struct builder *b)
{
	capsys_forge(&init_ram, OBJ_RAM, b->mem, b->mem_size, CAP_RIGHTS_ALL);
	if (!obj(b, OBJ_L1CNODE, OBJSIZE_L2CNODE, &init_l1))
		return false;
	for (unsigned i = 0; i < CN_FIRST_FREE; i++) {
		b->cn[i] = slot_of(&init_l1, i);
		if (!obj(b, OBJ_L2CNODE, OBJSIZE_L2CNODE, b->cn[i]))
			return false;
	}
	struct cte *task = b->cn[CN_TASK];
	b->vroot = slot_of(task, TASK_VROOT);
	return obj(b, OBJ_DISPATCHER, OBJSIZE_DISPATCHER, slot_of(task, TASK_DISP)) &&
	       !caps_copy(&kcb.caps, slot_of(task, TASK_ROOTCN), &init_l1, CAP_RIGHTS_ALL, 0) &&
	       obj(b, OBJ_VNODE_L2, OBJSIZE_VNODE, b->vroot) &&
	       !caps_retype(&kcb.caps, slot_of(task, TASK_DISP), OBJ_ENDPOINT, 0, 0, 1,
			    slot_of(task, TASK_EP));
}

struct dcb *initdomain_create(const struct domain_spec *spec)
{
	static struct builder b; /* big (the L0 table index): keep it off the stack */
	memset(&b, 0, sizeof(b));
	const struct boot_module *m = find_module(MONITOR_MODULE);
	if (!m) {
		kprintf("core %u: no '" MONITOR_MODULE "' boot module; no user space\n",
			kcb.conf.coreid);
		return NULL;
	}
	b.mem = spec->build;
	b.mem_size = spec->build_size;
	vaddr_t entry = 0;
	bool ok = build_cspace(&b) && load_elf(&b, m->data, m->size, &entry) &&
		  map_region(&b, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, NULL, 0,
			     CAP_RIGHT_READ | CAP_RIGHT_WRITE) &&
		  map_region(&b, BOOTINFO_VADDR, BOOTINFO_SIZE, NULL, 0, CAP_RIGHT_READ);
	if (!ok) {
		kprintf("core %u: cannot build the monitor: %s\n", kcb.conf.coreid,
			b.err ? b.err : "capability error");
		return NULL;
	}
	/* The boot information frame is the last one mapped. */
	struct cte *bif = slot_of(b.cn[CN_BASE], b.base_next - 1);
	caps_copy(&kcb.caps, slot_of(b.cn[CN_TASK], TASK_BOOTINFO), bif, CAP_RIGHTS_ALL, 0);
	struct bootinfo *bi = pa2kva(bif->cap.base);
	capsys_forge(slot_of(b.cn[CN_TASK], TASK_KERNEL), OBJ_KERNEL, 0, 1, CAP_RIGHTS_ALL);
	fill_bootinfo(bi, spec->plat);
	give_modules(&b, bi);
	give_chans(&b, spec->chans);
	if (spec->plat) {
		give_devices(&b, spec->plat, bi);
		give_memory(&b, spec->plat, bi);
	} else if (spec->ram_size) {
		give_ram(&b, bi, spec->ram, spec->ram_size);
	}

	struct dcb *d = dcb_of(&slot_of(b.cn[CN_TASK], TASK_DISP)->cap);
	caps_copy(&kcb.caps, &d->cspace, &init_l1, CAP_RIGHTS_ALL, 0);
	d->cspace.cap.flags |= CAPF_DCB_ROOT;
	caps_copy(&kcb.caps, &d->vspace, b.vroot, CAP_RIGHTS_ALL, 0);
	d->vspace.cap.flags |= CAPF_DCB_ROOT;
	d->regs.sepc = entry;
	d->regs.x[2] = USER_STACK_TOP;
	d->regs.x[10] = BOOTINFO_VADDR;
	d->recv_slot = CAPADDR(CN_TASK, TASK_RECV);
	d->recv_slot_set = 1;
	d->setup = 1;
	d->con_plain = 1; /* a monitor's lines say whose they are (ADR 0013) */
	dispatch_make_runnable(d);
	if (spec->plat)
		kprintf("reef: monitor 0 built: %lu KiB used, %u RAM ranges (%lu MiB) given\n",
			b.used >> 10, bi->nmem, bi->mem_total >> 20);
	return d;
}
