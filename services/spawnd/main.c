// SPDX-License-Identifier: MIT
/*
 * spawnd: starts domains from boot modules, kills them, lists them and
 * dumps their cspaces. Each domain it starts lives in RAM from memserv
 * (SPAWN_RAM), so killing it is one revoke and one MEM_FREE. Monitor 0 registers
 * the system services (their Dispatcher and L1 CNode) so they are listed,
 * but they cannot be killed.
 */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <rt/mem.h>
#include <rt/rpc.h>
#include <rt/spawn.h>

#define MAX_DOMS   64
#define SPAWN_RAM  (6u << 20)
#define CHILD_RAM  (5u << 20) /* of it, the child's own TASK_RAM */
#define WAIT_LIMIT 5000000    /* yields before SPAWN_WAIT gives up */

struct dom {
	uint32_t id; /* 0 = free slot */
	char name[24];
	bool service;
	capaddr_t disp, l1; /* services: caps in our slots */
	capaddr_t ram;	    /* our copy of the memserv RAM; mem_handle: its handle */
	uint64_t mem_handle;
	struct child c;
};

static struct dom doms[MAX_DOMS];
static uint32_t next_id = 1;
static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

static struct dom *find(uint64_t id)
{
	for (unsigned i = 0; i < MAX_DOMS; i++)
		if (doms[i].id && doms[i].id == id)
			return &doms[i];
	return NULL;
}

static struct dom *new_dom(void)
{
	for (unsigned i = 0; i < MAX_DOMS; i++)
		if (!doms[i].id) {
			memset(&doms[i], 0, sizeof(doms[i]));
			doms[i].id = next_id++;
			return &doms[i];
		}
	return NULL;
}

static capaddr_t disp_of(const struct dom *d)
{
	return d->service ? d->disp : child_cap(&d->c, SPAWN_H_DISP);
}

static capaddr_t l1_of(const struct dom *d)
{
	return d->service ? d->l1 : child_cap(&d->c, SPAWN_H_L1);
}

static errval_t mem_call(uint64_t op, uint64_t arg, struct lmp_recv *rep)
{
	uint64_t req[4] = {op, arg, 0, 0};
	return rpc_call(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, req, CAPADDR_NONE, rep);
}

static capaddr_t module(const char *name, uint64_t *size)
{
	for (unsigned i = 0; i < bi->nmodules; i++)
		if (!strncmp(bi->modules[i].name, name, 16) && strcmp(name, "monitor")) {
			*size = bi->modules[i].size;
			return CAPADDR(CN_MODULE, i);
		}
	return SLOT_NONE;
}

/* Give a new domain what every domain gets: RAM, boot info, the modules. */
static errval_t equip(struct child *c)
{
	errval_t err = spawn_give_ram(c, TASK_RAM, CHILD_RAM);
	if (!err)
		err = spawn_map(c, BOOTINFO_VADDR, CAPADDR(CN_TASK, TASK_BOOTINFO_RO),
				BOOTINFO_SIZE / OBJSIZE_PAGE, CAP_RIGHT_READ);
	if (!err)
		err = spawn_give(c, TASK_MONITOR, CAPADDR(CN_TASK, TASK_MONITOR), CAP_RIGHTS_ALL);
	if (!err)
		err = cap_invoke(child_cap(c, SPAWN_H_L1), 2, CNODE_COPY, CN_MODULE,
				 CAPADDR(CN_MODULE, 0), 1, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0)
			  .err;
	return err;
}

static errval_t start(const char *name, uint64_t arg, uint32_t *id)
{
	uint64_t size;
	struct lmp_recv rep;
	capaddr_t elf = module(name, &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	struct dom *d = new_dom();
	if (!d)
		return ERR_NO_SLOTS;
	errval_t err = mem_call(MEM_ALLOC, SPAWN_RAM, &rep);
	if (!err && !rep.has_cap)
		err = ERR_NO_MEMORY;
	if (err) {
		d->id = 0;
		return err;
	}
	d->mem_handle = rep.words[1];
	d->ram = slot_alloc();
	err = rpc_take_cap(d->ram);
	if (!err)
		err = spawn_elf_in(&d->c, name, elf, size, d->ram, SPAWN_RAM, arg);
	if (!err)
		err = equip(&d->c);
	if (!err)
		err = spawn_run(&d->c);
	if (err) {
		if (d->c.l1)
			spawn_kill(&d->c);
		mem_call(MEM_FREE, d->mem_handle, &rep); /* revokes our copy and all of it */
		slot_free(d->ram);
		d->id = 0;
		return err;
	}
	strncpy(d->name, name, sizeof(d->name) - 1);
	*id = d->id;
	return ERR_OK;
}

static errval_t kill(uint64_t id)
{
	struct lmp_recv rep;
	struct dom *d = find(id);
	if (!d)
		return ERR_DOMAIN_NOT_FOUND;
	if (d->service)
		return ERR_DOMAIN_PROTECTED;
	errval_t err = spawn_kill(&d->c);
	if (!err) /* memserv revokes the RAM: our copy and the whole domain go */
		err = mem_call(MEM_FREE, d->mem_handle, &rep);
	slot_free(d->ram);
	d->id = 0;
	return err;
}

static void list(uint64_t client)
{
	for (unsigned i = 0; i < MAX_DOMS; i++) {
		struct dom *d = &doms[i];
		if (!d->id)
			continue;
		struct sysret r = cap_invoke(disp_of(d), 2, DISP_STATUS, 0, 0, 0, 0, 0);
		uint64_t name = 0;
		memcpy(&name, d->name, 8);
		rpc_reply(client, ERR_OK, d->id | r.v[0] << 32,
			  (r.v[1] & 0xffffffff) | (r.v[2] << 32), name, CAPADDR_NONE);
	}
	rpc_reply(client, ERR_OK, 0, 0, 0, CAPADDR_NONE);
}

static void caps(uint64_t client, uint64_t id)
{
	struct dom *d = find(id);
	if (!d) {
		rpc_reply(client, ERR_DOMAIN_NOT_FOUND, 0, 0, 0, CAPADDR_NONE);
		return;
	}
	capaddr_t l1 = l1_of(d);
	for (unsigned i = 0; i < CSPACE_L2_SLOTS; i++) {
		struct sysret r = cap_invoke(l1, 2, CNODE_IDENTIFY, CAPADDR(i, 0), 1, 0, 0, 0);
		if (r.err || (r.v[0] & 0xff) != OBJ_L2CNODE)
			continue;
		for (unsigned j = 0; j < CSPACE_L2_SLOTS; j++) {
			r = cap_invoke(l1, 2, CNODE_IDENTIFY, CAPADDR(i, j), 2, 0, 0, 0);
			if (!r.err)
				rpc_reply(client, ERR_OK, CAPADDR(i, j) | (r.v[0] & 0xffff) << 32,
					  r.v[1], r.v[2], CAPADDR_NONE);
		}
	}
	rpc_reply(client, ERR_OK, ~0ull, 0, 0, CAPADDR_NONE);
}

static void wait(uint64_t client, uint64_t id)
{
	struct dom *d = find(id);
	struct sysret r = {.err = ERR_DOMAIN_NOT_FOUND};
	for (int i = 0; d && i < WAIT_LIMIT; i++) {
		r = cap_invoke(disp_of(d), 2, DISP_STATUS, 0, 0, 0, 0, 0);
		if (r.err || r.v[0] == 0)
			break;
		sys_yield();
	}
	if (!r.err && r.v[0] != 0)
		r.err = ERR_DISP_STATE; /* still running */
	rpc_reply(client, r.err, r.v[2], r.v[1], 0, CAPADDR_NONE);
}

/* Monitor 0's two messages: the Dispatcher, then the L1 CNode of a service. */
static void do_register(uint64_t client, const struct lmp_recv *m)
{
	static struct dom *pending;
	errval_t err = ERR_BAD_REQUEST;
	if (client == CLIENT_MONITOR && m->has_cap) {
		capaddr_t s = slot_alloc();
		err = rpc_take_cap(s);
		if (!err && m->words[0] == SPAWN_REGISTER && (pending = new_dom())) {
			pending->service = true;
			pending->disp = s;
			memcpy(pending->name, &m->words[1], 16);
		} else if (!err && m->words[0] == SPAWN_REGISTER_CSPACE && pending) {
			pending->l1 = s;
			pending = NULL;
		} else if (!err) {
			err = ERR_BAD_REQUEST;
		}
	}
	rpc_reply(client, err, 0, 0, 0, CAPADDR_NONE);
}

int main(void *arg)
{
	(void)arg;
	if (ram_init(CAPADDR(CN_TASK, TASK_RAM)) || win_init())
		return 1;
	for (;;) {
		struct lmp_recv m;
		uint32_t id = 0;
		char name[17] = {0};
		if (rpc_next(&m))
			continue;
		if (m.has_cap && m.words[0] != SPAWN_REGISTER &&
		    m.words[0] != SPAWN_REGISTER_CSPACE)
			cnode_delete(CAPADDR(CN_TASK, 0), 1, TASK_RECV);
		switch (m.words[0]) {
		case SPAWN_START:
			memcpy(name, &m.words[1], 16);
			rpc_reply(m.badge, start(name, m.words[3], &id), id, 0, 0, CAPADDR_NONE);
			break;
		case SPAWN_KILL:
			rpc_reply(m.badge, kill(m.words[1]), 0, 0, 0, CAPADDR_NONE);
			break;
		case SPAWN_LIST:
			list(m.badge);
			break;
		case SPAWN_CAPS:
			caps(m.badge, m.words[1]);
			break;
		case SPAWN_WAIT:
			wait(m.badge, m.words[1]);
			break;
		case SPAWN_REGISTER:
		case SPAWN_REGISTER_CSPACE:
			do_register(m.badge, &m);
			break;
		default:
			rpc_reply(m.badge, ERR_BAD_REQUEST, 0, 0, 0, CAPADDR_NONE);
		}
	}
}
