/* SPDX-License-Identifier: MIT */
/*
 * The one error list of Reef, used by the kernel, the libraries and the
 * services alike. Codes are grouped in ranges per area; every code has a
 * string. Syscalls return an errval_t in a0 (and a value in a1).
 *
 *   0            ERR_OK
 *   1   -  99    syscall entry and argument decoding
 *   100 - 199    capabilities and cspaces
 *   200 - 299    virtual memory
 *   300 - 399    messaging (LMP, later UMP)
 *   400 - 499    dispatchers, IRQs, cores
 *   1000 - 1999  user-space services
 */
#pragma once

#include <stdint.h>

typedef uint32_t errval_t;

/* X(name, value, string) */
#define REEF_ERRORS(X)                                                                             \
	X(ERR_OK, 0, "success")                                                                    \
	X(ERR_SYS_UNKNOWN, 1, "unknown syscall number")                                            \
	X(ERR_SYS_ARG, 2, "invalid syscall argument")                                              \
	X(ERR_SYS_CMD, 3, "unknown invocation command for this capability type")                   \
	X(ERR_CAP_ADDR, 100, "capability address does not resolve (bad level or index)")           \
	X(ERR_CAP_EMPTY, 101, "capability slot is empty")                                          \
	X(ERR_CAP_OCCUPIED, 102, "destination slot is occupied")                                   \
	X(ERR_CAP_TYPE, 103, "wrong capability type for this operation")                           \
	X(ERR_CAP_RIGHTS, 104, "capability lacks the rights for this operation")                   \
	X(ERR_CAP_DERIVE, 105, "this type cannot be retyped into that type")                       \
	X(ERR_CAP_RANGE, 106, "retype range lies outside the source capability")                   \
	X(ERR_CAP_SIZE, 107, "invalid object size or count")                                       \
	X(ERR_CAP_ALIGN, 108, "misaligned offset or size")                                         \
	X(ERR_CAP_OVERLAP, 109, "range overlaps a live descendant")                                \
	X(ERR_CAP_PENDING, 110, "operation not finished: call again to resume")                    \
	X(ERR_CAP_BUSY, 111, "capability is being deleted or revoked")                             \
	X(ERR_CAP_NOT_FOUND, 112, "no such capability")                                            \
	X(ERR_CAP_REMOTE, 113, "other cores hold copies or descendants: ask the monitor")          \
	X(ERR_CAP_INVARIANT, 114, "the capability database is inconsistent (see the console)")     \
	X(ERR_CAP_REVOKED, 115, "capability is being revoked on every core (marked)")              \
	X(ERR_VM_ALIGN, 200, "virtual address or offset not page aligned")                         \
	X(ERR_VM_ADDR, 201, "virtual address outside the user range")                              \
	X(ERR_VM_MAPPED, 202, "something is already mapped there")                                 \
	X(ERR_VM_NOT_MAPPED, 203, "nothing is mapped there")                                       \
	X(ERR_VM_LEVEL, 204, "page table of the wrong level for this slot")                        \
	X(ERR_VM_TOO_MANY, 205, "too many mappings for this frame")                                \
	X(ERR_LMP_NO_RECEIVER, 300, "nobody will read it: its domain exited or is not set up")     \
	X(ERR_LMP_BUF_FULL, 301, "receiver's message buffer is full")                              \
	X(ERR_LMP_CAP_SLOT, 302, "receiver has no free slot for the capability")                   \
	X(ERR_LMP_EMPTY, 303, "no message waiting")                                                \
	X(ERR_NOTIFY_FULL, 304, "every notification slot of this core is bound")                   \
	X(ERR_NOTIFY_STALE, 305, "notification slot was unbound since this capability was made")   \
	X(ERR_NOTIFY_REMOTE, 306, "only the core of a notification slot can unbind it")            \
	X(ERR_DISP_STATE, 400, "dispatcher is in the wrong state for this")                        \
	X(ERR_IRQ_NUMBER, 401, "no such interrupt line")                                           \
	X(ERR_IRQ_IN_USE, 402, "interrupt line already has a handler")                             \
	X(ERR_CORE_NONE, 403, "no such core")                                                      \
	X(ERR_CORE_STATE, 404, "core is not in a state for this (started already?)")               \
	X(ERR_CORE_START, 405, "the firmware refused to start the hart (SBI error in a1)")         \
	X(ERR_NO_MEMORY, 1000, "out of memory")                                                    \
	X(ERR_NO_SLOTS, 1001, "out of capability slots")                                           \
	X(ERR_ELF, 1002, "not a loadable RISC-V ELF executable")                                   \
	X(ERR_MODULE_NOT_FOUND, 1003, "no such boot module")                                       \
	X(ERR_DOMAIN_NOT_FOUND, 1004, "no such domain")                                            \
	X(ERR_SHELL_USAGE, 1005, "bad command usage")                                              \
	X(ERR_DOMAIN_PROTECTED, 1006, "system services cannot be killed or waited for")            \
	X(ERR_BAD_REQUEST, 1007, "malformed request to a service")                                 \
	X(ERR_MON_TIMEOUT, 1008, "a monitor did not answer in time")                               \
	X(ERR_MON_BUSY, 1009, "the monitor is busy with another request: try again")               \
	X(ERR_NO_SPAWND, 1010, "that core's spawnd is not running")                                \
	X(ERR_ARGS_TOO_LONG, 1011, "arguments longer than ARGS_MAX_BYTES (abi/args.h)")            \
	X(ERR_ARGS_INCOMPLETE, 1012, "the arguments did not all come before the start")            \
	X(ERR_NAME_TAKEN, 1020, "that name is registered already")                                 \
	X(ERR_NAME_NOT_FOUND, 1021, "no such name")                                                \
	X(ERR_NAME_INVALID, 1022, "a name is 1 to 16 printable characters")                        \
	X(ERR_CHAN_CLOSED, 1030, "the channel's other end is gone")                                \
	X(ERR_CHAN_REFUSED, 1031, "the server refused the channel")                                \
	X(ERR_CHAN_FULL, 1032, "the channel holds as many messages as it can: try again")          \
	X(ERR_CHAN_BROKEN, 1033, "the channel's peer broke the protocol")                          \
	X(ERR_MEM_SIZE, 1040, "a memory request of 0 bytes or more than MEM_ALLOC_MAX")            \
	X(ERR_MEM_HANDLE, 1041, "no such memory handle of this domain")                            \
	X(ERR_NAME_REMOTE, 1050, "that name is on another core: its endpoint cannot come here")    \
	X(ERR_BIND_REFUSED, 1051, "the service does not serve this domain")                        \
	X(ERR_BIND_NONE, 1052, "that service takes no clients")                                    \
	X(ERR_TRACE_OFF, 1060, "no trace: boot with trace=on (docs/tracing.md)")                   \
	X(ERR_BENCH_FAILED, 1061, "a benchmark case failed (its lines say which)")                 \
	X(ERR_BENCH_LEFT, 1070, "a capability outlived its revoke (bench)")                        \
	X(ERR_CORE_ISA, 1080, "the core lacks an ISA extension the program needs")                 \
	X(ERR_ELF_ATTRIBUTES, 1081, "the program's .riscv.attributes section is malformed")        \
	X(ERR_IRQ_UNREACHABLE, 1085, "the interrupt's controller does not reach this core")        \
	X(ERR_IRQ_NOT_DELEGATED, 1086, "the firmware did not delegate this interrupt to S-mode")   \
	X(ERR_IRQ_RELAY_FULL, 1087, "this core has as many interrupts relayed as it can take")
enum {
#define REEF_ERR_ENUM(name, value, str) name = value,
	REEF_ERRORS(REEF_ERR_ENUM)
#undef REEF_ERR_ENUM
};

static inline const char *err_str(errval_t err)
{
	switch (err) {
#define REEF_ERR_CASE(name, value, str)                                                            \
	case value:                                                                                \
		return #name ": " str;
		REEF_ERRORS(REEF_ERR_CASE)
#undef REEF_ERR_CASE
	}
	return "unknown error";
}
