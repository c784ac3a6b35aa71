/* SPDX-License-Identifier: MIT */
/*
 * Entry of every user program: a0 = a word from whoever set the dispatcher
 * up (a monitor: the boot information page), sp = the argument image at
 * ARGS_VADDR (abi/args.h) or, without one, the stack's top. The loader
 * zeroed .bss and .tbss; point tp at the TLS block for picolibc, then
 * rt_main(a0, sp), which calls main(argc, argv) (rt/args.h).
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	.option	push
	.option	norelax
	la	tp, __tls_start
	.option	pop
	mv	a1, sp
	andi	sp, sp, -16
	call	rt_main
1:	j	1b
