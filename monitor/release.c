// SPDX-License-Identifier: MIT
/*
 * Delete across cores (docs/protocol.md 4): a holder whose core holds
 * nothing of an object any more (after MONITOR_RELEASE from a domain, a
 * kill, or a request it dropped) deletes its own copies and tells the
 * owner in one message (MON_DEL_NOTIFY, no answer); the owner takes the
 * core out of the object's set and drops its anchor with the last one.
 *
 * Layer: an operation; records and the transport below.
 */
#include <abi/monitor.h>
#include <chan/ump.h>
#include <rt/faults.h>
#include <rt/mem.h>

#include "monitor.h"
#include "records.h"

/* MON_DEL_NOTIFY: applied at once, or when the operation in progress on
   the object is done; a copy to that core delivered meanwhile cancels it
   (shared_delivered). */
void shared_del_notify(unsigned from, const struct mon_del_notify *m)
{
	struct shared *s = shared_find((uint8_t)m->desc, m->base, m->size);
	if (!s || !cs_has(&s->cores, from))
		return;
	cs_add(&s->gone, from);
	shared_apply_gone();
}

static bool same(const struct held *a, const struct held *b)
{
	return a->type == b->type && a->base == b->base && a->size == b->size;
}

/* A domain here revoked h locally (it kept its own copy, the exempt one),
   which took ours: make a copy again to ask the kernel with. False if we
   cannot (then h is free). */
static bool held_remake(struct held *h)
{
	struct held probe = *h;
	held_gone(h);
	faults_hold(); /* (no fault: the owner would never be told) */
	probe.slot = slot_alloc();
	faults_release();
	if (probe.slot == SLOT_NONE)
		return false;
	if (cap_make(probe.slot, probe.type | (uint64_t)probe.owner << 16, probe.base,
		     probe.size)) {
		slot_free(probe.slot);
		return false;
	}
	h->slot = probe.slot;
	return true;
}

/* Nothing but our unpinned copies holds h's object here any more? */
static bool unheld(const struct held *h)
{
	unsigned ours = 0;
	bool kept = false;
	for (struct held *j = held_list; j; j = j->next)
		if (j->slot != SLOT_NONE && same(j, h)) {
			ours += !j->pin;
			kept |= j->pin;
		}
	struct sysret r = cap_invoke(MON_KERNEL, 2, KERNEL_CAP_RELATIONS, h->slot, 0, 0, 0, 0);
	return !kept && !r.err && !r.v[1] && r.v[0] <= ours;
}

/*
 * An object is held on this core while any copy or descendant of it is
 * here other than our own unpinned copies: a domain's (a mapped one too),
 * or one we hold for ourselves (pin). The kernel counts the
 * copies (KERNEL_CAP_RELATIONS, bounded); when they are all ours and no
 * descendant is left, ours go and the owner is told, once.
 */
unsigned capops_release(void)
{
	unsigned told = 0;
	for (struct held *h = held_list; h; h = h->next) {
		struct cap_info ci;
		if (h->slot == SLOT_NONE || h->pin)
			continue;
		if (cap_identify(h->slot, &ci) == ERR_CAP_EMPTY && !held_remake(h))
			continue;
		if (!unheld(h))
			continue;
		union mon_payload w = {
		    .del_notify = {.desc = h->type, .base = h->base, .size = h->size}};
		unsigned owner = h->owner;
		struct held key = *h;
		for (struct held *j = held_list; j; j = j->next)
			if (j != h && j->slot != SLOT_NONE && same(j, &key)) {
				cnode_delete(CAPADDR(CAPADDR_L1(j->slot), 0), 1,
					     CAPADDR_L2(j->slot));
				held_gone(j);
			}
		cnode_delete(CAPADDR(CAPADDR_L1(h->slot), 0), 1, CAPADDR_L2(h->slot));
		held_gone(h);
		told += mon_send(owner, MON_DEL_NOTIFY, &w) == ERR_OK;
	}
	return told;
}

errval_t capops_release_one(uint64_t base, uint64_t size, uint64_t *told)
{
	bool found = false;
	for (struct held *h = held_list; h; h = h->next)
		found |= h->slot != SLOT_NONE && h->base == base && h->size == size;
	*told = capops_release();
	return found ? ERR_OK : ERR_CAP_NOT_FOUND;
}
