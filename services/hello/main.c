// SPDX-License-Identifier: MIT
/*
 * hello: the sample program. `spawn hello <core> a b` in the shell starts
 * it on any core with its arguments; it says where it runs and what it was
 * given, and exits 0.
 */
#include <stdio.h>

#include <rt/args.h>

int main(int argc, char **argv)
{
	printf("hello from core %u domain %lu\n", rt_core(), (unsigned long)rt_domain());
	for (int i = 1; i < argc; i++)
		printf("hello: argv[%d] = %s\n", i, argv[i]);
	return 0;
}
