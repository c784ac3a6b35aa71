/* SPDX-License-Identifier: MIT */
/*
 * Save and load a dispatcher's FP registers (f0-f31, fcsr) for fp.c
 * (ADR 0018). The kernel is built without F and D and never uses FP; only
 * these two functions touch the f registers, with sstatus.FS turned on
 * around them (an FP instruction traps in S-mode too while FS is Off) and
 * put back as it was.
 */
#include <arch/asm.h>

	.option	push
	.option	arch, +d

.macro FP_ALL op
	\op	f0, 0 * 8(a0)
	\op	f1, 1 * 8(a0)
	\op	f2, 2 * 8(a0)
	\op	f3, 3 * 8(a0)
	\op	f4, 4 * 8(a0)
	\op	f5, 5 * 8(a0)
	\op	f6, 6 * 8(a0)
	\op	f7, 7 * 8(a0)
	\op	f8, 8 * 8(a0)
	\op	f9, 9 * 8(a0)
	\op	f10, 10 * 8(a0)
	\op	f11, 11 * 8(a0)
	\op	f12, 12 * 8(a0)
	\op	f13, 13 * 8(a0)
	\op	f14, 14 * 8(a0)
	\op	f15, 15 * 8(a0)
	\op	f16, 16 * 8(a0)
	\op	f17, 17 * 8(a0)
	\op	f18, 18 * 8(a0)
	\op	f19, 19 * 8(a0)
	\op	f20, 20 * 8(a0)
	\op	f21, 21 * 8(a0)
	\op	f22, 22 * 8(a0)
	\op	f23, 23 * 8(a0)
	\op	f24, 24 * 8(a0)
	\op	f25, 25 * 8(a0)
	\op	f26, 26 * 8(a0)
	\op	f27, 27 * 8(a0)
	\op	f28, 28 * 8(a0)
	\op	f29, 29 * 8(a0)
	\op	f30, 30 * 8(a0)
	\op	f31, 31 * 8(a0)
.endm

/* void fp_save(struct fp_state *s) */
	.text
	.globl	fp_save
fp_save:
	csrr	t1, sstatus
	li	t0, SSTATUS_FS_MASK
	csrs	sstatus, t0
	FP_ALL	fsd
	frcsr	t0
	sd	t0, 32 * 8(a0)
	csrw	sstatus, t1
	ret

/* void fp_load(const struct fp_state *s) */
	.globl	fp_load
fp_load:
	csrr	t1, sstatus
	li	t0, SSTATUS_FS_MASK
	csrs	sstatus, t0
	FP_ALL	fld
	ld	t0, 32 * 8(a0)
	fscsr	t0
	csrw	sstatus, t1
	ret

	.option	pop
