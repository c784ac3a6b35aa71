/* SPDX-License-Identifier: MIT */
/*
 * The trace (trace.c, docs/tracing.md): with the boot argument trace=on
 * every monitor records each inter-monitor message it sends or receives.
 * Layer 0, beside the transport, which records through it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Boot argument trace=on: record from now on (false: no memory for it,
   said on the console). */
bool trace_init(void);
bool trace_on(void);
/* One message to (send) or from (!send) core peer, of type (the one a
   MON_FWD carries: fwd), now. MON_TRACE and MON_TRACE_DONE are not
   recorded; when the buffer is full the record is dropped and counted. */
void trace_note(bool send, unsigned peer, uint8_t type, bool fwd);
/* Empty the buffer (and the count of drops); record from now on. */
void trace_clear(void);
/* Print every record, `trace core=<k> dir=... seq=<i>`, oldest first,
   then `trace core=<k> records=<n> dropped=<d>`; the records printed,
   *dropped the drops. */
uint64_t trace_print(uint64_t *dropped);
