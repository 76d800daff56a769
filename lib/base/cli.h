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

#endif
