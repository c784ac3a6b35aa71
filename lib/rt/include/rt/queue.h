/* SPDX-License-Identifier: MIT */
/*
 * A FIFO of fixed-size elements that grows from the heap (from 8, doubling)
 * instead of refusing or dropping when full: only running out of memory
 * stops it, and then the caller is told. Pure C (malloc only), so the host
 * tests build it too (tests/unit/test_queue.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct queue {
	unsigned char *buf; /* cap elements of esz bytes; NULL until first needed */
	size_t esz;
	unsigned head, n, cap;
};

#define QUEUE_INIT(type) ((struct queue){.esz = sizeof(type)})

/* Append a copy of *e; false (nothing changed) when the queue cannot grow. */
bool queue_push(struct queue *q, const void *e);
/* The oldest element, NULL when empty; queue_pop drops it. */
void *queue_front(const struct queue *q);
void queue_pop(struct queue *q);
/* The i-th element from the oldest (0: the front), NULL past the end. The
   pointer holds until the queue next grows. */
void *queue_at(const struct queue *q, unsigned i);
/* Forget the newest element (undo the last push); nothing if empty. */
void queue_drop_last(struct queue *q);
/* Forget every element (the memory stays for later use). */
void queue_clear(struct queue *q);
