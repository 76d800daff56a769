/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-device batches: one factory image per row of a devices CSV, the manifest's
 * NVS CSVs filled from the row's ${column} values. What all devices share is built
 * once (factory_load); devices are built in parallel, each into a hidden temporary
 * directory renamed into place whole, so an interrupted run leaves only complete
 * device outputs. OUTDIR itself is batchdir.c's: its lock and what may be replaced.
 */
#define _GNU_SOURCE /* renameat2, syncfs */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_progress.h"
#include "batch_resume.h"
#include "batchdir.h"
#include "depfile.h"
#include "devices.h"
#include "diag.h"
#include "factory.h"
#include "fileio.h"
#include "flashenc.h"
#include "secret.h"

/* A row that failed its check, with what it printed. */
struct bad_row {
	size_t row;
	struct buf messages;
};

struct job {
	const struct factory *f;
	struct factory *factory; /* the same, for what is done once before the builds */
	const struct devices *d;
	const struct batchdir *dir;
	int keep_going;
	int want_deps;
	int checking; /* rows are checked (factory_check), not built */
	int keygen;   /* a flash-encryption key made per device */
	int regions;  /* --output-mode regions */
	struct batchdir_shard shard;
	struct batch_resume resume;
	struct batch_progress progress;
	unsigned char *mine; /* per row: the device is in this run's shard; NULL: all are */
	size_t nmine;
	pthread_mutex_t lock;
	size_t next;
	int stop;
	int failed_alloc;
	/* checking: the rows that failed, in the order found */
	struct bad_row *bad;
	size_t nbad;
	/* building: one result per row */
	struct result {
		int done;
		int ok;
		int fresh; /* 1: up to date, not built; -1: to build; 0: not known yet */
		struct factory_result res;
		struct buf messages;
		struct depfile deps; /* files read for this device alone */
	} *results;
};

static char *path2(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
	return p;
}

/* A new flash-encryption key for a device, into @key and the file @path (0600). The
 * bytes only ever go to that file. */
static int new_key(const struct job *j, const char *path, struct flashenc_key *key)
{
	const struct chip *chip = factory_chip(j->f);
	uint8_t bytes[FLASHENC_MAX_KEY];
	size_t len = flashenc_keygen_len(chip, 0);
	int rc = -1;

	if (len && flashenc_keygen(bytes, len) == 0 &&
	    flashenc_key_from_bytes(chip, path, bytes, len, key) == 0 &&
	    fileio_atomic_write_file_mode(path, bytes, len, 0600) == 0)
		rc = 0;
	secret_wipe(bytes, sizeof(bytes));
	return rc;
}

/* Builds device @i in a temporary directory of OUTDIR, records its action key in its
 * FLASH.json and renames the directory into place whole. */
static int build_device(struct job *j, size_t i, const struct content_device *dev,
			struct result *res)
{
	const char *outdir = j->dir->path;
	const char *gen = factory_generated_keys(j->f);
	char *tmpl = NULL, *bin = NULL, *json = NULL, *keyfile = NULL, *nvskeys = NULL, *leaf;
	struct flashenc_key key;
	int rc = -1;

	memset(&key, 0, sizeof(key));
	tmpl = malloc(strlen(outdir) + strlen(dev->id) + 16);
	if (!tmpl)
		return diag_error("out of memory");
	sprintf(tmpl, "%s/" BATCHDIR_TEMP_PREFIX "%s-XXXXXX", outdir, dev->id);
	leaf = tmpl + strlen(outdir) + 1;
	if (!mkdtemp(tmpl)) {
		diag_errno(outdir, "cannot create a directory");
		free(tmpl);
		return -1;
	}
	/* mkdtemp makes 0700; a device directory gets the mode mkdir(0777) would */
	if (fchmodat(j->dir->fd, leaf, 0777 & ~fileio_umask(), 0) < 0) {
		diag_errno(tmpl, "cannot set the mode");
		goto out;
	}
	bin = path2(tmpl, "FLASH.bin", NULL);
	json = path2(tmpl, "FLASH.json", NULL);
	keyfile = path2(tmpl, BATCHDIR_KEY_NAME, NULL);
	/* generated NVS keys: nvs_keys.bin or hmac_key.bin, committed with the device */
	if (gen)
		nvskeys = path2(tmpl,
				strcmp(gen, "hmac_key") == 0 ? BATCHDIR_HMAC_KEY_NAME
							     : BATCHDIR_NVS_KEYS_NAME,
				NULL);
	if (!bin || !json || !keyfile || (gen && !nvskeys)) {
		diag_error("out of memory");
		goto out;
	}
	if (j->keygen && new_key(j, keyfile, &key) < 0)
		goto out;
	if ((j->regions ? factory_build_regions(j->f, dev, j->keygen ? &key : NULL, tmpl, json,
						nvskeys, &res->deps, &res->res)
			: factory_build(j->f, dev, j->keygen ? &key : NULL, bin, json, nvskeys, 0,
					&res->deps, &res->res)) < 0 ||
	    batch_resume_stamp(&j->resume, j->d, i, &res->deps, json) < 0)
		goto out;
	if (!j->want_deps)
		depfile_free(&res->deps);
	if (renameat(j->dir->fd, leaf, j->dir->fd, dev->id) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			diag_errno(outdir, "cannot rename %s into place", dev->id);
			goto out;
		}
		/* a device built before (batchdir_check_id() said so): swap the directories,
		 * then drop the old one */
		if (renameat2(j->dir->fd, leaf, j->dir->fd, dev->id, RENAME_EXCHANGE) < 0) {
			diag_errno(outdir, "cannot replace %s", dev->id);
			goto out;
		}
	}
	rc = 0;
out:
	/* the old output after an exchange, or a failed build */
	batchdir_remove_device(j->dir, leaf);
	flashenc_key_wipe(&key);
	free(keyfile);
	free(nvskeys);
	free(tmpl);
	free(bin);
	free(json);
	return rc;
}

/* Whether device @i is up to date in OUTDIR (batch_resume_fresh), asked once. */
static int is_fresh(struct job *j, size_t i)
{
	struct result *r = &j->results[i];

	if (!r->fresh)
		r->fresh = batch_resume_fresh(&j->resume, j->dir, j->d, i, &r->res,
					      j->want_deps ? &r->deps : NULL)
			       ? 1
			       : -1;
	return r->fresh > 0;
}

/* Reports a failed device: its messages, then which of its columns fed the rows named. */
static void report_failure(const struct job *j, const struct content_device *dev,
			   struct buf *messages)
{
	struct buf note = BUF_INIT;

	buf_append(messages, "", 1);
	messages->len--;
	factory_explain(j->f, dev, (const char *)messages->data, &note);
	diag_at(dev->file, dev->line, "device %s not built%s%.*s", dev->id, note.len ? ": " : "",
		(int)note.len, note.data ? (const char *)note.data : "");
	buf_free(&note);
}

/* Checks row @i (factory_check); a failure is kept with its messages. */
static void check_one(struct job *j, size_t i, const struct content_device *dev)
{
	struct bad_row b = {i, BUF_INIT};
	struct bad_row *v;

	if (j->results && is_fresh(j, i))
		return;
	diag_capture_begin(&b.messages);
	if (factory_check(j->f, dev) == 0) {
		diag_capture_end();
		buf_free(&b.messages);
		return;
	}
	report_failure(j, dev, &b.messages);
	diag_capture_end();
	pthread_mutex_lock(&j->lock);
	v = realloc(j->bad, (j->nbad + 1) * sizeof(*v));
	if (v) {
		j->bad = v;
		j->bad[j->nbad++] = b;
	} else {
		j->failed_alloc = 1;
		buf_free(&b.messages);
	}
	if (!j->keep_going)
		j->stop = 1;
	pthread_mutex_unlock(&j->lock);
}

static void build_one(struct job *j, size_t i, const struct content_device *dev)
{
	struct result *r = &j->results[i];

	size_t len;

	if (is_fresh(j, i)) {
		r->ok = 1;
	} else {
		diag_capture_begin(&r->messages);
		r->ok = build_device(j, i, dev, r) == 0;
		if (!r->ok)
			report_failure(j, dev, &r->messages);
		diag_capture_end();
	}
	r->done = 1;
	len = r->messages.len;
	if (len && r->messages.data[len - 1] == '\n')
		len--;
	pthread_mutex_lock(&j->lock);
	batch_progress_device(&j->progress, dev->id,
			      !r->ok ? "failed" : r->fresh > 0 ? "up-to-date" : "built",
			      r->ok ? r->res.sha256 : NULL, (const char *)r->messages.data, len);
	if (!r->ok && !j->keep_going)
		j->stop = 1;
	pthread_mutex_unlock(&j->lock);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	const char **values = malloc(j->d->ncols * sizeof(*values));

	if (!values) {
		pthread_mutex_lock(&j->lock);
		j->failed_alloc = j->stop = 1;
		pthread_mutex_unlock(&j->lock);
		return NULL;
	}
	for (;;) {
		struct content_device dev;
		size_t i;

		pthread_mutex_lock(&j->lock);
		i = j->next++;
		if (j->stop)
			i = j->d->n;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->d->n)
			break;
		if (j->mine && !j->mine[i])
			continue;
		devices_get(j->d, i, values, &dev);
		if (j->checking)
			check_one(j, i, &dev);
		else
			build_one(j, i, &dev);
	}
	free(values);
	return NULL;
}

/* Runs worker() on @jobs threads (on this one when none can be made). */
static int run_workers(struct job *j, int jobs)
{
	pthread_t *th = calloc((size_t)jobs, sizeof(*th));
	size_t i, nth = 0;

	if (!th)
		return diag_error("out of memory");
	j->next = 0;
	j->stop = 0;
	pthread_mutex_init(&j->lock, NULL);
	for (i = 0; i < (size_t)jobs && i < j->d->n; i++) {
		if (pthread_create(&th[nth], NULL, worker, j) != 0)
			break;
		nth++;
	}
	if (nth == 0)
		worker(j);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&j->lock);
	free(th);
	if (j->failed_alloc)
		return diag_error("out of memory");
	return 0;
}

static int bad_row_cmp(const void *a, const void *b)
{
	const struct bad_row *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

/*
 * Checks every row before any image is written, @jobs rows at a time. Reports the first
 * bad row in file order, or with j->keep_going every bad row. Returns 0 or -1.
 */
static int check_rows(struct job *j, int jobs)
{
	size_t i;
	int rc;

	j->checking = 1;
	rc = run_workers(j, jobs);
	j->checking = 0;
	if (j->nbad)
		qsort(j->bad, j->nbad, sizeof(*j->bad), bad_row_cmp);
	for (i = 0; i < j->nbad; i++) {
		/* without --keep-going the rows after the first bad one were not all checked */
		if (j->keep_going || i == 0)
			fwrite(j->bad[i].messages.data, 1, j->bad[i].messages.len, stderr);
		buf_free(&j->bad[i].messages);
	}
	free(j->bad);
	j->bad = NULL;
	if (rc == 0 && j->nbad) {
		if (j->keep_going && j->nbad > 1)
			diag_error("%zu of %zu devices have bad rows", j->nbad, j->nmine);
		rc = -1;
	}
	j->nbad = 0;
	return rc;
}

/* Every device id against what OUTDIR holds, before anything is built. */
static int check_ids(const struct job *j)
{
	size_t i;

	for (i = 0; i < j->d->n; i++)
		if ((!j->mine || j->mine[i]) &&
		    batchdir_check_id(j->dir, devices_id(j->d, i), j->d->file, j->d->rows[i].line) <
		    0)
			return -1;
	return 0;
}

/*
 * OUTDIR/keys.csv: which key file this run generated for which device, by name (no key
 * byte, no hash of one). Empty (@b untouched) when the run generates none.
 */
static int keys_index(const struct job *j, struct buf *b)
{
	const char *gen = factory_generated_keys(j->f);
	size_t i;

	if (!j->keygen && !gen)
		return 0;
	if (buf_puts(b, BATCHDIR_KEYS_HEADER) < 0)
		return -1;
	for (i = 0; i < j->d->n; i++) {
		const char *id = devices_id(j->d, i);

		if (!j->results[i].ok)
			continue;
		if (j->keygen &&
		    buf_printf(b, "%s,flash_key,%s/%s\n", id, id, BATCHDIR_KEY_NAME) < 0)
			return -1;
		if (gen && buf_printf(b, "%s,%s,%s/%s.bin\n", id, gen, id, gen) < 0)
			return -1;
	}
	return 0;
}

/* The run's index (@stem "index") or key index ("keys"): "<stem>.csv", a shard's
 * "<stem>-K-of-N.csv". @name holds 64 bytes. */
static void index_name(const struct job *j, const char *stem, char name[64])
{
	if (j->shard.n > 1)
		snprintf(name, 64, "%s-%u-of-%u.csv", stem, j->shard.k, j->shard.n);
	else
		snprintf(name, 64, "%s.csv", stem);
}

/* index.csv and keys.csv (a shard's: index-K-of-N.csv and keys-K-of-N.csv). */
static int write_index(const struct job *j)
{
	struct buf b = BUF_INIT, keys = BUF_INIT;
	char iname[64], kname[64];
	size_t i;
	int rc = -1;

	index_name(j, "index", iname);
	index_name(j, "keys", kname);
	if (buf_puts(&b, j->regions ? BATCHDIR_REGIONS_INDEX_HEADER : BATCHDIR_INDEX_HEADER) < 0 ||
	    keys_index(j, &keys) < 0)
		goto out;
	for (i = 0; i < j->d->n; i++) {
		const struct result *r = &j->results[i];
		const char *id = devices_id(j->d, i);

		if (r->ok && buf_printf(&b, "%s,%s/%s,%s,%s\n", id, id,
					j->regions ? BATCHDIR_FLASH_ARGS_NAME : "FLASH.bin",
					r->res.sha256, r->res.build_id) < 0)
			goto out;
	}
	rc = batchdir_write_indexes(j->dir, iname, &b, kname, &keys);
out:
	buf_free(&b);
	buf_free(&keys);
	return rc;
}

/* Every file the run read: what all devices share, the devices CSV, then each
 * device's own files in device order (not build order: that varies with -j). */
static int write_deps(const struct batch_opts *o, const struct job *j)
{
	struct depfile all;
	size_t i;
	int rc;

	depfile_init(&all);
	rc = depfile_merge(&all, factory_deps(j->f));
	if (rc == 0)
		rc = depfile_add(&all, o->devices);
	for (i = 0; rc == 0 && i < j->d->n; i++)
		rc = depfile_merge(&all, &j->results[i].deps);
	if (rc == 0)
		rc = depfile_write(o->depfile, o->outdir, &all);
	depfile_free(&all);
	return rc;
}

/* --check: the manifest (loaded), every row, and the names OUTDIR already holds. */
static int check_only(const struct batch_opts *o, struct job *j)
{
	struct batchdir dir;
	int rc = 0;

	if (o->outdir) {
		if (batchdir_open_existing(&dir, o->outdir) < 0)
			return -1;
		j->dir = &dir;
		rc = check_ids(j);
		batchdir_close(&dir, 0);
		j->dir = NULL;
	}
	if (rc == 0)
		rc = check_rows(j, o->jobs);
	return rc;
}

/* Regions mode: the shared regions into OUTDIR/common/, once, before any device. */
static int share_regions(struct job *j)
{
	char *common = batchdir_path(j->dir, DEVICES_COMMON_NAME);
	int rc;

	if (!common)
		return diag_error("out of memory");
	rc = factory_share_regions(j->factory, common);
	free(common);
	return rc;
}

/* Builds every device, then reports the failures; the caller holds OUTDIR's lock. */
static int build_all(const struct batch_opts *o, struct job *j)
{
	char iname[64];
	size_t i, failed = 0, fresh = 0, built = 0;
	int rc;

	batchdir_clean_stale(j->dir);
	if (j->regions && share_regions(j) < 0)
		return -1;
	/* many files: each is renamed into place whole; one sync for all at the end */
	fileio_set_sync(0);
	batch_progress_init(&j->progress, o->progress, j->nmine);
	rc = run_workers(j, o->jobs);
	batch_progress_end(&j->progress);
	fileio_set_sync(1);
	for (i = 0; i < j->d->n; i++) {
		struct result *r = &j->results[i];

		if (r->messages.len)
			fwrite(r->messages.data, 1, r->messages.len, stderr);
		if (r->done && !r->ok)
			failed++;
		else if (r->done && r->fresh > 0)
			fresh++;
		else if (r->done)
			built++;
	}
	/* only a run that skipped devices says so: a first run stays quiet */
	if (fresh)
		fprintf(stderr, "%s: %zu up to date, %zu built\n", diag_program(), fresh, built);
	if (syncfs(j->dir->fd) < 0)
		return diag_errno(o->outdir, "cannot sync the devices written");
	if (rc < 0)
		return -1;
	if (failed && !o->keep_going)
		return diag_error("stopped after a device failed; no index written (--keep-going "
				  "builds the others)");
	if (write_index(j) < 0)
		return -1;
	index_name(j, "index", iname);
	if (failed)
		return diag_error("%zu of %zu devices failed; %s/%s lists the others", failed,
				  j->nmine, o->outdir, iname);
	/* last, and only for a run that built every device */
	if (o->depfile && write_deps(o, j) < 0)
		return -1;
	return 0;
}

/* Which rows are this run's: all, or those of its shard. */
static int select_shard(const struct batch_opts *o, struct job *j)
{
	size_t i;

	j->shard.k = o->shard_n > 1 ? o->shard_k : 0;
	j->shard.n = o->shard_n > 1 ? o->shard_n : 1;
	j->nmine = j->d->n;
	if (j->shard.n == 1)
		return 0;
	j->mine = malloc(j->d->n);
	if (!j->mine)
		return diag_error("out of memory");
	j->nmine = 0;
	for (i = 0; i < j->d->n; i++) {
		j->mine[i] = batchdir_shard_of(devices_id(j->d, i), j->shard.n) == j->shard.k;
		j->nmine += j->mine[i];
	}
	return 0;
}

int batch_build(const struct batch_opts *o)
{
	struct factory *f = NULL;
	struct devices d;
	struct batchdir dir;
	struct job j;
	size_t i;
	int rc = -1, locked = 0, built = 0;

	memset(&j, 0, sizeof(j));
	memset(&d, 0, sizeof(d));
	if (factory_load_opts(o->manifest, o->keygen ? FACTORY_KEYGEN : 0, &f) < 0 ||
	    devices_load(o->devices, &d) < 0)
		goto out;
	j.f = j.factory = f;
	j.keygen = o->keygen;
	j.regions = o->regions;
	j.d = &d;
	j.keep_going = o->keep_going;
	j.want_deps = o->depfile != NULL;
	if (select_shard(o, &j) < 0)
		goto out;
	if (o->check) {
		rc = check_only(o, &j);
		goto out;
	}
	if (batchdir_lock(&dir, o->outdir, &j.shard) < 0)
		goto out;
	locked = 1;
	j.dir = &dir;
	j.results = calloc(d.n, sizeof(*j.results));
	if (!j.results) {
		diag_error("out of memory");
		goto out;
	}
	if (batch_resume_init(&j.resume, f, o->keygen, o->regions) < 0)
		goto out;
	/* all before the first image: a bad name or a bad row leaves OUTDIR as it was */
	if (check_ids(&j) < 0)
		goto out;
	if (!o->keep_going && check_rows(&j, o->jobs) < 0)
		goto out;
	built = 1;
	rc = build_all(o, &j);
out:
	if (locked)
		batchdir_close(&dir, !built);
	for (i = 0; j.results && i < d.n; i++) {
		buf_free(&j.results[i].messages);
		depfile_free(&j.results[i].deps);
	}
	free(j.results);
	free(j.mine);
	devices_free(&d);
	factory_free(f);
	return rc;
}
