// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/rt/src/elfattr.c (ADR 0018): what a program needs of a
 * core, from its ELF's .riscv.attributes, on the real programs of this
 * build (mandel built for F and D, hello and testchild for rv64imac), on
 * hand-made sections, and on every truncation and many corruptions of a
 * real file: an answer or an error, never a crash or a read outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rt/elfattr.h>

#define L(c) (1u << ((c) - 'a'))
#define FD   (L('f') | L('d'))

/* The file name from REEF_ELF_DIR, read whole into an exactly sized buffer
   (so ASan catches any read past it). */
static uint8_t *load(const char *name, size_t *size)
{
	const char *dir = getenv("REEF_ELF_DIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set REEF_ELF_DIR)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(n > 0);
	uint8_t *buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void test_real_programs(void **state)
{
	(void)state;
	size_t size;
	uint32_t need;
	uint8_t *elf = load("mandel", &size);
	assert_int_equal(elf_isa_required(elf, size, &need), ERR_OK);
	assert_int_equal(need, ELF_ISA_DEFAULT | FD);
	char s[27];
	elf_isa_letters(need, s);
	assert_string_equal(s, "imafdc");
	free(elf);
	static const char *const plain[] = {"hello", "testchild", "spawnd"};
	for (unsigned i = 0; i < 3; i++) {
		elf = load(plain[i], &size);
		assert_int_equal(elf_isa_required(elf, size, &need), ERR_OK);
		assert_int_equal(need, ELF_ISA_DEFAULT);
		free(elf);
	}
}

/* Offset and size of the first SHT_RISCV_ATTRIBUTES section of a good file. */
static void find_attrs(const uint8_t *elf, uint64_t *off, uint64_t *len, uint64_t *shdr)
{
	uint64_t shoff;
	uint16_t shnum;
	memcpy(&shoff, elf + 0x28, 8);
	memcpy(&shnum, elf + 0x3c, 2);
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = elf + shoff + 64u * i;
		uint32_t type;
		memcpy(&type, sh + 4, 4);
		if (type == 0x70000003u) {
			memcpy(off, sh + 24, 8);
			memcpy(len, sh + 32, 8);
			*shdr = shoff + 64u * i;
			return;
		}
	}
	fail_msg("no .riscv.attributes section");
}

/* Prefixes of mandel: either the whole answer or an error. Every length
   through the header, the attributes section and the section table (at
   the end of the file), every 4099th elsewhere. */
static void test_truncated(void **state)
{
	(void)state;
	size_t size;
	uint8_t *elf = load("mandel", &size);
	uint64_t off, len, shdr, shoff;
	find_attrs(elf, &off, &len, &shdr);
	memcpy(&shoff, elf + 0x28, 8);
	for (size_t n = 0; n < size; n++) {
		if (n > 4096 && (n < off || n > off + len + 1) && n < shoff && n % 4099)
			continue;
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, elf, n);
		uint32_t need = 1;
		errval_t err = elf_isa_required(cut, n, &need);
		if (err)
			assert_int_equal(need, 0);
		else
			assert_int_equal(need, ELF_ISA_DEFAULT | FD);
		free(cut);
	}
	free(elf);
}

/* Every byte of the section and its header flipped, one at a time: never
   a crash; a changed answer only from a still well-formed section. */
static void test_corrupt(void **state)
{
	(void)state;
	size_t size;
	uint8_t *elf = load("mandel", &size);
	uint64_t off, len, shdr;
	find_attrs(elf, &off, &len, &shdr);
	unsigned errors = 0;
	for (uint64_t i = 0; i < len + 64; i++) {
		uint64_t at = i < len ? off + i : shdr + (i - len);
		for (unsigned bit = 0; bit < 8; bit++) {
			elf[at] ^= (uint8_t)(1u << bit);
			uint32_t need;
			if (elf_isa_required(elf, size, &need))
				errors++;
			elf[at] ^= (uint8_t)(1u << bit);
		}
	}
	assert_true(errors > 0);
	uint32_t need;
	assert_int_equal(elf_isa_required(elf, size, &need), ERR_OK);
	/* The section's size beyond the file. */
	uint64_t big = size;
	memcpy(elf + shdr + 32, &big, 8);
	assert_int_equal(elf_isa_required(elf, size, &need), ERR_ELF_ATTRIBUTES);
	free(elf);
}

/* A file with one attributes section holding sec (len bytes). */
static errval_t with_section(const uint8_t *sec, size_t len, uint32_t *need)
{
	size_t size;
	uint8_t *elf = load("hello", &size);
	uint64_t off, olen, shdr;
	find_attrs(elf, &off, &olen, &shdr);
	uint8_t *f = malloc(size + len);
	memcpy(f, elf, size);
	memcpy(f + size, sec, len);
	uint64_t at = size, l = len;
	memcpy(f + shdr + 24, &at, 8);
	memcpy(f + shdr + 32, &l, 8);
	errval_t err = elf_isa_required(f, size + len, need);
	free(f);
	free(elf);
	return err;
}

/* 'A', one "riscv" subsection with one Tag_File of attrs (n bytes). */
static errval_t with_attrs(const char *attrs, size_t n, uint32_t *need)
{
	uint8_t sec[256];
	size_t sub = 4 + 6 + 5 + n;
	assert_true(1 + sub <= sizeof(sec));
	sec[0] = 'A';
	uint32_t v = (uint32_t)sub;
	memcpy(sec + 1, &v, 4);
	memcpy(sec + 5, "riscv", 6);
	sec[11] = 1;
	v = (uint32_t)(5 + n);
	memcpy(sec + 12, &v, 4);
	memcpy(sec + 16, attrs, n);
	return with_section(sec, 1 + sub, need);
}

static void test_made_up(void **state)
{
	(void)state;
	uint32_t need;
	/* Tag_RISCV_stack_align 16, then the arch: versions or none, g. */
	static const char a1[] = "\x04\x10\x05rv64imafdc_zicsr_zifencei";
	assert_int_equal(with_attrs(a1, sizeof(a1), &need), ERR_OK);
	assert_int_equal(need, ELF_ISA_DEFAULT | FD);
	static const char a2[] = "\x05rv64g2p0_c";
	assert_int_equal(with_attrs(a2, sizeof(a2), &need), ERR_OK);
	assert_int_equal(need, ELF_ISA_DEFAULT | FD);
	static const char a3[] = "\x05rv64i2p1_m2p0_v1p0_zve64d1p0";
	assert_int_equal(with_attrs(a3, sizeof(a3), &need), ERR_OK);
	assert_int_equal(need, L('i') | L('m') | L('v'));
	/* An unknown odd tag (a string) and even tag (a number) are skipped. */
	static const char a4[] = "\x07xyz\0\x08\x81\x01\x05rv64ic";
	assert_int_equal(with_attrs(a4, sizeof(a4), &need), ERR_OK);
	assert_int_equal(need, L('i') | L('c'));
	/* No arch tag: the default. */
	static const char a5[] = "\x04\x10";
	assert_int_equal(with_attrs(a5, sizeof(a5) - 1, &need), ERR_OK);
	assert_int_equal(need, ELF_ISA_DEFAULT);
	/* Malformed: rv32, no base letter, a bad character, no NUL, a
	   ULEB128 that never ends, a length past the section. */
	static const char b1[] = "\x05rv32imac";
	assert_int_equal(with_attrs(b1, sizeof(b1), &need), ERR_ELF_ATTRIBUTES);
	assert_int_equal(need, 0);
	static const char b2[] = "\x05rv64mac";
	assert_int_equal(with_attrs(b2, sizeof(b2), &need), ERR_ELF_ATTRIBUTES);
	static const char b3[] = "\x05rv64im!c";
	assert_int_equal(with_attrs(b3, sizeof(b3), &need), ERR_ELF_ATTRIBUTES);
	static const char b4[] = "\x05rv64imac";
	assert_int_equal(with_attrs(b4, sizeof(b4) - 1, &need), ERR_ELF_ATTRIBUTES);
	static const char b5[] = "\x04\x80\x80";
	assert_int_equal(with_attrs(b5, sizeof(b5) - 1, &need), ERR_ELF_ATTRIBUTES);
	static const uint8_t s1[] = {'A', 0xff, 0, 0, 0, 'r', 'i', 's', 'c', 'v', 0};
	assert_int_equal(with_section(s1, sizeof(s1), &need), ERR_ELF_ATTRIBUTES);
	static const uint8_t s2[] = {'B'};
	assert_int_equal(with_section(s2, sizeof(s2), &need), ERR_ELF_ATTRIBUTES);
	/* Another vendor's subsection is skipped whole; an empty section has
	   nothing: the default. */
	static const uint8_t s3[] = {'A', 8, 0, 0, 0, 'g', 'n', 'u', 0};
	assert_int_equal(with_section(s3, sizeof(s3), &need), ERR_OK);
	assert_int_equal(need, ELF_ISA_DEFAULT);
	/* Not ELF, or not RISC-V. */
	static const uint8_t junk[64] = {0x7f, 'E', 'L', 'F', 2, 1};
	assert_int_equal(elf_isa_required(junk, sizeof(junk), &need), ERR_ELF);
	assert_int_equal(elf_isa_required(NULL, 0, &need), ERR_ELF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_programs),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_corrupt),
	    cmocka_unit_test(test_made_up),
	};
	return cmocka_run_group_tests_name("elfattr", tests, NULL, NULL);
}
