/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-device batches: one factory image per row of a devices CSV, the manifest's
 * NVS CSVs filled from the row's ${column} values. What all devices share is built
 * once (factory_load); devices are built in parallel, each into a hidden temporary
 * directory renamed into place whole, so an interrupted run leaves only complete
 * device outputs.
 */
#define _GNU_SOURCE /* renameat2 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depfile.h"
#include "devices.h"
#include "diag.h"
#include "factory.h"
#include "fileio.h"

struct job {
	const struct factory *f;
	const struct devices *d;
	const char *outdir;
	int keep_going;
	int want_deps;
	mode_t umask;
	pthread_mutex_t lock;
	size_t next;
	int stop;
	struct result {
		int done;
		int ok;
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

/* Removes a device directory (its two files and itself). */
static void remove_device_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;

	if (dh) {
		while ((e = readdir(dh)) != NULL) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = path2(dir, e->d_name, NULL);
			if (p)
				unlink(p);
			free(p);
		}
		closedir(dh);
	}
	rmdir(dir);
}

/* Builds device @i in a temporary directory and renames it into place whole. */
static int build_device(struct job *j, size_t i, struct result *res)
{
	struct content_device dev;
	char *tmpl = NULL, *bin = NULL, *json = NULL, *final = NULL;
	int rc = -1;

	devices_get(j->d, i, &dev);
	tmpl = malloc(strlen(j->outdir) + strlen(dev.id) + 16);
	if (!tmpl)
		return diag_error("out of memory");
	sprintf(tmpl, "%s/.tmp-%s-XXXXXX", j->outdir, dev.id);
	if (!mkdtemp(tmpl)) {
		diag_file(j->outdir, "cannot create a directory: %s", strerror(errno));
		free(tmpl);
		return -1;
	}
	/* mkdtemp makes 0700; a device directory gets the mode mkdir(0777) would */
	chmod(tmpl, 0777 & ~j->umask);
	bin = path2(tmpl, "FLASH.bin", NULL);
	json = path2(tmpl, "FLASH.json", NULL);
	final = path2(j->outdir, dev.id, NULL);
	if (!bin || !json || !final) {
		diag_error("out of memory");
		goto out;
	}
	if (factory_build(j->f, &dev, bin, json, 0, j->want_deps ? &res->deps : NULL, &res->res) <
	    0)
		goto out;
	if (rename(tmpl, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			diag_file(final, "cannot rename into place: %s", strerror(errno));
			goto out;
		}
		/* a device built before: swap the directories, then drop the old one */
		if (renameat2(AT_FDCWD, tmpl, AT_FDCWD, final, RENAME_EXCHANGE) < 0) {
			diag_file(final, "cannot replace: %s", strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	remove_device_dir(tmpl); /* the old output after an exchange, or a failed build */
	free(tmpl);
	free(bin);
	free(json);
	free(final);
	return rc;
}

/* Reports a failed device: its messages, then which of its columns fed the rows named. */
static void report_failure(const struct job *j, size_t i, struct buf *messages)
{
	struct content_device dev;
	struct buf note = BUF_INIT;

	devices_get(j->d, i, &dev);
	buf_append(messages, "", 1);
	messages->len--;
	factory_explain(j->f, &dev, (const char *)messages->data, &note);
	diag_at(dev.file, dev.line, "device %s not built%s%.*s", dev.id, note.len ? ": " : "",
		(int)note.len, note.data ? (const char *)note.data : "");
	buf_free(&note);
}

/* Without --keep-going every row is checked before any image is written. */
static int check_all(const struct job *j)
{
	struct buf messages = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < j->d->n && rc == 0; i++) {
		struct content_device dev;

		devices_get(j->d, i, &dev);
		messages.len = 0;
		diag_capture_begin(&messages);
		if (factory_check(j->f, &dev) < 0) {
			report_failure(j, i, &messages);
			rc = -1;
		}
		diag_capture_end();
	}
	if (messages.len && rc < 0)
		fwrite(messages.data, 1, messages.len, stderr);
	buf_free(&messages);
	return rc;
}

static void *worker(void *arg)
{
	struct job *j = arg;

	for (;;) {
		struct result *r;
		size_t i;

		pthread_mutex_lock(&j->lock);
		i = j->next++;
		if (j->stop)
			i = j->d->n;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->d->n)
			return NULL;
		r = &j->results[i];
		diag_capture_begin(&r->messages);
		r->ok = build_device(j, i, r) == 0;
		if (!r->ok)
			report_failure(j, i, &r->messages);
		diag_capture_end();
		r->done = 1;
		if (!r->ok && !j->keep_going) {
			pthread_mutex_lock(&j->lock);
			j->stop = 1;
			pthread_mutex_unlock(&j->lock);
		}
	}
}

/* Removes leftovers of an interrupted run (.tmp-* directories). */
static void clean_stale(const char *outdir)
{
	DIR *dh = opendir(outdir);
	struct dirent *e;

	if (!dh)
		return;
	while ((e = readdir(dh)) != NULL) {
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			char *p = path2(outdir, e->d_name, NULL);

			if (p)
				remove_device_dir(p);
			free(p);
		}
	}
	closedir(dh);
}

static int write_index(const struct job *j)
{
	struct buf b = BUF_INIT;
	char *path = path2(j->outdir, "index.csv", NULL);
	size_t i;
	int rc = -1;

	if (!path)
		return diag_error("out of memory");
	if (buf_puts(&b, "device_id,file,sha256,build_id\n") < 0)
		goto out;
	for (i = 0; i < j->d->n; i++) {
		const struct result *r = &j->results[i];
		const char *id = j->d->rows[i].f[j->d->id_col];

		if (r->ok && buf_printf(&b, "%s,%s/FLASH.bin,%s,%s\n", id, id, r->res.sha256,
					r->res.build_id) < 0)
			goto out;
	}
	rc = fileio_atomic_write_file(path, b.data, b.len);
out:
	buf_free(&b);
	free(path);
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

int batch_build(const struct batch_opts *o)
{
	struct factory *f = NULL;
	struct devices d;
	struct job j;
	pthread_t *th = NULL;
	size_t i, nth = 0, failed = 0;
	int rc = -1, fd;

	memset(&j, 0, sizeof(j));
	memset(&d, 0, sizeof(d));
	if (factory_load(o->manifest, &f) < 0 || devices_load(o->devices, &d) < 0)
		goto out;
	j.f = f;
	j.d = &d;
	j.outdir = o->outdir;
	j.keep_going = o->keep_going;
	j.want_deps = o->depfile != NULL;
	j.umask = umask(0);
	umask(j.umask);
	j.results = calloc(d.n, sizeof(*j.results));
	th = calloc((size_t)o->jobs, sizeof(*th));
	if (!j.results || !th) {
		diag_error("out of memory");
		goto out;
	}
	if (!o->keep_going && check_all(&j) < 0)
		goto out;
	if (mkdir(o->outdir, 0777) < 0 && errno != EEXIST) {
		diag_file(o->outdir, "cannot create the output directory: %s", strerror(errno));
		goto out;
	}
	clean_stale(o->outdir);
	pthread_mutex_init(&j.lock, NULL);
	/* many files: each is renamed into place whole; one sync for all at the end */
	fileio_set_sync(0);
	for (i = 0; i < (size_t)o->jobs && i < d.n; i++) {
		if (pthread_create(&th[nth], NULL, worker, &j) != 0)
			break;
		nth++;
	}
	if (nth == 0)
		worker(&j);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&j.lock);
	fileio_set_sync(1);

	for (i = 0; i < d.n; i++) {
		struct result *r = &j.results[i];

		if (r->messages.len)
			fwrite(r->messages.data, 1, r->messages.len, stderr);
		if (r->done && !r->ok)
			failed++;
	}
	fd = open(o->outdir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
	if (failed && !o->keep_going) {
		diag_error("stopped after a device failed; no index written (--keep-going builds "
			   "the others)");
		goto out;
	}
	if (write_index(&j) < 0)
		goto out;
	if (failed) {
		diag_error("%zu of %zu devices failed; %s/index.csv lists the others", failed, d.n,
			   o->outdir);
		goto out;
	}
	/* last, and only for a run that built every device */
	if (o->depfile && write_deps(o, &j) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; j.results && i < d.n; i++) {
		buf_free(&j.results[i].messages);
		depfile_free(&j.results[i].deps);
	}
	free(j.results);
	free(th);
	devices_free(&d);
	factory_free(f);
	return rc;
}
