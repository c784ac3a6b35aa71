/* SPDX-License-Identifier: MIT */
/*
 * Dispatchers: the kernel object of a domain on one core, kept in the memory
 * of its Dispatcher capability (struct dcb, 4 KiB). States:
 *
 *   STOPPED --DISP_SETUP+DISP_RUN--> RUNNABLE <--> BLOCKED (SYS_RECV)
 *   any --DISP_STOP / SYS_EXIT / fault / lost cspace or vspace--> STOPPED
 *
 * RUNNABLE dispatchers sit on the core's round-robin queue (kcb.runq); the
 * timer tick preempts. The DCB holds its own copies of the cspace and vspace
 * root capabilities (CAPF_DCB_ROOT), so revoking either stops the dispatcher
 * before the memory can be reused.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/caps.h>
#include <caps/caps.h>

#include "trap_frame.h"

enum disp_state { DISP_STOPPED = 0, DISP_RUNNABLE, DISP_BLOCKED };

#define LMP_QUEUE 8

struct lmp_msg {
	uint64_t badge;
	uint64_t words[4];
	uint64_t has_cap;
};

/* A dispatcher's FP registers while another holds the f registers. */
struct fp_state {
	uint64_t f[32];
	uint64_t fcsr;
};

struct dcb {
	struct trap_frame regs;	 /* user registers while not running */
	struct fp_state fp;	 /* its FP registers, when not kcb.fp_owner (ADR 0018) */
	struct cte cspace;	 /* L1CNode copy */
	struct cte vspace;	 /* VNode_L2 copy */
	struct dcb *next, *prev; /* run queue, when RUNNABLE */
	uint32_t state;		 /* enum disp_state */
	uint32_t id;		 /* per-core domain number, for messages */
	uint32_t setup;		 /* DISP_SETUP done */
	uint32_t gone;		 /* exited or stopped by a fault, not run since */
	uint32_t ran;		 /* has run since icache_sync() (first run) */
	capaddr_t recv_slot;	 /* where an LMP capability lands */
	uint32_t recv_slot_set;
	uint32_t lmp_head, lmp_count;
	struct lmp_msg lmp[LMP_QUEUE];
	int64_t exit_status;
	uint64_t faults;
	uint64_t caught;			   /* faults sent to the catch handler */
	uint64_t catch_pc, catch_base, catch_size; /* DISP_CATCH (pc 0: none) */
	uint64_t wake_tick;			   /* BLOCKED with a timeout: wake at this tick */
	struct dcb *sleep_next;			   /* kcb.sleepq, while it has a timeout */
	uint32_t sleeping;
	uint32_t con_id;    /* its number in console tags; 0: id (DISP_RUN, ADR 0013) */
	uint32_t con_plain; /* its console lines are untagged (monitors, services) */
};

_Static_assert(sizeof(struct dcb) <= OBJSIZE_DISPATCHER, "DCB fits its object");

struct dcb *dcb_of(const struct capability *disp);
void dispatch_init_object(struct dcb *d);
void dispatch_make_runnable(struct dcb *d);
void dispatch_stop(struct dcb *d, const char *why);
/* Pick the next dispatcher and run it in user mode; idles when none. */
void __attribute__((noreturn)) dispatch_schedule(void);
/* Continue the current dispatcher (after a syscall that did not block). */
void __attribute__((noreturn)) dispatch_resume_current(void);
/* The last copy of the Dispatcher is gone: stop it, drop its roots. */
void dispatch_destroyed(struct dcb *d);
/* A CTE inside a DCB (cspace/vspace root) is being deleted. */
void dispatch_root_deleted(struct cte *cte);
/* d (BLOCKED in SYS_RECV) gives up at tick: it gets ERR_LMP_EMPTY then. */
void dispatch_sleep(struct dcb *d, uint64_t tick);
/* Called on every timer tick: wake the dispatchers whose time is up. */
void dispatch_tick(void);
/*
 * Lazy FP (fp.c, ADR 0018). fp_claim: d trapped with an illegal
 * instruction; if FP is off for it on a core with F and D, give it the f
 * registers (saving the owner's if Dirty) and return true: retry the
 * instruction. fp_forget: d stops for good; it owns nothing any more.
 * fp_sstatus_fs: the sstatus.FS d runs with (Off unless it owns them).
 */
bool fp_claim(struct dcb *d);
void fp_forget(struct dcb *d);
uint64_t fp_sstatus_fs(const struct dcb *d);

/* Deliver an LMP message; errval_t from the error list. */
uint32_t lmp_deliver(struct dcb *to, const struct lmp_msg *m, struct cte *cap);
