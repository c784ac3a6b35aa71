// SPDX-License-Identifier: MIT
/*
 * tests: the in-system tests, run by the shell's `test [suite...]` (a0 is
 * the suite mask, 0 = all). They check the capability system from user
 * space: every invocation with good and bad arguments, mappings, LMP, and
 * domains that exit, fault, lose a mapped frame or are spawned and killed;
 * and lib/rt's heap and slots growing from the domain's RAM.
 * Ends with "tests: N passed, M failed" and exits with M.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/memclient.h>
#include <rt/memnode.h>
#include <rt/monitor.h>
#include <rt/chan.h>
#include <rt/names.h>
#include <rt/rpc.h>
#include <rt/spawn.h>
#include <rt/sys.h>

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static unsigned passed, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#define EXPECT_ERR(expr, want)                                                                     \
	do {                                                                                       \
		errval_t e_ = (expr);                                                              \
		CHECK(e_ == (want), "%s = %s, want %s", #expr, err_str(e_), err_str(want));        \
	} while (0)

#define SLOT(i) CAPADDR(CN_SLOT0, (i))
#define RAM0	CAPADDR(CN_TASK, TASK_RAM)

static void test_identify(void)
{
	struct cap_info ci;
	EXPECT_ERR(cap_identify(CAPADDR(CN_TASK, TASK_DISP), &ci), ERR_OK);
	CHECK(ci.type == OBJ_DISPATCHER, "own dispatcher has type %u", ci.type);
	EXPECT_ERR(cap_identify(CAPADDR(CN_TASK, TASK_ROOTCN), &ci), ERR_OK);
	CHECK(ci.type == OBJ_L1CNODE && ci.size == OBJSIZE_L2CNODE, "root cnode %u", ci.type);
	EXPECT_ERR(cap_identify(RAM0, &ci), ERR_OK);
	CHECK(ci.type == OBJ_RAM && ci.size >= (1u << 20), "RAM cap type %u size %lu", ci.type,
	      (unsigned long)ci.size);
	EXPECT_ERR(cap_identify(SLOT(0), &ci), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_identify(CAPADDR(200, 0), &ci), ERR_CAP_EMPTY); /* empty L1 slot */
	EXPECT_ERR(cap_identify(CAPADDR(256, 0), &ci), ERR_CAP_ADDR);  /* beyond the L1 CNode */
	EXPECT_ERR(cap_invoke(RAM0, 3, CAP_IDENTIFY, 0, 0, 0, 0, 0).err, ERR_CAP_ADDR);
	/* A capability address is 32 bits: the rest must be zero. */
	EXPECT_ERR(
	    sys_call(SYS_INVOKE, 1ull << 40, INVOKE_ARG1(CAP_IDENTIFY, 2), 0, 0, 0, 0, 0).err,
	    ERR_CAP_ADDR);
}

static void test_retype(void)
{
	struct cap_info ci;
	capaddr_t cn = CAPADDR(CN_SLOT0, 0); /* the L2 CNode, named by its L1 slot */
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 0, 4096, 1, cn, 1, 0), ERR_OK);
	EXPECT_ERR(cap_identify(SLOT(0), &ci), ERR_OK);
	CHECK(ci.type == OBJ_FRAME && ci.size == 4096, "retyped frame %u/%lu", ci.type,
	      (unsigned long)ci.size);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 4096, 4096, 1, cn, 1, 0), ERR_CAP_OCCUPIED);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 0, 4096, 1, cn, 1, 1), ERR_CAP_OVERLAP);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 100, 4096, 1, cn, 1, 1), ERR_CAP_ALIGN);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 4096, 1000, 1, cn, 1, 1), ERR_CAP_SIZE);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 4096, 4096, 0, cn, 1, 1), ERR_CAP_SIZE);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 1ull << 50, 4096, 1, cn, 1, 1), ERR_CAP_RANGE);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 4096, 4096, 1, cn, 1, 256), ERR_CAP_ADDR);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 4096, 4096, 2, cn, 1, 255), ERR_CAP_ADDR);
	EXPECT_ERR(cap_retype(SLOT(0), OBJ_DISPATCHER, 0, 4096, 1, cn, 1, 1), ERR_CAP_DERIVE);
	EXPECT_ERR(cap_retype(SLOT(9), OBJ_FRAME, 0, 4096, 1, cn, 1, 1), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_retype(RAM0, 99, 4096, 4096, 1, cn, 1, 1), ERR_CAP_DERIVE);
	/* Unused parts of the same RAM can still be retyped. */
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 8192, 8192, 2, cn, 1, 1), ERR_OK);
	EXPECT_ERR(cnode_revoke(CAPADDR(CN_TASK, 0), 1, TASK_RAM), ERR_OK);
	EXPECT_ERR(cap_identify(SLOT(0), &ci), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_identify(SLOT(2), &ci), ERR_CAP_EMPTY);
}

static void test_copy(void)
{
	struct cap_info ci;
	capaddr_t cn = CAPADDR(CN_SLOT0, 0);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 0, 4096, 1, cn, 1, 10), ERR_OK);
	EXPECT_ERR(cnode_copy(cn, 1, 11, SLOT(10), CAP_RIGHTS_ALL), ERR_OK);
	EXPECT_ERR(cnode_copy(cn, 1, 11, SLOT(10), CAP_RIGHTS_ALL), ERR_CAP_OCCUPIED);
	EXPECT_ERR(cnode_copy(cn, 1, 12, SLOT(13), CAP_RIGHTS_ALL), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_invoke(cn, 1, CNODE_COPY, 12, SLOT(10), 2, 0x100, 0).err, ERR_CAP_RIGHTS);
	EXPECT_ERR(cnode_mint(cn, 1, 12, SLOT(10), CAP_RIGHT_READ, 0), ERR_OK);
	EXPECT_ERR(cap_identify(SLOT(12), &ci), ERR_OK);
	CHECK(ci.rights == CAP_RIGHT_READ, "minted rights %#x", ci.rights);
	EXPECT_ERR(cnode_mint(cn, 1, 13, SLOT(10), CAP_RIGHT_READ, 7), ERR_CAP_RIGHTS);
	/* A read-only copy cannot be retyped or widened again. */
	EXPECT_ERR(cap_retype(SLOT(12), OBJ_FRAME, 0, 4096, 1, cn, 1, 13), ERR_CAP_RIGHTS);
	EXPECT_ERR(cnode_mint(cn, 1, 13, SLOT(12), CAP_RIGHTS_ALL, 0), ERR_OK);
	EXPECT_ERR(cap_identify(SLOT(13), &ci), ERR_OK);
	CHECK(ci.rights == CAP_RIGHT_READ, "rights widened to %#x", ci.rights);
	EXPECT_ERR(cnode_delete(cn, 1, 13), ERR_OK);
	EXPECT_ERR(cnode_delete(cn, 1, 13), ERR_CAP_EMPTY);
	EXPECT_ERR(cnode_delete(cn, 1, 300), ERR_CAP_ADDR);
	EXPECT_ERR(cnode_revoke(cn, 1, 10), ERR_OK);
	EXPECT_ERR(cap_identify(SLOT(11), &ci), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_identify(SLOT(12), &ci), ERR_CAP_EMPTY);
	EXPECT_ERR(cap_identify(SLOT(10), &ci), ERR_OK);
	EXPECT_ERR(cnode_delete(cn, 1, 10), ERR_OK);
	/* CNode commands on something that is not a CNode. */
	EXPECT_ERR(cap_invoke(RAM0, 2, CNODE_COPY, 0, 0, 0, 0, 0).err, ERR_CAP_TYPE);
}

static volatile uint32_t *const test_va =
    (volatile uint32_t *)0x80000000ul; /* GiB 2: unused by init */

static void test_map(void)
{
	capaddr_t cn = CAPADDR(CN_SLOT0, 0), vroot = CAPADDR(CN_TASK, TASK_VROOT);
	EXPECT_ERR(cap_retype(RAM0, OBJ_VNODE_L1, 0, OBJSIZE_VNODE, 1, cn, 1, 20), ERR_OK);
	EXPECT_ERR(cap_retype(RAM0, OBJ_VNODE_L0, 8192, OBJSIZE_VNODE, 1, cn, 1, 21), ERR_OK);
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 16384, 4096, 1, cn, 1, 22), ERR_OK);
	EXPECT_ERR(vnode_map(vroot, 2, SLOT(21), 0, 0, 1), ERR_VM_LEVEL);
	EXPECT_ERR(vnode_map(vroot, 256, SLOT(20), 0, 0, 1), ERR_VM_ADDR); /* kernel half */
	EXPECT_ERR(vnode_map(vroot, 2, SLOT(20), 0, 0, 1), ERR_OK);
	EXPECT_ERR(vnode_map(vroot, 2, SLOT(20), 0, 0, 1), ERR_VM_MAPPED);
	EXPECT_ERR(vnode_map(SLOT(20), 0, SLOT(21), 0, 0, 1), ERR_OK);
	EXPECT_ERR(vnode_map(SLOT(21), 0, SLOT(22), CAP_RIGHT_WRITE, 0, 1), ERR_CAP_RIGHTS);
	EXPECT_ERR(vnode_map(SLOT(21), 0, SLOT(22), CAP_RIGHT_READ, 0, 2), ERR_VM_ADDR);
	EXPECT_ERR(vnode_map(SLOT(21), 512, SLOT(22), CAP_RIGHT_READ, 0, 1), ERR_VM_ADDR);
	EXPECT_ERR(vnode_map(SLOT(21), 0, SLOT(22), CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 1),
		   ERR_OK);
	*test_va = 0x5eef;
	CHECK(*test_va == 0x5eef, "mapped frame reads back %#x", *test_va);
	EXPECT_ERR(vnode_unmap(SLOT(20), SLOT(22)), ERR_VM_NOT_MAPPED); /* wrong table */
	EXPECT_ERR(vnode_unmap(SLOT(21), SLOT(22)), ERR_OK);
	EXPECT_ERR(vnode_unmap(SLOT(21), SLOT(22)), ERR_VM_NOT_MAPPED);
	EXPECT_ERR(vnode_map(SLOT(21), 0, SLOT(22), CAP_RIGHT_READ, 0, 1), ERR_OK);
	CHECK(*test_va == 0x5eef, "remapped frame kept its data");
	/* Revoking the RAM unmaps and destroys everything made from it. */
	EXPECT_ERR(cnode_revoke(CAPADDR(CN_TASK, 0), 1, TASK_RAM), ERR_OK);
	struct cap_info ci;
	EXPECT_ERR(cap_identify(SLOT(20), &ci), ERR_CAP_EMPTY);
}

static void test_bad_syscalls(void)
{
	EXPECT_ERR(sys_call(0, 0, 0, 0, 0, 0, 0, 0).err, ERR_SYS_UNKNOWN);
	EXPECT_ERR(sys_call(999, 0, 0, 0, 0, 0, 0, 0).err, ERR_SYS_UNKNOWN);
	EXPECT_ERR(sys_print((const char *)0x1000, 4), ERR_VM_ADDR);
	EXPECT_ERR(sys_print((const char *)0xffffffffffff0000ull, 4), ERR_VM_ADDR);
	EXPECT_ERR(sys_print("x", SYS_PRINT_MAX + 1), ERR_SYS_ARG);
	EXPECT_ERR(cap_invoke(RAM0, 2, 200, 0, 0, 0, 0, 0).err, ERR_SYS_CMD);
	EXPECT_ERR(sys_call(SYS_RECV, 0, 0, 0, 0, 0, 0, 0).err, ERR_LMP_EMPTY);
	EXPECT_ERR(sys_call(SYS_RECV, 7, 0, 0, 0, 0, 0, 0).err, ERR_SYS_ARG);
	EXPECT_ERR(sys_call(SYS_RECV, RECV_TIMEOUT, 0, 0, 0, 0, 0, 0).err, ERR_SYS_ARG);
	EXPECT_ERR(sys_call(SYS_RECV, RECV_TIMEOUT, RECV_MAX_TICKS + 1, 0, 0, 0, 0, 0).err,
		   ERR_SYS_ARG);
	struct lmp_recv m;
	EXPECT_ERR(lmp_recv_timeout(2, &m), ERR_LMP_EMPTY); /* nothing comes: times out */
	/* Only monitors hold the Kernel capability: the Kernel commands on
	   anything else are refused, whatever the arguments. */
	for (unsigned cmd = KERNEL_IPI_BIND; cmd <= KERNEL_STATUS; cmd++) {
		EXPECT_ERR(cap_invoke(RAM0, 2, cmd, 0, 0, 0, 0, 0).err, ERR_CAP_TYPE);
		EXPECT_ERR(cap_invoke(CAPADDR(CN_TASK, TASK_EP), 2, cmd, 1, 0, 0, 0, 0).err,
			   ERR_CAP_TYPE);
	}
}

static void test_lmp(void)
{
	capaddr_t ep = CAPADDR(CN_TASK, TASK_EP), cn = CAPADDR(CN_SLOT0, 0);
	uint64_t w[4] = {1, 2, 3, 4};
	struct lmp_recv m;
	EXPECT_ERR(lmp_recv(0, &m), ERR_LMP_EMPTY);
	EXPECT_ERR(ep_send(ep, w, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &m), ERR_OK);
	CHECK(m.badge == 0 && m.words[0] == 1 && m.words[3] == 4 && !m.has_cap,
	      "message %lu %lu %lu", (unsigned long)m.badge, (unsigned long)m.words[0],
	      (unsigned long)m.has_cap);
	/* A badged copy tells the receiver who sent. */
	EXPECT_ERR(cnode_mint(cn, 1, 30, ep, CAP_RIGHTS_ALL, 42), ERR_OK);
	EXPECT_ERR(ep_send(SLOT(30), w, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &m), ERR_OK);
	CHECK(m.badge == 42, "badge %lu", (unsigned long)m.badge);
	/* One capability per message, into the receive slot; it needs GRANT. */
	EXPECT_ERR(cap_retype(RAM0, OBJ_FRAME, 0, 4096, 1, cn, 1, 31), ERR_OK);
	EXPECT_ERR(cnode_mint(cn, 1, 32, SLOT(31), CAP_RIGHT_READ, 0), ERR_OK);
	EXPECT_ERR(ep_send(ep, w, SLOT(32)), ERR_CAP_RIGHTS);
	EXPECT_ERR(ep_send(ep, w, SLOT(33)), ERR_CAP_EMPTY);
	EXPECT_ERR(ep_send(ep, w, SLOT(31)), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &m), ERR_OK);
	CHECK(m.has_cap == 1, "capability did not arrive");
	struct cap_info ci;
	EXPECT_ERR(cap_identify(CAPADDR(CN_TASK, TASK_RECV), &ci), ERR_OK);
	CHECK(ci.type == OBJ_FRAME, "received type %u", ci.type);
	/* The receive slot is used up until it is set again. */
	EXPECT_ERR(ep_send(ep, w, SLOT(31)), ERR_LMP_CAP_SLOT);
	EXPECT_ERR(disp_set_recv_slot(CAPADDR(CN_TASK, TASK_DISP), CAPADDR(CN_TASK, TASK_RECV)),
		   ERR_OK);
	EXPECT_ERR(ep_send(ep, w, SLOT(31)), ERR_LMP_CAP_SLOT); /* still occupied */
	EXPECT_ERR(cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV), ERR_OK);
	/* The queue is bounded. */
	unsigned sent = 0;
	while (ep_send(ep, w, CAPADDR_NONE) == ERR_OK && sent < 100)
		sent++;
	CHECK(sent == 8, "queue took %u messages", sent);
	EXPECT_ERR(ep_send(ep, w, CAPADDR_NONE), ERR_LMP_BUF_FULL);
	while (lmp_recv(0, &m) == ERR_OK)
		sent--;
	CHECK(sent == 0, "%u messages lost", sent);
	EXPECT_ERR(ep_send(RAM0, w, CAPADDR_NONE), ERR_CAP_TYPE);
	EXPECT_ERR(cap_invoke(ep, 2, EP_SEND, 0, 0, 0, 0, 5).err, ERR_SYS_ARG);
	EXPECT_ERR(cnode_revoke(CAPADDR(CN_TASK, 0), 1, TASK_RAM), ERR_OK);
	EXPECT_ERR(cnode_delete(cn, 1, 30), ERR_OK);
}

/* Random register values against a scratch CNode: errors, never a crash. */
static void test_random_invocations(void)
{
	capaddr_t cn = CAPADDR(CN_SLOT1, 0);
	EXPECT_ERR(cap_retype(RAM0, OBJ_RAM, 0, 1 << 20, 1, cn, 1, 0), ERR_OK);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned ok = 0;
	for (int i = 0; i < 4000; i++) {
		uint64_t r[8];
		for (int k = 0; k < 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r[k] = x;
		}
		capaddr_t target = CAPADDR(CN_SLOT1, r[0] % 8);
		uint64_t cmd = r[1] % 21, level = (r[1] >> 8) % 2 ? 2 : 1;
		uint64_t a2 = r[2] % 3 ? r[2] % 512 : r[2];
		uint64_t a3 = r[3] % 3 ? CAPADDR(CN_SLOT1, r[3] % 8) : r[3];
		if (cmd == KERNEL_POWEROFF)
			continue;
		struct sysret s = cap_invoke(target, (unsigned)level, (unsigned)cmd, a2, a3,
					     r[4] % 5 ? r[4] % 8 : r[4],
					     r[5] % 2 ? cn | (1ull << 32) : r[5], r[6] % 16);
		ok += s.err == ERR_OK;
	}
	CHECK(ok > 0 && ok < 4000, "random invocations: %u succeeded", ok);
	EXPECT_ERR(cnode_revoke(CAPADDR(CN_TASK, 0), 1, TASK_RAM), ERR_OK);
}

static capaddr_t module(const char *name, uint64_t *size)
{
	for (unsigned i = 0; i < bi->nmodules; i++)
		if (!strcmp(bi->modules[i].name, name)) {
			*size = bi->modules[i].size;
			return CAPADDR(CN_MODULE, i);
		}
	return SLOT_NONE;
}

/*
 * One timer tick of a poll: the pace, never a limit (a count of ticks or
 * yields is what a slow core exceeds; the boot test's timeout bounds a
 * poll that never ends). Nothing is sent to us while we poll: a message
 * that comes anyway is a failure, not dropped unseen.
 */
static void nap(void)
{
	struct lmp_recv m;
	if (lmp_recv_timeout(1, &m) == ERR_OK && !rpc_filtered(&m)) {
		failed++;
		printf("FAIL: a message nobody waits for: badge %#lx, words %#lx %#lx\n",
		       (unsigned long)m.badge, (unsigned long)m.words[0],
		       (unsigned long)m.words[1]);
	}
}

/* Until the child has stopped (no kernel message says so: a poll a tick);
   false if its status cannot be read. */
static bool wait_stopped(struct child *c, uint64_t *faults, int64_t *status)
{
	uint64_t state;
	errval_t err;
	while (!(err = spawn_status(c, &state, faults, status)) && state != 0)
		nap();
	return !err;
}

static errval_t start_child_stopped(struct child *c, uint64_t mode)
{
	uint64_t size;
	capaddr_t elf = module("testchild", &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	return spawn_elf(c, "testchild", elf, size, SPAWN_DEFAULT_RAM, mode);
}

static errval_t start_child(struct child *c, uint64_t mode)
{
	uint64_t size;
	capaddr_t elf = module("testchild", &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	errval_t err = spawn_elf(c, "testchild", elf, size, SPAWN_DEFAULT_RAM, mode);
	return err ? err : spawn_run(c);
}

static void test_domains(void)
{
	struct child c;
	uint64_t faults;
	int64_t status;

	EXPECT_ERR(start_child(&c, 1), ERR_OK);
	CHECK(wait_stopped(&c, &faults, &status), "child did not exit");
	CHECK(status == 7 && faults == 0, "exit status %ld faults %lu", (long)status,
	      (unsigned long)faults);
	/* Nobody will read what is sent to a domain that exited: refused,
	   not queued for ever (a client's call would wait for ever). */
	const uint64_t w[4] = {1, 2, 3, 4};
	EXPECT_ERR(ep_send(child_cap(&c, SPAWN_H_EP), w, CAPADDR_NONE), ERR_LMP_NO_RECEIVER);
	EXPECT_ERR(spawn_kill(&c), ERR_OK);
	EXPECT_ERR(spawn_kill(&c), ERR_DOMAIN_NOT_FOUND);

	/* A domain that faults is stopped; init carries on; it is gone too. */
	EXPECT_ERR(start_child(&c, 2), ERR_OK);
	CHECK(wait_stopped(&c, &faults, &status), "faulting child still runs");
	CHECK(faults == 1, "faults %lu", (unsigned long)faults);
	EXPECT_ERR(ep_send(child_cap(&c, SPAWN_H_EP), w, CAPADDR_NONE), ERR_LMP_NO_RECEIVER);
	EXPECT_ERR(spawn_kill(&c), ERR_OK);

	/* One that has not run yet takes messages: it will read them. */
	EXPECT_ERR(start_child_stopped(&c, 1), ERR_OK);
	EXPECT_ERR(ep_send(child_cap(&c, SPAWN_H_EP), w, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(spawn_kill(&c), ERR_OK);
}

/* Revoking a frame mapped into another domain makes its next access fault. */
static void test_revoke_mapped(void)
{
	struct child c;
	struct lmp_recv m;
	capaddr_t mem, l1 = slot_alloc(), l0 = slot_alloc(), f = slot_alloc(), reply = slot_alloc();
	uint64_t state, faults;
	int64_t status;
	EXPECT_ERR(start_child_stopped(&c, 3), ERR_OK); /* runs once the frame is mapped */
	EXPECT_ERR(ram_alloc(RAM_UNIT, &mem), ERR_OK);
	EXPECT_ERR(cap_retype(mem, OBJ_VNODE_L1, 0, OBJSIZE_VNODE, 1, CAPADDR(CAPADDR_L1(l1), 0), 1,
			      CAPADDR_L2(l1)),
		   ERR_OK);
	EXPECT_ERR(cap_retype(mem, OBJ_VNODE_L0, 8192, OBJSIZE_VNODE, 1, CAPADDR(CAPADDR_L1(l0), 0),
			      1, CAPADDR_L2(l0)),
		   ERR_OK);
	EXPECT_ERR(
	    cap_retype(mem, OBJ_FRAME, 16384, 4096, 1, CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)),
	    ERR_OK);
	uint64_t *p = win_map(f, 1, true);
	CHECK(p != NULL, "cannot map the frame");
	if (p)
		*p = 0x3ead;
	win_unmap(f);
	EXPECT_ERR(vnode_map(child_cap(&c, SPAWN_H_VROOT), 3, l1, 0, 0, 1), ERR_OK);
	EXPECT_ERR(vnode_map(l1, 0, l0, 0, 0, 1), ERR_OK);
	EXPECT_ERR(vnode_map(l0, 0, f, CAP_RIGHT_READ, 0, 1), ERR_OK);
	/* A console tag is a domain number or DISP_RUN_PLAIN (ADR 0013). */
	EXPECT_ERR(spawn_run_as(&c, DISP_RUN_PLAIN + 1), ERR_SYS_ARG);
	EXPECT_ERR(spawn_run(&c), ERR_OK);
	/* It answers (on the endpoint we send it) once it has read the frame. */
	EXPECT_ERR(cnode_mint(CAPADDR(CAPADDR_L1(reply), 0), 1, CAPADDR_L2(reply),
			      CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, 98),
		   ERR_OK);
	uint64_t w[4] = {0};
	EXPECT_ERR(ep_send(child_cap(&c, SPAWN_H_EP), w, reply), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &m), ERR_OK);
	CHECK(m.badge == 98 && m.words[0] == 0x3ead, "child read %#lx (badge %lu)",
	      (unsigned long)m.words[0], (unsigned long)m.badge);
	EXPECT_ERR(spawn_status(&c, &state, &faults, &status), ERR_OK);
	CHECK(state == 1 && faults == 0, "child reading the frame: state %lu faults %lu",
	      (unsigned long)state, (unsigned long)faults);
	EXPECT_ERR(ram_free(mem), ERR_OK); /* revokes the frame and the tables */
	CHECK(wait_stopped(&c, &faults, &status), "child survived the revoke");
	CHECK(faults == 1, "faults after revoke %lu", (unsigned long)faults);
	EXPECT_ERR(spawn_kill(&c), ERR_OK);
	EXPECT_ERR(cnode_delete(CAPADDR(CAPADDR_L1(reply), 0), 1, CAPADDR_L2(reply)), ERR_OK);
	slot_free(l1);
	slot_free(l0);
	slot_free(f);
	slot_free(reply);
}

/* LMP between domains: a blocking receive, a capability, a reply. */
static void test_lmp_domains(void)
{
	struct child c;
	struct lmp_recv m;
	uint64_t faults;
	int64_t status;
	while (lmp_recv(0, &m) == ERR_OK)
		;
	EXPECT_ERR(start_child(&c, 4), ERR_OK);
	capaddr_t reply = slot_alloc();
	EXPECT_ERR(cnode_mint(CAPADDR(CAPADDR_L1(reply), 0), 1, CAPADDR_L2(reply),
			      CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, 99),
		   ERR_OK);
	uint64_t w[4] = {41, 0, 0, 0};
	EXPECT_ERR(ep_send(child_cap(&c, SPAWN_H_EP), w, reply), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &m), ERR_OK);
	CHECK(m.words[0] == 42 && m.badge == 99, "reply %lu badge %lu", (unsigned long)m.words[0],
	      (unsigned long)m.badge);
	CHECK(wait_stopped(&c, &faults, &status) && status == 0, "child status %ld", (long)status);
	EXPECT_ERR(spawn_kill(&c), ERR_OK);
	EXPECT_ERR(cnode_delete(CAPADDR(CAPADDR_L1(reply), 0), 1, CAPADDR_L2(reply)), ERR_OK);
	slot_free(reply);
}

/* Spawning and killing 100 domains gives every byte back. */
static void test_no_leak(void)
{
	uint64_t before = ram_free_bytes(), faults;
	int64_t status;
	unsigned ok = 0;
	for (int i = 0; i < 100; i++) {
		struct child c;
		if (start_child(&c, 1) == ERR_OK && wait_stopped(&c, &faults, &status) &&
		    spawn_kill(&c) == ERR_OK)
			ok++;
	}
	CHECK(ok == 100, "%u of 100 spawn/kill cycles worked", ok);
	CHECK(ram_free_bytes() == before, "free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
	/* The kernel agrees: all of it can be retyped again at once. */
	capaddr_t all;
	EXPECT_ERR(ram_alloc(before, &all), ERR_OK);
	EXPECT_ERR(ram_free(all), ERR_OK);
}

/* ---- memory that grows from the domain's RAM (suite "mem") ---- */

#define MEM_PIECES 256 /* of 4 KiB: 1 MiB of heap, eight times its static part */
#define MEM_SLOTS  1500

/* 1 MiB of heap in pieces, each written and read back; freed, the second
   MiB takes no new RAM (the heap never shrinks, it is reused). */
static void test_heap_grows(void)
{
	static uint64_t *p[MEM_PIECES];
	uint64_t before = ram_free_bytes(), after = 0, grown = 0;
	for (int round = 0; round < 2; round++) {
		unsigned got, bad = 0;
		for (got = 0; got < MEM_PIECES && (p[got] = malloc(4096)); got++)
			for (unsigned k = 0; k < 512; k++)
				p[got][k] = (uint64_t)got << 32 | k;
		for (unsigned i = 0; i < got; i++)
			for (unsigned k = 0; k < 512; k++)
				bad += p[i][k] != ((uint64_t)i << 32 | k);
		CHECK(got == MEM_PIECES && bad == 0, "round %d: %u of %u pieces, %u words wrong",
		      round, got, MEM_PIECES, bad);
		for (unsigned i = 0; i < got; i++)
			free(p[i]);
		if (round == 0) {
			grown = heap_grown();
			after = ram_free_bytes();
		}
	}
	CHECK(grown >= (1u << 20) - (128u << 10), "the heap grew by %lu bytes only",
	      (unsigned long)grown);
	CHECK(heap_grown() == grown && ram_free_bytes() == after,
	      "the second MiB grew the heap to %lu bytes (was %lu)", (unsigned long)heap_grown(),
	      (unsigned long)grown);
	printf("tests: mem: 1 MiB of heap in 4 KiB pieces: %lu KiB mapped beyond the static "
	       "part, %lu KiB of RAM with page tables\n",
	       (unsigned long)(grown >> 10), (unsigned long)((before - after) >> 10));
}

/* More slots than CN_SLOT0 and CN_SLOT1 hold, each filled (a real, empty
   slot) and emptied; the CNodes made for them go back to RAM. */
static void test_slots_grow(void)
{
	static capaddr_t s[MEM_SLOTS];
	uint64_t before = ram_free_bytes();
	unsigned got, bad = 0;
	for (got = 0; got < MEM_SLOTS && (s[got] = slot_alloc()) != SLOT_NONE; got++)
		bad += cnode_copy(CAPADDR(CAPADDR_L1(s[got]), 0), 1, CAPADDR_L2(s[got]),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL) != ERR_OK;
	uint64_t used = before - ram_free_bytes();
	CHECK(got == MEM_SLOTS && bad == 0, "%u of %u slots, %u copies refused", got, MEM_SLOTS,
	      bad);
	CHECK(used > 0, "no CNodes made for %u slots", got);
	for (unsigned i = 0; i < got; i++) {
		bad += cnode_delete(CAPADDR(CAPADDR_L1(s[i]), 0), 1, CAPADDR_L2(s[i])) != ERR_OK;
		slot_free(s[i]);
	}
	CHECK(bad == 0, "%u deletes failed", bad);
	CHECK(ram_free_bytes() == before, "free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
	printf("tests: mem: %u slots: %lu KiB of RAM for CNodes, all given back\n", got,
	       (unsigned long)(used >> 10));
}

/* With all RAM taken: malloc beyond the heap says NULL, slot_alloc hands
   out what is left, then SLOT_NONE; all comes back. */
static void test_without_ram(void)
{
	static capaddr_t held[512], s[2 * CSPACE_L2_SLOTS];
	uint64_t before = ram_free_bytes();
	unsigned nheld = 0, got;
	while (nheld < 512 && ram_alloc(RAM_UNIT, &held[nheld]) == ERR_OK)
		nheld++;
	CHECK(ram_free_bytes() == 0, "%lu bytes left", (unsigned long)ram_free_bytes());
	void *big = malloc(2u << 20);
	CHECK(big == NULL, "malloc of 2 MiB without RAM worked");
	free(big);
	for (got = 0; got < 2 * CSPACE_L2_SLOTS && (s[got] = slot_alloc()) != SLOT_NONE; got++)
		;
	CHECK(got < 2 * CSPACE_L2_SLOTS, "%u slots without RAM", got);
	for (unsigned i = 0; i < got; i++)
		slot_free(s[i]);
	for (unsigned i = 0; i < nheld; i++)
		EXPECT_ERR(ram_free(held[i]), ERR_OK);
	CHECK(ram_free_bytes() == before, "free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

/* ---- capabilities across cores, through monitor 0 (suite "cores") ---- */

static uint64_t held_on(unsigned core, uint64_t base, uint64_t size)
{
	struct lmp_recv rep;
	errval_t err = monitor_call(MONITOR_COUNT, core, base, size, CAPADDR_NONE, &rep);
	if (err)
		printf("count on core %u: %s\n", core, err_str(err));
	return err ? ~0ull : rep.words[1];
}

/* The capability invariants hold on every core (MONITOR_CHECK). */
static void check_everywhere(unsigned online, const char *when)
{
	struct lmp_recv rep;
	errval_t err = monitor_call(MONITOR_CHECK, 0, 0, 0, CAPADDR_NONE, &rep);
	CHECK(!err && rep.words[1] == online && rep.words[2] == 0,
	      "%s: invariants checked on %lu of %u cores, broken on %lu (%s)", when,
	      (unsigned long)rep.words[1], online, (unsigned long)rep.words[2], err_str(err));
}

/* Revoke c everywhere (how: down the tree, or MON_REVOKE_STAR,
   MON_REVOKE_BROADCAST) and check what it took: cores asked, capabilities
   deleted there, inter-monitor messages, the depth of their critical path
   in hops (all exact; ADR 0017). */
#define EXPECT_REVOKE_HOW(c, how, cores, deleted, msgs, depth)                                     \
	expect_revoke(c, how, (uint64_t[4]){cores, deleted, msgs, depth}, __LINE__)
#define EXPECT_REVOKE(c, cores, deleted, msgs, depth)                                              \
	EXPECT_REVOKE_HOW(c, 0, cores, deleted, msgs, depth)

static void expect_revoke(capaddr_t c, uint64_t how, const uint64_t want[4], int line)
{
	union monitor_rep r;
	errval_t err = monitor_revoke(c, how, &r);
	CHECK(!err && r.revoke.cores == want[0] && r.revoke.deleted == want[1] &&
		  r.revoke.msgs == want[2] && r.revoke.depth == want[3],
	      "line %d: revoke: %s, %lu cores, %lu deleted, %lu messages, depth %lu; want %lu, "
	      "%lu, %lu, %lu",
	      line, err_str(err), (unsigned long)r.revoke.cores, (unsigned long)r.revoke.deleted,
	      (unsigned long)r.revoke.msgs, (unsigned long)r.revoke.depth, (unsigned long)want[0],
	      (unsigned long)want[1], (unsigned long)want[2], (unsigned long)want[3]);
}

/* Core k's NUMA node (bootinfo; the kernel keeps them below 16). */
static unsigned node_of(unsigned k)
{
	return bi->cores[k].node % BOOTINFO_MAX_CORES;
}

/* floor(log2(k + 1)): the levels of a binary tree over k cores below its root. */
static uint64_t levels(uint64_t k)
{
	uint64_t d = 0;
	for (k++; k > 1; k /= 2)
		d++;
	return d;
}

/*
 * What a revoke from core 0 down the tree by node to the cores in `to`
 * takes, by ADR 0019's rule, stated here on its own: the cores on core 0's
 * node by a binary tree; of every other node its lowest core in `to`, its
 * leader, these in increasing order a binary heap under core 0 (the i-th
 * at level levels(i)), each over the rest of its node by a binary tree.
 * The depth in hops; *others: the other nodes (each entered by one edge).
 */
static uint64_t numa_hops(const bool *to, unsigned *others)
{
	unsigned count[BOOTINFO_MAX_CORES] = {0}, i = 0;
	bool seen[BOOTINFO_MAX_CORES] = {false};
	for (unsigned k = 1; k < bi->ncores; k++)
		count[node_of(k)] += to[k];
	uint64_t deepest = levels(count[node_of(0)]);
	*others = 0;
	for (unsigned k = 1; k < bi->ncores; k++) {
		unsigned n = node_of(k);
		if (!to[k] || n == node_of(0) || seen[n])
			continue;
		seen[n] = true;
		(*others)++;
		uint64_t d = levels(++i) + levels(count[n] - 1);
		if (d > deepest)
			deepest = d;
	}
	return 2 * deepest;
}

/* The depth in hops of a broadcast from core 0: each pass 2, 4 where an
   other NUMA node's leader relays it to more cores of its node. */
static uint64_t broadcast_hops(void)
{
	unsigned in_node[BOOTINFO_MAX_CORES] = {0};
	bool relays = false;
	for (unsigned k = 1; k < bi->ncores; k++)
		if (bi->cores[k].online && node_of(k) != node_of(0))
			relays |= ++in_node[node_of(k)] >= 2;
	return relays ? 8 : 4;
}

/* The depth in hops of a revoke from core 0 down the tree to cores a and b. */
static uint64_t pair_hops(unsigned a, unsigned b)
{
	bool to[BOOTINFO_MAX_CORES] = {false};
	unsigned others;
	to[a] = to[b] = true;
	return numa_hops(to, &others);
}

/*
 * Stress: STRESS_DOMAINS domains on this core at once, each ROUNDS times
 * sharing a frame and a frame inside it with two other cores and revoking
 * them everywhere in either order (testchild mode 7), while the monitors
 * serve them all. Afterwards no core holds anything, the invariants hold
 * everywhere and all memory is back.
 */
#define STRESS_DOMAINS 4
#define STRESS_ROUNDS  25

static void test_stress(unsigned n, unsigned online)
{
	struct child c[STRESS_DOMAINS];
	struct lmp_recv rep;
	uint64_t before = ram_free_bytes(), faults;
	int64_t status;
	unsigned started = 0;
	for (unsigned i = 0; i < STRESS_DOMAINS; i++) {
		uint64_t arg =
		    7 | (uint64_t)n << 8 | (uint64_t)i << 16 | (uint64_t)STRESS_ROUNDS << 24;
		errval_t err = start_child_stopped(&c[i], arg);
		if (!err)
			err = spawn_give_ram(&c[i], TASK_RAM, RAM_UNIT);
		if (!err)
			err = spawn_give(&c[i], TASK_MONITOR, CAPADDR(CN_TASK, TASK_MONITOR),
					 CAP_RIGHTS_ALL);
		if (!err)
			err = spawn_run(&c[i]);
		EXPECT_ERR(err, ERR_OK);
		started += !err;
	}
	for (unsigned i = 0; i < started; i++) {
		CHECK(wait_stopped(&c[i], &faults, &status), "stress domain %u did not end", i);
		CHECK(status == 0 && faults == 0, "stress domain %u: status %ld faults %lu", i,
		      (long)status, (unsigned long)faults);
		EXPECT_ERR(spawn_kill(&c[i]), ERR_OK);
	}
	for (unsigned k = 1; k < n; k++)
		if (bi->cores[k].online)
			CHECK(held_on(k, 0, ~0ull) == 0, "after the stress core %u holds %lu", k,
			      (unsigned long)held_on(k, 0, ~0ull));
	check_everywhere(online, "after the stress");
	EXPECT_ERR(monitor_call(MONITOR_COUNT, 0, 0, 0, CAPADDR_NONE, &rep), ERR_CORE_NONE);
	CHECK(ram_free_bytes() == before, "stress: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

/* Start testchild in mode `mode` on core k (its monitor builds it). */
static uint64_t spawn_on(unsigned k, uint64_t mode)
{
	struct lmp_recv rep;
	uint64_t name[2] = {0};
	memcpy(name, "testchild", 9);
	errval_t err =
	    monitor_call(MONITOR_SPAWN, k | mode << 32, name[0], name[1], CAPADDR_NONE, &rep);
	EXPECT_ERR(err, ERR_OK);
	return err ? 0 : rep.words[1];
}

/*
 * Until domain dom on core k has stopped (it exited, or faulted: then its
 * fault count is in the top half), asked once a tick with no limit; its
 * state word (MONITOR_DOMAIN), ~0 if it could not be asked.
 */
static uint64_t wait_domain(unsigned k, uint64_t dom)
{
	struct lmp_recv rep;
	for (;;) {
		errval_t err = monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep);
		if (err) {
			printf("domain %lu on core %u: %s\n", (unsigned long)dom, k, err_str(err));
			return ~0ull;
		}
		if ((rep.words[1] & 0xff) == 0)
			return rep.words[1];
		nap();
	}
}

/* A one-page Frame of new RAM (*ram) whose first word is magic. */
static capaddr_t marked_frame(capaddr_t *ram, uint64_t magic)
{
	capaddr_t f = slot_alloc();
	EXPECT_ERR(ram_alloc(OBJSIZE_PAGE, ram), ERR_OK);
	EXPECT_ERR(cap_retype(*ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
			      CAPADDR_L2(f)),
		   ERR_OK);
	uint64_t *p = win_map(f, 1, true);
	CHECK(p != NULL, "cannot map the frame");
	if (p)
		*p = magic;
	win_unmap(f);
	return f;
}

/*
 * A domain on core k gets a frame through its monitor and maps it; a
 * revoke from here takes it away there: the domain's next read faults on
 * core k.
 */
static void test_remote_domain(unsigned k)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(k, 6);
	capaddr_t ram, f = marked_frame(&ram, 0xd0d0000 + k);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, 99, 0, f, &rep), ERR_DOMAIN_NOT_FOUND);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 4, CAPADDR_NONE, &rep), ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, 0, 2, CAPADDR_NONE, &rep), ERR_OK);
	bool listed = false;
	union monitor_rep r = monitor_rep_of(rep.words);
	for (unsigned i = 0; i < MONITOR_LIST_IDS && r.domain_list.ids[i]; i++)
		listed |= r.domain_list.ids[i] == dom;
	CHECK(listed, "domain %lu is not in core %u's list %#lx", (unsigned long)dom, k,
	      (unsigned long)rep.words[1]);
	/* Core k's own spawnd built it, and lists itself first. */
	CHECK(r.domain_list.ids[0] == 1, "core %u's list %#lx does not start with its spawnd", k,
	      (unsigned long)rep.words[1]);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, 1, 0, CAPADDR_NONE, &rep), ERR_OK);
	r = monitor_rep_of(rep.words);
	CHECK(!memcmp(r.domain.name, "spawnd", 7), "domain 1 on core %u is not spawnd", k);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, 1, 1, CAPADDR_NONE, &rep), ERR_DOMAIN_PROTECTED);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, 1, 0, f, &rep), ERR_DOMAIN_NOT_FOUND);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(!memcmp(&rep.words[2], "testchild", 9), "domain %lu on core %u is not testchild",
	      (unsigned long)dom, k);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom, 0, f, &rep), ERR_OK);
	CHECK(rep.words[1] == 0xd0d0000 + k, "domain %lu on core %u read %#lx", (unsigned long)dom,
	      k, (unsigned long)rep.words[1]);
	/* Its monitor's copy: 1 deleted (the copies the domain holds and
	   mapped go too, uncounted: it faults below); asked and answered, in
	   one pass: 2 messages, 2 hops deep. */
	EXPECT_REVOKE(f, 1, 1, 2, 2);
	uint64_t faults = wait_domain(k, dom) >> 32; /* it reads every tick */
	CHECK(faults == 1, "domain %lu on core %u: %lu faults after the revoke, want 1",
	      (unsigned long)dom, k, (unsigned long)faults);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep),
		   ERR_DOMAIN_NOT_FOUND);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 0, dom, 0, CAPADDR_NONE, &rep), ERR_CORE_NONE);
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/* A request to monitor 0 without waiting for its answer. */
static errval_t send_req(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t cap)
{
	uint64_t w[4] = {op, w1, w2, w3};
	errval_t err;
	/* until it has taken the capability of the one before */
	while ((err = ep_send(monitor_ep(), w, cap)) == ERR_LMP_BUF_FULL || err == ERR_LMP_CAP_SLOT)
		sys_yield();
	return err;
}

/*
 * Locks are per object: while monitor 0 waits for core k to start a
 * domain, it shares an unrelated frame with core k (before, it answered
 * ERR_MON_BUSY to anything while it waited); while it waits for a domain
 * on core k to take a frame, a revoke of the RAM that frame came from is
 * refused (ERR_MON_BUSY) and changes nothing.
 */
static void test_locks(unsigned k)
{
	struct lmp_recv rep, a, b;
	struct cap_info ci;
	capaddr_t ram, f = marked_frame(&ram, 0x10c0000 + k);
	uint64_t name[2] = {0};
	memcpy(name, "testchild", 9);
	/* (When it is handed a frame it answers once the frame's second word
	   is set: not before we say so.) */
	EXPECT_ERR(
	    send_req(MONITOR_SPAWN, k | (6ull | 1 << 8) << 32, name[0], name[1], CAPADDR_NONE),
	    ERR_OK);
	EXPECT_ERR(send_req(MONITOR_SHARE, k, 0, 0, f), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &a), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &b), ERR_OK);
	struct lmp_recv *share = a.words[1] == 0x10c0000 + k ? &a : &b,
			*spawn = share == &a ? &b : &a;
	CHECK(share->words[0] == ERR_OK && share->words[1] == 0x10c0000 + k,
	      "share during a spawn: %s, read %#lx", err_str((errval_t)share->words[0]),
	      (unsigned long)share->words[1]);
	CHECK(spawn->words[0] == ERR_OK, "spawn: %s", err_str((errval_t)spawn->words[0]));
	uint64_t dom = spawn->words[1];
	EXPECT_REVOKE(f, 1, 1, 2, 2);
	/* Now the domain takes the frame while we revoke its parent RAM; it
	   answers after we have the revoke's answer and set the word. */
	EXPECT_ERR(send_req(MONITOR_SHARE, k, dom, 0, f), ERR_OK);
	EXPECT_ERR(send_req(MONITOR_REVOKE, 0, 0, 0, ram), ERR_OK);
	EXPECT_ERR(lmp_recv(1, &a), ERR_OK);
	uint64_t *p = win_map(f, 1, true);
	CHECK(p != NULL, "cannot map the frame");
	if (p)
		p[1] = 1;
	win_unmap(f);
	EXPECT_ERR(lmp_recv(1, &b), ERR_OK);
	CHECK(a.words[0] == ERR_MON_BUSY && b.words[0] == ERR_OK,
	      "revoke during a share of a descendant: %s, then the share: %s",
	      err_str((errval_t)a.words[0]), err_str((errval_t)b.words[0]));
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	CHECK(held_on(k, ci.base, ci.size) == 1, "core %u's monitor holds %lu of the frame, want 1",
	      k, (unsigned long)held_on(k, ci.base, ci.size));
	EXPECT_REVOKE(ram, 1, 1, 2, 2);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/* A domain on core k sends its monitor bad requests (testchild mode 14);
   it gets an error for each and the monitor goes on serving. */
static void test_bad_child(unsigned k, unsigned online)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(k, 14), v = wait_domain(k, dom);
	CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 0,
	      "the domain sending bad requests on core %u: state %lu status %lu", k,
	      (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after bad requests to a monitor");
}

/*
 * Core k's spawnd builds each domain from its own RAM and its monitor
 * adopts it: more domains started and killed one after another than
 * spawnd has room for at once (4 in its RAM), so both must get
 * everything back from each kill (the monitor's places are reused).
 */
static void test_spawn_reuse(unsigned k)
{
	struct lmp_recv rep;
	unsigned ok = 0, rounds = 16;
	for (unsigned i = 0; i < rounds; i++) {
		uint64_t dom = spawn_on(k, 1), v = dom ? wait_domain(k, dom) : 1;
		ok += dom && (v & 0xff) == 0 && (v >> 8 & 0xffffff) == 7 &&
		      monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep) == ERR_OK;
	}
	CHECK(ok == rounds, "core %u: %u of %u domains started, exited and were killed", k, ok,
	      rounds);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, 0, 2, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(rep.words[1] == 1 && !rep.words[2], "core %u lists %#lx, want its spawnd alone", k,
	      (unsigned long)rep.words[1]);
}

/* The ids MONITOR_DOMAIN lists on core k above `after`, n of them. */
static unsigned list_from(unsigned k, uint64_t after, uint64_t ids[MONITOR_LIST_IDS])
{
	struct lmp_recv rep;
	unsigned n = 0;
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, after, 2, CAPADDR_NONE, &rep), ERR_OK);
	union monitor_rep r = monitor_rep_of(rep.words);
	while (n < MONITOR_LIST_IDS && r.domain_list.ids[n]) {
		ids[n] = r.domain_list.ids[n];
		n++;
	}
	return n;
}

/*
 * A list of core k's domains goes on from a given id (w2): each answer holds
 * the lowest ids above it, and one that is not full holds all of them.
 * (Core k's spawnd has room for 4 domains, too few to fill an answer with
 * MONITOR_LIST_IDS: so each id in turn is the start here, the list being as
 * long as it can.)
 */
static void test_list_domains(unsigned k)
{
	struct lmp_recv rep;
	uint64_t dom[4], all[MONITOR_LIST_IDS], ids[MONITOR_LIST_IDS];
	for (unsigned i = 0; i < 4; i++)
		dom[i] = spawn_on(k, 6); /* it waits for a frame */
	unsigned n = list_from(k, 0, all);
	CHECK(n == 5 && all[0] == 1 && all[1] == dom[0] && all[2] == dom[1] && all[3] == dom[2] &&
		  all[4] == dom[3],
	      "core %u lists %u domains, want its spawnd and %lu..%lu", k, n, (unsigned long)dom[0],
	      (unsigned long)dom[3]);
	for (unsigned i = 0; n == 5 && i <= n; i++) {
		uint64_t after = i ? all[i - 1] : 0;
		unsigned m = list_from(k, after, ids);
		bool same = m == n - i;
		for (unsigned j = 0; same && j < m; j++)
			same = ids[j] == all[i + j];
		CHECK(same, "core %u lists %u domains above %lu, want %u", k, m,
		      (unsigned long)after, n - i);
	}
	CHECK(list_from(k, ~0u, ids) == 0, "core %u lists domains above the last id", k);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom[i], 1, CAPADDR_NONE, &rep), ERR_OK);
}

/*
 * Monitor 0 binds as many clients as its memory holds (it had 8 places):
 * we bind 40 times, each with a reply endpoint of its own badge, and each
 * binding answers on its own endpoint.
 */
static void test_many_clients(void)
{
	enum { N = 40 };
	capaddr_t mon[N];
	unsigned ok = 0;
	for (unsigned i = 0; i < N; i++) {
		capaddr_t me = slot_alloc();
		uint64_t badge = 0x7000 + i, req[4] = {MONITOR_BIND};
		struct lmp_recv rep;
		mon[i] = slot_alloc();
		errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me),
					  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, badge);
		/* Short of memory there (faults=SEED): asked again, as lib/rt does. */
		for (unsigned tries = 1; !err; tries++) {
			errval_t e = rpc_call(CAPADDR(CN_TASK, TASK_MONITOR), badge, req, me, &rep);
			if (!e)
				e = rep.has_cap ? rpc_take_cap(mon[i]) : (errval_t)rep.words[0];
			if ((e != ERR_NO_SLOTS && e != ERR_NO_MEMORY) || tries == 64) {
				err = e;
				break;
			}
			rpc_nap(1);
		}
		EXPECT_ERR(err, ERR_OK);
		cnode_delete(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me));
		slot_free(me);
	}
	/* All bound at once now: each answer comes with its own badge. */
	for (unsigned i = 0; i < N; i++) {
		uint64_t req[4] = {MONITOR_COUNT, 0, 0, 0};
		struct lmp_recv rep;
		ok += rpc_call(mon[i], 0x7000 + i, req, CAPADDR_NONE, &rep) == ERR_CORE_NONE &&
		      rep.badge == 0x7000 + i;
		cnode_delete(CAPADDR(CAPADDR_L1(mon[i]), 0), 1, CAPADDR_L2(mon[i]));
		slot_free(mon[i]);
	}
	CHECK(ok == N, "%u of %u bound clients answered", ok, N);
}

/*
 * A revoke seen from a holder: a domain on core k copies the frame it was
 * handed over and over while we revoke it. Its copies must succeed, then
 * be refused while the frame is marked (ERR_CAP_REVOKED: its monitor
 * marks it while it deletes, in one pass, so this may not be seen), then
 * find it gone, in that order (testchild mode 13 exits 0 only then).
 */
static void test_watch_revoke(unsigned k)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(k, 13);
	capaddr_t ram, f = marked_frame(&ram, 0xb0b0000 + k);
	/* (It answers after its first copy worked.) */
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom, 0, f, &rep), ERR_OK);
	EXPECT_REVOKE(f, 1, 1, 2, 2);
	uint64_t v = wait_domain(k, dom);
	CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 0,
	      "the domain watching the revoke on core %u: state %lu status %lu", k,
	      (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * The other way round: a domain on core k revokes the frame it was handed
 * (its monitor asks the owner, monitor 0, which revokes everywhere): our
 * own copy here goes too, and the domain's next read faults there.
 */
static void test_remote_revoke(unsigned k, unsigned online)
{
	struct lmp_recv rep;
	struct cap_info ci;
	uint64_t dom = spawn_on(k, 8);
	capaddr_t ram, f = marked_frame(&ram, 0xe0e0000 + k);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom, 0, f, &rep), ERR_OK);
	CHECK(rep.words[1] == 0xe0e0000 + k, "domain on core %u read %#lx", k,
	      (unsigned long)rep.words[1]);
	/* Wait for our copy to go, without asking the monitor (no BUSY for it). */
	while (cap_identify(f, &ci) == ERR_OK)
		nap();
	EXPECT_ERR(cap_identify(f, &ci), ERR_CAP_EMPTY);
	uint64_t faults = wait_domain(k, dom) >> 32;
	CHECK(faults == 1, "domain on core %u: %lu faults after its revoke, want 1", k,
	      (unsigned long)faults);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(held_on(k, 0, ~0ull) == 0, "core %u still holds %lu", k,
	      (unsigned long)held_on(k, 0, ~0ull));
	check_everywhere(online, "after a revoke from another core");
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * Two domains on two cores retype the same part of one RAM capability at
 * once: the owner does both in turn, so exactly one gets it and the other
 * ERR_CAP_OVERLAP; the winner's core holds the new Frame. A revoke of the
 * RAM then takes everything on both cores.
 */
static void test_retype_race(unsigned online)
{
	struct lmp_recv rep;
	uint64_t dom[3] = {0, spawn_on(1, 9), spawn_on(2, 9)}, stopped = 0;
	capaddr_t ram;
	struct cap_info ci;
	EXPECT_ERR(ram_alloc(RAM_UNIT, &ram), ERR_OK);
	EXPECT_ERR(cap_identify(ram, &ci), ERR_OK);
	for (unsigned k = 1; k <= 2; k++)
		EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom[k], 0, ram, &rep), ERR_OK);
	for (unsigned k = 1; k <= 2; k++) /* both have exited */
		stopped += (wait_domain(k, dom[k]) & 0xff) == 0;
	CHECK(stopped == 2, "the retyping domains did not finish");
	uint64_t h1 = held_on(1, ci.base, ci.size), h2 = held_on(2, ci.base, ci.size);
	CHECK((h1 == 2 && h2 == 1) || (h1 == 1 && h2 == 2),
	      "cores 1 and 2 hold %lu and %lu, want the RAM on both and one Frame",
	      (unsigned long)h1, (unsigned long)h2);
	check_everywhere(online, "after the retype race");
	EXPECT_REVOKE(ram, 2, 3, 4, pair_hops(1, 2)); /* its two children, on one node */
	for (unsigned k = 1; k <= 2; k++)
		EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom[k], 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after revoking the raced RAM");
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * An owner other than core 0: a domain on core 1 shares a frame of its own
 * RAM with core `to` and revokes it, through its own monitor, which owns
 * it; monitors 1 and 2 first get a channel of their own (through monitor
 * 0, once), then the share costs 2 messages and the revoke 2, as with
 * core 0. testchild mode 10
 * prints the counts and exits 0 only if both worked.
 */
static void test_share_from_core(unsigned online, unsigned to)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(1, 10 | to << 8 | 1 << 16), v = wait_domain(1, dom);
	CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 0 && (v >> 32) == 0,
	      "the domain on core 1 sharing with core %u: state %lu status %lu faults %lu", to,
	      (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff),
	      (unsigned long)(v >> 32));
	if (to)
		CHECK(held_on(to, 0, ~0ull) == 0, "core %u still holds %lu", to,
		      (unsigned long)held_on(to, 0, ~0ull));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after sharing from core 1");
}

/*
 * A domain on core 1 shares a frame of its own RAM with core 2 and is
 * killed without revoking it: its monitor, the owner, revokes it on core 2
 * before it takes the RAM back (the anchor would keep it otherwise).
 */
static void test_kill_sharer(unsigned online)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(1, 10 | 2 << 8 | 1 << 16 | 1ull << 24), held;
	while ((held = held_on(2, 0, ~0ull)) == 0) /* (~0: could not ask) */
		nap();
	CHECK(held == 1, "core 2 holds %lu of what the domain on core 1 shared",
	      (unsigned long)held);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(held_on(2, 0, ~0ull) == 0, "core 2 still holds %lu after the owner was killed",
	      (unsigned long)held_on(2, 0, ~0ull));
	check_everywhere(online, "after killing a domain that shared its memory");
}

/*
 * A holder passes a copy on: the domain on core 1 that was handed a frame
 * asks for a copy on core 2; its monitor asks the owner (core 0), which
 * delivers it (request, deliver, answer, reply: 4 messages). A revoke from
 * here then reaches both cores; the domain on core 1 faults.
 */
static void test_pass_on(unsigned online)
{
	struct lmp_recv rep;
	uint64_t held, dom = spawn_on(1, 11 | 2 << 8);
	capaddr_t ram, f = marked_frame(&ram, 0xf0f0001);
	struct cap_info ci;
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, dom, 0, f, &rep), ERR_OK);
	while ((held = held_on(2, ci.base, ci.size)) == 0) /* until core 2 has its copy */
		nap();
	CHECK(held == 1, "core 2 holds %lu, want the copy passed on", (unsigned long)held);
	check_everywhere(online, "after passing a copy on");
	EXPECT_REVOKE(f, 2, 2, 4, pair_hops(1, 2)); /* the monitors' copies */
	uint64_t faults = wait_domain(1, dom) >> 32;
	CHECK(faults == 1, "domain on core 1: %lu faults after the revoke", (unsigned long)faults);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after revoking what was passed on");
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * The last copies on other cores go (MON_DEL_NOTIFY, 1 message each). A
 * domain on core n - 1 holding a frame it was handed is killed: its monitor
 * deletes its own copy and tells us, so the frame has no remote relations
 * any more and the RAM under it can be revoked here alone. Then domains on
 * cores 1 and 2 delete their copies of one frame at the same moment (they
 * wait for a word we write into it), after ours is gone: the last two
 * copies, on two cores. Both monitors tell us, the anchor goes, and the
 * RAM is ours alone again.
 */
static void test_last_copies(unsigned online, unsigned n)
{
	struct lmp_recv rep;
	struct cap_info ci;
	capaddr_t ram, f = marked_frame(&ram, 0xc0c0000);
	uint64_t dom = spawn_on(n - 1, 6);
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, dom, 0, f, &rep), ERR_OK);
	EXPECT_ERR(cnode_revoke(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram)), ERR_CAP_REMOTE);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, n - 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(held_on(n - 1, ci.base, ci.size) == 0, "core %u holds %lu after the kill", n - 1,
	      (unsigned long)held_on(n - 1, ci.base, ci.size));
	EXPECT_REVOKE(f, 0, 0, 0, 0); /* no core is asked */
	EXPECT_ERR(cnode_revoke(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram)), ERR_OK);
	EXPECT_ERR(cap_identify(f, &ci), ERR_CAP_EMPTY);
	EXPECT_ERR(monitor_call(MONITOR_RELEASE, ci.base, ci.size, 0, CAPADDR_NONE, &rep),
		   ERR_CAP_NOT_FOUND);
	check_everywhere(online, "after a holder was killed");
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
	if (online < 3)
		return;
	f = marked_frame(&ram, 0xc0c0001);
	uint64_t d[3] = {0, spawn_on(1, 12), spawn_on(2, 12)};
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	for (unsigned k = 1; k <= 2; k++) {
		EXPECT_ERR(monitor_call(MONITOR_SHARE, k, d[k], 0, f, &rep), ERR_OK);
		CHECK(rep.words[1] == 0xc0c0001, "the domain on core %u read %#lx", k,
		      (unsigned long)rep.words[1]);
	}
	uint64_t *p = win_map(f, 1, true);
	CHECK(p != NULL, "cannot map the frame");
	if (p)
		p[1] = 1; /* both: now */
	win_unmap(f);
	EXPECT_ERR(cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f)), ERR_OK);
	for (unsigned k = 1; k <= 2; k++) {
		uint64_t v = wait_domain(k, d[k]);
		CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 0 && (v >> 32) == 0,
		      "the releasing domain on core %u: state %lu status %lu faults %lu", k,
		      (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff),
		      (unsigned long)(v >> 32));
		CHECK(held_on(k, ci.base, ci.size) == 0, "core %u holds %lu after its release", k,
		      (unsigned long)held_on(k, ci.base, ci.size));
	}
	/* Both told us before their domains ended: nothing is marked remote. */
	EXPECT_ERR(cnode_revoke(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram)), ERR_OK);
	for (unsigned k = 1; k <= 2; k++)
		EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, d[k], 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after the last two copies went");
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * Races the owner must order (suite "race", on 3 or more cores), RACE_ROUNDS
 * times each:
 *  - a revoke racing a copy in flight: a domain on core 1 passes a frame
 *    on to core 2 while we revoke it; whichever the owner serves first, no
 *    copy is left anywhere afterwards (the copy request is refused, or its
 *    copy is in the set when the revoke runs);
 *  - two revokes of overlapping capabilities: the domain on core 1 revokes
 *    a frame while we revoke the RAM it came from;
 *  - a domain killed while its revoke runs (race_die_round).
 * Each round ends with every core's invariants and no copy held anywhere.
 */
#define RACE_ROUNDS 10

static void race_round(unsigned online, unsigned mode, unsigned round)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(1, mode | 2 << 8);
	capaddr_t ram, f = marked_frame(&ram, 0xaaa0000 + round);
	struct cap_info ci;
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, dom, 0, f, &rep), ERR_OK);
	/* Now, while the domain asks too. */
	union monitor_rep r;
	EXPECT_ERR(monitor_revoke(mode == 11 ? f : ram, 0, &r), ERR_OK);
	uint64_t v = wait_domain(1, dom); /* its next read faults */
	CHECK(v >> 32 == 1, "race %u round %u: the domain on core 1 did not fault", mode, round);
	/* A copy passed on after the revoke was refused; one before it was
	   revoked with it; so nothing is left. (Once the domain is gone.) */
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	if (mode == 11) /* a copy that got to core 2 first is in the set: revoke again */
		monitor_revoke(ram, 0, &r);
	for (unsigned k = 1; k <= 2; k++)
		CHECK(held_on(k, ci.base, ci.size) == 0, "race %u round %u: core %u holds %lu",
		      mode, round, k, (unsigned long)held_on(k, ci.base, ci.size));
	check_everywhere(online, "after a race round");
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/*
 * A domain killed in the middle of a distributed operation: the domain on
 * core 1 asks for a revoke of the frame it was handed (its monitor asks
 * the owner, us) while we kill it. Whichever comes first, no monitor may
 * wedge: the revoke completes or never starts, core 1 holds nothing
 * afterwards, the RAM comes back, and the monitors go on serving.
 */
static void race_die_round(unsigned online, unsigned round)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(1, 8);
	capaddr_t ram, f = marked_frame(&ram, 0xdd00000 + round);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, dom, 0, f, &rep), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	/* A request it left queued at its monitor still holds a copy there until
	   the monitor drops it: soon after the kill, not always before. */
	uint64_t held;
	while ((held = held_on(1, 0, ~0ull)) != 0 && held != ~0ull) /* (~0: could not ask) */
		nap();
	CHECK(held == 0, "die %u: core 1 holds %lu after the kill", round, (unsigned long)held);
	check_everywhere(online, "after a domain died mid-revoke");
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

/* *online = cores online; false (suite skipped, said so) if fewer than 3. */
static bool three_cores(const char *suite, unsigned *online)
{
	*online = 0;
	for (unsigned k = 0; k < bi->ncores; k++)
		*online += bi->cores[k].online;
	if (*online < 3)
		printf("tests: %s needs 3 cores, skipped\n", suite);
	return *online >= 3;
}

/*
 * Many messages through monitor 0 at once (suite "relay"): a domain on
 * core 1 revokes a frame of its own the Barrelfish way, so monitor 1 asks
 * every other core, most of them through monitor 0, while monitor 0 sends
 * their answers back: with more cores than a channel holds messages, both
 * directions between monitors 0 and 1 fill at once. No monitor may wait
 * for the other for ever.
 */
static void test_relay(void)
{
	struct lmp_recv rep;
	unsigned online;
	if (!three_cores("relay", &online))
		return;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	uint64_t dom = spawn_on(1, 15 | 2 << 8 | 1 << 16), v = wait_domain(1, dom);
	CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 0,
	      "the domain revoking by broadcast: state %lu status %lu", (unsigned long)(v & 0xff),
	      (unsigned long)(v >> 8 & 0xffffff));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, 1, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	check_everywhere(online, "after a broadcast revoke from core 1");
}

/*
 * Load (suite "load", 2 or more cores): LOAD_FRAMES distinct frames
 * shared with core 1's monitor (each read there) and revoked one by one,
 * then LOAD_REQUESTS requests from domains on up to 3 other cores, each
 * sending as fast as its monitor takes them (testchild mode 16): every
 * request is answered, every copy goes, all memory comes back.
 */
#define LOAD_FRAMES   1000
#define LOAD_REQUESTS 10000

static void test_load_frames(unsigned online)
{
	struct lmp_recv rep;
	struct cap_info ri = {0};
	uint64_t before = ram_free_bytes();
	unsigned shared = 0, read = 0, revoked = 0;
	capaddr_t ram, *f = malloc(LOAD_FRAMES * sizeof(*f));
	CHECK(f != NULL, "load: no memory for %u slots", LOAD_FRAMES);
	if (!f)
		return;
	EXPECT_ERR(ram_alloc((uint64_t)LOAD_FRAMES * OBJSIZE_PAGE, &ram), ERR_OK);
	EXPECT_ERR(cap_identify(ram, &ri), ERR_OK);
	for (unsigned i = 0; i < LOAD_FRAMES; i++) { /* each its own object on core 1 */
		f[i] = slot_alloc();
		EXPECT_ERR(cap_retype(ram, OBJ_FRAME, (uint64_t)i * OBJSIZE_PAGE, OBJSIZE_PAGE, 1,
				      CAPADDR(CAPADDR_L1(f[i]), 0), 1, CAPADDR_L2(f[i])),
			   ERR_OK);
		uint64_t *p = win_map(f[i], 1, true);
		if (p)
			*p = 0x10ad0000 + i;
		win_unmap(f[i]);
		errval_t err = monitor_call(MONITOR_SHARE, 1, 0, 0, f[i], &rep);
		shared += !err;
		read += !err && rep.words[1] == 0x10ad0000 + i;
	}
	CHECK(shared == LOAD_FRAMES && read == LOAD_FRAMES, "load: %u of %u frames shared, %u read",
	      shared, LOAD_FRAMES, read);
	CHECK(held_on(1, ri.base, ri.size) == LOAD_FRAMES, "load: core 1 holds %lu",
	      (unsigned long)held_on(1, ri.base, ri.size));
	for (unsigned i = 0; i < LOAD_FRAMES; i++) { /* each alone: 1 core, 1 copy, 2 messages */
		union monitor_rep r;
		errval_t err = monitor_revoke(f[i], 0, &r);
		revoked += !err && r.revoke.cores == 1 && r.revoke.deleted == 1 &&
			   r.revoke.msgs == 2 && r.revoke.depth == 2;
		cnode_delete(CAPADDR(CAPADDR_L1(f[i]), 0), 1, CAPADDR_L2(f[i]));
		slot_free(f[i]);
	}
	free(f);
	CHECK(revoked == LOAD_FRAMES, "load: %u of %u revokes took 1 core, 1 copy, 2 messages",
	      revoked, LOAD_FRAMES);
	CHECK(held_on(1, ri.base, ri.size) == 0, "load: core 1 still holds %lu",
	      (unsigned long)held_on(1, ri.base, ri.size));
	check_everywhere(online, "after the load of frames");
	EXPECT_ERR(ram_free(ram), ERR_OK);
	CHECK(ram_free_bytes() == before, "load: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

static void test_load_requests(unsigned online)
{
	struct lmp_recv rep;
	unsigned cores = online - 1 < 3 ? online - 1 : 3;
	uint64_t per = (LOAD_REQUESTS + cores - 1) / cores, dom[3];
	for (unsigned k = 1; k <= cores; k++)
		dom[k - 1] = spawn_on(k, 16 | (uint64_t)k << 8 | per << 16);
	for (unsigned k = 1; k <= cores; k++) {
		uint64_t v = wait_domain(k, dom[k - 1]);
		CHECK(v == 0, "load: the domain flooding core %u: state %lu status %lu faults %lu",
		      k, (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff),
		      (unsigned long)(v >> 32));
		EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom[k - 1], 1, CAPADDR_NONE, &rep),
			   ERR_OK);
	}
}

static void test_load(void)
{
	unsigned online = 0;
	for (unsigned k = 0; k < bi->ncores; k++)
		online += bi->cores[k].online;
	if (online < 2) {
		printf("tests: load needs 2 cores, skipped\n");
		return;
	}
	EXPECT_ERR(monitor_bind(), ERR_OK);
	test_load_frames(online);
	test_load_requests(online);
}

static void test_race(void)
{
	unsigned online;
	if (!three_cores("race", &online))
		return;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	test_many_clients();
	uint64_t before = ram_free_bytes();
	for (unsigned r = 0; r < RACE_ROUNDS; r++) {
		race_round(online, 11, r);
		race_round(online, 8, r);
		race_die_round(online, r);
	}
	CHECK(ram_free_bytes() == before, "race: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

/*
 * A dead core (suite "dead"; boot argument mute=K: monitor K answers
 * nothing once it has joined). A round that waits on K fails with
 * ERR_MON_TIMEOUT once K has been silent for OP_LIVE_TICKS after a ping;
 * its operation answers that and lets its lock go, and the live cores go
 * on. Needs two online cores a < b below K besides core 0, so that a
 * revoke's tree over a, b and K reaches K through a live core (core 0
 * asks a and b, a asks K).
 */
#define DEAD_MAGIC 0xdead0000u

static uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static unsigned long ms_since(uint64_t t0)
{
	return (unsigned long)((rdtime() - t0) * 1000 / bi->timebase);
}

/* K of mute=K and the two lowest online cores in 1..K-1; false (said so)
   if the layout does not fit. */
static bool dead_layout(unsigned *k, unsigned live[2], unsigned *online)
{
	unsigned n = 0;
	*k = faults_mute(bi->bootargs);
	*online = 0;
	for (unsigned c = 0; c < bi->ncores; c++) {
		*online += bi->cores[c].online;
		if (c > 0 && c < *k && bi->cores[c].online && n < 2)
			live[n++] = c;
	}
	if (*k < bi->ncores && bi->cores[*k].online && n == 2)
		return true;
	printf("tests: dead needs mute=K with two online cores in 1..K-1, skipped\n");
	return false;
}

/* Each live core holds want copies of ri's range. */
static void held_live(const unsigned live[2], const struct cap_info *ri, uint64_t want)
{
	for (unsigned i = 0; i < 2; i++)
		CHECK(held_on(live[i], ri->base, ri->size) == want, "core %u holds %lu, want %lu",
		      live[i], (unsigned long)held_on(live[i], ri->base, ri->size),
		      (unsigned long)want);
}

/* The frame goes to the live cores at once (its lock is free); each reads
   it. */
static void share_live(capaddr_t f, const struct cap_info *ri, const unsigned live[2])
{
	struct lmp_recv rep;
	for (unsigned i = 0; i < 2; i++) {
		EXPECT_ERR(monitor_call(MONITOR_SHARE, live[i], 0, 0, f, &rep), ERR_OK);
		CHECK(rep.words[1] == DEAD_MAGIC && rep.words[2] == 2,
		      "core %u read %#lx with %lu messages", live[i], (unsigned long)rep.words[1],
		      (unsigned long)rep.words[2]);
	}
	held_live(live, ri, 1);
}

/* A revoke of f whose tree reaches dead core k: it fails with the cores
   asked (3) and what went on the live ones (deleted); here f is not left
   marked: it maps, its word unchanged. */
static void revoke_dead(capaddr_t f, unsigned k, const char *how, uint64_t deleted)
{
	union monitor_rep r = {0};
	uint64_t t0 = rdtime();
	errval_t err = monitor_revoke(f, 0, &r);
	printf("dead: revoke reaching core %u %s: %s after %lu ms\n", k, how, err_str(err),
	       ms_since(t0));
	CHECK(err == ERR_MON_TIMEOUT && r.revoke.cores == 3 && r.revoke.deleted == deleted,
	      "revoke %s: %s, %lu cores, %lu deleted; want ERR_MON_TIMEOUT, 3, %lu", how,
	      err_str(err), (unsigned long)r.revoke.cores, (unsigned long)r.revoke.deleted,
	      (unsigned long)deleted);
	uint32_t *p = win_map(f, 1, false);
	CHECK(p && *p == DEAD_MAGIC, "the frame after the revoke %s: %s", how,
	      p ? "its word changed" : "cannot be mapped (left marked?)");
	if (p)
		win_unmap(f);
}

/* A domain on core j shares a frame of its own with dead core k (testchild
   mode 10): its monitor cannot get a channel to k, so the share fails and
   leaves nothing; the domain's revoke then asks no core, and killing it
   gives all its memory back. */
static void share_from_live(unsigned j, unsigned k)
{
	struct lmp_recv rep;
	uint64_t dom = spawn_on(j, 10 | k << 8 | j << 16), v = wait_domain(j, dom);
	CHECK((v & 0xff) == 0 && (v >> 8 & 0xffffff) == 13 && (v >> 32) == 0,
	      "the domain on core %u sharing with dead core %u: state %lu status %lu faults %lu", j,
	      k, (unsigned long)(v & 0xff), (unsigned long)(v >> 8 & 0xffffff),
	      (unsigned long)(v >> 32));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, j, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
}

/* The live cores go on as before, with exact counts. */
static void live_go_on(unsigned j)
{
	struct lmp_recv rep;
	capaddr_t ram, g = marked_frame(&ram, DEAD_MAGIC);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, j, 0, 0, g, &rep), ERR_OK);
	EXPECT_REVOKE(g, 1, 1, 2, 2);
	cnode_delete(CAPADDR(CAPADDR_L1(g), 0), 1, CAPADDR_L2(g));
	slot_free(g);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

static void test_dead(void)
{
	unsigned k, live[2], online;
	if (!dead_layout(&k, live, &online))
		return;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	struct lmp_recv rep;
	struct cap_info ri = {0};
	uint64_t before = ram_free_bytes(), t0 = rdtime();
	capaddr_t ram, f = marked_frame(&ram, DEAD_MAGIC);
	EXPECT_ERR(cap_identify(ram, &ri), ERR_OK);
	errval_t err = monitor_call(MONITOR_SHARE, k, 0, 0, f, &rep);
	printf("dead: share with core %u: %s after %lu ms\n", k, err_str(err), ms_since(t0));
	EXPECT_ERR(err, ERR_MON_TIMEOUT);
	share_live(f, &ri, live);
	/* First monitor 0 cannot open the channel from a to K: the revoke
	   fails before it marks anything. */
	revoke_dead(f, k, "(no channel)", 0);
	held_live(live, &ri, 1);
	/* Then the channel is there (a opened it, K never will): the pass
	   fails, what the live cores held goes. */
	revoke_dead(f, k, "(one pass)", 2);
	held_live(live, &ri, 0);
	share_live(f, &ri, live); /* not left marked there either: they read it */
	t0 = rdtime();
	err = monitor_call(MONITOR_COUNT, k, 0, ~0ull, CAPADDR_NONE, &rep);
	printf("dead: count on core %u: %s after %lu ms\n", k, err_str(err), ms_since(t0));
	EXPECT_ERR(err, ERR_MON_TIMEOUT);
	live_go_on(live[1]);
	share_from_live(live[1], k);
	/* The invariants hold on every live core; K fails the check. */
	t0 = rdtime();
	err = monitor_call(MONITOR_CHECK, 0, 0, 0, CAPADDR_NONE, &rep);
	printf("dead: check: %s after %lu ms\n", err_str(err), ms_since(t0));
	CHECK(err == ERR_MON_TIMEOUT && rep.words[1] == online - 1 && rep.words[2] == 0,
	      "check: %s, on %lu cores, broken on %lu; want ERR_MON_TIMEOUT, %u, 0", err_str(err),
	      (unsigned long)rep.words[1], (unsigned long)rep.words[2], online - 1);
	/* f's memory stays out of use for good: K may hold a copy. */
	EXPECT_ERR(cnode_revoke(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram)), ERR_CAP_REMOTE);
	CHECK(ram_free_bytes() == before - ri.size, "dead: free memory %lu, want %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)(before - ri.size));
}

/* Suite "stress": the stress of "cores" without its exact counts, which
   injected faults (faults=SEED) change. */
static void test_stress_only(void)
{
	unsigned online = 0;
	for (unsigned k = 0; k < bi->ncores; k++)
		online += bi->cores[k].online;
	if (online < 2) {
		printf("tests: stress needs 2 cores, skipped\n");
		return;
	}
	EXPECT_ERR(monitor_bind(), ERR_OK);
	uint64_t before = ram_free_bytes();
	test_stress(bi->ncores, online);
	CHECK(ram_free_bytes() == before, "stress suite: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

static void test_cores(void)
{
	unsigned n = bi->ncores, online = 0;
	for (unsigned k = 0; k < n; k++)
		online += bi->cores[k].online;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	test_many_clients();
	uint64_t before = ram_free_bytes();
	capaddr_t ram, f = slot_alloc(), g = slot_alloc(), h = slot_alloc();
	struct cap_info ci;
	struct lmp_recv rep;
	EXPECT_ERR(ram_alloc(4 * OBJSIZE_PAGE, &ram), ERR_OK);
	EXPECT_ERR(cap_retype(ram, OBJ_FRAME, 0, 2 * OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
			      CAPADDR_L2(f)),
		   ERR_OK);
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	uint64_t fbase = ci.base, fsize = ci.size;

	/* Purely local: no message at all. */
	EXPECT_REVOKE(f, 0, 0, 0, 0);

	/* Bad requests. */
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 0, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, n, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, BOOTINFO_MAX_CORES, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, ~0ull, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1ull << 32 | 1, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, 0, 0, CAPADDR_NONE, &rep), ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, 0, 0, CAPADDR(CN_TASK, TASK_EP), &rep),
		   ERR_CAP_TYPE);
	EXPECT_ERR(monitor_call(MONITOR_REVOKE, 0, 0, 0, CAPADDR_NONE, &rep), ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_REVOKE, 7, 0, 0, f, &rep), ERR_BAD_REQUEST);
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	EXPECT_ERR(monitor_call(99, 0, 0, 0, CAPADDR_NONE, &rep), ERR_BAD_REQUEST);
	/* Only a spawnd on core k > 0 introduces domains to its monitor. */
	EXPECT_ERR(monitor_call(MONITOR_ADOPT, 5, 0, 0, CAPADDR(CN_TASK, TASK_EP), &rep),
		   ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_ADOPT, 5, 0, 0, CAPADDR_NONE, &rep), ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_COUNT, n, 0, 0, CAPADDR_NONE, &rep), ERR_CORE_NONE);
	if (online < 2) {
		EXPECT_ERR(monitor_call(MONITOR_SHARE, 1, 0, 0, f, &rep), ERR_CORE_NONE);
	} else {
		/* Give a Frame to every other core; each reads what we wrote. */
		uint64_t *p = win_map(f, 1, true);
		CHECK(p != NULL, "cannot map the frame");
		if (p)
			*p = 0x5eef0000 + n;
		win_unmap(f);
		unsigned k, shared = 0;
		for (k = 1; k < n; k++) {
			if (!bi->cores[k].online)
				continue;
			EXPECT_ERR(monitor_call(MONITOR_SHARE, k, 0, 0, f, &rep), ERR_OK);
			CHECK(rep.words[1] == 0x5eef0000 + n && rep.words[2] == 2,
			      "core %u read %lx with %lu messages, want %lx with 2", k,
			      (unsigned long)rep.words[1], (unsigned long)rep.words[2],
			      (unsigned long)(0x5eef0000 + n));
			CHECK(held_on(k, fbase, fsize) == 1, "core %u holds %lu copies, want 1", k,
			      (unsigned long)held_on(k, fbase, fsize));
			shared++;
		}
		check_everywhere(online, "after sharing");
		/* While other cores hold it, no local delete or revoke may free it. */
		EXPECT_ERR(
		    cnode_copy(CAPADDR(CAPADDR_L1(g), 0), 1, CAPADDR_L2(g), f, CAP_RIGHTS_ALL),
		    ERR_OK);
		EXPECT_ERR(cnode_revoke(CAPADDR(CAPADDR_L1(ram), 0), 1, CAPADDR_L2(ram)),
			   ERR_CAP_REMOTE);
		/* Revoke from the parent RAM in one pass down the tree: 2
		   messages per core holding a descendant (asked, answered), none
		   for the others; a request and its answer per level deep. */
		bool to[BOOTINFO_MAX_CORES] = {false};
		unsigned others;
		for (k = 1; k < n; k++)
			to[k] = bi->cores[k].online;
		EXPECT_REVOKE(ram, shared, shared, 2 * shared, numa_hops(to, &others));
		EXPECT_ERR(cap_identify(f, &ci), ERR_CAP_EMPTY);
		EXPECT_ERR(cap_identify(g, &ci), ERR_CAP_EMPTY);
		for (k = 1; k < n; k++)
			if (bi->cores[k].online)
				CHECK(held_on(k, fbase, fsize) == 0,
				      "core %u still holds %lu copies", k,
				      (unsigned long)held_on(k, fbase, fsize));

		/* For comparison: the broadcast asks every other core, mark then
		   sweep (4 messages each, 2 hops each phase); the star asks the
		   holder itself, in one pass. */
		EXPECT_ERR(cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0),
				      1, CAPADDR_L2(f)),
			   ERR_OK);
		EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, 0, 0, f, &rep), ERR_OK);
		EXPECT_REVOKE_HOW(f, MON_REVOKE_BROADCAST, online - 1, 1, 4 * (online - 1),
				  broadcast_hops());
		EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, 0, 0, f, &rep), ERR_OK);
		EXPECT_REVOKE_HOW(f, MON_REVOKE_STAR, 1, 1, 2, 2);
		cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));

		/* Only the cores that hold it: one core of n costs 2 messages. */
		EXPECT_ERR(cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, CAPADDR(CAPADDR_L1(f), 0),
				      1, CAPADDR_L2(f)),
			   ERR_OK);
		EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, 0, 0, f, &rep), ERR_OK);
		/* A copy and a descendant on the same core: still one core. */
		EXPECT_ERR(cap_retype(ram, OBJ_FRAME, 2 * OBJSIZE_PAGE, OBJSIZE_PAGE, 1,
				      CAPADDR(CAPADDR_L1(h), 0), 1, CAPADDR_L2(h)),
			   ERR_OK);
		EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, 0, 0, h, &rep), ERR_OK);
		EXPECT_ERR(monitor_call(MONITOR_SHARE, n - 1, 0, 0, ram, &rep), ERR_OK);
		EXPECT_REVOKE(f, 1, 1, 2, 2); /* f's copies only */
		CHECK(held_on(n - 1, 0, ~0ull) == 2, "core %u holds %lu, want 2 (h and ram)", n - 1,
		      (unsigned long)held_on(n - 1, 0, ~0ull));
		EXPECT_REVOKE(ram, 1, 2, 2, 2);
		EXPECT_ERR(cap_identify(h, &ci), ERR_CAP_EMPTY);
		check_everywhere(online, "after the revokes");
	}
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	EXPECT_ERR(ram_free(ram), ERR_OK);

	/* A flood of requests whose answers are never taken: the monitor drops
	   what it cannot deliver and still serves afterwards. Then a request
	   with another answer (ERR_BAD_REQUEST): the monitor answers in order,
	   so once that came, no answer to the flood is still on its way (read
	   until then however long it takes; a quiet spell proves nothing). */
	uint64_t junk[4] = {MONITOR_COUNT, 0, 0, 0}, sent = 0, answers = 0;
	for (unsigned i = 0; i < 64; i++) { /* core 0: refused at once, always the same */
		errval_t e;
		while ((e = ep_send(monitor_ep(), junk, CAPADDR_NONE)) == ERR_LMP_BUF_FULL)
			sys_yield();
		sent += !e;
	}
	EXPECT_ERR(send_req(99, 0, 0, 0, CAPADDR_NONE), ERR_OK);
	while (lmp_recv(1, &rep) == ERR_OK && rep.words[0] == ERR_CORE_NONE && answers <= 64)
		answers++;
	CHECK(sent == 64 && answers >= 1 && answers <= 64 && rep.words[0] == ERR_BAD_REQUEST,
	      "flood: %lu sent, %lu answers, then %s", (unsigned long)sent, (unsigned long)answers,
	      err_str((errval_t)rep.words[0]));
	EXPECT_ERR(monitor_call(MONITOR_COUNT, 0, 0, 0, CAPADDR_NONE, &rep), ERR_CORE_NONE);

	/* A domain that shares a frame with core 1 and exits without revoking:
	   freeing its memory revokes on core 1 through the monitor. */
	if (online >= 2) {
		struct child c;
		uint64_t faults;
		int64_t status;
		EXPECT_ERR(start_child_stopped(&c, 5), ERR_OK);
		EXPECT_ERR(spawn_give_ram(&c, TASK_RAM, RAM_UNIT), ERR_OK);
		EXPECT_ERR(
		    spawn_give(&c, TASK_MONITOR, CAPADDR(CN_TASK, TASK_MONITOR), CAP_RIGHTS_ALL),
		    ERR_OK);
		EXPECT_ERR(spawn_run(&c), ERR_OK);
		CHECK(wait_stopped(&c, &faults, &status), "sharing child did not exit");
		CHECK(status == 0 && faults == 0, "sharing child: status %ld faults %lu",
		      (long)status, (unsigned long)faults);
		CHECK(held_on(1, 0, ~0ull) == 1, "core 1 holds %lu, want the child's frame",
		      (unsigned long)held_on(1, 0, ~0ull));
		EXPECT_ERR(spawn_kill(&c), ERR_OK);
		CHECK(held_on(1, 0, ~0ull) == 0, "core 1 still holds %lu after the kill",
		      (unsigned long)held_on(1, 0, ~0ull));
	}
	if (online >= 2) {
		test_remote_domain(n - 1);
		check_everywhere(online, "after the remote domain");
		test_spawn_reuse(n - 1);
		test_list_domains(n - 1);
		test_watch_revoke(n - 1);
		test_bad_child(n - 1, online);
		test_locks(n - 1);
		test_remote_revoke(1, online);
		test_last_copies(online, n);
		if (online >= 3) {
			test_retype_race(online);
			test_share_from_core(online, 2); /* through monitor 0 */
			test_share_from_core(online, 0); /* with monitor 0 itself */
			test_kill_sharer(online);
			test_pass_on(online);
		}
		test_stress(n, online);
	}
	CHECK(ram_free_bytes() == before, "free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
	slot_free(f);
	slot_free(g);
	slot_free(h);
}

/* ---- suite "names" (ADR 0011) ---- */

/* Until name is registered (by domain dom on core k, which runs): its core. */
static unsigned await_name(const char *name, unsigned k, uint64_t dom)
{
	struct lmp_recv rep;
	unsigned core = ~0u;
	errval_t err;
	while ((err = name_lookup(name, &core, CAPADDR_NONE)) == ERR_NAME_NOT_FOUND) {
		EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep), ERR_OK);
		if (monitor_rep_of(rep.words).domain.state == 0)
			break; /* it stopped without registering */
		nap();
	}
	CHECK(!err, "%s from core %u: %s", name, k, err_str(err));
	return core;
}

/* Until monitor k has registered the system service `name` (it does so
   once that service runs, and the shell may start before other cores'
   services have: a registration still on its way is not a failure),
   for at most NAME_WAIT_MS. */
#define NAME_WAIT_MS 10000
static void await_system_name(const char *name, unsigned k)
{
	unsigned core = ~0u;
	uint64_t t0 = rdtime();
	errval_t err;
	while ((err = name_lookup(name, &core, CAPADDR_NONE)) == ERR_NAME_NOT_FOUND &&
	       ms_since(t0) < NAME_WAIT_MS)
		nap();
	CHECK(!err && core == k, "%s: %s, on core %u, after %lu ms", name, err_str(err), core,
	      ms_since(t0));
}

/* Names on core 0: unique, valid, looked up with their endpoint, listed,
   unregistered only by their owner. */
static void test_names_here(capaddr_t ep)
{
	unsigned core = ~0u;
	capaddr_t got = slot_alloc();
	struct cap_info ci;
	char next[NAME_MAX_LEN + 1];
	EXPECT_ERR(name_register("tests.names", ep), ERR_OK);
	EXPECT_ERR(name_register("tests.names", ep), ERR_NAME_TAKEN);
	EXPECT_ERR(name_register("", ep), ERR_NAME_INVALID);
	EXPECT_ERR(name_register("seventeen-chars-x", ep), ERR_NAME_INVALID);
	EXPECT_ERR(name_register("two words", ep), ERR_NAME_INVALID);
	EXPECT_ERR(name_register("tests.frame", CAPADDR(CN_TASK, TASK_RAM)), ERR_CAP_TYPE);
	EXPECT_ERR(name_register("tests.none", CAPADDR_NONE), ERR_BAD_REQUEST);
	EXPECT_ERR(name_lookup("tests.nothing", &core, got), ERR_NAME_NOT_FOUND);
	EXPECT_ERR(name_lookup("tests.names", &core, got), ERR_OK);
	CHECK(core == 0, "tests.names is on core %u", core);
	EXPECT_ERR(cap_identify(got, &ci), ERR_OK);
	CHECK(ci.type == OBJ_ENDPOINT && ci.badge == 0x7e57, "lookup gave type %u badge %#lx",
	      ci.type, (unsigned long)ci.badge);
	cnode_delete(CAPADDR(CAPADDR_L1(got), 0), 1, CAPADDR_L2(got));
	EXPECT_ERR(name_register("tests.aaa", ep), ERR_OK);
	/* The list is in order: "tests.aaa" right before "tests.names". */
	EXPECT_ERR(name_next("tests.a", next, &core), ERR_OK);
	CHECK(!strcmp(next, "tests.aaa"), "after tests.a comes %s", next);
	EXPECT_ERR(name_next("tests.aaa", next, &core), ERR_OK);
	CHECK(!strcmp(next, "tests.names"), "after tests.aaa comes %s", next);
	EXPECT_ERR(name_unregister("tests.aaa"), ERR_OK);
	EXPECT_ERR(name_unregister("tests.aaa"), ERR_NAME_NOT_FOUND);
	EXPECT_ERR(name_lookup("tests.aaa", &core, CAPADDR_NONE), ERR_NAME_NOT_FOUND);
	slot_free(got);
}

/* Names on core k: a server registers, a client on its core finds its
   endpoint and talks to it, core 0 finds its core; a name goes when its
   domain exits or is killed. */
static void test_names_on(unsigned k)
{
	char name[NAME_MAX_LEN + 1];
	unsigned core = ~0u;
	struct lmp_recv rep;
	uint64_t srv = spawn_on(k, 17);
	snprintf(name, sizeof(name), "tc%u", k);
	CHECK(srv && await_name(name, k, srv) == k, "%s is not on core %u", name, k);
	EXPECT_ERR(name_register(name, CAPADDR(CN_TASK, TASK_EP)), ERR_NAME_TAKEN);
	uint64_t cli = spawn_on(k, 18), v = cli ? wait_domain(k, cli) : ~0ull;
	CHECK(v == 0, "the name client on core %u ended with %#lx", k, (unsigned long)v);
	snprintf(name, sizeof(name), "tx%u", k); /* registered, then it exited */
	EXPECT_ERR(name_lookup(name, &core, CAPADDR_NONE), ERR_NAME_NOT_FOUND);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, cli, 1, CAPADDR_NONE, &rep), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, srv, 1, CAPADDR_NONE, &rep), ERR_OK);
	snprintf(name, sizeof(name), "tc%u", k);
	EXPECT_ERR(name_lookup(name, &core, CAPADDR_NONE), ERR_NAME_NOT_FOUND);
	/* One that faulted keeps its name until it is waited for. */
	uint64_t bad = spawn_on(k, 22), faults = 0;
	int64_t status = 0;
	snprintf(name, sizeof(name), "tf%u", k);
	v = bad ? wait_domain(k, bad) : ~0ull;
	CHECK(v >> 32 == 1, "the faulting name owner on core %u ended with %#lx", k,
	      (unsigned long)v);
	EXPECT_ERR(name_lookup(name, &core, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(monitor_wait(k, bad, &status, &faults), ERR_OK);
	EXPECT_ERR(name_lookup(name, &core, CAPADDR_NONE), ERR_NAME_NOT_FOUND);
}

/* Bind name, then take 128 KiB through it, read the pool, give it back;
   giving it back again must fail with again. The endpoint is dropped. */
static void bind_and_use(const char *name, uint64_t answers, errval_t again)
{
	capaddr_t ep = SLOT_NONE, cap = SLOT_NONE;
	uint64_t badge = 0, handle = 0, free = 0, total = 0;
	errval_t err = service_bind(name, &ep, &badge);
	EXPECT_ERR(err, ERR_OK);
	if (err)
		return;
	CHECK(badge == answers, "%s answers with badge %#lx", name, (unsigned long)badge);
	EXPECT_ERR(mem_alloc_at(ep, badge, 128u << 10, &cap, &handle), ERR_OK);
	EXPECT_ERR(mem_stat_at(ep, badge, &free, &total), ERR_OK);
	CHECK(free && free <= total, "%s: %lu free of %lu", name, (unsigned long)free,
	      (unsigned long)total);
	EXPECT_ERR(mem_free_at(ep, badge, cap, handle), ERR_OK);
	EXPECT_ERR(mem_free_at(ep, badge, SLOT_NONE, handle), again);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
}

/* One request of ours to memserv, bound as ep answering badge. */
static errval_t memserv_ask(capaddr_t ep, uint64_t badge, uint64_t op, uint64_t w1, uint64_t w2,
			    struct lmp_recv *rep)
{
	uint64_t req[4] = {op, w1, w2, 0};
	return rpc_call(ep, badge, req, CAPADDR_NONE, rep);
}

/* memserv by NUMA node (ADR 0022): RAM asked of core 0's node is on it, a
   node the machine lacks is refused, and MEM_STAT says core 0's node and
   how much of its memory is there (all of it on one node). */
static void test_mem_nodes(void)
{
	capaddr_t ep = SLOT_NONE, s = slot_alloc();
	uint64_t badge = 0, home = bi->cores[0].node;
	struct lmp_recv rep = {0};
	struct cap_info ci = {0};
	EXPECT_ERR(service_bind(SVC_NAME_MEM, &ep, &badge), ERR_OK);
	EXPECT_ERR(memserv_ask(ep, badge, MEM_ALLOC, RAM_UNIT, 1 + memnode_count(bi), &rep),
		   ERR_BAD_REQUEST);
	CHECK(!rep.has_cap, "a refused MEM_ALLOC brought a capability");
	EXPECT_ERR(memserv_ask(ep, badge, MEM_ALLOC, RAM_UNIT, 1 + home, &rep), ERR_OK);
	if (rep.has_cap && s != SLOT_NONE && !rpc_take_cap(s)) {
		EXPECT_ERR(cap_identify(s, &ci), ERR_OK);
		CHECK(memnode_of(bi, ci.base) == home, "RAM at %#lx asked of node %lu is on %u",
		      (unsigned long)ci.base, (unsigned long)home, memnode_of(bi, ci.base));
		cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		EXPECT_ERR(memserv_ask(ep, badge, MEM_FREE, rep.words[1], 0, &rep), ERR_OK);
	}
	EXPECT_ERR(memserv_ask(ep, badge, MEM_STAT, 0, 0, &rep), ERR_OK);
	uint64_t local = MEM_LOCAL_OF(rep.words[3]), total = rep.words[2];
	CHECK(MEM_NODE_OF(rep.words[3]) == home && local && local <= total &&
		  (memnode_count(bi) > 1 || local == total),
	      "memserv: node %u, %lu local of %lu", MEM_NODE_OF(rep.words[3]), (unsigned long)local,
	      (unsigned long)total);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
	slot_free(s);
}

/* The system services by name on core 0 (ADR 0016): listed, not ours to
   take or drop; spawnd.0 gives this domain's TASK_MEMSERV again, mem a
   place of memserv's own; serial takes no clients, another core's spawnd
   is out of reach, and a request that is not a bind gets an error. */
static void test_services_here(capaddr_t mine)
{
	unsigned core = ~0u;
	capaddr_t ep = SLOT_NONE, named = slot_alloc(), me = slot_alloc();
	uint64_t badge = 0;
	struct cap_info ci = {0};
	struct lmp_recv rep = {0};
	EXPECT_ERR(name_lookup(SVC_NAME_MEM, &core, CAPADDR_NONE), ERR_OK);
	CHECK(core == 0, "mem is on core %u", core);
	EXPECT_ERR(name_register(SVC_NAME_MEM, mine), ERR_NAME_TAKEN);
	EXPECT_ERR(name_unregister(SVC_NAME_SERIAL), ERR_NAME_NOT_FOUND);
	EXPECT_ERR(service_bind("spawnd.0", &ep, &badge), ERR_OK);
	EXPECT_ERR(cap_identify(ep, &ci), ERR_OK);
	CHECK(ci.badge == MEM_BADGE(rt_domain()), "spawnd.0 gave badge %#lx",
	      (unsigned long)ci.badge);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
	bind_and_use("spawnd.0", SERVER_MEMSERV, ERR_MEM_HANDLE);
	bind_and_use(SVC_NAME_MEM, SERVER_BIND, ERR_CAP_NOT_FOUND);
	test_mem_nodes();
	EXPECT_ERR(service_bind(SVC_NAME_SERIAL, &ep, &badge), ERR_BIND_NONE);
	EXPECT_ERR(service_bind("tests.nobody", &ep, &badge), ERR_NAME_NOT_FOUND);
	for (unsigned k = 1; k < bi->ncores; k++)
		if (bi->cores[k].online) {
			char name[NAME_MAX_LEN + 1];
			snprintf(name, sizeof(name), SVC_NAME_SPAWND, k);
			await_system_name(name, k);
			EXPECT_ERR(service_bind(name, &ep, &badge), ERR_NAME_REMOTE);
		}
	/* On a named endpoint only a bind: anything else is refused. */
	uint64_t req[4] = {MEM_ALLOC, 4096, 0, 0};
	EXPECT_ERR(name_lookup(SVC_NAME_MEM, &core, named), ERR_OK);
	EXPECT_ERR(cnode_mint(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me),
			      CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, SERVER_BIND),
		   ERR_OK);
	EXPECT_ERR(rpc_call(named, SERVER_BIND, req, me, &rep), ERR_BAD_REQUEST);
	CHECK(!rep.has_cap, "a refused bind brought a capability");
	cnode_delete(CAPADDR(CAPADDR_L1(named), 0), 1, CAPADDR_L2(named));
	cnode_delete(CAPADDR(CAPADDR_L1(me), 0), 1, CAPADDR_L2(me));
	slot_free(named);
	slot_free(me);
}

static uint64_t spawnd_free(unsigned k);

/* On core k: a domain there binds spawnd.<k> by name, takes and gives
   back memory, cannot reach core 0's services, and exits holding 64 KiB,
   which the wait gives back to the core's pool. */
static void test_services_on(unsigned k)
{
	uint64_t before = spawnd_free(k), id = spawn_on(k, 45), faults = 0;
	int64_t status = -1;
	if (id)
		EXPECT_ERR(monitor_wait(k, id, &status, &faults), ERR_OK);
	CHECK(status == 0 && faults == 0, "core %u's services by name: exit %ld, %lu faults", k,
	      (long)status, (unsigned long)faults);
	uint64_t after = spawnd_free(k);
	CHECK(after == before, "core %u's pool: %lu free, was %lu", k, (unsigned long)after,
	      (unsigned long)before);
}

static void test_names(void)
{
	capaddr_t ep = slot_alloc();
	EXPECT_ERR(monitor_bind(), ERR_OK);
	EXPECT_ERR(cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
			      CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, 0x7e57),
		   ERR_OK);
	test_names_here(ep);
	test_services_here(ep);
	unsigned last = 0;
	for (unsigned k = 1; k < bi->ncores; k++)
		if (bi->cores[k].online)
			last = k;
	if (last) {
		test_names_on(1);
		test_services_on(1);
	}
	if (last > 1) {
		test_names_on(last);
		test_services_on(last);
	}
	EXPECT_ERR(name_unregister("tests.names"), ERR_OK);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
}

/* ---- arguments and waits on another core (suite `spawn`) ---- */

/* testchild's mode 20 (testchild/main.c: args_digest): what it exits with. */
static int64_t digest(int argc, char *const argv[], uint64_t id, unsigned core)
{
	uint32_t h = 5381 * 33 + (uint32_t)argc;
	for (int i = 0; i < argc; i++)
		for (const char *s = argv[i];; s++) {
			h = h * 33 + (uint8_t)*s;
			if (!*s)
				break;
		}
	h = h * 33 + (uint32_t)id;
	return (h * 33 + core) & 0x7fffffff;
}

/* testchild in mode 20 on core k with argv[1..argc-1] (argv[0]: its name):
   its arguments, id and core all came, and waiting took it away. */
static void expect_args(unsigned k, int argc, char *argv[], const char *what)
{
	uint64_t id, faults;
	int64_t status = -1;
	errval_t err = monitor_spawn(k, "testchild", 20, argc - 1, argv + 1, &id);
	EXPECT_ERR(err, ERR_OK);
	if (!err)
		EXPECT_ERR(monitor_wait(k, id, &status, &faults), ERR_OK);
	CHECK(!err && status == digest(argc, argv, id, k), "%s: core %u's testchild exited %ld",
	      what, k, (long)status);
}

/* One fragment of a block as a client sends it (MONITOR_ARGS). */
static void send_fragment(uint32_t offset, uint32_t total, const char *data)
{
	union monitor_req q = {.args = {MONITOR_ARGS, .offset = offset, .total = total}};
	memcpy(q.args.data, data, sizeof(q.args.data));
	EXPECT_ERR(send_req(q.words[0], q.words[1], q.words[2], q.words[3], CAPADDR_NONE), ERR_OK);
}

/* MONITOR_SPAWN of testchild on core k (mode 20) naming a block of bytes. */
static errval_t spawn_named(unsigned k, uint32_t bytes, uint64_t *id)
{
	union monitor_req q = {.spawn = {MONITOR_SPAWN, .core = k, .args = bytes, .arg = 20}};
	union monitor_rep r;
	memcpy(q.spawn.name, "testchild", 9);
	errval_t err = monitor_ask(q, CAPADDR_NONE, &r);
	int64_t status;
	uint64_t faults;
	*id = err ? 0 : r.spawn.id;
	if (!err) /* (it exits at once) */
		EXPECT_ERR(monitor_wait(k, *id, &status, &faults), ERR_OK);
	return err;
}

/*
 * Blocks that are not whole, or too long, or not the one the spawn names:
 * monitor 0 refuses the spawn; a new block replaces one begun; any spawn
 * takes its client's block.
 */
static void test_bad_args(unsigned k)
{
	uint64_t id;
	send_fragment(0, ARGS_MAX_BYTES + 1, "too long");
	EXPECT_ERR(spawn_named(k, ARGS_MAX_BYTES + 1, &id), ERR_ARGS_TOO_LONG);
	send_fragment(0, 32, "the first half, ");
	EXPECT_ERR(spawn_named(k, 32, &id), ERR_ARGS_INCOMPLETE); /* the rest never came */
	send_fragment(0, 40, "0123456789abcdef");
	send_fragment(20, 40, "0123456789abcdef"); /* not where the last one ended */
	send_fragment(32, 40, "01234567");
	EXPECT_ERR(spawn_named(k, 40, &id), ERR_ARGS_INCOMPLETE);
	send_fragment(0, 6, "hi\0yo\0");
	EXPECT_ERR(spawn_named(k, 5, &id), ERR_ARGS_INCOMPLETE); /* not that long */
	EXPECT_ERR(spawn_named(k, 6, &id), ERR_ARGS_INCOMPLETE); /* taken by the one before */
	EXPECT_ERR(spawn_named(k, 9, &id), ERR_ARGS_INCOMPLETE); /* none sent */
	send_fragment(0, 6, "hi\0yo\0");
	EXPECT_ERR(spawn_named(k, 0, &id), ERR_OK); /* no arguments: the block goes */
	EXPECT_ERR(spawn_named(k, 6, &id), ERR_ARGS_INCOMPLETE);
	send_fragment(0, 6, "hiyo!!"); /* not ending in a NUL: spawnd refuses it */
	EXPECT_ERR(spawn_named(k, 6, &id), ERR_BAD_REQUEST);
	send_fragment(0, 32, "abandoned, then ");
	send_fragment(0, 6, "hi\0yo\0"); /* replaces it */
	EXPECT_ERR(spawn_named(k, 6, &id), ERR_OK);
	char *too_many[34] = {0};
	for (int i = 0; i < 33; i++)
		too_many[i] = "1234567"; /* 33 x 8 bytes */
	EXPECT_ERR(monitor_spawn(k, "testchild", 20, 33, too_many, &id), ERR_ARGS_TOO_LONG);
	EXPECT_ERR(monitor_spawn(0, "testchild", 20, 0, NULL, &id), ERR_CORE_NONE);
}

/* Waits: for a domain that runs a while (two at once), that faults, that is
   killed meanwhile, that is not there or is a service. */
static void test_waits(unsigned k)
{
	struct lmp_recv rep;
	uint64_t id, faults, name[2] = {0};
	int64_t status;
	memcpy(name, "testchild", 9);
	uint64_t dom = spawn_on(k, 21 | 30 << 8); /* sleeps 30 ticks */
	EXPECT_ERR(send_req(MONITOR_WAIT, k, dom, 0, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(send_req(MONITOR_WAIT, k, dom, 0, CAPADDR_NONE), ERR_OK);
	for (unsigned i = 0; i < 2; i++) {
		EXPECT_ERR(lmp_recv(1, &rep), ERR_OK);
		union monitor_rep r = monitor_rep_of(rep.words);
		CHECK(rep.badge == SERVER_MONITOR && r.wait.err == ERR_OK && r.wait.status == 21 &&
			  r.wait.faults == 0,
		      "wait %u on a sleeper: %s, status %lu", i, err_str((errval_t)r.wait.err),
		      (unsigned long)r.wait.status);
	}
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep),
		   ERR_DOMAIN_NOT_FOUND); /* taken away */
	dom = spawn_on(k, 2);
	EXPECT_ERR(monitor_wait(k, dom, &status, &faults), ERR_OK);
	CHECK(faults == 1, "a faulting domain: %lu faults", (unsigned long)faults);
	/* Killed while waited for: the wait says it is gone. */
	dom = spawn_on(k, 21 | 1000 << 8);
	EXPECT_ERR(send_req(MONITOR_WAIT, k, dom, 0, CAPADDR_NONE), ERR_OK);
	EXPECT_ERR(send_req(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE), ERR_OK);
	errval_t got[2] = {ERR_SHELL_USAGE, ERR_SHELL_USAGE};
	for (unsigned i = 0; i < 2; i++)
		if (lmp_recv(1, &rep) == ERR_OK && rep.badge == SERVER_MONITOR)
			got[i] = (errval_t)rep.words[0];
	CHECK((got[0] == ERR_OK && got[1] == ERR_DOMAIN_NOT_FOUND) ||
		  (got[1] == ERR_OK && got[0] == ERR_DOMAIN_NOT_FOUND),
	      "a kill during a wait: %s and %s", err_str(got[0]), err_str(got[1]));
	EXPECT_ERR(monitor_wait(k, 999, &status, &faults), ERR_DOMAIN_NOT_FOUND);
	EXPECT_ERR(monitor_wait(k, 1, &status, &faults), ERR_DOMAIN_PROTECTED); /* its spawnd */
	EXPECT_ERR(monitor_wait(0, 1, &status, &faults), ERR_CORE_NONE);
	EXPECT_ERR(monitor_wait(BOOTINFO_MAX_CORES, 1, &status, &faults), ERR_CORE_NONE);
	(void)id;
}

/* The RAM core k's spawnd builds domains from: bytes free. */
static uint64_t spawnd_free(unsigned k)
{
	union monitor_rep r;
	EXPECT_ERR(monitor_ask((union monitor_req){.domain = {MONITOR_DOMAIN, .core = k, .how = 3}},
			       CAPADDR_NONE, &r),
		   ERR_OK);
	return r.domain_mem.free;
}

/* Every other core's pool is on that core's own NUMA node, all of it
   (ADR 0022: its block came from there; on one node trivially so): its
   spawnd names the node the boot information gives the core, and the
   bytes on it are the pool's total. Not on a machine whose node was too
   small for its cores (virt-numa2-uneven: `mem` is judged there). */
static void test_pools_on_nodes(void)
{
	EXPECT_ERR(monitor_bind(), ERR_OK);
	for (unsigned k = 1; k < bi->ncores; k++) {
		union monitor_rep r;
		if (!bi->cores[k].online)
			continue;
		EXPECT_ERR(monitor_ask(
			       (union monitor_req){.domain = {MONITOR_DOMAIN, .core = k, .how = 3}},
			       CAPADDR_NONE, &r),
			   ERR_OK);
		uint64_t local = (uint64_t)r.domain_mem.local_kib << 10;
		CHECK(r.domain_mem.node == bi->cores[k].node && local == r.domain_mem.total,
		      "core %u (node %u): pool on node %u, %lu of %lu bytes there", k,
		      bi->cores[k].node, (unsigned)r.domain_mem.node, (unsigned long)local,
		      (unsigned long)r.domain_mem.total);
	}
}

/* testchild mode 40 on core j against core t (ADR 0015); its id. */
static uint64_t far_start(unsigned j, unsigned t)
{
	uint64_t id = 0;
	EXPECT_ERR(monitor_spawn(j, "testchild", 40 | t << 8, 0, NULL, &id), ERR_OK);
	return id;
}

static void far_end(unsigned j, uint64_t id, unsigned t)
{
	int64_t status = -1;
	uint64_t faults = 0;
	errval_t err = id ? monitor_wait(j, id, &status, &faults) : ERR_DOMAIN_NOT_FOUND;
	CHECK(!err && status == 0 && !faults,
	      "domains from core %u on core %u: %s, status %ld, faults %lu", j, t, err_str(err),
	      (long)status, (unsigned long)faults);
}

/*
 * Domains from other cores (ADR 0015): testchild mode 40 on core j starts,
 * waits for and kills domains on core k through its own monitor, with
 * arguments, and gets the errors we get; then two at once, on cores j and
 * k, each against the other (their blocks meet at monitor 0). With two
 * cores, j is k: against its own core.
 */
static void test_far(unsigned k)
{
	unsigned j = k > 1 ? k - 1 : k;
	far_end(j, far_start(j, k), k);
	if (j == k)
		return;
	uint64_t a = far_start(j, k), b = far_start(k, j);
	far_end(j, a, k);
	far_end(k, b, j);
}

/*
 * Suite `spawn`: arguments reach a domain on core k whole (the largest
 * block too), bad blocks are refused, waits answer, domains on other
 * cores do the same (test_far); then 100 rounds of
 * hello with arguments, each waited for: core k's spawnd has exactly the
 * RAM it had, and lists itself alone.
 */
static void test_spawn(unsigned k, unsigned online)
{
	static char full[32][8];
	char *argv[34] = {"testchild", "x", "yz", ""};
	struct lmp_recv rep;
	expect_args(k, 4, argv, "three arguments");
	for (int i = 0; i < 32; i++) { /* 32 x 8 bytes: ARGS_MAX_BYTES */
		snprintf(full[i], sizeof(full[i]), "arg%04d", i);
		argv[i + 1] = full[i];
	}
	expect_args(k, 33, argv, "ARGS_MAX_BYTES of arguments");
	test_bad_args(k);
	test_waits(k);
	test_far(k);
	uint64_t before = spawnd_free(k), id, faults;
	unsigned ok = 0, rounds = 100;
	for (unsigned i = 0; i < rounds; i++) {
		char round[12];
		char *args[2] = {"round", round};
		int64_t status = -1;
		snprintf(round, sizeof(round), "%u", i);
		if (monitor_spawn(k, "hello", 0, 2, args, &id) == ERR_OK &&
		    monitor_wait(k, id, &status, &faults) == ERR_OK)
			ok += status == 0 && faults == 0;
	}
	uint64_t after = spawnd_free(k);
	CHECK(ok == rounds, "%u of %u hellos on core %u started and exited 0", ok, rounds, k);
	CHECK(after == before, "core %u's spawnd: %lu bytes free, was %lu", k, (unsigned long)after,
	      (unsigned long)before);
	printf("spawn: %u hellos on core %u, its spawnd %lu bytes free before and %lu after\n", ok,
	       k, (unsigned long)before, (unsigned long)after);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, 0, 2, CAPADDR_NONE, &rep), ERR_OK);
	CHECK(rep.words[1] == 1 && !rep.words[2], "core %u lists %#lx, want its spawnd alone", k,
	      (unsigned long)rep.words[1]);
	check_everywhere(online, "after the spawns");
}

/* ---- suite "memcore": memory on every core (ADR 0012) ---- */

/* Core 0's memory service (our spawnd, from memserv): what it hands out
   is RAM we can use, comes back when freed, and bad requests get errors. */
static void test_mem_here(void)
{
	uint64_t free0, total, free1, h[3];
	capaddr_t c[3];
	EXPECT_ERR(mem_stat(&free0, &total), ERR_OK);
	CHECK(free0 <= total && total > (64u << 20), "core 0: %lu free of %lu",
	      (unsigned long)free0, (unsigned long)total);
	for (unsigned i = 0; i < 3; i++)
		EXPECT_ERR(mem_alloc((i + 1) * RAM_UNIT, &c[i], &h[i]), ERR_OK);
	struct cap_info ci;
	EXPECT_ERR(cap_identify(c[2], &ci), ERR_OK);
	CHECK(ci.type == OBJ_RAM && ci.size == 3 * RAM_UNIT, "a grant: type %u size %lu", ci.type,
	      (unsigned long)ci.size);
	EXPECT_ERR(mem_stat(&free1, &total), ERR_OK);
	CHECK(free1 == free0 - 6 * RAM_UNIT, "core 0: %lu free after 6 units, was %lu",
	      (unsigned long)free1, (unsigned long)free0);
	for (unsigned i = 0; i < 3; i++)
		EXPECT_ERR(mem_free(c[i], h[i]), ERR_OK);
	EXPECT_ERR(mem_free(SLOT_NONE, h[0]), ERR_MEM_HANDLE);
	EXPECT_ERR(mem_alloc(0, &c[0], &h[0]), ERR_MEM_SIZE);
	EXPECT_ERR(mem_alloc(MEM_ALLOC_MAX + 1, &c[0], &h[0]), ERR_MEM_SIZE);
	EXPECT_ERR(mem_alloc(total + RAM_UNIT, &c[0], &h[0]), ERR_NO_MEMORY);
	EXPECT_ERR(mem_stat(&free1, &total), ERR_OK);
	CHECK(free1 == free0, "core 0: %lu free at the end, was %lu", (unsigned long)free1,
	      (unsigned long)free0);
}

/* Domain id on core k, once it sleeps and its pool has stayed as it is
   for 5 ticks: its state (2, blocked), or ~0 after 10 s. */
static uint64_t wait_settled(unsigned k, uint64_t id)
{
	struct lmp_recv rep;
	for (unsigned i = 0; i < 200; i++) {
		uint64_t f = spawnd_free(k);
		if (monitor_call(MONITOR_DOMAIN, k, id, 0, CAPADDR_NONE, &rep))
			return ~0ull;
		uint64_t st = rep.words[1] & 0xff;
		rpc_nap(5);
		if (st == 2 && spawnd_free(k) == f)
			return st;
	}
	return ~0ull;
}

/* testchild on core k in mode 30 (or 31), waited for: its exit status. */
static int64_t mem_child(unsigned k, uint32_t mode)
{
	uint64_t id, faults = 0;
	int64_t status = -1;
	errval_t err = monitor_spawn(k, "testchild", mode, 0, NULL, &id);
	if (!err)
		err = monitor_wait(k, id, &status, &faults);
	return err ? -(int64_t)err : faults ? -1 : status;
}

/*
 * Core k's pool: 100 domains that each take memory and exit holding half
 * of it, waited for; one that holds memory and is killed; bad requests.
 * Then the pool has exactly what it had.
 */
static void test_mem_on(unsigned k)
{
	uint64_t before = spawnd_free(k), id;
	unsigned ok = 0, rounds = 100;
	for (unsigned i = 0; i < rounds; i++)
		ok += mem_child(k, 30 | 4 << 8 | (1 + i % 3) << 16) == 0;
	CHECK(ok == rounds, "%u of %u memory holders on core %u exited 0", ok, rounds, k);
	CHECK(mem_child(k, 31) == 0, "bad memory requests on core %u: exit %ld", k,
	      (long)mem_child(k, 31));
	EXPECT_ERR(monitor_spawn(k, "testchild", 30 | 8 << 8 | 2 << 16 | 1 << 24, 0, NULL, &id),
		   ERR_OK);
	uint64_t st = wait_settled(k, id);
	CHECK(st == 2, "the holder to kill on core %u: state %#lx", k, (unsigned long)st);
	CHECK(spawnd_free(k) < before, "core %u: the holder holds nothing", k);
	EXPECT_ERR(monitor_ask((union monitor_req){.domain = {MONITOR_DOMAIN, .core = k, .id = id,
							      .how = 1}},
			       CAPADDR_NONE, &(union monitor_rep){0}),
		   ERR_OK);
	uint64_t after = spawnd_free(k);
	CHECK(after == before, "core %u's pool: %lu bytes free, was %lu", k, (unsigned long)after,
	      (unsigned long)before);
	printf("memcore: %u holders on core %u, its pool %lu bytes free before and %lu after\n", ok,
	       k, (unsigned long)before, (unsigned long)after);
}

static void test_memcore(void)
{
	unsigned n = bi->ncores, online = 0;
	for (unsigned k = 0; k < n; k++)
		online += bi->cores[k].online;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	test_mem_here();
	if (online >= 2 && bi->cores[n - 1].online)
		test_mem_on(n - 1);
	else
		printf("memcore: no second core, core 0 only\n");
}

/* ---- suite "notify": notifications (ADR 0010) ---- */

#define DISP_STATE_BLOCKED 2 /* DISP_STATUS, MONITOR_DOMAIN: blocked in a receive */

static void drop_slot(capaddr_t c)
{
	cnode_delete(CAPADDR(CAPADDR_L1(c), 0), 1, CAPADDR_L2(c));
	slot_free(c);
}

/* Is m the event of slot n in generation g, with badge b? */
static bool is_event(const struct lmp_recv *m, uint64_t b, uint64_t n, uint64_t g)
{
	return m->badge == b && m->words[0] == NOTIFY_EVENT && m->words[1] == n &&
	       m->words[2] == g && !m->has_cap;
}

/* Our own endpoint, on this core: what a binding is, delivery at once,
   merging, a badge, a full queue, unbinding. */
static void test_notify_here(void)
{
	capaddr_t ep = CAPADDR(CN_TASK, TASK_EP), n = slot_alloc(), b = slot_alloc(),
		  nb = slot_alloc();
	struct lmp_recv m;
	struct cap_info ci, ei;
	uint64_t slot = ~0ull, gen = 0, bslot = ~0ull, bgen = 0, w[4] = {1, 2, 3, 4};
	while (lmp_recv(0, &m) == ERR_OK)
		;
	EXPECT_ERR(ep_notify_bind(ep, n, &slot, &gen), ERR_OK);
	EXPECT_ERR(cap_identify(n, &ci), ERR_OK);
	EXPECT_ERR(cap_identify(ep, &ei), ERR_OK);
	CHECK(ci.type == OBJ_NOTIFY && ci.base == NOTIFY_BASE(0, slot) && ci.size == gen &&
		  gen != 0 && slot < NOTIFY_SLOTS && ci.owner == 0 && ci.rights == ei.rights,
	      "Notify: type %u base %#lx size %lu owner %u rights %#x (slot %lu gen %lu)", ci.type,
	      (unsigned long)ci.base, (unsigned long)ci.size, ci.owner, ci.rights,
	      (unsigned long)slot, (unsigned long)gen);
	/* Delivered at once; three sends while it waits are one event. */
	for (int i = 0; i < 3; i++)
		EXPECT_ERR(notify_send(n), ERR_OK);
	EXPECT_ERR(lmp_recv(0, &m), ERR_OK);
	CHECK(is_event(&m, ei.badge, slot, gen), "event: badge %#lx words %#lx %lu %lu",
	      (unsigned long)m.badge, (unsigned long)m.words[0], (unsigned long)m.words[1],
	      (unsigned long)m.words[2]);
	EXPECT_ERR(lmp_recv(0, &m), ERR_LMP_EMPTY);
	/* A badged endpoint: its badge comes with the event, another slot. */
	EXPECT_ERR(
	    cnode_mint(CAPADDR(CAPADDR_L1(b), 0), 1, CAPADDR_L2(b), ep, CAP_RIGHTS_ALL, 0x4e),
	    ERR_OK);
	EXPECT_ERR(ep_notify_bind(b, nb, &bslot, &bgen), ERR_OK);
	CHECK(bslot != slot, "two bindings in slot %lu", (unsigned long)slot);
	EXPECT_ERR(notify_send(nb), ERR_OK);
	EXPECT_ERR(notify_send(n), ERR_OK);
	EXPECT_ERR(lmp_recv(0, &m), ERR_OK);
	CHECK(is_event(&m, 0x4e, bslot, bgen), "badged event: badge %#lx slot %lu",
	      (unsigned long)m.badge, (unsigned long)m.words[1]);
	EXPECT_ERR(lmp_recv(0, &m), ERR_OK);
	CHECK(is_event(&m, ei.badge, slot, gen), "second event: slot %lu",
	      (unsigned long)m.words[1]);
	/* A full queue: the event waits, and comes once there is room. */
	unsigned sent = 0;
	while (ep_send(ep, w, CAPADDR_NONE) == ERR_OK && sent < 100)
		sent++;
	EXPECT_ERR(notify_send(n), ERR_OK);
	unsigned mine = 0, events = 0;
	while (lmp_recv(0, &m) == ERR_OK) {
		mine += m.words[0] == 1 && !events;
		events += is_event(&m, ei.badge, slot, gen);
	}
	CHECK(mine == sent && events == 1, "full queue: %u of %u messages, then %u events", mine,
	      sent, events);
	/* Unbound: stale on this core; the capability stays. */
	EXPECT_ERR(notify_unbind(n), ERR_OK);
	EXPECT_ERR(notify_send(n), ERR_NOTIFY_STALE);
	EXPECT_ERR(notify_unbind(n), ERR_NOTIFY_STALE);
	EXPECT_ERR(cap_identify(n, &ci), ERR_OK);
	EXPECT_ERR(notify_unbind(nb), ERR_OK);
	EXPECT_ERR(lmp_recv(0, &m), ERR_LMP_EMPTY);
	drop_slot(n);
	drop_slot(nb);
	drop_slot(b);
}

/* Bad arguments and rights; what a Notify capability is not. */
static void test_notify_args(void)
{
	capaddr_t ep = CAPADDR(CN_TASK, TASK_EP), n = slot_alloc(), c = slot_alloc();
	capaddr_t cn = CAPADDR(CAPADDR_L1(c), 0);
	struct lmp_recv m;
	EXPECT_ERR(ep_notify_bind(RAM0, c, NULL, NULL), ERR_CAP_TYPE);
	EXPECT_ERR(ep_notify_bind(ep, ep, NULL, NULL), ERR_CAP_OCCUPIED);
	EXPECT_ERR(ep_notify_bind(ep, CAPADDR(200, 0), NULL, NULL), ERR_CAP_EMPTY);
	EXPECT_ERR(ep_notify_bind(ep, CAPADDR(256, 0), NULL, NULL), ERR_CAP_ADDR);
	EXPECT_ERR(cap_invoke(ep, 2, EP_NOTIFY_BIND, cn, 256, 0, 0, 0).err, ERR_CAP_ADDR);
	EXPECT_ERR(cnode_mint(cn, 1, CAPADDR_L2(c), ep, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0),
		   ERR_OK);
	EXPECT_ERR(ep_notify_bind(c, n, NULL, NULL), ERR_CAP_RIGHTS); /* needs WRITE */
	EXPECT_ERR(cnode_delete(cn, 1, CAPADDR_L2(c)), ERR_OK);
	EXPECT_ERR(notify_send(ep), ERR_CAP_TYPE);
	EXPECT_ERR(notify_unbind(RAM0), ERR_CAP_TYPE);
	EXPECT_ERR(ep_notify_bind(ep, n, NULL, NULL), ERR_OK);
	/* Not memory: never retyped from, mapped, or badged. */
	EXPECT_ERR(cap_retype(n, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, cn, 1, CAPADDR_L2(c)),
		   ERR_CAP_DERIVE);
	EXPECT_ERR(cap_retype(RAM0, OBJ_NOTIFY, 0, OBJSIZE_PAGE, 1, cn, 1, CAPADDR_L2(c)),
		   ERR_CAP_DERIVE);
	EXPECT_ERR(vnode_map(CAPADDR(CN_TASK, TASK_VROOT), 0, n, CAP_RIGHT_READ, 0, 1),
		   ERR_VM_LEVEL);
	EXPECT_ERR(cnode_mint(cn, 1, CAPADDR_L2(c), n, CAP_RIGHTS_ALL, 7), ERR_CAP_RIGHTS);
	/* Rights: WRITE sends, unbinding needs READ too. */
	EXPECT_ERR(cnode_copy(cn, 1, CAPADDR_L2(c), n, CAP_RIGHT_READ), ERR_OK);
	EXPECT_ERR(notify_send(c), ERR_CAP_RIGHTS);
	EXPECT_ERR(notify_unbind(c), ERR_CAP_RIGHTS);
	EXPECT_ERR(cnode_delete(cn, 1, CAPADDR_L2(c)), ERR_OK);
	EXPECT_ERR(cnode_copy(cn, 1, CAPADDR_L2(c), n, CAP_RIGHT_WRITE), ERR_OK);
	EXPECT_ERR(notify_send(c), ERR_OK);
	EXPECT_ERR(notify_unbind(c), ERR_CAP_RIGHTS);
	EXPECT_ERR(notify_unbind(n), ERR_OK);
	EXPECT_ERR(notify_send(c), ERR_NOTIFY_STALE); /* a copy is as stale */
	EXPECT_ERR(lmp_recv(0, &m), ERR_OK);
	EXPECT_ERR(lmp_recv(0, &m), ERR_LMP_EMPTY);
	/* Monitor 0 makes them for other cores only, from a valid description. */
	struct lmp_recv rep;
	EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, bi->ncores, 0, 1, CAPADDR_NONE, &rep),
		   ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, ~0ull, 0, 1, CAPADDR_NONE, &rep),
		   ERR_CORE_NONE);
	EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, 0, 0, 1, CAPADDR_NONE, &rep), ERR_SYS_ARG);
	if (bi->ncores > 1) {
		EXPECT_ERR(
		    monitor_call(MONITOR_NOTIFY_MAKE, 1, NOTIFY_SLOTS, 1, CAPADDR_NONE, &rep),
		    ERR_SYS_ARG);
		EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, 1, 1ull << 32, 1, CAPADDR_NONE, &rep),
			   ERR_SYS_ARG);
		EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, 1, 0, 0, CAPADDR_NONE, &rep),
			   ERR_SYS_ARG);
		EXPECT_ERR(monitor_call(MONITOR_NOTIFY_MAKE, 1, 0, 1ull << 32, CAPADDR_NONE, &rep),
			   ERR_SYS_ARG);
	}
	drop_slot(n);
	drop_slot(c);
}

/* NOTIFY_SLOTS bindings and no more (so none is left over from before);
   a slot freed and bound again leaves the old capability stale. */
static void test_notify_full(void)
{
	static capaddr_t n[NOTIFY_SLOTS + 1];
	static uint64_t slot[NOTIFY_SLOTS + 1], gen[NOTIFY_SLOTS + 1];
	capaddr_t ep = CAPADDR(CN_TASK, TASK_EP), again = slot_alloc();
	struct lmp_recv m;
	errval_t err = ERR_OK;
	unsigned bound = 0;
	for (; bound <= NOTIFY_SLOTS && !err; bound += !err) {
		n[bound] = slot_alloc();
		err = ep_notify_bind(ep, n[bound], &slot[bound], &gen[bound]);
	}
	CHECK(bound == NOTIFY_SLOTS && err == ERR_NOTIFY_FULL, "%u bound, then %s", bound,
	      err_str(err));
	slot_free(n[bound]);
	unsigned i = bound / 2;
	EXPECT_ERR(notify_unbind(n[i]), ERR_OK);
	uint64_t s2 = ~0ull, g2 = 0;
	EXPECT_ERR(ep_notify_bind(ep, again, &s2, &g2), ERR_OK);
	CHECK(s2 == slot[i] && g2 == gen[i] + 1, "the free slot %lu in generation %lu, got %lu %lu",
	      (unsigned long)slot[i], (unsigned long)gen[i] + 1, (unsigned long)s2,
	      (unsigned long)g2);
	EXPECT_ERR(notify_send(n[i]), ERR_NOTIFY_STALE); /* bound, in another generation */
	EXPECT_ERR(notify_unbind(n[i]), ERR_NOTIFY_STALE);
	EXPECT_ERR(notify_send(again), ERR_OK);
	EXPECT_ERR(lmp_recv(0, &m), ERR_OK);
	CHECK(is_event(&m, 0, s2, g2), "event of slot %lu gen %lu", (unsigned long)m.words[1],
	      (unsigned long)m.words[2]);
	unsigned unbound = 0;
	for (unsigned k = 0; k < bound; k++)
		unbound += notify_unbind(k == i ? again : n[k]) == ERR_OK;
	CHECK(unbound == NOTIFY_SLOTS, "%u unbound", unbound);
	for (unsigned k = 0; k < bound; k++)
		drop_slot(n[k]);
	drop_slot(again);
	EXPECT_ERR(lmp_recv(0, &m), ERR_LMP_EMPTY);
}

/* A dispatcher blocked on this core wakes; killed, its binding goes. */
static void test_notify_child(void)
{
	struct child c;
	capaddr_t n = slot_alloc();
	uint64_t state = 0, faults, slot, gen;
	int64_t status;
	/* mode 4 waits for a message with an endpoint: an event has none */
	EXPECT_ERR(start_child(&c, 4), ERR_OK);
	while (!spawn_status(&c, &state, &faults, &status) && state != DISP_STATE_BLOCKED)
		nap();
	EXPECT_ERR(ep_notify_bind(child_cap(&c, SPAWN_H_EP), n, &slot, &gen), ERR_OK);
	EXPECT_ERR(notify_send(n), ERR_OK);
	CHECK(wait_stopped(&c, &faults, &status) && status == 1,
	      "the child woke to status %ld, want 1 (a message without a capability)",
	      (long)status);
	EXPECT_ERR(notify_send(n), ERR_OK); /* stopped, still there */
	EXPECT_ERR(spawn_kill(&c), ERR_OK);
	EXPECT_ERR(notify_send(n), ERR_NOTIFY_STALE);
	EXPECT_ERR(notify_unbind(n), ERR_NOTIFY_STALE);
	drop_slot(n);
}

/* Until word i of p is at least v (a tick at a time); false if domain dom
   on core k stopped first. */
static bool await_word(volatile const uint64_t *p, unsigned i, uint64_t v, unsigned k, uint64_t dom)
{
	struct lmp_recv rep;
	while (p[i] < v) {
		if (monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep) ||
		    monitor_rep_of(rep.words).domain.state == 0)
			return p[i] >= v;
		nap();
	}
	return true;
}

/* Until word i of p is at least v, napping a tick at a time and asking
   nobody: no monitor's message (and IPI) reaches another core meanwhile. */
static void await_quietly(volatile const uint64_t *p, unsigned i, uint64_t v)
{
	while (p[i] < v)
		nap();
}

/* Until domain dom on core k is blocked (in a receive); false if it stopped. */
static bool await_blocked(unsigned k, uint64_t dom)
{
	struct lmp_recv rep;
	for (;;) {
		if (monitor_call(MONITOR_DOMAIN, k, dom, 0, CAPADDR_NONE, &rep))
			return false;
		uint64_t state = monitor_rep_of(rep.words).domain.state;
		if (state == DISP_STATE_BLOCKED)
			return true;
		if (state == 0)
			return false;
		nap();
	}
}

/* A Notify capability here for the slot and generation p's words 1, 2 name
   on core k (monitor 0 makes it), into n. */
static errval_t notify_for(unsigned k, volatile const uint64_t *p, capaddr_t n)
{
	struct lmp_recv rep;
	errval_t err = monitor_call(MONITOR_NOTIFY_MAKE, k, p[1], p[2], CAPADDR_NONE, &rep);
	if (!err && !rep.has_cap)
		err = ERR_BAD_REQUEST;
	return err ? err : rpc_take_cap(n);
}

#define NOTIFY_ROUNDS 5

/*
 * Across cores: a domain on core k (testchild 19) binds its endpoint and
 * blocks; each send from here must wake it, exactly once per send while it
 * waits blocked, and by the send's own IPI: core k takes its doorbell only
 * with an IPI, and while we wait for the event we ask no monitor anything,
 * so no other IPI goes to core k (without it the wait never ends). Sends
 * in a row merge; a capability for a slot unbound since is stale and wakes
 * nobody; the monitors' own IPIs go on working meanwhile (most steps here
 * ask core k's monitor).
 */
static void test_notify_on(unsigned k)
{
	struct lmp_recv rep;
	struct cap_info ci;
	capaddr_t ram, f = marked_frame(&ram, 0x5107 + k), n = slot_alloc(), n2 = slot_alloc();
	volatile uint64_t *p = win_map(f, 1, true);
	uint64_t dom = spawn_on(k, 19);
	CHECK(p && dom, "no frame or no domain on core %u", k);
	if (!p || !dom)
		return;
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom, 0, f, &rep), ERR_OK);
	CHECK(rep.words[1] == 0x5107 + k, "core %u read %#lx", k, (unsigned long)rep.words[1]);
	EXPECT_ERR(notify_for(k, p, n), ERR_OK);
	EXPECT_ERR(cap_identify(n, &ci), ERR_OK);
	CHECK(ci.type == OBJ_NOTIFY && ci.owner == k && ci.base == NOTIFY_BASE(k, p[1]) &&
		  ci.size == p[2],
	      "Notify for core %u: type %u owner %u base %#lx size %lu", k, ci.type, ci.owner,
	      (unsigned long)ci.base, (unsigned long)ci.size);
	EXPECT_ERR(notify_unbind(n), ERR_NOTIFY_REMOTE);
	unsigned woken = 0;
	for (unsigned r = 1; r <= NOTIFY_ROUNDS; r++) {
		bool blocked = await_blocked(k, dom);
		EXPECT_ERR(notify_send(n), ERR_OK);
		await_quietly(p, 3, r);
		woken += blocked && p[3] == r;
	}
	CHECK(woken == NOTIFY_ROUNDS && p[4] == 0,
	      "core %u: woken %u times of %u, %lu events, %lu foreign", k, woken, NOTIFY_ROUNDS,
	      (unsigned long)p[3], (unsigned long)p[4]);
	/* Three in a row: one event at least, three at most. */
	CHECK(await_blocked(k, dom), "core %u: the receiver is not blocked", k);
	for (int i = 0; i < 3; i++)
		EXPECT_ERR(notify_send(n), ERR_OK);
	CHECK(await_word(p, 3, NOTIFY_ROUNDS + 1, k, dom), "core %u: no event", k);
	CHECK(await_blocked(k, dom), "core %u: the receiver is not blocked", k);
	uint64_t events = p[3];
	CHECK(events > NOTIFY_ROUNDS && events <= NOTIFY_ROUNDS + 3, "core %u: %lu events", k,
	      (unsigned long)events);
	/* It binds again: ours is stale now and wakes nobody, a new one does. */
	uint64_t old_slot = p[1];
	p[5] = 1;
	EXPECT_ERR(notify_send(n), ERR_OK);
	while (p[5] && await_word(p, 3, events + 1, k, dom))
		nap();
	CHECK(p[5] == 0 && p[1] != old_slot, "core %u: bound again in slot %lu (was %lu)", k,
	      (unsigned long)p[1], (unsigned long)old_slot);
	events = p[3];
	EXPECT_ERR(notify_send(n), ERR_OK); /* only core k can tell it is stale */
	EXPECT_ERR(notify_for(k, p, n2), ERR_OK);
	CHECK(await_blocked(k, dom), "core %u: the receiver is not blocked", k);
	EXPECT_ERR(notify_send(n2), ERR_OK);
	CHECK(await_word(p, 3, events + 1, k, dom) && await_blocked(k, dom) && p[3] == events + 1 &&
		  p[4] == 0,
	      "core %u: after the stale send and a good one %lu events (want %lu), %lu foreign", k,
	      (unsigned long)p[3], (unsigned long)events + 1, (unsigned long)p[4]);
	/* Done: it unbinds and exits with its foreign events (0). */
	p[5] = 2;
	EXPECT_ERR(notify_send(n2), ERR_OK);
	uint64_t v = wait_domain(k, dom);
	CHECK(v == 0, "the receiver on core %u ended with %#lx", k, (unsigned long)v);
	win_unmap(f);
	EXPECT_REVOKE(f, 1, 1, 2, 2); /* its monitor's copy (and the domain's) */
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	drop_slot(n);
	drop_slot(n2);
	drop_slot(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);
}

static void test_notify(void)
{
	uint64_t before = ram_free_bytes();
	EXPECT_ERR(monitor_bind(), ERR_OK);
	test_notify_here();
	test_notify_args();
	test_notify_child();
	test_notify_full();
	unsigned last = 0;
	for (unsigned k = 1; k < bi->ncores; k++)
		if (bi->cores[k].online)
			last = k;
	if (last)
		test_notify_on(last);
	else
		printf("tests: notify across cores needs 2 cores, skipped\n");
	CHECK(ram_free_bytes() == before, "notify: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

/* ---- suite "numa": revokes across NUMA nodes (ADR 0019) ---- */

/* Revoke c (how), and check cores asked, capabilities deleted, messages,
   depth and messages between NUMA nodes, all exact. */
#define EXPECT_REVOKE_X(c, how, cores, deleted, msgs, depth, xnode)                                \
	expect_revoke_x(c, how, (uint64_t[5]){cores, deleted, msgs, depth, xnode}, __LINE__)

static void expect_revoke_x(capaddr_t c, uint64_t how, const uint64_t want[5], int line)
{
	union monitor_rep r;
	errval_t err = monitor_revoke(c, how, &r);
	CHECK(!err && r.revoke.cores == want[0] && r.revoke.deleted == want[1] &&
		  r.revoke.msgs == want[2] && r.revoke.depth == want[3] &&
		  r.revoke.xnode == want[4],
	      "line %d: revoke: %s, %lu cores, %lu deleted, %lu messages, depth %lu, %lu across "
	      "nodes; want %lu, %lu, %lu, %lu, %lu",
	      line, err_str(err), (unsigned long)r.revoke.cores, (unsigned long)r.revoke.deleted,
	      (unsigned long)r.revoke.msgs, (unsigned long)r.revoke.depth,
	      (unsigned long)r.revoke.xnode, (unsigned long)want[0], (unsigned long)want[1],
	      (unsigned long)want[2], (unsigned long)want[3], (unsigned long)want[4]);
	printf("numa: revoke how=%lu: %lu cores, %lu messages, depth %lu, %lu across nodes\n",
	       (unsigned long)how, (unsigned long)r.revoke.cores, (unsigned long)r.revoke.msgs,
	       (unsigned long)r.revoke.depth, (unsigned long)r.revoke.xnode);
}

/* Give every core in `to` a copy of f; how many. */
static unsigned share_with(capaddr_t f, const bool *to)
{
	struct lmp_recv rep;
	unsigned shared = 0;
	for (unsigned k = 1; k < bi->ncores; k++) {
		if (!to[k])
			continue;
		EXPECT_ERR(monitor_call(MONITOR_SHARE, k, 0, 0, f, &rep), ERR_OK);
		shared++;
	}
	return shared;
}

/*
 * On a machine with cores on two or more NUMA nodes, revokes from core 0
 * that reach every node: down the tree by node to every other core and to
 * one core of each other node, by star and by broadcast (relayed by each
 * other node's lowest core). Each one's messages, depth and messages
 * between nodes are exact: 2(n - 1) across n nodes for the tree, 4(n - 1)
 * for the broadcast (still 4(N - 1) in all), 2 per core on another node
 * for the star.
 */
/* Nothing of ours is left on the cores j < n with to[j]. */
static void held_none(const bool *to, unsigned n)
{
	for (unsigned j = 1; j < n; j++)
		if (to[j])
			CHECK(held_on(j, 0, ~0ull) == 0, "core %u still holds %lu", j,
			      (unsigned long)held_on(j, 0, ~0ull));
}

static void test_numa(void)
{
	unsigned n = bi->ncores, online = 0, nodes = 0, remote = 0, others, all = 0;
	bool to[BOOTINFO_MAX_CORES] = {false}, seen[BOOTINFO_MAX_CORES] = {false};
	for (unsigned k = 0; k < n; k++) {
		if (!bi->cores[k].online)
			continue;
		online++;
		nodes += !seen[node_of(k)];
		seen[node_of(k)] = true;
		if (k > 0) {
			to[k] = true;
			all++;
			remote += node_of(k) != node_of(0);
		}
	}
	if (nodes < 2) {
		printf("tests: numa needs cores on 2 NUMA nodes, skipped\n");
		return;
	}
	EXPECT_ERR(monitor_bind(), ERR_OK);
	uint64_t before = ram_free_bytes();
	capaddr_t ram, f = marked_frame(&ram, 0x19190000);

	/* Every other core holds a copy: into each other node once. */
	CHECK(share_with(f, to) == all, "not shared with %u cores", all);
	uint64_t hops = numa_hops(to, &others);
	CHECK(others == nodes - 1, "%u other nodes, want %u", others, nodes - 1);
	EXPECT_REVOKE_X(f, 0, all, all, 2 * all, hops, 2 * others);

	/* One core of each other node (its highest): only the heap of leaders. */
	bool one[BOOTINFO_MAX_CORES] = {false}, picked[BOOTINFO_MAX_CORES] = {false};
	for (unsigned k = n - 1; k > 0; k--) {
		if (to[k] && node_of(k) != node_of(0) && !picked[node_of(k)])
			one[k] = picked[node_of(k)] = true;
	}
	unsigned heads = share_with(f, one);
	CHECK(heads == nodes - 1, "shared with %u cores, want one on each of %u nodes", heads,
	      nodes - 1);
	EXPECT_REVOKE_X(f, 0, heads, heads, 2 * heads, 2 * levels(heads), 2 * heads);

	/* The star: the owner asks each holder itself, 2 across per remote one. */
	share_with(f, to);
	EXPECT_REVOKE_X(f, MON_REVOKE_STAR, all, all, 2 * all, 2, 2 * remote);

	/* The broadcast, one holder: every core asked, mark then sweep, each
	   other node through its leader. */
	bool last[BOOTINFO_MAX_CORES] = {false};
	last[n - 1] = to[n - 1];
	share_with(f, last);
	EXPECT_REVOKE_X(f, MON_REVOKE_BROADCAST, all, last[n - 1] ? 1 : 0, 4 * all,
			broadcast_hops(), 4 * (nodes - 1));
	for (unsigned k = 1; k < n; k++)
		if (to[k])
			CHECK(held_on(k, 0, ~0ull) == 0, "core %u still holds %lu", k,
			      (unsigned long)held_on(k, 0, ~0ull));
	check_everywhere(online, "after the revokes across nodes");
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);

	/* A holder on another node revokes (testchild mode 50, which says what
	   it took): its request and the reply cross too, 2 + 2(N - 1) messages
	   in all, 2 + 2(n - 1) across. Our copy goes, its domain faults. */
	unsigned k = n - 1;
	while (k > 0 && (!to[k] || node_of(k) == node_of(0)))
		k--;
	struct lmp_recv rep;
	struct cap_info ci;
	uint64_t dom = spawn_on(k, 50);
	f = marked_frame(&ram, 0x19190000 + k);
	to[k] = false;
	share_with(f, to);
	to[k] = true;
	EXPECT_ERR(monitor_call(MONITOR_SHARE, k, dom, 0, f, &rep), ERR_OK);
	while (cap_identify(f, &ci) == ERR_OK) /* (without asking the monitor: no BUSY) */
		nap();
	uint64_t faults = wait_domain(k, dom) >> 32;
	CHECK(faults == 1, "domain on core %u: %lu faults after its revoke, want 1", k,
	      (unsigned long)faults);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	held_none(to, n);
	check_everywhere(online, "after a revoke from another node");
	slot_free(f);
	EXPECT_ERR(ram_free(ram), ERR_OK);

	/* An owner on that node (testchild mode 51, which says what it took)
	   shares a frame of its own with every other core and revokes it:
	   its tree too enters every other node once. */
	dom = spawn_on(k, 51);
	uint64_t st = wait_domain(k, dom);
	CHECK(st != ~0ull && (st >> 8 & 0xffffff) == 0 && st >> 32 == 0,
	      "the owner on core %u: exit status %lu, %lu faults", k,
	      (unsigned long)(st >> 8 & 0xffffff), (unsigned long)(st >> 32));
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, dom, 1, CAPADDR_NONE, &rep), ERR_OK);
	held_none(to, n);
	check_everywhere(online, "after a revoke by an owner on another node");
	CHECK(ram_free_bytes() == before, "numa: free memory %lu, was %lu",
	      (unsigned long)ram_free_bytes(), (unsigned long)before);
}

enum {
	SUITE_CAPS = 1,
	SUITE_VM = 2,
	SUITE_LMP = 4,
	SUITE_SYSCALLS = 8,
	SUITE_DOMAINS = 16,
	SUITE_CORES = 32,
	SUITE_RACE = 64,   /* not in the default run: its message counts vary */
	SUITE_RELAY = 128, /* not in the default run: meant for many cores */
	SUITE_MEM = 256,
	SUITE_LOAD = 512,    /* not in the default run: long */
	SUITE_STRESS = 1024, /* the stress of "cores" alone (under faults=SEED) */
	SUITE_NAMES = 2048,
	SUITE_DEAD = 4096, /* a dead core (under mute=K) */
	SUITE_NOTIFY = 8192,
	SUITE_SPAWN = 16384, /* not in the default run: long */
	SUITE_CHAN = 32768,
	SUITE_MEMCORE = 65536, /* not in the default run: long */
	SUITE_NUMA = 131072,   /* not in the default run: for machines with NUMA nodes */
};

/* ---- suite "chan": channels between domains (ADR 0014) ---- */

#define CHAN_STOP 0x73746f70ull

/* Requests that must fail, with nothing left behind. */
static void test_chan_errors(void)
{
	struct lmp_recv rep;
	struct chan c;
	union monitor_req q = {.chan_bind = {MONITOR_CHAN_BIND, .core = 0, .slot = 1, .gen = 1}};
	memcpy(q.chan_bind.name, "tests.chan", 10);
	EXPECT_ERR(chan_bind("tests.nothing", &c), ERR_NAME_NOT_FOUND);
	EXPECT_ERR(chan_bind("seventeen-chars-x", &c), ERR_NAME_INVALID);
	EXPECT_ERR(monitor_call(q.words[0], q.words[1], q.words[2], q.words[3], CAPADDR_NONE, &rep),
		   ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(q.words[0], q.words[1], q.words[2], q.words[3],
				CAPADDR(CN_TASK, TASK_EP), &rep),
		   ERR_CAP_TYPE);
	capaddr_t ram, f = marked_frame(&ram, 1);
	q.chan_bind.core = BOOTINFO_MAX_CORES - 1;
	EXPECT_ERR(monitor_call(q.words[0], q.words[1], q.words[2], q.words[3], f, &rep),
		   ERR_CORE_NONE);
	q.chan_bind.core = 0;
	q.chan_bind.slot = NOTIFY_SLOTS;
	EXPECT_ERR(monitor_call(q.words[0], q.words[1], q.words[2], q.words[3], f, &rep),
		   ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_CHAN_ACCEPT, 12345, 0, 1 | 1ull << 32, CAPADDR_NONE, &rep),
		   ERR_BAD_REQUEST);
	EXPECT_ERR(monitor_call(MONITOR_CHAN_CLOSE, 0x1000, 0, 0, CAPADDR_NONE, &rep),
		   ERR_CHAN_CLOSED);
	/* A range that wraps; the window's catch stays as it was. */
	EXPECT_ERR(
	    cap_invoke(CAPADDR(CN_TASK, TASK_DISP), 2, DISP_CATCH, 0x1000, ~0ull, 2, 0, 0).err,
	    ERR_SYS_ARG);
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	ram_free(ram);
}

/* Domain id on core k stopped: taken away (MONITOR_WAIT); as wait_domain's
   word: faults << 32 | exit status << 8. */
static uint64_t reap(unsigned k, uint64_t id)
{
	int64_t status = 0;
	uint64_t faults = 0;
	errval_t err = monitor_wait(k, id, &status, &faults);
	CHECK(!err, "wait for domain %lu on core %u: %s", (unsigned long)id, k, err_str(err));
	return err ? ~0ull : faults << 32 | (uint64_t)(status & 0xffffff) << 8;
}

/* Holders of the frame of c left on core k > 0 (its monitor's copies). */
static uint64_t chan_holders(unsigned k, const struct chan *c)
{
	struct lmp_recv rep;
	errval_t err = monitor_call(MONITOR_COUNT, k, c->base, CHAN_FRAME, CAPADDR_NONE, &rep);
	return err ? ~0ull : monitor_rep_of(rep.words).count.count;
}

/* One server here, a client on every other core: each round, one
   message from each, echoed with 1000 added to word 1. */
static void test_chan_every_core(void)
{
	unsigned n = bi->ncores, m = 0;
	uint64_t *ids = calloc(n, sizeof(*ids));
	struct chan *c = calloc(n, sizeof(*c));
	uint64_t w[CHAN_WORDS];
	for (unsigned k = 1; k < n; k++)
		if (bi->cores[k].online && (ids[k] = spawn_on(k, 23)))
			m++;
	for (unsigned i = 0; i < m; i++) {
		EXPECT_ERR(chan_accept(&c[i]), ERR_OK);
	}
	bool ok = true;
	for (unsigned r = 0; r <= 20; r++)
		for (unsigned i = 0; i < m; i++) {
			errval_t err = chan_recv(&c[i], w);
			ok &= !err && (r == 20 ? w[0] == CHAN_STOP : w[0] == r);
			w[1] += r == 20 ? 0 : 1000;
			ok &= !err && chan_send(&c[i], w) == ERR_OK;
		}
	CHECK(ok, "echo from %u cores", m);
	for (unsigned k = 1; k < n; k++)
		if (ids[k])
			CHECK(wait_domain(k, ids[k]) == 0, "the client on core %u did not exit 0",
			      k);
	for (unsigned i = 0; i < m; i++) {
		uint64_t w2[CHAN_WORDS];
		EXPECT_ERR(chan_recv(&c[i], w2), ERR_CHAN_CLOSED); /* it closed, then exited */
		EXPECT_ERR(chan_send(&c[i], w2), ERR_CHAN_CLOSED);
		EXPECT_ERR(chan_close(&c[i]), ERR_OK);
	}
	printf("chan: %u clients on other cores, 21 rounds each\n", m);
	free(c);
	free(ids);
}

/* A server and its client on core k (same core), a client on core j
   (another core) to the echo server on core k. */
static void test_chan_pairs(unsigned k, unsigned j)
{
	uint64_t srv = spawn_on(k, 25);
	uint64_t cli = srv ? spawn_on(j, 23 | (k + 1) << 8) : 0;
	CHECK(cli && reap(j, cli) == 0, "client on core %u to core %u", j, k);
	CHECK(srv && reap(k, srv) == 0, "echo server on core %u", k);
}

/* The peer killed: ERR_CHAN_CLOSED here, no hang, nothing left. */
static void test_chan_killed(unsigned k)
{
	struct lmp_recv rep;
	struct chan c;
	uint64_t w[CHAN_WORDS];
	char name[NAME_MAX_LEN + 1];
	/* Its client (we serve). */
	uint64_t id = spawn_on(k, 24);
	EXPECT_ERR(chan_accept(&c), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_OK);
	CHECK(w[0] == 0xdead && w[1] == k, "hello from core %u: %#lx %lu", k, (unsigned long)w[0],
	      (unsigned long)w[1]);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, id, 1, CAPADDR_NONE, &rep), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_CHAN_CLOSED);
	EXPECT_ERR(chan_send(&c, w), ERR_CHAN_CLOSED);
	EXPECT_ERR(chan_close(&c), ERR_OK);
	/* Its server (we are the client). */
	id = spawn_on(k, 26);
	snprintf(name, sizeof(name), "tc.hold%u", k);
	CHECK(id && await_name(name, k, id) == k, "%s is not on core %u", name, k);
	EXPECT_ERR(chan_bind(name, &c), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_OK);
	CHECK(w[0] == 0x401d && w[1] == k, "hello from the server on core %u", k);
	EXPECT_ERR(monitor_call(MONITOR_DOMAIN, k, id, 1, CAPADDR_NONE, &rep), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_CHAN_CLOSED);
	EXPECT_ERR(chan_send(&c, w), ERR_CHAN_CLOSED);
	struct chan gone = c;
	EXPECT_ERR(chan_close(&c), ERR_OK);
	CHECK(chan_holders(k, &gone) == 0, "monitor %u holds the frame of a closed channel", k);
}

/* A Frame over a channel to core k, read there, then revoked here: the
   copy on core k goes too. Then the same between two domains on core k. */
static void test_chan_caps(unsigned k)
{
	struct lmp_recv rep;
	struct chan c;
	struct cap_info ci;
	uint64_t w[CHAN_WORDS] = {0};
	union monitor_rep r;
	capaddr_t ram, f = marked_frame(&ram, 0xf00d);
	uint64_t id = spawn_on(k, 28);
	EXPECT_ERR(cap_identify(f, &ci), ERR_OK);
	EXPECT_ERR(chan_accept(&c), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_CHAN_GIVE, c.base, 0, 0, f, &rep), ERR_CORE_NONE);
	EXPECT_ERR(chan_send_cap(&c, w, CAPADDR(CN_TASK, TASK_EP)), ERR_CAP_TYPE);
	EXPECT_ERR(chan_send_cap(&c, w, f), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_OK);
	CHECK(w[0] == 0xf00d, "core %u read %#lx from the frame sent", k, (unsigned long)w[0]);
	struct chan c0 = {.base = ci.base};
	CHECK(chan_holders(k, &c0) >= 1, "monitor %u holds no copy of the frame sent", k);
	EXPECT_ERR(monitor_revoke(f, 0, &r), ERR_OK);
	CHECK(chan_holders(k, &c0) == 0, "monitor %u holds the revoked frame", k);
	w[0] = 2;
	EXPECT_ERR(chan_send(&c, w), ERR_OK);
	EXPECT_ERR(chan_recv(&c, w), ERR_OK);
	CHECK(w[0] == ERR_CAP_EMPTY, "the receiver's copy after the revoke: %s",
	      err_str((errval_t)w[0]));
	EXPECT_ERR(monitor_call(MONITOR_CHAN_TAKE, c.base, OBJ_FRAME | 1ull << 8, ci.base,
				CAPADDR_NONE, &rep),
		   ERR_CAP_NOT_FOUND);
	EXPECT_ERR(chan_close(&c), ERR_OK);
	EXPECT_ERR(monitor_call(MONITOR_CHAN_TAKE, c.base, OBJ_FRAME | 1ull << 8, ci.base,
				CAPADDR_NONE, &rep),
		   ERR_CHAN_CLOSED);
	CHECK(reap(k, id) == 0, "the capability's receiver on core %u", k);
	uint64_t srv = spawn_on(k, 29), cli = srv ? spawn_on(k, 28 | (k + 1) << 8) : 0;
	CHECK(cli && reap(k, cli) == 0, "the receiver of tc.cap%u", k);
	CHECK(srv && reap(k, srv) == 0, "tc.cap%u", k);
	cnode_delete(CAPADDR(CAPADDR_L1(f), 0), 1, CAPADDR_L2(f));
	slot_free(f);
	ram_free(ram);
}

static void test_chan(void)
{
	unsigned last = 0;
	for (unsigned k = 1; k < bi->ncores; k++)
		if (bi->cores[k].online)
			last = k;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	EXPECT_ERR(chan_listen("tests.chan"), ERR_OK);
	test_chan_errors();
	if (!last) {
		printf("chan: needs a second core, only the errors tested\n");
		EXPECT_ERR(name_unregister("tests.chan"), ERR_OK);
		return;
	}
	test_chan_every_core();
	test_chan_pairs(last, last);
	test_chan_pairs(last, 1);
	test_chan_killed(last);
	test_chan_caps(last);
	/* A stray load in the window is caught: an exit, not a fault. */
	uint64_t id = spawn_on(last, 27), v = id ? reap(last, id) : ~0ull;
	CHECK(v == (255ull << 8), "the stray load on core %u ended with %#lx", last,
	      (unsigned long)v);
	EXPECT_ERR(name_unregister("tests.chan"), ERR_OK);
}

/* Suite `spawn` on the last core (it needs another core than 0). */
static void test_spawn_suite(void)
{
	unsigned n = bi->ncores, online = 0;
	for (unsigned k = 0; k < n; k++)
		online += bi->cores[k].online;
	EXPECT_ERR(monitor_bind(), ERR_OK);
	if (online >= 2 && bi->cores[n - 1].online)
		test_spawn(n - 1, online);
	else
		printf("spawn: needs a second core, skipped\n");
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t mask = rt_arg()
			    ? rt_arg()
			    : ~(uint64_t)(SUITE_RACE | SUITE_RELAY | SUITE_LOAD | SUITE_STRESS |
					  SUITE_DEAD | SUITE_SPAWN | SUITE_MEMCORE | SUITE_NUMA);
	if (mask & SUITE_CAPS) {
		test_identify();
		test_retype();
		test_copy();
	}
	if (mask & SUITE_VM)
		test_map();
	if (mask & SUITE_SYSCALLS) {
		test_bad_syscalls();
		test_random_invocations();
	}
	if (mask & SUITE_LMP)
		test_lmp();
	if (mask & (SUITE_LMP | SUITE_DOMAINS | SUITE_CORES | SUITE_RACE | SUITE_RELAY | SUITE_MEM |
		    SUITE_LOAD | SUITE_STRESS | SUITE_NAMES | SUITE_NOTIFY | SUITE_DEAD |
		    SUITE_SPAWN | SUITE_CHAN | SUITE_MEMCORE | SUITE_NUMA)) {
		EXPECT_ERR(ram_init(RAM0), ERR_OK);
		EXPECT_ERR(win_init(), ERR_OK);
	}
	if (mask & SUITE_LMP)
		test_lmp_domains();
	if (mask & SUITE_DOMAINS) {
		test_domains();
		test_revoke_mapped();
		test_no_leak();
	}
	if (mask & SUITE_RACE)
		test_race();
	if (mask & SUITE_RELAY)
		test_relay();
	if (mask & SUITE_LOAD)
		test_load();
	if (mask & SUITE_CORES)
		test_cores();
	if (mask & SUITE_STRESS)
		test_stress_only();
	if (mask & SUITE_NAMES)
		test_names();
	if (mask & SUITE_NOTIFY)
		test_notify();
	if (mask & SUITE_DEAD)
		test_dead();
	if (mask & SUITE_SPAWN)
		test_spawn_suite();
	if (mask & SUITE_CHAN)
		test_chan();
	if (mask & SUITE_MEMCORE)
		test_memcore();
	if (mask & SUITE_NUMA)
		test_numa();
	if (mask & SUITE_MEM) { /* last: the heap keeps the RAM it grew by */
		test_pools_on_nodes();
		test_heap_grows();
		test_slots_grow();
		test_without_ram();
	}
	printf("tests: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}
