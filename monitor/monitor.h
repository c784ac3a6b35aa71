/* SPDX-License-Identifier: MIT */
/* The monitor's parts (monitor/README.md). */
#pragma once

#include <abi/bootinfo.h>
#include <abi/errors.h>

/* services.c: monitor 0 starts the system services from the boot manifest. */
errval_t services_start(const struct bootinfo *bi);
