/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file input and atomic output (temporary file beside the target, then rename). */
#ifndef ESPGEN_FILEIO_H
#define ESPGEN_FILEIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* Largest input file any tool reads into memory (a 256 MiB flash image is the ceiling). */
#define FILEIO_MAX_INPUT ((size_t)256 << 20)

/*
 * Reads all of @path into @out (appending). Files larger than @max are refused with
 * a message naming the file. "-" reads standard input. Returns 0 or -1 (message printed).
 */
int fileio_read(const char *path, size_t max, struct buf *out);

/* @rel as seen from directory @dir ("" for the current one): "dir/rel", or @rel itself
 * when absolute. malloc'd; NULL when out of memory. */
char *fileio_path_join(const char *dir, const char *rel);

/*
 * An output file being written: a temporary file in the target's directory that
 * becomes the target only on fileio_atomic_commit(). "-" is standard output (no rename).
 */
struct temp_node;
struct fileio_atomic_file {
	const char *path;
	char *tmp;		 /* the temporary's name, while there is one */
	struct temp_node *node; /* where the signal handler finds it */
	int fd;
	int direct; /* @path is a device or FIFO (e.g. /dev/null): written in place */
};

/* How a temporary's name starts (".espgen-XXXXXX"): whoever cleans up after an interrupted
 * run recognises them by it. */
#define FILEIO_TEMP_PREFIX ".espgen-"

/* Creates the temporary file (mode 0666 & ~umask), ".espgen-XXXXXX" beside the target;
 * SIGINT, SIGTERM and SIGHUP remove it (and every other temporary not yet committed)
 * before the process dies of the signal. A target that exists and is not a
 * regular file or directory (a device, a FIFO) is opened and written directly
 * instead, never replaced. Returns 0, or -1 with a message. */
int fileio_atomic_open(struct fileio_atomic_file *af, const char *path);
/* fileio_atomic_open() with the file mode @mode & ~umask instead of 0666 & ~umask: 0600
 * for a secret (a key), so that no other user can read it at any moment. */
int fileio_atomic_open_mode(struct fileio_atomic_file *af, const char *path, mode_t mode);
/* Appends @len bytes. Returns 0, or -1 with a message. */
int fileio_atomic_write(struct fileio_atomic_file *af, const void *data, size_t len);
/* Syncs, closes and renames over the target. Returns 0, or -1 with a message (the
 * temporary file is removed and the target left as it was). */
int fileio_atomic_commit(struct fileio_atomic_file *af);
/* Commits @n files as one: all are synced and closed, and every target checked, before
 * the first is renamed, so a failure up to then leaves every target as it was. Returns
 * 0, or -1 with a message (every temporary is removed). */
int fileio_atomic_commit_all(struct fileio_atomic_file *af, size_t n);
/* Closes and removes the temporary file; the target is untouched. */
void fileio_atomic_abort(struct fileio_atomic_file *af);

/* The process umask, read once before main() (never set and reset while threads run). */
mode_t fileio_umask(void);

/* Turns the fsync in fileio_atomic_commit() off (0) or on (1, the default). Rename still
 * makes each file appear whole; a caller writing many files syncs once at the end. */
void fileio_set_sync(int on);

/*
 * Writes @len bytes to @path atomically: on any failure the temporary file is
 * removed, @path is untouched and -1 is returned with a message.
 */
int fileio_atomic_write_file(const char *path, const void *data, size_t len);
/* fileio_atomic_write_file() with the file mode of fileio_atomic_open_mode(). */
int fileio_atomic_write_file_mode(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Holds SIGINT, SIGTERM and SIGHUP back in the calling thread until
 * fileio_signals_release(): for a step that puts several files or a directory in place,
 * which the signal handler cannot undo. A signal that comes meanwhile takes effect once
 * the step has finished or put everything back, so it never leaves half of it.
 */
void fileio_signals_hold(sigset_t *saved);
void fileio_signals_release(const sigset_t *saved);

#endif
