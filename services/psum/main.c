// SPDX-License-Identifier: MIT
/*
 * psum [pages]: a parallel sum over every online core. On core 0 it
 * generates a buffer of pseudo-random words, `pages` 4 KiB pages for each
 * core (default 4), and sums it alone first. Then it starts a worker on
 * every other core, hands each its part as a Frame over a channel
 * (chan_send_cap: the copy goes through the monitors' copy protocol), sums
 * its own part meanwhile, gathers the workers' sums, checks the total
 * against the single-core one, and revokes every frame: the copies on the
 * other cores go with it. It prints the split, one line per core, and
 *
 *	psum: <n> cores, <words> words, sum <hex>: same as one core
 *
 * A worker (psum worker <k>) listens as psum<k>, takes one frame, maps it
 * read-only in the channel window, sums it and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/chan.h>
#include <rt/mem.h>
#include <rt/memclient.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/rpc.h>

#define MAX_PAGES 64

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static uint64_t sum(const volatile uint64_t *p, uint64_t n)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += p[i] * (2 * i + 1); /* (order matters: a lost or swapped word shows) */
	return s;
}

static int worker(unsigned k)
{
	char name[NAME_MAX_LEN + 1];
	struct chan c;
	uint64_t w[CHAN_WORDS] = {0};
	capaddr_t f = SLOT_NONE;
	snprintf(name, sizeof(name), "psum%u", k);
	errval_t err = chan_listen(name);
	if (!err)
		err = chan_accept(&c);
	if (!err)
		err = chan_recv_cap(&c, w, &f);
	if (!err && f == SLOT_NONE)
		err = ERR_CAP_EMPTY;
	const volatile uint64_t *p = err ? NULL : chan_map(f, false);
	if (!err && !p)
		err = ERR_NO_MEMORY;
	uint64_t words = w[0];
	w[0] = p ? sum(p, words) : 0;
	w[1] = rt_core();
	if (p)
		chan_unmap(f);
	if (!err)
		err = chan_send(&c, w);
	if (!err) /* until the coordinator closes, after it revoked the frame */
		chan_recv(&c, w);
	if (err)
		printf("psum: worker on core %u: %s\n", rt_core(), err_str(err));
	return err ? 1 : 0;
}

struct part {
	capaddr_t ram, frame;
	struct chan c;
	uint64_t id, sum;
	bool bound;
};

/* The frame of part k: `words` words from the generator. */
static errval_t fill(struct part *p, uint64_t words, uint64_t *x)
{
	uint64_t bytes = words * 8;
	errval_t err = ram_alloc(bytes, &p->ram);
	p->frame = err ? SLOT_NONE : slot_alloc();
	if (!err && p->frame == SLOT_NONE)
		err = ERR_NO_SLOTS;
	if (!err)
		err = cap_retype(p->ram, OBJ_FRAME, 0, bytes, 1, CAPADDR(CAPADDR_L1(p->frame), 0),
				 1, CAPADDR_L2(p->frame));
	volatile uint64_t *v = err ? NULL : chan_map(p->frame, true);
	if (!err && !v)
		err = ERR_NO_MEMORY;
	for (uint64_t i = 0; v && i < words; i++)
		v[i] = next(x);
	if (v)
		chan_unmap(p->frame);
	return err;
}

/* Start the workers and hand each its part. */
static errval_t scatter(struct part *parts, unsigned n, uint64_t words)
{
	errval_t err = ERR_OK;
	for (unsigned k = 1; !err && k < n; k++) {
		char kstr[12];
		snprintf(kstr, sizeof(kstr), "%u", k);
		char *args[] = {"worker", kstr};
		err = monitor_spawn(k, "psum", 0, 2, args, &parts[k].id);
	}
	for (unsigned k = 1; !err && k < n; k++) {
		uint64_t w[CHAN_CAP_WORDS] = {words};
		char name[NAME_MAX_LEN + 1];
		snprintf(name, sizeof(name), "psum%u", k);
		if (!(err = chan_bind_wait(name, &parts[k].c, 2000))) {
			parts[k].bound = true;
			err = chan_send_cap(&parts[k].c, w, parts[k].frame);
		}
	}
	return err;
}

static int coordinator(unsigned pages)
{
	unsigned n = ((const struct bootinfo *)BOOTINFO_VADDR)->ncores;
	uint64_t words = pages * (OBJSIZE_PAGE / 8), x = 0x9e3779b97f4a7c15ull, one = 0, total = 0;
	struct part *parts = calloc(n, sizeof(*parts));
	errval_t err = parts ? monitor_bind() : ERR_NO_MEMORY;
	for (unsigned k = 0; parts && k < n; k++)
		parts[k].ram = parts[k].frame = SLOT_NONE;
	if (!err && !ram_total_bytes())
		err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	/* The parts, a RAM unit each, from the core's memory service: our own
	   RAM holds about 80 (it comes back when we are waited for). */
	capaddr_t more;
	uint64_t handle, unit = (words * 8 + RAM_UNIT - 1) / RAM_UNIT * RAM_UNIT;
	if (!err && !(err = mem_alloc(n * unit, &more, &handle)))
		err = ram_add(more);
	for (unsigned k = 0; !err && k < n; k++)
		err = fill(&parts[k], words, &x);
	for (unsigned k = 0; !err && k < n; k++) { /* alone first */
		const volatile uint64_t *p = chan_map(parts[k].frame, false);
		one += p ? sum(p, words) : 0;
		chan_unmap(parts[k].frame);
	}
	if (!err)
		err = scatter(parts, n, words);
	const volatile uint64_t *mine = err ? NULL : chan_map(parts[0].frame, false);
	parts[0].sum = mine ? sum(mine, words) : 0; /* ours, while they sum theirs */
	if (mine)
		chan_unmap(parts[0].frame);
	for (unsigned k = 1; !err && k < n; k++) {
		uint64_t w[CHAN_WORDS];
		if (!(err = chan_recv(&parts[k].c, w)))
			parts[k].sum = w[0];
	}
	for (unsigned k = 0; k < n; k++) {
		union monitor_rep r;
		int64_t status = 0;
		uint64_t faults = 0;
		total += parts[k].sum;
		if (!err)
			printf("psum: core %u summed words %lu to %lu: %#lx\n", k,
			       (unsigned long)(k * words), (unsigned long)((k + 1) * words - 1),
			       (unsigned long)parts[k].sum);
		if (k && parts[k].frame != SLOT_NONE) /* the copies on core k go too */
			monitor_revoke(parts[k].frame, 0, &r);
		if (parts[k].bound)
			chan_close(&parts[k].c);
		if (parts[k].id && monitor_wait(k, parts[k].id, &status, &faults) == ERR_OK &&
		    (status || faults))
			err = err ? err : ERR_CHAN_BROKEN;
		if (parts[k].ram != SLOT_NONE)
			ram_free(parts[k].ram);
	}
	if (err) {
		printf("psum: %s\n", err_str(err));
		return 1;
	}
	printf("psum: %u cores, %lu words, sum %#lx: %s\n", n, (unsigned long)(n * words),
	       (unsigned long)total,
	       total == one ? "same as one core" : "NOT the same as one core");
	return total == one ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "worker"))
		return worker((unsigned)atoi(argv[2]));
	int pages = argc == 2 ? atoi(argv[1]) : 4;
	if (argc > 2 || pages < 1 || pages > MAX_PAGES || rt_core() != 0) {
		printf("usage: psum [pages] (1 to %d pages per core; on core 0)\n", MAX_PAGES);
		return 2;
	}
	return coordinator((unsigned)pages);
}
