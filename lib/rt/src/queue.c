// SPDX-License-Identifier: MIT
/* A FIFO that grows from the heap (rt/queue.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rt/faults.h>
#include <rt/queue.h>

bool queue_push(struct queue *q, const void *e)
{
	if (q->n == q->cap) {
		unsigned cap = q->cap ? 2 * q->cap : 8;
		bool fits = cap > q->cap && (size_t)cap <= SIZE_MAX / q->esz; /* no overflow */
		unsigned char *buf = fits && !fault_now() ? malloc((size_t)cap * q->esz) : NULL;
		if (!buf)
			return false;
		for (unsigned i = 0; i < q->n; i++)
			memcpy(buf + i * q->esz, q->buf + ((q->head + i) % q->cap) * q->esz,
			       q->esz);
		free(q->buf);
		q->buf = buf;
		q->head = 0;
		q->cap = cap;
	}
	memcpy(q->buf + ((q->head + q->n++) % q->cap) * q->esz, e, q->esz);
	return true;
}

void *queue_front(const struct queue *q)
{
	return q->n ? q->buf + q->head * q->esz : NULL;
}

void *queue_at(const struct queue *q, unsigned i)
{
	return i < q->n ? q->buf + ((q->head + i) % q->cap) * q->esz : NULL;
}

void queue_pop(struct queue *q)
{
	if (!q->n)
		return;
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

void queue_drop_last(struct queue *q)
{
	if (q->n)
		q->n--;
}

void queue_clear(struct queue *q)
{
	q->head = q->n = 0;
}
