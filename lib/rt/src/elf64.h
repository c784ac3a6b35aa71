// SPDX-License-Identifier: MIT
/*
 * The ELF64 headers the runtime reads (spawn.c: the program headers to
 * load; elfattr.c: the section headers, for .riscv.attributes). Every
 * field is read only after the caller has checked it lies in the file.
 */
#pragma once

#include <stdint.h>

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
