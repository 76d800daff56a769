/* imginfo description trees: building, freeing, and the text and JSON forms. */
#include "imginfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "hash.h"
#include "node.h"

static const char *const class_names[IMGINFO_CLASS_COUNT] = {
    "header", "appdesc", "elf-sha256", "digest", "signature", "partition", "content", "otadata",
};

const char *imginfo_class_name(enum imginfo_class cls)
{
	return cls < IMGINFO_CLASS_COUNT ? class_names[cls] : "?";
}

int imginfo_class_parse(const char *name, enum imginfo_class *cls)
{
	unsigned i;

	for (i = 0; i < IMGINFO_CLASS_COUNT; i++) {
		if (strcmp(name, class_names[i]) == 0) {
			*cls = (enum imginfo_class)i;
			return 0;
		}
	}
	return -1;
}

const char *imginfo_class_names(void)
{
	return "header appdesc elf-sha256 digest signature partition content otadata";
}

const char *imginfo_kind_name(enum imginfo_kind kind)
{
	switch (kind) {
	case IMGINFO_APP:
		return "app image";
	case IMGINFO_BOOTLOADER:
		return "bootloader image";
	case IMGINFO_PARTTABLE:
		return "partition table";
	case IMGINFO_OTADATA:
		return "otadata";
	case IMGINFO_NVS:
		return "nvs";
	case IMGINFO_FLASH:
		return "flash image";
	case IMGINFO_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- building ---- */

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

void imginfo_node_free(struct imginfo_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		imginfo_node_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->id);
	free(n->str);
	free(n->line);
	free(n);
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

	if (n && id) {
		n->id = strdup(id);
		if (!n->id)
			n->flags |= IMGINFO_F_OOM;
	}
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
	if (meaning) {
		n->str = strdup(meaning);
		if (!n->str)
			n->flags |= IMGINFO_F_OOM;
	}
	return n;
}

/* vsnprintf into a new string: @fmt checked at each caller through its own attribute. */
static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
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
	n->str = vformat(fmt, ap);
	va_end(ap);
	if (!n->str)
		n->flags |= IMGINFO_F_OOM;
	return n;
}

struct imginfo_node *node_text(struct imginfo_node *parent, const char *key, const char *text,
			     size_t len)
{
	struct imginfo_node *n = add_new(parent, IMGINFO_TEXT, key);

	if (!n)
		return NULL;
	n->str = malloc(len + 1);
	if (!n->str) {
		n->flags |= IMGINFO_F_OOM;
		return n;
	}
	memcpy(n->str, text, len);
	n->str[len] = '\0';
	return n;
}

struct imginfo_node *node_hex(struct imginfo_node *parent, const char *key, const uint8_t *p,
			    size_t n)
{
	struct imginfo_node *node = add_new(parent, IMGINFO_STR, key);

	if (!node)
		return NULL;
	node->str = malloc(2 * n + 1);
	if (!node->str) {
		node->flags |= IMGINFO_F_OOM;
		return node;
	}
	ascii_hex_encode(p, n, node->str);
	return node;
}

struct imginfo_node *node_cstr(struct imginfo_node *parent, const char *key, const char *s)
{
	struct imginfo_node *n = add_new(parent, IMGINFO_STR, key);
	size_t i, j, len = strlen(s);

	if (!n)
		return NULL;
	n->str = malloc(4 * len + 1);
	if (!n->str) {
		n->flags |= IMGINFO_F_OOM;
		return n;
	}
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
	n->line = vformat(fmt, ap);
	va_end(ap);
	if (!n->line)
		n->flags |= IMGINFO_F_OOM;
}

void node_data(struct imginfo_node *n, const uint8_t *data, size_t len, uint64_t file_off)
{
	if (!n)
		return;
	n->data = data;
	n->len = len;
	n->file_off = file_off;
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

size_t imginfo_problems(const struct imginfo_node *root)
{
	const struct imginfo_node *p = node_child(root, "problems");

	return p ? p->nkids : 0;
}

/* ---- text ---- */

static int fmt_uint(struct buf *out, const struct imginfo_node *n)
{
	int rc;

	if (n->flags & IMGINFO_F_HEX)
		rc = buf_printf(out, "0x%llx", (unsigned long long)n->num);
	else
		rc = buf_printf(out, "%llu", (unsigned long long)n->num);
	if (rc == 0 && n->str)
		rc = buf_printf(out, " (%s)", n->str);
	return rc;
}

static int text_node(const struct imginfo_node *n, unsigned indent, const char *bullet,
		     struct buf *out);

static int text_kids(const struct imginfo_node *n, unsigned indent, struct buf *out)
{
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		if (text_node(n->kids[i], indent, n->type == IMGINFO_LIST ? "- " : "", out) < 0)
			return -1;
	}
	return 0;
}

static int text_node(const struct imginfo_node *n, unsigned indent, const char *bullet,
		     struct buf *out)
{
	const char *s, *nl;

	if (buf_printf(out, "%*s%s", (int)indent, "", bullet) < 0)
		return -1;
	/* list items of plain strings print as "- value" */
	if (*bullet && n->type == IMGINFO_STR)
		return buf_printf(out, "%s\n", n->str);
	if (*bullet && n->line)
		return buf_printf(out, "%s\n", n->line);
	if (buf_printf(out, "%s:", n->key) < 0)
		return -1;
	switch (n->type) {
	case IMGINFO_UINT:
		if (buf_puts(out, " ") < 0 || fmt_uint(out, n) < 0)
			return -1;
		return buf_puts(out, "\n");
	case IMGINFO_STR:
		return buf_printf(out, " %s\n", n->str);
	case IMGINFO_TEXT:
		if (buf_puts(out, "\n") < 0)
			return -1;
		for (s = n->str; *s; s = nl) {
			nl = strchr(s, '\n');
			nl = nl ? nl + 1 : s + strlen(s);
			if (buf_printf(out, "%*s%.*s", (int)indent + 2, "", (int)(nl - s), s) < 0)
				return -1;
			if (nl[-1] != '\n' && buf_puts(out, "\n") < 0)
				return -1;
		}
		return 0;
	case IMGINFO_OBJ:
		if (n->line)
			return buf_printf(out, " %s\n", n->line);
		/* fall through */
	case IMGINFO_LIST:
		if (n->nkids == 0)
			return buf_puts(out, " none\n");
		if (buf_puts(out, "\n") < 0)
			return -1;
		return text_kids(n, indent + 2 + (unsigned)strlen(bullet), out);
	}
	return 0;
}

int imginfo_format_text(const struct imginfo_node *root, struct buf *out)
{
	return text_kids(root, 0, out);
}

/* ---- JSON ---- */

static json_t *json_node(const struct imginfo_node *n);

static int json_set(json_t *obj, const struct imginfo_node *k)
{
	json_t *v = json_node(k);

	if (!v || json_object_set_new(obj, k->key, v) < 0)
		return -1;
	if (k->type == IMGINFO_UINT && k->str) {
		char name[128];

		snprintf(name, sizeof(name), "%s_name", k->key);
		if (json_object_set_new(obj, name, json_string(k->str)) < 0)
			return -1;
	}
	return 0;
}

static json_t *json_node(const struct imginfo_node *n)
{
	json_t *j = NULL;
	size_t i;

	switch (n->type) {
	case IMGINFO_UINT:
		return json_integer((json_int_t)n->num);
	case IMGINFO_STR:
	case IMGINFO_TEXT:
		return json_string(n->str);
	case IMGINFO_OBJ:
		j = json_object();
		for (i = 0; j && i < n->nkids; i++) {
			if (json_set(j, n->kids[i]) < 0)
				goto fail;
		}
		return j;
	case IMGINFO_LIST:
		j = json_array();
		for (i = 0; j && i < n->nkids; i++) {
			if (json_array_append_new(j, json_node(n->kids[i])) < 0)
				goto fail;
		}
		return j;
	}
fail:
	json_decref(j);
	return NULL;
}

json_t *imginfo_to_json(const struct imginfo_node *root)
{
	return json_node(root);
}
