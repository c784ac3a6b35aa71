// SPDX-License-Identifier: MIT
/*
 * Notifications between domains, across cores (include/notify.h, ADR 0010).
 *
 * A slot is free while its endpoint copy is empty. Binding takes the next
 * free slot after the last one bound (so a freed slot is taken again late,
 * and a stale capability seldom finds it bound again) in a new generation.
 *
 * Sending to another core: an atomic OR of the slot's bit into that core's
 * doorbell, then an IPI (ipi_notify: a full fence first). The receiving
 * kernel, when it takes the IPI (irq_poll: after it cleared SSIP, so a bit
 * set later comes with an IPI of its own), swaps its doorbell words to 0
 * and adds them to its pending bits; on the same core a send sets the
 * pending bit itself. Pending bits whose slot is bound become one message
 * each, unless the receiver's queue holds the same event already (they
 * merge: at most one per slot waits there) or is full (then the bit stays
 * pending, tried again on every interrupt and receive). A bit carries no
 * generation: it reaches whatever is bound to the slot when it is taken,
 * hence spurious events. Nothing here waits for another core.
 */
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "notify.h"

/* Shared by all cores (ADR 0010): core s's pending slots, one cache line
   per core. Senders set bits (amoor), only core s clears them (amoswap). */
struct doorbell {
	uint64_t bits[NOTIFY_SLOTS / 64];
} __attribute__((aligned(64)));

static struct doorbell doorbells[CONFIG_MAX_CORES] __attribute__((section(".shared")));

#define BIT(n) (1ull << ((n) % 64))

static struct notify_table *table(void)
{
	return &kcb.notify;
}

/* Is the slot bound in generation gen? */
static bool bound(uint64_t slot, uint64_t gen)
{
	return slot < NOTIFY_SLOTS && table()->ep[slot].cap.type == OBJ_ENDPOINT &&
	       table()->gen[slot] == gen;
}

bool notify_current(uint64_t slot, uint64_t gen)
{
	return bound(slot, gen);
}

errval_t notify_bind(const struct cte *ep, struct cte *dest, uint64_t *slot, uint64_t *gen)
{
	struct notify_table *t = table();
	if (dest->cap.type != OBJ_NULL)
		return ERR_CAP_OCCUPIED;
	for (unsigned i = 0; i < NOTIFY_SLOTS; i++) {
		unsigned n = (t->next + i) % NOTIFY_SLOTS;
		if (t->ep[n].cap.type != OBJ_NULL)
			continue;
		uint32_t g = t->gen[n] + 1 ? t->gen[n] + 1 : 1; /* never 0 */
		struct capability c = {.type = OBJ_NOTIFY,
				       .rights = ep->cap.rights,
				       .base = NOTIFY_BASE(kcb.conf.coreid, n),
				       .size = g};
		errval_t err = caps_copy(&kcb.caps, &t->ep[n], ep, CAP_RIGHTS_ALL, 0);
		if (err)
			return err;
		err = caps_create(&kcb.caps, dest, &c, (uint16_t)kcb.conf.coreid);
		if (err) {
			caps_delete(&kcb.caps, &t->ep[n]);
			return err;
		}
		t->ep[n].cap.flags |= CAPF_NOTIFY_BINDING;
		t->gen[n] = g;
		t->pending[n / 64] &= ~BIT(n); /* the last binding's */
		t->next = (n + 1) % NOTIFY_SLOTS;
		*slot = n;
		*gen = g;
		return ERR_OK;
	}
	return ERR_NOTIFY_FULL;
}

/* Is m in d's queue already? */
static bool queued(const struct dcb *d, const struct lmp_msg *m)
{
	for (uint32_t i = 0; i < d->lmp_count; i++) {
		const struct lmp_msg *q = &d->lmp[(d->lmp_head + i) % LMP_QUEUE];
		if (!q->has_cap && q->badge == m->badge && q->words[0] == m->words[0] &&
		    q->words[1] == m->words[1] && q->words[2] == m->words[2] &&
		    q->words[3] == m->words[3])
			return true;
	}
	return false;
}

/* One message to slot n's endpoint; false if it must wait (queue full). */
static bool deliver(unsigned n)
{
	struct cte *ep = &table()->ep[n];
	if (ep->cap.type != OBJ_ENDPOINT)
		return true; /* unbound since it was rung */
	struct dcb *d = dcb_of(&ep->cap);
	struct lmp_msg m = {.badge = ep->cap.badge, .words = {NOTIFY_EVENT, n, table()->gen[n]}};
	return queued(d, &m) || lmp_deliver(d, &m, NULL) != ERR_LMP_BUF_FULL;
}

static void deliver_pending(void)
{
	struct notify_table *t = table();
	for (unsigned i = 0; i < NOTIFY_SLOTS / 64; i++) {
		uint64_t w = t->pending[i];
		while (w) {
			unsigned n = i * 64 + (unsigned)__builtin_ctzll(w);
			w &= w - 1;
			if (deliver(n))
				t->pending[i] &= ~BIT(n);
		}
	}
}

void notify_poll(bool ipi)
{
	struct doorbell *db = &doorbells[kcb.conf.coreid];
	for (unsigned i = 0; ipi && i < NOTIFY_SLOTS / 64; i++)
		if (__atomic_load_n(&db->bits[i], __ATOMIC_RELAXED))
			table()->pending[i] |=
			    __atomic_exchange_n(&db->bits[i], 0, __ATOMIC_ACQUIRE);
	deliver_pending();
}

errval_t notify_send(const struct capability *n)
{
	uint64_t core = NOTIFY_CORE(n->base), slot = NOTIFY_SLOT(n->base);
	if (slot >= NOTIFY_SLOTS)
		return ERR_SYS_ARG; /* (caps_create never makes one) */
	if (core == kcb.conf.coreid) {
		if (!bound(slot, n->size))
			return ERR_NOTIFY_STALE;
		table()->pending[slot / 64] |= BIT(slot);
		deliver_pending();
		return ERR_OK;
	}
	if (core >= kcb.user.ncores || core >= CONFIG_MAX_CORES)
		return ERR_CORE_NONE;
	/* Release: what the sender wrote before comes before the bit (and
	   ipi_notify fences again before the IPI). */
	__atomic_fetch_or(&doorbells[core].bits[slot / 64], BIT(slot), __ATOMIC_RELEASE);
	return ipi_notify(core);
}

errval_t notify_unbind(const struct capability *n)
{
	uint64_t slot = NOTIFY_SLOT(n->base);
	if (NOTIFY_CORE(n->base) != kcb.conf.coreid)
		return ERR_NOTIFY_REMOTE;
	if (!bound(slot, n->size))
		return ERR_NOTIFY_STALE;
	return caps_delete(&kcb.caps, &table()->ep[slot]); /* notify_binding_deleted */
}

void notify_binding_deleted(struct cte *cte)
{
	size_t n = (size_t)(cte - table()->ep); /* (only the table's have the flag) */
	if (n < NOTIFY_SLOTS)
		table()->pending[n / 64] &= ~BIT(n);
}

void notify_dispatcher_gone(uint64_t base)
{
	struct notify_table *t = table();
	for (unsigned n = 0; n < NOTIFY_SLOTS; n++)
		if (t->ep[n].cap.type == OBJ_ENDPOINT && t->ep[n].cap.base == base)
			caps_delete(&kcb.caps, &t->ep[n]);
}
