/* SPDX-License-Identifier: MIT */
/*
 * What a program needs of a core, from its ELF file (ADR 0018): the
 * single-letter ISA extensions of Tag_RISCV_arch in its .riscv.attributes
 * section (the RISC-V psABI's build attributes, which GCC writes from
 * -march). Pure: no system calls, so the host tests run it on real and
 * broken files. The file is untrusted: every offset and length is checked.
 */
#pragma once

#include <stdint.h>

#include <abi/errors.h>

/* What every Reef program needed before it could say so: rv64imac. */
#define ELF_ISA_DEFAULT                                                                            \
	((1u << ('i' - 'a')) | (1u << ('m' - 'a')) | (1u << ('a' - 'a')) | (1u << ('c' - 'a')))

/*
 * The letters (bit c - 'a', as BOOTINFO_ISA()) the RV64 ELF file of size
 * bytes at elf needs into *need: ELF_ISA_DEFAULT when it has no
 * .riscv.attributes section or no Tag_RISCV_arch in it.
 * Errors: ERR_ELF (not an ELF64 RISC-V file, section table outside it),
 * ERR_ELF_ATTRIBUTES (the section or the arch string is malformed, or not
 * RV64); *need is then 0.
 */
errval_t elf_isa_required(const uint8_t *elf, uint64_t size, uint32_t *need);

/* The letters of mask into buf ("imafdc"), in the canonical order; buf
   holds at least 27 bytes. */
void elf_isa_letters(uint32_t mask, char *buf);
