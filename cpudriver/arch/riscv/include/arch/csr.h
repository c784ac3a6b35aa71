/* SPDX-License-Identifier: MIT */
/* Supervisor CSRs and their bits (RISC-V Privileged Spec v1.12, chapter 4). */
#pragma once

#include <stdint.h>

#include <arch/csr_bits.h>

#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                          \
		__v;                                                                               \
	})

#define csr_write(csr, val)                                                                        \
	({                                                                                         \
		unsigned long __v = (unsigned long)(val);                                          \
		__asm__ volatile("csrw " #csr ", %0" ::"rK"(__v) : "memory");                      \
	})

#define csr_set(csr, val)                                                                          \
	({                                                                                         \
		unsigned long __v = (unsigned long)(val);                                          \
		__asm__ volatile("csrs " #csr ", %0" ::"rK"(__v) : "memory");                      \
	})

#define csr_clear(csr, val)                                                                        \
	({                                                                                         \
		unsigned long __v = (unsigned long)(val);                                          \
		__asm__ volatile("csrc " #csr ", %0" ::"rK"(__v) : "memory");                      \
	})

static inline uint64_t arch_time(void)
{
	return csr_read(time);
}

static inline void arch_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* Global TLB flush: the FU740 needs sfence.vma x0, x0 (erratum CIP-1200). */
/* Make this hart's instruction fetches see every store made before (by any
   hart, once ordered before this by a fence and a message): the U74's
   instruction cache does not watch ordinary stores. */
static inline void arch_icache_sync(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

static inline void arch_tlb_flush_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}
