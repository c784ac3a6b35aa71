/* SPDX-License-Identifier: MIT */
/*
 * A core's kernel page table (Sv39, Privileged Spec 4.4). It lives in the
 * core's private region, so the boot core can build one for a new core in
 * memory it set aside for that core, before the core starts.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <abi/types.h>

#define KPT_L0_TABLES 4 /* image span up to 8 MiB - 2 MiB (kernel.ld asserts it) */

struct kpt {
	uint64_t root[512];
	uint64_t l1[512];		 /* the image's GiB, root[510] */
	uint64_t l0[KPT_L0_TABLES][512]; /* 4 KiB pages of the image */
	uint64_t tramp[512];		 /* the trampoline: 2 MiB pages over the image */
};

extern struct kpt kpt; /* this core's own (private .bss) */

/*
 * Fill pt (writable through the physmap; its physical address pt_pa) with:
 * the physmap, as the root entries physmap (from 256 on) of a table
 * physmap_build() filled (NULL: none yet), the image with per-section
 * permissions and its private region mapped to priv_pa, and, if
 * trampoline, an identity mapping of the image (2 MiB pages: the image is
 * a whole number of them, kernel.ld) so a starting hart survives turning
 * on the MMU. Returns the satp value.
 */
uint64_t kpt_build(struct kpt *pt, paddr_t pt_pa, paddr_t image_pa, paddr_t priv_pa,
		   const uint64_t *physmap, bool trampoline);

/* Drop the trampoline identity mapping from this core's own table. */
void kpt_drop_trampoline(paddr_t image_pa);
