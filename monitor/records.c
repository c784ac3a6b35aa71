// SPDX-License-Identifier: MIT
/*
 * The records of capabilities across cores (records.h): objects this
 * monitor owns and shared, with their anchors (its own copy, marked
 * remote in the kernel, so that no local delete or revoke can take the
 * object or an ancestor away while other cores may still hold it), and
 * the copies it holds of other cores' objects. The kernel operations a
 * revoke and a release run on them live here too. Nothing here sends a
 * request or waits; capops_release tells owners (MON_DEL_NOTIFY), which
 * needs no answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/faults.h>
#include <rt/mem.h>

#include "monitor.h"
#include "ops.h"
#include "records.h"

/* Frames other cores shared, mapped to read them: windows of 512 pages
   from GiB 16 on, one more each time those are full. */
#define PROBE_VA      (16ul << 30)
#define PROBE_WINDOWS 64

struct shared *shared_list;
struct held *held_list;
static struct vregion *probes[PROBE_WINDOWS];

void slot_drop(capaddr_t slot)
{
	cnode_delete(CAPADDR(CAPADDR_L1(slot), 0), 1, CAPADDR_L2(slot));
	slot_free(slot);
}

struct shared *shared_find(uint8_t type, uint64_t base, uint64_t size)
{
	for (struct shared *s = shared_list; s; s = s->next)
		if (s->used && s->type == type && s->base == base && s->size == size)
			return s;
	return NULL;
}

struct shared *shared_new(void)
{
	if (fault_now())
		return NULL;
	struct shared *s = shared_list;
	while (s && s->used)
		s = s->next;
	if (!s) {
		if (!(s = calloc(1, sizeof(*s))))
			return NULL;
		s->next = shared_list;
		shared_list = s;
	}
	struct shared *next = s->next;
	*s = (struct shared){.next = next, .used = true};
	return s;
}

void shared_drop(struct shared *s)
{
	cap_invoke(MON_KERNEL, 2, KERNEL_CAP_REMOTE, s->anchor, 0, 0, 0, 0);
	slot_drop(s->anchor);
	s->used = false;
}

bool shared_covered(const struct shared *s, const struct cap_info *ci)
{
	if (s->base < ci->base || s->base + s->size > ci->base + ci->size)
		return false;
	return s->size < ci->size || s->type >= ci->type;
}

void shared_delivered(struct shared *s, unsigned k)
{
	cs_del(&s->gone, k);
}

void shared_apply_gone(void)
{
	for (struct shared *s = shared_list; s; s = s->next) {
		if (!s->used || cs_empty(&s->gone) || op_locked(s->base, s->size))
			continue;
		cs_andnot(&s->cores, &s->gone);
		s->gone = (struct coreset){{0}};
		if (cs_empty(&s->cores))
			shared_drop(s);
	}
}

/* MON_DEL_NOTIFY: applied at once, or when the operation in progress on
   the object is done; a copy to that core delivered meanwhile cancels it
   (shared_delivered). */
void shared_del_notify(unsigned from, const uint64_t *w)
{
	struct shared *s = shared_find((uint8_t)w[1], w[2], w[3]);
	if (!s || !cs_has(&s->cores, from))
		return;
	cs_add(&s->gone, from);
	shared_apply_gone();
}

struct held *held_new(void)
{
	if (fault_now())
		return NULL;
	struct held *h = held_list;
	for (; h; h = h->next) {
		struct cap_info ci;
		if (h->slot != SLOT_NONE && cap_identify(h->slot, &ci) == ERR_CAP_EMPTY)
			held_gone(h); /* revoked from under us */
		if (h->slot == SLOT_NONE)
			return h;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return NULL;
	h->slot = SLOT_NONE;
	h->next = held_list;
	held_list = h;
	return h;
}

void held_gone(struct held *h)
{
	if (h->win)
		vregion_unmap(probes[h->win - 1], h->slot);
	h->win = 0;
	slot_free(h->slot);
	h->slot = SLOT_NONE;
}

uint64_t held_probe(struct held *h)
{
	const volatile uint64_t *p = NULL;
	for (unsigned i = 0; !p && i < PROBE_WINDOWS; i++) {
		if (!probes[i] && (probes[i] = malloc(sizeof(*probes[i]))) &&
		    vregion_init(probes[i], PROBE_VA + ((uint64_t)i << 30))) {
			free(probes[i]);
			probes[i] = NULL;
		}
		if (!probes[i])
			break;
		if ((p = vregion_map(probes[i], h->slot, 1, false)))
			h->win = i + 1;
	}
	return p ? *p : 0;
}

uint64_t held_count_in(uint64_t base, uint64_t size)
{
	uint64_t n = 0;
	for (struct held *h = held_list; h; h = h->next) {
		struct cap_info ci;
		if (h->slot != SLOT_NONE && h->base >= base && h->base + h->size <= base + size &&
		    cap_identify(h->slot, &ci) == ERR_OK)
			n++;
	}
	return n;
}

static unsigned held_count(void)
{
	unsigned n = 0;
	for (struct held *h = held_list; h; h = h->next)
		n += h->slot != SLOT_NONE;
	return n;
}

errval_t cap_make(capaddr_t slot, uint64_t desc, uint64_t base, uint64_t size)
{
	return cap_invoke(MON_KERNEL, 2, KERNEL_CAP_CREATE, CAPADDR(CAPADDR_L1(slot), 0),
			  CAPADDR_L2(slot), desc, base, size)
	    .err;
}

errval_t obj_mark(uint64_t desc, uint64_t base, uint64_t size, bool on)
{
	return cap_invoke(MON_KERNEL, 2, KERNEL_CAP_MARK, (uint8_t)desc, base, size, on, 0).err;
}

errval_t obj_sweep(uint64_t desc, uint64_t base, uint64_t size, uint64_t *deleted)
{
	errval_t r = ERR_NO_SLOTS;
	unsigned before = held_count();
	/* No fault injected: a sweep that fails leaves copies behind, and the
	   object marked, for good. */
	faults_hold();
	capaddr_t s = slot_alloc();
	faults_release();
	if (s != SLOT_NONE) {
		/* A copy of our own making to revoke from: the kernel finds every
		   copy and descendant here, held by us or by anyone else. */
		r = cap_make(s, (desc & 0xffff00ff) | (uint64_t)CAP_RIGHTS_ALL << 8, base, size);
		errval_t err = r;
		while (!err && (err = cnode_revoke(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s))) ==
				   ERR_CAP_PENDING)
			;
		if (!r) {
			r = err;
			cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		}
		slot_free(s);
	}
	for (struct held *h = held_list; h; h = h->next) {
		struct cap_info ci;
		if (h->slot != SLOT_NONE && h->base >= base && h->base + h->size <= base + size &&
		    cap_identify(h->slot, &ci) == ERR_CAP_EMPTY)
			held_gone(h);
	}
	*deleted = before - held_count();
	return r;
}

/*
 * The sweep on the exempt core (docs/protocol.md 4.6), whose domain asked
 * for the revoke and keeps its capability: every descendant of the object
 * here goes (each is an object of the owner that we were delivered and
 * hold a copy of), the copies stay; the domain revokes those itself when
 * we have answered it, as with a local revoke.
 */
errval_t obj_sweep_descendants(uint64_t desc, uint64_t base, uint64_t size, uint64_t *deleted)
{
	errval_t err = ERR_OK;
	*deleted = 0;
	for (struct held *h = held_list; h; h = h->next) {
		if (h->slot == SLOT_NONE || h->base < base || h->base + h->size > base + size ||
		    !(h->size < size || h->type > (uint8_t)desc)) /* lib/caps' descendant rule */
			continue;
		uint64_t n;
		errval_t e = obj_sweep(h->type | (desc & 0xffff0000), h->base, h->size, &n);
		*deleted += n;
		if (!err)
			err = e;
	}
	return err;
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
		uint64_t w[UMP_PAYLOAD] = {0, h->type, h->base, h->size};
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
		told += mon_send(owner, MON_DEL_NOTIFY, w) == ERR_OK;
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
