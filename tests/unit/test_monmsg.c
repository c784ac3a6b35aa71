// SPDX-License-Identifier: MIT
/* Host tests of the message declarations (abi/monmsg.h, abi/monreq.h):
   the named fields land in the words the protocol documents, so monitors,
   clients and older readers of the words agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <abi/args.h>
#include <abi/monitor.h>

/* Every inter-monitor answer starts with req, then err (STATUS: req). */
static void test_answers_start_alike(void **state)
{
	(void)state;
#define ANSWER(n, T)                                                                               \
	do {                                                                                       \
		assert_int_equal(offsetof(struct mon_##n, req), 0);                                \
		assert_int_equal(offsetof(struct mon_##n, err), 8);                                \
		assert_true(mon_msg_answer[T]);                                                    \
		answers++;                                                                         \
	} while (0)
	unsigned answers = 0, declared = 0;
	ANSWER(cap_delivered, MON_CAP_DELIVERED);
	ANSWER(cap_swept, MON_CAP_SWEPT);
	ANSWER(cap_counted, MON_CAP_COUNTED);
	ANSWER(spawned, MON_SPAWNED);
	ANSWER(domain_status, MON_DOMAIN_STATUS);
	ANSWER(checked, MON_CHECKED);
	ANSWER(revoke_reply, MON_REVOKE_REPLY);
	ANSWER(retype_reply, MON_RETYPE_REPLY);
	ANSWER(copy_reply, MON_COPY_REPLY);
	ANSWER(connected, MON_CONNECTED);
	ANSWER(chan_opened, MON_CHAN_OPENED);
	ANSWER(cap_marked, MON_CAP_MARKED);
	ANSWER(name_regged, MON_NAME_REGGED);
	ANSWER(name_found, MON_NAME_FOUND);
	ANSWER(waited, MON_WAITED);
	ANSWER(chan_answer, MON_CHAN_ANSWER);
	ANSWER(mem_given, MON_MEM_GIVEN);
	ANSWER(far_done, MON_FAR_DONE);
	ANSWER(cap_revoked, MON_CAP_REVOKED);
	ANSWER(trace_done, MON_TRACE_DONE);
#undef ANSWER
	assert_int_equal(offsetof(struct mon_status, req), 0); /* then core, not err */
	assert_true(mon_msg_answer[MON_STATUS]);
	for (unsigned t = 0; t < MON_MSG_END; t++)
		declared += mon_msg_known(t) && mon_msg_answer[t];
	assert_int_equal(declared, answers + 1);
	assert_int_equal(offsetof(struct mon_cap_swept, err), 8);
	assert_int_equal(offsetof(struct mon_status, core), 8);
	assert_int_equal(mon_msg_op[MON_CAP_MARK], MON_OP_REVOKE);
	/* The revoke in one pass (ADR 0017) and its answer, which carries the
	   subtree's depth after the sums, as the broadcast's answers do. */
	assert_int_equal(mon_msg_op[MON_CAP_REVOKE], MON_OP_REVOKE);
	assert_int_equal(mon_msg_op[MON_CAP_REVOKED], MON_OP_REVOKE);
	assert_false(mon_msg_answer[MON_CAP_REVOKE]);
	assert_int_equal(offsetof(struct mon_cap_revoked, depth), 32);
	assert_int_equal(offsetof(struct mon_cap_swept, depth), 32);
	assert_int_equal(offsetof(struct mon_revoke_reply, depth), 24);
	assert_int_equal(offsetof(struct mon_revoke_reply, xnode), 32);
	assert_int_equal(offsetof(struct mon_cap_revoked, xnode), 40);
	assert_int_equal(mon_msg_op[MON_SPAWN_ARGS], MON_OP_STATUS);
	assert_false(mon_msg_answer[MON_SPAWN_ARGS]);
	assert_false(mon_msg_answer[MON_WAIT]);
	/* MON_FAR_ARGS is laid out as MON_SPAWN_ARGS, its words in one message
	   and the request's four words and what taking the block gave in the
	   other (ADR 0015). */
	assert_int_equal(offsetof(struct mon_far_args, data),
			 offsetof(struct mon_spawn_args, data));
	assert_int_equal(offsetof(struct mon_far_req, q), 8);
	assert_int_equal(offsetof(struct mon_far_req, args_err), 40);
	assert_false(mon_msg_answer[MON_FAR_ARGS]);
	assert_false(mon_msg_answer[MON_FAR_REQ]);
	assert_int_equal(MON_TRACE, 57);
	assert_false(mon_msg_answer[MON_TRACE]);
	assert_int_equal(offsetof(struct mon_trace_done, dropped), 24);
	assert_false(mon_msg_known(0));
	assert_true(mon_msg_known(MON_CAP_MARKED));
	assert_false(mon_msg_known(MON_MSG_END));
}

/* Packed fields of client replies: where abi/monitor.h's readers expect. */
static void test_packed_fields(void **state)
{
	(void)state;
	union monitor_rep r = {.cores = {.core = 3, .hart = 5, .state = 1, .dispatchers = 4095}};
	assert_int_equal(r.words[1], 3 | 5ull << 16 | 1ull << 48 | 4095ull << 52);
	memcpy(r.cores.isa, "rv64imafdc_zicsr", 16);
	assert_memory_equal(&r.words[2], "rv64imafdc_zicsr", 16);

	r = (union monitor_rep){.capstat = {.core = 9, .op = MON_OP_REVOKE, .messages = 44}};
	assert_int_equal(r.words[1], 9 | (uint64_t)MON_OP_REVOKE << 32);
	assert_int_equal(r.words[2], 44);

	r = (union monitor_rep){.domain = {.state = 2, .status = 0xfffffe, .faults = 3}};
	assert_int_equal(r.words[1], 2 | 0xfffffeull << 8 | 3ull << 32);
	assert_int_equal((int32_t)((uint32_t)r.domain.status << 8) >> 8, -2); /* exit(-2) */

	r = (union monitor_rep){.domain_list = {.ids = {1, 2, 3, 4, 5, 6}}};
	assert_int_equal(r.words[1], 1 | 2ull << 32);
	assert_int_equal(r.words[3], 5 | 6ull << 32);

	union monitor_req q = {.spawn = {MONITOR_SPAWN, .core = 4, .arg = 0x1234}};
	assert_int_equal(q.words[0], MONITOR_SPAWN);
	assert_int_equal(q.words[1], 4 | 0x1234ull << 32);
	assert_int_equal(q.op, MONITOR_SPAWN);
	q.spawn.args = 256; /* between core and arg */
	assert_int_equal(q.words[1], 4 | 256ull << 16 | 0x1234ull << 32);

	/* A fragment as a client sends it: where struct args_fragment says. */
	q = (union monitor_req){.args = {MONITOR_ARGS, .offset = 32, .total = 256}};
	memcpy(q.args.data, "0123456789abcdef", 16);
	struct args_fragment f;
	memcpy(&f, q.words, sizeof(f));
	assert_int_equal(f.op, MONITOR_ARGS);
	assert_int_equal(f.offset, 32);
	assert_int_equal(f.total, 256);
	assert_memory_equal(f.data, "0123456789abcdef", ARGS_FRAGMENT);
	assert_int_equal(sizeof(f), sizeof(q.words));
	assert_int_equal(q.words[1], 32 | 256ull << 32);
}

/* Plain fields are whole words in order; the first view names the same
   word for every request (op) and reply (err). */
static void test_plain_fields(void **state)
{
	(void)state;
	union monitor_req q = {.count = {MONITOR_COUNT, .core = 1, .base = 2, .size = 3}};
	assert_int_equal(q.words[1], 1);
	assert_int_equal(q.words[2], 2);
	assert_int_equal(q.words[3], 3);
	q = monitor_req_of((uint64_t[4]){MONITOR_RETYPE, 0x1000, 0x2000, 4});
	assert_int_equal(q.retype.offset, 0x1000);
	assert_int_equal(q.retype.size, 0x2000);
	assert_int_equal(q.retype.type, 4);
	union monitor_rep r = monitor_rep_of((uint64_t[4]){0, 1, 2, 3 | 4ull << 32});
	assert_int_equal(r.revoke.cores, 1);
	assert_int_equal(r.revoke.deleted, 2);
	assert_int_equal(r.revoke.msgs, 3); /* msgs and depth share the last word */
	assert_int_equal(r.revoke.depth, 4);
	assert_int_equal(r.revoke.xnode, 0);
	r = monitor_rep_of((uint64_t[4]){0, 7 | 6ull << 32, 2, 3});
	assert_int_equal(r.revoke.cores, 7); /* cores and xnode share the first word */
	assert_int_equal(r.revoke.xnode, 6);
	r = monitor_rep_of((uint64_t[4]){0, 1, 2, 3 | 4ull << 32});
	assert_int_equal(r.share.word, 1);
	assert_int_equal(r.share.msgs, 2);
	r = (union monitor_rep){.handed = {.va = MON_SHARE_VA, .core = 2}};
	assert_int_equal(r.words[0], MON_SHARE_VA);
	assert_int_equal(r.words[1], 2);
	/* The numbers are the wire's. */
	assert_int_equal(MONITOR_CORES, 1);
	assert_int_equal(MONITOR_ADOPT, 13);
	assert_int_equal(MONITOR_WAIT, 15);
	assert_int_equal(MONITOR_NAME_REGISTER, 20);
	assert_int_equal(MONITOR_NOTIFY_MAKE, 24);
	assert_int_equal(MONITOR_CHAN_BIND, 25);
	assert_int_equal(MONITOR_CHAN_CLOSE, 29);
	assert_int_equal(MONITOR_MEM_MORE, 32);
	assert_int_equal(MONITOR_TRACE_START, 37);
	assert_int_equal(MONITOR_TRACE_DUMP, 38);
	assert_int_equal(MONITOR_REQ_END, 39); /* (entries in the order of their numbers) */
	q = (union monitor_req){.chan_take = {MONITOR_CHAN_TAKE, .chan = 7, .type = 3, .pages = 2}};
	assert_int_equal(q.words[2], 3 | 2ull << 8);
	q = (union monitor_req){.chan_bind = {MONITOR_CHAN_BIND, .core = 5, .slot = 6, .gen = 9}};
	assert_int_equal(q.words[1], 5 | 6ull << 16 | 9ull << 32);
	q = (union monitor_req){.wait = {MONITOR_WAIT, .core = 3, .id = 2}};
	assert_int_equal(q.words[1], 3);
	assert_int_equal(q.words[2], 2);
	assert_int_equal(q.domain.core, 3); /* where MONITOR_DOMAIN has them */
	assert_int_equal(q.domain.id, 2);
	r = monitor_rep_of((uint64_t[4]){0, (uint64_t)-7, 1, 0});
	assert_int_equal((int64_t)r.wait.status, -7);
	assert_int_equal(r.wait.faults, 1);
	assert_int_equal(r.domain_mem.free, (uint64_t)-7);
	assert_int_equal(r.domain_mem.total, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answers_start_alike),
	    cmocka_unit_test(test_packed_fields),
	    cmocka_unit_test(test_plain_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
