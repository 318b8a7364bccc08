/* SHA-256 as hex digits, for content hashes (OpenSSL's digest). */
#ifndef LDN_BASE_SHA256_H
#define LDN_BASE_SHA256_H

#include <stddef.h>

/* SHA-256 of n bytes as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);

#endif
