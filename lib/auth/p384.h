/*
 * ECDSA verification on NIST P-384 (SEC 1 v2, section 4.1.4), for ES384
 * tokens.  A key's multiples are computed once, on its first use, so
 * that a verification adds table points and never doubles: u1 G + u2 Q in
 * about 130 additions, where a general scalar multiplication takes 384
 * doublings besides.  Verification handles public data only (the key, the
 * message, the signature), so the code is not constant-time, and need not
 * be.  Private to the library.
 */
#ifndef LDN_AUTH_P384_H
#define LDN_AUTH_P384_H

#include <stdbool.h>

enum {
	P384_BYTES = 48 /* a coordinate, a scalar, r, s, and SHA-384 */
};

struct p384_key;

/*
 * The public key with affine coordinates x and y (big-endian).  NULL when
 * a coordinate is not below p, the point is not on the curve, or memory
 * runs out.  The key is shared by reference; the first reference is the
 * caller's.  Its table (about 400 KB and 15 ms) is built by the first
 * p384_key_prepare(), so that a JWK Set read and never used costs nothing
 * more.
 */
struct p384_key *p384_key_new(const unsigned char x[P384_BYTES],
    const unsigned char y[P384_BYTES]);
struct p384_key *p384_key_ref(struct p384_key *k);
void p384_key_unref(struct p384_key *k); /* NULL is fine */
/*
 * Build k's table (and the generator's), once; callers at the same time
 * wait for the first.  False only when memory runs out (a later call tries
 * again).  Thread-safe.
 */
bool p384_key_prepare(struct p384_key *k);

/*
 * Whether r || s (big-endian) is a valid signature by k of hash (the
 * SHA-384 digest of the message).  False, never a crash, for any bytes:
 * r or s outside [1, n - 1] is refused, and so is any signature while k is
 * not prepared.
 */
bool p384_verify(const struct p384_key *k, const unsigned char hash[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES]);

#endif
