// SPDX-License-Identifier: MIT
/* This core's capability database: the hooks lib/caps calls into the kernel. */
#include <string.h>

#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "vspace.h"

static void *k_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pa2kva(pa);
}

static uint64_t k_v2p(void *ctx, const void *p)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)p - PHYSMAP_BASE;
}

static void k_on_delete(void *ctx, struct cte *c)
{
	(void)ctx;
	if (c->cap.flags & CAPF_MAPPED)
		vspace_unmap_cte(c);
	if (c->cap.flags & CAPF_DCB_ROOT)
		dispatch_root_deleted(c);
	if (c->cap.flags & CAPF_IRQ_BINDING)
		irq_binding_deleted(c);
	if (c->cap.flags & CAPF_NOTIFY_BINDING)
		notify_binding_deleted(c);
}

static void k_last_copy(void *ctx, struct cte *c)
{
	(void)ctx;
	switch (c->cap.type) {
	case OBJ_VNODE_L2:
	case OBJ_VNODE_L1:
	case OBJ_VNODE_L0:
		vspace_destroy(c);
		break;
	case OBJ_DISPATCHER:
		dispatch_destroyed(dcb_of(&c->cap));
		notify_dispatcher_gone(c->cap.base);
		break;
	default:
		break;
	}
}

void capsys_init(void)
{
	caps_env_init(&kcb.caps, k_p2v, k_last_copy, NULL);
	kcb.caps.on_delete = k_on_delete;
	kcb.caps.v2p = k_v2p;
	kcb.caps.core = (uint16_t)kcb.conf.coreid;
}

void capsys_forge(struct cte *cte, enum objtype type, uint64_t base, uint64_t size, uint8_t rights)
{
	memset(cte, 0, sizeof(*cte));
	cte->cap.type = (uint8_t)type;
	cte->cap.rights = rights;
	cte->cap.base = base;
	cte->cap.size = size;
	cte->mdb.owner = (uint16_t)kcb.conf.coreid;
	mdb_insert(&kcb.caps, cte);
}

/* New objects start zeroed; tables and dispatchers get initialised. */
void capsys_retype_init(struct cte *objs, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct capability *c = &objs[i].cap;
		switch (c->type) {
		case OBJ_FRAME:
		case OBJ_L1CNODE:
		case OBJ_L2CNODE:
		case OBJ_VNODE_L1:
		case OBJ_VNODE_L0:
			memset(pa2kva(c->base), 0, c->size);
			break;
		case OBJ_VNODE_L2:
			memset(pa2kva(c->base), 0, c->size);
			vspace_init_root(pa2kva(c->base));
			break;
		case OBJ_DISPATCHER:
			dispatch_init_object(pa2kva(c->base));
			break;
		default: /* RAM, DevFrame, Endpoint: nothing to initialise */
			break;
		}
	}
}
