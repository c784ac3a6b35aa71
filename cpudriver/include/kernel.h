/* SPDX-License-Identifier: MIT */
/*
 * CPU driver core definitions: the address-space layout and the kernel
 * control block (KCB). Every core has its own KCB: `kcb` is a C global in the
 * per-core private region (ADR 0002), so each core sees only its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/types.h>

#include <caps/caps.h>

#include "irq.h"
#include "notify.h"
#include "platform.h"

#ifndef CONFIG_MAX_CORES
#define CONFIG_MAX_CORES 128
#endif
#define CONFIG_HZ	    100	 /* timer ticks per second */
#define CONFIG_BOOT_WAIT_MS 5000 /* how long the boot core waits for others */

#define PAGE_SIZE 4096ul
#define GIB	  (1ul << 30)

/*
 * Sv39 kernel address space (every core has the same layout):
 *   0xffffffc000000000  physmap: all physical memory below PHYSMAP_SIZE
 *   0xffffffff80200000  the CPU driver image (text, rodata shared; data/bss private)
 * The lower half belongs to user space.
 */
#define PHYSMAP_BASE		  0xffffffc000000000ul
#define PHYSMAP_SIZE		  (254ul * GIB)
#define KERNEL_VBASE		  0xffffffff80200000ul
#define KERNEL_PHYS_OFFSET_IN_GIB 0x200000ul /* the image must sit at 2 MiB into a GiB */

static inline void *pa2kva(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + PHYSMAP_BASE);
}

/* Boot-argument test hooks (bootargs.h), so tests can reach the error paths. */
enum test_hook { HOOK_NONE, HOOK_CRASH, HOOK_STOP_ONCE };

/* What a core needs to know about the machine, handed over by the boot core. */
struct kconf {
	coreid_t coreid;
	hartid_t hartid;
	hartid_t boot_hart;
	uint32_t ncores_max;
	uint32_t test_hook; /* enum test_hook: misbehave on purpose during bring-up */
	uint32_t attempt;   /* which hart_start attempt this is, from 1 */
	uint64_t timebase_hz;
	uint64_t isa;	     /* this hart's ISA_* flags */
	paddr_t image_pa;    /* the shared CPU driver image */
	paddr_t physmap_end; /* end of the physmap this core maps */
	struct plat_uart uart;
	struct irq_conf irq; /* the interrupt controller with this hart's context */
};

struct dcb;

/* What the first domain of a core (its monitor) is built from. */
#define MONITOR_BUILD_MEM (1ul << 20) /* its cspace, vspace, program, stack */
/* The least RAM it gets on a core other than 0 (and its spawnd): monitor 0
   may give more (mem.core=, ADR 0012). */
#define MONITOR_RAM  (4ul << 20)
#define BOOTARGS_MAX 256

struct core_user {
	paddr_t mem;	   /* MONITOR_BUILD_MEM + ram_size bytes (0: no user space) */
	uint64_t ram_size; /* at least MONITOR_RAM */
	paddr_t chan;	   /* one page shared with core 0's monitor (UMP channel) */
	uint32_t ncores;   /* cores the boot core assigned */
	hartid_t harts[CONFIG_MAX_CORES];    /* core id -> hart id */
	uint8_t online[CONFIG_MAX_CORES];    /* started (core 0 fills this in) */
	uint16_t node[CONFIG_MAX_CORES];     /* core id -> NUMA node */
	uint16_t cluster[CONFIG_MAX_CORES];  /* core id -> cluster */
	uint32_t isa_user[CONFIG_MAX_CORES]; /* core id -> platform_user_isa() */
	uint8_t mmu[CONFIG_MAX_CORES];	     /* core id -> enum plat_mmu */
	char bootargs[BOOTARGS_MAX];
	/* Where memory is (ADR 0022): the memory ranges and their nodes, the
	   node count and distances, as the boot core parsed them. */
	uint32_t nnodes, nranges;
	struct plat_range ranges[PLAT_MAX_MEM];
	uint8_t distance[PLAT_MAX_NODES][PLAT_MAX_NODES];
};

struct kcb {
	struct kconf conf;
	struct caps_env caps; /* this core's capability database */
	struct dcb *current;  /* running (or last run) dispatcher, NULL when none */
	struct dcb *runq;     /* round-robin ring of RUNNABLE dispatchers */
	struct dcb *sleepq;   /* BLOCKED dispatchers with a timeout */
	uint32_t next_domain_id;
	paddr_t priv_pa;    /* this core's private region */
	paddr_t handoff_pa; /* handoff page from core_start(); 0 on the boot core */
	bool online;	    /* reported in (set before the mailbox is written) */
	uint64_t tick_interval;
	uint64_t next_tick;
	uint64_t ticks;
	uint64_t ipis;
	uint64_t fencei;      /* icache_sync()s: fence.i executed */
	struct dcb *fp_owner; /* whose state the f registers hold (fp.c, ADR 0018) */
	uint64_t fp_traps;    /* FP given to a dispatcher on its first FP instruction */
	uint64_t fp_saves;    /* a Dirty owner's f registers saved */
	bool timer_ready;
	uint32_t ndomains;	    /* live dispatcher objects on this core */
	struct cte ipi_ep;	    /* endpoint notification IPIs are delivered to */
	bool ipi_pending;	    /* an IPI arrived and is not yet delivered */
	struct notify_table notify; /* bound notification slots (notify.c) */
	struct core_user user;	    /* machine facts for this core's user space */
};

extern struct kcb kcb;

/* Linker-script symbols (kernel.ld). */
extern char __image_start[], __text_end[], __rodata_end[], __priv_start[], __data_end[];
extern char __bss_start[], __bss_end[], __priv_end[], __data_pristine[], __image_end[];
extern char _secondary_start[];

static inline paddr_t image_sym_pa(const void *sym)
{
	return kcb.conf.image_pa + (paddr_t)((uintptr_t)sym - (uintptr_t)__image_start);
}

/* timer.c */
void timer_init(void);
void irq_poll(void);
void core_nap(uint64_t until);
uint64_t ms_to_ticks(uint64_t ms);

/* dispatch.c: fence.i on this core, counted (KERNEL_STATUS). Before a
   dispatcher first runs, when a page is mapped executable, and once as a
   core starts: code written since then is what this core fetches. */
void icache_sync(void);

/* trap.c */
void trap_init(void);
void __attribute__((noreturn)) core_stop(void);

/* boot.c: power the machine off (status 0 = success). */
void __attribute__((noreturn)) kernel_poweroff(unsigned status);

/* capsys.c */
void capsys_init(void);
/* Make a capability out of nothing: boot only, for memory the kernel owns. */
void capsys_forge(struct cte *cte, enum objtype type, uint64_t base, uint64_t size, uint8_t rights);

/* Initialise objects a retype just made (zero them; tables, dispatchers). */
void capsys_retype_init(struct cte *objs, uint32_t count);

/* main.c */
void __attribute__((noreturn)) core_idle(void);
void core_report_online(void);
