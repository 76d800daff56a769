/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building imginfo description trees (node.h). A failed allocation never stops the
 * builder: it marks the node it happened in with IMGINFO_F_OOM, and imginfo_describe()
 * turns any mark into one "out of memory" at the end.
 */
#include "node.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"

struct imginfo_node *node_new(enum imginfo_type type, const char *key, enum imginfo_class cls)
{
	struct imginfo_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = type;
	n->cls = cls;
	n->key = strdup(key ? key : "");
	if (!n->key) {
		free(n);
		return NULL;
	}
	return n;
}

struct imginfo_node *node_add(struct imginfo_node *parent, struct imginfo_node *kid)
{
	if (!parent) {
		imginfo_node_free(kid);
		return NULL;
	}
	if (!kid) {
		parent->flags |= IMGINFO_F_OOM;
		return NULL;
	}
	if (parent->nkids == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 8;
		struct imginfo_node **v = realloc(parent->kids, cap * sizeof(*v));

		if (!v) {
			parent->flags |= IMGINFO_F_OOM;
			imginfo_node_free(kid);
			return NULL;
		}
		parent->kids = v;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
	return kid;
}

static struct imginfo_node *add_new(struct imginfo_node *parent, enum imginfo_type type,
				    const char *key)
{
	if (!parent)
		return NULL;
	return node_add(parent, node_new(type, key, parent->cls));
}

/* @s (NULL: a failed allocation, which marks @n) as one of @n's strings. */
static char *own(struct imginfo_node *n, char *s)
{
	if (!s)
		n->flags |= IMGINFO_F_OOM;
	return s;
}

/* A new child whose str has room for @size bytes (NULL when that failed: check it). */
static struct imginfo_node *add_sized(struct imginfo_node *parent, enum imginfo_type type,
				      const char *key, size_t size)
{
	struct imginfo_node *n = add_new(parent, type, key);

	if (n)
		n->str = own(n, malloc(size));
	return n;
}

struct imginfo_node *node_obj(struct imginfo_node *parent, const char *key)
{
	return add_new(parent, IMGINFO_OBJ, key);
}

struct imginfo_node *node_list(struct imginfo_node *parent, const char *key)
{
	return add_new(parent, IMGINFO_LIST, key);
}

struct imginfo_node *node_item(struct imginfo_node *list, const char *key, const char *id)
{
	struct imginfo_node *n = add_new(list, IMGINFO_OBJ, key);

	if (n && id)
		n->id = own(n, strdup(id));
	return n;
}

struct imginfo_node *node_uint(struct imginfo_node *parent, const char *key, uint64_t v,
			       unsigned flags, const char *meaning)
{
	struct imginfo_node *n = add_new(parent, IMGINFO_UINT, key);

	if (!n)
		return NULL;
	n->num = v;
	n->flags |= flags;
	if (meaning)
		n->str = own(n, strdup(meaning));
	return n;
}

char *node_vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	int len;
	char *s;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (s)
		vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

struct imginfo_node *node_str(struct imginfo_node *parent, const char *key, const char *fmt, ...)
{
	struct imginfo_node *n = add_new(parent, IMGINFO_STR, key);
	va_list ap;

	if (!n)
		return NULL;
	va_start(ap, fmt);
	n->str = own(n, node_vformat(fmt, ap));
	va_end(ap);
	return n;
}

struct imginfo_node *node_text(struct imginfo_node *parent, const char *key, const char *text,
			       size_t len)
{
	struct imginfo_node *n = add_sized(parent, IMGINFO_TEXT, key, len + 1);

	if (n && n->str) {
		memcpy(n->str, text, len);
		n->str[len] = '\0';
	}
	return n;
}

struct imginfo_node *node_hex(struct imginfo_node *parent, const char *key, const uint8_t *p,
			      size_t n)
{
	struct imginfo_node *node = add_sized(parent, IMGINFO_STR, key, 2 * n + 1);

	if (node && node->str)
		ascii_hex_encode(p, n, node->str);
	return node;
}

struct imginfo_node *node_cstr(struct imginfo_node *parent, const char *key, const char *s)
{
	size_t i, j, len = strlen(s);
	struct imginfo_node *n = add_sized(parent, IMGINFO_STR, key, 4 * len + 1);

	if (!n || !n->str)
		return n;
	for (i = 0, j = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7F && c != '\\') {
			n->str[j++] = (char)c;
		} else {
			snprintf(n->str + j, 5, "\\x%02x", c);
			j += 4;
		}
	}
	n->str[j] = '\0';
	return n;
}

void node_line(struct imginfo_node *n, const char *fmt, ...)
{
	va_list ap;

	if (!n)
		return;
	free(n->line);
	va_start(ap, fmt);
	n->line = own(n, node_vformat(fmt, ap));
	va_end(ap);
}

void node_data(struct imginfo_node *n, const uint8_t *data, size_t len, uint64_t file_off)
{
	if (!n)
		return;
	n->data = data;
	n->len = len;
	n->file_off = file_off;
}

struct imginfo_node *node_set_flags(struct imginfo_node *n, unsigned flags)
{
	if (n)
		n->flags |= flags;
	return n;
}

struct imginfo_node *node_set_class(struct imginfo_node *n, enum imginfo_class cls)
{
	if (n)
		n->cls = cls;
	return n;
}

char *node_uint_text(const struct imginfo_node *n)
{
	unsigned long long v = (unsigned long long)n->num;

	if (n->flags & IMGINFO_F_HEX)
		return n->str ? node_format("0x%llx (%s)", v, n->str) : node_format("0x%llx", v);
	return n->str ? node_format("%llu (%s)", v, n->str) : node_format("%llu", v);
}

char *node_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = node_vformat(fmt, ap);
	va_end(ap);
	return s;
}

const struct imginfo_node *node_child(const struct imginfo_node *n, const char *key)
{
	size_t i;

	for (i = 0; n && i < n->nkids; i++) {
		if (strcmp(n->kids[i]->key, key) == 0)
			return n->kids[i];
	}
	return NULL;
}

int node_oom(const struct imginfo_node *n)
{
	size_t i;

	if (n->flags & IMGINFO_F_OOM)
		return 1;
	for (i = 0; i < n->nkids; i++) {
		if (node_oom(n->kids[i]))
			return 1;
	}
	return 0;
}

int node_erased(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != 0xFF)
			return 0;
	}
	return 1;
}
