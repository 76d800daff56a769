/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a factory image: FLASH.bin from its plan and FLASH.json describing it. */
#ifndef ESPGEN_FACTORY_OUTPUT_H
#define ESPGEN_FACTORY_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "content.h"
#include "factory.h"
#include "flash.h"

struct factory_output {
	const struct chip *chip;
	const struct flash_params *fp; /* as declared in the manifest */
	const char *device;	       /* the device id in a batch, else NULL */
	struct content_region *r;      /* every region; their sha fields are filled in */
	size_t nr;
	const struct flash_plan *plan;
	const char *secret_path; /* a key file the build generated, or NULL */
	const uint8_t *secret;	 /* its bytes: written mode 0600, never printed */
	size_t secret_len;
	/* regions mode: per region, 1 when it is the factory's shared bytes (its sha filled
	 * in, its file in OUTDIR/common/); NULL: image mode */
	const unsigned char *shared;
	size_t keys_region; /* the region holding the NVS keys (written 0600), or (size_t)-1 */
};

/* Where a batch in regions mode keeps the shared regions, and a device's list of them. */
#define FACTORY_COMMON_DIR "common"
#define FACTORY_FLASH_ARGS_NAME "flash_args"
#define FACTORY_OUTPUT_FILE_MAX 96

/* A region's file as flash_args names it, from the device directory: a shared one
 * "../common/<sha256>.bin", a device's own "0x<offset>.bin". */
void factory_output_region_file(const struct content_region *r, int shared,
				char name[FACTORY_OUTPUT_FILE_MAX]);

/*
 * Regions mode: into the device directory @dir, the regions o->shared does not mark
 * (each as 0x<offset>.bin), flash_args (esptool write-flash syntax, address order) and
 * the description at @json_path (each region's file; the image's size and, instead of
 * its SHA-256, the digest over its regions, which @res gets). Returns 0 or -1.
 */
int factory_output_regions(const struct factory_output *o, const char *dir, const char *json_path,
			   struct factory_result *res);

/*
 * Writes the image to @bin_path, its description to @json_path and o->secret to
 * o->secret_path: all temporary files first, then all renames (the key file first), so
 * all appear or none. @threads: hash the image on a second thread while it is written.
 * Fills @res. Returns 0 or -1 with a message.
 */
int factory_output_write(const struct factory_output *o, const char *bin_path,
			 const char *json_path, int threads, struct factory_result *res);

#endif
