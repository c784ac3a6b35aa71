// SPDX-License-Identifier: MIT
/*
 * The trace's requests (docs/tracing.md): a bound client on core 0 asks
 * monitor 0 to start a trace (MONITOR_TRACE_START: every monitor empties
 * its buffer, trace.c) and to print it (MONITOR_TRACE_DUMP: monitor 0
 * first, then each other monitor in core order, one after another, so
 * that the lines come in that order). Monitor 0 asks the others with
 * MON_TRACE, which trace.c does not record, nor its answer.
 *
 * Layer: a role (5), beside clients.c, which hands it the requests.
 */
#include <stdio.h>

#include <abi/monitor.h>

#include "monitor.h"
#include "ops.h"
#include "roles.h"
#include "trace.h"

#define TRACE_ASK_TICKS 520 /* one monitor's answer (it prints first) */
#define TRACE_HOW_START 0
#define TRACE_HOW_PRINT 1

struct trace_op {
	struct op op;
	struct asker to;
	unsigned next;			/* a dump: the next core to ask */
	uint64_t cores, lines, dropped; /* so far */
};

static uint64_t dumps; /* numbers the dumps, for the lines' readers */

/* MON_TRACE from monitor 0. */
void trace_message(unsigned from, const struct mon_trace *m)
{
	union mon_payload r = {.trace_done = {.req = m->req, .err = ERR_OK}};
	if (!trace_on())
		r.trace_done.err = ERR_TRACE_OFF;
	else if (m->how == TRACE_HOW_START)
		trace_clear();
	else if (m->how == TRACE_HOW_PRINT)
		r.trace_done.lines = trace_print(&r.trace_done.dropped);
	else
		r.trace_done.err = ERR_BAD_REQUEST;
	mon_send(from, MON_TRACE_DONE, &r);
}

static void trace_answer(struct trace_op *t, uint64_t what)
{
	union monitor_rep r = {.err = t->op.err};
	if (what == MONITOR_TRACE_START) {
		r.trace_start.cores = t->cores;
	} else {
		r.trace_dump.cores = t->cores;
		r.trace_dump.lines = t->lines;
		r.trace_dump.dropped = t->dropped;
	}
	asker_reply(&t->to, &r);
	op_end(&t->op);
}

static void started(struct op *o)
{
	struct trace_op *t = (struct trace_op *)o;
	t->cores += o->answers;
	trace_answer(t, MONITOR_TRACE_START);
}

/* One monitor printed (its answer is in), or none yet: ask the next. */
static void dump_next(struct op *o)
{
	struct trace_op *t = (struct trace_op *)o;
	const struct bootinfo *bi = mon_bootinfo();
	errval_t err = o->err;
	t->cores += o->answers;
	t->lines += o->sum;
	t->dropped += o->sum3;
	while (!err && t->next < bi->ncores && !mon_has_joined(t->next))
		t->next++;
	if (err || t->next >= bi->ncores) {
		trace_answer(t, MONITOR_TRACE_DUMP);
		return;
	}
	union mon_payload q = {.trace = {.how = TRACE_HOW_PRINT}};
	op_round(o, MON_TRACE_DONE);
	o->err = op_ask(o, t->next++, MON_TRACE, &q);
	op_wait(o, TRACE_ASK_TICKS, dump_next);
}

/* MONITOR_TRACE_START or MONITOR_TRACE_DUMP from a bound client (monitor 0). */
void trace_request(struct asker to, const union monitor_req *q)
{
	struct trace_op *t = trace_on() ? (struct trace_op *)op_new(sizeof(*t)) : NULL;
	if (!t) {
		asker_fail(&to, trace_on() ? ERR_NO_MEMORY : ERR_TRACE_OFF);
		return;
	}
	t->to = to;
	t->cores = 1; /* this one */
	t->next = 1;
	op_round(&t->op, MON_TRACE_DONE);
	if (q->op == MONITOR_TRACE_DUMP) {
		printf("trace dump %lu cores=%u\n", (unsigned long)++dumps, mon_bootinfo()->ncores);
		t->lines = trace_print(&t->dropped);
		op_wait(&t->op, TRACE_ASK_TICKS, dump_next); /* (none pending: at once) */
		return;
	}
	trace_clear();
	union mon_payload m = {.trace = {.how = TRACE_HOW_START}};
	for (unsigned k = 1; k < mon_bootinfo()->ncores && !t->op.err; k++)
		if (mon_has_joined(k))
			t->op.err = op_ask(&t->op, k, MON_TRACE, &m);
	op_wait(&t->op, TRACE_ASK_TICKS, started);
}
