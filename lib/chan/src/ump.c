// SPDX-License-Identifier: MIT
/*
 * UMP channels: rings of cache-line messages in a shared frame, with flow
 * control and the sleep/notify handshake. See ump.h for the theory of
 * operation and the fence table (F1..F6).
 */
#include <chan/ump.h>

#define SEQ_BITS 56
#define SEQ_MASK ((1ull << SEQ_BITS) - 1)

/*
 * The ordered accesses to shared control words, one function per role.
 * RISC-V: plain single-copy-atomic loads and stores of aligned doublewords
 * (volatile, so the compiler neither tears, merges nor re-reads them) plus
 * the RVWMO fences of the table in ump.h; the "memory" clobber keeps the
 * compiler from moving payload accesses across a fence. (GCC turns even a
 * relaxed __atomic_store_n into amoswap.d, hence volatile.) Host: C11
 * atomics with the orderings that give the same guarantees and that
 * ThreadSanitizer understands (it ignores standalone fences); the fences
 * become compiler barriers.
 */
#ifdef __riscv
#define UMP_FENCE(pred_succ) __asm__ __volatile__("fence " pred_succ ::: "memory")
#define LOAD(p, ord)	     (*(const volatile uint64_t *)(p))
#define STORE(p, v, ord)     (*(volatile uint64_t *)(p) = (v))
#else
#define UMP_FENCE(pred_succ) __asm__ __volatile__("" ::: "memory")
#define LOAD(p, ord)	     __atomic_load_n(p, ord)
#define STORE(p, v, ord)     __atomic_store_n(p, v, ord)
#endif

/* F1, sender: the payload stores become visible before the control word.
   Pairs with F2. The store is also the first half of F5. */
static inline void publish_ctl(uint64_t *ctl, uint64_t v)
{
	UMP_FENCE("w,w");
	STORE(ctl, v, __ATOMIC_SEQ_CST); /* host: release for F1, seq_cst for F5 */
}

/* F2, receiver: the payload loads happen after the control word load.
   Pairs with F1. */
static inline uint64_t observe_ctl(const uint64_t *ctl)
{
	uint64_t v = LOAD(ctl, __ATOMIC_ACQUIRE);
	UMP_FENCE("r,r");
	return v;
}

/* F3, sender: read the ack before overwriting the slots it frees, so the
   receiver's payload loads of the old message cannot see the new one.
   Pairs with F4. */
static inline uint64_t observe_ack(const uint64_t *ack)
{
	uint64_t v = LOAD(ack, __ATOMIC_ACQUIRE);
	UMP_FENCE("r,w");
	return v;
}

/* F4, receiver: the payload loads complete before the ack frees the slot.
   Pairs with F3. */
static inline void publish_ack(uint64_t *ack, uint64_t v)
{
	UMP_FENCE("r,w");
	STORE(ack, v, __ATOMIC_RELEASE);
}

/* F5, sender, after publish_ctl(): read the sleep generation only after
   the control word store is visible. Pairs with F6 (Dekker: at least one
   side sees the other's store). */
static inline uint64_t sender_read_sleep(const uint64_t *gen)
{
	UMP_FENCE("rw,rw");
	return LOAD(gen, __ATOMIC_SEQ_CST);
}

/* F6, receiver: publish the sleep generation, then re-read the control
   word of the next slot. Pairs with F5. */
static inline uint64_t receiver_declare_sleep(uint64_t *gen, uint64_t v, const uint64_t *ctl)
{
	STORE(gen, v, __ATOMIC_SEQ_CST);
	UMP_FENCE("rw,rw");
	return LOAD(ctl, __ATOMIC_SEQ_CST);
}

static inline uint64_t ctl_make(uint64_t seq, uint8_t type)
{
	return seq << 8 | type;
}

static inline uint64_t ctl_seq(uint64_t ctl)
{
	return ctl >> 8;
}

/* ---- setup ---- */

enum ump_status ump_frame_check(const void *frame, size_t frame_bytes)
{
	if (!frame || (uintptr_t)frame % UMP_LINE)
		return UMP_EINVAL;
	if (frame_bytes % (2 * UMP_LINE) || frame_bytes < UMP_MIN_FRAME ||
	    frame_bytes > UMP_MAX_FRAME)
		return UMP_EINVAL;
	return UMP_OK;
}

static struct ump_ring *frame_half(void *frame, size_t frame_bytes, int half)
{
	return (struct ump_ring *)((char *)frame + (size_t)half * (frame_bytes / 2));
}

enum ump_status ump_frame_init(void *frame, size_t frame_bytes)
{
	enum ump_status st = ump_frame_check(frame, frame_bytes);
	if (st)
		return st;
	uint32_t n = UMP_SLOTS(frame_bytes);
	for (int half = 0; half < 2; half++) {
		struct ump_ring *r = frame_half(frame, frame_bytes, half);
		STORE(&r->ack.val, 0, __ATOMIC_RELAXED);
		STORE(&r->sleep.val, 0, __ATOMIC_RELAXED);
		for (uint32_t i = 0; i < n; i++)
			STORE(&r->slot[i].ctl, 0, __ATOMIC_RELAXED);
	}
	return UMP_OK;
}

enum ump_status ump_chan_init(struct ump_chan *chan, void *frame, size_t frame_bytes, int side)
{
	enum ump_status st = ump_frame_check(frame, frame_bytes);
	if (st)
		return st;
	if (side != UMP_SIDE_A && side != UMP_SIDE_B)
		return UMP_EINVAL;
	uint32_t n = UMP_SLOTS(frame_bytes);
	chan->tx.ring = frame_half(frame, frame_bytes, side);
	chan->tx.sent = 0;
	chan->tx.acked = 0;
	chan->tx.notified = 0;
	chan->tx.nslots = n;
	chan->tx.idx = 0;
	chan->tx.broken = false;
	chan->rx.ring = frame_half(frame, frame_bytes, 1 - side);
	chan->rx.received = 0;
	chan->rx.gen = 0;
	chan->rx.nslots = n;
	chan->rx.idx = 0;
	chan->rx.broken = false;
	return UMP_OK;
}

/* ---- sending ---- */

/* Is there a free slot? Re-reads the ack line only when the cached ack says
   the ring is full; an ack that goes backwards or beyond what we sent
   breaks the channel. */
static enum ump_status tx_space(struct ump_tx *tx)
{
	if (tx->broken)
		return UMP_EPEER;
	if (tx->sent - tx->acked < tx->nslots)
		return UMP_OK;
	uint64_t ack = observe_ack(&tx->ring->ack.val); /* F3 */
	if (ack - tx->acked > tx->sent - tx->acked) {
		tx->broken = true;
		return UMP_EPEER;
	}
	tx->acked = ack;
	return tx->sent - ack < tx->nslots ? UMP_OK : UMP_FULL;
}

enum ump_status ump_send(struct ump_chan *chan, const uint64_t payload[UMP_PAYLOAD], uint8_t type,
			 bool *notify)
{
	struct ump_tx *tx = &chan->tx;
	*notify = false;
	enum ump_status st = tx_space(tx);
	if (st)
		return st;
	struct ump_msg *m = &tx->ring->slot[tx->idx];
	for (unsigned i = 0; i < UMP_PAYLOAD; i++)
		m->word[i] = payload[i];
	tx->sent++;
	tx->idx = tx->idx + 1 == tx->nslots ? 0 : tx->idx + 1;
	publish_ctl(&m->ctl, ctl_make(tx->sent, type)); /* F1 */

	uint64_t gen = sender_read_sleep(&tx->ring->sleep.val); /* F5 */
	if ((gen & 1) && gen != tx->notified) {
		tx->notified = gen;
		*notify = true;
	}
	return UMP_OK;
}

bool ump_can_send(struct ump_chan *chan)
{
	return tx_space(&chan->tx) == UMP_OK;
}

/* ---- receiving ---- */

/* Classify the control word found in the next slot: the message we expect,
   what a correct sender can have left there (empty), or anything else. */
static enum ump_status rx_classify(struct ump_rx *rx, uint64_t ctl)
{
	uint64_t c = rx->received;
	if (ctl_seq(ctl) == ((c + 1) & SEQ_MASK))
		return UMP_OK;
	uint64_t stale = c >= rx->nslots ? (c + 1 - rx->nslots) & SEQ_MASK : 0;
	if (ctl_seq(ctl) == stale)
		return UMP_EMPTY;
	rx->broken = true;
	return UMP_EPEER;
}

enum ump_status ump_recv(struct ump_chan *chan, uint64_t payload[UMP_PAYLOAD], uint8_t *type)
{
	struct ump_rx *rx = &chan->rx;
	if (rx->broken)
		return UMP_EPEER;
	struct ump_msg *m = &rx->ring->slot[rx->idx];
	uint64_t ctl = observe_ctl(&m->ctl); /* F2 */
	enum ump_status st = rx_classify(rx, ctl);
	if (st)
		return st;
	for (unsigned i = 0; i < UMP_PAYLOAD; i++)
		payload[i] = m->word[i];
	*type = (uint8_t)ctl;
	rx->received++;
	rx->idx = rx->idx + 1 == rx->nslots ? 0 : rx->idx + 1;
	publish_ack(&rx->ring->ack.val, rx->received); /* F4 */
	return UMP_OK;
}

bool ump_pending(struct ump_chan *chan)
{
	struct ump_rx *rx = &chan->rx;
	if (rx->broken)
		return true;
	uint64_t ctl = LOAD(&rx->ring->slot[rx->idx].ctl, __ATOMIC_RELAXED);
	return rx_classify(rx, ctl) != UMP_EMPTY;
}

bool ump_prepare_sleep(struct ump_chan *chan)
{
	struct ump_rx *rx = &chan->rx;
	if (rx->broken)
		return false;
	if (!(rx->gen & 1))
		rx->gen++;
	uint64_t ctl = receiver_declare_sleep(&rx->ring->sleep.val, rx->gen,
					      &rx->ring->slot[rx->idx].ctl); /* F6 */
	if (rx_classify(rx, ctl) == UMP_EMPTY)
		return true;
	ump_wake_done(chan);
	return false;
}

void ump_wake_done(struct ump_chan *chan)
{
	struct ump_rx *rx = &chan->rx;
	if (!(rx->gen & 1))
		return;
	rx->gen++;
	/* No ordering needed: a sender that still sees the odd value only
	   sends one notification too many. */
	STORE(&rx->ring->sleep.val, rx->gen, __ATOMIC_RELAXED);
}

/* ---- checking ---- */

bool ump_chan_check_invariants(const struct ump_chan *chan)
{
	const struct ump_tx *tx = &chan->tx;
	const struct ump_rx *rx = &chan->rx;
	if (!tx->nslots || tx->nslots != rx->nslots || tx->ring == rx->ring)
		return false;
	if (tx->idx >= tx->nslots || tx->idx != tx->sent % tx->nslots)
		return false;
	if (rx->idx >= rx->nslots || rx->idx != rx->received % rx->nslots)
		return false;
	return tx->sent - tx->acked <= tx->nslots && tx->acked <= tx->sent;
}
