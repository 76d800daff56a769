/* SPDX-License-Identifier: Apache-2.0 */
/* imginfo: class and kind names, freeing a description tree, its text and JSON forms. */
#include "imginfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"

static const char *const class_names[IMGINFO_CLASS_COUNT] = {
    "header", "appdesc", "elf-sha256", "digest", "signature", "partition", "content", "otadata",
    "file",
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
	return "header appdesc elf-sha256 digest signature partition content otadata file";
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
	case IMGINFO_SIGNED:
		return "signed data";
	case IMGINFO_SPIFFS:
		return "spiffs";
	case IMGINFO_FAT:
		return "fat";
	case IMGINFO_UNKNOWN:
		break;
	}
	return "unknown";
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
	free(n->owned);
	free(n);
}

size_t imginfo_problems(const struct imginfo_node *root)
{
	const struct imginfo_node *p = node_child(root, "problems");

	return p ? p->nkids : 0;
}

void imginfo_problem(const struct imginfo_node *root, size_t i, struct imginfo_problem *p)
{
	const struct imginfo_node *k = node_child(root, "problems")->kids[i];

	/* describe_problem(): the key holds the kind, num the offset */
	p->kind = k->key;
	p->message = k->str;
	p->offset = k->num;
}

int imginfo_check_format_text(const struct imginfo_node *root, struct buf *out)
{
	size_t i, n = imginfo_problems(root);
	struct imginfo_problem p;

	for (i = 0; i < n; i++) {
		imginfo_problem(root, i, &p);
		if (buf_printf(out, "%s [%s]\n", p.message, p.kind) < 0)
			return -1;
	}
	if (n == 0)
		return buf_puts(out, "no problems\n");
	return buf_printf(out, "%zu problem%s\n", n, n == 1 ? "" : "s");
}

json_t *imginfo_check_to_json(const struct imginfo_node *root)
{
	json_t *j = json_object(), *arr = json_array();
	size_t i, n = imginfo_problems(root);
	struct imginfo_problem p;

	if (!j || !arr || json_object_set(j, "problems", arr) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		imginfo_problem(root, i, &p);
		if (!o || json_array_append_new(arr, o) < 0 ||
		    json_object_set_new(o, "kind", json_string(p.kind)) < 0 ||
		    json_object_set_new(o, "message", json_string(p.message)) < 0 ||
		    json_object_set_new(o, "offset", json_integer((json_int_t)p.offset)) < 0)
			goto fail;
	}
	json_decref(arr);
	return j;
fail:
	json_decref(arr);
	json_decref(j);
	return NULL;
}

/* ---- text ---- */

static int fmt_uint(struct buf *out, const struct imginfo_node *n)
{
	char *s = node_uint_text(n);
	int rc;

	if (!s)
		return diag_error("out of memory");
	rc = buf_puts(out, s);
	free(s);
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

json_t *imginfo_json_versioned(json_t *j)
{
	json_t *out = json_object(), *v;
	const char *key;

	if (!j || !out || json_object_set_new(out, "schema_version", json_integer(1)) < 0 ||
	    json_object_set_new(out, "tool_version", json_string(ESPGEN_VERSION)) < 0)
		goto fail;
	json_object_foreach(j, key, v)
	{
		if (json_object_set(out, key, v) < 0)
			goto fail;
	}
	json_decref(j);
	return out;
fail:
	json_decref(out);
	json_decref(j);
	return NULL;
}
