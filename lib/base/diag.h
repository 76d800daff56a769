/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: one place that formats every message a tool prints on stderr. */
#ifndef ESPGEN_DIAG_H
#define ESPGEN_DIAG_H

/* Exit statuses of every tool (spec/interface.md). */
enum {
	EXIT_OK = 0,
	EXIT_INPUT = 1, /* bad input or I/O failure */
	EXIT_USAGE = 2, /* bad command line */
};

#include <stdarg.h>

#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Sets the name printed before every message ("esp-mkpart"). */
void diag_set_program(const char *name);
const char *diag_program(void);

/* "PROG: msg". Always returns -1 so callers can `return diag_error(...)`. */
int diag_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

/* "PROG: FILE: msg". Returns -1. */
int diag_file(const char *file, const char *fmt, ...) DIAG_PRINTF(2, 3);

/* "PROG: FILE:LINE: msg"; with line 0 it is diag_file(). Returns -1. */
int diag_at(const char *file, unsigned line, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* "PROG: FILE:LINE: warning: msg" (line 0: no line). Does not fail. */
void diag_warn_at(const char *file, unsigned line, const char *fmt, ...) DIAG_PRINTF(3, 4);

/*
 * The va_list entry points, for a module's own printf-like wrapper (one that adds a
 * context such as "entry at 0x20"): @file NULL prints no file, @line 0 no line.
 * diag_vat() returns -1.
 */
int diag_vat(const char *file, unsigned line, const char *fmt, va_list ap) DIAG_PRINTF(3, 0);
void diag_vwarn_at(const char *file, unsigned line, const char *fmt, va_list ap)
	DIAG_PRINTF(3, 0);

/*
 * "PROG: FILE: msg: strerror(errno)" (@file NULL: no file), for a failed system call;
 * errno is read before anything else runs. Returns -1.
 */
int diag_errno(const char *file, const char *fmt, ...) DIAG_PRINTF(2, 3);

struct buf;
/*
 * From now on, this thread's messages are appended to @into (one line each)
 * instead of printed, until diag_capture_end(). Lets parallel jobs report whole.
 */
void diag_capture_begin(struct buf *into);
void diag_capture_end(void);

/* Silences warnings (-q). Errors are always printed. */
void diag_set_quiet(int quiet);

#endif
