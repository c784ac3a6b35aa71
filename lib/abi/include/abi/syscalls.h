/* SPDX-License-Identifier: MIT */
/*
 * System calls. ecall with the number in a7 and arguments in a0-a6; the
 * kernel returns an errval_t in a0 and values in a1 (a2-a4 for identify).
 * Every argument is validated; a bad one gets an error, never a fault.
 */
#pragma once

enum syscall {
	SYS_INVOKE = 1, /* a0 = cap address, a1 = cmd << 8 | level, a2-a6 = args */
	SYS_YIELD = 2,	/* give up the rest of this time slice */
	SYS_PRINT = 3,	/* a0 = buffer, a1 = length (<= SYS_PRINT_MAX): kernel console */
	SYS_EXIT = 4,	/* a0 = status: stop this dispatcher for good */
	SYS_RECV = 5,	/* next LMP message: a1 = badge, a2-a5 = words, a6 = 1 if
			   a capability arrived. a0 = RECV_POLL, RECV_BLOCK, or
			   RECV_TIMEOUT with a1 = ticks (1..RECV_MAX_TICKS): block
			   at most that long, then ERR_LMP_EMPTY */
	SYS_COUNT
};

#define SYS_PRINT_MAX 256

enum { RECV_POLL = 0, RECV_BLOCK = 1, RECV_TIMEOUT = 2 };
#define RECV_MAX_TICKS 100000 /* timer ticks: CONFIG_HZ (100) per second */

/* Invocation commands; which ones a type accepts is in invocations.h. */
#define INVOKE_ARG1(cmd, level) (((unsigned long)(cmd) << 8) | (level))
