// SPDX-License-Identifier: MIT
/* A small vsnprintf for the kernel: no allocation, no floating point. */
#include <stdbool.h>
#include <stdint.h>

#include "kprintf.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg, int width, bool zero,
		    bool alt)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	int len = n + neg + (alt ? 2 : 0);
	if (!zero)
		for (; width > len; width--)
			put(o, ' ');
	if (neg)
		put(o, '-');
	if (alt) {
		put(o, '0');
		put(o, 'x');
	}
	for (; zero && width > len; width--)
		put(o, '0');
	while (n)
		put(o, tmp[--n]);
}

static uint64_t get_arg(va_list *ap, int lng, bool sgn, bool *neg)
{
	int64_t s;
	if (!sgn)
		return lng ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
	s = lng ? va_arg(*ap, long) : va_arg(*ap, int);
	*neg = s < 0;
	return *neg ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list aq;
	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool zero = false, alt = false, neg = false;
		int width = 0, lng = 0;
		for (fmt++; *fmt == '0' || *fmt == '#'; fmt++)
			*fmt == '0' ? (zero = true) : (alt = true);
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng = 1; /* long, long long and size_t are all 64-bit here */
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(aq, int));
			break;
		case 's': {
			const char *s = va_arg(aq, const char *);
			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		}
		case 'd':
		case 'i': {
			uint64_t v = get_arg(&aq, lng, true, &neg);
			put_num(&o, v, 10, neg, width, zero, false);
			break;
		}
		case 'u':
			put_num(&o, get_arg(&aq, lng, false, &neg), 10, false, width, zero, false);
			break;
		case 'x':
			put_num(&o, get_arg(&aq, lng, false, &neg), 16, false, width, zero, alt);
			break;
		case 'p':
			put_num(&o, (uintptr_t)va_arg(aq, void *), 16, false, width, zero, true);
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
