// SPDX-License-Identifier: MIT
/*
 * serial: the console UART's receive side in user space. It maps the UART
 * (TASK_DEV), turns on its receive interrupt, and forwards received bytes
 * to TASK_OUT (the shell) in chunks of up to SERIAL_CHUNK bytes, keeping
 * them until the shell can take them (nothing typed early is lost); each
 * interrupt is acknowledged (IRQ_ACK) once the FIFO is drained. Output
 * still goes through the kernel console (SYS_PRINT). It has a name
 * (serial, ADR 0016) but takes no clients: a bind gets ERR_BIND_NONE.
 */
#include <stdbool.h>
#include <stdio.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/rpc.h>
#include <rt/sys.h>

#define IRQ_BADGE 0x5e71a1

/* ns16550a (reg << shift) */
#define NS_RBR 0
#define NS_IER 1
#define NS_LSR 5
/* SiFive UART */
#define SF_RXDATA 0x04
#define SF_RXCTRL 0x0c
#define SF_IE	  0x10

static volatile uint8_t *uart;
static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static int rx_byte(void)
{
	if (bi->uart_kind == 1) {
		if (!(uart[NS_LSR << bi->uart_reg_shift] & 1))
			return -1;
		return uart[NS_RBR << bi->uart_reg_shift];
	}
	uint32_t v = *(volatile uint32_t *)(uart + SF_RXDATA);
	return (v & (1u << 31)) ? -1 : (int)(v & 0xff);
}

static void rx_enable(void)
{
	if (bi->uart_kind == 1) {
		uart[NS_IER << bi->uart_reg_shift] = 0x01; /* received data available */
	} else {
		*(volatile uint32_t *)(uart + SF_RXCTRL) = 1; /* rxen, watermark 0 */
		*(volatile uint32_t *)(uart + SF_IE) = 2;     /* rxwm */
	}
}

/* An interrupt came while we waited (acknowledged after the next drain). */
static bool irq_pending;

/* Send one chunk to TASK_OUT, however long that takes: while the queue is
   full, let the shell run; while it cannot take messages at all (it has
   not started yet: what was typed before the prompt), look again every
   tick. The bytes are kept, never dropped. */
static void send_chunk(const uint64_t w[4])
{
	errval_t err;
	while ((err = ep_send(CAPADDR(CN_TASK, TASK_OUT), w, CAPADDR_NONE)) != ERR_OK) {
		struct lmp_recv m;
		if (err == ERR_LMP_BUF_FULL)
			sys_yield();
		else if (lmp_recv_timeout(1, &m) == ERR_OK && m.badge == IRQ_BADGE)
			irq_pending = true;
	}
}

static void forward(void)
{
	uint64_t w[4] = {0};
	uint8_t *bytes = (uint8_t *)&w[2];
	int c;
	while ((c = rx_byte()) >= 0) {
		bytes[w[1]++] = (uint8_t)c;
		if (w[1] == SERIAL_CHUNK) {
			send_chunk(w);
			w[1] = 0;
		}
	}
	if (w[1])
		send_chunk(w);
}

/* A bind on our named endpoint (ADR 0016): we take no clients. The
   answer goes on the endpoint that came with it, if one did. */
static void refuse(const struct lmp_recv *m)
{
	uint64_t w[4] = {ERR_BIND_NONE, 0, 0, 0};
	if (!m->has_cap)
		return;
	for (unsigned tries = 0;
	     ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE) == ERR_LMP_BUF_FULL &&
	     tries < 64;
	     tries++)
		sys_yield();
	rpc_drop_cap();
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (bi->uart_kind == 0 || ram_init(CAPADDR(CN_TASK, TASK_RAM)) || win_init())
		return 1;
	uart = win_map(CAPADDR(CN_TASK, TASK_DEV), 1, true);
	capaddr_t ep = slot_alloc();
	if (!uart || ep == SLOT_NONE)
		return 2;
	uart += bi->uart_base & 4095;
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, IRQ_BADGE);
	if (!err)
		err = cap_invoke(CAPADDR(CN_TASK, TASK_IRQ), 2, IRQ_CONNECT, ep, 0, 0, 0, 0).err;
	bool input = !err;
	if (!input)
		/* Say why the shell has no input (ERR_IRQ_UNREACHABLE: the UART's
		   interrupt controller is not one this core drives). serial stays,
		   answering binds: a domain that binds its name must hear
		   ERR_BIND_NONE, not wait for an exited domain's endpoint. */
		printf("serial: no input: the UART's interrupt: %s\n", err_str(err));
	else {
		rx_enable();
		forward(); /* anything typed before we were ready */
	}
	for (;;) {
		struct lmp_recv m;
		if (!irq_pending && lmp_recv(1, &m))
			continue;
		if (!input || (!irq_pending && m.badge != IRQ_BADGE)) {
			if (m.badge == CLIENT_BIND)
				refuse(&m);
			else if (m.has_cap) /* (its receive slot must stay free) */
				rpc_drop_cap();
			continue;
		}
		irq_pending = false;
		forward();
		cap_invoke(CAPADDR(CN_TASK, TASK_IRQ), 2, IRQ_ACK, 0, 0, 0, 0, 0);
	}
}
