/* SPDX-License-Identifier: Apache-2.0 */
#include "manifest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "content.h"
#include "diag.h"
#include "fileio.h"
#include "inifile.h"
#include "layout.h"
#include "num.h"

static const char *const top_names[MANIFEST_TOP_COUNT] = {
	"chip", "flash_mode", "flash_freq", "flash_size", "layout", "bootloader", "fill",
	"flash_encryption_key", "flash_crypt_conf",
	"sign_key", "sign_key_2", "sign_key_3", "sb_version",
};

const char *manifest_top_name(enum manifest_top k)
{
	return top_names[k];
}

int manifest_error(const struct manifest *m, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(m->file, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int on_section(void *user, const char *name, unsigned line)
{
	struct manifest *m = user;
	struct manifest_section *v;
	size_t i;

	for (i = 0; i < m->nsec; i++)
		if (strcmp(m->sec[i].label, name) == 0)
			return manifest_error(m, line, "repeated section [%s] (first at line %u)",
					      name, m->sec[i].line);
	/* a section fills a partition: no more sections than a layout has partitions */
	if (m->nsec >= LAYOUT_INI_MAX_PARTS)
		return manifest_error(m, line, "too many sections");
	v = realloc(m->sec, (m->nsec + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	m->sec = v;
	memset(&v[m->nsec], 0, sizeof(v[m->nsec]));
	v[m->nsec].label = strdup(name);
	v[m->nsec].line = line;
	if (!v[m->nsec].label)
		return diag_error("out of memory");
	m->nsec++;
	return 0;
}

static int set(struct manifest_setting *s, const char *key, const char *value, unsigned line)
{
	s->key = strdup(key);
	s->value = strdup(value);
	s->line = line;
	if (!s->key || !s->value)
		return diag_error("out of memory");
	return 0;
}

static int repeated(const struct manifest *m, const char *key, const struct manifest_setting *first,
		    unsigned line)
{
	return manifest_error(m, line, "'%s' is set twice (first at line %u)", key, first->line);
}

static int on_key(void *user, const char *section, const char *key, const char *value,
		  unsigned line)
{
	struct manifest *m = user;
	struct manifest_section *s;
	struct manifest_setting *v;
	const struct manifest_setting *old;
	struct buf expected = BUF_INIT;
	size_t k;
	int rc;

	if (!section) {
		for (k = 0; k < MANIFEST_TOP_COUNT; k++) {
			if (strcmp(key, top_names[k]) != 0)
				continue;
			if (m->top[k].value)
				return repeated(m, key, &m->top[k], line);
			return set(&m->top[k], key, value, line);
		}
		return manifest_error(
		    m, line,
		    "unknown setting '%s' (expected chip, flash_mode, flash_freq, "
		    "flash_size, layout, bootloader or fill; for flash encryption "
		    "flash_encryption_key and flash_crypt_conf; for Secure Boot sign_key, "
		    "sign_key_2, sign_key_3 and sb_version)",
		    key);
	}
	/* the keys of a section are those of the content handlers */
	if (!content_key_known(key)) {
		if (content_keys_text(&expected) < 0) {
			buf_free(&expected);
			return diag_error("out of memory");
		}
		rc = manifest_error(m, line, "unknown key '%s' in [%s] (expected %s)", key, section,
				    (const char *)expected.data);
		buf_free(&expected);
		return rc;
	}
	s = &m->sec[m->nsec - 1];
	old = manifest_get(s, key);
	if (old)
		return repeated(m, key, old, line);
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	s->v = v;
	memset(&v[s->n], 0, sizeof(v[s->n]));
	s->n++;
	return set(&v[s->n - 1], key, value, line);
}

static void setting_free(struct manifest_setting *s)
{
	free(s->key);
	free(s->value);
}

void manifest_free(struct manifest *m)
{
	size_t i, k;

	for (k = 0; k < MANIFEST_TOP_COUNT; k++)
		setting_free(&m->top[k]);
	for (i = 0; i < m->nsec; i++) {
		free(m->sec[i].label);
		for (k = 0; k < m->sec[i].n; k++)
			setting_free(&m->sec[i].v[k]);
		free(m->sec[i].v);
	}
	free(m->sec);
	free(m->dir);
	memset(m, 0, sizeof(*m));
}

int manifest_load(const char *path, struct manifest *m)
{
	static const struct inifile_ops ops = {on_section, on_key};
	struct buf data = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int rc;

	m->file = path;
	if (slash == path)
		m->dir = strdup("/");
	else
		m->dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	if (!m->dir)
		return diag_error("out of memory");
	if (fileio_read(path, LAYOUT_MAX_FILE, &data) < 0)
		return -1;
	rc = inifile_parse(path, data.data ? data.data : (const uint8_t *)"", data.len, &ops, m);
	buf_free(&data);
	return rc;
}

const struct manifest_setting *manifest_get(const struct manifest_section *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0)
			return &s->v[i];
	return NULL;
}

char *manifest_path(const struct manifest *m, const char *rel)
{
	return fileio_path_join(m->dir, rel);
}

int manifest_bool(const struct manifest *m, const struct manifest_setting *s, int *out)
{
	*out = 0;
	if (!s || !s->value)
		return 0;
	if (!ascii_casecmp(s->value, "yes") || !ascii_casecmp(s->value, "true") ||
	    !strcmp(s->value, "1"))
		return *out = 1, 0;
	if (!ascii_casecmp(s->value, "no") || !ascii_casecmp(s->value, "false") ||
	    !strcmp(s->value, "0"))
		return 0;
	return manifest_error(m, s->line, "'%s' is not yes or no", s->value);
}

int manifest_num(const struct manifest *m, const struct manifest_setting *s, int64_t lo,
		 int64_t hi, int64_t *out)
{
	int64_t v;

	if (!s || !s->value)
		return 0;
	if (num_pyint_parse(s->value, strlen(s->value), &v) < 0 || v < lo || v > hi)
		return manifest_error(m, s->line,
				      "'%s' is not a number from %" PRId64 " to %" PRId64, s->value,
				      lo, hi);
	*out = v;
	return 0;
}
