// SPDX-License-Identifier: MIT
/*
 * Floating point, lazily, one owner per core (ADR 0018). The f registers
 * hold kcb.fp_owner's state; every other dispatcher runs with sstatus.FS
 * Off, so its first FP instruction traps (illegal instruction) and
 * fp_claim() moves the registers to it. On a core whose device tree lacks
 * F or D nobody ever gets FS on, and the trap stays an ordinary fault.
 */
#include <arch/asm.h>
#include <arch/csr.h>

#include "dispatch.h"
#include "kernel.h"
#include "platform.h"

/* arch/riscv/fp.S: FS on around them, as it was after. */
void fp_save(struct fp_state *s);
void fp_load(const struct fp_state *s);

static bool core_has_fp(void)
{
	const uint64_t fd = ISA_EXT('f') | ISA_EXT('d');
	return (kcb.conf.isa & fd) == fd;
}

bool fp_claim(struct dcb *d)
{
	if (!core_has_fp() || (d->regs.sstatus & SSTATUS_FS_MASK) != SSTATUS_FS_OFF)
		return false; /* no FP here, or FP was on: a real illegal instruction */
	struct dcb *o = kcb.fp_owner;
	uint64_t fs = SSTATUS_FS_CLEAN;
	if (o == d) {
		/* Its own state is still there; Dirty keeps it saved later. */
		fs = SSTATUS_FS_DIRTY;
	} else {
		if (o && (o->regs.sstatus & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY) {
			fp_save(&o->fp);
			kcb.fp_saves++;
		}
		if (o)
			o->regs.sstatus &= ~(uint64_t)SSTATUS_FS_MASK;
		fp_load(&d->fp); /* zeros the first time: nothing of another leaks */
		kcb.fp_owner = d;
	}
	d->regs.sstatus = (d->regs.sstatus & ~(uint64_t)SSTATUS_FS_MASK) | fs;
	kcb.fp_traps++;
	return true;
}

void fp_forget(struct dcb *d)
{
	if (kcb.fp_owner == d)
		kcb.fp_owner = NULL;
}

uint64_t fp_sstatus_fs(const struct dcb *d)
{
	if (d != kcb.fp_owner || !core_has_fp())
		return SSTATUS_FS_OFF;
	return d->regs.sstatus & SSTATUS_FS_MASK;
}
