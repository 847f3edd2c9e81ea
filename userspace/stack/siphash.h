/* xrt: SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed PRF behind ISNs, ports, fragment IDs and SYN cookies (the kernel's lib/siphash.c). */
#ifndef XRT_STACK_SIPHASH_H
#define XRT_STACK_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 128-bit key as two little-endian 64-bit words (k0 = key bytes 0-7). */
typedef struct {
	uint64_t key[2];
} siphash_key_t;

/* SipHash-2-4 of len bytes; the 64-bit result is the little-endian reading
 * of the 8 output bytes of the reference implementation. */
uint64_t siphash(const void *data, size_t len, const siphash_key_t *key);

/* Fill key from getrandom(2). 0 or -errno. */
int siphash_key_random(siphash_key_t *key);

#endif
