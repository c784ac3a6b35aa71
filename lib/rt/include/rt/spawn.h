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
	SPAWN_H_TASK = 1, /* its L2 CNodes: CN_TASK, CN_PAGE, CN_BASE, CN_SLOT0 */
	SPAWN_H_DISP = 5,
	SPAWN_H_VROOT = 6,
	SPAWN_H_EP = 7,	   /* an endpoint to the child */
	SPAWN_H_FIRST = 8, /* page tables and frames */
};

#define SPAWN_DEFAULT_RAM (1u << 20)

struct child {
	unsigned l1;   /* the handle CNode's L1 slot in the parent; 0 = unused */
	capaddr_t ram; /* the RAM everything came from */
	uint32_t next; /* next free slot in the handle CNode */
	uint32_t id;   /* kernel domain id */
	char name[24];
};

static inline capaddr_t child_cap(const struct child *c, unsigned i)
{
	return CAPADDR(c->l1, i);
}

/*
 * Build a domain from the ELF in the frame at elf_frame (elf_size bytes) in
 * ram_bytes of new RAM, with arg in a0; leaves it stopped (spawn_run starts).
 */
errval_t spawn_elf(struct child *c, const char *name, capaddr_t elf_frame, uint64_t elf_size,
		   uint64_t ram_bytes, uint64_t arg);
errval_t spawn_run(struct child *c);
/* Stop the domain and give all its memory back. */
errval_t spawn_kill(struct child *c);
/* DISP_STATUS of the child: state, faults, exit status. */
errval_t spawn_status(const struct child *c, uint64_t *state, uint64_t *faults, int64_t *status);
