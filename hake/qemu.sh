#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot a Reef image in QEMU. Machine defaults come from platforms/qemu-<m>/run.conf.
# Usage: qemu.sh --kernel F [--machine virt|sifive_u] [--smp N] [--mem M]
# (--mem defaults to the platform's QEMU_MEM, or 1G with more than 64 harts)
#                [--append ARGS] [--accel single|multi|icount] [--interactive] [--gdb]
#                [--uboot [--uboot-drop-reserved]] [--stdin] [--dtb F] [--numa N] [--aia aplic|aplic-imsic]
# --dtb F hands the firmware (and so Reef) device tree F instead of QEMU's.
# --numa N (virt): N sockets, each a NUMA node with an equal share of the
# harts and of the memory. QEMU 7.2 aborts with more than 2 sockets on its
# PLIC, so with N > 2 the machine gets the APLIC instead (as with --aia aplic).
# --aia aplic (virt): QEMU's APLIC (direct mode) instead of its PLIC;
# --aia aplic-imsic: the APLIC delivering MSIs to IMSICs, which Reef does
# not drive (a test that the system runs without input interrupts).
# --stdin feeds QEMU's standard input to the serial console (tests type).
# --uboot boots Debian's U-Boot (u-boot-qemu) instead, which finds the RISC-V
# Image (F with .elf replaced by .bin) on a virtio disk and starts it with
# booti: the path the HiFive Unmatched takes. --uboot-drop-reserved has
# U-Boot delete /reserved-memory from the device tree first (a test).
# Without --interactive the serial console goes to stdout and stdin is not
# read (tests); with it, QEMU's -nographic console (Ctrl-A X quits).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel="" machine=virt smp="" mem="" append="" accel="" interactive=0 gdb=0 uboot=0 stdin=0
drop="" dtb="" numa="" aia=""
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
	--uboot) uboot=1 ;;
	--uboot-drop-reserved) drop=--drop-reserved ;;
	--stdin) stdin=1 ;;
	--dtb) dtb=$2; shift ;;
	--numa) numa=$2; shift ;;
	--aia) aia=$2; shift ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
conf=$top/platforms/qemu-$machine/run.conf
[ -f "$conf" ] || { echo "qemu.sh: no platform 'qemu-$machine' (platforms/qemu-*/run.conf)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$conf"
[ -f "$kernel" ] || { echo "qemu.sh: kernel '$kernel' not found (run make)" >&2; exit 2; }

smp=${smp:-$QEMU_SMP}
# Every core but 0 takes about 5 MiB (its kernel, monitor and spawnd):
# beyond 64 harts the default is 1 GiB.
if [ -z "$mem" ] && [ "${smp%%,*}" -gt 64 ] 2>/dev/null; then mem=1G; fi
args=(-M "$QEMU_MACHINE" -smp "$smp" -m "${mem:-$QEMU_MEM}" -bios default -no-reboot)
if [ $uboot = 1 ]; then
	[ -n "${QEMU_UBOOT:-}" ] || { echo "qemu.sh: no U-Boot for qemu-$machine" >&2; exit 2; }
	disk=$(mktemp --suffix=.img)
	trap 'rm -f "$disk"' EXIT
	"$top/hake/uboot-disk.sh" "${kernel%.elf}.bin" "$append" "$disk" $drop
	args+=(-kernel "$QEMU_UBOOT" -drive "file=$disk,format=raw,if=virtio")
	append=""
else
	args+=(-kernel "$kernel")
fi
case $accel in
"") ;;
single) args+=(-accel tcg,thread=single) ;;
multi) args+=(-accel tcg,thread=multi) ;;
# Deterministic: one instruction is one nanosecond of virtual time, and an
# idle hart's sleep does not let virtual time jump ahead.
icount) args+=(-accel tcg,thread=single -icount shift=0,sleep=off) ;;
*) echo "qemu.sh: --accel single, multi or icount" >&2; exit 2 ;;
esac
[ -n "$append" ] && args+=(-append "$append")
[ -n "$dtb" ] && args+=(-dtb "$dtb")
if [ -n "$numa" ]; then
	case $numa in '' | *[!0-9]*) echo "qemu.sh: --numa takes a number of nodes" >&2; exit 2 ;; esac
	total=${mem:-$QEMU_MEM}
	case $total in *G) mib=$((${total%G} * 1024)) ;; *M) mib=${total%M} ;; *) mib=$total ;; esac
	per=$((${smp%%,*} / numa))
	[ "$per" -ge 1 ] && [ $((per * numa)) = "${smp%%,*}" ] ||
		{ echo "qemu.sh: --numa $numa does not divide $smp harts" >&2; exit 2; }
	[ "$numa" -le 2 ] || [ -n "$aia" ] || aia=aplic
	for i in "${!args[@]}"; do
		[ "${args[$i]}" = -smp ] && args[$((i + 1))]="${smp%%,*},sockets=$numa"
	done
	for n in $(seq 0 $((numa - 1))); do
		size=$((mib / numa))
		[ "$n" -lt $((numa - 1)) ] || size=$((mib - size * (numa - 1))) # the rest: QEMU wants it all
		args+=(-object "memory-backend-ram,id=m$n,size=${size}M"
			-numa "node,memdev=m$n,cpus=$((n * per))-$((n * per + per - 1)),nodeid=$n")
	done
fi
case $aia in
'') ;;
aplic | aplic-imsic)
	[ "$machine" = virt ] || { echo "qemu.sh: --aia is for virt" >&2; exit 2; }
	args[1]="$QEMU_MACHINE,aia=$aia" ;;
*) echo "qemu.sh: --aia aplic or aplic-imsic, not '$aia'" >&2; exit 2 ;;
esac
if [ $gdb = 1 ]; then
	args+=(-s -S)
	echo "QEMU waits for gdb on :1234. In another terminal:" >&2
	echo "  gdb-multiarch $kernel -ex 'target remote :1234'" >&2
fi
if [ $interactive = 1 ]; then
	qemu-system-riscv64 "${args[@]}" -nographic
else
	if [ $stdin = 1 ]; then
		qemu-system-riscv64 "${args[@]}" -display none -serial stdio -monitor none
	else
		qemu-system-riscv64 "${args[@]}" -display none -serial stdio -monitor none </dev/null
	fi
fi
