/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What fills a partition of a factory image: one handler per kind of content
 * (file, elf, otadata, nvs, spiffs, fat), in the shape of genimage's image handlers. A manifest
 * section names its handler by the handler's key ("file = app.bin", "boot = ota_0",
 * ...); the factory (factory.c) calls the handler's callbacks in phases: check every
 * section, build what all images share once, then build the per-device part of each
 * image. Adding a kind of content is adding one handler to the table in content.c.
 */
#ifndef ESPGEN_CONTENT_H
#define ESPGEN_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "depfile.h"
#include "elf2image.h"
#include "flash.h"
#include "hash.h"
#include "manifest.h"
#include "parttable.h"

/* A region of the image, for placing and for FLASH.json. */
struct content_region {
	const char *name;
	const char *source; /* as written in the manifest */
	const char *kind;
	char what[48]; /* storage for a generated source's description */
	char sha[2 * SHA256_LEN + 1];	    /* of the bytes stored */
	char plain_sha[2 * SHA256_LEN + 1]; /* of the plaintext, when encrypted */
	int encrypted;			    /* stored flash-encrypted (factory_enc.h) */
	const char *nvs_encryption;	    /* NVS encrypted: "flash" or "hmac" (factory_nvs.h) */
	const char *key_file;		    /* the NVS key file used, by name */
	uint64_t offset;
	uint64_t size; /* partition size (data size for bootloader/table) */
	struct buf data;
};

/* One device of a batch: its row of the devices CSV. */
struct content_device {
	const char *id;
	const char *file; /* the devices CSV, for messages */
	unsigned line;
	const char *const *names; /* column names */
	const char *const *values;
	size_t ncols;
};

/* What a handler is given for the section it fills. */
struct content_ctx {
	const struct manifest *m;
	const struct manifest_section *s;
	const struct manifest_setting *src; /* the handler's key in the section */
	const struct parttable *pt;
	const struct parttable_entry *p; /* the partition the section names */
	const struct chip *chip;
	const struct flash_params *fp; /* the manifest's flash settings */
	struct depfile *deps;	       /* every file read is added here */
};

struct content_handler {
	const char *key;	 /* the section key that selects it */
	const char *kind;	 /* FLASH.json "kind" */
	const char *const *opts; /* the other keys it takes, NULL-terminated (NULL: none) */
	/*
	 * Validates the section against the layout and the partition (FILE:LINE
	 * errors), reading no file, and may leave state for the later phases in
	 * *@priv. Returns 0 or -1 with a message. NULL: nothing to check.
	 */
	int (*check)(const struct content_ctx *c, void **priv);
	/*
	 * Builds what every image shares: r->data (bytes placed as they are unless
	 * build_device replaces them) and r->source. Returns 0 or -1 with a message.
	 */
	int (*build_shared)(const struct content_ctx *c, void *priv, struct content_region *r);
	/*
	 * Builds the region for one image into @out (appended); @dev is NULL without a
	 * devices CSV. Records the files it reads in @deps (may be NULL). Called from
	 * several threads at once: @priv is read only. Returns 0 or -1 with a message.
	 * NULL: the shared bytes are the region.
	 */
	int (*build_device)(const void *priv, const struct content_device *dev,
			    struct depfile *deps, struct buf *out);
	/* For a failed device: appends to @note which of its columns fed the lines
	 * that @messages name (FILE:LINE). NULL: nothing to say. */
	void (*explain)(const void *priv, const struct content_device *dev, const char *messages,
			struct buf *note);
	void (*free)(void *priv);
};

extern const struct content_handler content_file;
extern const struct content_handler content_elf;
extern const struct content_handler content_otadata;
extern const struct content_handler content_nvs;
extern const struct content_handler content_nvs_keys;
extern const struct content_handler content_spiffs;
extern const struct content_handler content_fat;

/* The handlers in the order error messages list them. */
extern const struct content_handler *const content_handlers[];
extern const size_t content_nhandlers;

/* Whether any handler takes @key in a section. */
int content_key_known(const char *key);

/* "file, elf, boot, nvs, ..., and for elf: min_rev, ..." appended to @b, NUL-terminated
 * (the whole list, however many handlers and keys). Returns 0, or -1 out of memory. */
int content_keys_text(struct buf *b);

/*
 * Picks the handler of section @s: exactly one handler key must be set, and every
 * other key must be one of that handler's. Returns the handler and stores its key's
 * setting in @src, or NULL after a FILE:LINE message.
 */
const struct content_handler *content_select(const struct manifest *m,
					     const struct manifest_section *s,
					     const struct manifest_setting **src);

/* @rel resolved against the manifest (malloc'd) and recorded in @deps as a file the
 * build reads. NULL after a message (out of memory). */
char *content_input(const struct manifest *m, const char *rel, struct depfile *deps);

/* Checks that r->data fits the section's partition; the message names r->source and
 * the section's line. Returns 0 or -1 with a message. */
int content_fit_check(const struct content_ctx *c, const struct content_region *r);

/* Checks that @b is an app image for @chip; @what names it in the messages, @line is
 * where the manifest names it. Returns 0 or -1 with a message. */
int content_file_check_app(const struct manifest *m, unsigned line, const char *what,
			   const struct chip *chip, const struct buf *b);

/*
 * elf2image options for the manifest's chip and flash settings, and the elf keys of
 * section @s (NULL: none, as for the bootloader). Returns 0 or -1 with a message.
 */
int content_elf_opts(const struct manifest *m, const struct chip *chip,
		     const struct manifest_section *s, struct elf2image_opts *o);

/* Converts the ELF @rel (relative to the manifest, recorded in @deps) into an app
 * image appended to @out. Returns 0 or -1 with a message. */
int content_elf_convert(const struct manifest *m, const struct elf2image_opts *o,
			const char *rel, struct depfile *deps, struct buf *out);

/* Reads @rel (relative to the manifest, recorded in @deps) into @out. Returns 0 or -1
 * with a message. */
int content_file_read(const struct manifest *m, const char *rel, struct depfile *deps,
		      struct buf *out);

#endif
