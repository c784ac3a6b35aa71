// SPDX-License-Identifier: MIT
/* PLIC driver and IRQ capabilities (include/irq.h). */
#include <stddef.h>

#include <arch/csr.h>
#include <arch/sbi.h>

#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"

/* Per core (private .bss). */
static volatile uint8_t *plic;
static uint32_t plic_ndev;
static int32_t plic_ctx = -1;
static struct cte bound[IRQ_MAX]; /* endpoint copies, OBJ_NULL when unbound */

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(plic + off);
}

static void line_enable(uint32_t irq, bool on)
{
	volatile uint32_t *en = reg(PLIC_ENABLE(plic_ctx) + 4 * (irq / 32));
	if (on)
		*en |= 1u << (irq % 32);
	else
		*en &= ~(1u << (irq % 32));
}

void irq_init(paddr_t base, uint32_t ndev, int32_t ctx)
{
	if (!base || ctx < 0)
		return;
	plic = pa2kva(base);
	plic_ndev = ndev < IRQ_MAX ? ndev : IRQ_MAX - 1;
	plic_ctx = ctx;
	for (uint32_t irq = 1; irq <= plic_ndev; irq++)
		line_enable(irq, false);
	*reg(PLIC_THRESHOLD(ctx)) = 0;
	csr_set(sie, SIE_SEIE);
}

void irq_handle(void)
{
	if (plic_ctx < 0)
		return;
	uint32_t irq;
	while ((irq = *reg(PLIC_CLAIM(plic_ctx))) != 0) {
		struct lmp_msg m = {.words = {irq}};
		if (irq <= plic_ndev && bound[irq].cap.type == OBJ_ENDPOINT) {
			m.badge = bound[irq].cap.badge;
			if (lmp_deliver(dcb_of(&bound[irq].cap), &m, NULL) == ERR_OK)
				continue; /* completed by IRQ_ACK */
		}
		*reg(PLIC_CLAIM(plic_ctx)) = irq; /* nobody to tell: complete it */
	}
}

static errval_t line_of(const struct capability *irq, uint32_t *line)
{
	if (plic_ctx < 0 || irq->base == 0 || irq->base > plic_ndev)
		return ERR_IRQ_NUMBER;
	*line = (uint32_t)irq->base;
	return ERR_OK;
}

errval_t irq_connect(const struct capability *irq, struct cte *ep)
{
	uint32_t line;
	errval_t err = line_of(irq, &line);
	if (err)
		return err;
	if (ep->cap.type != OBJ_ENDPOINT)
		return ERR_CAP_TYPE;
	if (bound[line].cap.type != OBJ_NULL)
		return ERR_IRQ_IN_USE;
	err = caps_copy(&kcb.caps, &bound[line], ep, CAP_RIGHTS_ALL, 0);
	if (err)
		return err;
	bound[line].cap.flags |= CAPF_IRQ_BINDING;
	*reg(PLIC_PRIORITY(line)) = 1;
	line_enable(line, true);
	return ERR_OK;
}

errval_t irq_ack(const struct capability *irq)
{
	uint32_t line;
	errval_t err = line_of(irq, &line);
	if (err)
		return err;
	*reg(PLIC_CLAIM(plic_ctx)) = line;
	return ERR_OK;
}

void irq_binding_deleted(struct cte *cte)
{
	if (cte == &kcb.ipi_ep)
		return; /* notifications stop with it */
	size_t line = (size_t)(cte - bound);
	if (line < IRQ_MAX && plic_ctx >= 0)
		line_enable((uint32_t)line, false);
}

/*
 * Notification IPIs between monitors. The sender's kernel raises the
 * receiver's supervisor software interrupt through SBI; the receiver's
 * kernel turns it into one LMP message on the bound endpoint. IPIs that
 * arrive while a notification is still queued are merged into it: the
 * message only says "look at your channels".
 */
errval_t ipi_bind(struct cte *ep)
{
	if (ep->cap.type != OBJ_ENDPOINT)
		return ERR_CAP_TYPE;
	if (kcb.ipi_ep.cap.type != OBJ_NULL)
		return ERR_IRQ_IN_USE;
	errval_t err = caps_copy(&kcb.caps, &kcb.ipi_ep, ep, CAP_RIGHTS_ALL, 0);
	if (!err)
		kcb.ipi_ep.cap.flags |= CAPF_IRQ_BINDING;
	return err;
}

errval_t ipi_notify(uint64_t core)
{
	if (core >= kcb.user.ncores || core >= CONFIG_MAX_CORES)
		return ERR_CORE_NONE;
	hartid_t h = kcb.user.harts[core];
	/* The channel writes before the doorbell (pairs with the receiver's
	   fence in lib/chan after it wakes). */
	__asm__ volatile("fence rw, rw" ::: "memory");
	sbi_send_ipi(1ul << (h % 64), h - h % 64);
	return ERR_OK;
}

void ipi_deliver(void)
{
	if (!kcb.ipi_pending || kcb.ipi_ep.cap.type != OBJ_ENDPOINT)
		return;
	struct lmp_msg m = {.badge = kcb.ipi_ep.cap.badge};
	/* A full queue means the monitor is busy and will look anyway. */
	if (lmp_deliver(dcb_of(&kcb.ipi_ep.cap), &m, NULL) != ERR_LMP_NO_RECEIVER)
		kcb.ipi_pending = false;
}
