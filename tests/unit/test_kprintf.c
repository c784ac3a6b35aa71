// SPDX-License-Identifier: MIT
/* Host tests of the kernel's formatter against the C library's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kprintf.h"

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char a[128], b[128];                                                               \
		int na = ksnprintf(a, sizeof(a), __VA_ARGS__);                                     \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                      \
		assert_string_equal(a, b);                                                         \
		assert_int_equal(na, nb);                                                          \
	} while (0)

static void test_formats(void **state)
{
	(void)state;
	SAME("plain");
	SAME("%d %i %u", -42, 7, 3000000000u);
	SAME("%ld %lu", (long)INT64_MIN, (unsigned long)UINT64_MAX);
	SAME("%x %lx %#lx %08x", 0xbeefu, 0xffffffff80200000ul, 0x1000ul, 0x2au);
	SAME("[%5d] [%05u] [%3s]", 12, 34u, "abcd");
	SAME("%c%c %s %%", 'o', 'k', "str");
	SAME("%zu", (size_t)123456);
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(ksnprintf(NULL, 0, "%d", 12345), 5);
	char one[1] = {'x'};
	assert_int_equal(ksnprintf(one, 1, "abc"), 3);
	assert_int_equal(one[0], 0);
}

static void test_odd_input(void **state)
{
	(void)state;
	char buf[32];
	/* Formats the compiler would reject as literals. */
	static const char *volatile trailing = "100%", *volatile unknown = "%q", *volatile null;
	ksnprintf(buf, sizeof(buf), "%s", null);
	assert_string_equal(buf, "(null)");
	ksnprintf(buf, sizeof(buf), trailing);
	assert_string_equal(buf, "100");
	ksnprintf(buf, sizeof(buf), unknown);
	assert_string_equal(buf, "%q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_odd_input),
	};
	return cmocka_run_group_tests_name("kprintf", tests, NULL, NULL);
}
