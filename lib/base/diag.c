/* SPDX-License-Identifier: Apache-2.0 */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

static const char *program = "espgen";
static int quiet;

void diag_set_program(const char *name)
{
	program = name;
}

const char *diag_program(void)
{
	return program;
}

void diag_set_quiet(int q)
{
	quiet = q;
}

/* A thread collecting its messages instead of printing them (diag_capture_begin). */
static _Thread_local struct buf *capture;

static void vreport(const char *file, unsigned line, const char *kind, const char *suffix,
		    const char *fmt, va_list ap) DIAG_PRINTF(5, 0);
static void vreport(const char *file, unsigned line, const char *kind, const char *suffix,
		    const char *fmt, va_list ap)
{
	char msg[2048];
	size_t n = 0;

	/* one write per message, so threads' messages never interleave */
	n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s: ", program);
	if (file && line)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s:%u: ", file, line);
	else if (file)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s: ", file);
	if (kind && n < sizeof(msg))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s: ", kind);
	if (n < sizeof(msg))
		n += (size_t)vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	if (suffix && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", suffix);
	if (capture) {
		buf_puts(capture, msg);
		buf_puts(capture, "\n");
		return;
	}
	fprintf(stderr, "%s\n", msg);
}

void diag_capture_begin(struct buf *into)
{
	capture = into;
}

void diag_capture_end(void)
{
	capture = NULL;
}

int diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, 0, NULL, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_file(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, 0, NULL, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_at(const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, NULL, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_warn_at(const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vreport(file, line, "warning", NULL, fmt, ap);
	va_end(ap);
}

int diag_vat(const char *file, unsigned line, const char *fmt, va_list ap)
{
	vreport(file, line, NULL, NULL, fmt, ap);
	return -1;
}

void diag_vwarn_at(const char *file, unsigned line, const char *fmt, va_list ap)
{
	if (!quiet)
		vreport(file, line, "warning", NULL, fmt, ap);
}

int diag_errno(const char *file, const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vreport(file, 0, NULL, why, fmt, ap);
	va_end(ap);
	return -1;
}
