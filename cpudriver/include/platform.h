/* SPDX-License-Identifier: MIT */
/*
 * The machine as the device tree describes it, parsed once by the boot core.
 * platform_parse() is pure (no globals, no allocation) and runs on the host
 * in the unit tests with real and broken device trees.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/types.h>

#define PLAT_MAX_MEM	  16
#define PLAT_MAX_RESV	  32
#define PLAT_MAX_HARTS	  512 /* QEMU virt's limit */
#define PLAT_BOOTARGS_MAX 512

struct plat_range {
	paddr_t base;
	uint64_t size;
	uint32_t flags; /* reserved ranges: PLAT_RANGE_* */
	uint32_t node;	/* memory ranges: NUMA node (numa-node-id, else 0) */
};

#define PLAT_MAX_NODES 16 /* NUMA nodes */

#define PLAT_RANGE_DT	 1u /* reserved by the device tree (not by the kernel) */
#define PLAT_RANGE_NOMAP 2u /* ... and no-map: never to be mapped at all */

/* ISA extensions the CPU driver cares about, from "riscv,isa" and
   "riscv,isa-extensions" (merged: a letter or name in either counts). */
#define ISA_EXT(c)   (1u << ((c) - 'a'))
#define ISA_SSTC     (1ull << 32)
#define ISA_ZICSR    (1ull << 33)
#define ISA_ZIFENCEI (1ull << 34)

enum plat_mmu { MMU_NONE = 0, MMU_SV39 = 39, MMU_SV48 = 48, MMU_SV57 = 57 };

struct plat_cpu {
	hartid_t hartid;
	coreid_t coreid;  /* COREID_INVALID when skipped */
	uint8_t xlen;	  /* 32 or 64, 0 if the ISA string is unreadable */
	uint8_t mmu;	  /* enum plat_mmu */
	uint64_t isa;	  /* ISA_EXT() letters | ISA_* multi-letter flags */
	const char *skip; /* why this hart cannot run a CPU driver, or NULL */
	uint32_t intc;	  /* phandle of its riscv,cpu-intc, 0 if none */
	int8_t irqc;	  /* index in platform.irqc of the controller with its S-mode
			     external interrupt, -1 if none */
	int32_t irq_ctx;  /* there: its PLIC context or APLIC IDC, -1 if none */
	uint32_t phandle; /* of its cpu node, 0 if none */
	uint16_t node;	  /* NUMA node (numa-node-id, else 0) */
	uint16_t cluster; /* cluster in /cpus/cpu-map, in tree order (none: its node) */
};

enum uart_kind { UART_NONE = 0, UART_NS16550A, UART_SIFIVE };

/* How a source signals (the second cell of a two-cell "interrupts"). */
enum irq_sense { SENSE_LEVEL_HIGH = 0, SENSE_LEVEL_LOW, SENSE_EDGE_RISING, SENSE_EDGE_FALLING };

struct plat_uart {
	enum uart_kind kind;
	paddr_t base;
	uint32_t reg_shift;
	uint32_t irq;	     /* its source number at its controller, 0 if none */
	int32_t irqc;	     /* index in platform.irqc of that controller, -1 if none */
	uint32_t irq_parent; /* phandle of that controller (interrupt-parent) */
	uint8_t sense;	     /* enum irq_sense */
};

/*
 * The interrupt controllers Reef drives (ADR 0021): every PLIC and every
 * APLIC domain that delivers to S-mode in direct mode (its interrupts-extended
 * names supervisor external interrupts), in tree order. QEMU virt makes one
 * per socket.
 */
#define PLAT_MAX_IRQC 16

enum irqc_kind { IRQC_NONE = 0, IRQC_PLIC, IRQC_APLIC };

struct plat_irqc {
	uint8_t kind;	  /* enum irqc_kind */
	uint32_t phandle; /* 0 if none */
	uint32_t ndev;	  /* sources 1..ndev (riscv,ndev; riscv,num-sources) */
	uint32_t nctx;	  /* entries of interrupts-extended (contexts, IDCs) */
	paddr_t base;
	uint64_t size;
};

struct platform {
	struct plat_range mem[PLAT_MAX_MEM];
	unsigned nmem;
	struct plat_range resv[PLAT_MAX_RESV]; /* firmware, /memreserve/, the DTB */
	unsigned nresv;
	struct plat_cpu cpus[PLAT_MAX_HARTS];
	unsigned ncpus;
	unsigned ncores; /* cpus with a coreid */
	uint64_t timebase_hz;
	struct plat_uart uart;
	struct plat_irqc irqc[PLAT_MAX_IRQC];
	unsigned nirqc;
	paddr_t clint_base;
	paddr_t test_base; /* sifive,test0 shutdown device, 0 if absent */
	unsigned nnodes;   /* 1 + the highest node of any cpu or memory range */
	/* distance-map (numa-distance-map-v1), else 10 within a node, 20 between */
	uint8_t distance[PLAT_MAX_NODES][PLAT_MAX_NODES];
	char bootargs[PLAT_BOOTARGS_MAX];
	char model[64];
};

enum plat_err {
	PLAT_OK = 0,
	PLAT_ERR_HEADER,    /* not a valid flattened device tree */
	PLAT_ERR_NO_MEMORY, /* no usable /memory node */
	PLAT_ERR_NO_CPUS,   /* no /cpus node or no cpu in it */
	PLAT_ERR_NO_TIMEBASE,
	PLAT_ERR_BOOT_HART, /* the boot hart is not a usable cpu in the tree */
};

/* Hook for warnings found while parsing (unknown UART, truncated tables...). */
typedef void (*plat_warn_fn)(const char *msg, const char *detail);

/*
 * Parse the device tree at fdt (at most fdt_size bytes are trusted to be
 * readable) into p. Harts that cannot run a CPU driver get a skip reason.
 *   requires: p points to writable storage; warn may be NULL.
 */
enum plat_err platform_parse(const void *fdt, size_t fdt_size, struct platform *p,
			     plat_warn_fn warn);

/*
 * Map sparse hart ids to dense core ids, once: the boot hart is core 0, the
 * other usable harts follow in device-tree order, at most max_cores in all
 * (the rest get a skip reason). force_hart, if it names a hart skipped for
 * its ISA or MMU, is given a core anyway (testing a hart that never starts).
 *   ensures: on PLAT_OK every cpus[i] has either a coreid or a skip reason.
 */
enum plat_err platform_assign_cores(struct platform *p, hartid_t boot_hart, unsigned max_cores,
				    hartid_t force_hart);

const char *platform_strerror(enum plat_err err);

/* Mark [base, base + size) as not free (the kernel image, the DTB). */
int platform_reserve(struct platform *p, paddr_t base, uint64_t size);

/*
 * Mark [start of the memory range holding image, image) as not free,
 * whatever the device tree says: the firmware lives there (OpenSBI at the
 * start of RAM, PMP-protected from S-mode), and a tree that lost its
 * /reserved-memory node must not hand it out. 0, or -1 if the image is in
 * no memory range or the table is full.
 */
int platform_reserve_below(struct platform *p, paddr_t image);

/*
 * Lowest align-aligned address >= from where size bytes lie inside one memory
 * range and overlap no reserved range; 0 if there is none. align: power of 2.
 */
paddr_t platform_find_free(const struct platform *p, paddr_t from, uint64_t size, uint64_t align);

/*
 * The lowest free range (page aligned, inside one memory range, overlapping
 * no reserved range) at or above from: true and *base, *size, or false.
 */
bool platform_free_range(const struct platform *p, paddr_t from, paddr_t *base, uint64_t *size);

/* Highest end address of any memory range. */
paddr_t platform_mem_end(const struct platform *p);

#define PLAT_SKIP_LIMIT "beyond the core limit"

/* The cpu entry for a hart, or NULL. */
const struct plat_cpu *platform_cpu_by_hart(const struct platform *p, hartid_t hart);

/*
 * The single-letter extensions programs may use on this hart (ISA_EXT()
 * bits): what the tree says, less what the CPU driver does not give user
 * space. F and D only together (the kernel saves FP state with fsd/fld,
 * lazily: ADR 0018); never Q or V (their state is not saved) nor H.
 */
uint32_t platform_user_isa(const struct plat_cpu *c);

/* Format the ISA flags as "rv64imafdc+sstc" into buf. */
void platform_isa_str(const struct plat_cpu *c, char *buf, size_t len);
