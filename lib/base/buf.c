/* SPDX-License-Identifier: Apache-2.0 */
/* madvise(MADV_HUGEPAGE) is a Linux extension */
#define _GNU_SOURCE
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"

void buf_hint_large(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;

	/* flash images are megabytes: fault them in as transparent huge pages where the
	 * kernel offers them (madvise mode), instead of one fault per 4 KiB page */
	if (len < ((size_t)2 << 20) || !page)
		return;
	start = ((uintptr_t)p + page - 1) & ~(page - 1);
	end = ((uintptr_t)p + len) & ~(page - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

int buf_grow(uint8_t **data, size_t *cap, size_t need, size_t first)
{
	size_t c;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap : first;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	p = realloc(*data, c);
	if (!p)
		return diag_error("out of memory");
	*data = p;
	*cap = c;
	buf_hint_large(p, c);
	return 0;
}

int buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len)
		return diag_error("out of memory");
	return buf_grow(&b->data, &b->cap, b->len + extra, 256);
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

int buf_fill(struct buf *b, uint8_t byte, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memset(b->data + b->len, byte, n);
	b->len += n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return diag_error("cannot format text");
	if (buf_reserve(b, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
