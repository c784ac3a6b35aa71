/* SPDX-License-Identifier: MIT */
/*
 * Channels between domains on any cores (ADR 0014): lib/chan's UMP rings
 * on a 4 KiB Frame the client makes and the monitors broker, a
 * notification each way to wake a receiver that sleeps.
 *
 *	server:  chan_listen("echo"); chan_accept(&c); chan_recv(&c, w) ...
 *	client:  chan_bind("echo", &c); chan_send(&c, w); ...
 *
 * A message is CHAN_WORDS words. chan_send waits while the ring is full
 * (a tick at a time, never spinning); chan_recv sleeps until a message
 * comes. When the other end is closed, killed or waited for, or the frame
 * revoked, the calls return ERR_CHAN_CLOSED (messages sent before are
 * still received while the frame is there); then chan_close. Channels go
 * when the domain exits (chans_release, called by exit).
 *
 * Not thread-safe; a domain has one thread. A struct chan must stay where
 * it is while open (the library keeps a list of them).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <chan/ump.h>
#include <rt/sys.h>

#define CHAN_WORDS  UMP_PAYLOAD	  /* words in a message */
#define CHAN_FRAME  4096u	  /* bytes of a channel's frame */
#define CHAN_VADDR  0x300000000ul /* GiB 12: where frames are mapped */
#define CHAN_WINDOW (2ul << 20)	  /* one L0 table: 512 frames */

struct chan {
	struct chan *next; /* the open channels */
	struct ump_chan u;
	void *va;	     /* the frame, mapped */
	capaddr_t frame;     /* our copy of it */
	capaddr_t mine;	     /* Notify capability for our own slot */
	capaddr_t peer;	     /* Notify capability for the peer's slot */
	uint64_t slot, gen;  /* our notification slot and its generation */
	uint64_t base;	     /* the frame's physical base: names the channel */
	unsigned core;	     /* the peer's core */
	unsigned page;	     /* its page in the window */
	int arena;	     /* the client's: its frame in the arena, else -1 */
	bool closed, broken; /* the peer went; the peer broke the protocol */
	uint64_t sent, received;
};

/* Register name for channels (and for LMP: it is our endpoint). */
errval_t chan_listen(const char *name);
/* Wait for a client's offer and take it. */
errval_t chan_accept(struct chan *c);
/* Open a channel to the server that registered name, on any core. */
errval_t chan_bind(const char *name, struct chan *c);
/* The same, asked again a tick apart while the name is not registered
   yet, at most ticks times (a server just started registers it soon). */
errval_t chan_bind_wait(const char *name, struct chan *c, unsigned ticks);
errval_t chan_send(struct chan *c, const uint64_t w[CHAN_WORDS]);
errval_t chan_recv(struct chan *c, uint64_t w[CHAN_WORDS]);
/* A RAM or Frame capability with CHAN_CAP_WORDS words: its copy reaches
   the peer's core through the monitors' copy protocol (that core joins
   the object's set, so our revoke reaches the peer's copy), or, on the
   same core, through our monitor. */
#define CHAN_CAP_WORDS (CHAN_WORDS - 3)
errval_t chan_send_cap(struct chan *c, const uint64_t w[CHAN_CAP_WORDS], capaddr_t cap);
/* chan_recv, and if the message carries a capability, its copy into
 *cap (a new slot; SLOT_NONE: none). chan_recv deletes one that comes. */
errval_t chan_recv_cap(struct chan *c, uint64_t w[CHAN_WORDS], capaddr_t *cap);
/* ERR_OK with *got = false when nothing is there; never waits (a
   capability that comes is deleted). */
errval_t chan_try_recv(struct chan *c, uint64_t w[CHAN_WORDS], bool *got);
/* Map a Frame (one that came over a channel, say) in the channel window,
   where a revoke that takes it away under us is caught: a channel call
   gets ERR_CHAN_CLOSED, anything else exits the domain with 255 and a
   line that says why (no fault). Its address, or NULL (no room: the
   window is 2 MiB). chan_unmap before deleting it. */
void *chan_map(capaddr_t frame, bool writable);
void chan_unmap(capaddr_t frame);
/* Close our end: the peer gets ERR_CHAN_CLOSED; a client's frame is
   revoked everywhere and its memory taken back. */
errval_t chan_close(struct chan *c);
/* Close every channel still open (exit calls it). */
void chans_release(void);
/* Faults caught in the channel window so far (DISP_CATCH). */
uint64_t chan_faults_caught(void);
