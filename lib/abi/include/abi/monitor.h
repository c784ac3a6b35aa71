/* SPDX-License-Identifier: MIT */
/*
 * The monitors: one per core, the only domains holding the Kernel
 * capability. Two interfaces:
 *
 * 1. Inter-monitor messages, over UMP channels (lib/chan): the message type
 *    is the UMP type byte, the 7 payload words are listed per type. Every
 *    message belongs to one operation type (enum mon_op), and every monitor
 *    counts the messages it sends per operation type (`capstat`).
 *
 * 2. Requests from local domains to their monitor, over LMP like any
 *    service (abi/services.h): the shell reaches monitor 0 at TASK_MONITOR.
 *
 * Channels: a star, every monitor k > 0 to monitor 0, in a page the boot
 * core set aside (CN_CHAN), plus channels between two other monitors opened
 * on demand (MON_CONNECT). See monitor/README.md and docs/protocol.md.
 */
#pragma once

/* Operation types, for the message counters. */
enum mon_op {
	MON_OP_JOIN,   /* joining the system at boot, and channels opened on demand */
	MON_OP_STATUS, /* `cores`, `capstat`, count queries, spawning on a core */
	MON_OP_COPY,   /* cross-core capability copy / transfer */
	MON_OP_DELETE, /* distributed delete */
	MON_OP_REVOKE, /* distributed revoke */
	MON_OP_RETYPE, /* retype requests to the owner */
	MON_OP_COUNT
};

/* Inter-monitor message types (UMP type byte). */
enum mon_msg {
	/* k -> 0: w0 = core id, w1 = hart id: monitor k is ready. */
	MON_JOIN = 1,
	/* 0 -> k: w0 = request number: report your state. */
	MON_STATUS_REQ = 2,
	/* k -> 0: w0 = request number, w1 = core id, w2 = live dispatchers,
	 * w3 = IPIs received, w4 = messages sent so far for MON_OP_JOIN..
	 * MON_OP_STATUS packed as 32-bit halves (join | status << 32),
	 * w5 = copy | delete << 32, w6 = revoke | retype << 32. */
	MON_STATUS = 3,
	/* owner -> k: w0 = request, w1 = type | rights << 8 | owner << 16,
	 * w2 = base, w3 = size, w4 = 1: map the frame and read its first word,
	 * w5 = a domain on core k to hand it to (0: none; a Frame is mapped
	 * read-only at MON_SHARE_VA in it and the domain told so, and the word
	 * it read comes back). Make a copy on core k (KERNEL_CAP_CREATE). */
	MON_CAP_DELIVER = 4,
	/* k -> owner: w0 = request, w1 = errval_t, w2 = the word read. */
	MON_CAP_DELIVERED = 5,
	/* The second phase of a revoke. parent -> k: w0 = request, w1 = type |
	 * owner << 16 | (exempt core + 1) << 32 (0: none), w2 = base, w3 =
	 * size: delete every copy and descendant of that object on core k
	 * (on the exempt core only the descendants), then unmark it
	 * (MON_CAP_MARK). w4..w5 = the
	 * cores below k in the revoke's tree, a bitmap (monitor/coreset.h;
	 * empty for the star and the broadcast): first pass it on to k's
	 * children there, each with its own subtree, and answer once they
	 * have. */
	MON_CAP_SWEEP = 6,
	/* k -> parent: w0 = request, w1 = errval_t (the first in k's
	 * subtree), w2 = capabilities deleted in k's subtree, w3 = messages
	 * sent in it below k. */
	MON_CAP_SWEPT = 7,
	/* 0 -> k: w0 = request, w1 = base, w2 = size: how many capabilities
	 * core k's monitor holds inside that range. */
	MON_CAP_COUNT = 8,
	/* k -> 0: w0 = request, w1 = errval_t, w2 = count. */
	MON_CAP_COUNTED = 9,
	/* 0 -> k: w0 = request, w1..w2 = module name (16 bytes), w3 = its a0:
	 * start a domain from that boot module on core k (core k's monitor
	 * asks its spawnd, SPAWN_START, and answers when spawnd has). */
	MON_SPAWN = 10,
	/* k -> 0: w0 = request, w1 = errval_t, w2 = its domain id on core k. */
	MON_SPAWNED = 11,
	/* 0 -> k: w0 = request, w1 = domain id, w2 = 1: kill it (SPAWN_KILL:
	 * what it shared with other cores is revoked there first, then its
	 * memory comes back to core k's spawnd), 0: only report (SPAWN_STATUS),
	 * 2: list them (SPAWN_LIST), those with an id above w1 only. */
	MON_DOMAIN = 12,
	/* k -> 0: w0 = request, w1 = errval_t, w2 = state | exit status
	 * (24 bits) << 8 | faults << 32, w3..w4 = its name (16 bytes, not
	 * terminated when full); after a kill only w1; a list: w2..w4 = the
	 * lowest MON_LIST_IDS ids above w1, as MONITOR_DOMAIN's. */
	MON_DOMAIN_STATUS = 13,
	/* 0 -> k: w0 = request: check your core's capability invariants. */
	MON_CHECK = 14,
	/* k -> 0: w0 = request, w1 = ERR_OK, w2 = 1 if KERNEL_CAP_CHECK
	 * failed (so that w2 summed over the cores counts failures). */
	MON_CHECKED = 15,
	/* k -> owner: w0 = request, w1 = type, w2 = base, w3 = size: a domain on
	 * core k revokes the owner's object: every copy and descendant on every
	 * other core goes; core k is exempt (its descendants go, its copies
	 * stay), and the asking domain then revokes locally, keeping its own. */
	MON_REVOKE_REQ = 16,
	/* owner -> k: w0 = request, w1 = errval_t (ERR_MON_BUSY: ask again),
	 * w2 = inter-monitor messages the revoke took, request and answer
	 * included. */
	MON_REVOKE_REPLY = 17,
	/* k -> owner: w0 = request, w1 = type | new type << 8, w2 = base,
	 * w3 = size (the object), w4 = offset, w5 = size of the new object: a
	 * domain on core k retypes part of an object it was handed. The owner
	 * retypes its own copy (its kernel sees every descendant on any core,
	 * since all of them are made there), owns the result, and gives core k
	 * a copy (MON_CAP_DELIVER) before it answers. */
	MON_RETYPE_REQ = 18,
	/* owner -> k: w0 = request, w1 = errval_t (ERR_CAP_OVERLAP: that part
	 * is taken already). */
	MON_RETYPE_REPLY = 19,
	/* Any message between two monitors without a channel of their own,
	 * through monitor 0: w0-w5 as the message, w6 = destination (to 0) or
	 * origin (from 0) | its type << 16. Counted as the message it carries. */
	MON_FWD = 20,
	/* holder k -> owner: w0 = request, w1 = type, w2 = base, w3 = size,
	 * w4 = core B: give core B's monitor a copy too (k must hold one). The
	 * owner adds B to the object's set, delivers (MON_CAP_DELIVER), then
	 * answers. */
	MON_COPY_REQ = 21,
	/* owner -> k: w0 = request, w1 = errval_t, w2 = messages it took,
	 * request and answer included. */
	MON_COPY_REPLY = 22,
	/* k -> 0: w0 = request, w1 = core j, w2 = core i + 1 (0: k): give
	 * monitors i and j a channel of their own (on demand, once per pair;
	 * an owner asks for the edges of a revoke tree). Monitor 0 makes a
	 * zeroed frame, has both open it (MON_CHAN_OPEN), then answers. */
	MON_CONNECT = 23,
	/* 0 -> k: w0 = request, w1 = errval_t. */
	MON_CONNECTED = 24,
	/* 0 -> k: w0 = request, w1 = the frame's base, w2 = the peer core,
	 * w3 = side (UMP_SIDE_A or B): open a channel to the peer on it. */
	MON_CHAN_OPEN = 25,
	/* k -> 0: w0 = request, w1 = errval_t. */
	MON_CHAN_OPENED = 26,
	/* holder k -> owner: w1 = type, w2 = base, w3 = size: nothing on core
	 * k holds a copy or descendant of the owner's object any more (k's
	 * monitor deleted its own copies). No answer. The owner takes k out of
	 * the object's set (unless a copy to k is on its way) and lets its
	 * anchor go once the set is empty. */
	MON_DEL_NOTIFY = 27,
	/* The first phase of a revoke, down the same tree as MON_CAP_SWEEP,
	 * same words: mark the object on core k (KERNEL_CAP_MARK), so that no
	 * copy or descendant there can be used any more. */
	MON_CAP_MARK = 28,
	/* k -> parent: w0 = request, w1 = errval_t, w3 = messages below k. */
	MON_CAP_MARKED = 29,
};

/* Where a domain on another core maps a Frame it is handed, and the first
 * LMP message it gets then (with a copy of the Frame attached): w0 =
 * MON_SHARE_VA, w1 = its core. It answers on TASK_MONITOR with w0 = the
 * first word it read (the monitor waits 2 s for that). Later it may send its monitor
 * MONITOR_REVOKE with a capability attached (that core's monitor asks the owner: MON_REVOKE_REQ)
 * and gets w0 = errval_t, w1 = inter-monitor messages, on its endpoint. */
#define MON_SHARE_VA 0xc0000000ul

/* LMP requests to a monitor: words[0] = op, replies words[0] = errval_t. */
enum {
	/* -> one reply per core: w1 = core id (16 bits) | hart id << 16 (32
	 * bits) | state << 48 (enum mon_core_state, 4 bits) | dispatchers << 52
	 * (12 bits, at most 4095), w2..w3 = the ISA string (16 bytes, not
	 * terminated when full); then a reply with w1 = ~0. */
	MONITOR_CORES = 1,
	/* -> one reply per core and operation type: w1 = core id | op << 32,
	 * w2 = messages sent; then w1 = ~0. */
	MONITOR_CAPSTAT = 2,
	/* w1 = status: power the machine off. */
	MONITOR_POWEROFF = 3,
	/* Any domain, on TASK_MONITOR (badge CLIENT_APP): its own endpoint
	 * attached (badged SERVER_MONITOR), where replies will go. Reply on it:
	 * an endpoint to the monitor with this client's badge attached, for
	 * the requests below (badge MON_BADGE_CLIENT). As many at once as
	 * monitor 0's memory holds (else ERR_NO_MEMORY or ERR_NO_SLOTS); a
	 * client's place is free again once its endpoint is gone. */
	MONITOR_BIND = 4,
	/* (A domain on core k > 0 may ask its own monitor too, for what it made
	 * from its own RAM: that monitor owns it; the answer comes to the
	 * domain's endpoint.)
	 * RAM, Frame or DevFrame attached, w1 = core k, w2 = a domain on core
	 * k (from MONITOR_SPAWN) or 0: give core k's monitor a copy, and the
	 * domain one (see MON_SHARE_VA; w2 only from monitor 0's clients: from
	 * core j > 0 the copy goes to core k's monitor). -> w1 = the first word core k (its
	 * monitor, or the domain) read from it (Frame), w2 = inter-monitor
	 * messages this took. */
	MONITOR_SHARE = 5,
	/* Capability attached: revoke its copies and descendants on every
	 * other core (then revoke it locally: cnode_revoke; from a domain on
	 * core k > 0 about what core k owns, its monitor revokes on core k
	 * too, the domain's copy included; about another core's object, see
	 * MON_REVOKE_REQ, and w1 is ignored). w1 = 0: only
	 * the cores that may hold some, down a tree; MON_REVOKE_STAR: the same
	 * cores, each asked by the owner; MON_REVOKE_BROADCAST: every core
	 * asked by the owner (Barrelfish's way); the last two for comparison;
	 * anything else is ERR_BAD_REQUEST. -> w1 = cores
	 * contacted, w2 = capabilities deleted there, w3 = inter-monitor
	 * messages this took (sent by all monitors together). */
	MONITOR_REVOKE = 6,
	/* w1 = core k, w2 = base, w3 = size -> w1 = how many capabilities
	 * core k's monitor holds in that range. */
	MONITOR_COUNT = 7,
	/* w1 = core k (> 0) | a0 << 32, w2..w3 = module name (16 bytes): start
	 * it on core k, by core k's monitor and spawnd. -> w1 = its domain id
	 * there. */
	MONITOR_SPAWN = 8,
	/* w1 = core k, w2 = domain id there, w3 = 1: kill it, 0: only report.
	 * -> w1 = state | exit status << 8 | faults << 32 (enum disp_state,
	 * 8 bits; status 24 bits; 0 after a kill), w2..w3 = its name (16
	 * bytes, not terminated when full). w3 = 2: list the domains core k's
	 * spawnd started (spawnd itself is 1) whose id is above w2 -> w1..w3 =
	 * the lowest MON_LIST_IDS of them, 32 bits each (id | next << 32),
	 * lowest first, 0 = no more. A full answer may not be all: ask again
	 * with w2 = its last id, until an answer is not full (w2 = 0 first). */
	MONITOR_DOMAIN = 9,
	/* Check the capability invariants on every core (KERNEL_CAP_CHECK).
	 * -> w1 = cores checked, w2 = cores where they failed (the reason is on
	 * the console). */
	MONITOR_CHECK = 10,
	/* From a domain on core k > 0 to its own monitor (TASK_MONITOR), the
	 * object attached: w1 = offset, w2 = size, w3 = new type (RAM or
	 * Frame). -> w0 = errval_t on the domain's endpoint, and the new
	 * object attached (the owner made it and delivered it to core k's
	 * monitor; it stays with the monitor if the domain's receive slot is
	 * not free). */
	MONITOR_RETYPE = 11,
	/* w1 = base, w2 = size of an object this domain was handed from
	 * another core and has deleted its copies of (and unmapped them): for
	 * every object nothing on this core holds any more, its monitor
	 * deletes its own copies and tells
	 * the owner (MON_DEL_NOTIFY). Killing a domain does the same. -> w1 =
	 * owners told; ERR_CAP_NOT_FOUND if the monitor holds nothing there. */
	MONITOR_RELEASE = 12,
	/* Core k > 0, from its spawnd (bound): w1 = the id of a domain it
	 * built and has not started, the domain's endpoint attached. -> an
	 * endpoint to the monitor attached, for the domain's TASK_MONITOR
	 * (its requests come with a badge of their own; the monitor hands it
	 * capabilities from other cores and answers on the endpoint it was
	 * given; badge MON_BADGE_ADOPTED). As many at once as the monitor's
	 * memory holds (else ERR_NO_MEMORY or ERR_NO_SLOTS); a killed
	 * domain's place is free again. */
	MONITOR_ADOPT = 13,
};
#define MON_REVOKE_BROADCAST 1
#define MON_REVOKE_STAR	     2 /* only the cores involved, but no tree (for comparison) */

/*
 * Badges on a monitor's endpoint of the domains it answers there: kind <<
 * 56 | generation << 32 | place. The place (32 bits) indexes a table that
 * grows from the monitor's heap, so there are as many as its memory holds;
 * the generation (24 bits, wrapping) counts the domains that had that
 * place, so that a message a gone domain left behind does not pass for its
 * successor's; the kind keeps the tables apart, and every such badge above
 * the small ones (CLIENT_*, SERVER_*, MON_BADGE_IPI, all below 0x200).
 */
#define MON_BADGE_CLIENT  (1ull << 56) /* a bound client (MONITOR_BIND) */
#define MON_BADGE_ADOPTED (2ull << 56) /* core k > 0: a domain its spawnd built */
#define MON_BADGE_PLACES  0xffffffffu  /* places per kind at most */
#define MON_BADGE(kind, place, gen)                                                                \
	((kind) | (0xffffff & (uint64_t)(gen)) << 32 | (uint32_t)(place))
#define MON_BADGE_KIND(b)  (0xffull << 56 & (b))
#define MON_BADGE_PLACE(b) (0xffffffffu & (b))
/* MONITOR_DOMAIN w3 = 2: ids per answer, and id i of an answer (w = &w1). */
#define MON_LIST_IDS	  6
#define MON_LIST_ID(w, i) ((w)[(i) / 2] >> 32 * ((i) % 2) & 0xffffffff)

enum mon_core_state {
	MON_CORE_OFFLINE = 0, /* never came up */
	MON_CORE_JOINED = 1,  /* its monitor joined and answered */
	MON_CORE_SILENT = 2,  /* online, but its monitor did not answer in time */
};

/* Badges on monitor 0's own endpoint: IPIs and replies to the shell. */
#define MON_BADGE_IPI	0x1ff
#define SERVER_MONITOR	0x104
#define MON_JOIN_TICKS	1000 /* how long monitor 0 waits for the others (10 s) */
#define MON_QUERY_TICKS 200  /* how long it waits for status answers (2 s) */
