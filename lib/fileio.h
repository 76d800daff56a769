/* Whole-file input and atomic output (temp file beside the target, then rename). */
#ifndef ESPGEN_FILEIO_H
#define ESPGEN_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Largest input file any tool reads into memory (a 256 MiB flash image is the ceiling). */
#define FILEIO_MAX_INPUT ((size_t)256 << 20)

/*
 * Reads all of @path into @out (appending). Files larger than @max are refused with
 * a message naming the file. "-" reads standard input. Returns 0 or -1 (message printed).
 */
int read_file(const char *path, size_t max, struct buf *out);

/*
 * Writes @len bytes to @path atomically: a temporary file in the same directory,
 * mode 0666 & ~umask, fsync, rename. On any failure the temporary file is removed,
 * @path is untouched and -1 is returned with a message. "-" writes standard output.
 */
int atomic_write_file(const char *path, const void *data, size_t len);

/*
 * Two files that belong together (an image and its description): both are written
 * to temporary files first, and renamed into place only when both were written.
 */
int atomic_write_pair(const char *path1, const void *data1, size_t len1, const char *path2,
		      const void *data2, size_t len2);

#endif
