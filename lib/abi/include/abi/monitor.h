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

/* Where a domain on another core maps a Frame it is handed (struct
 * monitor_handed, abi/monreq.h; the monitor waits 2 s for its answer). */
#define MON_SHARE_VA 0xc0000000ul

/*
 * Requests from local domains to a monitor: abi/monreq.h declares every
 * one, its fields and its reply's. Who may send what:
 *
 * - Any domain binds (MONITOR_BIND) on TASK_MONITOR (badge CLIENT_APP),
 *   its own endpoint attached (badged SERVER_MONITOR), where replies will
 *   go; the requests below then go to the endpoint the reply brought
 *   (badge MON_BADGE_CLIENT). As many clients at once as monitor 0's
 *   memory holds (else ERR_NO_MEMORY or ERR_NO_SLOTS); a client's place is
 *   free again once its endpoint is gone.
 * - Monitor 0's bound clients: SHARE (RAM, Frame or DevFrame), REVOKE,
 *   COUNT, ARGS then SPAWN, DOMAIN and WAIT (on core k > 0, by its monitor
 *   and spawnd), CHECK, RELEASE, NOTIFY_MAKE (tests). The shell
 *   (CLIENT_SHELL) also CORES, CAPSTAT, POWEROFF, ARGS, SPAWN, DOMAIN and
 *   WAIT, answered on TASK_MON_REPLY.
 * - On core k > 0 its spawnd binds too: REVOKE what was made on core k,
 *   RELEASE, and ADOPT each domain it builds before it starts (the domain's
 *   endpoint attached; the reply brings an endpoint for its TASK_MONITOR,
 *   badge MON_BADGE_ADOPTED).
 * - An adopted domain, on that endpoint: SHARE, REVOKE or RETYPE with the
 *   capability attached, and RELEASE. Its monitor runs what was made on its
 *   core; for another core's object it asks the owner (MON_COPY_REQ,
 *   MON_REVOKE_REQ, MON_RETYPE_REQ). A revoke from there leaves the
 *   domain's own copy (it then revokes locally: cnode_revoke); a retype's
 *   result comes with the reply (it stays with the monitor if the domain's
 *   receive slot is not free); a share's domain field is ignored.
 */
#include <abi/monreq.h>

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
