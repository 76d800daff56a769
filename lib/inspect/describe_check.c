/*
 * The checks of esp-imginfo --check on a whole flash image: what would keep a device
 * from booting, or lose data, beyond the bad checksums, digests and signatures the
 * describers note anyway. Each finding is a problem of a kind of its own, with one
 * message form (man esp-imginfo lists them). Messages give flash offsets; a problem's
 * offset is the file offset (they differ when the file starts later in flash).
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "node.h"

/* What an app partition the bootloader may start holds. */
enum app_state {
	APP_NONE,   /* not such a partition */
	APP_ABSENT, /* the file ends before it */
	APP_ERASED, /* all 0xFF */
	APP_BAD,    /* something else than a valid app image for the chip */
	APP_OK,
};

static uint64_t file_at(const struct describe_flash_view *v, uint64_t flash)
{
	return flash >= v->boot->target ? flash - v->boot->target : 0;
}

/* factory, ota_0..ota_15 and test: the apps the bootloader starts (spec/otadata.md §4) */
static int is_boot_app(const struct parttable_entry *e)
{
	return e->type == PARTTABLE_TYPE_APP && (e->subtype == PARTTABLE_SUBTYPE_APP_FACTORY ||
						 e->subtype == PARTTABLE_SUBTYPE_APP_TEST ||
						 (e->subtype >= PARTTABLE_SUBTYPE_APP_OTA_MIN &&
						  e->subtype <= PARTTABLE_SUBTYPE_APP_OTA_MAX));
}

/* Index of the first app entry of @subtype, or -1. */
static long find_app(const struct parttable *pt, int64_t subtype)
{
	size_t i;

	for (i = 0; i < pt->n; i++) {
		if (pt->v[i].type == PARTTABLE_TYPE_APP && pt->v[i].subtype == subtype)
			return (long)i;
	}
	return -1;
}

/*
 * The bootloader: found where its chip's ROM loads it from, else why none is found.
 * Returns 0 and its facts in @f, or -1 when there is none.
 */
static int check_bootloader(struct describe_ctx *c, const struct describe_flash_view *v,
			    struct describe_app_facts *f)
{
	const struct describe_boot *b = v->boot;

	if (b->found) {
		uint64_t at = b->target + b->off;

		describe_app_facts(v->data + b->off, v->table_off - b->off, f);
		if (at != b->chip->bootloader_offset)
			describe_problem(
			    c, "bootloader-offset", b->off, "bootloader",
			    "image for %s at 0x%llx, but the %s ROM loads it from 0x%x",
			    b->chip->name, (unsigned long long)at, b->chip->name,
			    b->chip->bootloader_offset);
		return 0;
	}
	if (b->overlap_end)
		describe_problem(
		    c, "bootloader-overlap", b->overlap_off, "bootloader",
		    "image at 0x%zx ends at 0x%zx, inside the partition table at 0x%zx",
		    b->overlap_off, b->overlap_end, v->table_off);
	else
		describe_problem(c, "no-bootloader", 0, "",
				 "no bootloader image of a known chip at 0x0, 0x1000 or 0x2000");
	return -1;
}

/* Partitions, and the image itself, past the flash size the bootloader sets up. */
static void check_flash_size(struct describe_ctx *c, const struct describe_flash_view *v,
			     const struct describe_app_facts *boot)
{
	uint64_t size = boot->flash_size_bytes;
	size_t i;

	if (!size)
		return;
	for (i = 0; i < v->pt->n; i++) {
		const struct parttable_entry *e = &v->pt->v[i];
		uint64_t end = (uint64_t)e->offset + (uint64_t)e->size;

		if (end > size)
			describe_problem(c, "flash-size", file_at(v, (uint64_t)e->offset), "",
					 "partition %s ends at 0x%llx, past the flash size in the "
					 "bootloader header (%s)",
					 e->name, (unsigned long long)end, boot->flash_size);
	}
	if (v->boot->target + v->len > size)
		describe_problem(c, "image-size",
				 size > v->boot->target ? size - v->boot->target : 0, "",
				 "the image ends at 0x%llx, past the flash size in the bootloader "
				 "header (%s)",
				 (unsigned long long)(v->boot->target + v->len), boot->flash_size);
}

/* Whether app partition @i holds a valid image for @chip (NULL: unknown). Problems of
 * its own image were noted while it was described (v->parts[i].problems). */
static enum app_state check_app(struct describe_ctx *c, const struct describe_flash_view *v,
				size_t i, const struct chip *chip)
{
	const struct parttable_entry *e = &v->pt->v[i];
	const struct describe_span *s = &v->parts[i].file;
	const uint8_t *p = v->data + s->from;
	size_t n = s->to - s->from;
	struct describe_app_facts f;
	char where[64];

	if (!is_boot_app(e))
		return APP_NONE;
	if (s->to <= s->from)
		return APP_ABSENT;
	if (node_erased(p, n))
		return APP_ERASED;
	snprintf(where, sizeof(where), "partition %s", e->name);
	if (!appimage_has_magic(p, n)) {
		describe_problem(c, "app-content", s->from, where,
				 "neither an app image (no magic byte 0xE9) nor erased");
		return APP_BAD;
	}
	/* one that does not decode is an "app-decode" problem already */
	if (describe_app_facts(p, n, &f) < 0)
		return APP_BAD;
	if (chip && f.chip != chip) {
		char other[32];

		if (f.chip)
			snprintf(other, sizeof(other), "%s", f.chip->name);
		else
			snprintf(other, sizeof(other), "chip id %u", f.chip_id);
		describe_problem(c, "app-chip", s->from, where,
				 "app image for %s, but the bootloader is for %s", other,
				 chip->name);
		return APP_BAD;
	}
	return v->parts[i].problems ? APP_BAD : APP_OK;
}

static const char *state_text(enum app_state st)
{
	switch (st) {
	case APP_ABSENT:
		return "not in the image";
	case APP_ERASED:
		return "erased";
	case APP_BAD:
		return "invalid";
	case APP_NONE:
	case APP_OK:
		break;
	}
	return "";
}

/*
 * What the bootloader starts, by the otadata partition (an erased one when the file
 * does not hold it), and whether that app is there; an otadata entry that names a slot
 * the bootloader does not count.
 */
static void check_boot(struct describe_ctx *c, const struct describe_flash_view *v,
		       const enum app_state *apps)
{
	struct describe_ota_slots slots;
	struct otadata_entry e[2];
	const struct describe_span *os = NULL;
	char why[160], where[64];
	long ota = -1, target = -1;
	int active = -1;
	unsigned slot;
	uint32_t want;
	size_t i;

	memset(e, 0xFF, sizeof(e));
	describe_ota_slots(v->pt, &slots);
	for (i = 0; i < v->pt->n && ota < 0; i++) {
		if (v->pt->v[i].type == PARTTABLE_TYPE_DATA &&
		    v->pt->v[i].subtype == PARTTABLE_SUBTYPE_DATA_OTA)
			ota = (long)i;
	}
	if (ota >= 0 && v->parts[ota].file.to - v->parts[ota].file.from >= OTADATA_MIN_SIZE) {
		os = &v->parts[ota].file;
		otadata_decode(v->data + os->from, os->to - os->from, e);
		active = otadata_active(e);
	}
	switch (describe_otadata_boots(e, active, &slots, &slot)) {
	case DESCRIBE_BOOTS_OTA:
		target = find_app(v->pt, PARTTABLE_SUBTYPE_APP_OTA_MIN + slot);
		break;
	case DESCRIBE_BOOTS_FACTORY:
		target = find_app(v->pt, PARTTABLE_SUBTYPE_APP_FACTORY);
		break;
	case DESCRIBE_BOOTS_NOTHING:
		/* the bootloader's last resort */
		target = find_app(v->pt, PARTTABLE_SUBTYPE_APP_TEST);
		break;
	}
	if (target < 0) {
		describe_problem(c, "no-app", v->table_off, "partition table",
				 "no app partition the bootloader can start (factory, ota_N or "
				 "test)");
		return;
	}
	if (ota < 0)
		snprintf(why, sizeof(why), "no otadata partition");
	else if (active < 0)
		snprintf(why, sizeof(why), "no valid otadata entry");
	else if (!slots.count)
		snprintf(why, sizeof(why), "no OTA app slots");
	else
		snprintf(why, sizeof(why), "otadata entry %d", active);
	if (apps[target] != APP_OK)
		describe_problem(c, "boot", v->parts[target].file.from, "",
				 "the bootloader starts %s (%s), which holds no valid app image "
				 "(%s)",
				 v->pt->v[target].name, why, state_text(apps[target]));

	/* ota_N past a gap in the slots: in the table, but never started */
	if (active < 0)
		return;
	want = e[active].seq - 1;
	snprintf(where, sizeof(where), "partition %s", v->pt->v[ota].name);
	if (want < OTADATA_MAX_SLOTS && (slots.present >> want & 1u) &&
	    otadata_slot_check(want, slots.present, why, sizeof(why)) < 0)
		describe_problem(c, "otadata-slot", os->from + (size_t)active * OTADATA_SECTOR,
				 where,
				 "entry %d selects ota_%u (seq %u), but %s: the bootloader starts "
				 "%s",
				 active, want, e[active].seq, why, v->pt->v[target].name);
}

struct stray_ctx {
	struct describe_ctx *c;
	uint64_t target;
};

static void stray(void *ctx, size_t from, size_t to)
{
	struct stray_ctx *s = ctx;

	describe_problem(
	    s->c, "stray-bytes", from, "", "0x%llx-0x%llx: not erased, but outside every partition",
	    (unsigned long long)(s->target + from), (unsigned long long)(s->target + to));
}

/* Bytes outside the bootloader, the table's sector and every partition: 0xFF. */
static void check_stray(struct describe_ctx *c, const struct describe_flash_view *v)
{
	struct describe_span *spans = calloc(v->pt->n + 1, sizeof(*spans));
	struct stray_ctx s = {c, v->boot->target};
	size_t i, end = v->table_off + PARTTABLE_TABLE_SIZE;

	if (!spans) {
		node_set_flags(c->problems, IMGINFO_F_OOM);
		return;
	}
	/* without a bootloader, what lies before the table is its (broken) place */
	spans[0] =
	    (struct describe_span){v->boot->found ? v->boot->off : 0, end < v->len ? end : v->len};
	for (i = 0; i < v->pt->n; i++)
		spans[i + 1] = v->parts[i].file;
	describe_uncovered(v->data, v->len, spans, v->pt->n + 1, stray, &s);
	free(spans);
}

void describe_check_flash(struct describe_ctx *c, const struct describe_flash_view *v)
{
	struct describe_app_facts boot;
	enum app_state *apps = calloc(v->pt->n ? v->pt->n : 1, sizeof(*apps));
	const struct chip *chip = NULL;
	size_t i;

	if (!apps) {
		node_set_flags(c->problems, IMGINFO_F_OOM);
		return;
	}
	if (check_bootloader(c, v, &boot) == 0) {
		chip = v->boot->chip;
		check_flash_size(c, v, &boot);
	}
	for (i = 0; i < v->pt->n; i++)
		apps[i] = check_app(c, v, i, chip);
	check_boot(c, v, apps);
	check_stray(c, v);
	free(apps);
}
