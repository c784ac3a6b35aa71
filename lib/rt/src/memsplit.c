// SPDX-License-Identifier: MIT
/* The boot-time split of RAM among cores (rt/memsplit.h). */
#include <string.h>

#include <rt/memsplit.h>

#define UNIT (64ull << 10)

bool memsplit_bootarg(const char *bootargs, uint64_t *mib)
{
	static const char key[] = "mem.core=";
	for (const char *p = bootargs; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " "), klen = sizeof(key) - 1;
		if (!strncmp(p, "run=", 4))
			return false;
		if (len > klen && !strncmp(p, key, klen)) {
			uint64_t v = 0;
			for (size_t i = klen; i < len; i++) {
				if (p[i] < '0' || p[i] > '9' || v > MEMSPLIT_MAX_MIB)
					return false; /* (the kernel said it was bad) */
				v = v * 10 + (uint64_t)(p[i] - '0');
			}
			if (v == 0 || v > MEMSPLIT_MAX_MIB)
				return false;
			*mib = v;
			return true;
		}
		p += len;
	}
	return false;
}

uint64_t memsplit_core(uint64_t free, unsigned others, uint64_t least, uint64_t asked)
{
	least = (least + UNIT - 1) / UNIT * UNIT;
	if (others == 0)
		return least;
	uint64_t want = asked;
	if (!want) { /* half of what there is, shared, within bounds */
		want = free / 2 / (others + 1);
		if (want > MEMSPLIT_DEFAULT_MAX)
			want = MEMSPLIT_DEFAULT_MAX;
	}
	/* What fits with core 0 keeping its part. */
	uint64_t room = free > MEMSPLIT_KEEP0 ? (free - MEMSPLIT_KEEP0) / others : 0;
	if (want > room)
		want = room;
	want = want / UNIT * UNIT;
	return want > least ? want : least;
}
