// SPDX-License-Identifier: MIT
/*
 * memserv: hands out RAM capabilities carved from the RAM init gave it
 * (TASK_RAM), takes them back (revoking whatever was made from them), and
 * reports free memory. Each allocation is owned by the client that asked.
 * Its RAM: core 0's share of the machine's (ADR 0012), in TASK_RAM and
 * then, from monitor 0, the other ranges (MEM_ADD). Clients are wired in at
 * boot (CN_BASE slots) or found us by name and bound (ADR 0016).
 */
#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/memnode.h>
#include <rt/rpc.h>

#define MAX_LIVE 512

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static struct {
	capaddr_t cap;
	uint64_t client;
} live[MAX_LIVE];

/* Bytes monitor 0 took for other cores, for good (ADR 0012): not ours
   any more, so not in the total MEM_STAT reports; and of them, those on
   core 0's node (ADR 0022). */
static uint64_t given, given_home;

/*
 * Clients that found us by name (mem, ADR 0016) and bound: a copy of
 * their endpoint (badged SERVER_BIND), answered on; each a place with a
 * generation, in its badge, so that a late message from a gone client
 * never reaches the next one in its place. A client whose endpoint went
 * (its domain's RAM was revoked) gives back what it held (bound_sweep).
 */
#define MAX_BOUND	    64
#define BOUND		    (1ull << 32)
#define BOUND_BADGE(i, gen) (BOUND | (uint64_t)(gen) << 16 | (i))
#define IS_BOUND(b)	    ((b) >> 32 == 1)

static struct {
	capaddr_t ep; /* SLOT_NONE (0 before the first use): a free place */
	uint16_t gen;
} bound[MAX_BOUND];
static unsigned nbound;

static bool bound_used(unsigned i)
{
	return bound[i].ep && bound[i].ep != SLOT_NONE;
}

/* The place of a bound client's badge, or MAX_BOUND. */
static unsigned bound_of(uint64_t badge)
{
	unsigned i = (unsigned)(badge & 0xffff);
	bool ok = IS_BOUND(badge) && i < MAX_BOUND && bound_used(i) &&
		  bound[i].gen == (uint16_t)(badge >> 16);
	return ok ? i : MAX_BOUND;
}

/* An answer to client: on its CN_BASE slot (wired in at boot), or on its
   endpoint (bound), not waited for long (it may not read: its answer is
   lost, as spawnd's are). */
static errval_t reply3(uint64_t client, errval_t err, uint64_t w1, uint64_t w2, uint64_t w3,
		       uint64_t cap)
{
	unsigned i = bound_of(client);
	if (!IS_BOUND(client))
		return rpc_reply(client, err, w1, w2, w3, cap);
	if (i == MAX_BOUND)
		return ERR_CAP_NOT_FOUND; /* gone */
	uint64_t w[4] = {err, w1, w2, w3};
	errval_t e;
	for (unsigned tries = 0;
	     (e = ep_send(bound[i].ep, w, cap)) == ERR_LMP_BUF_FULL && tries < 64; tries++)
		sys_yield();
	return e;
}

static errval_t reply(uint64_t client, errval_t err, uint64_t w1, uint64_t w2, uint64_t cap)
{
	return reply3(client, err, w1, w2, 0, cap);
}

/* RAM from node where - 1 first, then from the nearest (ADR 0022; monitor 0
   asks so for another core's pool); where 0: from anywhere, ours first. */
static errval_t alloc_near(uint64_t bytes, uint64_t where, capaddr_t *r)
{
	uint16_t order[BOOTINFO_MAX_NODES];
	if (!where)
		return ram_alloc(bytes, r);
	if (where > memnode_count(bi))
		return ERR_BAD_REQUEST;
	unsigned n = memnode_order(bi, (unsigned)(where - 1), order);
	errval_t err = ERR_NO_MEMORY;
	for (unsigned i = 0; i < n && err == ERR_NO_MEMORY; i++)
		err = ram_alloc_node(bi, order[i], bytes, r);
	return err;
}

static void do_alloc(uint64_t client, uint64_t bytes, uint64_t where)
{
	capaddr_t r;
	unsigned i;
	for (i = 0; i < MAX_LIVE && live[i].client; i++)
		;
	errval_t err = i == MAX_LIVE ? ERR_NO_MEMORY : alloc_near(bytes, where, &r);
	if (err) {
		reply(client, err, 0, 0, CAPADDR_NONE);
		return;
	}
	/* Not delivered (its receive slot was still full: it got
	   ERR_LMP_CAP_SLOT instead): the RAM comes back here. */
	if (reply(client, ERR_OK, r, 0, r)) {
		ram_free(r);
		return;
	}
	live[i].cap = r;
	live[i].client = client;
	struct cap_info ci;
	if (client == CLIENT_MONITOR && !cap_identify(r, &ci)) {
		given += ci.size;
		if (memnode_of(bi, ci.base) == bi->cores[0].node)
			given_home += ci.size;
	}
}

static void do_free(uint64_t client, uint64_t handle)
{
	for (unsigned i = 0; i < MAX_LIVE; i++) {
		if (live[i].client != client || live[i].cap != handle)
			continue;
		errval_t err = ram_free(live[i].cap);
		if (!err)
			live[i].client = 0;
		reply(client, err, 0, 0, CAPADDR_NONE);
		return;
	}
	reply(client, ERR_CAP_NOT_FOUND, 0, 0, CAPADDR_NONE);
}

/* Bound clients that are gone: what they held comes back, their place is
   free. A grant that does not come back yet stays, and so does the place,
   to be tried again. */
static void bound_sweep(void)
{
	struct cap_info ci;
	for (unsigned i = 0; nbound && i < MAX_BOUND; i++) {
		if (!bound_used(i) || cap_identify(bound[i].ep, &ci) != ERR_CAP_EMPTY)
			continue;
		uint64_t b = BOUND_BADGE(i, bound[i].gen);
		bool all = true;
		for (unsigned j = 0; j < MAX_LIVE; j++)
			if (live[j].client == b && ram_free(live[j].cap) == ERR_OK)
				live[j].client = 0;
			else if (live[j].client == b)
				all = false;
		if (!all)
			continue;
		slot_free(bound[i].ep);
		bound[i].ep = SLOT_NONE;
		nbound--;
	}
}

/* MEM_BIND on our named endpoint (badge CLIENT_BIND), the client's
   endpoint in TASK_RECV: a place for it, and our endpoint badged with it. */
static void do_bind(const struct lmp_recv *m)
{
	struct cap_info ci;
	capaddr_t recv = CAPADDR(CN_TASK, TASK_RECV), ep = SLOT_NONE, out = SLOT_NONE;
	unsigned i = 0;
	if (!m->has_cap || cap_identify(recv, &ci) || ci.type != OBJ_ENDPOINT) {
		if (m->has_cap) /* (nowhere to answer) */
			rpc_drop_cap();
		return;
	}
	bound_sweep();
	while (i < MAX_BOUND && bound_used(i))
		i++;
	errval_t err = m->words[0] != MEM_BIND ? ERR_BAD_REQUEST
		       : i == MAX_BOUND	       ? ERR_NO_MEMORY
		       : (ep = slot_alloc()) == SLOT_NONE || (out = slot_alloc()) == SLOT_NONE
			   ? ERR_NO_SLOTS
			   : cnode_mint(CAPADDR(CAPADDR_L1(out), 0), 1, CAPADDR_L2(out),
					CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL,
					BOUND_BADGE(i, (uint16_t)(bound[i].gen + 1)));
	if (!err)
		err = rpc_take_cap(ep); /* ours now: the answer goes on it */
	uint64_t w[4] = {err, err ? 0 : SERVER_BIND, 0, 0};
	capaddr_t to = err ? recv : ep;
	for (unsigned tries = 0;
	     ep_send(to, w, err ? CAPADDR_NONE : out) == ERR_LMP_BUF_FULL && tries < 64; tries++)
		sys_yield();
	if (!err) {
		bound[i].ep = ep;
		bound[i].gen++;
		nbound++;
	} else {
		rpc_drop_cap();
		if (ep != SLOT_NONE)
			slot_free(ep);
	}
	if (out != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(out), 0), 1, CAPADDR_L2(out));
		slot_free(out);
	}
}

/* MEM_ADD from monitor 0: one more RAM capability to hand out from. */
static void do_add(uint64_t client, bool has_cap)
{
	capaddr_t s = SLOT_NONE;
	errval_t err = client != CLIENT_MONITOR || !has_cap ? ERR_BAD_REQUEST : ERR_OK;
	if (!err) {
		faults_hold(); /* (at boot: the RAM must not be lost) */
		s = slot_alloc();
		err = s == SLOT_NONE ? ERR_NO_SLOTS : rpc_take_cap(s);
		if (!err)
			err = ram_add(s);
		faults_release();
	}
	if (err && has_cap && s == SLOT_NONE)
		rpc_drop_cap();
	if (err && s != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		slot_free(s);
	}
	rpc_reply(client, err, 0, 0, 0, CAPADDR_NONE);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (ram_init(CAPADDR(CN_TASK, TASK_RAM)))
		return 1;
	faults_init(faults_bootarg(bi->bootargs), bi->coreid, FAULTS_MEMSERV);
	for (;;) {
		struct lmp_recv m;
		if (lmp_recv(1, &m))
			continue;
		fault_yield();
		if (m.badge == CLIENT_BIND) { /* found by name: a bind, nothing else */
			do_bind(&m);
			continue;
		}
		if (nbound)
			bound_sweep();
		if (IS_BOUND(m.badge) && (bound_of(m.badge) == MAX_BOUND || m.words[0] == MEM_ADD))
			m.words[0] = 0; /* gone (nowhere to answer), or not its to ask */
		if (m.has_cap && m.words[0] != MEM_ADD) /* others carry none: drop it */
			rpc_drop_cap();
		switch (m.words[0]) {
		case MEM_ALLOC:
			do_alloc(m.badge, m.words[1], m.words[2]);
			break;
		case MEM_FREE:
			do_free(m.badge, m.words[1]);
			break;
		case MEM_ADD:
			do_add(m.badge, m.has_cap);
			break;
		case MEM_STAT:
			reply3(m.badge, ERR_OK, ram_free_bytes(), ram_total_bytes() - given,
			       MEM_NODE_WORD(bi->cores[0].node,
					     ram_total_node(bi, bi->cores[0].node) - given_home),
			       CAPADDR_NONE);
			break;
		default:
			reply(m.badge, ERR_BAD_REQUEST, 0, 0, CAPADDR_NONE);
		}
	}
}
