/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imginfo: structural differences between two description trees. Fields are matched
 * by name, list items by id (partition name, segment load address), and byte ranges
 * attached to nodes are compared byte by byte, so every difference names its place.
 */
#include "imginfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"

struct dctx {
	struct imginfo_difflist *out;
	unsigned scopes;
	int oom;
};

/* @s (NULL: a failed allocation, which marks the whole diff out of memory). */
static char *own(struct dctx *d, char *s)
{
	if (!s)
		d->oom = 1;
	return s;
}

static char *xstrdup(struct dctx *d, const char *s)
{
	return s ? own(d, strdup(s)) : NULL;
}

static char *xprintf(struct dctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *xprintf(struct dctx *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = own(d, node_vformat(fmt, ap));
	va_end(ap);
	return s;
}

static int grow(struct imginfo_difflist *l)
{
	size_t cap = l->cap ? 2 * l->cap : 16;
	struct imginfo_diff *v;

	if (l->n < l->cap)
		return 0;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Appends a difference; takes @path, @what, @old_val, @new_val (any may be NULL after
 * an allocation failure). Returns the entry or NULL. */
static struct imginfo_diff *add(struct dctx *d, char *path, char *what, char *old_val,
				char *new_val, const struct imginfo_node *n, int derived,
				unsigned scope)
{
	struct imginfo_difflist *l = d->out;
	struct imginfo_diff *e;

	if (d->oom || !path || !what || grow(l) < 0) {
		d->oom = 1;
		free(path);
		free(what);
		free(old_val);
		free(new_val);
		return NULL;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->what = what;
	e->old_val = old_val;
	e->new_val = new_val;
	e->cls = n->cls;
	e->derived = derived || (n->flags & IMGINFO_F_DERIVED);
	e->scope = scope;
	return e;
}

static char *value_text(struct dctx *d, const struct imginfo_node *n)
{
	switch (n->type) {
	case IMGINFO_UINT:
		return own(d, node_uint_text(n));
	case IMGINFO_STR:
	case IMGINFO_TEXT:
		return xstrdup(d, n->str);
	case IMGINFO_OBJ:
	case IMGINFO_LIST:
		break;
	}
	if (n->line)
		return xstrdup(d, n->line);
	return xstrdup(d, n->nkids ? "present" : "none");
}

static char *join(struct dctx *d, const char *path, const char *key, int item)
{
	if (item)
		return xprintf(d, "%s[%s]", path, key);
	if (!*path)
		return xstrdup(d, key);
	return xprintf(d, "%s.%s", path, key);
}

static void diff_node(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope);

static void leaf(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		 const char *path, int derived, unsigned scope)
{
	char *o = value_text(d, a), *n = value_text(d, b);

	if (!o || !n) {
		free(o);
		free(n);
		d->oom = 1;
		return;
	}
	add(d, xstrdup(d, path),
	    xprintf(d, "%s%s -> %s", (a->flags & IMGINFO_F_POS) ? "moved: " : "", o, n), o, n, a,
	    derived, scope);
}

static void text_diff(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope)
{
	const char *p = a->str, *q = b->str;
	unsigned line = 1;
	size_t lp, lq;

	for (;;) {
		lp = strcspn(p, "\n");
		lq = strcspn(q, "\n");
		if (lp != lq || memcmp(p, q, lp) != 0 || !p[lp] || !q[lq])
			break;
		p += lp + 1;
		q += lq + 1;
		line++;
	}
	add(d, xstrdup(d, path),
	    xprintf(d, "line %u: \"%.*s\" -> \"%.*s\"", line, (int)lp, p, (int)lq, q),
	    xprintf(d, "%.*s", (int)lp, p), xprintf(d, "%.*s", (int)lq, q), a, derived, scope);
}

static int skipped(const struct imginfo_node *n, size_t i)
{
	return n->skip_len && i >= n->skip_off && i - n->skip_off < n->skip_len;
}

static void data_diff(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope)
{
	size_t i, common = a->len < b->len ? a->len : b->len;
	uint64_t count = 0, first = 0;
	int same_skip = a->skip_off == b->skip_off && a->skip_len == b->skip_len;
	struct imginfo_diff *e;
	char where[96];

	for (i = 0; i < common; i++) {
		if (a->data[i] == b->data[i] || (same_skip && skipped(a, i)))
			continue;
		if (!count)
			first = i;
		count++;
	}
	if (a->len != b->len) {
		if (!count)
			first = common;
		count += a->len > b->len ? a->len - b->len : b->len - a->len;
	}
	if (!count)
		return;
	if (a->has_addr)
		snprintf(where, sizeof(where), "file 0x%llx, address 0x%08llx",
			 (unsigned long long)(a->file_off + first),
			 (unsigned long long)(a->addr + first));
	else
		snprintf(where, sizeof(where), "file 0x%llx",
			 (unsigned long long)(a->file_off + first));
	e = add(d, xstrdup(d, path),
		xprintf(d, "%llu byte%s differ%s, first at offset 0x%llx (%s)",
			(unsigned long long)count, count == 1 ? "" : "s", count == 1 ? "s" : "",
			(unsigned long long)first, where),
		NULL, NULL, a, derived, scope);
	if (e) {
		e->is_data = 1;
		e->first = first;
		e->count = count;
		e->file_off = a->file_off + first;
		e->addr = (uint32_t)(a->addr + first);
		e->has_addr = a->has_addr;
	}
}

static const struct imginfo_node *find_item(const struct imginfo_node *list,
					    const struct imginfo_node *it)
{
	const char *id = it->id ? it->id : it->key;
	size_t i;

	for (i = 0; i < list->nkids; i++) {
		const struct imginfo_node *k = list->kids[i];

		if (strcmp(k->id ? k->id : k->key, id) == 0)
			return k;
	}
	return NULL;
}

static void presence(struct dctx *d, const struct imginfo_node *n, const char *path, int added,
		     int derived, unsigned scope)
{
	char *v = value_text(d, n);

	if (added)
		add(d, xstrdup(d, path), xprintf(d, "added: %s", v ? v : ""), NULL, v, n, derived,
		    scope);
	else
		add(d, xstrdup(d, path), xprintf(d, "removed: %s", v ? v : ""), v, NULL, n, derived,
		    scope);
}

static void kids_diff(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope)
{
	int item = a->type == IMGINFO_LIST;
	size_t i;

	for (i = 0; i < a->nkids && !d->oom; i++) {
		const struct imginfo_node *k = a->kids[i];
		const struct imginfo_node *m = item ? find_item(b, k) : node_child(b, k->key);
		char *p = join(d, path, k->key, item);

		if (!p)
			return;
		if (!(k->flags & IMGINFO_F_NODIFF)) {
			if (m)
				diff_node(d, k, m, p, derived, scope);
			else
				presence(d, k, p, 0, derived, scope);
		}
		free(p);
	}
	for (i = 0; i < b->nkids && !d->oom; i++) {
		const struct imginfo_node *k = b->kids[i];
		char *p;

		if ((k->flags & IMGINFO_F_NODIFF) ||
		    (item ? find_item(a, k) : node_child(a, k->key)))
			continue;
		p = join(d, path, k->key, item);
		if (p)
			presence(d, k, p, 1, derived, scope);
		free(p);
	}
}

static void diff_node(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope)
{
	const struct imginfo_node *ka, *kb;

	if (d->oom || (a->flags & IMGINFO_F_NODIFF))
		return;
	derived |= (a->flags & IMGINFO_F_DERIVED) != 0;
	if (a->flags & IMGINFO_F_SCOPE)
		scope = ++d->scopes;
	if (a->type != b->type) {
		leaf(d, a, b, path, derived, scope);
		return;
	}
	switch (a->type) {
	case IMGINFO_UINT:
		if (a->num != b->num)
			leaf(d, a, b, path, derived, scope);
		return;
	case IMGINFO_STR:
		if (strcmp(a->str, b->str) != 0)
			leaf(d, a, b, path, derived, scope);
		return;
	case IMGINFO_TEXT:
		if (strcmp(a->str, b->str) != 0)
			text_diff(d, a, b, path, derived, scope);
		return;
	case IMGINFO_OBJ:
		/* different kinds of content: saying so is all that can be said */
		ka = node_child(a, "kind");
		kb = node_child(b, "kind");
		if (ka && kb && ka->type == IMGINFO_STR && kb->type == IMGINFO_STR &&
		    strcmp(ka->str, kb->str) != 0) {
			char *p = join(d, path, "kind", 0);

			if (p)
				leaf(d, ka, kb, p, derived, scope);
			free(p);
			return;
		}
		if (!a->nkids != !b->nkids) {
			leaf(d, a, b, path, derived, scope);
			return;
		}
		/* fall through */
	case IMGINFO_LIST:
		kids_diff(d, a, b, path, derived, scope);
		break;
	}
	if (a->data && b->data)
		data_diff(d, a, b, path, derived, scope);
}

int imginfo_diff(const struct imginfo_node *a, const struct imginfo_node *b,
		 struct imginfo_difflist *out)
{
	struct dctx d = {out, 0, 0};
	const struct imginfo_node *ka = node_child(a, "kind"), *kb = node_child(b, "kind");

	if (ka && kb && strcmp(ka->str, kb->str) != 0)
		return diag_error("cannot compare images of different kinds: %s and %s", ka->str,
				  kb->str);
	diff_node(&d, a, b, "", 0, 0);
	if (d.oom)
		return diag_error("out of memory");
	return 0;
}

void imginfo_difflist_free(struct imginfo_difflist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].what);
		free(l->v[i].old_val);
		free(l->v[i].new_val);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

size_t imginfo_diff_judge(struct imginfo_difflist *l, unsigned ignore_mask)
{
	size_t i, j, left = 0;

	for (i = 0; i < l->n; i++)
		l->v[i].ignored = ((ignore_mask >> l->v[i].cls) & 1u) != 0;
	/* a digest or signature changes whenever what it covers changes: when everything
	 * else that differs in its image is ignored, so is it */
	for (i = 0; i < l->n; i++) {
		int others = 0, all_ignored = 1;

		if (!l->v[i].derived || l->v[i].ignored)
			continue;
		for (j = 0; j < l->n; j++) {
			if (!l->v[j].derived && l->v[j].scope == l->v[i].scope) {
				others = 1;
				all_ignored &= l->v[j].ignored;
			}
		}
		if (others && all_ignored)
			l->v[i].ignored = 1;
	}
	for (i = 0; i < l->n; i++)
		left += !l->v[i].ignored;
	return left;
}

int imginfo_diff_format_text(const struct imginfo_difflist *l, struct buf *out)
{
	size_t i, ignored = 0;

	for (i = 0; i < l->n; i++) {
		const struct imginfo_diff *e = &l->v[i];

		ignored += e->ignored;
		if (buf_printf(out, "%s: %s [%s%s]\n", *e->path ? e->path : "image", e->what,
			       imginfo_class_name(e->cls), e->ignored ? ", ignored" : "") < 0)
			return -1;
	}
	if (l->n == 0)
		return buf_puts(out, "identical\n");
	if (ignored == l->n)
		return buf_printf(out, "%zu difference%s, all ignored\n", l->n,
				  l->n == 1 ? "" : "s");
	return buf_printf(out, "%zu difference%s (%zu ignored)\n", l->n, l->n == 1 ? "" : "s",
			  ignored);
}

json_t *imginfo_diff_to_json(const struct imginfo_difflist *l)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i, left = 0;

	if (!root || !arr)
		goto fail;
	for (i = 0; i < l->n; i++) {
		const struct imginfo_diff *e = &l->v[i];
		json_t *o = json_object();

		left += !e->ignored;
		if (!o || json_array_append_new(arr, o) < 0)
			goto fail;
		if (json_object_set_new(o, "path", json_string(e->path)) < 0 ||
		    json_object_set_new(o, "class", json_string(imginfo_class_name(e->cls))) < 0 ||
		    json_object_set_new(o, "what", json_string(e->what)) < 0 ||
		    json_object_set_new(o, "derived", json_boolean(e->derived)) < 0 ||
		    json_object_set_new(o, "ignored", json_boolean(e->ignored)) < 0)
			goto fail;
		if (e->old_val && json_object_set_new(o, "old", json_string(e->old_val)) < 0)
			goto fail;
		if (e->new_val && json_object_set_new(o, "new", json_string(e->new_val)) < 0)
			goto fail;
		if (e->is_data && (json_object_set_new(o, "first_offset",
						       json_integer((json_int_t)e->first)) < 0 ||
				   json_object_set_new(o, "differing_bytes",
						       json_integer((json_int_t)e->count)) < 0 ||
				   json_object_set_new(o, "file_offset",
						       json_integer((json_int_t)e->file_off)) < 0))
			goto fail;
		if (e->is_data && e->has_addr &&
		    json_object_set_new(o, "address", json_integer((json_int_t)e->addr)) < 0)
			goto fail;
	}
	if (json_object_set_new(root, "identical", json_boolean(l->n == 0)) < 0 ||
	    json_object_set_new(root, "different", json_boolean(left != 0)) < 0 ||
	    json_object_set_new(root, "differences", arr) < 0)
		goto fail_root;
	return root;
fail:
	json_decref(arr);
fail_root:
	json_decref(root);
	return NULL;
}
