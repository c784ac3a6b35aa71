/* SPDX-License-Identifier: MIT */
/*
 * The name service, from any domain on any core (abi/monreq.h
 * MONITOR_NAME_*, ADR 0011): a name is 1 to 16 printable characters,
 * unique in the system, and stands for an endpoint of the domain that
 * registered it. A name goes when that domain unregisters it, exits
 * (lib/rt unregisters its names then), or is killed.
 */
#pragma once

#include <stdint.h>

#include <rt/sys.h>

#define NAME_MAX_LEN 16

/* Register name for endpoint ep (a copy goes to the monitor). */
errval_t name_register(const char *name, uint64_t ep);
/* The core name was registered on; when that is ours, a copy of its
   endpoint into slot dest (CAPADDR_NONE: not wanted). */
errval_t name_lookup(const char *name, unsigned *core, uint64_t dest);
/* The lowest name above after ("" for the first) into next (17 bytes), and
   its core; ERR_NAME_NOT_FOUND after the last. */
errval_t name_next(const char *after, char *next, unsigned *core);
errval_t name_unregister(const char *name);
/* Unregister every name this domain registered (lib/rt does at exit). */
void names_release(void);

/* A service found by name (the system's: abi/services.h SVC_NAME_*, ADR
   0016), bound: *ep (a new slot) is its endpoint badged for us, *badge
   what its answers carry (for rpc_call). ERR_NAME_REMOTE: the name is on
   another core, whose endpoints cannot come here; ERR_BIND_REFUSED,
   ERR_BIND_NONE: the service's answer. Waits for the answer like rpc_call:
   a name that is not a service's may never give one. */
errval_t service_bind(const char *name, capaddr_t *ep, uint64_t *badge);
