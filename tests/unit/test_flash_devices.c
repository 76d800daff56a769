/* SPDX-License-Identifier: Apache-2.0 */
/* lib/format/flash/devices: the devices CSV of a batch. Fields as RFC 4180 reads them,
 * each bad row named by line and column, repeated ids found in n log n, memory a small
 * multiple of the file, and every allocation failure a clean -1. */
#include "devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "diag.h"
#include "fileio.h"

/* realloc() failing on demand, as failcalloc.h does for calloc(); not under
 * AddressSanitizer, which owns the allocator. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAILREALLOC_WORKS 0
#endif
#endif
#if !defined(FAILREALLOC_WORKS) && defined(__SANITIZE_ADDRESS__)
#define FAILREALLOC_WORKS 0
#endif
#ifndef FAILREALLOC_WORKS
#define FAILREALLOC_WORKS 1
#endif

/* -1: realloc() works; n >= 0: n more calls work, then every call fails. Volatile: the
 * compiler takes realloc() for the C library's, which reads no variable of ours. */
static volatile long failrealloc_countdown = -1;

#if FAILREALLOC_WORKS
void *__libc_realloc(void *p, size_t size);

void *realloc(void *p, size_t size)
{
	if (failrealloc_countdown == 0)
		return NULL;
	if (failrealloc_countdown > 0)
		failrealloc_countdown--;
	return __libc_realloc(p, size);
}
#endif

static char dir[] = "/tmp/espgen-devices.XXXXXX";
static char path[64];

static void put(const void *text, size_t len)
{
	CHECK(fileio_atomic_write_file(path, text, len) == 0);
}

/* Loads @text; the messages go to @msgs (cleared first). */
static int load(const char *text, size_t len, struct devices *d, struct buf *msgs)
{
	int rc;

	put(text, len);
	msgs->len = 0;
	diag_capture_begin(msgs);
	rc = devices_load(path, d);
	diag_capture_end();
	buf_append(msgs, "", 1);
	return rc;
}

/* The message of a load of @text that must fail, without "PROG: FILE" up to the line. */
static const char *fails(const char *text, struct buf *msgs)
{
	struct devices d;
	const char *m;

	CHECK(load(text, strlen(text), &d, msgs) < 0);
	devices_free(&d);
	m = strstr((const char *)msgs->data, path);
	return m ? m + strlen(path) : "(no message)";
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Run first, while the peak is low: 10k rows of 256 columns (2.6 MB) once took 770 MB
 * (a 256-byte buffer per field). */
static void test_memory(void)
{
	struct buf csv = BUF_INIT, msgs = BUF_INIT;
	struct devices d;
	long before;
	int i, k;

	buf_puts(&csv, "device_id");
	for (k = 1; k < 256; k++)
		buf_printf(&csv, ",c%d", k);
	buf_puts(&csv, "\n");
	for (i = 0; i < 10000; i++) {
		buf_printf(&csv, "d%d", i);
		for (k = 1; k < 256; k++)
			buf_puts(&csv, ",");
		buf_puts(&csv, "\n");
	}
	put(csv.data, csv.len);
	before = peak_kib();
	msgs.len = 0;
	CHECK(load((const char *)csv.data, csv.len, &d, &msgs) == 0 && d.n == 10000);
	/* the file is kept, parsed in place: peak growth within 4x its size (the
	 * sanitizer's allocator has overheads of its own) */
	if (FAILREALLOC_WORKS)
		CHECK((peak_kib() - before) * 1024 < 4 * (long)csv.len);
	devices_free(&d);
	buf_free(&csv);
	buf_free(&msgs);
}

static void test_fields(void)
{
	static const char text[] = "device_id,serial,note\r\n"
				   "\r\n"
				   "a1,\"S,1\",\"say \"\"hi\"\"\"\n"
				   "a2,,\"two\nlines\"\n"
				   "a3,x,last";
	struct buf msgs = BUF_INIT;
	struct content_device dev;
	const char *v[3];
	struct devices d;

	CHECK(load(text, sizeof(text) - 1, &d, &msgs) == 0);
	CHECK(d.n == 3 && d.ncols == 3 && d.id_col == 0);
	devices_get(&d, 0, v, &dev);
	CHECK_STR(v[1], "S,1");
	CHECK_STR(v[2], "say \"hi\"");
	CHECK(dev.line == 3 && strcmp(dev.id, "a1") == 0 && dev.ncols == 3);
	devices_get(&d, 1, v, &dev);
	CHECK_STR(v[1], "");
	CHECK_STR(v[2], "two\nlines");
	CHECK(dev.line == 4);
	devices_get(&d, 2, v, &dev);
	CHECK_STR(v[2], "last");
	CHECK(dev.line == 6);
	CHECK_STR(devices_id(&d, 2), "a3");
	devices_free(&d);
	/* the id column by name, anywhere */
	CHECK(load("x,device_id\n1,b\n", 16, &d, &msgs) == 0 && d.id_col == 1);
	CHECK_STR(devices_id(&d, 0), "b");
	devices_free(&d);
	buf_free(&msgs);
}

static void test_errors(void)
{
	struct buf m = BUF_INIT;
	struct devices d;

	CHECK_STR(fails("device_id,s\na,\"x\n", &m), ":2: quoted field is not closed\n");
	CHECK_STR(fails("device_id,s\na,\"x\"y\n", &m), ":2: text after a closing quote\n");
	CHECK_STR(fails("device_id,s\na\n", &m),
		  ":2: 1 fields, but the header names 2 columns (a column is missing)\n");
	CHECK_STR(fails("device_id,s\n.a,1\n", &m),
		  ":2: column 'device_id': device id '.a' is not usable as a file name (letters, "
		  "digits, '-', '_', '.'; not starting with '.')\n");
	CHECK_STR(fails("device_id,s\nindex.csv,1\n", &m),
		  ":2: column 'device_id': device id 'index.csv' is reserved (OUTDIR/index.csv is "
		  "the batch's index)\n");
	CHECK_STR(fails("device_id,,s\n", &m), ":1: column 2 has no name\n");
	CHECK_STR(fails("device_id,s,s\n", &m), ":1: column 's' appears twice\n");
	CHECK_STR(fails("device_id,s\n", &m), ": no devices\n");
	CHECK_STR(fails("", &m), ": no header row\n");
	/* a NUL would cut the value short: refused, naming the column */
	CHECK(load("device_id,s\na,ESP\0EVIL\n", 22, &d, &m) < 0);
	devices_free(&d);
	CHECK(strstr((const char *)m.data, ":2: column 's': NUL byte in the value (at byte 3)") !=
	      NULL);
	CHECK_STR(fails("device_id,s\na,\xc3(\n", &m),
		  ":2: column 's': value is not valid UTF-8 (byte 0xc3 at 0)\n");
	/* the first bad row in file order, whatever the kind of fault */
	CHECK_STR(fails("device_id,s\na,1\nb,2\na,3\n.c,4\n", &m),
		  ":4: column 'device_id': device id 'a' repeats line 2\n");
	CHECK_STR(fails("device_id,s\na,1\n.c,4\na,3\n", &m),
		  ":3: column 'device_id': device id '.c' is not usable as a file name (letters, "
		  "digits, '-', '_', '.'; not starting with '.')\n");
	CHECK_STR(fails("device_id,s\nb,1\na,2\nc,3\na,4\nb,5\n", &m),
		  ":5: column 'device_id': device id 'a' repeats line 3\n");
	buf_free(&m);
}

/* 200,000 rows, the last repeating the first: quadratic comparison took minutes. */
static void test_many(void)
{
	struct buf csv = BUF_INIT, m = BUF_INIT;
	struct devices d;
	int i;

	buf_puts(&csv, "device_id,serial\n");
	for (i = 0; i < 200000; i++)
		buf_printf(&csv, "u%07d,S%d\n", (i * 7919) % 200000, i);
	CHECK(load((const char *)csv.data, csv.len, &d, &m) == 0 && d.n == 200000);
	devices_free(&d);
	buf_printf(&csv, "u0007919,again\n");
	CHECK(load((const char *)csv.data, csv.len, &d, &m) < 0);
	devices_free(&d);
	CHECK(strstr((const char *)m.data,
		     ":200002: column 'device_id': device id 'u0007919' repeats line 3") != NULL);
	buf_free(&csv);
	buf_free(&m);
}

/* Every realloc() failing in turn: -1 and "out of memory", never a crash or a double
 * free (a failed growth of a row once freed the row's live field array). */
static void test_out_of_memory(void)
{
	struct buf csv = BUF_INIT, m = BUF_INIT;
	struct devices d;
	long n;
	int i, rc = -1, ok = 1;

	void *volatile none = NULL; /* realloc(NULL, n) would be compiled as malloc(n) */
	void *probe;

	if (!FAILREALLOC_WORKS) {
		printf("SKIP: out-of-memory checks of devices_load (no failing realloc under ASan)\n");
		return;
	}
	/* under valgrind, its realloc() replaces this one: nothing fails */
	failrealloc_countdown = 0;
	probe = realloc(none, 16);
	failrealloc_countdown = -1;
	if (probe) {
		free(probe);
		printf("SKIP: out-of-memory checks of devices_load (no failing realloc under valgrind)\n");
		return;
	}
	/* empty fields after the fourth: a row's growing field array moves then */
	buf_puts(&csv, "device_id,a,b,c,d,e\n");
	for (i = 0; i < 300; i++)
		buf_printf(&csv, "d%d,,%s,,x,\n", i, i % 2 ? "" : "v");
	put(csv.data, csv.len);
	/* the messages' buffer must not need realloc() itself */
	buf_reserve(&m, 65536);
	for (n = 0; n < 100000 && rc < 0; n++) {
		m.len = 0;
		diag_capture_begin(&m);
		failrealloc_countdown = n;
		rc = devices_load(path, &d);
		failrealloc_countdown = -1;
		diag_capture_end();
		buf_append(&m, "", 1);
		if (rc < 0 && !strstr((const char *)m.data, "out of memory"))
			ok = 0;
		devices_free(&d);
	}
	CHECK(ok);
	CHECK(rc == 0 && n > 2);
	buf_free(&csv);
	buf_free(&m);
}

int main(void)
{
	diag_set_program("test");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/d.csv", dir);
	test_memory();
	test_fields();
	test_errors();
	test_many();
	test_out_of_memory();
	unlink(path);
	rmdir(dir);
	return check_status();
}
