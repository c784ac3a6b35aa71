// SPDX-License-Identifier: MIT
/* Boot argument parsing; pure, tested on the host. */
#include <string.h>

#include "bootargs.h"

/* Decimal value of s[0..len) into *out; -1 if empty, not a number or > 2^32-1. */
static int parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool key_is(const char *w, size_t len, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);
	if (len <= k || strncmp(w, key, k))
		return false;
	*val = w + k;
	*vlen = len - k;
	return true;
}

static unsigned parse_word(const char *w, size_t len, struct bootargs *ba,
			   bootargs_report_fn report)
{
	const char *v;
	size_t vlen;
	uint32_t n;

	if (len == 8 && !strncmp(w, "poweroff", 8)) {
		ba->poweroff = true;
		return 0;
	}
	if (key_is(w, len, "maxcores=", &v, &vlen)) {
		if (parse_u32(v, vlen, &n) == 0 && n > 0) {
			ba->maxcores = n;
			return 0;
		}
	} else if (key_is(w, len, "forcehart=", &v, &vlen)) {
		if (parse_u32(v, vlen, &n) == 0) {
			ba->forcehart = n;
			return 0;
		}
	} else if (key_is(w, len, "crashcore=", &v, &vlen)) {
		if (parse_u32(v, vlen, &n) == 0) {
			ba->crashcore = n;
			return 0;
		}
	} else if (key_is(w, len, "faults=", &v, &vlen) || key_is(w, len, "mute=", &v, &vlen) ||
		   key_is(w, len, "mem.core=", &v, &vlen)) {
		/* For user space (rt/faults.h, rt/memsplit.h): only checked here. */
		if (parse_u32(v, vlen, &n) == 0)
			return 0;
	} else if (key_is(w, len, "trace=", &v, &vlen)) {
		/* The monitors' trace (docs/tracing.md): only checked here. */
		if (vlen == 2 && !strncmp(v, "on", 2))
			return 0;
	} else if (key_is(w, len, "stopcore=", &v, &vlen)) {
		if (parse_u32(v, vlen, &n) == 0) {
			ba->stopcore = n;
			return 0;
		}
	} else if (key_is(w, len, "irqrelay=", &v, &vlen)) {
		if (parse_u32(v, vlen, &n) == 0) {
			ba->irqrelay = n;
			return 0;
		}
	} else {
		if (report)
			report("unknown boot argument ignored", w, len);
		return 1;
	}
	if (report)
		report("bad value, boot argument ignored", w, len);
	return 1;
}

unsigned bootargs_parse(const char *s, struct bootargs *ba, bootargs_report_fn report)
{
	unsigned bad = 0;
	ba->poweroff = false;
	ba->maxcores = 0;
	ba->forcehart = (hartid_t)-1;
	ba->crashcore = COREID_INVALID;
	ba->stopcore = COREID_INVALID;
	ba->irqrelay = COREID_INVALID;
	ba->run = NULL;
	while (s && *s) {
		s += strspn(s, " \t\n");
		if (!strncmp(s, "run=", 4)) {
			ba->run = s + 4; /* the shell's: it takes the rest of the line */
			break;
		}
		size_t len = strcspn(s, " \t\n");
		if (len)
			bad += parse_word(s, len, ba, report);
		s += len;
	}
	return bad;
}
