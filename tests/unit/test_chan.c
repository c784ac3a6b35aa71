// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/chan (UMP channels): setup checks, flow control, the
 * sleep/notify handshake, hostile frames, and threads streaming millions of
 * messages in both directions (REEF_CHAN_MSGS, default 2,000,000).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <chan/ump.h>

#define FRAME 4096u
#define N     UMP_SLOTS(FRAME)

/* A frame of exactly `bytes`, so ASan sees any access beyond it. */
static void *frame_new(size_t bytes)
{
	void *f = aligned_alloc(UMP_LINE, bytes);
	assert_non_null(f);
	memset(f, 0xa5, bytes);
	assert_int_equal(ump_frame_init(f, bytes), UMP_OK);
	return f;
}

static void pair_new(void *f, size_t bytes, struct ump_chan *a, struct ump_chan *b)
{
	assert_int_equal(ump_chan_init(a, f, bytes, UMP_SIDE_A), UMP_OK);
	assert_int_equal(ump_chan_init(b, f, bytes, UMP_SIDE_B), UMP_OK);
}

/* Message k of a stream: every word derived from k and a salt, type too. */
static void msg_make(uint64_t k, uint64_t salt, uint64_t p[UMP_PAYLOAD], uint8_t *type)
{
	uint64_t sum = 0;
	p[0] = k;
	for (unsigned i = 1; i < UMP_PAYLOAD - 1; i++) {
		p[i] = (k + salt) * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull;
		sum ^= p[i] << i | p[i] >> (64 - i);
	}
	p[UMP_PAYLOAD - 1] = sum ^ k ^ salt;
	*type = (uint8_t)(k * 7 + salt);
}

static bool msg_ok(uint64_t k, uint64_t salt, const uint64_t p[UMP_PAYLOAD], uint8_t type)
{
	uint64_t want[UMP_PAYLOAD];
	uint8_t wtype;
	msg_make(k, salt, want, &wtype);
	return type == wtype && !memcmp(p, want, sizeof(want));
}

static void send_ok(struct ump_chan *c, uint64_t k, uint64_t salt, bool expect_notify)
{
	uint64_t p[UMP_PAYLOAD];
	uint8_t type;
	bool notify;
	msg_make(k, salt, p, &type);
	assert_int_equal(ump_send(c, p, type, &notify), UMP_OK);
	assert_int_equal(notify, expect_notify);
	assert_true(ump_chan_check_invariants(c));
}

static void recv_ok(struct ump_chan *c, uint64_t k, uint64_t salt)
{
	uint64_t p[UMP_PAYLOAD];
	uint8_t type;
	assert_int_equal(ump_recv(c, p, &type), UMP_OK);
	assert_true(msg_ok(k, salt, p, type));
	assert_true(ump_chan_check_invariants(c));
}

static void recv_empty(struct ump_chan *c)
{
	uint64_t p[UMP_PAYLOAD];
	uint8_t type;
	assert_false(ump_pending(c));
	assert_int_equal(ump_recv(c, p, &type), UMP_EMPTY);
}

/* ---- single-threaded ---- */

static void test_init_validation(void **state)
{
	(void)state;
	struct ump_chan c;
	void *f = aligned_alloc(UMP_LINE, 2 * FRAME);
	assert_non_null(f);
	memset(f, 0, 2 * FRAME);
	static const size_t bad_sizes[] = {0,
					   64,
					   128,
					   256,
					   320,
					   4000,
					   4096 + 64,
					   4096 - 1,
					   UMP_MAX_FRAME + 128,
					   SIZE_MAX & ~(size_t)127};
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		assert_int_equal(ump_frame_check(f, bad_sizes[i]), UMP_EINVAL);
		assert_int_equal(ump_frame_init(f, bad_sizes[i]), UMP_EINVAL);
		assert_int_equal(ump_chan_init(&c, f, bad_sizes[i], UMP_SIDE_A), UMP_EINVAL);
	}
	static const size_t good_sizes[] = {UMP_MIN_FRAME, 512, 4096, 8192};
	for (unsigned i = 0; i < sizeof(good_sizes) / sizeof(good_sizes[0]); i++) {
		assert_int_equal(ump_frame_init(f, good_sizes[i]), UMP_OK);
		assert_int_equal(ump_chan_init(&c, f, good_sizes[i], UMP_SIDE_B), UMP_OK);
		assert_true(ump_chan_check_invariants(&c));
		assert_int_equal(c.tx.nslots, UMP_SLOTS(good_sizes[i]));
	}
	assert_int_equal(UMP_SLOTS(UMP_MIN_FRAME), 1);
	for (unsigned off = 1; off < UMP_LINE; off++) {
		assert_int_equal(ump_frame_check((char *)f + off, FRAME), UMP_EINVAL);
		assert_int_equal(ump_chan_init(&c, (char *)f + off, FRAME, UMP_SIDE_A), UMP_EINVAL);
	}
	assert_int_equal(ump_chan_init(&c, (char *)f + UMP_LINE, FRAME, UMP_SIDE_A), UMP_OK);
	assert_int_equal(ump_chan_init(&c, NULL, FRAME, UMP_SIDE_A), UMP_EINVAL);
	assert_int_equal(ump_chan_init(&c, f, FRAME, 2), UMP_EINVAL);
	assert_int_equal(ump_chan_init(&c, f, FRAME, -1), UMP_EINVAL);
	/* The two sides use opposite halves. */
	struct ump_chan a, b;
	pair_new(f, FRAME, &a, &b);
	assert_ptr_equal(a.tx.ring, b.rx.ring);
	assert_ptr_equal(a.rx.ring, b.tx.ring);
	assert_ptr_equal(a.tx.ring, f);
	assert_ptr_equal(b.tx.ring, (char *)f + FRAME / 2);
	free(f);
}

static void test_send_recv(void **state)
{
	(void)state;
	struct ump_chan a, b;
	void *f = frame_new(FRAME);
	pair_new(f, FRAME, &a, &b);
	recv_empty(&a);
	recv_empty(&b);
	send_ok(&a, 0, 1, false);
	assert_true(ump_pending(&b));
	recv_empty(&a); /* A's own message is not in A's receive ring */
	recv_ok(&b, 0, 1);
	recv_empty(&b);
	send_ok(&b, 0, 2, false);
	recv_ok(&a, 0, 2);
	recv_empty(&a);
	free(f);
}

static void test_type_payload(void **state)
{
	(void)state;
	struct ump_chan a, b;
	void *f = frame_new(FRAME);
	pair_new(f, FRAME, &a, &b);
	static const uint64_t patterns[] = {0, ~0ull, 0x8000000000000000ull, 1,
					    0x5555555555555555ull};
	for (unsigned t = 0; t < 256; t++) {
		uint64_t p[UMP_PAYLOAD], q[UMP_PAYLOAD];
		for (unsigned i = 0; i < UMP_PAYLOAD; i++)
			p[i] = patterns[(t + i) % 5] ^ ((uint64_t)t << (8 * i));
		bool notify;
		uint8_t type;
		assert_int_equal(ump_send(&a, p, (uint8_t)t, &notify), UMP_OK);
		memset(q, 0, sizeof(q));
		assert_int_equal(ump_recv(&b, q, &type), UMP_OK);
		assert_int_equal(type, t);
		assert_memory_equal(p, q, sizeof(p));
	}
	free(f);
}

static void test_wraparound(void **state)
{
	(void)state;
	static const size_t sizes[] = {UMP_MIN_FRAME, 512, FRAME};
	for (unsigned s = 0; s < 3; s++) {
		struct ump_chan a, b;
		void *f = frame_new(sizes[s]);
		pair_new(f, sizes[s], &a, &b);
		uint32_t n = UMP_SLOTS(sizes[s]);
		uint64_t sent = 0, got = 0;
		/* Batches of every size from 1 to n, so the ring wraps at every offset. */
		for (unsigned round = 0; round < 1000; round++) {
			unsigned batch = 1 + (round * 7) % n;
			for (unsigned i = 0; i < batch; i++)
				send_ok(&a, sent++, s, false);
			for (unsigned i = 0; i < batch; i++)
				recv_ok(&b, got++, s);
			recv_empty(&b);
		}
		assert_true(sent > 100 * n);
		free(f);
	}
}

static void test_flow_control(void **state)
{
	(void)state;
	static const size_t sizes[] = {UMP_MIN_FRAME, FRAME};
	for (unsigned s = 0; s < 2; s++) {
		struct ump_chan a, b;
		void *f = frame_new(sizes[s]);
		pair_new(f, sizes[s], &a, &b);
		uint32_t n = UMP_SLOTS(sizes[s]);
		uint64_t sent = 0, got = 0, p[UMP_PAYLOAD] = {0};
		bool notify;
		for (unsigned round = 0; round < 3 * n; round++) {
			while (ump_can_send(&a))
				send_ok(&a, sent++, 9, false);
			assert_int_equal(sent - got, n); /* exactly N in flight */
			notify = true;
			assert_int_equal(ump_send(&a, p, 0, &notify), UMP_FULL);
			assert_false(notify);
			assert_true(ump_chan_check_invariants(&a));
			recv_ok(&b, got++, 9);
			assert_true(ump_can_send(&a));
			send_ok(&a, sent++, 9, false);
			assert_int_equal(ump_send(&a, p, 0, &notify), UMP_FULL);
			/* Drain a varying number so the next round refills from another offset. */
			for (unsigned i = 0; i <= round % n; i++)
				recv_ok(&b, got++, 9);
		}
		while (ump_pending(&b))
			recv_ok(&b, got++, 9);
		assert_int_equal(got, sent);
		free(f);
	}
}

static void test_sleep_notify(void **state)
{
	(void)state;
	struct ump_chan a, b;
	void *f = frame_new(FRAME);
	pair_new(f, FRAME, &a, &b);
	uint64_t k = 0, got = 0;

	/* Awake receiver: no notification. */
	send_ok(&a, k++, 0, false);
	/* A message is waiting: the receiver must not sleep, and the
	   declaration is undone, so the next send does not notify. */
	assert_false(ump_prepare_sleep(&b));
	send_ok(&a, k++, 0, false);
	recv_ok(&b, got++, 0);
	recv_ok(&b, got++, 0);

	/* Empty ring: the receiver may sleep; exactly the first send after
	   that notifies. */
	assert_true(ump_prepare_sleep(&b));
	assert_true(ump_prepare_sleep(&b)); /* idempotent, same sleep */
	send_ok(&a, k++, 0, true);
	send_ok(&a, k++, 0, false);
	/* Traffic in the other direction is unaffected. */
	send_ok(&b, 0, 3, false);
	recv_ok(&a, 0, 3);
	ump_wake_done(&b);
	send_ok(&a, k++, 0, false);
	while (got < k)
		recv_ok(&b, got++, 0);

	/* A new sleep gets its own notification. */
	for (int i = 0; i < 3; i++) {
		assert_true(ump_prepare_sleep(&b));
		send_ok(&a, k++, 0, true);
		assert_false(ump_prepare_sleep(&b)); /* message now waiting */
		send_ok(&a, k++, 0, false);
		ump_wake_done(&b);
		ump_wake_done(&b); /* idempotent */
		while (got < k)
			recv_ok(&b, got++, 0);
	}

	/* A full sender is not notified, and a sleeping receiver with a full
	   ring cannot be asleep: prepare_sleep refuses. */
	while (ump_can_send(&a))
		send_ok(&a, k++, 0, false);
	assert_false(ump_prepare_sleep(&b));
	while (got < k)
		recv_ok(&b, got++, 0);
	assert_true(ump_prepare_sleep(&b));
	send_ok(&a, k++, 0, true);
	ump_wake_done(&b);
	recv_ok(&b, got++, 0);
	free(f);
}

/* ---- a hostile or broken peer ---- */

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_hostile_ctl(void **state)
{
	(void)state;
	struct ump_chan a, b;
	uint64_t p[UMP_PAYLOAD] = {0};
	uint8_t type;
	bool notify;
	void *f = frame_new(FRAME);
	pair_new(f, FRAME, &a, &b);
	struct ump_ring *ab = a.tx.ring;

	/* Garbage in the next slot breaks the direction, for good. */
	ab->slot[0].ctl = 0xdeadbeefcafef00dull;
	assert_true(ump_pending(&b));
	assert_int_equal(ump_recv(&b, p, &type), UMP_EPEER);
	ab->slot[0].ctl = 0;
	assert_int_equal(ump_recv(&b, p, &type), UMP_EPEER);
	assert_false(ump_prepare_sleep(&b));
	assert_true(ump_pending(&b));
	assert_true(ump_chan_check_invariants(&b));
	/* The other direction still works. */
	send_ok(&b, 0, 4, false);
	recv_ok(&a, 0, 4);

	/* After a wrap, an older-than-stale sequence is garbage too. */
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	for (uint64_t k = 0; k < 3 * N; k++) {
		send_ok(&a, k, 0, false);
		recv_ok(&b, k, 0);
	}
	/* b expects seq 3N + 1 in slot 0, which holds 2N + 1 (stale). */
	recv_empty(&b);
	ab->slot[0].ctl = (uint64_t)(N + 1) << 8;
	assert_int_equal(ump_recv(&b, p, &type), UMP_EPEER);

	/* A forged message with the right sequence is just a message. */
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	ab->slot[0].ctl = 1ull << 8 | 42;
	assert_int_equal(ump_recv(&b, p, &type), UMP_OK);
	assert_int_equal(type, 42);
	(void)notify;
	free(f);
}

static void test_hostile_ack(void **state)
{
	(void)state;
	struct ump_chan a, b;
	uint64_t p[UMP_PAYLOAD] = {0};
	bool notify;
	void *f = frame_new(FRAME);
	struct ump_ring *ab;

	/* An ack beyond what was sent. */
	pair_new(f, FRAME, &a, &b);
	ab = a.tx.ring;
	for (unsigned i = 0; i < N; i++)
		send_ok(&a, i, 0, false);
	ab->ack.val = N + 1;
	assert_int_equal(ump_send(&a, p, 0, &notify), UMP_EPEER);
	ab->ack.val = 1; /* a good value later does not revive it */
	assert_int_equal(ump_send(&a, p, 0, &notify), UMP_EPEER);
	assert_false(ump_can_send(&a));
	assert_true(ump_chan_check_invariants(&a));

	/* An ack that goes backwards. */
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	for (unsigned i = 0; i < N; i++)
		send_ok(&a, i, 0, false);
	for (unsigned i = 0; i < 5; i++)
		recv_ok(&b, i, 0);
	assert_true(ump_can_send(&a)); /* reads ack = 5 */
	for (unsigned i = 0; i < 5; i++)
		send_ok(&a, N + i, 0, false);
	ab->ack.val = 3;
	assert_int_equal(ump_send(&a, p, 0, &notify), UMP_EPEER);

	/* A huge ack (wrapping arithmetic) and an ack that never moves. */
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	for (unsigned i = 0; i < N; i++)
		send_ok(&a, i, 0, false);
	ab->ack.val = ~0ull;
	assert_int_equal(ump_send(&a, p, 0, &notify), UMP_EPEER);
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	for (unsigned i = 0; i < N; i++)
		send_ok(&a, i, 0, false);
	for (int i = 0; i < 100; i++)
		assert_int_equal(ump_send(&a, p, 0, &notify), UMP_FULL);

	/* A sleep generation that flips on every send: at most one notify per
	   send, never a crash. */
	ump_frame_init(f, FRAME);
	pair_new(f, FRAME, &a, &b);
	for (uint64_t k = 0; k < 10 * N; k++) {
		ab->sleep.val = 2 * k + 1;
		send_ok(&a, k, 0, true);
		recv_ok(&b, k, 0);
	}
	free(f);
}

/* Random operations on both sides while a "peer" scribbles random values
   over the whole frame; ASan checks every access stays inside it. */
static void test_hostile_fuzz(void **state)
{
	(void)state;
	static const size_t sizes[] = {UMP_MIN_FRAME, 512, FRAME};
	for (unsigned s = 0; s < 3; s++) {
		size_t bytes = sizes[s];
		uint64_t *w = frame_new(bytes);
		struct ump_chan c[2];
		pair_new(w, bytes, &c[0], &c[1]);
		uint64_t p[UMP_PAYLOAD];
		uint8_t type;
		bool notify;
		unsigned ok = 0, epeer = 0;
		for (unsigned it = 0; it < 200000; it++) {
			struct ump_chan *x = &c[rnd() & 1];
			uint64_t r = rnd();
			enum ump_status st = UMP_OK;
			switch (r % 9) {
			case 0: { /* random word, random or plausible value */
				uint64_t v = rnd();
				uint64_t near = x->tx.sent + (v & 7) - 4;
				w[rnd() % (bytes / 8)] = (v & 8) ? v : (v & 16) ? near : near << 8;
				break;
			}
			case 1:
			case 2:
				st = ump_send(x, p, (uint8_t)r, &notify);
				assert_true(st == UMP_OK || st == UMP_FULL || st == UMP_EPEER);
				break;
			case 3:
			case 4:
				st = ump_recv(x, p, &type);
				assert_true(st == UMP_OK || st == UMP_EMPTY || st == UMP_EPEER);
				break;
			case 5:
				(void)ump_can_send(x);
				(void)ump_pending(x);
				break;
			case 6:
				(void)ump_prepare_sleep(x);
				break;
			case 7:
				ump_wake_done(x);
				break;
			case 8: /* occasionally start over, so both sides get broken again */
				if (r % 1000 == 8) {
					ump_frame_init(w, bytes);
					pair_new(w, bytes, &c[0], &c[1]);
				}
				break;
			}
			ok += st == UMP_OK;
			epeer += st == UMP_EPEER;
			assert_true(ump_chan_check_invariants(&c[0]));
			assert_true(ump_chan_check_invariants(&c[1]));
			/* Once broken, a direction stays broken. */
			if (x->tx.broken)
				assert_int_equal(ump_send(x, p, 0, &notify), UMP_EPEER);
			if (x->rx.broken)
				assert_int_equal(ump_recv(x, p, &type), UMP_EPEER);
		}
		assert_true(ok > 0);
		assert_true(epeer > 0);
		free(w);
	}
}

/* ---- threads ---- */

/* cmocka's failures longjmp, which only works on the main thread. */
#define die(...)                                                                                   \
	do {                                                                                       \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/* How a sleeping consumer is woken: what an IPI is on the harts. */
struct waker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t tokens; /* notifications delivered, under lock */
};

struct stats {
	uint64_t notifies; /* sender: ump_send reported notify */
	uint64_t sleeps;   /* receiver: prepare_sleep allowed a sleep */
	uint64_t refused;  /* receiver: prepare_sleep found a message */
	uint64_t yields;   /* sender full or receiver empty */
	uint64_t waits;	   /* receiver: found its ring empty */
};

static void waker_init(struct waker *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->tokens = 0;
}

static void waker_notify(struct waker *w)
{
	pthread_mutex_lock(&w->lock);
	w->tokens++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* The receiver found its ring empty: every other time yield once first,
   then sleep unless a message arrived. The token count is read before the
   declaration, so a notification for this sleep always changes it. */
static void wait_for_message(struct ump_chan *c, struct waker *w, struct stats *st)
{
	if (++st->waits & 1) {
		sched_yield();
		st->yields++;
		if (ump_pending(c))
			return;
	}
	pthread_mutex_lock(&w->lock);
	uint64_t seen = w->tokens;
	pthread_mutex_unlock(&w->lock);
	if (!ump_prepare_sleep(c)) {
		st->refused++;
		return;
	}
	st->sleeps++;
	/* A sender always comes: a long sleep is a lost wakeup, not a hang. */
	struct timespec limit;
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 20;
	pthread_mutex_lock(&w->lock);
	while (w->tokens == seen)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &limit))
			die("lost wakeup: asleep for 20 s with %s",
			    ump_pending(c) ? "a message waiting" : "nothing sent");
	pthread_mutex_unlock(&w->lock);
	ump_wake_done(c);
}

/* Send message k of stream `salt`; yield while full; wake the peer if told. */
static void send_msg(struct ump_chan *c, uint64_t k, uint64_t salt, struct waker *peer,
		     struct stats *st)
{
	uint64_t p[UMP_PAYLOAD];
	uint8_t type;
	bool notify;
	enum ump_status rc;
	msg_make(k, salt, p, &type);
	while ((rc = ump_send(c, p, type, &notify)) == UMP_FULL) {
		sched_yield();
		st->yields++;
	}
	if (rc != UMP_OK)
		die("send %llu: status %d", (unsigned long long)k, rc);
	if (notify) {
		st->notifies++;
		waker_notify(peer);
	}
}

/* Take message k of stream `salt` if there is one; any other message fails. */
static bool recv_msg(struct ump_chan *c, uint64_t k, uint64_t salt)
{
	uint64_t p[UMP_PAYLOAD];
	uint8_t type;
	enum ump_status rc = ump_recv(c, p, &type);
	if (rc == UMP_EMPTY)
		return false;
	if (rc != UMP_OK)
		die("recv %llu: status %d", (unsigned long long)k, rc);
	if (p[0] != k)
		die("expected message %llu, got %llu (lost, reordered or duplicated)",
		    (unsigned long long)k, (unsigned long long)p[0]);
	if (!msg_ok(k, salt, p, type))
		die("message %llu corrupted", (unsigned long long)k);
	return true;
}

struct worker {
	struct ump_chan *chan;
	struct waker *mine, *peer; /* I sleep on mine, wake the peer on its */
	uint64_t salt_tx, salt_rx, n;
	bool tx, rx; /* this thread sends / receives on chan */
	struct stats st;
};

/* Producer, consumer, or both (then neither blocks while it can make
   progress on the other; it only sleeps once it has nothing left to send). */
static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	uint64_t sent = wk->tx ? 0 : wk->n, got = wk->rx ? 0 : wk->n;
	while (sent < wk->n || got < wk->n) {
		bool progress = false;
		if (sent < wk->n && (!wk->rx || ump_can_send(wk->chan))) {
			send_msg(wk->chan, sent++, wk->salt_tx, wk->peer, &wk->st);
			progress = true;
		}
		if (got < wk->n && recv_msg(wk->chan, got, wk->salt_rx)) {
			got++;
			progress = true;
		}
		if (progress)
			continue;
		if (got < wk->n && sent == wk->n)
			wait_for_message(wk->chan, wk->mine, &wk->st);
		else
			sched_yield(); /* full, and nobody notifies a sender */
	}
	return NULL;
}

static uint64_t msgs_from_env(void)
{
	const char *s = getenv("REEF_CHAN_MSGS");
	uint64_t n = s ? strtoull(s, NULL, 0) : 0;
	return n ? n : 2000000;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run_workers(const char *name, struct worker *wk, unsigned count, uint64_t n)
{
	pthread_t t[4];
	double t0 = now();
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &wk[i]), 0);
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	double dt = now() - t0;
	struct stats sum = {0};
	for (unsigned i = 0; i < count; i++) {
		sum.notifies += wk[i].st.notifies;
		sum.sleeps += wk[i].st.sleeps;
		sum.refused += wk[i].st.refused;
		sum.yields += wk[i].st.yields;
	}
	/* Every sleep ended on a notification of its own; a sender may also
	   notify a declaration that prepare_sleep then withdrew. */
	assert_true(sum.sleeps <= sum.notifies);
	printf("%s: 2 x %llu messages in %.2f s (%.2f M msg/s): %llu notifications, %llu "
	       "sleeps, %llu sleeps refused, %llu yields\n",
	       name, (unsigned long long)n, dt, 2 * n / dt / 1e6, (unsigned long long)sum.notifies,
	       (unsigned long long)sum.sleeps, (unsigned long long)sum.refused,
	       (unsigned long long)sum.yields);
}

/* Full duplex, four threads: a producer and a consumer per direction. */
static void stream_pairs(size_t bytes, uint64_t n, const char *name)
{
	void *f = frame_new(bytes);
	struct ump_chan a, b;
	struct waker wa, wb;
	pair_new(f, bytes, &a, &b);
	waker_init(&wa);
	waker_init(&wb);
	struct worker wk[4] = {
	    {.chan = &a, .peer = &wb, .salt_tx = 1, .n = n, .tx = true},
	    {.chan = &b, .mine = &wb, .salt_rx = 1, .n = n, .rx = true},
	    {.chan = &b, .peer = &wa, .salt_tx = 2, .n = n, .tx = true},
	    {.chan = &a, .mine = &wa, .salt_rx = 2, .n = n, .rx = true},
	};
	run_workers(name, wk, 4, n);
	recv_empty(&a);
	recv_empty(&b);
	assert_int_equal(a.tx.sent, n);
	assert_int_equal(b.rx.received, n);
	free(f);
}

static void test_threads_pairs(void **state)
{
	(void)state;
	stream_pairs(FRAME, msgs_from_env(), "4 threads, 30 slots");
}

/* One slot per direction: every message is a full ring. */
static void test_threads_one_slot(void **state)
{
	(void)state;
	stream_pairs(UMP_MIN_FRAME, msgs_from_env() / 10, "4 threads, 1 slot");
}

/* Full duplex, two threads, each sending and receiving on its side. */
static void test_threads_duplex(void **state)
{
	(void)state;
	uint64_t n = msgs_from_env();
	void *f = frame_new(FRAME);
	struct ump_chan a, b;
	struct waker wa, wb;
	pair_new(f, FRAME, &a, &b);
	waker_init(&wa);
	waker_init(&wb);
	struct worker wk[2] = {
	    {.chan = &a,
	     .mine = &wa,
	     .peer = &wb,
	     .salt_tx = 1,
	     .salt_rx = 2,
	     .n = n,
	     .tx = true,
	     .rx = true},
	    {.chan = &b,
	     .mine = &wb,
	     .peer = &wa,
	     .salt_tx = 2,
	     .salt_rx = 1,
	     .n = n,
	     .tx = true,
	     .rx = true},
	};
	run_workers("2 threads, duplex", wk, 2, n);
	recv_empty(&a);
	recv_empty(&b);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_validation),  cmocka_unit_test(test_send_recv),
	    cmocka_unit_test(test_type_payload),     cmocka_unit_test(test_wraparound),
	    cmocka_unit_test(test_flow_control),     cmocka_unit_test(test_sleep_notify),
	    cmocka_unit_test(test_hostile_ctl),	     cmocka_unit_test(test_hostile_ack),
	    cmocka_unit_test(test_hostile_fuzz),     cmocka_unit_test(test_threads_pairs),
	    cmocka_unit_test(test_threads_one_slot), cmocka_unit_test(test_threads_duplex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
