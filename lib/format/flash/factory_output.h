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
};

/*
 * Writes the image to @bin_path, its description to @json_path and o->secret to
 * o->secret_path: all temporary files first, then all renames (the key file first), so
 * all appear or none. @threads: hash the image on a second thread while it is written.
 * Fills @res. Returns 0 or -1 with a message.
 */
int factory_output_write(const struct factory_output *o, const char *bin_path,
			 const char *json_path, int threads, struct factory_result *res);

#endif
