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
	if (n->flags & IMGINFO_F_ATOM)
		return xstrdup(d, n->str ? n->str : "");
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

/* Lines of a text block, without their newlines. */
struct text_lines {
	const char **at;
	size_t *len;
	size_t n;
	int final_nl; /* the last line ends with a newline */
};

static int text_split(const char *s, struct text_lines *l)
{
	size_t n = 0, i;
	const char *p;

	for (p = s; *p; p++)
		n += *p == '\n';
	n += *s && p[-1] != '\n';
	l->n = 0;
	l->final_nl = *s && p[-1] == '\n';
	l->at = malloc((n ? n : 1) * sizeof(*l->at));
	l->len = malloc((n ? n : 1) * sizeof(*l->len));
	if (!l->at || !l->len)
		return -1;
	for (p = s, i = 0; i < n; i++) {
		l->at[i] = p;
		l->len[i] = strcspn(p, "\n");
		p += l->len[i] + (p[l->len[i]] == '\n');
	}
	l->n = n;
	return 0;
}

static void text_lines_free(struct text_lines *l)
{
	free(l->at);
	free(l->len);
}

static int same_line(const struct text_lines *a, size_t i, const struct text_lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

enum line_edit { LINE_CHANGED, LINE_REMOVED, LINE_ADDED };

/* Line @i of A changed into line @j of B, removed from A (@j unused) or added in B (@i
 * unused). Line numbers count from 1 and are A's, except for added lines. */
static void line_diff(struct dctx *d, const struct imginfo_node *n, const char *path, int derived,
		      unsigned scope, enum line_edit how, const struct text_lines *a, size_t i,
		      const struct text_lines *b, size_t j)
{
	int la = how != LINE_ADDED ? (int)a->len[i] : 0,
	    lb = how != LINE_REMOVED ? (int)b->len[j] : 0;
	const char *pa = how != LINE_ADDED ? a->at[i] : "",
		   *pb = how != LINE_REMOVED ? b->at[j] : "";

	if (how == LINE_CHANGED)
		add(d, xstrdup(d, path),
		    xprintf(d, "line %zu: \"%.*s\" -> \"%.*s\"", i + 1, la, pa, lb, pb),
		    xprintf(d, "%.*s", la, pa), xprintf(d, "%.*s", lb, pb), n, derived, scope);
	else if (how == LINE_REMOVED)
		add(d, xstrdup(d, path), xprintf(d, "line %zu: removed \"%.*s\"", i + 1, la, pa),
		    xprintf(d, "%.*s", la, pa), NULL, n, derived, scope);
	else
		add(d, xstrdup(d, path), xprintf(d, "line %zu: added \"%.*s\"", j + 1, lb, pb),
		    NULL, xprintf(d, "%.*s", lb, pb), n, derived, scope);
}

/* A run of lines removed from A and added in B between two common lines: pairs of
 * them are changed lines, the rest removed or added. */
static void hunk_diff(struct dctx *d, const struct imginfo_node *n, const char *path, int derived,
		      unsigned scope, const struct text_lines *a, const size_t *del, size_t ndel,
		      const struct text_lines *b, const size_t *ins, size_t nins)
{
	size_t k;

	for (k = 0; k < ndel || k < nins; k++) {
		/* (paired in place, past TEXT_DIFF_CELLS, two lines may be the same) */
		if (k < ndel && k < nins && same_line(a, del[k], b, ins[k]))
			continue;
		if (k < ndel && k < nins)
			line_diff(d, n, path, derived, scope, LINE_CHANGED, a, del[k], b, ins[k]);
		else if (k < ndel)
			line_diff(d, n, path, derived, scope, LINE_REMOVED, a, del[k], b, 0);
		else
			line_diff(d, n, path, derived, scope, LINE_ADDED, a, 0, b, ins[k]);
	}
}

/* Largest middle part (lines of A times lines of B) matched by a longest common
 * subsequence; a larger one is compared line by line in place. */
#define TEXT_DIFF_CELLS ((size_t)1 << 20)

/*
 * Every line that differs between two text blocks (an NVS partition's CSV): the common
 * first and last lines are skipped, the middle matched by a longest common subsequence,
 * so a changed value is one changed line and an inserted item one added line.
 */
static void text_diff(struct dctx *d, const struct imginfo_node *a, const struct imginfo_node *b,
		      const char *path, int derived, unsigned scope)
{
	struct text_lines la = {NULL, NULL, 0, 0}, lb = {NULL, NULL, 0, 0};
	size_t pre = 0, suf = 0, na, nb, i, j, ndel = 0, nins = 0, before = d->out->n;
	size_t *del = NULL, *ins = NULL;
	uint32_t *lcs = NULL;

	if (text_split(a->str, &la) < 0 || text_split(b->str, &lb) < 0)
		goto oom;
	while (pre < la.n && pre < lb.n && same_line(&la, pre, &lb, pre))
		pre++;
	while (suf < la.n - pre && suf < lb.n - pre &&
	       same_line(&la, la.n - 1 - suf, &lb, lb.n - 1 - suf))
		suf++;
	na = la.n - pre - suf;
	nb = lb.n - pre - suf;
	del = malloc((na ? na : 1) * sizeof(*del));
	ins = malloc((nb ? nb : 1) * sizeof(*ins));
	if (!del || !ins)
		goto oom;
	if (na && nb && (na + 1) * (nb + 1) <= TEXT_DIFF_CELLS) {
		/* lcs[i * (nb + 1) + j]: common lines of A's middle from i and B's from j */
		lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs));
		if (!lcs)
			goto oom;
		for (i = na; i-- > 0;)
			for (j = nb; j-- > 0;)
				lcs[i * (nb + 1) + j] =
				    same_line(&la, pre + i, &lb, pre + j)
					? lcs[(i + 1) * (nb + 1) + j + 1] + 1
				    : lcs[(i + 1) * (nb + 1) + j] >= lcs[i * (nb + 1) + j + 1]
					? lcs[(i + 1) * (nb + 1) + j]
					: lcs[i * (nb + 1) + j + 1];
	}
	for (i = 0, j = 0; i < na || j < nb;) {
		if (lcs && i < na && j < nb && same_line(&la, pre + i, &lb, pre + j)) {
			hunk_diff(d, a, path, derived, scope, &la, del, ndel, &lb, ins, nins);
			ndel = nins = 0;
			i++, j++;
		} else if (i < na && (j == nb || !lcs ||
				      lcs[(i + 1) * (nb + 1) + j] >= lcs[i * (nb + 1) + j + 1])) {
			del[ndel++] = pre + i++;
		} else {
			ins[nins++] = pre + j++;
		}
	}
	hunk_diff(d, a, path, derived, scope, &la, del, ndel, &lb, ins, nins);
	/* the same lines, one block ending in a newline and the other not */
	if (d->out->n == before)
		add(d, xstrdup(d, path),
		    xprintf(d, "end of text: newline %s", la.final_nl ? "removed" : "added"), NULL,
		    NULL, a, derived, scope);
	goto out;
oom:
	d->oom = 1;
out:
	free(lcs);
	free(del);
	free(ins);
	text_lines_free(&la);
	text_lines_free(&lb);
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
	if (a->flags & IMGINFO_F_ATOM) {
		if (!a->str || !b->str || strcmp(a->str, b->str) != 0)
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

/*
 * The file a difference of class file names, from its path: "files[PATH]" (an image
 * alone) or "partitions[PART].content.files[PATH]". Sets @part (NULL: none) and @file,
 * both pointing into @path with their lengths. Returns 0, or -1 when it names none.
 */
static int file_of(const char *path, const char **part, size_t *plen, const char **file,
		   size_t *flen)
{
	static const char pfx[] = "partitions[", mid[] = "].content.files[";
	size_t len = strlen(path);
	const char *m;

	*part = NULL;
	*plen = 0;
	if (len < 2 || path[len - 1] != ']')
		return -1;
	if (strncmp(path, "files[", 6) == 0) {
		*file = path + 6;
	} else if (strncmp(path, pfx, sizeof(pfx) - 1) == 0 && (m = strstr(path, mid))) {
		*part = path + sizeof(pfx) - 1;
		*plen = (size_t)(m - *part);
		*file = m + sizeof(mid) - 1;
	} else {
		return -1;
	}
	*flen = (size_t)(path + len - 1 - *file);
	return 0;
}

size_t imginfo_diff_ignore_file(struct imginfo_difflist *l, const char *spec)
{
	const char *want_part = NULL, *want_file = spec, *colon = strchr(spec, ':');
	size_t want_plen = 0, i, n = 0;

	/* a file's path starts with '/': anything before a ':' ahead of it is a partition */
	if (*spec != '/' && colon) {
		want_part = spec;
		want_plen = (size_t)(colon - spec);
		want_file = colon + 1;
	}
	for (i = 0; i < l->n; i++) {
		struct imginfo_diff *e = &l->v[i];
		const char *part, *file;
		size_t plen, flen;

		if (e->cls != IMGINFO_CLASS_FILE ||
		    file_of(e->path, &part, &plen, &file, &flen) < 0)
			continue;
		if (flen != strlen(want_file) || memcmp(file, want_file, flen) != 0)
			continue;
		if (want_part && (!part || plen != want_plen || memcmp(part, want_part, plen) != 0))
			continue;
		e->file_ignored = 1;
		n++;
	}
	return n;
}

size_t imginfo_diff_judge(struct imginfo_difflist *l, unsigned ignore_mask)
{
	size_t i, j, left = 0;

	for (i = 0; i < l->n; i++)
		l->v[i].ignored = l->v[i].file_ignored || ((ignore_mask >> l->v[i].cls) & 1u) != 0;
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
