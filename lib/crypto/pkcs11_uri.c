/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 7512 PKCS#11 URIs (see pkcs11.h): the attributes pkcs11_key_open() selects a
 * token and key by, and the masked form messages print. No Cryptoki calls here.
 */
#include "pkcs11.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"

int pkcs11_is_uri(const char *name)
{
	return name && strncmp(name, "pkcs11:", 7) == 0;
}

/* Percent-decodes @in[0..@len) into @out (@max bytes); returns the length or -1. */
static long pct_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = ascii_hex_digit(in[i + 1]);
			lo = ascii_hex_digit(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)c;
	}
	return (long)n;
}

/* Decodes a text attribute into @out (@size bytes with the NUL); no NUL bytes inside. */
static int uri_text(const char *uri, const char *attr, const char *v, size_t len, char *out,
		    size_t size)
{
	long n = pct_decode(v, len, (uint8_t *)out, size - 1);

	if (n < 0)
		return diag_file(uri,
				 "attribute '%s': bad percent-encoding or longer than %zu bytes",
				 attr, size - 1);
	out[n] = 0;
	if (strlen(out) != (size_t)n)
		return diag_file(uri, "attribute '%s' contains a NUL byte", attr);
	return 0;
}

static int uri_attr(const char *uri, const char *a, size_t alen, const char *v, size_t vlen,
		    int query, struct pkcs11_uri *u)
{
	char attr[32];
	long n;

	if (alen >= sizeof(attr))
		alen = sizeof(attr) - 1;
	memcpy(attr, a, alen);
	attr[alen] = 0;
	if (query) {
		if (strcmp(attr, "pin-source") == 0)
			return uri_text(uri, attr, v, vlen, u->pin_source, sizeof(u->pin_source));
		if (strcmp(attr, "pin-value") == 0)
			return diag_error("the key URI must not hold the PIN (pin-value): it would "
					  "show in the process list; use --pin-file FILE or %s",
					  P11_PIN_ENV);
		if (strcmp(attr, "module-name") == 0 || strcmp(attr, "module-path") == 0)
			return diag_file(uri,
					 "attribute '%s' is not supported; use "
					 "--pkcs11-module PATH",
					 attr);
		return diag_file(uri, "unsupported query attribute '%s'", attr);
	}
	if (strcmp(attr, "token") == 0) {
		u->has_token = 1;
		return uri_text(uri, attr, v, vlen, u->token, sizeof(u->token));
	}
	if (strcmp(attr, "manufacturer") == 0) {
		u->has_manufacturer = 1;
		return uri_text(uri, attr, v, vlen, u->manufacturer, sizeof(u->manufacturer));
	}
	if (strcmp(attr, "model") == 0) {
		u->has_model = 1;
		return uri_text(uri, attr, v, vlen, u->model, sizeof(u->model));
	}
	if (strcmp(attr, "serial") == 0) {
		u->has_serial = 1;
		return uri_text(uri, attr, v, vlen, u->serial, sizeof(u->serial));
	}
	if (strcmp(attr, "object") == 0) {
		u->has_object = 1;
		return uri_text(uri, attr, v, vlen, u->object, sizeof(u->object));
	}
	if (strcmp(attr, "id") == 0) {
		n = pct_decode(v, vlen, u->id, sizeof(u->id));
		if (n <= 0)
			return diag_file(uri,
					 "attribute 'id': bad percent-encoding, empty or "
					 "longer than %zu bytes",
					 sizeof(u->id));
		u->id_len = (size_t)n;
		u->has_id = 1;
		return 0;
	}
	if (strcmp(attr, "type") == 0) {
		char t[16];

		if (uri_text(uri, attr, v, vlen, t, sizeof(t)) < 0)
			return -1;
		if (strcmp(t, "private") == 0)
			u->type = 1;
		else if (strcmp(t, "public") == 0)
			u->type = 2;
		else if (strcmp(t, "cert") == 0 || strcmp(t, "secret-key") == 0 ||
			 strcmp(t, "data") == 0)
			u->type = 3;
		else
			return diag_file(uri, "attribute 'type': unknown object type '%s'", t);
		return 0;
	}
	/* RFC 7512 §2.3: a URI with an attribute we cannot match must not match anything */
	return diag_file(uri, "unsupported attribute '%s'", attr);
}

char *pkcs11_uri_redact(const char *uri)
{
	static const char attr[] = "pin-value=";
	const size_t alen = sizeof(attr) - 1;
	size_t n = strlen(uri), i = 0, o = 0;
	/* each masked value grows by at most 3 bytes, and each needs alen bytes of input */
	char *out = malloc(n + 3 * (n / alen + 1) + 1);

	if (!out)
		return NULL;
	while (i < n) {
		int start = i > 0 && strchr(":;?&", uri[i - 1]);

		if (start && strncmp(uri + i, attr, alen) == 0) {
			size_t vlen = strcspn(uri + i + alen, ";?&");

			memcpy(out + o, attr, alen);
			memcpy(out + o + alen, "***", 3);
			o += alen + 3;
			i += alen + vlen;
			continue;
		}
		out[o++] = uri[i++];
	}
	out[o] = 0;
	return out;
}

/* pkcs11_uri_parse() with @shown, the URI as messages print it (PIN masked). */
static int uri_parse(const char *uri, const char *shown, struct pkcs11_uri *out)
{
	const char *p, *end, *q;
	int query = 0;

	memset(out, 0, sizeof(*out));
	if (!pkcs11_is_uri(uri))
		return diag_file(shown, "not a PKCS#11 URI (pkcs11:...)");
	p = uri + 7;
	while (*p) {
		const char *eq;

		if (*p == '?' && !query) {
			query = 1;
			p++;
			continue;
		}
		end = p + strcspn(p, query ? "&" : ";?");
		if (end == p) { /* empty component: "pkcs11:;" */
			p = *end == '?' ? end : end + (*end != 0);
			continue;
		}
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return diag_file(shown, "attribute '%.*s' has no value", (int)(end - p), p);
		if (uri_attr(shown, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), query, out) <
		    0)
			return -1;
		q = end;
		if (*q == ';' || *q == '&')
			q++;
		p = q;
	}
	return 0;
}

int pkcs11_uri_parse(const char *uri, struct pkcs11_uri *out)
{
	char *shown = pkcs11_uri_redact(uri);
	int rc;

	if (!shown)
		return diag_error("out of memory");
	rc = uri_parse(uri, shown, out);
	free(shown);
	return rc;
}

