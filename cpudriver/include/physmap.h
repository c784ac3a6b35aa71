/* SPDX-License-Identifier: MIT */
/*
 * The physmap (kernel.h): the kernel's window on physical memory, built
 * once by the boot core from the device tree and shared read-only by every
 * core's page table (ADR 0020). It maps only what the CPU driver may touch,
 * and never with a page larger than 4 KiB over what a superpage must not
 * cover (a PMP check can fail for the whole superpage, as on the FU540):
 *
 *   - usable RAM, with the largest pages that fit (1 GiB, 2 MiB, 4 KiB);
 *   - RAM the device tree reserves (/memreserve/, /reserved-memory without
 *     no-map) with 4 KiB pages only;
 *   - nothing of no-map regions, nor of the firmware's memory below the
 *     image (platform_reserve_below());
 *   - of devices, only the 4 KiB pages the drivers use: the console UART,
 *     the PLIC's priorities, and each hart's enable bits and
 *     threshold/claim page, the sifive,test0 page.
 *
 * Pure: it writes page tables it gets from an allocator and runs on the
 * host in the unit tests on real device trees.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "platform.h"

#define PHYSMAP_TABLES_MAX 64 /* page tables the boot core sets aside */

struct physmap_alloc {
	/* A zeroed 4 KiB table and its physical address; NULL when out. */
	uint64_t *(*table)(void *ctx, paddr_t *pa);
	/* The table at physical address pa (one table gave). */
	uint64_t *(*kva)(void *ctx, paddr_t pa);
	void *ctx;
};

enum physmap_err {
	PHYSMAP_OK = 0,
	PHYSMAP_NO_TABLES, /* the allocator ran out */
	PHYSMAP_OVERLAP,   /* two things to map at one place: a broken tree */
};

/*
 * Fill the physmap's part of the Sv39 root table root (entries 256 and up)
 * for platform p, whose kernel image starts at image_pa.
 *   requires: p parsed, cores assigned; root's physmap entries empty.
 */
enum physmap_err physmap_build(uint64_t *root, const struct platform *p, paddr_t image_pa,
			       const struct physmap_alloc *a);

/*
 * The device pages the drivers use, ascending, without repeats: at most
 * max written to pages; returns how many there are.
 */
unsigned physmap_devices(const struct platform *p, paddr_t *pages, unsigned max);
