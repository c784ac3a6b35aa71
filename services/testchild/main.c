// SPDX-License-Identifier: MIT
/*
 * testchild: a domain the in-system tests start to misbehave on purpose.
 * a0 (rt_arg), or when that is 0 its first argument (`spawn testchild 0 2`
 * in the shell), selects what it does:
 *   1  exit with status 7
 *   2  store to address 0 (a fault: the kernel stops it, nobody else)
 *   3  wait for a message with an endpoint, read the frame at 0xc0000000,
 *      answer with its first word on that endpoint, then read it on until
 *      a read faults (the test revokes it)
 *   4  wait for a message; reply with words[0] + 1 on the endpoint that came with it
 *   5  share a frame of its own RAM with core 1 (monitor 0) and exit without
 *      revoking it: whoever frees its memory must revoke on core 1 too
 *   7  stress (bits 8-15: cores, 16-23: seed, 24-31: rounds): each round
 *      make a 2-page frame and a 1-page frame inside it from TASK_RAM, share
 *      them with two other cores, revoke them everywhere (inner first or
 *      outer only); a busy monitor is asked again. Exit status: failures.
 *   8  (started on another core) like 6, but after the first read revoke
 *      the frame it was sent (MONITOR_REVOKE to its monitor, which asks the
 *      owner core; asked again while BUSY), then here (cnode_revoke: the
 *      mapped copy goes, the one it was sent stays), print the
 *      result, then read on until that read faults
 *   9  (started on another core) wait for a RAM capability its monitor
 *      sends, retype its first 16 KiB into a Frame through its monitor (the
 *      owner core does it; the Frame comes with the answer), print the
 *      result and exit with it
 *  11  like 6, but after the first read pass it on to core j (bits 8-15):
 *      its monitor asks the owner, which gives core j a copy
 *  10  (started on core k = bits 16-23) make a frame of its own RAM, share
 *      it with core j (bits 8-15) and revoke it, both through its own
 *      monitor (the owner); print what each cost; exit 0 if both worked.
 *      With bit 24: share it, then wait to be killed
 *   6  (started on another core) wait for a frame its monitor sends, map a
 *      copy of it at MON_SHARE_VA, answer with the first word (with bit 8:
 *      only once the second word is not 0), print it, then read it every
 *      tick until that read faults (the frame is revoked)
 *  12  like 6, but read the frame's second word every tick until it is not
 *      0, then unmap and delete its copies and tell its monitor
 *      (MONITOR_RELEASE), print
 *      how many owners the monitor told, exit 0 if that was one
 *  16  (started on core k = bits 8-15) send its monitor n (bits 16-31)
 *      requests it must refuse (MONITOR_RELEASE of nothing), as fast as the
 *      monitor takes them (reading answers only when its queue is full),
 *      and read every answer; exit 0 if each of the n was answered
 *      ERR_CAP_NOT_FOUND
 *  15  (started on core k = bits 16-23) make a frame of its own RAM, share
 *      it with core j (bits 8-15), then revoke it the Barrelfish way
 *      (MON_REVOKE_BROADCAST: its monitor asks every core, most through
 *      monitor 0); print the result, exit 0 if it worked
 *  14  (started on another core) send its monitor bad requests (an unknown
 *      operation, a revoke without a capability, an adopt (only spawnd
 *      may), a release of something it never had, 64 at once without
 *      reading the answers), then a good one; print how many answers
 *      were as expected, exit 0 if all
 *  17  register the name "tc<core>" for an endpoint of its own, print
 *      that, then answer every message that brings an endpoint with its
 *      words[0] + 1 there, until it is killed
 *  18  (on the core of a 17) look "tc<core>" up and ask it 41 over the
 *      endpoint that comes with the answer (42 must come back); look up
 *      "tests.names" (core 0's, so no endpoint comes), fail to unregister
 *      it (not ours), register "tx<core>" and exit: lib/rt unregisters it.
 *      Print each result; exit status: failures
 *  13  like 6, but copy the frame's capability (and delete the copy) once
 *      before it answers, then over and over until it is gone: a revoke
 *      must show as ERR_OK, then ERR_CAP_REVOKED while it is marked, then
 *      ERR_CAP_EMPTY, never out of that order; print the counts, exit 0 if
 *      the order held
 *  19  (started on another core) wait for a frame its monitor sends, map it
 *      writable at MON_SHARE_VA, bind its endpoint to a notification slot
 *      (ADR 0010), write slot and generation to the frame's words 1 and 2,
 *      answer with its first word, and block for messages. It counts the
 *      notification events for that slot and generation in word 3, those of
 *      the binding before (late ones, queued before it unbound) in word 6,
 *      any other in word 4, and after each event looks at word 5, the
 *      test's command: 1 unbind, bind again (slot and generation to words
 *      1 and 2), then set word 5 to 0; 2 unbind and exit with word 4
 *  20  exit with a digest of what it was started with (args_digest), so
 *      that a test knows its arguments, id and core all arrived
 *  21  sleep n ticks (bits 8-23), then exit with status 21
 *  22  register the name "tf<core>", print that, then fault (a store to
 *      address 0): its name stays until it is waited for or killed
 *  23  a channel client (ADR 0014) of "tests.chan" (bits 8-23 = 0) or of
 *      "tc.echo<p - 1>" (p = bits 8-23): 20 messages echoed, then STOP
 *  24  bind to "tests.chan", send 0xdead and its core, wait to be killed
 *  25  the echo server "tc.echo<core>" for one client (adds 1000 to word 1)
 *  26  the server "tc.hold<core>": accept one client, send 0x401d and its
 *      core, wait to be killed
 *  27  a load from a page of the channel window nothing maps: caught, exits
 *      255 instead of faulting
 *  28  like 23 (p the same, to "tc.cap<p - 1>"), but take a Frame sent
 *      over the channel, answer its first word, and after the sender's
 *      revoke (message 2) what identifying it gives
 *  29  the server "tc.cap<core>": send its one client a Frame of its own
 *      RAM, revoke it once read; exit 0 if the client saw it go
 *  35  console flood (ADR 0013): print n lines (its second argument,
 *      default 300) "flood: core K domain D line I of n" and a filler,
 *      sleeping a tick every 5 lines so that floods started one after the
 *      other overlap; exit with status 35
 *  30  take n pieces (bits 8-15, 1 to 32) of u 64 KiB units each (bits
 *      16-23) from its core's memory service (rt/memclient.h), write and
 *      read the first through a frame made of it, give every other one
 *      back, then exit 0 holding the rest (with bit 24: sleep until it is
 *      killed instead): whoever waits for it or kills it gets them back.
 *      Exit status: the number of the check that failed
 *  31  send its core's memory service bad requests (0 bytes, too many,
 *      more than there is, a handle not its own, twice, an unknown
 *      operation); exit 0 if each got its error, else the check's number
 *  40  (started on core k > 0) through its own monitor, as a domain on core
 *      0 would (ADR 0015): start testchild on core t (bits 8-15) with
 *      206 bytes of arguments and wait for it (mode 20's digest), start and
 *      wait for one on its own core, get the errors core 0's domains get
 *      (core 0, no such core or module, a wait on nothing or on spawnd, a
 *      bad `how`, half a block), report, list and kill a sleeper on core
 *      t, kill it again and wait for it (not found); print the checks that
 *      failed, exit 0 if none
 *  45  (on core k > 0) its core's services by name (ADR 0016): bind
 *      "spawnd.<k>" (the answers' badge is SERVER_MEMSERV), take 256 KiB
 *      through it, read the pool, give it back, fail to give it back
 *      twice, take 64 KiB more and keep it; "mem", "serial", "spawnd.0"
 *      and a name nobody has must fail to bind (another core's; none).
 *      Print the results; exit status: failures (what it kept comes back
 *      when it is waited for)
 *  46  use FP without saying so (built rv64imac like every testchild, FP
 *      instructions in assembly: spawnd's ISA check cannot see them): on a
 *      core with F and D print what it computed and exit 46; on a core
 *      without, the kernel stops it at its first FP instruction (a fault)
 *  47  FP state across switches (ADR 0018; bits 8-15: seed s, 16-31:
 *      rounds n): fill f0-f31 with doubles from s and fcsr from s, then n
 *      rounds of a long integer loop (the timer preempts it) and a yield,
 *      each checking every f register and fcsr, then refilling them for the
 *      next round; print the result, exit 0 if all held, else 1
 *  50  (started on another core) like 8, but its line says the messages
 *      between NUMA nodes too (ADR 0019): "revoked it across nodes: <err>,
 *      <m> messages, depth <d>, <x> across nodes"
 *  51  (started on core k > 0) make a frame of its own RAM (monitor k owns
 *      it), share it with every other online core, revoke it down the
 *      tree; print what that took, with the messages between NUMA nodes;
 *      exit 0 if it all worked
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/mem.h>
#include <rt/memclient.h>
#include <rt/monitor.h>
#include <rt/chan.h>
#include <rt/names.h>
#include <rt/rpc.h>
#include <rt/sys.h>

/* The frame that came with m (in TASK_RECV): a copy of it mapped read-only
   at MON_SHARE_VA; NULL if that failed. */
static struct vregion share_region;
static capaddr_t mapped = SLOT_NONE;

static volatile uint64_t *map_frame(const struct lmp_recv *m, bool writable)
{
	struct cap_info ci;
	mapped = slot_alloc();
	if (monitor_rep_of(m->words).handed.va != MON_SHARE_VA || !m->has_cap ||
	    mapped == SLOT_NONE || ram_init(CAPADDR(CN_TASK, TASK_RAM)) ||
	    vregion_init(&share_region, MON_SHARE_VA) ||
	    cap_identify(CAPADDR(CN_TASK, TASK_RECV), &ci) ||
	    cnode_copy(CAPADDR(CAPADDR_L1(mapped), 0), 1, CAPADDR_L2(mapped),
		       CAPADDR(CN_TASK, TASK_RECV), CAP_RIGHTS_ALL))
		return NULL;
	uint64_t pages = ci.size / OBJSIZE_PAGE > 512 ? 512 : ci.size / OBJSIZE_PAGE;
	return vregion_map(&share_region, mapped, pages, writable);
}

static volatile const uint64_t *map_shared(const struct lmp_recv *m)
{
	return map_frame(m, false);
}

static int share_and_exit(void)
{
	capaddr_t f = slot_alloc();
	struct lmp_recv rep;
	if (monitor_bind())
		return 10;
	if (cap_retype(CAPADDR(CN_TASK, TASK_RAM), OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
		       CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)))
		return 11;
	return monitor_call(MONITOR_SHARE, 1, 0, 0, f, &rep) ? 12 : 0;
}

/* A message to our monitor. A full queue, or its receive slot still
   taken by the capability of an earlier message (it takes or drops one
   with each message), says it is busy, not gone: wait, however long that
   takes (one try, or a count of them, fails on a slow or loaded core). */
static errval_t to_monitor(const uint64_t w[4], uint64_t cap)
{
	errval_t err;
	while ((err = ep_send(CAPADDR(CN_TASK, TASK_MONITOR), w, cap)) == ERR_LMP_BUF_FULL ||
	       err == ERR_LMP_CAP_SLOT)
		sys_yield();
	return err;
}

static errval_t retry(uint64_t op, uint64_t w1, capaddr_t cap, struct lmp_recv *rep)
{
	errval_t err;
	union monitor_rep r;
	while ((err = op == MONITOR_REVOKE ? monitor_revoke(cap, 0, &r)
					   : monitor_call(op, w1, 0, 0, cap, rep)) == ERR_MON_BUSY)
		sys_yield();
	if (op == MONITOR_REVOKE)
		memcpy(rep->words, r.words, sizeof(r.words));
	return err;
}

static int flood_monitor(uint64_t arg)
{
	unsigned core = (arg >> 8) & 0xff, n = (arg >> 16) & 0xffff;
	unsigned sent = 0, answered = 0, wrong = 0;
	uint64_t w[4] = {MONITOR_RELEASE, 0, 0, 0};
	struct lmp_recv m;
	while (answered < n) {
		errval_t err = ERR_OK;
		while (sent < n &&
		       (err = ep_send(CAPADDR(CN_TASK, TASK_MONITOR), w, CAPADDR_NONE)) == ERR_OK)
			sent++;
		if (err && err != ERR_LMP_BUF_FULL)
			return 2;
		if (lmp_recv(1, &m))
			return 3;
		answered++;
		wrong += m.words[0] != ERR_CAP_NOT_FOUND;
	}
	printf("testchild: core %u sent %u requests, %u answered, %u wrong\n", core, sent, answered,
	       wrong);
	return wrong ? 1 : 0;
}

static int stress(uint64_t arg)
{
	unsigned n = (arg >> 8) & 0xff, seed = (arg >> 16) & 0xff, rounds = (arg >> 24) & 0xff;
	capaddr_t outer = slot_alloc(), inner = slot_alloc(), ram = CAPADDR(CN_TASK, TASK_RAM);
	struct lmp_recv rep;
	int failures = 0;
	if (n < 2 || monitor_bind())
		return 100;
	for (unsigned r = 0; r < rounds; r++) {
		unsigned a = 1 + (seed + r) % (n - 1), b = 1 + (seed * 7 + r * 3) % (n - 1);
		uint64_t off = (r % 8) * 2 * OBJSIZE_PAGE;
		errval_t err = cap_retype(ram, OBJ_FRAME, off, 2 * OBJSIZE_PAGE, 1,
					  CAPADDR(CAPADDR_L1(outer), 0), 1, CAPADDR_L2(outer));
		if (!err)
			err = cap_retype(outer, OBJ_FRAME, OBJSIZE_PAGE, OBJSIZE_PAGE, 1,
					 CAPADDR(CAPADDR_L1(inner), 0), 1, CAPADDR_L2(inner));
		if (!err)
			err = retry(MONITOR_SHARE, a, outer, &rep);
		if (!err)
			err = retry(MONITOR_SHARE, b, inner, &rep);
		if (!err && r % 2)
			err = retry(MONITOR_REVOKE, 0, inner, &rep);
		if (!err)
			err = retry(MONITOR_REVOKE, 0, outer, &rep);
		if (err) {
			printf("testchild: stress round %u: %s\n", r, err_str(err));
			failures++;
		}
		cnode_delete(CAPADDR(CAPADDR_L1(inner), 0), 1, CAPADDR_L2(inner));
		cnode_delete(CAPADDR(CAPADDR_L1(outer), 0), 1, CAPADDR_L2(outer));
	}
	return failures;
}

/* Ask our monitor (op, w1) about the capability we were sent; again while BUSY. */
static errval_t ask_monitor(uint64_t op, uint64_t w1, struct lmp_recv *m)
{
	uint64_t req[4] = {op, w1};
	struct lmp_recv nap;
	for (;;) {
		if (to_monitor(req, CAPADDR(CN_TASK, TASK_RECV)) || lmp_recv(1, m))
			return ERR_BAD_REQUEST;
		if (m->words[0] != ERR_MON_BUSY)
			return (errval_t)m->words[0];
		lmp_recv_timeout(1, &nap);
	}
}

/* Modes 6, 8, 11 and 50 (8 that also says the messages between NUMA
   nodes); `to` is the core mode 11 passes the frame on to, in mode 6 1 to
   hold the answer back until the frame's second word is set. */
static int read_shared_frame(unsigned mode, unsigned to)
{
	struct lmp_recv m;
	volatile const uint64_t *p;
	if (lmp_recv(1, &m) || !(p = map_shared(&m)))
		return 1;
	uint64_t w[4] = {*p}, core = m.words[1];
	printf("testchild: core %lu read %#lx\n", (unsigned long)core, (unsigned long)w[0]);
	/* Keep our monitor (and the owner) waiting until the test says, not
	   for a number of ticks: a slow core could serve it all meanwhile. */
	while (mode == 6 && to && !p[1])
		lmp_recv_timeout(1, &m);
	if (to_monitor(w, CAPADDR_NONE))
		return 2;
	if (mode == 8 || mode == 50) {
		struct cap_info ci;
		errval_t err = ask_monitor(MONITOR_REVOKE, 0, &m);
		union monitor_rep r = monitor_rep_of(m.words);
		if (!err)
			err = cnode_revoke(CAPADDR(CN_TASK, 0), 1, TASK_RECV);
		if (mode == 50)
			printf(
			    "testchild: core %lu revoked it across nodes: %s, %lu messages, depth "
			    "%lu, %lu across nodes\n",
			    (unsigned long)core, err_str(err), (unsigned long)r.revoke.msgs,
			    (unsigned long)r.revoke.depth, (unsigned long)r.revoke.xnode);
		else
			printf(
			    "testchild: core %lu revoked it: %s, %lu messages, depth %lu; kept its "
			    "own: %s\n",
			    (unsigned long)core, err_str(err), (unsigned long)r.revoke.msgs,
			    (unsigned long)r.revoke.depth,
			    err_str(cap_identify(CAPADDR(CN_TASK, TASK_RECV), &ci)));
	} else if (mode == 11) {
		errval_t err = ask_monitor(MONITOR_SHARE, to, &m);
		printf("testchild: core %lu passed it on to core %u: %s, %lu messages\n",
		       (unsigned long)core, to, err_str(err),
		       (unsigned long)monitor_rep_of(m.words).share.msgs);
	}
	for (;;) {
		(void)*p;
		lmp_recv_timeout(1, &m);
	}
}

/* Mode 19: bind our endpoint to a notification slot (into n). */
static bool notify_bind_here(capaddr_t n, volatile uint64_t *p, uint64_t *slot, uint64_t *gen)
{
	if (ep_notify_bind(CAPADDR(CN_TASK, TASK_EP), n, slot, gen))
		return false;
	p[1] = *slot;
	p[2] = *gen;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* before whatever says so */
	return true;
}

/* Mode 19: woken by notifications from another core; the frame is the
   channel, looked at after every event (ADR 0010). */
static int notify_receiver(void)
{
	struct lmp_recv m;
	volatile uint64_t *p;
	struct cap_info ep;
	capaddr_t n = slot_alloc();
	uint64_t slot, gen, old_slot = ~0ull, old_gen = 0;
	if (lmp_recv(1, &m) || !(p = map_frame(&m, true)) ||
	    cap_identify(CAPADDR(CN_TASK, TASK_EP), &ep))
		return 1;
	if (n == SLOT_NONE || !notify_bind_here(n, p, &slot, &gen))
		return 2;
	uint64_t w[4] = {p[0]};
	if (to_monitor(w, CAPADDR_NONE))
		return 3;
	for (;;) {
		if (lmp_recv(1, &m) || m.words[0] != NOTIFY_EVENT)
			continue;
		bool ours = m.badge == ep.badge;
		if (ours && m.words[1] == slot && m.words[2] == gen)
			p[3] = p[3] + 1;
		else if (ours && m.words[1] == old_slot && m.words[2] == old_gen)
			p[6] = p[6] + 1;
		else
			p[4] = p[4] + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		uint64_t cmd = p[5];
		if (cmd == 2) {
			notify_unbind(n);
			return (int)p[4];
		}
		old_slot = cmd == 1 ? slot : old_slot;
		old_gen = cmd == 1 ? gen : old_gen;
		if (cmd == 1 && (notify_unbind(n) ||
				 cnode_delete(CAPADDR(CAPADDR_L1(n), 0), 1, CAPADDR_L2(n)) ||
				 !notify_bind_here(n, p, &slot, &gen)))
			return 4;
		if (cmd == 1)
			p[5] = 0;
	}
}

/* Mode 12: give the frame back once the word after the first says so. */
static int release_when_told(void)
{
	struct lmp_recv m;
	struct cap_info ci;
	volatile const uint64_t *p;
	if (lmp_recv(1, &m) || !(p = map_shared(&m)))
		return 1;
	uint64_t w[4] = {p[0]}, core = m.words[1];
	if (to_monitor(w, CAPADDR_NONE) || cap_identify(CAPADDR(CN_TASK, TASK_RECV), &ci))
		return 2;
	while (!p[1])
		lmp_recv_timeout(1, &m);
	/* From here on the frame is not ours: no more reads. */
	uint64_t req[4] = {MONITOR_RELEASE, ci.base, ci.size};
	vregion_unmap(&share_region, mapped);
	if (cnode_delete(CAPADDR(CAPADDR_L1(mapped), 0), 1, CAPADDR_L2(mapped)) ||
	    cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV) || to_monitor(req, CAPADDR_NONE) ||
	    lmp_recv(1, &m))
		return 3;
	printf("testchild: core %lu released it: %s, %lu owners told\n", (unsigned long)core,
	       err_str((errval_t)m.words[0]), (unsigned long)m.words[1]);
	return m.words[0] ? 4 : m.words[1] == 1 ? 0 : 5;
}

/* Mode 15: a broadcast revoke from another core than 0. */
static int broadcast_from_here(uint64_t arg)
{
	unsigned j = (arg >> 8) & 0xff, k = (arg >> 16) & 0xff;
	capaddr_t f = slot_alloc();
	struct lmp_recv m;
	uint64_t share[4] = {MONITOR_SHARE, j}, revoke[4] = {MONITOR_REVOKE, MON_REVOKE_BROADCAST};
	if (cap_retype(CAPADDR(CN_TASK, TASK_RAM), OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
		       CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)))
		return 10;
	if (to_monitor(share, f) || lmp_recv(1, &m) || m.words[0])
		return 11;
	uint64_t bad[4] = {MONITOR_REVOKE, 7}; /* no such way to revoke */
	if (to_monitor(bad, f) || lmp_recv(1, &m) || m.words[0] != ERR_BAD_REQUEST)
		return 14;
	if (to_monitor(revoke, f) || lmp_recv(1, &m))
		return 12;
	union monitor_rep r = monitor_rep_of(m.words);
	printf("testchild: core %u broadcast revoke: %s, %lu cores, %lu messages, depth %lu\n", k,
	       err_str((errval_t)r.revoke.err), (unsigned long)r.revoke.cores,
	       (unsigned long)r.revoke.msgs, (unsigned long)r.revoke.depth);
	return r.revoke.err ? 13 : 0;
}

/* Mode 14: a domain on another core misbehaves towards its monitor. */
static int bad_requests(void)
{
	struct lmp_recv m;
	struct {
		uint64_t w[4];
		uint64_t cap;
		errval_t want;
	} cases[] = {
	    {{99, 1, 2, 3}, CAPADDR_NONE, ERR_BAD_REQUEST},
	    {{MONITOR_REVOKE}, CAPADDR_NONE, ERR_BAD_REQUEST},
	    {{MONITOR_RETYPE, 0, 4096, OBJ_FRAME}, CAPADDR_NONE, ERR_BAD_REQUEST},
	    {{MONITOR_CAPSTAT}, CAPADDR(CN_TASK, TASK_RAM), ERR_BAD_REQUEST},
	    {{MONITOR_ADOPT, 1}, CAPADDR(CN_TASK, TASK_EP), ERR_BAD_REQUEST},
	    {{MONITOR_RELEASE, 0x1000, 0x1000}, CAPADDR_NONE, ERR_CAP_NOT_FOUND},
	    {{MONITOR_RELEASE, ~0ull, ~0ull}, CAPADDR_NONE, ERR_CAP_NOT_FOUND},
	};
	unsigned good = 0, n = sizeof(cases) / sizeof(cases[0]);
	for (unsigned i = 0; i < n; i++) {
		errval_t err = to_monitor(cases[i].w, cases[i].cap);
		if (!err)
			err = lmp_recv(1, &m) ? ERR_LMP_EMPTY : (errval_t)m.words[0];
		good += err == cases[i].want;
		if (err != cases[i].want)
			printf("testchild: bad request %u: %s\n", i, err_str(err));
	}
	/* A flood it does not read: the monitor drops what it cannot deliver.
	   Then a good one: the monitor answers in order, so its answer is the
	   first that is not the flood's ERR_BAD_REQUEST, or the 65th (read
	   until then, however long it takes: no quiet spell means the end). */
	uint64_t junk[4] = {98}, ok[4] = {MONITOR_RELEASE, 0x1000, 0x1000};
	errval_t err;
	for (unsigned i = 0; i <= 64; i++)
		err = to_monitor(i < 64 ? junk : ok, CAPADDR_NONE);
	unsigned flood = 0;
	while (!err && !(err = lmp_recv(1, &m)) && m.words[0] == ERR_BAD_REQUEST && flood++ < 64)
		;
	if (!err)
		err = (errval_t)m.words[0];
	good += err == ERR_CAP_NOT_FOUND;
	printf("testchild: %u of %u bad requests answered as expected\n", good, n + 1);
	return good == n + 1 ? 0 : 1;
}

/* Mode 13: watch a revoke from the side, as a holder. */
static int watch_revoke(void)
{
	struct lmp_recv m;
	volatile const uint64_t *p;
	if (lmp_recv(1, &m) || !(p = map_shared(&m)))
		return 1;
	uint64_t w[4] = {*p}, core = m.words[1];
	capaddr_t s = slot_alloc();
	if (s == SLOT_NONE)
		return 2;
	unsigned phase = 0, seen[3] = {0};
	bool answered = false;
	for (;;) {
		errval_t err = cnode_copy(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s),
					  CAPADDR(CN_TASK, TASK_RECV), CAP_RIGHTS_ALL);
		unsigned now = err == ERR_OK ? 0 : err == ERR_CAP_REVOKED ? 1 : 2;
		if (err && err != ERR_CAP_REVOKED && err != ERR_CAP_EMPTY) {
			printf("testchild: core %lu: copy: %s\n", (unsigned long)core,
			       err_str(err));
			return 22;
		}
		cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s)); /* may be swept */
		if (now < phase)
			break;
		phase = now;
		seen[now]++;
		/* Answer the share after one copy worked: the test revokes once it
		   has the answer, so a copy before the revoke is certain. */
		if (!answered && (now || to_monitor(w, CAPADDR_NONE)))
			return 2;
		answered = true;
		if (now == 2)
			break;
		sys_yield();
	}
	printf("testchild: core %lu copied it %u times, refused %u times while marked, then it "
	       "was gone%s\n",
	       (unsigned long)core, seen[0], seen[1], phase == 2 ? "" : " (out of order)");
	return phase != 2 ? 20 : seen[0] == 0 ? 21 : 0;
}

static int retype_remote(void)
{
	struct lmp_recv m;
	struct cap_info ci = {0};
	uint64_t req[4] = {MONITOR_RETYPE, 0, 4 * OBJSIZE_PAGE, OBJ_FRAME};
	capaddr_t ram = slot_alloc();
	if (lmp_recv(1, &m) || !m.has_cap)
		return 1000;
	uint64_t core = m.words[1];
	/* The RAM out of the receive slot, where the result will come. */
	if (cnode_copy(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram), CAPADDR(CN_TASK, TASK_RECV),
		       CAP_RIGHTS_ALL) ||
	    cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV) ||
	    disp_set_recv_slot(CAPADDR(CN_TASK, TASK_DISP), CAPADDR(CN_TASK, TASK_RECV)))
		return 1002;
	if (to_monitor(req, ram) || lmp_recv(1, &m))
		return 1001;
	errval_t err = (errval_t)m.words[0];
	if (!err && (!m.has_cap || cap_identify(CAPADDR(CN_TASK, TASK_RECV), &ci) ||
		     ci.type != OBJ_FRAME || ci.size != 4 * OBJSIZE_PAGE))
		err = ERR_CAP_NOT_FOUND;
	printf("testchild: core %lu retype: %s%s\n", (unsigned long)core, err_str(err),
	       err ? "" : ", holds the 16 KiB Frame");
	return (int)err;
}

static int share_from_here(uint64_t arg)
{
	unsigned j = (arg >> 8) & 0xff, k = (arg >> 16) & 0xff;
	capaddr_t f = slot_alloc();
	struct lmp_recv m;
	uint64_t req[4] = {MONITOR_SHARE, j};
	struct cap_info ci;
	if (cap_retype(CAPADDR(CN_TASK, TASK_RAM), OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
		       CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)))
		return 10;
	if (cap_identify(f, &ci) || ci.owner != k) /* made here: this core owns it */
		return 14;
	if (to_monitor(req, f) || lmp_recv(1, &m))
		return 11;
	errval_t shared = (errval_t)m.words[0];
	uint64_t share_msgs = monitor_rep_of(m.words).share.msgs;
	if (arg >> 24 & 1) {
		printf("testchild: core %u shared with core %u: %s; waits\n", k, j,
		       err_str(shared));
		for (;;)
			lmp_recv(1, &m);
	}
	req[0] = MONITOR_REVOKE;
	req[1] = 0;
	if (to_monitor(req, f) || lmp_recv(1, &m))
		return 12;
	union monitor_rep r = monitor_rep_of(m.words);
	printf("testchild: core %u shared with core %u: %s, %lu messages; revoked: %s, %lu "
	       "cores, %lu messages, depth %lu\n",
	       k, j, err_str(shared), (unsigned long)share_msgs, err_str((errval_t)r.err),
	       (unsigned long)r.revoke.cores, (unsigned long)r.revoke.msgs,
	       (unsigned long)r.revoke.depth);
	return shared || m.words[0] ? 13 : 0;
}

/* Mode 51: an owner on another core than 0 revokes across NUMA nodes. */
static int share_all_revoke(void)
{
	const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;
	unsigned k = bi->coreid, shared = 0;
	capaddr_t f = slot_alloc();
	struct lmp_recv m;
	errval_t err = ERR_OK;
	if (cap_retype(CAPADDR(CN_TASK, TASK_RAM), OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
		       CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)))
		return 10;
	for (unsigned j = 0; j < bi->ncores && j < BOOTINFO_MAX_CORES && !err; j++) {
		uint64_t req[4] = {MONITOR_SHARE, j};
		if (j == k) /* (a core not online: ERR_CORE_NONE, skipped) */
			continue;
		if (to_monitor(req, f) || lmp_recv(1, &m))
			return 11;
		err = (errval_t)m.words[0];
		shared += !err;
		if (err == ERR_CORE_NONE) /* not online */
			err = ERR_OK;
	}
	uint64_t req[4] = {MONITOR_REVOKE, 0};
	if (to_monitor(req, f) || lmp_recv(1, &m))
		return 12;
	union monitor_rep r = monitor_rep_of(m.words);
	printf("testchild: core %u owns it, shared with %u cores: %s; revoked: %s, %lu cores, %lu "
	       "messages, depth %lu, %lu across nodes\n",
	       k, shared, err_str(err), err_str((errval_t)r.err), (unsigned long)r.revoke.cores,
	       (unsigned long)r.revoke.msgs, (unsigned long)r.revoke.depth,
	       (unsigned long)r.revoke.xnode);
	return err || r.err ? 13 : 0;
}

/* Mode 3: the test waits for our answer, so it knows we read the frame. */
static int read_until_fault(void)
{
	volatile const uint64_t *p = (volatile const uint64_t *)0xc0000000ul;
	struct lmp_recv m;
	if (lmp_recv(1, &m) || !m.has_cap)
		return 1;
	uint64_t w[4] = {*p};
	if (ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE))
		return 2;
	for (;;) {
		(void)*p;
		sys_yield();
	}
}

static unsigned my_core(void)
{
	return ((const struct bootinfo *)BOOTINFO_VADDR)->coreid;
}

/* ---- floating point (ADR 0018) ---- */

/* FP instructions in a program built without F and D: the assembler is
   told, the compiler is not (so it never uses the f registers itself). */
#define FP_ASM(body) ".option push\n.option arch, +d\n" body ".option pop\n"

/* Mode 46: 21.0 + 21.0 in the FP unit. */
static int fp_unannounced(void)
{
	uint64_t out;
	asm volatile(FP_ASM("li t0, 21\n"
			    "fcvt.d.l ft0, t0\n"
			    "fadd.d ft0, ft0, ft0\n"
			    "fcvt.l.d %0, ft0, rtz\n")
		     : "=r"(out)
		     :
		     : "t0");
	printf("testchild: core %u computed %lu with FP\n", my_core(), (unsigned long)out);
	return 46;
}

#define FP_LOAD_STORE(op)                                                                          \
	op " f0, 0(%[p])\n" op " f1, 8(%[p])\n" op " f2, 16(%[p])\n" op " f3, 24(%[p])\n" op       \
	   " f4, 32(%[p])\n" op " f5, 40(%[p])\n" op " f6, 48(%[p])\n" op " f7, 56(%[p])\n" op     \
	   " f8, 64(%[p])\n" op " f9, 72(%[p])\n" op " f10, 80(%[p])\n" op " f11, 88(%[p])\n" op   \
	   " f12, 96(%[p])\n" op " f13, 104(%[p])\n" op " f14, 112(%[p])\n" op                     \
	   " f15, 120(%[p])\n" op " f16, 128(%[p])\n" op " f17, 136(%[p])\n" op                    \
	   " f18, 144(%[p])\n" op " f19, 152(%[p])\n" op " f20, 160(%[p])\n" op                    \
	   " f21, 168(%[p])\n" op " f22, 176(%[p])\n" op " f23, 184(%[p])\n" op                    \
	   " f24, 192(%[p])\n" op " f25, 200(%[p])\n" op " f26, 208(%[p])\n" op                    \
	   " f27, 216(%[p])\n" op " f28, 224(%[p])\n" op " f29, 232(%[p])\n" op                    \
	   " f30, 240(%[p])\n" op " f31, 248(%[p])\n"

static void fp_fill(const double v[32], uint64_t fcsr)
{
	asm volatile(FP_ASM(FP_LOAD_STORE("fld") "fscsr %[c]\n")
		     :
		     : [p] "r"(v), [c] "r"(fcsr)
		     : "memory");
}

static uint64_t fp_dump(double v[32])
{
	uint64_t fcsr;
	asm volatile(FP_ASM(FP_LOAD_STORE("fsd") "frcsr %[c]\n")
		     : [c] "=&r"(fcsr)
		     : [p] "r"(v)
		     : "memory");
	return fcsr;
}

/* Mode 47: the values of round r are s * 1000 + i * 0.5 + r (soft-float
   arithmetic in C: this program's compiler knows no FP unit), fcsr the
   rounding mode s % 5 and the flags s % 32. */
static int fp_keeps(uint64_t arg)
{
	unsigned s = (arg >> 8) & 0xff, n = (arg >> 16) & 0xffff, bad = 0, r;
	uint64_t fcsr = (uint64_t)(s % 5) << 5 | (s % 32);
	static double want[32], got[32];
	for (r = 0; r < n && !bad; r++) {
		for (unsigned i = 0; i < 32; i++)
			want[i] = (double)s * 1000.0 + (double)i * 0.5 + (double)r;
		fp_fill(want, fcsr);
		for (volatile unsigned spin = 0; spin < 300000; spin++)
			;
		sys_yield();
		uint64_t f = fp_dump(got);
		if (f != fcsr) {
			printf("testchild: core %u fp seed %u round %u: fcsr %#lx, not %#lx\n",
			       my_core(), s, r, (unsigned long)f, (unsigned long)fcsr);
			bad = 1;
		}
		for (unsigned i = 0; i < 32 && !bad; i++)
			if (memcmp(&want[i], &got[i], sizeof(double))) {
				printf("testchild: core %u fp seed %u round %u: f%u changed\n",
				       my_core(), s, r, i);
				bad = 1;
			}
	}
	printf("testchild: core %u fp seed %u: %u rounds, %s\n", my_core(), s, r,
	       bad ? "FP state lost" : "f0-f31 and fcsr kept");
	return bad;
}

/* ---- channels (ADR 0014) ---- */

#define CHAN_STOP  0x73746f70ull
#define CHAN_ROUND 20

/* Mode 23: a client of "tests.chan" (p = 0) or of core p - 1's echo
   server: CHAN_ROUND messages echoed (the server adds 1000 to word 1),
   then STOP and its echo. */
static int chan_client(unsigned p)
{
	char name[NAME_MAX_LEN + 1] = "tests.chan";
	struct chan c;
	uint64_t w[CHAN_WORDS] = {0};
	unsigned k = my_core(), i = 0;
	if (p)
		snprintf(name, sizeof(name), "tc.echo%u", p - 1);
	errval_t err = chan_bind_wait(name, &c, 2000);
	for (; !err && i < CHAN_ROUND; i++) {
		w[0] = i;
		w[1] = k;
		w[6] = ~(uint64_t)i;
		if (!(err = chan_send(&c, w)) && !(err = chan_recv(&c, w)) &&
		    (w[0] != i || w[1] != k + 1000 || w[6] != ~(uint64_t)i))
			err = ERR_CHAN_BROKEN;
	}
	w[0] = CHAN_STOP;
	if (!err && !(err = chan_send(&c, w)) && !(err = chan_recv(&c, w)) && w[0] != CHAN_STOP)
		err = ERR_CHAN_BROKEN;
	printf("testchild: core %u chan to %s: %u echoed: %s\n", k, name, i, err_str(err));
	if (!err)
		err = chan_close(&c);
	return err ? 1 : 0;
}

/* Mode 25: the echo server tc.echo<core>, for one client. */
static int chan_echo(void)
{
	char name[NAME_MAX_LEN + 1];
	struct chan c;
	uint64_t w[CHAN_WORDS];
	snprintf(name, sizeof(name), "tc.echo%u", my_core());
	errval_t err = chan_listen(name);
	if (!err)
		err = chan_accept(&c);
	while (!err && !(err = chan_recv(&c, w))) {
		w[1] += w[0] == CHAN_STOP ? 0 : 1000;
		if ((err = chan_send(&c, w)) || w[0] == CHAN_STOP)
			break;
	}
	if (!err)
		chan_recv(&c, w); /* until the client closes: ERR_CHAN_CLOSED */
	printf("testchild: core %u echo: %s\n", my_core(), err_str(err));
	return err ? 1 : 0;
}

/* Mode 24: a client of "tests.chan" that says hello and waits to be
   killed; mode 26: the server tc.hold<core> that does the same for its
   one client. */
static int chan_hold(bool server)
{
	char name[NAME_MAX_LEN + 1];
	struct chan c;
	struct lmp_recv m;
	uint64_t w[CHAN_WORDS] = {server ? 0x401dull : 0xdeadull, my_core()};
	snprintf(name, sizeof(name), "tc.hold%u", my_core());
	errval_t err = server ? chan_listen(name) : chan_bind_wait("tests.chan", &c, 2000);
	if (!err && server)
		err = chan_accept(&c);
	if (!err)
		err = chan_send(&c, w);
	printf("testchild: core %u holds a channel: %s\n", my_core(), err_str(err));
	while (!err)
		lmp_recv(1, &m);
	return 1;
}

/* Mode 28: a client of "tests.chan" (p = 0) or of tc.cap<p - 1> that is
   sent a Frame: it maps it, sends back its first word, and once told (2)
   that the sender revoked it, sends back what identifying it gives. */
static int chan_cap_client(unsigned p)
{
	char name[NAME_MAX_LEN + 1] = "tests.chan";
	struct chan c;
	uint64_t w[CHAN_WORDS] = {0};
	capaddr_t f = SLOT_NONE;
	struct cap_info ci;
	if (p)
		snprintf(name, sizeof(name), "tc.cap%u", p - 1);
	errval_t err = chan_bind_wait(name, &c, 2000);
	if (!err)
		err = chan_recv_cap(&c, w, &f);
	if (!err && f == SLOT_NONE)
		err = ERR_CAP_EMPTY;
	volatile uint64_t *v = err ? NULL : chan_map(f, false);
	w[0] = v ? v[0] : 0;
	if (v)
		chan_unmap(f);
	if (!err && !(err = chan_send(&c, w)) && !(err = chan_recv(&c, w)) && w[0] == 2) {
		w[0] = cap_identify(f, &ci);
		err = chan_send(&c, w);
	}
	if (!err)
		err = chan_recv(&c, w) == ERR_CHAN_CLOSED ? ERR_OK : ERR_CHAN_BROKEN;
	printf("testchild: core %u took a capability over a channel: %s\n", my_core(),
	       err_str(err));
	if (c.va)
		chan_close(&c);
	return err ? 1 : 0;
}

/* Mode 29: the server tc.cap<core>: a Frame of its own RAM with a magic
   word to its one client (on this core), revoked once read. */
static int chan_cap_server(void)
{
	char name[NAME_MAX_LEN + 1];
	struct chan c;
	uint64_t w[CHAN_WORDS] = {0}, word = 0, after = 0;
	capaddr_t ram = SLOT_NONE, f = slot_alloc();
	snprintf(name, sizeof(name), "tc.cap%u", my_core());
	errval_t err = chan_listen(name);
	if (!err)
		err = chan_accept(&c);
	if (!err)
		err = ram_alloc(RAM_UNIT, &ram);
	if (!err)
		err = cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
				 CAPADDR_L2(f));
	volatile uint64_t *v = err ? NULL : chan_map(f, true);
	if (v) {
		v[0] = 0xca9ull << 32 | my_core();
		chan_unmap(f);
	}
	if (!err && !(err = chan_send_cap(&c, w, f)) && !(err = chan_recv(&c, w))) {
		word = w[0];
		err = cnode_revoke(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
		w[0] = 2;
		if (!err && !(err = chan_send(&c, w)) && !(err = chan_recv(&c, w)))
			after = w[0];
	}
	printf("testchild: core %u cap over a channel: read %#lx, after the revoke %s: %s\n",
	       my_core(), (unsigned long)word, err_str((errval_t)after), err_str(err));
	if (c.va)
		chan_close(&c);
	return err || word != (0xca9ull << 32 | my_core()) || after != ERR_CAP_EMPTY;
}

/* Mode 27: a load from a page of the channel window that nothing maps,
   outside a channel call: caught, the domain exits 255 (no fault). */
static int chan_stray(void)
{
	errval_t err = chan_listen("tc.stray");
	if (err)
		return 1;
	return (int)*(volatile uint64_t *)(CHAN_VADDR + CHAN_WINDOW - 8);
}

static int name_server(void)
{
	char name[NAME_MAX_LEN + 1];
	capaddr_t ep = slot_alloc();
	struct lmp_recv m;
	snprintf(name, sizeof(name), "tc%u", my_core());
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, 0x5e);
	if (!err)
		err = name_register(name, ep);
	printf("testchild: core %u registered %s: %s\n", my_core(), name, err_str(err));
	while (!err) {
		if (lmp_recv(1, &m))
			continue;
		if (m.badge != 0x5e || !m.has_cap) {
			if (m.has_cap)
				rpc_drop_cap();
			continue;
		}
		uint64_t w[4] = {m.words[0] + 1};
		ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE);
		rpc_drop_cap();
	}
	return 1;
}

static int name_client(void)
{
	char name[NAME_MAX_LEN + 1];
	capaddr_t srv = slot_alloc(), me = slot_alloc();
	unsigned core = ~0u, core0 = ~0u, k = my_core(), bad = 0;
	struct lmp_recv m = {0};
	snprintf(name, sizeof(name), "tc%u", k);
	errval_t err = name_lookup(name, &core, srv);
	if (!err)
		err = cnode_mint(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me),
				 CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, 0x18);
	uint64_t w[4] = {41};
	if (!err)
		err = ep_send(srv, w, me);
	while (!err && !lmp_recv(1, &m) && m.badge != 0x18)
		; /* (blocks: lmp_recv waits for a message) */
	bad += err || core != k || m.words[0] != 42;
	printf("testchild: core %u asked %s on core %u: %s, got %lu\n", k, name, core, err_str(err),
	       (unsigned long)m.words[0]);
	errval_t e0 = name_lookup("tests.names", &core0, CAPADDR_NONE);
	errval_t e1 = name_unregister("tests.names");
	snprintf(name, sizeof(name), "tx%u", k);
	errval_t e2 = name_register(name, me);
	bad += e0 || core0 != 0 || e1 != ERR_NAME_NOT_FOUND || e2;
	printf("testchild: core %u found tests.names on core %u: %s; unregister: %s; "
	       "registered %s: %s\n",
	       k, core0, err_str(e0), err_str(e1), name, err_str(e2));
	return (int)bad;
}

/* Mode 45: its core's memory service found by name and bound. */
static int services_by_name(void)
{
	char name[NAME_MAX_LEN + 1];
	unsigned k = my_core(), bad = 0;
	capaddr_t ep = SLOT_NONE, cap = SLOT_NONE, kept;
	uint64_t badge = 0, handle = 0, free = 0, total = 0, h2;
	snprintf(name, sizeof(name), SVC_NAME_SPAWND, k);
	errval_t eb = service_bind(name, &ep, &badge);
	errval_t ea = eb ? eb : mem_alloc_at(ep, badge, 256u << 10, &cap, &handle);
	errval_t es = ea ? ea : mem_stat_at(ep, badge, &free, &total);
	errval_t ef = es ? es : mem_free_at(ep, badge, cap, handle);
	errval_t e2 = ef ? ef : mem_free_at(ep, badge, SLOT_NONE, handle);
	errval_t ek = eb ? eb : mem_alloc_at(ep, badge, 64u << 10, &kept, &h2);
	bad += eb || badge != SERVER_MEMSERV || ea || es || !free || free > total || ef ||
	       e2 != ERR_MEM_HANDLE || ek;
	printf("testchild: core %u bound %s: %s, answers %#lx; alloc, stat, free: %s; "
	       "again: %s\n",
	       k, name, err_str(eb), (unsigned long)badge,
	       err_str(ea   ? ea
		       : es ? es
			    : ef),
	       err_str(e2));
	static const char *const others[] = {SVC_NAME_MEM, SVC_NAME_SERIAL, "spawnd.0"};
	for (unsigned i = 0; i < 3; i++) {
		errval_t e = service_bind(others[i], &ep, &badge);
		bad += e != ERR_NAME_REMOTE;
		printf("testchild: core %u binds %s: %s\n", k, others[i], err_str(e));
	}
	bad += service_bind("tests.nobody", &ep, &badge) != ERR_NAME_NOT_FOUND;
	return (int)bad;
}

/* Mode 20: h = h * 33 + x (from 5381) over argc, every byte of argv[0..argc-1]
   with its NUL, the domain's id and its core; 31 bits of it. */
static int digest_of(int argc, char *const argv[], uint64_t domain, unsigned core)
{
	uint32_t h = 5381 * 33 + (uint32_t)argc;
	for (int i = 0; i < argc; i++)
		for (const char *s = argv[i];; s++) {
			h = h * 33 + (uint8_t)*s;
			if (!*s)
				break;
		}
	h = h * 33 + (uint32_t)domain;
	return (int)((h * 33 + core) & 0x7fffffff);
}

static int args_digest(int argc, char **argv)
{
	return digest_of(argc, argv, rt_domain(), rt_core());
}

/* ---- mode 40: domains from a domain on core k > 0 (ADR 0015) ---- */

static unsigned far_bad; /* checks that failed, each printed */

static void far_expect(errval_t got, errval_t want, const char *what)
{
	if (got == want)
		return;
	far_bad++;
	printf("testchild: core %u: %s: %s, want %s\n", rt_core(), what, err_str(got),
	       err_str(want));
}

/* testchild in mode 20 on core t with 206 bytes of arguments (7 messages
   from our monitor to monitor 0): they came whole, its id and core too. */
static void far_args(unsigned t)
{
	static char big[201];
	char *argv[] = {"testchild", "far", big, ""};
	uint64_t id = 0, faults = 0;
	int64_t status = -1;
	memset(big, 'f', sizeof(big) - 1);
	errval_t err = monitor_spawn(t, "testchild", 20, 3, argv + 1, &id);
	far_expect(err, ERR_OK, "a spawn with arguments");
	if (!err)
		far_expect(monitor_wait(t, id, &status, &faults), ERR_OK, "its wait");
	bool ok = !err && status == digest_of(4, argv, id, t) && !faults;
	far_bad += !ok;
	printf("testchild: core %u started testchild on core %u with %zu bytes of arguments: %s\n",
	       rt_core(), t, 4 + sizeof(big) + 1, ok ? "digest ok" : "WRONG");
}

/* A domain on our own core: started, waited for (mode 1 exits 7). */
static void far_own_core(void)
{
	uint64_t id = 0, faults = 0;
	int64_t status = -1;
	errval_t err = monitor_spawn(rt_core(), "testchild", 1, 0, NULL, &id);
	far_expect(err, ERR_OK, "a spawn on our own core");
	if (!err)
		far_expect(monitor_wait(rt_core(), id, &status, &faults), ERR_OK, "its wait");
	far_expect(!err && status == 7 && !faults ? ERR_OK : ERR_BAD_REQUEST, ERR_OK,
		   "its exit status 7");
}

/* Requests refused as they are on core 0: the same errors. */
static void far_refused(unsigned t)
{
	unsigned n = ((const struct bootinfo *)BOOTINFO_VADDR)->ncores;
	uint64_t id, faults;
	int64_t status;
	union monitor_rep r;
	far_expect(monitor_spawn(0, "testchild", 1, 0, NULL, &id), ERR_CORE_NONE, "core 0");
	far_expect(monitor_spawn(n, "testchild", 1, 0, NULL, &id), ERR_CORE_NONE, "no such core");
	far_expect(monitor_spawn(t, "nope", 1, 0, NULL, &id), ERR_MODULE_NOT_FOUND, "no module");
	far_expect(monitor_wait(t, 999, &status, &faults), ERR_DOMAIN_NOT_FOUND, "wait on 999");
	far_expect(monitor_wait(t, 1, &status, &faults), ERR_DOMAIN_PROTECTED, "wait on spawnd");
	far_expect(monitor_wait(0, 1, &status, &faults), ERR_CORE_NONE, "wait on core 0");
	far_expect(monitor_ask((union monitor_req){.domain = {MONITOR_DOMAIN, .core = t, .how = 4}},
			       CAPADDR_NONE, &r),
		   ERR_BAD_REQUEST, "how 4");
	/* A block of 32 bytes whose second half never comes. */
	union monitor_req q = {.args = {MONITOR_ARGS, .offset = 0, .total = 32}};
	memcpy(q.args.data, "the first half, ", sizeof(q.args.data));
	far_expect(to_monitor(q.words, CAPADDR_NONE), ERR_OK, "a fragment");
	q = (union monitor_req){.spawn = {MONITOR_SPAWN, .core = t, .args = 32, .arg = 1}};
	memcpy(q.spawn.name, "testchild", 9);
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_ARGS_INCOMPLETE, "half a block");
}

/* A sleeper on core t reported, listed, killed (once: then it is gone). */
static void far_kill(unsigned t)
{
	uint64_t id = 0, faults;
	int64_t status;
	union monitor_rep r;
	union monitor_req q = {.domain = {MONITOR_DOMAIN, .core = t}};
	far_expect(monitor_spawn(t, "testchild", 21 | 60000 << 8, 0, NULL, &id), ERR_OK,
		   "a sleeper");
	q.domain.id = id;
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_OK, "its report");
	far_expect(r.domain.state && !memcmp(r.domain.name, "testchild", 9) ? ERR_OK
									    : ERR_BAD_REQUEST,
		   ERR_OK, "its state and name");
	q.domain = (struct monitor_domain){MONITOR_DOMAIN, .core = t, .id = 0, .how = 2};
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_OK, "a list");
	bool listed = false; /* (others' domains may be there too) */
	for (unsigned i = 1; i < MONITOR_LIST_IDS; i++)
		listed |= r.domain_list.ids[i] == id;
	far_expect(r.domain_list.ids[0] == 1 && listed ? ERR_OK : ERR_BAD_REQUEST, ERR_OK,
		   "spawnd and the sleeper listed");
	q.domain = (struct monitor_domain){MONITOR_DOMAIN, .core = t, .id = id, .how = 1};
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_OK, "the kill");
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_DOMAIN_NOT_FOUND, "a second kill");
	far_expect(monitor_wait(t, id, &status, &faults), ERR_DOMAIN_NOT_FOUND, "a wait after");
	q.domain.id = 1;
	far_expect(monitor_ask(q, CAPADDR_NONE, &r), ERR_DOMAIN_PROTECTED, "a kill of spawnd");
}

/* Mode 40: see the top of the file. */
static int far_spawner(uint64_t arg)
{
	unsigned t = (arg >> 8) & 0xff;
	far_expect(monitor_bind(), ERR_OK, "the bind");
	far_args(t);
	far_own_core();
	far_refused(t);
	far_kill(t);
	printf("testchild: core %u started, waited for and killed domains on core %u: %u checks "
	       "failed\n",
	       rt_core(), t, far_bad);
	return far_bad ? 1 : 0;
}

static int flood(int argc, char **argv)
{
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 300;
	struct lmp_recv m;
	for (unsigned i = 1; i <= n; i++) {
		printf("flood: core %u domain %lu line %u of %u "
		       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		       rt_core(), (unsigned long)rt_domain(), i, n);
		if (i % 5 == 0)
			lmp_recv_timeout(1, &m); /* a nap, not a spin: others print meanwhile */
	}
	return 35;
}

/* Mode 30: see the top of the file. */
static int mem_holder(uint64_t arg)
{
	unsigned n = (arg >> 8) & 0xff, units = (arg >> 16) & 0xff;
	capaddr_t cap[32], f = slot_alloc();
	uint64_t handle[32], free0, total, free1;
	struct lmp_recv m;
	if (!n || n > 32 || !units || ram_init(CAPADDR(CN_TASK, TASK_RAM)) || win_init())
		return 1;
	if (mem_stat(&free0, &total) || free0 > total)
		return 2;
	for (unsigned i = 0; i < n; i++)
		if (mem_alloc((uint64_t)units * RAM_UNIT, &cap[i], &handle[i]))
			return 3;
	if (cap_retype(cap[0], OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
		       CAPADDR_L2(f)))
		return 4;
	volatile uint64_t *p = win_map(f, 1, true);
	if (!p)
		return 5;
	p[0] = 0x5eed;
	if (p[0] != 0x5eed)
		return 6;
	win_unmap(f);
	for (unsigned i = 1; i < n; i += 2)
		if (mem_free(cap[i], handle[i]))
			return 7;
	/* Others on the core may take or give meanwhile: only what must hold. */
	if (mem_stat(&free1, &total) || free1 > total)
		return 8;
	if (arg & (1u << 24))
		for (;;)
			lmp_recv(1, &m);
	return 0;
}

/* Mode 31: see the top of the file. */
static int mem_bad(void)
{
	struct lmp_recv rep;
	capaddr_t cap;
	uint64_t h, req[4] = {77, 0, 0, 0};
	if (mem_alloc(0, &cap, &h) != ERR_MEM_SIZE)
		return 1;
	if (mem_alloc(MEM_ALLOC_MAX + 1, &cap, &h) != ERR_MEM_SIZE)
		return 2;
	if (mem_alloc(MEM_ALLOC_MAX, &cap, &h) != ERR_NO_MEMORY)
		return 3;
	if (mem_free(SLOT_NONE, 12345) != ERR_MEM_HANDLE)
		return 4;
	if (mem_alloc(RAM_UNIT, &cap, &h) || mem_free(cap, h))
		return 5;
	if (mem_free(SLOT_NONE, h) != ERR_MEM_HANDLE)
		return 6;
	if (rpc_call(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, req, CAPADDR_NONE, &rep) !=
	    ERR_BAD_REQUEST)
		return 7;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t arg = rt_arg() || argc < 2 ? rt_arg() : strtoull(argv[1], NULL, 0), mode = arg;
	struct lmp_recv m;
	switch (mode & 0xff) {
	case 1:
		return 7;
	case 2:
		*(volatile uint32_t *)0 = 1;
		return 0;
	case 3:
		return read_until_fault();
	case 5:
		return share_and_exit();
	case 6:
	case 8:
	case 11:
	case 50:
		return read_shared_frame(mode & 0xff, (mode >> 8) & 0xff);
	case 51:
		return share_all_revoke();
	case 9:
		return retype_remote();
	case 12:
		return release_when_told();
	case 13:
		return watch_revoke();
	case 14:
		return bad_requests();
	case 15:
		return broadcast_from_here(arg);
	case 10:
		return share_from_here(arg);
	case 16:
		return flood_monitor(arg);
	case 17:
		return name_server();
	case 18:
		return name_client();
	case 19:
		return notify_receiver();
	case 7:
		return stress(arg);
	case 20:
		return args_digest(argc, argv);
	case 40:
		return far_spawner(arg);
	case 30:
		return mem_holder(arg);
	case 31:
		return mem_bad();
	case 21:
		lmp_recv_timeout((mode >> 8) & 0xffff, &m);
		return 21;
	case 23:
		return chan_client((mode >> 8) & 0xffff);
	case 24:
	case 26:
		return chan_hold((mode & 0xff) == 26);
	case 25:
		return chan_echo();
	case 27:
		return chan_stray();
	case 28:
		return chan_cap_client((mode >> 8) & 0xffff);
	case 29:
		return chan_cap_server();
	case 22: {
		char name[NAME_MAX_LEN + 1];
		snprintf(name, sizeof(name), "tf%u", my_core());
		printf("testchild: core %u registered %s: %s\n", my_core(), name,
		       err_str(name_register(name, CAPADDR(CN_TASK, TASK_EP))));
		*(volatile uint32_t *)0 = 1;
		return 0;
	}
	case 35:
		return flood(argc, argv);
	case 46:
		return fp_unannounced();
	case 47:
		return fp_keeps(arg);
	case 45:
		return services_by_name();
	case 4:
		if (lmp_recv(1, &m) || !m.has_cap)
			return 1;
		uint64_t w[4] = {m.words[0] + 1, m.badge, 0, 0};
		return ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE) ? 2 : 0;
	}
	return 99;
}
