/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoded NVS items written back as generator CSV (spec/nvs.md §6), so that the
 * generator makes the same image from it. Values no CSV field can hold become 'file'
 * rows when the caller gives a files directory; otherwise, and for what no row can
 * say, a comment (or, in exact mode, an error naming the entry).
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
	int is_file;	  /* a 'file' row: value is the path */
	const char *enc;  /* NULL: cannot be written as a row (comment instead) */
	const char *why;  /* when @enc is NULL: why, in a few words */
	struct buf value; /* value text, or the comment */
};

/* What one nvs_csvout_write() call writes, and where values too big for a field go. */
struct fmt {
	const char *file; /* the image, for messages */
	const char *dir;  /* files directory as the CSV names it, or NULL */
	struct nvs_decode_files *files;
	int exact; /* an inexpressible item fails instead of becoming a comment */
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

/*
 * Puts the item's payload (without the last byte when @drop_nul) into a new file of
 * @f->files and makes @r a 'file' row naming it as DIR/N-KEY.EXT. N, the file's
 * index, keeps names unique; the key is reduced to characters safe in any file name.
 */
static int file_row(struct fmt *f, struct orow *r, const char *enc, int drop_nul)
{
	struct nvs_decode_files *fs = f->files;
	struct nvs_decode_file *nf;
	struct buf name = BUF_INIT;
	size_t len = r->it->len - (drop_nul ? 1 : 0), k, bytes = fs->cap * sizeof(*nf);
	uint8_t *mem = (uint8_t *)fs->v;

	if (buf_grow(&mem, &bytes, (fs->n + 1) * sizeof(*nf), 8 * sizeof(*nf)) < 0)
		return -1;
	fs->v = (struct nvs_decode_file *)(void *)mem;
	fs->cap = bytes / sizeof(*nf);
	if (buf_printf(&name, "%zu-", fs->n) < 0)
		goto fail;
	for (k = 0; r->it->key[k]; k++) {
		char c = r->it->key[k];
		int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		if (buf_append(&name, safe ? &c : "_", 1) < 0)
			goto fail;
	}
	if (buf_puts(&name, r->it->type == NVS_TYPE_STR ? ".txt" : ".bin") < 0 ||
	    buf_fill(&name, 0, 1) < 0)
		goto fail;
	nf = &fs->v[fs->n];
	nf->data = malloc(len ? len : 1);
	if (!nf->data)
		goto fail;
	memcpy(nf->data, r->it->data, len);
	nf->len = len;
	nf->name = (char *)name.data;
	fs->n++;
	r->enc = enc;
	r->is_file = 1;
	return buf_printf(&r->value, "%s/%s", f->dir, nf->name);
fail:
	buf_free(&name);
	return diag_error("out of memory");
}

/* Encoding and value text of a data item, or a comment saying why there is none. */
static int render_item(struct fmt *f, struct orow *r)
{
	const struct nvs_item *it = r->it;
	size_t klen = strlen(it->key);

	if (klen > NVS_KEY_MAX || !nvs_val_is_ascii((const uint8_t *)it->key, klen)) {
		r->enc = NULL;
		r->why = "key is not 1-15 ASCII characters";
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
		/* from a file, "string" takes UTF-8 (NULs included) and adds the NUL; the
		 * generator fails on a file row with "String" (bytes have no encode()) */
		if (f->dir && it->len && it->data[it->len - 1] == 0 &&
		    utf8_valid(it->data, it->len - 1))
			return file_row(f, r, "string", 1);
		r->enc = NULL;
		r->why = f->dir ? "string not expressible in a CSV field, and without its NUL at "
				  "the end or UTF-8 no file row gives it either"
				: "string not expressible in a CSV field, and no files directory "
				  "to write it to";
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
	if (f->dir)
		return file_row(f, r, "binary", 0);
	r->enc = NULL;
	r->why = "blob too large for one CSV field, and no files directory to write it to";
	return buf_printf(&r->value, "blob of %zu bytes is too large for one CSV field", it->len);
}

/*
 * Whether the items are in the order the generator writes them when the first
 * namespace definition is item @def1 (-1: none): items before it in namespace 0,
 * then namespace definitions (u8 in namespace 0, values 1, 2, ... and names not
 * repeated, as a repeated namespace row writes nothing) and data rows always in the
 * namespace defined last. Marks the definitions in @is_ns.
 */
static int order_from(const struct nvs_image *im, long def1, int *is_ns)
{
	const char *names[256];
	unsigned count = 0, k;
	size_t i;

	for (i = 0; i < im->n; i++) {
		const struct nvs_item *it = &im->v[i];

		is_ns[i] = it->ns == 0 && it->type == NVS_TYPE_U8 &&
			   (it->value & 0xFF) == count + 1 && (count > 0 || (long)i == def1);
		if (is_ns[i]) {
			for (k = 0; k < count; k++)
				if (!strcmp(names[k], it->key))
					return 0;
			names[count++] = it->key;
		} else if (it->ns != count) {
			return 0;
		}
	}
	return 1;
}

/*
 * Whether the items are in the order the generator writes them (data rows always in
 * the namespace defined last, or 0 before any); marks the namespace definitions.
 * A u8 in namespace 0 with value 1 is ambiguous before the first namespace is used:
 * the last such item is taken as its definition (vector no-namespace). When that
 * does not fit and every item is in namespace 0, they are all data rows written
 * before any namespace row (a 1 then a 7 there are no two namespaces).
 */
static int generator_order(const struct nvs_image *im, int *is_ns)
{
	size_t first = im->n, i;
	long def1 = -1;

	for (i = 0; i < im->n && first == im->n; i++)
		if (im->v[i].ns != 0)
			first = i;
	for (i = 0; i < first; i++)
		if (im->v[i].type == NVS_TYPE_U8 && (im->v[i].value & 0xFF) == 1)
			def1 = (long)i;
	if (order_from(im, def1, is_ns))
		return 1;
	return def1 >= 0 && first == im->n && order_from(im, -1, is_ns);
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
static int drop_wifi_extras(const struct fmt *f, const struct nvs_image *im, struct orow *rows,
			    size_t n)
{
	const char *file = f->file;
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
					else if (f->exact)
						goto mismatch;
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
	goto out;
mismatch:
	/* a 'file' row's value is its path, and the generator hashes that text: the
	 * PMK of an ap.ssid or ap.passwd read from a file cannot be made again */
	nvs_csvout_entry_error(file, im, rows[prev].it,
			       "holds no PMK of the ap.ssid and ap.passwd decoded (were they "
			       "'file' rows? the generator hashes a file row's name)");
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

/* "namespace 'NAME'" of item @it into @out (a short buffer), for messages. */
static void ns_desc(const struct nvs_image *im, const struct nvs_item *it, char *out, size_t size)
{
	const char *name = NULL;
	size_t i;

	if (it->ns == 0) {
		snprintf(out, size, "namespace 0 (before any namespace row)");
		return;
	}
	/* the last definition: a u8 of namespace 0 with the same value before it is data */
	for (i = 0; i < im->n; i++)
		if (im->v[i].ns == 0 && im->v[i].type == NVS_TYPE_U8 &&
		    (im->v[i].value & 0xFF) == it->ns)
			name = im->v[i].key;
	if (name)
		snprintf(out, size, "namespace '%s'", name);
	else
		snprintf(out, size, "namespace index %u (no name)", it->ns);
}

/* The key with bytes outside printable ASCII as \xNN: a message stays one line. */
static void key_desc(const char *key, char *out, size_t size)
{
	size_t k, m = 0;

	for (k = 0; key[k] && m + 5 < size; k++) {
		uint8_t c = (uint8_t)key[k];

		if (c >= 0x20 && c < 0x7F)
			out[m++] = (char)c;
		else
			m += (size_t)snprintf(out + m, size - m, "\\x%02x", c);
	}
	out[m] = 0;
}

int nvs_csvout_entry_error(const char *file, const struct nvs_image *im,
			   const struct nvs_item *it, const char *why)
{
	char ns[64], key[4 * sizeof(it->key) + 8];

	ns_desc(im, it, ns, sizeof(ns));
	key_desc(it->key, key, sizeof(key));
	return diag_file(file, "page %u entry %u: %s, key '%s': %s; no CSV is written", it->page,
			 it->entry, ns, key, why);
}

int nvs_csvout_write(const char *file, const struct nvs_image *im, const char *dir, int *exact,
		     struct buf *out, struct nvs_decode_files *files)
{
	struct fmt f = {file, dir, files, 0};
	struct orow *rows = calloc(im->n ? im->n : 1, sizeof(*rows));
	int *is_ns = calloc(im->n ? im->n : 1, sizeof(*is_ns));
	size_t n = 0, i, lost = 0;
	int rc = -1;

	if (!rows || !is_ns) {
		diag_error("out of memory");
		goto out;
	}
	if (generator_order(im, is_ns)) {
		f.exact = *exact;
		for (i = 0; i < im->n; i++) {
			rows[n].it = &im->v[i];
			rows[n++].is_ns = is_ns[i];
		}
	} else if (device_order(im, is_ns, rows, &n) < 0) {
		goto out;
	} else {
		*exact = 0;
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
		if (render_item(&f, &rows[i]) < 0)
			goto out;
		if (f.exact && !rows[i].enc) {
			nvs_csvout_entry_error(file, im, rows[i].it, rows[i].why);
			goto out;
		}
	}
	if (drop_wifi_extras(&f, im, rows, n) < 0)
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
			if (f.exact) {
				nvs_csvout_entry_error(file, im, r->it,
						       "namespace name is not 1-15 ASCII "
						       "characters");
				goto out;
			}
			diag_warn_at(file, 0, "namespace name is not 1-15 ASCII characters");
			continue;
		}
		if (!r->enc) {
			char safe[4 * sizeof(r->it->key) + 8];

			/* the comment must stay one line of valid UTF-8 */
			key_desc(key, safe, sizeof(safe));
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
		if (buf_puts(out, r->is_file ? ",file," : ",data,") < 0 ||
		    buf_puts(out, r->enc) < 0 ||
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

int nvs_format_csv(const char *file, const struct nvs_image *im, struct buf *out)
{
	int exact = 0;

	return nvs_csvout_write(file, im, NULL, &exact, out, NULL);
}
