/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OUTDIR of a batch. Two runs on one OUTDIR would remove each other's half-built
 * devices, so a run holds a lock on it; names are resolved with *at() calls against the
 * directory's descriptor, with O_NOFOLLOW/AT_SYMLINK_NOFOLLOW, so a link placed in
 * OUTDIR (say a ".tmp-x" pointing at /etc) never leads a removal out of it.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY, fdopendir in <fcntl.h>/<dirent.h> */
#include "batchdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "hash.h"

unsigned batchdir_shard_of(const char *id, unsigned n)
{
	uint8_t d[SHA256_LEN];
	uint64_t h = 0;
	int i;

	hash_sha256(id, strlen(id), d);
	for (i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return n > 1 ? (unsigned)(h % n) : 0;
}

static void init(struct batchdir *b, const char *path)
{
	b->path = path;
	b->fd = -1;
	b->lock_fd = -1;
	b->shard_fd = -1;
	b->created = 0;
	b->shard.k = 0;
	b->shard.n = 1;
}

/* Takes @how (LOCK_EX or LOCK_SH) on the file @name of OUTDIR, without waiting; the
 * descriptor, or -1 with a message. */
static int lock_file(struct batchdir *b, const char *name, int how)
{
	int fd = openat(b->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0)
		return diag_errno(b->path, "cannot create %s", name);
	if (flock(fd, how | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			diag_file(b->path, "another esp-mkflash run is using this directory%s",
				  strcmp(name, BATCHDIR_LOCK_NAME) ? " for this shard" : "");
		else
			diag_errno(b->path, "cannot lock %s", name);
		close(fd);
		return -1;
	}
	return fd;
}

/* The lock file of one shard: BATCHDIR_LOCK_NAME-K-of-N. */
static void shard_lock_name(const struct batchdir *b, char *name, size_t size)
{
	snprintf(name, size, "%s-%u-of-%u", BATCHDIR_LOCK_NAME, b->shard.k, b->shard.n);
}

int batchdir_lock(struct batchdir *b, const char *path, const struct batchdir_shard *shard)
{
	char name[64];

	init(b, path);
	if (shard)
		b->shard = *shard;
	if (mkdir(path, 0777) == 0)
		b->created = 1;
	else if (errno != EEXIST)
		return diag_errno(path, "cannot create the output directory");
	b->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->fd < 0) {
		diag_errno(path, "cannot open the output directory");
		goto fail;
	}
	b->lock_fd = lock_file(b, BATCHDIR_LOCK_NAME, b->shard.n > 1 ? LOCK_SH : LOCK_EX);
	if (b->lock_fd < 0) {
		/* the other run's directory, even if this run's mkdir made it first */
		b->created = 0;
		goto fail;
	}
	if (b->shard.n > 1) {
		shard_lock_name(b, name, sizeof(name));
		b->shard_fd = lock_file(b, name, LOCK_EX);
		if (b->shard_fd < 0) {
			b->created = 0;
			goto fail;
		}
	}
	return 0;
fail:
	batchdir_close(b, 1);
	return -1;
}

int batchdir_open_existing(struct batchdir *b, const char *path)
{
	init(b, path);
	b->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->fd < 0 && errno != ENOENT)
		return diag_errno(path, "cannot open the output directory");
	return 0;
}

void batchdir_close(struct batchdir *b, int remove)
{
	char name[64];

	/* a shard removes the lock files only when no other shard holds OUTDIR's lock:
	 * else a third run could lock a new file of that name beside the held one */
	if (remove && b->created && b->fd >= 0 && b->lock_fd >= 0 &&
	    (b->shard.n == 1 || flock(b->lock_fd, LOCK_EX | LOCK_NB) == 0)) {
		if (b->shard_fd >= 0) {
			shard_lock_name(b, name, sizeof(name));
			unlinkat(b->fd, name, 0);
		}
		unlinkat(b->fd, BATCHDIR_LOCK_NAME, 0);
		rmdir(b->path);
	}
	if (b->shard_fd >= 0)
		close(b->shard_fd);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = b->lock_fd = b->shard_fd = -1;
}

/* Whether the leftover temporary @name (BATCHDIR_TEMP_PREFIX "<id>-XXXXXX") is of a
 * device of this run's shard. */
static int own_temp(const struct batchdir *b, const char *name)
{
	const char *id = name + strlen(BATCHDIR_TEMP_PREFIX), *dash = strrchr(id, '-');
	char buf[256];

	if (b->shard.n == 1)
		return 1;
	if (!dash || (size_t)(dash - id) >= sizeof(buf))
		return 0;
	memcpy(buf, id, (size_t)(dash - id));
	buf[dash - id] = '\0';
	return batchdir_shard_of(buf, b->shard.n) == b->shard.k;
}

/* A device's own region in --output-mode regions: "0x<lowercase hex offset>.bin". */
static int region_file(const char *name)
{
	size_t n = strspn(name + (name[0] == '0' && name[1] == 'x' ? 2 : 0), "0123456789abcdef");

	return name[0] == '0' && name[1] == 'x' && n > 0 && n <= 16 &&
	       strcmp(name + 2 + n, ".bin") == 0;
}

/* The names a device build writes into its directory. */
static int device_file(const char *name)
{
	return !strcmp(name, "FLASH.bin") || !strcmp(name, "FLASH.json") ||
	       !strcmp(name, BATCHDIR_FLASH_ARGS_NAME) || region_file(name) ||
	       !strcmp(name, BATCHDIR_KEY_NAME) ||
	       !strcmp(name, BATCHDIR_NVS_KEYS_NAME) || !strcmp(name, BATCHDIR_HMAC_KEY_NAME) ||
	       !strncmp(name, FILEIO_TEMP_PREFIX, strlen(FILEIO_TEMP_PREFIX));
}

/* Directory @name of OUTDIR ("." for OUTDIR itself) opened for reading, never through
 * a link; NULL when there is none. */
static DIR *dir_at(const struct batchdir *b, const char *name)
{
	int fd = openat(b->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dh;

	if (fd < 0)
		return NULL;
	dh = fdopendir(fd);
	if (!dh)
		close(fd);
	return dh;
}

void batchdir_remove_device(const struct batchdir *b, const char *name)
{
	DIR *dh = dir_at(b, name);
	struct dirent *e;

	if (!dh)
		return;
	/* unlinkat() without AT_REMOVEDIR removes a link, never what it points to, and
	 * refuses a directory */
	while ((e = readdir(dh)) != NULL)
		if (device_file(e->d_name))
			unlinkat(dirfd(dh), e->d_name, 0);
	closedir(dh);
	unlinkat(b->fd, name, AT_REMOVEDIR);
}

void batchdir_clean_stale(const struct batchdir *b)
{
	DIR *dh = dir_at(b, ".");
	struct dirent *e;
	struct stat st;

	if (!dh)
		return;
	while ((e = readdir(dh)) != NULL) {
		if (strncmp(e->d_name, BATCHDIR_TEMP_PREFIX, strlen(BATCHDIR_TEMP_PREFIX)) != 0 ||
		    !own_temp(b, e->d_name))
			continue;
		if (fstatat(b->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			diag_warn_at(b->path, 0,
				     "%s is not a directory esp-mkflash made; left as it is",
				     e->d_name);
			continue;
		}
		batchdir_remove_device(b, e->d_name);
	}
	closedir(dh);
}

/* Whether the JSON file at @fd is the FLASH.json of device @id for an image of @bin_size
 * bytes (-1: regions mode, whose image is not on disk). */
static int our_json(int fd, const char *id, long long bin_size)
{
	FILE *f = fdopen(fd, "r");
	json_t *root, *image;
	json_error_t err;
	int ok;

	if (!f) {
		close(fd);
		return 0;
	}
	root = json_loadf(f, 0, &err);
	fclose(f);
	if (!root)
		return 0;
	image = json_object_get(root, "image");
	ok = json_is_string(json_object_get(root, "device_id")) &&
	     strcmp(json_string_value(json_object_get(root, "device_id")), id) == 0 &&
	     json_is_string(json_object_get(root, "build_id")) &&
	     json_is_integer(json_object_get(image, "size")) &&
	     (bin_size < 0 || json_integer_value(json_object_get(image, "size")) == bin_size);
	json_decref(root);
	return ok;
}

/* Whether directory @name of OUTDIR is what a device build of @id left: FLASH.bin and
 * FLASH.json (and the keys it generated), regular files, nothing else, the JSON
 * describing that image; or in regions mode flash_args, FLASH.json, the keys and the
 * device's region files (0x<offset>.bin). */
static int our_device_dir(const struct batchdir *b, const char *name, const char *id)
{
	static const char *const keys[] = {BATCHDIR_KEY_NAME, BATCHDIR_NVS_KEYS_NAME,
					   BATCHDIR_HMAC_KEY_NAME};
	DIR *dh = dir_at(b, name);
	size_t k;
	struct stat bin, js, key;
	size_t want = 2;
	struct dirent *e;
	size_t entries = 0;
	int fd, jfd, ok = 0, regions = 0;

	if (!dh)
		return 0;
	fd = dirfd(dh);
	if (fstatat(fd, "FLASH.bin", &bin, AT_SYMLINK_NOFOLLOW) < 0) {
		/* regions mode: flash_args in FLASH.bin's place, the image's size not on disk */
		if (fstatat(fd, BATCHDIR_FLASH_ARGS_NAME, &bin, AT_SYMLINK_NOFOLLOW) < 0)
			goto out;
		regions = 1;
	}
	if (!S_ISREG(bin.st_mode) || fstatat(fd, "FLASH.json", &js, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(js.st_mode) || js.st_size > (1 << 20))
		goto out;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (fstatat(fd, keys[k], &key, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(key.st_mode))
			goto out;
		want++;
	}
	jfd = openat(fd, "FLASH.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (jfd < 0 || !our_json(jfd, id, regions ? -1 : (long long)bin.st_size))
		goto out;
	while ((e = readdir(dh)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		entries++;
		if (regions && region_file(e->d_name)) {
			if (fstatat(fd, e->d_name, &key, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(key.st_mode))
				goto out;
			want++;
		}
	}
	ok = entries == want;
out:
	closedir(dh);
	return ok;
}

int batchdir_check_id(const struct batchdir *b, const char *id, const char *file, unsigned line)
{
	struct stat st;

	if (b->fd < 0)
		return 0;
	if (fstatat(b->fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return diag_errno(b->path, "cannot look up %s", id);
	}
	if (S_ISDIR(st.st_mode) && our_device_dir(b, id, id))
		return 0;
	return diag_at(file, line,
		       "device id '%s': %s/%s exists and is not this device's output of an "
		       "earlier esp-mkflash run; it is left as it is (rename it, or use another "
		       "OUTDIR)",
		       id, b->path, id);
}

char *batchdir_path(const struct batchdir *b, const char *name)
{
	size_t n = strlen(b->path) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", b->path, name);
	return p;
}

int batchdir_write_indexes(const struct batchdir *b, const char *iname, const struct buf *index,
			   const char *kname, const struct buf *keys)
{
	struct fileio_atomic_file f[2];
	char *path = batchdir_path(b, iname), *kpath = batchdir_path(b, kname);
	size_t i, n = 0;
	int rc = -1;

	if (!path || !kpath) {
		diag_error("out of memory");
		goto out;
	}
	if (fileio_atomic_open(&f[0], path) < 0)
		goto out;
	n = 1;
	if (fileio_atomic_write(&f[0], index->data, index->len) < 0)
		goto out;
	if (keys->len) {
		if (fileio_atomic_open(&f[1], kpath) < 0)
			goto out;
		n = 2;
		if (fileio_atomic_write(&f[1], keys->data, keys->len) < 0)
			goto out;
	} else if (unlinkat(b->fd, kname, 0) < 0 && errno != ENOENT) {
		diag_errno(kpath, "cannot remove an earlier run's key index");
		goto out;
	}
	rc = fileio_atomic_commit_all(f, n);
	n = 0;
out:
	for (i = 0; i < n; i++)
		fileio_atomic_abort(&f[i]);
	free(path);
	free(kpath);
	return rc;
}
