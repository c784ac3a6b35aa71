// SPDX-License-Identifier: MIT
/*
 * mandel: the sample that needs floating point (ADR 0018). Built with
 * -march=rv64imafdc (services/meson.build), so its ELF says it needs F
 * and D: spawnd starts it only on a core that has them, and `spawn mandel`
 * without a core finds one. It draws the Mandelbrot set in ASCII with
 * doubles, 40 x 12, and ends with a checksum of every point's iteration
 * count: the same on every core that can run it.
 */
#include <stdint.h>
#include <stdio.h>

#include <rt/args.h>

#define WIDTH  40
#define HEIGHT 12
#define ITER   200

/* Iterations of z = z^2 + c before |z| > 2 (ITER: inside the set). */
static unsigned escape(double cr, double ci)
{
	double zr = 0.0, zi = 0.0;
	unsigned n = 0;
	while (n < ITER && zr * zr + zi * zi <= 4.0) {
		double t = zr * zr - zi * zi + cr;
		zi = 2.0 * zr * zi + ci;
		zr = t;
		n++;
	}
	return n;
}

int main(void)
{
	static const char shade[] = " .:-=+*%#@";
	uint64_t sum = 0xcbf29ce484222325ull; /* FNV-1a over the counts */
	for (int y = 0; y < HEIGHT; y++) {
		char line[WIDTH + 1];
		for (int x = 0; x < WIDTH; x++) {
			double cr = -2.2 + 3.0 * x / WIDTH, ci = -1.2 + 2.4 * y / (HEIGHT - 1);
			unsigned n = escape(cr, ci);
			sum = (sum ^ n) * 0x100000001b3ull;
			line[x] = n == ITER ? '@' : shade[n % (sizeof(shade) - 2)];
		}
		line[WIDTH] = 0;
		printf("%s\n", line);
	}
	printf("mandel: core %u checksum %016lx\n", rt_core(), (unsigned long)sum);
	return 0;
}
