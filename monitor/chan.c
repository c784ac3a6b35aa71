// SPDX-License-Identifier: MIT
/*
 * The transport (monitor.h): this monitor's channels to the others, their
 * outboxes, forwarding through monitor 0, the sleep handshake on every
 * channel, and the counters of messages sent. Owns no operation: a
 * message that arrives goes to the handler the loop gives chan_poll.
 *
 * Channels: a star around monitor 0 (one 4 KiB page per core, in CN_CHAN,
 * 30 messages each way) and channels between two other monitors opened on
 * demand (MON_CHAN_OPEN, connect.c asks for them); until then they talk
 * through monitor 0 (MON_FWD).
 *
 * Every message sent and received goes through trace_note (trace.h),
 * which records it when the boot arguments say trace=on.
 *
 * Layer: the bottom of the monitor, with coreset.h and trace.c.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <chan/ump.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/queue.h>
#include <rt/sys.h>

#include "monitor.h"
#include "trace.h"

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
	bool sleeping;	  /* our rx half is declared asleep */
	bool pinged;	  /* asked whether it is alive, not heard since */
	uint64_t heard;	  /* when it was heard after that (ticks) */
};

static const struct bootinfo *bi;
static unsigned me;
static struct peer peers[BOOTINFO_MAX_CORES];
static uint64_t sent[MON_OP_COUNT];	   /* messages this monitor sent, per operation */
static uint64_t xsent[MON_OP_COUNT];	   /* of them to a core on another NUMA node (ADR 0019) */
static uint16_t nodes[BOOTINFO_MAX_CORES]; /* each core's NUMA node */
static bool multinode;			   /* some core is on another node than core 0 */
static struct vregion chans;

static mon_handler *handler; /* what chan_poll gives each message to */

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
	union mon_payload p = {.status_req = {.req = 0}}; /* no operation's */
	if (k < bi->ncores && mon_send(k, MON_STATUS_REQ, &p) == ERR_OK)
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

uint64_t mon_xhops(unsigned k)
{
	if (me == 0 || k == 0 || mon_direct(k))
		return nodes[me] != nodes[k % BOOTINFO_MAX_CORES];
	return (nodes[me] != nodes[0]) + (nodes[0] != nodes[k % BOOTINFO_MAX_CORES]);
}

const uint16_t *mon_nodes(void)
{
	return nodes;
}

bool mon_multinode(void)
{
	return multinode;
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

bool chan_drain_all(void)
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
	sent[mon_msg_op[op]]++;
	xsent[mon_msg_op[op]] += nodes[k] != nodes[me];
	trace_note(true, k, op, type == MON_FWD);
	if (notify)
		return cap_invoke(KERNEL, 2, KERNEL_NOTIFY, k, 0, 0, 0, 0).err;
	return ERR_OK;
}

/*
 * Send one message to core k's monitor. Without a channel to k (only
 * monitor 0 has one to every core; others open theirs on demand, capops.c:
 * connect_all) monitor 0 forwards it (MON_FWD,
 * destination or origin and type in its route, the seventh word, which
 * no other message uses).
 */
errval_t mon_send(unsigned k, uint8_t type, const union mon_payload *p)
{
	const uint64_t *w = p->w;
	if (k >= BOOTINFO_MAX_CORES || k == me || !mon_msg_known(type) || type == MON_FWD)
		return ERR_CORE_NONE;
	if (peers[k].up || me == 0)
		return send_raw(k, type, type, w);
	union mon_payload f;
	memcpy(f.w, w, sizeof(f.w));
	f.fwd.route = k | (uint64_t)type << 16;
	return send_raw(0, MON_FWD, type, f.w);
}

static void arrive(unsigned k, uint8_t type, const union mon_payload *p);

/* MON_FWD: monitor 0 passes it on; the destination handles what is inside. */
static void forward(unsigned from, const union mon_payload *p)
{
	unsigned at = (unsigned)(p->fwd.route & 0xffff);
	uint8_t type = (uint8_t)(p->fwd.route >> 16);
	if (!mon_msg_known(type) || type == MON_FWD || at >= bi->ncores)
		goto bad;
	if (me != 0) {
		if (from == 0)
			arrive(at, type, p);
		return;
	}
	union mon_payload f = *p;
	f.fwd.route = from | (uint64_t)type << 16;
	if (at != 0 && at != from && send_raw(at, MON_FWD, type, f.w) == ERR_OK)
		return;
bad:
	printf("monitor %u: cannot forward a message from core %u\n", me, from);
}

/* A message from core k: it is alive; forward it, or give it to the loop. */
static void arrive(unsigned k, uint8_t type, const union mon_payload *p)
{
	if (peers[k].pinged) { /* whatever it sends says so */
		peers[k].heard = mon_ticks();
		peers[k].pinged = false;
	}
	if (type == MON_FWD)
		forward(k, p);
	else
		handler(k, type, p);
}

unsigned chan_poll(mon_handler *h)
{
	handler = h;
	unsigned n = 0;
	for (unsigned k = 0; k < bi->ncores; k++) {
		union mon_payload p;
		uint8_t type;
		enum ump_status st;
		while (peers[k].up && (st = ump_recv(&peers[k].ch, p.w, &type)) != UMP_EMPTY) {
			if (st != UMP_OK) {
				printf("monitor %u: channel from core %u broken\n", me, k);
				peers[k].up = false;
				break;
			}
			bool fwd = type == MON_FWD;
			trace_note(false, k, fwd ? (uint8_t)(p.fwd.route >> 16) : type, fwd);
			arrive(k, type, &p);
			n++;
		}
	}
	return n;
}

errval_t chan_join(const struct mon_chan_open *m)
{
	unsigned peer = (unsigned)m->peer;
	if (m->peer == 0 || m->peer == me || m->peer >= bi->ncores || m->peer >= CSPACE_L2_SLOTS ||
	    (m->side != UMP_SIDE_A && m->side != UMP_SIDE_B))
		return ERR_BAD_REQUEST;
	if (peers[peer].up)
		return ERR_OK;
	errval_t err = cap_invoke(KERNEL, 2, KERNEL_CAP_CREATE, CAPADDR(CN_CHAN, 0), peer,
				  OBJ_FRAME | (uint64_t)(CAP_RIGHT_READ | CAP_RIGHT_WRITE) << 8,
				  m->base, OBJSIZE_PAGE)
			   .err;
	return err ? err : chan_open(peer, peer, (int)m->side);
}

errval_t chan_open(unsigned k, unsigned slot, int side)
{
	void *page = vregion_map(&chans, CAPADDR(CN_CHAN, slot), 1, true);
	if (!page)
		return ERR_NO_MEMORY;
	if (ump_chan_init(&peers[k].ch, page, OBJSIZE_PAGE, side) != UMP_OK)
		return ERR_BAD_REQUEST;
	peers[k].up = true;
	return ERR_OK;
}

void chan_init(const struct bootinfo *info)
{
	bi = info;
	me = bi->coreid;
	for (unsigned k = 0; k < BOOTINFO_MAX_CORES; k++) {
		peers[k].out = QUEUE_INIT(struct outmsg);
		nodes[k] = k < bi->ncores ? bi->cores[k].node : 0;
		multinode |= nodes[k] != nodes[0];
	}
}

errval_t chan_setup(void)
{
	errval_t err = vregion_init(&chans, CHAN_VADDR);
	if (me != 0 && !err)
		err = chan_open(0, 0, UMP_SIDE_B);
	return err;
}

errval_t chan_sleep(uint64_t ticks, struct lmp_recv *m)
{
	bool may_sleep = true;
	for (unsigned k = 0; k < bi->ncores; k++) {
		peers[k].sleeping = peers[k].up && ump_prepare_sleep(&peers[k].ch);
		if (peers[k].up && !peers[k].sleeping)
			may_sleep = false;
	}
	errval_t err = ERR_LMP_EMPTY;
	if (may_sleep)
		err = ticks ? lmp_recv_timeout(ticks, m) : lmp_recv(1, m);
	/* Awake again before anything else: a sleep declared again in the
	   same generation would not be notified a second time (the lost
	   wakeup `test relay` found). */
	for (unsigned k = 0; k < bi->ncores; k++)
		if (peers[k].sleeping) {
			ump_wake_done(&peers[k].ch);
			peers[k].sleeping = false;
		}
	return err;
}

void mon_joined(unsigned k)
{
	if (k < bi->ncores)
		peers[k].joined = true;
}

bool mon_has_joined(unsigned k)
{
	return k < bi->ncores && peers[k].joined;
}

void mon_counts(struct mon_status *m, bool xnode)
{
	const uint64_t *n = xnode ? xsent : sent;
	m->join_status = n[MON_OP_JOIN] | n[MON_OP_STATUS] << 32;
	m->copy_delete = n[MON_OP_COPY] | n[MON_OP_DELETE] << 32;
	m->revoke_retype = n[MON_OP_REVOKE] | n[MON_OP_RETYPE] << 32;
}
