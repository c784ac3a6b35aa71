// SPDX-License-Identifier: MIT
/*
 * Kernel trap handling. The CPU driver never enables sstatus.SIE, so any
 * trap that lands here is either a stray interrupt (handled, then resume) or
 * an exception in kernel code: that is a bug, reported with scause, sepc,
 * stval and the core, after which only this core stops (SBI HSM hart_stop);
 * the other cores carry on.
 */
#include <assert.h>

#include <arch/asm.h>
#include <arch/csr.h>
#include <arch/sbi.h>

#include "core.h"
#include "dispatch.h"
#include "kernel.h"
#include "kprintf.h"
#include "trap_frame.h"

extern char trap_entry[];

/* Reads of the counters that may trap (the firmware's mcounteren decides),
   in trap.S: trap_handler() steps over a trapping one and says so. */
void probe_cycle(void);
void probe_time(void);
void probe_instret(void);
static volatile bool probe_trapped;

static bool probe(void (*read)(void))
{
	probe_trapped = false;
	read();
	return !probe_trapped;
}

void trap_init(void)
{
	csr_write(sscratch, 0); /* "in the kernel" for trap.S */
	csr_write(stvec, (uintptr_t)trap_entry);
	/* rdcycle, rdtime and rdinstret in user mode (benchmarks), those we may
	   read ourselves: bootinfo's counters tell programs which. */
	uint64_t en = (probe(probe_cycle) ? SCOUNTEREN_CY : 0) |
		      (probe(probe_time) ? SCOUNTEREN_TM : 0) |
		      (probe(probe_instret) ? SCOUNTEREN_IR : 0);
	csr_write(scounteren, en);
}

static const char *exception_name(uint64_t code)
{
	static const char *const names[] = {
	    [0] = "instruction address misaligned",
	    [1] = "instruction access fault",
	    [2] = "illegal instruction",
	    [3] = "breakpoint",
	    [4] = "load address misaligned",
	    [5] = "load access fault",
	    [6] = "store/AMO address misaligned",
	    [7] = "store/AMO access fault",
	    [8] = "environment call from U-mode",
	    [9] = "environment call from S-mode",
	    [12] = "instruction page fault",
	    [13] = "load page fault",
	    [15] = "store/AMO page fault",
	};
	if (code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "reserved";
}

void __attribute__((noreturn)) core_stop(void)
{
	csr_write(sie, 0);
	console_abandon();
	/* A core that dies before reporting in tells the boot core so. */
	if (kcb.handoff_pa && !kcb.online)
		core_report_in(pa2kva(kcb.handoff_pa), MBOX_STOPPED);
	long err = sbi_hart_stop();
	kprintf("core %u: hart_stop failed (%s), parking\n", kcb.conf.coreid, sbi_strerror(err));
	for (;;)
		arch_wfi();
}

void trap_handler(struct trap_frame *tf)
{
	if (tf->scause & SCAUSE_INTR) {
		irq_poll();
		return;
	}
	if (tf->scause == 2 &&
	    (tf->sepc == (uintptr_t)probe_cycle || /* a counter read */
	     tf->sepc == (uintptr_t)probe_time || tf->sepc == (uintptr_t)probe_instret)) {
		probe_trapped = true;
		tf->sepc += 4;
		return;
	}
	kprintf("core %u hart %u: unexpected trap scause=%#lx (%s) sepc=%#lx stval=%#lx "
		"ra=%#lx sp=%#lx; stopping core %u\n",
		kcb.conf.coreid, kcb.conf.hartid, tf->scause, exception_name(tf->scause), tf->sepc,
		tf->stval, tf->x[1], tf->x[2], kcb.conf.coreid);
	core_stop();
}

void syscall_handle(struct dcb *d);

/* A load, store or AMO fault inside the range the dispatcher catches
   (DISP_CATCH): resume it at its handler instead of stopping it. */
static bool fault_caught(struct dcb *d, const struct trap_frame *tf)
{
	uint64_t c = tf->scause;
	bool data = c == 5 || c == 7 || c == 13 || c == 15;
	if (!data || !d->catch_pc || tf->stval < d->catch_base ||
	    tf->stval - d->catch_base >= d->catch_size)
		return false;
	d->caught++;
	d->regs.x[REG_A0] = tf->stval;
	d->regs.x[REG_A1] = c;
	d->regs.x[REG_A2] = tf->sepc;
	d->regs.sepc = d->catch_pc;
	return true;
}

/* A trap from user mode (trap.S). Never returns: resumes some dispatcher. */
void __attribute__((noreturn)) trap_user(struct trap_frame *tf)
{
	struct dcb *d = kcb.current;
	d->regs = *tf;
	if (tf->scause & SCAUSE_INTR) {
		uint64_t ticks = kcb.ticks;
		irq_poll();
		if (kcb.ticks != ticks)
			dispatch_schedule(); /* time slice over: next in the round */
		dispatch_resume_current();
	}
	if (tf->scause == 8) { /* ecall from U-mode */
		d->regs.sepc += 4;
		syscall_handle(d);
		dispatch_resume_current();
	}
	if (tf->scause == 2 && fp_claim(d)) /* its first FP instruction: retry */
		dispatch_resume_current();
	if (fault_caught(d, tf))
		dispatch_resume_current();
	d->faults++;
	kprintf("core %u: domain %u faulted: scause=%#lx (%s) sepc=%#lx stval=%#lx\n",
		kcb.conf.coreid, d->id, tf->scause, exception_name(tf->scause), tf->sepc,
		tf->stval);
	d->gone = 1;
	dispatch_stop(d, "user fault");
	dispatch_schedule();
}
