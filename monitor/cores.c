// SPDX-License-Identifier: MIT
/*
 * Monitor 0's boot policy (ADR 0005): start every other core the platform
 * assigned, each in RAM from this monitor's allocator, through the Kernel
 * capability, and wait for them, bounded, sleeping between looks (woken by
 * a core's report-in IPI or the next timer tick; never spinning on another
 * core). A hart the firmware lost is started again, up to START_TRIES
 * times. The console lines are the ones the boot core used to print.
 * Each core's block is as big as the boot-time split says (rt/memsplit.h,
 * ADR 0012): what is beyond the kernel's minimum is the pool its spawnd
 * feeds its domains from. On a machine with NUMA nodes the block comes from
 * the core's own node, else from the nearest that has a piece big enough
 * (ADR 0022): the kernel data, monitor, spawnd and pool of the core all
 * live in it.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/memnode.h>
#include <rt/memsplit.h>
#include <rt/sys.h>

#include "monitor.h"
#include "roles.h"

#define START_TRIES 3
#define TICK_MS	    10 /* the kernel's timer tick */

enum { C_IDLE, C_WAITING, C_DONE };

static uint8_t phase[BOOTINFO_MAX_CORES];

static struct sysret kernel(unsigned cmd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cap_invoke(MON_KERNEL, 2, cmd, a2, a3, a4, a5, 0);
}

/* Core k's block: from its node, else the nearest with room, said. */
static errval_t block_alloc(unsigned k, uint64_t size, capaddr_t *ram)
{
	const struct bootinfo *bi = mon_bootinfo();
	unsigned n = memnode_count(bi), home = bi->cores[k].node, node;
	uint64_t largest[BOOTINFO_MAX_NODES] = {0};
	if (n == 1)
		return ram_alloc(size, ram); /* one node: as ever */
	for (unsigned i = 0; i < n; i++)
		largest[i] = ram_largest_node(bi, i);
	node = memnode_pick(bi, home, largest, size);
	if (node == MEMNODE_NONE)
		return ERR_NO_MEMORY;
	if (node != home)
		printf("reef: core %u (node %u) takes its memory from node %u: node %u has %lu KiB "
		       "in one piece, it needs %lu\n",
		       k, home, node, home, (unsigned long)(home < n ? largest[home] >> 10 : 0),
		       (unsigned long)(size >> 10));
	return ram_alloc_node(bi, node, size, ram);
}

/* Start core k; false if it will not come (reported here). */
static bool start(unsigned k, uint64_t size)
{
	unsigned hart = mon_bootinfo()->cores[k].hartid;
	capaddr_t ram;
	errval_t err = block_alloc(k, size, &ram);
	if (err) {
		printf("hart %u failed to start: no memory for core %u\n", hart, k);
		return false;
	}
	struct sysret r = kernel(KERNEL_CORE_START, k, ram, CAPADDR(CN_CHAN, 0), k);
	if (!r.err)
		return true; /* the RAM is now the core's KCB's parent: kept for good */
	if (r.err == ERR_CORE_START)
		printf("hart %u failed to start: SBI hart_start error %ld\n", hart, (long)r.v[0]);
	else
		printf("hart %u failed to start: %s\n", hart, err_str(r.err));
	ram_free(ram);
	return false;
}

/* Each other core's block: mem.core=<MiB> or the default share. */
static uint64_t block_size(const struct bootinfo *bi, uint64_t least)
{
	uint64_t mib = 0;
	bool asked = memsplit_bootarg(bi->bootargs, &mib);
	uint64_t size = memsplit_core(ram_free_bytes(), bi->ncores - 1, least, mib << 20);
	if (asked && size != mib << 20)
		printf("reef: mem.core=%lu does not fit, each core gets %lu KiB\n",
		       (unsigned long)mib, (unsigned long)(size >> 10));
	return size;
}

/* Record which cores are online in the boot information everyone maps. */
static void publish(const bool *online, unsigned n)
{
	struct bootinfo *bi = win_map(CAPADDR(CN_TASK, TASK_BOOTINFO), BOOTINFO_SIZE / 4096, true);
	if (!bi) {
		printf("monitor 0: cannot update the boot information\n");
		return;
	}
	for (unsigned k = 1; k < n; k++)
		bi->cores[k].online = online[k];
	win_unmap(CAPADDR(CN_TASK, TASK_BOOTINFO));
}

/* Core k's state now: true while it may still come (asked again if the
   firmware lost it); *up and *online count it once it is online. */
static bool look(unsigned k, bool *up, unsigned *online)
{
	struct sysret st = kernel(KERNEL_CORE_STATUS, k, 0, 0, 0);
	unsigned long hart = (unsigned long)st.v[1];
	switch (st.v[0]) {
	case KCORE_ONLINE:
		*up = true;
		(*online)++;
		phase[k] = C_DONE;
		return false;
	case KCORE_STOPPED:
		printf("hart %lu failed to start: core %u stopped during bring-up\n", hart, k);
		phase[k] = C_DONE;
		return false;
	case KCORE_LOST:
		if (st.v[2] >= START_TRIES) {
			printf("hart %lu failed to start: firmware lost %lu start requests\n", hart,
			       (unsigned long)st.v[2]);
			phase[k] = C_DONE;
			return false;
		}
		printf("reef: hart %lu is still stopped, starting it again\n", hart);
		if (kernel(KERNEL_CORE_START, k, 0, 0, 0).err) {
			printf("hart %lu failed to start: the restart failed\n", hart);
			phase[k] = C_DONE;
			return false;
		}
		return true;
	default:
		return true;
	}
}

unsigned cores_start(void)
{
	const struct bootinfo *bi = mon_bootinfo();
	struct sysret info = kernel(KERNEL_CORE_INFO, 0, 0, 0, 0);
	uint64_t size = block_size(bi, info.v[0]), wait_ms = info.v[1];
	unsigned n = bi->ncores, started = 0, online = 1;
	bool up[BOOTINFO_MAX_CORES] = {true};
	for (unsigned k = 1; k < n; k++)
		if (start(k, size)) {
			phase[k] = C_WAITING;
			started++;
		}
	wait_ms += 50ul * started;
	uint64_t deadline = mon_ticks() + wait_ms / TICK_MS;
	for (unsigned pending = started; pending;) {
		pending = 0;
		for (unsigned k = 1; k < n; k++)
			pending += phase[k] == C_WAITING && look(k, &up[k], &online);
		if (!pending || mon_ticks() >= deadline)
			break;
		struct lmp_recv m; /* a report-in IPI or the next tick */
		lmp_recv_timeout(1, &m);
	}
	for (unsigned k = 1; k < n; k++)
		if (phase[k] == C_WAITING)
			printf("hart %u failed to start: core %u did not report in within %lu ms\n",
			       bi->cores[k].hartid, k, (unsigned long)wait_ms);
	printf("reef: %u cores online\n", online);
	publish(up, n);
	return online;
}
