// SPDX-License-Identifier: MIT
/*
 * bench: cross-core revocation, run by the shell's `bench`. For each number
 * of holders k (0, 1, 2, 4, ... up to every other core) a frame is shared
 * with k cores and then revoked everywhere, ROUNDS times, in three ways:
 *
 *   targeted   Reef: only the cores that may hold a copy or descendant,
 *              in one pass down a binary tree (each core passes it on to
 *              two more): 2k messages
 *   star       the same cores, but the owner asks each one itself: 2k
 *   broadcast  Barrelfish's way: the owner asks every core itself, mark
 *              then sweep: 4(N-1)
 *
 * One line per case, for scripts:
 *   bench revoke cores=N holders=k mode=M msgs=X depth=D ticks_median=T ticks_min=U
 * msgs counts the inter-monitor messages of one revoke (all monitors),
 * depth the hops on its critical path (a request and its answer: 2);
 * ticks are `time` CSR ticks (bootinfo timebase) around the whole request,
 * from the domain's view. Under QEMU's TCG the time base follows the host
 * clock: compare ratios within one run, not absolute numbers.
 */
#include <stdio.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/sys.h>

#define ROUNDS 15

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static uint64_t now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* Share a fresh frame with the first k other cores, revoke it; time that. */
static errval_t one(unsigned k, uint64_t flags, uint64_t *ticks, uint64_t *msgs, uint64_t *depth)
{
	capaddr_t ram, f = slot_alloc();
	union monitor_rep rep;
	errval_t err = ram_alloc(OBJSIZE_PAGE, &ram);
	if (!err)
		err = cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
				 CAPADDR_L2(f));
	for (unsigned c = 1, given = 0; !err && given < k && c < bi->ncores; c++)
		if (bi->cores[c].online) {
			err = monitor_ask((union monitor_req){.share = {MONITOR_SHARE, .core = c}},
					  f, &rep);
			given++;
		}
	uint64_t t0 = now();
	if (!err)
		err = monitor_revoke(f, flags, &rep);
	*ticks = now() - t0;
	*msgs = rep.revoke.msgs;
	*depth = rep.revoke.depth;
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	errval_t e2 = ram_free(ram);
	return err ? err : e2;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	unsigned online = 0;
	for (unsigned c = 0; c < bi->ncores; c++)
		online += bi->cores[c].online;
	errval_t err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	if (!err)
		err = win_init();
	if (!err)
		err = monitor_bind();
	if (err) {
		printf("bench: cannot start: %s\n", err_str(err));
		return 1;
	}
	printf("bench: revoke, %u cores, %u rounds, timebase %lu Hz\n", online, ROUNDS,
	       (unsigned long)bi->timebase);
	for (unsigned k = 0;; k = k ? 2 * k : 1) {
		if (k > online - 1)
			k = online - 1;
		static const char *const names[] = {"targeted", "star", "broadcast"};
		static const uint64_t modes[] = {0, MON_REVOKE_STAR, MON_REVOKE_BROADCAST};
		for (unsigned mode = 0; mode < 3; mode++) {
			uint64_t t[ROUNDS], msgs = 0, depth = 0;
			for (unsigned r = 0; r < ROUNDS; r++) {
				err = one(k, modes[mode], &t[r], &msgs, &depth);
				if (err) {
					printf("bench: holders=%u: %s\n", k, err_str(err));
					return 1;
				}
			}
			sort(t, ROUNDS);
			printf("bench revoke cores=%u holders=%u mode=%s msgs=%lu depth=%lu "
			       "ticks_median=%lu ticks_min=%lu\n",
			       online, k, names[mode], (unsigned long)msgs, (unsigned long)depth,
			       (unsigned long)t[ROUNDS / 2], (unsigned long)t[0]);
		}
		if (k >= online - 1)
			break;
	}
	return 0;
}
