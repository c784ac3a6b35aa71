// SPDX-License-Identifier: MIT
/* The console's line rule (ADR 0013); see conline.h. */
#include <stdbool.h>
#include <stddef.h>

#include "conline.h"

void conline_write(uint64_t *open, uint64_t writer, const char *tag, const char *s,
		   conline_put_fn put, void *arg)
{
	if (!*s)
		return;
	if (*open && *open != writer)
		put('\n', arg); /* somebody else's line stays whole: ours starts anew */
	bool line_start = *open != writer;
	for (; *s; s++) {
		/* Tagged again after an interruption too: a continuation is attributed. */
		for (const char *t = tag; line_start && t && *t; t++)
			put(*t, arg);
		put(*s, arg);
		line_start = *s == '\n';
	}
	*open = line_start ? 0 : writer;
}
