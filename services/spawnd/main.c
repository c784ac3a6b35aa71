// SPDX-License-Identifier: MIT
/*
 * spawnd: starts domains from boot modules, kills them, lists them and
 * dumps their cspaces. Every core runs one, started by its monitor.
 *
 * On core 0 each domain lives in RAM from memserv (SPAWN_RAM), so killing
 * it is one revoke and one MEM_FREE; monitor 0 registers the system
 * services (their Dispatcher and L1 CNode) so they are listed, but they
 * cannot be killed. On core k > 0 there is no memserv: the domains come
 * from spawnd's own RAM (ram_alloc; ram_free revokes on the other cores
 * through its monitor when a domain shared something), and each is
 * introduced to core k's monitor (MONITOR_ADOPT) before it runs, so that
 * the monitor can hand it capabilities from other cores and answer it;
 * spawnd lists itself there as domain 1.
 *
 * A domain gets its arguments (abi/args.h) on the top page of its stack:
 * its name, then the block its requester sent in SPAWN_ARGS fragments just
 * before SPAWN_START (one block in the making per client, the next
 * replacing it), and its id. SPAWN_WAIT is answered when the domain
 * stops; with SPAWN_WAIT_REAP it is then taken away as SPAWN_KILL does.
 *
 * It is also the memory service of its core's domains (ADR 0012): their
 * TASK_MEMSERV is our endpoint badged MEM_BADGE(id), and MEM_ALLOC,
 * MEM_FREE and MEM_STAT are served from the core's pool (our own RAM; on
 * core 0 memserv's), each grant kept under the domain, so that a domain
 * killed or waited for gives back exactly what it held. A domain that
 * found us by name (spawnd.<core>, ADR 0016) binds to get the same
 * endpoint (SPAWN_BIND).
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/services.h>
#include <abi/monitor.h>
#include <rt/args.h>
#include <rt/elfattr.h>
#include <rt/faults.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/rpc.h>
#include <rt/spawn.h>

#define MAX_DOMS 64

/* Each domain's RAM, and of it the domain's own TASK_RAM: core 0, other cores. */
static const uint64_t spawn_ram[2] = {6u << 20, 640u << 10};
static const uint64_t child_ram[2] = {5u << 20, 128u << 10};

struct dom {
	uint32_t id; /* 0 = free slot */
	char name[24];
	bool service;
	capaddr_t disp, l1; /* services: caps in our slots */
	capaddr_t ram;	    /* our copy of its RAM; mem_handle: memserv's handle */
	uint64_t mem_handle;
	capaddr_t mem_ep; /* its endpoint badged SERVER_MEMSERV (0: none) */
	struct child c;
};

static struct dom doms[MAX_DOMS];
static uint32_t next_id = 1;
static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;
static unsigned far; /* 0 on core 0 (memserv there), else 1 */

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

/* Core k > 0, the pool ran out: at least `bytes` more from core 0, for
   good, through our monitor (MONITOR_MEM_MORE, ADR 0012); it is our core's
   RAM, added to the pool. */
static errval_t pool_more(uint64_t bytes)
{
	union monitor_rep r;
	capaddr_t ram = SLOT_NONE;
	errval_t err = monitor_ask(
	    (union monitor_req){.mem_more = {MONITOR_MEM_MORE, .bytes = bytes}}, CAPADDR_NONE, &r);
	if (!err && (ram = slot_alloc()) == SLOT_NONE) {
		rpc_drop_cap();
		err = ERR_NO_SLOTS;
	}
	if (!err)
		err = rpc_take_cap(ram);
	if (!err)
		err = ram_add(ram);
	if (err && ram != SLOT_NONE) /* (memory core 0 gave is lost to both) */
		printf("spawnd: core %u: more memory could not be added: %s\n",
		       ((const struct bootinfo *)BOOTINFO_VADDR)->coreid, err_str(err));
	return err;
}

/*
 * RAM from the core's pool: our own (core k > 0: the core's share, chosen
 * at boot, and more from core 0 when it runs out, ADR 0012) or memserv's
 * (core 0). *handle: memserv's handle of it (core 0), else 0.
 */
static errval_t pool_alloc(uint64_t bytes, capaddr_t *cap, uint64_t *handle)
{
	struct lmp_recv rep;
	*handle = 0;
	if (far) {
		/* Short of memory, not of a piece in one (or an injected failure,
		   faults=SEED): only then is the pool too small. */
		errval_t err = ram_alloc(bytes, cap);
		if (err == ERR_NO_MEMORY && bytes <= MEM_ALLOC_MAX &&
		    ram_free_bytes() < 2 * bytes && !pool_more(bytes))
			err = ram_alloc(bytes, cap);
		return err;
	}
	errval_t err = mem_call(MEM_ALLOC, bytes, &rep);
	if (!err && !rep.has_cap)
		err = ERR_NO_MEMORY;
	if (err)
		return err;
	*handle = rep.words[1];
	*cap = slot_alloc();
	err = *cap == SLOT_NONE ? ERR_NO_SLOTS : rpc_take_cap(*cap);
	if (err) { /* not taken: empty the receive slot and arm it again */
		rpc_drop_cap();
		if (*cap != SLOT_NONE)
			slot_free(*cap);
		mem_call(MEM_FREE, *handle, &rep);
	}
	return err;
}

/* Back to the pool: revoked, so every copy and descendant goes. */
static errval_t pool_free(capaddr_t cap, uint64_t handle)
{
	struct lmp_recv rep;
	if (far)
		return ram_free(cap);
	errval_t err = mem_call(MEM_FREE, handle, &rep);
	if (!err)
		slot_free(cap);
	return err;
}

/* RAM for a new domain into d->ram. */
static errval_t dom_ram(struct dom *d)
{
	return pool_alloc(spawn_ram[far], &d->ram, &d->mem_handle);
}

/* ---- the memory service of the core's domains (MEM_*, ADR 0012) ---- */

#define MAX_GRANTS 256

static struct {
	uint32_t dom;	 /* its domain's id; 0: a free entry */
	capaddr_t cap;	 /* our copy: its address is the domain's handle */
	uint64_t handle; /* core 0: memserv's */
} grants[MAX_GRANTS];

/* Give back everything domain d still holds; stops at the first that
   does not come back (tried again with the next kill). */
static errval_t grants_free(const struct dom *d)
{
	for (unsigned i = 0; i < MAX_GRANTS; i++) {
		if (grants[i].dom != d->id)
			continue;
		errval_t err = pool_free(grants[i].cap, grants[i].handle);
		if (err)
			return err;
		grants[i].dom = 0;
	}
	return ERR_OK;
}

/* An answer to domain d; a domain that does not read its messages is
   not waited for long (its answer is lost, its grant stays its own). */
static errval_t mem_reply(const struct dom *d, errval_t err, uint64_t w1, uint64_t w2, uint64_t cap)
{
	uint64_t w[4] = {err, w1, w2, 0};
	errval_t e;
	for (unsigned tries = 0; (e = ep_send(d->mem_ep, w, cap)) == ERR_LMP_BUF_FULL && tries < 64;
	     tries++)
		sys_yield();
	return e;
}

static void mem_alloc_for(const struct dom *d, uint64_t bytes)
{
	unsigned i = 0;
	while (i < MAX_GRANTS && grants[i].dom)
		i++;
	capaddr_t cap = 0;
	uint64_t handle = 0;
	errval_t err = !bytes || bytes > MEM_ALLOC_MAX ? ERR_MEM_SIZE
		       : i == MAX_GRANTS	       ? ERR_NO_MEMORY
						       : pool_alloc(bytes, &cap, &handle);
	if (err) {
		mem_reply(d, err, 0, 0, CAPADDR_NONE);
		return;
	}
	if (mem_reply(d, ERR_OK, cap, 0, cap)) { /* not delivered: back to the pool */
		pool_free(cap, handle);
		return;
	}
	grants[i].dom = d->id;
	grants[i].cap = cap;
	grants[i].handle = handle;
}

static errval_t mem_free_for(const struct dom *d, uint64_t handle)
{
	for (unsigned i = 0; i < MAX_GRANTS; i++) {
		if (grants[i].dom != d->id || grants[i].cap != handle)
			continue;
		errval_t err = pool_free(grants[i].cap, grants[i].handle);
		if (!err)
			grants[i].dom = 0;
		return err;
	}
	return ERR_MEM_HANDLE;
}

/* A request on our endpoint badged MEM_BADGE(id): from a domain we started. */
static void mem_serve(const struct lmp_recv *m)
{
	struct lmp_recv rep;
	struct dom *d = find(MEM_BADGE_ID(m->badge));
	if (!d || d->service || !d->mem_ep)
		return; /* gone (ids are not used again): nobody to answer */
	switch (m->words[0]) {
	case MEM_ALLOC:
		mem_alloc_for(d, m->words[1]);
		break;
	case MEM_FREE:
		mem_reply(d, mem_free_for(d, m->words[1]), 0, 0, CAPADDR_NONE);
		break;
	case MEM_STAT:
		if (far)
			mem_reply(d, ERR_OK, ram_free_bytes(), ram_total_bytes(), CAPADDR_NONE);
		else if (mem_call(MEM_STAT, 0, &rep) == ERR_OK)
			mem_reply(d, ERR_OK, rep.words[1], rep.words[2], CAPADDR_NONE);
		else
			mem_reply(d, (errval_t)rep.words[0], 0, 0, CAPADDR_NONE);
		break;
	default:
		mem_reply(d, ERR_BAD_REQUEST, 0, 0, CAPADDR_NONE);
	}
}

/*
 * SPAWN_BIND on our named endpoint (badge CLIENT_BIND, ADR 0016), the
 * client's endpoint in TASK_RECV: a domain we started, known by its
 * endpoint (the same object as the one we made for it), gets what its
 * TASK_MEMSERV is, our endpoint badged MEM_BADGE(its id). The answer goes
 * on the endpoint that came, so only that domain hears it.
 */
static void bind(const struct lmp_recv *m)
{
	struct cap_info got, its;
	const struct dom *d = NULL;
	capaddr_t out = SLOT_NONE, recv = CAPADDR(CN_TASK, TASK_RECV);
	if (!m->has_cap || cap_identify(recv, &got) || got.type != OBJ_ENDPOINT) {
		if (m->has_cap) /* (nowhere to answer) */
			rpc_drop_cap();
		return;
	}
	for (unsigned i = 0; !d && i < MAX_DOMS; i++)
		if (doms[i].id && !doms[i].service && doms[i].mem_ep &&
		    !cap_identify(child_cap(&doms[i].c, SPAWN_H_EP), &its) && its.base == got.base)
			d = &doms[i];
	errval_t err =
	    m->words[0] != SPAWN_BIND ? ERR_BAD_REQUEST
	    : !d		      ? ERR_BIND_REFUSED
	    : (out = slot_alloc()) == SLOT_NONE
		? ERR_NO_SLOTS
		: cnode_mint(CAPADDR(CAPADDR_L1(out), 0), 1, CAPADDR_L2(out),
			     CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, MEM_BADGE(d->id));
	uint64_t w[4] = {err, err ? 0 : SERVER_MEMSERV, 0, 0};
	errval_t e;
	/* (a client that does not read is not waited for long, as in mem_reply) */
	for (unsigned tries = 0;
	     (e = ep_send(recv, w, err ? CAPADDR_NONE : out)) == ERR_LMP_BUF_FULL && tries < 64;
	     tries++)
		sys_yield();
	(void)e; /* not delivered: the client is gone or does not read */
	if (out != SLOT_NONE) {
		cnode_delete(CAPADDR(CAPADDR_L1(out), 0), 1, CAPADDR_L2(out));
		slot_free(out);
	}
	rpc_drop_cap();
}

/*
 * Stop the domain and give its RAM back: it and everything made from its
 * RAM go (on other cores first). Its place is free again only if that
 * worked; else it stays listed, stopped, and a kill may be tried again.
 */
static errval_t dom_destroy(struct dom *d)
{
	errval_t err = ERR_OK;
	if (d->c.l1)
		cap_invoke(child_cap(&d->c, SPAWN_H_DISP), 2, DISP_STOP, 0, 0, 0, 0, 0);
	if (d->mem_ep) {
		cnode_delete(CAPADDR(CAPADDR_L1(d->mem_ep), 0), 1, CAPADDR_L2(d->mem_ep));
		slot_free(d->mem_ep);
		d->mem_ep = 0;
	}
	err = grants_free(d);
	if (!err)
		err = pool_free(d->ram, d->mem_handle);
	if (err)
		return err;
	if (d->c.l1) /* its handle CNode went with the RAM: the L1 slot is free */
		spawn_kill(&d->c);
	d->id = 0;
	return ERR_OK;
}

/* Core k > 0: introduce the domain to our monitor; the endpoint to it the
   monitor answers with is the domain's TASK_MONITOR. */
static errval_t adopt(struct dom *d)
{
	struct lmp_recv rep;
	capaddr_t mon = slot_alloc(), ep = slot_alloc();
	if (mon == SLOT_NONE || ep == SLOT_NONE) {
		slot_free(mon);
		slot_free(ep);
		return ERR_NO_SLOTS;
	}
	/* Its endpoint badged SERVER_MONITOR, so that lib/rt's rpc_call knows
	   the monitor's answers. */
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep),
				  child_cap(&d->c, SPAWN_H_EP), CAP_RIGHTS_ALL, SERVER_MONITOR);
	if (!err)
		err = monitor_call(MONITOR_ADOPT, d->id, 0, 0, ep, &rep);
	cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
	if (!err && !rep.has_cap)
		err = ERR_BAD_REQUEST;
	if (!err)
		err = rpc_take_cap(mon);
	if (!err)
		err = spawn_give(&d->c, TASK_MONITOR, mon, CAP_RIGHTS_ALL);
	cnode_delete(CAPADDR(CAPADDR_L1(mon), 0), 1, CAPADDR_L2(mon));
	slot_free(mon);
	return err;
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

/* Its memory service: our endpoint badged with its id, and its endpoint
   badged SERVER_MEMSERV for the answers. */
static errval_t give_mem(struct dom *d)
{
	capaddr_t r = slot_alloc();
	if (r == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(r), 0), 1, CAPADDR_L2(r),
				  child_cap(&d->c, SPAWN_H_EP), CAP_RIGHTS_ALL, SERVER_MEMSERV);
	if (err) {
		slot_free(r);
		return err;
	}
	d->mem_ep = r;
	return spawn_give_badged(&d->c, CN_TASK, TASK_MEMSERV, CAPADDR(CN_TASK, TASK_EP),
				 MEM_BADGE(d->id));
}

/* Give a new domain what every domain gets: RAM, its memory service, boot
   info, the modules. */
static errval_t equip(struct dom *d)
{
	struct child *c = &d->c;
	/* The map first: its page tables fit below the RAM's 64 KiB alignment. */
	errval_t err = spawn_map(c, BOOTINFO_VADDR, CAPADDR(CN_TASK, TASK_BOOTINFO_RO),
				 BOOTINFO_SIZE / OBJSIZE_PAGE, CAP_RIGHT_READ);
	if (!err)
		err = spawn_give_ram(c, TASK_RAM, child_ram[far]);
	if (!err)
		err = give_mem(d);
	if (!err && far)
		err = adopt(d);
	else if (!err) /* it binds itself (MONITOR_BIND) */
		err = spawn_give(c, TASK_MONITOR, CAPADDR(CN_TASK, TASK_MONITOR), CAP_RIGHTS_ALL);
	if (!err)
		err = cap_invoke(child_cap(c, SPAWN_H_L1), 2, CNODE_COPY, CN_MODULE,
				 CAPADDR(CN_MODULE, 0), 1, CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0)
			  .err;
	return err;
}

/*
 * Does this core have what the program needs (ADR 0018)? Its ELF's
 * .riscv.attributes against our core's isa_user, before anything is
 * built; *need gets the letters it needs (for ERR_CORE_ISA's answer).
 */
static errval_t isa_check(const char *name, capaddr_t elf, uint64_t size, uint32_t *need)
{
	const uint8_t *image = win_map(elf, (size + 4095) / 4096, false);
	if (!image)
		return ERR_NO_MEMORY;
	errval_t err = elf_isa_required(image, size, need);
	win_unmap(elf);
	uint32_t have = bi->cores[bi->coreid % BOOTINFO_MAX_CORES].isa_user;
	if (err) {
		printf("spawnd: %s: %s\n", name, err_str(err));
		return err;
	}
	if (*need & ~have) {
		char want[27], lack[27];
		elf_isa_letters(*need, want);
		elf_isa_letters(*need & ~have, lack);
		printf("spawnd: %s needs rv64%s, core %u lacks %s\n", name, want,
		       (unsigned)bi->coreid, lack);
		return ERR_CORE_ISA;
	}
	return ERR_OK;
}

/* With ERR_CORE_ISA, *id is the letters the program needs (BOOTINFO_ISA()). */
static errval_t start(const char *name, uint64_t arg, const char *block, uint32_t bytes,
		      uint32_t *id)
{
	uint64_t size;
	uint32_t need = 0;
	capaddr_t elf = module(name, &size);
	if (elf == SLOT_NONE)
		return ERR_MODULE_NOT_FOUND;
	errval_t err = isa_check(name, elf, size, &need);
	if (err) {
		*id = err == ERR_CORE_ISA ? need : 0;
		return err;
	}
	struct dom *d = new_dom();
	if (!d)
		return ERR_NO_SLOTS;
	err = dom_ram(d);
	if (err) {
		d->id = 0;
		return err;
	}
	struct spawn_args args = {block, bytes, d->id};
	err = spawn_elf_in(&d->c, name, elf, size, d->ram, spawn_ram[far], arg, &args);
	if (!err)
		err = equip(d);
	if (!err)
		err = spawn_run_as(&d->c, d->id); /* its lines tagged as ps shows it */
	if (err && dom_destroy(d) == ERR_OK)
		return err;
	if (err) { /* its RAM did not come back: it stays listed, stopped */
		printf("spawnd: a domain that failed to start cannot be taken back\n");
		return err;
	}
	strncpy(d->name, name, sizeof(d->name) - 1);
	*id = d->id;
	return ERR_OK;
}

/* Each client's argument block in the making (SPAWN_ARGS), for its next
   SPAWN_START: bounded, one per client, replaced by the next. */
#define CLIENTS (CLIENT_WAIT + 1)
static struct args_in staged[CLIENTS];

static void put_args(uint64_t client, const struct lmp_recv *m)
{
	struct args_fragment f;
	memcpy(&f, m->words, sizeof(f));
	if (client < CLIENTS)
		args_put(&staged[client], f.offset, f.total, f.data, sizeof(f.data));
}

/* SPAWN_START: w3 = a0 | the length of the block sent before << 32. */
static errval_t start_req(uint64_t client, const struct lmp_recv *m, uint32_t *id)
{
	char name[17] = {0};
	uint32_t bytes = (uint32_t)(m->words[3] >> 32);
	struct args_in *a = client < CLIENTS ? &staged[client] : NULL;
	errval_t err = a ? args_take(a, bytes) : bytes ? ERR_ARGS_INCOMPLETE : ERR_OK;
	memcpy(name, &m->words[1], 16);
	return err ? err : start(name, (uint32_t)m->words[3], bytes ? a->buf : NULL, bytes, id);
}

static errval_t kill(uint64_t id)
{
	struct dom *d = find(id);
	if (!d)
		return ERR_DOMAIN_NOT_FOUND;
	if (d->service)
		return ERR_DOMAIN_PROTECTED;
	return dom_destroy(d);
}

/* One domain: w1 = state | exit status (24 bits) << 8 | faults << 32,
   w2..w3 = its name (16 bytes). */
static void status(uint64_t client, uint64_t id)
{
	struct dom *d = find(id);
	if (!d) {
		rpc_reply(client, ERR_DOMAIN_NOT_FOUND, 0, 0, 0, CAPADDR_NONE);
		return;
	}
	struct sysret r = cap_invoke(disp_of(d), 2, DISP_STATUS, 0, 0, 0, 0, 0);
	uint64_t name[2] = {0};
	memcpy(name, d->name, 16);
	rpc_reply(client, r.err, (r.v[0] & 0xff) | (r.v[2] & 0xffffff) << 8 | r.v[1] << 32, name[0],
		  name[1], CAPADDR_NONE);
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

/*
 * SPAWN_WAIT: answered when the domain has stopped (exited, faulted or was
 * killed), however long that takes. Until then the wait is kept here and
 * spawnd serves other requests; while any wait is kept it looks at the
 * domains once a tick (the kernel sends no message when a domain stops).
 * At most MAX_DOMS waits at once (more are refused, ERR_NO_SLOTS): a
 * client waits for its answer, but core k's monitor asks for others.
 */
static struct {
	uint64_t client;
	uint64_t id; /* 0: free */
	bool reap;   /* SPAWN_WAIT_REAP */
} waits[MAX_DOMS];
static unsigned nwaits;

/* The domain has stopped or is gone: *r is what to answer. */
static bool stopped(uint64_t id, struct sysret *r)
{
	struct dom *d = find(id);
	*r = (struct sysret){.err = ERR_DOMAIN_NOT_FOUND};
	if (d)
		*r = cap_invoke(disp_of(d), 2, DISP_STATUS, 0, 0, 0, 0, 0);
	return r->err || r->v[0] == 0;
}

/* Domain id has stopped or is gone (r: its status, or why not): taken
   away if a wait on it asks for that, then every wait on it is answered
   (w3 = id: core k's monitor tells its waits apart by it). */
static void waits_answer(uint64_t id, struct sysret r)
{
	struct dom *d = find(id);
	bool reap = false;
	for (unsigned i = 0; i < MAX_DOMS; i++)
		reap |= waits[i].id == id && waits[i].reap;
	if (reap && d && !r.err)
		r.err = dom_destroy(d); /* (else it stays listed, stopped) */
	for (unsigned i = 0; i < MAX_DOMS; i++)
		if (waits[i].id == id) {
			rpc_reply(waits[i].client, r.err, r.v[2], r.v[1], id, CAPADDR_NONE);
			waits[i].id = 0;
			nwaits--;
		}
}

static void waits_check(void)
{
	struct sysret r;
	for (unsigned i = 0; nwaits && i < MAX_DOMS; i++)
		if (waits[i].id && stopped(waits[i].id, &r))
			waits_answer(waits[i].id, r);
}

static void wait(uint64_t client, uint64_t id, uint64_t flags)
{
	struct dom *d = find(id);
	unsigned i = 0;
	while (i < MAX_DOMS && waits[i].id)
		i++;
	errval_t err = !d	       ? ERR_DOMAIN_NOT_FOUND
		       : d->service    ? ERR_DOMAIN_PROTECTED /* it never stops */
		       : i == MAX_DOMS ? ERR_NO_SLOTS	      /* refused, not kept */
				       : ERR_OK;
	if (err) {
		rpc_reply(client, err, 0, 0, id, CAPADDR_NONE);
		return;
	}
	waits[i].client = client;
	waits[i].id = id;
	waits[i].reap = flags & SPAWN_WAIT_REAP;
	nwaits++;
	waits_check(); /* answered at once if it has stopped already */
}

/* Monitor 0's two messages: the Dispatcher, then the L1 CNode of a service.
   A capability not kept is deleted and the receive slot armed again:
   else every capability sent to us later would be refused (memserv's
   answers too). */
static void do_register(uint64_t client, const struct lmp_recv *m)
{
	static struct dom *pending; /* its Dispatcher came, its L1 CNode not yet */
	bool first = m->words[0] == SPAWN_REGISTER;
	capaddr_t s = SLOT_NONE;
	errval_t err = ERR_BAD_REQUEST;
	if (client == CLIENT_MONITOR && m->has_cap && (first || pending)) {
		faults_hold(); /* (at boot: no fault, the services must come up) */
		s = slot_alloc();
		faults_release();
		err = s == SLOT_NONE ? ERR_NO_SLOTS : rpc_take_cap(s);
	}
	if (!err && first && !(pending = new_dom()))
		err = ERR_NO_SLOTS;
	if (!err && first) {
		pending->service = true;
		pending->disp = s;
		memcpy(pending->name, &m->words[1], 16);
	} else if (!err) {
		pending->l1 = s;
		pending = NULL;
	}
	if (err && m->has_cap)
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
	far = bi->coreid != 0;
	if (ram_init(CAPADDR(CN_TASK, TASK_RAM)) || win_init())
		return 1;
	if (far && monitor_bind())
		return 2;
	struct dom *self = far ? new_dom() : NULL;
	if (self) { /* listed, and not to be killed, like core 0's services */
		self->service = true;
		self->disp = CAPADDR(CN_TASK, TASK_DISP);
		self->l1 = CAPADDR(CN_TASK, TASK_ROOTCN);
		strcpy(self->name, "spawnd");
	}
	faults_init(faults_bootarg(bi->bootargs), bi->coreid, FAULTS_SPAWND);
	for (;;) {
		struct lmp_recv m;
		uint32_t id = 0;
		/* While a wait is kept, look at the domains every tick. */
		errval_t err = nwaits ? rpc_next_timeout(1, &m) : rpc_next(&m);
		waits_check();
		if (err)
			continue;
		fault_yield();
		if (m.badge == CLIENT_BIND) { /* found by name: a bind, nothing else */
			bind(&m);
			continue;
		}
		if (m.has_cap && (IS_MEM_BADGE(m.badge) || (m.words[0] != SPAWN_REGISTER &&
							    m.words[0] != SPAWN_REGISTER_CSPACE)))
			rpc_drop_cap();
		if (IS_MEM_BADGE(m.badge)) {
			mem_serve(&m);
			continue;
		}
		switch (m.words[0]) {
		case SPAWN_START:
			rpc_reply(m.badge, start_req(m.badge, &m, &id), id, 0, 0, CAPADDR_NONE);
			break;
		case SPAWN_ARGS:
			put_args(m.badge, &m);
			break;
		case SPAWN_MEM: /* (and where: ADR 0022) */
			rpc_reply(m.badge, ERR_OK, ram_free_bytes(), ram_total_bytes(),
				  MEM_NODE_WORD(bi->cores[bi->coreid].node,
						ram_total_node(bi, bi->cores[bi->coreid].node)),
				  CAPADDR_NONE);
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
			wait(m.badge, m.words[1], m.words[2]);
			break;
		case SPAWN_STATUS:
			status(m.badge, m.words[1]);
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
