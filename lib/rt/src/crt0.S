/* SPDX-License-Identifier: MIT */
/*
 * Entry of every user program: a0 = argument from whoever set the dispatcher
 * up (init: the boot information page), sp = stack top. The loader zeroed
 * .bss and .tbss; point tp at the TLS block for picolibc, then main.
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	.option	push
	.option	norelax
	la	tp, __tls_start
	.option	pop
	andi	sp, sp, -16
	call	rt_main
1:	j	1b
