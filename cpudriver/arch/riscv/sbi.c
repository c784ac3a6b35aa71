// SPDX-License-Identifier: MIT
/* SBI calls: a7 = extension, a6 = function, result in a0 (error) / a1 (value). */
#include <arch/sbi.h>

struct sbiret sbi_call(long ext, long fid, long arg0, long arg1, long arg2)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = ext;
	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){.error = a0, .value = a1};
}

/* Legacy extension 0x01: the only console OpenSBI 1.1 offers (no DBCN). */
void sbi_console_putchar(int ch)
{
	sbi_call(0x01, 0, ch, 0, 0);
}

long sbi_probe(long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0);
	return r.error ? 0 : r.value;
}

long sbi_set_timer(uint64_t when)
{
	return sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0).error;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, (long)hart_mask, (long)hart_mask_base, 0).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start, (long)opaque).error;
}

long sbi_hart_stop(void)
{
	return sbi_call(SBI_EXT_HSM, 1, 0, 0, 0).error;
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, (long)hartid, 0, 0);
	return r.error ? r.error : r.value;
}

long sbi_system_reset(unsigned long type, unsigned long reason)
{
	return sbi_call(SBI_EXT_SRST, 0, (long)type, (long)reason, 0).error;
}

const char *sbi_strerror(long err)
{
	switch (err) {
	case SBI_SUCCESS:
		return "success";
	case SBI_ERR_FAILED:
		return "failed";
	case SBI_ERR_NOT_SUPPORTED:
		return "not supported";
	case SBI_ERR_INVALID_PARAM:
		return "invalid parameter";
	case SBI_ERR_DENIED:
		return "denied";
	case SBI_ERR_INVALID_ADDRESS:
		return "invalid address";
	case SBI_ERR_ALREADY_AVAILABLE:
		return "already started";
	}
	return "unknown SBI error";
}
