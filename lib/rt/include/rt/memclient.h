/* SPDX-License-Identifier: MIT */
/*
 * RAM from the memory service of the domain's own core (ADR 0012), the
 * same calls on every core: a domain spawned by spawnd sends them to its
 * spawnd (TASK_MEMSERV), which hands out RAM from its core's pool (on core
 * 0 from memserv). What a domain still holds when it exits comes back when
 * it is waited for or killed. Each call returns an errval_t from
 * abi/errors.h: ERR_NO_MEMORY when the core's pool cannot serve it (a
 * core does not yet get more from core 0), ERR_MEM_SIZE for 0 bytes or more than
 * MEM_ALLOC_MAX, ERR_MEM_HANDLE for a handle that is not the caller's.
 */
#pragma once

#include <stdint.h>

#include <abi/caps.h>
#include <abi/errors.h>

/* A RAM capability of at least bytes (rounded up to 64 KiB) into a free
   slot (*cap); *handle names it to mem_free. */
errval_t mem_alloc(uint64_t bytes, capaddr_t *cap, uint64_t *handle);
/* Give it back: it and everything made from it go (revoked); the slot at
   cap is freed. */
errval_t mem_free(capaddr_t cap, uint64_t handle);
/* Free and total bytes of the pool of this domain's core. */
errval_t mem_stat(uint64_t *free, uint64_t *total);

/* The same on an endpoint ep whose answers carry badge, as service_bind
   gives them (rt/names.h, ADR 0016): spawnd.<core>'s is this domain's
   TASK_MEMSERV again; memserv's ("mem") takes back what a client held
   once it is gone, and answers ERR_CAP_NOT_FOUND for a handle not its. */
errval_t mem_alloc_at(capaddr_t ep, uint64_t badge, uint64_t bytes, capaddr_t *cap,
		      uint64_t *handle);
errval_t mem_free_at(capaddr_t ep, uint64_t badge, capaddr_t cap, uint64_t handle);
errval_t mem_stat_at(capaddr_t ep, uint64_t badge, uint64_t *free, uint64_t *total);
