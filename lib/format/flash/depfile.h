/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The files a build read, written as a Makefile-syntax depfile ("OUT: dep dep ...")
 * that make, Ninja and CMake's add_custom_command(DEPFILE) read, so that a build
 * system learns the inputs from the tool instead of parsing its input files.
 */
#ifndef ESPGEN_DEPFILE_H
#define ESPGEN_DEPFILE_H

#include <stddef.h>

/* Paths in the order first added, each once. Zero-initialised or depfile_init(). */
struct depfile {
	char **v;
	size_t n;
	size_t cap;
	size_t *slots; /* hash index into @v (+1; 0 = empty), 2 * @cap entries */
};

void depfile_init(struct depfile *d);
void depfile_free(struct depfile *d);

/* Adds @path unless it is there already. @d NULL: nothing to record. Returns 0, or -1
 * with a message (out of memory). */
int depfile_add(struct depfile *d, const char *path);

/* Adds every path of @from, in its order. Returns 0 or -1 with a message. */
int depfile_merge(struct depfile *d, const struct depfile *from);

/*
 * Writes "@target: path path ...\n" (one rule) to @path through a temporary file
 * renamed into place. Spaces and '#' are escaped with a backslash, '$' doubled.
 * Returns 0, or -1 with a message (also for a name with a line break, which the
 * syntax cannot hold).
 */
int depfile_write(const char *path, const char *target, const struct depfile *d);

#endif
