/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for cpudriver/arch/riscv/include/arch/csr.h (fuzz targets).
 * Found first through -Itests/fuzz/host, so the kernel sources compile
 * unmodified on the host: the constants come from the real csr_bits.h,
 * CSR accesses go to a small table in tests/fuzz/host/stubs.c, TLB flushes
 * do nothing, and WFI (only reached when nothing is runnable, or when a
 * core parks) leaves the kernel entry back to the harness. RISC-V fences
 * that kernel C code issues as inline assembly become no-ops (the host runs
 * one core): an assembler macro every file that includes this gets.
 */
#pragma once

#include <stdint.h>

__asm__(".macro fence args:vararg\n.endm");

#include <arch/csr_bits.h> /* the real one */

unsigned long host_csr_read(const char *name);
void host_csr_write(const char *name, unsigned long v);
void host_csr_set(const char *name, unsigned long v);
void host_csr_clear(const char *name, unsigned long v);
void __attribute__((noreturn)) host_wfi(void);

#define csr_read(csr)	    host_csr_read(#csr)
#define csr_write(csr, val) host_csr_write(#csr, (unsigned long)(val))
#define csr_set(csr, val)   host_csr_set(#csr, (unsigned long)(val))
#define csr_clear(csr, val) host_csr_clear(#csr, (unsigned long)(val))

static inline uint64_t arch_time(void)
{
	return csr_read(time);
}

static inline void arch_wfi(void)
{
	host_wfi();
}

static inline void arch_tlb_flush_all(void)
{
}

static inline void arch_icache_sync(void) /* (counted by the kernel's caller) */
{
}
