/*
 * Per-device batches: one factory image per row of a devices CSV, the manifest's
 * NVS CSVs filled from the row's ${column} values. What all devices share is built
 * once (factory_load); devices are built in parallel, each into a hidden temporary
 * directory renamed into place whole, so an interrupted run leaves only complete
 * device outputs.
 */
#define _GNU_SOURCE /* renameat2 */
#include "mkflash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"

#define BATCH_MAX_DEVICES 1000000
#define BATCH_MAX_COLUMNS 256

struct row {
	char **f;
	size_t n;
	unsigned line;
};

struct devices {
	const char *file;
	struct row header;
	struct row *rows;
	size_t n;
	size_t id_col;
};

static void row_free(struct row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
}

static int row_add(struct row *r, struct buf *field)
{
	char **v;

	if (r->n >= BATCH_MAX_COLUMNS)
		return -1;
	v = realloc(r->f, (r->n + 1) * sizeof(*v));
	if (!v || buf_append(field, "", 1) < 0) {
		free(v == r->f ? NULL : v);
		return -1;
	}
	r->f = v;
	r->f[r->n++] = (char *)field->data;
	memset(field, 0, sizeof(*field));
	return 0;
}

/* RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
static int parse_csv(const char *file, const char *t, size_t len, struct devices *d)
{
	struct buf field = BUF_INIT;
	struct row cur = {NULL, 0, 1};
	unsigned line = 1;
	size_t i = 0;
	int quoted = 0, was_quoted = 0, have_header = 0, rc = 0;

	while (i <= len) {
		char c = i < len ? t[i] : '\n';

		if (quoted) {
			if (i == len) {
				rc = diag_at(file, cur.line, "quoted field is not closed");
				goto out;
			}
			if (c == '"' && i + 1 < len && t[i + 1] == '"') {
				buf_append(&field, "\"", 1);
				i += 2;
				continue;
			}
			if (c == '"') {
				quoted = 0;
				i++;
				continue;
			}
			if (c == '\n')
				line++;
			buf_append(&field, &c, 1);
			i++;
			continue;
		}
		if (c == '"' && field.len == 0 && !was_quoted) {
			quoted = was_quoted = 1;
			i++;
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r') {
			int end_of_record = c != ',';

			if (c == '\r' && i + 1 < len && t[i + 1] == '\n')
				i++;
			/* a blank line (or the end after a final newline) is no record */
			if (end_of_record && cur.n == 0 && field.len == 0 && !was_quoted) {
				i++;
				line++;
				cur.line = line;
				continue;
			}
			if (row_add(&cur, &field) < 0) {
				rc = diag_at(file, cur.line, "too many columns (at most %d)",
					     BATCH_MAX_COLUMNS);
				goto out;
			}
			was_quoted = 0;
			i++;
			if (!end_of_record)
				continue;
			if (!have_header) {
				d->header = cur;
				have_header = 1;
			} else {
				struct row *v;

				if (d->n >= BATCH_MAX_DEVICES) {
					rc = diag_at(file, cur.line, "too many devices");
					goto out;
				}
				v = realloc(d->rows, (d->n + 1) * sizeof(*v));
				if (!v) {
					rc = diag_error("out of memory");
					goto out;
				}
				d->rows = v;
				d->rows[d->n++] = cur;
			}
			line++;
			memset(&cur, 0, sizeof(cur));
			cur.line = line;
			continue;
		}
		if (was_quoted) {
			rc = diag_at(file, cur.line, "text after a closing quote");
			goto out;
		}
		buf_append(&field, &c, 1);
		i++;
	}
out: /* on an error too: the field and row being read */
	buf_free(&field);
	row_free(&cur);
	return rc;
}

static int id_ok(const char *s)
{
	const char *p;

	if (!*s || *s == '.')
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return p - s <= 128;
}

static int load_devices(const char *file, struct devices *d)
{
	struct buf data = BUF_INIT;
	size_t i, j;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->file = file;
	if (fileio_read(file, FILEIO_MAX_INPUT, &data) < 0)
		return -1;
	if (parse_csv(file, data.data ? (const char *)data.data : "", data.len, d) < 0)
		goto out;
	if (d->header.n == 0) {
		diag_file(file, "no header row");
		goto out;
	}
	for (i = 0; i < d->header.n; i++) {
		if (!d->header.f[i][0]) {
			diag_at(file, d->header.line, "column %zu has no name", i + 1);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(d->header.f[i], d->header.f[j]) == 0) {
				diag_at(file, d->header.line, "column '%s' appears twice",
					d->header.f[i]);
				goto out;
			}
		if (strcmp(d->header.f[i], "device_id") == 0)
			d->id_col = i;
	}
	for (i = 0; i < d->n; i++) {
		const struct row *r = &d->rows[i];

		if (r->n != d->header.n) {
			diag_at(file, r->line, "%zu fields, but the header names %zu columns (%s)", r->n,
				d->header.n,
				r->n < d->header.n ? "a column is missing" : "one too many");
			goto out;
		}
		if (!id_ok(r->f[d->id_col])) {
			diag_at(file, r->line,
				"column '%s': device id '%s' is not usable as a file name (letters, "
				"digits, '-', '_', '.'; not starting with '.')",
				d->header.f[d->id_col], r->f[d->id_col]);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(d->rows[j].f[d->id_col], r->f[d->id_col]) == 0) {
				diag_at(file, r->line, "column '%s': device id '%s' repeats line %u",
					d->header.f[d->id_col], r->f[d->id_col], d->rows[j].line);
				goto out;
			}
	}
	if (d->n == 0) {
		diag_file(file, "no devices");
		goto out;
	}
	rc = 0;
out:
	buf_free(&data);
	return rc;
}

static void devices_free(struct devices *d)
{
	size_t i;

	row_free(&d->header);
	for (i = 0; i < d->n; i++)
		row_free(&d->rows[i]);
	free(d->rows);
}

struct job {
	const struct factory *f;
	const struct devices *d;
	const char *outdir;
	int keep_going;
	mode_t umask;
	pthread_mutex_t lock;
	size_t next;
	int stop;
	struct result {
		int done;
		int ok;
		struct factory_result res;
		struct buf messages;
	} *results;
};

static void device_of(const struct devices *d, size_t i, struct factory_device *dev)
{
	dev->id = d->rows[i].f[d->id_col];
	dev->file = d->file;
	dev->line = d->rows[i].line;
	dev->names = (const char *const *)d->header.f;
	dev->values = (const char *const *)d->rows[i].f;
	dev->ncols = d->header.n;
}

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
static int build_device(struct job *j, size_t i, struct factory_result *res)
{
	struct factory_device dev;
	char *tmpl = NULL, *bin = NULL, *json = NULL, *final = NULL;
	int rc = -1;

	device_of(j->d, i, &dev);
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
	if (factory_build(j->f, &dev, bin, json, 0, res) < 0)
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
	struct factory_device dev;
	struct buf note = BUF_INIT;

	device_of(j->d, i, &dev);
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
		struct factory_device dev;

		device_of(j->d, i, &dev);
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
		r->ok = build_device(j, i, &r->res) == 0;
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

int batch_build(const char *manifest, const char *devices, const char *outdir, int jobs,
		int keep_going)
{
	struct factory *f = NULL;
	struct devices d;
	struct job j;
	pthread_t *th = NULL;
	size_t i, nth = 0, failed = 0;
	int rc = -1, fd;

	memset(&j, 0, sizeof(j));
	memset(&d, 0, sizeof(d));
	if (factory_load(manifest, &f) < 0 || load_devices(devices, &d) < 0)
		goto out;
	j.f = f;
	j.d = &d;
	j.outdir = outdir;
	j.keep_going = keep_going;
	j.umask = umask(0);
	umask(j.umask);
	j.results = calloc(d.n, sizeof(*j.results));
	th = calloc((size_t)jobs, sizeof(*th));
	if (!j.results || !th) {
		diag_error("out of memory");
		goto out;
	}
	if (!keep_going && check_all(&j) < 0)
		goto out;
	if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
		diag_file(outdir, "cannot create the output directory: %s", strerror(errno));
		goto out;
	}
	clean_stale(outdir);
	pthread_mutex_init(&j.lock, NULL);
	/* many files: each is renamed into place whole; one sync for all at the end */
	fileio_set_sync(0);
	for (i = 0; i < (size_t)jobs && i < d.n; i++) {
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
	fd = open(outdir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
	if (failed && !keep_going) {
		diag_error("stopped after a device failed; no index written (--keep-going builds "
			   "the others)");
		goto out;
	}
	if (write_index(&j) < 0)
		goto out;
	if (failed) {
		diag_error("%zu of %zu devices failed; %s/index.csv lists the others", failed, d.n,
			   outdir);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; j.results && i < d.n; i++)
		buf_free(&j.results[i].messages);
	free(j.results);
	free(th);
	devices_free(&d);
	factory_free(f);
	return rc;
}
