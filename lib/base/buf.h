/* SPDX-License-Identifier: Apache-2.0 */
/* Growable byte buffer and little-endian field helpers. */
#ifndef ESPGEN_BUF_H
#define ESPGEN_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

/*
 * Grows the block *@data of *@cap bytes to hold at least @need bytes, doubling from
 * @first (or the current capacity), so appends are amortised linear. Returns 0, or -1
 * (with a message) when out of memory; the block is unchanged then.
 */
int buf_grow(uint8_t **data, size_t *cap, size_t need, size_t first);

/* Makes room for @extra more bytes. Returns 0, or -1 (with a message) when out of memory. */
int buf_reserve(struct buf *b, size_t extra);
/* Appends @n bytes. Returns 0 or -1. */
int buf_append(struct buf *b, const void *data, size_t n);
/* Appends @n copies of @byte. Returns 0 or -1. */
int buf_fill(struct buf *b, uint8_t byte, size_t n);
/* Appends printf-formatted text (no NUL is counted in len). Returns 0 or -1. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a NUL-terminated string. Returns 0 or -1. */
int buf_puts(struct buf *b, const char *s);
/* Asks the kernel to back a large allocation with huge pages (a hint; no effect on
 * small ones or where unsupported). */
void buf_hint_large(void *p, size_t len);
/* Releases the storage and resets @b to empty. */
void buf_free(struct buf *b);

static inline void buf_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void buf_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint16_t buf_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t buf_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

#endif
