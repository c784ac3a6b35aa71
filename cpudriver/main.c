// SPDX-License-Identifier: MIT
/* The life of a core after its MMU is on: bring-up, report in, idle. */
#include <arch/csr.h>
#include <arch/kpt.h>
#include <arch/sbi.h>

#include "core.h"
#include "dispatch.h"
#include "initdomain.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"

struct kcb kcb;

void core_report_online(void)
{
	const struct kconf *c = &kcb.conf;
	struct plat_cpu cpu = {.xlen = 64, .isa = c->isa};
	char isa[32];
	platform_isa_str(&cpu, isa, sizeof(isa));
	kprintf("core %u online hart %u isa %s timer %s\n", c->coreid, c->hartid, isa,
		(c->isa & ISA_SSTC) ? "sstc" : "sbi");
}

void __attribute__((noreturn)) core_idle(void)
{
	for (;;) {
		arch_wfi();
		irq_poll();
	}
}

/* Build this core's monitor in the memory the boot core set aside. */
static bool secondary_monitor(void)
{
	const struct core_user *u = &kcb.user;
	static paddr_t chans[CONFIG_MAX_CORES];
	chans[0] = u->chan;
	struct domain_spec spec = {.build = u->mem,
				   .build_size = MONITOR_BUILD_MEM,
				   .ram = u->mem + MONITOR_BUILD_MEM,
				   .ram_size = u->ram_size,
				   .chans = chans};
	return u->mem && initdomain_create(&spec);
}

/* Called from entry.S on a hart started by core_start(). */
void __attribute__((noreturn)) secondary_main(hartid_t hartid, paddr_t handoff_pa)
{
	struct core_handoff *h = pa2kva(handoff_pa);
	kcb.conf = h->conf;
	kcb.user = h->user;
	kcb.handoff_pa = handoff_pa;
	kcb.priv_pa = handoff_pa + PAGE_SIZE;
	trap_init();
	icache_sync(); /* (entry.S did, before its first fetch here; counted) */
	kpt_drop_trampoline(kcb.conf.image_pa);
	console_init(&kcb.conf.uart);
	if (hartid != kcb.conf.hartid) {
		kprintf("core %u: started on hart %u, expected hart %u; stopping\n",
			kcb.conf.coreid, hartid, kcb.conf.hartid);
		core_stop();
	}
	timer_init();
	irq_init();
	if (kcb.conf.test_hook == HOOK_CRASH)
		__asm__ volatile("unimp");
	if (kcb.conf.test_hook == HOOK_STOP_ONCE && kcb.conf.attempt == 1)
		sbi_hart_stop(); /* silently, like a hart the firmware sent astray */
	capsys_init();
	core_report_online();
	kcb.online = true;
	core_report_in(h, MBOX_ONLINE);
	if (secondary_monitor())
		dispatch_schedule();
	core_idle();
}
