/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c). */
#ifndef ESPGEN_FUZZ_COMMON_H
#define ESPGEN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A private directory under $TMPDIR (made once per process) for parsers that take a path. */
const char *fuzz_tmpdir(void);

/* Writes @size bytes to @name inside fuzz_tmpdir(); returns the full path (static
 * storage, overwritten by the next call) or NULL. */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

#endif
