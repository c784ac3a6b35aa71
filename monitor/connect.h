/* SPDX-License-Identifier: MIT */
/*
 * Channels on demand between monitors other than monitor 0 (connect.c).
 * An operation asks for them as one round of its own:
 *
 *	connect_round(o); connect_to(o, cores) or connect_tree(o, cores);
 *	op_wait(o, connect_ticks(o), next);
 *
 * The round's errors only mean that messages go through monitor 0.
 */
#pragma once

#include <stdint.h>

#include "coreset.h"
#include "ops.h"

void connect_round(struct op *o);
/* Channels of our own to every core in cores. */
void connect_to(struct op *o, const struct coreset *cores);
/* Channels for every edge of the revoke tree over cores (coreset.h) below
   us: ours to our children, and each parent's to its children. */
void connect_tree(struct op *o, const struct coreset *cores);
/* The edges of the broadcast's relays (ADR 0019): to each other NUMA
   node's leader among cores, and from it to the rest of its node. */
void connect_relay(struct op *o, const struct coreset *cores);
/* How long the round may take (a dead core fails it). */
uint64_t connect_ticks(const struct op *o);
/* Monitor 0: MON_CONNECT (a request; deferred while another is made). */
void on_connect(unsigned from, uint8_t type, const union mon_payload *p);
