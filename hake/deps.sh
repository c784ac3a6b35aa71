#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages Reef needs to build, run and test.
# Idempotent: does nothing when everything is present. As non-root it only
# prints the apt-get line to run and fails.
set -eu

PKGS=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
      qemu-system-misc opensbi u-boot-qemu u-boot-tools libcmocka-dev
      device-tree-compiler meson ninja-build spin gdb-multiarch gcc make
      pkg-config xz-utils clang-format git clang libclang-rt-14-dev gnuplot-nox)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "reef: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "reef: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
