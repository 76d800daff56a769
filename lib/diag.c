#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

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

static void vreport(const char *file, unsigned line, const char *kind, const char *fmt,
		    va_list ap)
{
	fprintf(stderr, "%s: ", program);
	if (file && line)
		fprintf(stderr, "%s:%u: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_file(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_at(const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_warn_at(const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vreport(file, line, "warning", fmt, ap);
	va_end(ap);
}
