// SPDX-License-Identifier: MIT
/*
 * The domains a monitor on core k > 0 adopted (domains.h): spawnd
 * introduces each before it runs (MONITOR_ADOPT); we keep a copy of its
 * endpoint, made from the domain's RAM so that a kill deletes it and frees
 * the place, and give the domain an endpoint to us badged with its place
 * and that place's generation (places.c). The capability operations look
 * a domain up here to hand it a frame; clients.c to answer it.
 *
 * Layer: records (places.c below it; no operations, no transport sends).
 */
#include <abi/monitor.h>
#include <rt/mem.h>

#include "domains.h"
#include "monitor.h"
#include "places.h"

/* The domains we adopted: ep is our copy of each one's endpoint. */
static struct places doms = PLACES_INIT(MON_BADGE_ADOPTED);

uint64_t spawn_badge(unsigned place)
{
	return places_badge(&doms, place);
}

errval_t spawn_adopt(uint64_t id, capaddr_t ep, capaddr_t *mine, unsigned *at)
{
	struct cap_info ci, ours;
	/* An endpoint, and not one of ours (answers to it would come back). */
	if (mon_me() == 0 || !id || cap_identify(ep, &ci) || ci.type != OBJ_ENDPOINT ||
	    cap_identify(CAPADDR(CN_TASK, TASK_EP), &ours) || ci.base == ours.base)
		return ERR_BAD_REQUEST;
	uint32_t place;
	if (spawn_place(id, &place))
		return ERR_BAD_REQUEST; /* introduced twice */
	if ((*mine = slot_alloc()) == SLOT_NONE)
		return ERR_NO_SLOTS;
	if (!places_take(&doms, ep, &place)) {
		slot_free(*mine);
		*mine = SLOT_NONE;
		return ERR_NO_MEMORY;
	}
	errval_t err = cnode_mint(CAPADDR(CAPADDR_L1(*mine), 0), 1, CAPADDR_L2(*mine),
				  CAPADDR(CN_TASK, TASK_EP), CAP_RIGHTS_ALL, spawn_badge(place));
	if (err) {
		doms.at[place].ep = SLOT_NONE; /* still the caller's, who drops it */
		slot_free(*mine);
		*mine = SLOT_NONE;
		return err;
	}
	doms.at[place].id = id;
	*at = place;
	return ERR_OK;
}

bool spawn_place(uint64_t id, unsigned *place)
{
	places_sweep(&doms); /* killed: their RAM, and our copy, went */
	for (uint32_t i = 0; id && i < doms.n; i++)
		if (doms.at[i].ep != SLOT_NONE && doms.at[i].id == id) {
			*place = i;
			return true;
		}
	return false;
}

capaddr_t spawn_ep(uint64_t badge)
{
	struct place *p = places_find(&doms, badge);
	return p ? p->ep : SLOT_NONE;
}
