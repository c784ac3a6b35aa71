// SPDX-License-Identifier: MIT
/* Dispatchers: run queue, round-robin scheduling, entering user mode, LMP. */
#include <string.h>

#include <arch/csr.h>

#include "dispatch.h"
#include "kernel.h"
#include "kprintf.h"
#include "vspace.h"

/* arch/riscv/trap.S: load regs and sret to user mode. */
void __attribute__((noreturn)) arch_user_resume(const struct trap_frame *regs);

struct dcb *dcb_of(const struct capability *disp)
{
	return pa2kva(disp->base);
}

void dispatch_init_object(struct dcb *d)
{
	fp_forget(d);		  /* (a DCB's memory reused: never a stale owner) */
	memset(d, 0, sizeof(*d)); /* FS Off, its FP registers zero */
	d->id = ++kcb.next_domain_id;
	kcb.ndomains++;
}

static void runq_remove(struct dcb *d)
{
	if (d->next == d) {
		kcb.runq = NULL;
	} else {
		d->prev->next = d->next;
		d->next->prev = d->prev;
		if (kcb.runq == d)
			kcb.runq = d->next;
	}
	d->next = d->prev = NULL;
}

void dispatch_make_runnable(struct dcb *d)
{
	if (d->state == DISP_RUNNABLE)
		return;
	d->state = DISP_RUNNABLE;
	if (!kcb.runq) {
		d->next = d->prev = d;
		kcb.runq = d;
	} else { /* insert before the head: last in the round */
		d->next = kcb.runq;
		d->prev = kcb.runq->prev;
		d->prev->next = d;
		kcb.runq->prev = d;
	}
}

static void sleepq_remove(struct dcb *d)
{
	if (!d->sleeping)
		return;
	for (struct dcb **p = &kcb.sleepq; *p; p = &(*p)->sleep_next)
		if (*p == d) {
			*p = d->sleep_next;
			break;
		}
	d->sleeping = 0;
	d->sleep_next = NULL;
}

void dispatch_sleep(struct dcb *d, uint64_t tick)
{
	d->wake_tick = tick;
	d->sleeping = 1;
	d->sleep_next = kcb.sleepq;
	kcb.sleepq = d;
}

void dispatch_tick(void)
{
	struct dcb **p = &kcb.sleepq;
	while (*p) {
		struct dcb *d = *p;
		if (d->wake_tick > kcb.ticks) {
			p = &d->sleep_next;
			continue;
		}
		*p = d->sleep_next;
		d->sleeping = 0;
		d->sleep_next = NULL;
		d->regs.x[REG_A0] = ERR_LMP_EMPTY;
		d->regs.x[REG_A1] = 0;
		d->state = DISP_STOPPED;
		dispatch_make_runnable(d);
	}
}

void dispatch_stop(struct dcb *d, const char *why)
{
	sleepq_remove(d);
	if (d->state == DISP_RUNNABLE)
		runq_remove(d);
	d->state = DISP_STOPPED;
	if (why)
		kprintf("core %u: domain %u stopped: %s\n", kcb.conf.coreid, d->id, why);
}

void dispatch_root_deleted(struct cte *cte)
{
	/* The CTE is either dcb->cspace or dcb->vspace. */
	struct dcb *d = (struct dcb *)((char *)cte - (cte->cap.type == OBJ_L1CNODE
							  ? offsetof(struct dcb, cspace)
							  : offsetof(struct dcb, vspace)));
	if (d->state != DISP_STOPPED)
		dispatch_stop(d, "its cspace or vspace was deleted");
	d->setup = 0;
}

void dispatch_destroyed(struct dcb *d)
{
	kcb.ndomains--;
	dispatch_stop(d, NULL);
	fp_forget(d);
	d->setup = 0;
	if (d->cspace.cap.type != OBJ_NULL)
		caps_delete(&kcb.caps, &d->cspace);
	if (d->vspace.cap.type != OBJ_NULL)
		caps_delete(&kcb.caps, &d->vspace);
}

/* Enter user mode in d. */
void icache_sync(void)
{
	arch_icache_sync();
	kcb.fencei++;
}

static void __attribute__((noreturn)) run(struct dcb *d)
{
	if (!d->ran) { /* its code was written since this core last synced, maybe */
		icache_sync();
		d->ran = 1;
	}
	uint64_t satp = vspace_satp(&d->vspace.cap);
	if (csr_read(satp) != satp) {
		csr_write(satp, satp);
		arch_tlb_flush_all();
	}
	kcb.current = d;
	/* sret to U-mode (SPP = 0) with interrupts taken there (SPIE = 1),
	   and FP on only if the f registers hold its state (fp.c). */
	d->regs.sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SUM | SSTATUS_FS_MASK)) |
			  SSTATUS_SPIE | fp_sstatus_fs(d);
	arch_user_resume(&d->regs);
}

void __attribute__((noreturn)) dispatch_resume_current(void)
{
	struct dcb *d = kcb.current;
	if (d && d->state == DISP_RUNNABLE)
		run(d);
	dispatch_schedule();
}

void __attribute__((noreturn)) dispatch_schedule(void)
{
	for (;;) {
		struct dcb *d = kcb.runq;
		if (d) {
			/* Round robin: the next in the ring after the one that ran. */
			if (kcb.current && kcb.current->state == DISP_RUNNABLE && kcb.current == d)
				d = d->next;
			kcb.runq = d;
			run(d);
		}
		kcb.current = NULL;
		arch_wfi();
		irq_poll();
	}
}

uint32_t lmp_deliver(struct dcb *to, const struct lmp_msg *m, struct cte *cap)
{
	if (!to->setup || to->gone) /* nobody will ever read it: say so */
		return ERR_LMP_NO_RECEIVER;
	if (to->lmp_count == LMP_QUEUE)
		return ERR_LMP_BUF_FULL;
	struct lmp_msg *slot = &to->lmp[(to->lmp_head + to->lmp_count) % LMP_QUEUE];
	*slot = *m;
	slot->has_cap = 0;
	if (cap) {
		struct cte *dest;
		if (!to->recv_slot_set ||
		    caps_lookup(&kcb.caps, &to->cspace.cap, to->recv_slot, 2, &dest) ||
		    dest->cap.type != OBJ_NULL)
			return ERR_LMP_CAP_SLOT;
		errval_t err = caps_copy(&kcb.caps, dest, cap, CAP_RIGHTS_ALL, 0);
		if (err)
			return err;
		slot->has_cap = 1;
		to->recv_slot_set = 0; /* one capability per receive slot */
	}
	to->lmp_count++;
	if (to->state == DISP_BLOCKED) {
		/* Complete its SYS_RECV now. */
		struct lmp_msg *r = &to->lmp[to->lmp_head];
		to->regs.x[REG_A0] = ERR_OK;
		to->regs.x[REG_A1] = r->badge;
		for (int i = 0; i < 4; i++)
			to->regs.x[REG_A2 + i] = r->words[i];
		to->regs.x[REG_A6] = r->has_cap;
		to->lmp_head = (to->lmp_head + 1) % LMP_QUEUE;
		to->lmp_count--;
		sleepq_remove(to);
		to->state = DISP_STOPPED;
		dispatch_make_runnable(to);
	}
	return ERR_OK;
}
