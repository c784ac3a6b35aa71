/* SPDX-License-Identifier: MIT */
/* Supervisor CSRs and their bits (RISC-V Privileged Spec v1.12, chapter 4). */
#pragma once

#include <stdint.h>

#define SSTATUS_SIE  (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP  (1ul << 8)
#define SSTATUS_SUM  (1ul << 18)

/* sie / sip bits (4.1.3): software, timer, external interrupts. */
#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)

#define SCAUSE_INTR (1ul << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define SATP_MODE_SV39 (8ul << 60)

#define CSR_STIMECMP 0x14d /* Sstc extension */

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
static inline void arch_tlb_flush_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}
