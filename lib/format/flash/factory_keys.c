/* SPDX-License-Identifier: Apache-2.0 */
/* Key files named by a devices-CSV column (factory_keys.h). */
#include "factory_keys.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

int factory_keys_column(const struct manifest *m, const struct manifest_setting *k, char **column)
{
	const char *v = k->value;
	size_t n = strlen(v);

	*column = NULL;
	if (!strstr(v, "${"))
		return 0;
	/* one column per key: a path pieced together from several would be a second way of
	 * naming files that the devices CSV can already hold whole */
	if (n < 4 || strncmp(v, "${", 2) != 0 || v[n - 1] != '}' ||
	    strpbrk(v + 2, "${}") != v + n - 1)
		return manifest_error(m, k->line,
				      "%s = '%s': a device's key is named by a whole value "
				      "'${column}'",
				      k->key, v);
	*column = strndup(v + 2, n - 3);
	if (!*column)
		return diag_error("out of memory");
	return 1;
}

const char *factory_keys_device_value(const struct content_device *dev, const char *column)
{
	size_t i;

	for (i = 0; dev && i < dev->ncols; i++)
		if (strcmp(dev->names[i], column) == 0)
			return dev->values[i];
	return NULL;
}

int factory_keys_device_path(const struct manifest *m, const struct manifest_setting *k,
			     const char *column, const struct content_device *dev,
			     struct depfile *deps, char **path)
{
	const char *v = factory_keys_device_value(dev, column);

	*path = NULL;
	if (!dev)
		return manifest_error(m, k->line,
				      "%s = ${%s} names a devices CSV column: build with --devices",
				      k->key, column);
	if (!v || !*v)
		return diag_at(dev->file, dev->line, "device %s: %s column '%s' for %s (%s:%u)",
			       dev->id, v ? "empty" : "no", column, k->key, m->file, k->line);
	*path = manifest_path(m, v);
	if (!*path)
		return diag_error("out of memory");
	if (depfile_add(deps, *path) < 0) {
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}
