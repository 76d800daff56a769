/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp-mkflash --merge-index: the indexes of a sharded batch (index-K-of-N.csv, one per
 * shard, all in OUTDIR) into the index.csv one unsharded run writes. A shard can die,
 * run twice or run with another N; the merge therefore trusts no index: every device
 * of the devices CSV must be named exactly once, and its FLASH.bin must hash to what
 * the index says, before index.csv appears.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "batchdir.h"
#include "devices.h"
#include "diag.h"
#include "hash.h"

/* Problems reported one by one; past this many only counted. */
#define MERGE_MAX_REPORTED 20

/* One line of a shard's index or key index, split in place. */
struct entry {
	const char *id;
	const char *rest; /* the fields after the id */
	size_t file;	  /* which index (struct merge.names) */
	unsigned line;
	size_t seq; /* order of reading: keeps a device's key lines in order */
};

struct merge {
	const struct batchdir *dir;
	const struct devices *d;
	char **names; /* the shard index files read: OUTDIR/<name> */
	struct buf *texts;
	size_t nfiles;
	struct entry *e;
	size_t ne, cap;
	size_t problems;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Counts a problem; reports the first MERGE_MAX_REPORTED. */
static void problem(struct merge *m, const char *file, unsigned line, const char *fmt, ...)
	DIAG_PRINTF(4, 5);
static void problem(struct merge *m, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (m->problems++ >= MERGE_MAX_REPORTED)
		return;
	va_start(ap, fmt);
	diag_vat(file, line, fmt, ap);
	va_end(ap);
}

/* Reads @name, OUTDIR/<leaf> (at most 1 GiB: a million lines of ~120 bytes fit), into
 * @text. */
static int read_at(const struct merge *m, const char *name, struct buf *text)
{
	int fd = openat(m->dir->fd, name + strlen(m->dir->path) + 1,
			O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return diag_errno(name, "cannot open");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (text->len + (size_t)n > (1u << 30) || buf_append(text, chunk, (size_t)n) < 0) {
			close(fd);
			return diag_file(name, "too large or out of memory");
		}
	close(fd);
	if (n < 0)
		return diag_errno(name, "cannot read");
	return buf_append(text, "", 1);
}

/* The lines of @text (file @f, a shard index beginning with @header) as entries. */
static int split_lines(struct merge *m, size_t f, const char *header)
{
	char *p = (char *)m->texts[f].data, *nl;
	unsigned line = 1;

	if (strncmp(p, BATCHDIR_REGIONS_INDEX_HEADER, strlen(BATCHDIR_REGIONS_INDEX_HEADER)) == 0)
		return diag_at(m->names[f], 1,
			       "a shard index of --output-mode regions: --merge-index merges "
			       "shards of --output-mode image only");
	if (strncmp(p, header, strlen(header)) != 0)
		return diag_at(m->names[f], 1, "not a shard index: the first line is not %.*s",
			       (int)strlen(header) - 1, header);
	p += strlen(header);
	for (; *p; p = nl + 1) {
		char *comma;

		line++;
		nl = strchr(p, '\n');
		comma = strchr(p, ',');
		if (!nl || !comma || comma > nl)
			return diag_at(m->names[f], line, "not a line of a shard index");
		*nl = *comma = '\0';
		if (m->ne == m->cap) {
			size_t cap = m->cap ? 2 * m->cap : 1024;
			struct entry *v = realloc(m->e, cap * sizeof(*v));

			if (!v)
				return diag_error("out of memory");
			m->e = v;
			m->cap = cap;
		}
		m->e[m->ne] = (struct entry){p, comma + 1, f, line, m->ne};
		m->ne++;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every "<stem>-K-of-N.csv" of OUTDIR, in name order, as entries. */
static int read_indexes(struct merge *m, const char *stem, const char *header)
{
	int fd = openat(m->dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	struct buf *texts;
	size_t i, first = m->nfiles;

	if (!dh) {
		if (fd >= 0)
			close(fd);
		return diag_errno(m->dir->path, "cannot list the output directory");
	}
	while ((de = readdir(dh)) != NULL) {
		char **v;

		if (!devices_shard_name(de->d_name, stem, NULL, NULL))
			continue;
		v = realloc(m->names, (m->nfiles + 1) * sizeof(*v));
		if (v)
			m->names = v;
		if (!v || !(m->names[m->nfiles] = batchdir_path(m->dir, de->d_name))) {
			closedir(dh);
			return diag_error("out of memory");
		}
		m->nfiles++;
	}
	closedir(dh);
	if (m->nfiles == first)
		return 0;
	qsort(m->names + first, m->nfiles - first, sizeof(*m->names), name_cmp);
	texts = realloc(m->texts, m->nfiles * sizeof(*texts));
	if (!texts)
		return diag_error("out of memory");
	m->texts = texts;
	for (i = first; i < m->nfiles; i++)
		m->texts[i] = (struct buf)BUF_INIT;
	for (i = first; i < m->nfiles; i++) {
		if (read_at(m, m->names[i], &m->texts[i]) < 0 || split_lines(m, i, header) < 0)
			return -1;
	}
	return 0;
}

/* Whether OUTDIR/@id/FLASH.bin hashes to @sha (hex) and FLASH.json is beside it; else
 * the problem as a short phrase in @why. */
static int complete(const struct merge *m, const char *id, const char *sha, const char **why)
{
	int dfd = openat(m->dir->fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = -1, ok = 0;
	struct hash_sha256_ctx ctx;
	uint8_t d[SHA256_LEN], chunk[1 << 16];
	char hex[2 * SHA256_LEN + 1];
	struct stat st;
	ssize_t n;

	*why = "has no output directory";
	if (dfd < 0)
		return 0;
	*why = "has no FLASH.json";
	if (fstatat(dfd, "FLASH.json", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		goto out;
	*why = "has no FLASH.bin";
	fd = openat(dfd, "FLASH.bin", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto out;
	hash_sha256_begin(&ctx);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		hash_sha256_update(&ctx, chunk, (size_t)n);
	hash_sha256_end(&ctx, d);
	ascii_hex_encode(d, SHA256_LEN, hex);
	*why = "has a FLASH.bin whose SHA-256 is not the index's";
	ok = n == 0 && strncmp(hex, sha, 2 * SHA256_LEN) == 0 && sha[2 * SHA256_LEN] == ',';
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return ok;
}

/* The entries of @id (a sorted run of m->e from @at), or 0 of them. */
static size_t run_of(const struct merge *m, size_t lo, const char *id, size_t *at)
{
	size_t hi = m->ne, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->e[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	while (lo + n < m->ne && strcmp(m->e[lo + n].id, id) == 0)
		n++;
	return n;
}

/* index.csv: every device in the devices CSV's order, each once and complete. */
static int merge_index(struct merge *m, struct buf *out, unsigned char *used)
{
	size_t i, at, n;
	const char *why;

	if (buf_puts(out, BATCHDIR_INDEX_HEADER) < 0)
		return -1;
	for (i = 0; i < m->d->n; i++) {
		const char *id = devices_id(m->d, i);
		const struct entry *e;
		char want[300];

		n = run_of(m, 0, id, &at);
		e = n ? &m->e[at] : NULL;
		if (n == 0) {
			problem(m, m->d->file, m->d->rows[i].line, "device %s is in no shard index",
				id);
			continue;
		}
		memset(used + at, 1, n);
		if (n > 1) {
			problem(m, m->names[e[1].file], e[1].line, "device %s is also in %s", id,
				m->names[e[0].file]);
			continue;
		}
		snprintf(want, sizeof(want), "%s/FLASH.bin,", id);
		if (strncmp(e->rest, want, strlen(want)) != 0) {
			problem(m, m->names[e->file], e->line,
				"device %s: the file is not %s/FLASH.bin", id, id);
			continue;
		}
		if (!complete(m, id, e->rest + strlen(want), &why)) {
			problem(m, m->names[e->file], e->line, "device %s %s", id, why);
			continue;
		}
		if (buf_printf(out, "%s,%s\n", id, e->rest) < 0)
			return -1;
	}
	for (i = 0; i < m->ne; i++)
		if (!used[i])
			problem(m, m->names[m->e[i].file], m->e[i].line,
				"device %s is not in %s", m->e[i].id, m->d->file);
	return 0;
}

/* keys.csv: the shards' key lines, device by device in the devices CSV's order. */
static int merge_keys(struct merge *m, struct buf *out)
{
	size_t i, k, at, n;

	if (!m->ne)
		return 0;
	qsort(m->e, m->ne, sizeof(*m->e), entry_cmp);
	if (buf_puts(out, BATCHDIR_KEYS_HEADER) < 0)
		return -1;
	for (i = 0; i < m->d->n; i++) {
		const char *id = devices_id(m->d, i);

		n = run_of(m, 0, id, &at);
		for (k = 0; k < n; k++)
			if (buf_printf(out, "%s,%s\n", id, m->e[at + k].rest) < 0)
				return -1;
	}
	return 0;
}

static void merge_free(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		free(m->names[i]);
		buf_free(&m->texts[i]);
	}
	free(m->names);
	free(m->texts);
	free(m->e);
	m->names = NULL;
	m->texts = NULL;
	m->e = NULL;
	m->nfiles = m->ne = m->cap = 0;
}

static int merge_all(struct merge *m, struct buf *index, struct buf *keys)
{
	unsigned char *used;
	int rc;

	if (read_indexes(m, "index", BATCHDIR_INDEX_HEADER) < 0)
		return -1;
	if (m->nfiles == 0)
		return diag_file(m->dir->path, "holds no shard index (index-K-of-N.csv)");
	if (m->ne)
		qsort(m->e, m->ne, sizeof(*m->e), entry_cmp);
	used = calloc(m->ne ? m->ne : 1, 1);
	if (!used)
		return diag_error("out of memory");
	rc = merge_index(m, index, used);
	free(used);
	if (rc < 0)
		return diag_error("out of memory");
	if (m->problems) {
		if (m->problems > MERGE_MAX_REPORTED)
			diag_error("... %zu more", m->problems - MERGE_MAX_REPORTED);
		return diag_file(m->dir->path,
				 "%zu problem%s in the shard indexes; no index.csv written",
				 m->problems, m->problems == 1 ? "" : "s");
	}
	merge_free(m);
	/* key lines name devices already checked above: only their order is made here */
	if (read_indexes(m, "keys", BATCHDIR_KEYS_HEADER) < 0 || merge_keys(m, keys) < 0)
		return -1;
	return 0;
}

int batch_merge_index(const char *devices, const char *outdir)
{
	struct devices d;
	struct batchdir dir;
	struct merge m;
	struct buf index = BUF_INIT, keys = BUF_INIT;
	struct stat st;
	int rc = -1, locked = 0;

	memset(&d, 0, sizeof(d));
	memset(&m, 0, sizeof(m));
	if (devices_load(devices, &d) < 0)
		goto out;
	if (stat(outdir, &st) < 0) {
		diag_errno(outdir, "cannot use the output directory");
		goto out;
	}
	if (batchdir_lock(&dir, outdir, NULL) < 0)
		goto out;
	locked = 1;
	m.dir = &dir;
	m.d = &d;
	if (merge_all(&m, &index, &keys) < 0)
		goto out;
	rc = batchdir_write_indexes(&dir, DEVICES_INDEX_NAME, &index, DEVICES_KEYS_NAME, &keys);
out:
	if (locked)
		batchdir_close(&dir, 0);
	merge_free(&m);
	buf_free(&index);
	buf_free(&keys);
	devices_free(&d);
	return rc;
}
