/* SPDX-License-Identifier: MIT */
/*
 * /chosen/bootargs (QEMU -append, U-Boot bootargs): space-separated words.
 *   poweroff      power the machine off once boot is complete (monitor 0 does,
 *                 when every monitor has joined)
 *   maxcores=N    bring up at most N cores (1..CONFIG_MAX_CORES)
 *   forcehart=H   start hart H even if the device tree says it cannot run a
 *                 CPU driver (to exercise the "hart never arrives" path)
 *   crashcore=K   core K executes an illegal instruction before coming online
 *                 (to exercise the trap report)
 *   stopcore=K    core K's first start hands the hart straight back to the
 *                 firmware (what a lost start request looks like; to exercise
 *                 the boot core's retry)
 *                 (to exercise the trap report and the bounded boot wait)
 *   irqrelay=K    core K claims the interrupts of the boot core's own
 *                 controller and relays them to it, as another socket's
 *                 controller's are (to exercise the relay, ADR 0021)
 *   faults=SEED   for user space (rt/faults.h): fault injection
 *   mute=K        for user space (rt/faults.h): monitor K answers nothing
 *                 once it has joined (a dead core)
 *   run=CMDS      the rest of the line is for the shell (user space)
 * Unknown words and bad values are reported through the callback and ignored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <abi/types.h>

struct bootargs {
	bool poweroff;
	unsigned maxcores;  /* 0 = no limit given */
	hartid_t forcehart; /* (hartid_t)-1 = none */
	coreid_t crashcore; /* COREID_INVALID = none */
	coreid_t stopcore;  /* COREID_INVALID = none */
	coreid_t irqrelay;  /* COREID_INVALID = none */
	const char *run;    /* run=...: commands for the shell (the rest of the line) */
};

typedef void (*bootargs_report_fn)(const char *problem, const char *word, size_t len);

/* Parse s into ba; returns the number of words reported as bad. */
unsigned bootargs_parse(const char *s, struct bootargs *ba, bootargs_report_fn report);
