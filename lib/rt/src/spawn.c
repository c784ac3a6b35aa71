// SPDX-License-Identifier: MIT
/* Building domains with invocations only (rt/spawn.h). */
#include <string.h>

#include <abi/args.h>
#include <abi/bootinfo.h>
#include <abi/elf.h>
#include <rt/args.h>
#include <rt/mem.h>
#include <rt/spawn.h>
#include <rt/sys.h>

/* A new object from the child's RAM into the handle CNode; *at = its address. */
static errval_t make(struct child *c, enum objtype type, uint64_t size, capaddr_t *at)
{
	uint64_t align = (type == OBJ_L1CNODE || type == OBJ_L2CNODE) ? size : OBJSIZE_PAGE;
	uint64_t off = (c->ram_used + align - 1) & ~(align - 1);
	if (c->next >= CSPACE_L2_SLOTS)
		return ERR_NO_SLOTS;
	if (off + size > c->ram_size)
		return ERR_NO_MEMORY;
	unsigned slot = c->next++;
	errval_t err = cap_retype(c->ram, type, off, size, 1, CAPADDR(c->l1, 0), 1, slot);
	if (err)
		return err;
	c->ram_used = off + size;
	*at = child_cap(c, slot);
	return ERR_OK;
}

static errval_t l0_for(struct child *c, uint64_t va, capaddr_t *out)
{
	struct spawn_tables *t = &c->t;
	uint64_t g = va >> 30, blk = va >> 21;
	unsigned i, j;
	errval_t err;
	for (i = 0; i < t->n1 && t->gib[i] != g; i++)
		;
	if (i == t->n1) {
		if (i == 4)
			return ERR_NO_MEMORY;
		err = make(c, OBJ_VNODE_L1, OBJSIZE_VNODE, &t->l1[i]);
		if (!err)
			err = vnode_map(child_cap(c, SPAWN_H_VROOT), g, t->l1[i], 0, 0, 1);
		if (err)
			return err;
		t->gib[i] = g;
		t->n1++;
	}
	for (j = 0; j < t->n0 && t->blk[j] != blk; j++)
		;
	if (j == t->n0) {
		if (j == 16)
			return ERR_NO_MEMORY;
		err = make(c, OBJ_VNODE_L0, OBJSIZE_VNODE, &t->l0[j]);
		if (!err)
			err = vnode_map(t->l1[i], blk & 511, t->l0[j], 0, 0, 1);
		if (err)
			return err;
		t->blk[j] = blk;
		t->n0++;
	}
	*out = t->l0[j];
	return ERR_OK;
}

/* Frames for [va, va + memsz) in the child, the first filesz bytes from src. */
static errval_t load_region(struct child *c, uint64_t va, uint64_t memsz, const uint8_t *src,
			    uint64_t filesz, uint64_t rights)
{
	uint64_t end = (va + memsz + 4095) & ~4095ul;
	for (uint64_t p = va & ~4095ul; p < end;) {
		uint64_t stop = ((p >> 21) + 1) << 21;
		if (stop > end)
			stop = end;
		capaddr_t f, l0;
		errval_t err = make(c, OBJ_FRAME, stop - p, &f);
		if (!err)
			err = l0_for(c, p, &l0);
		if (err)
			return err;
		uint64_t lo = p > va ? p : va, hi = va + filesz < stop ? va + filesz : stop;
		if (hi > lo) {
			uint8_t *w = win_map(f, (stop - p) / OBJSIZE_PAGE, true);
			if (!w)
				return ERR_NO_MEMORY;
			memcpy(w + (lo - p), src + (lo - va), hi - lo);
			win_unmap(f);
		}
		err = vnode_map(l0, (p >> 12) & 511, f, rights, 0, (stop - p) / OBJSIZE_PAGE);
		if (err)
			return err;
		p = stop;
	}
	return ERR_OK;
}

static errval_t load_elf(struct child *c, const uint8_t *elf, uint64_t size, uint64_t *entry)
{
	const struct elf64_ehdr *eh = (const void *)elf;
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != 2 ||
	    eh->machine != EM_RISCV || eh->type != ET_EXEC ||
	    eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
	    eh->phnum > (size - eh->phoff) / sizeof(struct elf64_phdr))
		return ERR_ELF;
	const struct elf64_phdr *ph = (const void *)(elf + eh->phoff);
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type != PT_LOAD || p->memsz == 0)
			continue;
		if (p->offset > size || p->filesz > size - p->offset || p->filesz > p->memsz ||
		    p->vaddr >= (1ul << 31) || p->memsz > (1ul << 31) - p->vaddr)
			return ERR_ELF;
		uint64_t rights = CAP_RIGHT_READ | ((p->flags & PF_W) ? CAP_RIGHT_WRITE : 0) |
				  ((p->flags & PF_X) ? CAP_RIGHT_EXECUTE : 0);
		errval_t err =
		    load_region(c, p->vaddr, p->memsz, elf + p->offset, p->filesz, rights);
		if (err)
			return err;
	}
	*entry = eh->entry;
	return ERR_OK;
}

/* The child's cspace: L1, its four L2s, dispatcher, root table, endpoints. */
static errval_t build_cspace(struct child *c)
{
	capaddr_t x;
	static const unsigned l2s[5] = {CN_TASK, CN_PAGE, CN_BASE, CN_SLOT0, CN_SLOT1};
	errval_t err = make(c, OBJ_L1CNODE, OBJSIZE_L2CNODE, &x);
	for (unsigned i = 0; !err && i < 5; i++) {
		err = make(c, OBJ_L2CNODE, OBJSIZE_L2CNODE, &x);
		if (!err)
			err = cnode_copy(child_cap(c, SPAWN_H_L1), 2, l2s[i], x, CAP_RIGHTS_ALL);
	}
	if (!err)
		err = make(c, OBJ_DISPATCHER, OBJSIZE_DISPATCHER, &x);
	if (!err)
		err = make(c, OBJ_VNODE_L2, OBJSIZE_VNODE, &x);
	if (err)
		return err;
	c->next = SPAWN_H_EP;
	capaddr_t task = child_cap(c, SPAWN_H_TASK);
	err = cap_retype(child_cap(c, SPAWN_H_DISP), OBJ_ENDPOINT, 0, 0, 1, CAPADDR(c->l1, 0), 1,
			 SPAWN_H_EP);
	if (!err)
		err =
		    cap_retype(child_cap(c, SPAWN_H_DISP), OBJ_ENDPOINT, 0, 0, 1, task, 2, TASK_EP);
	if (!err)
		err = cnode_copy(task, 2, TASK_DISP, child_cap(c, SPAWN_H_DISP), CAP_RIGHTS_ALL);
	if (!err)
		err = cnode_copy(task, 2, TASK_ROOTCN, child_cap(c, SPAWN_H_L1), CAP_RIGHTS_ALL);
	if (!err)
		err = cnode_copy(task, 2, TASK_VROOT, child_cap(c, SPAWN_H_VROOT), CAP_RIGHTS_ALL);
	c->next = SPAWN_H_FIRST;
	return err;
}

errval_t spawn_elf(struct child *c, const char *name, capaddr_t elf_frame, uint64_t elf_size,
		   uint64_t ram_bytes, uint64_t arg)
{
	capaddr_t ram;
	errval_t err = ram_alloc(ram_bytes, &ram);
	if (err)
		return err;
	err = spawn_elf_in(c, name, elf_frame, elf_size, ram, ram_bytes, arg, NULL);
	if (err)
		ram_free(ram);
	else
		c->own_ram = 1;
	return err;
}

/* The stack, its top page holding the argument image (abi/args.h). */
static errval_t load_stack(struct child *c, const char *name, const struct spawn_args *args)
{
	static uint64_t image[4096 / sizeof(uint64_t)];
	const uint64_t rw = CAP_RIGHT_READ | CAP_RIGHT_WRITE;
	uint32_t len;
	errval_t err = args_image(image, name, args ? args->block : NULL, args ? args->bytes : 0,
				  args ? args->domain : 0, &len);
	if (!err)
		err = load_region(c, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE - 4096, NULL,
				  0, rw);
	return err ? err : load_region(c, ARGS_VADDR, 4096, (const uint8_t *)image, len, rw);
}

errval_t spawn_elf_in(struct child *c, const char *name, capaddr_t elf_frame, uint64_t elf_size,
		      capaddr_t ram, uint64_t ram_bytes, uint64_t arg,
		      const struct spawn_args *args)
{
	memset(c, 0, sizeof(*c));
	strncpy(c->name, name, sizeof(c->name) - 1);
	c->ram = ram;
	c->ram_size = ram_bytes & ~(uint64_t)(OBJSIZE_PAGE - 1);
	c->l1 = l1_alloc();
	if (!c->l1)
		return ERR_NO_SLOTS;
	errval_t err;
	/* The handle CNode itself comes from the child's RAM too. */
	err = cap_retype(c->ram, OBJ_L2CNODE, 0, OBJSIZE_L2CNODE, 1, CAPADDR(CN_TASK, TASK_ROOTCN),
			 2, c->l1);
	c->ram_used = OBJSIZE_L2CNODE;
	uint64_t entry = 0, pages = (elf_size + 4095) / 4096;
	const uint8_t *elf = NULL;
	if (!err)
		err = build_cspace(c);
	if (!err && !(elf = win_map(elf_frame, pages, false)))
		err = ERR_NO_MEMORY;
	if (!err) {
		err = load_elf(c, elf, elf_size, &entry);
		win_unmap(elf_frame);
	}
	if (!err)
		err = load_stack(c, name, args);
	if (!err)
		err =
		    cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_SETUP, child_cap(c, SPAWN_H_L1),
			       child_cap(c, SPAWN_H_VROOT), entry, ARGS_VADDR, arg)
			.err;
	if (!err)
		err = disp_set_recv_slot(child_cap(c, SPAWN_H_DISP), CAPADDR(CN_TASK, TASK_RECV));
	if (err) { /* the caller takes the RAM back, which destroys what was built */
		l1_free(c->l1);
		memset(c, 0, sizeof(*c));
	}
	return err;
}

errval_t spawn_run(struct child *c)
{
	return spawn_run_as(c, 0);
}

errval_t spawn_run_as(struct child *c, uint64_t console)
{
	return cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_RUN, console, 0, 0, 0, 0).err;
}

errval_t spawn_map(struct child *c, uint64_t va, capaddr_t frame, uint64_t pages, uint64_t rights)
{
	capaddr_t l0, copy;
	if ((va & 4095) || pages == 0 || ((va >> 21) != ((va + pages * 4096 - 1) >> 21)))
		return ERR_VM_ALIGN;
	if (c->next >= CSPACE_L2_SLOTS)
		return ERR_NO_SLOTS;
	/* A copy of our own: a capability holds one mapping. */
	copy = child_cap(c, c->next);
	errval_t err = cnode_copy(CAPADDR(c->l1, 0), 1, c->next, frame, CAP_RIGHTS_ALL);
	if (err)
		return err;
	c->next++;
	err = l0_for(c, va, &l0);
	return err ? err : vnode_map(l0, (va >> 12) & 511, copy, rights, 0, pages);
}

errval_t spawn_give(struct child *c, unsigned slot, capaddr_t src, uint8_t rights)
{
	return cnode_copy(child_cap(c, SPAWN_H_TASK), 2, slot, src, rights);
}

errval_t spawn_give_badged(struct child *c, unsigned l2, unsigned slot, capaddr_t ep,
			   uint64_t badge)
{
	unsigned h = l2 == CN_BASE ? SPAWN_H_TASK + 2 : SPAWN_H_TASK;
	return cnode_mint(child_cap(c, h), 2, slot, ep, CAP_RIGHTS_ALL, badge);
}

errval_t spawn_give_ram(struct child *c, unsigned slot, uint64_t bytes)
{
	uint64_t off = (c->ram_used + RAM_UNIT - 1) & ~(uint64_t)(RAM_UNIT - 1);
	if (bytes == 0 || off + bytes > c->ram_size)
		return ERR_NO_MEMORY;
	errval_t err =
	    cap_retype(c->ram, OBJ_RAM, off, bytes, 1, child_cap(c, SPAWN_H_TASK), 2, slot);
	if (!err)
		c->ram_used = off + bytes;
	return err;
}

errval_t spawn_status(const struct child *c, uint64_t *state, uint64_t *faults, int64_t *status)
{
	struct sysret r = cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_STATUS, 0, 0, 0, 0, 0);
	if (!r.err) {
		*state = r.v[0];
		*faults = r.v[1];
		*status = (int64_t)r.v[2];
	}
	return r.err;
}

errval_t spawn_kill(struct child *c)
{
	if (!c->ram)
		return ERR_DOMAIN_NOT_FOUND;
	cap_invoke(child_cap(c, SPAWN_H_DISP), 2, DISP_STOP, 0, 0, 0, 0, 0);
	/* Freeing the RAM revokes it: every object of the child goes, the
	   handle CNode too. RAM from the caller is the caller's to free. */
	errval_t err = c->own_ram ? ram_free(c->ram) : ERR_OK;
	if (err)
		return err;
	l1_free(c->l1);
	memset(c, 0, sizeof(*c));
	return ERR_OK;
}
