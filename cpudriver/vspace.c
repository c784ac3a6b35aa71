// SPDX-License-Identifier: MIT
/* Sv39 user page tables from VNode capabilities (Privileged Spec 4.4). */
#include <string.h>

#include <arch/csr.h>
#include <arch/kpt.h>

#include "kernel.h"
#include "vspace.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)

static struct vnode_obj *vnode_of(const struct capability *c)
{
	return pa2kva(c->base);
}

static uint64_t kva2pa(const void *p)
{
	return (uint64_t)(uintptr_t)p - PHYSMAP_BASE;
}

void vspace_init_root(struct vnode_obj *root)
{
	for (unsigned i = 256; i < 512; i++)
		root->pte[i] = kpt.root[i];
}

/* The child type a table of this type takes. */
static uint8_t child_type(uint8_t vnode)
{
	switch (vnode) {
	case OBJ_VNODE_L2:
		return OBJ_VNODE_L1;
	case OBJ_VNODE_L1:
		return OBJ_VNODE_L0;
	default:
		return OBJ_FRAME;
	}
}

static errval_t map_check(const struct cte *vnode, uint64_t slot, const struct cte *child,
			  uint64_t rights, uint64_t offset, uint64_t pages)
{
	uint8_t vt = vnode->cap.type, ct = child->cap.type;
	if (vt != OBJ_VNODE_L2 && vt != OBJ_VNODE_L1 && vt != OBJ_VNODE_L0)
		return ERR_CAP_TYPE;
	if (!(vnode->cap.rights & CAP_RIGHT_WRITE))
		return ERR_CAP_RIGHTS;
	if (child->cap.type == OBJ_NULL)
		return ERR_CAP_EMPTY;
	bool leaf = vt == OBJ_VNODE_L0;
	if (leaf ? (ct != OBJ_FRAME && ct != OBJ_DEVFRAME) : ct != child_type(vt))
		return ERR_VM_LEVEL;
	if (child->cap.flags & CAPF_MAPPED)
		return ERR_VM_MAPPED;
	uint64_t limit = vt == OBJ_VNODE_L2 ? USER_TOP >> 30 : 512;
	if (pages == 0 || slot >= limit || pages > limit - slot)
		return ERR_VM_ADDR;
	if (!leaf)
		return pages == 1 && offset == 0 ? ERR_OK : ERR_SYS_ARG;
	if ((rights & ~(uint64_t)(CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXECUTE)) ||
	    !(rights & CAP_RIGHT_READ) || (rights & ~(uint64_t)child->cap.rights))
		return ERR_CAP_RIGHTS;
	uint64_t npages = child->cap.size / OBJSIZE_PAGE;
	if (offset > npages || pages > npages - offset)
		return ERR_VM_ADDR;
	return ERR_OK;
}

errval_t vspace_map(struct cte *vnode, uint64_t slot, struct cte *child, uint64_t rights,
		    uint64_t offset, uint64_t pages)
{
	errval_t err = map_check(vnode, slot, child, rights, offset, pages);
	if (err)
		return err;
	struct vnode_obj *t = vnode_of(&vnode->cap);
	for (uint64_t i = 0; i < pages; i++)
		if (t->pte[slot + i] & PTE_V)
			return ERR_VM_MAPPED;
	bool leaf = vnode->cap.type == OBJ_VNODE_L0;
	uint64_t flags = PTE_V;
	if (leaf)
		flags |= PTE_U | PTE_A | PTE_D | PTE_R | ((rights & CAP_RIGHT_WRITE) ? PTE_W : 0) |
			 ((rights & CAP_RIGHT_EXECUTE) ? PTE_X : 0);
	for (uint64_t i = 0; i < pages; i++) {
		paddr_t pa = child->cap.base + (offset + i) * OBJSIZE_PAGE;
		t->pte[slot + i] = ((pa >> 12) << 10) | flags;
		t->owner[slot + i] = child;
	}
	child->cap.flags |= CAPF_MAPPED;
	child->cap.badge = kva2pa(&t->pte[slot]);
	child->cap.extra = (uint32_t)pages;
	arch_tlb_flush_all();
	if (flags & PTE_X) /* code written into the frame before it was mapped */
		icache_sync();
	return ERR_OK;
}

void vspace_unmap_cte(struct cte *c)
{
	if (!(c->cap.flags & CAPF_MAPPED))
		return;
	uint64_t *pte = pa2kva(c->cap.badge);
	struct cte **owner = (struct cte **)(pte + 512);
	for (uint32_t i = 0; i < c->cap.extra; i++) {
		pte[i] = 0;
		owner[i] = NULL;
	}
	c->cap.flags &= (uint16_t)~CAPF_MAPPED;
	c->cap.badge = 0;
	c->cap.extra = 0;
	arch_tlb_flush_all();
}

errval_t vspace_unmap(struct cte *vnode, struct cte *child)
{
	uint8_t vt = vnode->cap.type;
	if (vt != OBJ_VNODE_L2 && vt != OBJ_VNODE_L1 && vt != OBJ_VNODE_L0)
		return ERR_CAP_TYPE;
	if (!(vnode->cap.rights & CAP_RIGHT_WRITE))
		return ERR_CAP_RIGHTS;
	if (child->cap.type == OBJ_NULL)
		return ERR_CAP_EMPTY;
	if (!(child->cap.flags & CAPF_MAPPED))
		return ERR_VM_NOT_MAPPED;
	if (child->cap.badge < vnode->cap.base || child->cap.badge >= vnode->cap.base + 4096)
		return ERR_VM_NOT_MAPPED; /* mapped, but in another table */
	vspace_unmap_cte(child);
	return ERR_OK;
}

void vspace_destroy(struct cte *vnode)
{
	struct vnode_obj *t = vnode_of(&vnode->cap);
	unsigned n = vnode->cap.type == OBJ_VNODE_L2 ? 256 : 512;
	for (unsigned i = 0; i < n; i++) {
		struct cte *c = t->owner[i];
		if (c && (c->cap.flags & CAPF_MAPPED) && c->cap.badge == kva2pa(&t->pte[i])) {
			c->cap.flags &= (uint16_t)~CAPF_MAPPED;
			c->cap.badge = 0;
			c->cap.extra = 0;
		}
	}
	arch_tlb_flush_all();
}

paddr_t vspace_translate(const struct capability *root, vaddr_t va, uint64_t need)
{
	if (root->type != OBJ_VNODE_L2 || va >= USER_TOP)
		return 0;
	const uint64_t *t = vnode_of(root)->pte;
	for (int lvl = 2; lvl >= 0; lvl--) {
		uint64_t e = t[(va >> (12 + 9 * lvl)) & 511];
		if (!(e & PTE_V))
			return 0;
		if (e & (PTE_R | PTE_X)) {
			if (lvl != 0 || !(e & PTE_U) || (e & need) != need)
				return 0;
			return ((e >> 10) << 12) | (va & 4095);
		}
		t = pa2kva((e >> 10) << 12);
	}
	return 0;
}

uint64_t vspace_satp(const struct capability *root)
{
	return SATP_MODE_SV39 | (root->base >> 12);
}
