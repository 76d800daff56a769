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

		if (buf_reserve(out, 65536) < 0)
			return -1;
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return diag_file(path, "cannot read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len - start > max)
			return diag_file(path, "file is larger than the limit of %zu bytes", max);
	}
	return 0;
}

int read_file(const char *path, size_t max, struct buf *out)
{
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "<stdin>", max, out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_file(path, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return diag_file(path, "is a directory");
	}
	rc = read_fd(fd, path, max, out);
	close(fd);
	return rc;
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

/* Writes @data to a new temporary file beside @path; returns its malloc'd name or NULL. */
static char *atomic_prepare(const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	const char *what = "cannot create temporary file";
	mode_t mask;
	int fd = -1;
	size_t plen;

	plen = strlen(path);
	tmp = malloc(plen + sizeof(".tmpXXXXXX"));
	if (!tmp) {
		diag_error("out of memory");
		return NULL;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmpXXXXXX", sizeof(".tmpXXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail_nounlink;
	/* mkstemp makes 0600; give the file the mode a plain creat(0666) would. */
	mask = umask(0);
	umask(mask);
	what = "cannot write";
	if (fchmod(fd, 0666 & ~mask) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return tmp;
fail: {
	int err = errno;

	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
}
fail_nounlink:
	diag_file(path, "%s: %s", what, strerror(errno));
	free(tmp);
	return NULL;
}

static int atomic_commit(char *tmp, const char *path)
{
	int rc = 0;

	if (rename(tmp, path) < 0) {
		rc = diag_file(path, "cannot rename temporary file into place: %s", strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int atomic_write_file(const char *path, const void *data, size_t len)
{
	char *tmp;

	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len) < 0)
			return diag_file("<stdout>", "cannot write: %s", strerror(errno));
		/* pipes and terminals cannot be synced; a full device fails here */
		if (fsync(STDOUT_FILENO) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
			return diag_file("<stdout>", "cannot write: %s", strerror(errno));
		return 0;
	}
	tmp = atomic_prepare(path, data, len);
	if (!tmp)
		return -1;
	return atomic_commit(tmp, path);
}

int atomic_write_pair(const char *path1, const void *data1, size_t len1, const char *path2,
		      const void *data2, size_t len2)
{
	char *tmp1, *tmp2;

	tmp1 = atomic_prepare(path1, data1, len1);
	if (!tmp1)
		return -1;
	tmp2 = atomic_prepare(path2, data2, len2);
	if (!tmp2) {
		unlink(tmp1);
		free(tmp1);
		return -1;
	}
	if (atomic_commit(tmp1, path1) < 0) {
		unlink(tmp2);
		free(tmp2);
		return -1;
	}
	return atomic_commit(tmp2, path2);
}
