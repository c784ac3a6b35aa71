// SPDX-License-Identifier: MIT
/*
 * memserv: hands out RAM capabilities carved from the RAM init gave it
 * (TASK_RAM), takes them back (revoking whatever was made from them), and
 * reports free memory. Each allocation is owned by the client that asked.
 * Its RAM: core 0's share of the machine's (ADR 0012), in TASK_RAM and
 * then, from monitor 0, the other ranges (MEM_ADD).
 */
#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/rpc.h>

#define MAX_LIVE 512

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static struct {
	capaddr_t cap;
	uint64_t client;
} live[MAX_LIVE];

/* Bytes monitor 0 took for other cores, for good (ADR 0012): not ours
   any more, so not in the total MEM_STAT reports. */
static uint64_t given;

static void do_alloc(uint64_t client, uint64_t bytes)
{
	capaddr_t r;
	unsigned i;
	for (i = 0; i < MAX_LIVE && live[i].client; i++)
		;
	errval_t err = i == MAX_LIVE ? ERR_NO_MEMORY : ram_alloc(bytes, &r);
	if (err) {
		rpc_reply(client, err, 0, 0, 0, CAPADDR_NONE);
		return;
	}
	/* Not delivered (its receive slot was still full: it got
	   ERR_LMP_CAP_SLOT instead): the RAM comes back here. */
	if (rpc_reply(client, ERR_OK, r, 0, 0, r)) {
		ram_free(r);
		return;
	}
	live[i].cap = r;
	live[i].client = client;
	struct cap_info ci;
	if (client == CLIENT_MONITOR && !cap_identify(r, &ci))
		given += ci.size;
}

static void do_free(uint64_t client, uint64_t handle)
{
	for (unsigned i = 0; i < MAX_LIVE; i++) {
		if (live[i].client != client || live[i].cap != handle)
			continue;
		errval_t err = ram_free(live[i].cap);
		if (!err)
			live[i].client = 0;
		rpc_reply(client, err, 0, 0, 0, CAPADDR_NONE);
		return;
	}
	rpc_reply(client, ERR_CAP_NOT_FOUND, 0, 0, 0, CAPADDR_NONE);
}

/* MEM_ADD from monitor 0: one more RAM capability to hand out from. */
static void do_add(uint64_t client, bool has_cap)
{
	capaddr_t s = SLOT_NONE;
	errval_t err = client != CLIENT_MONITOR || !has_cap ? ERR_BAD_REQUEST : ERR_OK;
	if (!err) {
		faults_hold(); /* (at boot: the RAM must not be lost) */
		s = slot_alloc();
		err = s == SLOT_NONE ? ERR_NO_SLOTS : rpc_take_cap(s);
		if (!err)
			err = ram_add(s);
		faults_release();
	}
	if (err && has_cap && s == SLOT_NONE)
		rpc_drop_cap();
	if (err && s != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
		slot_free(s);
	}
	rpc_reply(client, err, 0, 0, 0, CAPADDR_NONE);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (ram_init(CAPADDR(CN_TASK, TASK_RAM)))
		return 1;
	faults_init(faults_bootarg(bi->bootargs), bi->coreid, FAULTS_MEMSERV);
	for (;;) {
		struct lmp_recv m;
		if (lmp_recv(1, &m))
			continue;
		fault_yield();
		if (m.has_cap && m.words[0] != MEM_ADD) /* others carry none: drop it */
			rpc_drop_cap();
		switch (m.words[0]) {
		case MEM_ALLOC:
			do_alloc(m.badge, m.words[1]);
			break;
		case MEM_FREE:
			do_free(m.badge, m.words[1]);
			break;
		case MEM_ADD:
			do_add(m.badge, m.has_cap);
			break;
		case MEM_STAT:
			rpc_reply(m.badge, ERR_OK, ram_free_bytes(), ram_total_bytes() - given, 0,
				  CAPADDR_NONE);
			break;
		default:
			rpc_reply(m.badge, ERR_BAD_REQUEST, 0, 0, 0, CAPADDR_NONE);
		}
	}
}
