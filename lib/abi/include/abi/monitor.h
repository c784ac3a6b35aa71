/* SPDX-License-Identifier: MIT */
/*
 * The monitors: one per core, the only domains holding the Kernel
 * capability. Two interfaces:
 *
 * 1. Inter-monitor messages, over UMP channels (lib/chan): the message type
 *    is the UMP type byte, the 7 payload words are named fields declared
 *    once in abi/monmsg.h. Every message belongs to one operation type
 *    (enum mon_op), and every monitor counts the messages it sends per
 *    operation type (`capstat`).
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

/* Inter-monitor messages: abi/monmsg.h declares every one, its fields and
   its operation type. */
#include <abi/monmsg.h>

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
