/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVS encryption of a factory image: the scheme of the manifest's NVS sections, where
 * its keys come from, and the keys of each build (factory_nvs.h). Key bytes only ever
 * go into the image and into a generated key file (mode 0600); messages name files.
 */
#include "factory_nvs.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "factory_keys.h"
#include "flashenc.h"
#include "secret.h"

#define GENERATE "generate"

int factory_nvs_encrypts(const struct manifest_section *s)
{
	return manifest_get(s, "nvs_encryption") != NULL;
}

int factory_nvs_per_build(const struct factory_nvs *n)
{
	return n->source == FACTORY_NVS_COLUMN || n->source == FACTORY_NVS_GENERATE;
}

const char *factory_nvs_generates(const struct factory_nvs *n)
{
	return n->source == FACTORY_NVS_GENERATE ? n->kind : NULL;
}

/* The nvs_keys partition the runtime reads its keys from: the layout's first. */
static const struct parttable_entry *first_keys_partition(const struct parttable *pt)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (pt->v[i].type == PARTTABLE_TYPE_DATA &&
		    pt->v[i].subtype == PARTTABLE_SUBTYPE_DATA_NVS_KEYS)
			return &pt->v[i];
	return NULL;
}

/* The NVS sections' schemes and hmac_key settings: one scheme, one hmac_key. */
static int read_schemes(const struct manifest *m, struct factory_nvs *n,
			const struct manifest_setting **first)
{
	const struct manifest_setting *hmac = NULL;
	size_t i;

	*first = NULL;
	for (i = 0; i < m->nsec; i++) {
		const struct manifest_section *s = &m->sec[i];
		const struct manifest_setting *e = manifest_get(s, "nvs_encryption");
		const struct manifest_setting *k = manifest_get(s, "hmac_key");
		enum factory_nvs_scheme sch;

		if (k && (!e || strcmp(e->value, "hmac") != 0))
			return manifest_error(m, k->line,
					      "[%s] hmac_key is for nvs_encryption = "
					      "hmac only",
					      s->label);
		if (!e)
			continue;
		if (strcmp(e->value, "flash") == 0)
			sch = FACTORY_NVS_FLASH;
		else if (strcmp(e->value, "hmac") == 0)
			sch = FACTORY_NVS_HMAC;
		else
			return manifest_error(
			    m, e->line, "nvs_encryption = '%s': expected flash or hmac", e->value);
		if (*first && sch != n->scheme)
			return manifest_error(m, e->line,
					      "nvs_encryption = %s, but line %u has %s: a device "
					      "uses one NVS key scheme for all its partitions",
					      e->value, (*first)->line, (*first)->value);
		if (!*first)
			*first = e;
		n->scheme = sch;
		if (sch != FACTORY_NVS_HMAC)
			continue;
		if (!k)
			return manifest_error(m, e->line,
					      "[%s] nvs_encryption = hmac needs hmac_key = FILE, "
					      "${column} or generate",
					      s->label);
		if (hmac && strcmp(hmac->value, k->value) != 0)
			return manifest_error(m, k->line,
					      "hmac_key = %s, but line %u has %s: a device has one "
					      "HMAC key for NVS",
					      k->value, hmac->line, hmac->value);
		hmac = k;
	}
	if (hmac) {
		n->set = hmac;
		n->kind = "hmac_key";
	}
	return 0;
}

/* The section giving the keys of the nvs_keys partition, checked against the scheme. */
static int read_keys_section(const struct manifest *m, const struct parttable *pt,
			     const struct manifest_setting *enc, struct factory_nvs *n)
{
	const struct parttable_entry *first = first_keys_partition(pt);
	const struct manifest_setting *k;
	size_t i;

	for (i = 0; i < m->nsec; i++) {
		k = manifest_get(&m->sec[i], "nvs_keys");
		if (!k)
			continue;
		if (n->scheme == FACTORY_NVS_HMAC)
			return manifest_error(m, k->line,
					      "[%s] gives NVS keys, but nvs_encryption = hmac "
					      "(line %u) derives them from hmac_key",
					      m->sec[i].label, enc->line);
		/* the handler checked that the section's partition is an nvs_keys one */
		if (!first || strcmp(first->name, m->sec[i].label) != 0)
			return manifest_error(m, k->line,
					      "[%s] gives NVS keys, but the device reads them from "
					      "the layout's first nvs_keys partition, %s",
					      m->sec[i].label, first ? first->name : "(none)");
		if (!(first->flags & PARTTABLE_FLAG_ENCRYPTED))
			return manifest_error(m, k->line,
					      "partition %s (nvs_keys) is not flagged 'encrypted': "
					      "the device reads NVS keys only from an encrypted "
					      "partition",
					      first->name);
		n->set = k;
		n->kind = "nvs_keys";
		n->keys_label = m->sec[i].label;
		return 0;
	}
	if (n->scheme != FACTORY_NVS_FLASH)
		return 0;
	if (!first)
		return manifest_error(m, enc->line,
				      "nvs_encryption = flash needs an nvs_keys partition (data, "
				      "nvs_keys, flagged encrypted), and the layout %s has none",
				      m->top[MANIFEST_LAYOUT].value);
	return manifest_error(m, enc->line,
			      "nvs_encryption = flash: no [%s] section gives the NVS keys "
			      "(nvs_keys = FILE, ${column} or generate)",
			      first->name);
}

/* Loads the keys file @path as @n's kind of key. */
static int load(const struct factory_nvs *n, const char *path, struct nvs_keys *k)
{
	if (n->scheme == FACTORY_NVS_HMAC)
		return nvs_keys_load_hmac(path, k);
	return nvs_keys_load(path, k);
}

int factory_nvs_setup(const struct manifest *m, const struct parttable *pt, struct depfile *deps,
		      struct factory_nvs *n)
{
	const struct manifest_setting *enc;
	char *path;
	int rc;

	memset(n, 0, sizeof(*n));
	n->m = m;
	if (read_schemes(m, n, &enc) < 0 || read_keys_section(m, pt, enc, n) < 0)
		return -1;
	if (!n->set)
		return 0;
	/* keys will be in memory (loaded, made or generated): no core dump may hold them */
	secret_protect_process();
	if (strcmp(n->set->value, GENERATE) == 0) {
		n->source = FACTORY_NVS_GENERATE;
		return 0;
	}
	rc = factory_keys_column(m, n->set, &n->column);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		n->source = FACTORY_NVS_COLUMN;
		return 0;
	}
	path = content_input(m, n->set->value, deps);
	if (!path)
		return -1;
	rc = load(n, path, &n->keys);
	free(path);
	if (rc < 0)
		return manifest_error(m, n->set->line, "cannot use %s %s", n->kind, n->set->value);
	n->source = FACTORY_NVS_FILE;
	return 0;
}

void factory_nvs_free(struct factory_nvs *n)
{
	nvs_keys_wipe(&n->keys);
	free(n->column);
	n->column = NULL;
	n->source = FACTORY_NVS_NONE;
}

/* New keys, and the bytes of the file that keeps them: the nvs_keys image esp-mknvs
 * --keygen writes, or the 32-byte HMAC key to burn into an eFuse block. */
static int generate(const struct factory_nvs *n, struct factory_nvs_build *b)
{
	if (n->scheme != FACTORY_NVS_HMAC) {
		if (nvs_keys_random(&b->keys) < 0)
			return -1;
		nvs_keys_image(&b->keys, b->file);
		b->file_len = NVS_KEYS_IMAGE_SIZE;
		return 0;
	}
	if (flashenc_keygen(b->file, NVS_HMAC_KEY_LEN) < 0)
		return -1;
	b->file_len = NVS_HMAC_KEY_LEN;
	return nvs_keys_from_hmac("generated HMAC key", b->file, NVS_HMAC_KEY_LEN, &b->keys);
}

int factory_nvs_keys(const struct factory_nvs *n, const struct content_device *dev,
		     const char *gen_name, struct depfile *deps, struct factory_nvs_build *b)
{
	char *path;
	int rc;

	memset(b, 0, sizeof(*b));
	switch (n->source) {
	case FACTORY_NVS_NONE:
		return 0;
	case FACTORY_NVS_FILE:
		b->keys = n->keys;
		b->key_file = n->set->value;
		return 0;
	case FACTORY_NVS_GENERATE:
		b->key_file = gen_name;
		return generate(n, b);
	case FACTORY_NVS_COLUMN:
		break;
	}
	if (factory_keys_device_path(n->m, n->set, n->column, dev, deps, &path) < 0)
		return -1;
	rc = load(n, path, &b->keys);
	free(path);
	b->key_file = factory_keys_device_value(dev, n->column);
	if (rc < 0)
		return diag_at(dev->file, dev->line, "device %s: cannot use its %s %s", dev->id,
			       n->kind, b->key_file);
	return 0;
}

void factory_nvs_build_wipe(struct factory_nvs_build *b)
{
	nvs_keys_wipe(&b->keys);
	secret_wipe(b->file, sizeof(b->file));
	b->file_len = 0;
}

int factory_nvs_image(const struct nvs_keys *k, struct buf *out)
{
	/* made in place, in one allocation: no copy of the keys is left behind in a freed
	 * block or on the stack */
	if (buf_reserve(out, NVS_KEYS_IMAGE_SIZE) < 0)
		return -1;
	nvs_keys_image(k, out->data + out->len);
	out->len += NVS_KEYS_IMAGE_SIZE;
	return 0;
}
