// SPDX-License-Identifier: MIT
/*
 * Device interrupts through this core's controller, and IRQ capabilities
 * (include/irq.h, ADR 0021). The binding logic below sees the controller
 * through four operations (hw_setup, hw_enable, hw_claim, hw_complete);
 * each has a PLIC and an APLIC (direct mode) version.
 */
#include <stddef.h>

#include <arch/csr.h>
#include <arch/sbi.h>

#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"

/* Per core (private .bss). */
static volatile uint8_t *regs;	  /* the controller, through the physmap */
static uint32_t nsrc;		  /* usable sources 1..nsrc */
static struct cte bound[IRQ_MAX]; /* endpoint copies, OBJ_NULL when unbound */
/* Claimed sources whose message a full queue refused: delivered later. */
static uint64_t undelivered[IRQ_MAX / 64];

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(regs + off);
}

static bool is_plic(void)
{
	return kcb.conf.irq.kind == IRQC_PLIC;
}

struct irq_conf irq_conf_of(const struct platform *p, const struct plat_cpu *c)
{
	struct irq_conf conf = {.kind = IRQC_NONE};
	if (c->irqc < 0 || (unsigned)c->irqc >= p->nirqc || c->irq_ctx < 0)
		return conf;
	const struct plat_irqc *ic = &p->irqc[c->irqc];
	conf.kind = ic->kind;
	conf.index = (uint8_t)c->irqc;
	conf.ndev = ic->ndev;
	conf.ctx = (uint32_t)c->irq_ctx;
	conf.base = ic->base;
	return conf;
}

/*
 * The controller. A PLIC source has a priority, an enable bit per context
 * and a gateway that holds it, once claimed, until it is completed. An
 * APLIC source in direct mode has a mode, a target (hart index and
 * priority) and one enable bit for the domain; a level source claimed
 * there is pending again at once while its device still asserts it, so
 * the kernel masks it when it claims and unmasks it to complete: the same
 * "not again before IRQ_ACK" as the PLIC's gateway.
 */
static uint32_t aplic_mode(uint8_t sense)
{
	switch (sense) {
	case SENSE_LEVEL_LOW:
		return APLIC_SM_LEVEL_LOW;
	case SENSE_EDGE_RISING:
		return APLIC_SM_EDGE_RISE;
	case SENSE_EDGE_FALLING:
		return APLIC_SM_EDGE_FALL;
	default:
		return APLIC_SM_LEVEL_HIGH;
	}
}

static errval_t hw_setup(uint32_t src, uint8_t sense)
{
	if (is_plic()) {
		*reg(PLIC_PRIORITY(src)) = 1;
		return ERR_OK;
	}
	*reg(APLIC_SOURCECFG(src)) = aplic_mode(sense);
	/* A source the M-level domain kept reads back 0 (inactive). */
	if (*reg(APLIC_SOURCECFG(src)) != aplic_mode(sense))
		return ERR_IRQ_NOT_DELEGATED;
	*reg(APLIC_TARGET(src)) = APLIC_TARGET_HART(kcb.conf.irq.ctx) | 1;
	return ERR_OK;
}

static void hw_enable(uint32_t src, bool on)
{
	if (!is_plic()) {
		*reg(on ? APLIC_SETIENUM : APLIC_CLRIENUM) = src;
		return;
	}
	volatile uint32_t *en = reg(PLIC_ENABLE(kcb.conf.irq.ctx) + 4 * (src / 32));
	if (on)
		*en |= 1u << (src % 32);
	else
		*en &= ~(1u << (src % 32));
}

/* The highest-priority pending source for this hart, claimed; 0 if none. */
static uint32_t hw_claim(void)
{
	if (is_plic())
		return *reg(PLIC_CLAIM(kcb.conf.irq.ctx));
	uint32_t src = APLIC_CLAIMI_SRC(*reg(APLIC_IDC(kcb.conf.irq.ctx) + APLIC_CLAIMI));
	if (src)
		*reg(APLIC_CLRIENUM) = src;
	return src;
}

static void hw_complete(uint32_t src)
{
	if (is_plic())
		*reg(PLIC_CLAIM(kcb.conf.irq.ctx)) = src;
	else
		*reg(APLIC_SETIENUM) = src;
}

void irq_init(void)
{
	const struct irq_conf *c = &kcb.conf.irq;
	if (c->kind == IRQC_NONE)
		return;
	regs = pa2kva(c->base);
	nsrc = c->ndev < IRQ_MAX ? c->ndev : IRQ_MAX - 1;
	if (c->kind == IRQC_PLIC) {
		/* Only this context's enables: other cores own theirs. */
		for (uint32_t src = 1; src <= nsrc; src++)
			hw_enable(src, false);
		*reg(PLIC_THRESHOLD(c->ctx)) = 0;
	} else {
		/* The domain's enables are shared by its harts, so a core clears
		   none (they are 0 from reset; the core that connects a source
		   sets it up). Every core of the domain writes the same domaincfg. */
		*reg(APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE;
		*reg(APLIC_IDC(c->ctx) + APLIC_ITHRESHOLD) = 0;
		*reg(APLIC_IDC(c->ctx) + APLIC_IDELIVERY) = 1;
	}
	csr_set(sie, SIE_SEIE);
}

/* Tell src's endpoint; false if its queue is full (the source stays claimed). */
static bool deliver(uint32_t src)
{
	struct lmp_msg m = {.words = {IRQ_NUM(kcb.conf.irq.index, src)},
			    .badge = bound[src].cap.badge};
	return lmp_deliver(dcb_of(&bound[src].cap), &m, NULL) == ERR_OK;
}

void irq_handle(void)
{
	if (kcb.conf.irq.kind == IRQC_NONE)
		return;
	uint32_t src;
	while ((src = hw_claim()) != 0) {
		if (src <= nsrc && bound[src].cap.type == OBJ_ENDPOINT) {
			if (!deliver(src))
				undelivered[src / 64] |= 1ul << (src % 64);
			continue; /* completed by IRQ_ACK */
		}
		/* Nobody to tell (not enabled by us): complete it, and off. */
		hw_complete(src);
		hw_enable(src, false);
	}
}

void irq_redeliver(void)
{
	for (uint32_t w = 0; w < IRQ_MAX / 64; w++)
		for (uint64_t bits = undelivered[w]; bits; bits &= bits - 1) {
			uint32_t src = w * 64 + (uint32_t)__builtin_ctzl(bits);
			if (bound[src].cap.type != OBJ_ENDPOINT || deliver(src))
				undelivered[w] &= ~(1ul << (src % 64));
		}
}

/* The source an IRQ capability names on this core's controller. */
static errval_t source_of(const struct capability *irq, uint32_t *src)
{
	if (kcb.conf.irq.kind == IRQC_NONE)
		return ERR_IRQ_UNREACHABLE;
	if (IRQ_CTRL(irq->base) != kcb.conf.irq.index)
		return ERR_IRQ_UNREACHABLE;
	if (IRQ_SRC(irq->base) == 0 || IRQ_SRC(irq->base) > nsrc)
		return ERR_IRQ_NUMBER;
	*src = (uint32_t)IRQ_SRC(irq->base);
	return ERR_OK;
}

/* How src signals: the tree says for the UART; QEMU's others are level-high. */
static uint8_t sense_of(uint32_t src)
{
	const struct plat_uart *u = &kcb.conf.uart;
	if (u->irqc == (int32_t)kcb.conf.irq.index && u->irq == src)
		return u->sense;
	return SENSE_LEVEL_HIGH;
}

errval_t irq_connect(const struct capability *irq, struct cte *ep)
{
	uint32_t src;
	errval_t err = source_of(irq, &src);
	if (err)
		return err;
	if (ep->cap.type != OBJ_ENDPOINT)
		return ERR_CAP_TYPE;
	if (bound[src].cap.type != OBJ_NULL)
		return ERR_IRQ_IN_USE;
	err = hw_setup(src, sense_of(src));
	if (err)
		return err;
	err = caps_copy(&kcb.caps, &bound[src], ep, CAP_RIGHTS_ALL, 0);
	if (err)
		return err;
	bound[src].cap.flags |= CAPF_IRQ_BINDING;
	hw_enable(src, true);
	return ERR_OK;
}

errval_t irq_ack(const struct capability *irq)
{
	uint32_t src;
	errval_t err = source_of(irq, &src);
	if (err)
		return err;
	/* Unbound, nothing was claimed for it (and an APLIC source must stay
	   off). Still undelivered: the driver has not seen it, keep it. */
	if (bound[src].cap.type == OBJ_ENDPOINT && !(undelivered[src / 64] & (1ul << (src % 64))))
		hw_complete(src);
	return ERR_OK;
}

void irq_binding_deleted(struct cte *cte)
{
	if (cte == &kcb.ipi_ep)
		return; /* notifications stop with it */
	size_t src = (size_t)(cte - bound);
	if (src >= IRQ_MAX || kcb.conf.irq.kind == IRQC_NONE)
		return;
	/* Complete first: a PLIC ignores completing a source not enabled. */
	undelivered[src / 64] &= ~(1ul << (src % 64));
	hw_complete((uint32_t)src);
	hw_enable((uint32_t)src, false);
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
