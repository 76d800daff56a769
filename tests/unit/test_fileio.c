/* fileio_read limits and fileio_atomic_write_file: all or nothing. */
#include "fileio.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"

int main(void)
{
	char dir[] = "/tmp/espgen-fileio-XXXXXX", path[256], bad[300];
	struct buf b = BUF_INIT;

	diag_set_program("test_fileio");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.bin", dir);

	CHECK(fileio_atomic_write_file(path, "hello", 5) == 0);
	CHECK(fileio_read(path, 100, &b) == 0 && b.len == 5 && memcmp(b.data, "hello", 5) == 0);
	buf_free(&b);
	CHECK(fileio_read(path, 4, &b) < 0); /* over the limit */
	CHECK(b.data == NULL && b.len == 0); /* nothing kept: no leak in callers (valgrind) */
	CHECK(buf_append(&b, "ab", 2) == 0);
	CHECK(fileio_read(path, 4, &b) < 0 && b.len == 2); /* what was there stays */
	buf_free(&b);
	CHECK(fileio_read(dir, 100, &b) < 0); /* a directory */
	buf_free(&b);

	/* a failed write (missing directory) creates nothing */
	snprintf(bad, sizeof(bad), "%s/missing/out.bin", dir);
	CHECK(fileio_atomic_write_file(bad, "x", 1) < 0);
	CHECK(access(bad, F_OK) != 0);

	/* replacing keeps the new content only */
	CHECK(fileio_atomic_write_file(path, "bye", 3) == 0);
	CHECK(fileio_read(path, 100, &b) == 0 && b.len == 3 && memcmp(b.data, "bye", 3) == 0);
	buf_free(&b);
	CHECK(fileio_atomic_write_file(path, "", 0) == 0);
	CHECK(fileio_read(path, 100, &b) == 0 && b.len == 0);
	buf_free(&b);

	/* a device or FIFO target is written in place, never replaced by a file */
	{
		char fifo[300];
		struct stat st;
		char got[8] = {0};
		int rd;

		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		CHECK(mkfifo(fifo, 0600) == 0);
		rd = open(fifo, O_RDONLY | O_NONBLOCK);
		CHECK(rd >= 0);
		CHECK(fileio_atomic_write_file(fifo, "pipe", 4) == 0);
		CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
		CHECK(read(rd, got, sizeof(got)) == 4 && memcmp(got, "pipe", 4) == 0);
		close(rd);
		unlink(fifo);
		if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
			CHECK(fileio_atomic_write_file("/dev/full", "x", 1) < 0);
			CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
		}
	}

	unlink(path);
	rmdir(dir);
	return check_status();
}
