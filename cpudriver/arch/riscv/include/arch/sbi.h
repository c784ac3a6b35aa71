/* SPDX-License-Identifier: MIT */
/* SBI calls (RISC-V SBI spec v1.0): legacy console, TIME, IPI, HSM, SRST. */
#pragma once

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  -1
#define SBI_ERR_NOT_SUPPORTED	  -2
#define SBI_ERR_INVALID_PARAM	  -3
#define SBI_ERR_DENIED		  -4
#define SBI_ERR_INVALID_ADDRESS	  -5
#define SBI_ERR_ALREADY_AVAILABLE -6

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI  0x735049
#define SBI_EXT_HSM  0x48534d
#define SBI_EXT_SRST 0x53525354

#define SBI_HSM_STARTED	      0
#define SBI_HSM_STOPPED	      1
#define SBI_HSM_START_PENDING 2

#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_COLD_REBOOT	1
#define SBI_SRST_REASON_NONE	0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);

void sbi_console_putchar(int ch);
long sbi_probe(long ext);
long sbi_set_timer(uint64_t when);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
long sbi_hart_stop(void);
/* HSM state of a hart (SBI_HSM_*), or a negative error. */
long sbi_hart_status(unsigned long hartid);
/* HSM state of a hart (SBI_HSM_*), or a negative error. */
long sbi_hart_status(unsigned long hartid);
long sbi_system_reset(unsigned long type, unsigned long reason);
const char *sbi_strerror(long err);
