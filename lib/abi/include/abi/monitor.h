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
 * Channels today: a star, every monitor k > 0 to monitor 0, in a page the
 * boot core set aside (CN_CHAN). See monitor/README.md and docs/protocol.md.
 */
#pragma once

/* Operation types, for the message counters. */
enum mon_op {
	MON_OP_JOIN,   /* joining the system at boot */
	MON_OP_STATUS, /* `cores` and `capstat` queries */
	MON_OP_COPY,   /* cross-core capability copy / transfer */
	MON_OP_DELETE, /* distributed delete */
	MON_OP_REVOKE, /* distributed revoke */
	MON_OP_RETYPE, /* distributed retype check */
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
};

/* LMP requests to a monitor: words[0] = op, replies words[0] = errval_t. */
enum {
	/* -> one reply per core: w1 = core id | hart id << 32,
	 * w2 = state (enum mon_core_state) | dispatchers << 32, w3 = first 8
	 * bytes of the ISA string; then a reply with w1 = ~0. */
	MONITOR_CORES = 1,
	/* -> one reply per core and operation type: w1 = core id | op << 32,
	 * w2 = messages sent; then w1 = ~0. */
	MONITOR_CAPSTAT = 2,
	/* w1 = status: power the machine off. */
	MONITOR_POWEROFF = 3,
};

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
