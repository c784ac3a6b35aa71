/* SPDX-License-Identifier: MIT */
/*
 * How monitor 0 splits RAM among the cores at boot (ADR 0012). Pure: no
 * system calls, tested on the host (tests/unit/test_memsplit.c).
 *
 * Each core k > 0 gets one block when it starts: its kernel, its monitor
 * and the pool its spawnd builds and feeds its domains from. Core 0 keeps
 * the rest for memserv. The boot argument mem.core=<MiB> (before run=)
 * sets the block; without it each core gets a share of half the free RAM,
 * MEMSPLIT_DEFAULT_MAX at most. Never less than the kernel's minimum
 * (KERNEL_CORE_INFO), and never so much that core 0 keeps less than
 * MEMSPLIT_KEEP0: a block that does not fit is made smaller.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MEMSPLIT_DEFAULT_MAX (64ull << 20)
#define MEMSPLIT_KEEP0	     (64ull << 20) /* core 0: memserv, its services, the shell */
#define MEMSPLIT_MAX_MIB     (1ull << 20)  /* mem.core= beyond this (1 TiB) is refused */

/* mem.core=<MiB> in the boot arguments before run=: true and *mib if it
   is there and a number from 1 to MEMSPLIT_MAX_MIB. */
bool memsplit_bootarg(const char *bootargs, uint64_t *mib);

/*
 * The bytes of each other core's block (a multiple of 64 KiB): free is the
 * RAM monitor 0 has, others the cores to start besides core 0, least the
 * kernel's minimum, asked the bytes mem.core= asked for (0: the default).
 * Returns least when even that does not leave core 0 MEMSPLIT_KEEP0 (the
 * cores still start, as before; some may find no memory).
 */
uint64_t memsplit_core(uint64_t free, unsigned others, uint64_t least, uint64_t asked);
