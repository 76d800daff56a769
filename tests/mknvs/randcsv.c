/* SPDX-License-Identifier: Apache-2.0 */
/*
 * randcsv: writes random NVS generator CSVs from a fixed seed, as inputs for the
 * --decode round trip of roundtrip.sh.
 *
 *   randcsv SEED COUNT DIR
 *
 * Case i goes to DIR/i/: in.csv, the files its 'file' rows name (relative to DIR/i,
 * where the generator is run), and args (the --size and --version to generate with).
 * The rows mix what made --decode go wrong once: data in namespace 0 before any
 * namespace row (u8 1 and 7 among them), repeated namespace names, strings with
 * commas, quotes, newlines, NULs and CRs (the last two from files), blobs from 0 bytes
 * to beyond one CSV field (100,000 bytes from a file), every integer type at its
 * limits, the Wi-Fi sta.* and ap.* keys (an ap.ssid sometimes from a file).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng;

/* xorshift64*: the same numbers on every machine */
static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

static void key(char *k)
{
	static const char *const keys[] = {"a", "b", "key", "blob", "str", "x.y", "cnt",
					   "long_key_15chr", "n_1", "val"};

	if (rnd(3))
		snprintf(k, 16, "%s", keys[rnd(10)]);
	else
		snprintf(k, 16, "k%u", rnd(1000));
}

/* A CSV field of text: quoted, with commas, quotes and newlines inside. */
static void text(FILE *f, unsigned len)
{
	static const char set[] = "abcXYZ019 ,\"\n#;'-";
	unsigned i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		char c = set[rnd(sizeof(set) - 1)];

		if (c == '"')
			fputc('"', f);
		fputc(c, f);
	}
	fputc('"', f);
}

static int put_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		return -1;
	return 0;
}

static void int_row(FILE *f, const char *k)
{
	static const char *const ints[][3] = {
	    {"u8", "0", "255"},
	    {"i8", "-128", "127"},
	    {"u16", "0", "65535"},
	    {"i16", "-32768", "32767"},
	    {"u32", "0", "4294967295"},
	    {"i32", "-2147483648", "2147483647"},
	    {"u64", "0", "18446744073709551615"},
	    {"i64", "-9223372036854775808", "9223372036854775807"},
	};
	unsigned t = rnd(8), how = rnd(3);

	if (how < 2)
		fprintf(f, "%s,data,%s,%s\n", k, ints[t][0], ints[t][1 + how]);
	else
		fprintf(f, "%s,data,%s,%u\n", k, ints[t][0], rnd(100));
}

static int one_case(const char *dir)
{
	char path[1024], k[16], name[64];
	static uint8_t big[100000];
	unsigned rows = 1 + rnd(40), i, j, nfile = 0, v1 = rnd(5) == 0, need = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/in.csv", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("key,type,encoding,value\n", f);
	/* namespace 0 first, sometimes: u8 values that look like namespace definitions */
	for (i = rnd(2) ? rnd(4) : 0; i > 0; i--) {
		key(k);
		fprintf(f, "%s,data,u8,%u\n", k, rnd(3) ? 1 + rnd(2) : 7);
	}
	for (i = 0; i < rows; i++) {
		unsigned what = rnd(20), n;

		key(k);
		if (what < 3) {
			fprintf(f, "ns%u,namespace,,\n", rnd(6));
		} else if (what < 8) {
			int_row(f, k);
		} else if (what < 10) {
			fprintf(f, "%s,data,%s,", k, rnd(4) ? "string" : "String");
			text(f, rnd(4) ? rnd(40) : rnd(1500));
			fputc('\n', f);
		} else if (what < 13) {
			n = rnd(4) ? rnd(64) : rnd(v1 ? 900 : 3000);
			fprintf(f, "%s,data,hex2bin,", k);
			for (j = 0; j < n; j++)
				fprintf(f, "%02x", rnd(256));
			fputc('\n', f);
		} else if (what < 15) {
			/* a string from a file: NUL and CR inside, UTF-8 */
			n = rnd(200);
			for (j = 0; j < n; j++)
				big[j] = (uint8_t)"ab\0\r\n,#\"c"[rnd(9)];
			snprintf(name, sizeof(name), "f%u.txt", nfile++);
			if (put_file(dir, name, big, n) < 0)
				goto fail;
			fprintf(f, "%s,file,string,%s\n", k, name);
		} else if (what < 17) {
			n = v1 ? rnd(1900) : rnd(5) ? rnd(5000) : 100000 + rnd(2000);
			for (j = 0; j < n; j++)
				big[j % sizeof(big)] = (uint8_t)rnd(256);
			if (n > sizeof(big))
				n = sizeof(big);
			need += n;
			snprintf(name, sizeof(name), "f%u.bin", nfile++);
			if (put_file(dir, name, big, n) < 0)
				goto fail;
			fprintf(f, "%s,file,binary,%s\n", k, name);
		} else if (what == 17) {
			fprintf(f, "sta.%s,data,string,net%u\n", rnd(2) ? "ssid" : "pswd", rnd(9));
		} else if (what == 18) {
			if (rnd(4) == 0) {
				snprintf(name, sizeof(name), "ssid%u.txt", nfile++);
				if (put_file(dir, name, (const uint8_t *)"MyNet", 5) < 0)
					goto fail;
				fprintf(f, "ap.ssid,file,string,%s\n", name);
			} else {
				fprintf(f, "ap.ssid,data,string,ap%u\n", rnd(3));
			}
		} else {
			if (rnd(2))
				fprintf(f, "ap.passwd,data,string,secret%u\n", rnd(3));
			else
				fprintf(f, "ap.authmode,data,u8,%u\n", rnd(4));
		}
	}
	if (fclose(f) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/args", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	/* room for the rows (the script retries larger when it was too little) */
	fprintf(f, "--size 0x%x --version %u\n",
		(unsigned)(need / 4096 + (rnd(4) ? 8 : rnd(2) ? 2 : 3)) * 4096, v1 ? 1 : 2);
	return fclose(f);
fail:
	fclose(f);
	return -1;
}

int main(int argc, char **argv)
{
	char dir[512];
	unsigned long count, i;

	if (argc != 4) {
		fprintf(stderr, "usage: randcsv SEED COUNT DIR\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 0) * 2654435761u + 1;
	count = strtoul(argv[2], NULL, 0);
	for (i = 0; i < count; i++) {
		snprintf(dir, sizeof(dir), "%s/%lu", argv[3], i);
		if (mkdir(dir, 0777) < 0 || one_case(dir) < 0) {
			perror(dir);
			return 1;
		}
	}
	return 0;
}
