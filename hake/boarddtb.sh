#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The HiFive Unmatched's device tree, as Reef gets it on the board, built
# from Debian's linux-source-6.1 (arch/riscv/boot/dts/sifive/
# hifive-unmatched-a00.dts) with what the firmware adds before Reef sees it:
#   - a CLINT node (U-Boot's FU740 tree has one, Linux's does not; OpenSBI
#     finds its IPI and timer devices there);
#   - /reserved-memory with OpenSBI's own region, no-map, as OpenSBI adds it.
# Writes OUTDIR/hifive-unmatched.dtb (the unit tests) and
# OUTDIR/hifive-unmatched-qemu.dtb for QEMU sifive_u (an FU540: same UART,
# PLIC and CLINT addresses) with these changes only, so that QEMU can run
# it: memory is QEMU's 1 GiB, not 16 GiB; the board's power-off GPIO and
# PMIC (on an I2C bus QEMU lacks: the bus goes) go, and QEMU's gpio-restart comes in
# (with -no-reboot, a reset ends QEMU, as a power-off would).
# Usage: boarddtb.sh OUTDIR CACHEDIR
set -eu
out=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/linux-source.sh" "$tmp" "$cache" 'arch/riscv/boot/dts/sifive/*' 'include/dt-bindings/*'
dts=$tmp/arch/riscv/boot/dts/sifive
cpp -nostdinc -I "$tmp/include" -I "$dts" -undef -D__DTS__ -x assembler-with-cpp \
	"$dts/hifive-unmatched-a00.dts" >"$tmp/board.dts"
cat >>"$tmp/board.dts" <<'DTS'
/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		mmode_resv0@80000000 {
			reg = <0x0 0x80000000 0x0 0x80000>;
			no-map;
		};
	};
};
&{/soc} {
	clint@2000000 {
		compatible = "sifive,fu740-c000-clint", "sifive,clint0";
		reg = <0x0 0x2000000 0x0 0x10000>;
		interrupts-extended = <&cpu0_intc 3>, <&cpu0_intc 7>, <&cpu1_intc 3>, <&cpu1_intc 7>,
			<&cpu2_intc 3>, <&cpu2_intc 7>, <&cpu3_intc 3>, <&cpu3_intc 7>,
			<&cpu4_intc 3>, <&cpu4_intc 7>;
	};
};
DTS
dtc -q -I dts -O dtb -o "$out/hifive-unmatched.dtb" "$tmp/board.dts"
cp "$tmp/board.dts" "$tmp/qemu.dts"
cat >>"$tmp/qemu.dts" <<'DTS'
/ {
	memory@80000000 {
		reg = <0x0 0x80000000 0x0 0x40000000>;
	};
	/delete-node/ gpio-poweroff;
	gpio-restart {
		compatible = "gpio-restart";
		gpios = <&gpio 10 1>;
	};
};
/delete-node/ &i2c0;
DTS
dtc -q -I dts -O dtb -o "$out/hifive-unmatched-qemu.dtb" "$tmp/qemu.dts"
