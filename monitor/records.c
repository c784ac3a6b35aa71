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
