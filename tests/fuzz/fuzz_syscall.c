// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the CPU driver's system-call and invocation decoder,
 * and its rule (syscall.c): every register from user space is checked and
 * answered with an error from lib/abi's list; never a panic, hang or leak.
 *
 * Real, compiled unmodified: cpudriver/syscall.c, capsys.c, vspace.c,
 * dispatch.c, irq.c, console.c, kprintf.c, arch/riscv/trap.c (trap_user, the
 * entry from user mode) and lib/caps. Physical memory is a 32 MiB arena
 * between inaccessible guard pages: kernel.h's pa2kva() wraps around into
 * it (host address H is physical address H - PHYSMAP_BASE); a second
 * mapping stands for the PLIC's registers.
 *
 * The machine (setup()): the calls initdomain.c makes build, from a RAM
 * capability only the kernel holds, an init domain laid out as
 * abi/bootinfo.h says, smaller: an L1 CNode with the CN_* L2 CNodes; CN_TASK
 * with its Dispatcher, L1 CNode copy, VNode_L2, an Endpoint to itself, the
 * Kernel capability, the boot-information frame; CN_PAGE with a VNode_L1
 * and a VNode_L0 mapping that frame (read-only) and a data frame (read-
 * write) in CN_BASE, next to an unmapped frame; CN_MEM with two RAM
 * capabilities; CN_MODULE with a read-only module frame; CN_DEV with the
 * UART's DevFrame and IRQ. And a child, as init would spawn one, runnable,
 * with its own cspace: in init's CN_SLOT0, slot 0 its Dispatcher, 1 its L1
 * CNode, 2 its VNode_L2, 3 an Endpoint to it; in the child's CN_TASK (its
 * L1 slot 0) copies of its Dispatcher, L1 CNode, VNode_L2 and an Endpoint
 * to init badged CHILD_BADGE. All of it comes from one PhysAddr capability
 * over the arena that only the harness holds. setup() runs once; each input
 * starts from a byte-for-byte copy of its result (see snapshot_take()).
 *
 * An input is a sequence of kernel entries: mostly ecalls with a0-a7 from
 * the input (value(): biased toward capability addresses, commands, sizes
 * and addresses that mean something here, but any 64-bit value too), timer
 * ticks (preemption, receive timeouts), notification IPIs and user faults,
 * each taken by whatever dispatcher the kernel last resumed; while nothing
 * is runnable, a tick or an IPI ends the idle loop's WFI. After each entry:
 *   - the caller's a0 is ERR_OK or a kernel error (0-999) of lib/abi's list,
 *     unless it exited, blocked or powered off (only KERNEL_POWEROFF may);
 *   - caps_check_invariants() holds;
 *   - every CTE in the database lies in a live CNode or Dispatcher object;
 *   - page tables and mapped capabilities agree both ways, every mapped
 *     page lies inside its capability, no user page is a CNode, VNode or
 *     Dispatcher, and the kernel half of every root table is intact;
 *   - dispatcher states are consistent: running or blocked ones are set up,
 *     set-up ones have live (non-zombie) cspace and vspace roots, the run
 *     and sleep queues hold exactly the runnable and sleeping live ones;
 *   - every bound notification slot holds the kernel's endpoint copy of a
 *     live dispatcher, only bound slots are pending, and every Notify
 *     capability names a slot and a generation its core issued;
 *   - the dispatcher resumed is the current one, runnable, with a vspace.
 * At the end all memory is revoked from the PhysAddr root: the database
 * must be empty again, with no zombie, no queued dispatcher and no bound
 * notification slot (no leak).
 *
 * Stubbed (tests/fuzz/host): leaving the kernel (sret, WFI, power-off)
 * jumps back to host_enter()'s caller; CSRs, the SBI console and IPIs, the
 * timer and core bring-up are stand-ins (stubs.c, arch/csr.h). Interrupts
 * from the PLIC are not modelled (IRQ_CONNECT and IRQ_ACK are, on plain
 * memory for its registers). A kernel bug aborts with "KERNEL BUG:" and
 * why; REEF_FUZZ_VERBOSE=1 traces every entry and echoes the console.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <abi/bootinfo.h>
#include <abi/errors.h>
#include <abi/invocations.h>
#include <abi/syscalls.h>
#include <arch/csr.h>
#include <arch/kpt.h>

#include "corectl.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "vspace.h"

#include "host.h"
#include "fuzz_input.h"

/* arch/riscv/trap.c: the kernel entry from user mode. */
void __attribute__((noreturn)) trap_user(struct trap_frame *tf);

#define ARENA_SIZE   (32ul << 20)
#define ARENA_GUARD  (2ul << 20)
#define ARENA_PAGES  (ARENA_SIZE / 4096)
#define INIT_RAM     0 /* offsets in the arena */
#define INIT_RAM_SZ  (1ul << 20)
#define MEM0	     (4ul << 20)
#define MEM0_SZ	     (4ul << 20)
#define MEM1	     (12ul << 20)
#define MEM1_SZ	     (256ul << 10)
#define MODULE	     (16ul << 20)
#define MODULE_SZ    8192ul
#define UART	     (20ul << 20)
#define PLIC_SIZE    (4ul << 20)
#define PLIC_NDEV    95
#define PLIC_CTX     1
#define UART_IRQ     10
#define DATA_VADDR   (BOOTINFO_VADDR + 0x8000)
#define CHILD_BADGE  0x42
#define MAX_STEPS    256
#define REVOKE_LOOPS 4096

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)

static uint8_t *arena, *plic;
static paddr_t arena_pa;
static struct cte phys_root, init_ram, init_l1; /* held by the kernel (the harness) */
static uint64_t init_used;

static paddr_t pa_of(const void *p)
{
	return (paddr_t)(uintptr_t)p - PHYSMAP_BASE;
}

static bool in_arena(paddr_t pa)
{
	return pa - arena_pa < ARENA_SIZE;
}

static void *guarded_map(size_t size, size_t align)
{
	size_t span = size + 2 * ARENA_GUARD + align;
	uint8_t *p =
	    mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		abort();
	uintptr_t a = ((uintptr_t)p + ARENA_GUARD + align - 1) & ~(uintptr_t)(align - 1);
	if (mprotect((void *)a, size, PROT_READ | PROT_WRITE))
		abort();
	return (void *)a;
}

/* ---- building the domains (as initdomain.c does) ---- */

static void must(errval_t err, const char *what)
{
	if (err)
		host_panic("setup: %s: %s", what, err_str(err));
}

static struct cte *slot(struct cte *cn, unsigned i)
{
	uint64_t n;
	struct cte *s = caps_cnode_slots(&kcb.caps, &cn->cap, &n);
	if (i >= n)
		host_panic("setup: slot %u of %lu", i, (unsigned long)n);
	return &s[i];
}

static struct cte *obj(enum objtype type, uint64_t size, struct cte *dest)
{
	uint64_t align = size >= 4096 ? size : 4096;
	if (type == OBJ_FRAME || type == OBJ_VNODE_L2 || type == OBJ_VNODE_L1 ||
	    type == OBJ_VNODE_L0)
		align = 4096;
	uint64_t off = (init_used + align - 1) & ~(align - 1);
	must(caps_retype(&kcb.caps, &init_ram, type, off, size, 1, dest), caps_type_name(type));
	capsys_retype_init(dest, 1);
	init_used = off + size;
	return dest;
}

static void set_roots(struct dcb *d, struct cte *cspace, struct cte *vspace)
{
	must(caps_copy(&kcb.caps, &d->cspace, cspace, CAP_RIGHTS_ALL, 0), "cspace root");
	d->cspace.cap.flags |= CAPF_DCB_ROOT;
	must(caps_copy(&kcb.caps, &d->vspace, vspace, CAP_RIGHTS_ALL, 0), "vspace root");
	d->vspace.cap.flags |= CAPF_DCB_ROOT;
	d->setup = 1;
}

static void setup(void)
{
	memset(&kcb, 0, sizeof(kcb));
	kcb.user.ncores = 2; /* KERNEL_NOTIFY can reach core 1 (nothing is sent) */
	kcb.user.harts[1] = 1;
	kcb.conf.physmap_end = arena_pa + ARENA_SIZE;
	capsys_init();
	struct kconf core1 = kcb.conf; /* KERNEL_CORE_START may try core 1 */
	core1.coreid = 1;
	core1.hartid = 1;
	corectl_prepare(&core1);
	kcb.conf.irq = (struct irq_conf){
	    .kind = IRQC_PLIC, .ndev = PLIC_NDEV, .ctx = PLIC_CTX, .base = pa_of(plic)};
	irq_init();
	memset(&phys_root, 0, sizeof(phys_root));
	memset(&init_ram, 0, sizeof(init_ram));
	memset(&init_l1, 0, sizeof(init_l1));
	init_used = 0;

	capsys_forge(&phys_root, OBJ_PHYSADDR, arena_pa, ARENA_SIZE, CAP_RIGHTS_ALL);
	must(caps_retype(&kcb.caps, &phys_root, OBJ_RAM, INIT_RAM, INIT_RAM_SZ, 1, &init_ram),
	     "init RAM");
	obj(OBJ_L1CNODE, OBJSIZE_L2CNODE, &init_l1);
	struct cte *cn[CN_FIRST_FREE];
	for (unsigned i = 0; i < CN_FIRST_FREE; i++)
		cn[i] = obj(OBJ_L2CNODE, OBJSIZE_L2CNODE, slot(&init_l1, i));

	struct cte *task = cn[CN_TASK], *page = cn[CN_PAGE], *base = cn[CN_BASE];
	struct cte *disp = obj(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, slot(task, TASK_DISP));
	must(caps_copy(&kcb.caps, slot(task, TASK_ROOTCN), &init_l1, CAP_RIGHTS_ALL, 0), "rootcn");
	struct cte *vroot = obj(OBJ_VNODE_L2, OBJSIZE_VNODE, slot(task, TASK_VROOT));
	must(caps_retype(&kcb.caps, disp, OBJ_ENDPOINT, 0, 0, 1, slot(task, TASK_EP)), "ep");
	capsys_forge(slot(task, TASK_KERNEL), OBJ_KERNEL, 0, 1, CAP_RIGHTS_ALL);

	struct cte *l1 = obj(OBJ_VNODE_L1, OBJSIZE_VNODE, slot(page, 0));
	struct cte *l0 = obj(OBJ_VNODE_L0, OBJSIZE_VNODE, slot(page, 1));
	must(vspace_map(vroot, BOOTINFO_VADDR >> 30, l1, 0, 0, 1), "map L1");
	must(vspace_map(l1, (BOOTINFO_VADDR >> 21) & 511, l0, 0, 0, 1), "map L0");
	struct cte *bif = obj(OBJ_FRAME, BOOTINFO_SIZE, slot(base, 0));
	must(vspace_map(l0, (BOOTINFO_VADDR >> 12) & 511, bif, CAP_RIGHT_READ, 0,
			BOOTINFO_SIZE / 4096),
	     "map bootinfo");
	struct cte *data = obj(OBJ_FRAME, 8192, slot(base, 1));
	must(vspace_map(l0, (DATA_VADDR >> 12) & 511, data, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 2),
	     "map data");
	obj(OBJ_FRAME, 4096, slot(base, 2));
	must(caps_copy(&kcb.caps, slot(task, TASK_BOOTINFO), bif, CAP_RIGHTS_ALL, 0), "bootinfo");
	struct bootinfo *bi = pa2kva(bif->cap.base);
	bi->magic = BOOTINFO_MAGIC;
	bi->ncores = 1;
	strcpy(bi->bootargs, "run=test\n");
	strcpy(pa2kva(data->cap.base), "hello from init\n");

	must(caps_retype(&kcb.caps, &phys_root, OBJ_RAM, MEM0, MEM0_SZ, 1, slot(cn[CN_MEM], 0)),
	     "mem0");
	must(caps_retype(&kcb.caps, &phys_root, OBJ_RAM, MEM1, MEM1_SZ, 1, slot(cn[CN_MEM], 1)),
	     "mem1");
	capsys_forge(slot(cn[CN_MODULE], 0), OBJ_FRAME, arena_pa + MODULE, MODULE_SZ,
		     CAP_RIGHT_READ | CAP_RIGHT_GRANT);
	capsys_forge(slot(cn[CN_DEV], DEV_UART), OBJ_DEVFRAME, arena_pa + UART, 4096,
		     CAP_RIGHTS_ALL);
	capsys_forge(slot(cn[CN_DEV], DEV_UART_IRQ), OBJ_IRQ, UART_IRQ, 1, CAP_RIGHTS_ALL);

	struct dcb *d = dcb_of(&disp->cap);
	set_roots(d, &init_l1, vroot);
	d->regs.sepc = DATA_VADDR;
	d->regs.x[REG_SP] = USER_STACK_TOP;
	d->regs.x[REG_A0] = BOOTINFO_VADDR;
	d->recv_slot = CAPADDR(CN_TASK, TASK_RECV);
	d->recv_slot_set = 1;
	dispatch_make_runnable(d);

	/* A child, as init would spawn one: its own cspace and (empty) vspace. */
	struct cte *s0 = cn[CN_SLOT0];
	struct cte *cdisp = obj(OBJ_DISPATCHER, OBJSIZE_DISPATCHER, slot(s0, 0));
	struct cte *cl1 = obj(OBJ_L1CNODE, OBJSIZE_L2CNODE, slot(s0, 1));
	struct cte *cvroot = obj(OBJ_VNODE_L2, OBJSIZE_VNODE, slot(s0, 2));
	must(caps_retype(&kcb.caps, cdisp, OBJ_ENDPOINT, 0, 0, 1, slot(s0, 3)), "child ep");
	struct cte *ctask = obj(OBJ_L2CNODE, OBJSIZE_L2CNODE, slot(cl1, CN_TASK));
	must(caps_copy(&kcb.caps, slot(ctask, TASK_DISP), cdisp, CAP_RIGHTS_ALL, 0), "c disp");
	must(caps_copy(&kcb.caps, slot(ctask, TASK_ROOTCN), cl1, CAP_RIGHTS_ALL, 0), "c rootcn");
	must(caps_copy(&kcb.caps, slot(ctask, TASK_VROOT), cvroot, CAP_RIGHTS_ALL, 0), "c vroot");
	must(caps_copy(&kcb.caps, slot(ctask, TASK_EP), slot(task, TASK_EP),
		       CAP_RIGHT_WRITE | CAP_RIGHT_GRANT, CHILD_BADGE),
	     "c ep");
	struct dcb *c = dcb_of(&cdisp->cap);
	set_roots(c, cl1, cvroot);
	c->regs.sepc = 0x1000;
	c->recv_slot = CAPADDR(CN_TASK, TASK_RECV);
	c->recv_slot_set = 1;
	dispatch_make_runnable(c);
}

/* ---- checking the kernel's state ---- */

/* Read-only walks over kernel memory after every trap: not worth ASan's checks. */
#define CHECKER __attribute__((no_sanitize("address")))

struct census {
	uint64_t cte_pages[ARENA_PAGES / 64];  /* CNodes (live or zombie), Dispatchers */
	uint64_t kobj_pages[ARENA_PAGES / 64]; /* those and VNodes: never user-visible */
	uint64_t user_pages[ARENA_PAGES / 64]; /* Frames, DevFrames */
	const struct cte **order;	       /* every CTE in the tree, in tree order */
	const struct cte **ctes;	       /* the same, sorted by address */
	size_t n, cap;
	const struct dcb **dcbs; /* live Dispatcher objects, sorted */
	size_t ndcb;
};

static struct census cs;

static CHECKER void mark(uint64_t *bits, const struct capability *c)
{
	if (!in_arena(c->base) || c->size > ARENA_SIZE || c->base + c->size - arena_pa > ARENA_SIZE)
		host_panic("%s object outside memory: base %#lx size %#lx", caps_type_name(c->type),
			   (unsigned long)c->base, (unsigned long)c->size);
	uint64_t p = (c->base - arena_pa) / 4096,
		 end = (c->base + c->size - arena_pa + 4095) / 4096;
	for (; p < end && p % 64; p++)
		bits[p / 64] |= 1ull << (p % 64);
	for (; p + 64 <= end; p += 64)
		bits[p / 64] = ~0ull;
	for (; p < end; p++)
		bits[p / 64] |= 1ull << (p % 64);
}

static CHECKER bool marked(const uint64_t *bits, paddr_t pa)
{
	uint64_t p = (pa - arena_pa) / 4096;
	return bits[p / 64] & (1ull << (p % 64));
}

static CHECKER int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a,
		  y = (uintptr_t) * (const void *const *)b;
	return x < y ? -1 : x > y;
}

static CHECKER bool in_tree(const struct cte *c)
{
	return bsearch(&c, cs.ctes, cs.n, sizeof(*cs.ctes), cmp_ptr) != NULL;
}

static bool is_vnode(uint8_t t)
{
	return t == OBJ_VNODE_L2 || t == OBJ_VNODE_L1 || t == OBJ_VNODE_L0;
}

/* In-order walk of the tree (cheaper than mdb_next() per entry). */
static CHECKER void walk(const struct cte *t)
{
	for (; t; t = t->mdb.right) {
		walk(t->mdb.left);
		if (cs.n == cs.cap)
			host_panic("capability database: more entries in the tree than its count");
		cs.order[cs.n++] = t;
	}
}

/* The tree's entries, in order. */
static CHECKER void census_walk(void)
{
	if (cs.cap < kcb.caps.count) {
		cs.cap = kcb.caps.count * 2;
		cs.order = realloc(cs.order, cs.cap * sizeof(*cs.order));
		cs.ctes = realloc(cs.ctes, cs.cap * sizeof(*cs.ctes));
		cs.dcbs = realloc(cs.dcbs, cs.cap * sizeof(*cs.dcbs));
		if (!cs.order || !cs.ctes || !cs.dcbs)
			abort();
	}
	cs.n = 0;
	walk(kcb.caps.root);
	if (cs.n != kcb.caps.count)
		host_panic("capability database: %zu entries in the tree, count %lu", cs.n,
			   (unsigned long)kcb.caps.count);
}

/* What the entries say: object pages, live dispatchers, entries by address. */
static CHECKER void census_index(void)
{
	memset(cs.cte_pages, 0, sizeof(cs.cte_pages));
	memset(cs.kobj_pages, 0, sizeof(cs.kobj_pages));
	memset(cs.user_pages, 0, sizeof(cs.user_pages));
	cs.ndcb = 0;
	memcpy(cs.ctes, cs.order, cs.n * sizeof(*cs.ctes));
	for (size_t i = 0; i < cs.n; i++) {
		const struct cte *c = cs.order[i];
		uint8_t t = c->cap.type;
		if (t == OBJ_L1CNODE || t == OBJ_L2CNODE || t == OBJ_DISPATCHER)
			mark(cs.cte_pages, &c->cap);
		if (t == OBJ_DISPATCHER && (!cs.ndcb || cs.dcbs[cs.ndcb - 1] != dcb_of(&c->cap)))
			cs.dcbs[cs.ndcb++] = dcb_of(&c->cap);
		if (t == OBJ_L1CNODE || t == OBJ_L2CNODE || t == OBJ_DISPATCHER || is_vnode(t))
			mark(cs.kobj_pages, &c->cap);
		/* A frame another core owns (KERNEL_CAP_CREATE) may name memory
		   that is not here; inside the arena it counts like any other. */
		bool here = in_arena(c->cap.base) && c->cap.size <= ARENA_SIZE &&
			    c->cap.base + c->cap.size - arena_pa <= ARENA_SIZE;
		if ((t == OBJ_FRAME || t == OBJ_DEVFRAME) && (c->mdb.owner == 0 || here))
			mark(cs.user_pages, &c->cap);
	}
	for (const struct cte *z = kcb.caps.zombies; z; z = z->mdb.left) {
		mark(cs.cte_pages, &z->cap);
		mark(cs.kobj_pages, &z->cap);
	}
	qsort(cs.ctes, cs.n, sizeof(*cs.ctes), cmp_ptr);
	qsort(cs.dcbs, cs.ndcb, sizeof(*cs.dcbs), cmp_ptr);
	size_t u = 0; /* copies of a Dispatcher need not be adjacent in address order */
	for (size_t i = 0; i < cs.ndcb; i++)
		if (!u || cs.dcbs[u - 1] != cs.dcbs[i])
			cs.dcbs[u++] = cs.dcbs[i];
	cs.ndcb = u;
}

static CHECKER bool live_dcb(const struct dcb *d)
{
	return bsearch(&d, cs.dcbs, cs.ndcb, sizeof(*cs.dcbs), cmp_ptr) != NULL;
}

/* Is pte (in some table) inside the entries that mapped capability c recorded? */
static CHECKER bool covers(const struct cte *c, const uint64_t *pte)
{
	paddr_t pa = pa_of(pte);
	return (c->cap.flags & CAPF_MAPPED) && pa >= c->cap.badge &&
	       pa < c->cap.badge + 8ull * c->cap.extra;
}

static CHECKER void check_table(const struct cte *vn)
{
	const struct vnode_obj *t = pa2kva(vn->cap.base);
	uint8_t vt = vn->cap.type;
	unsigned user = vt == OBJ_VNODE_L2 ? 256 : 512;
	for (unsigned i = user; i < 512; i++)
		if (t->pte[i] != kpt.root[i] || t->owner[i])
			host_panic("VNode_L2 %#lx: kernel-half entry %u changed",
				   (unsigned long)vn->cap.base, i);
	for (unsigned i = 0; i < user; i++) {
		uint64_t e = t->pte[i];
		const struct cte *o = t->owner[i];
		if (!(e & PTE_V)) {
			if (o)
				host_panic("table %#lx[%u]: owner without a valid entry",
					   (unsigned long)vn->cap.base, i);
			continue;
		}
		if (!o || !in_tree(o) || !covers(o, &t->pte[i]))
			host_panic("table %#lx[%u] = %#lx: its owner capability is gone or "
				   "does not record this mapping",
				   (unsigned long)vn->cap.base, i, (unsigned long)e);
		paddr_t pa = (e >> 10) << 12;
		bool leaf = (e & (PTE_R | PTE_X)) != 0;
		if (leaf != (vt == OBJ_VNODE_L0) || (leaf && !(e & PTE_U)))
			host_panic("table %#lx[%u] = %#lx: wrong kind of entry for a %s",
				   (unsigned long)vn->cap.base, i, (unsigned long)e,
				   caps_type_name(vt));
		if (pa < o->cap.base || pa - o->cap.base >= o->cap.size)
			host_panic("table %#lx[%u] maps %#lx outside its owner %s [%#lx +%#lx]",
				   (unsigned long)vn->cap.base, i, (unsigned long)pa,
				   caps_type_name(o->cap.type), (unsigned long)o->cap.base,
				   (unsigned long)o->cap.size);
		if (leaf && in_arena(pa) && marked(cs.kobj_pages, pa))
			host_panic("user page %#lx (table %#lx[%u]) is kernel object memory",
				   (unsigned long)pa, (unsigned long)vn->cap.base, i);
	}
}

static CHECKER void check_mapped(const struct cte *c)
{
	if (!(c->cap.flags & CAPF_MAPPED))
		return;
	if (c->cap.extra == 0 || c->cap.extra > 512 || !in_arena(c->cap.badge) ||
	    !marked(cs.kobj_pages, c->cap.badge))
		host_panic("mapped %s: its entries (%#lx, %u) are not in a live table",
			   caps_type_name(c->cap.type), (unsigned long)c->cap.badge, c->cap.extra);
	const uint64_t *pte = pa2kva(c->cap.badge);
	const struct cte *const *owner = (const struct cte *const *)(pte + 512);
	for (uint32_t i = 0; i < c->cap.extra; i++)
		if (!(pte[i] & PTE_V) || owner[i] != c)
			host_panic("mapped %s at %#lx: entry %u is not its own",
				   caps_type_name(c->cap.type), (unsigned long)c->cap.badge, i);
}

static CHECKER bool live_root(const struct cte *c, uint8_t type)
{
	return c->cap.type == type && !(c->mdb.flags & MDB_ZOMBIE) && in_tree(c);
}

/* Checks one Dispatcher object; returns 1 if it is runnable. */
static CHECKER unsigned check_dcb(const struct dcb *d, unsigned *sleeping)
{
	if (d->state > DISP_BLOCKED)
		host_panic("domain %u: state %u", d->id, d->state);
	if (d->sleeping && d->state != DISP_BLOCKED)
		host_panic("domain %u: sleeping in state %u", d->id, d->state);
	*sleeping += d->sleeping != 0;
	if (d->state != DISP_STOPPED && !d->setup)
		host_panic("domain %u: %s but never set up", d->id,
			   d->state == DISP_RUNNABLE ? "runnable" : "blocked");
	if (d->setup &&
	    (!live_root(&d->cspace, OBJ_L1CNODE) || !live_root(&d->vspace, OBJ_VNODE_L2)))
		host_panic("domain %u (state %u) is set up, but its cspace root (%s%s) or vspace "
			   "root (%s) is not a live capability",
			   d->id, d->state, caps_type_name(d->cspace.cap.type),
			   (d->cspace.mdb.flags & MDB_ZOMBIE) ? ", zombie" : "",
			   caps_type_name(d->vspace.cap.type));
	if (d->lmp_count > LMP_QUEUE || d->lmp_head >= LMP_QUEUE)
		host_panic("domain %u: LMP queue %u/%u", d->id, d->lmp_head, d->lmp_count);
	return d->state == DISP_RUNNABLE;
}

/*
 * A hash of everything caps_check_invariants() reads: the tree's and the
 * zombies' CTEs (capability and MDB node, where they are), the root and the
 * count. The check is a pure function of these, so it only has to run again
 * when the hash changed: most traps (errors, messages) change nothing.
 */
static CHECKER uint64_t caps_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
#define MIX(w) (h = (h ^ (uint64_t)(w)) * 0x100000001b3ull)
	MIX(kcb.caps.count);
	MIX((uintptr_t)kcb.caps.root);
	MIX((uintptr_t)kcb.caps.zombies);
	for (size_t i = 0; i < cs.n; i++) {
		const uint64_t *w = (const uint64_t *)cs.order[i];
		MIX((uintptr_t)w);
		for (unsigned j = 0; j < sizeof(struct cte) / 8; j++)
			MIX(w[j]);
	}
	for (const struct cte *z = kcb.caps.zombies; z; z = z->mdb.left) {
		const uint64_t *w = (const uint64_t *)z;
		MIX((uintptr_t)w);
		for (unsigned j = 0; j < sizeof(struct cte) / 8; j++)
			MIX(w[j]);
	}
#undef MIX
	return h;
}

/*
 * Notifications (notify.c): a bound slot holds the kernel's endpoint copy,
 * in the database, of a live dispatcher (or of one gone, stopped for good),
 * in a generation it issued; only a bound slot is pending; no Notify
 * capability names another core than its owner, a slot beyond the table,
 * a core that does not exist, or a generation of this core's not issued
 * yet. (From check_state(): uses its census.)
 */
static CHECKER void check_notify(const char *when)
{
	const struct notify_table *t = &kcb.notify;
	for (unsigned n = 0; n < NOTIFY_SLOTS; n++) {
		const struct cte *ep = &t->ep[n];
		bool rung = (t->pending[n / 64] >> (n % 64)) & 1;
		if (ep->cap.type == OBJ_NULL && rung)
			host_panic("%s: notification slot %u pending but not bound", when, n);
		if (ep->cap.type == OBJ_NULL)
			continue;
		if (ep->cap.type != OBJ_ENDPOINT || !(ep->cap.flags & CAPF_NOTIFY_BINDING) ||
		    !in_tree(ep) || t->gen[n] == 0)
			host_panic("%s: notification slot %u: %s, flags %#x, %sin the database, "
				   "generation %u",
				   when, n, caps_type_name(ep->cap.type), ep->cap.flags,
				   in_tree(ep) ? "" : "not ", t->gen[n]);
		/* (an endpoint may outlive its Dispatcher: bound then, it gets
		   nothing, and the binding goes with it) */
		const struct dcb *d = dcb_of(&ep->cap);
		if (!live_dcb(d) && (d->setup || d->state != DISP_STOPPED))
			host_panic("%s: notification slot %u bound to a dispatcher that is gone "
				   "but not stopped",
				   when, n);
	}
	for (size_t i = 0; i < cs.n; i++) {
		const struct capability *c = &cs.order[i]->cap;
		uint64_t core = NOTIFY_CORE(c->base), slot = NOTIFY_SLOT(c->base);
		if (c->type == OBJ_NOTIFY &&
		    (slot >= NOTIFY_SLOTS || core != cs.order[i]->mdb.owner ||
		     core >= kcb.user.ncores || c->size == 0 || c->size > UINT32_MAX ||
		     (core == 0 && c->size > t->gen[slot])))
			host_panic("%s: Notify capability core %lu slot %lu generation %lu "
				   "(owner %u; this core's slot generation %u)",
				   when, (unsigned long)core, (unsigned long)slot,
				   (unsigned long)c->size, cs.order[i]->mdb.owner,
				   slot < NOTIFY_SLOTS ? t->gen[slot] : 0);
	}
}

static uint64_t checked_hash; /* of the database last found consistent, or 0 */

static CHECKER void check_state(const char *when)
{
	census_walk();
	uint64_t h = caps_hash();
	if (h != checked_hash) {
		/* The database changed: check it, where its entries lie, and the
		   mappings (a page table changes only with the entries that
		   record its mappings). */
		const char *inv = caps_check_invariants(&kcb.caps);
		if (inv)
			host_panic("%s: capability database: %s", when, inv);
		census_index();
		for (size_t i = 0; i < cs.n; i++) {
			const struct cte *c = cs.ctes[i];
			if (in_arena(pa_of(c)) && !marked(cs.cte_pages, pa_of(c)))
				host_panic("%s: %s capability at %#lx is in no live CNode or "
					   "Dispatcher",
					   when, caps_type_name(c->cap.type),
					   (unsigned long)pa_of(c));
			check_mapped(c);
		}
		/* A zombie stays in its slot, also in a Dispatcher already destroyed
		   (its cspace root), but never in memory reused for something else. */
		for (const struct cte *z = kcb.caps.zombies; z; z = z->mdb.left) {
			paddr_t pa = pa_of(z);
			if (in_arena(pa) &&
			    (marked(cs.user_pages, pa) ||
			     (marked(cs.kobj_pages, pa) && !marked(cs.cte_pages, pa))))
				host_panic("%s: zombie CNode at %#lx lies in a Frame or VNode",
					   when, (unsigned long)pa);
		}
		/* Copies are adjacent in the tree: look at each table once. */
		for (size_t i = 0; i < cs.n; i++) {
			const struct cte *c = cs.order[i];
			if (is_vnode(c->cap.type) &&
			    !(i && caps_is_copy(&cs.order[i - 1]->cap, &c->cap)))
				check_table(c);
		}
		checked_hash = h;
	}
	/* Dispatchers change without the database: check them every time. */
	unsigned runnable = 0, sleeping = 0;
	for (size_t i = 0; i < cs.ndcb; i++)
		runnable += check_dcb(cs.dcbs[i], &sleeping);
	/* The run queue: a ring of exactly the runnable live dispatchers. */
	unsigned ring = 0;
	struct dcb *d = kcb.runq;
	if (d) {
		do {
			if (!live_dcb(d))
				host_panic("%s: run queue holds a dispatcher that is gone", when);
			if (d->state != DISP_RUNNABLE || !d->next || d->next->prev != d)
				host_panic("%s: run queue broken at domain %u", when, d->id);
			if (++ring > runnable)
				host_panic("%s: run queue longer than the runnable dispatchers",
					   when);
			d = d->next;
		} while (d != kcb.runq);
	}
	if (ring != runnable)
		host_panic("%s: %u runnable dispatchers, %u in the run queue", when, runnable,
			   ring);
	/* The sleep queue: a list of exactly the sleeping live dispatchers. */
	unsigned n = 0;
	for (const struct dcb *s = kcb.sleepq; s; s = s->sleep_next) {
		if (!live_dcb(s))
			host_panic("%s: sleep queue holds a dispatcher that is gone", when);
		if (!s->sleeping || ++n > sleeping)
			host_panic("%s: sleep queue broken at domain %u", when, s->id);
	}
	if (n != sleeping)
		host_panic("%s: %u sleeping dispatchers, %u in the sleep queue", when, sleeping, n);
	check_notify(when);
}

/* The kernel returned to user mode: to a runnable, set-up, current dispatcher.
   (After check_state(): uses its census.) */
static void check_resumed(void)
{
	struct dcb *d = kcb.current;
	if (!d || host_resumed != &d->regs)
		host_panic("resumed a trap frame that is not the current dispatcher's");
	if (d->state != DISP_RUNNABLE || !d->setup || !live_root(&d->vspace, OBJ_VNODE_L2))
		host_panic("resumed domain %u: state %u setup %u vspace %s", d->id, d->state,
			   d->setup, caps_type_name(d->vspace.cap.type));
}

static void check_result(const struct dcb *d, const struct trap_frame *tf, int exit)
{
	uint64_t sys = tf->x[REG_A7], a0 = d->regs.x[REG_A0];
	if (exit == HOST_POWEROFF) {
		if (sys != SYS_INVOKE || tf->x[REG_A1] >> 8 != KERNEL_POWEROFF)
			host_panic("power-off from syscall %lu a1 %#lx", (unsigned long)sys,
				   (unsigned long)tf->x[REG_A1]);
		return;
	}
	if (sys == SYS_EXIT) {
		if (d->state != DISP_STOPPED)
			host_panic("SYS_EXIT: domain %u still in state %u", d->id, d->state);
		return;
	}
	if (sys == SYS_RECV && d->state == DISP_BLOCKED)
		return; /* a0 is written on delivery */
	/* Only the kernel's ranges (0 - 499) are expected from the kernel. */
	if (a0 >= 1000 || !strcmp(err_str((errval_t)a0), "unknown error"))
		host_panic("syscall %lu (a0 %#lx a1 %#lx a2 %#lx a3 %#lx a4 %#lx a5 %#lx a6 "
			   "%#lx) returned %#lx: not a kernel error code",
			   (unsigned long)sys, (unsigned long)tf->x[REG_A0],
			   (unsigned long)tf->x[REG_A1], (unsigned long)tf->x[REG_A2],
			   (unsigned long)tf->x[REG_A3], (unsigned long)tf->x[REG_A4],
			   (unsigned long)tf->x[REG_A5], (unsigned long)tf->x[REG_A6],
			   (unsigned long)a0);
}

/* ---- running ---- */

/* REEF_FUZZ_VERBOSE=1: each trap and what the caller got back. */
static void trace(const struct dcb *d, const struct trap_frame *tf, int exit)
{
	const uint64_t *x = tf->x;
	if (tf->scause != 8) {
		fprintf(stderr, "[domain %u] trap scause %#lx -> exit %d\n", d->id,
			(unsigned long)tf->scause, exit);
		return;
	}
	fprintf(stderr,
		"[domain %u] a7=%lu a0=%#lx a1=%#lx a2=%#lx a3=%#lx a4=%#lx a5=%#lx a6=%#lx"
		" -> %s (a1=%#lx a2=%#lx), state %u, exit %d\n",
		d->id, (unsigned long)x[REG_A7], (unsigned long)x[REG_A0], (unsigned long)x[REG_A1],
		(unsigned long)x[REG_A2], (unsigned long)x[REG_A3], (unsigned long)x[REG_A4],
		(unsigned long)x[REG_A5], (unsigned long)x[REG_A6],
		exit == HOST_POWEROFF || x[REG_A7] == SYS_EXIT || d->state == DISP_BLOCKED
		    ? "(no reply)"
		    : err_str((errval_t)d->regs.x[REG_A0]),
		(unsigned long)d->regs.x[REG_A1], (unsigned long)d->regs.x[REG_A2], d->state, exit);
}

/*
 * The machine as setup() left it. setup() runs once; every input starts
 * from a byte-for-byte copy of its result (the KCB, the kernel-held CTEs,
 * the memory init's objects were retyped from, the PLIC's registers),
 * which is the same state at a fraction of the cost. The kernel keeps no
 * other state that setup() or an input changes: irq.c's bindings are
 * capabilities, gone after teardown() (which checks that); notify.c's are
 * in the KCB, and of its doorbells this core only reads its own, which
 * only other cores ring.
 */
static struct {
	struct kcb kcb;
	struct cte phys_root, init_ram, init_l1;
	uint8_t *mem;
	uint64_t used;
} snap;

#define PLIC_REGS      0x3000ul	  /* priorities, enable bits */
#define PLIC_CTX_PAGES 0x200000ul /* threshold and claim/complete pages */

static void snapshot_take(void)
{
	snap.kcb = kcb;
	snap.phys_root = phys_root;
	snap.init_ram = init_ram;
	snap.init_l1 = init_l1;
	snap.used = init_used;
	snap.mem = malloc(init_used);
	if (!snap.mem)
		abort();
	memcpy(snap.mem, arena + INIT_RAM, init_used);
}

static void snapshot_restore(void)
{
	host_reset();
	checked_hash = 0;
	kcb = snap.kcb;
	phys_root = snap.phys_root;
	init_ram = snap.init_ram;
	init_l1 = snap.init_l1;
	memcpy(arena + INIT_RAM, snap.mem, snap.used);
	memset(plic, 0, PLIC_REGS);
	memset(plic + PLIC_CTX_PAGES, 0, (PLIC_CTX + 1) * 0x1000ul);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *v = getenv("REEF_FUZZ_VERBOSE");
	host_verbose = v && *v == '1';
	arena = guarded_map(ARENA_SIZE, 2ul << 20);
	arena_pa = pa_of(arena);
	plic = guarded_map(PLIC_SIZE, 4096);
	/* The kernel half every new VNode_L2 copies: a recognisable pattern. */
	for (unsigned i = 256; i < 512; i++)
		kpt.root[i] = ((uint64_t)i << 28) | 0xcf;
	host_reset();
	setup();
	check_state("setup");
	snapshot_take();
	return 0;
}

enum entry {
	ENTER_DISPATCH, /* the first dispatch after boot */
	ENTER_TRAP,	/* a trap from user mode (trap.S -> trap_user) */
	ENTER_IDLE,	/* WFI returned in dispatch_schedule()'s idle loop */
};

/*
 * One kernel entry; returns how it ended (HOST_*). Not instrumented by
 * ASan: the kernel calls __asan_handle_no_return before it leaves through a
 * stub, and one such system call per exit is enough.
 */
static __attribute__((noinline, no_sanitize("address"))) int host_enter(enum entry how,
									struct trap_frame *tf)
{
	if (__builtin_setjmp(host_jmp))
		return host_exit;
	switch (how) {
	case ENTER_TRAP:
		trap_user(tf);
	case ENTER_IDLE: /* the rest of the idle loop's iteration */
		irq_poll();
		dispatch_schedule();
	default:
		dispatch_resume_current();
	}
}

static const uint64_t specials[32] = {
    0,
    1,
    2,
    ~0ul,
    UINT32_MAX,
    1ul << 32,
    (1ul << 32) + 1,
    USER_TOP,
    USER_TOP - 4096,
    BOOTINFO_VADDR,
    BOOTINFO_VADDR + offsetof(struct bootinfo, bootargs),
    DATA_VADDR,
    DATA_VADDR + 8190,
    1ul << 63,
    OBJSIZE_PAGE,
    OBJSIZE_VNODE,
    OBJSIZE_L2CNODE,
    OBJSIZE_DISPATCHER,
    2 * OBJSIZE_L2CNODE,
    64ul << 20,
    (64ul << 20) + 4096,
    SYS_PRINT_MAX,
    SYS_PRINT_MAX + 1,
    EP_SEND_CAP | CAPADDR(CN_TASK, TASK_EP),
    EP_SEND_CAP | CAPADDR(CN_TASK, TASK_DISP),
    EP_SEND_CAP | CAPADDR(CN_MEM, 0),
    CAPADDR(CN_TASK, TASK_DISP),
    CAPADDR(CN_TASK, TASK_KERNEL),
    CAPADDR(CN_SLOT0, 0),
    CAPADDR(CN_SLOT0, 3),
    INVOKE_ARG1(CAP_RETYPE, 2),
    INVOKE_ARG1(CNODE_COPY, 1),
};

/*
 * The address of the k-th (mod how many there are) occupied slot among the
 * first L2 CNodes of d's cspace: a capability the caller really has.
 */
static uint64_t nth_cap(const struct dcb *d, unsigned k)
{
	capaddr_t found[32];
	unsigned n = 0;
	uint64_t n1, n2;
	if (d->cspace.cap.type != OBJ_L1CNODE)
		return k;
	const struct cte *l1 = caps_cnode_slots(&kcb.caps, &d->cspace.cap, &n1);
	for (unsigned i = 0; i < n1 && i < 16 && n < 32; i++) {
		if (l1[i].cap.type != OBJ_L2CNODE)
			continue;
		const struct cte *l2 = caps_cnode_slots(&kcb.caps, &l1[i].cap, &n2);
		for (unsigned j = 0; j < n2 && n < 32; j++)
			if (l2[j].cap.type != OBJ_NULL)
				found[n++] = CAPADDR(i, j);
	}
	return n ? found[k % n] : k;
}

/*
 * A register value: the first byte's top three bits choose how the rest is
 * read, so the fuzzer can reach capability addresses, commands and sizes
 * quickly, and still any 64-bit value. d: the caller.
 */
static uint64_t value(struct input *in, const struct dcb *d)
{
	uint64_t b = take(in, 1);
	switch (b >> 5) {
	case 0: /* small number */
		return b & 31;
	case 1: /* a capability the caller has */
		return nth_cap(d, b & 31);
	case 2: /* page multiple, up to 32 MiB */
		return ((b & 31) << 8 | take(in, 1)) << 12;
	case 3: { /* power of two, or one less */
		uint64_t v = 1ul << (take(in, 1) & 63);
		return b & 1 ? v - 1 : v;
	}
	case 4:
		return take(in, 8);
	case 5:
		return specials[b & 31];
	case 6: /* cmd << 8 | level, count << 8 | type */
		return take(in, 1) << 8 | (b & 31);
	default: /* address | level << 32 (retype's CNode), | EP_SEND_CAP */
		return (b & 3) << 32 | CAPADDR((b >> 2) & 7, take(in, 1));
	}
}

static const uint64_t faults[] = {2, 3, 5, 7, 12, 13, 15, 1};

/* Fill tf for the next trap; false if the input is used up. */
static bool next_trap(struct input *in, struct trap_frame *tf, const struct dcb *d)
{
	if (!in->n)
		return false;
	unsigned h = (unsigned)take(in, 1), kind = h & 15;
	tf->scause = 8;
	switch (kind) {
	case 13: /* timer interrupt (preemption, timeouts) or notification IPI */
		if (h & 0x80) {
			tf->scause = SCAUSE_INTR | IRQ_S_SOFT;
			host_ipi_pending = 1;
		} else {
			tf->scause = SCAUSE_INTR | IRQ_S_TIMER;
			host_tick_pending = 1;
		}
		return true;
	case 14: /* a fault in user mode */
		tf->scause = faults[(h >> 4) & 7];
		tf->stval = take(in, 1) << 12;
		return true;
	case 12: /* every register raw */
		for (int r = REG_A0; r <= REG_A7; r++)
			tf->x[r] = take(in, 8);
		return true;
	default:
		break;
	}
	unsigned s = h >> 4;
	for (int r = REG_A0; r <= REG_A6; r++)
		tf->x[r] = value(in, d);
	tf->x[REG_A7] = s < 9 ? SYS_INVOKE : s < 14 ? s - 8 : s == 14 ? SYS_COUNT : take(in, 8);
	return true;
}

static void teardown(void)
{
	/* A monitor revokes on the other cores first and then clears the
	   marks (KERNEL_CAP_REMOTE); there are no other cores here. */
	for (struct cte *c = mdb_first(&kcb.caps); c; c = mdb_next(&kcb.caps, c))
		c->mdb.remote = 0;
	errval_t err = ERR_CAP_PENDING;
	for (unsigned i = 0; i < REVOKE_LOOPS && err == ERR_CAP_PENDING; i++)
		err = caps_revoke(&kcb.caps, &phys_root, 1u << 16);
	if (err)
		host_panic("teardown: revoking all memory: %s", err_str(err));
	check_state("teardown");
	if (kcb.caps.count != 1 || kcb.caps.zombies || kcb.runq || kcb.sleepq) {
		for (const struct cte *c = mdb_first(&kcb.caps); c; c = mdb_next(&kcb.caps, c))
			fprintf(stderr, "  left: %s base %#lx size %#lx\n",
				caps_type_name(c->cap.type), (unsigned long)c->cap.base,
				(unsigned long)c->cap.size);
		host_panic("teardown: %lu capabilities, zombies %s, run/sleep queue %s/%s left "
			   "after revoking all memory",
			   (unsigned long)kcb.caps.count, kcb.caps.zombies ? "yes" : "no",
			   kcb.runq ? "not empty" : "empty", kcb.sleepq ? "not empty" : "empty");
	}
	for (unsigned n = 0; n < NOTIFY_SLOTS; n++)
		if (kcb.notify.ep[n].cap.type != OBJ_NULL)
			host_panic("teardown: notification slot %u still bound", n);
	must(caps_delete(&kcb.caps, &phys_root), "delete the root");
	if (kcb.caps.count != 0 || kcb.caps.root)
		host_panic("teardown: database not empty");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	snapshot_restore();
	int r = host_enter(ENTER_DISPATCH, NULL);
	if (r != HOST_USER)
		host_panic("setup: init did not start (%d)", r);
	check_state("first dispatch");
	check_resumed();
	for (unsigned step = 0; step < MAX_STEPS && r != HOST_POWEROFF && in.n; step++) {
		if (r == HOST_IDLE) {
			/* Nothing runnable: a timer tick or an IPI ends the WFI. */
			int ipi = take(&in, 1) & 1;
			host_ipi_pending = ipi;
			host_tick_pending = !ipi;
			r = host_enter(ENTER_IDLE, NULL);
			if (host_verbose)
				fprintf(stderr, "[idle] %s -> exit %d\n",
					ipi ? "IPI" : "timer tick", r);
			check_state("after an idle wakeup");
			if (r == HOST_USER)
				check_resumed();
			continue;
		}
		struct dcb *d = kcb.current;
		struct trap_frame tf = d->regs;
		if (!next_trap(&in, &tf, d))
			break;
		r = host_enter(ENTER_TRAP, &tf);
		if (host_verbose)
			trace(d, &tf, r);
		if (tf.scause == 8)
			check_result(d, &tf, r);
		check_state("after a trap");
		if (r == HOST_USER)
			check_resumed();
	}
	host_tick_pending = host_ipi_pending = 0;
	teardown();
	return 0;
}
