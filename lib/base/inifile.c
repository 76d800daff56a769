/* SPDX-License-Identifier: Apache-2.0 */
#include "inifile.h"

#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

struct state {
	const char *file;
	const char *data;
	size_t len;
	size_t pos;
	unsigned line;	  /* line last handed to inih */
	int failed;
	int have_key;	  /* inih's prev_name is set: indented lines continue it */
	int continuation; /* the current line is an indented continuation */
	char *section;
	const struct inifile_ops *ops;
	void *user;
};

/* inih's notion of an inline comment: ';' after whitespace. */
static const char *find_or_comment(const char *s, const char *chars)
{
	int was_space = 0;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = *s == ' ' || *s == '\t' || *s == '\v' || *s == '\f' || *s == '\r';
		s++;
	}
	return s;
}

static void fail(struct state *st, const char *msg)
{
	if (!st->failed)
		diag_at(st->file, st->line, "%s", msg);
	st->failed = 1;
}

/* Looks at one line before inih does, so that every line it accepts is one we meant. */
static int inspect_line(struct state *st, char *line)
{
	const char *s = line, *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	st->continuation = 0;
	if (*s == '\0' || *s == ';' || *s == '#')
		return 0;
	if (st->have_key && s > line) {
		st->continuation = 1;
		return 0;
	}
	if (*s == '[') {
		end = find_or_comment(s + 1, "]");
		if (*end != ']')
			return fail(st, "section header has no closing ']'"), -1;
		free(st->section);
		st->section = strndup(s + 1, (size_t)(end - s - 1));
		if (!st->section)
			return fail(st, "out of memory"), -1;
		st->have_key = 0;
		if (st->ops->section(st->user, st->section, st->line) < 0) {
			st->failed = 1;
			return -1;
		}
		return 0;
	}
	end = find_or_comment(s, "=:");
	if (*end != '=' && *end != ':')
		return fail(st, "expected 'key = value', '[section]' or a comment"), -1;
	st->have_key = 1;
	return 0;
}

static char *reader(char *str, int num, void *stream)
{
	struct state *st = stream;
	size_t end, n;

	if (st->failed || st->pos >= st->len)
		return NULL;
	end = st->pos;
	while (end < st->len && st->data[end] != '\n')
		end++;
	n = end - st->pos;
	st->line++;
	if (memchr(st->data + st->pos, '\0', n)) {
		fail(st, "NUL byte in text");
		return NULL;
	}
	if (n + 2 > (size_t)num) {
		char msg[64];

		snprintf(msg, sizeof(msg), "line is longer than %d characters", num - 2);
		fail(st, msg);
		return NULL;
	}
	memcpy(str, st->data + st->pos, n);
	if (end < st->len)
		str[n++] = '\n';
	str[n] = '\0';
	st->pos = end < st->len ? end + 1 : end;
	if (inspect_line(st, str) < 0)
		return NULL;
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct state *st = user;
	char msg[256];

	(void)section; /* the reader tracks sections, with their lines */
	if (st->failed)
		return 1;
	if (st->continuation) {
		snprintf(msg, sizeof(msg),
			 "indented line continues the value of '%s'; remove the indentation", name);
		fail(st, msg);
		return 0;
	}
	if (st->ops->key(st->user, st->section, name, value, st->line) < 0) {
		st->failed = 1;
		return 0;
	}
	return 1;
}

int inifile_parse(const char *file, const uint8_t *data, size_t len, const struct inifile_ops *ops,
		  void *user)
{
	struct state st;
	size_t bad;
	int rc;

	memset(&st, 0, sizeof(st));
	st.file = file;
	st.data = (const char *)data;
	st.len = len;
	st.ops = ops;
	st.user = user;
	/* inih would skip a UTF-8 BOM itself; doing it here keeps inspect_line simple */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		st.pos = 3;
	bad = utf8_check(data, len);
	if (bad != len) {
		unsigned line = 1;
		size_t i;

		for (i = 0; i < bad; i++)
			line += data[i] == '\n';
		diag_at(file, line, "text is not valid UTF-8");
		return -1;
	}
	rc = ini_parse_stream(reader, &st, handler, &st);
	if (!st.failed && rc > 0) {
		st.line = (unsigned)rc;
		fail(&st, "syntax error");
	}
	free(st.section);
	return st.failed ? -1 : 0;
}
