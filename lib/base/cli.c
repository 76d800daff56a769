/* SPDX-License-Identifier: Apache-2.0 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

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
