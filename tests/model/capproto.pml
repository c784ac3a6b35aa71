/* SPDX-License-Identifier: MIT */
/*
 * capproto.pml: the Reef distributed capability protocol (docs/protocol.md)
 * as a Promela model, checked by tests/model/check.sh with spin.
 *
 * What is modelled
 * ----------------
 * NCORES monitors (one process each), a full mesh of FIFO channels (one per
 * ordered pair), one memory object X owned by core 0 and its descendant D
 * (one sub-range of X, retyped on any core, owned by that core, which may
 * share it further). Every monitor also plays its core's client domains:
 * while the op budget lasts and its client has nothing outstanding it may
 * copy a capability to another core, delete it, revoke it or retype X into
 * D. Everything runs concurrently; copies, grants and revokes are in
 * flight at the same time.
 *
 * A revoke is one pass (ADR 0017): each core it reaches passes it on down
 * the tree first, deletes its copies and descendants of the object at
 * once, and answers when everything it sent on has answered; an owner of a
 * descendant the revoke kills keeps its anchor (the memory) until then, and
 * the root keeps the lock, its anchor and its own copies (marked: unusable)
 * until every answer is in.
 *
 * Capability state is a count per (core, object): ncap = live caps held by
 * domains, mcap = caps a revoke's root marked (count as deleted, go when
 * the revoke completes). The owner's anchor copy is anc[o]. Owner records
 * (copies, descs, infl, lock, ...) are arrays indexed by object and are
 * read and written only by the owner's process; the same goes for the
 * per-core revoke records (eng, rex, mdef) and client state (cop, cobj).
 * Variables commented "ghost" exist only for the assertions.
 *
 * Checked: (a) when a revoke completes at its root no copy or descendant of
 * the object survives except the revoking capability (and the owner's
 * anchor), and none is in flight; (b) D is never created while any D
 * capability exists or travels (no memory retyped twice), nor while a
 * revoke of an older D still runs anywhere; (c) nothing is
 * lost: at quiescence no message is in flight, the owner's core sets are
 * exact, and every dead object was cleaned up exactly once, on its owner,
 * when no live copy existed (also asserted at the cleanup itself); (d) no
 * request is granted on behalf of a capability whose revoke has completed;
 * and deadlock freedom: the checker process runs at timeout (nothing else
 * can move) and asserts that nothing is half done.
 *
 * Parameters (spin -DNAME=value -a capproto.pml): NCORES (3 or 4), MAXOPS
 * (client operations in total), FANOUT (children per tree node, 1 or 2),
 * INIT_SHARED (core 1 starts with a copy of X), FAULTS (a copy may find its
 * destination domain gone), QSZ (channel slots; a full channel is an
 * assertion failure, never a silent block). Mutants, each removing one
 * rule of the protocol, that spin must catch: BUG_COPY_UNRECORDED,
 * BUG_NO_RETYPE_CHECK, BUG_TREE_INFLIGHT, BUG_RETYPE_EARLY_UNLOCK,
 * BUG_NO_FLUSH, BUG_NO_DELAY, and two of the one-pass revoke:
 * BUG_EARLY_ANSWER (a core answers before what it passed on has answered)
 * and BUG_EARLY_FREE (the owner of a descendant the revoke kills lets its
 * memory go on the way down, before its answers are in).
 */

#ifndef NCORES
#define NCORES 3
#endif
#ifndef MAXOPS
#define MAXOPS 6
#endif
#ifndef FANOUT
#define FANOUT 1
#endif
#ifndef QSZ
#define QSZ 6
#endif
#ifndef INIT_SHARED
#define INIT_SHARED 1
#endif
#ifndef FAULTS
#define FAULTS 1
#endif

#if NCORES < 3 || NCORES > 4
#error "the model is written for 3 or 4 cores"
#endif
#if FANOUT < 1 || FANOUT > 2
#error "FANOUT is 1 or 2"
#endif

#define OX 0	/* the object X: a memory range, owner core 0 */
#define OD 1	/* its descendant D: one sub-range, owner = the core that retyped it */
#define NOBJ 2

#define BIT(c) (1 << (c))
#define IDX(c, o) ((c) * NOBJ + (o))
#define CH(f, t) ch[(f) * NCORES + (t)]
#define N(c, o) ncap[IDX(c, o)]
#define M(c, o) mcap[IDX(c, o)]
/* A core takes part in a revoke at most twice at once (slots 0 and 1). */
#define NSLOT 2
#define SL(c, r, s) (IDX(c, r) * NSLOT + (s))
#define ENG(c, r, s) eng[SL(c, r, s)]
#define MDEF(c, r, s) mdef[SL(c, r, s)]
#define REX(c, r) rex[IDX(c, r)]

#define ROOT 255	/* eng value at the root of a revoke */
/* eng of a core that owes core p the answer for p's slot t */
#define ENGAGE(p, t) (1 + (p) + 8 * (t))
#define PARENT(e) (((e) - 1) % 8)
#define PTAG(e) (((e) - 1) / 8)
#define NOCORE 255

/* lock[o] at the owner */
#define FREE 0
#define LK_REVOKE 1
#define LK_RETYPE 2

/* cop[c]: the operation the client on core c waits for */
#define OP_NONE 0
#define OP_COPY 1	/* COPY_REQ sent to the owner */
#define OP_RETYPE 2	/* RETYPE_REQ sent to the owner */
#define OP_REVOKE 3	/* REVOKE_REQ sent to the owner */
#define OP_LRETYPE 4	/* owner's own retype, waiting for RETYPE_CHECK_REPLYs */
#define OP_LREVOKE 5	/* owner's own revoke, running */

/* results */
#define R_OK 0
#define R_BUSY 1
#define R_REFUSED 2

mtype = {
	COPY_REQ,	/* requester -> owner: (obj, dest) */
	COPY_DELIVER,	/* owner -> dest: (obj, requester); dest inserts the copy */
	COPY_ACK,	/* dest -> owner: (obj, requester, dest holds a copy now) */
	COPY_REPLY,	/* owner -> requester: (obj, result) */
	DEL_NOTIFY,	/* holder -> owner: (obj); the holder's last copy is gone */
	DESC_GONE,	/* descendant owner -> owner of X: (X); it owns no descendant of X now */
	RETYPE_REQ,	/* holder of X -> owner of X: (X) */
	RETYPE_CHECK,	/* owner of X -> each core in DESCS: (X) */
	RETYPE_CHECK_REPLY, /* -> owner of X: (X, overlap) */
	RETYPE_REPLY,	/* owner of X -> requester: (X, result); R_OK: retype now */
	RETYPE_DONE,	/* requester -> owner of X: (X); the retype happened, unlock */
	REVOKE_REQ,	/* holder -> owner: (obj) */
	REVOKE_REPLY,	/* owner -> requester: (obj, result) */
	CAP_REVOKE,	/* (root obj R, obj to delete, subtree to pass it on to,
			   exempt core | the sender's slot << 4) */
	CAP_REVOKED	/* (R, the sender's slot): deleted here, and everything it
			   sent for this CAP_REVOKE has answered */
};

/* One FIFO channel per ordered pair of cores: CH(from, to). */
chan ch[NCORES * NCORES] = [QSZ] of { mtype, byte, byte, byte, byte };

/* Capabilities held by domains on each core (see the header). */
byte ncap[NCORES * NOBJ];
byte mcap[NCORES * NOBJ];

/* Owner records, one per object; touched only by own[o]'s monitor. */
byte own[NOBJ];		/* owner core (the holders' caps record it too) */
bool alive[NOBJ];	/* the object exists */
bool dying[NOBJ];	/* killed by an ancestor's revoke: refuse everything */
byte anc[NOBJ];		/* anchor: 0 none, 1 held, 2 marked */
byte copies[NOBJ];	/* COPIES: other cores holding copies (bitmask) */
byte descs[NOBJ];	/* DESCS: other cores owning descendants (X only) */
byte infl[NOBJ];	/* cores with a COPY_DELIVER not yet acknowledged */
byte lock[NOBJ];	/* FREE, LK_REVOKE, LK_RETYPE */
byte lockby[NOBJ];	/* the core whose request holds the lock */
byte rtpend;		/* X's owner: RETYPE_CHECK_REPLYs outstanding */
bool rtover;		/* X's owner: some core reported an overlap */

/* Per core. */
bool indescs[NCORES];	/* this core told X's owner it owns a descendant */
byte cop[NCORES];	/* the client's outstanding operation (OP_*) */
byte cobj[NCORES];	/* ... and its object */

/*
 * Revoke records, per (core, revoked object R); at most one revoke of an
 * object runs at a time, so R names the revoke. One pass: every
 * CAP_REVOKE a core gets is answered on its own, once what the core sent
 * on for it has answered (as each is an operation in the monitors). A core
 * gets at most two of one revoke: through X's tree, and as a holder of a
 * descendant D the revoke kills (from D's owner); so two slots. Per slot:
 * eng = ENGAGE(parent, parent's slot) while this core owes that answer
 * (ROOT at the root), mdef = CAP_REVOKEs sent for it and not yet
 * answered. rex = the revoke's exempt core.
 */
byte eng[NCORES * NOBJ * NSLOT];
byte mdef[NCORES * NOBJ * NSLOT];
byte rex[NCORES * NOBJ];

byte ops = MAXOPS;	/* client operations left */

/* ghost */
bool created[NOBJ];	/* this incarnation was created */
byte clean[NOBJ];	/* last-copy cleanups of this incarnation */
byte srcr[NCORES];	/* revokes (bit R) that took the source of cop[c] */
bool srcstale[NCORES];	/* one of them has completed */
bool ghostb;		/* scratch for the in-flight polls */

/* The client's request is outstanding at another core. */
#define REMOTE_OP(c) (cop[c] == OP_COPY || cop[c] == OP_RETYPE || cop[c] == OP_REVOKE)
/* Object y is revoked by a revoke of R (X's revoke covers D). */
#define INSCOPE(r, y) ((r) == OX || (y) == OD)
/*
 * Flush rule: a core owes no CAP_REVOKED for revoke R while its client has
 * a request about an object R deleted outstanding at an owner, except the
 * revoke request that R itself answers. Then every request sent before its
 * source was deleted is answered (BUSY) before R completes, never granted
 * after.
 */
#ifndef BUG_NO_FLUSH
#define FLUSHP(c, r, ex) (REMOTE_OP(c) && INSCOPE(r, cobj[c]) && \
	!(cop[c] == OP_REVOKE && cobj[c] == (r) && (ex) == (c)))
#else
#define FLUSHP(c, r, ex) false
#endif
/*
 * Delay rule: a core that is the root of a revoke of D answers X's
 * CAP_REVOKE only when its own revoke is over, so no message of a revoke
 * of an old D can outlive X's revoke and meet a new D.
 */
#ifndef BUG_NO_DELAY
#define DELAY(c, r) ((r) == OX && own[OD] == (c) && lock[OD] == LK_REVOKE)
#else
#define DELAY(c, r) false
#endif
/* Core c holds some capability to D (live, marked or the anchor). */
#define HAS_D(c) (N(c, OD) + M(c, OD) > 0 || (alive[OD] && own[OD] == (c) && anc[OD] > 0))

inline send(to, mt, b1, b2, b3, b4)
{
	assert(nfull(CH(me, to)));	/* channels never fill in the model */
	CH(me, to)!mt, b1, b2, b3, b4
}

/* ghostb = some message (mt, obj, ...) is in a channel. */
inline poll_inflight(mt, obj)
{
	ghostb = false;
	for (q : 0 .. NCORES * NCORES - 1) {
		if
		:: ch[q]??[mt, eval(obj), _, _, _] -> ghostb = true
		:: else -> skip
		fi
	}
}

/* ---- object life cycle (at the owner, me) ---- */

/* A non-owner of X that owns no descendant any more tells X's owner (once). */
inline desc_gone_check()
{
	if
	:: me != own[OX] && indescs[me] && !(alive[OD] && own[OD] == me) &&
	   cop[me] != OP_RETYPE ->
		indescs[me] = false;
		send(own[OX], DESC_GONE, OX, 0, 0, 0)
	:: else -> skip
	fi
}

/*
 * The object's last copy anywhere is gone: the one cleanup, on the owner.
 * (c): no live copy anywhere, none in flight, no descendant owned by another
 * core, and only once.
 */
inline die(o)
{
	for (i : 0 .. NCORES - 1) {
		assert(N(i, o) == 0)
	}
	poll_inflight(COPY_DELIVER, o);
	assert(!ghostb);
	if
	:: o == OX -> assert(!(alive[OD] && own[OD] != me))
	:: else -> skip
	fi;
	assert(anc[o] == 0 && infl[o] == 0 && clean[o] == 0);
	clean[o] = 1;
	alive[o] = false;
	dying[o] = false;
	copies[o] = 0;
	descs[o] = 0;
	if
	:: o == OD -> desc_gone_check()
	:: else -> skip
	fi
}

inline owner_maybe_die(o)
{
	if
	:: alive[o] && anc[o] == 0 && N(me, o) + M(me, o) == 0 -> die(o)
	:: else -> skip
	fi
}

/* No remote relation left: the monitor deletes its anchor. */
inline maybe_drop_anchor(o)
{
	if
	:: anc[o] == 1 && copies[o] == 0 && descs[o] == 0 && infl[o] == 0 &&
	   lock[o] != LK_REVOKE ->
		anc[o] = 0;
		owner_maybe_die(o)
	:: else -> skip
	fi
}

/*
 * (b): a new D only where no D capability exists or travels, and no revoke
 * of an older D is still running anywhere (its CAP_REVOKEs would hit the
 * new one).
 */
inline create_d()
{
	for (i : 0 .. NCORES - 1) {
		assert(N(i, OD) == 0 && M(i, OD) == 0);
		assert(ENG(i, OD, 0) == 0 && MDEF(i, OD, 0) == 0);
		assert(ENG(i, OD, 1) == 0 && MDEF(i, OD, 1) == 0)
	}
	poll_inflight(COPY_DELIVER, OD);
	assert(!ghostb && !alive[OD] && lock[OD] == FREE);
	poll_inflight(CAP_REVOKE, OD);
	assert(!ghostb);
	own[OD] = me;
	alive[OD] = true;
	dying[OD] = false;
	anc[OD] = 0;
	copies[OD] = 0;
	descs[OD] = 0;
	infl[OD] = 0;
	created[OD] = true;
	clean[OD] = 0;
	N(me, OD) = 1;
	if
	:: me != own[OX] -> indescs[me] = true
	:: else -> skip
	fi
}

/* Owner side of a copy: record dest before anything is sent to it. */
inline deliver(o, dst, req)
{
	if
	:: dst == me ->
		N(me, o)++;
		if
		:: req != me -> send(req, COPY_REPLY, o, R_OK, 0, 0)
		:: else -> skip
		fi
	:: else ->
#ifndef BUG_COPY_UNRECORDED
		copies[o] = copies[o] | BIT(dst);
		infl[o] = infl[o] | BIT(dst);
#endif
		if
		:: anc[o] == 0 -> anc[o] = 1
		:: else -> skip
		fi;
		send(dst, COPY_DELIVER, o, req, 0, 0)
	fi
}

/* ---- the revoke, in one pass ---- */

inline client_done()
{
	cop[me] = OP_NONE;
	cobj[me] = 0;
	srcr[me] = 0;
	srcstale[me] = false
}

/* Ghost: revoke rr deleted the source of this core's outstanding request. */
inline note_src(rr, ex)
{
	if
	:: REMOTE_OP(me) && INSCOPE(rr, cobj[me]) &&
	   !(cop[me] == OP_REVOKE && cobj[me] == rr && ex == me) ->
		srcr[me] = srcr[me] | BIT(rr)
	:: else -> skip
	fi
}

/*
 * Send CAP_REVOKE(rr, y, subtree, ex) to cover the core set tset: first
 * directly to every core in dset (cores with a delivery of y in flight: the
 * CAP_REVOKE must queue behind it on the same channel), then along a tree
 * over the rest: the first FANOUT cores are children, the others are dealt
 * round-robin into the children's subtrees.
 */
inline send_revokes(rr, y, tset, ex, dset, sl)
{
	rest = tset;
#ifndef BUG_TREE_INFLIGHT
	for (j : 0 .. NCORES - 1) {
		if
		:: (dset & BIT(j)) && (rest & BIT(j)) ->
			send(j, CAP_REVOKE, rr, y, 0, (ex) | (sl) << 4);
			MDEF(me, rr, sl)++;
			rest = rest & ~BIT(j)
		:: else -> skip
		fi
	}
#endif
	k = 0;
	c0 = NOCORE;
	c1 = NOCORE;
	s0 = 0;
	s1 = 0;
	for (j : 0 .. NCORES - 1) {
		if
		:: rest & BIT(j) ->
			if
			:: k == 0 -> c0 = j
			:: k == 1 && FANOUT > 1 -> c1 = j
			:: else ->
				if
				:: k % FANOUT == 0 -> s0 = s0 | BIT(j)
				:: else -> s1 = s1 | BIT(j)
				fi
			fi;
			k++
		:: else -> skip
		fi
	}
	if
	:: c0 != NOCORE ->
		send(c0, CAP_REVOKE, rr, y, s0, (ex) | (sl) << 4);
		MDEF(me, rr, sl)++
	:: else -> skip
	fi;
	if
	:: c1 != NOCORE ->
		send(c1, CAP_REVOKE, rr, y, s1, (ex) | (sl) << 4);
		MDEF(me, rr, sl)++
	:: else -> skip
	fi;
	rest = 0; k = 0; c0 = 0; c1 = 0; s0 = 0; s1 = 0
}

/*
 * D dies with a revoke of X, on its owner: the record refuses copies and
 * revokes from now on, the anchor is marked (no use, but it keeps the
 * memory until every CAP_REVOKE this core sent has answered: sweep_local),
 * and the revoke goes on to D's own remote holders.
 */
inline doom_owned_d(rr, ex, sl)
{
	if
	:: alive[OD] && own[OD] == me && !dying[OD] ->
		dying[OD] = true;
		if
		:: anc[OD] == 1 -> anc[OD] = 2
		:: else -> skip
		fi;
		send_revokes(rr, OD, copies[OD] | descs[OD], ex, infl[OD], sl);
#ifdef BUG_EARLY_FREE
		/* the memory goes on the way down, before the holders answered */
		anc[OD] = 0;
		if
		:: N(me, OD) + M(me, OD) == 0 -> die(OD)
		:: else -> skip
		fi
#endif
	:: else -> skip
	fi
}

/*
 * A core the revoke rr reaches deletes its copies of y (and its
 * descendants) at once, the revoking capability excepted.
 */
inline revoke_local(rr, y, ex, sl)
{
	/* the revoking cap, unless a revoke of X has deleted it already */
	keep = ((y == rr && ex == me && cop[me] == OP_REVOKE && cobj[me] == rr &&
		 N(me, y) > 0) -> 1 : 0);
	assert(own[y] != me);
	N(me, y) = keep;
	M(me, y) = 0;
	if
	:: y == OX ->
		N(me, OD) = 0;
		M(me, OD) = 0;	/* what a revoke of D rooted here marked */
		doom_owned_d(rr, ex, sl)
	:: else -> skip
	fi;
	note_src(rr, ex);
	keep = 0
}

/*
 * The root starts revoke rr for the requester cr: lock, mark its own copies
 * (except the revoking one when it is local; never the anchor, which
 * survives with the requester's copy) and its descendants: they stay,
 * unusable, until every answer is in; then send CAP_REVOKE to
 * COPIES u DESCS.
 */
inline start_revoke(rr, cr)
{
	assert(lock[rr] == FREE && ENG(me, rr, 0) == 0 && ENG(me, rr, 1) == 0);
	lock[rr] = LK_REVOKE;
	lockby[rr] = cr;
	ENG(me, rr, 0) = ROOT;
	REX(me, rr) = cr;
	keep = ((cr == me) -> 1 : 0);
	M(me, rr) = M(me, rr) + N(me, rr) - keep;
	N(me, rr) = keep;
	keep = 0;
	if
	:: rr == OX ->
		M(me, OD) = M(me, OD) + N(me, OD);
		N(me, OD) = 0;
		doom_owned_d(OX, cr, 0)
	:: else -> skip
	fi;
	note_src(rr, cr);
	send_revokes(rr, rr, copies[rr] | descs[rr], cr, infl[rr], 0)
}

/*
 * This core's part of revoke rr is over (everything it sent has answered):
 * what the root marked goes, and so does the anchor of a descendant this
 * revoke killed, and with it the descendant (its one cleanup, here).
 */
inline sweep_local(rr)
{
	M(me, OD) = 0;
	if
	:: rr == OX ->
		M(me, OX) = 0;
		indescs[me] = false;
		if
		:: alive[OD] && own[OD] == me && anc[OD] == 2 -> anc[OD] = 0
		:: else -> skip
		fi;
		if
		:: alive[OD] && own[OD] == me && dying[OD] && anc[OD] == 0 &&
		   N(me, OD) == 0 ->
			die(OD)
		:: else -> skip
		fi
	:: else -> skip
	fi
}

/* (a) at the root when the revoke of rr requested by cr completes. */
inline check_revoked(rr, cr)
{
	for (i : 0 .. NCORES - 1) {
		/* the revoking cap survives (a concurrent revoke of X may have deleted it) */
		if
		:: i == cr -> assert(N(i, rr) + M(i, rr) <= 1)
		:: else -> assert(N(i, rr) == 0 && M(i, rr) == 0)
		fi;
		if
		:: rr == OX -> assert(N(i, OD) == 0 && M(i, OD) == 0)
		:: else -> skip
		fi
	}
	if
	:: rr == OX -> assert(!alive[OD])
	:: else -> skip
	fi;
	poll_inflight(COPY_DELIVER, rr);
	assert(!ghostb);
	poll_inflight(COPY_DELIVER, OD);
	assert(!ghostb);
	for (q : 0 .. NCORES * NCORES - 1) {
		/* a grant in flight is a descendant in flight */
		assert(rr == OD || !(ch[q]??[RETYPE_REPLY, OX, R_OK, _, _]));
		/* one pass: every CAP_REVOKE of it was answered, every answer taken */
		assert(!(ch[q]??[CAP_REVOKE, eval(rr), _, _, _]) &&
		       !(ch[q]??[CAP_REVOKED, eval(rr), _, _, _]))
	}
}

inline complete_revoke(rr)
{
	tmp = lockby[rr];
	check_revoked(rr, tmp);
	for (i : 0 .. NCORES - 1) {
		if
		:: srcr[i] & BIT(rr) -> srcstale[i] = true
		:: else -> skip
		fi
	}
	if
	:: alive[rr] && !dying[rr] ->
		assert(infl[rr] == 0);
		copies[rr] = ((tmp != me) -> BIT(tmp) : 0);
		descs[rr] = 0;
		if
		:: copies[rr] == 0 -> anc[rr] = 0
		:: else -> assert(anc[rr] == 1)
		fi
	:: else -> skip
	fi;
	lock[rr] = FREE;
	lockby[rr] = 0;
	if
	:: tmp == me -> client_done()
	:: else -> send(tmp, REVOKE_REPLY, rr, R_OK, 0, 0)
	fi;
	tmp = 0
}

/*
 * Answer a CAP_REVOKE (slot sl) once everything this core sent for it has
 * answered and the flush and delay rules allow; at the root the revoke
 * completes. When no slot of this revoke is left here, this core's part is
 * over (sweep_local).
 */
#ifndef BUG_EARLY_ANSWER
#define ANSWERS(rr, sl) (MDEF(me, rr, sl) == 0)
#else
/* a core answers before what it passed on has answered (the root waits) */
#define ANSWERS(rr, sl) (MDEF(me, rr, sl) == 0 || ENG(me, rr, sl) != ROOT)
#endif
inline try_ack(rr, sl)
{
	if
	:: ENG(me, rr, sl) != 0 && ANSWERS(rr, sl) && !FLUSHP(me, rr, REX(me, rr)) &&
	   !DELAY(me, rr) ->
		if
		:: ENG(me, rr, 1 - sl) == 0 ->
			sweep_local(rr);
			REX(me, rr) = 0
		:: else -> skip
		fi;
		if
		:: ENG(me, rr, sl) == ROOT -> complete_revoke(rr)
		:: else ->
			send(PARENT(ENG(me, rr, sl)), CAP_REVOKED, rr, PTAG(ENG(me, rr, sl)), 0, 0)
		fi;
		ENG(me, rr, sl) = 0
	:: else -> skip
	fi
}

/*
 * After every step: re-evaluate what this core may be waiting for; D's
 * revoke first, since X's may wait for it (delay rule).
 */
inline progress()
{
	try_ack(OD, 0);
	try_ack(OD, 1);
	try_ack(OX, 0);
	try_ack(OX, 1)
}

/* ---- message handlers (one message at a time, atomically) ---- */

/*
 * Requests and notifications name an object by its memory range and type,
 * so one may arrive after the object died and a new one took its name.
 * Each owner-side handler first checks that this core owns a live object
 * of that name; a stale request is refused and a stale notification
 * ignored (FIFO and the infl rule make both harmless: see docs).
 */
#define OWNED(o) (own[o] == me && alive[o])

inline h_copy_req()	/* a1 = obj, a2 = dest */
{
	if
	:: !OWNED(a1) || dying[a1] || !(copies[a1] & BIT(from)) ->
		send(from, COPY_REPLY, a1, R_REFUSED, 0, 0)
	:: else ->
		if
		:: lock[a1] != FREE || (infl[a1] & BIT(a2)) ->
			send(from, COPY_REPLY, a1, R_BUSY, 0, 0)
		:: else ->
			assert(!srcstale[from]);	/* (d) */
			deliver(a1, a2, from)
		fi
	fi
}

inline h_copy_deliver()	/* a1 = obj, a2 = requester */
{
#if FAULTS
	if
	:: N(me, a1)++
	:: skip		/* the destination domain died: nothing inserted */
	fi;
#else
	N(me, a1)++;
#endif
	send(from, COPY_ACK, a1, a2, ((N(me, a1) + M(me, a1) > 0) -> 1 : 0), 0)
}

inline h_copy_ack()	/* a1 = obj, a2 = requester, a3 = dest holds a copy */
{
	assert(OWNED(a1));
#ifndef BUG_COPY_UNRECORDED
	assert(infl[a1] & BIT(from));
#endif
	infl[a1] = infl[a1] & ~BIT(from);
	if
	:: !dying[a1] && lock[a1] != LK_REVOKE ->
		if
		:: a3 -> copies[a1] = copies[a1] | BIT(from)
		:: else -> copies[a1] = copies[a1] & ~BIT(from)
		fi;
		maybe_drop_anchor(a1)
	:: else -> skip	/* a revoke resets the sets when it completes */
	fi;
	if
	:: a2 != me -> send(a2, COPY_REPLY, a1, R_OK, 0, 0)
	:: else -> skip
	fi
}

inline h_del_notify()	/* a1 = obj */
{
	if
	:: OWNED(a1) && !dying[a1] && lock[a1] != LK_REVOKE && !(infl[a1] & BIT(from)) ->
		copies[a1] = copies[a1] & ~BIT(from);
		maybe_drop_anchor(a1)
	:: else -> skip	/* a delivery to it is in flight: its COPY_ACK decides */
	fi
}

inline h_desc_gone()
{
	if
	:: alive[OX] ->
		descs[OX] = descs[OX] & ~BIT(from);
		maybe_drop_anchor(OX)
	:: else -> skip
	fi
}

inline retype_decide()
{
	tmp = lockby[OX];
	if
	:: rtover || HAS_D(me) ->
		lock[OX] = FREE;
		if
		:: tmp == me -> client_done()
		:: else -> send(tmp, RETYPE_REPLY, OX, R_REFUSED, 0, 0)
		fi
	:: else ->
		if
		:: tmp == me ->
			create_d();
			lock[OX] = FREE;
			client_done()
		:: else ->
			assert(!srcstale[tmp]);	/* (d) */
			descs[OX] = descs[OX] | BIT(tmp);
			if
			:: anc[OX] == 0 -> anc[OX] = 1
			:: else -> skip
			fi;
#ifdef BUG_RETYPE_EARLY_UNLOCK
			lock[OX] = FREE;
#endif
			send(tmp, RETYPE_REPLY, OX, R_OK, 0, 0)
		fi
	fi;
	rtover = false;
	tmp = 0
}

/* Start the RETYPE_CHECK round for requester cr, or decide at once. */
inline retype_begin(cr)
{
	lock[OX] = LK_RETYPE;
	lockby[OX] = cr;
	rtover = false;
	rtpend = 0;
#ifndef BUG_NO_RETYPE_CHECK
	for (j : 0 .. NCORES - 1) {
		if
		:: descs[OX] & BIT(j) ->
			send(j, RETYPE_CHECK, OX, 0, 0, 0);
			rtpend++
		:: else -> skip
		fi
	}
#endif
	if
	:: rtpend == 0 -> retype_decide()
	:: else -> skip
	fi
}

inline h_retype_req()
{
	if
	:: !OWNED(OX) || !(copies[OX] & BIT(from)) ->
		send(from, RETYPE_REPLY, OX, R_REFUSED, 0, 0)
	:: else ->
		if
		:: lock[OX] != FREE -> send(from, RETYPE_REPLY, OX, R_BUSY, 0, 0)
		:: else ->
			if
			:: HAS_D(me) -> send(from, RETYPE_REPLY, OX, R_REFUSED, 0, 0)
			:: else -> retype_begin(from)
			fi
		fi
	fi
}

inline h_retype_check()
{
	send(from, RETYPE_CHECK_REPLY, OX, (HAS_D(me) -> 1 : 0), 0, 0)
}

inline h_retype_check_reply()	/* a2 = overlap */
{
	assert(lock[OX] == LK_RETYPE && rtpend > 0);
	rtover = rtover || a2;
	rtpend--;
	if
	:: rtpend == 0 -> retype_decide()
	:: else -> skip
	fi
}

inline h_retype_reply()	/* a2 = result */
{
	assert(cop[me] == OP_RETYPE);
	if
	:: a2 == R_OK ->
		assert(N(me, OX) > 0);	/* the source is still live: the lock held off revokes */
		create_d();
		send(from, RETYPE_DONE, OX, 0, 0, 0);
		client_done()
	:: else ->
		client_done();
		desc_gone_check()
	fi
}

inline h_retype_done()
{
#ifndef BUG_RETYPE_EARLY_UNLOCK
	assert(lock[OX] == LK_RETYPE && lockby[OX] == from);
	lock[OX] = FREE
#else
	skip
#endif
}

inline h_revoke_req()	/* a1 = obj */
{
	if
	:: !OWNED(a1) || dying[a1] || !(copies[a1] & BIT(from)) ->
		send(from, REVOKE_REPLY, a1, R_REFUSED, 0, 0)
	:: else ->
		if
		:: lock[a1] != FREE -> send(from, REVOKE_REPLY, a1, R_BUSY, 0, 0)
		:: else ->
			assert(!srcstale[from]);	/* (d) */
			start_revoke(a1, from)
		fi
	fi
}

inline h_revoke()	/* a1 = R, a2 = obj, a3 = subtree, a4 = exempt core | slot << 4 */
{
	/* a slot for it: answered in try_ack (at once if nothing is outstanding) */
	tmp = ((ENG(me, a1, 0) == 0) -> 0 : 1);
	assert(ENG(me, a1, tmp) == 0 && MDEF(me, a1, tmp) == 0);
	ENG(me, a1, tmp) = ENGAGE(from, a4 >> 4);
	REX(me, a1) = (a4 & 15);
	send_revokes(a1, a2, a3, (a4 & 15), 0, tmp);	/* pass it on down the tree first */
	revoke_local(a1, a2, (a4 & 15), tmp);
	tmp = 0
}

inline h_revoked()	/* a1 = R, a2 = the slot it answers */
{
	assert(MDEF(me, a1, a2) > 0);
	MDEF(me, a1, a2)--
}

inline handle()
{
	if
	:: t == COPY_REQ -> h_copy_req()
	:: t == COPY_DELIVER -> h_copy_deliver()
	:: t == COPY_ACK -> h_copy_ack()
	:: t == COPY_REPLY -> assert(cop[me] == OP_COPY); client_done()
	:: t == DEL_NOTIFY -> h_del_notify()
	:: t == DESC_GONE -> h_desc_gone()
	:: t == RETYPE_REQ -> h_retype_req()
	:: t == RETYPE_CHECK -> h_retype_check()
	:: t == RETYPE_CHECK_REPLY -> h_retype_check_reply()
	:: t == RETYPE_REPLY -> h_retype_reply()
	:: t == RETYPE_DONE -> h_retype_done()
	:: t == REVOKE_REQ -> h_revoke_req()
	:: t == REVOKE_REPLY -> assert(cop[me] == OP_REVOKE); client_done()
	:: t == CAP_REVOKE -> h_revoke()
	:: t == CAP_REVOKED -> h_revoked()
	fi
}

/* ---- client operations (the domains on core me) ---- */

inline client_copy(o, dst)
{
	if
	:: own[o] == me ->
		/* the owner copies its own object: no request, no reply */
		if
		:: lock[o] == FREE && !dying[o] && !(infl[o] & BIT(dst)) -> deliver(o, dst, me)
		:: else -> skip	/* BUSY */
		fi
	:: else ->
		cop[me] = OP_COPY;
		cobj[me] = o;
		send(own[o], COPY_REQ, o, dst, 0, 0)
	fi
}

inline client_delete(o)
{
	N(me, o)--;
	if
	:: own[o] == me -> owner_maybe_die(o)
	:: else ->
		if
		:: N(me, o) + M(me, o) == 0 -> send(own[o], DEL_NOTIFY, o, 0, 0, 0)
		:: else -> skip
		fi
	fi
}

inline client_revoke(o)
{
	if
	:: own[o] == me ->
		if
		:: lock[o] == FREE ->
			cop[me] = OP_LREVOKE;
			cobj[me] = o;
			start_revoke(o, me)
		:: else -> skip	/* BUSY */
		fi
	:: else ->
		cop[me] = OP_REVOKE;
		cobj[me] = o;
		send(own[o], REVOKE_REQ, o, 0, 0, 0)
	fi
}

inline client_retype()
{
	if
	:: own[OX] == me ->
		if
		:: lock[OX] == FREE ->
			if
			:: HAS_D(me) -> skip	/* the local kernel refuses */
			:: else ->
				/* DESCS empty: local, zero messages; else a check round */
				cop[me] = OP_LRETYPE;
				cobj[me] = OX;
				retype_begin(me)
			fi
		:: else -> skip	/* BUSY */
		fi
	:: else ->
		cop[me] = OP_RETYPE;
		cobj[me] = OX;
		send(own[OX], RETYPE_REQ, OX, 0, 0, 0)
	fi
}

inline client_op()
{
	ops--;
	if
	:: N(me, OX) > 0 -> o = OX
	:: N(me, OD) > 0 -> o = OD
	fi;
	if
	:: dest = (me + 1) % NCORES; client_copy(o, dest)
	:: dest = (me + 2) % NCORES; client_copy(o, dest)
#if NCORES > 3
	:: dest = (me + 3) % NCORES; client_copy(o, dest)
#endif
	:: client_delete(o)
	:: true -> client_revoke(o)	/* a guard first: an inner else must stay inner */
	:: o == OX -> client_retype()
	fi
}

/* Reset every local after a step, so equal global states are equal states. */
#define CLEAR t = 0; from = 0; a1 = 0; a2 = 0; a3 = 0; a4 = 0; o = 0; dest = 0; \
	i = 0; j = 0; k = 0; q = 0; keep = 0; tmp = 0; rest = 0; \
	c0 = 0; c1 = 0; s0 = 0; s1 = 0; ghostb = false

/* One monitor per core: serves its clients and its channels, forever. */
proctype monitor(byte me)
{
	mtype t;
	byte from, a1, a2, a3, a4, o, dest;
	byte i, j, k, q, keep, tmp, rest, c0, c1, s0, s1;

end:
	do
	:: atomic {
		if
		:: ops > 0 && cop[me] == OP_NONE && (N(me, OX) > 0 || N(me, OD) > 0) ->
			from = NOCORE;
			client_op()
		:: CH(0, me)?t, a1, a2, a3, a4 -> from = 0
		:: CH(1, me)?t, a1, a2, a3, a4 -> from = 1
		:: CH(2, me)?t, a1, a2, a3, a4 -> from = 2
#if NCORES > 3
		:: CH(3, me)?t, a1, a2, a3, a4 -> from = 3
#endif
		fi;
		if
		:: from != NOCORE -> handle()
		:: else -> skip
		fi;
		progress();
		CLEAR
	   }
	od
}

/*
 * Runs only when nothing else can (timeout): the system is quiescent or
 * stuck. Stuck is a failure; quiescent must be consistent (c).
 */
proctype checker()
{
	byte c, o, q;
	bool live;

	timeout ->
	atomic {
		for (q : 0 .. NCORES * NCORES - 1) {
			assert(len(ch[q]) == 0)
		}
		for (c : 0 .. NCORES - 1) {
			assert(cop[c] == OP_NONE);
			for (o : 0 .. NOBJ - 1) {
				assert(ENG(c, o, 0) == 0 && MDEF(c, o, 0) == 0 && M(c, o) == 0);
				assert(ENG(c, o, 1) == 0 && MDEF(c, o, 1) == 0)
			}
		}
		for (o : 0 .. NOBJ - 1) {
			assert(lock[o] == FREE && infl[o] == 0 && !dying[o]);
			if
			:: alive[o] ->
				assert(clean[o] == 0);
				live = false;
				for (c : 0 .. NCORES - 1) {
					/* COPIES is exact: a holder is in it, nobody else */
					assert(((copies[o] & BIT(c)) != 0) ==
					       (c != own[o] && N(c, o) > 0));
					live = live || N(c, o) > 0
				}
				assert(live || (o == OX && descs[OX] != 0));
				assert((anc[o] == 1) == ((copies[o] | descs[o]) != 0))
			:: else ->
				assert(clean[o] == (created[o] -> 1 : 0));
				for (c : 0 .. NCORES - 1) {
					assert(N(c, o) == 0)
				}
			fi
		}
		/* DESCS is exact too */
		for (c : 0 .. NCORES - 1) {
			assert(((descs[OX] & BIT(c)) != 0) ==
			       (alive[OX] && c != own[OX] && alive[OD] && own[OD] == c))
		}
	}
}

init
{
	byte c;

	atomic {
		own[OX] = 0;
		alive[OX] = true;
		created[OX] = true;
		N(0, OX) = 1;
#if INIT_SHARED
		N(1, OX) = 1;
		copies[OX] = BIT(1);
		anc[OX] = 1;
#endif
		own[OD] = NOCORE;
		for (c : 0 .. NCORES - 1) {
			run monitor(c)
		}
		run checker()
	}
}
