/* SPDX-License-Identifier: MIT */
/* Copies across cores (share.c). */
#pragma once

#include <stdint.h>

#include "ops.h"

/* Share our object (cap, ours now) with core's monitor, and with domain
   there (0: none); answer to `to`: w1 = the word read, w2 = messages. */
void share_start(struct asker to, capaddr_t cap, uint64_t core, uint64_t domain);
/* MON_CAP_DELIVER: make our copy (and hand it to a domain here). */
void on_deliver(unsigned from, const uint64_t *w);
/* MON_COPY_REQ, MON_RETYPE_REQ (requests; deferred while locked). */
void on_copy_req(unsigned from, uint8_t type, const uint64_t *w);
void on_retype_req(unsigned from, uint8_t type, const uint64_t *w);
