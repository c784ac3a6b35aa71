/* SPDX-License-Identifier: MIT */
/*
 * What a monitor knows of capabilities across cores (records.c): the
 * records of objects it owns and shared (with their anchors), the copies it
 * holds of other cores' objects, and the kernel operations on them. Both
 * tables grow from the heap; a record's memory is kept for reuse, so a
 * pointer to one stays valid while an operation waits.
 *
 * Layer: above the transport and the operation engine (only for its
 * locks), below the capability operations.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/errors.h>
#include <abi/monitor.h>
#include <rt/sys.h>

#include "coreset.h"

/* An object this monitor owns and shared with other cores. */
struct shared {
	struct shared *next;
	bool used;
	uint8_t type;
	uint64_t base, size;
	struct coreset cores; /* the cores that may hold a copy or a descendant */
	struct coreset gone;  /* cores that said MON_DEL_NOTIFY while it was locked */
	capaddr_t anchor;     /* our copy, marked remote in the kernel */
};

/* A copy this monitor holds of another core's object. */
struct held {
	struct held *next;
	capaddr_t slot; /* ours (slot_alloc), SLOT_NONE: free */
	bool pin;	/* held for no domain: kept until revoked */
	uint8_t type;
	uint16_t owner; /* the core that delivered it */
	uint8_t win;	/* mapped in probe window win - 1 (0: not mapped) */
	uint64_t base, size;
};

extern struct shared *shared_list; /* walk with `if (!s->used) continue` */
extern struct held *held_list;	   /* walk with `if (h->slot == SLOT_NONE) continue` */

struct shared *shared_find(uint8_t type, uint64_t base, uint64_t size);
/* A free record, NULL when memory ran out. */
struct shared *shared_new(void);
/* The record goes: unmark and delete its anchor. */
void shared_drop(struct shared *s);
/* Is s a copy or a descendant of ci (lib/caps' rule)? */
bool shared_covered(const struct shared *s, const struct cap_info *ci);
/* A copy reached core k (or may have): k holds one, whatever k said before. */
void shared_delivered(struct shared *s, unsigned k);
/* Take the cores that hold nothing any more out of the sets of records no
   operation has locked; records whose set is empty go. */
void shared_apply_gone(void);

/* A free place for a held copy (memory from the heap); NULL: none. */
struct held *held_new(void);
/* A held capability went: its mapping and slot are ours again. */
void held_gone(struct held *h);
/* Map the frame h holds and read its first word (0 if it cannot). It stays
   mapped: a revoke must take the mapping away. */
uint64_t held_probe(struct held *h);
/* How many capabilities we hold inside [base, base + size). */
uint64_t held_count_in(uint64_t base, uint64_t size);

/* KERNEL_CAP_CREATE into slot: desc = type | rights << 8 | owner << 16. */
errval_t cap_make(capaddr_t slot, uint64_t desc, uint64_t base, uint64_t size);
/* Mark (on) or unmark the object desc, base, size here (KERNEL_CAP_MARK). */
errval_t obj_mark(uint64_t desc, uint64_t base, uint64_t size, bool on);
/* Delete every copy and descendant of the object here (*deleted: how many
   of our held copies went); only its descendants on the exempt core. */
errval_t obj_sweep(uint64_t desc, uint64_t base, uint64_t size, uint64_t *deleted);
errval_t obj_sweep_descendants(uint64_t desc, uint64_t base, uint64_t size, uint64_t *deleted);

/* Give back what nothing on this core holds any more: delete our copies,
   tell each owner (MON_DEL_NOTIFY). Returns how many owners were told. */
unsigned capops_release(void);
/* MONITOR_RELEASE: a domain here deleted its copies of base, size. */
errval_t capops_release_one(uint64_t base, uint64_t size, uint64_t *told);
/* MON_DEL_NOTIFY from core k. */
void shared_del_notify(unsigned from, const struct mon_del_notify *m);

/* Delete the capability in slot and free the slot. */
void slot_drop(capaddr_t slot);
