/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces shared by the describers (describe.h). */
#include "describe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "hash.h"
#include "node.h"

void describe_problem(struct describe_ctx *c, const char *kind, uint64_t off, const char *where,
		      const char *fmt, ...)
{
	struct imginfo_node *p;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* an item's key is never shown: it holds the kind (imginfo_problem()) */
	if (where && *where)
		p = node_str(c->problems, kind, "%s: %s", where, msg);
	else
		p = node_str(c->problems, kind, "%s", msg);
	if (p)
		p->num = off;
}

int describe_checking(const struct describe_ctx *c)
{
	return c->opts && c->opts->check;
}

void describe_bytes(struct imginfo_node *n, const uint8_t *p, size_t len, uint64_t file_off)
{
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	int erased = node_erased(p, len);

	node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
	node_str(n, "erased", "%s", erased ? "yes" : "no");
	hash_sha256(p, len, sha);
	ascii_hex_encode(sha, SHA256_LEN, hex);
	/* the bytes are compared themselves; the digest only helps a reader */
	if (!erased)
		node_set_flags(node_str(n, "sha256", "%s", hex), IMGINFO_F_NODIFF);
	node_data(n, p, len, file_off);
	if (n)
		node_line(n, "0x%zx bytes, %s", len, erased ? "erased" : hex);
}

void describe_digest(struct describe_ctx *c, struct imginfo_node *d, const char *what,
		     const char *kind, const uint8_t *stored, const uint8_t *calc, size_t n,
		     int show_calc, const char *where, uint64_t off)
{
	char hex[2 * DESCRIBE_DIGEST_MAX + 1], want[2 * DESCRIBE_DIGEST_MAX + 1];
	int ok;

	if (!stored) {
		node_str(d, "status", "none");
		node_line(d, "none");
		return;
	}
	ok = memcmp(stored, calc, n) == 0;
	ascii_hex_encode(stored, n, hex);
	ascii_hex_encode(calc, n, want);
	node_str(d, "stored", "%s", hex);
	if (show_calc)
		node_set_flags(node_str(d, "computed", "%s", want), IMGINFO_F_NODIFF);
	node_str(d, "status", "%s", ok ? "valid" : "invalid");
	if (ok) {
		node_line(d, "%s valid", hex);
	} else {
		node_line(d, "%s invalid, expected %s", hex, want);
		describe_problem(c, kind, off, where, "%s %s invalid, expected %s", what, hex,
				 want);
	}
}
