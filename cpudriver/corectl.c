// SPDX-License-Identifier: MIT
/*
 * Starting cores for monitor 0 (ADR 0005): the mechanism behind
 * KERNEL_CORE_START and KERNEL_CORE_STATUS. The policy (which cores, how
 * long to wait, how often to retry, what to print) is monitor 0's.
 *
 * Each core's memory, in this order: its kernel memory (core_mem_size():
 * handoff page, private .data/.bss), its monitor's channel page, its
 * monitor's build memory and RAM: all the rest of the RAM monitor 0 gives
 * (at least corectl_block_size(), more when monitor 0's policy says so:
 * the core's domains live in it). The kernel
 * part becomes a KCB capability and the monitor part a RAM capability, both
 * in CTEs of this file, marked remote so that no delete or revoke on this
 * core can free them while the core may be running; the channel page
 * becomes a Frame in monitor 0's cspace.
 */
#include <string.h>

#include <arch/csr.h> /* (on the host: makes fence a no-op) */
#include <arch/sbi.h>

#include "core.h"
#include "corectl.h"
#include "kprintf.h"

struct core_slot {
	struct kconf conf; /* prepared by the boot core (boot.c) */
	bool assigned;	   /* the platform gave this core id a hart */
	uint8_t state;	   /* enum kcore_state */
	unsigned tries;
	paddr_t mem;
	size_t size; /* of the block at mem */
};

static struct core_slot slots[CONFIG_MAX_CORES];
static struct cte kcbs[CONFIG_MAX_CORES]; /* the KCB of each started core */
static struct cte umem[CONFIG_MAX_CORES]; /* and its monitor's memory (RAM) */

size_t corectl_block_size(void)
{
	return core_mem_size() + PAGE_SIZE + MONITOR_BUILD_MEM + MONITOR_RAM;
}

void corectl_prepare(const struct kconf *conf)
{
	if (conf->coreid == 0 || conf->coreid >= CONFIG_MAX_CORES)
		return;
	slots[conf->coreid] = (struct core_slot){.conf = *conf, .assigned = true};
}

static long start_hart(struct core_slot *s)
{
	struct core_user u = kcb.user;
	s->conf.attempt = ++s->tries;
	u.chan = s->mem + core_mem_size();
	u.mem = u.chan + PAGE_SIZE;
	u.ram_size = s->size - core_mem_size() - PAGE_SIZE - MONITOR_BUILD_MEM;
	return core_start(&s->conf, &u, s->mem, core_mem_size());
}

errval_t corectl_start(uint64_t core, struct cte *ram, struct cte *chan_slot, long *sbi_err)
{
	if (core == 0 || core >= CONFIG_MAX_CORES || !slots[core].assigned)
		return ERR_CORE_NONE;
	struct core_slot *s = &slots[core];
	*sbi_err = 0;
	if (s->state == KCORE_LOST) { /* the same memory, another attempt */
		*sbi_err = start_hart(s);
		s->state = *sbi_err ? KCORE_STOPPED : KCORE_WAITING;
		return *sbi_err ? ERR_CORE_START : ERR_OK;
	}
	if (s->state != KCORE_NONE)
		return ERR_CORE_STATE;
	if (!ram || ram->cap.type != OBJ_RAM)
		return ERR_CAP_TYPE;
	if (!(ram->cap.rights & CAP_RIGHT_WRITE))
		return ERR_CAP_RIGHTS;
	if (chan_slot->cap.type != OBJ_NULL)
		return ERR_CAP_OCCUPIED;
	/* The whole capability: what is beyond the minimum is its monitor's. */
	size_t size = ram->cap.size;
	if (size < corectl_block_size())
		return ERR_CAP_SIZE;
	if (ram->cap.base + size > s->conf.physmap_end)
		return ERR_CAP_RANGE; /* the new core could not map its own memory */
	/* The kernel's part is a KCB; the monitor's part stays RAM (its domains'
	   frames may be shared with core 0 and copies must nest in it). Both are
	   kept here; the channel page is a Frame for monitor 0. */
	struct cte *k = &kcbs[core], *u = &umem[core];
	size_t kmem = core_mem_size();
	errval_t err = caps_retype(&kcb.caps, ram, OBJ_KCB, 0, kmem, 1, k);
	if (err)
		return err;
	err = caps_retype(&kcb.caps, ram, OBJ_FRAME, kmem, PAGE_SIZE, 1, chan_slot);
	if (!err)
		err = caps_retype(&kcb.caps, ram, OBJ_RAM, kmem + PAGE_SIZE,
				  size - kmem - PAGE_SIZE, 1, u);
	if (!err) {
		s->mem = k->cap.base;
		s->size = size;
		*sbi_err = start_hart(s);
		err = *sbi_err ? ERR_CORE_START : ERR_OK;
	}
	if (err) { /* nothing started: the memory comes back */
		caps_delete(&kcb.caps, u);
		caps_delete(&kcb.caps, chan_slot);
		caps_delete(&kcb.caps, k);
		s->mem = 0;
		s->tries = 0;
		return err;
	}
	caps_set_remote(k, 1);
	caps_set_remote(u, 1);
	s->state = KCORE_WAITING;
	return ERR_OK;
}

uint64_t corectl_status(uint64_t core, uint64_t *hart, uint64_t *tries)
{
	if (core == 0)
		return *hart = kcb.conf.hartid, *tries = 1, KCORE_ONLINE;
	if (core >= CONFIG_MAX_CORES || !slots[core].assigned)
		return *hart = 0, *tries = 0, KCORE_NONE;
	struct core_slot *s = &slots[core];
	*hart = s->conf.hartid;
	*tries = s->tries;
	if (s->state != KCORE_WAITING)
		return s->state;
	const struct core_mailbox *m = core_mailbox(s->mem);
	uint32_t seq = __atomic_load_n(&m->seq, __ATOMIC_RELAXED);
	if (seq != MBOX_EMPTY) {
		/* Pairs with the sender's fence w,w. */
		__asm__ volatile("fence r, r" ::: "memory");
		if (m->coreid != s->conf.coreid || m->hartid != s->conf.hartid)
			kprintf("reef: core %u's mailbox names core %u hart %u\n", s->conf.coreid,
				m->coreid, m->hartid);
		s->state = seq == MBOX_ONLINE ? KCORE_ONLINE : KCORE_STOPPED;
	} else if (sbi_hart_status(s->conf.hartid) == SBI_HSM_STOPPED) {
		s->state = KCORE_LOST; /* back in the firmware without a word */
	}
	return s->state;
}
