// SPDX-License-Identifier: MIT
/*
 * Device interrupts and IRQ capabilities (include/irq.h, ADR 0021). The
 * binding logic below sees a controller through four operations
 * (hw_setup, hw_enable, hw_claim, hw_complete), each with a PLIC and an
 * APLIC (direct mode) version. A source of the controller that has this
 * core's context is claimed here; a source of another controller (another
 * socket's) is claimed by a relay core that controller reaches, which
 * rings this core; this core completes it through the relay's context.
 */
#include <stddef.h>

#include <arch/csr.h>
#include <arch/sbi.h>

#include "corectl.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"

/* A controller as the hw_* operations see it: its kind, its registers and
   the context (PLIC) or IDC (APLIC) that takes the source. */
struct ctl {
	uint8_t kind; /* enum irqc_kind */
	volatile uint8_t *regs;
	uint32_t ctx;
};

/* Per core (private .bss). */
static struct ctl own;		  /* this core's controller (irq_init) */
static uint32_t nsrc;		  /* its usable sources 1..nsrc */
static struct cte bound[IRQ_MAX]; /* endpoint copies, OBJ_NULL when unbound */
/* Claimed sources whose message a full queue refused: delivered later. */
static uint64_t undelivered[IRQ_MAX / 64];

/* The boot core's (the holder of the IRQ capabilities): for each
   controller, the core that claims its sources for another core, the
   first one it reaches (irq_relays). */
struct relay {
	bool valid;
	coreid_t core;
	uint32_t ndev;
	struct ctl ctl; /* the relay's context there */
};
static struct relay relays[PLAT_MAX_IRQC];
static int32_t forced = -1; /* controller relayed even here (irqrelay=) */

/* Sources of another core's controller that this core's drivers bound. */
#define IRQ_REMOTE_MAX 8
static struct remote {
	struct cte ep; /* endpoint copy; OBJ_NULL: a free entry */
	uint32_t ctrl, src;
	bool pending; /* rung by the relay, not yet delivered (queue full) */
} remotes[IRQ_REMOTE_MAX];

/*
 * Shared by all cores (ADR 0021), like the notification doorbells (ADR
 * 0010): for each controller and source relayed to another core, that
 * core + 1 in the low 16 bits (0: none), written by that core when it
 * binds and unbinds; FWD_RUNG set by the relay when it claimed the
 * source, taken (cleared) by that core.
 */
#define FWD_CORE 0xffffu
#define FWD_RUNG (1u << 31)
static uint32_t fwd[PLAT_MAX_IRQC][IRQ_MAX] __attribute__((section(".shared")));

/* Order device accesses and memory accesses both ways (a release or
   acquire orders memory only). */
static void io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static volatile uint32_t *reg(const struct ctl *c, uint64_t off)
{
	return (volatile uint32_t *)(c->regs + off);
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

static errval_t hw_setup(const struct ctl *c, uint32_t src, uint8_t sense)
{
	if (c->kind == IRQC_PLIC) {
		*reg(c, PLIC_PRIORITY(src)) = 1;
		return ERR_OK;
	}
	*reg(c, APLIC_SOURCECFG(src)) = aplic_mode(sense);
	/* A source the M-level domain kept reads back 0 (inactive). */
	if (*reg(c, APLIC_SOURCECFG(src)) != aplic_mode(sense))
		return ERR_IRQ_NOT_DELEGATED;
	*reg(c, APLIC_TARGET(src)) = APLIC_TARGET_HART(c->ctx) | 1;
	return ERR_OK;
}

static void hw_enable(const struct ctl *c, uint32_t src, bool on)
{
	if (c->kind != IRQC_PLIC) {
		*reg(c, on ? APLIC_SETIENUM : APLIC_CLRIENUM) = src;
		return;
	}
	volatile uint32_t *en = reg(c, PLIC_ENABLE(c->ctx) + 4 * (src / 32));
	if (on)
		*en |= 1u << (src % 32);
	else
		*en &= ~(1u << (src % 32));
}

/* The highest-priority pending source for this hart, claimed; 0 if none. */
static uint32_t hw_claim(const struct ctl *c)
{
	if (c->kind == IRQC_PLIC)
		return *reg(c, PLIC_CLAIM(c->ctx));
	uint32_t src = APLIC_CLAIMI_SRC(*reg(c, APLIC_IDC(c->ctx) + APLIC_CLAIMI));
	if (src)
		*reg(c, APLIC_CLRIENUM) = src;
	return src;
}

static void hw_complete(const struct ctl *c, uint32_t src)
{
	if (c->kind == IRQC_PLIC)
		*reg(c, PLIC_CLAIM(c->ctx)) = src;
	else
		*reg(c, APLIC_SETIENUM) = src;
}

void irq_init(void)
{
	const struct irq_conf *c = &kcb.conf.irq;
	if (c->kind == IRQC_NONE)
		return;
	own = (struct ctl){.kind = c->kind, .regs = pa2kva(c->base), .ctx = c->ctx};
	nsrc = c->ndev < IRQ_MAX ? c->ndev : IRQ_MAX - 1;
	if (c->kind == IRQC_PLIC) {
		/* Only this context's enables: other cores own theirs. */
		for (uint32_t src = 1; src <= nsrc; src++)
			hw_enable(&own, src, false);
		*reg(&own, PLIC_THRESHOLD(c->ctx)) = 0;
	} else {
		/* The domain's enables are shared by its harts, so a core clears
		   none (they are 0 from reset; the core that binds a source sets
		   it up). Every core of the domain writes the same domaincfg. */
		*reg(&own, APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE;
		*reg(&own, APLIC_IDC(c->ctx) + APLIC_ITHRESHOLD) = 0;
		*reg(&own, APLIC_IDC(c->ctx) + APLIC_IDELIVERY) = 1;
	}
	csr_set(sie, SIE_SEIE);
}

const char *irq_relays(const struct platform *p, coreid_t force)
{
	for (unsigned i = 0; i < p->ncpus; i++) {
		const struct plat_cpu *c = &p->cpus[i];
		struct irq_conf conf = irq_conf_of(p, c);
		if (c->coreid == COREID_INVALID || conf.kind == IRQC_NONE)
			continue;
		struct relay *r = &relays[conf.index];
		bool forcing = c->coreid == force && force != kcb.conf.coreid;
		if (r->valid && (int32_t)conf.index == forced)
			continue; /* forced already */
		if (r->valid && r->core < c->coreid && !forcing)
			continue; /* the first core is the relay */
		*r = (struct relay){
		    .valid = true,
		    .core = c->coreid,
		    .ndev = conf.ndev < IRQ_MAX ? conf.ndev : IRQ_MAX - 1,
		    .ctl = {.kind = conf.kind, .regs = pa2kva(conf.base), .ctx = conf.ctx}};
		if (forcing)
			forced = conf.index;
	}
	if (force == COREID_INVALID || force == kcb.conf.coreid)
		return NULL;
	if (forced < 0)
		return "that core takes no device interrupts";
	if (forced != (int32_t)kcb.conf.irq.index || kcb.conf.irq.kind == IRQC_NONE) {
		forced = -1; /* (another controller's sources are relayed anyway) */
		return "that core's controller is not this core's";
	}
	return NULL;
}

/* One message to ep: false if its queue is full (the source stays claimed). */
static bool deliver(const struct cte *ep, uint32_t ctrl, uint32_t src)
{
	struct lmp_msg m = {.words = {IRQ_NUM(ctrl, src)}, .badge = ep->cap.badge};
	return lmp_deliver(dcb_of(&ep->cap), &m, NULL) == ERR_OK;
}

void irq_handle(void)
{
	if (own.kind == IRQC_NONE)
		return;
	uint32_t src, me = kcb.conf.irq.index;
	while ((src = hw_claim(&own)) != 0) {
		if (src <= nsrc && bound[src].cap.type == OBJ_ENDPOINT) {
			if (!deliver(&bound[src], me, src))
				undelivered[src / 64] |= 1ul << (src % 64);
			continue; /* completed by IRQ_ACK */
		}
		/* Relayed: ring the core whose driver bound it (completed by
		   IRQ_ACK there, through our context). */
		io_fence(); /* the claim before the word (pairs with connect_remote) */
		uint32_t to = src < IRQ_MAX ? __atomic_load_n(&fwd[me][src], __ATOMIC_ACQUIRE) : 0;
		if (to & FWD_CORE) {
			__atomic_fetch_or(&fwd[me][src], FWD_RUNG, __ATOMIC_RELEASE);
			ipi_notify((to & FWD_CORE) - 1);
			continue;
		}
		/* Nobody to tell (not enabled by us): complete it, and off. */
		hw_complete(&own, src);
		hw_enable(&own, src, false);
	}
}

void irq_redeliver(void)
{
	for (uint32_t w = 0; w < IRQ_MAX / 64; w++)
		for (uint64_t bits = undelivered[w]; bits; bits &= bits - 1) {
			uint32_t src = w * 64 + (uint32_t)__builtin_ctzl(bits);
			if (bound[src].cap.type != OBJ_ENDPOINT ||
			    deliver(&bound[src], kcb.conf.irq.index, src))
				undelivered[w] &= ~(1ul << (src % 64));
		}
	for (unsigned i = 0; i < IRQ_REMOTE_MAX; i++) {
		struct remote *r = &remotes[i];
		if (r->ep.cap.type != OBJ_ENDPOINT)
			continue;
		uint32_t *f = &fwd[r->ctrl][r->src];
		if (__atomic_load_n(f, __ATOMIC_RELAXED) & FWD_RUNG) {
			__atomic_fetch_and(f, ~FWD_RUNG, __ATOMIC_ACQUIRE);
			r->pending = true;
		}
		if (r->pending && deliver(&r->ep, r->ctrl, r->src))
			r->pending = false;
	}
}

/* Is an IRQ capability's source on this core's controller (not relayed)? */
static bool local(const struct capability *irq)
{
	return own.kind != IRQC_NONE && IRQ_CTRL(irq->base) == kcb.conf.irq.index &&
	       forced != (int32_t)kcb.conf.irq.index;
}

/* The source an IRQ capability names, local or relayed. */
static errval_t source_of(const struct capability *irq, uint32_t *src)
{
	uint64_t ctrl = IRQ_CTRL(irq->base), max = 0;
	if (local(irq))
		max = nsrc;
	else if (ctrl < PLAT_MAX_IRQC && relays[ctrl].valid)
		max = relays[ctrl].ndev;
	else
		return ERR_IRQ_UNREACHABLE;
	if (IRQ_SRC(irq->base) == 0 || IRQ_SRC(irq->base) > max)
		return ERR_IRQ_NUMBER;
	*src = (uint32_t)IRQ_SRC(irq->base);
	return ERR_OK;
}

static struct remote *remote_of(uint32_t ctrl, uint32_t src)
{
	for (unsigned i = 0; i < IRQ_REMOTE_MAX; i++)
		if (remotes[i].ep.cap.type == OBJ_ENDPOINT && remotes[i].ctrl == ctrl &&
		    remotes[i].src == src)
			return &remotes[i];
	return NULL;
}

/* How a source signals: the tree says for the UART; QEMU's others are level-high. */
static uint8_t sense_of(uint32_t ctrl, uint32_t src)
{
	const struct plat_uart *u = &kcb.conf.uart;
	if (u->irqc == (int32_t)ctrl && u->irq == src)
		return u->sense;
	return SENSE_LEVEL_HIGH;
}

/* Bind a source another core claims: the relay's context gets it. */
static errval_t connect_remote(uint32_t ctrl, uint32_t src, struct cte *ep)
{
	const struct relay *r = &relays[ctrl];
	uint64_t hart, tries;
	if (r->core != kcb.conf.coreid && corectl_status(r->core, &hart, &tries) != KCORE_ONLINE)
		return ERR_IRQ_UNREACHABLE; /* its context was never taken */
	if (remote_of(ctrl, src))
		return ERR_IRQ_IN_USE;
	struct remote *free = NULL;
	for (unsigned i = 0; i < IRQ_REMOTE_MAX && !free; i++)
		if (remotes[i].ep.cap.type == OBJ_NULL)
			free = &remotes[i];
	if (!free)
		return ERR_IRQ_RELAY_FULL;
	errval_t err = hw_setup(&r->ctl, src, sense_of(ctrl, src));
	if (err)
		return err;
	err = caps_copy(&kcb.caps, &free->ep, ep, CAP_RIGHTS_ALL, 0);
	if (err)
		return err;
	free->ep.cap.flags |= CAPF_IRQ_BINDING;
	free->ctrl = ctrl;
	free->src = src;
	free->pending = false;
	__atomic_store_n(&fwd[ctrl][src], kcb.conf.coreid + 1u, __ATOMIC_RELEASE);
	io_fence(); /* the word before the device may interrupt the relay */
	hw_enable(&r->ctl, src, true);
	/* A claim left over from an earlier binding would hold it forever. */
	hw_complete(&r->ctl, src);
	return ERR_OK;
}

errval_t irq_connect(const struct capability *irq, struct cte *ep)
{
	uint32_t src;
	errval_t err = source_of(irq, &src);
	if (err)
		return err;
	if (ep->cap.type != OBJ_ENDPOINT)
		return ERR_CAP_TYPE;
	if (!local(irq))
		return connect_remote((uint32_t)IRQ_CTRL(irq->base), src, ep);
	if (bound[src].cap.type != OBJ_NULL)
		return ERR_IRQ_IN_USE;
	err = hw_setup(&own, src, sense_of(kcb.conf.irq.index, src));
	if (err)
		return err;
	err = caps_copy(&kcb.caps, &bound[src], ep, CAP_RIGHTS_ALL, 0);
	if (err)
		return err;
	bound[src].cap.flags |= CAPF_IRQ_BINDING;
	hw_enable(&own, src, true);
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
	if (!local(irq)) {
		uint32_t ctrl = (uint32_t)IRQ_CTRL(irq->base);
		struct remote *r = remote_of(ctrl, src);
		if (r && !r->pending &&
		    !(__atomic_load_n(&fwd[ctrl][src], __ATOMIC_ACQUIRE) & FWD_RUNG))
			hw_complete(&relays[ctrl].ctl, src);
		return ERR_OK;
	}
	if (bound[src].cap.type == OBJ_ENDPOINT && !(undelivered[src / 64] & (1ul << (src % 64))))
		hw_complete(&own, src);
	return ERR_OK;
}

void irq_binding_deleted(struct cte *cte)
{
	if (cte == &kcb.ipi_ep)
		return; /* notifications stop with it */
	for (unsigned i = 0; i < IRQ_REMOTE_MAX; i++) {
		struct remote *r = &remotes[i];
		if (cte != &r->ep)
			continue;
		__atomic_store_n(&fwd[r->ctrl][r->src], 0, __ATOMIC_RELEASE);
		io_fence();
		r->pending = false;
		/* A relay that claims it from now on finds no core and turns it
		   off; one that claimed it before rang us in vain: complete it. */
		hw_complete(&relays[r->ctrl].ctl, r->src);
		hw_enable(&relays[r->ctrl].ctl, r->src, false);
		return;
	}
	size_t src = (size_t)(cte - bound);
	if (src >= IRQ_MAX || own.kind == IRQC_NONE)
		return;
	/* Complete first: a PLIC ignores completing a source not enabled. */
	undelivered[src / 64] &= ~(1ul << (src % 64));
	hw_complete(&own, (uint32_t)src);
	hw_enable(&own, (uint32_t)src, false);
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
