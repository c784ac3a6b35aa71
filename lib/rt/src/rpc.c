// SPDX-License-Identifier: MIT
/* LMP request/reply helpers (rt/rpc.h). */
#include <stdio.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/queue.h>
#include <rt/rpc.h>

/* Messages that came while we waited for a reply, oldest first; none is
   dropped while memory lasts. */
static struct queue pending = QUEUE_INIT(struct lmp_recv);

/* No memory to keep m: a client's request (a CLIENT_* badge) is refused
   with ERR_NO_MEMORY, so its sender gets an error instead of waiting for
   ever; anything else is lost, and said so on the console. Its capability
   goes, so that the receive slot is free for the reply we wait for. */
static void refuse(const struct lmp_recv *m)
{
	if (m->has_cap)
		rpc_drop_cap();
	if (m->badge >= CLIENT_MONITOR && m->badge <= CLIENT_APP &&
	    rpc_reply(m->badge, ERR_NO_MEMORY, 0, 0, 0, CAPADDR_NONE) == ERR_OK)
		return;
	printf("rpc: no memory to keep a message from badge %#lx, dropped\n",
	       (unsigned long)m->badge);
}

static bool (*filter)(const struct lmp_recv *m);

void rpc_set_filter(bool (*f)(const struct lmp_recv *m))
{
	filter = f;
}

bool rpc_filtered(const struct lmp_recv *m)
{
	return filter && filter(m);
}

void rpc_keep(const struct lmp_recv *m)
{
	if (filter && filter(m))
		return;
	if (!queue_push(&pending, m))
		refuse(m);
}

static errval_t wait_for(uint64_t server, struct lmp_recv *rep)
{
	for (;;) {
		errval_t err = lmp_recv(1, rep);
		if (err)
			return err;
		if (rep->badge == server && !(filter && filter(rep)))
			return ERR_OK;
		rpc_keep(rep);
	}
}

errval_t rpc_send(capaddr_t ep, const uint64_t req[4], uint64_t cap)
{
	errval_t err;
	/* A full queue, or the server's one capability slot still taken by an
	   earlier message: let it run. The slot empties as soon as the server
	   takes or drops the capability, which every server does with each
	   message it handles; a count of tries would give up early on a slow
	   core. */
	while ((err = ep_send(ep, req, cap)) == ERR_LMP_BUF_FULL || err == ERR_LMP_CAP_SLOT)
		sys_yield();
	return err;
}

errval_t rpc_call(capaddr_t ep, uint64_t server, const uint64_t req[4], uint64_t cap,
		  struct lmp_recv *rep)
{
	errval_t err = rpc_send(ep, req, cap);
	if (err)
		return err;
	err = wait_for(server, rep);
	return err ? err : (errval_t)rep->words[0];
}

errval_t rpc_more(uint64_t server, struct lmp_recv *rep)
{
	errval_t err = wait_for(server, rep);
	return err ? err : (errval_t)rep->words[0];
}

errval_t rpc_next(struct lmp_recv *m)
{
	struct lmp_recv *first = queue_front(&pending);
	if (first) {
		*m = *first;
		queue_pop(&pending);
		return ERR_OK;
	}
	for (;;) {
		errval_t err = lmp_recv(1, m);
		if (err || !filter || !filter(m))
			return err;
	}
}

errval_t rpc_next_timeout(uint64_t ticks, struct lmp_recv *m)
{
	if (queue_front(&pending))
		return rpc_next(m);
	for (;;) { /* (a message the filter takes starts the time again) */
		errval_t err = lmp_recv_timeout(ticks, m);
		if (err || !filter || !filter(m))
			return err;
	}
}

void rpc_nap(uint64_t ticks)
{
	struct lmp_recv m;
	if (lmp_recv_timeout(ticks, &m) == ERR_OK)
		rpc_keep(&m);
}

errval_t rpc_reply(uint64_t client, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		   uint64_t cap)
{
	uint64_t w[4] = {w0, w1, w2, w3};
	capaddr_t ep = CAPADDR(CN_BASE, client);
	errval_t err;
	/* A full queue empties as the client reads: our clients are services
	   that run for good (a count of tries would lose answers on a slow
	   core). */
	while ((err = ep_send(ep, w, cap)) == ERR_LMP_BUF_FULL)
		sys_yield();
	if (err == ERR_LMP_CAP_SLOT) {
		/* Its receive slot still holds an earlier capability, which it
		   will not take while it waits for us: the answer goes without
		   the capability, as an error, and the caller keeps it. */
		w[0] = ERR_LMP_CAP_SLOT;
		while (ep_send(ep, w, CAPADDR_NONE) == ERR_LMP_BUF_FULL)
			sys_yield();
		return ERR_LMP_CAP_SLOT;
	}
	if (err) /* no client there to tell: the answer is lost */
		printf("rpc: answer to client %lu lost: %s\n", (unsigned long)client, err_str(err));
	return err;
}

errval_t rpc_drop_cap(void)
{
	errval_t err = cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV);
	errval_t e2 = disp_set_recv_slot(CAPADDR(CN_TASK, TASK_DISP), CAPADDR(CN_TASK, TASK_RECV));
	return err ? err : e2;
}

errval_t rpc_take_cap(capaddr_t dest)
{
	capaddr_t recv = CAPADDR(CN_TASK, TASK_RECV);
	errval_t err =
	    cnode_copy(CAPADDR(CAPADDR_L1(dest), 0), 1, CAPADDR_L2(dest), recv, CAP_RIGHTS_ALL);
	if (!err)
		err = cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV);
	errval_t e2 = disp_set_recv_slot(CAPADDR(CN_TASK, TASK_DISP), recv);
	return err ? err : e2;
}
