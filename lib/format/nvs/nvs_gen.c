/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NVS partition generator (spec/nvs.md §4-§6): CSV rows -> pages and items,
 * byte-identical to esp-idf-nvs-partition-gen 0.2.0.
 */
#include "nvs_int.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "hash.h"
#include "utf8.h"

struct ns_name {
	char *name;
	size_t len;
};

struct gen {
	const struct nvs_gen_opts *o;
	struct buf *out;
	int have_page;
	size_t page;	   /* offset of the page being filled in out */
	unsigned entry;	   /* its next free entry */
	uint32_t page_num; /* sequence number of that page */
	uint64_t budget;   /* bytes of pages still allowed (the generator's NVS.size) */
	uint8_t version;   /* 0xFE (v2) or 0xFF (v1) */
	unsigned ns_count;
	struct ns_name *ns;
	size_t nns;
	int wifi_done;
	struct nvs_val ap_ssid, ap_passwd, ap_authmode;
	const char *file;
	unsigned line;
	const char *key; /* of the item being written, for messages */
	nvs_file_reader reader;
	void *reader_ctx;
};

enum venc { E_STRING, E_BINARY, E_HEX2BIN, E_BASE64 };

#define NVS_MAX_BLOB_V1 1984
#define NVS_MAX_BLOB_V2 4000

static uint8_t *page_ptr(struct gen *g)
{
	return g->out->data + g->page;
}

static int new_page(struct gen *g, int empty, int reserve)
{
	uint8_t *p;

	if (g->have_page && !empty && buf_get_le32(page_ptr(g)) == NVS_PAGE_ACTIVE)
		buf_put_le32(page_ptr(g), NVS_PAGE_FULL);
	if (!reserve) {
		if (g->budget == 0)
			return diag_at(g->file, g->line,
				       "size 0x%llx is less than the size of the data in the CSV; "
				       "increase the size",
				       (unsigned long long)g->o->size);
		g->budget -= NVS_PAGE_SIZE;
	}
	g->page_num = g->have_page ? g->page_num + 1 : 0;
	g->page = g->out->len;
	if (buf_fill(g->out, 0xFF, NVS_PAGE_SIZE) < 0)
		return -1;
	g->have_page = 1;
	g->entry = 0;
	if (empty || reserve)
		return 0;
	p = page_ptr(g);
	buf_put_le32(p, NVS_PAGE_ACTIVE);
	buf_put_le32(p + 4, g->page_num);
	p[8] = g->version;
	buf_put_le32(p + 28, crc32_esp(p + 4, 24));
	return 0;
}

static void entry_crc(uint8_t e[NVS_ENTRY_SIZE])
{
	buf_put_le32(e + 4, nvs_entry_crc(e));
}

/* Copies @len bytes at the next free entry and marks @count entries written. */
static int put_entries(struct gen *g, const uint8_t *data, size_t len, unsigned count)
{
	size_t off = 64 + (size_t)NVS_ENTRY_SIZE * g->entry;
	const char *key = g->key ? g->key : "";
	unsigned i;

	if (off + len > NVS_PAGE_SIZE)
		return diag_at(g->file, g->line,
			       "%s: value bytes overflow the page (non-ASCII "
			       "text with an encoding that counts characters)",
			       key);
	if (len)
		memcpy(page_ptr(g) + off, data, len);
	for (i = 0; i < count; i++) {
		unsigned bit = 2 * g->entry;

		page_ptr(g)[32 + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
		g->entry++;
	}
	return 0;
}

static void entry_init(uint8_t e[NVS_ENTRY_SIZE], uint8_t ns, const char *key, size_t keylen)
{
	memset(e, 0xFF, NVS_ENTRY_SIZE);
	e[0] = ns;
	memset(e + 8, 0, 16);
	memcpy(e + 8, key, keylen);
}

static int write_primitive(struct gen *g, const char *key, size_t keylen, uint8_t type,
			   uint64_t raw, uint8_t ns)
{
	uint8_t e[NVS_ENTRY_SIZE];
	unsigned width = type & 0x0F, i;

	if (g->entry >= NVS_PAGE_ENTRIES && new_page(g, 0, 0) < 0)
		return -1;
	entry_init(e, ns, key, keylen);
	e[1] = type;
	e[2] = 1;
	for (i = 0; i < width; i++)
		e[24 + i] = (uint8_t)(raw >> (8 * i));
	entry_crc(e);
	return put_entries(g, e, NVS_ENTRY_SIZE, 1);
}

/* v2 blob: BLOB_DATA chunks filling the pages, then the BLOB_IDX item (§4). */
static int write_blob_chunks(struct gen *g, uint8_t e[NVS_ENTRY_SIZE], const struct nvs_val *v,
			     size_t datalen)
{
	size_t offset = 0, remaining = datalen, tailroom, chunk, b0, b1;
	unsigned chunks = 0, count;

	for (;;) {
		tailroom = (size_t)(NVS_PAGE_ENTRIES - g->entry - 1) * NVS_ENTRY_SIZE;
		chunk = tailroom < remaining ? tailroom : remaining;
		remaining -= chunk;
		count = (unsigned)((chunk + 31) / 32);
		if (chunks > 0xFF)
			return diag_at(g->file, g->line, "blob needs more than 255 chunks");
		e[1] = NVS_TYPE_BLOB_DATA;
		e[2] = (uint8_t)(count + 1);
		e[3] = (uint8_t)chunks;
		b0 = nvs_val_byte_off(v, offset);
		b1 = nvs_val_byte_off(v, offset + chunk);
		buf_put_le16(e + 24, (uint16_t)chunk);
		buf_put_le32(e + 28, crc32_esp(v->p + b0, b1 - b0));
		entry_crc(e);
		if (put_entries(g, e, NVS_ENTRY_SIZE, 1) < 0 ||
		    put_entries(g, v->p + b0, b1 - b0, count) < 0)
			return -1;
		chunks++;
		if ((remaining || tailroom - chunk < NVS_ENTRY_SIZE) && new_page(g, 0, 0) < 0)
			return -1;
		offset += chunk;
		if (!remaining)
			break;
	}
	if (chunks > 0xFF)
		return diag_at(g->file, g->line, "blob needs more than 255 chunks");
	memset(e + 24, 0xFF, 8);
	e[1] = NVS_TYPE_BLOB_IDX;
	e[2] = 1;
	e[3] = 0xFF;
	buf_put_le32(e + 24, (uint32_t)datalen);
	e[28] = (uint8_t)chunks;
	e[29] = 0;
	entry_crc(e);
	return put_entries(g, e, NVS_ENTRY_SIZE, 1);
}

static int write_varlen(struct gen *g, const char *key, size_t keylen, const struct nvs_val *v,
			enum venc enc, uint8_t ns)
{
	int v1 = g->version == NVS_V1, blob_v2 = !v1 && enc != E_STRING, tries;
	size_t max = v1 ? NVS_MAX_BLOB_V1 : NVS_MAX_BLOB_V2, datalen;
	uint8_t e[NVS_ENTRY_SIZE];
	unsigned count;

	g->key = key;
	if (enc == E_STRING && v->kind != V_STR)
		return diag_at(g->file, g->line,
			       "%s: a file's bytes cannot be stored with this "
			       "spelling of 'string'",
			       key);
	datalen = enc == E_STRING ? v->len : nvs_val_units(v);
	if ((v1 || enc == E_STRING) && datalen > max)
		return diag_at(g->file, g->line,
			       "%s: size (%zu) exceeds max allowed length %zu bytes", key, datalen,
			       max);
	count = (unsigned)((datalen + 31) / 32);
	for (tries = 0;; tries++) {
		if (g->entry < NVS_PAGE_ENTRIES &&
		    (blob_v2 || g->entry + count + 1 < NVS_PAGE_ENTRIES))
			break;
		if (tries)
			return diag_at(g->file, g->line,
				       "%s: %s of %zu bytes does not fit in one page (at most %d "
				       "bytes)",
				       key, enc == E_STRING ? "string" : "blob", datalen,
				       (NVS_PAGE_ENTRIES - 2) * NVS_ENTRY_SIZE);
		if (new_page(g, 0, 0) < 0)
			return -1;
	}
	entry_init(e, ns, key, keylen);
	e[3] = 0xFF;
	if (blob_v2)
		return write_blob_chunks(g, e, v, datalen);
	e[1] = enc == E_STRING ? NVS_TYPE_STR : NVS_TYPE_BLOB;
	e[2] = (uint8_t)(count + 1);
	buf_put_le16(e + 24, (uint16_t)datalen);
	buf_put_le32(e + 28, crc32_esp(v->p, v->len));
	entry_crc(e);
	if (put_entries(g, e, NVS_ENTRY_SIZE, 1) < 0)
		return -1;
	return put_entries(g, v->p, v->len, count);
}

static int write_int(struct gen *g, const char *key, size_t keylen, const struct nvs_val *v,
		     const struct nvs_int_type *t)
{
	uint64_t mag;
	int neg, r;
	const char *show = v->kind == V_NONE ? "" : (const char *)v->p;

	if (v->kind == V_NONE)
		return diag_at(g->file, g->line, "%s: no value for %s", key, t->name);
	r = nvs_val_int10(v, &neg, &mag);
	if (r == -1)
		return diag_at(g->file, g->line, "%s: invalid literal for int() with base 10: '%s'",
			       key, show);
	if (neg && mag == 0)
		neg = 0;
	if (r == -2 || (neg && !t->is_signed) || (!neg && mag > t->max) ||
	    (neg && mag - 1 > t->max)) {
		if (t->is_signed)
			return diag_at(g->file, g->line,
				       "%s: value '%s' out of range for %s (%lld to %llu)", key,
				       show, t->name, -(long long)(t->max) - 1,
				       (unsigned long long)t->max);
		return diag_at(g->file, g->line, "%s: value '%s' out of range for %s (0 to %llu)",
			       key, show, t->name, (unsigned long long)t->max);
	}
	return write_primitive(g, key, keylen, t->type, neg ? (uint64_t)0 - mag : mag,
			       (uint8_t)g->ns_count);
}

/* blob_fill(N;0xXX) / blob_sz_fill(N;0xXX) at the start of @enc (re.match semantics). */
static int parse_fill(const char *enc, size_t *len, uint8_t *pad, int *sized)
{
	const char *p;
	uint64_t n = 0;

	if (strncmp(enc, "blob_fill(", 10) == 0) {
		p = enc + 10;
	} else if (strncmp(enc, "blob_sz_fill(", 13) == 0) {
		p = enc + 13;
	} else {
		return -1;
	}
	*sized = enc[5] == 's';
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > ((uint64_t)1 << 40))
			n = (uint64_t)1 << 40; /* far beyond any partition; refused later */
	}
	if (p[0] != ';' || p[1] != '0' || p[2] != 'x' || ascii_hex_digit((uint8_t)p[3]) < 0 ||
	    ascii_hex_digit((uint8_t)p[4]) < 0 || p[5] != ')')
		return -1;
	*pad = (uint8_t)(ascii_hex_digit((uint8_t)p[3]) << 4 | ascii_hex_digit((uint8_t)p[4]));
	*len = (size_t)n;
	return 0;
}

/*
 * True when the field is exactly @word. The generator compares whole Python strings,
 * so a NUL inside the field is part of the text: "file\0x" is not "file".
 */
static int field_is(const struct nvs_field *f, const char *word)
{
	size_t n = strlen(word);

	return f->s && f->len == n && memcmp(f->s, word, n) == 0;
}

/* "K: unsupported encoding 'E'" with E lower-cased as the generator prints it, and
 * control characters (a NUL above all) shown as \xNN so that the message stays text. */
static int bad_encoding(struct gen *g, const char *key, const char *enc, size_t len)
{
	struct buf shown = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		uint8_t c = (uint8_t)enc[i];

		if (c < 0x20 || c == 0x7F)
			rc = buf_printf(&shown, "\\x%02x", c);
		else
			rc = buf_printf(&shown, "%c", ascii_tolower((char)c));
	}
	if (rc == 0)
		diag_at(g->file, g->line, "%s: unsupported encoding '%.*s'", key, (int)shown.len,
			shown.data ? (const char *)shown.data : "");
	buf_free(&shown);
	return -1;
}

/* NVS.write_entry(): encoding conversions, then the item (§6). */
static int write_value(struct gen *g, const char *key, size_t keylen, struct nvs_val *v,
		       const struct nvs_field *encf)
{
	const char *enc = encf->s;
	const struct nvs_int_type *it;
	char lower[16];
	struct buf tmp = BUF_INIT;
	const char *err = NULL;
	int rc = -1, from_fill = 0;
	size_t i, n;

	if (!enc)
		return diag_at(g->file, g->line, "%s: no encoding", key);
	if (strncmp(enc, "blob_fill", 9) == 0 || strncmp(enc, "blob_sz_fill", 12) == 0) {
		size_t flen, vlen = nvs_val_true(v) ? v->len : 0;
		uint8_t pad, le[4];
		int sized;

		if (parse_fill(enc, &flen, &pad, &sized) < 0)
			return diag_at(g->file, g->line, "%s: invalid encoding format", enc);
		if (vlen && v->kind == V_BYTES)
			return diag_at(g->file, g->line, "%s: %s cannot take a file's bytes", key,
				       enc);
		if (vlen > flen)
			return diag_at(g->file, g->line,
				       "%s: value length exceeds specified length", key);
		if (flen > g->o->size)
			return diag_at(g->file, g->line, "%s: %s is larger than the partition", key,
				       enc);
		buf_put_le32(le, (uint32_t)vlen);
		if ((sized && buf_append(&tmp, le, 4) < 0) || buf_append(&tmp, v->p, vlen) < 0 ||
		    buf_fill(&tmp, pad, flen - vlen) < 0)
			goto out;
		if (nvs_val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
		enc = "hex2bin";
		from_fill = 1;
	} else if (memchr(enc, 0, encf->len)) {
		/* equal to no encoding name, so no conversion applies either */
		return bad_encoding(g, key, enc, encf->len);
	}
	if (strcmp(enc, "hex2bin") == 0 && !from_fill) {
		const uint8_t *p;

		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for hex2bin", key);
			goto out;
		}
		nvs_val_strip(v, &p, &n);
		if ((v->kind == V_STR ? nvs_val_utf8_chars(p, n) : n) % 2) {
			diag_at(g->file, g->line,
				"%s: invalid data length, should be multiple of 2", key);
			goto out;
		}
		if (v->kind == V_STR && !nvs_val_is_ascii(p, n)) {
			diag_at(g->file, g->line,
				"%s: hex2bin value must contain only ASCII "
				"characters",
				key);
			goto out;
		}
		for (i = 0; i < n; i += 2) {
			int hi = ascii_hex_digit(p[i]), lo = ascii_hex_digit(p[i + 1]);
			uint8_t b;

			if (hi < 0 || lo < 0) {
				diag_at(g->file, g->line, "%s: non-hexadecimal digit found", key);
				goto out;
			}
			b = (uint8_t)(hi << 4 | lo);
			if (buf_append(&tmp, &b, 1) < 0)
				goto out;
		}
		if (nvs_val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
	} else if (strcmp(enc, "base64") == 0) {
		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for base64", key);
			goto out;
		}
		if (v->kind == V_STR && !nvs_val_is_ascii(v->p, v->len)) {
			diag_at(g->file, g->line,
				"%s: base64 value must contain only ASCII "
				"characters",
				key);
			goto out;
		}
		if (nvs_val_base64(v->p, v->len, &tmp, &err, &n) < 0) {
			if (err && n)
				diag_at(g->file, g->line,
					"%s: invalid base64-encoded string: number of "
					"data characters (%zu) cannot be 1 more "
					"than a multiple of 4",
					key, n);
			else if (err)
				diag_at(g->file, g->line, "%s: %s", key, err);
			goto out;
		}
		if (nvs_val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
	} else if (strcmp(enc, "string") == 0) {
		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for string", key);
			goto out;
		}
		/* file bytes are decoded as UTF-8 (already checked for CSV text) */
		if (v->kind == V_BYTES && !utf8_valid(v->p, v->len)) {
			diag_at(g->file, g->line, "%s: file is not valid UTF-8", key);
			goto out;
		}
		if (buf_append(&tmp, v->p, v->len) < 0 || buf_fill(&tmp, 0, 1) < 0 ||
		    nvs_val_set(v, V_STR, tmp.data, tmp.len) < 0)
			goto out;
	}
	/* only now is the name lower-cased (vector encoding-case) */
	n = strlen(enc);
	if (n >= sizeof(lower)) {
		bad_encoding(g, key, enc, n);
		goto out;
	}
	for (i = 0; i <= n; i++)
		lower[i] = ascii_tolower(enc[i]);
	if (!strcmp(lower, "string") || !strcmp(lower, "binary") || !strcmp(lower, "hex2bin") ||
	    !strcmp(lower, "base64")) {
		enum venc ve = !strcmp(lower, "string")	   ? E_STRING
			       : !strcmp(lower, "binary")  ? E_BINARY
			       : !strcmp(lower, "hex2bin") ? E_HEX2BIN
							   : E_BASE64;

		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value", key);
			goto out;
		}
		rc = write_varlen(g, key, keylen, v, ve, (uint8_t)g->ns_count);
		goto out;
	}
	it = nvs_val_int_named(lower);
	if (it) {
		rc = write_int(g, key, keylen, v, it);
		goto out;
	}
	bad_encoding(g, key, lower, n);
out:
	buf_free(&tmp);
	return rc;
}

static int write_namespace(struct gen *g, const char *key, size_t keylen)
{
	struct ns_name *v;
	size_t i;

	/* a repeated name writes nothing and, upstream bug kept for byte identity, does
	 * not switch back to its index either (vector dup-namespace) */
	for (i = 0; i < g->nns; i++)
		if (g->ns[i].len == keylen && memcmp(g->ns[i].name, key, keylen) == 0)
			return 0;
	if (g->ns_count >= 0xFF)
		return diag_at(g->file, g->line, "namespace `%s`: more than 255 namespaces", key);
	g->ns_count++;
	if (write_primitive(g, key, keylen, NVS_TYPE_U8, g->ns_count, 0) < 0)
		return -1;
	v = realloc(g->ns, (g->nns + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	g->ns = v;
	v[g->nns].name = malloc(keylen + 1);
	if (!v[g->nns].name)
		return diag_error("out of memory");
	memcpy(v[g->nns].name, key, keylen + 1);
	v[g->nns].len = keylen;
	g->nns++;
	return 0;
}

static int write_bytes_blob(struct gen *g, const char *key, const uint8_t *p, size_t len)
{
	struct nvs_val v = {V_NONE, NULL, 0};
	int rc;

	if (nvs_val_set(&v, V_BYTES, p, len) < 0)
		return -1;
	rc = write_varlen(g, key, strlen(key), &v, E_HEX2BIN, (uint8_t)g->ns_count);
	nvs_val_free(&v);
	return rc;
}

/* ap.pmk_info: 100 zero bytes, then the 32-byte PMK = PBKDF2-HMAC-SHA1(passwd, ssid,
 * 4096 rounds) of IEEE 802.11i. @line 0 for no line in the message. */
int nvs_gen_pmk_info(const char *file, unsigned line, const struct nvs_val *ssid,
		     const struct nvs_val *passwd, uint8_t info[NVS_PMK_INFO_LEN])
{
	memset(info, 0, 100);
	if (hash_pbkdf2_hmac(HASH_SHA1, passwd->p, passwd->len, ssid->p, ssid->len, 4096,
			     info + 100, 32) < 0)
		return diag_at(file, line, "cannot compute ap.pmk_info: out of memory");
	return 0;
}

/* The Wi-Fi AP keys (§6): once ssid, password and a non-"0" authmode are known,
 * every such row is preceded by ap.pmk_info = 100 zero bytes + the PMK. */
static int wifi_ap(struct gen *g, const char *key, const struct nvs_field *value)
{
	uint8_t info[NVS_PMK_INFO_LEN];

	if (strcmp(key, "ap.ssid") == 0) {
		if (nvs_val_from_field(&g->ap_ssid, value) < 0)
			return -1;
	} else if (strcmp(key, "ap.passwd") == 0) {
		if (nvs_val_from_field(&g->ap_passwd, value) < 0)
			return -1;
	} else if (!field_is(value, "0")) {
		if (nvs_val_from_field(&g->ap_authmode, value) < 0)
			return -1;
	}
	if (!nvs_val_true(&g->ap_ssid) || !nvs_val_true(&g->ap_passwd) ||
	    !nvs_val_true(&g->ap_authmode))
		return 0;
	if (nvs_gen_pmk_info(g->file, g->line, &g->ap_ssid, &g->ap_passwd, info) < 0)
		return -1;
	return write_bytes_blob(g, "ap.pmk_info", info, sizeof(info));
}

/* The generator's module-level write_entry() for one CSV row. */
static int write_row(struct gen *g, const struct nvs_csv *csv, const struct nvs_row *row)
{
	const char *key = row->key.s;
	struct nvs_val v = {V_NONE, NULL, 0};
	struct buf file = BUF_INIT;
	int rc = -1;

	if (csv->missing)
		return diag_at(g->file, g->line, "the header (line %u) has no '%s' column",
			       csv->header_line, csv->missing);
	if (!key)
		return diag_at(g->file, g->line, "no key");
	if (nvs_val_utf8_chars((const uint8_t *)key, row->key.len) > NVS_KEY_MAX)
		return diag_at(g->file, g->line, "length of key `%s` should be <= %d characters",
			       key, NVS_KEY_MAX);
	/* the generator writes a multi-byte key over the following bytes; refuse it */
	if (!nvs_val_is_ascii((const uint8_t *)key, row->key.len) || strlen(key) != row->key.len)
		return diag_at(g->file, g->line, "key `%s` must be ASCII without NUL", key);
	if (!strcmp(key, "ap.ssid") || !strcmp(key, "ap.passwd") || !strcmp(key, "ap.authmode")) {
		if (wifi_ap(g, key, &row->value) < 0)
			return -1;
	}
	if (nvs_val_from_field(&v, &row->value) < 0)
		return -1;
	if (!strcmp(key, "sta.ssid") || !strcmp(key, "sta.pswd")) {
		static const uint8_t zeros[32];
		uint8_t ff[140];

		/* written as data whatever the row's type; the first one brings three more */
		if (write_value(g, key, row->key.len, &v, &row->encoding) < 0)
			goto out;
		if (!g->wifi_done) {
			memset(ff, 0xFF, sizeof(ff));
			if (write_bytes_blob(g, "sta.apinfo", ff, sizeof(ff)) < 0 ||
			    write_bytes_blob(g, "sta.pmk", zeros, 32) < 0 ||
			    write_bytes_blob(g, "sta.apsw", zeros, 2) < 0)
				goto out;
			g->wifi_done = 1;
		}
		rc = 0;
		goto out;
	}
	if (field_is(&row->type, "file")) {
		if (!row->value.s || !row->value.len) {
			diag_at(g->file, g->line, "%s: no file name", key);
			goto out;
		}
		if (g->reader(g->reader_ctx, g->file, g->line, row->value.s, &file) < 0)
			goto out;
		if (nvs_val_set(&v, V_BYTES, file.data ? file.data : (const uint8_t *)"",
				file.len) < 0)
			goto out;
	}
	if (field_is(&row->type, "namespace"))
		rc = write_namespace(g, key, row->key.len);
	else
		rc = write_value(g, key, row->key.len, &v, &row->encoding);
out:
	nvs_val_free(&v);
	buf_free(&file);
	return rc;
}

const char *nvs_size_problem(int64_t size)
{
	if (size % NVS_PAGE_SIZE != 0)
		return "size of partition must be multiple of 4096";
	if (size < NVS_PAGE_SIZE)
		return "minimum partition size for read/write NVS is 0x3000 bytes and for "
		       "read-only NVS is 0x1000 bytes";
	return NULL;
}

int nvs_size_read_only(uint64_t size)
{
	return size < 3 * NVS_PAGE_SIZE;
}

int nvs_generate(const struct nvs_csv *csvs, size_t ncsvs, const struct nvs_gen_opts *opts,
		 nvs_file_reader reader, void *reader_ctx, struct buf *out)
{
	struct gen g;
	size_t start = out->len, i, j;
	int rc = -1, ro = nvs_size_read_only(opts->size);

	memset(&g, 0, sizeof(g));
	g.o = opts;
	g.out = out;
	g.version = opts->version == 1 ? NVS_V1 : NVS_V2;
	g.reader = reader;
	g.reader_ctx = reader_ctx;
	/* check_size(): one page is kept free unless the partition is read-only */
	g.budget = ro ? opts->size : opts->size - NVS_PAGE_SIZE;
	g.file = ncsvs ? csvs[0].file : NULL;
	if (nvs_size_problem((int64_t)opts->size) || new_page(&g, 0, 0) < 0)
		goto out;
	for (i = 0; i < ncsvs; i++) {
		for (j = 0; j < csvs[i].n; j++) {
			g.file = csvs[i].file;
			g.line = csvs[i].v[j].line;
			if (write_row(&g, &csvs[i], &csvs[i].v[j]) < 0)
				goto out;
		}
	}
	if (!ro) {
		/* empty pages up to the size, the last one being the spare page */
		while (g.budget)
			if (new_page(&g, 1, 0) < 0)
				goto out;
		if (new_page(&g, 1, 1) < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < g.nns; i++)
		free(g.ns[i].name);
	free(g.ns);
	nvs_val_free(&g.ap_ssid);
	nvs_val_free(&g.ap_passwd);
	nvs_val_free(&g.ap_authmode);
	if (rc < 0)
		out->len = start;
	return rc;
}
