// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/caps: the input is read as a sequence of
 * operations (copy/mint, retype, delete, revoke, delete steps, lookup,
 * identify, copies into and deletes from CNodes) with arbitrary arguments, good and bad, on
 * capabilities over a 1 MiB arena. After every operation the database invariants must hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <caps/caps.h>

#include "fuzz_input.h"

#define ARENA_BASE 0x80000000ull
#define ARENA_SIZE (1u << 20)
#define NSLOTS	   32

static uint8_t arena[ARENA_SIZE] __attribute__((aligned(4096)));
static struct cte slots[NSLOTS];

static void *p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < ARENA_BASE || pa - ARENA_BASE >= ARENA_SIZE)
		abort(); /* lib/caps followed a capability outside its memory */
	return arena + (pa - ARENA_BASE);
}

static const uint64_t sizes[] = {0,	4096,  8192, 16384,	 32768,
				 65536, 12288, 1000, 1ull << 40, ARENA_SIZE};

static void check(const struct caps_env *env)
{
	if (caps_check_invariants(env))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caps_env env;
	struct input in = {data, size};
	memset(slots, 0, sizeof(slots));
	memset(arena, 0, sizeof(arena));
	caps_env_init(&env, p2v, NULL, NULL);
	/* slots[0]: a PhysAddr root the operations cannot name (like the memory
	   the kernel keeps), so revoking it at the end must reach everything.
	   slots[1]: RAM over all of it, where the operations start. */
	slots[0].cap = (struct capability){
	    .type = OBJ_PHYSADDR, .rights = CAP_RIGHTS_ALL, .base = ARENA_BASE, .size = ARENA_SIZE};
	mdb_insert(&env, &slots[0]);
	if (caps_retype(&env, &slots[0], OBJ_RAM, 0, ARENA_SIZE, 1, &slots[1]))
		abort();
	for (unsigned step = 0; in.n && step < 256; step++) {
		unsigned op = (unsigned)take(&in, 1) % 9;
		struct cte *a = &slots[1 + take(&in, 1) % (NSLOTS - 1)];
		struct cte *b = &slots[1 + take(&in, 1) % (NSLOTS - 1)];
		struct cap_info ci;
		struct cte *found;
		switch (op) {
		case 0:
			caps_copy(&env, a, b, (uint8_t)take(&in, 1), take(&in, 1) % 3);
			break;
		case 1: {
			enum objtype t = (enum objtype)(take(&in, 1) % (OBJ_TYPE_COUNT + 1));
			uint64_t off =
			    (take(&in, 1) % 300) * 4096 + (take(&in, 1) % 4 == 0 ? 7 : 0);
			uint64_t sz = sizes[take(&in, 1) % (sizeof(sizes) / sizeof(sizes[0]))];
			uint32_t count = (uint32_t)(take(&in, 1) % 5);
			unsigned first = (unsigned)(a - slots); /* >= 1 */
			if (count && first + count > NSLOTS)
				count = NSLOTS - first;
			caps_retype(&env, b, t, off, sz, count, a);
			break;
		}
		case 2:
			caps_delete(&env, a);
			break;
		case 3:
			caps_revoke(&env, a, 1 + (unsigned)take(&in, 1) % 8);
			break;
		case 4:
			caps_delete_step(&env, 1 + (unsigned)take(&in, 1) % 8);
			break;
		case 5: { /* describe: identify, relations (bounded), a mark */
			unsigned copies, max = 1 + (unsigned)take(&in, 1) % 70;
			bool descs, on = take(&in, 1) & 1;
			caps_identify(a, &ci);
			if (caps_relations(&env, a, max, &copies, &descs) == ERR_OK &&
			    (copies < 1 || copies > max ||
			     (!descs && mdb_has_descendants(&env, a)) ||
			     (!descs && (copies > 1) != mdb_has_copies(&env, a))))
				abort();
			if (caps_mark(&env, a->cap.type, a->cap.base, a->cap.size, on) == ERR_OK &&
			    on && !caps_marked(&env, &a->cap))
				abort();
			break;
		}
		case 7: /* into a CNode's slot, so CNodes hold things (zombies) */
		case 8: {
			uint64_t n;
			if (a->cap.type != OBJ_L1CNODE && a->cap.type != OBJ_L2CNODE)
				break;
			struct cte *in_cn = &caps_cnode_slots(&env, &a->cap, &n)[take(&in, 1) % n];
			if (op == 7)
				caps_copy(&env, in_cn, b, CAP_RIGHTS_ALL, 0);
			else
				caps_delete(&env, in_cn);
			break;
		}
		default:
			caps_lookup(&env, &a->cap, (capaddr_t)take(&in, 4),
				    (unsigned)take(&in, 1) % 4, &found);
			break;
		}
		check(&env);
	}
	/* Revoking the root reaches everything: nothing may be left over. */
	caps_delete_step(&env, 1u << 20);
	if (caps_revoke(&env, &slots[0], 1u << 20) != ERR_OK)
		abort();
	check(&env);
	if (env.count != 1 || env.zombies)
		abort();
	return 0;
}
