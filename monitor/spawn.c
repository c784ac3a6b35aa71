// SPDX-License-Identifier: MIT
/*
 * Starting a domain on this core for monitor 0 (`spawn <module> <core>` in
 * the shell): the module's ELF comes from this core's own CN_MODULE frames
 * (every CPU driver hands its monitor the boot modules), the memory from
 * this monitor's RAM (MONITOR_RAM), so nothing is shared with core 0.
 *
 * MON_DOMAIN lists them, reports on one of them or kills it (its memory
 * comes back here). Not yet: giving them service endpoints.
 */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <abi/services.h>
#include <chan/ump.h>
#include <rt/spawn.h>

#include "monitor.h"

#define SPAWN_RAM     (512u * 1024) /* each domain started here */
#define CHILDREN      4
#define CHILD_OWN_RAM (64u * 1024) /* of it, the domain's TASK_RAM */

static struct child children[CHILDREN];
static uint64_t ids[CHILDREN]; /* their domain ids on this core */

struct child *spawn_child(uint64_t id)
{
	for (unsigned i = 0; id && i < CHILDREN; i++)
		if (children[i].l1 && ids[i] == id)
			return &children[i];
	return NULL;
}

unsigned spawn_slot_of(const struct child *c)
{
	return (unsigned)(c - children);
}

struct child *spawn_child_at(uint64_t slot)
{
	return slot < CHILDREN && children[slot].l1 ? &children[slot] : NULL;
}

void spawn_local(unsigned from, const uint64_t *w)
{
	const struct bootinfo *bi = mon_bootinfo();
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_MODULE_NOT_FOUND};
	char name[17] = {0};
	memcpy(name, &w[1], 16);
	unsigned slot = CHILDREN;
	for (unsigned i = 0; i < CHILDREN && slot == CHILDREN; i++)
		if (!children[i].l1)
			slot = i;
	struct child *c = slot < CHILDREN ? &children[slot] : NULL;
	for (unsigned i = 0; i < bi->nmodules && i < BOOTINFO_MAX_MODULES; i++) {
		if (strncmp(bi->modules[i].name, name, sizeof(bi->modules[i].name)))
			continue;
		r[1] = !c ? ERR_NO_SLOTS
			  : spawn_elf(c, name, CAPADDR(CN_MODULE, i), bi->modules[i].size,
				      SPAWN_RAM, w[3]);
		/* It may answer us (MON_SHARE_VA), on an endpoint badged with its slot. */
		if (!r[1])
			r[1] = spawn_give_badged(c, CN_TASK, TASK_MONITOR,
						 CAPADDR(CN_TASK, TASK_EP), MON_BADGE_CHILD(slot));
		if (!r[1]) /* RAM of its own, out of its budget */
			r[1] = spawn_give_ram(c, TASK_RAM, CHILD_OWN_RAM);
		if (!r[1])
			r[1] = spawn_run(c);
		if (!r[1]) {
			struct sysret st =
			    cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_STATUS, 0, 0, 0, 0, 0);
			r[2] = ids[slot] = st.v[3];
		} else if (c && c->l1) {
			spawn_kill(c);
		}
		break;
	}
	mon_send(from, MON_SPAWNED, r);
}

void spawn_domain(unsigned from, const uint64_t *w)
{
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_DOMAIN_NOT_FOUND};
	struct child *c = w[2] == 2 ? NULL : spawn_child(w[1]);
	for (unsigned i = 0, n = 0; w[2] == 2 && i < CHILDREN; i++) {
		r[1] = ERR_OK; /* the list, in the order of their slots */
		if (children[i].l1)
			r[2] |= (ids[i] & 0xffff) << (16 * n++);
	}
	if (c) {
		memcpy(&r[3], c->name, 16);
		uint64_t state, faults;
		int64_t status;
		r[1] = spawn_status(c, &state, &faults, &status);
		r[2] = (state & 0xff) | ((uint64_t)status & 0xffffff) << 8 | faults << 32;
		if (!r[1] && w[2] == 1) {
			unsigned l1 = c->l1;
			/* What it shared goes everywhere first, then its RAM comes
			   back to us (spawn_kill revokes it here). */
			r[1] = capops_revoke_ram(c->ram);
			if (!r[1])
				r[1] = spawn_kill(c);
			if (!r[1])
				capops_child_gone(l1);
			/* Before the answer: the owners hear first (FIFO to core 0). */
			capops_release();
		}
	}
	mon_send(from, MON_DOMAIN_STATUS, r);
}

errval_t mon_remote_domain(const uint64_t *words, uint64_t out[3])
{
	uint64_t core = words[0] == MONITOR_SPAWN ? words[1] & 0xffffffffu : words[1];
	if (core == 0 || core >= 64 || !mon_peer_up((unsigned)core))
		return ERR_CORE_NONE;
	if (words[0] == MONITOR_SPAWN) {
		uint64_t w[UMP_PAYLOAD] = {0, words[2], words[3], words[1] >> 32};
		return mon_ask3(1ull << core, MON_SPAWN, MON_SPAWNED, w, out);
	}
	if (words[3] > 2)
		return ERR_BAD_REQUEST;
	uint64_t w[UMP_PAYLOAD] = {0, words[2], words[3]};
	return mon_ask3(1ull << core, MON_DOMAIN, MON_DOMAIN_STATUS, w, out);
}
