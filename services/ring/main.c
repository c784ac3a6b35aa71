// SPDX-License-Identifier: MIT
/*
 * ring [laps]: one domain per online core, each bound by name to the next
 * ("ring<k>", a user channel, rt/chan.h), and a token passed around the
 * ring `laps` times (default 10). Each member adds one to the token's hop
 * count and its core's bit to the token's core mask; after every lap the
 * first member checks both. Start it on core 0: it starts the members on
 * every other core, and nothing starts domains on core 0 through the
 * monitors (ADR 0015), so member 0 must be the one started there.
 *
 * Member k: listen as ring<k>, take the channel from member k - 1, bind
 * to member k + 1 (the last to the first), then pass tokens on until the
 * last one (hops = ~0), which it also passes on before it closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <rt/args.h>
#include <rt/chan.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/rpc.h>

#define LAST (~0ull)

enum { HOPS, LAP, MASK0 }; /* token words; the mask of cores in words MASK0.. */
#define MASK_WORDS (CHAN_WORDS - MASK0)

static char *name_of(unsigned k, char buf[NAME_MAX_LEN + 1])
{
	snprintf(buf, NAME_MAX_LEN + 1, "ring%u", k);
	return buf;
}

static void mark(uint64_t w[CHAN_WORDS], unsigned core)
{
	if (core / 64 < MASK_WORDS)
		w[MASK0 + core / 64] |= 1ull << (core % 64);
}

/* Member k > 0: take tokens from the previous member, pass them on. */
static int member(unsigned k, unsigned n)
{
	char name[NAME_MAX_LEN + 1];
	struct chan prev, next;
	uint64_t w[CHAN_WORDS];
	errval_t err = chan_listen(name_of(k, name));
	if (!err)
		err = chan_accept(&prev);
	if (!err)
		err = chan_bind_wait(name_of((k + 1) % n, name), &next, 2000);
	while (!err && !(err = chan_recv(&prev, w))) {
		if (w[HOPS] != LAST) {
			w[HOPS]++;
			mark(w, rt_core());
		}
		if ((err = chan_send(&next, w)) || w[HOPS] == LAST)
			break;
	}
	if (err) {
		printf("ring: member %u on core %u: %s\n", k, rt_core(), err_str(err));
		return 1;
	}
	/* The last token went on; the previous member closes after it has
	   it back, so what we still read of prev is nothing. */
	chan_recv(&prev, w);
	chan_close(&next);
	chan_close(&prev);
	return 0;
}

static bool token_ok(const uint64_t w[CHAN_WORDS], unsigned n, unsigned lap)
{
	uint64_t want[MASK_WORDS] = {0};
	for (unsigned k = 0; k < n && k / 64 < MASK_WORDS; k++)
		want[k / 64] |= 1ull << (k % 64);
	return w[HOPS] == (uint64_t)n * (lap + 1) && w[LAP] == lap &&
	       !memcmp(&w[MASK0], want, sizeof(want));
}

/* Member 0, on core 0: start the others, send the token round. */
static int first(unsigned n, unsigned laps)
{
	char name[NAME_MAX_LEN + 1];
	struct chan prev, next;
	uint64_t w[CHAN_WORDS] = {0}, *ids = calloc(n, sizeof(*ids));
	errval_t err = ids ? chan_listen(name_of(0, name)) : ERR_NO_MEMORY;
	for (unsigned k = 1; !err && k < n; k++) {
		char kstr[12], nstr[12];
		snprintf(kstr, sizeof(kstr), "%u", k);
		snprintf(nstr, sizeof(nstr), "%u", n);
		char *args[] = {"member", kstr, nstr};
		err = monitor_spawn(k, "ring", 0, 3, args, &ids[k]);
	}
	if (!err && n > 1 && !(err = chan_bind_wait(name_of(1, name), &next, 2000)))
		err = chan_accept(&prev);
	bool ok = true;
	for (unsigned lap = 0; !err && lap < laps; lap++) {
		w[HOPS] = (uint64_t)n * lap + 1; /* our hop */
		w[LAP] = lap;
		memset(&w[MASK0], 0, MASK_WORDS * sizeof(w[0]));
		mark(w, rt_core());
		if (n > 1 && !(err = chan_send(&next, w)))
			err = chan_recv(&prev, w);
		ok &= !err && token_ok(w, n, lap);
	}
	w[HOPS] = LAST;
	if (!err && n > 1 && !(err = chan_send(&next, w)) && !(err = chan_recv(&prev, w)))
		ok &= w[HOPS] == LAST;
	if (n > 1) {
		chan_close(&next);
		chan_close(&prev);
	}
	for (unsigned k = 1; k < n; k++) {
		int64_t status;
		uint64_t faults;
		errval_t e = ids[k] ? monitor_wait(k, ids[k], &status, &faults) : ERR_OK;
		ok &= !e && !status && !faults;
	}
	if (err)
		printf("ring: %s\n", err_str(err));
	printf("ring: %u cores, %u laps, token %s\n", n, laps, ok && !err ? "ok" : "WRONG");
	return ok && !err ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned n = ((const struct bootinfo *)BOOTINFO_VADDR)->ncores;
	errval_t err = monitor_bind();
	if (err) {
		printf("ring: %s\n", err_str(err));
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "member"))
		return member((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]));
	int laps = argc == 2 ? atoi(argv[1]) : 10;
	if (argc > 2 || laps < 1 || rt_core() != 0) {
		printf("usage: ring [laps] (laps at least 1, on core 0)\n");
		return 2;
	}
	return first(n, (unsigned)laps);
}
