/* SPDX-License-Identifier: MIT */
/*
 * The system services and how domains reach them. Monitor 0 builds every service
 * domain and wires them together by copying capabilities into their
 * cspaces before they run; monitor k > 0 builds its core's spawnd the
 * same way (monitor/services.c). A domain can also find them by name and
 * bind (ADR 0016, at the end). Wired in:
 *
 *   CN_TASK slot   what
 *   TASK_MEMSERV   endpoint to memserv, badged with the caller's CLIENT_*
 *   TASK_SPAWND    endpoint to spawnd, badged likewise
 *   TASK_OUT       serial: where input goes (the shell's endpoint)
 *   TASK_RAM       RAM of the domain's own (for page tables, buffers)
 *   TASK_DEV       serial: the UART's DevFrame;  TASK_IRQ: its IRQ
 *
 * A server answers client k on the endpoint in its CN_BASE slot k, badged
 * with the server's SERVER_* number. Requests and replies are one LMP
 * message: words[0] = op (request) or errval_t (reply), words[1..3] data.
 * Every domain started by monitor 0 or spawnd also sees the boot information
 * read-only at BOOTINFO_VADDR, the boot modules in CN_MODULE, and its
 * arguments and id at ARGS_VADDR (abi/args.h), which lib/rt hands to main.
 */
#pragma once

enum {
	TASK_MEMSERV = 8,
	TASK_SPAWND = 9,
	TASK_OUT = 10,
	TASK_RAM = 11,
	TASK_DEV = 12,
	TASK_IRQ = 13,
	TASK_BOOTINFO_RO = 14, /* spawnd: the boot information frame, to map for children */
	TASK_MONITOR = 15,     /* endpoint to its core's monitor, badged CLIENT_* (on
				  core 0 spawned domains get CLIENT_APP, see
				  abi/monitor.h MONITOR_BIND; on core k > 0 one
				  of their own, MONITOR_ADOPT) */
	TASK_MON_REPLY = 16,   /* monitor 0: the shell's endpoint for replies */
};

/* CLIENT_WAIT: monitor k > 0's second endpoint to its spawnd, for
   SPAWN_WAIT alone: those are answered when a domain stops, not in the
   order asked, so they come back to the monitor on an endpoint of their own
   (badge SERVER_SPAWND_WAIT), apart from its other requests' answers. */
/* CLIENT_BIND: a service's endpoint as its name gives it (ADR 0016), good
   for SERVICE_BIND alone. */
enum {
	CLIENT_MONITOR = 1,
	CLIENT_SPAWND = 2,
	CLIENT_SHELL = 3,
	CLIENT_APP = 4,
	CLIENT_WAIT = 5,
	CLIENT_BIND = 6,
};
/* Badges of replies and input: disjoint from the CLIENT_* request badges
   (0x104 is SERVER_MONITOR, abi/monitor.h). */
enum {
	SERVER_MEMSERV = 0x101,
	SERVER_SPAWND = 0x102,
	SERVER_SERIAL = 0x103,
	SERVER_SPAWND_WAIT = 0x105,
	SERVER_BIND = 0x106, /* a client's endpoint in a bind: the answer, and memserv's */
};

/* memserv; and spawnd on every core for the domains it started (ADR 0012):
   their TASK_MEMSERV is spawnd's endpoint badged MEM_BADGE(their id), and
   what they hold comes back when they are waited for or killed. */
enum {
	MEM_ALLOC = 1, /* w1 = bytes (1 .. MEM_ALLOC_MAX, else ERR_MEM_SIZE); memserv: w2 =
			  0, or 1 + the NUMA node to take it from first (the nearest
			  after it, ADR 0022; a node beyond the machine's is
			  ERR_BAD_REQUEST) -> w1 = handle, RAM capability attached */
	MEM_FREE = 2,  /* w1 = handle: revoked and taken back (not the caller's:
			  ERR_MEM_HANDLE from spawnd, ERR_CAP_NOT_FOUND from memserv) */
	MEM_STAT = 3,  /* -> w1 = free bytes, w2 = total bytes; memserv: w3 = MEM_NODE_WORD */
	MEM_ADD = 4,   /* monitor 0 only: manage the RAM capability attached too
			  (another range of the machine's RAM) */
	MEM_BIND = 11, /* = SERVICE_BIND (below) */
};

#define MEM_ALLOC_MAX	(1ull << 40)
#define MEM_BADGE_BASE	(1ull << 40)
#define MEM_BADGE(id)	(MEM_BADGE_BASE | (uint32_t)(id))
#define MEM_BADGE_ID(b) ((uint32_t)(b))
#define IS_MEM_BADGE(b) (((b) >> 40) == 1)

/* A pool's place (ADR 0022), the last word of MEM_STAT's answer from
   memserv and of SPAWN_MEM's: its core's NUMA node, and the KiB of the
   pool's total on that node. */
#define MEM_NODE_WORD(node, bytes) ((uint64_t)(node) % 65536 | (uint64_t)(bytes) >> 10 << 16)
#define MEM_NODE_OF(w)		   ((unsigned)((w) % 65536))
#define MEM_LOCAL_OF(w)		   ((uint64_t)(w) >> 16 << 10)

/* spawnd */
enum {
	SPAWN_START = 1,    /* w1..w2 = module name (16 bytes), w3 = its a0 (32 bits) |
			       the length of its argument block (abi/args.h), sent just
			       before in SPAWN_ARGS, << 32 (0: none) -> w1 = domain id */
	SPAWN_KILL = 2,	    /* w1 = domain id */
	SPAWN_LIST = 3,	    /* -> one reply per domain: w1 = id | state << 32,
			       w2 = faults | exit status << 32, w3 = name (8 bytes); then
			       a reply with w1 = 0 */
	SPAWN_CAPS = 4,	    /* w1 = domain id -> one reply per capability:
			       w1 = address | type << 32 | rights << 40, w2 = base,
			       w3 = size; then w1 = ~0 */
	SPAWN_WAIT = 5,	    /* w1 = domain id, w2 = SPAWN_WAIT_REAP or 0 -> once it has
			       stopped (exited, faulted, killed; with REAP: and was then taken
			       away as by SPAWN_KILL): w1 = exit status, w2 = faults, w3 =
			       its id. A service: ERR_DOMAIN_PROTECTED */
	SPAWN_REGISTER = 6, /* from monitor 0: w1..w3 = name, Dispatcher attached, then a
			       second message (op 7) with its L1 CNode attached */
	SPAWN_REGISTER_CSPACE = 7,
	SPAWN_STATUS = 8, /* w1 = domain id -> w1 = state | exit status (24 bits) << 8 |
			     faults << 32, w2..w3 = name (16 bytes) */
	SPAWN_ARGS = 9,	  /* a fragment of the next SPAWN_START's argument block: struct
			     args_fragment (abi/args.h), w1 = offset | total << 32, w2..w3 =
			     the block's bytes from offset. No reply (an error shows in the
			     start). One block in the making per client */
	SPAWN_MEM = 10,	  /* -> w1 = free, w2 = total bytes of spawnd's own RAM (TASK_RAM;
			     on core k > 0 the domains are built from it), w3 =
			     MEM_NODE_WORD */
	SPAWN_BIND = 11,  /* = SERVICE_BIND (below): the memory service of one of
			     our domains, found by name */
};
#define SPAWN_WAIT_REAP 1

/* serial -> its TASK_OUT: w1 = number of bytes (<= 24), w2..w3 + ... = bytes */
#define SERIAL_CHUNK 16

/*
 * The system services by name (ADR 0016), registered by the monitor that
 * builds them; a lookup gives the service's endpoint badged CLIENT_BIND.
 * SERVICE_BIND on it, the client's own endpoint badged SERVER_BIND
 * attached, is answered on that endpoint: w1 = the badge the service's
 * answers will carry, its endpoint badged for this client attached (the
 * memory protocol above: spawnd's MEM_BADGE(id), memserv's a place of
 * its own). The same number for every service, so a client binds what it
 * found without knowing which it is. ERR_BIND_REFUSED: spawnd, from a
 * domain it did not start; ERR_BIND_NONE: serial. Anything else on a
 * CLIENT_BIND endpoint is dropped (ERR_BAD_REQUEST if an endpoint came).
 */
#define SERVICE_BIND	SPAWN_BIND
#define SVC_NAME_MEM	"mem" /* core 0's memserv */
#define SVC_NAME_SERIAL "serial"
#define SVC_NAME_SPAWND "spawnd.%u" /* the spawnd of core %u */
