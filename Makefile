# SPDX-License-Identifier: MIT
# Reef: the familiar commands, as a thin layer over hake/ (Meson + Ninja).
#   make                 install missing Debian packages, build build/reef.elf
#   make qemu            boot it in QEMU (SMP=N, MACHINE=virt|sifive_u, MEM=, APPEND=, ACCEL=single|icount)
#   make gdb             the same, QEMU waiting for gdb-multiarch on :1234
#   make disk            a disk image U-Boot boots by itself (USB stick, NVMe): build/reef-disk.img
#   make test            every test suite; ends with "N passed, N failed"
#   make bench           the revocation benchmark, every shape, CORES="2 4 8 16 32 64 128": build/bench/
#                        (SHAPES=, ACCEL="icount multi", per-shape sizes: hake/bench.sh)
#   make bench-docs      the same, and the results page docs/bench.md with its plots

BUILD   ?= build
MACHINE ?= virt
SMP     ?=
MEM     ?=
APPEND  ?=
ACCEL   ?=

QEMU_ARGS = --kernel $(BUILD)/reef.elf --machine $(MACHINE) $(if $(SMP),--smp $(SMP)) \
	    $(if $(MEM),--mem $(MEM)) $(if $(ACCEL),--accel $(ACCEL)) $(if $(APPEND),--append "$(APPEND)")

.PHONY: all deps build qemu gdb disk test bench bench-docs clean format-check

all: build

deps:
	@hake/deps.sh

build: deps
	@hake/build.sh $(BUILD)

qemu: build
	@hake/qemu.sh $(QEMU_ARGS) --interactive

gdb: build
	@hake/qemu.sh $(QEMU_ARGS) --interactive --gdb

disk: build
	@hake/uboot-disk.sh $(BUILD)/reef.bin "$(APPEND)" $(BUILD)/reef-disk.img
	@echo "disk: $(BUILD)/reef-disk.img (extlinux/extlinux.conf, boot.scr, reef.bin; bootargs '$(APPEND)')"

test: build
	@hake/test.sh $(BUILD)

# (SHAPES, COPIES, CHAIN, TREE, MANY, CONCURRENT, ROUNDS... given here reach
# hake/bench.sh as they are.)
BENCH_CORES = $(or $(CORES),2 4 8 16 32 64 128)
BENCH_ACCEL = $(or $(ACCEL),icount multi)

bench: build
	@CORES="$(BENCH_CORES)" ACCEL="$(BENCH_ACCEL)" hake/bench.sh $(BUILD)

bench-docs: build
	@CORES="$(BENCH_CORES)" ACCEL="$(BENCH_ACCEL)" DOCS=docs hake/bench.sh $(BUILD)

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
