/* SPDX-License-Identifier: MIT */
/*
 * Inter-monitor messages, declared once (included by abi/monitor.h). Each
 * entry of MON_MESSAGES is
 *
 *	X(NAME, name, number, operation, answer, FIELDS)
 *
 * NAME gives MON_NAME (the UMP type byte), name gives struct mon_name and
 * the member of union mon_payload, operation the counter it is counted
 * under (enum mon_op), answer is 1 for a message that answers a request
 * (its first fields are always req and err). FIELDS are the payload words
 * in order, F(field) each, at most UMP_PAYLOAD (7); every field is a
 * uint64_t. From it come the enum, the structs, the union, and the tables
 * mon_msg_op, mon_msg_answer and mon_msg_name. Handlers read and write
 * named fields of union mon_payload, never words by number.
 *
 * Conventions: req is the request number an answer carries back (0 in a
 * ping); err an errval_t; desc = type | rights << 8 | owner << 16 (and
 * for a revoke's phases | (exempt core + 1) << 32); below[2] the cores
 * below the receiver in a revoke's tree (monitor/coreset.h; empty for the
 * star, and for the broadcast but to a NUMA node's leader, which asks the
 * cores of its node in below itself, ADR 0019).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* clang-format off */
#define MON_MESSAGES(X)                                                                     \
	/* k -> 0: monitor k is ready. */                                                   \
	X(JOIN, join, 1, JOIN, 0, F(core) F(hart))                                          \
	/* 0 -> k: report your state (req 0: only say you are alive); xnode = 1: with \
	   the counts of messages sent to cores on other NUMA nodes instead. */       \
	X(STATUS_REQ, status_req, 2, STATUS, 0, F(req) F(xnode))                            \
	/* k -> 0: live dispatchers, its kernel's IPIs received | fence.i executed <<  \
	   32, messages sent so far per operation type as 32-bit halves: join |        \
	   status << 32, copy | delete << 32, revoke | retype << 32. (An answer, but   \
	   req is not followed by err.) */                                              \
	X(STATUS, status, 3, STATUS, 1, F(req) F(core) F(dispatchers) F(ipis_fencei)       \
	  F(join_status) F(copy_delete) F(revoke_retype))                                   \
	/* owner -> k: make a copy on core k (KERNEL_CAP_CREATE); probe: map the frame   \
	   and read its first word; domain: a domain on core k to hand it to (0:      \
	   none; a Frame is mapped read-only at MON_SHARE_VA and the word it read     \
	   comes back). */                                                              \
	X(CAP_DELIVER, cap_deliver, 4, COPY, 0, F(req) F(desc) F(base) F(size) F(probe)     \
	  F(domain))                                                                        \
	X(CAP_DELIVERED, cap_delivered, 5, COPY, 1, F(req) F(err) F(word))                  \
	/* The second phase of a broadcast revoke, owner -> k: delete every copy and  \
	   descendant of the object on core k (on the exempt core only the           \
	   descendants), then unmark it. */                                             \
	X(CAP_SWEEP, cap_sweep, 6, REVOKE, 0, F(req) F(desc) F(base) F(size) F(below[2]))   \
	/* k -> parent: the first error in k's subtree, capabilities deleted in it,   \
	   messages sent in it below k, its depth below k in hops (a request and its \
	   answer 2, each through monitor 0 2 more), and of those messages the ones  \
	   between cores on different NUMA nodes (ADR 0019). */                       \
	X(CAP_SWEPT, cap_swept, 7, REVOKE, 1, F(req) F(err) F(deleted) F(msgs) F(depth)    \
	  F(xnode))                                                                         \
	/* 0 -> k: how many capabilities core k's monitor holds in base, size. */     \
	X(CAP_COUNT, cap_count, 8, STATUS, 0, F(req) F(base) F(size))                       \
	X(CAP_COUNTED, cap_counted, 9, STATUS, 1, F(req) F(err) F(count))                   \
	/* 0 -> k: start a domain from boot module name (16 bytes) with a0 = arg    \
	   (32 bits) and the argument block of args bytes sent just before in        \
	   SPAWN_ARGS on core k (its monitor asks its spawnd, SPAWN_START, and       \
	   answers when it has). */                                                     \
	X(SPAWN, spawn, 10, STATUS, 0, F(req) F(name[2]) F(arg) F(args))                    \
	X(SPAWNED, spawned, 11, STATUS, 1, F(req) F(err) F(id))                             \
	/* 0 -> k: how = 0: report on domain id (SPAWN_STATUS), 1: kill it           \
	   (SPAWN_KILL: what it shared with other cores is revoked there first), 2:  \
	   list the domains with an id above id (SPAWN_LIST), 3: the RAM of k's      \
	   spawnd (SPAWN_MEM). */                                                       \
	X(DOMAIN, domain, 12, STATUS, 0, F(req) F(id) F(how))                               \
	/* k -> 0: a report: v[0] = state | exit status (24 bits) << 8 | faults <<   \
	   32, v[1..2] = its name (16 bytes, not terminated when full); after a kill \
	   nothing; a list: the MON_LIST_IDS lowest ids above the one asked, 32 bits \
	   each, two a word, lowest first, 0 = no more (as MONITOR_DOMAIN's); the    \
	   RAM: v[0] = bytes free, v[1] = in all. */                                    \
	X(DOMAIN_STATUS, domain_status, 13, STATUS, 1, F(req) F(err) F(v[3]))               \
	/* 0 -> k: check your core's capability invariants. */                          \
	X(CHECK, check, 14, STATUS, 0, F(req))                                              \
	/* k -> 0: failed = 1 if KERNEL_CAP_CHECK failed (summed over the cores). */    \
	X(CHECKED, checked, 15, STATUS, 1, F(req) F(err) F(failed))                         \
	/* k -> owner: a domain on core k revokes the owner's object everywhere      \
	   else; core k is exempt (its descendants go, its copies stay). */           \
	X(REVOKE_REQ, revoke_req, 16, REVOKE, 0, F(req) F(desc) F(base) F(size))            \
	/* owner -> k: msgs = inter-monitor messages the revoke took, depth = its     \
	   critical path in hops, this request and answer included; xnode = the     \
	   messages of msgs between cores on different NUMA nodes. */                  \
	X(REVOKE_REPLY, revoke_reply, 17, REVOKE, 1, F(req) F(err) F(msgs) F(depth) F(xnode)) \
	/* k -> owner: retype [offset, offset + newsize) of the object (desc = type  \
	   | new type << 8) for core k; the owner owns the result and delivers core  \
	   k a copy before it answers. */                                               \
	X(RETYPE_REQ, retype_req, 18, RETYPE, 0, F(req) F(desc) F(base) F(size) F(offset)   \
	  F(newsize))                                                                       \
	/* owner -> k: ERR_CAP_OVERLAP: that part is taken already. */                  \
	X(RETYPE_REPLY, retype_reply, 19, RETYPE, 1, F(req) F(err))                         \
	/* Any message between two monitors without a channel of their own, through  \
	   monitor 0: the message's first six words, route = destination (to 0) or   \
	   origin (from 0) | its type << 16. Counted as the message it carries. */    \
	X(FWD, fwd, 20, STATUS, 0, F(w[6]) F(route))                                        \
	/* holder k -> owner: give core `to` a copy too (k must hold one); `to` joins \
	   the object's set before the copy goes. */                                    \
	X(COPY_REQ, copy_req, 21, COPY, 0, F(req) F(desc) F(base) F(size) F(to))            \
	X(COPY_REPLY, copy_reply, 22, COPY, 1, F(req) F(err) F(msgs))                       \
	/* k -> 0: give monitors `a` - 1 (0: k) and `b` a channel of their own       \
	   (monitor 0 makes a zeroed frame and has both open it). */                    \
	X(CONNECT, connect, 23, JOIN, 0, F(req) F(b) F(a))                                  \
	/* 0 -> k: b and a as asked. */                                                 \
	X(CONNECTED, connected, 24, JOIN, 1, F(req) F(err) F(b) F(a))                       \
	/* 0 -> k: open a channel to peer on the frame at base, as side. */             \
	X(CHAN_OPEN, chan_open, 25, JOIN, 0, F(req) F(base) F(peer) F(side))                \
	X(CHAN_OPENED, chan_opened, 26, JOIN, 1, F(req) F(err))                             \
	/* holder k -> owner: nothing on core k holds a copy or descendant of the    \
	   object any more (k's monitor deleted its own copies). No answer. */        \
	X(DEL_NOTIFY, del_notify, 27, DELETE, 0, F(req) F(desc) F(base) F(size))            \
	/* The first phase of a broadcast revoke (Barrelfish's way), owner -> k: mark \
	   the object on core k (KERNEL_CAP_MARK), so nothing of it can be used. */    \
	X(CAP_MARK, cap_mark, 28, REVOKE, 0, F(req) F(desc) F(base) F(size) F(below[2]))    \
	X(CAP_MARKED, cap_marked, 29, REVOKE, 1, F(req) F(err) F(deleted) F(msgs) F(depth)  \
	  F(xnode))                                                                         \
	/* 0 -> k: a part of the argument block (abi/args.h) of the MON_SPAWN that   \
	   follows on the same channel: 32 bytes (fewer at its end) at offset of     \
	   total. Monitor 0 sends a block and its MON_SPAWN in one go, and monitor k  \
	   passes each part on to its spawnd at once, as two SPAWN_ARGS (each        \
	   ARGS_FRAGMENT bytes but the block's last). No answer. */                   \
	X(SPAWN_ARGS, spawn_args, 30, STATUS, 0, F(offset) F(total) F(data[4]))             \
	/* 0 -> k: answer once domain id has stopped and was taken away (spawnd's    \
	   SPAWN_WAIT with SPAWN_WAIT_REAP; monitor k does not wait for it). */       \
	X(WAIT, wait, 31, STATUS, 0, F(req) F(id))                                          \
	/* k -> 0: its exit status and faults. */                                       \
	X(WAITED, waited, 32, STATUS, 1, F(req) F(err) F(status) F(faults))             \
	/* A revoke in one pass (ADR 0017), parent -> k down the revoke's tree (the   \
	   star: owner -> each core): pass it on to k's children first, meanwhile     \
	   delete every copy and descendant of the object on core k (on the exempt    \
	   core only the descendants; marked while that runs), and answer once the   \
	   children have, as CAP_SWEPT does. */                                         \
	X(CAP_REVOKE, cap_revoke, 33, REVOKE, 0, F(req) F(desc) F(base) F(size) F(below[2])) \
	X(CAP_REVOKED, cap_revoked, 34, REVOKE, 1, F(req) F(err) F(deleted) F(msgs) F(depth) \
	  F(xnode))                                                                         \
	/* k -> 0: register name key (16 bytes) for core k (ADR 0011). */              \
	X(NAME_REG, name_reg, 40, STATUS, 0, F(req) F(key[2]))                              \
	X(NAME_REGGED, name_regged, 41, STATUS, 1, F(req) F(err))                           \
	/* k -> 0: the core of name key (above = 0), or the lowest name above key   \
	   and its core (above = 1). */                                                 \
	X(NAME_FIND, name_find, 42, STATUS, 0, F(req) F(key[2]) F(above))                   \
	X(NAME_FOUND, name_found, 43, STATUS, 1, F(req) F(err) F(core) F(key[2]))           \
	/* k -> 0: name key registered on core k is gone. No answer. */                \
	X(NAME_DROP, name_drop, 44, STATUS, 0, F(req) F(key[2]))                          \
	/* c -> s: a client on core c offers a channel to the server that         \
	   registered key on core s, on the frame base, size (core s holds a copy); \
	   peer = the client's core | slot << 16 | generation << 32 (ADR 0014). */ \
	X(CHAN_OFFER, chan_offer, 45, STATUS, 0, F(req) F(key[2]) F(base) F(size) F(peer)) \
	/* s -> c: the server's answer; peer = its core | slot << 16 | gen << 32. */  \
	X(CHAN_ANSWER, chan_answer, 46, STATUS, 1, F(req) F(err) F(peer))                 \
	/* Either way: the sender's end of the channel on frame base is gone. No    \
	   answer. */                                                                   \
	X(CHAN_GONE, chan_gone, 47, STATUS, 0, F(req) F(base) F(size))                     \
	/* k -> 0: a part of the argument block of the MON_FAR_REQ that follows on  \
	   the same channel, laid out as MON_SPAWN_ARGS (ADR 0015). No answer. */    \
	X(FAR_ARGS, far_args, 50, STATUS, 0, F(offset) F(total) F(data[4]))                \
	/* k -> 0: a domain on core k asks MONITOR_SPAWN, _DOMAIN or _WAIT (its     \
	   request's four words); args_err: what taking its argument block gave.   \
	   Monitor 0 runs it as its own client's (ADR 0015). */                       \
	X(FAR_REQ, far_req, 51, STATUS, 0, F(req) F(q[4]) F(args_err))                    \
	/* 0 -> k: the reply's three words. */                                          \
	X(FAR_DONE, far_done, 52, STATUS, 1, F(req) F(err) F(v[3]))                         \
	/* k -> 0: core k's pool ran out: RAM of at least `bytes` from memserv,    \
	   which monitor 0 keeps for good (ADR 0012). */                            \
	X(MEM_MORE, mem_more, 55, STATUS, 0, F(req) F(bytes))                               \
	/* 0 -> k: [base, base + size) is core k's now: it makes the capability. */ \
	X(MEM_GIVEN, mem_given, 56, STATUS, 1, F(req) F(err) F(base) F(size))          \
	/* 0 -> k: the trace (docs/tracing.md): how = 0 empty it and record from    \
	   now on, 1 print it. Neither this nor its answer is recorded. */          \
	X(TRACE, trace, 57, STATUS, 0, F(req) F(how))                                       \
	/* k -> 0: records printed, records dropped (the buffer was full). */       \
	X(TRACE_DONE, trace_done, 58, STATUS, 1, F(req) F(err) F(lines) F(dropped))
/* clang-format on */

#define MON_F(x) uint64_t x;
#define MON_STRUCT(N, n, num, op, ans, fields)                                                     \
	struct mon_##n {                                                                           \
		fields                                                                             \
	};
#define F MON_F
MON_MESSAGES(MON_STRUCT)
#undef F
#undef MON_STRUCT
#undef MON_F

/* Inter-monitor message types (UMP type byte). */
#define MON_ENUM(N, n, num, op, ans, fields) MON_##N = num,
enum mon_msg { MON_MESSAGES(MON_ENUM) MON_MSG_END };
#undef MON_ENUM

/* What every request that wants an answer starts with, and what every
   answer starts with (mon_msg_answer), then its values. */
struct mon_request {
	uint64_t req, args[6];
};
struct mon_answer {
	uint64_t req, err, val[5];
};

/* A message's seven payload words, by name. */
#define MON_UNION(N, n, num, op, ans, fields) struct mon_##n n;
union mon_payload {
	uint64_t w[7];
	struct mon_request request;
	struct mon_answer answer;
	MON_MESSAGES(MON_UNION)
};
#undef MON_UNION
_Static_assert(sizeof(union mon_payload) == 7 * sizeof(uint64_t),
	       "a message has at most 7 payload words");

/* The operation type each message is counted under. */
#define MON_OPOF(N, n, num, op, ans, fields) [MON_##N] = MON_OP_##op,
static const uint8_t mon_msg_op[MON_MSG_END] = {MON_MESSAGES(MON_OPOF)};
#undef MON_OPOF

/* Which messages answer a request (req, err first). */
#define MON_ANS(N, n, num, op, ans, fields) [MON_##N] = ans,
static const bool mon_msg_answer[MON_MSG_END] = {MON_MESSAGES(MON_ANS)};
#undef MON_ANS

/* Names, for traces and errors. */
#define MON_NAME(N, n, num, op, ans, fields) [MON_##N] = #N,
static const char *const mon_msg_name[MON_MSG_END] = {MON_MESSAGES(MON_NAME)};
#undef MON_NAME

/* A message type that is declared here. */
static inline bool mon_msg_known(unsigned type)
{
	return type < MON_MSG_END && mon_msg_name[type];
}
