/* SPDX-License-Identifier: Apache-2.0 */
/* A batch's progress on stderr: see batch_progress.h. */
#include "batch_progress.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Redraws at most this often: a million devices must not mean a million writes. */
#define REDRAW_NS 250000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void batch_progress_init(struct batch_progress *p, enum batch_progress_mode mode, size_t total)
{
	memset(p, 0, sizeof(*p));
	p->jsonl = mode == BATCH_PROGRESS_JSONL;
	p->tty = mode == BATCH_PROGRESS_AUTO && isatty(STDERR_FILENO);
	p->total = total;
	p->start_ns = now_ns();
}

static void draw(struct batch_progress *p, uint64_t t)
{
	double secs = (double)(t - p->start_ns) / 1e9;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	char eta[32] = "-";

	if (rate > 0) {
		unsigned long left = (unsigned long)((double)(p->total - p->done) / rate + 0.5);

		snprintf(eta, sizeof(eta), "%lu:%02lu:%02lu", left / 3600, left / 60 % 60,
			 left % 60);
	}
	/* \r and a clear to the end of the line: a shorter line leaves no tail */
	fprintf(stderr, "\r%zu/%zu devices, %.1f/s, ETA %s\033[K", p->done, p->total, rate, eta);
	fflush(stderr);
	p->drawn_ns = t;
}

void batch_progress_device(struct batch_progress *p, const char *id, const char *status,
			   const char *sha256, const char *message, size_t message_len)
{
	p->done++;
	if (p->jsonl) {
		json_t *o = json_object();
		char *text;

		json_object_set_new(o, "schema_version", json_integer(1));
		json_object_set_new(o, "tool_version", json_string(ESPGEN_VERSION));
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "status", json_string(status));
		json_object_set_new(o, "sha256", sha256 ? json_string(sha256) : json_null());
		json_object_set_new(o, "message", json_stringn(message ? message : "",
							       message ? message_len : 0));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(o);
	}
	if (p->tty) {
		uint64_t t = now_ns();

		if (t - p->drawn_ns >= REDRAW_NS)
			draw(p, t);
	}
}

void batch_progress_end(struct batch_progress *p)
{
	if (!p->tty)
		return;
	draw(p, now_ns());
	fputc('\n', stderr);
}
