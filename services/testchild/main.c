// SPDX-License-Identifier: MIT
/*
 * testchild: a domain the in-system tests start to misbehave on purpose.
 * a0 selects what it does:
 *   1  exit with status 7
 *   2  store to address 0 (a fault: the kernel stops it, nobody else)
 *   3  read the frame at 0xc0000000 until that read faults (the test revokes it)
 *   4  wait for a message; reply with words[0] + 1 on the endpoint that came with it
 *   5  share a frame of its own RAM with core 1 (monitor 0) and exit without
 *      revoking it: whoever frees its memory must revoke on core 1 too
 *   6  (started on another core) wait for a frame its monitor maps at
 *      MON_SHARE_VA, answer with the first word, print it, then read it
 *      every tick until that read faults (the frame is revoked)
 */
#include <stdint.h>
#include <stdio.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/sys.h>

static int share_and_exit(void)
{
	capaddr_t f = slot_alloc();
	struct lmp_recv rep;
	if (monitor_bind())
		return 10;
	if (cap_retype(CAPADDR(CN_TASK, TASK_RAM), OBJ_FRAME, 0, OBJSIZE_PAGE, 1,
		       CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)))
		return 11;
	return monitor_call(MONITOR_SHARE, 1, 0, 0, f, &rep) ? 12 : 0;
}

static int read_shared_frame(void)
{
	struct lmp_recv m;
	if (lmp_recv(1, &m) || m.words[0] != MON_SHARE_VA)
		return 1;
	volatile const uint64_t *p = (const uint64_t *)MON_SHARE_VA;
	uint64_t w[4] = {*p};
	printf("testchild: core %lu read %#lx\n", (unsigned long)m.words[1], (unsigned long)w[0]);
	if (ep_send(CAPADDR(CN_TASK, TASK_MONITOR), w, CAPADDR_NONE))
		return 2;
	for (;;) {
		(void)*p;
		lmp_recv_timeout(1, &m);
	}
}

int main(void *arg)
{
	uintptr_t mode = (uintptr_t)arg;
	struct lmp_recv m;
	switch (mode) {
	case 1:
		return 7;
	case 2:
		*(volatile uint32_t *)0 = 1;
		return 0;
	case 3:
		for (;;) {
			(void)*(volatile uint32_t *)0xc0000000ul;
			sys_yield();
		}
	case 5:
		return share_and_exit();
	case 6:
		return read_shared_frame();
	case 4:
		if (lmp_recv(1, &m) || !m.has_cap)
			return 1;
		uint64_t w[4] = {m.words[0] + 1, m.badge, 0, 0};
		return ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE) ? 2 : 0;
	}
	return 99;
}
