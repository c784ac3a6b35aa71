/* SPDX-License-Identifier: MIT */
/* The monitor's parts (monitor/README.md). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/bootinfo.h>
#include <abi/errors.h>
#include <rt/sys.h>

#define MON_KERNEL CAPADDR(CN_TASK, TASK_KERNEL)

/* services.c: monitor 0 starts the system services from the boot manifest. */
errval_t services_start(const struct bootinfo *bi);
struct child;
/* Monitor k > 0: build its core's spawnd (not yet running) in c. */
errval_t services_start_spawnd(struct child *c);

/* main.c: the channels (the transport) and the event loop. */
unsigned mon_me(void);
const struct bootinfo *mon_bootinfo(void);
bool mon_peer_up(unsigned k); /* reachable, directly or through monitor 0 */
bool mon_direct(unsigned k);  /* over a channel of our own */
/* Messages per request or answer to core k: 2 when monitor 0 forwards it. */
uint64_t mon_hops(unsigned k);
/* Send one message to core k's monitor (counted per operation type); never
   waits: what its ring has no room for waits in an outbox. */
errval_t mon_send(unsigned k, uint8_t type, const uint64_t *w);
/* Drop a capability that came with an LMP message we do not take, and
   arm the receive slot again (the kernel disarms it with each capability). */
void mon_drop_recv(void);
uint64_t mon_ticks(void);
/* Ask core k's monitor whether it is alive (MON_STATUS_REQ); mon_heard:
   when a message from it last came after such a question (0: never). */
void mon_ping(unsigned k);
uint64_t mon_heard(unsigned k);
uint64_t mon_sent(unsigned op); /* messages this monitor sent for op */

/* clients.c: requests from local domains about capabilities. */
/* A local request (a client, or on core k > 0 an adopted domain); false if
   it is not one of these. */
bool capops_serve(const struct lmp_recv *m);
/* MON_CAP_COUNT from monitor 0. */
void on_count(unsigned from, const uint64_t *w);

/* spawn.c: core k > 0: its spawnd, and the domains spawnd built. */
errval_t spawn_init(void); /* start the core's spawnd */
/* MON_SPAWN or MON_DOMAIN from monitor `from`: passed on to spawnd. */
void spawn_request(unsigned from, uint8_t type, const uint64_t *w);
/* An answer from spawnd (badge SERVER_SPAWND), noted; false if not one. */
bool spawn_note(const struct lmp_recv *m);
void spawn_flush(void); /* send the answers noted, in the order asked */
/* MONITOR_ADOPT: remember domain id's endpoint (ep, ours now) in place
 *at; *mine = an endpoint to us with its badge. spawn_forget undoes it. */
errval_t spawn_adopt(uint64_t id, capaddr_t ep, capaddr_t *mine, unsigned *at);
void spawn_forget(unsigned place);
bool spawn_place(uint64_t id, unsigned *place); /* false: not one of ours */
uint64_t spawn_badge(unsigned place);		/* the badge of its requests (MON_BADGE_ADOPTED) */
capaddr_t spawn_ep(uint64_t badge);		/* our copy of its endpoint, SLOT_NONE: none */

/* Monitor 0: MONITOR_SPAWN or MONITOR_DOMAIN (request words) on core k;
   w1..w3 of core k's answer go to the requester. */
struct asker;
void mon_remote_domain(const uint64_t *words, struct asker to);

/* cores.c: monitor 0 starts the other cores (ADR 0005); how many are online. */
unsigned cores_start(void);
