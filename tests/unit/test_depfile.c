/* SPDX-License-Identifier: Apache-2.0 */
/* lib/format/flash/depfile: each path once in first-seen order, Makefile escaping. */
#include "depfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "diag.h"
#include "fileio.h"

static void test_add(void)
{
	struct depfile d, e;
	char name[32];
	int i, ok = 1;

	depfile_init(&d);
	CHECK(depfile_add(NULL, "x") == 0); /* nothing to record */
	CHECK(depfile_add(&d, "b") == 0 && depfile_add(&d, "a") == 0 && depfile_add(&d, "b") == 0);
	CHECK(d.n == 2 && strcmp(d.v[0], "b") == 0 && strcmp(d.v[1], "a") == 0);
	/* many paths: the index grows and still finds every one */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "dir/f%d", i % 3000);
		if (depfile_add(&d, name) < 0)
			ok = 0;
	}
	CHECK(ok && d.n == 3002);
	CHECK(strcmp(d.v[2], "dir/f0") == 0 && strcmp(d.v[3001], "dir/f2999") == 0);
	depfile_init(&e);
	CHECK(depfile_add(&e, "a") == 0 && depfile_add(&e, "z") == 0);
	CHECK(depfile_merge(&e, &d) == 0 && e.n == 3003);
	CHECK(strcmp(e.v[0], "a") == 0 && strcmp(e.v[1], "z") == 0 && strcmp(e.v[2], "b") == 0);
	depfile_free(&e);
	depfile_free(&d);
	CHECK(d.n == 0 && d.v == NULL);
}

static void test_write(void)
{
	char dir[] = "/tmp/espgen-depfile.XXXXXX", path[64];
	struct depfile d;
	struct buf b = BUF_INIT;
	static const char want[] = "out\\ put.bin: a\\ b c\\#1 $$HOME d\\e\n";

	CHECK(mkdtemp(dir) != NULL);
	if (check_failures)
		return;
	snprintf(path, sizeof(path), "%s/x.d", dir);
	depfile_init(&d);
	CHECK(depfile_add(&d, "a b") == 0 && depfile_add(&d, "c#1") == 0);
	CHECK(depfile_add(&d, "$HOME") == 0 && depfile_add(&d, "d\\e") == 0);
	CHECK(depfile_write(path, "out put.bin", &d) == 0);
	CHECK(fileio_read(path, 4096, &b) == 0);
	CHECK(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0);
	/* no rule can hold a line break: refused, the old file stays */
	CHECK(depfile_add(&d, "two\nlines") == 0);
	CHECK(depfile_write(path, "out", &d) < 0);
	b.len = 0;
	CHECK(fileio_read(path, 4096, &b) == 0 && b.len == strlen(want));
	/* no inputs: a rule with no prerequisites */
	depfile_free(&d);
	CHECK(depfile_write(path, "t", &d) == 0);
	b.len = 0;
	CHECK(fileio_read(path, 4096, &b) == 0 && b.len == 3 && memcmp(b.data, "t:\n", 3) == 0);
	buf_free(&b);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	diag_set_quiet(1);
	test_add();
	test_write();
	return check_status();
}
