// SPDX-License-Identifier: MIT
/* The start of every program, and argument blocks (rt/args.h). */
#include <string.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <rt/args.h>
#include <rt/rpc.h>

int main(int argc, char **argv);

static uint64_t start_arg, start_domain;

uint64_t rt_arg(void)
{
	return start_arg;
}

uint64_t rt_domain(void)
{
	return start_domain;
}

unsigned rt_core(void)
{
	return ((const struct bootinfo *)BOOTINFO_VADDR)->coreid;
}

/* From crt0: a0 as it came, and sp (the image, if its builder wrote one). */
void __attribute__((noreturn)) rt_main(uint64_t a0, const struct args_image *img);

void __attribute__((noreturn)) rt_main(uint64_t a0, const struct args_image *img)
{
	static char *none[1];
	int argc = 0;
	char **argv = none;
	start_arg = a0;
	if ((uintptr_t)img == ARGS_VADDR && img->magic == ARGS_MAGIC) {
		argc = (int)img->argc;
		argv = (char **)(uintptr_t)img->argv;
		start_domain = img->domain;
	}
	_exit(main(argc, argv));
}

errval_t args_pack(int argc, char *const argv[], char *block, uint32_t *bytes)
{
	uint32_t n = 0;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		if (len > ARGS_MAX_BYTES - n)
			return ERR_ARGS_TOO_LONG;
		memcpy(block + n, argv[i], len);
		n += (uint32_t)len;
	}
	*bytes = n;
	return ERR_OK;
}

errval_t args_send(capaddr_t ep, uint64_t op, const char *block, uint32_t bytes)
{
	errval_t err = ERR_OK;
	for (uint32_t off = 0; !err && off < bytes; off += ARGS_FRAGMENT) {
		struct args_fragment f = {.op = op, .offset = off, .total = bytes};
		uint32_t n = bytes - off < ARGS_FRAGMENT ? bytes - off : ARGS_FRAGMENT;
		uint64_t w[4];
		memcpy(f.data, block + off, n);
		memcpy(w, &f, sizeof(w));
		err = rpc_send(ep, w, CAPADDR_NONE);
	}
	return err;
}

void args_put(struct args_in *a, uint32_t offset, uint32_t total, const void *data, uint32_t len)
{
	if (offset == 0) /* a new block: what was begun before goes */
		*a = (struct args_in){.total = total};
	if (a->err)
		return;
	if (total > ARGS_MAX_BYTES)
		a->err = ERR_ARGS_TOO_LONG;
	else if (offset != a->got || total != a->total || offset >= total)
		a->err = ERR_ARGS_INCOMPLETE; /* not the next part of this block */
	if (a->err)
		return;
	uint32_t n = total - offset < len ? total - offset : len;
	memcpy(a->buf + offset, data, n);
	a->got += n;
}

errval_t args_take(struct args_in *a, uint32_t bytes)
{
	errval_t err = a->err;
	if (bytes == 0)
		err = ERR_OK;
	else if (!err && bytes > ARGS_MAX_BYTES)
		err = ERR_ARGS_TOO_LONG;
	else if (!err && (a->total != bytes || a->got != bytes))
		err = ERR_ARGS_INCOMPLETE;
	a->got = a->total = 0;
	a->err = ERR_OK;
	return err;
}

errval_t args_image(void *page, const char *name, const char *block, uint32_t bytes,
		    uint64_t domain, uint32_t *len)
{
	if (bytes > ARGS_MAX_BYTES)
		return ERR_ARGS_TOO_LONG;
	if (bytes && block[bytes - 1])
		return ERR_BAD_REQUEST;
	uint64_t argc = 1;
	for (uint32_t i = 0; i < bytes; i++)
		argc += !block[i];
	size_t nlen = strnlen(name, 23) + 1;
	struct args_image *img = page;
	size_t head = sizeof(*img) + (argc + 1) * sizeof(img->argv[0]);
	if (head + nlen + bytes > 4096)
		return ERR_ARGS_TOO_LONG;
	char *s = (char *)page + head;
	*img = (struct args_image){.magic = ARGS_MAGIC, .argc = argc, .domain = domain};
	memcpy(s, name, nlen - 1);
	s[nlen - 1] = 0;
	if (bytes)
		memcpy(s + nlen, block, bytes);
	for (uint64_t i = 0, at = head; i < argc; i++) { /* each string's address there */
		img->argv[i] = ARGS_VADDR + at;
		at += strlen((char *)page + at) + 1;
	}
	img->argv[argc] = 0;
	*len = (uint32_t)(head + nlen + bytes);
	return ERR_OK;
}
