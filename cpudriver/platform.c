// SPDX-License-Identifier: MIT
/*
 * Device tree -> struct platform. Everything read from the blob is checked
 * (property lengths, cell counts, NUL termination) because the blob comes
 * from firmware we do not control; a bad tree gives an error code, never a
 * crash. Bindings: Devicetree Specification v0.4 (memory, cpus, chosen,
 * reserved-memory) and the Linux RISC-V cpu binding (riscv,isa,
 * riscv,isa-base, riscv,isa-extensions, mmu-type).
 */
#include <libfdt.h>
#include <string.h>

#include "platform.h"

static void warn(plat_warn_fn fn, const char *msg, const char *detail)
{
	if (fn)
		fn(msg, detail ? detail : "");
}

static uint64_t read_cells(const fdt32_t *cell, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(cell[i]);
	return v;
}

/* A string property, only if NUL-terminated within its length. */
static const char *prop_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);
	if (!s || len <= 0 || strnlen(s, (size_t)len) == (size_t)len)
		return NULL;
	return s;
}

/* A u32 or u64 property (timebase-frequency may be either). */
static int prop_uint(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p || (len != 4 && len != 8))
		return -1;
	*out = read_cells(p, len / 4);
	return 0;
}

/* Entry idx of node's "reg", decoded with the parent's cell counts. */
static int node_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	if (parent < 0)
		return -1;
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -1;
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	int entry = (ac + sc) * 4;
	if (!reg || len < 0 || idx < 0 || len / entry <= idx)
		return -1;
	reg += idx * (ac + sc);
	*base = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *st = prop_str(fdt, node, "status");
	return !st || !strcmp(st, "okay") || !strcmp(st, "ok");
}

/* Append [base, base + size) to r: 1, or 0 when empty, wrapping or full (warned). */
static int add_range(struct plat_range *r, unsigned *n, unsigned max, uint64_t base, uint64_t size,
		     plat_warn_fn wfn, const char *what)
{
	if (size == 0)
		return 0;
	if (base + size < base) {
		warn(wfn, "range wraps around the address space, ignored:", what);
		return 0;
	}
	if (*n >= max) {
		warn(wfn, "too many ranges, ignored:", what);
		return 0;
	}
	r[*n] = (struct plat_range){.base = base, .size = size};
	(*n)++;
	return 1;
}

/* numa-node-id of node: 0 if absent; if malformed or too big: 0, said. */
static uint16_t node_id(const void *fdt, int node, plat_warn_fn wfn)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, "numa-node-id", &len);
	if (!v)
		return 0;
	if (len != 4 || fdt32_to_cpu(*v) >= PLAT_MAX_NODES) {
		warn(wfn, "bad numa-node-id (node 0 used):", fdt_get_name(fdt, node, NULL));
		return 0;
	}
	return (uint16_t)fdt32_to_cpu(*v);
}

static void parse_memory(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		const char *dt = prop_str(fdt, node, "device_type");
		if (!dt || strcmp(dt, "memory") || !node_enabled(fdt, node))
			continue;
		uint64_t base, size;
		uint16_t nid = node_id(fdt, node, wfn);
		for (int i = 0; node_reg(fdt, node, i, &base, &size) == 0; i++)
			if (add_range(p->mem, &p->nmem, PLAT_MAX_MEM, base, size, wfn, "memory"))
				p->mem[p->nmem - 1].node = nid;
	}
}

/* Flag the reserved range add_range just added (added: 1), if it did. */
static void mark_dt(struct platform *p, int added, uint32_t flags)
{
	if (added == 1)
		p->resv[p->nresv - 1].flags = flags;
}

static void parse_reserved(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	int n = fdt_num_mem_rsv(fdt);
	for (int i = 0; i < n; i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			mark_dt(p,
				add_range(p->resv, &p->nresv, PLAT_MAX_RESV, base, size, wfn,
					  "/memreserve/"),
				PLAT_RANGE_DT);
	}
	int rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm < 0)
		return;
	int child;
	fdt_for_each_subnode(child, fdt, rm)
	{
		uint64_t base, size;
		bool nomap = fdt_getprop(fdt, child, "no-map", NULL) != NULL;
		for (int i = 0; node_reg(fdt, child, i, &base, &size) == 0; i++)
			mark_dt(p,
				add_range(p->resv, &p->nresv, PLAT_MAX_RESV, base, size, wfn,
					  fdt_get_name(fdt, child, NULL)),
				PLAT_RANGE_DT | (nomap ? PLAT_RANGE_NOMAP : 0));
	}
}

static bool ext_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(s, name, n);
}

/* A multi-letter extension name the CPU driver knows: its ISA_* flag, else 0. */
static uint64_t isa_named(const char *s, size_t n)
{
	if (ext_is(s, n, "sstc"))
		return ISA_SSTC;
	if (ext_is(s, n, "zicsr"))
		return ISA_ZICSR;
	if (ext_is(s, n, "zifencei"))
		return ISA_ZIFENCEI;
	return 0;
}

/* "rv64imafdch_zicsr_zifencei_sstc": base, single letters, then _-separated names. */
static void parse_isa(const char *isa, struct plat_cpu *c)
{
	if (strncmp(isa, "rv", 2))
		return;
	if (!strncmp(isa + 2, "64", 2))
		c->xlen = 64;
	else if (!strncmp(isa + 2, "32", 2))
		c->xlen = 32;
	else
		return;
	const char *s = isa + 4;
	for (; *s && *s != '_'; s++) {
		if (*s == 'g')
			c->isa |= ISA_EXT('i') | ISA_EXT('m') | ISA_EXT('a') | ISA_EXT('f') |
				  ISA_EXT('d') | ISA_ZICSR | ISA_ZIFENCEI;
		else if (*s >= 'a' && *s <= 'z')
			c->isa |= ISA_EXT(*s);
	}
	while (*s) {
		s++; /* skip '_' */
		size_t n = strcspn(s, "_");
		c->isa |= isa_named(s, n);
		s += n;
	}
}

/*
 * riscv,isa-extensions (the newer binding: a string list, one extension a
 * string) merged into c, and riscv,isa-base for the base when riscv,isa
 * gave none. A malformed list (empty, not NUL-terminated, an empty string)
 * is ignored as a whole, said: riscv,isa alone then describes the hart.
 */
static void parse_isa_extensions(const void *fdt, int node, struct plat_cpu *c, plat_warn_fn wfn)
{
	if (!c->xlen) {
		const char *base = prop_str(fdt, node, "riscv,isa-base");
		if (base && (!strcmp(base, "rv64i") || !strcmp(base, "rv64e")))
			c->xlen = 64;
		else if (base && (!strcmp(base, "rv32i") || !strcmp(base, "rv32e")))
			c->xlen = 32;
		else if (base)
			warn(wfn, "bad riscv,isa-base, ignored:", fdt_get_name(fdt, node, NULL));
	}
	int len;
	const char *l = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
	if (!l)
		return;
	bool ok = len > 0 && l[len - 1] == 0 && l[0] != 0;
	for (int i = 1; ok && i < len; i++)
		ok = !(l[i] == 0 && l[i - 1] == 0);
	if (!ok) {
		warn(wfn, "malformed riscv,isa-extensions, riscv,isa used alone:",
		     fdt_get_name(fdt, node, NULL));
		return;
	}
	uint64_t isa = 0;
	for (const char *s = l; s < l + len; s += strlen(s) + 1) {
		size_t n = strlen(s);
		if (n == 1 && *s >= 'a' && *s <= 'z')
			isa |= ISA_EXT(*s);
		else
			isa |= isa_named(s, n);
	}
	c->isa |= isa;
}

static uint8_t parse_mmu(const char *mmu)
{
	if (!mmu)
		return MMU_NONE;
	if (!strcmp(mmu, "riscv,sv39"))
		return MMU_SV39;
	if (!strcmp(mmu, "riscv,sv48"))
		return MMU_SV48;
	if (!strcmp(mmu, "riscv,sv57"))
		return MMU_SV57;
	return MMU_NONE;
}

#define ISA_NEEDED (ISA_EXT('i') | ISA_EXT('m') | ISA_EXT('a') | ISA_EXT('c'))

/* Why this hart cannot run our rv64imac Sv39 CPU driver, or NULL. */
static const char *cpu_skip_reason(const void *fdt, int node, struct plat_cpu *c, plat_warn_fn wfn)
{
	if (!node_enabled(fdt, node))
		return "disabled in the device tree";
	const char *isa = prop_str(fdt, node, "riscv,isa");
	if (isa)
		parse_isa(isa, c);
	parse_isa_extensions(fdt, node, c, wfn);
	if (!isa && !c->xlen)
		return "no riscv,isa property";
	if (c->xlen != 64)
		return "not an RV64 hart";
	if ((c->isa & ISA_NEEDED) != ISA_NEEDED)
		return "ISA lacks rv64imac";
	c->mmu = parse_mmu(prop_str(fdt, node, "mmu-type"));
	if (c->mmu == MMU_NONE)
		return "no MMU (no S-mode CPU driver possible)";
	return NULL;
}

static void parse_one_cpu(const void *fdt, int node, struct platform *p, plat_warn_fn wfn)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < 4) {
		warn(wfn, "cpu node without a usable reg, ignored:", fdt_get_name(fdt, node, NULL));
		return;
	}
	if (p->ncpus >= PLAT_MAX_HARTS) {
		warn(wfn,
		     "more cpu nodes than PLAT_MAX_HARTS, ignored:", fdt_get_name(fdt, node, NULL));
		return;
	}
	struct plat_cpu *c = &p->cpus[p->ncpus];
	memset(c, 0, sizeof(*c));
	c->hartid = (hartid_t)read_cells(reg, len >= 8 ? 2 : 1);
	c->coreid = COREID_INVALID;
	c->skip = cpu_skip_reason(fdt, node, c, wfn);
	c->irqc = -1;
	c->irq_ctx = -1;
	c->phandle = fdt_get_phandle(fdt, node);
	c->node = node_id(fdt, node, wfn);
	c->cluster = c->node;
	int intc;
	fdt_for_each_subnode(intc, fdt, node)
	{
		if (!fdt_node_check_compatible(fdt, intc, "riscv,cpu-intc"))
			c->intc = fdt_get_phandle(fdt, intc);
	}
	for (unsigned i = 0; i < p->ncpus; i++)
		if (p->cpus[i].hartid == c->hartid)
			c->skip = "duplicate hart id";
	if (!p->timebase_hz)
		prop_uint(fdt, node, "timebase-frequency", &p->timebase_hz);
	p->ncpus++;
}

static enum plat_err parse_cpus(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return PLAT_ERR_NO_CPUS;
	prop_uint(fdt, cpus, "timebase-frequency", &p->timebase_hz);
	int node;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *dt = prop_str(fdt, node, "device_type");
		if (dt && !strcmp(dt, "cpu"))
			parse_one_cpu(fdt, node, p, wfn);
	}
	if (p->ncpus == 0)
		return PLAT_ERR_NO_CPUS;
	if (p->timebase_hz == 0)
		return PLAT_ERR_NO_TIMEBASE;
	return PLAT_OK;
}

/* cpu-map (the devicetree cpu topology binding): each clusterN node is a
   cluster, numbered in tree order; the cpu a coreN or threadN node names
   belongs to the innermost cluster around it. */
static void walk_cpu_map(const void *fdt, int node, int cluster, unsigned depth, struct platform *p,
			 unsigned *nclusters)
{
	int child;
	fdt_for_each_subnode(child, fdt, node)
	{
		const char *name = fdt_get_name(fdt, child, NULL);
		int here = cluster;
		if (name && !strncmp(name, "cluster", 7))
			here = (int)(*nclusters)++;
		int len;
		const fdt32_t *ph = fdt_getprop(fdt, child, "cpu", &len);
		for (unsigned i = 0; ph && len == 4 && here >= 0 && i < p->ncpus; i++)
			if (p->cpus[i].phandle && p->cpus[i].phandle == fdt32_to_cpu(*ph))
				p->cpus[i].cluster = (uint16_t)here;
		if (depth < 4) /* socket, cluster, core, thread */
			walk_cpu_map(fdt, child, here, depth + 1, p, nclusters);
	}
}

/* distance-map's distance-matrix: (from, to, distance) triples. */
static void parse_distances(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	for (unsigned a = 0; a < PLAT_MAX_NODES; a++)
		for (unsigned b = 0; b < PLAT_MAX_NODES; b++)
			p->distance[a][b] = a == b ? 10 : 20;
	int dm = fdt_node_offset_by_compatible(fdt, -1, "numa-distance-map-v1");
	if (dm < 0)
		return;
	int len;
	const fdt32_t *m = fdt_getprop(fdt, dm, "distance-matrix", &len);
	if (!m || len <= 0 || len % 12) {
		warn(wfn, "malformed distance-matrix, ignored:", fdt_get_name(fdt, dm, NULL));
		return;
	}
	for (int i = 0; i < len / 12; i++) {
		uint32_t a = fdt32_to_cpu(m[3 * i]), b = fdt32_to_cpu(m[3 * i + 1]),
			 d = fdt32_to_cpu(m[3 * i + 2]);
		if (a >= PLAT_MAX_NODES || b >= PLAT_MAX_NODES || d < 10 || d > 255)
			warn(wfn,
			     "bad distance-matrix entry, ignored:", fdt_get_name(fdt, dm, NULL));
		else
			p->distance[a][b] = (uint8_t)d;
	}
}

/* Nodes, clusters, distances (cpus and memory parsed already). */
static void parse_topology(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	unsigned nclusters = 0;
	int map = fdt_path_offset(fdt, "/cpus/cpu-map");
	if (map >= 0)
		walk_cpu_map(fdt, map, -1, 0, p, &nclusters);
	p->nnodes = 1;
	for (unsigned i = 0; i < p->ncpus; i++)
		if (p->cpus[i].node >= p->nnodes)
			p->nnodes = p->cpus[i].node + 1u;
	for (unsigned i = 0; i < p->nmem; i++)
		if (p->mem[i].node >= p->nnodes)
			p->nnodes = p->mem[i].node + 1u;
	parse_distances(fdt, p, wfn);
}

static int find_compatible(const void *fdt, const char *const *compat)
{
	for (; *compat; compat++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, *compat);
		while (node >= 0 && !node_enabled(fdt, node))
			node = fdt_node_offset_by_compatible(fdt, node, *compat);
		if (node >= 0)
			return node;
	}
	return -1;
}

/* The interrupt-parent of node: its own or its nearest ancestor's, 0 if none. */
static uint32_t interrupt_parent(const void *fdt, int node)
{
	for (int depth = 0; node >= 0 && depth < 16; depth++) {
		int len;
		const fdt32_t *ph = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (ph && len == 4)
			return fdt32_to_cpu(*ph);
		if (node == 0)
			break;
		node = fdt_parent_offset(fdt, node);
	}
	return 0;
}

/* The UART's source and its sense: "interrupts" in its parent's cells (one
   for a PLIC; two for an APLIC, the second the Linux IRQ_TYPE_* flags). */
static void uart_interrupt(const void *fdt, int node, struct plat_uart *u, plat_warn_fn wfn)
{
	int len;
	const fdt32_t *intr = fdt_getprop(fdt, node, "interrupts", &len);
	if (!intr)
		return;
	u->irq_parent = interrupt_parent(fdt, node);
	int parent = u->irq_parent ? fdt_node_offset_by_phandle(fdt, u->irq_parent) : -1;
	uint64_t cells = 1;
	if (parent >= 0)
		prop_uint(fdt, parent, "#interrupt-cells", &cells);
	if (len < 4 || cells < 1 || cells > 2 || (uint64_t)len < 4 * cells) {
		warn(wfn, "UART interrupts malformed, no input interrupt:",
		     fdt_get_name(fdt, node, NULL));
		return;
	}
	u->irq = fdt32_to_cpu(intr[0]);
	if (cells < 2)
		return;
	switch (fdt32_to_cpu(intr[1])) {
	case 1:
		u->sense = SENSE_EDGE_RISING;
		break;
	case 2:
		u->sense = SENSE_EDGE_FALLING;
		break;
	case 4:
		u->sense = SENSE_LEVEL_HIGH;
		break;
	case 8:
		u->sense = SENSE_LEVEL_LOW;
		break;
	default:
		warn(wfn, "UART interrupt sense unknown, level-high used:",
		     fdt_get_name(fdt, node, NULL));
	}
}

static void parse_uart(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen < 0 ? NULL : prop_str(fdt, chosen, "stdout-path");
	if (!path) {
		warn(wfn, "no /chosen/stdout-path; console stays on SBI", NULL);
		return;
	}
	int node = fdt_path_offset_namelen(fdt, path, (int)strcspn(path, ":"));
	if (node < 0) {
		warn(wfn, "stdout-path names no node:", path);
		return;
	}
	enum uart_kind kind = UART_NONE;
	if (!fdt_node_check_compatible(fdt, node, "ns16550a") ||
	    !fdt_node_check_compatible(fdt, node, "ns16550"))
		kind = UART_NS16550A;
	else if (!fdt_node_check_compatible(fdt, node, "sifive,uart0"))
		kind = UART_SIFIVE;
	uint64_t base, size, shift = 0;
	if (kind == UART_NONE || node_reg(fdt, node, 0, &base, &size)) {
		warn(wfn, "stdout-path UART is not supported, console stays on SBI:", path);
		return;
	}
	prop_uint(fdt, node, "reg-shift", &shift);
	p->uart = (struct plat_uart){
	    .kind = kind, .base = base, .reg_shift = (uint32_t)shift, .irqc = -1};
	uart_interrupt(fdt, node, &p->uart, wfn);
}

static paddr_t compatible_base(const void *fdt, const char *const *compat, int *nodep)
{
	uint64_t base, size;
	int node = find_compatible(fdt, compat);
	if (nodep)
		*nodep = node;
	if (node < 0 || node_reg(fdt, node, 0, &base, &size))
		return 0;
	return base;
}

/* Register layouts, for checking that a context lies inside reg. */
#define PLIC_CTX_END(ctx)  (0x200000 + 0x1000 * ((uint64_t)(ctx) + 1))
#define APLIC_IDC_END(idc) (0x4000 + 32 * ((uint64_t)(idc) + 1))
#define IRQC_MAX_SOURCES   1023 /* PLIC and APLIC alike */
#define CAUSE_S_EXTERNAL   9

/*
 * interrupts-extended lists (cpu-intc phandle, cause) pairs: a pair's index
 * is the PLIC context, or the APLIC IDC (its hart index in the domain).
 * Pairs with cause 9 (supervisor external) are the harts' S-mode contexts.
 * Returns how many there are; -1 if the property is malformed (warned).
 */
static int irqc_contexts(const void *fdt, int node, struct platform *p, int idx, plat_warn_fn wfn)
{
	int len;
	const char *name = fdt_get_name(fdt, node, NULL);
	const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!ie || len < 8 || len % 8) {
		warn(wfn,
		     "interrupt controller without usable interrupts-extended, ignored:", name);
		return -1;
	}
	const struct plat_irqc *ic = &p->irqc[idx];
	int found = 0;
	for (int ctx = 0; ctx < len / 8; ctx++) {
		uint32_t ph = fdt32_to_cpu(ie[2 * ctx]), cause = fdt32_to_cpu(ie[2 * ctx + 1]);
		if (cause != CAUSE_S_EXTERNAL || !ph)
			continue;
		uint64_t end = ic->kind == IRQC_PLIC ? PLIC_CTX_END(ctx) : APLIC_IDC_END(ctx);
		if (end > ic->size) {
			warn(wfn,
			     "interrupt context beyond the controller's registers, ignored:", name);
			continue;
		}
		found++;
		for (unsigned i = 0; i < p->ncpus; i++) {
			struct plat_cpu *c = &p->cpus[i];
			if (c->intc != ph)
				continue;
			if (c->irqc >= 0) {
				warn(wfn,
				     "hart has a second S-mode interrupt context, ignored:", name);
				continue;
			}
			c->irqc = (int8_t)idx;
			c->irq_ctx = ctx;
		}
	}
	return found;
}

/* One PLIC or APLIC node: added to p->irqc if it delivers to S-mode. */
static void parse_irqc(const void *fdt, int node, uint8_t kind, struct platform *p,
		       plat_warn_fn wfn)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	if (p->nirqc >= PLAT_MAX_IRQC) {
		warn(wfn, "more interrupt controllers than PLAT_MAX_IRQC, ignored:", name);
		return;
	}
	uint64_t base, size, ndev = 0;
	const char *ndev_prop = kind == IRQC_PLIC ? "riscv,ndev" : "riscv,num-sources";
	if (node_reg(fdt, node, 0, &base, &size) || size == 0) {
		warn(wfn, "interrupt controller without a usable reg, ignored:", name);
		return;
	}
	if (prop_uint(fdt, node, ndev_prop, &ndev) || ndev == 0 || ndev > IRQC_MAX_SOURCES) {
		warn(wfn, "interrupt controller with a bad number of sources, ignored:", name);
		return;
	}
	unsigned idx = p->nirqc;
	p->irqc[idx] = (struct plat_irqc){.kind = kind,
					  .phandle = fdt_get_phandle(fdt, node),
					  .ndev = (uint32_t)ndev,
					  .base = base,
					  .size = size};
	int len;
	if (fdt_getprop(fdt, node, "interrupts-extended", &len))
		p->irqc[idx].nctx = (uint32_t)(len > 0 ? len / 8 : 0);
	/* An APLIC domain whose harts take only machine-level interrupts is the
	   firmware's (it delegates to its S-level child): not ours, silently. */
	int n = irqc_contexts(fdt, node, p, (int)idx, wfn);
	if (n > 0)
		p->nirqc++;
	else if (n == 0 && kind == IRQC_PLIC)
		warn(wfn, "PLIC without S-mode contexts, ignored:", name);
}

static void parse_devices(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	static const char *const clint[] = {"riscv,clint0", "sifive,clint0", NULL};
	static const char *const test[] = {"sifive,test0", NULL};

	for (unsigned i = 0; i < p->ncpus; i++) {
		p->cpus[i].irqc = -1;
		p->cpus[i].irq_ctx = -1;
	}
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		if (!node_enabled(fdt, node))
			continue;
		if (!fdt_node_check_compatible(fdt, node, "riscv,plic0") ||
		    !fdt_node_check_compatible(fdt, node, "sifive,plic-1.0.0"))
			parse_irqc(fdt, node, IRQC_PLIC, p, wfn);
		else if (!fdt_node_check_compatible(fdt, node, "riscv,aplic"))
			parse_irqc(fdt, node, IRQC_APLIC, p, wfn);
	}
	for (unsigned i = 0; p->uart.irq && i < p->nirqc; i++)
		if (p->irqc[i].phandle && p->irqc[i].phandle == p->uart.irq_parent)
			p->uart.irqc = (int32_t)i;
	if (p->uart.irq && p->uart.irqc >= 0 && p->uart.irq > p->irqc[p->uart.irqc].ndev)
		p->uart.irqc = -1;
	if (p->uart.irq && p->uart.irqc < 0)
		warn(wfn,
		     "the UART's interrupt controller is not one Reef drives; no input interrupt",
		     NULL);
	p->clint_base = compatible_base(fdt, clint, NULL);
	p->test_base = compatible_base(fdt, test, NULL);
}

static void parse_chosen(const void *fdt, struct platform *p, plat_warn_fn wfn)
{
	const char *model = prop_str(fdt, 0, "model");
	if (model) {
		strncpy(p->model, model, sizeof(p->model) - 1);
		p->model[sizeof(p->model) - 1] = 0;
	}
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args = chosen < 0 ? NULL : prop_str(fdt, chosen, "bootargs");
	if (!args)
		return;
	if (strlen(args) >= sizeof(p->bootargs))
		warn(wfn, "bootargs too long, truncated", NULL);
	strncpy(p->bootargs, args, sizeof(p->bootargs) - 1);
	p->bootargs[sizeof(p->bootargs) - 1] = 0;
}

enum plat_err platform_parse(const void *fdt, size_t fdt_size, struct platform *p, plat_warn_fn wfn)
{
	memset(p, 0, sizeof(*p));
	if (!fdt || fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > fdt_size)
		return PLAT_ERR_HEADER;
	parse_memory(fdt, p, wfn);
	if (p->nmem == 0)
		return PLAT_ERR_NO_MEMORY;
	parse_reserved(fdt, p, wfn);
	enum plat_err err = parse_cpus(fdt, p, wfn);
	if (err)
		return err;
	parse_topology(fdt, p, wfn);
	parse_uart(fdt, p, wfn);
	parse_devices(fdt, p, wfn);
	parse_chosen(fdt, p, wfn);
	return PLAT_OK;
}

enum plat_err platform_assign_cores(struct platform *p, hartid_t boot_hart, unsigned max_cores,
				    hartid_t force_hart)
{
	struct plat_cpu *boot = (struct plat_cpu *)platform_cpu_by_hart(p, boot_hart);
	if (!boot || boot->skip || max_cores == 0)
		return PLAT_ERR_BOOT_HART;
	boot->coreid = 0;
	p->ncores = 1;
	for (unsigned i = 0; i < p->ncpus; i++) {
		struct plat_cpu *c = &p->cpus[i];
		if (c == boot)
			continue;
		if (c->hartid == force_hart && c->skip && strcmp(c->skip, "duplicate hart id"))
			c->skip = NULL;
		if (c->skip)
			continue;
		if (p->ncores >= max_cores) {
			c->skip = PLAT_SKIP_LIMIT;
			continue;
		}
		c->coreid = p->ncores++;
	}
	return PLAT_OK;
}

const struct plat_cpu *platform_cpu_by_hart(const struct platform *p, hartid_t hart)
{
	for (unsigned i = 0; i < p->ncpus; i++)
		if (p->cpus[i].hartid == hart)
			return &p->cpus[i];
	return NULL;
}

const char *platform_strerror(enum plat_err err)
{
	switch (err) {
	case PLAT_OK:
		return "ok";
	case PLAT_ERR_HEADER:
		return "not a valid flattened device tree (bad header or size)";
	case PLAT_ERR_NO_MEMORY:
		return "no usable memory node";
	case PLAT_ERR_NO_CPUS:
		return "no /cpus node or no cpu in it";
	case PLAT_ERR_NO_TIMEBASE:
		return "no timebase-frequency";
	case PLAT_ERR_BOOT_HART:
		return "the boot hart is not a usable cpu in the device tree";
	}
	return "unknown platform error";
}

uint32_t platform_user_isa(const struct plat_cpu *c)
{
	const uint32_t fd = ISA_EXT('f') | ISA_EXT('d');
	uint32_t isa =
	    (uint32_t)(c->isa & 0x3ffffffu) & ~(ISA_EXT('q') | ISA_EXT('v') | ISA_EXT('h'));
	if ((isa & fd) != fd)
		isa &= ~fd;
	return isa;
}

void platform_isa_str(const struct plat_cpu *c, char *buf, size_t len)
{
	size_t n = 0;
	if (len < 8) {
		if (len)
			buf[0] = 0;
		return;
	}
	buf[n++] = 'r';
	buf[n++] = 'v';
	buf[n++] = c->xlen == 32 ? '3' : '6';
	buf[n++] = c->xlen == 32 ? '2' : '4';
	static const char order[] = "imafdqcbvh";
	for (const char *o = order; *o && n + 1 < len; o++)
		if (c->isa & ISA_EXT(*o))
			buf[n++] = *o;
	buf[n] = 0;
	if ((c->isa & ISA_SSTC) && n + 6 < len)
		memcpy(buf + n, "+sstc", 6);
}

int platform_reserve(struct platform *p, paddr_t base, uint64_t size)
{
	if (p->nresv >= PLAT_MAX_RESV || base + size < base)
		return -1;
	p->resv[p->nresv++] = (struct plat_range){.base = base, .size = size};
	return 0;
}

int platform_reserve_below(struct platform *p, paddr_t image)
{
	for (unsigned i = 0; i < p->nmem; i++) {
		const struct plat_range *m = &p->mem[i];
		if (image >= m->base && image - m->base < m->size)
			return image == m->base ? 0 : platform_reserve(p, m->base, image - m->base);
	}
	return -1;
}

static bool overlaps(paddr_t a, uint64_t asize, const struct plat_range *r)
{
	return a < r->base + r->size && r->base < a + asize;
}

/* First fit in one range, stepping over reserved ranges; 0 if none. */
static paddr_t fit_in_range(const struct platform *p, const struct plat_range *m, paddr_t from,
			    uint64_t size, uint64_t align)
{
	paddr_t end = m->base + m->size;
	paddr_t cand = from > m->base ? from : m->base;
	for (;;) {
		if (cand + (align - 1) < cand)
			return 0;
		cand = (cand + align - 1) & ~(align - 1);
		if (cand < m->base || cand > end || size > end - cand)
			return 0;
		const struct plat_range *hit = NULL;
		for (unsigned r = 0; r < p->nresv && !hit; r++)
			if (overlaps(cand, size, &p->resv[r]))
				hit = &p->resv[r];
		if (!hit)
			return cand;
		cand = hit->base + hit->size;
	}
}

paddr_t platform_find_free(const struct platform *p, paddr_t from, uint64_t size, uint64_t align)
{
	paddr_t best = 0;
	if (size == 0 || align == 0 || (align & (align - 1)))
		return 0;
	for (unsigned m = 0; m < p->nmem; m++) {
		paddr_t a = fit_in_range(p, &p->mem[m], from, size, align);
		if (a && (!best || a < best))
			best = a;
	}
	return best;
}

paddr_t platform_mem_end(const struct platform *p)
{
	paddr_t end = 0;
	for (unsigned m = 0; m < p->nmem; m++)
		if (p->mem[m].base + p->mem[m].size > end)
			end = p->mem[m].base + p->mem[m].size;
	return end;
}

bool platform_free_range(const struct platform *p, paddr_t from, paddr_t *base, uint64_t *size)
{
	paddr_t b = platform_find_free(p, from, 4096, 4096);
	if (!b)
		return false;
	paddr_t end = 0;
	for (unsigned m = 0; m < p->nmem; m++)
		if (b >= p->mem[m].base && b - p->mem[m].base < p->mem[m].size)
			end = p->mem[m].base + p->mem[m].size;
	for (unsigned r = 0; r < p->nresv; r++)
		if (p->resv[r].base > b && p->resv[r].base < end)
			end = p->resv[r].base;
	end &= ~(paddr_t)4095;
	*base = b;
	*size = end - b;
	return end > b;
}
