/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key files named per device: a manifest key setting whose whole value is '${column}'
 * names a devices-CSV column, and each device's value in it is the path of its key
 * file, relative to the manifest. Shared by flash_encryption_key, nvs_keys and hmac_key,
 * so that the three follow one rule and say the same things about a bad row.
 */
#ifndef ESPGEN_FACTORY_KEYS_H
#define ESPGEN_FACTORY_KEYS_H

#include "content.h"
#include "depfile.h"
#include "manifest.h"

/*
 * Whether @k's value names a column: 0 for a plain value (*@column NULL), 1 for a whole
 * '${column}' (its name malloc'd in *@column), -1 with a FILE:LINE message for a value
 * with a placeholder that is not the whole value.
 */
int factory_keys_column(const struct manifest *m, const struct manifest_setting *k, char **column);

/*
 * The key file of @dev for the setting @k naming @column: its value resolved against the
 * manifest (malloc'd in *@path) and recorded in @deps (may be NULL). Without a device, or
 * with an empty or missing column, -1 with a message (the device's FILE:LINE).
 */
int factory_keys_device_path(const struct manifest *m, const struct manifest_setting *k,
			     const char *column, const struct content_device *dev,
			     struct depfile *deps, char **path);

/* The device's value in @column (borrowed from @dev), or NULL. */
const char *factory_keys_device_value(const struct content_device *dev, const char *column);

#endif
