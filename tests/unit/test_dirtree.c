/* SPDX-License-Identifier: Apache-2.0 */
/* The directory walk (lib/base/dirtree): byte order, files-first and interleaved
 * order, links to files and directories, and the errors for loops, dangling links
 * and special files. */
#include "dirtree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char root[] = "/tmp/espgen-dirtree.XXXXXX";

static void put(const char *rel)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(mkdir(path, 0777) == 0);
}

static void link_(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(symlink(target, path) == 0);
}

/* The walk's paths joined by spaces, directories with a trailing '/'. */
static void walk(unsigned flags, char *out, size_t n, int *rc)
{
	struct dirtree t = DIRTREE_INIT;
	size_t i, len = 0;

	out[0] = '\0';
	*rc = dirtree_walk(root, flags, &t);
	for (i = 0; i < t.n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s%s", i ? " " : "", t.v[i].path,
					t.v[i].is_dir ? "/" : "");
	dirtree_free(&t);
}

int main(void)
{
	char got[1024];
	int rc;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	dir("b");
	dir("a");
	put("z.txt");
	put("Z.txt");
	put("a/2");
	put("a/10");
	put("b/x");
	link_("a", "link-dir");
	link_("z.txt", "link-file");

	walk(DIRTREE_FILES_FIRST, got, sizeof(got), &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "Z.txt link-file z.txt a/ a/10 a/2 b/ b/x");
	walk(0, got, sizeof(got), &rc);
	CHECK_STR(got, "Z.txt a/ a/10 a/2 b/ b/x link-file z.txt");
	walk(DIRTREE_FILES_FIRST | DIRTREE_FOLLOW_DIR_LINKS, got, sizeof(got), &rc);
	CHECK_STR(got, "Z.txt link-file z.txt a/ a/10 a/2 b/ b/x link-dir/ link-dir/10 link-dir/2");

	/* a loop is only one when links are followed */
	link_("..", "b/up");
	walk(DIRTREE_FILES_FIRST, got, sizeof(got), &rc);
	CHECK(rc == 0);
	walk(DIRTREE_FOLLOW_DIR_LINKS, got, sizeof(got), &rc);
	CHECK(rc == -1 && got[0] == '\0');
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/b/up", root);
		unlink(path);
		link_("nowhere", "b/gone");
		walk(0, got, sizeof(got), &rc);
		CHECK(rc == -1);
		snprintf(path, sizeof(path), "%s/b/gone", root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/b/fifo", root);
		CHECK(mkfifo(path, 0600) == 0);
		walk(0, got, sizeof(got), &rc);
		CHECK(rc == -1);
		unlink(path);
	}
	{
		struct dirtree t = DIRTREE_INIT;
		char path[512];

		snprintf(path, sizeof(path), "%s/z.txt", root);
		CHECK(dirtree_walk(path, 0, &t) == -1 && t.n == 0);
	}
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		CHECK(system(cmd) == 0);
	}
	return check_status();
}
