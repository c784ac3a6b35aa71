/* SPDX-License-Identifier: MIT */
/*
 * The device trees QEMU dumps (and hake/boarddtb.sh builds) at build time,
 * for the unit tests: include after cmocka.h and libfdt.h.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>

/* Load fixture name from REEF_DTB_DIR into a 1 MiB buffer with room to
   grow (for libfdt edits); *size gets the buffer's size. */
static inline void *load_dtb(const char *name, size_t *size)
{
	const char *dir = getenv("REEF_DTB_DIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s (set REEF_DTB_DIR)", path);
	static const size_t cap = 1 << 20;
	char *buf = calloc(1, cap);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	assert_true(n > 0);
	assert_int_equal(fdt_open_into(buf, buf, (int)cap), 0);
	*size = cap;
	return buf;
}
