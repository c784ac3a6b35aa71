/* SPDX-License-Identifier: MIT */
/*
 * Trap vector (stvec, direct mode). sscratch is 0 while the kernel runs and
 * holds the kernel stack top while user code runs, so one swap tells where
 * the trap came from.
 *
 * From user mode: save the user registers in a struct trap_frame at the top
 * of the kernel stack and call trap_user(), which never returns here: it
 * leaves through arch_user_resume() with some dispatcher's registers. The
 * kernel keeps nothing on its stack across a return to user mode.
 *
 * From the kernel (sstatus.SIE is never set, so only exceptions, i.e. bugs):
 * save everything on the current stack and let trap_handler() report it.
 */
#include <arch/asm.h>

.macro SAVE_GPRS
	sd	x1, 1 * 8(sp)
	sd	x3, 3 * 8(sp)
	sd	x4, 4 * 8(sp)
	sd	x5, 5 * 8(sp)
	sd	x6, 6 * 8(sp)
	sd	x7, 7 * 8(sp)
	sd	x8, 8 * 8(sp)
	sd	x9, 9 * 8(sp)
	sd	x10, 10 * 8(sp)
	sd	x11, 11 * 8(sp)
	sd	x12, 12 * 8(sp)
	sd	x13, 13 * 8(sp)
	sd	x14, 14 * 8(sp)
	sd	x15, 15 * 8(sp)
	sd	x16, 16 * 8(sp)
	sd	x17, 17 * 8(sp)
	sd	x18, 18 * 8(sp)
	sd	x19, 19 * 8(sp)
	sd	x20, 20 * 8(sp)
	sd	x21, 21 * 8(sp)
	sd	x22, 22 * 8(sp)
	sd	x23, 23 * 8(sp)
	sd	x24, 24 * 8(sp)
	sd	x25, 25 * 8(sp)
	sd	x26, 26 * 8(sp)
	sd	x27, 27 * 8(sp)
	sd	x28, 28 * 8(sp)
	sd	x29, 29 * 8(sp)
	sd	x30, 30 * 8(sp)
	sd	x31, 31 * 8(sp)
.endm

	.text
	.align	2
	.globl	trap_entry
trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user
	csrrw	sp, sscratch, sp
	addi	sp, sp, -TRAP_FRAME_SIZE
	SAVE_GPRS
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, 2 * 8(sp)
	csrr	t0, sepc
	sd	t0, 32 * 8(sp)
	csrr	t0, scause
	sd	t0, 33 * 8(sp)
	csrr	t0, stval
	sd	t0, 34 * 8(sp)
	csrr	t0, sstatus
	sd	t0, 35 * 8(sp)
	mv	a0, sp
	call	trap_handler

	ld	t0, 32 * 8(sp)
	csrw	sepc, t0
	ld	t0, 35 * 8(sp)
	csrw	sstatus, t0
	ld	x1, 1 * 8(sp)
	ld	x3, 3 * 8(sp)
	ld	x4, 4 * 8(sp)
	ld	x5, 5 * 8(sp)
	ld	x6, 6 * 8(sp)
	ld	x7, 7 * 8(sp)
	ld	x8, 8 * 8(sp)
	ld	x9, 9 * 8(sp)
	ld	x10, 10 * 8(sp)
	ld	x11, 11 * 8(sp)
	ld	x12, 12 * 8(sp)
	ld	x13, 13 * 8(sp)
	ld	x14, 14 * 8(sp)
	ld	x15, 15 * 8(sp)
	ld	x16, 16 * 8(sp)
	ld	x17, 17 * 8(sp)
	ld	x18, 18 * 8(sp)
	ld	x19, 19 * 8(sp)
	ld	x20, 20 * 8(sp)
	ld	x21, 21 * 8(sp)
	ld	x22, 22 * 8(sp)
	ld	x23, 23 * 8(sp)
	ld	x24, 24 * 8(sp)
	ld	x25, 25 * 8(sp)
	ld	x26, 26 * 8(sp)
	ld	x27, 27 * 8(sp)
	ld	x28, 28 * 8(sp)
	ld	x29, 29 * 8(sp)
	ld	x30, 30 * 8(sp)
	ld	x31, 31 * 8(sp)
	addi	sp, sp, TRAP_FRAME_SIZE
	sret

from_user:
	addi	sp, sp, -TRAP_FRAME_SIZE
	SAVE_GPRS
	csrr	t0, sscratch
	sd	t0, 2 * 8(sp)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, 32 * 8(sp)
	csrr	t0, scause
	sd	t0, 33 * 8(sp)
	csrr	t0, stval
	sd	t0, 34 * 8(sp)
	csrr	t0, sstatus
	sd	t0, 35 * 8(sp)
	mv	a0, sp
	call	trap_user
1:	j	1b

/* void arch_user_resume(const struct trap_frame *regs): sret to user mode. */
	.globl	arch_user_resume
arch_user_resume:
	ld	t0, 32 * 8(a0)
	csrw	sepc, t0
	ld	t0, 35 * 8(a0)
	csrw	sstatus, t0
	la	t0, boot_stack_top
	csrw	sscratch, t0
	ld	x1, 1 * 8(a0)
	ld	x2, 2 * 8(a0)
	ld	x3, 3 * 8(a0)
	ld	x4, 4 * 8(a0)
	ld	x5, 5 * 8(a0)
	ld	x6, 6 * 8(a0)
	ld	x7, 7 * 8(a0)
	ld	x8, 8 * 8(a0)
	ld	x9, 9 * 8(a0)
	ld	x11, 11 * 8(a0)
	ld	x12, 12 * 8(a0)
	ld	x13, 13 * 8(a0)
	ld	x14, 14 * 8(a0)
	ld	x15, 15 * 8(a0)
	ld	x16, 16 * 8(a0)
	ld	x17, 17 * 8(a0)
	ld	x18, 18 * 8(a0)
	ld	x19, 19 * 8(a0)
	ld	x20, 20 * 8(a0)
	ld	x21, 21 * 8(a0)
	ld	x22, 22 * 8(a0)
	ld	x23, 23 * 8(a0)
	ld	x24, 24 * 8(a0)
	ld	x25, 25 * 8(a0)
	ld	x26, 26 * 8(a0)
	ld	x27, 27 * 8(a0)
	ld	x28, 28 * 8(a0)
	ld	x29, 29 * 8(a0)
	ld	x30, 30 * 8(a0)
	ld	x31, 31 * 8(a0)
	ld	x10, 10 * 8(a0)
	sret

/*
 * Read one counter, for trap_init(): each starts with the read, which traps
 * (illegal instruction) when the firmware does not let S-mode read it;
 * trap_handler() then steps over it and notes that it trapped.
 */
	.globl	probe_cycle, probe_time, probe_instret
probe_cycle:
	csrr	t0, cycle
	ret
probe_time:
	csrr	t0, time
	ret
probe_instret:
	csrr	t0, instret
	ret
