/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts through the PLIC (RISC-V PLIC spec v1.0.0). The kernel
 * claims an interrupt, forwards it as an LMP message (word 0 = line) to the
 * endpoint an IRQ capability was connected to, and completes it only when
 * the driver invokes IRQ_ACK, so a line cannot interrupt again before its
 * driver has dealt with it. The binding holds a copy of the endpoint
 * (CAPF_IRQ_BINDING); revoking that endpoint disconnects the line.
 */
#pragma once

#include <abi/errors.h>
#include <abi/types.h>
#include <caps/caps.h>

#define IRQ_MAX 128

/* PLIC register map (spec chapter 3): the physmap maps these pages only. */
#define PLIC_PRIORITY(irq)  (4 * (irq))
#define PLIC_ENABLE(ctx)    (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	    (0x200004 + 0x1000 * (ctx))

void irq_init(paddr_t plic_base, uint32_t ndev, int32_t ctx);
/* Claim and forward pending external interrupts (called with SEIP set). */
void irq_handle(void);
errval_t irq_connect(const struct capability *irq, struct cte *ep);
errval_t irq_ack(const struct capability *irq);
/* The bound endpoint copy is being deleted. */
void irq_binding_deleted(struct cte *cte);

/* Notification IPIs (abi/invocations.h KERNEL_IPI_BIND, KERNEL_NOTIFY). */
errval_t ipi_bind(struct cte *ep);
errval_t ipi_notify(uint64_t core);
/* Called when this core took an IPI: tell the bound endpoint, if any. */
void ipi_deliver(void);
