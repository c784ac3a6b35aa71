// SPDX-License-Identifier: MIT
/* RAM from the memory service of the domain's core (rt/memclient.h). */
#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/memclient.h>
#include <rt/rpc.h>

static errval_t ask(capaddr_t ep, uint64_t badge, uint64_t op, uint64_t arg, struct lmp_recv *rep)
{
	uint64_t req[4] = {op, arg, 0, 0};
	return rpc_call(ep, badge, req, CAPADDR_NONE, rep);
}

errval_t mem_alloc_at(capaddr_t ep, uint64_t badge, uint64_t bytes, capaddr_t *cap,
		      uint64_t *handle)
{
	struct lmp_recv rep = {0};
	capaddr_t s = slot_alloc(); /* first: the answer's capability needs a place */
	if (s == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = ask(ep, badge, MEM_ALLOC, bytes, &rep);
	if (!err && !rep.has_cap)
		err = ERR_BAD_REQUEST;
	else if (!err && (err = rpc_take_cap(s)) != ERR_OK)
		ask(ep, badge, MEM_FREE, rep.words[1], &rep); /* not taken: it goes back */
	else if (err && rep.has_cap)
		rpc_drop_cap();
	if (err) {
		slot_free(s);
		return err;
	}
	*cap = s;
	*handle = rep.words[1];
	return ERR_OK;
}

errval_t mem_free_at(capaddr_t ep, uint64_t badge, capaddr_t cap, uint64_t handle)
{
	struct lmp_recv rep;
	errval_t err = ask(ep, badge, MEM_FREE, handle, &rep);
	if (!err) { /* revoked: our copy went with it (deleting an empty slot is harmless) */
		cnode_delete(CAPADDR(CAPADDR_L1(cap), 0), 1, CAPADDR_L2(cap));
		slot_free(cap);
	}
	return err;
}

errval_t mem_stat_at(capaddr_t ep, uint64_t badge, uint64_t *free, uint64_t *total)
{
	struct lmp_recv rep;
	errval_t err = ask(ep, badge, MEM_STAT, 0, &rep);
	if (!err) {
		*free = rep.words[1];
		*total = rep.words[2];
	}
	return err;
}

errval_t mem_alloc(uint64_t bytes, capaddr_t *cap, uint64_t *handle)
{
	return mem_alloc_at(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, bytes, cap, handle);
}

errval_t mem_free(capaddr_t cap, uint64_t handle)
{
	return mem_free_at(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, cap, handle);
}

errval_t mem_stat(uint64_t *free, uint64_t *total)
{
	return mem_stat_at(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, free, total);
}
