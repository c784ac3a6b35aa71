// SPDX-License-Identifier: MIT
/*
 * Starting a domain on this core for monitor 0 (`spawn <module> <core>` in
 * the shell): the module's ELF comes from this core's own CN_MODULE frames
 * (every CPU driver hands its monitor the boot modules), the memory from
 * this monitor's RAM (MONITOR_RAM), so nothing is shared with core 0.
 *
 * Not yet: killing or listing them from the shell (`cores` counts them),
 * taking their memory back, giving them service endpoints.
 */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/monitor.h>
#include <chan/ump.h>
#include <rt/spawn.h>

#include "monitor.h"

#define SPAWN_RAM (512u * 1024) /* each domain started here */
#define CHILDREN  4

static struct child children[CHILDREN];

void spawn_local(unsigned from, const uint64_t *w)
{
	const struct bootinfo *bi = mon_bootinfo();
	uint64_t r[UMP_PAYLOAD] = {w[0], ERR_MODULE_NOT_FOUND};
	char name[17] = {0};
	memcpy(name, &w[1], 16);
	struct child *c = NULL;
	for (unsigned i = 0; i < CHILDREN && !c; i++)
		if (!children[i].l1)
			c = &children[i];
	for (unsigned i = 0; i < bi->nmodules && i < BOOTINFO_MAX_MODULES; i++) {
		if (strncmp(bi->modules[i].name, name, sizeof(bi->modules[i].name)))
			continue;
		r[1] = !c ? ERR_NO_SLOTS
			  : spawn_elf(c, name, CAPADDR(CN_MODULE, i), bi->modules[i].size,
				      SPAWN_RAM, w[3]);
		if (!r[1])
			r[1] = spawn_run(c);
		if (!r[1]) {
			struct sysret st =
			    cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_STATUS, 0, 0, 0, 0, 0);
			r[2] = st.v[3];
		}
		break;
	}
	mon_send(from, MON_SPAWNED, r);
}
