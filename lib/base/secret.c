/* SPDX-License-Identifier: Apache-2.0 */
#include "secret.h"

#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

void secret_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void secret_buf_free(struct buf *b)
{
	if (b->data)
		secret_wipe(b->data, b->cap);
	buf_free(b);
}

void secret_protect_process(void)
{
	const struct rlimit none = {0, 0};

	/* a core file would hold the key in clear; so would /proc/PID/mem */
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
