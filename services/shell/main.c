// SPDX-License-Identifier: MIT
/*
 * shell: the `reef> ` prompt on the serial console. Input arrives from the
 * serial driver; commands talk to spawnd, memserv and monitor 0. With a boot argument
 * `run=<cmd>; <cmd>; ...` (the last argument: it takes the rest of the line)
 * it runs the commands without a person and powers off: status 0 if every
 * command succeeded, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/rpc.h>

/* Long enough for `spawn <module> <core>` and more than ARGS_MAX_BYTES of
   arguments (so that too many are refused by the rules, not the line). */
#define LINE_MAX 512
#define ARGS_MAX 64

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

#define SHORT_TRIES 64

/* A request to spawnd, after the argument block it takes (bytes 0: none). */
static errval_t spawnd_args(const char *block, uint32_t bytes, uint64_t op, uint64_t a1,
			    uint64_t a2, uint64_t a3, struct lmp_recv *rep)
{
	uint64_t req[4] = {op, a1, a2, a3};
	capaddr_t ep = CAPADDR(CN_TASK, TASK_SPAWND);
	errval_t err;
	/* Short of memory (spawnd, or memserv behind it; under faults=SEED
	   mostly injected): a refused request changed nothing, and memory
	   comes back as other requests end: ask again a while, as
	   monitor_call does (the block again too: each start takes it). */
	for (unsigned tries = 1;; tries++) {
		err = args_send(ep, SPAWN_ARGS, block, bytes);
		if (!err)
			err = rpc_call(ep, SERVER_SPAWND, req, CAPADDR_NONE, rep);
		if ((err != ERR_NO_MEMORY && err != ERR_NO_SLOTS) || tries == SHORT_TRIES)
			return err;
		rpc_nap(1);
	}
}

static errval_t spawnd(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, struct lmp_recv *rep)
{
	return spawnd_args(NULL, 0, op, a1, a2, a3, rep);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	if (!*s)
		return false;
	*v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || *v > 1000000000000ull)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return true;
}

static const char *state_name(uint64_t s)
{
	return s == 0 ? "stopped" : s == 1 ? "runnable" : s == 2 ? "blocked" : "?";
}

/* One request to monitor 0 (abi/monreq.h), its reply in *r. */
static errval_t monitor(union monitor_req q, union monitor_rep *r)
{
	struct lmp_recv m;
	errval_t err =
	    rpc_call(CAPADDR(CN_TASK, TASK_MONITOR), SERVER_MONITOR, q.words, CAPADDR_NONE, &m);
	*r = monitor_rep_of(m.words);
	return err;
}

/* The next reply of a list. */
static errval_t monitor_more(union monitor_rep *r)
{
	struct lmp_recv m;
	errval_t err = rpc_more(SERVER_MONITOR, &m);
	*r = monitor_rep_of(m.words);
	return err;
}

/* One line of `ps` for domain id on core k, from its monitor. */
static void ps_remote(unsigned k, uint64_t id)
{
	union monitor_rep r;
	if (monitor((union monitor_req){.domain = {MONITOR_DOMAIN, .core = k, .id = id}}, &r))
		return;
	char name[9] = {0};
	memcpy(name, r.domain.name, 8);
	printf("%4u %4lu  %-10s %-9s %6lu %6ld\n", k, (unsigned long)id, name,
	       state_name(r.domain.state), (unsigned long)r.domain.faults,
	       (long)((int32_t)((uint32_t)r.domain.status << 8) >> 8));
}

static errval_t cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct lmp_recv r;
	errval_t err = spawnd(SPAWN_LIST, 0, 0, 0, &r);
	printf("%4s %4s  %-10s %-9s %6s %6s\n", "CORE", "ID", "NAME", "STATE", "FAULTS", "EXIT");
	while (!err && (r.words[1] & 0xffffffff)) {
		char name[9] = {0};
		memcpy(name, &r.words[3], 8);
		printf("%4u %4lu  %-10s %-9s %6lu %6ld\n", 0u,
		       (unsigned long)(r.words[1] & 0xffffffff), name, state_name(r.words[1] >> 32),
		       (unsigned long)(r.words[2] & 0xffffffff), (long)(int32_t)(r.words[2] >> 32));
		err = rpc_more(SERVER_SPAWND, &r);
	}
	/* Then those the other cores' monitors started (`spawn <module> <core>`),
	   MONITOR_LIST_IDS ids a reply, each asked from the last id of the one
	   before, until one is not full. */
	for (unsigned k = 1; !err && k < bi->ncores; k++) {
		uint64_t after = 0;
		unsigned n = MONITOR_LIST_IDS;
		while (bi->cores[k].online && n == MONITOR_LIST_IDS) {
			union monitor_rep l;
			if (monitor((union monitor_req){.domain = {MONITOR_DOMAIN, .core = k,
								   .id = after, .how = 2}},
				    &l))
				break;
			for (n = 0; n < MONITOR_LIST_IDS && l.domain_list.ids[n]; n++)
				ps_remote(k, after = l.domain_list.ids[n]);
		}
	}
	return err;
}

static errval_t cmd_cores(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static const char *const states[] = {"offline", "joined", "silent"};
	static struct monitor_cores_counts_reply counts[BOOTINFO_MAX_CORES];
	union monitor_rep r;
	/* The kernels' counters first, then the states: one line each. */
	errval_t err = monitor((union monitor_req){.cores = {MONITOR_CORES, .counts = 1}}, &r);
	memset(counts, 0, sizeof(counts));
	while (!err && r.words[1] != MONITOR_END) {
		if (r.cores_counts.core < BOOTINFO_MAX_CORES)
			counts[r.cores_counts.core] = r.cores_counts;
		err = monitor_more(&r);
	}
	if (!err)
		err = monitor((union monitor_req){.cores = {MONITOR_CORES}}, &r);
	printf("%4s %5s %4s %7s  %-16s %-8s %7s %8s %8s %4s\n", "CORE", "HART", "NODE", "CLUSTER",
	       "ISA", "STATE", "DOMAINS", "IPIS", "FENCE.I", "MMU");
	while (!err && r.words[1] != MONITOR_END) {
		char isa[17] = {0};
		memcpy(isa, r.cores.isa, 16);
		unsigned st = r.cores.state, k = (unsigned)r.cores.core;
		const struct monitor_cores_counts_reply *c = &counts[k % BOOTINFO_MAX_CORES];
		const struct bootinfo_core *bc = &bi->cores[k % BOOTINFO_MAX_CORES];
		printf("%4u %5u %4u %7u  %-16s %-8s %7u %8u %8u sv%u\n", k, (unsigned)r.cores.hart,
		       (unsigned)bc->node, (unsigned)bc->cluster, isa, st < 3 ? states[st] : "?",
		       (unsigned)r.cores.dispatchers, (unsigned)c->ipis, (unsigned)c->fencei,
		       (unsigned)bc->mmu);
		err = monitor_more(&r);
	}
	return err;
}

static errval_t cmd_capstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static const char *const ops[MON_OP_COUNT] = {"join",	"status", "copy",
						      "delete", "revoke", "retype"};
	uint64_t row[MON_OP_COUNT] = {0}, xnode = 0;
	unsigned core = ~0u, filled = 0;
	bool nodes = false; /* more than one NUMA node: a column for the messages between them */
	for (unsigned k = 1; k < bi->ncores && k < BOOTINFO_MAX_CORES; k++)
		nodes |= bi->cores[k].node != bi->cores[0].node;
	union monitor_rep r;
	errval_t err = monitor((union monitor_req){.capstat = {MONITOR_CAPSTAT}}, &r);
	printf("capstat: inter-monitor messages sent, per core and operation\n%4s", "CORE");
	for (unsigned op = 0; op < MON_OP_COUNT; op++)
		printf(" %8s", ops[op]);
	printf(nodes ? " %8s\n" : "\n", "xnode");
	for (;;) {
		bool end = err || r.words[1] == MONITOR_END;
		unsigned k = end ? ~0u : (unsigned)r.capstat.core;
		if (filled && (end || k != core)) {
			printf("%4u", core);
			for (unsigned op = 0; op < MON_OP_COUNT; op++)
				printf(" %8lu", (unsigned long)row[op]);
			if (nodes)
				printf(" %8lu", (unsigned long)xnode);
			printf("\n");
			memset(row, 0, sizeof(row));
			filled = 0;
			xnode = 0;
		}
		if (end)
			break;
		core = k;
		if (r.capstat.op < MON_OP_COUNT) {
			row[r.capstat.op] = r.capstat.messages;
			xnode += r.capstat.xnode;
			filled++;
		}
		err = monitor_more(&r);
	}
	return err;
}

/* Every registered name and its core, in order (MONITOR_NAME_NEXT). */
static errval_t cmd_names(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	union monitor_req q = {.name_next = {MONITOR_NAME_NEXT}};
	union monitor_rep r;
	errval_t err;
	unsigned n = 0;
	printf("%-16s %4s\n", "NAME", "CORE");
	while (!(err = monitor(q, &r))) {
		char name[17] = {0};
		memcpy(name, r.name_next.name, 16);
		printf("%-16s %4lu\n", name, (unsigned long)r.name_next.core);
		memcpy(q.name_next.after, r.name_next.name, 16);
		n++;
	}
	printf("names: %u registered\n", n);
	return err == ERR_NAME_NOT_FOUND ? ERR_OK : err;
}

/* One core's pool; with NUMA nodes also its core's node and how much of
   the pool is on it (ADR 0022). */
static void mem_line(unsigned k, uint64_t free, uint64_t total, unsigned node, uint64_t local)
{
	printf("mem: core %u: %lu free of %lu bytes", k, (unsigned long)free, (unsigned long)total);
	if (bi->nnodes > 1)
		printf(", node %u: %lu local", node, (unsigned long)local);
	printf("\n");
}

/* Each core's pool (ADR 0012): core 0's is memserv's, core k's its
   spawnd's (through the monitors); then the sum. */
static errval_t cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct lmp_recv r;
	uint64_t req[4] = {MEM_STAT, 0, 0, 0};
	errval_t err =
	    rpc_call(CAPADDR(CN_TASK, TASK_MEMSERV), SERVER_MEMSERV, req, CAPADDR_NONE, &r);
	if (err)
		return err;
	uint64_t free = r.words[1], total = r.words[2];
	unsigned cores = 1;
	mem_line(0, free, total, MEM_NODE_OF(r.words[3]), MEM_LOCAL_OF(r.words[3]));
	for (unsigned k = 1; !err && k < bi->ncores; k++) {
		union monitor_rep m;
		if (!bi->cores[k].online)
			continue;
		err = monitor((union monitor_req){.domain = {MONITOR_DOMAIN, .core = k, .how = 3}},
			      &m);
		if (err) {
			printf("mem: core %u: %s\n", k, err_str(err));
			continue;
		}
		mem_line(k, m.domain_mem.free, m.domain_mem.total, m.domain_mem.node,
			 (uint64_t)m.domain_mem.local_kib << 10);
		free += m.domain_mem.free;
		total += m.domain_mem.total;
		cores++;
	}
	printf("mem: %lu free of %lu bytes on %u cores\n", (unsigned long)free,
	       (unsigned long)total, cores);
	return err;
}

static const char *type_name(unsigned t)
{
	static const char *const n[] = {
	    "Null",    "PhysAddr", "RAM",      "DevFrame", "Frame",	 "L1CNode",
	    "L2CNode", "VNode_L2", "VNode_L1", "VNode_L0", "Dispatcher", "Endpoint",
	    "Kernel",  "IRQ",	   "ID",       "KCB",	   "Notify"};
	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static errval_t cmd_caps(int argc, char **argv)
{
	uint64_t id;
	if (argc != 2 || !parse_u64(argv[1], &id))
		return ERR_SHELL_USAGE;
	struct lmp_recv r;
	errval_t err = spawnd(SPAWN_CAPS, id, 0, 0, &r);
	unsigned n = 0;
	while (!err && r.words[1] != ~0ull) {
		unsigned type = (r.words[1] >> 32) & 0xff, rights = (r.words[1] >> 40) & 0xff;
		printf("  %3lu.%-3lu %-10s rights %c%c%c%c base %#lx size %#lx\n",
		       (unsigned long)CAPADDR_L1(r.words[1] & 0xffffffff),
		       (unsigned long)CAPADDR_L2(r.words[1] & 0xffffffff), type_name(type),
		       (rights & CAP_RIGHT_READ) ? 'r' : '-',
		       (rights & CAP_RIGHT_WRITE) ? 'w' : '-',
		       (rights & CAP_RIGHT_EXECUTE) ? 'x' : '-',
		       (rights & CAP_RIGHT_GRANT) ? 'g' : '-', (unsigned long)r.words[2],
		       (unsigned long)r.words[3]);
		n++;
		err = rpc_more(SERVER_SPAWND, &r);
	}
	if (!err)
		printf("caps: %u capabilities in domain %lu\n", n, (unsigned long)id);
	return err;
}

/* Start a module on core 0 with a0 = arg and the arguments in block. */
static errval_t start(const char *name, uint32_t arg, const char *block, uint32_t bytes,
		      uint64_t *id)
{
	uint64_t w[2] = {0, 0};
	if (strlen(name) > 16)
		return ERR_MODULE_NOT_FOUND;
	memcpy(w, name, strlen(name));
	struct lmp_recv r;
	errval_t err =
	    spawnd_args(block, bytes, SPAWN_START, w[0], w[1], arg | (uint64_t)bytes << 32, &r);
	*id = r.words[1];
	return err;
}

/* Another core: its monitor builds the domain there (via monitor 0), the
   arguments sent to monitor 0 first. */
static errval_t start_on(uint64_t core, const char *name, const char *block, uint32_t bytes,
			 uint64_t *id)
{
	union monitor_req q = {.spawn = {MONITOR_SPAWN, .core = core, .args = bytes}};
	union monitor_rep r;
	if (strlen(name) > 16 || core >= BOOTINFO_MAX_CORES)
		return core >= BOOTINFO_MAX_CORES ? ERR_CORE_NONE : ERR_MODULE_NOT_FOUND;
	memcpy(q.spawn.name, name, strlen(name));
	errval_t err = args_send(CAPADDR(CN_TASK, TASK_MONITOR), MONITOR_ARGS, block, bytes);
	if (!err)
		err = monitor(q, &r);
	*id = r.spawn.id;
	return err;
}

/*
 * Placement (ADR 0018): core 0's spawnd refused the program with
 * ERR_CORE_ISA and said which letters it needs; the lowest-numbered online
 * core that has them all, or 0 if none does.
 */
static uint64_t core_that_fits(uint32_t need)
{
	for (unsigned k = 1; k < bi->ncores && k < BOOTINFO_MAX_CORES; k++)
		if (bi->cores[k].online && (bi->cores[k].isa_user & need) == need)
			return k;
	return 0;
}

static errval_t cmd_spawn(int argc, char **argv)
{
	uint64_t id, core = 0;
	char block[ARGS_MAX_BYTES] = {0};
	uint32_t bytes = 0;
	if (argc < 2 || (argc >= 3 && !parse_u64(argv[2], &core)))
		return ERR_SHELL_USAGE;
	errval_t err = argc > 3 ? args_pack(argc - 3, argv + 3, block, &bytes) : ERR_OK;
	if (!err && core == 0)
		err = start(argv[1], 0, block, bytes, &id);
	/* No core named: where the program fits, if core 0 does not. */
	if (err == ERR_CORE_ISA && argc < 3 && (core = core_that_fits((uint32_t)id)) != 0)
		err = start_on(core, argv[1], block, bytes, &id);
	else if (!err && core != 0)
		err = start_on(core, argv[1], block, bytes, &id);
	if (!err && core == 0)
		printf("spawned %s as domain %lu\n", argv[1], (unsigned long)id);
	else if (!err)
		printf("spawned %s as domain %lu on core %lu\n", argv[1], (unsigned long)id,
		       (unsigned long)core);
	return err;
}

static errval_t cmd_kill(int argc, char **argv)
{
	uint64_t id, core = 0;
	struct lmp_recv r;
	if (argc < 2 || argc > 3 || !parse_u64(argv[1], &id) ||
	    (argc == 3 && !parse_u64(argv[2], &core)))
		return ERR_SHELL_USAGE;
	if (core) { /* a domain another core's monitor started */
		union monitor_rep kr;
		errval_t err = monitor((union monitor_req){.domain = {MONITOR_DOMAIN, .core = core,
								      .id = id, .how = 1}},
				       &kr);
		if (!err)
			printf("killed domain %lu on core %lu\n", (unsigned long)id,
			       (unsigned long)core);
		return err;
	}
	errval_t err = spawnd(SPAWN_KILL, id, 0, 0, &r);
	if (!err)
		printf("killed domain %lu\n", (unsigned long)id);
	return err;
}

/* Wait for domain id on core to stop, and take it away; its exit status
   and faults. */
static errval_t wait_for(uint64_t core, uint64_t id, int64_t *status, uint64_t *faults)
{
	struct lmp_recv r;
	union monitor_rep mr;
	errval_t err;
	if (core == 0) {
		err = spawnd(SPAWN_WAIT, id, SPAWN_WAIT_REAP, 0, &r);
		*status = (int64_t)r.words[1];
		*faults = r.words[2];
		return err;
	}
	err = monitor((union monitor_req){.wait = {MONITOR_WAIT, .core = core, .id = id}}, &mr);
	*status = (int64_t)mr.wait.status;
	*faults = mr.wait.faults;
	return err;
}

static errval_t cmd_wait(int argc, char **argv)
{
	uint64_t id, core = 0, faults;
	int64_t status;
	if (argc < 2 || argc > 3 || !parse_u64(argv[1], &id) ||
	    (argc == 3 && !parse_u64(argv[2], &core)))
		return ERR_SHELL_USAGE;
	errval_t err = wait_for(core, id, &status, &faults);
	if (!err && faults)
		printf("domain %lu on core %lu faulted\n", (unsigned long)id, (unsigned long)core);
	else if (!err)
		printf("domain %lu on core %lu exited with status %ld\n", (unsigned long)id,
		       (unsigned long)core, (long)status);
	return err;
}

/* Start a module with a0 = arg and the arguments argv[0..argc-1] (its
   argv[1..]: its argv[0] is its name), wait for it to end, and take it
   away; its exit status. (A kill of its own, not the wait's: asked again
   while memory is short, as under faults=SEED.) */
static errval_t run_module(const char *name, uint32_t arg, int argc, char **argv)
{
	struct lmp_recv r;
	uint64_t id;
	char block[ARGS_MAX_BYTES];
	uint32_t bytes = 0;
	errval_t err = argc ? args_pack(argc, argv, block, &bytes) : ERR_OK;
	if (!err)
		err = start(name, arg, block, bytes, &id);
	if (err)
		return err;
	err = spawnd(SPAWN_WAIT, id, 0, 0, &r);
	int64_t status = (int64_t)r.words[1];
	uint64_t faults = r.words[2];
	errval_t kerr = spawnd(SPAWN_KILL, id, 0, 0, &r);
	if (kerr) /* (say, it shared memory with a core now dead: that stays) */
		printf("%s: the domain cannot be taken away: %s\n", name, err_str(kerr));
	if (err)
		return err;
	if (faults)
		printf("%s: the domain faulted\n", name);
	return kerr ? kerr : (status || faults) ? ERR_SHELL_USAGE : ERR_OK;
}

/* Test suites of the tests module, selected by name: entry i is bit i of
   its a0 (a bit without a suite has no name). */
static const char *const suites[] = {"caps", "vm",     "lmp",	"syscalls", "domains", "cores",
				     "race", "relay",  "mem",	"load",	    "stress",  "names",
				     "dead", "notify", "spawn", "chan",	    "memcore", "numa"};

static errval_t cmd_test(int argc, char **argv)
{
	uint64_t mask = 0;
	for (int i = 1; i < argc; i++) {
		unsigned s;
		for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
			if (suites[s] && !strcmp(argv[i], suites[s]))
				break;
		if (s == sizeof(suites) / sizeof(suites[0])) {
			printf("test: no suite '%s' (caps vm lmp syscalls domains cores race relay "
			       "mem load stress names dead notify spawn memcore numa)\n",
			       argv[i]);
			return ERR_SHELL_USAGE;
		}
		mask |= 1ull << s;
	}
	return run_module("tests", (uint32_t)mask, 0, NULL);
}

/* The benchmark checks its own arguments (and says how to use it). */
static errval_t cmd_bench(int argc, char **argv)
{
	return run_module("bench", 0, argc - 1, argv + 1);
}

/* `ubench`: the microbenchmarks; `ubench trace <holders> <mode>`: one
   traced revoke (docs/ubench.md, docs/tracing.md). Its a0: 0, or 1 |
   holders << 8 | how << 16 (how: 0 targeted, MON_REVOKE_BROADCAST,
   MON_REVOKE_STAR). It reports its own failures. */
static errval_t cmd_ubench(int argc, char **argv)
{
	static const char *const how[] = {"targeted", "broadcast", "star"};
	uint64_t k = 0, m = 0;
	if (argc == 4 && !strcmp(argv[1], "trace") && parse_u64(argv[2], &k) && k < 256)
		while (m < 3 && strcmp(argv[3], how[m]))
			m++;
	else if (argc != 1)
		return ERR_SHELL_USAGE;
	if (m == 3)
		return ERR_SHELL_USAGE;
	errval_t err =
	    run_module("ubench", argc == 1 ? 0 : (uint32_t)(1 | k << 8 | m << 16), 0, NULL);
	return err == ERR_SHELL_USAGE ? ERR_BENCH_FAILED : err;
}

static errval_t cmd_poweroff(int argc, char **argv);
static errval_t cmd_help(int argc, char **argv);

static const struct command {
	const char *name, *args, *help;
	errval_t (*fn)(int argc, char **argv);
} commands[] = {
    {"help", "", "this list", cmd_help},
    {"ps", "", "list domains", cmd_ps},
    {"mem", "", "free and total memory of each core's pool", cmd_mem},
    {"caps", "<domain>", "dump a domain's cspace", cmd_caps},
    {"spawn", "<module> [core [args...]]", "start a domain from a boot module", cmd_spawn},
    {"kill", "<domain> [core]", "stop a domain and take its memory back", cmd_kill},
    {"wait", "<domain> [core]", "wait for a domain to end, then take its memory back", cmd_wait},
    {"bench", "[shape [sizes] [mode...]]",
     "measure cross-core revocation (shapes copies chain tree many concurrent)", cmd_bench},
    {"ubench", "[trace <holders> <mode>]", "microbenchmarks in instructions; a traced revoke",
     cmd_ubench},
    {"test", "[suite...]",
     "run the in-system tests (caps vm lmp syscalls domains cores race relay mem load stress "
     "names dead spawn memcore numa)",
     cmd_test},
    {"cores", "", "list the cores and their monitors", cmd_cores},
    {"names", "", "list the registered names and their cores", cmd_names},
    {"capstat", "", "inter-monitor messages per core and operation", cmd_capstat},
    {"poweroff", "", "power the machine off", cmd_poweroff},
};

static unsigned failures; /* commands that failed in a run= script */
static bool scripted;

static errval_t cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %-26s %s\n", commands[i].name, commands[i].args, commands[i].help);
	return ERR_OK;
}

static errval_t cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fflush(stdout);
	union monitor_rep r;
	return monitor(
	    (union monitor_req){.poweroff = {MONITOR_POWEROFF, .status = scripted && failures}},
	    &r);
}

/* Split line in place into at most ARGS_MAX words. */
static int split(char *line, char **argv)
{
	int argc = 0;
	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

static void execute(char *line)
{
	char *argv[ARGS_MAX];
	int argc = split(line, argv);
	if (argc == 0)
		return;
	errval_t err = ERR_SHELL_USAGE;
	if (argc < 0) {
		printf("error: more than %d words\n", ARGS_MAX);
		failures++;
		return;
	}
	const struct command *c = NULL;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[0], commands[i].name))
			c = &commands[i];
	if (!c) {
		printf("error: unknown command '%s' (try help)\n", argv[0]);
		failures++;
		return;
	}
	err = c->fn(argc, argv);
	/* test and bench report their own failures */
	bool own = !strcmp(c->name, "test") || !strcmp(c->name, "bench");
	if (err == ERR_SHELL_USAGE && !own)
		printf("usage: %s %s\n", c->name, c->args);
	else if (err && err != ERR_SHELL_USAGE)
		printf("error: %s: %s\n", c->name, err_str(err));
	if (err)
		failures++;
}

/* `run=a; b; c` from the boot arguments, then power off. */
static void run_bootargs(void)
{
	const char *run = strstr(bi->bootargs, "run=");
	if (!run || (run != bi->bootargs && run[-1] != ' '))
		return;
	static char cmds[sizeof(bi->bootargs)];
	scripted = true;
	strncpy(cmds, run + 4, sizeof(cmds) - 1);
	for (char *cmd = cmds; cmd;) {
		char *next = strchr(cmd, ';');
		if (next)
			*next++ = 0;
		while (*cmd == ' ')
			cmd++;
		printf("reef> %s\n", cmd);
		execute(cmd);
		cmd = next;
	}
	printf("run: %u command(s) failed\n", failures);
	cmd_poweroff(0, NULL);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	run_bootargs();
	static char line[LINE_MAX];
	unsigned len = 0;
	bool overflow = false;
	printf("reef> ");
	fflush(stdout);
	for (;;) {
		struct lmp_recv m;
		if (rpc_next(&m))
			continue;
		if (m.badge != SERVER_SERIAL) { /* an answer nobody waits for: said, not hidden */
			if (m.has_cap)
				rpc_drop_cap();
			printf("shell: unexpected message from badge %#lx (word %#lx) ignored\n",
			       (unsigned long)m.badge, (unsigned long)m.words[0]);
			continue;
		}
		const uint8_t *bytes = (const uint8_t *)&m.words[2];
		for (uint64_t i = 0; i < m.words[1] && i < SERIAL_CHUNK; i++) {
			char c = (char)bytes[i];
			if (c == '\r' || c == '\n') {
				printf("\n");
				line[len] = 0;
				if (overflow)
					printf("error: line longer than %d characters ignored\n",
					       LINE_MAX - 1);
				else
					execute(line);
				len = 0;
				overflow = false;
				printf("reef> ");
			} else if ((c == 0x7f || c == '\b') && len) {
				len--;
				printf("\b \b");
			} else if (c >= ' ' && c < 0x7f) {
				if (len < LINE_MAX - 1)
					line[len++] = c;
				else
					overflow = true;
				printf("%c", c);
			} /* other control characters are ignored */
		}
		fflush(stdout);
	}
}
