/* SPDX-License-Identifier: MIT */
/*
 * The roles (monitor/README.md): requests from local domains (clients.c),
 * domains on core k > 0 (spawn.c), the boot job (services.c, cores.c),
 * the trace's requests (tracing.c).
 * Only the loop (main.c) and these files include it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/bootinfo.h>
#include <abi/errors.h>
#include <rt/sys.h>

#include "domains.h"
#include "monitor.h"
#include "ops.h"

/* services.c: monitor 0 starts the system services from the boot manifest. */
errval_t services_start(const struct bootinfo *bi);
struct child;
/* Monitor k > 0: build its core's spawnd (not yet running) in c. */
errval_t services_start_spawnd(struct child *c);
/* Register a system service's endpoint server_ep (a copy badged
   CLIENT_BIND) under name, for good (ADR 0016). */
errval_t services_name(const char *name, capaddr_t server_ep);

/* Monitor 0: memserv's endpoint, badged for us (answers: SERVER_MEMSERV). */
capaddr_t services_memserv_ep(void);

/* memmore.c (ADR 0012): monitor 0 gets more RAM for core k from memserv;
   monitor k hands it to its spawnd. */
void mem_more_ask(unsigned from, const struct mon_mem_more *m); /* MON_MEM_MORE */
bool mem_more_note(const struct lmp_recv *m);			/* memserv's answer (monitor 0) */
void mem_more_start(struct asker to, uint64_t bytes);		/* MONITOR_MEM_MORE */

/* clients.c: requests from local domains about capabilities. */
/* A local request (a client, or on core k > 0 an adopted domain); false if
   it is not one of these. */
bool capops_serve(const struct lmp_recv *m);
/* MON_CAP_COUNT from monitor 0. */
void on_count(unsigned from, const struct mon_cap_count *m);

/* spawn.c: core k > 0: its spawnd, and the domains spawnd built. */
errval_t spawn_init(void); /* start the core's spawnd */
/* MON_SPAWN or MON_DOMAIN from monitor `from`: passed on to spawnd. */
void spawn_request(unsigned from, uint8_t type, const union mon_payload *p);
/* MON_SPAWN_ARGS from monitor 0: passed on to spawnd at once. */
void spawn_args_pass(const struct mon_spawn_args *p);
/* MON_WAIT from monitor `from`: MON_WAITED goes back once spawnd answers. */
void spawn_wait(unsigned from, const struct mon_wait *p);
/* An answer from spawnd (badge SERVER_SPAWND, or SERVER_SPAWND_WAIT),
   noted; false if not one. */
bool spawn_note(const struct lmp_recv *m);
void spawn_flush(void); /* send the answers noted, in the order asked */

/* MONITOR_ARGS from the client with this badge (on core k > 0: the
   domain we adopted), kept for its next MONITOR_SPAWN. */
void mon_args_put(uint64_t client, const struct monitor_args *f);
/* clients.c: the client with this badge (a bound one, or the shell, or on
   core k > 0 a domain we adopted) may still send requests. */
bool clients_alive(uint64_t badge);
/* Monitor 0: MONITOR_SPAWN (with the client's argument block),
   MONITOR_DOMAIN or MONITOR_WAIT on core k; w1..w3 of core k's answer go
   to the requester. */
struct asker;
void mon_remote_domain(const union monitor_req *asked, struct asker to, uint64_t client);
/* Monitor 0: MON_FAR_ARGS or MON_FAR_REQ from monitor `from`, a domain's
   request there relayed (ADR 0015); MON_FAR_DONE goes back. */
void spawn_far_message(unsigned from, uint8_t type, const union mon_payload *p);
/* Monitor k > 0: MONITOR_SPAWN (with the block the domain with this badge
   sent), MONITOR_DOMAIN or MONITOR_WAIT from a domain we adopted, relayed
   to monitor 0; the answer goes to `to`. */
void spawn_far_ask(const union monitor_req *q, struct asker to, uint64_t badge);

/* tracing.c (docs/tracing.md): MONITOR_TRACE_START or MONITOR_TRACE_DUMP
   from a bound client of monitor 0; MON_TRACE from monitor 0. */
void trace_request(struct asker to, const union monitor_req *q);
void trace_message(unsigned from, const struct mon_trace *m);

/* cores.c: monitor 0 starts the other cores (ADR 0005); how many are online. */
unsigned cores_start(void);
