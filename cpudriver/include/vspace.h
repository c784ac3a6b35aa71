/* SPDX-License-Identifier: MIT */
/*
 * User address spaces built from VNode capabilities (Sv39). A VNode object
 * is 8 KiB: 512 PTEs, then 512 back-references to the CTE that mapped each
 * entry. Each Frame/DevFrame/VNode CTE holds at most one mapping, recorded in
 * the CTE (CAPF_MAPPED; badge = physical address of its first PTE; extra =
 * entries), so deleting or revoking any copy removes exactly its mapping,
 * and destroying a table forgets the mappings inside it.
 */
#pragma once

#include <abi/errors.h>
#include <caps/caps.h>

#define USER_TOP (1ul << 38) /* the lower half of Sv39 */

struct vnode_obj {
	uint64_t pte[512];
	struct cte *owner[512];
};

/* A new VNode_L2 gets the core's kernel half (entries 256-511). */
void vspace_init_root(struct vnode_obj *root);
errval_t vspace_map(struct cte *vnode, uint64_t slot, struct cte *child, uint64_t rights,
		    uint64_t offset, uint64_t pages);
errval_t vspace_unmap(struct cte *vnode, struct cte *child);
/* Remove a CTE's mapping (on_delete). */
void vspace_unmap_cte(struct cte *c);
/* The last copy of a VNode is gone: forget the mappings inside it. */
void vspace_destroy(struct cte *vnode);
#define VSPACE_READ  0x2 /* PTE R */
#define VSPACE_WRITE 0x4 /* PTE W */

/* Physical address behind a user virtual address, or 0 if not mapped with need. */
paddr_t vspace_translate(const struct capability *root, vaddr_t va, uint64_t need);
uint64_t vspace_satp(const struct capability *root);
