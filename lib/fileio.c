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

int atomic_write_file(const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	const char *what = "cannot create temporary file";
	mode_t mask;
	int fd = -1;
	size_t plen;

	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len) < 0 || fsync(STDOUT_FILENO) < 0) {
			if (errno != EINVAL && errno != EROFS)
				return diag_file("<stdout>", "cannot write: %s", strerror(errno));
		}
		return 0;
	}

	plen = strlen(path);
	tmp = malloc(plen + sizeof(".tmpXXXXXX"));
	if (!tmp)
		return diag_error("out of memory");
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
	fd = -1;
	what = "cannot rename temporary file into place";
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
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
	return -1;
}
