// SPDX-License-Identifier: MIT
/* Host tests of the console's line rule (cpudriver/conline.c, ADR 0013). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conline.h"

static char out[1 << 16];
static size_t used;

static void put(char c, void *arg)
{
	(void)arg;
	assert_true(used + 1 < sizeof(out));
	out[used++] = c;
	out[used] = 0;
}

static void reset(uint64_t *open)
{
	*open = 0;
	used = 0;
	out[0] = 0;
}

static void test_whole_lines(void **state)
{
	(void)state;
	uint64_t open, a = conline_writer(0, 0), b = conline_writer(3, 2);
	reset(&open);
	conline_write(&open, a, NULL, "kernel line\n", put, NULL);
	conline_write(&open, b, "[3.2] ", "one\ntwo\n", put, NULL);
	assert_string_equal(out, "kernel line\n[3.2] one\n[3.2] two\n");
	assert_int_equal(open, 0);
}

static void test_open_line_ended_by_another(void **state)
{
	(void)state;
	uint64_t open, shell = conline_writer(0, 5), dom = conline_writer(1, 1);
	reset(&open);
	conline_write(&open, shell, NULL, "reef> ", put, NULL);
	assert_int_equal(open, shell);
	conline_write(&open, shell, NULL, "p", put, NULL); /* its own echo continues */
	conline_write(&open, dom, "[1.1] ", "half", put, NULL);
	conline_write(&open, shell, NULL, "s\n", put, NULL);
	conline_write(&open, dom, "[1.1] ", " more\n", put, NULL);
	assert_string_equal(out, "reef> p\n[1.1] half\ns\n[1.1]  more\n");
	assert_int_equal(open, 0);
}

static void test_empty_and_same_writer(void **state)
{
	(void)state;
	uint64_t open, a = conline_writer(2, 7), b = conline_writer(2, 8);
	reset(&open);
	conline_write(&open, a, "[2.7] ", "abc", put, NULL);
	conline_write(&open, b, "[2.8] ", "", put, NULL); /* nothing: a's line stays open */
	assert_int_equal(open, a);
	conline_write(&open, a, "[2.7] ", "def\n\n", put, NULL);
	assert_string_equal(out, "[2.7] abcdef\n[2.7] \n");
	/* Same domain number on another core is another writer. */
	assert_true(conline_writer(1, 7) != conline_writer(2, 7));
	assert_true(conline_writer(0, 0) != 0);
}

/* Writers' texts cut at random places and interleaved at random: every
   console line belongs to one writer, starts with its tag, and each
   writer's text comes out exactly once, in order. */
#define WRITERS 4
static void test_random_interleaving(void **state)
{
	(void)state;
	srand(12);
	for (int round = 0; round < 200; round++) {
		char text[WRITERS][512], tag[WRITERS][16], got[WRITERS][1024] = {{0}};
		size_t pos[WRITERS] = {0}, len[WRITERS];
		uint64_t open;
		reset(&open);
		for (int w = 0; w < WRITERS; w++) {
			size_t n = 0;
			for (int i = 0; n < 400; i++)
				n +=
				    (size_t)snprintf(text[w] + n, sizeof(text[w]) - n,
						     "w%d line %d%s", w, i, rand() % 4 ? "\n" : "");
			len[w] = n;
			snprintf(tag[w], sizeof(tag[w]), "[%d.%d] ", w, w + 1);
		}
		for (int left = WRITERS; left;) {
			int w = rand() % WRITERS;
			if (pos[w] == len[w])
				continue;
			size_t n = 1 + (size_t)rand() % 40;
			n = n > len[w] - pos[w] ? len[w] - pos[w] : n;
			char chunk[64];
			memcpy(chunk, text[w] + pos[w], n);
			chunk[n] = 0;
			conline_write(&open, conline_writer((uint32_t)w, (uint32_t)w + 1), tag[w],
				      chunk, put, NULL);
			pos[w] += n;
			left -= pos[w] == len[w];
		}
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
			int w = line[1] - '0';
			assert_true(w >= 0 && w < WRITERS);
			assert_memory_equal(line, tag[w], strlen(tag[w]));
			strcat(got[w], line + strlen(tag[w]));
		}
		for (int w = 0; w < WRITERS; w++) {
			char want[512];
			size_t k = 0;
			for (size_t i = 0; i < len[w]; i++) /* its text without newlines */
				if (text[w][i] != '\n')
					want[k++] = text[w][i];
			want[k] = 0;
			assert_string_equal(got[w], want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_lines),
	    cmocka_unit_test(test_open_line_ended_by_another),
	    cmocka_unit_test(test_empty_and_same_writer),
	    cmocka_unit_test(test_random_interleaving),
	};
	return cmocka_run_group_tests_name("conline", tests, NULL, NULL);
}
