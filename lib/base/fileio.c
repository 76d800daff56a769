#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

static int read_fd(int fd, const char *path, size_t max, struct buf *out)
{
	size_t start = out->len;

	for (;;) {
		ssize_t n;

		if (out->cap - out->len < 4096 && buf_reserve(out, 65536) < 0)
			return -1;
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return diag_errno(path, "cannot read");
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len - start > max)
			return diag_file(path, "file is larger than the limit of %zu bytes", max);
	}
	return 0;
}

/* A failed read leaves @out as it was: what was appended is dropped, and a buffer
 * that was empty before is released (callers then need no buf_free of their own). */
static int read_failed(struct buf *out, size_t start)
{
	out->len = start;
	if (start == 0)
		buf_free(out);
	return -1;
}

int fileio_read(const char *path, size_t max, struct buf *out)
{
	size_t start = out->len;
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0) {
		if (read_fd(STDIN_FILENO, "<stdin>", max, out) < 0)
			return read_failed(out, start);
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_errno(path, "cannot open");
	if (fstat(fd, &st) < 0) {
		diag_errno(path, "cannot read");
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return diag_file(path, "is a directory");
	}
	/* a regular file past the limit is refused before reading any of it */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		close(fd);
		return diag_file(path, "file is larger than the limit of %zu bytes", max);
	}
	/* one allocation for a regular file of known size (the +1 sees EOF) */
	if (S_ISREG(st.st_mode) && st.st_size >= 0 && buf_reserve(out, (size_t)st.st_size + 1) < 0) {
		close(fd);
		return read_failed(out, start);
	}
	rc = read_fd(fd, path, max, out);
	close(fd);
	if (rc < 0)
		return read_failed(out, start);
	return 0;
}

/* Whether fileio_atomic_commit() syncs each file (a batch of many files syncs once instead). */
static int sync_outputs = 1;

void fileio_set_sync(int on)
{
	sync_outputs = on;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fileio_atomic_open(struct fileio_atomic_file *af, const char *path)
{
	size_t plen = strlen(path);
	struct stat st;
	mode_t mask;

	af->path = path;
	af->tmp = NULL;
	af->fd = -1;
	af->direct = 0;
	if (strcmp(path, "-") == 0) {
		af->fd = STDOUT_FILENO;
		return 0;
	}
	/* a device or FIFO: renaming a file over it would replace the node itself */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		af->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (af->fd < 0)
			return diag_errno(path, "cannot open for writing");
		af->direct = 1;
		return 0;
	}
	af->tmp = malloc(plen + sizeof(".tmpXXXXXX"));
	if (!af->tmp)
		return diag_error("out of memory");
	memcpy(af->tmp, path, plen);
	memcpy(af->tmp + plen, ".tmpXXXXXX", sizeof(".tmpXXXXXX"));
	af->fd = mkstemp(af->tmp);
	if (af->fd < 0) {
		diag_errno(path, "cannot create temporary file");
		free(af->tmp);
		af->tmp = NULL;
		return -1;
	}
	/* mkstemp makes 0600; give the file the mode a plain creat(0666) would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(af->fd, 0666 & ~mask) < 0) {
		diag_errno(path, "cannot write");
		fileio_atomic_abort(af);
		return -1;
	}
	return 0;
}

int fileio_atomic_write(struct fileio_atomic_file *af, const void *data, size_t len)
{
	if (write_all(af->fd, data, len) < 0)
		return diag_errno(af->tmp || af->direct ? af->path : "<stdout>", "cannot write");
	return 0;
}

void fileio_atomic_abort(struct fileio_atomic_file *af)
{
	if (af->direct) {
		close(af->fd);
		af->fd = -1;
		af->direct = 0;
		return;
	}
	if (!af->tmp)
		return;
	if (af->fd >= 0)
		close(af->fd);
	unlink(af->tmp);
	free(af->tmp);
	af->tmp = NULL;
	af->fd = -1;
}

int fileio_atomic_commit(struct fileio_atomic_file *af)
{
	int fd = af->fd;

	if (af->direct) {
		af->direct = 0;
		af->fd = -1;
		if (close(fd) < 0)
			return diag_errno(af->path, "cannot write");
		return 0;
	}
	if (!af->tmp) {
		/* stdout: pipes and terminals cannot be synced; a full device fails here */
		if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
			return diag_errno("<stdout>", "cannot write");
		return 0;
	}
	af->fd = -1;
	if ((sync_outputs && fsync(fd) < 0) || close(fd) < 0) {
		int err = errno;

		close(fd);
		unlink(af->tmp);
		free(af->tmp);
		af->tmp = NULL;
		errno = err;
		return diag_errno(af->path, "cannot write");
	}
	if (rename(af->tmp, af->path) < 0) {
		int err = errno;

		unlink(af->tmp);
		free(af->tmp);
		af->tmp = NULL;
		errno = err;
		return diag_errno(af->path, "cannot rename temporary file into place");
	}
	free(af->tmp);
	af->tmp = NULL;
	return 0;
}

int fileio_atomic_write_file(const char *path, const void *data, size_t len)
{
	struct fileio_atomic_file af;

	if (fileio_atomic_open(&af, path) < 0)
		return -1;
	if (fileio_atomic_write(&af, data, len) < 0) {
		fileio_atomic_abort(&af);
		return -1;
	}
	return fileio_atomic_commit(&af);
}
