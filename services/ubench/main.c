// SPDX-License-Identifier: MIT
/*
 * ubench: microbenchmarks of Reef's primitives in instructions, run by the
 * shell's `ubench` (docs/ubench.md), and one traced revoke for a timeline,
 * `ubench trace <holders> <mode>` (docs/tracing.md).
 *
 * Each case runs once to warm up, then ROUNDS times, and prints one line:
 *
 *   ubench op=<name> cores=<N> rounds=<R> msgs=<m> instr_median=<i>
 *          instr_min=<i> ticks_median=<t> ticks_min=<t>
 *
 * instr: the rdinstret delta around one operation. Under QEMU -icount
 * (hake/qemu.sh --accel icount) that is QEMU's virtual instruction clock:
 * the instructions every hart executed meanwhile (plus any idle time
 * skipped when every hart waited for a timer), the same in every run of
 * the same command. Under multi-threaded TCG it counts host ticks; on a
 * board it is this hart's own instructions. ticks: rdtime (bootinfo
 * timebase; under -icount virtual time, under TCG host time). A counter
 * the firmware does not let the core read (bootinfo's counters) reads as
 * 0, and the first line says so. msgs: the inter-monitor messages one
 * operation took (as the monitors report; 0 where none are needed).
 *
 * The cases (cores=N is the machine's; the cross-core ones need two):
 *   null          two counter reads, nothing between: the floor of the rest
 *   copy          cnode_copy of a Frame capability into an empty slot
 *   delete        cnode_delete of that copy (the Frame has another)
 *   retype        cap_retype of a 4 KiB RAM into one Frame
 *   revoke_local  cnode_revoke of a 4 KiB RAM with one Frame child
 *   lmp_rtt       LMP round trip between two domains on core 1 (ep_send,
 *                 the other's lmp_recv and ep_send back, lmp_recv)
 *   ump_rtt       chan_send then chan_recv from core 0 to an echo on core
 *                 1 (rt/chan.h: the receiver sleeps, a notification wakes it)
 *   ump_oneway    half of each ump_rtt round
 *   share         MONITOR_SHARE of a 4 KiB Frame to core 1 (no domain)
 *   share_revoke  monitor_revoke of that Frame (targeted: one pass, 2 messages)
 *
 * Parts it starts on core 1: `ubench lmpserv <name>`, `ubench lmpcli
 * <name> <cores>` (which prints the lmp_rtt line), `ubench echo <name>`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <rt/args.h>
#include <rt/chan.h>
#include <rt/mem.h>
#include <rt/monitor.h>
#include <rt/names.h>
#include <rt/rpc.h>
#include <rt/sys.h>

#define ROUNDS	    31
#define STOP	    0x73746f70ull /* "stop" */
#define LMP_SERVER  0x5562ull	  /* badges of the LMP pair's endpoints */
#define LMP_CLIENT  0x5563ull
#define PEER	    1 /* the core the cross-core cases go to */
#define TRACE_WORD  1 /* a0 from the shell: 1 | holders << 8 | how << 16 */
#define LOOKUP_NAPS 1000

static const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VADDR;

/* A counter the firmware does not let this core read (bootinfo's
   counters) would trap: it reads as 0 instead. */
static inline uint64_t instret(void)
{
	uint64_t v = 0;
	if (bi->counters & BOOTINFO_INSTRET)
		__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static inline uint64_t now(void)
{
	uint64_t v = 0;
	if (bi->counters & BOOTINFO_TIME)
		__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

/* A case's samples: one per round, after the warm-up. */
struct series {
	uint64_t instr[ROUNDS + 1], ticks[ROUNDS + 1];
	uint64_t i0, t0;
	unsigned n; /* samples taken, the warm-up's first */
	uint64_t msgs;
};

static inline void begin(struct series *s)
{
	s->t0 = now();
	s->i0 = instret();
}

static inline void end(struct series *s)
{
	uint64_t i = instret(), t = now();
	if (s->n <= ROUNDS) {
		s->instr[s->n] = i - s->i0;
		s->ticks[s->n] = t - s->t0;
		s->n++;
	}
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static unsigned online(void)
{
	unsigned n = 0;
	for (unsigned c = 0; c < bi->ncores; c++)
		n += bi->cores[c].online;
	return n;
}

/* The line of a case (its first sample, the warm-up, left out). */
static void report(const char *op, struct series *s, unsigned cores)
{
	unsigned n = s->n ? s->n - 1 : 0;
	uint64_t *i = s->instr + 1, *t = s->ticks + 1;
	if (!n) {
		printf("ubench: op=%s: no samples\n", op);
		return;
	}
	sort(i, n);
	sort(t, n);
	printf("ubench op=%s cores=%u rounds=%u msgs=%lu instr_median=%lu instr_min=%lu "
	       "ticks_median=%lu ticks_min=%lu\n",
	       op, cores, n, (unsigned long)s->msgs, (unsigned long)i[n / 2], (unsigned long)i[0],
	       (unsigned long)t[n / 2], (unsigned long)t[0]);
}

#define SLOT(s) CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s)

static errval_t frame_of(capaddr_t ram, capaddr_t f)
{
	return cap_retype(ram, OBJ_FRAME, 0, OBJSIZE_PAGE, 1, SLOT(f));
}

/* The Frame f (if any) and the RAM it came from (if any) go; err, or what
   giving the RAM back gave. */
static errval_t drop_frame(capaddr_t ram, capaddr_t f, errval_t err)
{
	if (f != SLOT_NONE) {
		cnode_delete(SLOT(f));
		slot_free(f);
	}
	errval_t e = ram == SLOT_NONE ? ERR_OK : ram_free(ram);
	return err ? err : e;
}

/* null, copy and delete: a copy of a Frame made and deleted each round. */
static errval_t copy_delete(void)
{
	static struct series null, copy, del;
	capaddr_t ram = SLOT_NONE, f = slot_alloc(), c = slot_alloc();
	errval_t err = ram_alloc(OBJSIZE_PAGE, &ram);
	if (!err)
		err = frame_of(ram, f);
	for (unsigned r = 0; !err && r <= ROUNDS; r++) {
		begin(&null);
		end(&null);
		begin(&copy);
		err = cnode_copy(SLOT(c), f, CAP_RIGHTS_ALL);
		end(&copy);
		begin(&del);
		if (!err)
			err = cnode_delete(SLOT(c));
		end(&del);
	}
	if (!err) {
		report("null", &null, online());
		report("copy", &copy, online());
		report("delete", &del, online());
	}
	slot_free(c);
	return drop_frame(ram, f, err);
}

/* retype and revoke_local: one RAM, retyped into a Frame and revoked. */
static errval_t retype_revoke(void)
{
	static struct series retype, revoke;
	capaddr_t ram = SLOT_NONE, f = slot_alloc();
	errval_t err = ram_alloc(OBJSIZE_PAGE, &ram);
	for (unsigned r = 0; !err && r <= ROUNDS; r++) {
		begin(&retype);
		err = frame_of(ram, f);
		end(&retype);
		begin(&revoke);
		if (!err)
			err = cnode_revoke(SLOT(ram));
		end(&revoke);
	}
	if (!err) {
		report("retype", &retype, online());
		report("revoke_local", &revoke, online());
	}
	return drop_frame(ram, f, err); /* (f is empty unless a revoke failed) */
}

/* share and share_revoke: a fresh Frame shared with core PEER, revoked. */
static errval_t share_revoke(void)
{
	static struct series share, revoke;
	errval_t err = ERR_OK;
	for (unsigned r = 0; !err && r <= ROUNDS; r++) {
		capaddr_t ram = SLOT_NONE, f = slot_alloc();
		union monitor_rep rep = {0};
		err = ram_alloc(OBJSIZE_PAGE, &ram);
		if (!err)
			err = frame_of(ram, f);
		begin(&share);
		if (!err)
			err = monitor_ask(
			    (union monitor_req){.share = {MONITOR_SHARE, .core = PEER}}, f, &rep);
		end(&share);
		share.msgs = rep.share.msgs;
		begin(&revoke);
		if (!err)
			err = monitor_revoke(f, 0, &rep);
		end(&revoke);
		revoke.msgs = rep.revoke.msgs;
		err = drop_frame(ram, f, err);
	}
	if (!err) {
		report("share", &share, online());
		report("share_revoke", &revoke, online());
	}
	return err;
}

/* ---- the parts on core PEER ---- */

/* ubench echo <name>: every message back, STOP too, then close. */
static int echo(const char *name)
{
	struct chan c;
	uint64_t w[CHAN_WORDS];
	errval_t err = chan_listen(name);
	if (!err)
		err = chan_accept(&c);
	while (!err && !(err = chan_recv(&c, w)) && !(err = chan_send(&c, w)) && w[0] != STOP)
		;
	if (err)
		printf("ubench: echo on core %u: %s\n", rt_core(), err_str(err));
	else
		chan_close(&c);
	return err != ERR_OK;
}

/* ubench lmpserv <name>: the client's endpoint comes first, then every
   message goes back on it, STOP last. */
static int lmp_server(const char *name)
{
	capaddr_t ep = slot_alloc(), client = slot_alloc();
	bool have = false;
	struct lmp_recv m;
	errval_t err = cnode_mint(SLOT(ep), CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, LMP_SERVER);
	if (!err)
		err = name_register(name, ep);
	while (!err) {
		if (lmp_recv(1, &m))
			continue;
		if (m.has_cap && (m.badge != LMP_SERVER || have)) {
			rpc_drop_cap(); /* not ours */
			continue;
		}
		if (m.badge != LMP_SERVER)
			continue;
		if (m.has_cap) {
			err = rpc_take_cap(client);
			have = !err;
		}
		if (have)
			err = ep_send(client, m.words, CAPADDR_NONE);
		if (m.words[0] == STOP)
			break;
	}
	if (err)
		printf("ubench: lmpserv on core %u: %s\n", rt_core(), err_str(err));
	return err != ERR_OK;
}

/* One message to the server and its answer back. */
static errval_t lmp_call(capaddr_t srv, uint64_t w[4], uint64_t cap)
{
	struct lmp_recv m;
	errval_t err = ep_send(srv, w, cap);
	while (!err && !(err = lmp_recv(1, &m)) && m.badge != LMP_CLIENT)
		if (m.has_cap)
			rpc_drop_cap();
	return err ? err : m.words[0] == w[0] ? ERR_OK : ERR_CHAN_BROKEN;
}

/* ubench lmpcli <name> <cores>: find the server here, round trips. */
static int lmp_client(const char *name, unsigned cores)
{
	static struct series s;
	capaddr_t srv = slot_alloc(), me = slot_alloc();
	unsigned core = ~0u;
	errval_t err = ERR_NAME_NOT_FOUND;
	for (unsigned i = 0; i < LOOKUP_NAPS && err == ERR_NAME_NOT_FOUND; i++)
		if ((err = name_lookup(name, &core, srv)) == ERR_NAME_NOT_FOUND)
			rpc_nap(1); /* the server registers it soon */
	if (!err && core != rt_core())
		err = ERR_NAME_REMOTE;
	if (!err)
		err = cnode_mint(SLOT(me), CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, LMP_CLIENT);
	uint64_t w[4] = {0};
	if (!err)
		err = lmp_call(srv, w, me); /* our endpoint goes with the first */
	for (unsigned r = 0; !err && r <= ROUNDS; r++) {
		w[0] = r + 1;
		begin(&s);
		err = lmp_call(srv, w, CAPADDR_NONE);
		end(&s);
	}
	w[0] = STOP;
	if (!err)
		err = lmp_call(srv, w, CAPADDR_NONE);
	if (err)
		printf("ubench: lmpcli on core %u: %s\n", rt_core(), err_str(err));
	else
		report("lmp_rtt", &s, cores);
	return err != ERR_OK;
}

/* ---- from core 0 ---- */

static errval_t finish(uint64_t id, errval_t err)
{
	int64_t status = 0;
	uint64_t faults = 0;
	errval_t e = monitor_wait(PEER, id, &status, &faults);
	if (!e && (status || faults))
		e = ERR_BENCH_FAILED;
	return err ? err : e;
}

/* lmp_rtt: both parts on core PEER; the client prints the line. */
static errval_t lmp_pair(void)
{
	char name[NAME_MAX_LEN + 1];
	snprintf(name, sizeof(name), "ubl%lu", (unsigned long)rt_domain());
	char cores[12];
	snprintf(cores, sizeof(cores), "%u", online());
	char *sargv[] = {"lmpserv", name}, *cargv[] = {"lmpcli", name, cores};
	uint64_t sid, cid;
	errval_t err = monitor_spawn(PEER, "ubench", 0, 2, sargv, &sid);
	if (err)
		return err;
	err = monitor_spawn(PEER, "ubench", 0, 3, cargv, &cid);
	if (!err)
		err = finish(cid, ERR_OK);
	return finish(sid, err);
}

/* ump_rtt and ump_oneway: round trips to an echo on core PEER. */
static errval_t ump_pair(void)
{
	static struct series rtt, oneway;
	char name[NAME_MAX_LEN + 1];
	snprintf(name, sizeof(name), "ubu%lu", (unsigned long)rt_domain());
	char *eargv[] = {"echo", name};
	uint64_t id, w[CHAN_WORDS] = {0};
	struct chan c;
	errval_t err = monitor_spawn(PEER, "ubench", 0, 2, eargv, &id);
	if (err)
		return err;
	err = chan_bind_wait(name, &c, LOOKUP_NAPS);
	bool bound = !err;
	for (unsigned r = 0; !err && r <= ROUNDS; r++) {
		w[0] = r;
		begin(&rtt);
		if (!(err = chan_send(&c, w)))
			err = chan_recv(&c, w);
		end(&rtt);
		if (!err && w[0] != r)
			err = ERR_CHAN_BROKEN;
	}
	w[0] = STOP;
	if (!err && !(err = chan_send(&c, w)))
		err = chan_recv(&c, w); /* then it closes: we may too */
	if (bound)
		chan_close(&c);
	oneway = rtt;
	for (unsigned r = 0; r < oneway.n; r++) {
		oneway.instr[r] /= 2;
		oneway.ticks[r] /= 2;
	}
	if (!err) {
		report("ump_rtt", &rtt, online());
		report("ump_oneway", &oneway, online());
	}
	return finish(id, err);
}

/* ---- one traced revoke (docs/tracing.md) ---- */

static const char *const modes[] = {"targeted", "broadcast", "star"}; /* by `how` */

/* A fresh Frame in *f (from *ram) shared with the first k other cores. */
static errval_t shared_frame(unsigned k, capaddr_t *ram, capaddr_t *f)
{
	union monitor_rep rep;
	*f = slot_alloc();
	*ram = SLOT_NONE;
	errval_t err = ram_alloc(OBJSIZE_PAGE, ram);
	if (!err)
		err = frame_of(*ram, *f);
	for (unsigned c = 1, given = 0; !err && given < k && c < bi->ncores; c++)
		if (bi->cores[c].online) {
			err = monitor_ask((union monitor_req){.share = {MONITOR_SHARE, .core = c}},
					  *f, &rep);
			given++;
		}
	return err;
}

/* Share with k cores and revoke (how); traced when trace is set. */
static errval_t revoke_once(unsigned k, uint64_t how, bool trace)
{
	capaddr_t ram, f;
	union monitor_rep rep = {0}, started, dump = {0};
	errval_t err = shared_frame(k, &ram, &f);
	if (!err && trace)
		err = monitor_ask((union monitor_req){.trace_start = {MONITOR_TRACE_START}},
				  CAPADDR_NONE, &started);
	bool dumps = trace && !err; /* (a failed revoke's trace too) */
	if (!err)
		err = monitor_revoke(f, how, &rep);
	errval_t e = !dumps ? ERR_OK
			    : monitor_ask((union monitor_req){.trace_dump = {MONITOR_TRACE_DUMP}},
					  CAPADDR_NONE, &dump);
	err = err ? err : e;
	if (!err && trace)
		printf("ubench trace cores=%u holders=%u mode=%s msgs=%lu traced=%lu lines=%lu "
		       "dropped=%lu\n",
		       online(), k, modes[how], (unsigned long)rep.revoke.msgs,
		       (unsigned long)dump.trace_dump.cores, (unsigned long)dump.trace_dump.lines,
		       (unsigned long)dump.trace_dump.dropped);
	return drop_frame(ram, f, err);
}

/* ubench trace <holders> <mode>: once untraced (the tree's channels are
   opened then, which the traced one does not count), then traced. */
static int trace(unsigned k, const char *mode)
{
	uint64_t how = 0;
	while (how < 3 && strcmp(mode, modes[how]))
		how++;
	if (how == 3 || k >= online()) {
		printf("ubench: trace <holders 0..%u> <targeted|star|broadcast>\n", online() - 1);
		return 2;
	}
	errval_t err = revoke_once(k, how, false);
	if (!err)
		err = revoke_once(k, how, true);
	if (err)
		printf("ubench: trace: %s\n", err_str(err));
	return err != ERR_OK;
}

/* Every case, in order; the first error stops them. */
static int micro(void)
{
	printf("ubench: %u cores, %u rounds after one to warm up, timebase %lu Hz%s%s\n", online(),
	       ROUNDS, (unsigned long)bi->timebase,
	       bi->counters & BOOTINFO_INSTRET ? "" : "; rdinstret not readable: instr 0",
	       bi->counters & BOOTINFO_TIME ? "" : "; rdtime not readable: ticks 0");
	errval_t err = copy_delete();
	if (!err)
		err = retype_revoke();
	if (!err && (bi->ncores <= PEER || !bi->cores[PEER].online)) {
		printf("ubench: one core: no cross-core cases\n");
		return err != ERR_OK;
	}
	if (!err)
		err = lmp_pair();
	if (!err)
		err = ump_pair();
	if (!err)
		err = share_revoke();
	if (err)
		printf("ubench: %s\n", err_str(err));
	return err != ERR_OK;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "echo"))
		return echo(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "lmpserv"))
		return lmp_server(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "lmpcli"))
		return lmp_client(argv[2], (unsigned)atoi(argv[3]));
	uint64_t a0 = rt_arg();
	errval_t err = ram_init(CAPADDR(CN_TASK, TASK_RAM));
	if (!err)
		err = win_init();
	if (!err)
		err = monitor_bind();
	if (err) {
		printf("ubench: cannot start: %s\n", err_str(err));
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "trace"))
		return trace((unsigned)atoi(argv[2]), argv[3]);
	if (argc <= 1 && (a0 & 0xff) == TRACE_WORD && ((a0 >> 16) & 0xff) < 3)
		return trace((unsigned)(a0 >> 8) & 0xff, modes[(a0 >> 16) & 0xff]);
	if (argc <= 1 && !a0)
		return micro();
	printf("usage: ubench [trace <holders> <targeted|star|broadcast>]\n");
	return 2;
}
