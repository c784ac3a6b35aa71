/* SPDX-License-Identifier: MIT */
/*
 * The operation engine (monitor/README.md, "The loop and its operations").
 *
 * Every request a monitor cannot answer at once (it must ask other
 * monitors, or a domain) is an operation: a record from the heap that
 * holds what it works on, the lock on its object's range, the answers it
 * still awaits and what to run when they are in (its continuation). No
 * handler ever waits: it starts a round of questions (op_round, op_ask),
 * names its continuation (op_wait) and returns to the event loop, which
 * runs the continuation once the last answer came or the round's time
 * ran out. Any number of operations may be in flight, limited only by
 * memory.
 *
 * An operation's own state lives in a struct whose first member is its
 * struct op (op_new(sizeof that struct)); a continuation casts back.
 *
 * Layer: above the transport (monitor.h: mon_send), below the capability
 * operations (share.c, revoke.c, ...), which never wait.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/errors.h>
#include <abi/monitor.h>
#include <chan/ump.h>
#include <rt/sys.h>

#include "coreset.h"

struct op;
typedef void (*op_fn)(struct op *o);

struct op {
	struct op *next;  /* every operation in progress */
	uint64_t req;	  /* the number the current round's answers carry */
	uint8_t answer;	  /* the message type they come as */
	unsigned pending; /* answers still to come in this round */
	unsigned answers; /* answers that came */
	unsigned asked;	  /* questions that went in this round */
	errval_t err;	  /* the first error an answer carried, or the round's */
	uint64_t sum;	  /* the answers' first values (val[0]) summed */
	uint64_t sum3;	  /* their second values (val[1]) summed */
	uint64_t last[3]; /* the last answer's val[0..2] */
	/* Called for every answer before it is summed (NULL: none). */
	void (*each)(struct op *o, unsigned from, const union mon_payload *p);
	uint64_t badge;		/* waiting for an LMP answer from this domain (0: none) */
	uint64_t word;		/* that answer's w0 */
	uint64_t deadline;	/* when to look whether the cores asked are alive */
	struct coreset waiting; /* the cores whose answers are still to come */
	uint64_t pinged;	/* when we last asked them whether they are (0: not yet) */
	op_fn then;		/* the continuation of the round */
	bool ready;		/* the round is over: run then */
	bool locked;		/* holds the lock on [base, base + size) */
	uint64_t base, size;
};

/* A new operation of size bytes (its struct op first), zeroed; NULL when
   memory ran out. */
struct op *op_new(size_t size);
/* The operation is done: its lock goes (requests deferred on it are served
   again), and its memory. */
void op_end(struct op *o);

/* A new operation for a local domain's request on [base, base + len),
   locked; NULL with *err = ERR_NO_MEMORY, or ERR_MON_BUSY when an
   operation in progress holds an overlapping range (the domain asks
   again). Does nothing when *err is set already. */
struct op *op_local(size_t size, uint64_t base, uint64_t len, errval_t *err);

/* Take the lock on [base, base + size) (size 0: none needed). False if an
   operation in progress holds an overlapping range. */
bool op_lock(struct op *o, uint64_t base, uint64_t size);
bool op_locked(uint64_t base, uint64_t size);

/* A new round of questions, answered by messages of type answer. */
void op_round(struct op *o, uint8_t answer);
/* Ask core k's monitor (the request's req becomes the round's number);
   counted pending when it went. */
errval_t op_ask(struct op *o, unsigned k, uint8_t type, const union mon_payload *p);
/*
 * Wait for the round's answers and run then; at once (from the loop) if
 * none is pending. A round waits as long as the monitors asked are alive:
 * after ticks, and every OP_LIVE_TICKS from then on, each one that has not
 * answered is asked whether it is (mon_ping); one that did not answer that
 * within OP_LIVE_TICKS is taken for dead, and the round fails with
 * err = ERR_MON_TIMEOUT.
 */
#define OP_LIVE_TICKS 500 /* 5 s: a live monitor answers at once */
void op_wait(struct op *o, uint64_t ticks, op_fn then);
/* Wait, at most ticks, for the domain with this badge to answer (its w0 in
   o->word; ERR_MON_TIMEOUT in o->err if it did not: a domain may never). */
void op_wait_domain(struct op *o, uint64_t badge, uint64_t ticks, op_fn then);
/* Wait, at most ticks, for something only this monitor's own code will
   say (op_event): a domain's request, say (ERR_MON_TIMEOUT if it did not
   come in time). */
void op_wait_event(struct op *o, uint64_t ticks, op_fn then);
/* What o waits for in op_wait_event came, with err; then runs from the
   loop. */
void op_event(struct op *o, errval_t err);
/* An answer to a round here, from another monitor or (from == ours) from
   an operation of ours; false if no round waits for it (a late answer). */
bool op_answer(unsigned from, uint8_t type, const union mon_payload *p);
/* An LMP message a waiting operation takes (a domain's answer). */
bool op_domain_answer(const struct lmp_recv *m);

/* A request from another monitor whose object is locked: served again
   (by handler) when an operation ends, in the order they came. ERR_NO_MEMORY
   when it cannot be kept. */
typedef void (*op_request_fn)(unsigned from, uint8_t type, const union mon_payload *p);
errval_t op_defer(op_request_fn handler, unsigned from, uint8_t type, const union mon_payload *p);

/* Answer a domain on its endpoint ep (with cap, or CAPADDR_NONE) without
   waiting: what its full buffer cannot take now is kept, in order, and
   sent from the loop. With own_ep / own_cap the slot is ours to delete
   and free once sent. A domain that is gone gets nothing. */
void op_reply(capaddr_t ep, bool own_ep, const uint64_t w[4], uint64_t cap, bool own_cap);
/* The same for a message the domain did not ask for (an event, ADR 0014):
   one with a capability also waits while the domain's receive slot holds
   another (op_reply's answer goes without it then, as the error). */
void op_event_send(capaddr_t ep, bool own_ep, const uint64_t w[4], uint64_t cap, bool own_cap);

/* Where the answer to a domain's request goes: its endpoint, or our copy
   of it (own: deleted once the answer went). */
struct asker {
	capaddr_t ep;
	bool own;
};
/* Reply r (abi/monreq.h), or only an error. */
void asker_reply(const struct asker *a, const union monitor_rep *r);
void asker_fail(const struct asker *a, errval_t err);

/* Answer core `to`'s monitor, or an operation here when to is this core. */
void mon_answer(unsigned to, uint8_t type, const union mon_payload *p);

/*
 * A new operation for a request from core `from` on [base, base + len)
 * (len 0: no object), locked. NULL when it cannot start now: then the
 * request was deferred (handler serves it again once a lock goes) or, out
 * of memory, answered with ERR_NO_MEMORY as type answer.
 */
struct op *op_request(size_t size, uint64_t base, uint64_t len, op_request_fn handler,
		      unsigned from, uint8_t type, const union mon_payload *p, uint8_t answer);

/*
 * The loop's part: run the continuations whose rounds are over, fail the
 * rounds whose time ran out, serve deferred requests whose lock is free,
 * send kept answers. Returns the ticks the loop may sleep (0: no limit), or
 * OPS_YIELD: a domain here took some of its answers, yield to it.
 */
#define OPS_YIELD (~0ull)
uint64_t ops_run(void);
/* Operations in progress (for `capstat` and tests' counts). */
unsigned ops_count(void);
