/* SPDX-License-Identifier: MIT */
/*
 * Requests from local domains to their monitor, and its replies, declared
 * once (included by abi/monitor.h, which says who may send each). A
 * request is one LMP message: op, then up to three fields; a reply is
 * errval_t err, then up to three fields. Each entry of MONITOR_REQUESTS is
 *
 *	X(NAME, name, number, REQUEST FIELDS, REPLY FIELDS)
 *
 * and V(name, REPLY FIELDS) declares a second shape of a reply. A field is
 * F(field) (a word), H(field) (half a word, lowest first) or B(field,
 * bits) (bits of a word, lowest first). From
 * it come the MONITOR_* numbers, struct monitor_name (the request) and
 * struct monitor_name_reply, the unions monitor_req and monitor_rep that
 * overlay them on the message's four words.
 * Monitors, clients and the shell read and write named fields, never words
 * by number.
 *
 * A reply that lists (cores, capstat) comes once per item, then once with
 * every bit of its first field set (MONITOR_END).
 */
#pragma once

#include <stdint.h>

/* clang-format off */
#define MONITOR_REQUESTS(X, V)                                                               \
	/* One reply per core: its state (enum mon_core_state), dispatchers (at    \
	   most 4095), ISA string (16 bytes, not terminated when full); with      \
	   counts = 1 instead its kernel's counters (cores_counts). */            \
	X(CORES, cores, 1, F(counts),                                                 \
	  B(core, 16) B(hart, 32) B(state, 4) B(dispatchers, 12) F(isa[2]))         \
	/* Notification IPIs received and fence.i executed by a core's kernel,    \
	   each modulo 2^32, as the last status query found them. */               \
	V(cores_counts, B(core, 32) B(ipis, 32) F(fencei))                           \
	/* One reply per core and operation type (enum mon_op): messages sent,    \
	   and of those the ones to cores on other NUMA nodes (ADR 0019). */       \
	X(CAPSTAT, capstat, 2, , B(core, 32) B(op, 32) F(messages) F(xnode))         \
	/* Power the machine off, with this status. No reply. */                    \
	X(POWEROFF, poweroff, 3, F(status), )                                          \
	/* The client's own endpoint attached; the reply brings one to the        \
	   monitor with the client's badge. */                                      \
	X(BIND, bind, 4, , )                                                           \
	/* RAM, Frame or DevFrame attached: give core `core` a copy, and domain    \
	   `domain` there one (0: none). -> the first word core `core` (its        \
	   monitor or the domain) read from it (Frame), messages this took. */     \
	X(SHARE, share, 5, F(core) F(domain), F(word) F(msgs))                         \
	/* Capability attached: revoke it everywhere else (how: 0 down a tree,     \
	   MON_REVOKE_BROADCAST, MON_REVOKE_STAR). -> cores asked (0 when another  \
	   core's monitor ran it), capabilities deleted there, inter-monitor       \
	   messages, and the depth of their critical path in hops (a request and   \
	   its answer 2; msgs and depth share the last word), and of the messages  \
	   those between cores on different NUMA nodes (xnode, ADR 0019; it shares \
	   the first word with cores). */                                          \
	X(REVOKE, revoke, 6, F(how), B(cores, 32) B(xnode, 32) F(deleted) B(msgs, 32)  \
	  B(depth, 32))                                                                \
	/* How many capabilities core `core`'s monitor holds in [base, base +     \
	   size). */                                                                \
	X(COUNT, count, 7, F(core) F(base) F(size), F(count))                          \
	/* Start boot module `name` (16 bytes) on core `core` with a0 = arg and    \
	   the argument block (abi/args.h) of `args` bytes this client sent just   \
	   before in ARGS requests (0: none; any block sent is taken either way). */ \
	X(SPAWN, spawn, 8, B(core, 16) B(args, 16) B(arg, 32) F(name[2]), F(id))        \
	/* Domain `id` on core `core`: how = 0 report, 1 kill (the reply then has  \
	   state 0), 2 list the ids above `id` (reply: domain_list), 3 the RAM of  \
	   the core's spawnd (reply: domain_mem; `id` is not used). */              \
	X(DOMAIN, domain, 9, F(core) F(id) F(how),                                     \
	  B(state, 8) B(status, 24) B(faults, 32) F(name[2]))                          \
	/* The lowest MONITOR_LIST_IDS ids above the one asked, ascending, 0 = no \
	   more; a full reply may not be all (ask again above its last id). */      \
	V(domain_list, H(ids[MONITOR_LIST_IDS]))                                                      \
	/* Bytes free and in all of the RAM the core's spawnd builds domains     \
	   from (SPAWN_MEM); the core's NUMA node and the KiB of that RAM on it    \
	   (ADR 0022). */                                                           \
	V(domain_mem, F(free) F(total) B(node, 16) B(local_kib, 48))                   \
	/* Check the capability invariants on every core: cores checked, cores         \
	   where they failed; ERR_MON_TIMEOUT if one did not answer (not counted). */  \
	X(CHECK, check, 10, , F(cores) F(failed))                                      \
	/* Capability attached: retype [offset, offset + size) of it into `type`;  \
	   the new object comes with the reply. */                                  \
	X(RETYPE, retype, 11, F(offset) F(size) F(type), )                             \
	/* This domain deleted its copies of [base, base + size) from another      \
	   core. -> owners told. */                                                  \
	X(RELEASE, release, 12, F(base) F(size), F(owners))                            \
	/* From spawnd on core k > 0: domain `id`'s endpoint attached; the reply   \
	   brings one to the monitor for its TASK_MONITOR. */                       \
	X(ADOPT, adopt, 13, F(id), )                                                    \
	/* A fragment of this client's next SPAWN's argument block: struct       \
	   args_fragment (abi/args.h), `offset` 0 begins a new block. No reply:    \
	   the SPAWN says what went wrong. Monitor 0 keeps one block in the making \
	   per client, as many as its memory holds. */                             \
	X(ARGS, args, 14, H(offset) H(total) F(data[2]), )                             \
	/* Wait for domain `id` on core `core` (> 0) to stop, however long that    \
	   takes; it is then taken away as by a kill. -> its exit status, and its  \
	   faults (not 0: a fault stopped it). A service: ERR_DOMAIN_PROTECTED. */ \
	X(WAIT, wait, 15, F(core) F(id), F(status) F(faults))                      \
	/* Any domain, to its own monitor (ADR 0011): register name (1 to 16      \
	   printable bytes, NUL-padded, unique in the system) for the endpoint    \
	   attached. It lasts until its owner unregisters it or the endpoint goes. */ \
	X(NAME_REGISTER, name_register, 20, F(name[2]), )                              \
	/* -> the core it was registered on; the endpoint attached when that is   \
	   the asker's own core. */                                                 \
	X(NAME_LOOKUP, name_lookup, 21, F(name[2]), F(core))                           \
	/* -> the lowest name above `after` (all zero: the first) and its core;    \
	   ERR_NAME_NOT_FOUND after the last. */                                     \
	X(NAME_NEXT, name_next, 22, F(after[2]), F(core) F(name[2]))                   \
	/* Only by the domain that registered it. */                                 \
	X(NAME_UNREGISTER, name_unregister, 23, F(name[2]), )                         \
	/* For tests, until monitors pass Notify capabilities between cores      \
	   (ADR 0010): one for slot `slot`, generation `gen` of core `core` (not \
	   0), made here; it comes with the reply. */                             \
	X(NOTIFY_MAKE, notify_make, 24, F(core) F(slot) F(gen), )                       \
	/* A client opens a channel to the server that registered name on core     \
	   `core` (ADR 0014): the channel's Frame attached (shared with that core   \
	   already when it is another), the client's notification slot and its    \
	   generation. -> the server's slot and generation, with a Notify          \
	   capability for them; ERR_CHAN_REFUSED if the server said no. */        \
	X(CHAN_BIND, chan_bind, 25, B(core, 16) B(slot, 16) B(gen, 32) F(name[2]),      \
	  B(core, 16) B(slot, 16) B(gen, 32))                                          \
	/* A RAM or Frame attached, for the peer of this domain's channel on      \
	   `chan` on this same core: kept until the peer takes it. */              \
	X(CHAN_GIVE, chan_give, 26, F(chan), )                                          \
	/* Take what the peer of this domain's channel on `chan` sent: the object  \
	   of type, base and size pages * 4 KiB, given here (CHAN_GIVE) or         \
	   delivered from the peer's core (SHARE). -> a copy of it, attached. */   \
	X(CHAN_TAKE, chan_take, 27, F(chan) B(type, 8) B(pages, 56) F(base), )         \
	/* A server answers offer `id` (CHAN_EVENT_OFFER): err 0 takes it, with    \
	   its own slot and generation; any other error refuses it. -> a Notify    \
	   capability for the client's slot (when taken). */                        \
	X(CHAN_ACCEPT, chan_accept, 28, F(id) F(err) B(slot, 32) B(gen, 32), )           \
	/* This domain closed its end of the channel on the frame at base: the     \
	   peer is told (CHAN_EVENT_CLOSED). */                                      \
	X(CHAN_CLOSE, chan_close, 29, F(base), )                                        \
	/* From spawnd on core k > 0 whose pool ran out (ADR 0012): at least      \
	   `bytes` more RAM from core 0, for good. -> a RAM capability of this    \
	   core, attached. */                                                        \
	X(MEM_MORE, mem_more, 32, F(bytes), F(size))                                  \
	/* To monitor 0 from a bound client on core 0, with the boot argument      \
	   trace=on (docs/tracing.md): every monitor empties its trace and records \
	   from now on. -> the monitors that did (ERR_TRACE_OFF: no trace). */     \
	X(TRACE_START, trace_start, 37, , F(cores))                                    \
	/* Every monitor prints its trace (`trace core=<k> ...` lines), core 0     \
	   first, one core after another. -> monitors that printed, records        \
	   printed, records dropped because a buffer was full. */                  \
	X(TRACE_DUMP, trace_dump, 38, , F(cores) F(lines) F(dropped))
/* clang-format on */

#define MONITOR_END	 (~0ull) /* the first field of a list's last reply */
#define MONITOR_LIST_IDS 6	 /* ids in a domain_list reply */

#define F(x)	   uint64_t x;
#define H(x)	   uint32_t x;
#define B(x, bits) uint64_t x : bits;
#define MONITOR_STRUCTS(N, n, num, req, rep)                                                       \
	struct monitor_##n {                                                                       \
		uint64_t op;                                                                       \
		req                                                                                \
	};                                                                                         \
	struct monitor_##n##_reply {                                                               \
		uint64_t err;                                                                      \
		rep                                                                                \
	};
#define MONITOR_VIEW(n, rep)                                                                       \
	struct monitor_##n##_reply {                                                               \
		uint64_t err;                                                                      \
		rep                                                                                \
	};
MONITOR_REQUESTS(MONITOR_STRUCTS, MONITOR_VIEW)
#undef MONITOR_VIEW
#undef MONITOR_STRUCTS
#undef B
#undef H
#undef F

#define MONITOR_ENUM(N, n, num, req, rep) MONITOR_##N = num,
#define MONITOR_NONE(n, rep)
enum monitor_request { MONITOR_REQUESTS(MONITOR_ENUM, MONITOR_NONE) MONITOR_REQ_END };
#undef MONITOR_ENUM

/* From a monitor to a domain, on the endpoint it registered a name for:
   a channel offered (the Frame attached), to answer with CHAN_ACCEPT; and
   on the endpoint of either end, its peer's end is gone (ADR 0014). */
#define CHAN_EVENT_OFFER  0x6368616e6f66ull /* "chanof" */
#define CHAN_EVENT_CLOSED 0x6368616e636cull /* "chancl" */
struct chan_offer {
	uint64_t event, id, core, size;
};
struct chan_closed {
	uint64_t event, base, unused[2];
};

/* From a monitor to a domain it hands a capability from another core
   (attached; a Frame is mapped read-only at va = MON_SHARE_VA), and the
   domain's answer on TASK_MONITOR: the first word it read. */
struct monitor_handed {
	uint64_t va, core;
};
struct monitor_handed_answer {
	uint64_t word;
};

/* A request, by its words or by name. */
#define MONITOR_REQ(N, n, num, req, rep) struct monitor_##n n;
union monitor_req {
	uint64_t words[4];
	uint64_t op; /* which request */
	MONITOR_REQUESTS(MONITOR_REQ, MONITOR_NONE)
	struct monitor_handed_answer handed;
};
#undef MONITOR_REQ

/* A reply, by its words or by the request it answers. */
#define MONITOR_REP(N, n, num, req, rep) struct monitor_##n##_reply n;
#define MONITOR_REP_VIEW(n, rep)	 struct monitor_##n##_reply n;
union monitor_rep {
	uint64_t words[4];
	uint64_t err; /* errval_t */
	MONITOR_REQUESTS(MONITOR_REP, MONITOR_REP_VIEW)
	struct monitor_handed handed;
};
#undef MONITOR_REP_VIEW
#undef MONITOR_REP
_Static_assert(sizeof(union monitor_req) == 4 * sizeof(uint64_t), "a request is 4 words");
_Static_assert(sizeof(union monitor_rep) == 4 * sizeof(uint64_t), "a reply is 4 words");

#undef MONITOR_NONE

/* The request or reply in an LMP message's words. */
static inline union monitor_req monitor_req_of(const uint64_t *words)
{
	union monitor_req q;
	for (unsigned i = 0; i < 4; i++)
		q.words[i] = words[i];
	return q;
}
static inline union monitor_rep monitor_rep_of(const uint64_t *words)
{
	union monitor_rep r;
	for (unsigned i = 0; i < 4; i++)
		r.words[i] = words[i];
	return r;
}
