// SPDX-License-Identifier: MIT
/*
 * Kernel page tables. Sv39: 3 levels of 512 8-byte PTEs; a leaf at the root
 * maps 1 GiB, at level 1 2 MiB, at level 0 4 KiB. PTE = PPN << 10 | flags.
 * A/D are preset so hardware without A/D updates (the U74 faults instead)
 * never traps on kernel mappings. G marks mappings present in every address
 * space of this core.
 */
#include <string.h>

#include <arch/csr.h>
#include <arch/kpt.h>

#include "kernel.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)

struct kpt kpt __attribute__((aligned(PAGE_SIZE)));

static uint64_t pte(paddr_t pa, uint64_t flags)
{
	return ((pa >> 12) << 10) | flags | PTE_V;
}

static uint64_t leaf_flags(uintptr_t va)
{
	if (va < (uintptr_t)__text_end)
		return PTE_R | PTE_X | PTE_A | PTE_G;
	if (va < (uintptr_t)__rodata_end)
		return PTE_R | PTE_A | PTE_G;
	if (va < (uintptr_t)__priv_end) /* .shared and the private region */
		return PTE_R | PTE_W | PTE_A | PTE_D | PTE_G;
	return PTE_R | PTE_A | PTE_G; /* pristine .data copy, early table */
}

static paddr_t image_page_pa(uintptr_t va, paddr_t image_pa, paddr_t priv_pa)
{
	if (va >= (uintptr_t)__priv_start && va < (uintptr_t)__priv_end)
		return priv_pa + (va - (uintptr_t)__priv_start);
	return image_pa + (va - (uintptr_t)__image_start);
}

uint64_t kpt_build(struct kpt *pt, paddr_t pt_pa, paddr_t image_pa, paddr_t priv_pa,
		   const uint64_t *physmap, bool trampoline)
{
	memset(pt, 0, sizeof(*pt));
	for (unsigned g = 0; physmap && g < PHYSMAP_SIZE / GIB; g++)
		pt->root[256 + g] = physmap[256 + g];

	pt->root[510] = pte(pt_pa + offsetof(struct kpt, l1), 0);
	unsigned first = (KERNEL_VBASE >> 21) & 511;
	for (uintptr_t va = (uintptr_t)__image_start; va < (uintptr_t)__image_end;
	     va += PAGE_SIZE) {
		unsigned i1 = (va >> 21) & 511, i0 = (va >> 12) & 511;
		pt->l1[i1] = pte(pt_pa + offsetof(struct kpt, l0[i1 - first]), 0);
		pt->l0[i1 - first][i0] = pte(image_page_pa(va, image_pa, priv_pa), leaf_flags(va));
	}
	if (trampoline) { /* identity, read and execute: entry.S's path to the high mapping */
		uint64_t size = (uint64_t)(__image_end - __image_start);
		for (uint64_t off = 0; off < size; off += 1ul << 21)
			pt->tramp[((image_pa + off) >> 21) & 511] =
			    pte(image_pa + off, PTE_R | PTE_X | PTE_A);
		pt->root[image_pa / GIB] = pte(pt_pa + offsetof(struct kpt, tramp), 0);
	}
	return SATP_MODE_SV39 | (pt_pa >> 12);
}

void kpt_drop_trampoline(paddr_t image_pa)
{
	kpt.root[image_pa / GIB] = 0;
	arch_tlb_flush_all();
}
