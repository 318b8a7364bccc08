/*
 * The reference that tests/p384.c and tests/fuzz/fuzz_p384.c hold
 * lib/auth/p384.c to: P-384 through Nettle and GMP.  Two answers for a
 * signature: Nettle's ecdsa_verify, and the truth computed from the key's
 * private scalar d, R = (u1 + u2 d) G by Nettle's fixed-base
 * multiplication.  They differ only where u1 G = +-u2 Q, where Nettle's
 * own addition gives garbage (its ecc-ecdsa-verify.c says so): there the
 * truth is the truth.
 */
#ifndef LDN_TEST_P384_REF_H
#define LDN_TEST_P384_REF_H

#include <stdbool.h>

#include <gmp.h>
#include <nettle/ecc.h>

#include "auth/p384.h"

/* The curve's prime p, its order n and its b, set by ref_init(). */
extern mpz_t ref_p, ref_n, ref_b;

void ref_init(void);
void ref_fini(void);

/* z mod 2^384 as 48 big-endian bytes, and back. */
void ref_to_bytes(unsigned char out[P384_BYTES], const mpz_t z);
void ref_from_bytes(mpz_t z, const unsigned char in[P384_BYTES]);

struct ref_key {
	bool has_d; /* whether d (and so the truth) is known */
	mpz_t d;    /* the private scalar, in [1, n - 1] */
	struct ecc_point pub;
	unsigned char x[P384_BYTES], y[P384_BYTES];
	struct p384_key *k; /* p384_key_new(x, y): NULL when refused */
};

/* The key d G (d in [1, n - 1]), with its p384_key. */
void ref_key_from_d(struct ref_key *t, const mpz_t d);
/* The key (x, y) of unknown d; false (and t cleared) when Nettle refuses
 * the point. */
bool ref_key_from_xy(struct ref_key *t, const unsigned char x[P384_BYTES],
    const unsigned char y[P384_BYTES]);
void ref_key_clear(struct ref_key *t);

/* x(k G) mod n, for k in [1, n - 1]. */
void ref_x_of_kg(mpz_t out, const mpz_t k);

/* Nettle's ecdsa_sign of the 48-byte hash with the nonce k in [1, n - 1]
 * (t->has_d). */
void ref_sign(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const mpz_t k, unsigned char r[P384_BYTES], unsigned char s[P384_BYTES]);

/*
 * A signature (h, r, s) that t verifies with exactly these u1 = e / s and
 * u2 = r / s (u2 != 0): the nonce is u1 + u2 d.  False when that nonce or
 * r is zero (no such signature).
 */
bool ref_sign_u(const struct ref_key *t, const mpz_t u1, const mpz_t u2,
    unsigned char h[P384_BYTES], unsigned char r[P384_BYTES],
    unsigned char s[P384_BYTES]);

/* Nettle's ecdsa_verify. */
bool ref_nettle(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES]);
/* The truth from d (t->has_d); else Nettle's answer. */
bool ref_truth(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES]);
/* Whether r and s are in range, u1 != 0 and u1 G = +-u2 Q (t->has_d):
 * the inputs where Nettle's answer is not to be trusted. */
bool ref_exceptional(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES]);

#endif
