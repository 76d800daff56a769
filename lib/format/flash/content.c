/* SPDX-License-Identifier: Apache-2.0 */
#include "content.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"

/* The order of this table is the order the messages list the keys in. */
const struct content_handler *const content_handlers[] = {
	&content_file,
	&content_elf,
	&content_otadata,
	&content_nvs,
	&content_nvs_keys,
	&content_spiffs,
	&content_fat,
};
const size_t content_nhandlers = sizeof(content_handlers) / sizeof(content_handlers[0]);

static int is_opt(const struct content_handler *h, const char *key)
{
	size_t i;

	for (i = 0; h->opts && h->opts[i]; i++)
		if (strcmp(h->opts[i], key) == 0)
			return 1;
	return 0;
}

/* The handler whose source key or option @key is (the first, for an option). */
static const struct content_handler *owner(const char *key)
{
	size_t i;

	for (i = 0; i < content_nhandlers; i++)
		if (strcmp(content_handlers[i]->key, key) == 0 || is_opt(content_handlers[i], key))
			return content_handlers[i];
	return NULL;
}

int content_key_known(const char *key)
{
	return owner(key) != NULL;
}

/* "a, b, c or d" of the handlers' source keys. */
static void source_keys(struct buf *b)
{
	size_t i;

	for (i = 0; i < content_nhandlers; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == content_nhandlers ? " or " : ", ",
			   content_handlers[i]->key);
}

int content_keys_text(struct buf *b)
{
	int first = 1;
	size_t i, k;

	source_keys(b);
	for (i = 0; i < content_nhandlers; i++) {
		const struct content_handler *h = content_handlers[i];

		if (!h->opts || !h->opts[0])
			continue;
		buf_printf(b, "%s%s: ", first ? ", and for " : "; for ", h->key);
		first = 0;
		for (k = 0; h->opts[k]; k++)
			buf_printf(b, "%s%s", k ? ", " : "", h->opts[k]);
	}
	return buf_fill(b, 0, 1);
}

const struct content_handler *content_select(const struct manifest *m,
					     const struct manifest_section *s,
					     const struct manifest_setting **src)
{
	const struct content_handler *h = NULL;
	struct buf keys = BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < content_nhandlers; i++) {
		const struct manifest_setting *k = manifest_get(s, content_handlers[i]->key);

		if (k) {
			h = content_handlers[i];
			*src = k;
			n++;
		}
	}
	if (n != 1) {
		source_keys(&keys);
		manifest_error(m, s->line, "[%s] needs exactly one of %.*s", s->label,
			       (int)keys.len, keys.data ? (const char *)keys.data : "");
		buf_free(&keys);
		return NULL;
	}
	for (i = 0; i < s->n; i++) {
		const char *key = s->v[i].key;

		if (strcmp(key, h->key) != 0 && !is_opt(h, key)) {
			manifest_error(m, s->v[i].line, "'%s' applies to %s only", key,
				       owner(key)->key);
			return NULL;
		}
	}
	return h;
}

int content_fit_check(const struct content_ctx *c, const struct content_region *r)
{
	if (r->data.len <= r->size)
		return 0;
	return manifest_error(c->m, c->s->line,
			      "%s (%zu bytes) does not fit in partition %s (0x%" PRIx64 " bytes)",
			      r->source, r->data.len, c->s->label, r->size);
}

char *content_input(const struct manifest *m, const char *rel, struct depfile *deps)
{
	char *path = manifest_path(m, rel);

	if (!path) {
		diag_error("out of memory");
		return NULL;
	}
	if (depfile_add(deps, path) < 0) {
		free(path);
		return NULL;
	}
	return path;
}
