/* SPDX-License-Identifier: MIT */
/*
 * Starting a core: the kernel mechanism. The caller (today the boot policy
 * in boot.c, later the monitor through the Kernel capability) chooses the
 * hart and hands over memory; core_start() lays out in it
 *
 *   page 0  struct core_handoff: satp, kconf, and the new core's mailbox
 *   then    the core's private region: a copy of .data, a zeroed .bss
 *           (its KCB, kernel stack and page tables live there)
 *
 * and asks SBI HSM to start the hart at _secondary_start. After that the
 * memory belongs to the new core; the caller only reads the mailbox.
 */
#pragma once

#include <stddef.h>
#include <abi/types.h>

#include "kernel.h"

/*
 * The mailbox: one cache line, written only by the new core. Payload first,
 * then `fence w,w`, then seq (the control word); the reader loads seq, then
 * `fence r,r`, then the payload. An IPI tells the reader to look.
 */
enum core_mbox_state {
	MBOX_EMPTY = 0,
	MBOX_ONLINE = 1,  /* the core came up */
	MBOX_STOPPED = 2, /* the core trapped during bring-up and stopped */
};

struct core_mailbox {
	uint32_t seq; /* the control word: enum core_mbox_state */
	uint32_t coreid;
	uint32_t hartid;
	uint32_t status;
	uint64_t satp;
	uint8_t pad[40];
} __attribute__((aligned(64)));

struct core_handoff {
	uint64_t satp; /* read by entry.S before anything else: HANDOFF_SATP */
	struct kconf conf;
	struct core_mailbox mbox;
	struct core_user user; /* for the core's monitor */
};

/* Bytes of memory core_start() needs (page multiple). */
size_t core_mem_size(void);

/*
 * requires: mem is page aligned, mem_size >= core_mem_size(), the memory is
 *           unused RAM inside the physmap; conf describes the new core;
 *           user says where its monitor's memory and channel page are
 *           (the channel page is zeroed here).
 * returns:  0, or a negative SBI error from hart_start (nothing started).
 */
long core_start(const struct kconf *conf, const struct core_user *user, paddr_t mem,
		size_t mem_size);

/* The mailbox of a core started with memory mem (for the boot core to read). */
const struct core_mailbox *core_mailbox(paddr_t mem);

/* On the new core: post state to the mailbox and wake the boot core. */
void core_report_in(struct core_handoff *h, enum core_mbox_state state);
