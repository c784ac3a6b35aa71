// SPDX-License-Identifier: MIT
/*
 * picolibc's stdout: a line buffer written with SYS_PRINT (the kernel
 * console) until a serial driver takes over. Each line goes out in one
 * call, so lines from different domains do not interleave.
 */
#include <stdio.h>
#include <string.h>

#include <rt/chan.h>
#include <rt/names.h>
#include <rt/sys.h>

static char line[SYS_PRINT_MAX];
static size_t used;

static int rt_flush(FILE *f)
{
	(void)f;
	if (used)
		sys_print(line, used);
	used = 0;
	return 0;
}

static int rt_putc(char c, FILE *f)
{
	line[used++] = c;
	if (c == '\n' || used == sizeof(line))
		rt_flush(f);
	return (unsigned char)c;
}

static FILE rt_stdio = FDEV_SETUP_STREAM(rt_putc, NULL, rt_flush, _FDEV_SETUP_WRITE);
FILE *const stdin = &rt_stdio;
FILE *const stdout = &rt_stdio;
FILE *const stderr = &rt_stdio;

void __attribute__((noreturn)) _exit(int status)
{
	chans_release();
	names_release();
	rt_flush(stdout);
	sys_exit(status);
}
