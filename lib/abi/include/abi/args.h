/* SPDX-License-Identifier: MIT */
/*
 * A domain's arguments: how they travel to the spawnd that builds it, and
 * where the domain finds them.
 *
 * On the way: an argument block is the arguments after the program's name,
 * each ending in a NUL, back to back, at most ARGS_MAX_BYTES bytes; a
 * longer one is refused (ERR_ARGS_TOO_LONG), never cut. It goes in
 * fragments, each saying where it belongs (offset) and how long the whole
 * block is (total), sent just before the request that starts the domain,
 * which names the block's length: SPAWN_ARGS then SPAWN_START to spawnd
 * (abi/services.h), MONITOR_ARGS then MONITOR_SPAWN to monitor 0
 * (abi/monreq.h), MON_SPAWN_ARGS then MON_SPAWN between monitors
 * (abi/monmsg.h). The receiver keeps one block in the making per sender;
 * a fragment at offset 0 begins a new one (what was begun before is
 * dropped), one that does not follow on from the last, or a block longer
 * than ARGS_MAX_BYTES, spoils it, and the start request takes it, whole
 * or not: a start whose block is not whole, or not as long as it says,
 * fails (ERR_ARGS_INCOMPLETE, ERR_ARGS_TOO_LONG).
 *
 * On arrival: lib/rt's spawn writes struct args_image at ARGS_VADDR, the
 * start of the stack's top page, and starts the domain with sp there (the
 * stack grows down from it); crt0 passes it to rt_main, which calls
 * main(argc, argv) (rt/args.h). argv[0] is the program's name (its boot
 * module), argv[argc] is NULL. A domain its kernel built (a monitor) has
 * none: sp is USER_STACK_TOP, argc is 0.
 */
#pragma once

#include <stdint.h>

#include "bootinfo.h"

#define ARGS_MAX_BYTES 256
#define ARGS_VADDR     (USER_STACK_TOP - 4096)
#define ARGS_MAGIC     0x736772416665ull /* "efArgs" */
#define ARGS_FRAGMENT  16		 /* bytes of a block in a SPAWN_ARGS, MONITOR_ARGS */

/* One fragment in a request's four words: SPAWN_ARGS, and MONITOR_ARGS
   (declared the same in abi/monreq.h). */
struct args_fragment {
	uint64_t op;
	uint32_t offset, total;	  /* bytes */
	char data[ARGS_FRAGMENT]; /* the block's bytes from offset (fewer at its end) */
};

/* At ARGS_VADDR when the domain starts. */
struct args_image {
	uint64_t magic;	 /* ARGS_MAGIC */
	uint64_t argc;	 /* the name and the arguments */
	uint64_t domain; /* its id at its core's spawnd; 0: not started by a spawnd */
	uint64_t argv[]; /* argc addresses, then 0; the strings follow */
};

/* The largest image: the name (16 bytes and a NUL) and ARGS_MAX_BYTES
   empty arguments. */
_Static_assert(sizeof(struct args_image) + (ARGS_MAX_BYTES + 2) * 8 + 17 + ARGS_MAX_BYTES <= 4096,
	       "the arguments fit the stack's top page");
