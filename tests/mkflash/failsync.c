/* SPDX-License-Identifier: Apache-2.0 */
/* Preloaded by outdir.sh: syncfs() fails as on a disk that lost the writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

int syncfs(int fd)
{
	(void)fd;
	errno = EIO;
	return -1;
}
