// SPDX-License-Identifier: MIT
/* Requests to the monitors (rt/monitor.h): to monitor 0 from core 0, to our
   own monitor on core k > 0, which relays what only monitor 0 does. */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/rpc.h>

#define MON_SHORT_TRIES 64

static capaddr_t mon = SLOT_NONE; /* our endpoint to our monitor, after the bind */

errval_t monitor_bind(void)
{
	if (mon != SLOT_NONE)
		return ERR_OK; /* bound already */
	capaddr_t me = slot_alloc();
	struct lmp_recv rep;
	union monitor_req req = {.bind = {MONITOR_BIND}};
	if (me == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, SERVER_MONITOR);
	/* Short of memory there: asked again, as in monitor_call. */
	for (unsigned tries = 0; !err; tries++) {
		err = rpc_call(CAPADDR(CN_TASK, TASK_MONITOR), SERVER_MONITOR, req.words, me, &rep);
		if ((err != ERR_NO_MEMORY && err != ERR_NO_SLOTS) || tries + 1 >= MON_SHORT_TRIES)
			break;
		err = ERR_OK;
		rpc_nap(1);
	}
	if (!err && !rep.has_cap) {
		/* A domain spawnd built on core k > 0: its monitor knows it
		   already, and answers it on TASK_MONITOR itself. */
		mon = CAPADDR(CN_TASK, TASK_MONITOR);
	} else {
		if (!err && mon == SLOT_NONE && (mon = slot_alloc()) == SLOT_NONE)
			err = ERR_NO_SLOTS;
		if (!err)
			err = rpc_take_cap(mon);
	}
	cnode_delete(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me));
	slot_free(me);
	return err;
}

/* A request after the argument block it takes (bytes 0: none), both
   again when asked again. */
static errval_t call(const char *block, uint32_t bytes, const uint64_t req[4], uint64_t cap,
		     struct lmp_recv *rep)
{
	errval_t err = ERR_BAD_REQUEST;
	unsigned short_of = 0;
	/* ERR_MON_BUSY: it serves another request on the same object, which
	   ends (it is done, or fails when a core it waits for is dead); ask
	   again once it had the processor, however long that takes (a count
	   of tries would give up early on a slow or loaded core).
	   ERR_NO_MEMORY, ERR_NO_SLOTS: a monitor (or a spawnd, memserv behind
	   it) was short of memory for this request, and a refused request
	   changed nothing; memory comes back as their other operations end
	   (and under faults=SEED most shortages are injected): ask again,
	   MON_SHORT_TRIES times at most, a tick apart, before giving up. */
	while (mon != SLOT_NONE) {
		err = args_send(mon, MONITOR_ARGS, block, bytes);
		if (!err)
			err = rpc_call(mon, SERVER_MONITOR, req, cap, rep);
		bool short_now = err == ERR_NO_MEMORY || err == ERR_NO_SLOTS;
		if (err != ERR_MON_BUSY && (!short_now || ++short_of >= MON_SHORT_TRIES))
			break;
		rpc_nap(1); /* not a spin: a busy core would starve others */
	}
	return err;
}

errval_t monitor_call(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t cap,
		      struct lmp_recv *rep)
{
	uint64_t req[4] = {op, w1, w2, w3};
	return call(NULL, 0, req, cap, rep);
}

errval_t monitor_spawn(unsigned core, const char *name, uint32_t arg, int argc, char *const argv[],
		       uint64_t *id)
{
	char block[ARGS_MAX_BYTES];
	uint32_t bytes;
	struct lmp_recv rep = {0};
	union monitor_req q = {.spawn = {MONITOR_SPAWN, .core = core, .arg = arg}};
	errval_t err = args_pack(argc, argv, block, &bytes);
	if (!err && (core >= BOOTINFO_MAX_CORES || strlen(name) > sizeof(q.spawn.name)))
		err = core >= BOOTINFO_MAX_CORES ? ERR_CORE_NONE : ERR_MODULE_NOT_FOUND;
	if (!err) {
		q.spawn.args = bytes;
		memcpy(q.spawn.name, name, strlen(name));
		err = call(block, bytes, q.words, CAPADDR_NONE, &rep);
	}
	*id = err ? 0 : monitor_rep_of(rep.words).spawn.id;
	return err;
}

errval_t monitor_wait(unsigned core, uint64_t id, int64_t *status, uint64_t *faults)
{
	union monitor_rep r;
	errval_t err = monitor_ask(
	    (union monitor_req){.wait = {MONITOR_WAIT, .core = core, .id = id}}, CAPADDR_NONE, &r);
	*status = err ? 0 : (int64_t)r.wait.status;
	*faults = err ? 0 : r.wait.faults;
	return err;
}

errval_t monitor_ask(union monitor_req q, uint64_t cap, union monitor_rep *r)
{
	struct lmp_recv m = {0};
	errval_t err = monitor_call(q.words[0], q.words[1], q.words[2], q.words[3], cap, &m);
	*r = monitor_rep_of(m.words);
	r->words[0] = err;
	return err;
}

capaddr_t monitor_ep(void)
{
	return mon;
}

errval_t monitor_revoke(capaddr_t c, uint64_t how, union monitor_rep *r)
{
	errval_t err = mon == SLOT_NONE ? monitor_bind() : ERR_OK;
	*r = (union monitor_rep){.revoke = {.err = err}};
	if (!err)
		err =
		    monitor_ask((union monitor_req){.revoke = {MONITOR_REVOKE, .how = how}}, c, r);
	if (!err)
		err = cnode_revoke(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c));
	return err;
}
