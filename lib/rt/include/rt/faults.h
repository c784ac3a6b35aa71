/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for tests (boot argument faults=SEED, before run=; and
 * mute=K, a dead core, below).
 * A domain that calls faults_init with a seed other than 0 fails about
 * one in FAULT_ONE_IN of its slot, RAM and table-growth allocations and
 * of the records its own code asks about (fault_now), and yields at
 * random points (fault_yield). The stream is a pure function of the seed,
 * the core and a tag per kind of domain, so a run under -icount is
 * repeated exactly. Domains that never call faults_init never fail.
 *
 * A spot that has no way to report a failure (an answer that would be
 * lost, memory needed while freeing) holds faults off around it
 * (faults_hold / faults_release, nested).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rt/sys.h>

#define FAULT_ONE_IN 16

/* Tags that keep the streams of the domains on one core apart. */
enum { FAULTS_MONITOR = 1, FAULTS_SPAWND = 2, FAULTS_MEMSERV = 3 };

/* The seed of faults=SEED in the boot arguments (before run=, which takes
   the rest of the line); 0 if there is none. */
uint64_t faults_bootarg(const char *bootargs);
/* The core of mute=K in the boot arguments (before run=), FAULTS_NO_MUTE if
   there is none: monitor K > 0 answers nothing once it has joined, as if
   its core had died (monitor/README.md, "Liveness"). */
#define FAULTS_NO_MUTE (~0u)
unsigned faults_mute(const char *bootargs);
/* Inject from now on (seed 0: never). */
void faults_init(uint64_t seed, unsigned core, unsigned tag);
/* Should the allocation at hand fail? */
bool fault_now(void);
/* True about once in one_in calls once faults_init had a seed (not
   counted as injected). */
bool fault_coin(unsigned one_in);
/* Give the processor away, now and then (inline: faults.c stays pure C,
   built on the host with queue.c and mem.c). */
static inline void fault_yield(void)
{
	if (fault_coin(8))
		sys_yield();
}
void faults_hold(void);
void faults_release(void);
/* Failures injected so far (for the log). */
uint64_t faults_injected(void);
