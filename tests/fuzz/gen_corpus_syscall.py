#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed inputs for fuzz_syscall (tests/fuzz/fuzz_syscall.c).

Each seed is a short scenario in the harness's input encoding: identify,
retype, map and print, LMP between init and its child with a capability,
a new dispatcher set up and run, Kernel invocations with an IPI, CNode
delete and revoke, notifications. The cspace layout (CN_*, TASK_*) is read from
lib/abi/include/abi/bootinfo.h; the other numbers are the ABI's.

usage: gen_corpus_syscall.py [OUTDIR]   (default: tests/fuzz/corpus_syscall)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def enum_names(text, first):
    """The names of the anonymous enum starting with `first`, in order."""
    m = re.search(r"enum\s*{([^}]*\b%s\b[^}]*)}" % first, text)
    names, value = {}, -1
    for item in m.group(1).split(","):
        item = re.sub(r"/\*.*?\*/", "", item, flags=re.S).strip()
        if not item:
            continue
        name, _, val = item.partition("=")
        value = int(val.strip(), 0) if val.strip() else value + 1
        names[name.strip()] = value
    return names


bootinfo = open(os.path.join(ROOT, "lib/abi/include/abi/bootinfo.h")).read()
CN = enum_names(bootinfo, "CN_TASK")
TASK = enum_names(bootinfo, "TASK_DISP")

# abi/syscalls.h, abi/invocations.h, abi/caps.h
SYS_INVOKE, SYS_YIELD, SYS_PRINT, SYS_EXIT, SYS_RECV = 1, 2, 3, 4, 5
CAP_IDENTIFY, CAP_RETYPE, CNODE_COPY, CNODE_MINT, CNODE_DELETE, CNODE_REVOKE = 0, 1, 2, 3, 4, 5
VNODE_MAP, VNODE_UNMAP, DISP_SETUP, DISP_RUN, DISP_STOP, DISP_SET_RECV_SLOT = 6, 7, 8, 9, 10, 11
EP_SEND, IRQ_CONNECT, IRQ_ACK, KERNEL_POWEROFF, DISP_STATUS, CNODE_IDENTIFY = 12, 13, 14, 15, 16, 17
KERNEL_IPI_BIND, KERNEL_NOTIFY, KERNEL_STATUS = 18, 19, 20
KERNEL_CAP_CREATE, KERNEL_CAP_REMOTE = 21, 22
KERNEL_CORE_INFO, KERNEL_CORE_START, KERNEL_CORE_STATUS, KERNEL_CAP_CHECK = 23, 24, 25, 26
KERNEL_CAP_RELATIONS, KERNEL_CAP_MARK = 27, 28
EP_NOTIFY_BIND, NOTIFY_SEND, NOTIFY_UNBIND = 29, 30, 31
OBJ_FRAME, OBJ_L1CNODE, OBJ_L2CNODE, OBJ_VNODE_L2, OBJ_VNODE_L1, OBJ_VNODE_L0 = 4, 5, 6, 7, 8, 9
OBJ_DISPATCHER, OBJ_ENDPOINT, OBJ_NOTIFY = 10, 11, 16
R, W, X, G = 1, 2, 4, 8

# Register value encodings (value() in fuzz_syscall.c).


def small(n):  # 0..31
    assert 0 <= n < 32
    return bytes([n])


def cap(cn, slot):  # CAPADDR(cn, slot), cn < 8
    assert cn < 8 and slot < 256
    return bytes([0xE0 | (cn << 2), slot])


def nth_cap(k):  # the k-th occupied slot of the caller's cspace
    return bytes([0x20 | k])


def pages(k):  # k * 4096
    return bytes([0x40 | (k >> 8), k & 0xFF])


def raw(v):
    return bytes([0x80]) + (v & (2**64 - 1)).to_bytes(8, "big")


def special(i):  # specials[i]
    return bytes([0xA0 | i])


def pair(hi, lo):  # hi << 8 | lo, lo < 32
    return bytes([0xC0 | lo, hi])


def caplvl(cn, slot, lvl):  # lvl << 32 | CAPADDR(cn, slot); lvl 1 = EP_SEND_CAP
    return bytes([0xE0 | (cn << 2) | lvl, slot])


SP_PAGE, SP_VNODE, SP_CNODE, SP_DISP, SP_DATA_VADDR, SP_BOOTARGS = 14, 15, 16, 17, 11, 10


def ecall(sys, *regs):
    """An ecall: a7 = sys, a0.. from regs (missing ones 0)."""
    s = {SYS_INVOKE: 0, SYS_YIELD: 10, SYS_PRINT: 11, SYS_EXIT: 12, SYS_RECV: 13}[sys]
    regs = list(regs) + [small(0)] * (7 - len(regs))
    return bytes([s << 4]) + b"".join(regs)


def invoke(target, cmd, *args, level=2):
    return ecall(SYS_INVOKE, target, pair(cmd, level), *args)


def timer():
    return bytes([13])


def ipi():
    return bytes([13 | 0x80])


def idle_tick():  # while nothing is runnable
    return bytes([0])


def idle_ipi():
    return bytes([1])


def fault(i=5):
    return bytes([14 | (i << 4), 0])


T, S0 = CN["CN_TASK"], CN["CN_SLOT0"]
MEM, PAGE, BASE = CN["CN_MEM"], CN["CN_PAGE"], CN["CN_BASE"]
DEV = CN["CN_DEV"]


seeds = {
    "identify": b"".join(
        [
            invoke(cap(T, TASK["TASK_DISP"]), CAP_IDENTIFY),
            invoke(cap(T, TASK["TASK_ROOTCN"]), CNODE_IDENTIFY, cap(MEM, 0), small(2)),
            invoke(cap(T, TASK["TASK_DISP"]), DISP_STATUS),
            invoke(cap(MEM, 0), CAP_IDENTIFY),
            ecall(SYS_PRINT, special(SP_BOOTARGS), small(9)),
        ]
    ),
    "retype_map_print": b"".join(
        [
            invoke(cap(MEM, 0), CAP_RETYPE, pair(4, OBJ_FRAME), small(0), special(SP_PAGE),
                   caplvl(S0, 0, 1), small(10)),
            invoke(cap(PAGE, 1), VNODE_MAP, small(20), cap(S0, 10), small(R | W), small(0),
                   small(1)),
            ecall(SYS_PRINT, special(SP_DATA_VADDR), small(16)),
            invoke(cap(PAGE, 1), VNODE_UNMAP, cap(S0, 10)),
            invoke(cap(MEM, 0), CNODE_REVOKE, small(0), level=1),
            invoke(cap(MEM, 0), CAP_RETYPE, pair(1, OBJ_VNODE_L1), pages(0), special(SP_VNODE),
                   caplvl(S0, 0, 1), small(11)),
            invoke(cap(T, TASK["TASK_VROOT"]), VNODE_MAP, small(3), cap(S0, 11), small(0),
                   small(0), small(1)),
            invoke(cap(MEM, 0), CNODE_DELETE, small(1), level=1),
        ]
    ),
    "lmp_with_cap": b"".join(
        [
            invoke(cap(S0, 3), EP_SEND, small(1), small(2), small(3), small(4),
                   caplvl(BASE, 2, 1)),
            ecall(SYS_YIELD),
            ecall(SYS_RECV, small(0)),  # the child: the message and the frame
            invoke(cap(T, TASK["TASK_EP"]), EP_SEND, small(5)),
            ecall(SYS_RECV, small(1)),  # the child blocks
            ecall(SYS_RECV, small(0)),  # init: the child's message
            invoke(cap(S0, 3), EP_SEND, small(6)),  # wakes the child
            timer(),
            ecall(SYS_RECV, small(2), small(3)),  # blocks with a timeout
            timer(),
            timer(),
            timer(),
            timer(),
        ]
    ),
    "new_dispatcher": b"".join(
        [
            invoke(cap(MEM, 0), CAP_RETYPE, pair(1, OBJ_DISPATCHER), pages(0), special(SP_DISP),
                   caplvl(S0, 0, 1), small(20)),
            invoke(cap(MEM, 0), CAP_RETYPE, pair(1, OBJ_L1CNODE), pages(4), special(SP_CNODE),
                   caplvl(S0, 0, 1), small(21)),
            invoke(cap(MEM, 0), CAP_RETYPE, pair(1, OBJ_VNODE_L2), pages(8), special(SP_VNODE),
                   caplvl(S0, 0, 1), small(22)),
            invoke(cap(S0, 20), DISP_SETUP, cap(S0, 21), cap(S0, 22), small(0), small(0)),
            invoke(cap(S0, 20), DISP_RUN),
            ecall(SYS_YIELD),
            ecall(SYS_YIELD),
            invoke(cap(S0, 20), DISP_STATUS),
            fault(),
            ecall(SYS_EXIT, small(3)),
        ]
    ),
    "kernel_ipi_irq": b"".join(
        [
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_STATUS),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_IPI_BIND, cap(T, TASK["TASK_EP"])),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_NOTIFY, small(1)),
            ipi(),
            ecall(SYS_RECV, small(0)),
            invoke(cap(DEV, 1), IRQ_CONNECT, cap(T, TASK["TASK_EP"])),
            invoke(cap(DEV, 1), IRQ_ACK),
            invoke(cap(DEV, 0), CAP_IDENTIFY),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_POWEROFF, small(0)),
        ]
    ),
    "idle_wakeup": b"".join(
        [
            ecall(SYS_RECV, small(2), small(2)),  # init sleeps 2 ticks
            ecall(SYS_RECV, small(2), small(3)),  # the child 3: the core idles
            idle_tick(),
            idle_tick(),  # init wakes up with ERR_LMP_EMPTY
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_IPI_BIND, cap(T, TASK["TASK_EP"])),
            ecall(SYS_RECV, small(1)),  # init waits for a notification
            idle_tick(),  # the child wakes up
            ecall(SYS_RECV, small(1)),
            idle_ipi(),  # init gets the notification
            ecall(SYS_RECV, small(0)),
        ]
    ),
    # The child's cspace root, last copy of its L1 CNode, becomes a zombie in
    # its destroyed Dispatcher (legal: nothing reuses that memory until the
    # zombie is gone); then RAM is retyped and revoked around it.
    "destroyed_child": b"".join(
        [
            invoke(cap(S0, 0), CNODE_DELETE, small(1), level=1),
            ecall(SYS_YIELD),
            invoke(cap(T, 0), CNODE_DELETE, small(TASK["TASK_ROOTCN"]), level=1),
            invoke(cap(T, 0), CNODE_DELETE, small(TASK["TASK_DISP"]), level=1),
            ecall(SYS_YIELD),
            invoke(cap(S0, 0), CNODE_DELETE, small(0), level=1),
            invoke(cap(S0, 3), EP_SEND, small(1)),
            invoke(cap(MEM, 0), CAP_RETYPE, pair(2, OBJ_FRAME), small(0), special(SP_PAGE),
                   caplvl(S0, 0, 1), small(12)),
            invoke(cap(MEM, 0), CNODE_REVOKE, small(0), level=1),
            invoke(cap(S0, 0), CNODE_REVOKE, small(3), level=1),
        ]
    ),
    "kernel_caps": b"".join(
        [
            # A Frame owned by core 1, outside everything here; not retypable.
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_CREATE, cap(S0, 0), small(25),
                   raw(OBJ_FRAME | 15 << 8 | 1 << 16), pages(16), pages(2)),
            invoke(cap(S0, 25), CAP_RETYPE, pair(1, OBJ_FRAME), pages(0), special(SP_PAGE),
                   caplvl(S0, 0, 1), small(26)),
            # Its copies and descendants here (copies of a copy, an empty slot).
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_RELATIONS, cap(S0, 25)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_RELATIONS, cap(MEM, 0)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_RELATIONS, cap(S0, 24)),
            # Marked by a revoke: only identify works until it is unmarked.
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_MARK, raw(OBJ_FRAME), pages(16),
                   pages(2), small(1)),
            invoke(cap(S0, 25), CAP_IDENTIFY),
            invoke(cap(S0, 25), CAP_RETYPE, pair(1, OBJ_FRAME), pages(0), special(SP_PAGE),
                   caplvl(S0, 0, 1), small(27)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_MARK, raw(OBJ_FRAME), pages(16),
                   pages(2), small(0)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_MARK, raw(OBJ_FRAME), pages(16),
                   pages(2), small(0)),
            # RAM that other cores hold parts of: no delete until unmarked.
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_REMOTE, cap(MEM, 1), small(1)),
            invoke(cap(MEM, 0), CNODE_DELETE, small(1), level=1),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_REMOTE, cap(MEM, 1), small(0)),
            invoke(cap(MEM, 0), CNODE_DELETE, small(1), level=1),
            invoke(cap(S0, 0), CNODE_DELETE, small(25), level=1),
        ]
    ),
    "kernel_cores": b"".join(
        [
            # Starting core 1 (the hart never starts on the host: undone).
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CORE_INFO),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CORE_STATUS, small(1)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CORE_START, small(1), cap(MEM, 0),
                   cap(S0, 0), small(27)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CORE_START, small(1), cap(MEM, 1),
                   cap(S0, 0), small(27)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CORE_START, small(0), cap(MEM, 1),
                   cap(S0, 0), small(27)),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_CHECK),
        ]
    ),
    "notify": b"".join(
        [
            # init binds its own endpoint, rings it, takes the event
            invoke(cap(T, TASK["TASK_EP"]), EP_NOTIFY_BIND, cap(S0, 0), small(20)),
            invoke(cap(S0, 20), CAP_IDENTIFY),
            invoke(cap(S0, 20), NOTIFY_SEND),
            ecall(SYS_RECV, small(0)),
            # the child's endpoint: it blocks, init wakes it
            invoke(cap(S0, 3), EP_NOTIFY_BIND, cap(S0, 0), small(21)),
            ecall(SYS_YIELD),
            ecall(SYS_RECV, small(1)),
            invoke(cap(S0, 21), NOTIFY_SEND),
            invoke(cap(S0, 21), NOTIFY_SEND),
            # unbound: stale; a slot of core 1 (by IPI), not unbound here
            invoke(cap(S0, 20), NOTIFY_UNBIND),
            invoke(cap(S0, 20), NOTIFY_SEND),
            invoke(cap(S0, 20), NOTIFY_UNBIND),
            invoke(cap(T, TASK["TASK_KERNEL"]), KERNEL_CAP_CREATE, cap(S0, 0), small(22),
                   raw(OBJ_NOTIFY | 15 << 8 | 1 << 16), raw(1 << 32 | 5), small(1)),
            invoke(cap(S0, 22), NOTIFY_SEND),
            invoke(cap(S0, 22), NOTIFY_UNBIND),
            # the child's endpoint revoked: its binding goes with it
            invoke(cap(S0, 0), CNODE_REVOKE, small(3), level=1),
            invoke(cap(S0, 21), NOTIFY_SEND),
            invoke(cap(T, TASK["TASK_EP"]), EP_NOTIFY_BIND, cap(S0, 0), small(20)),
            invoke(cap(S0, 0), CNODE_DELETE, small(0), level=1),
        ]
    ),
    "cnode_ops": b"".join(
        [
            invoke(cap(S0, 0), CNODE_COPY, small(30), cap(T, 3), small(2), small(R), level=1),
            invoke(cap(S0, 0), CNODE_MINT, small(31), cap(T, 3), small(2), small(W | G),
                   small(7), level=1),
            invoke(cap(S0, 30), EP_SEND, small(1)),  # no WRITE: refused
            invoke(cap(S0, 31), EP_SEND, small(1)),  # badge 7 to itself
            ecall(SYS_RECV, small(0)),
            invoke(cap(S0, 0), CNODE_COPY, small(29), nth_cap(5), small(2), small(15), level=1),
            invoke(cap(T, 0), CNODE_DELETE, small(TASK["TASK_ROOTCN"]), level=1),
            invoke(cap(S0, 0), CNODE_REVOKE, small(0), level=1),
            invoke(cap(S0, 0), CNODE_DELETE, small(0), level=1),
        ]
    ),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/fuzz/corpus_syscall")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(seeds), out))
