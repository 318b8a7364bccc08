/*
 * libFuzzer target for ECDSA P-384 verification (lib/auth/p384.h).  An
 * input is one byte, then hash, r and s of 48 bytes each (shorter inputs
 * are padded with zeros).  The byte picks a key (d = 1, 2, n - 1, n - 2, a
 * fixed random d, the CDS Hooks sandbox's d) and a mode:
 *   0  verify (hash, r, s) as they are;
 *   1  Nettle signs hash with the nonce r mod (n - 1) + 1;
 *   2  the signature with u1 = hash mod n and u2 = r mod n;
 *   3  the signature with u2 = r mod n and u1 = d u2, so u1 G = u2 Q (for
 *      d = 1 every window of the two sums is the same); with the byte's
 *      top bit, (hash = -d r, r, s): u1 G + u2 Q is the point at infinity;
 * in modes 1 to 3 the first two bytes of s may name one bit of
 * (hash, r, s) to flip.  p384_verify must give the truth computed from d,
 * and Nettle's answer wherever Nettle is reliable (not where u1 G = +-u2
 * Q, tests/p384_ref.h); else abort().  The seeds in corpus/p384/ are named
 * by what they hold: valid signatures in each mode, edge values of r and s.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "auth/p384.h"

#include "../p384_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	N_KEYS = 6,
	INPUT = 1 + 3 * P384_BYTES
};

/* d of a key made for this target, and of the sandbox's key pair
 * (tests/data/cds-hooks/keys/jwk-keypair.json) */
static const char fixed_d[] = "3f1c9e0a7d5b2468ace13579bdf02468ace13579bdf02"
                              "468a6c0e9f1d2b3a4c5d6e7f8091a2b3c4d5e6f708192"
                              "a3b4c5";
static const char sandbox_d[] = "c8e71897d43330a9c115488f64a0628c357f96c12d9f"
                                "aa161553aab45c976d8ffe57add6081618771b0ba3"
                                "d3dc96bf38";

static struct ref_key keys[N_KEYS];
static bool ready;

static void
setup(void)
{
	mpz_t d;

	ref_init();
	mpz_init(d);
	for (int i = 0; i < N_KEYS; i++) {
		switch (i) {
		case 0:
		case 1:
			mpz_set_ui(d, (unsigned long)i + 1);
			break;
		case 2:
		case 3:
			mpz_sub_ui(d, ref_n, (unsigned long)i - 1);
			break;
		case 4:
			mpz_set_str(d, fixed_d, 16);
			break;
		default:
			mpz_set_str(d, sandbox_d, 16);
			break;
		}
		ref_key_from_d(&keys[i], d);
		if (keys[i].k == NULL)
			abort(); /* p384_key_new refused a good key */
	}
	mpz_clear(d);
	ready = true;
}

/* flip bit `which` of hash || r || s, when which names one */
static void
flip(unsigned char *h, unsigned char *r, unsigned char *s, unsigned which)
{
	unsigned char *part[3] = { h, r, s };

	if (which >= 3 * 8 * P384_BYTES)
		return;
	part[which / (8 * P384_BYTES)][which % (8 * P384_BYTES) / 8] ^=
	    (unsigned char)(1u << (which % 8));
}

/* Mode 1: false when this nonce makes r or s zero (Nettle would draw
 * another). */
static bool
nettle_signs(const struct ref_key *t, unsigned char *h, unsigned char *r,
    unsigned char *s)
{
	mpz_t k, m, rr, e;
	bool fine;

	mpz_inits(k, m, rr, e, NULL);
	ref_from_bytes(k, r);
	mpz_sub_ui(m, ref_n, 1);
	mpz_mod(k, k, m);
	mpz_add_ui(k, k, 1);
	ref_x_of_kg(rr, k);
	ref_from_bytes(e, h);
	mpz_addmul(e, rr, t->d);
	mpz_mod(e, e, ref_n);
	fine = mpz_sgn(rr) != 0 && mpz_sgn(e) != 0;
	if (fine)
		ref_sign(t, h, k, r, s);
	mpz_clears(k, m, rr, e, NULL);
	return fine;
}

/* Mode 2, and mode 3 with u1 = d u2 (u1 G = u2 Q) when doubled is set */
static bool
chosen_u(const struct ref_key *t, unsigned char *h, unsigned char *r,
    unsigned char *s, bool doubled)
{
	mpz_t u1, u2;
	bool fine;

	mpz_inits(u1, u2, NULL);
	ref_from_bytes(u1, h);
	ref_from_bytes(u2, r);
	mpz_mod(u2, u2, ref_n);
	if (doubled)
		mpz_mul(u1, u2, t->d);
	mpz_mod(u1, u1, ref_n);
	fine = mpz_sgn(u2) != 0 && ref_sign_u(t, u1, u2, h, r, s);
	mpz_clears(u1, u2, NULL);
	return fine;
}

/* Mode 3 with the top bit: hash = -d r, so u1 G + u2 Q is the point at
 * infinity */
static void
cancel(const struct ref_key *t, unsigned char *h, const unsigned char *r)
{
	mpz_t e;

	mpz_init(e);
	ref_from_bytes(e, r);
	mpz_mul(e, e, t->d);
	mpz_neg(e, e);
	mpz_mod(e, e, ref_n);
	ref_to_bytes(h, e);
	mpz_clear(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char in[INPUT] = { 0 }, *h = in + 1, *r = h + P384_BYTES,
	              *s = r + P384_BYTES;
	const struct ref_key *t;
	unsigned which, mode;
	bool truth, got;

	if (!ready)
		setup();
	if (size > 0)
		memcpy(in, data, size < INPUT ? size : INPUT);
	t = &keys[(in[0] & 7) % N_KEYS];
	which = (unsigned)s[0] << 8 | s[1];
	mode = in[0] >> 3 & 3;
	switch (mode) {
	case 0:
		break;
	case 1:
		if (!nettle_signs(t, h, r, s))
			return 0;
		flip(h, r, s, which);
		break;
	case 2:
	case 3:
		if (mode == 3 && in[0] & 0x80) {
			cancel(t, h, r);
			break;
		}
		if (!chosen_u(t, h, r, s, mode == 3))
			return 0;
		flip(h, r, s, which);
		break;
	}
	truth = ref_truth(t, h, r, s);
	got = p384_verify(t->k, h, r, s);
	if (got != truth)
		abort(); /* p384_verify is wrong */
	if (!ref_exceptional(t, h, r, s) && ref_nettle(t, h, r, s) != truth)
		abort(); /* the reference is wrong */
	return 0;
}
