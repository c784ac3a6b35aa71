// SPDX-License-Identifier: MIT
/*
 * System calls and capability invocations. Every handler first decodes:
 * it checks every register from user space (ranges, capability types,
 * rights, slots) and returns an error from lib/abi's list; only then does it
 * act, through operations that cannot fail on user input. A user value is
 * never asserted on, and no path here waits.
 */
#include <string.h>

#include <abi/invocations.h>
#include <abi/syscalls.h>

#include "corectl.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "kprintf.h"
#include "vspace.h"

#define DELETE_BUDGET  64	    /* deletions / zombie steps per delete or revoke call */
#define FRAME_ZERO_MAX (64ul << 20) /* bytes of frames one retype may zero */

struct sysret {
	errval_t err;
	uint64_t v[4];
};

static struct caps_env *env(void)
{
	return &kcb.caps;
}

/* A slot that must hold a capability, usable or marked by a revoke. */
static errval_t arg_cap_any(struct dcb *d, uint64_t addr, uint64_t level, struct cte **out)
{
	if (addr > UINT32_MAX || level > 2)
		return ERR_CAP_ADDR;
	errval_t err = caps_lookup(env(), &d->cspace.cap, (capaddr_t)addr, (unsigned)level, out);
	if (err)
		return err;
	if ((*out)->cap.type == OBJ_NULL)
		return ERR_CAP_EMPTY;
	if ((*out)->mdb.flags & MDB_ZOMBIE)
		return ERR_CAP_BUSY;
	return ERR_OK;
}

/* A capability argument: a slot that must hold a capability no revoke has
   marked (docs/protocol.md 5.2: a marked capability counts as deleted). */
static errval_t arg_cap(struct dcb *d, uint64_t addr, uint64_t level, struct cte **out)
{
	errval_t err = arg_cap_any(d, addr, level, out);
	if (!err && caps_marked(env(), &(*out)->cap))
		return ERR_CAP_REVOKED;
	return err;
}

static errval_t need(const struct cte *c, uint8_t type, uint8_t rights)
{
	if (type != OBJ_NULL && c->cap.type != type)
		return ERR_CAP_TYPE;
	if ((c->cap.rights & rights) != rights)
		return ERR_CAP_RIGHTS;
	return ERR_OK;
}

/* The slots of a CNode capability the caller may write to. */
static errval_t cnode_slots(const struct cte *cn, struct cte **slots, uint64_t *n)
{
	if (cn->cap.type != OBJ_L1CNODE && cn->cap.type != OBJ_L2CNODE)
		return ERR_CAP_TYPE;
	if (!(cn->cap.rights & CAP_RIGHT_WRITE))
		return ERR_CAP_RIGHTS;
	*slots = caps_cnode_slots(env(), &cn->cap, n);
	return ERR_OK;
}

static errval_t inv_retype(struct dcb *d, struct cte *src, const uint64_t *x)
{
	uint64_t type = x[REG_A2] & 0xff, count = x[REG_A2] >> 8;
	uint64_t offset = x[REG_A3], objsize = x[REG_A4];
	struct cte *dcn, *slots;
	uint64_t n, first = x[REG_A6];
	if (count == 0 || count > UINT32_MAX)
		return ERR_CAP_SIZE;
	errval_t err = arg_cap(d, x[REG_A5] & UINT32_MAX, x[REG_A5] >> 32, &dcn);
	if (err)
		return err;
	err = cnode_slots(dcn, &slots, &n);
	if (err)
		return err;
	if (first >= n || count > n - first)
		return ERR_CAP_ADDR;
	if (type == OBJ_KCB)
		return ERR_CAP_DERIVE; /* only KERNEL_CORE_START makes one */
	if (type == OBJ_FRAME &&
	    (objsize > FRAME_ZERO_MAX || count > FRAME_ZERO_MAX / (objsize | 1)))
		return ERR_CAP_SIZE;
	err = caps_retype(env(), src, (enum objtype)type, offset, objsize, (uint32_t)count,
			  &slots[first]);
	if (err)
		return err;
	capsys_retype_init(&slots[first], (uint32_t)count);
	return ERR_OK;
}

static errval_t inv_cnode(struct dcb *d, struct cte *cn, uint64_t cmd, const uint64_t *x)
{
	struct cte *slots, *src;
	uint64_t n;
	errval_t err = cnode_slots(cn, &slots, &n);
	if (err)
		return err;
	if (x[REG_A2] >= n)
		return ERR_CAP_ADDR;
	struct cte *slot = &slots[x[REG_A2]];
	switch (cmd) {
	case CNODE_COPY:
	case CNODE_MINT:
		err = arg_cap(d, x[REG_A3], x[REG_A4], &src);
		if (err)
			return err;
		if (x[REG_A5] > CAP_RIGHTS_ALL)
			return ERR_CAP_RIGHTS;
		return caps_copy(env(), slot, src, (uint8_t)x[REG_A5],
				 cmd == CNODE_MINT ? x[REG_A6] : 0);
	case CNODE_DELETE:
		err = caps_delete(env(), slot);
		return err == ERR_CAP_PENDING ? caps_delete_step(env(), DELETE_BUDGET) : err;
	default:
		return caps_revoke(env(), slot, DELETE_BUDGET);
	}
}

static errval_t inv_vnode(struct dcb *d, struct cte *vn, uint64_t cmd, const uint64_t *x)
{
	struct cte *child;
	errval_t err = arg_cap(d, cmd == VNODE_MAP ? x[REG_A3] : x[REG_A2], 2, &child);
	if (err)
		return err;
	if (cmd == VNODE_UNMAP)
		return vspace_unmap(vn, child);
	return vspace_map(vn, x[REG_A2], child, x[REG_A4], x[REG_A5], x[REG_A6]);
}

static void set_root(struct cte *dst, const struct cte *src)
{
	caps_copy(env(), dst, src, CAP_RIGHTS_ALL, 0); /* cannot fail: dst is empty */
	dst->cap.flags |= CAPF_DCB_ROOT;
}

/* Delete a dispatcher's root, finishing the zombie it may leave. */
static errval_t drop_root(struct cte *root)
{
	if (root->cap.type == OBJ_NULL)
		return ERR_OK;
	errval_t err = caps_delete(env(), root);
	return err == ERR_CAP_PENDING ? caps_delete_step(env(), DELETE_BUDGET) : err;
}

static errval_t inv_disp_setup(struct dcb *d, struct dcb *t, const uint64_t *x)
{
	struct cte *cs, *vs;
	if (t->state != DISP_STOPPED)
		return ERR_DISP_STATE;
	errval_t err = arg_cap(d, x[REG_A2], 2, &cs);
	if (!err)
		err = need(cs, OBJ_L1CNODE, CAP_RIGHT_READ);
	if (!err)
		err = arg_cap(d, x[REG_A3], 2, &vs);
	if (!err)
		err = need(vs, OBJ_VNODE_L2, CAP_RIGHT_WRITE);
	if (err)
		return err;
	if (x[REG_A4] >= USER_TOP || x[REG_A5] >= USER_TOP || (x[REG_A5] & 15))
		return ERR_VM_ADDR;
	/* The old roots go first. The DCB's copy of a root may be the last
	 * copy of its object; a last CNode copy becomes a zombie that takes
	 * steps to empty, so the dispatcher is no longer set up from here on
	 * and the caller may have to call again (ERR_CAP_PENDING). */
	t->setup = 0;
	err = drop_root(&t->cspace);
	if (!err)
		err = drop_root(&t->vspace);
	if (err)
		return err;
	set_root(&t->cspace, cs);
	set_root(&t->vspace, vs);
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.sepc = x[REG_A4];
	t->regs.x[REG_SP] = x[REG_A5];
	t->regs.x[REG_A0] = x[REG_A6];
	t->lmp_head = t->lmp_count = 0;
	t->recv_slot_set = 0;
	t->setup = 1;
	t->gone = 0;
	return ERR_OK;
}

static errval_t inv_disp(struct dcb *d, struct cte *dc, uint64_t cmd, const uint64_t *x)
{
	struct dcb *t = dcb_of(&dc->cap);
	switch (cmd) {
	case DISP_SETUP:
		return inv_disp_setup(d, t, x);
	case DISP_RUN:
		if (!t->setup)
			return ERR_DISP_STATE;
		if (x[REG_A2] > DISP_RUN_PLAIN)
			return ERR_SYS_ARG;
		t->con_plain = x[REG_A2] == DISP_RUN_PLAIN;
		t->con_id = (uint32_t)x[REG_A2];
		t->gone = 0;
		if (t->state == DISP_STOPPED)
			dispatch_make_runnable(t);
		return ERR_OK;
	case DISP_STOP:
		dispatch_stop(t, NULL);
		return ERR_OK;
	default: /* DISP_SET_RECV_SLOT */
		if (x[REG_A2] > UINT32_MAX)
			return ERR_CAP_ADDR;
		t->recv_slot = (capaddr_t)x[REG_A2];
		t->recv_slot_set = 1;
		return ERR_OK;
	}
}

static errval_t inv_send(struct dcb *d, struct cte *ep, const uint64_t *x)
{
	struct cte *cap = NULL;
	if (x[REG_A6] & EP_SEND_CAP) {
		errval_t err = arg_cap(d, x[REG_A6] & UINT32_MAX, 2, &cap);
		if (!err)
			err = need(cap, OBJ_NULL, CAP_RIGHT_GRANT);
		if (err)
			return err;
	} else if (x[REG_A6]) {
		return ERR_SYS_ARG;
	}
	struct lmp_msg m = {.badge = ep->cap.badge};
	for (int i = 0; i < 4; i++)
		m.words[i] = x[REG_A2 + i];
	return lmp_deliver(dcb_of(&ep->cap), &m, cap);
}

/* Slot `index` of the L2 CNode at `cn` (level 1: the address of its L1
   slot), which the caller may write to; the slot may be occupied. */
static errval_t arg_slot(struct dcb *d, uint64_t cn, uint64_t index, struct cte **out)
{
	struct cte *c, *slots;
	uint64_t n;
	errval_t err = arg_cap(d, cn, 1, &c);
	if (!err)
		err = need(c, OBJ_L2CNODE, 0);
	if (!err)
		err = cnode_slots(c, &slots, &n);
	if (err)
		return err;
	if (index >= n)
		return ERR_CAP_ADDR;
	*out = &slots[index];
	return ERR_OK;
}

static errval_t inv_cap_create(struct dcb *d, const uint64_t *x)
{
	struct cte *slot;
	errval_t err = arg_slot(d, x[REG_A2], x[REG_A3], &slot);
	if (err)
		return err;
	uint64_t owner = x[REG_A4] >> 16;
	/* Our own core's objects are made here, but for a Notify (a copy of a
	   binding's capability, which the monitor hands a domain here, ADR
	   0014; a stale one is refused when it is used) and RAM that core 0
	   gave this core for good (ADR 0012: monitor 0 keeps its copy and
	   never frees it, so nothing else ever uses that memory). */
	uint8_t type = (uint8_t)x[REG_A4];
	if (owner > UINT16_MAX ||
	    (owner == kcb.conf.coreid && type != OBJ_NOTIFY && type != OBJ_RAM))
		return ERR_SYS_ARG;
	if ((uint8_t)x[REG_A4] == OBJ_NOTIFY && owner >= kcb.user.ncores)
		return ERR_CORE_NONE; /* (the slot and generation: caps_create) */
	/* One of ours names the binding as it is now: never a generation to
	   come, which would wake whoever binds the slot next. */
	if ((uint8_t)x[REG_A4] == OBJ_NOTIFY && owner == kcb.conf.coreid &&
	    (NOTIFY_CORE(x[REG_A5]) != owner || !notify_current(NOTIFY_SLOT(x[REG_A5]), x[REG_A6])))
		return ERR_NOTIFY_STALE;
	if (type == OBJ_RAM && owner == kcb.conf.coreid &&
	    !caps_range_free(env(), x[REG_A5], x[REG_A6]))
		return ERR_CAP_OVERLAP; /* (ours: no other capability here may cover it) */
	struct capability c = {.type = (uint8_t)x[REG_A4],
			       .rights = (uint8_t)(x[REG_A4] >> 8),
			       .base = x[REG_A5],
			       .size = x[REG_A6]};
	return caps_create(env(), slot, &c, (uint16_t)owner);
}

static errval_t inv_core_start(struct dcb *d, const uint64_t *x, struct sysret *r)
{
	struct cte *ram = NULL, *slot;
	uint64_t n;
	long sbi = 0;
	errval_t err;
	if (corectl_status(x[REG_A2], &n, &n) == KCORE_LOST) { /* a retry: same memory */
		err = corectl_start(x[REG_A2], NULL, NULL, &sbi);
		r->v[0] = (uint64_t)sbi;
		return err;
	}
	err = arg_cap(d, x[REG_A3], 2, &ram);
	if (!err)
		err = arg_slot(d, x[REG_A4], x[REG_A5], &slot);
	if (err)
		return err;
	err = corectl_start(x[REG_A2], ram, slot, &sbi);
	r->v[0] = (uint64_t)sbi;
	return err;
}

/* Which capability type an invocation command applies to, and the right it needs. */
static errval_t decode_target(uint64_t cmd, const struct cte *t)
{
	uint8_t ty = t->cap.type;
	switch (cmd) {
	case CAP_IDENTIFY:
		return ERR_OK;
	case CAP_RETYPE:
		return ERR_OK; /* caps_retype checks type and rights */
	case CNODE_COPY:
	case CNODE_MINT:
	case CNODE_DELETE:
	case CNODE_REVOKE:
		return ty == OBJ_L1CNODE || ty == OBJ_L2CNODE ? ERR_OK : ERR_CAP_TYPE;
	case VNODE_MAP:
	case VNODE_UNMAP:
		return ERR_OK; /* vspace_map checks type and rights */
	case DISP_SETUP:
	case DISP_RUN:
	case DISP_STOP:
	case DISP_SET_RECV_SLOT:
	case DISP_CATCH:
		return need(t, OBJ_DISPATCHER, CAP_RIGHT_WRITE);
	case DISP_STATUS:
		return need(t, OBJ_DISPATCHER, CAP_RIGHT_READ);
	case CNODE_IDENTIFY:
		return need(t, OBJ_L1CNODE, CAP_RIGHT_READ);
	case EP_SEND:
	case EP_NOTIFY_BIND:
		return need(t, OBJ_ENDPOINT, CAP_RIGHT_WRITE);
	case NOTIFY_SEND:
		return need(t, OBJ_NOTIFY, CAP_RIGHT_WRITE);
	case NOTIFY_UNBIND:
		return need(t, OBJ_NOTIFY, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
	case KERNEL_POWEROFF:
	case KERNEL_IPI_BIND:
	case KERNEL_NOTIFY:
		return need(t, OBJ_KERNEL, CAP_RIGHT_WRITE);
	case KERNEL_STATUS:
		return need(t, OBJ_KERNEL, CAP_RIGHT_READ);
	case KERNEL_CAP_CREATE:
	case KERNEL_CAP_REMOTE:
	case KERNEL_CORE_START:
	case KERNEL_CAP_MARK:
		return need(t, OBJ_KERNEL, CAP_RIGHT_WRITE);
	case KERNEL_CORE_INFO:
	case KERNEL_CORE_STATUS:
	case KERNEL_CAP_CHECK:
	case KERNEL_CAP_RELATIONS:
		return need(t, OBJ_KERNEL, CAP_RIGHT_READ);
	case IRQ_CONNECT:
	case IRQ_ACK:
		return need(t, OBJ_IRQ, CAP_RIGHT_WRITE);
	default:
		return ERR_SYS_CMD;
	}
}

static struct sysret sys_invoke(struct dcb *d, const uint64_t *x)
{
	struct sysret r = {0};
	struct cte *t;
	uint64_t cmd = x[REG_A1] >> 8, level = x[REG_A1] & 0xff;
	/* Identify describes a marked capability too; nothing else uses it. */
	r.err = cmd == CAP_IDENTIFY ? arg_cap_any(d, x[REG_A0], level, &t)
				    : arg_cap(d, x[REG_A0], level, &t);
	if (!r.err)
		r.err = decode_target(cmd, t);
	if (r.err)
		return r;
	switch (cmd) {
	case CNODE_IDENTIFY:
		if (x[REG_A2] > UINT32_MAX || x[REG_A3] > 2) {
			r.err = ERR_CAP_ADDR;
			return r;
		}
		r.err = caps_lookup(env(), &t->cap, (capaddr_t)x[REG_A2], (unsigned)x[REG_A3], &t);
		if (r.err)
			return r;
		if (t->cap.type == OBJ_NULL) {
			r.err = ERR_CAP_EMPTY;
			return r;
		}
		/* fall through */
	case CAP_IDENTIFY: {
		struct cap_info ci;
		caps_identify(t, &ci);
		r.v[0] = ci.type | (uint64_t)ci.rights << 8 | (uint64_t)ci.owner << 16;
		r.v[1] = ci.base;
		r.v[2] = ci.size;
		r.v[3] = ci.badge;
		break;
	}
	case CAP_RETYPE:
		r.err = inv_retype(d, t, x);
		break;
	case CNODE_COPY:
	case CNODE_MINT:
	case CNODE_DELETE:
	case CNODE_REVOKE:
		r.err = inv_cnode(d, t, cmd, x);
		break;
	case VNODE_MAP:
	case VNODE_UNMAP:
		r.err = inv_vnode(d, t, cmd, x);
		break;
	case EP_SEND:
		r.err = inv_send(d, t, x);
		break;
	case EP_NOTIFY_BIND: {
		struct cte *slot;
		r.err = arg_slot(d, x[REG_A2], x[REG_A3], &slot);
		if (!r.err)
			r.err = notify_bind(t, slot, &r.v[0], &r.v[1]);
		break;
	}
	case NOTIFY_SEND:
		r.err = notify_send(&t->cap);
		break;
	case NOTIFY_UNBIND:
		r.err = notify_unbind(&t->cap);
		break;
	case KERNEL_POWEROFF:
		kernel_poweroff(x[REG_A2] > 255 ? 255 : (unsigned)x[REG_A2]);
	case KERNEL_IPI_BIND: {
		struct cte *ep;
		r.err = arg_cap(d, x[REG_A2], 2, &ep);
		if (!r.err)
			r.err = ipi_bind(ep);
		break;
	}
	case KERNEL_NOTIFY:
		r.err = ipi_notify(x[REG_A2]);
		break;
	case KERNEL_CAP_CREATE:
		r.err = inv_cap_create(d, x);
		break;
	case KERNEL_CAP_REMOTE: {
		struct cte *c;
		r.err = arg_cap(d, x[REG_A2], 2, &c);
		if (!r.err)
			r.err =
			    x[REG_A3] > 1 ? ERR_SYS_ARG : caps_set_remote(c, (uint32_t)x[REG_A3]);
		break;
	}
	case KERNEL_CORE_INFO:
		r.v[0] = corectl_block_size();
		r.v[1] = CONFIG_BOOT_WAIT_MS;
		r.v[2] = kcb.user.ncores;
		break;
	case KERNEL_CORE_START:
		r.err = inv_core_start(d, x, &r);
		break;
	case KERNEL_CORE_STATUS:
		r.v[0] = corectl_status(x[REG_A2], &r.v[1], &r.v[2]);
		break;
	case KERNEL_CAP_CHECK: {
		const char *why = caps_check_invariants(&kcb.caps);
		if (why) {
			kprintf("core %u: capability invariant broken: %s\n", kcb.conf.coreid, why);
			r.err = ERR_CAP_INVARIANT;
		}
		r.v[0] = kcb.caps.count;
		break;
	}
	case KERNEL_CAP_MARK:
		r.err = x[REG_A2] > UINT8_MAX ? ERR_CAP_TYPE
			: x[REG_A5] > 1
			    ? ERR_SYS_ARG
			    : caps_mark(env(), (uint8_t)x[REG_A2], x[REG_A3], x[REG_A4], x[REG_A5]);
		break;
	case KERNEL_CAP_RELATIONS: {
		struct cte *c;
		unsigned copies = 0;
		bool descs = false;
		r.err = arg_cap(d, x[REG_A2], 2, &c);
		if (!r.err)
			r.err = caps_relations(env(), c, KERNEL_RELATIONS_MAX, &copies, &descs);
		r.v[0] = copies;
		r.v[1] = descs;
		break;
	}
	case KERNEL_STATUS:
		r.v[0] = kcb.conf.coreid;
		r.v[1] = kcb.ndomains;
		r.v[2] = (kcb.ipis & 0xffffffffu) | kcb.fencei << 32;
		r.v[3] = kcb.ticks;
		break;
	case IRQ_CONNECT: {
		struct cte *ep;
		r.err = arg_cap(d, x[REG_A2], 2, &ep);
		if (!r.err)
			r.err = irq_connect(&t->cap, ep);
		break;
	}
	case IRQ_ACK:
		r.err = irq_ack(&t->cap);
		break;
	case DISP_STATUS: {
		const struct dcb *dc = dcb_of(&t->cap);
		r.v[0] = dc->state;
		r.v[1] = dc->faults;
		r.v[2] = (uint64_t)dc->exit_status;
		r.v[3] = dc->id;
		break;
	}
	case DISP_CATCH: {
		struct dcb *dc = dcb_of(&t->cap);
		if (x[REG_A3] + x[REG_A4] < x[REG_A3]) {
			r.err = ERR_SYS_ARG;
			break;
		}
		dc->catch_pc = x[REG_A2];
		dc->catch_base = x[REG_A3];
		dc->catch_size = x[REG_A4];
		r.v[0] = dc->caught;
		break;
	}
	default:
		r.err = inv_disp(d, t, cmd, x);
	}
	return r;
}

static errval_t sys_print(struct dcb *d, uint64_t va, uint64_t len)
{
	char buf[SYS_PRINT_MAX + 1];
	if (len > SYS_PRINT_MAX)
		return ERR_SYS_ARG;
	for (uint64_t i = 0; i < len; i++) {
		if (va + i < va)
			return ERR_VM_ADDR;
		paddr_t pa = vspace_translate(&d->vspace.cap, va + i, VSPACE_READ);
		if (!pa)
			return ERR_VM_ADDR;
		buf[i] = *(const char *)pa2kva(pa);
	}
	buf[len] = 0;
	char tag[32];
	ksnprintf(tag, sizeof(tag), "[%u.%u] ", kcb.conf.coreid, d->con_id ? d->con_id : d->id);
	console_print(d->id, d->con_plain ? NULL : tag, buf);
	return ERR_OK;
}

static struct sysret sys_recv(struct dcb *d, uint64_t mode, uint64_t ticks)
{
	struct sysret r = {0};
	notify_poll(false); /* a notification that found the queue full goes in now */
	if (d->lmp_count) {
		struct lmp_msg *m = &d->lmp[d->lmp_head];
		r.v[0] = m->badge;
		d->regs.x[REG_A2] = m->words[0];
		d->regs.x[REG_A3] = m->words[1];
		d->regs.x[REG_A4] = m->words[2];
		d->regs.x[REG_A5] = m->words[3];
		d->regs.x[REG_A6] = m->has_cap;
		d->lmp_head = (d->lmp_head + 1) % LMP_QUEUE;
		d->lmp_count--;
		return r;
	}
	if (mode == RECV_TIMEOUT && (ticks == 0 || ticks > RECV_MAX_TICKS)) {
		r.err = ERR_SYS_ARG;
		return r;
	}
	if (mode == RECV_BLOCK || mode == RECV_TIMEOUT) {
		dispatch_stop(d, NULL);
		d->state = DISP_BLOCKED;
		if (mode == RECV_TIMEOUT)
			dispatch_sleep(d, kcb.ticks + ticks);
		r.err = ERR_OK; /* registers are filled in on delivery or timeout */
		return r;
	}
	r.err = mode == RECV_POLL ? ERR_LMP_EMPTY : ERR_SYS_ARG;
	return r;
}

void syscall_handle(struct dcb *d)
{
	uint64_t *x = d->regs.x;
	struct sysret r = {0};
	switch (x[REG_A7]) {
	case SYS_INVOKE:
		r = sys_invoke(d, x);
		break;
	case SYS_YIELD:
		break;
	case SYS_PRINT:
		r.err = sys_print(d, x[REG_A0], x[REG_A1]);
		break;
	case SYS_EXIT:
		d->exit_status = (int64_t)x[REG_A0];
		d->gone = 1;
		dispatch_stop(d, NULL);
		return;
	case SYS_RECV:
		r = sys_recv(d, x[REG_A0], x[REG_A1]);
		if (d->state == DISP_BLOCKED)
			return;
		x[REG_A0] = r.err;
		x[REG_A1] = r.v[0];
		return; /* a2-a6 were set from the message */
	default:
		r.err = ERR_SYS_UNKNOWN;
	}
	x[REG_A0] = r.err;
	for (int i = 0; i < 4; i++)
		x[REG_A1 + i] = r.v[i];
	if (x[REG_A7] == SYS_YIELD && d->state == DISP_RUNNABLE)
		dispatch_schedule();
}
