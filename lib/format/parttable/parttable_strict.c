/*
 * esp-mkpart --strict: layouts gen_esp32part.py accepts but that fail on a device, from
 * ESP-IDF's partition table, NVS encryption, OTA and Secure Boot documentation. The
 * rules do not lean on parttable_verify() having run (they hold with --no-verify too),
 * and every broken one is reported, not just the first.
 */
#include "parttable.h"

#include <inttypes.h>
#include <string.h>

#include "diag.h"

/* Flash erase unit, and the MMU page an app's offset must start (ESP-IDF: 0x10000). */
#define STRICT_SECTOR 0x1000
#define STRICT_APP_ALIGN 0x10000
/* The least a signed bootloader takes: one sector of image, one for the Secure Boot v2
 * signature sector that follows it (spec/secure-boot.md §2). */
#define STRICT_SIGNED_BOOTLOADER_MIN (2 * STRICT_SECTOR)
#define STRICT_OTA_SLOTS (PARTTABLE_SUBTYPE_APP_OTA_MAX - PARTTABLE_SUBTYPE_APP_OTA_MIN + 1)

static int is_app(const struct parttable_entry *e, int64_t subtype)
{
	return e->type == PARTTABLE_TYPE_APP && e->subtype == subtype;
}

static int is_data(const struct parttable_entry *e, int64_t subtype)
{
	return e->type == PARTTABLE_TYPE_DATA && e->subtype == subtype;
}

/* N for an app partition of subtype ota_N, else -1. */
static int ota_slot(const struct parttable_entry *e)
{
	if (e->type != PARTTABLE_TYPE_APP || e->subtype < PARTTABLE_SUBTYPE_APP_OTA_MIN ||
	    e->subtype > PARTTABLE_SUBTYPE_APP_OTA_MAX)
		return -1;
	return (int)(e->subtype - PARTTABLE_SUBTYPE_APP_OTA_MIN);
}

/* An app the bootloader starts: factory, ota_N or test. */
static int is_boot_app(const struct parttable_entry *e)
{
	return is_app(e, PARTTABLE_SUBTYPE_APP_FACTORY) || is_app(e, PARTTABLE_SUBTYPE_APP_TEST) ||
	       ota_slot(e) >= 0;
}

/* Where the table and the bootloader before it sit. */
static int check_table(const struct parttable *pt, const struct parttable_config *c)
{
	const struct chip *chip = c->chip;
	uint64_t t = (uint64_t)c->table_offset;
	int rc = 0;

	/* ESP-IDF's PARTITION_TABLE_OFFSET: the table has a flash sector of its own */
	if (t % STRICT_SECTOR)
		rc = diag_at(pt->file, c->offset_line,
			     "table offset 0x%" PRIx64 " is not a multiple of 0x%x: the table must "
			     "have a flash sector of its own",
			     t, STRICT_SECTOR);
	if (chip && t < (uint64_t)chip->bootloader_offset + STRICT_SIGNED_BOOTLOADER_MIN)
		rc = diag_at(pt->file, c->offset_line,
			     "table offset 0x%" PRIx64 " leaves no room for a signed %s bootloader "
			     "(at 0x%x, it needs 0x%x bytes at least: one sector of image, one for "
			     "its signature)",
			     t, chip->name, chip->bootloader_offset, STRICT_SIGNED_BOOTLOADER_MIN);
	return rc;
}

/* The rules of one entry. */
static int check_entry(const struct parttable *pt, const struct parttable_entry *e,
		       const struct parttable_config *c)
{
	uint64_t off = (uint64_t)e->offset, end = off + (uint64_t)e->size;
	uint64_t t = (uint64_t)c->table_offset;
	int rc = 0;

	if (parttable_is_primary_special(e)) {
		/* a table that says where the bootloader is must say where the ROM looks */
		if (c->chip && e->type == PARTTABLE_TYPE_BOOTLOADER &&
		    off != c->chip->bootloader_offset)
			rc = parttable_entry_error(
			    pt, e,
			    "bootloader entry '%s' at 0x%" PRIx64 ", but the "
			    "%s ROM loads the bootloader from 0x%x",
			    e->name, off, c->chip->name, c->chip->bootloader_offset);
		return rc;
	}
	if (strlen(e->name) > PARTTABLE_LABEL_LEN)
		rc = parttable_entry_error(pt, e,
					   "partition name '%s' is longer than %d bytes: the table "
					   "keeps '%.*s', and ESP-IDF finds the partition by that",
					   e->name, PARTTABLE_LABEL_LEN, PARTTABLE_LABEL_LEN,
					   e->name);
	if (e->type != PARTTABLE_TYPE_BOOTLOADER && e->type != PARTTABLE_TYPE_PARTITION_TABLE &&
	    e->size % STRICT_SECTOR)
		rc = parttable_entry_error(
		    pt, e,
		    "partition '%s' size 0x%" PRIx64 " is not a multiple of "
		    "the 0x%x byte flash sector: it cannot be erased as a whole",
		    e->name, (uint64_t)e->size, STRICT_SECTOR);
	if (off < t + PARTTABLE_TABLE_SIZE && end > t)
		rc = parttable_entry_error(pt, e,
					   "partition '%s' (0x%" PRIx64 "-0x%" PRIx64
					   ") overlaps the "
					   "partition table at 0x%" PRIx64 "-0x%" PRIx64,
					   e->name, off, end - 1, t, t + PARTTABLE_TABLE_SIZE - 1);
	else if (c->chip && off < t && end > c->chip->bootloader_offset)
		rc = parttable_entry_error(
		    pt, e,
		    "partition '%s' (0x%" PRIx64 "-0x%" PRIx64 ") overlaps the "
		    "%s bootloader at 0x%x-0x%" PRIx64,
		    e->name, off, end - 1, c->chip->name, c->chip->bootloader_offset, t - 1);
	if (e->type == PARTTABLE_TYPE_APP && off % STRICT_APP_ALIGN)
		rc = parttable_entry_error(pt, e,
					   "app partition '%s' at 0x%" PRIx64
					   " is not 64 KiB aligned: "
					   "the flash MMU maps apps in 64 KiB pages",
					   e->name, off);
	if (is_data(e, PARTTABLE_SUBTYPE_DATA_NVS) && (e->flags & PARTTABLE_FLAG_ENCRYPTED))
		rc = parttable_entry_error(
		    pt, e,
		    "NVS partition '%s' is flagged encrypted: nvs_flash_init() "
		    "refuses it (NVS has an encryption of its own, not flash "
		    "encryption)",
		    e->name);
	if (is_data(e, PARTTABLE_SUBTYPE_DATA_NVS_KEYS) && !(e->flags & PARTTABLE_FLAG_ENCRYPTED))
		rc = parttable_entry_error(
		    pt, e,
		    "NVS keys partition '%s' is not flagged encrypted: the NVS "
		    "encryption keys would lie in flash in the clear",
		    e->name);
	if (ota_slot(e) >= 0 && (e->flags & PARTTABLE_FLAG_READONLY))
		rc = parttable_entry_error(
		    pt, e,
		    "OTA app partition '%s' is flagged readonly: an OTA update "
		    "cannot write it",
		    e->name);
	return rc;
}

/* Rules over all entries: OTA slots and otadata, apps to start. */
static int check_apps(const struct parttable *pt)
{
	const struct parttable_entry *otadata = NULL, *first_ota = NULL;
	const struct parttable_entry *slot[STRICT_OTA_SLOTS] = {NULL};
	const struct parttable_entry *factory = NULL, *test = NULL;
	int rc = 0, apps = 0;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i], **seen = NULL;
		int n = ota_slot(e);

		apps += is_boot_app(e);
		if (is_data(e, PARTTABLE_SUBTYPE_DATA_OTA) && !otadata)
			otadata = e;
		if (n >= 0 && !first_ota)
			first_ota = e;
		if (n >= 0)
			seen = &slot[n];
		else if (is_app(e, PARTTABLE_SUBTYPE_APP_FACTORY))
			seen = &factory;
		else if (is_app(e, PARTTABLE_SUBTYPE_APP_TEST))
			seen = &test;
		if (seen && *seen)
			rc = parttable_entry_error(pt, e,
						   "app partition '%s' has the subtype of '%s' "
						   "(0x%02" PRIx64
						   "): the bootloader starts only one "
						   "of them",
						   e->name, (*seen)->name, e->subtype);
		else if (seen)
			*seen = e;
	}
	if (!apps)
		rc =
		    diag_file(pt->file, "no app partition (factory, ota_N or test): the bootloader "
					"has nothing to start");
	if (first_ota && !otadata)
		rc = parttable_entry_error(
		    pt, first_ota,
		    "OTA app partition '%s' without an otadata partition (data, "
		    "ota): the bootloader never starts an OTA slot",
		    first_ota->name);
	if (otadata && !first_ota)
		parttable_entry_warn(
		    pt, otadata,
		    "otadata partition '%s' without OTA app partitions: it selects "
		    "nothing, the bootloader starts the factory app",
		    otadata->name);
	/* the bootloader counts ota_0, ota_1, ... up to the first missing one (otadata.md §4) */
	for (i = 1; i < STRICT_OTA_SLOTS; i++) {
		if (slot[i] && !slot[i - 1])
			rc = parttable_entry_error(
			    pt, slot[i],
			    "OTA app partition '%s' (ota_%zu) without ota_%zu: "
			    "the bootloader counts OTA slots only up to the first "
			    "missing one, and never starts it",
			    slot[i]->name, i, i - 1);
	}
	return rc;
}

int parttable_check_strict(const struct parttable *pt, const struct parttable_config *c)
{
	int rc = check_table(pt, c);
	size_t i;

	for (i = 0; i < pt->n; i++)
		rc |= check_entry(pt, &pt->v[i], c);
	rc |= check_apps(pt);
	return rc < 0 ? -1 : 0;
}
