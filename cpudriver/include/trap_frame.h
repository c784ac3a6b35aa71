/* SPDX-License-Identifier: MIT */
/* The register save area trap.S fills: x1-x31, then four CSRs. */
#pragma once

#include <stdint.h>

#include <arch/asm.h>

struct trap_frame {
	uint64_t x[32]; /* x[0] unused; x[2] = sp at the trap */
	uint64_t sepc, scause, stval, sstatus;
};
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap.S frame layout");

/* Register numbers for the syscall ABI. */
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A3 13
#define REG_A4 14
#define REG_A5 15
#define REG_A6 16
#define REG_A7 17
