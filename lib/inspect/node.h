/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building imginfo description trees (node.c; internal to lib/inspect). Every adder
 * returns the new node, or NULL when out of memory or when @parent is NULL; a failed
 * allocation marks @parent with IMGINFO_F_OOM, which node_oom() finds later,
 * so builders need not check every call.
 */
#ifndef ESPGEN_IMGINFO_NODE_H
#define ESPGEN_IMGINFO_NODE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "imginfo.h"

#define IMGINFO_F_OOM 0x100u

struct imginfo_node *node_new(enum imginfo_type type, const char *key, enum imginfo_class cls);
/* Appends @kid to @parent (frees @kid on failure). */
struct imginfo_node *node_add(struct imginfo_node *parent, struct imginfo_node *kid);
/* Object / list children inheriting @parent's class. */
struct imginfo_node *node_obj(struct imginfo_node *parent, const char *key);
struct imginfo_node *node_list(struct imginfo_node *parent, const char *key);
/* A list item labelled @key, matched by @id (NULL: by @key). */
struct imginfo_node *node_item(struct imginfo_node *list, const char *key, const char *id);
struct imginfo_node *node_uint(struct imginfo_node *parent, const char *key, uint64_t v,
			       unsigned flags, const char *meaning);
struct imginfo_node *node_str(struct imginfo_node *parent, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct imginfo_node *node_text(struct imginfo_node *parent, const char *key, const char *text,
			       size_t len);
/* Lowercase hex of @n bytes as a string field. */
struct imginfo_node *node_hex(struct imginfo_node *parent, const char *key, const uint8_t *p,
			      size_t n);
/* Sets @n's one-line text form. */
void node_line(struct imginfo_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attaches compared bytes to @n. */
void node_data(struct imginfo_node *n, const uint8_t *data, size_t len, uint64_t file_off);
/* A bounded string field from fixed-size bytes: up to the first NUL, bytes outside
 * printable ASCII written as \xNN (so text and JSON stay valid). */
struct imginfo_node *node_cstr(struct imginfo_node *parent, const char *key, const char *s);
/* Marks @n (may be NULL) with @flags / gives it class @cls. Returns @n. */
struct imginfo_node *node_set_flags(struct imginfo_node *n, unsigned flags);
struct imginfo_node *node_set_class(struct imginfo_node *n, enum imginfo_class cls);
/* printf into a new string for free(), or NULL when out of memory. */
char *node_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *node_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* A UINT node's value as text and diff show it: "0x2 (dio)", "5"; new string or NULL. */
char *node_uint_text(const struct imginfo_node *n);
/* Child named @key, or NULL. */
const struct imginfo_node *node_child(const struct imginfo_node *n, const char *key);
/* 1 when the tree holds a node marked IMGINFO_F_OOM. */
int node_oom(const struct imginfo_node *n);
/* 1 when all @len bytes are 0xFF. */
int node_erased(const uint8_t *p, size_t len);

#endif
