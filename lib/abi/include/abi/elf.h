// SPDX-License-Identifier: MIT
/*
 * The ELF64 headers Reef reads: the kernel (initdomain.c) and lib/rt
 * (spawn.c) the program headers to load, lib/rt (elfattr.c) the section
 * headers, for .riscv.attributes. Every field is read only after the
 * reader has checked it lies in the file.
 */
#pragma once

#include <stdint.h>

#define EM_RISCV 243 /* e_machine */
#define ET_EXEC	 2   /* e_type */
#define PT_LOAD	 1   /* p_type */
#define PF_X	 1   /* p_flags */
#define PF_W	 2
#define PF_R	 4

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf64_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};
