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
 *
 * Under the lock the console also remembers whose line is open, so that a
 * line is never continued by somebody else's text, and domains' lines get
 * their [core.domain] tag (conline.c, ADR 0013).
 */
#include <string.h>

#include <arch/csr.h>
#include <arch/sbi.h>

#include "conline.h"
#include "kernel.h"
#include "kprintf.h"

#define CONSOLE_LOCK_MS 10000	/* long: with 128 busy vCPUs under TCG a holder waits its turn */
#define UART_TX_MS	100	/* a full TX FIFO this long: the UART is stuck, write on */
#define UART_SPIN_LIMIT 1000000 /* the same in polls, before the timer is known */

/* ns16550a registers (index << reg_shift) */
#define NS_THR	    0
#define NS_LSR	    5
#define NS_LSR_THRE 0x20
/* SiFive UART (FU540/FU740 manual, chapter 13) */
#define SIFIVE_TXDATA	   0x00
#define SIFIVE_TXDATA_FULL (1u << 31)
#define SIFIVE_TXCTRL	   0x08
#define SIFIVE_TXCTRL_TXEN 1u

/* Shared by all cores, one cache line: the lock word (holder's coreid + 1,
   or 0) and the writer whose line is open (conline.h), written only by the
   lock's holder. */
static struct {
	uint32_t lock;
	uint64_t open;
} console_shared __attribute__((section(".shared"), aligned(64)));
#define console_lock (console_shared.lock)

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

static bool uart_tx_ready(void)
{
	if (uart.kind == UART_NS16550A)
		return uart_regs[NS_LSR << uart.reg_shift] & NS_LSR_THRE;
	return !(*(volatile uint32_t *)(uart_regs + SIFIVE_TXDATA) & SIFIVE_TXDATA_FULL);
}

/* Per core: a wait timed out, so later characters do not wait again until
   the UART takes one (a dead UART costs one timeout, not one per char). */
static bool uart_stuck;

/* Wait for room by time, not by a count of polls: under 128 busy vCPUs a
   poll is slow, and a dropped character may be a line's newline. */
static void uart_tx_wait(void)
{
	if (uart_tx_ready()) {
		uart_stuck = false;
		return;
	}
	if (uart_stuck)
		return;
	uint64_t limit = kcb.conf.timebase_hz ? ms_to_ticks(UART_TX_MS) : 0;
	uint64_t start = arch_time();
	for (unsigned i = 0; !uart_tx_ready(); i++) {
		if (limit ? arch_time() - start > limit : i > UART_SPIN_LIMIT) {
			uart_stuck = true;
			return;
		}
	}
}

static void uart_putc(char c)
{
	if (!uart_regs) {
		sbi_console_putchar(c);
		return;
	}
	uart_tx_wait();
	if (uart.kind == UART_NS16550A)
		uart_regs[NS_THR << uart.reg_shift] = (uint8_t)c;
	else
		*(volatile uint32_t *)(uart_regs + SIFIVE_TXDATA) = (uint8_t)c;
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

static void console_put(char c, void *arg)
{
	(void)arg;
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

void console_print(uint32_t domain, const char *tag, const char *s)
{
	bool locked = console_acquire();
	conline_write(&console_shared.open, conline_writer(kcb.conf.coreid, domain), tag, s,
		      console_put, NULL);
	if (locked)
		console_release();
}

void kprintf(const char *fmt, ...)
{
	char line[KPRINTF_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A line cut short keeps its end: "...\n" where the format ended one,
	   so what follows does not run into it (boot.sh reads lines). */
	size_t f = strlen(fmt);
	if (n >= (int)sizeof(line) && f && fmt[f - 1] == '\n')
		memcpy(line + sizeof(line) - 5, "...\n", 5);
	console_print(0, NULL, line);
}
