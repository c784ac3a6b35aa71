/* SPDX-License-Identifier: MIT */
/*
 * UMP: user-level message passing between cores through a shared frame.
 * Pure, freestanding C: no globals, no allocation, no waiting; the same
 * sources build into the monitors, the services and the host tests.
 *
 * Theory of operation
 * -------------------
 * A channel joins two sides, A and B, through one frame that both map. The
 * frame is cut into two halves, one ring per direction: A sends into half 0
 * and receives from half 1, B the reverse. A half is an array of 64-byte
 * cache lines:
 *
 *     line 0        ack line:   consumed count     written by the receiver
 *     line 1        sleep line: sleep generation   written by the receiver
 *     line 2 ..     N message slots                written by the sender
 *
 * so N = half / 64 - 2 (30 per direction for a 4 KiB frame, UMP_SLOTS()).
 * Every line has exactly one writer; the sender reads the sleep line on
 * every send, and the receiver writes the ack line on every receive, which
 * is why they are two lines: a receiver that keeps up does not steal the
 * line the sender keeps reading.
 *
 * A message is one slot: 7 payload words and a control word, stored last:
 *
 *     ctl = seq << 8 | type        seq = (k + 1) mod 2^56 for message k
 *
 * Message k goes to slot k mod N. A receiver that has taken c messages
 * looks at slot c mod N and accepts it when the sequence there is c + 1.
 * The only other values a correct sender can have left there are those of
 * message c - N (or 0, the zeroed frame, while c < N); anything else means
 * the peer broke the protocol. Sequence numbers rather than epoch bits make
 * a stale slot, a fresh one and garbage distinguishable, and let N be any
 * size.
 *
 * Flow control: the receiver stores its consumed count c into the ack line
 * after each message. The sender keeps its own count s and a cached copy of
 * the ack, and re-reads the ack line only when s - ack == N. An ack that
 * goes backwards or ahead of s is a protocol violation.
 *
 * Trust: every index and count that decides where we read or write lives in
 * struct ump_chan, in the caller's private memory, and is reduced modulo the
 * N fixed at init. Shared words are only compared, never used as indices, so
 * a hostile or broken peer can at worst stop the channel (UMP_EPEER, which
 * then sticks to that direction) or feed us garbage payload; it can never
 * make us access memory outside the frame.
 *
 * Sleeping receivers: the library never waits. A receiver that found its
 * ring empty and wants to sleep calls ump_prepare_sleep(), which makes the
 * sleep generation odd, and then re-checks the ring; a sender, after
 * publishing a message, reads the generation and reports notify = true when
 * it is odd and differs from the last one it notified (one notification per
 * sleep). This is Dekker's pattern: each side stores, then a full fence,
 * then loads what the other stored, so at least one of them sees the
 * other: either the receiver finds the message and does not sleep, or the
 * sender sees the flag and notifies. The caller delivers the notification
 * (an IPI by SBI send_ipi on Reef, a condition variable in the host tests)
 * and its sleep must not lose one that arrives between ump_prepare_sleep()
 * returning true and the sleep itself (a pending SSIP makes wfi return at
 * once). After waking for any reason the receiver calls ump_wake_done().
 * Senders that find the ring full are not notified; they retry later.
 *
 * Memory ordering (RVWMO, RISC-V unprivileged spec, chapter 17). ump.c has
 * the fences, each next to the access it orders and naming its partner:
 *
 *     sender                              receiver
 *     F1 stores payload; fence w,w;       F2 loads ctl; fence r,r;
 *        stores ctl                          loads payload         (MP)
 *     F3 loads ack; fence r,w;            F4 loads payload; fence r,w;
 *        stores payload of a reused slot     stores ack            (LB)
 *     F5 stores ctl; fence rw,rw;         F6 stores sleep gen; fence rw,rw;
 *        loads sleep gen                     loads ctl             (SB)
 *
 * On the host the same accesses are C11 atomics instead (F1 a seq_cst
 * store, F2 an acquire load, F3 acquire, F4 release, F5/F6 seq_cst store
 * and seq_cst load), which give the same guarantees and which
 * ThreadSanitizer understands; payload words stay plain accesses on both,
 * so TSan checks that the control words order them.
 *
 * Concurrency: the tx and rx halves of a struct ump_chan are independent;
 * one thread may send while another receives on the same side. Two threads
 * sending (or two receiving) on one side need the caller's lock.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UMP_LINE	       64u /* bytes in a cache line and in a message */
#define UMP_PAYLOAD	       7u  /* payload words per message */
#define UMP_SIDE_A	       0
#define UMP_SIDE_B	       1
#define UMP_MIN_FRAME	       (2u * 3u * UMP_LINE)		  /* one slot per direction */
#define UMP_MAX_FRAME	       (1ul << 30)			  /* keeps N within 24 bits */
#define UMP_SLOTS(frame_bytes) ((frame_bytes) / 2 / UMP_LINE - 2) /* slots per direction */

/* Result of every ump_* call. Local to lib/chan until the error list has
   ERR_UMP_* codes (see README.md). */
enum ump_status {
	UMP_OK = 0,
	UMP_EMPTY,  /* recv: no message waiting */
	UMP_FULL,   /* send: N messages not yet acknowledged; retry after the peer receives */
	UMP_EPEER,  /* the peer broke the protocol; this direction is dead */
	UMP_EINVAL, /* init: frame misaligned, size not a multiple of 128 or out of range */
};

/* ---- shared memory: the layout of one half of the frame ---- */

struct ump_msg {
	uint64_t word[UMP_PAYLOAD];
	uint64_t ctl; /* seq << 8 | type, stored last */
} __attribute__((aligned(UMP_LINE)));

struct ump_line {
	uint64_t val; /* ack line: consumed count; sleep line: generation, odd = asleep */
	uint64_t pad[7];
} __attribute__((aligned(UMP_LINE)));

struct ump_ring {
	struct ump_line ack;   /* receiver writes, sender reads */
	struct ump_line sleep; /* receiver writes, sender reads */
	struct ump_msg slot[]; /* sender writes, receiver reads */
};

_Static_assert(sizeof(struct ump_msg) == UMP_LINE, "a message is one cache line");
_Static_assert(_Alignof(struct ump_msg) == UMP_LINE, "messages are line aligned");
_Static_assert(offsetof(struct ump_msg, ctl) == UMP_LINE - 8, "control word is the last word");
_Static_assert(sizeof(struct ump_line) == UMP_LINE, "control lines are one cache line");
_Static_assert(offsetof(struct ump_ring, sleep) == UMP_LINE, "sleep line is line 1");
_Static_assert(offsetof(struct ump_ring, slot) == 2 * UMP_LINE, "slots start at line 2");
_Static_assert(UMP_SLOTS(4096) == 30, "a 4 KiB frame has 30 slots per direction");

/* ---- private state: one per side, in the caller's memory ---- */

struct ump_tx {
	struct ump_ring *ring; /* the half we send into */
	uint64_t sent;	       /* messages published */
	uint64_t acked;	       /* last valid ack seen; acked <= sent <= acked + nslots */
	uint64_t notified;     /* sleep generation we last reported notify for */
	uint32_t nslots;       /* N, fixed at init; the only bound on slot indices */
	uint32_t idx;	       /* next slot, sent mod nslots, always < nslots */
	bool broken;	       /* peer broke the protocol: refuse everything */
};

struct ump_rx {
	struct ump_ring *ring; /* the half we receive from */
	uint64_t received;     /* messages taken = our last ack */
	uint64_t gen;	       /* our sleep generation, odd while asleep */
	uint32_t nslots;       /* N, fixed at init */
	uint32_t idx;	       /* next slot, received mod nslots, always < nslots */
	bool broken;
};

struct ump_chan {
	struct ump_tx tx; /* touched only by the sending thread */
	struct ump_rx rx; /* touched only by the receiving thread */
};

/* ---- setup ---- */

/*
 * Check a frame: frame 64-byte aligned, frame_bytes a multiple of 128 within
 * [UMP_MIN_FRAME, UMP_MAX_FRAME]. Returns UMP_OK or UMP_EINVAL.
 */
enum ump_status ump_frame_check(const void *frame, size_t frame_bytes);

/*
 * Reset the shared state of a frame (control words, acks, sleep lines) to
 * "empty". Whoever creates the channel calls this, or hands out a zeroed
 * frame, before either side starts; never while a side is live.
 */
enum ump_status ump_frame_init(void *frame, size_t frame_bytes);

/*
 * Attach one side (UMP_SIDE_A or UMP_SIDE_B) to a checked frame. Writes only
 * *chan, never the frame, so a side may attach while the other runs.
 * Returns UMP_OK or UMP_EINVAL (bad frame or side).
 */
enum ump_status ump_chan_init(struct ump_chan *chan, void *frame, size_t frame_bytes, int side);

/* ---- sending ---- */

/*
 * Send one message. Returns UMP_OK, UMP_FULL (nothing written; the ring
 * holds N unacknowledged messages) or UMP_EPEER. On UMP_OK *notify says
 * whether the receiver declared itself asleep and must be woken by the
 * caller; it is true at most once per sleep.
 */
enum ump_status ump_send(struct ump_chan *chan, const uint64_t payload[UMP_PAYLOAD], uint8_t type,
			 bool *notify);

/* Would ump_send() accept a message now? (Reads the ack line if needed.) */
bool ump_can_send(struct ump_chan *chan);

/* ---- receiving ---- */

/*
 * Take the next message. Returns UMP_OK (payload and *type filled in),
 * UMP_EMPTY or UMP_EPEER.
 */
enum ump_status ump_recv(struct ump_chan *chan, uint64_t payload[UMP_PAYLOAD], uint8_t *type);

/* Is a message waiting (or has the peer broken the channel)? */
bool ump_pending(struct ump_chan *chan);

/*
 * Declare that the receiver is about to sleep, then look at the ring again.
 * Returns true if the caller may sleep: any message sent from now on will
 * report notify to its sender. Returns false, with the declaration undone,
 * when a message (or a protocol violation) is already there: receive
 * instead. After a sleep that followed true, call ump_wake_done().
 */
bool ump_prepare_sleep(struct ump_chan *chan);

/* The receiver is awake again: senders stop reporting notify. */
void ump_wake_done(struct ump_chan *chan);

/* ---- checking ---- */

/*
 * The invariants of the private state, whatever the peer did: slot indices
 * below N and equal to the counts mod N, sent - acked <= N. Tests call it
 * after every operation. Returns true when they hold.
 */
bool ump_chan_check_invariants(const struct ump_chan *chan);
