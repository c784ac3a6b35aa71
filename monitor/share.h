/* SPDX-License-Identifier: MIT */
/* Copies across cores (share.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ops.h"

/* Share our object (cap, ours now) with core's monitor, and with domain
   there (0: none); answer to `to`: w1 = the word read, w2 = messages. */
void share_start(struct asker to, capaddr_t cap, uint64_t core, uint64_t domain);
/* A delivery of an object we own to another core (share.c; retype.c uses
   it): the operation that waits for its answer. */
struct shared;
#define DELIVER_TICKS 500 /* how long a live monitor may take to answer (5 s) */
struct copy_op {
	struct op op;
	unsigned from, to; /* who asked, who gets the copy */
	uint64_t req;	   /* the request's number */
	struct shared *s;
	bool had; /* `to` was in the set before */
	uint8_t answer;
};
/* Deliver s's object to core k in o's round (k joins the set first). */
void share_deliver_round(struct op *o, struct shared *s, unsigned k, uint8_t rights, uint64_t probe,
			 uint64_t domain);
/* The delivery's answer is in: a core that refused it leaves the set
   again, unless it was there before (had); an unanswered one stays. */
void share_delivered(struct op *o, struct shared *s, unsigned k, bool had);
/* A copy_op's continuation: answer its asker as c->answer. */
void share_copy_done(struct op *o);

/* MON_CAP_DELIVER: make our copy (and hand it to a domain here). */
void on_deliver(unsigned from, const struct mon_cap_deliver *m);
/* MON_COPY_REQ, MON_RETYPE_REQ (requests; deferred while locked). */
void on_copy_req(unsigned from, uint8_t type, const union mon_payload *p);
void on_retype_req(unsigned from, uint8_t type, const union mon_payload *p);
