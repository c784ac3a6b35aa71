// SPDX-License-Identifier: MIT
/*
 * The kernel console: the SBI legacy console until console_init(), then the
 * UART from /chosen/stdout-path (ns16550a on QEMU virt, SiFive UART on
 * sifive_u and the Unmatched), written by polling.
 *
 * All cores print to one UART, so a line is written under a lock word in
 * the .shared section: the one piece of writable kernel memory that every
 * core touches (ADR 0003). A core that finds the lock taken naps (WFI with
 * a short timer) instead of spinning, so single-threaded TCG lets the holder
 * run; after CONSOLE_LOCK_MS it prints anyway, so a core that died holding
 * the lock cannot silence the others (a core that stops releases it).
 */
#include <arch/csr.h>
#include <arch/sbi.h>

#include "kernel.h"
#include "kprintf.h"

#define CONSOLE_LOCK_MS 10000	/* long: with 128 busy vCPUs under TCG a holder waits its turn */
#define UART_SPIN_LIMIT 1000000 /* polls of a full TX FIFO before dropping a char */

/* ns16550a registers (index << reg_shift) */
#define NS_THR	    0
#define NS_LSR	    5
#define NS_LSR_THRE 0x20
/* SiFive UART (FU540/FU740 manual, chapter 13) */
#define SIFIVE_TXDATA	   0x00
#define SIFIVE_TXDATA_FULL (1u << 31)
#define SIFIVE_TXCTRL	   0x08
#define SIFIVE_TXCTRL_TXEN 1u

/* Shared by all cores: holder's coreid + 1, or 0. Own cache line. */
static uint32_t console_lock __attribute__((section(".shared"), aligned(64)));

/* Per core (private .bss): which device this core writes to. */
static struct plat_uart uart;
static volatile uint8_t *uart_regs;

void console_init(const struct plat_uart *u)
{
	if (u->kind == UART_NONE)
		return;
	uart = *u;
	uart_regs = pa2kva(u->base);
	if (uart.kind == UART_SIFIVE) {
		volatile uint32_t *txctrl = (volatile uint32_t *)(uart_regs + SIFIVE_TXCTRL);
		*txctrl |= SIFIVE_TXCTRL_TXEN;
	}
}

static void uart_putc(char c)
{
	if (!uart_regs) {
		sbi_console_putchar(c);
		return;
	}
	if (uart.kind == UART_NS16550A) {
		volatile uint8_t *lsr = uart_regs + (NS_LSR << uart.reg_shift);
		for (int i = 0; i < UART_SPIN_LIMIT && !(*lsr & NS_LSR_THRE); i++)
			;
		uart_regs[NS_THR << uart.reg_shift] = (uint8_t)c;
	} else {
		volatile uint32_t *tx = (volatile uint32_t *)(uart_regs + SIFIVE_TXDATA);
		for (int i = 0; i < UART_SPIN_LIMIT && (*tx & SIFIVE_TXDATA_FULL); i++)
			;
		*tx = (uint8_t)c;
	}
}

/* Take the lock if free; returns the previous holder (0 = we took it). */
static uint32_t lock_try(uint32_t me)
{
	uint32_t prev = 0;
	__atomic_compare_exchange_n(&console_lock, &prev, me, false, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return prev;
}

/* Returns true if we took the lock (and must release it). */
static bool console_acquire(void)
{
	uint32_t me = kcb.conf.coreid + 1;
	uint64_t start = arch_time();
	uint64_t limit = kcb.conf.timebase_hz ? ms_to_ticks(CONSOLE_LOCK_MS) : 0;
	for (;;) {
		uint32_t prev = lock_try(me);
		if (prev == 0)
			return true;
		if (prev == me)
			return false; /* re-entered, e.g. a trap while printing */
		uint64_t now = arch_time();
		if (now - start > limit)
			return false;
		if (kcb.timer_ready)
			core_nap(now + limit / 50 + 1);
	}
}

static void console_release(void)
{
	/* Pairs with the acquire in lock_try(): our UART writes happen before. */
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void console_abandon(void)
{
	uint32_t me = kcb.conf.coreid + 1;
	__atomic_compare_exchange_n(&console_lock, &me, 0, false, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
}

static void console_write(const char *s)
{
	bool locked = console_acquire();
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
	if (locked)
		console_release();
}

void kprintf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line);
}
