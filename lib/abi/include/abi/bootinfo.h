/* SPDX-License-Identifier: MIT */
/*
 * What the kernel hands to init: its cspace layout and the boot information
 * page mapped at BOOTINFO_VADDR (a0 at entry).
 *
 * init's L1 CNode has 256 slots; the first hold L2 CNodes:
 *   CN_TASK    its own capabilities (TASK_*)
 *   CN_PAGE    its page tables
 *   CN_BASE    its frames: program segments, stack, boot information
 *   CN_MEM     RAM capabilities for all free memory (bootinfo.mem[i] = slot i)
 *   CN_MODULE  read-only frames holding the boot modules' ELF files
 *   CN_DEV     DEV_* device frames and IRQ capabilities
 *   CN_CHAN    frames shared with other cores' monitors for UMP channels:
 *              on core 0 slot k is the channel to core k; on core k > 0
 *              slot 0 is its channel to core 0 (see monitor/README.md)
 *   CN_SLOT0.. empty, for init's slot allocator
 */
#pragma once

#include <stdint.h>

#include "caps.h"

enum {
	CN_TASK,
	CN_PAGE,
	CN_BASE,
	CN_MEM,
	CN_MODULE,
	CN_DEV,
	CN_CHAN,
	CN_SLOT0,
	CN_SLOT1,
	CN_FIRST_FREE
};

enum {
	TASK_DISP = 0,	   /* own Dispatcher */
	TASK_ROOTCN = 1,   /* own L1CNode */
	TASK_VROOT = 2,	   /* own VNode_L2 */
	TASK_EP = 3,	   /* an Endpoint to itself */
	TASK_KERNEL = 4,   /* Kernel (init, and later monitors, only) */
	TASK_BOOTINFO = 5, /* the boot information frame */
	TASK_RECV = 6,	   /* where capabilities sent to it land by default */
};

enum { DEV_UART = 0, DEV_UART_IRQ = 1 };

#define BOOTINFO_VADDR	0x10000000ul
#define BOOTINFO_SIZE	16384u
#define USER_STACK_TOP	0x7ff00000ul
#define USER_STACK_SIZE (64u * 1024)

#define BOOTINFO_MAX_MEM     (CSPACE_L2_SLOTS)
#define BOOTINFO_MAX_MODULES 16
#define BOOTINFO_MAX_CORES   128
#define BOOTINFO_MAX_NODES   16 /* NUMA nodes (ADR 0022) */
#define BOOTINFO_MAX_RANGES  16 /* the machine's memory ranges */

struct bootinfo_module {
	char name[24];
	uint64_t size; /* bytes of ELF in the frame */
};

struct bootinfo_core {
	uint32_t hartid;
	uint32_t online; /* its CPU driver reported in (and runs a monitor) */
	char isa[24];
	uint16_t node;	  /* NUMA node (the device tree's numa-node-id, else 0) */
	uint16_t cluster; /* cluster (cpu-map, in tree order; without one: node) */
	/* The single-letter extensions programs may use there (BOOTINFO_ISA()):
	   the device tree's, F and D only together, never Q, V or H (ADR 0018). */
	uint32_t isa_user;
	uint8_t mmu; /* its MMU: 39, 48 or 57 (Sv39, Sv48, Sv57) */
};

#define BOOTINFO_ISA(c) (1u << ((c) - 'a'))

struct bootinfo {
	uint64_t magic; /* BOOTINFO_MAGIC */
	uint32_t coreid;
	uint32_t ncores;
	uint32_t nmem;
	uint32_t nmodules;
	uint64_t mem_total; /* bytes in CN_MEM */
	uint32_t uart_kind; /* 1 = ns16550a, 2 = SiFive */
	uint32_t uart_irq;
	uint64_t uart_base;
	uint32_t uart_reg_shift;
	uint32_t timebase; /* Hz of the time CSR (rdtime) */
	/* The counters this core's programs may read: BOOTINFO_CYCLE (rdcycle),
	   BOOTINFO_TIME (rdtime), BOOTINFO_INSTRET (rdinstret); the firmware
	   decides which S-mode may read, the kernel passes those on. */
	uint32_t counters;
	char bootargs[256];
	struct bootinfo_module modules[BOOTINFO_MAX_MODULES];
	struct bootinfo_core cores[BOOTINFO_MAX_CORES];
	struct bootinfo_range {
		uint64_t base, size;
		uint32_t node; /* NUMA node (ADR 0022) */
	} mem[BOOTINFO_MAX_MEM];
	/* Where memory is (ADR 0022): the machine's memory ranges (the device
	   tree's, reserved parts included), each on one node; nodes are 0 to
	   nnodes - 1, distance[a][b] 10 within a node (distance-map, else 20
	   between nodes). */
	uint32_t nnodes;
	uint32_t nranges;
	struct bootinfo_range ranges[BOOTINFO_MAX_RANGES];
	uint8_t distance[BOOTINFO_MAX_NODES][BOOTINFO_MAX_NODES];
};

#define BOOTINFO_MAGIC 0x666e49746f6f42ull /* "BootInf" */

#define BOOTINFO_CYCLE	 1u
#define BOOTINFO_TIME	 2u
#define BOOTINFO_INSTRET 4u

_Static_assert(sizeof(struct bootinfo) <= BOOTINFO_SIZE, "bootinfo fits its frame");
