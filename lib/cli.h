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

/* The synopsis and the help text on stdout. Returns 1 ("served, stop here"). */
int cli_help(void);

/* "PROG (espgen) VERSION" on stdout. Returns 1. */
int cli_version(void);

/*
 * After getopt_long (with opterr = 0 and an optstring starting with ':') returned
 * @ch, ':' for a missing value or anything else for an unknown option: says which
 * option, as a usage error. Returns -1.
 */
int cli_bad_option(int ch, char *const argv[]);

#endif
