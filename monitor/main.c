// SPDX-License-Identifier: MIT
/*
 * The monitor: the first domain on every core, built by that core's CPU
 * driver, and the only one holding the Kernel capability.
 *
 * Boot: monitor 0 starts the other cores (cores.c) and maps the channel of
 * every one that came. Monitor k > 0 maps its channel page (CN_CHAN slot
 * 0), sends MON_JOIN to monitor 0 and prints `monitor <k> ready`. Monitor 0
 * prints `monitor 0 ready`, waits (bounded,
 * MON_JOIN_TICKS) for every online core to join, prints
 * `reef: <N> monitors joined`, powers off if the boot arguments say
 * `poweroff`, and otherwise starts the system services; monitor k starts
 * its core's spawnd once it has joined (spawn.c).
 *
 * Then every monitor serves: inter-monitor messages from its channels and
 * LMP requests from local domains. It sleeps in SYS_RECV when there is
 * nothing to do; a peer that sends while it sleeps wakes it with a
 * notification IPI (KERNEL_NOTIFY), which its kernel delivers as an LMP
 * message on the endpoint bound with KERNEL_IPI_BIND. The sleep follows
 * lib/chan's handshake (ump_prepare_sleep), so no wakeup is lost and no
 * monitor ever spins waiting for another core.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <chan/ump.h>
#include <rt/args.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/memnode.h>
#include <rt/queue.h>
#include <rt/sys.h>

#include "connect.h"
#include "monitor.h"
#include "chans.h"
#include "names.h"
#include "roles.h"
#include "ops.h"
#include "records.h"
#include "revoke.h"
#include "share.h"
#include "trace.h"

#define KERNEL MON_KERNEL

static const struct bootinfo *bi;
static unsigned me;
/* Monitor 0: the last status query's answers (`cores`, `capstat`). */
static bool answered[BOOTINFO_MAX_CORES];
static struct mon_status status[BOOTINFO_MAX_CORES];
/* and, with more than one NUMA node, of its messages to other nodes (`capstat`) */
static bool xanswered[BOOTINFO_MAX_CORES];
static struct mon_status xstatus[BOOTINFO_MAX_CORES];

static void handle(unsigned k, uint8_t type, const union mon_payload *p);

/* MON_STATUS_REQ (from monitor 0, or a ping from anyone): our state; with
   xnode, the counts of what we sent to cores on other NUMA nodes. */
static void status_reply(unsigned to, uint64_t req, bool xnode)
{
	struct sysret ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
	union mon_payload r = {
	    .status = {.req = req, .core = me, .dispatchers = ks.v[1], .ipis_fencei = ks.v[2]}};
	mon_counts(&r.status, xnode);
	mon_send(to, MON_STATUS, &r);
}

/* A request from monitor 0 that this monitor answers at once. */
static bool handle_from0(unsigned k, uint8_t type, const union mon_payload *p)
{
	if (me == 0 || k != 0)
		return false;
	union mon_payload r = {.answer = {.req = p->request.req, .err = ERR_OK}};
	switch (type) {
	case MON_SPAWN:
	case MON_DOMAIN:
		spawn_request(k, type, p);
		return true;
	case MON_SPAWN_ARGS:
		spawn_args_pass(&p->spawn_args);
		return true;
	case MON_WAIT:
		spawn_wait(k, &p->wait);
		return true;
	case MON_CHAN_OPEN:
		r.chan_opened.err = chan_join(&p->chan_open);
		mon_send(0, MON_CHAN_OPENED, &r);
		return true;
	case MON_CHECK:
		r.checked.failed =
		    cap_invoke(KERNEL, 2, KERNEL_CAP_CHECK, 0, 0, 0, 0, 0).err != ERR_OK;
		mon_send(0, MON_CHECKED, &r);
		return true;
	case MON_CAP_COUNT:
		on_count(k, &p->cap_count);
		return true;
	case MON_TRACE:
		trace_message(k, &p->trace);
		return true;
	default:
		return false;
	}
}

/* Requests only monitor 0 serves: names (ADR 0011), memory (ADR 0012),
   a domain's on core k about domains (ADR 0015). */
static bool handle_at0(unsigned k, uint8_t type, const union mon_payload *p)
{
	if (me != 0)
		return false;
	if (type == MON_MEM_MORE)
		mem_more_ask(k, &p->mem_more);
	else if (type == MON_NAME_REG || type == MON_NAME_FIND || type == MON_NAME_DROP)
		names_on_message(k, type, p);
	else if (type == MON_FAR_ARGS || type == MON_FAR_REQ)
		spawn_far_message(k, type, p);
	else
		return false;
	return true;
}

/* Handle one inter-monitor message from core k: a request starts its
   operation or is answered at once, an answer goes to its operation. */
static void handle(unsigned k, uint8_t type, const union mon_payload *p)
{
	switch (type) {
	case MON_JOIN:
		if (me == 0 && p->join.core == k && !mon_has_joined(k)) {
			mon_joined(k);
			return;
		}
		break;
	case MON_STATUS_REQ:
		status_reply(k, p->status_req.req, p->status_req.xnode == 1);
		return;
	case MON_CAP_DELIVER:
		on_deliver(k, &p->cap_deliver);
		return;
	case MON_CAP_REVOKE:
	case MON_CAP_MARK:
	case MON_CAP_SWEEP:
		on_phase(k, type, p);
		if (type != MON_CAP_MARK)
			chans_sweep(); /* a channel's frame may have gone */
		return;
	case MON_DEL_NOTIFY:
		shared_del_notify(k, &p->del_notify);
		return;
	case MON_REVOKE_REQ:
		on_revoke_req(k, type, p);
		return;
	case MON_RETYPE_REQ:
		on_retype_req(k, type, p);
		return;
	case MON_COPY_REQ:
		on_copy_req(k, type, p);
		return;
	case MON_CONNECT:
		on_connect(k, type, p);
		return;
	case MON_CHAN_OFFER:
	case MON_CHAN_GONE:
		chans_on_message(k, type, p);
		return;
	default:
		if (handle_from0(k, type, p) || handle_at0(k, type, p))
			return;
		if (mon_msg_known(type) && mon_msg_answer[type]) {
			op_answer(k, type, p); /* or late: its round is over */
			return;
		}
	}
	printf("monitor %u: unexpected message %s (type %u) from core %u ignored\n", me,
	       mon_msg_known(type) ? mon_msg_name[type] : "?", type, k);
}

static void serve_local(const struct lmp_recv *m);

/*
 * One turn of the event loop: run what the operations have ready (ops.h),
 * take every message waiting on a channel, send what waits in outboxes,
 * then sleep until an LMP message (a local request, or a notification
 * that only wakes us) or the earliest time an operation or an outbox needs
 * us, at most ticks (0: no limit). Nothing here waits for anything else.
 */
static void wait_event(uint64_t ticks)
{
	fault_yield();	   /* (faults=SEED: other domains run at random points) */
	chan_poll(handle); /* answers first: a round's time may be up */
	uint64_t need = ops_run();
	spawn_flush();
	shared_apply_gone();
	if (chan_poll(handle))
		return;
	if (need == OPS_YIELD) { /* a domain here takes its answers */
		sys_yield();
		return;
	}
	if (chan_drain_all())
		need = 1; /* a tick at most: look for room again then */
	if (need && (!ticks || need < ticks))
		ticks = need;
	if (ticks > RECV_MAX_TICKS)
		ticks = RECV_MAX_TICKS;
	struct lmp_recv m;
	errval_t err = chan_sleep(ticks, &m);
	if (!err && m.badge != MON_BADGE_IPI)
		serve_local(&m);
	chan_poll(handle);
}

#define SHELL_REPLY CAPADDR(CN_TASK, TASK_MON_REPLY)

static void reply(const union monitor_rep *r)
{
	op_reply(SHELL_REPLY, false, r->words, CAPADDR_NONE, false);
}

static void reply_err(errval_t err)
{
	union monitor_rep r = {.err = err};
	reply(&r);
}

/* `cores` and `capstat`: a query of every joined monitor's status. */
struct query_op {
	struct op op;
	uint64_t what; /* MONITOR_CORES or MONITOR_CAPSTAT */
	bool counts;   /* MONITOR_CORES: the kernels' counters */
	bool xnode;    /* the second round (capstat, several nodes): cross-node counts */
};

static void each_status(struct op *o, unsigned k, const union mon_payload *p)
{
	bool x = ((struct query_op *)o)->xnode;
	if (p->status.core == k && k < bi->ncores) {
		*(x ? &xstatus[k] : &status[k]) = p->status;
		*(x ? &xanswered[k] : &answered[k]) = true;
	}
}

static void query_cores(bool counts)
{
	for (unsigned k = 0; k < bi->ncores; k++) {
		if (counts) {
			uint64_t v = answered[k] ? status[k].ipis_fencei : 0;
			union monitor_rep r = {
			    .cores_counts = {.core = k, .ipis = (uint32_t)v, .fencei = v >> 32}};
			reply(&r);
			continue;
		}
		uint64_t state = !bi->cores[k].online ? MON_CORE_OFFLINE
				 : answered[k]	      ? MON_CORE_JOINED
						      : MON_CORE_SILENT;
		uint64_t doms = status[k].dispatchers;
		union monitor_rep r = {.cores = {.core = k,
						 .hart = bi->cores[k].hartid,
						 .state = state,
						 .dispatchers = doms > 4095 ? 4095 : doms}};
		memcpy(r.cores.isa, bi->cores[k].isa, sizeof(r.cores.isa));
		reply(&r);
	}
}

/* Op's count in a MON_STATUS (32-bit halves). */
static uint64_t op_count(const struct mon_status *s, unsigned op)
{
	const uint64_t count[3] = {s->join_status, s->copy_delete, s->revoke_retype};
	uint64_t v = count[op / 2];
	return op % 2 ? v >> 32 : v & 0xffffffffu;
}

static void query_capstat(void)
{
	for (unsigned k = 0; k < bi->ncores; k++) {
		if (!answered[k])
			continue;
		for (unsigned op = 0; op < MON_OP_COUNT; op++) {
			union monitor_rep r = {
			    .capstat = {.core = k,
					.op = op,
					.messages = op_count(&status[k], op),
					.xnode = xanswered[k] ? op_count(&xstatus[k], op) : 0}};
			reply(&r);
		}
	}
}

static void query_round(struct query_op *q);

/* The answers are in (or the time ran out: those cores are silent). */
static void queried(struct op *o)
{
	struct query_op *q = (struct query_op *)o;
	struct sysret ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
	status[0].core = 0; /* our own line */
	status[0].dispatchers = ks.v[1];
	status[0].ipis_fencei = ks.v[2];
	mon_counts(&status[0], false);
	answered[0] = true;
	/* With more than one NUMA node, capstat asks a second time, for the
	   cross-node counts (on one node nobody sends to another: 0, and the
	   status counts stay what they were). */
	if (q->what == MONITOR_CAPSTAT && mon_multinode() && !q->xnode) {
		q->xnode = true;
		query_round(q);
		return;
	}
	if (q->xnode) {
		mon_counts(&xstatus[0], true);
		xanswered[0] = true;
	}
	if (q->what == MONITOR_CORES)
		query_cores(q->counts);
	else
		query_capstat();
	union monitor_rep end = {.words = {ERR_OK, MONITOR_END}};
	reply(&end);
	op_end(o);
}

/* Ask every joined monitor for its status, MON_QUERY_TICKS at most. */
static void query_all(uint64_t what, bool counts)
{
	struct query_op *q = (struct query_op *)op_new(sizeof(*q));
	if (!q) {
		reply_err(ERR_NO_MEMORY);
		return;
	}
	q->what = what;
	q->counts = counts;
	query_round(q);
}

static void query_round(struct query_op *q)
{
	op_round(&q->op, MON_STATUS);
	q->op.each = each_status;
	union mon_payload r = {.status_req = {.xnode = q->xnode}};
	for (unsigned k = 1; k < bi->ncores; k++) {
		*(q->xnode ? &xanswered[k] : &answered[k]) = false;
		if (mon_has_joined(k) && (!q->xnode || answered[k]))
			op_ask(&q->op, k, MON_STATUS_REQ, &r);
	}
	op_wait(&q->op, MON_QUERY_TICKS, queried);
}

void mon_drop_recv(void)
{
	cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV);
	disp_set_recv_slot(CAPADDR(CN_TASK, TASK_DISP), CAPADDR(CN_TASK, TASK_RECV));
}

static void serve_local(const struct lmp_recv *m)
{
	if (op_domain_answer(m)) /* a domain we handed a frame read it */
		return;
	if (spawn_note(m)) {
		spawn_flush();
		return;
	}
	if (mem_more_note(m)) /* memserv answered monitor 0 */
		return;
	if (capops_serve(m))
		return;
	if (m->has_cap) { /* not for us (a dead domain's?): free the receive slot */
		mon_drop_recv();
		capops_release(); /* it may have been the last copy here */
	}
	if (me != 0 || m->badge != CLIENT_SHELL)
		return; /* the shell and bound clients talk to monitor 0 */
	union monitor_req q = monitor_req_of(m->words);
	switch (q.op) {
	case MONITOR_CORES:
	case MONITOR_CAPSTAT:
		if (q.op == MONITOR_CORES && q.cores.counts > 1) {
			reply_err(ERR_BAD_REQUEST);
			return;
		}
		query_all(q.op, q.op == MONITOR_CORES && q.cores.counts);
		return;
	case MONITOR_ARGS: /* (no reply) */
		mon_args_put(CLIENT_SHELL, &q.args);
		return;
	case MONITOR_SPAWN:
	case MONITOR_DOMAIN:
	case MONITOR_WAIT:
		mon_remote_domain(&q, (struct asker){SHELL_REPLY, false}, CLIENT_SHELL);
		return;
	case MONITOR_NAME_NEXT:
		names_request((struct asker){SHELL_REPLY, false}, CLIENT_SHELL, SLOT_NONE, &q);
		return;
	case MONITOR_POWEROFF:
		fflush(stdout);
		cap_invoke(KERNEL, 2, KERNEL_POWEROFF,
			   q.poweroff.status > 255 ? 255 : q.poweroff.status, 0, 0, 0, 0);
		return;
	default:
		reply_err(ERR_BAD_REQUEST);
	}
}

/* Range i's place in the order we use ranges: by its node's distance from
   ours (ADR 0022: ram_alloc is first fit in that order). */
static unsigned range_rank(unsigned i, const uint16_t *order, unsigned n)
{
	unsigned r = 0;
	while (r < n && order[r] != bi->mem[i].node)
		r++;
	return r;
}

/* Every RAM range the kernel gave us (monitor 0: all of the machine's),
   the biggest of our own node's first, then the others, nearest node
   first: memserv gets them all but what we keep (services.c). */
static errval_t ram_setup(void)
{
	uint16_t order[BOOTINFO_MAX_NODES];
	unsigned n = memnode_order(bi, bi->cores[me].node, order), big = 0;
	for (unsigned i = 1; i < bi->nmem; i++) {
		unsigned ri = range_rank(i, order, n), rb = range_rank(big, order, n);
		if (ri < rb || (ri == rb && bi->mem[i].size > bi->mem[big].size))
			big = i;
	}
	errval_t err = ram_init(CAPADDR(CN_MEM, big));
	for (unsigned r = 0; !err && r <= n; r++)
		for (unsigned i = 0; i < bi->nmem; i++)
			if (i != big && range_rank(i, order, n) == r && ram_add(CAPADDR(CN_MEM, i)))
				printf("monitor %u: RAM range %u (%lu KiB) not used\n", me, i,
				       (unsigned long)(bi->mem[i].size >> 10));
	return err;
}

static errval_t setup(void)
{
	capaddr_t ipi_ep = slot_alloc();
	errval_t err = ram_setup();
	if (!err)
		err = win_init();
	if (!err)
		err = cnode_mint(CAPADDR(CAPADDR_L1(ipi_ep), 0), 1, CAPADDR_L2(ipi_ep),
				 CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, MON_BADGE_IPI);
	if (!err)
		err = cap_invoke(KERNEL, 2, KERNEL_IPI_BIND, ipi_ep, 0, 0, 0, 0).err;
	if (!err)
		err = chan_setup();
	return err;
}

/* Monitor 0: start the other cores, then open a channel to each that came. */
static errval_t start_cores(void)
{
	errval_t err = ERR_OK;
	cores_start();
	for (unsigned k = 1; !err && k < bi->ncores; k++)
		if (bi->cores[k].online)
			err = chan_open(k, k, UMP_SIDE_A);
	return err;
}

/* Monitor 0: wait for every online core's monitor, with a bound. */
static unsigned join_wait(void)
{
	struct sysret ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
	uint64_t deadline = ks.v[3] + MON_JOIN_TICKS;
	for (;;) {
		unsigned joined = 1, expected = 1;
		for (unsigned k = 1; k < bi->ncores; k++) {
			expected += mon_direct(k);
			joined += mon_has_joined(k);
		}
		if (joined == expected)
			return joined;
		ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
		if (ks.v[3] >= deadline) {
			for (unsigned k = 1; k < bi->ncores; k++)
				if (mon_direct(k) && !mon_has_joined(k))
					printf("monitor 0: monitor %u did not join within %u "
					       "ticks\n",
					       k, MON_JOIN_TICKS);
			return joined;
		}
		wait_event(deadline - ks.v[3]);
	}
}

/* Is word one of the boot arguments before run= (which takes the rest)? */
static bool bootarg(const char *word)
{
	size_t n = strlen(word);
	for (const char *p = bi->bootargs; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!strncmp(p, "run=", 4))
			return false;
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

/*
 * mute=K (rt/faults.h, for tests): monitor K > 0, once it has joined,
 * answers nothing any more, as if its core had died: it never reads a
 * channel again (what the others send stays in its rings, then in their
 * outboxes) and sleeps in SYS_RECV for good, dropping what its own
 * domains send. The other monitors' rounds take it for dead (ops.c).
 */
static void mute(void)
{
	printf("monitor %u: muted (mute=%u): answers nothing from now on\n", me, me);
	for (;;) {
		struct lmp_recv m;
		if (lmp_recv(1, &m) == ERR_OK && m.has_cap)
			mon_drop_recv();
	}
}

int main(int argc, char **argv)
{
	(void)argc; /* 0: the kernel built us, a0 is the boot information */
	(void)argv;
	bi = (const struct bootinfo *)rt_arg();
	me = bi->coreid;
	chan_init(bi);
	errval_t err = setup();
	if (!err && bootarg("trace=on")) /* (docs/tracing.md) */
		trace_init();
	if (!err && me == 0)
		err = start_cores();
	if (err) {
		printf("monitor %u: cannot set up: %s\n", me, err_str(err));
		return 1;
	}
	if (me == 0) {
		printf("monitor 0 ready\n");
		printf("reef: %u monitors joined\n", join_wait());
		if (bootarg("poweroff")) {
			fflush(stdout);
			cap_invoke(KERNEL, 2, KERNEL_POWEROFF, 0, 0, 0, 0, 0);
		}
		err = services_start(bi);
		if (err)
			printf("monitor 0: cannot start the services: %s\n", err_str(err));
		else
			printf("monitor 0: services up: memserv spawnd serial shell\n");
	} else {
		/* Said before the join message goes: once monitor 0 has all of
		   them it may power off, and this line must be out by then. */
		printf("monitor %u ready\n", me);
		union mon_payload j = {.join = {.core = me, .hart = bi->cores[me].hartid}};
		err = mon_send(0, MON_JOIN, &j);
		if (err)
			printf("monitor %u: cannot join: %s\n", me, err_str(err));
		else if ((err = spawn_init()))
			printf("monitor %u: cannot start spawnd: %s\n", me, err_str(err));
	}
	/* From here on (boot is done) every allocation may fail when the boot
	   arguments ask for it, in a stream of its own for each monitor. */
	uint64_t seed = faults_bootarg(bi->bootargs);
	faults_init(seed, me, FAULTS_MONITOR);
	if (seed && me == 0)
		printf("monitor 0: faults injected, seed %lu\n", (unsigned long)seed);
	if (me != 0 && faults_mute(bi->bootargs) == me)
		mute();
	for (;;)
		wait_event(0);
}
