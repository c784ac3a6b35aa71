/* SPDX-License-Identifier: MIT */
/*
 * Places: a table that grows from the heap, one entry per domain a monitor
 * answers on its own endpoint (a bound client, an adopted domain), found
 * again by the badge of that domain's requests (abi/monitor.h: MON_BADGE).
 * A place is reused once its domain is gone; its generation, in the badge,
 * tells a message the gone domain left behind from its successor's.
 *
 * Layer: records (no operations, no transport).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rt/sys.h>

struct place {
	capaddr_t ep; /* our copy of its endpoint; SLOT_NONE: free */
	uint64_t id;  /* an adopted domain: spawnd's id for it */
	uint32_t gen; /* how many domains had this place (the badge keeps 24 bits) */
};

struct places {
	struct place *at; /* n places, NULL until the first */
	uint32_t n;
	uint64_t kind; /* MON_BADGE_CLIENT or MON_BADGE_ADOPTED */
};

#define PLACES_INIT(k) ((struct places){.kind = (k)})

/* A free place for ep (ours now), the table grown if it has none; its
   generation goes up. false: no memory (nothing changed). */
bool places_take(struct places *t, capaddr_t ep, uint32_t *i);
/* Free place i; its endpoint slot goes back (deleted too if del). */
void places_free(struct places *t, uint32_t i, bool del);
/* Free the places whose endpoint went (their domain's RAM was revoked). */
void places_sweep(struct places *t);
uint64_t places_badge(const struct places *t, uint32_t i);
/* The place a badge names, NULL if none of this table's or an old one. */
struct place *places_find(const struct places *t, uint64_t badge);
