// SPDX-License-Identifier: MIT
/* Host tests of the boot-time split of RAM among cores (lib/rt/src/memsplit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rt/memsplit.h>

#define MIB (1ull << 20)

static void test_bootarg(void **state)
{
	(void)state;
	uint64_t mib = 0;
	assert_true(memsplit_bootarg("mem.core=96", &mib));
	assert_int_equal(mib, 96);
	assert_true(memsplit_bootarg("faults=3 mem.core=7 run=mem", &mib));
	assert_int_equal(mib, 7);
	assert_false(memsplit_bootarg("", &mib));
	assert_false(memsplit_bootarg("run=mem.core=5", &mib));	  /* the shell's */
	assert_false(memsplit_bootarg("run=x mem.core=5", &mib)); /* after run= */
	assert_false(memsplit_bootarg("mem.core=", &mib));
	assert_false(memsplit_bootarg("mem.core=0", &mib));
	assert_false(memsplit_bootarg("mem.core=12x", &mib));
	assert_false(memsplit_bootarg("mem.core=-1", &mib));
	assert_false(memsplit_bootarg("mem.core=99999999999999999999999", &mib));
	assert_false(memsplit_bootarg("xmem.core=5", &mib));
	assert_true(memsplit_bootarg("mem.core=1048576", &mib)); /* MEMSPLIT_MAX_MIB */
	assert_false(memsplit_bootarg("mem.core=1048577", &mib));
}

static void test_split(void **state)
{
	(void)state;
	uint64_t least = 5 * MIB + 12345;
	uint64_t least_up = (least + 65535) / 65536 * 65536;
	/* The default: half the free RAM over all cores, at most 64 MiB. */
	assert_int_equal(memsplit_core(512 * MIB, 3, least, 0), 64 * MIB);
	assert_int_equal(memsplit_core(512 * MIB, 7, least, 0), 32 * MIB);
	assert_int_equal(memsplit_core(16384 * MIB, 3, least, 0), MEMSPLIT_DEFAULT_MAX);
	/* Many cores, little RAM: the minimum, as before. */
	assert_int_equal(memsplit_core(1024 * MIB, 127, least, 0), least_up);
	assert_int_equal(memsplit_core(0, 3, least, 0), least_up);
	/* Asked: given when it fits, made to fit when not (core 0 keeps its part). */
	assert_int_equal(memsplit_core(3072 * MIB, 3, least, 512 * MIB), 512 * MIB);
	assert_int_equal(memsplit_core(512 * MIB, 3, least, 512 * MIB),
			 (512 * MIB - MEMSPLIT_KEEP0) / 3 / 65536 * 65536);
	assert_int_equal(memsplit_core(512 * MIB, 3, least, 1 * MIB), least_up);
	/* No other core: nothing to split. */
	assert_int_equal(memsplit_core(512 * MIB, 0, least, 64 * MIB), least_up);
	/* Always whole 64 KiB units. */
	assert_int_equal(memsplit_core(1000 * MIB + 1, 3, least, 0) % 65536, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bootarg),
	    cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
