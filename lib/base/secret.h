/* SPDX-License-Identifier: Apache-2.0 */
/* Handling of secrets in memory (private keys, PINs, flash-encryption and NVS keys):
 * wiped after use and kept out of core dumps. */
#ifndef ESPGEN_SECRET_H
#define ESPGEN_SECRET_H

#include <stddef.h>

#include "buf.h"

/* Overwrites @n bytes at @p with zeros in a way the compiler may not drop. */
void secret_wipe(void *p, size_t n);

/* Wipes all of @b's storage (its capacity, not only its length), then frees it. */
void secret_buf_free(struct buf *b);

/*
 * Keeps this process from writing a core dump or being read through ptrace by another
 * process of the same user, from now until it exits: called before a secret is read.
 * Failures are ignored (the secret is still handled; a restricted environment may
 * forbid the calls).
 */
void secret_protect_process(void);

#endif
