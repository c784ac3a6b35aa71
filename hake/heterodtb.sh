#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Heterogeneous device trees, edited at build time from the tree QEMU virt
# makes for 4 harts and 512 MiB (the default of hake/qemu.sh): QEMU itself
# runs every hart with the same ISA, so what differs is what the tree says.
# Writes, into OUTDIR:
#   virt-hetero4.dtb  harts 2 and 3 say riscv,isa = "rv64imac" (no F/D: Reef
#                     keeps FP off there), hart 1 says mmu-type riscv,sv39
#                     (the others riscv,sv48). QEMU boots it (qemu.sh --dtb).
#   virt-fp3.dtb      only hart 3 has F and D: core 0 lacks them unless the
#                     firmware boots on hart 3 (placement, ADR 0018).
#   virt-isaext4.dtb  for the unit tests: the newer binding. riscv,isa goes
#                     from harts 0, 1 and 3; hart 0 says riscv,isa-base and
#                     riscv,isa-extensions (F and D, Sstc), hart 1 the same
#                     without F and D, hart 2 keeps its riscv,isa and adds an
#                     extension list, hart 3 has a base and a list that is
#                     not NUL-terminated.
# Usage: heterodtb.sh OUTDIR
set -eu
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
qemu-system-riscv64 -display none -M virt,dumpdtb="$tmp/virt.dtb" -smp 4 -m 512M 2>/dev/null
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
cp "$tmp/virt.dts" "$tmp/hetero.dts"
cat >>"$tmp/hetero.dts" <<'DTS'
&{/cpus/cpu@1} {
	mmu-type = "riscv,sv39";
};
&{/cpus/cpu@2} {
	riscv,isa = "rv64imac";
};
&{/cpus/cpu@3} {
	riscv,isa = "rv64imac";
};
DTS
dtc -q -I dts -O dtb -o "$out/virt-hetero4.dtb" "$tmp/hetero.dts"
cp "$tmp/virt.dts" "$tmp/fp3.dts"
for h in 0 1 2; do
	printf '&{/cpus/cpu@%s} {\n\triscv,isa = "rv64imac_zicsr_zifencei";\n};\n' "$h" >>"$tmp/fp3.dts"
done
dtc -q -I dts -O dtb -o "$out/virt-fp3.dtb" "$tmp/fp3.dts"
cp "$tmp/virt.dts" "$tmp/isaext.dts"
cat >>"$tmp/isaext.dts" <<'DTS'
&{/cpus/cpu@0} {
	/delete-property/ riscv,isa;
	riscv,isa-base = "rv64i";
	riscv,isa-extensions = "i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "sstc";
};
&{/cpus/cpu@1} {
	/delete-property/ riscv,isa;
	riscv,isa-base = "rv64i";
	riscv,isa-extensions = "i", "m", "a", "c", "zicsr", "zifencei", "zba";
};
&{/cpus/cpu@2} {
	riscv,isa = "rv64imac";
	riscv,isa-extensions = "f", "d", "v";
};
&{/cpus/cpu@3} {
	/delete-property/ riscv,isa;
	riscv,isa-base = "rv64i";
	riscv,isa-extensions = [69 00 6d 00 61 00 63];
};
DTS
dtc -q -I dts -O dtb -o "$out/virt-isaext4.dtb" "$tmp/isaext.dts"
