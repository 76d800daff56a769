/* SPDX-License-Identifier: Apache-2.0 */
#include "elfload.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"

/* Types esptool knows but takes no bytes from (ELFFile._read_sections): no warning. */
#define SHT_KNOWN_OTHER(t) ((t) == SHT_NOBITS || (t) == SHT_STRTAB)
#define ESPTOOL_SHENTSIZE 0x28

struct loader {
	const char *path;
	int fd;
	uint64_t size;
	Elf *elf;
	uint64_t loaded; /* bytes of section/segment data read so far */
};

static int read_at(struct loader *l, uint64_t off, void *dst, size_t len)
{
	uint8_t *p = dst;

	while (len) {
		ssize_t n = pread(l->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return diag_errno(l->path, "read error");
		if (n == 0)
			return diag_file(l->path, "unexpected end of file");
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int hash_file(struct loader *l, uint8_t out[SHA256_LEN])
{
	struct hash_sha256_ctx ctx;
	uint8_t *chunk;
	uint64_t off = 0;

	chunk = malloc(65536);
	if (!chunk)
		return diag_error("out of memory");
	hash_sha256_begin(&ctx);
	while (off < l->size) {
		size_t n = l->size - off > 65536 ? 65536 : (size_t)(l->size - off);

		if (read_at(l, off, chunk, n) < 0) {
			free(chunk);
			return -1;
		}
		hash_sha256_update(&ctx, chunk, n);
		off += n;
	}
	hash_sha256_end(&ctx, out);
	free(chunk);
	return 0;
}

/* Reads [off, off+len) into a new buffer; the range must lie inside the file. */
static int load_bytes(struct loader *l, uint64_t off, uint32_t len, const char *what, uint32_t addr,
		      uint8_t **out)
{
	if (off > l->size || l->size - off < len)
		return diag_file(l->path,
				 "%s at 0x%08x: data [0x%llx, 0x%llx) runs past the end of the "
				 "file (0x%llx bytes); truncated ELF?",
				 what, addr, (unsigned long long)off,
				 (unsigned long long)(off + len), (unsigned long long)l->size);
	/* sections may all name the same bytes: bound the sum, not each one */
	if (l->loaded + len > FILEIO_MAX_INPUT)
		return diag_file(l->path, "sections and segments hold more than %zu bytes of data",
				 FILEIO_MAX_INPUT);
	l->loaded += len;
	*out = malloc(len ? len : 1);
	if (!*out)
		return diag_error("out of memory");
	buf_hint_large(*out, len);
	if (read_at(l, off, *out, len) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Name at @off of the section name table, as esptool reads it: up to the first NUL. */
static char *lookup_name(struct loader *l, const uint8_t *strtab, size_t len, uint32_t off,
			 uint32_t addr)
{
	char *s;

	/* the name must end (NUL) inside the table, or strdup would read past it */
	if (off >= len || !memchr(strtab + off, 0, len - off)) {
		diag_file(l->path,
			  "section at 0x%08x: name offset 0x%x is outside the section "
			  "name table, or the name is not terminated",
			  addr, off);
		return NULL;
	}
	s = strdup((const char *)strtab + off);
	if (!s)
		diag_error("out of memory");
	return s;
}

static int add_part(struct elf_part **v, size_t *n, const struct elf_part *p)
{
	struct elf_part *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return diag_error("out of memory");
	*v = nv;
	nv[(*n)++] = *p;
	return 0;
}

static int check_header(struct loader *l, const uint8_t *h)
{
	uint16_t machine, shentsize, shnum;

	if (l->size < 52 || memcmp(h, ELFMAG, SELFMAG) != 0)
		return diag_file(l->path, "not an ELF file (bad magic or too short)");
	if (h[EI_CLASS] != ELFCLASS32 || h[EI_DATA] != ELFDATA2LSB)
		return diag_file(l->path, "not a 32-bit little-endian ELF file");
	machine = (uint16_t)(h[18] | h[19] << 8);
	if (machine != EM_XTENSA && machine != EM_RISCV)
		return diag_file(l->path, "not an Xtensa or RISC-V ELF file (e_machine = 0x%04x)",
				 machine);
	shentsize = (uint16_t)(h[46] | h[47] << 8);
	if (shentsize != ESPTOOL_SHENTSIZE)
		return diag_file(l->path, "unexpected section header entry size 0x%x (not 0x28)",
				 shentsize);
	shnum = (uint16_t)(h[48] | h[49] << 8);
	if (shnum == 0)
		return diag_file(l->path, "ELF file has no section headers");
	return 0;
}

static int load_sections(struct loader *l, const Elf32_Ehdr *eh, int mode, struct elfload_file *out)
{
	const uint64_t table_len = (uint64_t)eh->e_shnum * ESPTOOL_SHENTSIZE;
	Elf32_Shdr *strhdr;
	uint8_t *strtab = NULL;
	Elf_Scn *scn;
	size_t i;
	int rc = -1, found_appdesc = 0;

	if (eh->e_shoff > l->size || l->size - eh->e_shoff < table_len)
		return diag_file(l->path,
				 "section header table at 0x%x runs past the end of the "
				 "file; truncated ELF?",
				 eh->e_shoff);
	if (eh->e_shstrndx >= eh->e_shnum)
		return diag_file(l->path, "no section name table at shstrndx %u", eh->e_shstrndx);
	scn = elf_getscn(l->elf, eh->e_shstrndx);
	strhdr = scn ? elf32_getshdr(scn) : NULL;
	if (!strhdr)
		return diag_file(l->path, "cannot read section headers: %s", elf_errmsg(-1));
	if (strhdr->sh_type != SHT_STRTAB)
		diag_warn_at(l->path, 0, "section name table has type 0x%x, not STRTAB",
			     strhdr->sh_type);
	if (load_bytes(l, strhdr->sh_offset, strhdr->sh_size, "section name table", strhdr->sh_addr,
		       &strtab) < 0)
		return -1;

	for (i = 0; i < eh->e_shnum; i++) {
		struct elf_part p = {0};
		Elf32_Shdr *sh;
		int prog;

		scn = elf_getscn(l->elf, i);
		sh = scn ? elf32_getshdr(scn) : NULL;
		if (!sh) {
			diag_file(l->path, "cannot read section header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		if (sh->sh_addr == 0 || sh->sh_size == 0)
			continue;
		prog = sh->sh_type == SHT_PROGBITS || sh->sh_type == SHT_INIT_ARRAY ||
		       sh->sh_type == SHT_FINI_ARRAY || sh->sh_type == SHT_PREINIT_ARRAY;
		if (!prog) {
			if (!SHT_KNOWN_OTHER(sh->sh_type))
				diag_warn_at(l->path, 0,
					     "section %zu at 0x%08x has unknown type 0x%x; skipped",
					     i, sh->sh_addr, sh->sh_type);
			continue;
		}
		p.name = lookup_name(l, strtab, strhdr->sh_size, sh->sh_name, sh->sh_addr);
		if (!p.name)
			goto out;
		p.addr = sh->sh_addr;
		p.size = sh->sh_size;
		p.align = sh->sh_addralign;
		if (mode == ELF_LOAD_SECTIONS ||
		    (!found_appdesc && strstr(p.name, ".flash.appdesc"))) {
			char what[80];

			found_appdesc |= strstr(p.name, ".flash.appdesc") != NULL;
			snprintf(what, sizeof(what), "section %.60s", p.name);
			if (load_bytes(l, sh->sh_offset, p.size, what, p.addr, &p.data) < 0) {
				free(p.name);
				goto out;
			}
		}
		if (add_part(&out->sections, &out->nsections, &p) < 0) {
			free(p.name);
			free(p.data);
			goto out;
		}
	}
	rc = 0;
out:
	free(strtab);
	return rc;
}

static int load_segments(struct loader *l, const Elf32_Ehdr *eh, int mode, struct elfload_file *out)
{
	const uint64_t table_len = (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr);
	Elf32_Phdr *ph;
	size_t i, n;

	if (eh->e_phnum == 0)
		return 0;
	if (eh->e_phoff > l->size || l->size - eh->e_phoff < table_len)
		return diag_file(l->path,
				 "program header table at 0x%x runs past the end of the "
				 "file; truncated ELF?",
				 eh->e_phoff);
	if (elf_getphdrnum(l->elf, &n) != 0 || n != eh->e_phnum || !(ph = elf32_getphdr(l->elf)))
		return diag_file(l->path, "cannot read program headers: %s", elf_errmsg(-1));
	for (i = 0; i < n; i++) {
		struct elf_part p = {0};

		if (ph[i].p_type != PT_LOAD || ph[i].p_paddr == 0 || ph[i].p_filesz == 0)
			continue;
		p.addr = ph[i].p_paddr;
		p.size = ph[i].p_filesz;
		p.align = ph[i].p_align;
		p.name = strdup("PHDR");
		if (!p.name)
			return diag_error("out of memory");
		if (mode == ELF_LOAD_SEGMENTS &&
		    load_bytes(l, ph[i].p_offset, p.size, "segment", p.addr, &p.data) < 0) {
			free(p.name);
			return -1;
		}
		if (add_part(&out->segments, &out->nsegments, &p) < 0) {
			free(p.name);
			free(p.data);
			return -1;
		}
	}
	return 0;
}

int elfload_load(const char *path, int mode, struct elfload_file *out)
{
	struct loader l = {path, -1, 0, NULL, 0};
	uint8_t hdr[52];
	struct stat st;
	Elf32_Ehdr *eh;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	l.fd = open(path, O_RDONLY);
	if (l.fd < 0)
		return diag_errno(path, "cannot open");
	if (fstat(l.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_file(path, "not a regular file");
		goto out;
	}
	l.size = (uint64_t)st.st_size;
	if (l.size > FILEIO_MAX_INPUT) {
		diag_file(path, "file is larger than the limit of %zu bytes", FILEIO_MAX_INPUT);
		goto out;
	}
	memset(hdr, 0, sizeof(hdr));
	if (l.size >= sizeof(hdr) && read_at(&l, 0, hdr, sizeof(hdr)) < 0)
		goto out;
	if (check_header(&l, hdr) < 0)
		goto out;
	if (hash_file(&l, out->sha256) < 0)
		goto out;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		diag_error("libelf initialisation failed: %s", elf_errmsg(-1));
		goto out;
	}
	l.elf = elf_begin(l.fd, ELF_C_READ, NULL);
	if (!l.elf || elf_kind(l.elf) != ELF_K_ELF || !(eh = elf32_getehdr(l.elf))) {
		diag_file(path, "cannot read the ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	out->machine = eh->e_machine;
	out->entry = eh->e_entry;
	if (load_sections(&l, eh, mode, out) < 0 || load_segments(&l, eh, mode, out) < 0)
		goto out;
	rc = 0;
out:
	if (l.elf)
		elf_end(l.elf);
	close(l.fd);
	if (rc < 0)
		elfload_free(out);
	return rc;
}

static void free_parts(struct elf_part *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].data);
	}
	free(v);
}

void elfload_free(struct elfload_file *f)
{
	free_parts(f->sections, f->nsections);
	free_parts(f->segments, f->nsegments);
	f->sections = NULL;
	f->segments = NULL;
	f->nsections = 0;
	f->nsegments = 0;
}
