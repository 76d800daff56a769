/* SPDX-License-Identifier: Apache-2.0 */
/* @FILE argument files (cli_expand_argfiles()): esptool's expand_file_arguments(), one
 * shlex.split() per line. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"

static char dir[] = "/tmp/test_cli.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Expands "prog @NAME" and checks the words (joined by '|'). */
static void expands(const char *name, const char *want)
{
	char arg[256];
	char *argv[4] = {"prog", "-x", arg, NULL};
	struct cli_args a;
	struct buf got = BUF_INIT;
	int i;

	snprintf(arg, sizeof(arg), "@%s/%s", dir, name);
	CHECK(cli_expand_argfiles(3, argv, &a) == 0);
	for (i = 0; i < a.argc; i++)
		buf_printf(&got, "%s%s", i ? "|" : "", a.argv[i]);
	CHECK(a.argv[a.argc] == NULL);
	CHECK(buf_fill(&got, 0, 1) == 0);
	CHECK_STR((const char *)got.data, want);
	buf_free(&got);
	cli_args_free(&a);
}

static void refuses(const char *name, const char *want)
{
	char arg[256], expect[512];
	char *argv[3] = {"prog", arg, NULL};
	struct cli_args a;
	struct buf msg = BUF_INIT;

	snprintf(arg, sizeof(arg), "@%s/%s", dir, name);
	snprintf(expect, sizeof(expect), "t: %s/%s%s", dir, name, want);
	msg_begin(&msg);
	CHECK(cli_expand_argfiles(2, argv, &a) == -1);
	msg_end(&msg, expect);
	buf_free(&msg);
}

int main(void)
{
	char *plain[4] = {"prog", "a", "b c", NULL};
	struct cli_args a;

	diag_set_program("t");
	CHECK(mkdtemp(dir) != NULL);
	/* ESP-IDF's flash_args: several words a line, v4 option spellings kept as they are */
	write_file("flash_args", "--flash_mode dio --flash_freq 80m --flash_size 2MB\n"
				 "0x0 bootloader/bootloader.bin\r\n"
				 "0x10000 hello.bin\r"
				 "0x8000 partition_table/partition-table.bin");
	expands("flash_args", "prog|-x|--flash_mode|dio|--flash_freq|80m|--flash_size|2MB|0x0|"
			      "bootloader/bootloader.bin|0x10000|hello.bin|0x8000|"
			      "partition_table/partition-table.bin");
	/* quoting: '' keeps all, "" lets \ escape " and \ only, \ outside quotes, no comments */
	write_file("quotes", "'a b'  \"c\\\"d\\e\"  f\\ g \"\" x'y'z # not a comment\n\n\t\n");
	expands("quotes", "prog|-x|a b|c\"d\\e|f g||xyz|#|not|a|comment");
	write_file("open", "0x0 'a.bin\n0x1000 b.bin'\n");
	refuses("open", ":1: no closing quotation\n");
	write_file("escape", "a\\");
	refuses("escape", ":1: no escaped character after the last '\\'\n");
	write_file("nested", "0x0 a.bin\n@more\n");
	refuses("nested", ":2: '@more': an argument file cannot name another one\n");
	refuses("missing", ": cannot open: No such file or directory\n");
	/* no @: a copy */
	CHECK(cli_expand_argfiles(3, plain, &a) == 0);
	CHECK(a.argc == 3 && strcmp(a.argv[2], "b c") == 0 && a.argv[3] == NULL);
	cli_args_free(&a);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_status();
}
