// SPDX-License-Identifier: MIT
/* core_start(): prepare a new core's private memory and start its hart. */
#include <assert.h>
#include <string.h>

#include <arch/asm.h>
#include <arch/csr.h>
#include <arch/kpt.h>
#include <arch/sbi.h>

#include "core.h"

static_assert(offsetof(struct core_handoff, satp) == HANDOFF_SATP, "entry.S reads satp here");
static_assert(sizeof(struct core_handoff) <= PAGE_SIZE, "handoff fits its page");
static_assert(sizeof(struct core_mailbox) == 64, "one cache line");

static size_t priv_size(void)
{
	return (size_t)(__priv_end - __priv_start);
}

size_t core_mem_size(void)
{
	return PAGE_SIZE + priv_size();
}

long core_start(const struct kconf *conf, const struct core_user *user, paddr_t mem,
		size_t mem_size)
{
	if ((mem & (PAGE_SIZE - 1)) || mem_size < core_mem_size() ||
	    mem + mem_size > conf->physmap_end)
		return SBI_ERR_INVALID_PARAM;

	struct core_handoff *h = pa2kva(mem);
	paddr_t priv = mem + PAGE_SIZE;
	char *copy = pa2kva(priv);
	size_t data = (size_t)(__data_end - __priv_start);

	memset(h, 0, PAGE_SIZE);
	memcpy(copy, __data_pristine, data);
	memset(copy + data, 0, priv_size() - data);

	/* The new core's page table sits in its own copy of .bss. */
	size_t pt_off = (size_t)((char *)&kpt - __priv_start);
	h->satp = kpt_build((struct kpt *)(copy + pt_off), priv + pt_off, conf->image_pa, priv,
			    kpt.root, true); /* our physmap, shared (ADR 0020) */
	h->conf = *conf;
	h->user = *user;
	if (user->chan)
		memset(pa2kva(user->chan), 0, PAGE_SIZE);

	/* Everything above is visible before the hart can start (the SBI call
	 * itself is no ordering point we may rely on). */
	__asm__ volatile("fence rw, rw" ::: "memory");
	return sbi_hart_start(conf->hartid, image_sym_pa(_secondary_start), mem);
}

const struct core_mailbox *core_mailbox(paddr_t mem)
{
	return &((const struct core_handoff *)pa2kva(mem))->mbox;
}

void core_report_in(struct core_handoff *h, enum core_mbox_state state)
{
	struct core_mailbox *m = &h->mbox;
	m->coreid = kcb.conf.coreid;
	m->hartid = kcb.conf.hartid;
	m->status = 0;
	m->satp = csr_read(satp);
	/* Payload before control word; pairs with the reader's fence r,r. */
	__asm__ volatile("fence w, w" ::: "memory");
	__atomic_store_n(&m->seq, state, __ATOMIC_RELAXED);
	/* The control word before the doorbell. */
	__asm__ volatile("fence rw, rw" ::: "memory");
	hartid_t boot = kcb.conf.boot_hart;
	sbi_send_ipi(1ul << (boot % 64), boot - boot % 64);
}
