/* siphash.h - SipHash-2-4, the keyed hash behind every table keyed by bytes
 * that came off the wire, so that crafted keys cannot collide on purpose.
 * kt_hash_key() is the process-wide random key, drawn once at start. */
#ifndef KT_SIPHASH_H
#define KT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t kt_siphash(const uint8_t key[16], const void *data, size_t len);
/* The process key (from getrandom(), falling back to time and pid). */
const uint8_t *kt_hash_key(void);
/* kt_siphash with the process key. */
uint64_t kt_hash(const void *data, size_t len);

#endif
