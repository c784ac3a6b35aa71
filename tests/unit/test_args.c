// SPDX-License-Identifier: MIT
/* Host tests of argument blocks (lib/rt/src/args.c, abi/args.h): packed,
   sent in fragments, put together again at the receiver, and laid out as
   the image a domain finds at ARGS_VADDR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rt/args.h>
#include <rt/rpc.h>

/* The fragments args_send sent (rpc_send, stubbed). */
static struct args_fragment sent[64];
static unsigned nsent;

errval_t rpc_send(capaddr_t ep, const uint64_t req[4], uint64_t cap)
{
	(void)ep;
	(void)cap;
	assert_true(nsent < 64);
	memcpy(&sent[nsent++], req, sizeof(sent[0]));
	return ERR_OK;
}

/* Pack argv, send it, put it together again: the same bytes come out. */
static uint32_t round_trip(int argc, char *argv[], struct args_in *in, char *block)
{
	uint32_t bytes = 0;
	assert_int_equal(args_pack(argc, argv, block, &bytes), ERR_OK);
	nsent = 0;
	assert_int_equal(args_send(7, 99, block, bytes), ERR_OK);
	assert_int_equal(nsent, (bytes + ARGS_FRAGMENT - 1) / ARGS_FRAGMENT);
	for (unsigned i = 0; i < nsent; i++) {
		assert_int_equal(sent[i].op, 99);
		args_put(in, sent[i].offset, sent[i].total, sent[i].data, sizeof(sent[i].data));
	}
	return bytes;
}

static void test_pack_send_put(void **state)
{
	(void)state;
	static struct args_in in;
	char block[ARGS_MAX_BYTES], word[32][8];
	char *argv[33] = {"x", "yz", ""};
	uint32_t bytes = round_trip(3, argv, &in, block);
	assert_int_equal(bytes, 6);
	assert_int_equal(args_take(&in, bytes), ERR_OK);
	assert_memory_equal(in.buf, "x\0yz\0", 6);
	for (int i = 0; i < 32; i++) { /* exactly ARGS_MAX_BYTES */
		strcpy(word[i], "1234567");
		argv[i] = word[i];
	}
	bytes = round_trip(32, argv, &in, block);
	assert_int_equal(bytes, ARGS_MAX_BYTES);
	assert_int_equal(args_take(&in, bytes), ERR_OK);
	assert_memory_equal(in.buf, block, ARGS_MAX_BYTES);
	argv[32] = "";
	assert_int_equal(args_pack(33, argv, block, &bytes), ERR_ARGS_TOO_LONG);
	assert_int_equal(args_take(&in, 6), ERR_ARGS_INCOMPLETE); /* taken already */
}

static void test_bad_blocks(void **state)
{
	(void)state;
	static struct args_in in;
	const char *d = "0123456789abcdef";
	args_put(&in, 0, ARGS_MAX_BYTES + 1, d, 16);
	assert_int_equal(args_take(&in, ARGS_MAX_BYTES + 1), ERR_ARGS_TOO_LONG);
	assert_int_equal(args_take(&in, ARGS_MAX_BYTES + 1), ERR_ARGS_TOO_LONG); /* none sent */
	args_put(&in, 0, 32, d, 16);
	assert_int_equal(args_take(&in, 32), ERR_ARGS_INCOMPLETE); /* half of it */
	args_put(&in, 0, 40, d, 16);
	args_put(&in, 20, 40, d, 16); /* not where the last ended */
	args_put(&in, 32, 40, d, 16);
	assert_int_equal(args_take(&in, 40), ERR_ARGS_INCOMPLETE);
	args_put(&in, 16, 32, d, 16); /* nothing begun */
	assert_int_equal(args_take(&in, 32), ERR_ARGS_INCOMPLETE);
	args_put(&in, 0, 20, d, 16);
	args_put(&in, 16, 20, d, 16);				   /* only 4 of its bytes belong */
	assert_int_equal(args_take(&in, 16), ERR_ARGS_INCOMPLETE); /* not that long */
	args_put(&in, 0, 20, d, 16);
	args_put(&in, 16, 20, d, 16);
	assert_int_equal(args_take(&in, 20), ERR_OK);
	assert_memory_equal(in.buf, "0123456789abcdef0123", 20);
	static const char ok[ARGS_FRAGMENT] = "ok";
	args_put(&in, 0, 32, d, 16);
	args_put(&in, 0, 3, ok, 16); /* replaces it */
	assert_int_equal(args_take(&in, 3), ERR_OK);
	assert_string_equal(in.buf, "ok");
	args_put(&in, 0, 3, ok, 16);
	assert_int_equal(args_take(&in, 0), ERR_OK); /* a start without: dropped */
	assert_int_equal(args_take(&in, 3), ERR_ARGS_INCOMPLETE);
}

/* The address a pointer in the image has at ARGS_VADDR, here. */
static const char *at(const void *page, uint64_t va)
{
	assert_true(va >= ARGS_VADDR && va < ARGS_VADDR + 4096);
	return (const char *)page + (va - ARGS_VADDR);
}

static void test_image(void **state)
{
	(void)state;
	static uint64_t page[512];
	static char empties[ARGS_MAX_BYTES];
	uint32_t len;
	assert_int_equal(args_image(page, "hello", "a\0bc\0", 5, 42, &len), ERR_OK);
	const struct args_image *img = (const void *)page;
	assert_int_equal(img->magic, ARGS_MAGIC);
	assert_int_equal(img->argc, 3);
	assert_int_equal(img->domain, 42);
	assert_string_equal(at(page, img->argv[0]), "hello");
	assert_string_equal(at(page, img->argv[1]), "a");
	assert_string_equal(at(page, img->argv[2]), "bc");
	assert_int_equal(img->argv[3], 0);
	assert_int_equal(len, sizeof(*img) + 4 * 8 + 6 + 5);
	assert_int_equal(args_image(page, "hello", NULL, 0, 0, &len), ERR_OK);
	assert_int_equal(img->argc, 1);
	assert_int_equal(img->argv[1], 0);
	/* The most strings a block can hold: every byte a NUL. */
	assert_int_equal(args_image(page, "testchild", empties, ARGS_MAX_BYTES, 1, &len), ERR_OK);
	assert_int_equal(img->argc, ARGS_MAX_BYTES + 1);
	assert_string_equal(at(page, img->argv[ARGS_MAX_BYTES]), "");
	assert_true(len <= 4096);
	assert_int_equal(args_image(page, "hello", "abc", 3, 0, &len), ERR_BAD_REQUEST);
	assert_int_equal(args_image(page, "hello", empties, ARGS_MAX_BYTES + 1, 0, &len),
			 ERR_ARGS_TOO_LONG);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pack_send_put),
	    cmocka_unit_test(test_bad_blocks),
	    cmocka_unit_test(test_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
