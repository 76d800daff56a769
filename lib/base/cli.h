/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-line chores every tool shares: usage errors, --help, --version and
 * getopt_long's complaints, all under the name given to diag_set_program().
 */
#ifndef ESPGEN_CLI_H
#define ESPGEN_CLI_H

#include "diag.h"

/* The synopsis (printed after every usage error and first in --help) and the rest
 * of --help. Both are kept, not copied: pass string literals. */
void cli_set_usage(const char *usage, const char *help);

/* "PROG: msg" and the synopsis on stderr. Returns -1. */
int cli_usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

/* "PROG (espgen) VERSION" on stdout. Returns 1. */
int cli_version(void);

/* getopt_long's value for --version; above every tool's own option values. */
#define CLI_OPT_VERSION 0x7f00

/* The option table entries every tool shares (include <getopt.h>). */
/* clang-format off */
#define CLI_LONGOPT_QUIET {"quiet", no_argument, NULL, 'q'}
#define CLI_LONGOPT_HELP {"help", no_argument, NULL, 'h'}
#define CLI_LONGOPT_VERSION {"version", no_argument, NULL, CLI_OPT_VERSION}
/* clang-format on */

/*
 * For a getopt_long result @ch the tool's own switch does not take: -q/--quiet,
 * -h/--help, --version, and getopt_long's complaints (opterr = 0 and an optstring
 * starting with ':'): ':' for a missing value, anything else for an unknown option.
 * Returns 0 to go on (-q), 1 when --help/--version was served, -1 on a usage error.
 */
int cli_common_option(int ch, char *const argv[]);

/* After getopt_long(): the one operand left (argv[optind]) into *@out, or a usage error
 * "no WHAT given" / "more than one WHAT given" (returns -1). */
int cli_one_operand(int argc, char **argv, const char *what, const char **out);

/* An argument list after @FILE expansion (cli_expand_argfiles()); owns its strings. */
struct cli_args {
	int argc;
	char **argv; /* NULL-terminated */
};

/*
 * Replaces every argument "@FILE" after argv[0] by the words of FILE, as esptool's
 * expand_file_arguments() does: each line of FILE is split on its own with POSIX shell
 * quoting (Python's shlex.split(): ' and " quote, \ escapes, no comments, no variables).
 * FILE is opened as named (relative to the current directory) and the words are kept as
 * they are, so relative paths in it resolve from the current directory too. The words
 * are not expanded again: a word starting with '@' is refused (esptool reads argument
 * files one level deep). Without any "@" argument @out is a copy of argv. Returns 0
 * (free @out with cli_args_free()), or -1 with a message "FILE:LINE: ...".
 */
int cli_expand_argfiles(int argc, char *const argv[], struct cli_args *out);
void cli_args_free(struct cli_args *a);

#endif
