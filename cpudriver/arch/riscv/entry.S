/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the CPU driver.
 *
 * _start: the boot hart, from OpenSBI or U-Boot: a0 = hartid, a1 = DTB
 * physical address, satp = 0, running at the load address (2 MiB into a GiB,
 * checked below). Builds a throw-away page table (the image, identity and
 * high, and the device tree in the physmap, all with 2 MiB pages), jumps
 * to the linked address, saves a pristine copy of .data for other cores,
 * zeroes .bss and calls boot_main.
 *
 * _secondary_start: a hart started by core_start() through SBI HSM:
 * a0 = hartid, a1 = physical address of its handoff page, whose first word
 * is the satp value of the page table the boot core built for it in the
 * core's own private memory. Its .data/.bss copy is already prepared.
 *
 * The first 64 bytes are the RISC-V Linux Image header that U-Boot's booti
 * checks (Documentation/riscv/boot-image-header.rst).
 */
#include <arch/asm.h>

	.section .text.head, "ax"
	.globl _start
_start:
	.option	push
	.option	norvc			/* code0 must be one 4-byte instruction */
	j	boot_entry		/* code0 */
	.word	0			/* code1 */
	.dword	KERNEL_OFFSET_IN_GIB	/* text_offset from RAM base */
	.dword	__image_size		/* effective image size, bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* deprecated magic */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
	.option	pop

boot_entry:
	csrw	sie, zero
	csrw	sip, zero
	/*
	 * Only one hart may ever run the boot path. OpenSBI 1.1 can send a hart
	 * we start with hart_start here instead of to _secondary_start (it
	 * publishes START_PENDING before the start address); such a hart hands
	 * itself back to the firmware with hart_stop, and the boot core, seeing
	 * it STOPPED, asks again (boot.c).
	 */
	lla	t0, boot_claim
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	beqz	t1, 1f
	li	a7, 0x48534d		/* SBI HSM */
	li	a6, 1			/* hart_stop */
	ecall
	j	early_hang
1:	fence.i
	mv	s0, a0			/* hartid */
	mv	s1, a1			/* dtb */
	lla	s2, _start		/* image physical address */

	/* The high mapping below is a gigapage: the offset in the GiB must match. */
	li	t0, GIB_MASK
	and	t0, s2, t0
	li	t1, KERNEL_OFFSET_IN_GIB
	beq	t0, t1, 2f
	lla	a0, msg_misplaced
	j	early_die
2:
	/*
	 * Early tables (3 pages, zeroed here): the root; an L1 table for the
	 * image's GiB, used both for the identity mapping and for the high one
	 * (the image sits at the same offset in its GiB as it is linked: checked
	 * above), mapping only the image, with 2 MiB pages (kernel.ld makes it a
	 * whole number of them), so nothing of the firmware's memory below it
	 * is covered; an L1 table for the device tree's GiB in the physmap, with
	 * the 2 MiB pages that hold it. RWX, A/D preset.
	 */
	lla	s3, __early_pt
	mv	t0, s3
	li	t1, 3 * 512
9:	sd	zero, 0(t0)
	addi	t0, t0, 8
	addi	t1, t1, -1
	bnez	t1, 9b

	li	t4, PTE_LEAF_RWX
	li	t5, 0x200000		/* 2 MiB */
	/* image: l1[(pa >> 21) & 511] for each 2 MiB of [s2, __image_end) */
	lla	t3, __image_end
	li	a2, 4096
	add	a2, a2, s3		/* the image's L1 */
	mv	t0, s2
	jal	map_2m
	srli	t1, a2, 12		/* root[pa >> 30] and root[510] -> that L1 */
	slli	t1, t1, 10
	ori	t1, t1, 1
	srli	t2, s2, 30
	slli	t2, t2, 3
	add	t2, t2, s3
	sd	t1, 0(t2)
	li	t2, 510 * 8
	add	t2, t2, s3
	sd	t1, 0(t2)

	/* device tree: its size (big endian at +4), at most FDT_MAX_SIZE, and
	   no further than the end of its GiB */
	beqz	s1, 6f
	lbu	t0, 4(s1)
	lbu	t1, 5(s1)
	lbu	t2, 6(s1)
	lbu	t3, 7(s1)
	slli	t0, t0, 24
	slli	t1, t1, 16
	slli	t2, t2, 8
	or	t0, t0, t1
	or	t0, t0, t2
	or	t0, t0, t3
	li	t1, FDT_MAX_SIZE
	bleu	t0, t1, 4f
	mv	t0, t1
4:	add	t3, s1, t0		/* end */
	li	t1, GIB_MASK
	or	t1, s1, t1
	addi	t1, t1, 1		/* the end of its GiB */
	bleu	t3, t1, 5f
	mv	t3, t1
5:	li	a2, 8192
	add	a2, a2, s3		/* the device tree's L1 */
	addi	t1, t5, -1
	not	t1, t1
	and	t0, s1, t1		/* its first 2 MiB page */
	jal	map_2m
	srli	t1, a2, 12		/* root[256 + (pa >> 30)] -> that L1 */
	slli	t1, t1, 10
	ori	t1, t1, 1
	srli	t2, s1, 30
	addi	t2, t2, 256
	slli	t2, t2, 3
	add	t2, t2, s3
	sd	t1, 0(t2)
6:
	srli	t0, s3, 12
	li	t1, SATP_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lboot_high
	jr	t0

	.align 3
.Lboot_high:
	.dword	boot_high

boot_high:
	/* Now at the linked address. Save .data for other cores, then zero .bss. */
	la	t0, __priv_start
	la	t1, __data_end
	la	t2, __data_pristine
4:	bgeu	t0, t1, 5f
	ld	t3, 0(t0)
	sd	t3, 0(t2)
	addi	t0, t0, 8
	addi	t2, t2, 8
	j	4b
5:	la	t0, __bss_start
	la	t1, __bss_end
6:	bgeu	t0, t1, 7f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	6b
7:	la	sp, boot_stack_top
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	boot_main
	j	early_hang

	.globl _secondary_start
_secondary_start:
	csrw	sie, zero
	csrw	sip, zero
	fence.i				/* our text was written by another hart */
	mv	s0, a0
	mv	s1, a1
	ld	t0, HANDOFF_SATP(a1)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lsecondary_high
	jr	t0

	.align 3
.Lsecondary_high:
	.dword	secondary_high

secondary_high:
	la	sp, boot_stack_top
	mv	a0, s0
	mv	a1, s1
	call	secondary_main
	j	early_hang

/* Print a0 (physical, NUL-terminated) with the SBI legacy console and stop. */
early_die:
	mv	s4, a0
8:	lbu	a0, 0(s4)
	beqz	a0, early_hang
	li	a7, 1
	ecall
	addi	s4, s4, 1
	j	8b
early_hang:
	wfi
	j	early_hang

/* Fill the L1 table at a2 with 2 MiB leaves (flags t4; t5 = 2 MiB) for
   [t0, t3), at least one: each at index (pa >> 21) & 511. Clobbers t0-t2. */
map_2m:
	srli	t1, t0, 12
	slli	t1, t1, 10
	or	t1, t1, t4
	srli	t2, t0, 21
	andi	t2, t2, 511
	slli	t2, t2, 3
	add	t2, t2, a2
	sd	t1, 0(t2)
	add	t0, t0, t5
	bltu	t0, t3, map_2m
	ret

	.section .shared, "aw"
	.align	6
boot_claim:				/* 0 until a hart takes the boot path */
	.word	0

	.section .rodata
msg_misplaced:
	.asciz	"reef: fatal: image not loaded at 2 MiB into a GiB (see kernel.ld)\n"

	.bss
	.align	4
	.globl	boot_stack, boot_stack_top
boot_stack:
	.space	KSTACK_SIZE
boot_stack_top:
