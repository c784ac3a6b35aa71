/* SPDX-License-Identifier: MIT */
/* Revoke across cores (revoke.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "coreset.h"
#include "ops.h"

/* A revoke the owner runs: the requester fills in the first part (from
   op_new or op_request, locked on ci's range), then revoke_run. */
struct revoke_op {
	struct op op;
	struct cap_info ci; /* the object */
	uint64_t how;	    /* 0: the tree, or MON_REVOKE_STAR, MON_REVOKE_BROADCAST */
	unsigned exempt;    /* the core whose domain asked (CORESET_NONE: none) */
	bool local;	    /* also revoke here (else the asking domain does) */
	void (*done)(struct revoke_op *r); /* runs at the end; ends the op */
	/* for the requester */
	unsigned from;
	uint64_t req;
	struct asker to;
	capaddr_t cap; /* the requester's capability (revoke_answer drops it) */
	/* progress */
	struct coreset cores;	  /* the cores asked */
	struct mon_cap_sweep msg; /* what each pass sends (req set per core) */
	unsigned phase;
	errval_t here, err;
	uint64_t ncores, deleted, msgs; /* cores asked, capabilities deleted, messages */
	uint64_t xnode;			/* of the messages, those across NUMA nodes */
	uint64_t depth;			/* the critical path in hops (ADR 0017) */
	uint64_t deepest;		/* this pass's deepest answer, in hops */
};

void revoke_run(struct revoke_op *r);
/* MON_CAP_REVOKE from our parent in a revoke's tree (or the owner, the
   star), MON_CAP_MARK or MON_CAP_SWEEP from the owner (the broadcast). */
void on_phase(unsigned from, uint8_t type, const union mon_payload *p);
/* MON_REVOKE_REQ (a request; deferred while its object is locked). */
void on_revoke_req(unsigned from, uint8_t type, const union mon_payload *p);
