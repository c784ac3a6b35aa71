/* SPDX-License-Identifier: MIT */
/* Supervisor CSR bits (RISC-V Privileged Spec v1.12, chapter 4), apart from
   the accessors in csr.h so that host builds (tests/fuzz/host) share them. */
#pragma once

#define SSTATUS_SIE  (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP  (1ul << 8)
#define SSTATUS_SUM  (1ul << 18)
/* sstatus.FS (4.1.1.6), the FP unit's state (mask in asm.h) */
#define SSTATUS_FS_OFF	 (0ul << 13)
#define SSTATUS_FS_CLEAN (2ul << 13)
#define SSTATUS_FS_DIRTY (3ul << 13)

/* sie / sip bits (4.1.3): software, timer, external interrupts. */
#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)

#define SCAUSE_INTR (1ul << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define SATP_MODE_SV39 (8ul << 60)

#define SCOUNTEREN_CY (1ul << 0) /* user mode may read the cycle CSR */
#define SCOUNTEREN_TM (1ul << 1) /* ... the time CSR */
#define SCOUNTEREN_IR (1ul << 2) /* ... and the instret CSR */

#define CSR_STIMECMP 0x14d /* Sstc extension */
