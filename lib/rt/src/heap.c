// SPDX-License-Identifier: MIT
/*
 * The heap (rt/mem.h): sbrk for picolibc's malloc. First the static part
 * in .bss (__heap_start..__heap_end, lib/rt/user.ld), which works before
 * ram_init; when that is used up, frames from ram_alloc mapped one after
 * another at HEAP_VADDR, with page tables of their own.
 *
 * malloc copes with the jump between the two: memory sbrk returns where it
 * did not expect becomes a free chunk of its own. It never calls sbrk to
 * give memory back, so the heap only grows. Single-threaded.
 */
#include <stddef.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <rt/mem.h>
#include <rt/sys.h>

#define BLOCK (512ul * OBJSIZE_PAGE) /* what one L0 table maps: 2 MiB */

extern char __heap_start[], __heap_end[];

static char *brk_at = __heap_start; /* the break */
static uint64_t grown;		    /* bytes mapped at HEAP_VADDR */
static uint64_t tabled;		    /* bytes at HEAP_VADDR with an L0 table */
static capaddr_t l1, l0;	    /* the GiB's table; the last block's */
static capaddr_t table_ram;	    /* page tables are carved from it */
static uint64_t table_used = RAM_UNIT;

uint64_t heap_grown(void)
{
	return grown;
}

/* A page table: eight to a RAM unit. */
static errval_t table(enum objtype type, capaddr_t *out)
{
	if (table_used + OBJSIZE_VNODE > RAM_UNIT) {
		errval_t err = ram_alloc(RAM_UNIT, &table_ram);
		if (err)
			return err;
		table_used = 0;
	}
	capaddr_t s = slot_alloc();
	if (s == SLOT_NONE)
		return ERR_NO_SLOTS;
	errval_t err = cap_retype(table_ram, type, table_used, OBJSIZE_VNODE, 1,
				  CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
	if (err) {
		slot_free(s);
		return err;
	}
	table_used += OBJSIZE_VNODE;
	*out = s;
	return ERR_OK;
}

static void drop(capaddr_t s)
{
	cnode_delete(CAPADDR(CAPADDR_L1(s), 0), 1, CAPADDR_L2(s));
	slot_free(s);
}

/* A page table made and mapped at entry of the table at; in *out. */
static errval_t table_at(enum objtype type, capaddr_t at, uint64_t entry, capaddr_t *out)
{
	capaddr_t t;
	errval_t err = table(type, &t);
	if (err)
		return err;
	err = vnode_map(at, entry, t, 0, 0, 1);
	if (err) {
		drop(t);
		return err;
	}
	*out = t;
	return ERR_OK;
}

/* Map at least want more bytes, or up to the end of the 2 MiB block. */
static errval_t grow(uint64_t want)
{
	errval_t err;
	if (!l1 &&
	    (err = table_at(OBJ_VNODE_L1, CAPADDR(CN_TASK, TASK_VROOT), HEAP_VADDR >> 30, &l1)))
		return err;
	if (tabled == grown) {
		if ((err = table_at(OBJ_VNODE_L0, l1, grown / BLOCK, &l0)))
			return err;
		tabled += BLOCK;
	}
	uint64_t size = (want + RAM_UNIT - 1) / RAM_UNIT * RAM_UNIT;
	if (size > tabled - grown)
		size = tabled - grown;
	capaddr_t ram = SLOT_NONE, f = slot_alloc();
	if (f == SLOT_NONE)
		return ERR_NO_SLOTS;
	err = ram_alloc(size, &ram);
	if (err == ERR_NO_MEMORY && size > RAM_UNIT) /* no free run that long */
		err = ram_alloc(size = RAM_UNIT, &ram);
	if (!err)
		err = cap_retype(ram, OBJ_FRAME, 0, size, 1, CAPADDR(CAPADDR_L1(f), 0), 1,
				 CAPADDR_L2(f));
	if (!err)
		err = vnode_map(l0, grown % BLOCK / OBJSIZE_PAGE, f,
				CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, size / OBJSIZE_PAGE);
	if (err) {
		if (ram != SLOT_NONE)
			ram_free(ram); /* the frame goes with it */
		slot_free(f);
		return err;
	}
	grown += size;
	return ERR_OK;
}

void *sbrk(ptrdiff_t incr)
{
	uintptr_t at = (uintptr_t)brk_at, n = (uintptr_t)incr;
	if (incr < 0) /* malloc never gives back */
		return (void *)-1;
	if (at >= (uintptr_t)__heap_start && at <= (uintptr_t)__heap_end) { /* the static part */
		if (n <= (uintptr_t)__heap_end - at) {
			brk_at += n;
			return (void *)at;
		}
		at = HEAP_VADDR; /* the rest of it stays unused */
	}
	if (n > HEAP_VADDR + HEAP_GROWN_MAX - at)
		return (void *)-1;
	while (at + n > HEAP_VADDR + grown)
		if (grow(at + n - (HEAP_VADDR + grown)))
			return (void *)-1;
	brk_at = (char *)(at + n);
	return (void *)at;
}
