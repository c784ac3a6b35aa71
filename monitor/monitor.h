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

/* main.c: the channels and the event loop. */
unsigned mon_me(void);
const struct bootinfo *mon_bootinfo(void);
bool mon_peer_up(unsigned k); /* reachable, directly or through monitor 0 */
bool mon_direct(unsigned k);  /* over a channel of our own */
/* Send one message to core k's monitor (counted per operation type). */
errval_t mon_send(unsigned k, uint8_t type, const uint64_t *w);
/* Drop a capability that came with an LMP message we do not take, and
   arm the receive slot again (the kernel disarms it with each capability). */
void mon_drop_recv(void);
/* Handle what arrives for at most ticks timer ticks (one event). */
void mon_wait(uint64_t ticks);
uint64_t mon_ticks(void);
uint64_t mon_sent(unsigned op); /* messages this monitor sent for op */
/* Wait at most ticks for an LMP message that want accepts (NULL: none);
   others are kept and served later, notifications only wake us.
   ERR_LMP_EMPTY when nothing wanted came. */
errval_t mon_lmp_wait(uint64_t ticks, bool (*want)(const struct lmp_recv *), struct lmp_recv *out);

/* capops.c: capabilities across cores. */
/* Send type to core's monitor, then wait (bounded) for its answer of type
   answer: w1 of it is an errval_t (returned), w2 goes to *val. */
errval_t mon_ask(unsigned core, uint8_t type, uint8_t answer, const uint64_t *w, uint64_t *val);
/* The same, *out = w2..w4 of the answer. */
errval_t mon_ask3(unsigned core, uint8_t type, uint8_t answer, const uint64_t *w, uint64_t out[3]);
void capops_init(void);
/* An inter-monitor message of the capops kind; false if it is not one. */
bool capops_handle(unsigned from, uint8_t type, const uint64_t *w);
/* Serve requests from other monitors that came while we were busy. */
void capops_deferred(void);
/* A local request (a client, or on core k > 0 an adopted domain); false if
   it is not one of capops'. */
bool capops_serve(const struct lmp_recv *m);
/* Give back what nothing on this core holds any more: delete our copies,
   tell each owner (MON_DEL_NOTIFY). Returns how many owners were told. */
unsigned capops_release(void);

/* spawn.c: core k > 0: its spawnd, and the domains spawnd built. */
#define MON_BADGE_CHILD(i) (0x140 + (i)) /* | generation << 32: an adopted domain */
errval_t spawn_init(void);		 /* start the core's spawnd */
/* MON_SPAWN or MON_DOMAIN from monitor `from`: passed on to spawnd. */
void spawn_request(unsigned from, uint8_t type, const uint64_t *w);
/* An answer from spawnd (badge SERVER_SPAWND), noted; false if not one. */
bool spawn_note(const struct lmp_recv *m);
void spawn_flush(void); /* send the answers noted, in the order asked */
/* MONITOR_ADOPT: remember domain id's endpoint (ep, ours now) in place
 *at; *mine = an endpoint to us with its badge. spawn_forget undoes it. */
errval_t spawn_adopt(uint64_t id, capaddr_t ep, capaddr_t *mine, unsigned *at);
void spawn_forget(unsigned place);
int spawn_place(uint64_t id);	      /* its place, -1: none here */
uint64_t spawn_badge(unsigned place); /* the badge of its requests */
capaddr_t spawn_ep(uint64_t badge);   /* our copy of its endpoint, SLOT_NONE: none */

/* Monitor 0: MONITOR_SPAWN or MONITOR_DOMAIN (request words) on core k;
   out[0..2] = w1..w3 of the answer to the requester. */
errval_t mon_remote_domain(const uint64_t *words, uint64_t out[3]);

/* cores.c: monitor 0 starts the other cores (ADR 0005); how many are online. */
unsigned cores_start(void);
