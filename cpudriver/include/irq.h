/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts (ADR 0021). Each core drives the one interrupt
 * controller that has its S-mode context: a PLIC (RISC-V PLIC spec v1.0.0)
 * or an APLIC domain in direct mode (RISC-V AIA spec v1.0, chapter 4). The
 * kernel claims an interrupt, forwards it as an LMP message (word 0 = its
 * IRQ number) to the endpoint an IRQ capability was connected to, and
 * completes it only when the driver invokes IRQ_ACK, so a source cannot
 * interrupt again before its driver has dealt with it. The binding holds a
 * copy of the endpoint (CAPF_IRQ_BINDING); revoking that endpoint
 * disconnects the source.
 */
#pragma once

#include <abi/errors.h>
#include <abi/types.h>
#include <caps/caps.h>

#include "platform.h"

#define IRQ_MAX 128 /* sources 1..IRQ_MAX-1 of a controller are usable */

/* An IRQ capability's base: the controller's index in the device tree
   (platform.irqc) and the source number there. */
#define IRQ_NUM(ctrl, src) (((uint64_t)(ctrl) << 16) | (src))
#define IRQ_CTRL(num)	   ((num) >> 16)
#define IRQ_SRC(num)	   ((num)&0xffff)

/* PLIC register map (spec chapter 3): the physmap maps these pages only. */
#define PLIC_PRIORITY(src)  (4 * (src))
#define PLIC_ENABLE(ctx)    (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	    (0x200004 + 0x1000 * (ctx))

/* APLIC register map (AIA spec 4.5, 4.8): the physmap maps the pages of
   domaincfg and sourcecfg, of setienum and clrienum, of the targets and
   the IDC of each hart Reef uses. */
#define APLIC_DOMAINCFG	     0x0000
#define APLIC_SOURCECFG(src) (0x0004 + 4 * ((src)-1))
#define APLIC_SETIENUM	     0x1edc
#define APLIC_CLRIENUM	     0x1fdc
#define APLIC_TARGET(src)    (0x3004 + 4 * ((src)-1))
#define APLIC_IDC(idc)	     (0x4000 + 32 * (idc))
#define APLIC_IDELIVERY	     0x00 /* within an IDC */
#define APLIC_ITHRESHOLD     0x08
#define APLIC_CLAIMI	     0x1c

#define APLIC_DOMAINCFG_IE     (1u << 8) /* DM (bit 2) 0: direct delivery */
#define APLIC_SM_EDGE_RISE     4	 /* sourcecfg source modes */
#define APLIC_SM_EDGE_FALL     5
#define APLIC_SM_LEVEL_HIGH    6
#define APLIC_SM_LEVEL_LOW     7
#define APLIC_TARGET_HART(idx) ((uint32_t)(idx) << 18) /* | priority, 1..255 */
#define APLIC_CLAIMI_SRC(v)    (((v) >> 16) & 0x3ff)

/* The controller that reaches this hart, from the boot core (kconf). */
struct irq_conf {
	uint8_t kind;  /* enum irqc_kind; IRQC_NONE: no device interrupts here */
	uint8_t index; /* in platform.irqc: IRQ numbers name it */
	uint32_t ndev;
	uint32_t ctx; /* PLIC context, or APLIC IDC (this hart's index there) */
	paddr_t base;
};

/* c's controller, from the parsed tree (IRQC_NONE if it has none). */
struct irq_conf irq_conf_of(const struct platform *p, const struct plat_cpu *c);

/* Take this core's context or IDC (kcb.conf.irq): nothing enabled for it,
   every priority above 0 taken. */
void irq_init(void);
/*
 * Boot core, after irq_init: for each controller, the core that claims its
 * sources for a core it does not reach (the first it reaches); force (or
 * COREID_INVALID) relays this core's own controller's sources through core
 * force too (irqrelay=, a test). NULL, or why force was not taken.
 */
const char *irq_relays(const struct platform *p, coreid_t force);
/* Claim and forward pending external interrupts (called with SEIP set). */
void irq_handle(void);
/* Every interrupt: deliver what relays rang and what a full queue refused. */
void irq_redeliver(void);
errval_t irq_connect(const struct capability *irq, struct cte *ep);
errval_t irq_ack(const struct capability *irq);
/* The bound endpoint copy is being deleted. */
void irq_binding_deleted(struct cte *cte);

/* Notification IPIs (abi/invocations.h KERNEL_IPI_BIND, KERNEL_NOTIFY). */
errval_t ipi_bind(struct cte *ep);
errval_t ipi_notify(uint64_t core);
/* Called when this core took an IPI: tell the bound endpoint, if any. */
void ipi_deliver(void);
