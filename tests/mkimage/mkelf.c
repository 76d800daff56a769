/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkelf: writes small ELF32 LE executables with libelf, as inputs for the
 * esp-mkimage tests (no upstream ELF files in the tree).
 *
 *   mkelf OUT [--machine xtensa|riscv|0xNN] [--entry ADDR] [--phdrs]
 *             [--section NAME,ADDR,SIZE[,TYPE[,ALIGN[,CONTENT]]]]...
 *
 * TYPE: progbits (default), nobits, init_array, fini_array, preinit_array,
 * note (a type esptool warns about). CONTENT: pat (default: a byte pattern that
 * depends on the section), zero, desc (an esp_app_desc_t: magic, zero SHA-256),
 * descN (the same with mmu_page_size = N), descnul (project_name "ab\0cd"), bootdesc
 * (an esp_bootloader_desc_t), ff (all 0xFF).
 * --phdrs adds one PT_LOAD program header per non-NOBITS section (p_paddr = ADDR).
 * --phdr-lma-shift N makes p_paddr = ADDR + N (LMA differs from VMA).
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SECTIONS 64

struct sec {
	char name[64];
	unsigned long addr, size, align;
	unsigned type;
	char content[16];
	unsigned char *data;
};

static int die(const char *msg)
{
	fprintf(stderr, "mkelf: %s (%s)\n", msg, elf_errmsg(-1));
	return 1;
}

static int parse_section(const char *arg, struct sec *s)
{
	char buf[256], *f[6] = {0}, *p;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (p = strtok(buf, ","); p && n < 6; p = strtok(NULL, ","))
		f[n++] = p;
	if (n < 3)
		return -1;
	snprintf(s->name, sizeof(s->name), "%s", f[0]);
	s->addr = strtoul(f[1], NULL, 0);
	s->size = strtoul(f[2], NULL, 0);
	s->type = SHT_PROGBITS;
	s->align = 4;
	snprintf(s->content, sizeof(s->content), "pat");
	if (n > 3) {
		if (!strcmp(f[3], "nobits"))
			s->type = SHT_NOBITS;
		else if (!strcmp(f[3], "init_array"))
			s->type = SHT_INIT_ARRAY;
		else if (!strcmp(f[3], "fini_array"))
			s->type = SHT_FINI_ARRAY;
		else if (!strcmp(f[3], "preinit_array"))
			s->type = SHT_PREINIT_ARRAY;
		else if (!strcmp(f[3], "note"))
			s->type = SHT_NOTE;
		else if (strcmp(f[3], "progbits"))
			return -1;
	}
	if (n > 4)
		s->align = strtoul(f[4], NULL, 0);
	if (n > 5)
		snprintf(s->content, sizeof(s->content), "%s", f[5]);
	return 0;
}

static void fill(struct sec *s, unsigned idx)
{
	unsigned long i;

	s->data = calloc(s->size ? s->size : 1, 1);
	if (!strcmp(s->content, "zero"))
		return;
	if (!strcmp(s->content, "ff")) {
		memset(s->data, 0xFF, s->size);
		return;
	}
	if (!strcmp(s->content, "bootdesc")) {
		/* esp_bootloader_desc_t: magic 0x50, secure_version 2, version 7, idf_ver and
		 * date_time; "x\0yz" in date_time's last bytes, hidden after its NUL */
		static const char idf[] = "v5.2.1", when[] = "Dec  1 2026 10:00:00";

		if (s->size >= 80) {
			s->data[0] = 0x50;
			s->data[3] = 2;
			s->data[4] = 7;
			memcpy(s->data + 8, idf, sizeof(idf) - 1);
			memcpy(s->data + 40, when, sizeof(when) - 1);
			memcpy(s->data + 40 + 20, "x\0yz", 4);
		}
		return;
	}
	if (!strcmp(s->content, "descnul")) {
		/* an esp_app_desc_t whose project_name is "ab\0cd" */
		if (s->size >= 0x100) {
			memcpy(s->data, "\x32\x54\xcd\xab", 4);
			memcpy(s->data + 0x10, "v1.0-test", 9);
			memcpy(s->data + 0x30, "ab\0cd", 5);
		}
		return;
	}
	if (!strncmp(s->content, "desc", 4)) {
		if (s->size >= 4) {
			s->data[0] = 0x32;
			s->data[1] = 0x54;
			s->data[2] = 0xCD;
			s->data[3] = 0xAB;
		}
		for (i = 0x10; i < 0x20 && i < s->size; i++)
			s->data[i] = (unsigned char)"v1.0-test\0\0\0\0\0\0\0"[i - 0x10];
		if (s->size > 0xB4 && s->content[4])
			s->data[0xB4] = (unsigned char)atoi(s->content + 4);
		return;
	}
	for (i = 0; i < s->size; i++)
		s->data[i] = (unsigned char)(i * 7 + idx * 29 + 1);
}

int main(int argc, char **argv)
{
	struct sec secs[MAX_SECTIONS];
	size_t nsec = 0, i, nph = 0;
	unsigned machine = EM_RISCV;
	unsigned long entry = 0, lma_shift = 0;
	int phdrs = 0, fd, a;
	char shstr[4096];
	size_t shlen = 1;
	size_t name_off[MAX_SECTIONS];
	Elf *e;
	Elf32_Ehdr *eh;
	Elf32_Phdr *ph = NULL;
	Elf_Scn *scns[MAX_SECTIONS], *strscn;
	Elf_Data *d;
	Elf32_Shdr *sh;

	if (argc < 2) {
		fprintf(stderr, "usage: mkelf OUT [options]\n");
		return 2;
	}
	for (a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--machine") && a + 1 < argc) {
			a++;
			machine = !strcmp(argv[a], "xtensa")  ? EM_XTENSA
				  : !strcmp(argv[a], "riscv") ? EM_RISCV
							      : (unsigned)strtoul(argv[a], NULL, 0);
		} else if (!strcmp(argv[a], "--entry") && a + 1 < argc) {
			entry = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--phdrs")) {
			phdrs = 1;
		} else if (!strcmp(argv[a], "--phdr-lma-shift") && a + 1 < argc) {
			lma_shift = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--section") && a + 1 < argc && nsec < MAX_SECTIONS) {
			memset(&secs[nsec], 0, sizeof(secs[nsec]));
			if (parse_section(argv[++a], &secs[nsec]) < 0) {
				fprintf(stderr, "mkelf: bad --section '%s'\n", argv[a]);
				return 2;
			}
			nsec++;
		} else {
			fprintf(stderr, "mkelf: bad argument '%s'\n", argv[a]);
			return 2;
		}
	}
	memset(shstr, 0, sizeof(shstr));
	for (i = 0; i < nsec; i++) {
		fill(&secs[i], (unsigned)i);
		name_off[i] = shlen;
		memcpy(shstr + shlen, secs[i].name, strlen(secs[i].name) + 1);
		shlen += strlen(secs[i].name) + 1;
		if (phdrs && secs[i].type != SHT_NOBITS)
			nph++;
	}
	memcpy(shstr + shlen, ".shstrtab", 10);
	size_t shstr_name = shlen;
	shlen += 10;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return die("libelf init");
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e || !(eh = elf32_newehdr(e)))
		return die("elf_begin/newehdr");
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_machine = (Elf32_Half)machine;
	eh->e_type = ET_EXEC;
	eh->e_version = EV_CURRENT;
	eh->e_entry = (Elf32_Addr)entry;
	if (nph && !(ph = elf32_newphdr(e, nph)))
		return die("newphdr");
	for (i = 0; i < nsec; i++) {
		scns[i] = elf_newscn(e);
		d = elf_newdata(scns[i]);
		if (!scns[i] || !d)
			return die("newscn");
		d->d_align = 1;
		d->d_buf = secs[i].type == SHT_NOBITS ? NULL : secs[i].data;
		d->d_size = secs[i].size;
		d->d_type = ELF_T_BYTE;
		d->d_version = EV_CURRENT;
		sh = elf32_getshdr(scns[i]);
		sh->sh_name = (Elf32_Word)name_off[i];
		sh->sh_type = secs[i].type;
		sh->sh_flags = SHF_ALLOC | (secs[i].type == SHT_NOBITS ? SHF_WRITE : 0);
		sh->sh_addr = (Elf32_Addr)secs[i].addr;
		sh->sh_addralign = (Elf32_Word)secs[i].align;
	}
	strscn = elf_newscn(e);
	d = elf_newdata(strscn);
	d->d_align = 1;
	d->d_buf = shstr;
	d->d_size = shlen;
	d->d_type = ELF_T_BYTE;
	d->d_version = EV_CURRENT;
	sh = elf32_getshdr(strscn);
	sh->sh_name = (Elf32_Word)shstr_name;
	sh->sh_type = SHT_STRTAB;
	eh->e_shstrndx = (Elf32_Half)elf_ndxscn(strscn);

	if (elf_update(e, ELF_C_NULL) < 0)
		return die("elf_update(NULL)");
	if (nph) {
		size_t k = 0;

		for (i = 0; i < nsec; i++) {
			if (secs[i].type == SHT_NOBITS)
				continue;
			sh = elf32_getshdr(scns[i]);
			ph[k].p_type = PT_LOAD;
			ph[k].p_offset = sh->sh_offset;
			ph[k].p_vaddr = (Elf32_Addr)secs[i].addr;
			ph[k].p_paddr = (Elf32_Addr)(secs[i].addr + lma_shift);
			ph[k].p_filesz = (Elf32_Word)secs[i].size;
			ph[k].p_memsz = (Elf32_Word)secs[i].size;
			ph[k].p_flags = PF_R;
			ph[k].p_align = (Elf32_Word)secs[i].align;
			k++;
		}
		elf_flagphdr(e, ELF_C_SET, ELF_F_DIRTY);
	}
	if (elf_update(e, ELF_C_WRITE) < 0)
		return die("elf_update(WRITE)");
	elf_end(e);
	close(fd);
	for (i = 0; i < nsec; i++)
		free(secs[i].data);
	return 0;
}
