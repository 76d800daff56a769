/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

static int read_fd(int fd, const char *path, size_t max, struct buf *out)
{
	size_t start = out->len;
	/* one byte past the limit is enough to tell the input is too large: the buffer
	 * never grows beyond it (a FIFO or /dev/zero is not read into twice the limit) */
	size_t limit = max < SIZE_MAX - start - 1 ? start + max + 1 : SIZE_MAX;

	for (;;) {
		size_t room;
		ssize_t n;

		/* grow only when full: a regular file read into the block reserved for its
		 * size meets EOF without another allocation (nor a copy of a secret) */
		if (out->len == out->cap) {
			size_t want = out->cap ? out->cap * 2 : 65536;
			uint8_t *p;

			if (want > limit || want < out->cap)
				want = limit;
			p = realloc(out->data, want);
			if (!p)
				return diag_error("out of memory");
			out->data = p;
			out->cap = want;
		}
		room = out->cap - out->len;
		if (room > limit - out->len)
			room = limit - out->len;
		n = read(fd, out->data + out->len, room);
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
	/* one allocation of exactly the size of a regular file (the +1 sees EOF) */
	if (S_ISREG(st.st_mode) && out->cap - out->len < (size_t)st.st_size + 1) {
		uint8_t *p = realloc(out->data, out->len + (size_t)st.st_size + 1);

		if (!p) {
			close(fd);
			diag_error("out of memory");
			return read_failed(out, start);
		}
		out->data = p;
		out->cap = out->len + (size_t)st.st_size + 1;
		buf_hint_large(p, out->cap);
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

/*
 * The process umask, read once before main() runs and so before any thread exists:
 * umask() can only be read by setting it, and a umask(0)/umask(m) pair racing with
 * another thread's would leave the process at 0 (world-writable outputs).
 */
static mode_t process_umask;

__attribute__((constructor)) static void read_umask(void)
{
	process_umask = umask(0);
	umask(process_umask);
}

mode_t fileio_umask(void)
{
	return process_umask;
}

/*
 * Temporaries being written, for the signal handler: a list of nodes that only grows
 * (to the most files ever written at once) and whose nodes are reused, so the handler
 * can walk it without locks while other threads claim and release nodes. A node's path
 * is valid only while its state is TEMP_LIVE.
 */
enum { TEMP_FREE, TEMP_CLAIMED, TEMP_LIVE };

struct temp_node {
	struct temp_node *next;
	atomic_int state;
	char path[PATH_MAX];
};

static _Atomic(struct temp_node *) temp_head;
static pthread_once_t temp_handlers_once = PTHREAD_ONCE_INIT;
static const int temp_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* Removes every live temporary, then dies of @sig as if no handler were installed
 * (the handler is reset on entry, so the re-raised signal takes its default action
 * once the handler returns). Only async-signal-safe calls. */
static void temp_on_signal(int sig)
{
	struct temp_node *n;
	int saved = errno;

	for (n = atomic_load(&temp_head); n; n = n->next)
		if (atomic_load(&n->state) == TEMP_LIVE)
			unlink(n->path);
	raise(sig);
	errno = saved;
}

static void temp_install_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = temp_on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(temp_signals) / sizeof(temp_signals[0]); i++) {
		/* a signal the caller ignores (nohup) or handles itself stays as it is */
		if (sigaction(temp_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(temp_signals[i], &sa, NULL);
	}
}

void fileio_signals_hold(sigset_t *saved)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(temp_signals) / sizeof(temp_signals[0]); i++)
		sigaddset(&set, temp_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, saved);
}

void fileio_signals_release(const sigset_t *saved)
{
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static struct temp_node *temp_claim(void)
{
	struct temp_node *n;
	int expect;

	pthread_once(&temp_handlers_once, temp_install_handlers);
	for (n = atomic_load(&temp_head); n; n = n->next) {
		expect = TEMP_FREE;
		if (atomic_compare_exchange_strong(&n->state, &expect, TEMP_CLAIMED))
			return n;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	atomic_init(&n->state, TEMP_CLAIMED);
	n->next = atomic_load(&temp_head);
	while (!atomic_compare_exchange_weak(&temp_head, &n->next, n))
		;
	return n;
}

static void temp_release(struct temp_node *n)
{
	atomic_store(&n->state, TEMP_FREE);
}

/* Name of the temporary for @path: ".espgen-XXXXXX" in @path's directory. Short, so
 * that a target name of up to NAME_MAX bytes still has a temporary beside it; hidden,
 * and apart from the names batches use for their directories. */
static int temp_name(const char *path, char *out, size_t size)
{
	static const char leaf[] = FILEIO_TEMP_PREFIX "XXXXXX";
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;

	if (dlen + sizeof(leaf) > size)
		return -1;
	memcpy(out, path, dlen);
	memcpy(out + dlen, leaf, sizeof(leaf));
	return 0;
}

int fileio_atomic_open(struct fileio_atomic_file *af, const char *path)
{
	return fileio_atomic_open_mode(af, path, 0666);
}

int fileio_atomic_open_mode(struct fileio_atomic_file *af, const char *path, mode_t mode)
{
	struct stat st;

	af->path = path;
	af->tmp = NULL;
	af->node = NULL;
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
	af->node = temp_claim();
	if (!af->node)
		return diag_error("out of memory");
	if (temp_name(path, af->node->path, sizeof(af->node->path)) < 0) {
		temp_release(af->node);
		af->node = NULL;
		return diag_file(path, "cannot create temporary file: the path is too long");
	}
	/* live before mkstemp() fills in the name: a signal in between unlinks, at worst,
	 * a name that does not exist yet */
	atomic_store(&af->node->state, TEMP_LIVE);
	af->fd = mkstemp(af->node->path);
	if (af->fd < 0) {
		diag_errno(path, "cannot create temporary file");
		temp_release(af->node);
		af->node = NULL;
		return -1;
	}
	af->tmp = af->node->path;
	/* mkstemp makes 0600; give the file the mode a plain creat(mode) would. */
	if (fchmod(af->fd, mode & ~process_umask) < 0) {
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
	temp_release(af->node);
	af->node = NULL;
	af->tmp = NULL;
	af->fd = -1;
}

/* Removes the temporary of @af (closed already) and forgets it. */
static void temp_drop(struct fileio_atomic_file *af)
{
	unlink(af->tmp);
	temp_release(af->node);
	af->node = NULL;
	af->tmp = NULL;
}

/* Stdout or a device written in place: nothing to rename, only errors to see. */
static int commit_in_place(struct fileio_atomic_file *af)
{
	int fd = af->fd;

	af->fd = -1;
	if (af->direct) {
		af->direct = 0;
		if (close(fd) < 0)
			return diag_errno(af->path, "cannot write");
		return 0;
	}
	/* stdout: pipes and terminals cannot be synced; a full device fails here */
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
		return diag_errno("<stdout>", "cannot write");
	return 0;
}

/* The first half of a commit: the temporary synced and closed, its target one that a
 * rename can replace. On failure the temporary is removed. */
static int temp_finish(struct fileio_atomic_file *af)
{
	int fd = af->fd, err;
	struct stat st;

	af->fd = -1;
	if ((sync_outputs && fsync(fd) < 0) || close(fd) < 0) {
		err = errno;
		close(fd);
		temp_drop(af);
		errno = err;
		return diag_errno(af->path, "cannot write");
	}
	/* rename() cannot replace a directory: found before any file of a set is renamed */
	if (lstat(af->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		temp_drop(af);
		errno = EISDIR;
		return diag_errno(af->path, "cannot rename temporary file into place");
	}
	return 0;
}

int fileio_atomic_commit_all(struct fileio_atomic_file *af, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if (af[i].tmp ? temp_finish(&af[i]) < 0 : commit_in_place(&af[i]) < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!af[i].tmp)
			continue;
		if (rename(af[i].tmp, af[i].path) < 0) {
			err = errno;
			temp_drop(&af[i]);
			errno = err;
			diag_errno(af[i].path, "cannot rename temporary file into place");
			goto fail;
		}
		temp_release(af[i].node);
		af[i].node = NULL;
		af[i].tmp = NULL;
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		fileio_atomic_abort(&af[i]);
	return -1;
}

int fileio_atomic_commit(struct fileio_atomic_file *af)
{
	return fileio_atomic_commit_all(af, 1);
}

int fileio_atomic_write_file(const char *path, const void *data, size_t len)
{
	return fileio_atomic_write_file_mode(path, data, len, 0666);
}

int fileio_atomic_write_file_mode(const char *path, const void *data, size_t len, mode_t mode)
{
	struct fileio_atomic_file af;

	if (fileio_atomic_open_mode(&af, path, mode) < 0)
		return -1;
	if (fileio_atomic_write(&af, data, len) < 0) {
		fileio_atomic_abort(&af);
		return -1;
	}
	return fileio_atomic_commit(&af);
}

char *fileio_path_join(const char *dir, const char *rel)
{
	size_t dl = strlen(dir), rl = strlen(rel);
	char *p;

	if (rel[0] == '/' || dl == 0)
		return strdup(rel);
	p = malloc(dl + rl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, rel, rl + 1);
	return p;
}
