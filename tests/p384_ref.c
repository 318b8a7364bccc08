/* The P-384 reference of tests/p384_ref.h, on Nettle and GMP. */
#include "p384_ref.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecdsa.h>

mpz_t ref_p, ref_n, ref_b;

/* SEC 2 v2, section 3.2.1 (secp384r1); tests/p384.c checks them against
 * Nettle's curve. */
static const char p_hex[] =
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffff"
    "ffff0000000000000000ffffffff";
static const char n_hex[] =
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a"
    "0db248b0a77aecec196accc52973";
static const char b_hex[] =
    "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656"
    "398d8a2ed19d2a85c8edd3ec2aef";

void
ref_init(void)
{
	mpz_init_set_str(ref_p, p_hex, 16);
	mpz_init_set_str(ref_n, n_hex, 16);
	mpz_init_set_str(ref_b, b_hex, 16);
}

void
ref_fini(void)
{
	mpz_clear(ref_p);
	mpz_clear(ref_n);
	mpz_clear(ref_b);
}

void
ref_to_bytes(unsigned char out[P384_BYTES], const mpz_t z)
{
	mpz_t t;
	size_t len, count = 0;

	mpz_init(t);
	mpz_fdiv_r_2exp(t, z, 8 * P384_BYTES);
	memset(out, 0, P384_BYTES);
	len = (mpz_sizeinbase(t, 2) + 7) / 8;
	if (mpz_sgn(t) != 0)
		mpz_export(out + P384_BYTES - len, &count, 1, 1, 1, 0, t);
	mpz_clear(t);
}

void
ref_from_bytes(mpz_t z, const unsigned char in[P384_BYTES])
{
	mpz_import(z, P384_BYTES, 1, 1, 1, 0, in);
}

static void
set_pub_bytes(struct ref_key *t)
{
	mpz_t x, y;

	mpz_inits(x, y, NULL);
	ecc_point_get(&t->pub, x, y);
	ref_to_bytes(t->x, x);
	ref_to_bytes(t->y, y);
	mpz_clears(x, y, NULL);
}

void
ref_key_from_d(struct ref_key *t, const mpz_t d)
{
	struct ecc_scalar priv;

	t->has_d = true;
	mpz_init_set(t->d, d);
	ecc_point_init(&t->pub, nettle_get_secp_384r1());
	ecc_scalar_init(&priv, nettle_get_secp_384r1());
	if (!ecc_scalar_set(&priv, d))
		abort(); /* the caller's d is out of range: a bug in the test */
	ecc_point_mul_g(&t->pub, &priv);
	ecc_scalar_clear(&priv);
	set_pub_bytes(t);
	t->k = p384_key_new(t->x, t->y);
	if (t->k != NULL && !p384_key_prepare(t->k))
		abort(); /* out of memory for its table */
}

bool
ref_key_from_xy(struct ref_key *t, const unsigned char x[P384_BYTES],
    const unsigned char y[P384_BYTES])
{
	mpz_t mx, my;
	bool on_curve;

	mpz_inits(mx, my, NULL);
	ref_from_bytes(mx, x);
	ref_from_bytes(my, y);
	t->has_d = false;
	mpz_init(t->d);
	ecc_point_init(&t->pub, nettle_get_secp_384r1());
	on_curve = ecc_point_set(&t->pub, mx, my) == 1;
	mpz_clears(mx, my, NULL);
	if (!on_curve) {
		mpz_clear(t->d);
		ecc_point_clear(&t->pub);
		return false;
	}
	memcpy(t->x, x, P384_BYTES);
	memcpy(t->y, y, P384_BYTES);
	t->k = p384_key_new(t->x, t->y);
	if (t->k != NULL && !p384_key_prepare(t->k))
		abort(); /* out of memory for its table */
	return true;
}

void
ref_key_clear(struct ref_key *t)
{
	p384_key_unref(t->k);
	t->k = NULL;
	ecc_point_clear(&t->pub);
	mpz_clear(t->d);
}

void
ref_x_of_kg(mpz_t out, const mpz_t k)
{
	struct ecc_scalar ks;
	struct ecc_point p;
	mpz_t y;

	ecc_scalar_init(&ks, nettle_get_secp_384r1());
	ecc_point_init(&p, nettle_get_secp_384r1());
	mpz_init(y);
	if (!ecc_scalar_set(&ks, k))
		abort(); /* k outside [1, n - 1]: a bug in the test */
	ecc_point_mul_g(&p, &ks);
	ecc_point_get(&p, out, y);
	mpz_mod(out, out, ref_n);
	mpz_clear(y);
	ecc_point_clear(&p);
	ecc_scalar_clear(&ks);
}

struct nonce {
	unsigned char k[P384_BYTES];
	int draws;
};

/* Nettle's nonce: ecdsa_sign reads 48 bytes from its random function and
 * takes them, big-endian, as k when 0 < k < n; it draws again when k is
 * out of range or r or s comes out 0, which the test must never ask. */
static void
fixed_nonce(void *ctx, size_t len, uint8_t *dst)
{
	struct nonce *k = ctx;

	if (len != P384_BYTES || k->draws++ > 0)
		abort(); /* Nettle changed how it draws k, or s = 0 */
	memcpy(dst, k->k, len);
}

void
ref_sign(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const mpz_t k, unsigned char r[P384_BYTES], unsigned char s[P384_BYTES])
{
	struct ecc_scalar priv;
	struct dsa_signature sig;
	struct nonce kb = { .draws = 0 };

	if (mpz_sgn(k) <= 0 || mpz_cmp(k, ref_n) >= 0 || !t->has_d)
		abort(); /* Nettle would draw forever */
	ref_to_bytes(kb.k, k);
	ecc_scalar_init(&priv, nettle_get_secp_384r1());
	if (!ecc_scalar_set(&priv, t->d))
		abort();
	dsa_signature_init(&sig);
	ecdsa_sign(&priv, &kb, fixed_nonce, P384_BYTES, h, &sig);
	ref_to_bytes(r, sig.r);
	ref_to_bytes(s, sig.s);
	dsa_signature_clear(&sig);
	ecc_scalar_clear(&priv);
}

bool
ref_sign_u(const struct ref_key *t, const mpz_t u1, const mpz_t u2,
    unsigned char h[P384_BYTES], unsigned char r[P384_BYTES],
    unsigned char s[P384_BYTES])
{
	mpz_t k, mr, ms, e;
	bool done = false;

	mpz_inits(k, mr, ms, e, NULL);
	/* R = u1 G + u2 Q = (u1 + u2 d) G; r = x(R); s = r / u2; e = u1 s */
	mpz_mul(k, u2, t->d);
	mpz_add(k, k, u1);
	mpz_mod(k, k, ref_n);
	mpz_mod(ms, u2, ref_n);
	if (mpz_sgn(k) != 0 && mpz_sgn(ms) != 0) {
		ref_x_of_kg(mr, k);
		if (mpz_sgn(mr) != 0) {
			mpz_invert(ms, ms, ref_n);
			mpz_mul(ms, ms, mr);
			mpz_mod(ms, ms, ref_n);
			mpz_mul(e, u1, ms);
			mpz_mod(e, e, ref_n);
			ref_to_bytes(h, e);
			ref_to_bytes(r, mr);
			ref_to_bytes(s, ms);
			done = true;
		}
	}
	mpz_clears(k, mr, ms, e, NULL);
	return done;
}

bool
ref_nettle(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES])
{
	struct dsa_signature sig;
	bool valid;

	dsa_signature_init(&sig);
	ref_from_bytes(sig.r, r);
	ref_from_bytes(sig.s, s);
	valid = ecdsa_verify(&t->pub, P384_BYTES, h, &sig) == 1;
	dsa_signature_clear(&sig);
	return valid;
}

/* u1 = e / s and u2 = r / s; false when r or s is out of [1, n - 1]. */
static bool
scalars(const unsigned char h[P384_BYTES], const unsigned char r[P384_BYTES],
    const unsigned char s[P384_BYTES], mpz_t u1, mpz_t u2, mpz_t mr)
{
	mpz_t ms, e;
	bool in_range;

	mpz_inits(ms, e, NULL);
	ref_from_bytes(mr, r);
	ref_from_bytes(ms, s);
	ref_from_bytes(e, h);
	in_range = mpz_sgn(mr) > 0 && mpz_cmp(mr, ref_n) < 0 &&
	    mpz_sgn(ms) > 0 && mpz_cmp(ms, ref_n) < 0;
	if (in_range) {
		mpz_invert(ms, ms, ref_n);
		mpz_mul(u1, e, ms);
		mpz_mod(u1, u1, ref_n);
		mpz_mul(u2, mr, ms);
		mpz_mod(u2, u2, ref_n);
	}
	mpz_clears(ms, e, NULL);
	return in_range;
}

bool
ref_truth(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES])
{
	mpz_t u1, u2, mr, k;
	bool valid = false;

	if (!t->has_d)
		return ref_nettle(t, h, r, s);
	mpz_inits(u1, u2, mr, k, NULL);
	if (scalars(h, r, s, u1, u2, mr)) {
		mpz_mul(k, u2, t->d);
		mpz_add(k, k, u1);
		mpz_mod(k, k, ref_n);
		if (mpz_sgn(k) != 0) { /* else R is the point at infinity */
			ref_x_of_kg(k, k);
			valid = mpz_cmp(k, mr) == 0;
		}
	}
	mpz_clears(u1, u2, mr, k, NULL);
	return valid;
}

bool
ref_exceptional(const struct ref_key *t, const unsigned char h[P384_BYTES],
    const unsigned char r[P384_BYTES], const unsigned char s[P384_BYTES])
{
	mpz_t u1, u2, mr, a;
	bool exc = false;

	if (!t->has_d)
		return false;
	mpz_inits(u1, u2, mr, a, NULL);
	if (scalars(h, r, s, u1, u2, mr) && mpz_sgn(u1) != 0) {
		/* u2 Q = (u2 d) G */
		mpz_mul(a, u2, t->d);
		mpz_mod(a, a, ref_n);
		exc = mpz_cmp(u1, a) == 0;
		mpz_sub(a, ref_n, a);
		exc = exc || mpz_cmp(u1, a) == 0;
	}
	mpz_clears(u1, u2, mr, a, NULL);
	return exc;
}
