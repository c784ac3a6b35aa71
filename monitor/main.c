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
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/queue.h>
#include <rt/sys.h>

#include "connect.h"
#include "monitor.h"
#include "ops.h"
#include "records.h"
#include "revoke.h"
#include "share.h"

#define CHAN_VADDR 0x140000000ul /* GiB 5: the channel pages */
#define KERNEL	   MON_KERNEL

/*
 * What we sent to a peer and its ring had no room for yet, oldest first,
 * in an outbox that grows from the heap (rt/queue.h). mon_send never waits
 * for room (two monitors sending to each other would both wait);
 * wait_event drains the outboxes whenever it runs, and while one is not
 * empty it sleeps a tick at most (a full ring notifies nobody when it
 * empties).
 */
struct outmsg {
	uint8_t type;
	uint64_t w[UMP_PAYLOAD];
};

struct peer {
	struct ump_chan ch;
	struct queue out; /* of struct outmsg */
	bool up;	  /* channel mapped */
	bool joined;	  /* MON_JOIN seen (monitor 0) */
	bool answered;	  /* answered the current status query */
	bool sleeping;	  /* our rx half is declared asleep */
	bool pinged;	  /* asked whether it is alive, not heard since */
	uint64_t heard;	  /* when it was heard after that (ticks) */
	uint64_t status[7];
};

static const struct bootinfo *bi;
static unsigned me;
static struct peer peers[BOOTINFO_MAX_CORES];
static uint64_t sent[MON_OP_COUNT]; /* messages this monitor sent, per operation */
static struct vregion chans;

static void handle(unsigned k, uint8_t type, const uint64_t *w);

/* The message types that answer a request (ops.h: op_answer). */
static const bool answers[] = {
    [MON_STATUS] = true,	[MON_CAP_DELIVERED] = true, [MON_CAP_SWEPT] = true,
    [MON_CAP_MARKED] = true,	[MON_CAP_COUNTED] = true,   [MON_SPAWNED] = true,
    [MON_DOMAIN_STATUS] = true, [MON_CHECKED] = true,	    [MON_REVOKE_REPLY] = true,
    [MON_RETYPE_REPLY] = true,	[MON_COPY_REPLY] = true,    [MON_CONNECTED] = true,
    [MON_CHAN_OPENED] = true,
};
static errval_t chan_join(const uint64_t *w);

static const uint8_t op_of[] = {
    [MON_JOIN] = MON_OP_JOIN,
    [MON_STATUS_REQ] = MON_OP_STATUS,
    [MON_STATUS] = MON_OP_STATUS,
    [MON_CAP_DELIVER] = MON_OP_COPY,
    [MON_CAP_DELIVERED] = MON_OP_COPY,
    [MON_CAP_SWEEP] = MON_OP_REVOKE,
    [MON_CAP_SWEPT] = MON_OP_REVOKE,
    [MON_CAP_COUNT] = MON_OP_STATUS,
    [MON_CAP_COUNTED] = MON_OP_STATUS,
    [MON_SPAWN] = MON_OP_STATUS,
    [MON_SPAWNED] = MON_OP_STATUS,
    [MON_DOMAIN] = MON_OP_STATUS,
    [MON_DOMAIN_STATUS] = MON_OP_STATUS,
    [MON_CHECK] = MON_OP_STATUS,
    [MON_CHECKED] = MON_OP_STATUS,
    [MON_REVOKE_REQ] = MON_OP_REVOKE,
    [MON_REVOKE_REPLY] = MON_OP_REVOKE,
    [MON_RETYPE_REQ] = MON_OP_RETYPE,
    [MON_RETYPE_REPLY] = MON_OP_RETYPE,
    [MON_FWD] = MON_OP_STATUS, /* never counted as itself: as what it carries */
    [MON_COPY_REQ] = MON_OP_COPY,
    [MON_COPY_REPLY] = MON_OP_COPY,
    [MON_CONNECT] = MON_OP_JOIN,
    [MON_CONNECTED] = MON_OP_JOIN,
    [MON_CHAN_OPEN] = MON_OP_JOIN,
    [MON_CHAN_OPENED] = MON_OP_JOIN,
    [MON_DEL_NOTIFY] = MON_OP_DELETE,
    [MON_CAP_MARK] = MON_OP_REVOKE,
    [MON_CAP_MARKED] = MON_OP_REVOKE,
};

unsigned mon_me(void)
{
	return me;
}

const struct bootinfo *mon_bootinfo(void)
{
	return bi;
}

bool mon_direct(unsigned k)
{
	return k < bi->ncores && peers[k].up;
}

bool mon_peer_up(unsigned k)
{
	if (k >= bi->ncores || k == me)
		return false;
	if (me != 0) /* directly, or through monitor 0 */
		return peers[k].up || peers[0].up;
	return peers[k].up && peers[k].joined;
}

void mon_ping(unsigned k)
{
	uint64_t w[UMP_PAYLOAD] = {0}; /* request 0: no operation's */
	if (k < bi->ncores && mon_send(k, MON_STATUS_REQ, w) == ERR_OK)
		peers[k].pinged = true;
}

uint64_t mon_heard(unsigned k)
{
	return k < bi->ncores ? peers[k].heard : 0;
}

uint64_t mon_hops(unsigned k)
{
	return me == 0 || k == 0 || mon_direct(k) ? 1 : 2;
}

uint64_t mon_sent(unsigned op)
{
	return op < MON_OP_COUNT ? sent[op] : 0;
}

uint64_t mon_ticks(void)
{
	return cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0).v[3];
}

static void broken(unsigned k)
{
	printf("monitor %u: channel to core %u broken\n", me, k);
	peers[k].up = false;
	queue_clear(&peers[k].out); /* nothing of it can arrive any more */
}

/* Send what waits for core k while its ring has room; wake it if it sleeps. */
static void drain(unsigned k)
{
	struct peer *p = &peers[k];
	struct outmsg *m;
	bool notify = false;
	while (p->up && (m = queue_front(&p->out))) {
		bool wake = false;
		enum ump_status st = ump_send(&p->ch, m->w, m->type, &wake);
		if (st == UMP_FULL)
			break;
		if (st != UMP_OK) {
			broken(k);
			return;
		}
		notify |= wake;
		queue_pop(&p->out);
	}
	if (notify)
		cap_invoke(KERNEL, 2, KERNEL_NOTIFY, k, 0, 0, 0, 0);
}

/* Drain every outbox; true if something still waits for room (then we
   sleep a tick at most). */
static bool drain_all(void)
{
	bool left = false;
	for (unsigned k = 0; k < bi->ncores; k++) {
		drain(k);
		left |= peers[k].up && queue_front(&peers[k].out);
	}
	return left;
}

/* One message for core k, counted under the operation of type op: onto
   the ring, or into the outbox behind what waits there already.
   ERR_NO_MEMORY when the outbox cannot grow: the message is not sent (nor
   counted). */
static errval_t send_raw(unsigned k, uint8_t type, uint8_t op, const uint64_t *w)
{
	struct peer *p = &peers[k];
	bool notify = false;
	enum ump_status st = UMP_FULL;
	if (!p->up)
		return ERR_CORE_NONE;
	if (!queue_front(&p->out)) /* nothing queued before it: straight onto the ring */
		st = ump_send(&p->ch, w, type, &notify);
	struct outmsg m = {.type = type};
	memcpy(m.w, w, sizeof(m.w));
	/* No fault injected into the outbox: most answers to other monitors
	   have no one to tell when they cannot go (a round would wait on a
	   live monitor for ever). */
	faults_hold();
	bool kept = st != UMP_FULL || queue_push(&p->out, &m);
	faults_release();
	if (!kept)
		return ERR_NO_MEMORY;
	if (st != UMP_OK && st != UMP_FULL) {
		broken(k);
		return ERR_CORE_NONE;
	}
	sent[op_of[op]]++;
	if (notify)
		return cap_invoke(KERNEL, 2, KERNEL_NOTIFY, k, 0, 0, 0, 0).err;
	return ERR_OK;
}

/*
 * Send one message to core k's monitor. Without a channel to k (only
 * monitor 0 has one to every core; others open theirs on demand, capops.c:
 * connect_all) monitor 0 forwards it (MON_FWD,
 * destination or origin and type in w[6], which no message uses).
 */
errval_t mon_send(unsigned k, uint8_t type, const uint64_t *w)
{
	if (k >= BOOTINFO_MAX_CORES || k == me || type >= sizeof(op_of) || type == MON_FWD)
		return ERR_CORE_NONE;
	if (peers[k].up || me == 0)
		return send_raw(k, type, type, w);
	uint64_t f[UMP_PAYLOAD];
	memcpy(f, w, sizeof(f));
	f[6] = k | (uint64_t)type << 16;
	return send_raw(0, MON_FWD, type, f);
}

/* MON_FWD: monitor 0 passes it on; the destination handles what is inside. */
static void forward(unsigned from, const uint64_t *w)
{
	unsigned at = (unsigned)(w[6] & 0xffff);
	uint8_t type = (uint8_t)(w[6] >> 16);
	if (type >= sizeof(op_of) || type == MON_FWD || at >= bi->ncores)
		goto bad;
	if (me != 0) {
		if (from == 0)
			handle(at, type, w);
		return;
	}
	uint64_t f[UMP_PAYLOAD];
	memcpy(f, w, sizeof(f));
	f[6] = from | (uint64_t)type << 16;
	if (at != 0 && at != from && send_raw(at, MON_FWD, type, f) == ERR_OK)
		return;
bad:
	printf("monitor %u: cannot forward a message from core %u\n", me, from);
}

static void status_reply(unsigned to, uint64_t req)
{
	struct sysret ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
	uint64_t w[UMP_PAYLOAD] = {req,
				   me,
				   ks.v[1],
				   ks.v[2],
				   sent[MON_OP_JOIN] | sent[MON_OP_STATUS] << 32,
				   sent[MON_OP_COPY] | sent[MON_OP_DELETE] << 32,
				   sent[MON_OP_REVOKE] | sent[MON_OP_RETYPE] << 32};
	mon_send(to, MON_STATUS, w);
}

/* A request from monitor 0 that this monitor answers at once. */
static bool handle_from0(unsigned k, uint8_t type, const uint64_t *w)
{
	if (me == 0 || k != 0)
		return false;
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_OK};
	switch (type) {
	case MON_SPAWN:
	case MON_DOMAIN:
		spawn_request(k, type, w);
		return true;
	case MON_CHAN_OPEN:
		r[1] = chan_join(w);
		mon_send(0, MON_CHAN_OPENED, r);
		return true;
	case MON_CHECK:
		r[2] = cap_invoke(KERNEL, 2, KERNEL_CAP_CHECK, 0, 0, 0, 0, 0).err != ERR_OK;
		mon_send(0, MON_CHECKED, r);
		return true;
	case MON_CAP_COUNT:
		on_count(k, w);
		return true;
	default:
		return false;
	}
}

/* Handle one inter-monitor message from core k: a request starts its
   operation or is answered at once, an answer goes to its operation. */
static void handle(unsigned k, uint8_t type, const uint64_t *w)
{
	if (peers[k].pinged) { /* alive: whatever it sends says so */
		peers[k].heard = mon_ticks();
		peers[k].pinged = false;
	}
	switch (type) {
	case MON_JOIN:
		if (me == 0 && w[0] == k && !peers[k].joined) {
			peers[k].joined = true;
			return;
		}
		break;
	case MON_STATUS_REQ:
		status_reply(k, w[0]);
		return;
	case MON_FWD:
		forward(k, w);
		return;
	case MON_CAP_DELIVER:
		on_deliver(k, w);
		return;
	case MON_CAP_MARK:
	case MON_CAP_SWEEP:
		on_phase(k, type, w);
		return;
	case MON_DEL_NOTIFY:
		shared_del_notify(k, w);
		return;
	case MON_REVOKE_REQ:
		on_revoke_req(k, type, w);
		return;
	case MON_RETYPE_REQ:
		on_retype_req(k, type, w);
		return;
	case MON_COPY_REQ:
		on_copy_req(k, type, w);
		return;
	case MON_CONNECT:
		on_connect(k, type, w);
		return;
	default:
		if (handle_from0(k, type, w))
			return;
		if (type < sizeof(answers) && answers[type]) {
			op_answer(k, type, w); /* or late: its round is over */
			return;
		}
	}
	printf("monitor %u: bad message type %u from core %u ignored\n", me, type, k);
}

/* Take every message that is waiting; returns how many there were. */
static unsigned poll_channels(void)
{
	unsigned n = 0;
	for (unsigned k = 0; k < bi->ncores; k++) {
		uint64_t w[UMP_PAYLOAD];
		uint8_t type;
		enum ump_status st;
		while (peers[k].up && (st = ump_recv(&peers[k].ch, w, &type)) != UMP_EMPTY) {
			if (st != UMP_OK) {
				printf("monitor %u: channel from core %u broken\n", me, k);
				peers[k].up = false;
				break;
			}
			handle(k, type, w);
			n++;
		}
	}
	return n;
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
	fault_yield();	 /* (faults=SEED: other domains run at random points) */
	poll_channels(); /* answers first: a round's time may be up */
	uint64_t need = ops_run();
	spawn_flush();
	shared_apply_gone();
	if (poll_channels())
		return;
	if (need == OPS_YIELD) { /* a domain here takes its answers */
		sys_yield();
		return;
	}
	if (drain_all())
		need = 1; /* a tick at most: look for room again then */
	if (need && (!ticks || need < ticks))
		ticks = need;
	if (ticks > RECV_MAX_TICKS)
		ticks = RECV_MAX_TICKS;
	bool may_sleep = true;
	for (unsigned k = 0; k < bi->ncores; k++) {
		peers[k].sleeping = peers[k].up && ump_prepare_sleep(&peers[k].ch);
		if (peers[k].up && !peers[k].sleeping)
			may_sleep = false;
	}
	struct lmp_recv m;
	errval_t err = ERR_LMP_EMPTY;
	if (may_sleep)
		err = ticks ? lmp_recv_timeout(ticks, &m) : lmp_recv(1, &m);
	/* Awake again before anything else: a sleep declared again in the
	   same generation would not be notified a second time (the lost
	   wakeup `test relay` found). */
	for (unsigned k = 0; k < bi->ncores; k++)
		if (peers[k].sleeping) {
			ump_wake_done(&peers[k].ch);
			peers[k].sleeping = false;
		}
	if (!err && m.badge != MON_BADGE_IPI)
		serve_local(&m);
	poll_channels();
}

static errval_t chan_open(unsigned k, unsigned slot, int side);

/* MON_CHAN_OPEN: a channel of our own to w[2] on the frame at w[1]. */
static errval_t chan_join(const uint64_t *w)
{
	unsigned peer = (unsigned)w[2];
	if (peer == 0 || peer == me || peer >= bi->ncores || peer >= CSPACE_L2_SLOTS ||
	    (w[3] != UMP_SIDE_A && w[3] != UMP_SIDE_B))
		return ERR_BAD_REQUEST;
	if (peers[peer].up)
		return ERR_OK;
	errval_t err = cap_invoke(KERNEL, 2, KERNEL_CAP_CREATE, CAPADDR(CN_CHAN, 0), peer,
				  OBJ_FRAME | (uint64_t)(CAP_RIGHT_READ | CAP_RIGHT_WRITE) << 8,
				  w[1], OBJSIZE_PAGE)
			   .err;
	return err ? err : chan_open(peer, peer, (int)w[3]);
}

static errval_t chan_open(unsigned k, unsigned slot, int side)
{
	void *page = vregion_map(&chans, CAPADDR(CN_CHAN, slot), 1, true);
	if (!page)
		return ERR_NO_MEMORY;
	if (ump_chan_init(&peers[k].ch, page, OBJSIZE_PAGE, side) != UMP_OK)
		return ERR_BAD_REQUEST;
	peers[k].up = true;
	return ERR_OK;
}

#define SHELL_REPLY CAPADDR(CN_TASK, TASK_MON_REPLY)

static void reply(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = {w0, w1, w2, w3};
	op_reply(SHELL_REPLY, false, w, CAPADDR_NONE, false);
}

/* `cores` and `capstat`: a query of every joined monitor's status. */
struct query_op {
	struct op op;
	uint64_t what; /* MONITOR_CORES or MONITOR_CAPSTAT */
};

static void each_status(struct op *o, unsigned k, const uint64_t *w)
{
	(void)o;
	if (w[1] == k && k < bi->ncores) {
		memcpy(peers[k].status, w, sizeof(peers[k].status));
		peers[k].answered = true;
	}
}

static void query_cores(void)
{
	for (unsigned k = 0; k < bi->ncores; k++) {
		uint64_t state = !bi->cores[k].online ? MON_CORE_OFFLINE
				 : peers[k].answered  ? MON_CORE_JOINED
						      : MON_CORE_SILENT;
		uint64_t isa[2] = {0}, doms = peers[k].status[2];
		memcpy(isa, bi->cores[k].isa, sizeof(isa));
		reply(ERR_OK,
		      k | (uint64_t)bi->cores[k].hartid << 16 | state << 48 |
			  (doms > 4095 ? 4095 : doms) << 52,
		      isa[0], isa[1]);
	}
}

static void query_capstat(void)
{
	for (unsigned k = 0; k < bi->ncores; k++) {
		if (!peers[k].answered)
			continue;
		for (unsigned op = 0; op < MON_OP_COUNT; op++) {
			uint64_t v = peers[k].status[4 + op / 2];
			v = op % 2 ? v >> 32 : v & 0xffffffffu;
			reply(ERR_OK, k | (uint64_t)op << 32, v, 0);
		}
	}
}

/* The answers are in (or the time ran out: those cores are silent). */
static void queried(struct op *o)
{
	struct query_op *q = (struct query_op *)o;
	struct sysret ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
	peers[0].status[1] = 0; /* our own line */
	peers[0].status[2] = ks.v[1];
	peers[0].status[4] = sent[MON_OP_JOIN] | sent[MON_OP_STATUS] << 32;
	peers[0].status[5] = sent[MON_OP_COPY] | sent[MON_OP_DELETE] << 32;
	peers[0].status[6] = sent[MON_OP_REVOKE] | sent[MON_OP_RETYPE] << 32;
	peers[0].answered = true;
	if (q->what == MONITOR_CORES)
		query_cores();
	else
		query_capstat();
	reply(ERR_OK, ~0ull, 0, 0);
	op_end(o);
}

/* Ask every joined monitor for its status, MON_QUERY_TICKS at most. */
static void query_all(uint64_t what)
{
	struct query_op *q = (struct query_op *)op_new(sizeof(*q));
	if (!q) {
		reply(ERR_NO_MEMORY, 0, 0, 0);
		return;
	}
	q->what = what;
	op_round(&q->op, MON_STATUS);
	q->op.each = each_status;
	uint64_t w[UMP_PAYLOAD] = {0};
	for (unsigned k = 1; k < bi->ncores; k++) {
		peers[k].answered = false;
		if (peers[k].joined)
			op_ask(&q->op, k, MON_STATUS_REQ, w);
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
	if (capops_serve(m))
		return;
	if (m->has_cap) { /* not for us (a dead domain's?): free the receive slot */
		mon_drop_recv();
		capops_release(); /* it may have been the last copy here */
	}
	if (me != 0 || m->badge != CLIENT_SHELL)
		return; /* the shell and bound clients talk to monitor 0 */
	switch (m->words[0]) {
	case MONITOR_CORES:
	case MONITOR_CAPSTAT:
		query_all(m->words[0]);
		return;
	case MONITOR_SPAWN:
	case MONITOR_DOMAIN:
		mon_remote_domain(m->words, (struct asker){SHELL_REPLY, false});
		return;
	case MONITOR_POWEROFF:
		fflush(stdout);
		cap_invoke(KERNEL, 2, KERNEL_POWEROFF, m->words[1] > 255 ? 255 : m->words[1], 0, 0,
			   0, 0);
		return;
	default:
		reply(ERR_BAD_REQUEST, 0, 0, 0);
	}
}

static errval_t setup(void)
{
	capaddr_t ram = CAPADDR(CN_MEM, 0);
	for (unsigned i = 1; i < bi->nmem; i++) /* the biggest range */
		if (bi->mem[i].size > bi->mem[ram & 0xff].size)
			ram = CAPADDR(CN_MEM, i);
	capaddr_t ipi_ep = slot_alloc();
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++)
		peers[k].out = QUEUE_INIT(struct outmsg);
	errval_t err = ram_init(ram);
	if (!err)
		err = win_init();
	if (!err)
		err = vregion_init(&chans, CHAN_VADDR);
	if (!err)
		err = cnode_mint(CAPADDR(CAPADDR_L1(ipi_ep), 0), 1, CAPADDR_L2(ipi_ep),
				 CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, MON_BADGE_IPI);
	if (!err)
		err = cap_invoke(KERNEL, 2, KERNEL_IPI_BIND, ipi_ep, 0, 0, 0, 0).err;
	if (me != 0 && !err)
		err = chan_open(0, 0, UMP_SIDE_B);
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
			expected += peers[k].up;
			joined += peers[k].joined;
		}
		if (joined == expected)
			return joined;
		ks = cap_invoke(KERNEL, 2, KERNEL_STATUS, 0, 0, 0, 0, 0);
		if (ks.v[3] >= deadline) {
			for (unsigned k = 1; k < bi->ncores; k++)
				if (peers[k].up && !peers[k].joined)
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

int main(void *arg)
{
	bi = arg;
	me = bi->coreid;
	errval_t err = setup();
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
		uint64_t w[UMP_PAYLOAD] = {me, bi->cores[me].hartid};
		err = mon_send(0, MON_JOIN, w);
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
	for (;;)
		wait_event(0);
}
