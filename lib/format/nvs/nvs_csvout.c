/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoded NVS items written back as generator CSV (spec/nvs.md §6), so that the
 * generator makes the same image from it; what CSV cannot say becomes a comment.
 */
#include "nvs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "utf8.h"

struct orow {
	const struct nvs_item *it;
	int is_ns;
	int skip;
	const char *enc;  /* NULL: cannot be written as a row (comment instead) */
	struct buf value; /* value text, or the comment */
};

/* A text the generator's reader gives back unchanged inside a quoted field. */
static int csv_text_ok(const uint8_t *p, size_t len)
{
	size_t i;

	if (!utf8_valid(p, len) || nvs_val_utf8_chars(p, len) > NVS_CSV_FIELD_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == 0 || p[i] == '\r')
			return 0; /* NUL ends the C string; \r reads back as \n */
		if (p[i] == '\n' && i + 1 < len && p[i + 1] == '#')
			return 0; /* that physical line would be dropped as a comment */
	}
	return 1;
}

static int csv_put_field(struct buf *out, const char *s, size_t len, int first)
{
	size_t i;
	int quote = len && first && s[0] == '#';

	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote)
		return buf_append(out, s, len);
	if (buf_append(out, "\"", 1) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '"' && buf_append(out, "\"", 1) < 0)
			return -1;
		if (buf_append(out, s + i, 1) < 0)
			return -1;
	}
	return buf_append(out, "\"", 1);
}

static int hex_append(struct buf *b, const uint8_t *p, size_t len)
{
	if (buf_reserve(b, 2 * len + 1) < 0)
		return -1;
	ascii_hex_encode(p, len, (char *)b->data + b->len);
	b->len += 2 * len;
	return 0;
}

static int b64_append(struct buf *b, const uint8_t *p, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = a[v >> 18];
		q[1] = a[(v >> 12) & 63];
		q[2] = i + 1 < len ? a[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? a[v & 63] : '=';
		if (buf_append(b, q, 4) < 0)
			return -1;
	}
	return 0;
}

/* Encoding and value text of a data item, or a comment saying why there is none. */
static int render_item(struct orow *r)
{
	const struct nvs_item *it = r->it;
	size_t klen = strlen(it->key);

	if (klen > NVS_KEY_MAX || !nvs_val_is_ascii((const uint8_t *)it->key, klen)) {
		r->enc = NULL;
		return buf_printf(&r->value,
				  "key is not 1-15 ASCII characters (namespace %u, type "
				  "0x%02x)",
				  it->ns, it->type);
	}
	if (nvs_val_int_of_type(it->type)) {
		unsigned bits = 8 * (it->type & 0x0F);
		uint64_t v = bits == 64 ? it->value : it->value & (((uint64_t)1 << bits) - 1);

		r->enc = nvs_val_int_of_type(it->type)->name;
		if ((it->type & 0x10) && bits < 64 && (v >> (bits - 1)) & 1)
			return buf_printf(&r->value, "-%llu",
					  (unsigned long long)((((uint64_t)1 << bits) - v)));
		if ((it->type & 0x10) && bits == 64 && (v >> 63))
			return buf_printf(&r->value, "-%llu", (unsigned long long)(0 - v));
		return buf_printf(&r->value, "%llu", (unsigned long long)v);
	}
	if (it->type == NVS_TYPE_STR) {
		/* "string" adds the NUL; "String" is the generator's spelling that does not */
		if (it->len && it->data[it->len - 1] == 0 && csv_text_ok(it->data, it->len - 1)) {
			r->enc = "string";
			return buf_append(&r->value, it->data, it->len - 1);
		}
		if (csv_text_ok(it->data, it->len)) {
			r->enc = "String";
			return buf_append(&r->value, it->data, it->len);
		}
		r->enc = NULL;
		if (buf_printf(&r->value, "string not expressible in CSV, hex: ") < 0)
			return -1;
		return hex_append(&r->value, it->data, it->len);
	}
	if (2 * it->len <= NVS_CSV_FIELD_MAX) {
		r->enc = "hex2bin";
		return hex_append(&r->value, it->data, it->len);
	}
	if ((it->len + 2) / 3 * 4 <= NVS_CSV_FIELD_MAX) {
		r->enc = "base64";
		return b64_append(&r->value, it->data, it->len);
	}
	r->enc = NULL;
	return buf_printf(&r->value, "blob of %zu bytes is too large for one CSV field", it->len);
}

/*
 * Whether the items are in the order the generator writes them (data rows always in
 * the namespace defined last, or 0 before any); marks the namespace definitions.
 * A u8 in namespace 0 with value 1 is ambiguous before the first namespace is used:
 * the last such item is taken as its definition (vector no-namespace).
 */
static int generator_order(const struct nvs_image *im, int *is_ns)
{
	size_t first = im->n, i;
	long def1 = -1;
	unsigned count = 0;

	for (i = 0; i < im->n && first == im->n; i++)
		if (im->v[i].ns != 0)
			first = i;
	for (i = 0; i < first; i++)
		if (im->v[i].type == NVS_TYPE_U8 && (im->v[i].value & 0xFF) == 1)
			def1 = (long)i;
	for (i = 0; i < im->n; i++) {
		const struct nvs_item *it = &im->v[i];

		is_ns[i] = it->ns == 0 && it->type == NVS_TYPE_U8 &&
			   (it->value & 0xFF) == count + 1 && (count > 0 || (long)i == def1);
		if (is_ns[i])
			count++;
		else if (it->ns != count)
			return 0;
	}
	return 1;
}

static int blob_is(const struct orow *r, const char *key, uint8_t fill, size_t len)
{
	size_t i;

	if (r->skip || r->is_ns || !r->enc || strcmp(r->it->key, key) != 0 ||
	    (r->it->type != NVS_TYPE_BLOB && r->it->type != NVS_TYPE_BLOB_IDX) || r->it->len != len)
		return 0;
	for (i = 0; i < len; i++)
		if (r->it->data[i] != fill)
			return 0;
	return 1;
}

static int set_text(struct nvs_val *v, const struct orow *r)
{
	return nvs_val_set(v, V_STR, r->value.data ? r->value.data : (const uint8_t *)"",
			   r->value.len);
}

/*
 * PMKs derived at most per image when looking for the generator's ap.pmk_info items:
 * each is 4096 rounds of HMAC-SHA1 (some milliseconds), and a crafted 512 KiB image
 * can hold 1800 candidates. A generator CSV sets each key once: one PMK.
 */
#define PMK_DERIVE_MAX 16

/* Leaves out what the generator adds by itself for the Wi-Fi keys (§6), so that
 * the CSV generates the same image instead of adding those items twice. */
static int drop_wifi_extras(const char *file, struct orow *rows, size_t n)
{
	struct nvs_val ssid = {V_NONE, NULL, 0}, pw = {V_NONE, NULL, 0}, mode = {V_NONE, NULL, 0};
	int sta_done = 0, rc = -1;
	size_t i, derived = 0, kept = 0;
	long prev = -1;

	for (i = 0; i < n; i++) {
		struct orow *r = &rows[i];
		const char *k = r->it->key;

		if (r->skip || r->is_ns || !r->enc)
			continue;
		if (!strcmp(k, "ap.ssid") || !strcmp(k, "ap.passwd") || !strcmp(k, "ap.authmode")) {
			if (!strcmp(k, "ap.ssid")) {
				if (set_text(&ssid, r) < 0)
					goto out;
			} else if (!strcmp(k, "ap.passwd")) {
				if (set_text(&pw, r) < 0)
					goto out;
			} else if (!(r->value.len == 1 && r->value.data[0] == '0')) {
				if (set_text(&mode, r) < 0)
					goto out;
			}
			if (nvs_val_true(&ssid) && nvs_val_true(&pw) && nvs_val_true(&mode) &&
			    prev >= 0 && !strcmp(rows[prev].it->key, "ap.pmk_info") &&
			    rows[prev].it->len == NVS_PMK_INFO_LEN) {
				uint8_t info[NVS_PMK_INFO_LEN];

				if (derived == PMK_DERIVE_MAX) {
					kept++;
				} else {
					derived++;
					if (nvs_gen_pmk_info(file, 0, &ssid, &pw, info) < 0)
						goto out;
					if (!memcmp(info, rows[prev].it->data, sizeof(info)))
						rows[prev].skip = 1;
				}
			}
		}
		if ((!strcmp(k, "sta.ssid") || !strcmp(k, "sta.pswd")) && !sta_done) {
			sta_done = 1;
			if (i + 3 < n + 0 && blob_is(&rows[i + 1], "sta.apinfo", 0xFF, 140) &&
			    blob_is(&rows[i + 2], "sta.pmk", 0, 32) &&
			    blob_is(&rows[i + 3], "sta.apsw", 0, 2))
				rows[i + 1].skip = rows[i + 2].skip = rows[i + 3].skip = 1;
		}
		prev = (long)i;
	}
	if (kept)
		diag_warn_at(file, 0,
			     "%zu more ap.pmk_info items not checked against the Wi-Fi keys (at most "
			     "%d are): kept as rows, generating from this CSV adds them again",
			     kept, PMK_DERIVE_MAX);
	rc = 0;
out:
	nvs_val_free(&ssid);
	nvs_val_free(&pw);
	nvs_val_free(&mode);
	return rc;
}

/*
 * Rows of an image a device wrote (not in generator order): every u8 of namespace 0
 * names a namespace, the first name of an index holding. The items of namespace 0
 * come first, then each namespace row followed by its items, so that the generator
 * puts them back there. Items are bucketed by namespace index first: linear time.
 */
static int device_order(const struct nvs_image *im, int *is_ns, struct orow *rows, size_t *n)
{
	size_t start[257], pos[256], def[256], *by_ns, i, k;
	uint8_t idx;

	by_ns = malloc((im->n ? im->n : 1) * sizeof(*by_ns));
	if (!by_ns)
		return diag_error("out of memory");
	memset(start, 0, sizeof(start));
	for (k = 0; k < 256; k++)
		def[k] = SIZE_MAX;
	for (i = 0; i < im->n; i++) {
		const struct nvs_item *it = &im->v[i];

		is_ns[i] = it->ns == 0 && it->type == NVS_TYPE_U8;
		if (it->ns == 0 && !is_ns[i])
			rows[(*n)++].it = it;
		if (is_ns[i] && def[(uint8_t)it->value] == SIZE_MAX)
			def[(uint8_t)it->value] = i;
		start[it->ns + 1]++;
	}
	for (k = 1; k <= 256; k++)
		start[k] += start[k - 1];
	memcpy(pos, start, sizeof(pos));
	for (i = 0; i < im->n; i++)
		by_ns[pos[im->v[i].ns]++] = i;
	for (i = 0; i < im->n; i++) {
		idx = (uint8_t)im->v[i].value;
		if (!is_ns[i] || def[idx] != i)
			continue; /* not a name, or an index named twice: the first name holds */
		rows[*n].it = &im->v[i];
		rows[(*n)++].is_ns = 1;
		for (k = start[idx]; idx != 0 && k < start[idx + 1]; k++)
			rows[(*n)++].it = &im->v[by_ns[k]];
	}
	free(by_ns);
	return 0;
}

int nvs_format_csv(const char *file, const struct nvs_image *im, struct buf *out)
{
	struct orow *rows = calloc(im->n ? im->n : 1, sizeof(*rows));
	int *is_ns = calloc(im->n ? im->n : 1, sizeof(*is_ns));
	size_t n = 0, i, lost = 0;
	int rc = -1;

	if (!rows || !is_ns) {
		diag_error("out of memory");
		goto out;
	}
	if (generator_order(im, is_ns)) {
		for (i = 0; i < im->n; i++) {
			rows[n].it = &im->v[i];
			rows[n++].is_ns = is_ns[i];
		}
	} else if (device_order(im, is_ns, rows, &n) < 0) {
		goto out;
	} else {
		/* items whose namespace index has no name cannot be written */
		lost = im->n - n;
		for (i = 0; i < im->n; i++)
			if (is_ns[i])
				lost--;
		for (i = 0; i < n; i++)
			if (rows[i].is_ns)
				lost++;
		if (lost)
			diag_warn_at(file, 0, "%zu items of namespaces without a name left out",
				     lost);
	}
	for (i = 0; i < n; i++) {
		if (rows[i].is_ns) {
			rows[i].enc = "";
			continue;
		}
		if (render_item(&rows[i]) < 0)
			goto out;
	}
	if (drop_wifi_extras(file, rows, n) < 0)
		goto out;
	if (buf_printf(out,
		       "# NVS image decoded by esp-mknvs (format version %d, %zu bytes)\n"
		       "key,type,encoding,value\n",
		       im->version ? im->version : 2, im->size) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const struct orow *r = &rows[i];
		const char *key = r->it->key;

		if (r->skip)
			continue;
		if (r->is_ns && (strlen(key) > NVS_KEY_MAX ||
				 !nvs_val_is_ascii((const uint8_t *)key, strlen(key)))) {
			diag_warn_at(file, 0, "namespace name is not 1-15 ASCII characters");
			continue;
		}
		if (!r->enc) {
			char safe[4 * sizeof(r->it->key)];
			size_t k, m = 0;

			/* the comment must stay one line of valid UTF-8 */
			for (k = 0; key[k]; k++) {
				uint8_t c = (uint8_t)key[k];

				if (c >= 0x20 && c < 0x7F)
					safe[m++] = (char)c;
				else
					m += (size_t)snprintf(safe + m, sizeof(safe) - m, "\\x%02x",
							      c);
			}
			safe[m] = 0;
			diag_warn_at(file, 0, "'%s': %.*s", safe,
				     (int)(r->value.len > 80 ? 80 : r->value.len),
				     (const char *)r->value.data);
			if (buf_puts(out, "# ") < 0 || buf_puts(out, safe) < 0 ||
			    buf_puts(out, ": ") < 0 ||
			    buf_append(out, r->value.data, r->value.len) < 0 ||
			    buf_puts(out, "\n") < 0)
				goto out;
			continue;
		}
		if (csv_put_field(out, key, strlen(key), 1) < 0)
			goto out;
		if (r->is_ns) {
			if (buf_puts(out, ",namespace,,\n") < 0)
				goto out;
			continue;
		}
		if (buf_puts(out, ",data,") < 0 || buf_puts(out, r->enc) < 0 ||
		    buf_puts(out, ",") < 0 ||
		    csv_put_field(out, r->value.data ? (const char *)r->value.data : "",
				  r->value.len, 0) < 0 ||
		    buf_puts(out, "\n") < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		buf_free(&rows[i].value);
	free(rows);
	free(is_ns);
	return rc;
}
