/* SPDX-License-Identifier: MIT */
/* Starting cores for monitor 0 (corectl.c, ADR 0005). */
#pragma once

#include <abi/invocations.h>

#include "kernel.h"

/* Bytes of RAM one core needs: kernel memory, channel page, monitor memory. */
size_t corectl_block_size(void);
/* Boot core: the configuration core conf->coreid will be started with. */
void corectl_prepare(const struct kconf *conf);
/*
 * Start a core in the RAM capability ram (retyped to a KCB the kernel keeps)
 * and forge its channel Frame into chan_slot; or restart a lost one.
 * Errors: ERR_CORE_NONE, ERR_CORE_STATE, ERR_CAP_TYPE/RIGHTS/SIZE/RANGE,
 * ERR_CAP_OCCUPIED, retype's errors, ERR_CORE_START (*sbi_err says why).
 */
errval_t corectl_start(uint64_t core, struct cte *ram, struct cte *chan_slot, long *sbi_err);
/* enum kcore_state of a core, its hart and start attempts; never waits. */
uint64_t corectl_status(uint64_t core, uint64_t *hart, uint64_t *tries);
