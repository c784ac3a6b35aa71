// SPDX-License-Identifier: MIT
/*
 * Monitor 0's boot job (what Barrelfish calls init): start the system
 * services from the boot manifest below, wire them together by copying
 * capabilities into their cspaces (abi/services.h) and register them with
 * spawnd. The monitor keeps the RAM it built them from, so they live as long
 * as it does. The shell reaches the monitor at TASK_MONITOR. Once they run
 * they get their names (ADR 0016): mem, spawnd.0, serial.
 *
 * Monitor k > 0 builds only its core's spawnd (services_start_spawnd), from
 * its own RAM: no memserv there, spawnd carves its domains out of its own
 * TASK_RAM.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/rpc.h>
#include <rt/spawn.h>

#include "monitor.h"
#include "names.h"
#include "records.h"
#include "roles.h"

/* The boot manifest: services in start order, with their own RAM. */
enum { SVC_MEMSERV, SVC_SPAWND, SVC_SERIAL, SVC_SHELL, SVC_COUNT };
static const struct {
	const char *module;
	uint64_t ram; /* TASK_RAM for the service itself */
} manifest[SVC_COUNT] = {
    [SVC_MEMSERV] = {"memserv", 0}, /* gets all free RAM instead */
    [SVC_SPAWND] = {"spawnd", 512u << 10},
    [SVC_SERIAL] = {"serial", 256u << 10},
    [SVC_SHELL] = {"shell", 256u << 10},
};

#define SVC_BUILD_RAM (1u << 20) /* for building each service domain */
#define MONITOR_KEEP  (8u << 20) /* RAM monitor 0 keeps for itself */
/* Core k > 0: building its spawnd, and what monitor k keeps (of its
   MONITOR_RAM); spawnd's TASK_RAM is the rest. (Building spawnd took just
   under 448 KiB, its cspace about 100; the ISA check (ADR 0018) took it
   past: room to grow.) */
#define FAR_BUILD_RAM (768u << 10)
#define FAR_KEEP      (512u << 10)

static const struct bootinfo *bi;
static struct child svc[SVC_COUNT];
/* memserv's RAM beyond its TASK_RAM (other ranges), for MEM_ADD. */
static capaddr_t more[RAM_REGIONS];
static unsigned nmore;

/* The biggest piece of our RAM that leaves us MONITOR_KEEP. */
static errval_t carve(capaddr_t *out)
{
	uint64_t free = ram_free_bytes(), n = ram_largest_free();
	if (free < MONITOR_KEEP + RAM_UNIT)
		return ERR_NO_MEMORY;
	if (n > free - MONITOR_KEEP)
		n = free - MONITOR_KEEP;
	return ram_alloc(n / RAM_UNIT * RAM_UNIT, out);
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

static errval_t build(unsigned s)
{
	uint64_t size;
	capaddr_t elf = module(manifest[s].module, &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	struct child *c = &svc[s];
	errval_t err = spawn_elf(c, manifest[s].module, elf, size, SVC_BUILD_RAM + manifest[s].ram,
				 BOOTINFO_VADDR);
	if (!err && manifest[s].ram)
		err = spawn_give_ram(c, TASK_RAM, manifest[s].ram);
	if (!err)
		err = spawn_map(c, BOOTINFO_VADDR, CAPADDR(CN_TASK, TASK_BOOTINFO),
				BOOTINFO_SIZE / OBJSIZE_PAGE, CAP_RIGHT_READ);
	return err;
}

/* client gets server's endpoint (badged client) and server a reply endpoint. */
static errval_t connect(unsigned client, uint64_t client_no, unsigned task_slot, unsigned server,
			uint64_t server_no)
{
	errval_t err = spawn_give_badged(&svc[client], CN_TASK, task_slot,
					 child_cap(&svc[server], SPAWN_H_EP), client_no);
	if (!err)
		err = spawn_give_badged(&svc[server], CN_BASE, (unsigned)client_no,
					child_cap(&svc[client], SPAWN_H_EP), server_no);
	return err;
}

static errval_t wire(void)
{
	capaddr_t big;
	/* memserv manages all free RAM but what the monitor keeps: the biggest
	   piece from the start, the others (other ranges) once it runs. */
	errval_t err = carve(&big);
	if (!err)
		err = spawn_give(&svc[SVC_MEMSERV], TASK_RAM, big, CAP_RIGHTS_ALL);
	while (!err && nmore < RAM_REGIONS - 1 && carve(&more[nmore]) == ERR_OK)
		nmore++;
	if (!err) /* memserv answers us (MEM_ADD) */
		err = spawn_give_badged(&svc[SVC_MEMSERV], CN_BASE, CLIENT_MONITOR,
					CAPADDR(CN_TASK, TASK_EP), SERVER_MEMSERV);
	if (!err)
		err = connect(SVC_SPAWND, CLIENT_SPAWND, TASK_MEMSERV, SVC_MEMSERV, SERVER_MEMSERV);
	if (!err)
		err = connect(SVC_SHELL, CLIENT_SHELL, TASK_MEMSERV, SVC_MEMSERV, SERVER_MEMSERV);
	if (!err)
		err = connect(SVC_SHELL, CLIENT_SHELL, TASK_SPAWND, SVC_SPAWND, SERVER_SPAWND);
	if (!err) /* spawnd answers init on init's own endpoint */
		err = spawn_give_badged(&svc[SVC_SPAWND], CN_BASE, CLIENT_MONITOR,
					CAPADDR(CN_TASK, TASK_EP), SERVER_SPAWND);
	if (!err)
		err = spawn_give(&svc[SVC_SPAWND], TASK_BOOTINFO_RO,
				 CAPADDR(CN_TASK, TASK_BOOTINFO), CAP_RIGHT_READ | CAP_RIGHT_GRANT);
	if (!err)
		err = cap_invoke(child_cap(&svc[SVC_SPAWND], SPAWN_H_L1), 2, CNODE_COPY, CN_MODULE,
				 CAPADDR(CN_MODULE, 0), 1, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0)
			  .err;
	if (!err)
		err = spawn_give_badged(&svc[SVC_SERIAL], CN_TASK, TASK_OUT,
					child_cap(&svc[SVC_SHELL], SPAWN_H_EP), SERVER_SERIAL);
	if (!err && bi->uart_kind) {
		err = spawn_give(&svc[SVC_SERIAL], TASK_DEV, CAPADDR(CN_DEV, DEV_UART),
				 CAP_RIGHTS_ALL);
		if (!err)
			err = spawn_give(&svc[SVC_SERIAL], TASK_IRQ, CAPADDR(CN_DEV, DEV_UART_IRQ),
					 CAP_RIGHTS_ALL);
	}
	if (!err) /* memserv revokes what its clients shared with other cores */
		err = spawn_give_badged(&svc[SVC_MEMSERV], CN_TASK, TASK_MONITOR,
					CAPADDR(CN_TASK, TASK_EP), CLIENT_APP);
	if (!err) /* spawnd hands it on to every domain it starts (MONITOR_BIND) */
		err = spawn_give_badged(&svc[SVC_SPAWND], CN_TASK, TASK_MONITOR,
					CAPADDR(CN_TASK, TASK_EP), CLIENT_APP);
	if (!err) /* the shell asks the monitor (cores, capstat, poweroff) */
		err = spawn_give_badged(&svc[SVC_SHELL], CN_TASK, TASK_MONITOR,
					CAPADDR(CN_TASK, TASK_EP), CLIENT_SHELL);
	if (!err)
		err = cap_invoke(CAPADDR(CN_TASK, 0), 1, CNODE_MINT, TASK_MON_REPLY,
				 child_cap(&svc[SVC_SHELL], SPAWN_H_EP), 2, CAP_RIGHTS_ALL,
				 SERVER_MONITOR)
			  .err;
	return err;
}

capaddr_t services_memserv_ep(void)
{
	static capaddr_t ep = SLOT_NONE;
	if (ep == SLOT_NONE && (ep = slot_alloc()) != SLOT_NONE &&
	    cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
		       child_cap(&svc[SVC_MEMSERV], SPAWN_H_EP), CAP_RIGHTS_ALL, CLIENT_MONITOR)) {
		slot_free(ep);
		ep = SLOT_NONE;
	}
	return ep;
}

/* A request of ours to a service, on its endpoint badged CLIENT_MONITOR. */
static errval_t ask(unsigned s, uint64_t server, uint64_t req[4], capaddr_t cap)
{
	capaddr_t ep = child_cap(&svc[s], SPAWN_H_EP), mine = slot_alloc();
	struct lmp_recv rep;
	errval_t err = mine == SLOT_NONE
			   ? ERR_NO_SLOTS
			   : cnode_mint(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine), ep,
					CAP_RIGHTS_ALL, CLIENT_MONITOR);
	if (!err)
		err = rpc_call(mine, server, req, cap, &rep);
	if (mine != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine));
		slot_free(mine);
	}
	return err;
}

/* memserv's other pieces: handed over, they stay ours too (a copy). */
static errval_t memserv_more(void)
{
	errval_t err = ERR_OK;
	for (unsigned i = 0; !err && i < nmore; i++) {
		uint64_t req[4] = {MEM_ADD, 0, 0, 0};
		err = ask(SVC_MEMSERV, SERVER_MEMSERV, req, more[i]);
	}
	return err;
}

static errval_t register_one(const char *name, capaddr_t disp, capaddr_t l1)
{
	capaddr_t ep = child_cap(&svc[SVC_SPAWND], SPAWN_H_EP), mine = slot_alloc();
	struct lmp_recv rep;
	uint64_t req[4] = {SPAWN_REGISTER, 0, 0, 0};
	strncpy((char *)&req[1], name, 16);
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine), ep,
				  CAP_RIGHTS_ALL, CLIENT_MONITOR);
	if (!err)
		err = rpc_call(mine, SERVER_SPAWND, req, disp, &rep);
	req[0] = SPAWN_REGISTER_CSPACE;
	if (!err)
		err = rpc_call(mine, SERVER_SPAWND, req, l1, &rep);
	cnode_delete(CAPADDR(CAPADDR_L1(mine), 0), 1, CAPADDR_L2(mine));
	slot_free(mine);
	return err;
}

/* A service's endpoint server_ep, badged CLIENT_BIND, under name (ADR 0016). */
errval_t services_name(const char *name, capaddr_t server_ep)
{
	capaddr_t ep = slot_alloc();
	errval_t err = ep == SLOT_NONE ? ERR_NO_SLOTS
				       : cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
						    server_ep, CAP_RIGHTS_ALL, CLIENT_BIND);
	if (!err)
		err = names_system(name, ep);
	if (err && ep != SLOT_NONE)
		slot_drop(ep);
	return err;
}

/* The names of core 0's services: they run, and answer binds. */
static errval_t name_all(void)
{
	char spawnd[17]; /* (a name: 16 bytes at most) */
	snprintf(spawnd, sizeof(spawnd), SVC_NAME_SPAWND, 0u);
	errval_t err = services_name(SVC_NAME_MEM, child_cap(&svc[SVC_MEMSERV], SPAWN_H_EP));
	if (!err)
		err = services_name(spawnd, child_cap(&svc[SVC_SPAWND], SPAWN_H_EP));
	if (!err)
		err = services_name(SVC_NAME_SERIAL, child_cap(&svc[SVC_SERIAL], SPAWN_H_EP));
	return err;
}

errval_t services_start(const struct bootinfo *info)
{
	bi = info;
	errval_t err = ERR_OK;
	for (unsigned s = 0; !err && s < SVC_COUNT; s++)
		err = build(s);
	if (!err)
		err = wire();
	/* Everything but the shell runs, then is registered, then the shell runs. */
	/* System services print untagged (ADR 0013): the shell's is the console's own. */
	for (unsigned s = 0; !err && s < SVC_SHELL; s++)
		err = spawn_run_as(&svc[s], DISP_RUN_PLAIN);
	if (!err)
		err = memserv_more();
	if (!err)
		err = register_one("monitor", CAPADDR(CN_TASK, TASK_DISP),
				   CAPADDR(CN_TASK, TASK_ROOTCN));
	for (unsigned s = 0; !err && s < SVC_COUNT; s++)
		err = register_one(manifest[s].module, child_cap(&svc[s], SPAWN_H_DISP),
				   child_cap(&svc[s], SPAWN_H_L1));
	if (!err)
		err = name_all();
	if (!err)
		err = spawn_run_as(&svc[SVC_SHELL], DISP_RUN_PLAIN);
	return err;
}

errval_t services_start_spawnd(struct child *c)
{
	bi = mon_bootinfo();
	uint64_t size, free = ram_free_bytes();
	capaddr_t elf = module("spawnd", &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	if (free < FAR_BUILD_RAM + FAR_KEEP + RAM_UNIT)
		return ERR_NO_MEMORY;
	uint64_t ram = (free - FAR_BUILD_RAM - FAR_KEEP) / RAM_UNIT * RAM_UNIT;
	errval_t err = spawn_elf(c, "spawnd", elf, size, FAR_BUILD_RAM + ram, BOOTINFO_VADDR);
	if (!err)
		err = spawn_give_ram(c, TASK_RAM, ram);
	if (!err)
		err = spawn_map(c, BOOTINFO_VADDR, CAPADDR(CN_TASK, TASK_BOOTINFO),
				BOOTINFO_SIZE / OBJSIZE_PAGE, CAP_RIGHT_READ);
	if (!err) /* it answers us on our own endpoint */
		err = spawn_give_badged(c, CN_BASE, CLIENT_MONITOR, CAPADDR(CN_TASK, TASK_EP),
					SERVER_SPAWND);
	if (!err) /* and our waits, when their domains stop, apart */
		err = spawn_give_badged(c, CN_BASE, CLIENT_WAIT, CAPADDR(CN_TASK, TASK_EP),
					SERVER_SPAWND_WAIT);
	if (!err)
		err = spawn_give(c, TASK_BOOTINFO_RO, CAPADDR(CN_TASK, TASK_BOOTINFO),
				 CAP_RIGHT_READ | CAP_RIGHT_GRANT);
	if (!err)
		err = cap_invoke(child_cap(c, SPAWN_H_L1), 2, CNODE_COPY, CN_MODULE,
				 CAPADDR(CN_MODULE, 0), 1, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0)
			  .err;
	if (!err) /* it binds (MONITOR_BIND), then revokes and adopts through us */
		err = spawn_give_badged(c, CN_TASK, TASK_MONITOR, CAPADDR(CN_TASK, TASK_EP),
					CLIENT_APP);
	if (err && c->l1)
		spawn_kill(c);
	return err;
}
