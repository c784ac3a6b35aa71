/* SPDX-License-Identifier: MIT */
/*
 * The console's line rule (ADR 0013), pure so the host tests can check it.
 * One console line belongs to one writer: output from a writer other than
 * the one whose line is open (written without its newline yet) first ends
 * that line, and a tagged writer's tag starts every console line it begins,
 * so each line on the console is whole and says whose it is.
 */
#pragma once

#include <stdint.h>

/* A writer: a core's kernel (domain 0) or one dispatcher on that core. */
static inline uint64_t conline_writer(uint32_t core, uint32_t domain)
{
	return ((uint64_t)core + 1) << 32 | domain;
}

typedef void (*conline_put_fn)(char c, void *arg);

/*
 * Write s for writer (never 0) with tag (NULL: untagged) through put. *open
 * is the writer whose line is open, 0 when the console is at a line start;
 * it is updated. Empty s writes nothing, not even the end of an open line.
 */
void conline_write(uint64_t *open, uint64_t writer, const char *tag, const char *s,
		   conline_put_fn put, void *arg);
