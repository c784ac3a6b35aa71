// SPDX-License-Identifier: MIT
/*
 * Per-core timer and interrupt polling. Each core ticks CONFIG_HZ times a
 * second through stimecmp (Sstc) or SBI TIME. The CPU driver keeps
 * sstatus.SIE clear: it waits with WFI, which wakes on any interrupt enabled
 * in sie regardless of SIE (Privileged Spec 3.3.3), then calls irq_poll().
 * Naps give single-threaded TCG a chance to run other harts: never spin.
 */
#include <arch/csr.h>
#include <arch/sbi.h>

#include "dispatch.h"
#include "irq.h"
#include "kernel.h"

uint64_t ms_to_ticks(uint64_t ms)
{
	return kcb.conf.timebase_hz * ms / 1000;
}

static void timer_program(uint64_t when)
{
	if (kcb.conf.isa & ISA_SSTC)
		csr_write(0x14d, when); /* stimecmp; writing it also clears STIP */
	else
		sbi_set_timer(when);
}

void timer_init(void)
{
	kcb.tick_interval = kcb.conf.timebase_hz / CONFIG_HZ;
	kcb.next_tick = arch_time() + kcb.tick_interval;
	timer_program(kcb.next_tick);
	csr_set(sie, SIE_STIE | SIE_SSIE);
	kcb.timer_ready = true;
}

void irq_poll(void)
{
	uint64_t now = arch_time();
	if (now >= kcb.next_tick) {
		uint64_t missed = (now - kcb.next_tick) / kcb.tick_interval;
		kcb.ticks += 1 + missed;
		kcb.next_tick += (1 + missed) * kcb.tick_interval;
		dispatch_tick();
	}
	/* Re-arm for the next tick; this also clears a nap deadline that fired. */
	timer_program(kcb.next_tick);
	if (csr_read(sip) & SIE_SEIE)
		irq_handle();
	irq_redeliver();
	bool ipi = csr_read(sip) & SIE_SSIE;
	if (ipi) {
		csr_clear(sip, SIE_SSIE);
		kcb.ipis++;
		kcb.ipi_pending = true;
	}
	/* One IPI may be the monitor's and a notification: always both. */
	notify_poll(ipi);
	ipi_deliver();
}

void core_nap(uint64_t until)
{
	if (!kcb.timer_ready)
		return;
	timer_program(until < kcb.next_tick ? until : kcb.next_tick);
	arch_wfi();
	irq_poll();
}
