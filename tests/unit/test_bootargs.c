// SPDX-License-Identifier: MIT
/* Host tests of boot argument parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bootargs.h"

static int reports;
static char last[64];

static void report(const char *problem, const char *word, size_t len)
{
	(void)problem;
	reports++;
	memcpy(last, word, len < sizeof(last) - 1 ? len : sizeof(last) - 1);
	last[len < sizeof(last) - 1 ? len : sizeof(last) - 1] = 0;
}

static struct bootargs parse(const char *s, unsigned expect_bad)
{
	struct bootargs ba;
	reports = 0;
	assert_int_equal(bootargs_parse(s, &ba, report), expect_bad);
	assert_int_equal(reports, expect_bad);
	return ba;
}

static void test_empty(void **state)
{
	(void)state;
	struct bootargs ba = parse("", 0);
	assert_false(ba.poweroff);
	assert_int_equal(ba.maxcores, 0);
	assert_int_equal(ba.forcehart, (hartid_t)-1);
	assert_int_equal(ba.crashcore, COREID_INVALID);
	assert_int_equal(ba.stopcore, COREID_INVALID);
	assert_int_equal(ba.irqrelay, COREID_INVALID);
	ba = parse(NULL, 0);
	assert_false(ba.poweroff);
	ba = parse("  \t \n ", 0);
	assert_false(ba.poweroff);
}

static void test_known(void **state)
{
	(void)state;
	struct bootargs ba = parse(
	    "poweroff maxcores=3 forcehart=0 crashcore=2 stopcore=1 faults=5 mute=3 mem.core=64 "
	    "trace=on irqrelay=1",
	    0);
	assert_int_equal(ba.stopcore, 1);
	assert_int_equal(ba.irqrelay, 1);
	assert_true(ba.poweroff);
	assert_int_equal(ba.maxcores, 3);
	assert_int_equal(ba.forcehart, 0);
	assert_int_equal(ba.crashcore, 2);
	ba = parse("maxcores=2 run=ps; bogus x=1; poweroff", 0);
	assert_int_equal(ba.maxcores, 2);
	assert_false(ba.poweroff); /* inside run=: the shell's */
	assert_string_equal(ba.run, "ps; bogus x=1; poweroff");
	ba = parse("  maxcores=4294967295\tpoweroff  ", 0);
	assert_null(ba.run);
	assert_int_equal(ba.maxcores, 4294967295u);
	assert_true(ba.poweroff);
}

static void test_bad(void **state)
{
	(void)state;
	struct bootargs ba = parse("bogus poweroff", 1);
	assert_string_equal(last, "bogus");
	assert_true(ba.poweroff);
	ba = parse("poweroffx", 1);
	assert_false(ba.poweroff);
	ba = parse("maxcores=", 1);
	assert_int_equal(ba.maxcores, 0);
	ba = parse("maxcores=0", 1);
	assert_int_equal(ba.maxcores, 0);
	ba = parse("maxcores=4294967296", 1);
	assert_int_equal(ba.maxcores, 0);
	ba = parse("maxcores=12a forcehart=-1 crashcore=x", 3);
	assert_int_equal(ba.forcehart, (hartid_t)-1);
	assert_int_equal(ba.crashcore, COREID_INVALID);
	ba = parse("faults=x", 1);
	ba = parse("irqrelay=x irqrelay=", 2);
	assert_int_equal(ba.irqrelay, COREID_INVALID);
	ba = parse("mute= mute=-1", 2);
	ba = parse("trace=off trace= trace=onx", 3);
	assert_string_equal(last, "trace=onx");
	ba = parse("maxcores=99999999999999999999", 1);
	assert_int_equal(ba.maxcores, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests_name("bootargs", tests, NULL, NULL);
}
