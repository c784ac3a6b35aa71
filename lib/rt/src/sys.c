// SPDX-License-Identifier: MIT
/* System call stubs: ecall with a7 = number; a0 = error, a1-a4 = values. */
#include <rt/sys.h>

struct sysret sys_call(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6") = a6;
	register uint64_t r7 __asm__("a7") = num;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
			 : "r"(r7)
			 : "memory");
	return (struct sysret){.err = (errval_t)r0, .v = {r1, r2, r3, r4}};
}

void __attribute__((noreturn)) sys_exit(int64_t status)
{
	for (;;)
		sys_call(SYS_EXIT, (uint64_t)status, 0, 0, 0, 0, 0, 0);
}

errval_t cap_identify(capaddr_t addr, struct cap_info *out)
{
	struct sysret r = cap_invoke(addr, 2, CAP_IDENTIFY, 0, 0, 0, 0, 0);
	if (r.err)
		return r.err;
	out->type = r.v[0] & 0xff;
	out->rights = (r.v[0] >> 8) & 0xff;
	out->owner = (r.v[0] >> 16) & 0xffff;
	out->base = r.v[1];
	out->size = r.v[2];
	out->badge = r.v[3];
	return ERR_OK;
}

errval_t cap_retype(capaddr_t src, enum objtype type, uint64_t offset, uint64_t objsize,
		    uint32_t count, capaddr_t dest_cn, unsigned dest_level, uint64_t dest_slot)
{
	return cap_invoke(src, 2, CAP_RETYPE, (uint64_t)type | (uint64_t)count << 8, offset,
			  objsize, dest_cn | (uint64_t)dest_level << 32, dest_slot)
	    .err;
}

errval_t cnode_copy(capaddr_t cn, unsigned level, uint64_t slot, capaddr_t src, uint8_t rights)
{
	return cap_invoke(cn, level, CNODE_COPY, slot, src, 2, rights, 0).err;
}

errval_t cnode_mint(capaddr_t cn, unsigned level, uint64_t slot, capaddr_t src, uint8_t rights,
		    uint64_t badge)
{
	return cap_invoke(cn, level, CNODE_MINT, slot, src, 2, rights, badge).err;
}

errval_t cnode_delete(capaddr_t cn, unsigned level, uint64_t slot)
{
	errval_t err;
	do
		err = cap_invoke(cn, level, CNODE_DELETE, slot, 0, 0, 0, 0).err;
	while (err == ERR_CAP_PENDING);
	return err;
}

errval_t cnode_revoke(capaddr_t cn, unsigned level, uint64_t slot)
{
	errval_t err;
	do
		err = cap_invoke(cn, level, CNODE_REVOKE, slot, 0, 0, 0, 0).err;
	while (err == ERR_CAP_PENDING);
	return err;
}

errval_t vnode_map(capaddr_t vnode, uint64_t entry, capaddr_t child, uint64_t rights,
		   uint64_t offset, uint64_t pages)
{
	return cap_invoke(vnode, 2, VNODE_MAP, entry, child, rights, offset, pages).err;
}

errval_t vnode_unmap(capaddr_t vnode, capaddr_t child)
{
	return cap_invoke(vnode, 2, VNODE_UNMAP, child, 0, 0, 0, 0).err;
}

errval_t ep_send(capaddr_t ep, const uint64_t w[4], uint64_t cap)
{
	uint64_t c = cap == CAPADDR_NONE ? 0 : (cap & 0xffffffffu) | EP_SEND_CAP;
	return cap_invoke(ep, 2, EP_SEND, w[0], w[1], w[2], w[3], c).err;
}

static errval_t recv(uint64_t mode, uint64_t ticks, struct lmp_recv *m)
{
	register uint64_t r0 __asm__("a0") = mode;
	register uint64_t r1 __asm__("a1") = ticks;
	register uint64_t r2 __asm__("a2");
	register uint64_t r3 __asm__("a3");
	register uint64_t r4 __asm__("a4");
	register uint64_t r5 __asm__("a5");
	register uint64_t r6 __asm__("a6");
	register uint64_t r7 __asm__("a7") = SYS_RECV;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "=r"(r2), "=r"(r3), "=r"(r4), "=r"(r5), "=r"(r6)
			 : "r"(r7)
			 : "memory");
	if (r0 == ERR_OK) {
		m->badge = r1;
		m->words[0] = r2;
		m->words[1] = r3;
		m->words[2] = r4;
		m->words[3] = r5;
		m->has_cap = r6;
	}
	return (errval_t)r0;
}

errval_t lmp_recv(int block, struct lmp_recv *m)
{
	return recv((uint64_t)block, 0, m);
}

errval_t lmp_recv_timeout(uint64_t ticks, struct lmp_recv *m)
{
	return recv(RECV_TIMEOUT, ticks, m);
}

errval_t disp_set_recv_slot(capaddr_t disp, capaddr_t slot)
{
	return cap_invoke(disp, 2, DISP_SET_RECV_SLOT, slot, 0, 0, 0, 0).err;
}

errval_t ep_notify_bind(capaddr_t ep, capaddr_t dest, uint64_t *slot, uint64_t *gen)
{
	struct sysret r = cap_invoke(ep, 2, EP_NOTIFY_BIND, CAPADDR(CAPADDR_L1(dest), 0),
				     CAPADDR_L2(dest), 0, 0, 0);
	if (!r.err && slot)
		*slot = r.v[0];
	if (!r.err && gen)
		*gen = r.v[1];
	return r.err;
}

errval_t notify_send(capaddr_t n)
{
	return cap_invoke(n, 2, NOTIFY_SEND, 0, 0, 0, 0, 0).err;
}

errval_t notify_unbind(capaddr_t n)
{
	return cap_invoke(n, 2, NOTIFY_UNBIND, 0, 0, 0, 0, 0).err;
}
