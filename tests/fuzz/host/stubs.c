// SPDX-License-Identifier: MIT
/*
 * Host stand-ins for what the CPU driver gets from assembly, the linker
 * script, SBI, the timer and boot.c, so that syscall.c, capsys.c, vspace.c,
 * dispatch.c, irq.c, console.c, kprintf.c and arch/riscv/trap.c link on the
 * host unmodified (tests/fuzz/fuzz_syscall.c).
 *
 *   arch_user_resume (trap.S: sret)    jump back: HOST_USER, remembering the frame
 *   WFI (arch/csr.h stand-in)          jump back: HOST_IDLE
 *   kernel_poweroff (boot.c)           jump back: HOST_POWEROFF
 *   irq_poll (timer.c)                 a timer tick (dispatch_tick) or a notification
 *                                      IPI (ipi_deliver) when the harness asks for one
 *   sbi_send_ipi                       counted, nothing sent (one core)
 *   CSRs                               a small table; time counts up
 *   SBI console                        dropped (stderr with REEF_FUZZ_VERBOSE=1)
 *   core_start                         fails (SBI_ERR_FAILED): KERNEL_CORE_START undoes
 *   hart stop, core mailbox            never reached from user space: abort
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/kpt.h>
#include <arch/sbi.h>

#include "core.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"

#include "host.h"

struct kcb kcb;
struct kpt kpt;
char trap_entry[4];

void *host_jmp[5];
enum host_exit host_exit;
const struct trap_frame *host_resumed;
unsigned host_poweroff_status;
int host_tick_pending;
int host_ipi_pending;
unsigned long host_ipis_sent;
int host_verbose;

void host_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz_syscall: KERNEL BUG: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* ---- CSRs ---- */

static const char *const csr_names[] = {"satp", "sstatus", "sie", "sip", "sscratch", "stvec"};
static unsigned long csr_vals[sizeof(csr_names) / sizeof(csr_names[0])];
static unsigned long time_now;

static unsigned long *csr(const char *name)
{
	for (unsigned i = 0; i < sizeof(csr_names) / sizeof(csr_names[0]); i++)
		if (!strcmp(name, csr_names[i]))
			return &csr_vals[i];
	host_panic("unexpected CSR %s", name);
}

unsigned long host_csr_read(const char *name)
{
	if (!strcmp(name, "time"))
		return time_now += 1000;
	return *csr(name);
}

void host_csr_write(const char *name, unsigned long v)
{
	*csr(name) = v;
}

void host_csr_set(const char *name, unsigned long v)
{
	*csr(name) |= v;
}

void host_csr_clear(const char *name, unsigned long v)
{
	*csr(name) &= ~v;
}

void host_reset(void)
{
	memset(csr_vals, 0, sizeof(csr_vals));
	time_now = 0;
	host_tick_pending = host_ipi_pending = 0;
	host_ipis_sent = 0;
}

/* ---- leaving the kernel (not instrumented: no second handle_no_return) ---- */

#define LEAVE(how)                                                                                 \
	do {                                                                                       \
		host_exit = (how);                                                                 \
		__builtin_longjmp(host_jmp, 1);                                                    \
	} while (0)

__attribute__((no_sanitize("address"))) void arch_user_resume(const struct trap_frame *regs)
{
	host_resumed = regs;
	LEAVE(HOST_USER);
}

__attribute__((no_sanitize("address"))) void host_wfi(void)
{
	LEAVE(HOST_IDLE);
}

__attribute__((no_sanitize("address"))) void kernel_poweroff(unsigned status)
{
	host_poweroff_status = status;
	LEAVE(HOST_POWEROFF);
}

/* ---- trap.S: the counter reads trap_init() tries (none traps here) ---- */

void probe_cycle(void)
{
}

void probe_time(void)
{
}

void probe_instret(void)
{
}

/* ---- timer.c ---- */

/* As timer.c's irq_poll(), with the timer and the IPI the harness asked for. */
/* arch/riscv/fp.S: no f registers on the host; the state stays as it is. */
void fp_save(struct fp_state *s)
{
	(void)s;
}

void fp_load(const struct fp_state *s)
{
	(void)s;
}

void irq_poll(void)
{
	if (host_tick_pending) {
		host_tick_pending = 0;
		kcb.ticks++;
		dispatch_tick();
	}
	bool ipi = host_ipi_pending;
	if (ipi) {
		host_ipi_pending = 0;
		kcb.ipis++;
		kcb.ipi_pending = true;
	}
	notify_poll(ipi);
	ipi_deliver();
}

uint64_t ms_to_ticks(uint64_t ms)
{
	return kcb.conf.timebase_hz * ms / 1000;
}

void core_nap(uint64_t until)
{
	(void)until;
}

/* ---- SBI and core bring-up: only the console is expected ---- */

void sbi_console_putchar(int ch)
{
	if (host_verbose)
		fputc(ch, stderr);
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	(void)hart_mask;
	(void)hart_mask_base;
	host_ipis_sent++;
	return SBI_SUCCESS;
}

/* Starting a core (corectl.c): the hart never starts here, so every
   KERNEL_CORE_START takes its undo path and corectl's tables stay empty
   between inputs (they are not part of the snapshot). */
size_t core_mem_size(void)
{
	return 16 * 4096;
}

long core_start(const struct kconf *conf, const struct core_user *user, paddr_t mem,
		size_t mem_size)
{
	(void)conf;
	(void)user;
	(void)mem;
	(void)mem_size;
	return SBI_ERR_FAILED;
}

const struct core_mailbox *core_mailbox(paddr_t mem)
{
	(void)mem;
	host_panic("core_mailbox(): no core was started");
}

long sbi_hart_status(unsigned long hartid)
{
	(void)hartid;
	host_panic("sbi_hart_status(): no core was started");
}

long sbi_hart_stop(void)
{
	host_panic("core_stop(): the kernel stopped this core");
}

const char *sbi_strerror(long err)
{
	(void)err;
	return "host";
}

void core_report_in(struct core_handoff *h, enum core_mbox_state state)
{
	(void)h;
	host_panic("core_report_in(%d) from a running core", (int)state);
}
