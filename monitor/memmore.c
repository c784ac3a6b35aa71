// SPDX-License-Identifier: MIT
/*
 * More memory for a core whose pool ran out (ADR 0012). Core k's spawnd
 * asks its monitor (MONITOR_MEM_MORE); monitor k asks monitor 0
 * (MON_MEM_MORE); monitor 0 asks memserv for the RAM, without waiting
 * (its answer comes to our endpoint like any message), keeps memserv's
 * capability for good, so that core 0 never hands that memory out again,
 * and answers with its range (MON_MEM_GIVEN); memserv takes it from core
 * k's NUMA node when it can, else from the nearest (ADR 0022). Monitor k
 * makes the RAM capability as its own core's (KERNEL_CAP_CREATE, owner k:
 * it retypes there without asking anyone, as the block a core gets at its
 * start) and hands it to spawnd, which adds it to its pool.
 *
 * Layer: a role (clients.c hands it spawnd's request, main.c the messages
 * and memserv's answers).
 */
#include <stdio.h>

#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/queue.h>
#include <rt/rpc.h>

#include "monitor.h"
#include "ops.h"
#include "records.h"
#include "roles.h"

#define MORE_MIN   (4ull << 20) /* asked at least (a pool grows in steps) */
#define MORE_TICKS 500		/* monitor 0 answers once memserv has */

/* ---- monitor 0 ---- */

struct asking {
	unsigned from;
	uint64_t req;
};
/* MON_MEM_MORE sent on to memserv, in the order it answers them. */
static struct queue asking = QUEUE_INIT(struct asking);

static void given(unsigned to, uint64_t req, errval_t err, uint64_t base, uint64_t size)
{
	union mon_payload r = {.mem_given = {.req = req, .err = err, .base = base, .size = size}};
	mon_send(to, MON_MEM_GIVEN, &r);
}

void mem_more_ask(unsigned from, const struct mon_mem_more *m)
{
	struct asking a = {from, m->req};
	uint64_t bytes = m->bytes < MORE_MIN ? MORE_MIN : m->bytes;
	/* From the asking core's node first (ADR 0022). */
	uint64_t node = mon_bootinfo()->cores[from < BOOTINFO_MAX_CORES ? from : 0].node;
	uint64_t req[4] = {MEM_ALLOC, (bytes + RAM_UNIT - 1) / RAM_UNIT * RAM_UNIT, 1 + node, 0};
	/* Kept first, so that memserv's answers always find theirs in order;
	   taken back if the request cannot go (a refusal from memserv is an
	   answer too, in its turn). */
	errval_t err = bytes > MEM_ALLOC_MAX ? ERR_MEM_SIZE
		       : !queue_push(&asking, &a)
			   ? ERR_NO_MEMORY
			   : ep_send(services_memserv_ep(), req, CAPADDR_NONE);
	if (err && err != ERR_MEM_SIZE && err != ERR_NO_MEMORY)
		queue_drop_last(&asking);
	if (err)
		given(from, m->req, err, 0, 0);
}

bool mem_more_note(const struct lmp_recv *m)
{
	struct asking *a = queue_front(&asking);
	if (mon_me() != 0 || m->badge != SERVER_MEMSERV || !a)
		return false;
	struct asking to = *a;
	struct cap_info ci = {0};
	capaddr_t ram = m->has_cap ? slot_alloc() : SLOT_NONE;
	errval_t err = (errval_t)m->words[0];
	queue_pop(&asking);
	if (!err && ram == SLOT_NONE)
		err = m->has_cap ? ERR_NO_SLOTS : ERR_NO_MEMORY;
	if (!err && (err = rpc_take_cap(ram)) == ERR_OK)
		err = cap_identify(ram, &ci);
	if (err && m->has_cap && ram == SLOT_NONE)
		mon_drop_recv(); /* (memserv keeps it: a leak, said below) */
	if (err)
		printf("monitor 0: no more memory for core %u: %s\n", to.from, err_str(err));
	else /* kept for good: memserv never hands it out again */
		printf("monitor 0: core %u gets %lu KiB more\n", to.from,
		       (unsigned long)(ci.size >> 10));
	given(to.from, to.req, err, ci.base, ci.size);
	return true;
}

/* ---- core k ---- */

struct more_op {
	struct op op;
	struct asker to;
};

static void more_given(struct op *o)
{
	struct more_op *mo = (struct more_op *)o;
	capaddr_t ram = o->err ? SLOT_NONE : slot_alloc();
	errval_t err = o->err ? o->err : ram == SLOT_NONE ? ERR_NO_SLOTS : ERR_OK;
	uint64_t size = o->last[1];
	if (!err)
		err = cap_make(ram,
			       OBJ_RAM | (uint64_t)CAP_RIGHTS_ALL << 8 | (uint64_t)mon_me() << 16,
			       o->last[0], size);
	if (err && ram != SLOT_NONE)
		slot_free(ram);
	union monitor_rep r = {.mem_more = {.err = err, .size = err ? 0 : size}};
	op_reply(mo->to.ep, mo->to.own, r.words, err ? CAPADDR_NONE : ram, !err);
	op_end(o);
}

void mem_more_start(struct asker to, uint64_t bytes)
{
	struct more_op *mo = mon_me() ? (struct more_op *)op_new(sizeof(*mo)) : NULL;
	if (!mo) {
		asker_fail(&to, mon_me() ? ERR_NO_MEMORY : ERR_BAD_REQUEST);
		return;
	}
	mo->to = to;
	union mon_payload q = {.mem_more = {.bytes = bytes}};
	op_round(&mo->op, MON_MEM_GIVEN);
	mo->op.err = op_ask(&mo->op, 0, MON_MEM_MORE, &q);
	op_wait(&mo->op, MORE_TICKS, more_given);
}
