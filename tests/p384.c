/*
 * ECDSA P-384 verification (lib/auth/p384.h) held to Nettle and to the
 * truth computed from the private key (tests/p384_ref.h): random keys and
 * their tampered signatures; r, s and hashes at the edges of their ranges;
 * keys d = 1, 2, n - 1, n - 2 ... and signatures built so that u1 G and
 * u2 Q, or the table sums behind them, meet (P + P, P + -P, the point at
 * infinity); keys p384_key_new must refuse, and keys at the edges of the
 * coordinates; references to a key, shared by threads.  Where u1 G =
 * +-u2 Q, Nettle's answer is not the truth (it refuses valid signatures
 * there) and only the truth counts.  Every disagreement is printed in hex.
 * A deterministic PRNG makes each run the same.
 *
 *   p384 SOURCE_ROOT [KEYS [SIGNATURES]]    (default 200 keys x 5)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>

#include "auth/jwks.h"
#include "auth/p384.h"

#include "p384_ref.h"
#include "tap.h"

#define B P384_BYTES

static const char *root;

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng_state = 0x6c646e2d70333834u; /* fixed: same run */

/* xorshift64* (Vigna): fast, deterministic, good enough to pick inputs */
static uint64_t
rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static void
rnd_bytes(unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(rnd64() >> 56);
}

/* a scalar in [1, n - 1] */
static void
rnd_scalar(mpz_t z)
{
	unsigned char b[B];
	mpz_t m;

	rnd_bytes(b, B);
	ref_from_bytes(z, b);
	mpz_init(m);
	mpz_sub_ui(m, ref_n, 1);
	mpz_mod(z, z, m);
	mpz_add_ui(z, z, 1);
	mpz_clear(m);
}

/*
 * A scalar whose w-bit windows (w from 4 to 8, so whatever width the
 * verifier's tables use, many windows line up) each hold 0, 1, 2^w - 1,
 * 2^(w-1) or its neighbours: digits that signed recodings and table
 * lookups treat specially, and that make table sums repeat.
 */
static void
rnd_sparse(mpz_t z)
{
	unsigned w = 4 + (unsigned)(rnd64() % 5);
	mpz_t digit;

	mpz_init(digit);
	mpz_set_ui(z, 0);
	for (unsigned bit = 0; bit < 8 * B; bit += w) {
		unsigned long half = 1ul << (w - 1), v;

		switch (rnd64() % 7) {
		case 0:
		case 1:
			v = 0;
			break;
		case 2:
			v = 1;
			break;
		case 3:
			v = (1ul << w) - 1;
			break;
		case 4:
			v = half;
			break;
		case 5:
			v = half - 1;
			break;
		default:
			v = half + 1;
			break;
		}
		mpz_set_ui(digit, v);
		mpz_mul_2exp(digit, digit, bit);
		mpz_add(z, z, digit);
	}
	mpz_mod(z, z, ref_n);
	if (mpz_sgn(z) == 0)
		mpz_set_ui(z, 1);
	mpz_clear(digit);
}

/* ------------------------------------------------------------- helpers */

static void
hex(char out[2 * B + 1], const unsigned char *b)
{
	for (size_t i = 0; i < B; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static struct {
	long checks;     /* signatures compared */
	long valid;      /* of which the truth accepts */
	long exceptions; /* with u1 G = +-u2 Q */
	long nettle_off; /* where Nettle's answer is not the truth */
	long shown;      /* disagreements printed */
} tally;

static void
show(const struct ref_key *t, const unsigned char *h, const unsigned char *r,
    const unsigned char *s, const char *what, const char *why)
{
	char xh[2 * B + 1], yh[2 * B + 1], hh[2 * B + 1], rh[2 * B + 1],
	    sh[2 * B + 1];

	if (tally.shown++ >= 40)
		return;
	hex(xh, t->x);
	hex(yh, t->y);
	hex(hh, h);
	hex(rh, r);
	hex(sh, s);
	tap_diag("%s: %s", what, why);
	tap_diag("  key x %s", xh);
	tap_diag("  key y %s", yh);
	if (t->has_d)
		gmp_printf("#   d %Zx\n", t->d);
	tap_diag("  hash  %s", hh);
	tap_diag("  r     %s", rh);
	tap_diag("  s     %s", sh);
}

/*
 * Whether p384_verify gives the truth for (h, r, s) under t, and Nettle's
 * answer wherever Nettle is reliable; and, when want is 0 or 1, whether
 * the truth is want (so that a test of a valid signature cannot pass on
 * an invalid one).  A disagreement is shown in hex.
 */
static bool
agree(const struct ref_key *t, const unsigned char *h, const unsigned char *r,
    const unsigned char *s, int want, const char *what)
{
	bool nettle = ref_nettle(t, h, r, s);
	bool exc = ref_exceptional(t, h, r, s);
	bool truth = ref_truth(t, h, r, s);
	bool got;

	tally.checks++;
	tally.valid += truth;
	tally.exceptions += exc;
	if (t->k == NULL) {
		show(t, h, r, s, what, "p384_key_new refused the key");
		return false;
	}
	got = p384_verify(t->k, h, r, s);
	if (exc && nettle != truth)
		tally.nettle_off++;
	if (!exc && nettle != truth) {
		show(t, h, r, s, what,
		    nettle ? "the reference: Nettle accepts, d refuses"
		           : "the reference: Nettle refuses, d accepts");
		return false;
	}
	if (want >= 0 && truth != (want == 1)) {
		show(t, h, r, s, what,
		    want ? "the test's signature is not valid"
		         : "the test's forgery is valid");
		return false;
	}
	if (got != truth) {
		show(t, h, r, s, what,
		    got ? "p384_verify ACCEPTS, the truth refuses"
		        : "p384_verify refuses, the truth accepts");
		return false;
	}
	return true;
}

static void
set_bytes_mpz(unsigned char out[B], const mpz_t z)
{
	ref_to_bytes(out, z);
}

/* out = in + delta mod 2^384 */
static void
add_bytes(unsigned char out[B], const unsigned char in[B], long delta)
{
	mpz_t z;

	mpz_init(z);
	ref_from_bytes(z, in);
	if (delta >= 0)
		mpz_add_ui(z, z, (unsigned long)delta);
	else
		mpz_sub_ui(z, z, (unsigned long)-delta);
	ref_to_bytes(out, z);
	mpz_clear(z);
}

/* out = n - in */
static void
negate_bytes(unsigned char out[B], const unsigned char in[B])
{
	mpz_t z;

	mpz_init(z);
	ref_from_bytes(z, in);
	mpz_sub(z, ref_n, z);
	ref_to_bytes(out, z);
	mpz_clear(z);
}

static void
flip_bit(unsigned char out[B], const unsigned char in[B])
{
	unsigned bit = (unsigned)(rnd64() % (8 * B));

	memcpy(out, in, B);
	out[bit / 8] ^= (unsigned char)(1u << (bit % 8));
}

/* a key from d given as a small signed offset: d = c, or n + c when c < 0 */
static void
key_small(struct ref_key *t, long c)
{
	mpz_t d;

	mpz_init_set_si(d, c);
	if (c < 0)
		mpz_add(d, d, ref_n);
	ref_key_from_d(t, d);
	mpz_clear(d);
}

/* ------------------------------------------------------------ the curve */

static void
curve(void)
{
	struct ecc_scalar sc;
	struct ref_key g, neg_g;
	mpz_t x, y, rhs, m;
	bool good;

	ecc_scalar_init(&sc, nettle_get_secp_384r1());
	mpz_inits(x, y, rhs, m, NULL);
	mpz_sub_ui(m, ref_n, 1);
	ok(ecc_scalar_set(&sc, ref_n) == 0 && ecc_scalar_set(&sc, m) == 1,
	    "the test's n is Nettle's group order (n refused, n - 1 taken)");
	ok(ecc_bit_size(nettle_get_secp_384r1()) == 384, "Nettle's P-384");
	key_small(&g, 1);
	key_small(&neg_g, -1);
	ref_from_bytes(x, g.x);
	ref_from_bytes(y, g.y);
	/* y^2 = x^3 - 3x + b (mod p) checks the test's p and b */
	mpz_powm_ui(rhs, x, 3, ref_p);
	mpz_submul_ui(rhs, x, 3);
	mpz_add(rhs, rhs, ref_b);
	mpz_mod(rhs, rhs, ref_p);
	mpz_powm_ui(y, y, 2, ref_p);
	ok(mpz_cmp(y, rhs) == 0, "G = 1 G is on y^2 = x^3 - 3x + b mod p");
	ref_from_bytes(y, g.y);
	mpz_sub(y, ref_p, y);
	ref_from_bytes(m, neg_g.y);
	good = memcmp(g.x, neg_g.x, B) == 0 && mpz_cmp(y, m) == 0;
	ok(good, "(n - 1) G = -G: same x, y = p - y(G)");
	ref_key_clear(&g);
	ref_key_clear(&neg_g);
	mpz_clears(x, y, rhs, m, NULL);
	ecc_scalar_clear(&sc);
}

/* --------------------------------------------------------- random keys */

/*
 * For each signature: the good one; one bit of r, of s or of the hash
 * flipped; r and s swapped; r + 1, s + 1, r - 1; (r, n - s), which is
 * valid too; the signature of another hash; the right signature under
 * another key.
 */
static long
tamperings(const struct ref_key *t, const struct ref_key *other,
    const unsigned char *h, const unsigned char *r, const unsigned char *s,
    const unsigned char *h2)
{
	unsigned char x[B];
	long fails = 0;

	fails += !agree(t, h, r, s, 1, "a good signature");
	flip_bit(x, r);
	fails += !agree(t, h, x, s, 0, "one bit of r flipped");
	flip_bit(x, s);
	fails += !agree(t, h, r, x, 0, "one bit of s flipped");
	flip_bit(x, h);
	fails += !agree(t, x, r, s, 0, "one bit of the hash flipped");
	fails += !agree(t, h, s, r, 0, "r and s swapped");
	add_bytes(x, r, 1);
	fails += !agree(t, h, x, s, 0, "r + 1");
	add_bytes(x, r, -1);
	fails += !agree(t, h, x, s, 0, "r - 1");
	add_bytes(x, s, 1);
	fails += !agree(t, h, r, x, 0, "s + 1");
	negate_bytes(x, s);
	fails += !agree(t, h, r, x, 1, "(r, n - s)");
	fails += !agree(t, h2, r, s, 0, "the signature of another hash");
	if (other != NULL)
		fails += !agree(other, h, r, s, 0, "another key");
	return fails;
}

static void
random_keys(long n_keys, long n_sigs)
{
	struct ref_key keys[2];
	struct ref_key *t = &keys[0], *prev = NULL;
	long fails = 0, refused = 0, checks = tally.checks;
	clock_t t0 = clock();
	mpz_t d, k;

	mpz_inits(d, k, NULL);
	for (long i = 0; i < n_keys; i++) {
		unsigned char h[B], h2[B], r[B], s[B];

		rnd_scalar(d);
		ref_key_from_d(t, d);
		refused += t->k == NULL;
		rnd_bytes(h2, B);
		for (long j = 0; j < n_sigs; j++) {
			rnd_bytes(h, B);
			rnd_scalar(k);
			ref_sign(t, h, k, r, s);
			fails += tamperings(t, prev, h, r, s, h2);
			memcpy(h2, h, B);
		}
		if (prev != NULL)
			ref_key_clear(prev);
		prev = t;
		t = t == &keys[0] ? &keys[1] : &keys[0];
	}
	if (prev != NULL)
		ref_key_clear(prev);
	mpz_clears(d, k, NULL);
	ok(refused == 0, "p384_key_new takes %ld random keys d G", n_keys);
	ok(fails == 0,
	    "%ld random keys x %ld signatures, each good and tampered: "
	    "%ld checks, %ld disagreements",
	    n_keys, n_sigs, tally.checks - checks, fails);
	tap_diag("random keys: %.1f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* --------------------------------------------------------------- edges */

/* 0, 1, n - 1, n, n + 1, p, 2^384 - 1 */
static void
edge_values(unsigned char v[7][B])
{
	mpz_t z;

	mpz_init(z);
	memset(v[0], 0, B);
	mpz_set_ui(z, 1);
	set_bytes_mpz(v[1], z);
	mpz_sub_ui(z, ref_n, 1);
	set_bytes_mpz(v[2], z);
	set_bytes_mpz(v[3], ref_n);
	mpz_add_ui(z, ref_n, 1);
	set_bytes_mpz(v[4], z);
	set_bytes_mpz(v[5], ref_p);
	memset(v[6], 0xff, B);
	mpz_clear(z);
}

static const char *const edge_names[7] = { "0", "1", "n - 1", "n", "n + 1", "p",
	"2^384 - 1" };

/* r and s at the edges of [1, n - 1], alone and together */
static void
edge_rs(const struct ref_key *t, const char *key)
{
	unsigned char v[7][B], h[B], r[B], s[B];
	long fails = 0;
	mpz_t k;

	mpz_init(k);
	edge_values(v);
	rnd_bytes(h, B);
	rnd_scalar(k);
	ref_sign(t, h, k, r, s);
	for (int i = 0; i < 7; i++) {
		fails += !agree(t, h, v[i], s, -1, edge_names[i]);
		fails += !agree(t, h, r, v[i], -1, edge_names[i]);
		for (int j = 0; j < 7; j++)
			fails += !agree(t, h, v[i], v[j], -1, edge_names[i]);
		/* the hash at the edges too, with a good (r, s) */
		fails += !agree(t, v[i], r, s, -1, edge_names[i]);
	}
	ok(fails == 0,
	    "%s: r, s and the hash each 0, 1, n - 1, n, n + 1, p, "
	    "2^384 - 1 (63 pairs (r, s)): as the truth says",
	    key);
	mpz_clear(k);
}

/* signatures of edge hashes, and the same signature under another hash
 * equal to it mod n */
static void
edge_hashes(const struct ref_key *t, const char *key)
{
	unsigned char v[7][B], r[B], s[B], h[B], other[B];
	long fails = 0;
	mpz_t k, e;

	mpz_inits(k, e, NULL);
	edge_values(v);
	for (int i = 0; i < 7; i++) {
		rnd_scalar(k);
		ref_sign(t, v[i], k, r, s);
		fails += !agree(t, v[i], r, s, 1, edge_names[i]);
		/* e + n, or e - n, when it fits in 384 bits */
		ref_from_bytes(e, v[i]);
		if (mpz_cmp(e, ref_n) >= 0)
			mpz_sub(e, e, ref_n);
		else
			mpz_add(e, e, ref_n);
		if (mpz_sizeinbase(e, 2) <= 8 * B) {
			ref_to_bytes(other, e);
			fails += !agree(t, other, r, s, 1, "the hash +- n");
		}
		add_bytes(other, v[i], 1);
		fails += !agree(t, other, r, s, 0, "the hash + 1");
	}
	/* a small e, so that e + n fits: the verifier must reduce the hash */
	for (int i = 0; i < 8; i++) {
		memset(h, 0, B);
		rnd_bytes(h + B - 16, 16);
		rnd_scalar(k);
		ref_sign(t, h, k, r, s);
		fails += !agree(t, h, r, s, 1, "a small hash");
		ref_from_bytes(e, h);
		mpz_add(e, e, ref_n);
		ref_to_bytes(other, e);
		fails += !agree(t, other, r, s, 1, "a small hash + n");
		mpz_add_ui(e, e, 1);
		ref_to_bytes(other, e);
		fails += !agree(t, other, r, s, 0, "a small hash + n + 1");
	}
	ok(fails == 0,
	    "%s: signed hashes 0, 1, n - 1, n, n + 1, p, 2^384 - 1 and small "
	    "ones, and each + n or - n: valid; + 1: not",
	    key);
	mpz_clears(k, e, NULL);
}

/* valid signatures with s chosen: e = s k - r d */
static void
chosen_s(const struct ref_key *t, const char *key)
{
	unsigned char h[B], r[B], s[B], x[B];
	long fails = 0, made = 0;
	mpz_t k, ms, mr, e, half;

	mpz_inits(k, ms, mr, e, half, NULL);
	mpz_fdiv_q_2exp(half, ref_n, 1);
	for (int i = 0; i < 8; i++) {
		switch (i) {
		case 0:
		case 1:
			mpz_set_ui(ms, (unsigned long)i + 1);
			break;
		case 2:
		case 3:
			mpz_sub_ui(ms, ref_n, (unsigned long)i - 1);
			break;
		case 4:
			mpz_set(ms, half);
			break;
		case 5:
			mpz_add_ui(ms, half, 1);
			break;
		case 6:
			mpz_set_ui(ms, 0x40);
			break;
		default:
			mpz_set_ui(ms, 0);
			mpz_setbit(ms, 300);
			break;
		}
		rnd_scalar(k);
		ref_x_of_kg(mr, k);
		mpz_mul(e, mr, t->d);
		mpz_neg(e, e);
		mpz_addmul(e, ms, k);
		mpz_mod(e, e, ref_n);
		ref_to_bytes(h, e);
		ref_to_bytes(r, mr);
		ref_to_bytes(s, ms);
		fails += !agree(t, h, r, s, 1, "s chosen");
		/* (n - 1)/2 + 1 = n - (n - 1)/2: valid too */
		add_bytes(x, s, 1);
		fails += !agree(t, h, r, x, i == 4, "s chosen, + 1");
		negate_bytes(x, s);
		fails += !agree(t, h, r, x, 1, "s chosen, negated");
		/* s + n fits when s is small: the same s mod n, refused */
		mpz_add(e, ms, ref_n);
		if (mpz_sizeinbase(e, 2) <= 8 * B) {
			ref_to_bytes(x, e);
			fails += !agree(t, h, r, x, 0, "s chosen, + n");
		}
		made++;
	}
	ok(fails == 0,
	    "%s: valid signatures with s = 1, 2, n - 1, n - 2, (n - 1)/2, "
	    "(n + 1)/2, 64, 2^300 (%ld); s + 1, n - s, s + n",
	    key, made);
	mpz_clears(k, ms, mr, e, half, NULL);
}

/* ------------------------------------------------ exceptional additions */

/*
 * u1 G + u2 Q = 0 where the sum just before the last addition is -c Q
 * (or -c G): u2 (or u1) has one nonzero digit c 2^378, in the top window
 * of any width that divides 378, and r = x(c 2^378 Q), so a verifier that
 * kept the coordinates of the sum before the last step when the sum
 * became the point at infinity would find its x equal to r.
 */
static long
infinity_last(const struct ref_key *t, long *n_checked)
{
	static const unsigned long cs[] = { 1, 5, 32, 63 };
	unsigned char h[B], r[B], s[B];
	struct ecc_scalar sc;
	struct ecc_point p;
	mpz_t top, other, mr, yy, ms, e;
	long fails = 0;

	ecc_scalar_init(&sc, nettle_get_secp_384r1());
	ecc_point_init(&p, nettle_get_secp_384r1());
	mpz_inits(top, other, mr, yy, ms, e, NULL);
	for (size_t i = 0; i < 2 * sizeof(cs) / sizeof(cs[0]); i++) {
		bool q_last = i % 2 == 0;

		mpz_set_ui(top, cs[i / 2]);
		mpz_mul_2exp(top, top, 378);
		/* r = x(top Q) or x(top G) */
		ecc_scalar_set(&sc, top);
		if (q_last)
			ecc_point_mul(&p, &sc, &t->pub);
		else
			ecc_point_mul_g(&p, &sc);
		ecc_point_get(&p, mr, yy);
		mpz_mod(mr, mr, ref_n);
		/* u2 = top, u1 = -d top; or u1 = top, u2 = -top / d */
		if (q_last) {
			mpz_mul(other, top, t->d);
			mpz_neg(other, other);
		} else {
			mpz_invert(other, t->d, ref_n);
			mpz_mul(other, other, top);
			mpz_neg(other, other);
		}
		mpz_mod(other, other, ref_n);
		/* s = r / u2, e = u1 s */
		mpz_invert(ms, q_last ? top : other, ref_n);
		mpz_mul(ms, ms, mr);
		mpz_mod(ms, ms, ref_n);
		mpz_mul(e, ms, q_last ? other : top);
		mpz_mod(e, e, ref_n);
		ref_to_bytes(h, e);
		ref_to_bytes(r, mr);
		ref_to_bytes(s, ms);
		fails += !agree(t, h, r, s, 0,
		    q_last ? "u1 G = -u2 Q, r = x(u2 Q), Q added last"
		           : "u1 G = -u2 Q, r = x(u1 G), G added last");
		*n_checked += 1;
	}
	mpz_clears(top, other, mr, yy, ms, e, NULL);
	ecc_point_clear(&p);
	ecc_scalar_clear(&sc);
	return fails;
}

/*
 * With a nonce k: r = x(k G); hash = d r signs as s = 2 d r / k, and then
 * u1 = k/2 and u2 Q = (k/2) G: the verifier adds a point to itself.  With
 * hash = -d r and any (r, s), u1 G + u2 Q is the point at infinity; with
 * hash = r, u1 = u2 (for d = 1 the table sums are equal all along, for
 * d = n - 1 they cancel all along).
 */
static long
collisions(const struct ref_key *t, long *n_checked)
{
	unsigned char h[B], r[B], s[B], x[B];
	long fails = 0;
	mpz_t k, mr, e, kk;

	mpz_inits(k, mr, e, kk, NULL);
	for (int i = 0; i < 6; i++) {
		if (i < 3)
			mpz_set_ui(k, (unsigned long)i + 1); /* G, 2G, 3G */
		else if (i == 3)
			mpz_sub_ui(k, ref_n, 1);
		else
			rnd_scalar(k);
		ref_x_of_kg(mr, k);
		ref_to_bytes(r, mr);
		/* u1 G = u2 Q, valid */
		mpz_mul(e, t->d, mr);
		mpz_mod(e, e, ref_n);
		ref_to_bytes(h, e);
		ref_sign(t, h, k, r, s);
		ref_x_of_kg(kk, k);
		if (mpz_cmp(kk, mr) != 0)
			fails++; /* Nettle did not take the nonce given */
		fails += !agree(t, h, r, s, 1, "u1 G = u2 Q, valid");
		add_bytes(x, s, 1);
		fails += !agree(t, h, r, x, 0, "u1 G = u2 Q, s + 1");
		negate_bytes(x, s);
		fails += !agree(t, h, r, x, 1, "u1 G = u2 Q, n - s");
		/* u1 G = -u2 Q: the sum is the point at infinity */
		mpz_sub(e, ref_n, e);
		mpz_mod(e, e, ref_n);
		ref_to_bytes(h, e);
		fails += !agree(t, h, r, s, 0, "u1 G = -u2 Q");
		/* u1 = u2: hash = r, signed with the same nonce (d = 1: done
		 * above; d = n - 1: the point at infinity, s would be 0) */
		mpz_add_ui(e, t->d, 1);
		if (mpz_cmp_ui(t->d, 1) != 0 && mpz_cmp(e, ref_n) != 0) {
			ref_sign(t, r, k, x, s);
			fails += !agree(t, r, x, s, 1, "u1 = u2, valid");
		}
		*n_checked += 5;
	}
	mpz_clears(k, mr, e, kk, NULL);
	return fails + infinity_last(t, n_checked);
}

/*
 * Valid signatures with u1 and u2 chosen: sparse scalars whose windows
 * repeat; u1 = u2; u2 = u1 / d (u1 G = u2 Q); u1 = 0 (hash 0 or n);
 * u1 or u2 = 1 or n - 1.
 */
static long
chosen_u(const struct ref_key *t, long rounds, long *n_checked)
{
	unsigned char h[B], r[B], s[B], x[B];
	long fails = 0;
	mpz_t u1, u2, dinv;

	mpz_inits(u1, u2, dinv, NULL);
	mpz_invert(dinv, t->d, ref_n);
	for (long i = 0; i < rounds; i++) {
		switch (i % 8) {
		case 0: /* u1 = u2 */
			rnd_sparse(u1);
			mpz_set(u2, u1);
			break;
		case 1: /* u1 G = u2 Q */
			rnd_sparse(u1);
			mpz_mul(u2, u1, dinv);
			mpz_mod(u2, u2, ref_n);
			break;
		case 2:
		case 3:
			rnd_sparse(u1);
			rnd_sparse(u2);
			break;
		case 4: /* u1 = 0 */
			mpz_set_ui(u1, 0);
			rnd_sparse(u2);
			break;
		case 5: /* u1 = +-1 */
			mpz_set_ui(u1, 1);
			if (i % 16 >= 8)
				mpz_sub_ui(u1, ref_n, 1);
			rnd_scalar(u2);
			break;
		case 6: /* u2 = +-1 */
			rnd_scalar(u1);
			mpz_set_ui(u2, 1);
			if (i % 16 >= 8)
				mpz_sub_ui(u2, ref_n, 1);
			break;
		default: /* u1 = -u2 */
			rnd_sparse(u2);
			mpz_sub(u1, ref_n, u2);
			break;
		}
		if (!ref_sign_u(t, u1, u2, h, r, s))
			continue; /* R at infinity: no signature */
		fails += !agree(t, h, r, s, 1, "u1 and u2 chosen");
		negate_bytes(x, s);
		fails += !agree(t, h, r, x, 1, "u1 and u2 chosen, n - s");
		add_bytes(x, h, 1);
		fails += !agree(t, x, r, s, 0, "u1 and u2 chosen, hash + 1");
		*n_checked += 3;
		if (mpz_sgn(u1) == 0) { /* the same with hash = n */
			ref_to_bytes(x, ref_n);
			fails += !agree(t, x, r, s, 1, "u1 = 0, hash = n");
			*n_checked += 1;
		}
	}
	mpz_clears(u1, u2, dinv, NULL);
	return fails;
}

static void
special_keys(void)
{
	/* d = c, or n + c when c < 0 */
	static const long ds[] = { 1, 2, 3, 4, -1, -2, -3, -4 };
	long fails = 0, checks = 0, exc = tally.exceptions;

	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		struct ref_key t;
		char name[32];
		long f;

		key_small(&t, ds[i]);
		snprintf(name, sizeof(name), "d = %s%ld",
		    ds[i] < 0 ? "n - " : "", ds[i] < 0 ? -ds[i] : ds[i]);
		ok(t.k != NULL, "%s: p384_key_new takes it", name);
		for (int j = 0; j < 5; j++) {
			unsigned char h[B], h2[B], r[B], s[B];
			mpz_t k;

			mpz_init(k);
			rnd_bytes(h, B);
			rnd_bytes(h2, B);
			rnd_scalar(k);
			ref_sign(&t, h, k, r, s);
			fails += tamperings(&t, NULL, h, r, s, h2);
			mpz_clear(k);
		}
		f = collisions(&t, &checks);
		ok(f == 0,
		    "%s: u1 G = u2 Q (valid), = -u2 Q (infinity), u1 = u2",
		    name);
		fails += f;
		f = chosen_u(&t, 48, &checks);
		ok(f == 0,
		    "%s: 48 valid signatures with u1, u2 chosen (equal, "
		    "sparse, 0, +-1, u1 G = u2 Q)",
		    name);
		fails += f;
		if (ds[i] == 1 || ds[i] == -1) {
			edge_rs(&t, name);
			edge_hashes(&t, name);
			chosen_s(&t, name);
		}
		ref_key_clear(&t);
	}
	/* (n + 1) / 2 = 1/2: Q = G / 2, so 2 Q = G */
	{
		struct ref_key t;
		mpz_t d;

		mpz_init(d);
		mpz_add_ui(d, ref_n, 1);
		mpz_fdiv_q_2exp(d, d, 1);
		ref_key_from_d(&t, d);
		fails += collisions(&t, &checks);
		fails += chosen_u(&t, 48, &checks);
		ref_key_clear(&t);
		mpz_clear(d);
	}
	ok(fails == 0,
	    "keys d = 1, 2, 3, 4, n - 1 ... n - 4, (n + 1)/2: %ld "
	    "hand-built signatures, %ld of them with u1 G = +-u2 Q",
	    checks, tally.exceptions - exc);
}

/*
 * The smallest case where Nettle is wrong: Q = G, hash = r = x(G),
 * s = 2 x(G) mod n.  Then u1 = u2 = 1/2 and R = G/2 + G/2 = G, so the
 * signature is valid; Nettle adds G/2 to itself with a formula that
 * cannot double, and refuses it.
 */
static void
nettle_gap(void)
{
	unsigned char s[B];
	struct ref_key g;
	mpz_t z;

	mpz_init(z);
	key_small(&g, 1);
	ref_from_bytes(z, g.x);
	mpz_mul_2exp(z, z, 1);
	mpz_mod(z, z, ref_n);
	ref_to_bytes(s, z);
	ok(agree(&g, g.x, g.x, s, 1, "Q = G, hash = r = x(G), s = 2 x(G)"),
	    "Q = G, hash = r = x(G), s = 2 x(G) mod n: valid (u1 = u2 = 1/2); "
	    "Nettle says %s",
	    ref_nettle(&g, g.x, g.x, s) ? "valid" : "not valid");
	ref_key_clear(&g);
	mpz_clear(z);
}

/* a random key: the edges, chosen s, chosen u1 and u2 */
static void
random_key_edges(void)
{
	struct ref_key t;
	long checks = 0, fails;
	mpz_t d;

	mpz_init(d);
	rnd_scalar(d);
	ref_key_from_d(&t, d);
	edge_rs(&t, "a random key");
	edge_hashes(&t, "a random key");
	chosen_s(&t, "a random key");
	fails = collisions(&t, &checks);
	fails += chosen_u(&t, 64, &checks);
	ok(fails == 0, "a random key: %ld hand-built signatures", checks);
	ref_key_clear(&t);
	mpz_clear(d);
}

/* ---------------------------------------------------------------- keys */

/* The base64url value of "name" in a JSON text, decoded into 48 bytes. */
static bool
json_b64(const char *text, const char *name, unsigned char out[B])
{
	char key[16];
	const char *p, *end;

	snprintf(key, sizeof(key), "\"%s\"", name);
	p = strstr(text, key);
	if (p == NULL)
		return false;
	p = strchr(p + strlen(key), '"');
	if (p == NULL)
		return false;
	p++;
	end = strchr(p, '"');
	return end != NULL && b64url_decoded_len((size_t)(end - p)) == B &&
	    b64url_decode(p, (size_t)(end - p), out);
}

/* Whether p384_key_new and Nettle's ecc_point_set both refuse (x, y). */
static bool
both_refuse(const unsigned char *x, const unsigned char *y)
{
	struct ref_key t;
	struct p384_key *k = p384_key_new(x, y);
	bool nettle = ref_key_from_xy(&t, x, y);

	if (nettle)
		ref_key_clear(&t);
	p384_key_unref(k);
	return k == NULL && !nettle;
}

/* The first point with x = start, start + step, start + 2 step ...:
 * x into mx, and both coordinates as bytes. */
static void
find_point(mpz_t mx, long step, unsigned char x[B], unsigned char y[B])
{
	mpz_t rhs, my, e, sq;

	mpz_inits(rhs, my, e, sq, NULL);
	mpz_add_ui(e, ref_p, 1);
	mpz_fdiv_q_2exp(e, e, 2); /* p = 3 mod 4: sqrt(a) = a^((p+1)/4) */
	for (;; step > 0 ? mpz_add_ui(mx, mx, (unsigned long)step)
	                 : mpz_sub_ui(mx, mx, (unsigned long)-step)) {
		mpz_powm_ui(rhs, mx, 3, ref_p);
		mpz_submul_ui(rhs, mx, 3);
		mpz_add(rhs, rhs, ref_b);
		mpz_mod(rhs, rhs, ref_p);
		mpz_powm(my, rhs, e, ref_p);
		mpz_mul(sq, my, my);
		mpz_mod(sq, sq, ref_p);
		if (mpz_cmp(sq, rhs) == 0)
			break;
	}
	ref_to_bytes(x, mx);
	ref_to_bytes(y, my);
	mpz_clears(rhs, my, e, sq, NULL);
}

/*
 * A key of unknown d still has valid signatures: with hash 0 (or n),
 * u1 = 0 and R = u2 Q, so r = x(u2 Q) and s = r / u2.  u2 = 1 makes
 * R = Q itself, whose x the caller chose (below n, or n and above, where
 * r = x - n).  Also random (r, s) against Nettle.
 */
static long
unknown_d(const struct ref_key *t)
{
	unsigned char h[B], r[B], s[B];
	struct ecc_scalar u2;
	struct ecc_point p;
	mpz_t mr, yy, ms;
	long fails = 0;

	ecc_scalar_init(&u2, nettle_get_secp_384r1());
	ecc_point_init(&p, nettle_get_secp_384r1());
	mpz_inits(mr, yy, ms, NULL);
	/* Two forgeries of R = Q (hash 0 and s = r mod n, so u1 = 0 and
	 * u2 = 1): r = x(Q) itself when it is n or above, out of range; and
	 * r = x(Q) + p - n, whose r + n is x(Q) only modulo p.  A check of
	 * r < n, or of r + n < p, that slips accepts them. */
	ref_from_bytes(mr, t->x);
	memset(h, 0, B);
	if (mpz_cmp(mr, ref_n) >= 0) {
		ref_to_bytes(r, mr);
		mpz_sub(ms, mr, ref_n);
		ref_to_bytes(s, ms);
		fails += !agree(t, h, r, s, 0, "r = x(Q), n or above");
	}
	mpz_add(ms, mr, ref_p);
	mpz_sub(ms, ms, ref_n);
	if (mpz_cmp(ms, ref_n) < 0) {
		ref_to_bytes(r, ms);
		ref_to_bytes(s, ms);
		fails += !agree(t, h, r, s, 0, "r = s = x(Q) + p - n");
	}
	for (int i = 0; i < 6; i++) {
		if (i < 2)
			mpz_set_ui(ms, 1);
		else
			rnd_scalar(ms);
		if (i == 1)
			mpz_sub_ui(ms, ref_n, 1); /* R = -Q, the same x */
		ecc_scalar_set(&u2, ms);
		ecc_point_mul(&p, &u2, &t->pub);
		ecc_point_get(&p, mr, yy);
		mpz_mod(mr, mr, ref_n);
		if (mpz_sgn(mr) == 0)
			continue; /* x(R) = 0: no signature */
		mpz_invert(ms, ms, ref_n);
		mpz_mul(ms, ms, mr);
		mpz_mod(ms, ms, ref_n);
		ref_to_bytes(r, mr);
		ref_to_bytes(s, ms);
		memset(h, 0, B);
		fails += !agree(t, h, r, s, 1, "hash 0, d unknown");
		ref_to_bytes(h, ref_n);
		fails += !agree(t, h, r, s, 1, "hash n, d unknown");
		h[B - 1] ^= 1;
		fails += !agree(t, h, r, s, 0, "hash n ^ 1, d unknown");
		rnd_bytes(h, B);
		rnd_bytes(r, B);
		rnd_bytes(s, B);
		fails += !agree(t, h, r, s, 0, "random (r, s), d unknown");
	}
	mpz_clears(mr, yy, ms, NULL);
	ecc_point_clear(&p);
	ecc_scalar_clear(&u2);
	return fails;
}

/* Keys at the edges of the coordinates: x = the first x from 0, above n
 * (so r = x(Q) - n) and down from p - 1 that is on the curve, each with
 * its negation; x + p, a second spelling of x, refused when it fits. */
static void
edge_keys(void)
{
	static const char *const names[3] = { "from 0", "above n", "below p" };
	unsigned char x[B], y[B], v[B];
	mpz_t mx, z;

	mpz_inits(mx, z, NULL);
	for (int i = 0; i < 3; i++) {
		struct ref_key t;
		struct p384_key *k;
		long fails;

		if (i == 0)
			mpz_set_ui(mx, 0);
		else if (i == 1)
			mpz_add_ui(mx, ref_n, 1); /* n itself is on the curve */
		else
			mpz_sub_ui(mx, ref_p, 1);
		find_point(mx, i == 2 ? -1 : 1, x, y);
		if (!ref_key_from_xy(&t, x, y)) {
			printf("Bail out! Nettle refuses a point found %s\n",
			    names[i]);
			exit(1);
		}
		gmp_printf("# the first x on the curve %s: %Zx\n", names[i],
		    mx);
		ok(t.k != NULL, "the first x on the curve %s: taken", names[i]);
		fails = unknown_d(&t);
		ok(fails == 0,
		    "the first x on the curve %s: hash 0 and n signed without "
		    "d (u2 = 1, n - 1, random): valid; hash n ^ 1, random: not",
		    names[i]);
		ref_key_clear(&t);
		ref_from_bytes(z, y);
		mpz_sub(z, ref_p, z);
		ref_to_bytes(v, z);
		if (!ref_key_from_xy(&t, x, v)) {
			printf("Bail out! Nettle refuses a point's negation\n");
			exit(1);
		}
		fails = unknown_d(&t);
		ok(t.k != NULL && fails == 0,
		    "its negation (x, p - y): taken, and its signatures as "
		    "above");
		ref_key_clear(&t);
		mpz_add(z, mx, ref_p);
		if (mpz_sizeinbase(z, 2) <= 8 * B) {
			ref_to_bytes(v, z);
			ok(both_refuse(v, y),
			    "the same point with x + p: refused");
		}
		/* y + 1, off the curve */
		add_bytes(v, y, 1);
		k = p384_key_new(x, v);
		ok(k == NULL, "the same x with y + 1: refused");
		p384_key_unref(k);
	}
	mpz_clears(mx, z, NULL);
}

static void
keys(void)
{
	unsigned char x[B], y[B], v[B], h[B], r[B], s[B], sd[B];
	struct ref_key g, t;
	struct p384_key *k, *k2;
	char path[4096], *text, *pair;
	mpz_t z;

	mpz_init(z);
	key_small(&g, 1);
	/* coordinates not below p */
	set_bytes_mpz(v, ref_p);
	ok(both_refuse(v, g.y), "x = p: refused");
	ok(both_refuse(g.x, v), "y = p: refused");
	memset(v, 0xff, B);
	ok(both_refuse(v, g.y), "x = 2^384 - 1: refused");
	ok(both_refuse(g.x, v), "y = 2^384 - 1: refused");
	/* y + p and p - y: p - y(G) is -G, y(G) + p does not fit */
	ref_from_bytes(z, g.y);
	mpz_sub(z, ref_p, z);
	ref_to_bytes(v, z);
	k = p384_key_new(g.x, v);
	ok(k != NULL, "(x(G), p - y(G)) = -G: taken");
	p384_key_unref(k);
	/* off the curve */
	add_bytes(v, g.y, 1);
	ok(both_refuse(g.x, v), "(x(G), y(G) + 1), off the curve: refused");
	add_bytes(v, g.x, 1);
	ok(both_refuse(v, g.y), "(x(G) + 1, y(G)), off the curve: refused");
	memset(v, 0, B);
	ok(both_refuse(v, v), "(0, 0): refused");
	ok(both_refuse(g.x, v), "(x(G), 0): refused");
	ref_key_clear(&g);

	/* the CDS Hooks sandbox's key, and references to it */
	snprintf(path, sizeof(path), "%s/tests/data/cds-hooks/keys/jwks.json",
	    root);
	text = tap_slurp(path, NULL);
	snprintf(path, sizeof(path),
	    "%s/tests/data/cds-hooks/keys/jwk-keypair.json", root);
	pair = tap_slurp(path, NULL);
	if (text == NULL || pair == NULL || !json_b64(text, "x", x) ||
	    !json_b64(text, "y", y) || !json_b64(pair, "d", sd)) {
		ok(false, "the sandbox key in %s", path);
		free(text);
		free(pair);
		mpz_clear(z);
		return;
	}
	k = p384_key_new(x, y);
	ok(k != NULL, "the sandbox's key (jwks.json): taken");
	ref_from_bytes(z, sd);
	ref_key_from_d(&t, z);
	ok(memcmp(t.x, x, B) == 0 && memcmp(t.y, y, B) == 0,
	    "the sandbox's d gives its x and y");
	k2 = p384_key_ref(k);
	ok(k2 == k, "p384_key_ref gives the same key");
	p384_key_unref(k); /* k2 holds the last reference */
	{
		mpz_t kk;

		mpz_init_set_ui(kk, 12345);
		rnd_bytes(h, B);
		ref_sign(&t, h, kk, r, s);
		ok(k2 != NULL && !p384_verify(k2, h, r, s),
		    "the sandbox key before p384_key_prepare: its good "
		    "signature refused");
		ok(k2 != NULL && p384_key_prepare(k2) && p384_key_prepare(k2) &&
		        p384_verify(k2, h, r, s),
		    "prepared (twice): the same signature verifies");
		mpz_clear(kk);
	}
	{
		long fails = 0;

		for (int i = 0; i < 16; i++) {
			mpz_t kk;

			mpz_init(kk);
			rnd_bytes(h, B);
			rnd_scalar(kk);
			ref_sign(&t, h, kk, r, s);
			fails += !agree(&t, h, r, s, 1, "the sandbox key");
			fails += k2 == NULL || !p384_verify(k2, h, r, s);
			s[i] ^= 0x80;
			fails += !agree(&t, h, r, s, 0, "the sandbox key");
			fails += k2 == NULL || p384_verify(k2, h, r, s);
			mpz_clear(kk);
		}
		fails += collisions(&t, &(long){ 0 });
		ok(fails == 0,
		    "the sandbox key, through a second reference after the "
		    "first is dropped: 16 signatures and 16 forgeries");
	}
	p384_key_unref(k2);
	p384_key_unref(NULL);
	ref_key_clear(&t);
	free(text);
	free(pair);
	mpz_clear(z);
}

/* ------------------------------------------------------------- threads */

enum {
	THREADS = 4,
	THREAD_SIGS = 24
};

struct thread_job {
	struct p384_key *k; /* a reference the thread drops when done */
	const unsigned char (*sig)[3][B];
	long wrong;
};

/* Even signatures are good, odd ones have s + 1. */
static void *
thread_main(void *arg)
{
	struct thread_job *job = arg;

	/* all at once on a fresh key: one builds its table, the others wait */
	if (!p384_key_prepare(job->k))
		job->wrong++;
	for (int round = 0; round < 4; round++)
		for (int i = 0; i < THREAD_SIGS; i++) {
			const unsigned char(*sg)[B] = job->sig[i];

			job->wrong += p384_verify(job->k, sg[0], sg[1],
			                  sg[2]) != (i % 2 == 0);
		}
	p384_key_unref(job->k);
	return NULL;
}

/* One fresh key shared by threads that prepare it at once, verify with it
 * and each drop their reference, the caller's dropped first: under ASan, a
 * reference count that loses a decrement leaks, one that frees early is a
 * use after free. */
static void
threads(void)
{
	static unsigned char sig[THREAD_SIGS][3][B];
	struct thread_job jobs[THREADS];
	pthread_t tid[THREADS];
	struct ref_key t;
	struct p384_key *fresh;
	long wrong = 0;
	int started = 0;
	mpz_t d, k;

	mpz_inits(d, k, NULL);
	rnd_scalar(d);
	ref_key_from_d(&t, d);
	for (int i = 0; i < THREAD_SIGS; i++) {
		rnd_bytes(sig[i][0], B);
		rnd_scalar(k);
		ref_sign(&t, sig[i][0], k, sig[i][1], sig[i][2]);
		if (i % 2)
			add_bytes(sig[i][2], sig[i][2], 1);
	}
	fresh = p384_key_new(t.x, t.y); /* not prepared */
	for (int i = 0; i < THREADS && fresh != NULL; i++) {
		jobs[i] = (struct thread_job){ .k = p384_key_ref(fresh),
			.sig = (const unsigned char(*)[3][B])sig,
			.wrong = 0 };
		if (pthread_create(&tid[i], NULL, thread_main, &jobs[i]) != 0) {
			p384_key_unref(jobs[i].k);
			break;
		}
		started++;
	}
	p384_key_unref(fresh); /* the threads hold the last references */
	for (int i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		wrong += jobs[i].wrong;
	}
	ok(started == THREADS && wrong == 0,
	    "%d threads share one fresh key, each preparing it, verifying %d "
	    "signatures 4 times and dropping its reference: %ld wrong answers",
	    started, THREAD_SIGS, wrong);
	ref_key_clear(&t);
	mpz_clears(d, k, NULL);
}

/* ------------------------------------------------------------- timings */

/* Verifications a second, p384_verify and Nettle, on one key (figures
 * for the record; nothing is asserted). */
static void
timing(void)
{
	enum {
		N = 200
	};
	unsigned char h[N][B], r[N][B], s[N][B];
	struct ref_key t;
	clock_t t0;
	double mine, nettle, key_ms;
	long valid = 0;
	mpz_t d;

	mpz_init(d);
	rnd_scalar(d);
	t0 = clock();
	ref_key_from_d(&t, d);
	key_ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
	for (int i = 0; i < N; i++) {
		rnd_bytes(h[i], B);
		rnd_scalar(d);
		ref_sign(&t, h[i], d, r[i], s[i]);
	}
	t0 = clock();
	for (int i = 0; i < N && t.k != NULL; i++)
		valid += p384_verify(t.k, h[i], r[i], s[i]);
	mine = (double)(clock() - t0) / CLOCKS_PER_SEC;
	t0 = clock();
	for (int i = 0; i < N; i++)
		valid += ref_nettle(&t, h[i], r[i], s[i]);
	nettle = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(valid == 2 * N, "timing: %d signatures valid by both", N);
	tap_diag("p384_verify %.0f/s, Nettle ecdsa_verify %.0f/s, "
	         "p384_key_new %.1f ms (this build)",
	    N / (mine > 0 ? mine : 1e-9), N / (nettle > 0 ? nettle : 1e-9),
	    key_ms);
	ref_key_clear(&t);
	mpz_clear(d);
}

int
main(int argc, char **argv)
{
	long n_keys = 200, n_sigs = 5;

	if (argc < 2 || argc > 4) {
		printf(
		    "Bail out! usage: p384 SOURCE_ROOT [KEYS [SIGNATURES]]\n");
		return 1;
	}
	root = argv[1];
	if (argc > 2)
		n_keys = atol(argv[2]);
	if (argc > 3)
		n_sigs = atol(argv[3]);
	ref_init();
	curve();
	keys();
	edge_keys();
	nettle_gap();
	special_keys();
	random_key_edges();
	random_keys(n_keys, n_sigs);
	threads();
	timing();
	tap_diag("%ld signatures compared, %ld valid, %ld with u1 G = +-u2 Q "
	         "(Nettle wrong on %ld of those)",
	    tally.checks, tally.valid, tally.exceptions, tally.nettle_off);
	ref_fini();
	return tap_done();
}
