// SPDX-License-Identifier: MIT
/* The name service from any domain (rt/names.h): requests to our monitor. */
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/rpc.h>

/* The names we registered, to unregister at exit. */
static uint64_t (*ours)[2];
static unsigned nours, room;

static errval_t key_of(const char *name, uint64_t key[2])
{
	size_t n = name ? strlen(name) : 0;
	key[0] = key[1] = 0;
	if (n == 0 || n > NAME_MAX_LEN)
		return ERR_NAME_INVALID;
	memcpy(key, name, n);
	return ERR_OK;
}

static errval_t ask(union monitor_req q, uint64_t cap, struct lmp_recv *m)
{
	errval_t err = monitor_ep() == SLOT_NONE ? monitor_bind() : ERR_OK;
	if (!err)
		err = monitor_call(q.words[0], q.words[1], q.words[2], q.words[3], cap, m);
	return err;
}

static void remember(const uint64_t key[2])
{
	if (nours == room) {
		unsigned more = room ? 2 * room : 4;
		void *p = realloc(ours, more * sizeof(*ours));
		if (!p)
			return; /* (then it goes with our endpoint, when we are reaped) */
		ours = p;
		room = more;
	}
	ours[nours][0] = key[0];
	ours[nours++][1] = key[1];
}

errval_t name_register(const char *name, uint64_t ep)
{
	union monitor_req q = {.name_register = {MONITOR_NAME_REGISTER}};
	struct lmp_recv m;
	errval_t err = key_of(name, q.name_register.name);
	if (!err)
		err = ask(q, ep, &m);
	if (!err)
		remember(q.name_register.name);
	return err;
}

errval_t name_lookup(const char *name, unsigned *core, uint64_t dest)
{
	union monitor_req q = {.name_lookup = {MONITOR_NAME_LOOKUP}};
	struct lmp_recv m = {0};
	errval_t err = key_of(name, q.name_lookup.name);
	if (!err)
		err = ask(q, CAPADDR_NONE, &m);
	if (!err)
		*core = (unsigned)monitor_rep_of(m.words).name_lookup.core;
	if (m.has_cap) { /* the endpoint: kept if wanted, else dropped */
		if (dest == CAPADDR_NONE)
			rpc_drop_cap();
		else if (!err)
			err = rpc_take_cap((capaddr_t)dest);
		else
			rpc_drop_cap();
	}
	return err;
}

errval_t name_next(const char *after, char *next, unsigned *core)
{
	union monitor_req q = {.name_next = {MONITOR_NAME_NEXT}};
	struct lmp_recv m;
	errval_t err = after && *after ? key_of(after, q.name_next.after) : ERR_OK;
	if (!err)
		err = ask(q, CAPADDR_NONE, &m);
	if (!err) {
		union monitor_rep r = monitor_rep_of(m.words);
		memcpy(next, r.name_next.name, NAME_MAX_LEN);
		next[NAME_MAX_LEN] = 0;
		*core = (unsigned)r.name_next.core;
	}
	return err;
}

errval_t name_unregister(const char *name)
{
	union monitor_req q = {.name_unregister = {MONITOR_NAME_UNREGISTER}};
	struct lmp_recv m;
	errval_t err = key_of(name, q.name_unregister.name);
	if (!err)
		err = ask(q, CAPADDR_NONE, &m);
	for (unsigned i = 0; !err && i < nours; i++)
		if (!memcmp(ours[i], q.name_unregister.name, 16)) {
			memcpy(ours[i], ours[--nours], 16);
			break;
		}
	return err;
}

void names_release(void)
{
	while (nours) {
		char name[NAME_MAX_LEN + 1] = {0};
		memcpy(name, ours[nours - 1], NAME_MAX_LEN);
		if (name_unregister(name))
			nours--; /* (gone already) */
	}
}

static void slot_gone(capaddr_t s)
{
	if (s == SLOT_NONE)
		return;
	cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
	slot_free(s);
}

errval_t service_bind(const char *name, capaddr_t *ep, uint64_t *badge)
{
	unsigned core = ~0u, here = ((const struct bootinfo *)BOOTINFO_VADDR)->coreid;
	capaddr_t named = slot_alloc(), me = slot_alloc(), out = slot_alloc();
	struct lmp_recv rep = {0};
	uint64_t req[4] = {SERVICE_BIND, 0, 0, 0};
	errval_t err =
	    named == SLOT_NONE || me == SLOT_NONE || out == SLOT_NONE ? ERR_NO_SLOTS : ERR_OK;
	if (!err)
		err = name_lookup(name, &core, named);
	if (!err && core != here)
		err = ERR_NAME_REMOTE; /* (only its core came, no endpoint) */
	/* Ours badged SERVER_BIND: where the answer goes. */
	if (!err)
		err = cnode_mint(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me),
				 CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, SERVER_BIND);
	if (!err)
		err = rpc_call(named, SERVER_BIND, req, me, &rep);
	if (!err && !rep.has_cap)
		err = ERR_BAD_REQUEST;
	else if (!err)
		err = rpc_take_cap(out);
	else if (rep.has_cap)
		rpc_drop_cap();
	slot_gone(named);
	slot_gone(me);
	if (err) {
		slot_gone(out);
		return err;
	}
	*ep = out;
	*badge = rep.words[1];
	return ERR_OK;
}
