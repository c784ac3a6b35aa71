// SPDX-License-Identifier: MIT
/*
 * The trace (trace.h, docs/tracing.md). Each monitor keeps its records in
 * one buffer of TRACE_RECORDS from its heap, taken at boot when trace=on:
 * the first TRACE_RECORDS messages after the last trace_clear are kept,
 * every later one is dropped and counted, and the count is printed with
 * the records (and answered to the domain that asked): nothing is dropped
 * unsaid. Each record holds the time CSR (rdtime: one clock on every
 * hart) and the instruction counter (rdinstret: under QEMU -icount one
 * virtual clock of all harts; on a board the hart's own count, which
 * another hart's does not compare with); 0 for a counter the firmware
 * does not let this core read (bootinfo's counters).
 *
 * Layer: the transport's (0); uses nothing of the monitor's.
 */
#include <stdio.h>
#include <stdlib.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>

#include "monitor.h"
#include "trace.h"

#define TRACE_RECORDS 1024 /* a broadcast revoke on 128 cores: 508 at the owner */

struct record {
	uint64_t t, instr;
	uint16_t peer;
	uint8_t type;
	uint8_t send : 1, fwd : 1;
};

static struct record *buf; /* NULL: no trace */
static unsigned used;
static uint64_t dropped;
static uint32_t counters; /* those this core may read (bootinfo; else 0) */

bool trace_init(void)
{
	counters = mon_bootinfo()->counters;
	buf = calloc(TRACE_RECORDS, sizeof(*buf));
	if (!buf)
		printf("monitor %u: no memory for the trace (trace=on ignored)\n", mon_me());
	return buf != NULL;
}

bool trace_on(void)
{
	return buf != NULL;
}

void trace_note(bool send, unsigned peer, uint8_t type, bool fwd)
{
	if (!buf || type == MON_TRACE || type == MON_TRACE_DONE)
		return;
	if (used == TRACE_RECORDS) {
		dropped++;
		return;
	}
	struct record *r = &buf[used++];
	r->t = r->instr = 0;
	if (counters & BOOTINFO_TIME)
		__asm__ volatile("rdtime %0" : "=r"(r->t));
	if (counters & BOOTINFO_INSTRET)
		__asm__ volatile("rdinstret %0" : "=r"(r->instr));
	r->peer = (uint16_t)peer;
	r->type = type;
	r->send = send;
	r->fwd = fwd;
}

void trace_clear(void)
{
	used = 0;
	dropped = 0;
}

uint64_t trace_print(uint64_t *drops)
{
	unsigned me = mon_me();
	for (unsigned i = 0; buf && i < used; i++) {
		const struct record *r = &buf[i];
		printf("trace core=%u dir=%s peer=%u type=%u name=%s t=%lu instr=%lu seq=%u%s\n",
		       me, r->send ? "send" : "recv", r->peer, r->type,
		       mon_msg_known(r->type) ? mon_msg_name[r->type] : "?", (unsigned long)r->t,
		       (unsigned long)r->instr, i, r->fwd ? " fwd=1" : "");
	}
	printf("trace core=%u records=%u dropped=%lu\n", me, buf ? used : 0,
	       (unsigned long)dropped);
	*drops = dropped;
	return buf ? used : 0;
}
