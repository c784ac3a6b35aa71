/* SPDX-License-Identifier: MIT */
/*
 * Capability types, rights and cspace addressing: the parts of the
 * capability model user space sees.
 *
 * CSpace: two levels. A domain's root is an L1 CNode whose slots hold L2
 * CNode capabilities; an L2 CNode has 256 slots. A capability address
 * (capaddr_t, 32 bits) is  L1 index << 8 | L2 index.  Resolving it at
 * level 2 names the slot in the L2 CNode; at level 1 it names the L1 slot
 * (the L2 CNode capability itself), using only  addr >> 8.
 */
#pragma once

#include <stdint.h>

typedef uint32_t capaddr_t;

#define CSPACE_L2_BITS	8
#define CSPACE_L2_SLOTS (1u << CSPACE_L2_BITS)
#define CAPADDR_L1(a)	((a) >> CSPACE_L2_BITS)
#define CAPADDR_L2(a)	((a) & (CSPACE_L2_SLOTS - 1))
#define CAPADDR(l1, l2) (((capaddr_t)(l1) << CSPACE_L2_BITS) | (l2))

enum objtype {
	OBJ_NULL = 0,
	OBJ_PHYSADDR,	/* raw physical address range (root of all memory) */
	OBJ_RAM,	/* untyped RAM: retype into anything */
	OBJ_DEVFRAME,	/* device registers, mappable */
	OBJ_FRAME,	/* RAM mappable into a vspace */
	OBJ_L1CNODE,	/* root of a cspace */
	OBJ_L2CNODE,	/* 256 slots */
	OBJ_VNODE_L2,	/* Sv39 root page table (level 2, 1 GiB per entry) */
	OBJ_VNODE_L1,	/* Sv39 level-1 table (2 MiB per entry) */
	OBJ_VNODE_L0,	/* Sv39 level-0 table (4 KiB pages) */
	OBJ_DISPATCHER, /* a schedulable domain on one core */
	OBJ_ENDPOINT,	/* LMP endpoint of a dispatcher */
	OBJ_KERNEL,	/* authority over the CPU driver (monitors only) */
	OBJ_IRQ,	/* one interrupt line */
	OBJ_ID,		/* a unique identifier */
	OBJ_KCB,	/* a started core's kernel and monitor memory (ADR 0005) */
	OBJ_NOTIFY,	/* wakes the endpoint bound to a slot of one core (ADR 0010) */
	OBJ_TYPE_COUNT
};

/* Rights. Every invocation checks the ones it needs (abi/invocations.h). */
#define CAP_RIGHT_READ	  (1u << 0) /* map readable; look up / copy out of a CNode */
#define CAP_RIGHT_WRITE	  (1u << 1) /* map writable; modify: retype, store into a CNode */
#define CAP_RIGHT_EXECUTE (1u << 2) /* map executable */
#define CAP_RIGHT_GRANT	  (1u << 3) /* may be sent to another domain */
#define CAP_RIGHTS_ALL	  0xfu

/* Object sizes (bytes). */
#define OBJSIZE_PAGE	   4096u
#define OBJSIZE_L2CNODE	   (CSPACE_L2_SLOTS * 64u) /* 256 slots of 64-byte CTEs */
#define OBJSIZE_VNODE	   8192u		   /* 4 KiB of PTEs + 4 KiB of back-references */
#define OBJSIZE_DISPATCHER 4096u

/*
 * Notifications (ADR 0010). Each core's kernel has NOTIFY_SLOTS slots, each
 * bound to an endpoint or free. A Notify capability names (core, slot,
 * generation): identify reports base = NOTIFY_BASE(core, slot), size = the
 * generation (never 0), owner = the core. Sending on it delivers an LMP
 * message with words[0] = NOTIFY_EVENT, words[1] = the slot, words[2] = its
 * generation to the bound endpoint, with that endpoint's badge.
 */
#define NOTIFY_SLOTS		256
#define NOTIFY_BASE(core, slot) ((uint64_t)(core) << 32 | (uint32_t)(slot))
#define NOTIFY_CORE(base)	((base) >> 32)
#define NOTIFY_SLOT(base)	((base)&0xffffffffu)
#define NOTIFY_EVENT		0x6e6f74696679ull /* "notify" */

/* What identify reports about a capability. */
struct cap_info {
	uint32_t type;
	uint32_t rights;
	uint64_t base;
	uint64_t size;
	uint64_t badge;
	uint32_t owner; /* the core whose monitor sequences it (docs/protocol.md) */
};
