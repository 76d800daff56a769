/* SPDX-License-Identifier: Apache-2.0 */
/* fileio_read limits and fileio_atomic_write_file: all or nothing, the umask honoured,
 * long names, no temporary left behind when a signal kills the writer, and a held
 * signal taking effect only after the step it waited for. */
#include "fileio.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"

/* Entries of @dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* A child starts writing @path, then @sig kills it: it must die of @sig and leave
 * nothing in @dir (which is empty before). */
static void check_killed_writer(const char *dir, const char *path, int sig)
{
	struct fileio_atomic_file af;
	int status = 0;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		if (fileio_atomic_open(&af, path) < 0 || fileio_atomic_write(&af, "partial", 7) < 0)
			_exit(3);
		raise(sig);
		_exit(4); /* not reached: the handler re-raises with the default action */
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig);
	CHECK(count_entries(dir) == 0);
}

/* A child holds the signals, gets @sig, finishes writing @path whole, releases: it dies
 * of @sig only then, and @path is complete. */
static void check_held_signal(const char *path, int sig)
{
	struct fileio_atomic_file af;
	struct buf b = BUF_INIT;
	sigset_t saved;
	int status = 0;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		fileio_signals_hold(&saved);
		raise(sig);
		if (fileio_atomic_open(&af, path) < 0 || fileio_atomic_write(&af, "whole", 5) < 0 ||
		    fileio_atomic_commit(&af) < 0)
			_exit(3);
		fileio_signals_release(&saved);
		_exit(4); /* not reached: the held signal kills it on release */
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig);
	CHECK(fileio_read(path, 100, &b) == 0 && b.len == 5 && memcmp(b.data, "whole", 5) == 0);
	buf_free(&b);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/espgen-fileio-XXXXXX", path[256], bad[300];
	struct buf b = BUF_INIT;

	diag_set_program("test_fileio");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.bin", dir);

	CHECK(fileio_atomic_write_file(path, "hello", 5) == 0);
	CHECK(fileio_read(path, 100, &b) == 0 && b.len == 5 && memcmp(b.data, "hello", 5) == 0);
	/* one block of the file's size (+1 to see EOF): no second allocation, so no stray
	 * copy of a key file is left in freed memory */
	CHECK(b.cap == 6);
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

	/* the mode a plain creat(0666) would give, from the umask read at start-up */
	{
		struct stat st;
		mode_t mask = umask(0);

		umask(mask);
		CHECK(fileio_umask() == mask);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask));
		/* a private file (a key) replacing a readable one is 0600 */
		CHECK(fileio_atomic_write_file_mode(path, "key", 3, 0600) == 0);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0600 & ~mask));
	}
	unlink(path);

	/* SIGINT, SIGTERM and SIGHUP remove the temporary before the process dies */
	check_killed_writer(dir, path, SIGINT);
	check_killed_writer(dir, path, SIGTERM);
	check_killed_writer(dir, path, SIGHUP);
	check_held_signal(path, SIGINT);
	check_held_signal(path, SIGHUP);
	CHECK(count_entries(dir) == 0);

	/* a target name of NAME_MAX (255) bytes still gets a temporary beside it */
	{
		char longname[600];
		size_t n = (size_t)snprintf(longname, sizeof(longname), "%s/", dir);

		memset(longname + n, 'a', 255);
		longname[n + 255] = '\0';
		CHECK(fileio_atomic_write_file(longname, "long", 4) == 0);
		CHECK(fileio_read(longname, 100, &b) == 0 && b.len == 4);
		buf_free(&b);
		CHECK(count_entries(dir) == 1);
		unlink(longname);
	}

	rmdir(dir);
	return check_status();
}
