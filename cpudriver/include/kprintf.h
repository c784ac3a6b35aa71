/* SPDX-License-Identifier: MIT */
/*
 * Kernel console output. kprintf() formats into a line buffer and writes it
 * under the cross-core console lock, so lines from different cores never
 * interleave. Formats: %c %s %d %i %u %x %p %% with l/ll/z, width, '0', '#'.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "platform.h"

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define KPRINTF_LINE 256 /* characters of one kprintf, with the NUL */

/*
 * Write s as domain (0: this core's kernel) with tag (NULL: none) under the
 * console lock; a line another writer left open is ended first (ADR 0013).
 */
void console_print(uint32_t domain, const char *tag, const char *s);

/* Switch from the SBI console to the UART the device tree names. */
void console_init(const struct plat_uart *uart);
/* This core stops: release the console lock if it holds it. */
void console_abandon(void);
