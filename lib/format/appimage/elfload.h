/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading the parts of an ELF32 little-endian executable that esptool's elf2image
 * uses (spec/app-image.md §5.1): loadable sections, PT_LOAD segments, the entry
 * point and the SHA-256 of the whole file. Headers are read with libelf; every
 * offset and length is checked against the file size before data is read.
 */
#ifndef ESPGEN_ELFLOAD_H
#define ESPGEN_ELFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* One section (or PT_LOAD segment, named "PHDR") with its file bytes. */
struct elf_part {
	char *name;
	uint32_t addr;	/* sh_addr, or p_paddr for segments */
	uint32_t size;	/* sh_size / p_filesz */
	uint32_t align; /* sh_addralign / p_align */
	uint8_t *data;	/* @size bytes, or NULL when not loaded */
};

struct elfload_file {
	uint16_t machine;
	uint32_t entry;
	/* PROGBITS, INIT_ARRAY, FINI_ARRAY, PREINIT_ARRAY sections with address and size
	 * not 0, in section header order. */
	struct elf_part *sections;
	size_t nsections;
	/* PT_LOAD program headers with p_paddr and p_filesz not 0, in header order. */
	struct elf_part *segments;
	size_t nsegments;
	uint8_t sha256[SHA256_LEN]; /* of the whole file */
};

enum {
	ELF_LOAD_SECTIONS = 0, /* read the data of every section */
	ELF_LOAD_SEGMENTS = 1, /* read segment data; of sections only *.flash.appdesc* */
};

/*
 * Reads @path. @mode says whose data to load (the other list gets names and
 * addresses only). Returns 0, or -1 after printing "PROG: PATH: message" for a
 * file that is missing, not an ELF32 LE file, not Xtensa/RISC-V, or truncated.
 */
int elfload_load(const char *path, int mode, struct elfload_file *out);
/* Frees everything elfload_load() allocated; @f may be zeroed or partly filled. */
void elfload_free(struct elfload_file *f);

#endif
