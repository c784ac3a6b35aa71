// SPDX-License-Identifier: MIT
/* Fault injection (rt/faults.h): a xorshift64* stream and a policy. */
#include <stdio.h>
#include <string.h>

#include <rt/faults.h>

static uint64_t state; /* 0: off */
static unsigned held;
static uint64_t injected;
static unsigned dbg_core, dbg_tag;

/* The number after key (e.g. "faults=") in the boot arguments before run=
   (which takes the rest of the line); false if key is not there. */
static bool bootarg_number(const char *bootargs, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	for (const char *p = bootargs; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!strncmp(p, "run=", 4))
			break;
		if (len > klen && !strncmp(p, key, klen)) {
			*v = 0;
			for (size_t i = klen; i < len && p[i] >= '0' && p[i] <= '9'; i++)
				*v = *v * 10 + (uint64_t)(p[i] - '0');
			return true;
		}
		p += len;
	}
	return false;
}

uint64_t faults_bootarg(const char *bootargs)
{
	uint64_t seed = 0;
	return bootarg_number(bootargs, "faults=", &seed) ? seed : 0;
}

unsigned faults_mute(const char *bootargs)
{
	uint64_t k = 0;
	if (!bootarg_number(bootargs, "mute=", &k) || k >= FAULTS_NO_MUTE)
		return FAULTS_NO_MUTE;
	return (unsigned)k;
}

/* splitmix64: spreads seeds that differ in few bits over the whole word. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void faults_init(uint64_t seed, unsigned core, unsigned tag)
{
	dbg_core = core;
	dbg_tag = tag;
	state = seed ? mix(seed ^ (uint64_t)core << 32 ^ (uint64_t)tag << 48) | 1 : 0;
}

static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (state * 0x2545f4914f6cdd1dull) >> 32;
}

bool fault_now(void)
{
	if (!state || held || next() % FAULT_ONE_IN)
		return false;
	injected++;
#ifdef FAULTS_DEBUG /* (-DFAULTS_DEBUG: where each one was injected, for addr2line) */
	printf("fault %u/%u %lu at %p\n", dbg_core, dbg_tag, (unsigned long)injected,
	       __builtin_return_address(0));
#endif
	return true;
}

bool fault_coin(unsigned one_in)
{
	return state && one_in && next() % one_in == 0;
}

void faults_hold(void)
{
	held++;
}

void faults_release(void)
{
	held--;
}

uint64_t faults_injected(void)
{
	return injected;
}
