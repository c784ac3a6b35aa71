/* SPDX-License-Identifier: MIT */
/*
 * The transport (chan.c): every monitor file may use it; it uses none of
 * them. monitor/README.md lists the layers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/bootinfo.h>
#include <abi/errors.h>
#include <abi/monitor.h>
#include <rt/sys.h>

#define MON_KERNEL CAPADDR(CN_TASK, TASK_KERNEL)

unsigned mon_me(void);
const struct bootinfo *mon_bootinfo(void);
bool mon_peer_up(unsigned k); /* reachable, directly or through monitor 0 */
bool mon_direct(unsigned k);  /* over a channel of our own */
/* Messages per request or answer to core k: 2 when monitor 0 forwards it. */
uint64_t mon_hops(unsigned k);
/* Send one message to core k's monitor (counted per operation type); never
   waits: what its ring has no room for waits in an outbox. */
errval_t mon_send(unsigned k, uint8_t type, const union mon_payload *p);
/* Of those, how many cross NUMA nodes (0, 1 or 2; ADR 0019). */
uint64_t mon_xhops(unsigned k);
/* Each core's NUMA node, by core (bootinfo), and whether there is more
   than one. */
const uint16_t *mon_nodes(void);
bool mon_multinode(void);
uint64_t mon_ticks(void);
uint64_t mon_sent(unsigned op); /* messages this monitor sent for op */
/* The counters, into a MON_STATUS (xnode: of the messages to cores on
   other NUMA nodes). */
void mon_counts(struct mon_status *m, bool xnode);
/* Ask core k's monitor whether it is alive (MON_STATUS_REQ); mon_heard:
   when a message from it last came after such a question (0: never). */
void mon_ping(unsigned k);
uint64_t mon_heard(unsigned k);
/* Monitor 0: core k's monitor joined (MON_JOIN). */
void mon_joined(unsigned k);
bool mon_has_joined(unsigned k);

/* Drop a capability that came with an LMP message we do not take, and
   arm the receive slot again (the kernel disarms it with each capability;
   main.c). */
void mon_drop_recv(void);

/* Set up: chan_init first, chan_setup once the monitor has RAM (it maps
   channel pages; monitor k > 0 opens its channel to monitor 0). */
void chan_init(const struct bootinfo *bi);
errval_t chan_setup(void);
/* A channel to core k on the frame in CN_CHAN slot `slot`. */
errval_t chan_open(unsigned k, unsigned slot, int side);
/* MON_CHAN_OPEN: a channel of our own to m->peer on the frame at m->base. */
errval_t chan_join(const struct mon_chan_open *m);
/* Give every message waiting on a channel to h (MON_FWD is passed on or
   unwrapped here); how many there were. */
typedef void mon_handler(unsigned from, uint8_t type, const union mon_payload *p);
unsigned chan_poll(mon_handler *h);
/* Send what waits in outboxes; true if something still waits for room. */
bool chan_drain_all(void);
/* Sleep (lib/chan's handshake on every channel) until an LMP message or
   ticks (0: no limit); ERR_LMP_EMPTY if none came. */
errval_t chan_sleep(uint64_t ticks, struct lmp_recv *m);
