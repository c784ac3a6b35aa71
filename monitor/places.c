// SPDX-License-Identifier: MIT
/* Places that grow from the heap (places.h). */
#include <stdlib.h>

#include <abi/monitor.h>
#include <rt/mem.h>

#include "places.h"

bool places_take(struct places *t, capaddr_t ep, uint32_t *i)
{
	uint32_t p = 0;
	while (p < t->n && t->at[p].ep != SLOT_NONE)
		p++;
	if (p == t->n) { /* all taken: grow, doubling, while the badge can say it */
		uint32_t n = t->n ? 2 * t->n : 8;
		if (n <= t->n || n > MON_BADGE_PLACES)
			n = MON_BADGE_PLACES;
		struct place *at = n > t->n ? realloc(t->at, (size_t)n * sizeof(*at)) : NULL;
		if (!at)
			return false;
		for (uint32_t j = t->n; j < n; j++)
			at[j] = (struct place){.ep = SLOT_NONE};
		t->at = at;
		t->n = n;
	}
	t->at[p].ep = ep;
	t->at[p].id = 0;
	t->at[p].gen++;
	*i = p;
	return true;
}

void places_free(struct places *t, uint32_t i, bool del)
{
	if (i >= t->n || t->at[i].ep == SLOT_NONE)
		return;
	capaddr_t ep = t->at[i].ep;
	if (del)
		cnode_delete(CAPADDR(CAPADDR_L1(ep), 0), 1, CAPADDR_L2(ep));
	slot_free(ep);
	t->at[i].ep = SLOT_NONE;
	t->at[i].id = 0;
}

void places_sweep(struct places *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		struct cap_info ci;
		if (t->at[i].ep != SLOT_NONE && cap_identify(t->at[i].ep, &ci) == ERR_CAP_EMPTY)
			places_free(t, i, false);
	}
}

uint64_t places_badge(const struct places *t, uint32_t i)
{
	return MON_BADGE(t->kind, i, t->at[i].gen);
}

struct place *places_find(const struct places *t, uint64_t badge)
{
	uint64_t i = MON_BADGE_PLACE(badge);
	if (MON_BADGE_KIND(badge) != t->kind || i >= t->n || t->at[i].ep == SLOT_NONE ||
	    places_badge(t, (uint32_t)i) != badge)
		return NULL;
	return &t->at[i];
}
