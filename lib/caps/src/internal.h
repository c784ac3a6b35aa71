/* SPDX-License-Identifier: MIT */
/* Shared between the lib/caps sources; not part of the interface. */
#pragma once

#include <caps/caps.h>

int caps_class(uint8_t type);
int caps_cmp_cap(const struct capability *a, const struct capability *b);
int mdb_cmp(const struct cte *a, const struct cte *b);
unsigned mdb_level(const struct cte *n);
const struct cte *mdb_find_overlapping_descendant(const struct caps_env *env,
						  const struct capability *src, uint64_t b,
						  uint64_t e);
/* A memory capability that overlaps [b, e) without one containing the other. */
const struct cte *mdb_find_straddling(const struct caps_env *env, uint64_t b, uint64_t e);
/* A kernel object (CNode, VNode, Dispatcher, Endpoint) overlapping [b, e). */
const struct cte *mdb_find_kernel_object(const struct caps_env *env, uint64_t b, uint64_t e);
