/* SPDX-License-Identifier: MIT */
/* Constants shared by assembly and C; C checks them with static_assert. */
#pragma once

#define KERNEL_OFFSET_IN_GIB 0x200000
#define GIB_MASK	     0x3fffffff
#define PTE_LEAF_RWX	     0xcf     /* V R W X A D */
#define FDT_MAX_SIZE	     0x100000 /* the largest device tree read (1 MiB) */
#define SATP_SV39	     (8 << 60)
#define HANDOFF_SATP	     0 /* offsetof(struct core_handoff, satp) */
#define KSTACK_SIZE	     16384
#define TRAP_FRAME_SIZE	     (36 * 8)
#define SSTATUS_FS_MASK	     (3 << 13) /* sstatus.FS: Off, Initial, Clean, Dirty */
