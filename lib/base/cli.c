/* SPDX-License-Identifier: Apache-2.0 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"

/* Largest argument file read (docs/limits.md). */
#define CLI_MAX_ARGFILE ((size_t)1 << 20)

static const char *usage_text = "";
static const char *help_text = "";

void cli_set_usage(const char *usage, const char *help)
{
	usage_text = usage;
	help_text = help;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", diag_program());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return -1;
}

/* The synopsis and the help text on stdout. Returns 1 ("served, stop here"). */
static int print_help(void)
{
	fputs(usage_text, stdout);
	fputs(help_text, stdout);
	return 1;
}

int cli_version(void)
{
	printf("%s (espgen) %s\n", diag_program(), ESPGEN_VERSION);
	return 1;
}

int cli_common_option(int ch, char *const argv[])
{
	switch (ch) {
	case 'q':
		diag_set_quiet(1);
		return 0;
	case 'h':
		return print_help();
	case CLI_OPT_VERSION:
		return cli_version();
	case ':':
		return cli_usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		return cli_usage_error("unknown option '%s'", argv[optind - 1]);
	}
}

int cli_one_operand(int argc, char **argv, const char *what, const char **out)
{
	if (optind >= argc)
		return cli_usage_error("no %s given", what);
	if (optind != argc - 1)
		return cli_usage_error("more than one %s given", what);
	*out = argv[optind];
	return 0;
}

static int push_arg(struct cli_args *a, size_t *cap, const char *s, size_t n)
{
	char *copy = malloc(n + 1);

	if (!copy)
		return diag_error("out of memory");
	memcpy(copy, s, n);
	copy[n] = '\0';
	if ((size_t)a->argc + 2 > *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **v = realloc(a->argv, c * sizeof(*v));

		if (!v) {
			free(copy);
			return diag_error("out of memory");
		}
		a->argv = v;
		*cap = c;
	}
	a->argv[a->argc++] = copy;
	a->argv[a->argc] = NULL;
	return 0;
}

/*
 * The words of one line (@s, @n bytes, no line end) in shlex.split()'s POSIX mode:
 * blanks (space, tab, CR, LF) separate words; '...' keeps everything; "..." keeps
 * everything but lets \ escape " and \ (other backslashes stay); outside quotes \ takes
 * the next character as it is; quoted parts join the word around them; "" is a word.
 */
static int split_line(const char *s, size_t n, const char *file, unsigned line,
		      struct cli_args *a, size_t *cap)
{
	struct buf w = BUF_INIT;
	size_t i = 0;
	int in_word = 0, rc = -1;
	char q = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (q == '\'') {
			if (c == '\'')
				q = 0;
			else if (buf_append(&w, &c, 1) < 0)
				goto out;
			continue;
		}
		if (q == '"') {
			if (c == '"') {
				q = 0;
				continue;
			}
			if (c == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
				c = s[++i];
			else if (c == '\\' && i + 1 == n)
				break; /* an escape with nothing after it */
			if (buf_append(&w, &c, 1) < 0)
				goto out;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (in_word && push_arg(a, cap, (const char *)w.data, w.len) < 0)
				goto out;
			in_word = 0;
			w.len = 0;
			continue;
		}
		in_word = 1;
		if (c == '\'' || c == '"') {
			q = c;
			continue;
		}
		if (c == '\\') {
			if (++i == n) {
				diag_at(file, line, "no escaped character after the last '\\'");
				goto out;
			}
			c = s[i];
		}
		if (buf_append(&w, &c, 1) < 0)
			goto out;
	}
	if (q) {
		diag_at(file, line, q == '"' && i < n ? "no escaped character after the last '\\'"
						      : "no closing quotation");
		goto out;
	}
	if (in_word && push_arg(a, cap, w.data ? (const char *)w.data : "", w.len) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&w);
	return rc;
}

/* The words of @file's lines (LF, CR LF or CR end a line, as Python's text mode reads). */
static int expand_file(const char *file, struct cli_args *a, size_t *cap)
{
	struct buf b = BUF_INIT;
	size_t pos = 0, e, first = (size_t)a->argc;
	unsigned line = 0;
	int rc = -1;

	if (fileio_read(file, CLI_MAX_ARGFILE, &b) < 0)
		return -1;
	while (pos < b.len) {
		const char *t = (const char *)b.data;

		line++;
		for (e = pos; e < b.len && t[e] != '\n' && t[e] != '\r'; e++)
			;
		if (split_line(t + pos, e - pos, file, line, a, cap) < 0)
			goto out;
		/* argument files are read one level deep, as esptool reads them */
		for (; first < (size_t)a->argc; first++) {
			if (a->argv[first][0] == '@') {
				diag_at(file, line,
					"'%s': an argument file cannot name another one",
					a->argv[first]);
				goto out;
			}
		}
		if (e + 1 < b.len && t[e] == '\r' && t[e + 1] == '\n')
			e++;
		pos = e + 1;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int cli_expand_argfiles(int argc, char *const argv[], struct cli_args *out)
{
	size_t cap = 0;
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < argc; i++) {
		if (i > 0 && argv[i][0] == '@') {
			if (expand_file(argv[i] + 1, out, &cap) < 0)
				goto fail;
		} else if (push_arg(out, &cap, argv[i], strlen(argv[i])) < 0) {
			goto fail;
		}
	}
	if (!out->argv && push_arg(out, &cap, "", 0) < 0)
		goto fail;
	return 0;
fail:
	cli_args_free(out);
	return -1;
}

void cli_args_free(struct cli_args *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}
