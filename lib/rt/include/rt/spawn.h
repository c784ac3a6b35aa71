/* SPDX-License-Identifier: MIT */
/*
 * Start a domain from an ELF image in a frame. All of the new domain is
 * retyped from one RAM capability (from ram_alloc), so killing it is one
 * revoke, after which every byte is back.
 *
 * The parent keeps the child's capabilities in an L2 CNode in one of its own
 * L1 slots (the "handle" CNode, SPAWN_H_*); the child's cspace has the
 * standard layout of abi/bootinfo.h (CN_TASK, CN_PAGE, CN_BASE, CN_SLOT0).
 */
#pragma once

#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>

enum {
	SPAWN_H_L1 = 0,	  /* the child's L1 CNode */
	SPAWN_H_TASK = 1, /* its L2 CNodes: CN_TASK, CN_PAGE, CN_BASE, CN_SLOT0, CN_SLOT1 */
	SPAWN_H_DISP = 6,
	SPAWN_H_VROOT = 7,
	SPAWN_H_EP = 8,	   /* an endpoint to the child */
	SPAWN_H_FIRST = 9, /* page tables and frames */
};

#define SPAWN_DEFAULT_RAM (1u << 20)

/* The child's page tables, made on first use: per GiB an L1, per 2 MiB an L0. */
struct spawn_tables {
	uint64_t gib[4];
	capaddr_t l1[4];
	uint64_t blk[16];
	capaddr_t l0[16];
	unsigned n1, n0;
};

struct child {
	unsigned l1;	   /* the handle CNode's L1 slot in the parent; 0 = unused */
	capaddr_t ram;	   /* the RAM everything came from */
	uint64_t ram_used; /* bytes of it used so far */
	uint64_t ram_size;
	uint8_t own_ram; /* ram came from ram_alloc: free it on kill */
	uint32_t next;	 /* next free slot in the handle CNode */
	char name[24];
	struct spawn_tables t;
};

static inline capaddr_t child_cap(const struct child *c, unsigned i)
{
	return CAPADDR(c->l1, i);
}

/* What a new domain finds at ARGS_VADDR besides its name (abi/args.h). */
struct spawn_args {
	const char *block; /* its arguments, each ending in a NUL, back to back */
	uint32_t bytes;	   /* their length (0: none) */
	uint64_t domain;   /* its id, for rt_domain() */
};

/*
 * Build a domain from the ELF in the frame at elf_frame (elf_size bytes) in
 * ram_bytes of new RAM, with arg in a0 and argv = {name}; leaves it stopped
 * (spawn_run starts).
 */
errval_t spawn_elf(struct child *c, const char *name, capaddr_t elf_frame, uint64_t elf_size,
		   uint64_t ram_bytes, uint64_t arg);
/* The same, in RAM the caller provides (on failure the caller frees it),
   with arguments and its id (args may be NULL: none). */
errval_t spawn_elf_in(struct child *c, const char *name, capaddr_t elf_frame, uint64_t elf_size,
		      capaddr_t ram, uint64_t ram_bytes, uint64_t arg,
		      const struct spawn_args *args);
errval_t spawn_run(struct child *c);
/* Start it with its console tag (ADR 0013): its domain number, shown as
   [core.number] before its lines, or DISP_RUN_PLAIN for none. */
errval_t spawn_run_as(struct child *c, uint64_t console);
/* Map pages of a frame (from our cspace) into the child at va (one 2 MiB block). */
errval_t spawn_map(struct child *c, uint64_t va, capaddr_t frame, uint64_t pages, uint64_t rights);
/* Copy a capability into the child's CN_TASK slot. */
errval_t spawn_give(struct child *c, unsigned task_slot, capaddr_t src, uint8_t rights);
/* Mint an endpoint with a badge into the child's CN_TASK (or CN_BASE) slot. */
errval_t spawn_give_badged(struct child *c, unsigned l2, unsigned slot, capaddr_t ep,
			   uint64_t badge);
/* Carve bytes of the child's own RAM into a RAM capability in its CN_TASK slot. */
errval_t spawn_give_ram(struct child *c, unsigned task_slot, uint64_t bytes);
/* Stop the domain; with RAM from spawn_elf, give it all back (a revoke).
 * With spawn_elf_in the caller frees its RAM, which destroys the domain. */
errval_t spawn_kill(struct child *c);
/* DISP_STATUS of the child: state, faults, exit status. */
errval_t spawn_status(const struct child *c, uint64_t *state, uint64_t *faults, int64_t *status);
