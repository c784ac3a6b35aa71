/* SPDX-License-Identifier: MIT */
/*
 * Between the syscall fuzz harness and its host stubs (stubs.c): how a
 * kernel entry ends. On hardware every kernel entry ends in sret to some
 * dispatcher, in WFI with nothing to run, or in power-off; on the host the
 * stubs for those jump back to host_enter() with a HOST_* code.
 */
#pragma once

#include <stdint.h>

#include "trap_frame.h"

enum host_exit {
	HOST_RUNNING = 0, /* still inside the kernel */
	HOST_USER,	  /* arch_user_resume(): sret to host_resumed */
	HOST_IDLE,	  /* WFI: nothing runnable */
	HOST_POWEROFF,	  /* kernel_poweroff(host_poweroff_status) */
};

/* For __builtin_setjmp/__builtin_longjmp: the kernel already called
   __asan_handle_no_return before each of the stubs that leave, so the
   intercepted longjmp (and its extra system call) is not needed. */
extern void *host_jmp[5];
extern enum host_exit host_exit;
extern const struct trap_frame *host_resumed;
extern unsigned host_poweroff_status;
extern int host_tick_pending; /* the next irq_poll() sees a timer tick */
extern int host_ipi_pending;  /* the next irq_poll() sees a notification IPI */
extern unsigned long host_ipis_sent;
extern int host_verbose; /* echo the kernel console to stderr */

/* Back to the state before the first input (CSRs, time). */
void host_reset(void);

/* A kernel bug: report and abort (libFuzzer saves the input). */
void __attribute__((noreturn, format(printf, 1, 2))) host_panic(const char *fmt, ...);
