// SPDX-License-Identifier: MIT
/*
 * pingpong <coreA> <coreB> [n]: two domains, one on core A and one on
 * core B (the same core too), n round trips (default 100) over a user
 * channel (rt/chan.h). The one started, on any core, plays the part on its
 * own core and starts the other; when neither core is its own, it starts
 * both and waits for them. Nothing starts domains on core 0 through the
 * monitors (ADR 0015), so a part on core 0 is the one started there:
 * `spawn pingpong 2 2 3 50` runs the client on core 2 and its server on 3,
 * `spawn pingpong 0 0 2` the client on core 0. The client prints the
 * median round trip in rdtime ticks (under QEMU, host time: a ratio within
 * one run at most).
 *
 * Parts, started by the first: pingpong pong <name>, pingpong ping <name> <n>.
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

#define STOP 0x73746f70ull /* "stop" */

static uint64_t now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static int pong(const char *name)
{
	struct chan c;
	uint64_t w[CHAN_WORDS];
	errval_t err = chan_listen(name);
	if (!err)
		err = chan_accept(&c);
	/* Every message back, the last (STOP) too: closing is abortive (what
	   the peer did not read yet is lost), so the client closes only
	   once it has its STOP back. */
	while (!err && !(err = chan_recv(&c, w)) && !(err = chan_send(&c, w)) && w[0] != STOP)
		;
	if (err) {
		printf("pingpong: pong on core %u: %s\n", rt_core(), err_str(err));
		return 1;
	}
	chan_close(&c);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int ping(const char *name, unsigned n, unsigned server)
{
	struct chan c;
	uint64_t w[CHAN_WORDS] = {0};
	uint64_t *t = calloc(n, sizeof(*t));
	errval_t err = t ? chan_bind_wait(name, &c, 1000) : ERR_NO_MEMORY;
	for (unsigned i = 0; !err && i < n; i++) {
		uint64_t t0 = now();
		w[0] = i;
		w[6] = ~(uint64_t)i;
		if (!(err = chan_send(&c, w)) && !(err = chan_recv(&c, w)) &&
		    (w[0] != i || w[6] != ~(uint64_t)i))
			err = ERR_CHAN_BROKEN; /* (an answer that is not ours) */
		t[i] = now() - t0;
	}
	if (err) {
		printf("pingpong: ping on core %u: %s\n", rt_core(), err_str(err));
		return 1;
	}
	w[0] = STOP;
	if (!(err = chan_send(&c, w)))
		err = chan_recv(&c, w);
	chan_close(&c);
	if (err || w[0] != STOP) {
		printf("pingpong: ping on core %u: no STOP back: %s\n", rt_core(), err_str(err));
		return 1;
	}
	qsort(t, n, sizeof(*t), cmp);
	printf("pingpong: core %u -> core %u: %u round trips, median %lu ticks\n", rt_core(),
	       server, n, (unsigned long)(n ? t[n / 2] : 0));
	return 0;
}

/* Start the other part on core k (args: its argv); *id for the wait. */
static errval_t start(unsigned k, int argc, char *argv[], uint64_t *id)
{
	errval_t err = monitor_bind();
	return err ? err : monitor_spawn(k, "pingpong", 0, argc, argv, id);
}

static int finish(unsigned k, uint64_t id)
{
	int64_t status;
	uint64_t faults;
	errval_t err = monitor_wait(k, id, &status, &faults);
	if (err || status || faults) {
		printf("pingpong: the domain on core %u: %s, status %ld, faults %lu\n", k,
		       err_str(err), (long)status, (unsigned long)faults);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "pong"))
		return pong(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "ping"))
		return ping(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]));
	if (argc < 3 || argc > 4) {
		printf("usage: pingpong <coreA> <coreB> [n]\n");
		return 2;
	}
	unsigned a = (unsigned)atoi(argv[1]), b = (unsigned)atoi(argv[2]), me = rt_core();
	unsigned n = argc == 4 ? (unsigned)atoi(argv[3]) : 100;
	unsigned ncores = ((const struct bootinfo *)BOOTINFO_VADDR)->ncores;
	if (a >= ncores || b >= ncores || n == 0) {
		printf("pingpong: cores are 0 to %u, and n at least 1\n", ncores - 1);
		return 2;
	}
	char name[NAME_MAX_LEN + 1], nstr[12], bstr[12];
	snprintf(name, sizeof(name), "pp%u.%lu", me, (unsigned long)rt_domain());
	snprintf(nstr, sizeof(nstr), "%u", n);
	snprintf(bstr, sizeof(bstr), "%u", b);
	char *pong_argv[] = {"pong", name}; /* (argv[0] is the module's name) */
	char *ping_argv[] = {"ping", name, nstr, bstr};
	uint64_t pid = 0, cid = 0;
	if (a == me) { /* the client here, the server there */
		errval_t err = start(b, 2, pong_argv, &pid);
		if (err) {
			printf("pingpong: cannot start on core %u: %s\n", b, err_str(err));
			return 1;
		}
		return ping(name, n, b) | finish(b, pid);
	}
	if (b == me) { /* the server here, the client there */
		errval_t err = start(a, 4, ping_argv, &cid);
		if (err) {
			printf("pingpong: cannot start on core %u: %s\n", a, err_str(err));
			return 1;
		}
		return pong(name) | finish(a, cid);
	}
	errval_t err = start(b, 2, pong_argv, &pid);
	if (!err && (err = start(a, 4, ping_argv, &cid)))
		finish(b, pid);
	if (err) {
		printf("pingpong: cannot start: %s\n", err_str(err));
		return 1;
	}
	return finish(a, cid) | finish(b, pid);
}
