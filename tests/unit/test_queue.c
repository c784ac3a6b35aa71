// SPDX-License-Identifier: MIT
/* Host tests of lib/rt's growing FIFO (rt/queue.h): order kept across
   growth and wrap-around, and a failed growth changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <rt/queue.h>

struct item {
	uint64_t seq;
	uint8_t pad[40];
};

static void test_fifo(void **state)
{
	(void)state;
	struct queue q = QUEUE_INIT(struct item);
	assert_null(queue_front(&q));
	queue_pop(&q); /* empty: nothing happens */
	uint64_t in = 0, out = 0;
	/* Push and pop at uneven rates so the ring wraps before each growth. */
	for (unsigned round = 0; round < 2000; round++) {
		for (unsigned i = 0; i < 3 + round % 5; i++) {
			struct item it = {.seq = in++};
			assert_true(queue_push(&q, &it));
		}
		for (unsigned i = 0; i < 2 + round % 3; i++) {
			struct item *f = queue_front(&q);
			assert_non_null(f);
			assert_int_equal(f->seq, out++);
			queue_pop(&q);
		}
	}
	assert_int_equal(q.n, in - out);
	assert_true(q.cap >= q.n && q.cap <= 2 * (in - out) + 8);
	for (unsigned i = 0; i < q.n; i++) /* every element in place, the ring wrapped */
		assert_int_equal(((struct item *)queue_at(&q, i))->seq, out + i);
	assert_null(queue_at(&q, q.n));
	while (queue_front(&q)) {
		assert_int_equal(((struct item *)queue_front(&q))->seq, out++);
		queue_pop(&q);
	}
	assert_int_equal(out, in);
	struct item it = {.seq = 7};
	assert_true(queue_push(&q, &it));
	queue_clear(&q);
	assert_null(queue_front(&q));
	free(q.buf);
}

/* A queue whose growth cannot be paid for (an element size no allocation
   can satisfy once full) refuses the push and keeps what it holds. */
/* The newest goes back out; the older ones stay in order, across a wrap. */
static void test_drop_last(void **state)
{
	(void)state;
	struct queue q = QUEUE_INIT(int);
	queue_drop_last(&q); /* empty: nothing */
	assert_null(queue_front(&q));
	for (int i = 0; i < 6; i++)
		assert_true(queue_push(&q, &i));
	queue_pop(&q);
	queue_pop(&q);
	for (int i = 6; i < 10; i++) /* (wraps round the 8 it holds) */
		assert_true(queue_push(&q, &i));
	queue_drop_last(&q);
	assert_int_equal(q.n, 7);
	for (int i = 2; i < 9; i++) {
		assert_int_equal(*(int *)queue_front(&q), i);
		queue_pop(&q);
	}
	assert_null(queue_front(&q));
	queue_clear(&q);
	free(q.buf);
}

static void test_no_memory(void **state)
{
	(void)state;
	struct queue q = QUEUE_INIT(uint64_t);
	for (uint64_t i = 0; i < 8; i++)
		assert_true(queue_push(&q, &i));
	q.esz = SIZE_MAX / 8; /* 16 elements of this size cannot be allocated */
	uint64_t nine = 9;
	unsigned char *before = q.buf;
	assert_false(queue_push(&q, &nine));
	assert_int_equal(q.n, 8);
	assert_ptr_equal(q.buf, before);
	q.esz = sizeof(uint64_t);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(*(uint64_t *)queue_front(&q), i);
		queue_pop(&q);
	}
	free(q.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo),
	    cmocka_unit_test(test_no_memory),
	    cmocka_unit_test(test_drop_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
