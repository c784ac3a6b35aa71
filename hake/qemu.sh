#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot a Reef image in QEMU. Machine defaults come from platforms/qemu-<m>/run.conf.
# Usage: qemu.sh --kernel F [--machine virt|sifive_u] [--smp N] [--mem M]
#                [--append ARGS] [--accel single|multi] [--interactive] [--gdb]
# Without --interactive the serial console goes to stdout and stdin is not
# read (tests); with it, QEMU's -nographic console (Ctrl-A X quits).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel="" machine=virt smp="" mem="" append="" accel="" interactive=0 gdb=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--machine) machine=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--append) append=$2; shift ;;
	--accel) accel=$2; shift ;;
	--interactive) interactive=1 ;;
	--gdb) gdb=1 ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
conf=$top/platforms/qemu-$machine/run.conf
[ -f "$conf" ] || { echo "qemu.sh: no platform 'qemu-$machine' (platforms/qemu-*/run.conf)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$conf"
[ -f "$kernel" ] || { echo "qemu.sh: kernel '$kernel' not found (run make)" >&2; exit 2; }

args=(-M "$QEMU_MACHINE" -smp "${smp:-$QEMU_SMP}" -m "${mem:-$QEMU_MEM}"
      -bios default -kernel "$kernel" -no-reboot)
case $accel in
"") ;;
single) args+=(-accel tcg,thread=single) ;;
multi) args+=(-accel tcg,thread=multi) ;;
*) echo "qemu.sh: --accel single or multi" >&2; exit 2 ;;
esac
[ -n "$append" ] && args+=(-append "$append")
if [ $gdb = 1 ]; then
	args+=(-s -S)
	echo "QEMU waits for gdb on :1234. In another terminal:" >&2
	echo "  gdb-multiarch $kernel -ex 'target remote :1234'" >&2
fi
if [ $interactive = 1 ]; then
	exec qemu-system-riscv64 "${args[@]}" -nographic
fi
exec qemu-system-riscv64 "${args[@]}" -display none -serial stdio -monitor none </dev/null
