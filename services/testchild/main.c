// SPDX-License-Identifier: MIT
/*
 * testchild: a domain the in-system tests start to misbehave on purpose.
 * a0 selects what it does:
 *   1  exit with status 7
 *   2  store to address 0 (a fault: the kernel stops it, nobody else)
 *   3  read the frame at 0xc0000000 until that read faults (the test revokes it)
 *   4  wait for a message; reply with words[0] + 1 on the endpoint that came with it
 */
#include <stdint.h>

#include <abi/bootinfo.h>
#include <rt/sys.h>

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
	case 4:
		if (lmp_recv(1, &m) || !m.has_cap)
			return 1;
		uint64_t w[4] = {m.words[0] + 1, m.badge, 0, 0};
		return ep_send(CAPADDR(CN_TASK, TASK_RECV), w, CAPADDR_NONE) ? 2 : 0;
	}
	return 99;
}
