#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make a disk image that U-Boot's distro boot finds and boots: an MBR with one
# ext4 partition holding reef.bin (the RISC-V Image) and boot.scr, which loads
# it from the device distro boot found it on and runs booti with U-Boot's own
# device tree. The same two files on an SD card's first partition boot the
# HiFive Unmatched (docs/boot.md).
# Usage: uboot-disk.sh IMAGE.bin "BOOTARGS" OUT.img [--drop-reserved]
# --drop-reserved: boot.scr first deletes /reserved-memory from the device
# tree it hands over (the firmware's own description of its memory), as a
# careless firmware might: Reef must still keep off the firmware's memory.
set -eu
image=$1 bootargs=$2 out=$3 drop=""
if [ "${4:-}" = --drop-reserved ]; then
	drop='fdt addr ${fdtcontroladdr}
fdt rm /reserved-memory
echo reef: /reserved-memory removed'
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/fs"
cp "$image" "$tmp/fs/reef.bin"
cat >"$tmp/boot.cmd" <<CMD
echo reef: loading reef.bin from \${devtype} \${devnum}:\${distro_bootpart}
load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} reef.bin
setenv bootargs "$bootargs"
$drop
booti \${kernel_addr_r} - \${fdtcontroladdr}
CMD
mkimage -A riscv -O linux -T script -C none -d "$tmp/boot.cmd" "$tmp/fs/boot.scr" >/dev/null
mke2fs -q -F -t ext4 -d "$tmp/fs" "$tmp/part.img" 8M
python3 - "$tmp/part.img" "$out" <<'PY'
import struct, sys
part = open(sys.argv[1], "rb").read()
start = 2048  # first partition at 1 MiB
mbr = bytearray(512)
mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x83, b"\0\0\0", start, len(part) // 512)
mbr[510:512] = b"\x55\xaa"
with open(sys.argv[2], "wb") as f:
    f.write(mbr + bytes(start * 512 - 512) + part)
PY
