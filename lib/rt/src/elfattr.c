// SPDX-License-Identifier: MIT
/*
 * .riscv.attributes (RISC-V ELF psABI, "Attributes"): a format version 'A',
 * then subsections [u32 length][vendor NTBS][sub-subsections]; in vendor
 * "riscv", a sub-subsection [tag u8][u32 length][attributes], Tag_File (1)
 * covering the whole file; an attribute is a ULEB128 tag and a value, an
 * NTBS for odd tags (Tag_RISCV_arch = 5) and a ULEB128 for even ones.
 * Lengths include their own fields. Everything is bounded by the section,
 * and the section by the file.
 */
#include <string.h>

#include <abi/elf.h>
#include <rt/elfattr.h>

#define SHT_RISCV_ATTRIBUTES 0x70000003u
#define TAG_FILE	     1
#define TAG_RISCV_ARCH	     5

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A ULEB128 at *p below end: its value (at most 32 bits), or -1. */
static int64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	for (unsigned shift = 0; *p < end && shift < 35; shift += 7) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v > 0xffffffffu ? -1 : (int64_t)v;
	}
	return -1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Past an optional version "2", "2p1" at s. */
static const char *skip_version(const char *s)
{
	while (is_digit(*s))
		s++;
	if (*s == 'p' && is_digit(s[1]))
		for (s++; is_digit(*s); s++)
			;
	return s;
}

/*
 * "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0" or "rv64imafdc_zicsr": the
 * single letters (with optional versions) until the first multi-letter
 * name (z..., s..., x...), whose versions and names are skipped.
 */
static errval_t parse_arch(const char *s, uint32_t *need)
{
	if (strncmp(s, "rv64", 4))
		return ERR_ELF_ATTRIBUTES;
	s += 4;
	if (*s != 'i' && *s != 'e' && *s != 'g')
		return ERR_ELF_ATTRIBUTES;
	while (*s) {
		if (*s == '_') {
			s++;
			continue;
		}
		if (*s == 'z' || *s == 's' || *s == 'x') { /* a multi-letter name: not compared */
			while (*s && *s != '_')
				s++;
			continue;
		}
		if (*s < 'a' || *s > 'z')
			return ERR_ELF_ATTRIBUTES;
		if (*s == 'g')
			*need |= ELF_ISA_DEFAULT | 1u << ('f' - 'a') | 1u << ('d' - 'a');
		else
			*need |= 1u << (*s - 'a');
		s = skip_version(s + 1);
	}
	return ERR_OK;
}

/* One Tag_File sub-subsection's attributes in [p, end). */
static errval_t parse_file_attrs(const uint8_t *p, const uint8_t *end, uint32_t *need, int *found)
{
	while (p < end) {
		int64_t tag = uleb(&p, end);
		if (tag < 0)
			return ERR_ELF_ATTRIBUTES;
		if (tag % 2 == 0) {
			if (uleb(&p, end) < 0)
				return ERR_ELF_ATTRIBUTES;
			continue;
		}
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		if (!nul)
			return ERR_ELF_ATTRIBUTES;
		if (tag == TAG_RISCV_ARCH) {
			errval_t err = parse_arch((const char *)p, need);
			if (err)
				return err;
			*found = 1;
		}
		p = nul + 1;
	}
	return ERR_OK;
}

static errval_t parse_section(const uint8_t *p, uint64_t len, uint32_t *need)
{
	const uint8_t *end = p + len;
	int found = 0;
	if (len < 1 || *p++ != 'A')
		return ERR_ELF_ATTRIBUTES;
	while (p < end) {
		if (end - p < 4)
			return ERR_ELF_ATTRIBUTES;
		uint32_t sublen = le32(p);
		if (sublen < 5 || sublen > (uint64_t)(end - p))
			return ERR_ELF_ATTRIBUTES;
		const uint8_t *sub_end = p + sublen, *q = p + 4;
		const uint8_t *nul = memchr(q, 0, (size_t)(sub_end - q));
		if (!nul)
			return ERR_ELF_ATTRIBUTES;
		int riscv = !strcmp((const char *)q, "riscv");
		for (q = nul + 1; riscv && q < sub_end;) {
			if (sub_end - q < 5)
				return ERR_ELF_ATTRIBUTES;
			uint8_t tag = q[0];
			uint32_t sslen = le32(q + 1);
			if (sslen < 5 || sslen > (uint64_t)(sub_end - q))
				return ERR_ELF_ATTRIBUTES;
			if (tag == TAG_FILE) {
				errval_t err = parse_file_attrs(q + 5, q + sslen, need, &found);
				if (err)
					return err;
			}
			q += sslen;
		}
		p = sub_end;
	}
	if (!found)
		*need = ELF_ISA_DEFAULT;
	return ERR_OK;
}

errval_t elf_isa_required(const uint8_t *elf, uint64_t size, uint32_t *need)
{
	struct elf64_ehdr eh;
	*need = 0;
	if (!elf || size < sizeof(eh))
		return ERR_ELF;
	memcpy(&eh, elf, sizeof(eh)); /* (elf need not be aligned) */
	if (memcmp(eh.ident, "\177ELF", 4) || eh.ident[4] != 2 || eh.ident[5] != 1 ||
	    eh.machine != 243)
		return ERR_ELF;
	if (eh.shnum == 0) { /* no section table (stripped that far): the default */
		*need = ELF_ISA_DEFAULT;
		return ERR_OK;
	}
	if (eh.shentsize != sizeof(struct elf64_shdr) || eh.shoff > size ||
	    eh.shnum > (size - eh.shoff) / sizeof(struct elf64_shdr))
		return ERR_ELF;
	errval_t err = ERR_OK;
	int seen = 0;
	uint32_t got = 0;
	for (unsigned i = 0; i < eh.shnum && !err; i++) {
		struct elf64_shdr sh;
		memcpy(&sh, elf + eh.shoff + i * sizeof(sh), sizeof(sh));
		if (sh.type != SHT_RISCV_ATTRIBUTES)
			continue;
		if (sh.offset > size || sh.size > size - sh.offset)
			return ERR_ELF_ATTRIBUTES;
		uint32_t one = 0;
		err = parse_section(elf + sh.offset, sh.size, &one);
		got |= one;
		seen = 1;
	}
	if (err)
		return err;
	*need = seen ? got : ELF_ISA_DEFAULT;
	return ERR_OK;
}

void elf_isa_letters(uint32_t mask, char *buf)
{
	static const char order[] = "iemafdqlcbkjtpvnhgorsuwxyz";
	unsigned n = 0;
	for (const char *o = order; *o; o++)
		if (mask & 1u << (*o - 'a'))
			buf[n++] = *o;
	buf[n] = 0;
}
