/* SPDX-License-Identifier: MIT */
/* Scalar types with meaning, shared by kernel, libraries and services. */
#pragma once

#include <stdint.h>

typedef uint64_t paddr_t;  /* physical address */
typedef uint64_t vaddr_t;  /* virtual address */
typedef uint32_t coreid_t; /* dense core number, 0 = boot core */
typedef uint32_t hartid_t; /* RISC-V hart id as the firmware numbers it (sparse) */

#define COREID_INVALID ((coreid_t)-1)
