/* SPDX-License-Identifier: MIT */
/* System call and invocation stubs (abi/syscalls.h, abi/invocations.h). */
#pragma once

#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>
#include <abi/invocations.h>
#include <abi/syscalls.h>

struct sysret {
	errval_t err;
	uint64_t v[4];
};

struct sysret sys_call(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5, uint64_t a6);

static inline errval_t sys_print(const char *s, uint64_t len)
{
	return sys_call(SYS_PRINT, (uint64_t)(uintptr_t)s, len, 0, 0, 0, 0, 0).err;
}

static inline void sys_yield(void)
{
	sys_call(SYS_YIELD, 0, 0, 0, 0, 0, 0, 0);
}

void __attribute__((noreturn)) sys_exit(int64_t status);

/* Invoke the capability at addr (level 2) with cmd and arguments. */
static inline struct sysret cap_invoke(capaddr_t addr, unsigned level, unsigned cmd, uint64_t a2,
				       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
	return sys_call(SYS_INVOKE, addr, INVOKE_ARG1(cmd, level), a2, a3, a4, a5, a6);
}

/* An LMP message as SYS_RECV returns it. */
struct lmp_recv {
	uint64_t badge;
	uint64_t words[4];
	uint64_t has_cap; /* a capability arrived in the receive slot */
};

/* Send 4 words (and cap, if not CAPADDR_NONE) on the endpoint at ep. */
#define CAPADDR_NONE ((uint64_t)-1)
errval_t ep_send(capaddr_t ep, const uint64_t words[4], uint64_t cap);
/* Receive the next message; block = 1 waits for one. */
errval_t lmp_recv(int block, struct lmp_recv *m);
/* Block for a message at most ticks timer ticks; ERR_LMP_EMPTY on timeout. */
errval_t lmp_recv_timeout(uint64_t ticks, struct lmp_recv *m);
errval_t disp_set_recv_slot(capaddr_t disp, capaddr_t slot);

/* Notifications (ADR 0010): bind a notification slot of this core to the
   endpoint ep; the Notify capability goes into the empty slot dest (slot
   and gen: which, in what generation; either may be NULL). Its events come
   as LMP messages with words[0] = NOTIFY_EVENT: look at the channel then. */
errval_t ep_notify_bind(capaddr_t ep, capaddr_t dest, uint64_t *slot, uint64_t *gen);
errval_t notify_send(capaddr_t n);
errval_t notify_unbind(capaddr_t n);

errval_t cap_identify(capaddr_t addr, struct cap_info *out);
errval_t cap_retype(capaddr_t src, enum objtype type, uint64_t offset, uint64_t objsize,
		    uint32_t count, capaddr_t dest_cn, unsigned dest_level, uint64_t dest_slot);
/* CNode operations on the CNode at cn (level 2) or an L2 CNode (level 1). */
errval_t cnode_copy(capaddr_t cn, unsigned level, uint64_t slot, capaddr_t src, uint8_t rights);
errval_t cnode_mint(capaddr_t cn, unsigned level, uint64_t slot, capaddr_t src, uint8_t rights,
		    uint64_t badge);
errval_t cnode_delete(capaddr_t cn, unsigned level, uint64_t slot);
errval_t cnode_revoke(capaddr_t cn, unsigned level, uint64_t slot);
errval_t vnode_map(capaddr_t vnode, uint64_t entry, capaddr_t child, uint64_t rights,
		   uint64_t offset, uint64_t pages);
errval_t vnode_unmap(capaddr_t vnode, capaddr_t child);
