// SPDX-License-Identifier: MIT
/*
 * Revoke across cores (docs/protocol.md 5, ADR 0017). The owner of an
 * object revokes it on every core whose set says it may hold a copy or a
 * descendant, in one pass down a binary tree over those cores (coreset.h):
 * each core passes MON_CAP_REVOKE on to its children first, meanwhile
 * deletes every copy and descendant of the object there (marked while the
 * stepped delete runs, so nothing there uses or copies it meanwhile), and
 * answers for its subtree once its children have: 2k messages for k
 * cores, none when nothing left the core, floor(log2(k + 1)) round trips
 * deep. The owner holds the lock on the object's range and its own copies
 * marked until every answer is in; only then do they and the anchors go,
 * so no memory is reused while a copy or descendant is left anywhere. The
 * star (the owner asks each core itself, one pass too) and the broadcast
 * (every other core, two phases, MON_CAP_MARK then MON_CAP_SWEEP:
 * Barrelfish's way, 4(N - 1) messages) are there for comparison.
 *
 * On a machine with NUMA nodes (ADR 0019) the tree goes first to one core
 * of each other node, then within each node (cs_topo_split), and the
 * broadcast reaches each other node through its lowest core, which asks
 * the rest of its node (cs_relay): each node is entered once.
 *
 * Each answer carries the depth of its subtree in hops (a request and its
 * answer: 2, 4 through monitor 0), so the revoke's answer says its
 * critical path, and the messages of its subtree between NUMA nodes.
 *
 * A revoke is an operation (ops.h) with two rounds: channels for the
 * tree's edges, then the pass (the broadcast: mark, then sweep, after
 * channels for its relays when it has any). A core in the tree runs its
 * part as an operation of its own, which answers when its children have.
 *
 * Layer: records, channels on demand, the operation engine, the
 * transport; clients.c above.
 */
#include <stdio.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/faults.h>
#include <rt/mem.h>

#include "connect.h"
#include "monitor.h"
#include "ops.h"
#include "records.h"
#include "revoke.h"

#define PHASE_TICKS 500 /* each level of the tree (5 s) */
#define CORE_TICKS  20	/* and each core asked at once */

/* How long a phase over the cores below us may take (a dead core fails
   it): a period per level of the tree by node (never fewer than the
   broadcast's relays take), and a little per core. */
static uint64_t phase_ticks(const struct coreset *below)
{
	unsigned levels = cs_topo_depth(below, mon_nodes(), mon_nodes()[mon_me()]);
	return PHASE_TICKS * (1 + levels) + CORE_TICKS * cs_count(below);
}

/* MON_CAP_REVOKE, MON_CAP_MARK and MON_CAP_SWEEP have the same fields, and
   so have their answers: read and written as a struct mon_cap_sweep and a
   struct mon_cap_swept. */
_Static_assert(sizeof(struct mon_cap_mark) == sizeof(struct mon_cap_sweep) &&
		   sizeof(struct mon_cap_revoke) == sizeof(struct mon_cap_sweep),
	       "every pass of a revoke carries the same fields");
_Static_assert(sizeof(struct mon_cap_marked) == sizeof(struct mon_cap_swept) &&
		   sizeof(struct mon_cap_revoked) == sizeof(struct mon_cap_swept),
	       "and so does every answer");

/* The answer to MON_CAP_REVOKE, MON_CAP_MARK or MON_CAP_SWEEP. */
static uint8_t answer_to(uint8_t type)
{
	return type == MON_CAP_REVOKE ? MON_CAP_REVOKED
	       : type == MON_CAP_MARK ? MON_CAP_MARKED
				      : MON_CAP_SWEPT;
}

/* The depth, in hops, of the subtree an answer from core `from` speaks
   for: our request and its answer, and what it said was below it. */
static uint64_t answer_depth(unsigned from, const union mon_payload *p)
{
	return 2 * mon_hops(from) + p->cap_swept.depth;
}

/* Ask core k (with below = sub) in o's round; counts the request and its
   answer into msgs and, those that cross NUMA nodes, into xnode. What
   op_ask gave. */
static errval_t ask_one(struct op *o, unsigned k, uint8_t type, const struct mon_cap_sweep *m,
			const struct coreset *sub, uint64_t *msgs, uint64_t *xnode)
{
	union mon_payload q = {.cap_sweep = *m};
	cs_put(sub, q.cap_sweep.below);
	errval_t err = op_ask(o, k, type, &q);
	if (!err) {
		*msgs += 2 * mon_hops(k);
		*xnode += 2 * mon_xhops(k);
	}
	return err;
}

/* Send the phase message m to the cores below us, in o's round: a revoke
   to our children in the tree by node over them (each with its subtree),
   the broadcast's mark or sweep to each of them, but through the leader
   of each other NUMA node (ADR 0019). Counts what that took, requests and
   their answers, into msgs and xnode. */
static void pass_send(struct op *o, uint8_t type, const struct coreset *below,
		      const struct mon_cap_sweep *m, uint64_t *msgs, uint64_t *xnode)
{
	unsigned self = mon_nodes()[mon_me()];
	if (type != MON_CAP_REVOKE) { /* the first that cannot be asked fails the pass */
		CS_FOR_EACH(k, below)
		{
			struct coreset sub;
			if (k != mon_me() && cs_relay(below, mon_nodes(), self, k, &sub) &&
			    !o->err && (o->err = ask_one(o, k, type, m, &sub, msgs, xnode)))
				break;
		}
		return;
	}
	unsigned child[CS_TREE_FANOUT];
	struct coreset sub[CS_TREE_FANOUT];
	cs_topo_split(below, mon_nodes(), self, child, sub);
	for (unsigned c = 0; c < CS_TREE_FANOUT; c++)
		if (child[c] != CORESET_NONE && child[c] != mon_me() &&
		    ask_one(o, child[c], type, m, &sub[c], msgs, xnode) && !o->err)
			o->err = ERR_CORE_NONE; /* its subtree is not reached: fail */
}

/* ---- a core in the tree ---- */

struct phase_op {
	struct op op;
	unsigned from;
	uint64_t req;
	uint8_t answer;
	errval_t here;	/* what the revoke, mark or sweep here gave */
	uint64_t count; /* capabilities deleted here */
	uint64_t below; /* messages to and from our children */
	uint64_t xnode; /* those of them across NUMA nodes, and our subtrees' */
	uint64_t depth; /* the deepest child's subtree, in hops */
};

static void phase_each(struct op *o, unsigned from, const union mon_payload *p)
{
	struct phase_op *ph = (struct phase_op *)o;
	uint64_t d = answer_depth(from, p);
	if (d > ph->depth)
		ph->depth = d;
	ph->xnode += p->cap_swept.xnode;
}

static void phase_answer(struct op *o)
{
	struct phase_op *p = (struct phase_op *)o;
	union mon_payload r = {.cap_swept = {.req = p->req,
					     .err = p->here ? p->here : o->err,
					     .deleted = p->count + o->sum,
					     .msgs = p->below + o->sum3,
					     .depth = p->depth,
					     .xnode = p->xnode}};
	mon_send(p->from, p->answer, &r); /* the other answers have the same fields */
	op_end(o);
}

/* Revoke (mark, delete, unmark), mark or sweep the object here. */
static errval_t phase_here(uint8_t type, const struct mon_cap_sweep *m, uint64_t *count)
{
	if (type == MON_CAP_MARK)
		return obj_mark(m->desc, m->base, m->size, true);
	/* In one pass: marked while the stepped delete runs, so no domain here
	   uses or copies it meanwhile (a sweep's was marked by MON_CAP_MARK). */
	errval_t mark = type == MON_CAP_REVOKE ? obj_mark(m->desc, m->base, m->size, true) : ERR_OK;
	bool exempt = (m->desc >> 32) == mon_me() + 1ull; /* its domain revokes */
	errval_t err = exempt ? obj_sweep_descendants(m->desc, m->base, m->size, count)
			      : obj_sweep(m->desc, m->base, m->size, count);
	errval_t e = obj_mark(m->desc, m->base, m->size, false); /* not marked if its mark failed */
	if (err || mark)
		return err ? err : mark;
	return e != ERR_CAP_NOT_FOUND ? e : ERR_OK;
}

/*
 * MON_CAP_REVOKE (and the broadcast's MON_CAP_MARK and MON_CAP_SWEEP):
 * pass it on to our children in the tree first (below: the cores below
 * us; for the broadcast, the cores of our NUMA node we relay to), meanwhile
 * do our part here, and answer for the whole subtree once the children
 * have: the first error, what was deleted, the messages, the depth, the
 * messages across nodes.
 */
void on_phase(unsigned from, uint8_t type, const union mon_payload *msg)
{
	const struct mon_cap_sweep *m = &msg->cap_sweep;
	uint8_t answer = answer_to(type);
	/* A revoke or mark that fails fails the revoke; a sweep that fails
	   would leave the object marked here for good: no fault injected into
	   it. */
	if (type == MON_CAP_SWEEP)
		faults_hold();
	struct phase_op *p = (struct phase_op *)op_new(sizeof(*p));
	if (type == MON_CAP_SWEEP)
		faults_release();
	if (!p) { /* its subtree is not reached: the revoke fails */
		union mon_payload r = {.cap_swept = {.req = m->req, .err = ERR_NO_MEMORY}};
		mon_send(from, answer, &r);
		return;
	}
	struct coreset sub = cs_get(m->below);
	p->from = from;
	p->req = m->req;
	p->answer = answer;
	op_round(&p->op, answer);
	p->op.each = phase_each;
	pass_send(&p->op, type, &sub, m, &p->below, &p->xnode);
	p->here = phase_here(type, m, &p->count);
	op_wait(&p->op, phase_ticks(&sub), phase_answer);
}

/* ---- the owner ---- */

static void revoke_phase(struct revoke_op *r, unsigned phase);

/* Nothing is left elsewhere: the anchors go, the object's own last; with
   an exempt core, its domain keeps its copy, and so we the anchor. */
static errval_t drop_anchors(struct revoke_op *r)
{
	struct shared *self = NULL;
	errval_t err = ERR_OK;
	for (struct shared *s = shared_list; s; s = s->next) {
		if (!s->used || !shared_covered(s, &r->ci))
			continue;
		if (s->type == r->ci.type && s->base == r->ci.base && s->size == r->ci.size)
			self = s;
		else
			shared_drop(s);
	}
	if (!self)
		return ERR_OK;
	capaddr_t a = self->anchor;
	cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, a, 0, 0, 0, 0);
	while (r->local &&
	       (err = cnode_revoke(CAPADDR(CAPADDR_L1(a), 0), 1, CAPADDR_L2(a))) == ERR_CAP_PENDING)
		;
	if (r->exempt < CORESET_NONE) {
		cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, a, 1, 0, 0, 0);
		self->cores = cs_one(r->exempt);
		self->gone = (struct coreset){{0}};
	} else {
		shared_drop(self);
	}
	return err;
}

static void revoke_finish(struct revoke_op *r)
{
	if (!r->err)
		r->err = drop_anchors(r);
	r->done(r);
}

/* What pass `phase` of the revoke sends (0: none): the tree and the star
   one MON_CAP_REVOKE, the broadcast MON_CAP_MARK, then MON_CAP_SWEEP. */
static uint8_t pass_type(const struct revoke_op *r, unsigned phase)
{
	if (r->how != MON_REVOKE_BROADCAST)
		return phase == 0 ? MON_CAP_REVOKE : 0;
	return phase == 0 ? MON_CAP_MARK : phase == 1 ? MON_CAP_SWEEP : 0;
}

static void revoke_each(struct op *o, unsigned from, const union mon_payload *p)
{
	struct revoke_op *r = (struct revoke_op *)o;
	uint64_t d = answer_depth(from, p);
	if (d > r->deepest)
		r->deepest = d;
	r->xnode += p->cap_swept.xnode;
}

static void phase_in(struct op *o)
{
	struct revoke_op *r = (struct revoke_op *)o;
	r->deleted += o->sum;
	r->msgs += o->sum3;
	r->depth += r->deepest; /* the passes run one after the other */
	if (!r->err)		/* a failed mark still sweeps: what is marked goes */
		r->err = o->err;
	if (pass_type(r, r->phase + 1)) {
		revoke_phase(r, r->phase + 1);
		return;
	}
	if (!r->here)
		obj_mark(r->msg.desc, r->msg.base, r->msg.size, false);
	revoke_finish(r);
}

/* Pass `phase`: down the tree, or to each core at once (the broadcast:
   each other NUMA node's through its leader). */
static void revoke_phase(struct revoke_op *r, unsigned phase)
{
	struct op *o = &r->op;
	uint8_t type = pass_type(r, phase);
	r->phase = phase;
	r->deepest = 0;
	op_round(o, answer_to(type));
	o->each = revoke_each;
	if (r->how == MON_REVOKE_STAR) { /* one unicast to each */
		CS_FOR_EACH(k, &r->cores)
		{
			union mon_payload q = {.cap_sweep = r->msg};
			if (!o->err && (o->err = op_ask(o, k, type, &q)))
				break;
		}
		CS_FOR_EACH(k, &r->cores)
		{
			r->msgs += 2 * mon_hops(k);
			r->xnode += 2 * mon_xhops(k);
		}
	} else {
		pass_send(o, type, &r->cores, &r->msg, &r->msgs, &r->xnode);
	}
	op_wait(o, phase_ticks(&r->cores), phase_in);
}

/* The tree's channels are open: revoke. If monitor 0 could not open one
   because a core did not answer in time, that core is taken for dead and
   the revoke fails now, before anything is marked but here (other errors:
   monitor 0 forwards instead). */
static void tree_ready(struct op *o)
{
	struct revoke_op *r = (struct revoke_op *)o;
	if (o->err != ERR_MON_TIMEOUT) {
		revoke_phase(r, 0);
		return;
	}
	r->err = o->err;
	if (!r->here)
		obj_mark(r->msg.desc, r->msg.base, r->msg.size, false);
	revoke_finish(r);
}

void revoke_run(struct revoke_op *r)
{
	struct coreset *cores = &r->cores;
	*cores = (struct coreset){{0}};
	for (struct shared *s = shared_list; s; s = s->next)
		if (s->used && shared_covered(s, &r->ci))
			cs_or(cores, &s->cores);
	for (unsigned k = 0; r->how == MON_REVOKE_BROADCAST && k < mon_bootinfo()->ncores; k++)
		if (mon_peer_up(k))
			cs_add(cores, k);
	cs_del(cores, mon_me());
	r->ncores = cs_count(cores);
	if (!cs_has(cores, r->exempt))
		r->exempt = CORESET_NONE;
	/* (below, the cores below a receiver, stays empty for the star, and
	   for the broadcast but to a node's leader: pass_send.) */
	r->msg =
	    (struct mon_cap_sweep){.desc = r->ci.type | (uint64_t)mon_me() << 16 |
					   (r->exempt < CORESET_NONE ? r->exempt + 1ull : 0) << 32,
				   .base = r->ci.base,
				   .size = r->ci.size};
	if (cs_empty(cores)) {
		revoke_finish(r);
		return;
	}
	/* Marked here until every answer is in: nothing of it is used here
	   meanwhile, and nothing goes here before it has gone everywhere. */
	r->here = obj_mark(r->msg.desc, r->msg.base, r->msg.size, true);
	/* Channels for the tree's edges first; the broadcast's only where it
	   relays through other NUMA nodes' leaders (on one node it asks each
	   core itself, directly or through monitor 0, as it always did). */
	bool relays = cs_spans(cores, mon_nodes(), mon_nodes()[mon_me()]);
	if (r->how == MON_REVOKE_STAR || (r->how == MON_REVOKE_BROADCAST && !relays)) {
		revoke_phase(r, 0);
		return;
	}
	connect_round(&r->op);
	if (r->how == MON_REVOKE_BROADCAST)
		connect_relay(&r->op, cores);
	else
		connect_tree(&r->op, cores);
	op_wait(&r->op, connect_ticks(&r->op), tree_ready);
}

/* MON_REVOKE_REQ: a domain on core `from` revokes our object (it must hold
   a copy that came from us); that core is exempt. */
static void revoke_req_done(struct revoke_op *r)
{
	uint64_t hops = 2 * mon_hops(r->from); /* the request and this answer */
	union mon_payload a = {.revoke_reply = {.req = r->req,
						.err = r->err,
						.msgs = r->msgs + hops,
						.depth = r->depth + hops,
						.xnode = r->xnode + 2 * mon_xhops(r->from)}};
	mon_send(r->from, MON_REVOKE_REPLY, &a);
	op_end(&r->op);
}

void on_revoke_req(unsigned from, uint8_t type, const union mon_payload *p)
{
	const struct mon_revoke_req *m = &p->revoke_req;
	struct revoke_op *r = (struct revoke_op *)op_request(
	    sizeof(*r), m->base, m->size, on_revoke_req, from, type, p, MON_REVOKE_REPLY);
	if (!r)
		return;
	struct shared *s = shared_find((uint8_t)m->desc, m->base, m->size);
	r->from = from;
	r->req = m->req;
	r->done = revoke_req_done;
	if (!s || !cs_has(&s->cores, from)) {
		r->err = ERR_CAP_NOT_FOUND;
		revoke_req_done(r);
		return;
	}
	r->ci = (struct cap_info){.type = (uint8_t)m->desc, .base = m->base, .size = m->size};
	r->exempt = from;
	r->local = true;
	revoke_run(r);
}
