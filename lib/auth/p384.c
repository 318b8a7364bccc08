/*
 * ECDSA P-384 verification behind p384.h.  Field elements are six 64-bit
 * limbs in Montgomery form (a stands for a 2^384 mod p), multiplied with
 * GMP's mpn functions and reduced by Montgomery's method; points are
 * Jacobian (X, Y, Z stand for X / Z^2, Y / Z^3) while they are summed and
 * affine in the tables.  A table holds j 2^(6 i) P for every window i of a
 * scalar and digit j, so u P is one table point a nonzero digit, added.
 */
#include "p384.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#if GMP_NUMB_BITS != 64 || GMP_NAIL_BITS != 0
#error "p384.c needs GMP with 64-bit limbs and no nail bits"
#endif

enum {
	L = 6,                /* limbs of a field element or a scalar */
	W = 6,                /* bits of a window */
	WINDOWS = 384 / W,    /* 64 */
	DIGITS = (1 << W) - 1 /* the nonzero digits of a window */
};

typedef mp_limb_t fe[L]; /* least significant limb first */

struct affine {
	fe x, y;
};

struct jacobian {
	fe x, y, z;
	bool inf; /* the point at infinity; x, y, z mean nothing */
};

/* (j + 1) 2^(W i) P at pt[i][j] */
struct table {
	struct affine pt[WINDOWS][DIGITS];
};

struct p384_key {
	atomic_int refs;
	struct affine q;           /* the point, Montgomery form */
	pthread_mutex_t mu;        /* held while the table is built */
	_Atomic(struct table *) t; /* NULL until p384_key_prepare() */
};

/* The curve (SEC 2 v2, secp384r1), least significant limb first. */
static const fe P = { 0x00000000ffffffff, 0xffffffff00000000,
	0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff,
	0xffffffffffffffff };
static const fe N = { 0xecec196accc52973, 0x581a0db248b0a77a,
	0xc7634d81f4372ddf, 0xffffffffffffffff, 0xffffffffffffffff,
	0xffffffffffffffff };
static const fe B = { 0x2a85c8edd3ec2aef, 0xc656398d8a2ed19d,
	0x0314088f5013875a, 0x181d9c6efe814112, 0x988e056be3f82d19,
	0xb3312fa7e23ee7e4 };
static const fe GX = { 0x3a545e3872760ab7, 0x5502f25dbf55296c,
	0x59f741e082542a38, 0x6e1d3b628ba79b98, 0x8eb1c71ef320ad74,
	0xaa87ca22be8b0537 };
static const fe GY = { 0x7a431d7c90ea0e5f, 0x0a60b1ce1d7e819d,
	0xe9da3113b5f0b8c0, 0xf8f41dbd289a147c, 0x5d9e98bf9292dc29,
	0x3617de4a96262c6f };
static const mp_limb_t PINV = 0x100000001; /* -1 / p mod 2^64 */

enum {
	INVERT_SCRATCH = 8 * L /* limbs; mpn_sec_invert_itch(L) is 4 L */
};

/* Worked out once, on the first key; nothing here can fail but a GMP
 * whose inversion wants more scratch than we give it. */
static struct {
	fe r2;           /* 2^768 mod p: into Montgomery form */
	fe one;          /* 1 in Montgomery form */
	fe b;            /* b in Montgomery form */
	struct affine g; /* the generator, Montgomery form */
	bool ok;
} C;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* The generator's table, built with the first key's (p384_key_prepare) */
static _Atomic(struct table *) g_table;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

/* t (2L limbs, overwritten) / 2^384 mod p, into r. */
static void
redc(mp_limb_t *r, mp_limb_t *t)
{
	mp_limb_t hi = 0;

	for (int i = 0; i < L; i++) {
		mp_limb_t c = mpn_addmul_1(t + i, P, L, t[i] * PINV);

		hi += mpn_add_1(t + i + L, t + i + L, L - i, c);
	}
	/* below 2p, so one subtraction at most */
	if (hi || mpn_cmp(t + L, P, L) >= 0)
		mpn_sub_n(r, t + L, P, L);
	else
		memcpy(r, t + L, sizeof(fe));
}

static void
fe_mul(fe r, const fe a, const fe b)
{
	mp_limb_t t[2 * L];

	mpn_mul_n(t, a, b, L);
	redc(r, t);
}

static void
fe_sqr(fe r, const fe a)
{
	mp_limb_t t[2 * L];

	mpn_sqr(t, a, L);
	redc(r, t);
}

static void
fe_add(fe r, const fe a, const fe b)
{
	if (mpn_add_n(r, a, b, L) || mpn_cmp(r, P, L) >= 0)
		mpn_sub_n(r, r, P, L);
}

static void
fe_sub(fe r, const fe a, const fe b)
{
	if (mpn_sub_n(r, a, b, L))
		mpn_add_n(r, r, P, L);
}

static bool
fe_zero(const fe a)
{
	mp_limb_t any = 0;

	for (int i = 0; i < L; i++)
		any |= a[i];
	return any == 0;
}

static bool
fe_eq(const fe a, const fe b)
{
	return mpn_cmp(a, b, L) == 0;
}

/* a (below 2^384) into Montgomery form */
static void
to_mont(fe r, const fe a)
{
	fe_mul(r, a, C.r2);
}

/* 1 / a, by Fermat: a^(p - 2).  For tables only; a is not zero. */
static void
fe_inv(fe r, const fe a)
{
	fe e, x;

	memcpy(e, P, sizeof(fe));
	e[0] -= 2; /* p ends in ...ffffffff: no borrow */
	memcpy(x, C.one, sizeof(fe));
	for (int bit = 383; bit >= 0; bit--) {
		fe_sqr(x, x);
		if (e[bit / 64] >> (bit % 64) & 1)
			fe_mul(x, x, a);
	}
	memcpy(r, x, sizeof(fe));
}

/* 48 big-endian bytes into limbs */
static void
from_bytes(fe r, const unsigned char *b)
{
	for (int i = 0; i < L; i++) {
		const unsigned char *p = b + P384_BYTES - 8 * (i + 1);
		mp_limb_t v = 0;

		for (int k = 0; k < 8; k++)
			v = v << 8 | p[k];
		r[i] = v;
	}
}

/* 2p = 2 (X, Y, Z) with a = -3 (dbl-2001-b in the Explicit-Formulas
 * Database); r may be p. */
static void
dbl(struct jacobian *r, const struct jacobian *p)
{
	fe delta, gamma, beta, alpha, t, u;

	if (p->inf || fe_zero(p->y)) {
		r->inf = true;
		return;
	}
	fe_sqr(delta, p->z);
	fe_sqr(gamma, p->y);
	fe_mul(beta, p->x, gamma);
	fe_sub(t, p->x, delta);
	fe_add(u, p->x, delta);
	fe_mul(alpha, t, u);
	fe_add(t, alpha, alpha);
	fe_add(alpha, t, alpha); /* 3 (X - delta)(X + delta) */
	fe_add(t, p->y, p->z);
	fe_sqr(t, t);
	fe_sub(t, t, gamma);
	fe_sub(r->z, t, delta); /* (Y + Z)^2 - gamma - delta = 2 Y Z */
	fe_add(u, beta, beta);
	fe_add(u, u, u); /* 4 beta */
	fe_sqr(t, alpha);
	fe_sub(t, t, u);
	fe_sub(r->x, t, u); /* alpha^2 - 8 beta */
	fe_sub(u, u, r->x);
	fe_mul(u, alpha, u);
	fe_sqr(t, gamma);
	fe_add(t, t, t);
	fe_add(t, t, t);
	fe_add(t, t, t); /* 8 gamma^2 */
	fe_sub(r->y, u, t);
	r->inf = false;
}

/*
 * r = p + q, q affine; r may be p.  Complete: p at infinity, p = q (a
 * doubling) and p = -q (infinity) are each taken their own way, so
 * no choice of scalars breaks the sum.
 */
static void
madd(struct jacobian *r, const struct jacobian *p, const struct affine *q)
{
	fe z1z1, u2, s2, h, rr, hh, hhh, v, x3, y3, t;

	if (p->inf) {
		memcpy(r->x, q->x, sizeof(fe));
		memcpy(r->y, q->y, sizeof(fe));
		memcpy(r->z, C.one, sizeof(fe));
		r->inf = false;
		return;
	}
	fe_sqr(z1z1, p->z);
	fe_mul(u2, q->x, z1z1);
	fe_mul(s2, q->y, p->z);
	fe_mul(s2, s2, z1z1);
	fe_sub(h, u2, p->x);
	fe_sub(rr, s2, p->y);
	if (fe_zero(h)) {
		if (fe_zero(rr))
			dbl(r, p);
		else
			r->inf = true;
		return;
	}
	fe_sqr(hh, h);
	fe_mul(hhh, h, hh);
	fe_mul(v, p->x, hh);
	fe_sqr(x3, rr);
	fe_sub(x3, x3, hhh);
	fe_sub(x3, x3, v);
	fe_sub(x3, x3, v); /* rr^2 - H^3 - 2 V */
	fe_sub(t, v, x3);
	fe_mul(y3, rr, t);
	fe_mul(t, p->y, hhh);
	fe_sub(y3, y3, t); /* rr (V - X3) - Y1 H^3 */
	fe_mul(r->z, p->z, h);
	memcpy(r->x, x3, sizeof(fe));
	memcpy(r->y, y3, sizeof(fe));
	r->inf = false;
}

/* Jacobian points (none at infinity) to affine with one inversion
 * (Montgomery's trick); pre holds n elements of scratch. */
static void
normalize(struct affine *out, const struct jacobian *in, size_t n, fe *pre)
{
	fe inv, zi, zi2;

	memcpy(pre[0], in[0].z, sizeof(fe));
	for (size_t k = 1; k < n; k++)
		fe_mul(pre[k], pre[k - 1], in[k].z);
	fe_inv(inv, pre[n - 1]);
	for (size_t k = n; k-- > 0;) {
		if (k > 0) {
			fe_mul(zi, inv, pre[k - 1]); /* 1 / z_k */
			fe_mul(inv, inv, in[k].z);   /* 1 / (z_0 .. z_k-1) */
		} else {
			memcpy(zi, inv, sizeof(fe));
		}
		fe_sqr(zi2, zi);
		fe_mul(out[k].x, in[k].x, zi2);
		fe_mul(zi2, zi2, zi);
		fe_mul(out[k].y, in[k].y, zi2);
	}
}

/*
 * Fill t with p's multiples.  None is at infinity: (j + 1) 2^(6 i) is
 * never a multiple of the prime n.
 */
static bool
table_build(struct table *t, const struct affine *p)
{
	struct jacobian *jac = malloc(sizeof(*jac) * WINDOWS * DIGITS);
	fe *pre = malloc(sizeof(fe) * WINDOWS * DIGITS);
	struct affine base = *p;

	if (jac == NULL || pre == NULL) {
		free(jac);
		free(pre);
		return false;
	}
	for (int i = 0; i < WINDOWS; i++) {
		struct jacobian acc = { .inf = true };

		for (int j = 0; j < DIGITS; j++) {
			madd(&acc, &acc, &base);
			jac[i * DIGITS + j] = acc;
		}
		/* the next window's base: 2^6 = 63 + 1 times this one */
		madd(&acc, &acc, &base);
		normalize(&base, &acc, 1, pre);
	}
	normalize(&t->pt[0][0], jac, (size_t)WINDOWS * DIGITS, pre);
	free(jac);
	free(pre);
	return true;
}

static bool
on_curve(const struct affine *q)
{
	fe l, r;

	fe_sqr(l, q->y);
	fe_sqr(r, q->x);
	fe_mul(r, r, q->x);
	fe_sub(r, r, q->x);
	fe_sub(r, r, q->x);
	fe_sub(r, r, q->x);
	fe_add(r, r, C.b); /* x^3 - 3 x + b */
	return fe_eq(l, r);
}

static void
constants_init(void)
{
	mp_limb_t num[2 * L + 1] = { 0 }, q[L + 2];

	num[2 * L] = 1; /* 2^768 */
	mpn_tdiv_qr(q, C.r2, 0, num, 2 * L + 1, P, L);
	memset(num, 0, sizeof(num));
	num[L] = 1; /* 2^384 */
	mpn_tdiv_qr(q, C.one, 0, num, L + 1, P, L);
	to_mont(C.b, B);
	to_mont(C.g.x, GX);
	to_mont(C.g.y, GY);
	C.ok = on_curve(&C.g) && mpn_sec_invert_itch(L) <= INVERT_SCRATCH;
}

/*
 * The table of p behind *slot, built by the first caller while the others
 * wait on mu; NULL if memory ran out, and the next caller tries again.
 */
static struct table *
table_of(_Atomic(struct table *) *slot, pthread_mutex_t *mu,
    const struct affine *p)
{
	struct table *t = atomic_load_explicit(slot, memory_order_acquire);

	if (t != NULL)
		return t;
	pthread_mutex_lock(mu);
	t = atomic_load_explicit(slot, memory_order_relaxed);
	if (t == NULL && (t = malloc(sizeof(*t))) != NULL) {
		if (table_build(t, p)) {
			atomic_store_explicit(slot, t, memory_order_release);
		} else {
			free(t);
			t = NULL;
		}
	}
	pthread_mutex_unlock(mu);
	return t;
}

struct p384_key *
p384_key_new(const unsigned char x[P384_BYTES],
    const unsigned char y[P384_BYTES])
{
	struct p384_key *k;
	struct affine q;
	fe xl, yl;

	if (pthread_once(&once, constants_init) != 0 || !C.ok)
		return NULL;
	from_bytes(xl, x);
	from_bytes(yl, y);
	if (mpn_cmp(xl, P, L) >= 0 || mpn_cmp(yl, P, L) >= 0)
		return NULL;
	to_mont(q.x, xl);
	to_mont(q.y, yl);
	/* on the curve, so neither infinity nor of another order: the
	 * cofactor is 1 */
	if (!on_curve(&q) || (k = malloc(sizeof(*k))) == NULL)
		return NULL;
	if (pthread_mutex_init(&k->mu, NULL) != 0) {
		free(k);
		return NULL;
	}
	k->q = q;
	atomic_init(&k->t, NULL);
	atomic_init(&k->refs, 1);
	return k;
}

bool
p384_key_prepare(struct p384_key *k)
{
	return table_of(&g_table, &g_mu, &C.g) != NULL &&
	    table_of(&k->t, &k->mu, &k->q) != NULL;
}

struct p384_key *
p384_key_ref(struct p384_key *k)
{
	atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
	return k;
}

void
p384_key_unref(struct p384_key *k)
{
	if (k != NULL &&
	    atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1) {
		free(atomic_load_explicit(&k->t, memory_order_relaxed));
		pthread_mutex_destroy(&k->mu);
		free(k);
	}
}

/*
 * u1 = e / s and u2 = r / s mod n; false if s has no inverse.  Only mpn
 * functions that take their scratch from us: GMP's mpz functions abort the
 * process when memory runs out, and the library never exits.
 */
static bool
scalars(fe u1, fe u2, const fe e, const fe r, const fe s)
{
	mp_limb_t a[L], w[L], t[2 * L], q[L + 1], scratch[INVERT_SCRATCH];

	memcpy(a, s, sizeof(fe)); /* the inversion spends its input */
	if (!mpn_sec_invert(w, a, N, L, 2 * L * GMP_NUMB_BITS, scratch))
		return false;
	mpn_mul_n(t, e, w, L);
	mpn_tdiv_qr(q, u1, 0, t, 2 * L, N, L);
	mpn_mul_n(t, r, w, L);
	mpn_tdiv_qr(q, u2, 0, t, 2 * L, N, L);
	return true;
}

/* bits [W i, W i + W) of u */
static unsigned
digit(const fe u, int i)
{
	int bit = W * i, limb = bit / 64, sh = bit % 64;
	mp_limb_t v = u[limb] >> sh;

	if (sh > 64 - W && limb + 1 < L)
		v |= u[limb + 1] << (64 - sh);
	return (unsigned)(v & DIGITS);
}

bool
p384_verify(const struct p384_key *k, const unsigned char hash[P384_BYTES],
    const unsigned char r_[P384_BYTES], const unsigned char s_[P384_BYTES])
{
	const struct table *g =
	    atomic_load_explicit(&g_table, memory_order_acquire);
	const struct table *kt =
	    atomic_load_explicit(&k->t, memory_order_acquire);
	struct jacobian acc = { .inf = true };
	fe r, s, e, u1, u2, z2, rm, t, rn;

	if (g == NULL || kt == NULL) /* not prepared */
		return false;
	from_bytes(r, r_);
	from_bytes(s, s_);
	/* the hash has n's 384 bits: e is all of it (SEC 1 4.1.4 step 3) */
	from_bytes(e, hash);
	if (fe_zero(r) || fe_zero(s) || mpn_cmp(r, N, L) >= 0 ||
	    mpn_cmp(s, N, L) >= 0 || !scalars(u1, u2, e, r, s))
		return false;
	for (int i = 0; i < WINDOWS; i++) {
		unsigned d1 = digit(u1, i), d2 = digit(u2, i);

		if (d1)
			madd(&acc, &acc, &g->pt[i][d1 - 1]);
		if (d2)
			madd(&acc, &acc, &kt->pt[i][d2 - 1]);
	}
	if (acc.inf)
		return false;
	/* x mod n = r, where x = X / Z^2 is below p < 2n: X = r' Z^2 for
	 * r' = r, or r + n if that is still below p */
	fe_sqr(z2, acc.z);
	to_mont(rm, r);
	fe_mul(t, rm, z2);
	if (fe_eq(t, acc.x))
		return true;
	if (mpn_add_n(rn, r, N, L) != 0 || mpn_cmp(rn, P, L) >= 0)
		return false;
	to_mont(rm, rn);
	fe_mul(t, rm, z2);
	return fe_eq(t, acc.x);
}
