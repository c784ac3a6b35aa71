/* SPDX-License-Identifier: MIT */
/*
 * What a domain was started with, and argument blocks on their way
 * (abi/args.h).
 *
 * Every program's entry is main(int argc, char **argv): crt0 hands rt_main
 * the word in a0 and the image at ARGS_VADDR (if its builder wrote one),
 * and rt_main calls main with the image's argc and argv (0 and {NULL}
 * without one), then exits with what main returned.
 */
#pragma once

#include <stdint.h>

#include <abi/args.h>
#include <abi/errors.h>
#include <rt/sys.h>

/* The word in a0 at the start: spawnd gives the start request's a0 (32
   bits), lib/rt's spawn_elf its caller's, the kernel a monitor the boot
   information's address. */
uint64_t rt_arg(void);
/* The domain's id at its core's spawnd; 0 if no spawnd started it. */
uint64_t rt_domain(void);
/* The core it runs on (from the boot information at BOOTINFO_VADDR, which
   spawnd, monitor 0 and the kernel map for the domains they build). */
unsigned rt_core(void);

/* argv[0..argc-1] as a block into block (ARGS_MAX_BYTES), its length in
 *bytes; ERR_ARGS_TOO_LONG if they do not fit. */
errval_t args_pack(int argc, char *const argv[], char *block, uint32_t *bytes);
/* Send a block in fragments on ep as request op (SPAWN_ARGS or
   MONITOR_ARGS), each as soon as the receiver's queue has room; no answer
   comes. The start request goes next. */
errval_t args_send(capaddr_t ep, uint64_t op, const char *block, uint32_t bytes);

/* A block in the making at its receiver, one per sender (all zero: none). */
struct args_in {
	uint32_t got, total;
	errval_t err; /* spoilt: ERR_ARGS_TOO_LONG, ERR_ARGS_INCOMPLETE */
	char buf[ARGS_MAX_BYTES];
};
/* A fragment came: len bytes at offset of a block of total. */
void args_put(struct args_in *a, uint32_t offset, uint32_t total, const void *data, uint32_t len);
/* The start request that names a block of `bytes` takes what came (bytes
   0: none, and what came is dropped): ERR_OK if it is whole and that long,
   the block then in a->buf. Afterwards a is empty either way (a->buf holds
   on until the next fragment). */
errval_t args_take(struct args_in *a, uint32_t bytes);

/* The image a domain named name finds at ARGS_VADDR, with the arguments
   of block and its id, into page (4096 bytes); its length in *len.
   ERR_BAD_REQUEST if the block does not end in a NUL, ERR_ARGS_TOO_LONG
   if it is longer than ARGS_MAX_BYTES. */
errval_t args_image(void *page, const char *name, const char *block, uint32_t bytes,
		    uint64_t domain, uint32_t *len);
