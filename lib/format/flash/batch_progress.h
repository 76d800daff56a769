/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Progress of a batch on stderr: a one-line display redrawn in place on a terminal,
 * or one JSON object per finished device for a scheduler (--progress=jsonl); nothing
 * otherwise, so a batch's stderr stays quiet in scripts.
 */
#ifndef ESPGEN_BATCH_PROGRESS_H
#define ESPGEN_BATCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

enum batch_progress_mode {
	BATCH_PROGRESS_AUTO, /* the display when stderr is a terminal, else nothing */
	BATCH_PROGRESS_NONE,
	BATCH_PROGRESS_JSONL,
};

struct batch_progress {
	int tty;   /* drawing the one-line display */
	int jsonl; /* writing JSON lines */
	size_t total, done;
	uint64_t start_ns, drawn_ns;
};

void batch_progress_init(struct batch_progress *p, enum batch_progress_mode mode, size_t total);

/*
 * A device finished: @status "built", "up-to-date" or "failed", @sha256 its image's
 * (NULL when failed), @message what it printed (may be empty). Callers serialise calls.
 */
void batch_progress_device(struct batch_progress *p, const char *id, const char *status,
			   const char *sha256, const char *message, size_t message_len);

/* The last redraw and the end of the display's line. */
void batch_progress_end(struct batch_progress *p);

#endif
