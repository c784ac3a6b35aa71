#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make a disk image that U-Boot finds and boots by itself, by distro boot
# (`bootcmd_<dev>` scripts) and by standard boot (`bootflow`) alike: an MBR
# with one bootable ext4 partition holding
#   reef.bin                 the RISC-V Image
#   extlinux/extlinux.conf   what both find first: boot reef.bin with
#                            BOOTARGS and U-Boot's own device tree
#   boot.scr                 the same as a script (loads reef.bin from the
#                            device it was found on, then booti), for a
#                            U-Boot without extlinux support
# For a USB stick or an NVMe drive (docs: platforms/sifive-unmatched);
# never the HiFive Unmatched's SD card, whose first partitions hold U-Boot.
# Usage: uboot-disk.sh IMAGE.bin "BOOTARGS" OUT.img [--drop-reserved]
# --drop-reserved: no extlinux.conf, and boot.scr first deletes
# /reserved-memory from the device tree it hands over (the firmware's own
# description of its memory), as a careless firmware might: Reef must
# still keep off the firmware's memory (a test).
set -eu
image=$1 bootargs=$2 out=$3 drop=""
[ -f "$image" ] || { echo "uboot-disk.sh: no $image" >&2; exit 1; }
if [ "${4:-}" = --drop-reserved ]; then
	drop='fdt addr ${fdtcontroladdr}
fdt rm /reserved-memory
echo reef: /reserved-memory removed'
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/fs"
cp "$image" "$tmp/fs/reef.bin"
if [ -z "$drop" ]; then
	mkdir "$tmp/fs/extlinux"
	# No fdt line: U-Boot passes the tree it runs on (the firmware's).
	cat >"$tmp/fs/extlinux/extlinux.conf" <<CONF
# Reef (written by hake/uboot-disk.sh)
default reef
prompt 0
timeout 1
label reef
	menu label Reef
	kernel /reef.bin
	append $bootargs
CONF
fi
cat >"$tmp/boot.cmd" <<CMD
echo reef: loading reef.bin from \${devtype} \${devnum}:\${distro_bootpart}
load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} reef.bin
setenv bootargs "$bootargs"
$drop
booti \${kernel_addr_r} - \${fdtcontroladdr}
CMD
mkimage -A riscv -O linux -T script -C none -d "$tmp/boot.cmd" "$tmp/fs/boot.scr" >/dev/null
mke2fs -q -F -t ext4 -L reef -d "$tmp/fs" "$tmp/part.img" 16M >/dev/null
python3 - "$tmp/part.img" "$out" <<'PY'
import struct, sys
part = open(sys.argv[1], "rb").read()
start = 2048  # first partition at 1 MiB
mbr = bytearray(512)
# Bootable (0x80), Linux (0x83): U-Boot looks at bootable partitions first.
mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\0\0\0", 0x83, b"\0\0\0", start, len(part) // 512)
mbr[510:512] = b"\x55\xaa"
with open(sys.argv[2], "wb") as f:
    f.write(mbr + bytes(start * 512 - 512) + part)
PY
