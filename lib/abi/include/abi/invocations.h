/* SPDX-License-Identifier: MIT */
/*
 * Invocation commands, per capability type, with their arguments and the
 * rights they need. SYS_INVOKE: a0 = target capability address, a1 =
 * cmd << 8 | level (2 = a slot in an L2 CNode, 1 = an L1 slot, i.e. an L2
 * CNode capability), a2-a6 = arguments. Capability arguments are addresses
 * in the caller's cspace, resolved at level 2 unless said otherwise.
 */
#pragma once

enum invocation {
	/* Any capability. a1 = type | rights << 8 | owner core << 16, a2 = base,
	 * a3 = size, a4 = badge. */
	CAP_IDENTIFY = 0,

	/* PhysAddr, RAM, Frame, DevFrame, Dispatcher; needs WRITE.
	 * a2 = type | count << 8, a3 = offset, a4 = objsize,
	 * a5 = dest CNode address | dest level << 32, a6 = first dest slot. */
	CAP_RETYPE = 1,

	/* L1CNode, L2CNode (the destination); needs WRITE on it.
	 * a2 = dest slot, a3 = source address, a4 = source level,
	 * a5 = rights mask, a6 = badge (MINT only; endpoints). */
	CNODE_COPY = 2,
	CNODE_MINT = 3,
	/* a2 = slot. May return ERR_CAP_PENDING: call again to go on. */
	CNODE_DELETE = 4,
	CNODE_REVOKE = 5,

	/* VNode_L2/L1/L0; needs WRITE. a2 = first entry, a3 = child (Frame or
	 * DevFrame in an L0 table, VNode_L1 in L2, VNode_L0 in L1), a4 = mapping
	 * rights (CAP_RIGHT_READ/WRITE/EXECUTE, within the child's rights),
	 * a5 = offset into the frame in pages, a6 = pages (tables: 1). */
	VNODE_MAP = 6,
	/* a2 = child address: remove that capability's mapping from this table. */
	VNODE_UNMAP = 7,

	/* Dispatcher; needs WRITE. a2 = cspace root (L1CNode), a3 = vspace
	 * root (VNode_L2), a4 = entry pc, a5 = stack pointer, a6 = argument (a0).
	 * The old roots are deleted first; ERR_CAP_PENDING when one was the last
	 * copy of a CNode still being emptied: call again. */
	DISP_SETUP = 8,
	/* Make it runnable. a2 = how its console lines are tagged (ADR 0013):
	 * the domain number shown as [core.number] (0: the kernel's own count),
	 * or DISP_RUN_PLAIN: untagged (the monitors' system services). */
	DISP_RUN = 9,
	DISP_STOP = 10, /* stop it; it can be set up and run again */
	/* a2 = receive slot address (in the dispatcher's own cspace) for caps
	 * arriving by LMP. */
	DISP_SET_RECV_SLOT = 11,

	/* Endpoint; needs WRITE. a2-a5 = payload words, a6 = capability to
	 * send (address | 1 << 32), or 0. The capability needs GRANT. */
	EP_SEND = 12,

	/* IRQ. CONNECT: a2 = endpoint that receives a message (word 0 = line)
	 * per interrupt. ACK: let the line interrupt again. */
	IRQ_CONNECT = 13,
	IRQ_ACK = 14,

	/* Dispatcher (READ). a1 = state (0 stopped, 1 runnable, 2 blocked),
	 * a2 = faults, a3 = exit status, a4 = domain id. */
	DISP_STATUS = 16,

	/* L1CNode (READ): identify the capability at a2 (level a3) in the
	 * cspace this CNode is the root of. Results as CAP_IDENTIFY. */
	CNODE_IDENTIFY = 17,

	/* Kernel. a2 = status: power the machine off; QEMU exits with status
	 * 0 for 0, non-zero otherwise (on machines that can report it). */
	KERNEL_POWEROFF = 15,
	/* Kernel (WRITE). a2 = endpoint: from now on every notification IPI
	 * from another core arrives there as an LMP message (word 0 = 0);
	 * several IPIs may arrive as one message. One binding per core. */
	KERNEL_IPI_BIND = 18,
	/* Kernel (WRITE). a2 = core id: send that core a notification IPI. */
	KERNEL_NOTIFY = 19,
	/* Kernel (READ). a1 = core id, a2 = live dispatchers on this core,
	 * a3 = notification IPIs received | fence.i executed << 32 (32 bits
	 * each), a4 = timer ticks. */
	KERNEL_STATUS = 20,
	/* Kernel (WRITE), monitors only: make a capability that another core
	 * owns, as that core's monitor described it. a2 = an L2 CNode (level 1:
	 * the address of its L1 slot), a3 = empty slot in it, a4 = type | rights << 8 | owner core
	 * << 16 (owner: another core), a5 = base, a6 = size, as CAP_IDENTIFY
	 * describes it there. RAM, Frame and DevFrame: the range may not partly
	 * overlap a capability on this core, nor overlap a kernel object (CNode,
	 * VNode, Dispatcher). Notify: a5 = NOTIFY_BASE(owner, slot), a6 = the
	 * generation (ERR_CORE_NONE for no such core, ERR_SYS_ARG for a slot
	 * beyond NOTIFY_SLOTS or a generation 0 or above 32 bits); whether that
	 * slot is bound, and in that generation, only its own core knows. A
	 * Notify for this core's own slot (ADR 0014) names its binding as it is
	 * now (else ERR_NOTIFY_STALE). RAM of this core's own (ADR 0012: memory
	 * core 0 gave it for good) may overlap no capability here at all
	 * (ERR_CAP_OVERLAP). Other types of this core's own: ERR_SYS_ARG. */
	KERNEL_CAP_CREATE = 21,
	/* Kernel (WRITE), monitors only: a2 = capability (level 2), a3 = 1 to
	 * mark it as having copies or descendants on other cores (then delete
	 * and revoke refuse to remove it: ERR_CAP_REMOTE), 0 to clear that. */
	KERNEL_CAP_REMOTE = 22,
	/* Kernel (READ), monitor 0 (ADR 0005): a1 = bytes of RAM a core needs
	 * (KERNEL_CORE_START), a2 = ms to wait for cores to report in, a3 =
	 * cores the platform assigned. */
	KERNEL_CORE_INFO = 23,
	/* Kernel (WRITE), monitor 0: start core a2 (1 .. cores - 1) in the RAM
	 * at a3 (at least KERNEL_CORE_INFO's a1 bytes, all of it used: what is
	 * beyond the minimum goes to the core's monitor; the kernel keeps its
	 * kernel part as a KCB and its monitor part as RAM, both marked
	 * remote), its channel page as a Frame into the empty slot a5 of
	 * the L2 CNode at a4 (level 1). For a core the firmware lost (status
	 * KCORE_LOST) it starts the hart again in the same memory (a3-a5
	 * ignored). ERR_CORE_START with the SBI error in a1 if the hart does
	 * not start (the memory comes back). */
	KERNEL_CORE_START = 24,
	/* Kernel (READ): a2 = core -> a1 = enum kcore_state, a2 = its hart,
	 * a3 = start attempts. Reads the core's mailbox; never waits. */
	KERNEL_CORE_STATUS = 25,
	/* Kernel (READ): check every invariant of this core's capability
	 * database (caps_check_invariants, for tests): ERR_CAP_INVARIANT, with
	 * the reason on the console, if one fails. a1 = capabilities in it. */
	KERNEL_CAP_CHECK = 26,
	/* Kernel (READ), monitors only: a2 = capability (level 2) -> a1 = its
	 * copies on this core, itself included, counted up to
	 * KERNEL_RELATIONS_MAX, a2 = 1 if a descendant exists here (or more
	 * copies than that). Bounded work (caps_relations). */
	KERNEL_CAP_RELATIONS = 27,
	/* Kernel (WRITE), monitors only: a5 = 1: mark the object a2 = type
	 * (RAM, Frame or DevFrame), a3 = base, a4 = size on this core for a
	 * distributed revoke; until it is unmarked (a5 = 0) its copies and
	 * descendants here cannot be used: every invocation and capability
	 * argument but CAP_IDENTIFY gets ERR_CAP_REVOKED (deleting and
	 * revoking their slots still works). Marks nest. Errors as caps_mark. */
	KERNEL_CAP_MARK = 28,

	/* Notifications (ADR 0010). Endpoint (WRITE): bind a free notification
	 * slot of this core to a copy of this endpoint and put a Notify
	 * capability for it (this endpoint's rights) into the empty slot a3 of
	 * the L2 CNode at a2 (level 1: the address of its L1 slot). -> a1 = the
	 * slot, a2 = its generation. ERR_NOTIFY_FULL when NOTIFY_SLOTS are bound.
	 * The binding lasts until NOTIFY_UNBIND or until the kernel's copy of
	 * the endpoint goes (the endpoint, its Dispatcher or their RAM revoked,
	 * or the Dispatcher's last copy deleted). */
	EP_NOTIFY_BIND = 29,
	/* Notify (WRITE), on any core: the endpoint bound to its slot gets one
	 * LMP message (badge: its own; words NOTIFY_EVENT, slot, generation),
	 * by IPI when the slot is on another core. Notifications merge (several
	 * sends may make one message) and may be spurious (a slot unbound and
	 * bound again since the capability was made: only its own core can
	 * tell), so a receiver looks at its channel after each. On the slot's
	 * own core ERR_NOTIFY_STALE when the generation is not the bound one. A
	 * receiver whose queue is full gets it once there is room. */
	NOTIFY_SEND = 30,
	/* Notify (READ and WRITE), on its slot's core only (else
	 * ERR_NOTIFY_REMOTE): free the slot; ERR_NOTIFY_STALE if it is not
	 * bound in this generation. The capability stays, stale. */
	NOTIFY_UNBIND = 31,

	/* Dispatcher (WRITE): a2 = handler pc (0: none), a3 = base, a4 = size
	 * of a range of its addresses. A load, store or AMO fault (access or
	 * page) whose address is in [a3, a3 + a4) then resumes it at a2 with
	 * a0 = the address, a1 = scause, a2 = the pc that faulted, instead of
	 * stopping it (ADR 0014: a channel's mapping revoked under it). Every
	 * other fault stops it as before. -> a1 = faults caught so far.
	 * ERR_SYS_ARG if the range wraps. */
	DISP_CATCH = 32,
};

#define DISP_RUN_PLAIN (1ull << 32) /* DISP_RUN a2: its console lines untagged */

#define KERNEL_RELATIONS_MAX 64

enum kcore_state {
	KCORE_NONE = 0,	   /* not started */
	KCORE_WAITING = 1, /* started, not reported in yet */
	KCORE_ONLINE = 2,  /* reported in: it runs its monitor */
	KCORE_STOPPED = 3, /* trapped during bring-up and stopped */
	KCORE_LOST = 4,	   /* back in the firmware without a word: start again */
};

#define EP_SEND_CAP (1ul << 32)
