/*
 * CDS Hooks bearer tokens (ldn/jwt.h): tokens this file signs itself with
 * the CDS Hooks sandbox's public test key pair (ES384,
 * tests/data/cds-hooks/keys) and with an RSA key it generates (RS384),
 * the specification's own expired example token, and the classic attacks:
 * alg none, HS384 keyed with the public key, bit flips, wrong lengths,
 * padding, extra dots, replays; both sides of every time threshold; many
 * threads replaying one token at once; every single-byte change of a good
 * token.
 *
 *   jwt SOURCE_ROOT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "ldn/jwt.h"

#include "tap.h"

#define ISS      "https://sandbox.cds-hooks.org"
#define ISS_RSA  "https://ehr.example.org/rsa"
#define AUD      "https://ldn.example.org/cds-services/ldn-start"
#define KID      "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"
#define SPEC_ISS "https://fhir-ehr.example.com/"
#define SPEC_AUD "https://cds.example.org/cds-services/some-service"
#define SPEC_EXP 1422568860
#define T0       1795000000 /* 2026-11-18, "now" in these tests */
#define HDR_ES   "{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":\"" KID "\"}"
#define HDR_RS   "{\"alg\":\"RS384\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}"

static const char *root;
static char *sandbox_jwks, *spec_jwks, *rsa_jwks, *pubkey_pem;
static size_t sandbox_jwks_len;
static EVP_PKEY *ec_key, *rsa_key;

/* ------------------------------------------------------------ helpers */

static char *
b64url(const unsigned char *d, size_t n)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *o = malloc(n / 3 * 4 + 5), *p = o;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		unsigned long v =
		    (unsigned long)d[i] << 16 | d[i + 1] << 8 | d[i + 2];
		*p++ = al[v >> 18];
		*p++ = al[(v >> 12) & 63];
		*p++ = al[(v >> 6) & 63];
		*p++ = al[v & 63];
	}
	if (n - i == 1) {
		*p++ = al[d[i] >> 2];
		*p++ = al[(d[i] & 3) << 4];
	} else if (n - i == 2) {
		*p++ = al[d[i] >> 2];
		*p++ = al[((d[i] & 3) << 4) | d[i + 1] >> 4];
		*p++ = al[(d[i + 1] & 15) << 2];
	}
	*p = '\0';
	return o;
}

static char *
b64s(const char *s)
{
	return b64url((const unsigned char *)s, strlen(s));
}

/* Sign header.payload (JSON texts) with key as alg; hs_secret for HS384.
 * sig_mangle, if not NULL, may change the raw signature before encoding. */
static char *
sign_raw(const char *header, const char *payload, const char *alg,
    EVP_PKEY *key, const char *hs_secret,
    void (*mangle)(unsigned char *sig, size_t *len))
{
	char *h = b64s(header), *p = b64s(payload), *s, *out;
	size_t in_len = strlen(h) + 1 + strlen(p);
	char *in = malloc(in_len + 1);
	unsigned char sig[1024];
	size_t sl = sizeof(sig);

	snprintf(in, in_len + 1, "%s.%s", h, p);
	if (strcmp(alg, "HS384") == 0) {
		unsigned int ml = 0;

		HMAC(EVP_sha384(), hs_secret, (int)strlen(hs_secret),
		    (const unsigned char *)in, in_len, sig, &ml);
		sl = ml;
	} else {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (EVP_DigestSignInit_ex(md, NULL, "SHA384", NULL, NULL, key,
		        NULL) != 1 ||
		    EVP_DigestSign(md, sig, &sl, (const unsigned char *)in,
		        in_len) != 1)
			abort();
		EVP_MD_CTX_free(md);
		if (strcmp(alg, "ES384") == 0) {
			/* DER to JWS's R || S */
			const unsigned char *q = sig;
			ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)sl);

			if (es == NULL)
				abort();
			BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 48);
			BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 48, 48);
			ECDSA_SIG_free(es);
			sl = 96;
		}
	}
	if (mangle)
		mangle(sig, &sl);
	s = b64url(sig, sl);
	out = malloc(in_len + 2 + strlen(s));
	sprintf(out, "%s.%s", in, s);
	free(h);
	free(p);
	free(s);
	free(in);
	return out;
}

static char *
es384(const char *payload)
{
	return sign_raw(HDR_ES, payload, "ES384", ec_key, NULL, NULL);
}

static char *
rs384(const char *payload)
{
	return sign_raw(HDR_RS, payload, "RS384", rsa_key, NULL, NULL);
}

/* A payload from ISS for AUD, issued at T0, with this exp and jti. */
static char *
claims(const char *iss, long long exp, const char *jti)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]),
	    "{\"iss\":\"%s\",\"sub\":\"sandbox-client\",\"aud\":\"%s\","
	    "\"exp\":%lld,\"iat\":%d,\"jti\":\"%s\"}",
	    iss, AUD, exp, T0, jti);
	return b;
}

static struct ldn_jwt_verifier *
verifier(void)
{
	struct ldn_jwt_verifier *v;
	struct ldn_error err;

	if (ldn_jwt_verifier_new(&v, &err) != LDN_OK ||
	    ldn_jwt_add_audience(v, AUD, &err) != LDN_OK ||
	    ldn_jwt_add_issuer(v, ISS, sandbox_jwks, sandbox_jwks_len, &err) !=
	        LDN_OK ||
	    ldn_jwt_add_issuer(v, ISS_RSA, rsa_jwks, strlen(rsa_jwks), &err) !=
	        LDN_OK) {
		printf("Bail out! verifier: %s: %s\n", err.where, err.msg);
		exit(1);
	}
	return v;
}

/* Verify tok at now: accepted when where is NULL, else refused there. */
static bool
expect(struct ldn_jwt_verifier *v, const char *tok, long long now,
    const char *where, const char *what)
{
	struct ldn_error err = { 0 };
	struct ldn_jwt_claims c;
	enum ldn_status rc =
	    ldn_jwt_verify(v, tok, strlen(tok), (time_t)now, &c, &err);

	if (where == NULL)
		return ok(rc == LDN_OK, "%s: accepted (got %s at \"%s\": %s)",
		    what, ldn_status_name(rc), err.where, err.msg);
	return ok(rc == LDN_E_SCHEMA && strcmp(err.where, where) == 0 &&
	        err.msg[0] && c.iss[0] == '\0',
	    "%s: refused at %s (got %s at \"%s\": %s)", what, where,
	    ldn_status_name(rc), err.where, err.msg);
}

static char *
slurp(const char *rel, size_t *len)
{
	char path[4096];
	char *s;

	snprintf(path, sizeof(path), "%s/tests/data/cds-hooks/%s", root, rel);
	s = tap_slurp(path, len);
	if (s == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	return s;
}

static char *
bn_b64(EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		abort();
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64url(buf, (size_t)n);
}

/* A JWK Set holding k's public RSA key as kid. */
static char *
rsa_jwks_of(EVP_PKEY *k, const char *kid)
{
	char *n = bn_b64(k, OSSL_PKEY_PARAM_RSA_N);
	char *e = bn_b64(k, OSSL_PKEY_PARAM_RSA_E);
	size_t len = strlen(n) + strlen(e) + strlen(kid) + 128;
	char *s = malloc(len);

	snprintf(s, len,
	    "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS384\","
	    "\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}]}",
	    kid, n, e);
	free(n);
	free(e);
	return s;
}

static void
setup(void)
{
	size_t len;
	char *pem = slurp("keys/ecprivkey.pem", &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	BUF_MEM *bm;

	ec_key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (ec_key == NULL || rsa_key == NULL) {
		printf("Bail out! keys\n");
		exit(1);
	}
	sandbox_jwks = slurp("keys/jwks.json", &sandbox_jwks_len);
	spec_jwks = slurp("spec-example/jwks.json", &len);
	rsa_jwks = rsa_jwks_of(rsa_key, "rsa-1");
	/* the sandbox's public key as PEM: the HS384 confusion secret */
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, ec_key);
	BIO_get_mem_ptr(b, &bm);
	pubkey_pem = strndup(bm->data, bm->length);
	BIO_free(b);
}

/* ------------------------------------------------------------- tests */

static void
good_tokens(void)
{
	struct ldn_jwt_verifier *v = verifier();
	struct ldn_error err = { 0 };
	struct ldn_jwt_claims c;
	char *t = es384(claims(ISS, T0 + 300, "good-es"));

	ok(ldn_jwt_verify(v, t, strlen(t), T0, &c, &err) == LDN_OK &&
	        strcmp(c.iss, ISS) == 0 &&
	        strcmp(c.sub, "sandbox-client") == 0 &&
	        strcmp(c.jti, "good-es") == 0 && c.exp == T0 + 300 &&
	        c.iat == T0 && strcmp(c.kid, KID) == 0 &&
	        strcmp(c.alg, "ES384") == 0,
	    "a good ES384 token is accepted, with its claims (%s: %s)",
	    err.where, err.msg);
	free(t);
	t = rs384(claims(ISS_RSA, T0 + 300, "good-rs"));
	ok(ldn_jwt_verify(v, t, strlen(t), T0, &c, &err) == LDN_OK &&
	        strcmp(c.iss, ISS_RSA) == 0 && strcmp(c.alg, "RS384") == 0,
	    "a good RS384 token (2048-bit key) is accepted (%s: %s)", err.where,
	    err.msg);
	free(t);
	/* the claims argument may be NULL */
	t = es384(claims(ISS, T0 + 300, "no-claims"));
	ok(ldn_jwt_verify(v, t, strlen(t), T0, NULL, &err) == LDN_OK,
	    "claims may be NULL");
	free(t);
	/* aud as an array that holds us; no sub; real-valued exp */
	t = es384(
	    "{\"iss\":\"" ISS "\",\"aud\":[\"https://other.example\",\"" AUD
	    "\"],\"exp\":1795000300.5,\"iat\":1795000000,\"jti\":\"arr\"}");
	ok(ldn_jwt_verify(v, t, strlen(t), T0, &c, &err) == LDN_OK &&
	        c.sub[0] == '\0' && c.exp == T0 + 300,
	    "aud as an array holding this service, no sub, exp with a "
	    "fraction: accepted (%s: %s)",
	    err.where, err.msg);
	free(t);
	/* the sandbox's key-pair file also serves: "d" is ignored */
	{
		struct ldn_jwt_verifier *w;
		size_t len;
		char *kp = slurp("keys/jwk-keypair.json", &len);

		ldn_jwt_verifier_new(&w, &err);
		ldn_jwt_add_audience(w, AUD, &err);
		ok(ldn_jwt_add_issuer(w, ISS, kp, len, &err) == LDN_OK,
		    "the sandbox's jwk-keypair.json loads (private part "
		    "ignored)");
		t = es384(claims(ISS, T0 + 300, "kp"));
		expect(w, t, T0, NULL,
		    "a token checked with the key-pair file");
		free(t);
		free(kp);
		ldn_jwt_verifier_free(w);
	}
	ldn_jwt_verifier_free(v);
}

static void
spec_example(void)
{
	struct ldn_jwt_verifier *v;
	struct ldn_error err;
	size_t len;
	char *tok = slurp("spec-example/token.txt", &len);

	while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r'))
		tok[--len] = '\0';
	ldn_jwt_verifier_new(&v, &err);
	ldn_jwt_add_audience(v, SPEC_AUD, &err);
	ldn_jwt_add_issuer(v, SPEC_ISS, spec_jwks, strlen(spec_jwks), &err);
	expect(v, tok, T0, "exp",
	    "the specification's example token (expired in 2015)");
	/* its signature is good: before its exp it passes (and its jku
	 * header is ignored, the issuer's keys being pinned) */
	expect(v, tok, SPEC_EXP - 10, NULL,
	    "the specification's example token, ten seconds before its exp");
	expect(v, tok, SPEC_EXP - 5, "jti",
	    "the specification's example token, replayed");
	ldn_jwt_verifier_free(v);
	free(tok);
}

static void
claims_refused(void)
{
	struct ldn_jwt_verifier *v = verifier();
	char *t;
	char buf[1024];

	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"https://evil.example/cds-"
	          "services/ldn-start\",\"exp\":1795000300,\"iat\":1795000000,"
	          "\"jti\":\"a1\"}");
	expect(v, t, T0, "aud", "a token for another service");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":[\"https://a.example\","
	          "\"https://b.example\"],\"exp\":1795000300,\"iat\":"
	          "1795000000,\"jti\":\"a2\"}");
	expect(v, t, T0, "aud", "an aud array without this service");
	free(t);
	t = es384(
	    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "/\",\"exp\":1795000300,"
	    "\"iat\":1795000000,\"jti\":\"a3\"}");
	expect(v, t, T0, "aud", "aud with a trailing slash (exact match only)");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":[1],\"exp\":1795000300,"
	          "\"iat\":1795000000,\"jti\":\"a4\"}");
	expect(v, t, T0, "aud", "aud array holding a number");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"exp\":1795000300,\"iat\":1795000000,"
	          "\"jti\":\"a5\"}");
	expect(v, t, T0, "aud", "no aud");
	free(t);
	t = es384(claims("https://evil.example", T0 + 300, "i1"));
	expect(v, t, T0, "iss", "an unknown issuer");
	free(t);
	t = es384(claims(ISS "/", T0 + 300, "i2"));
	expect(v, t, T0, "iss", "the issuer with a trailing slash");
	free(t);
	t = es384("{\"aud\":\"" AUD "\",\"exp\":1795000300,\"iat\":1795000000,"
	          "\"jti\":\"i3\"}");
	expect(v, t, T0, "iss", "no iss");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":1795000000,"
	          "\"jti\":\"e1\"}");
	expect(v, t, T0, "exp", "no exp");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":"
	          "\"1795000300\",\"iat\":1795000000,\"jti\":\"e2\"}");
	expect(v, t, T0, "exp", "exp as a string");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1e300,"
	          "\"iat\":1795000000,\"jti\":\"e3\"}");
	expect(v, t, T0, "exp", "exp out of range (1e300)");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	          "\"iat\":1795000000}");
	expect(v, t, T0, "jti", "no jti");
	free(t);
	t = es384(claims(ISS, T0 + 300, ""));
	expect(v, t, T0, "jti", "an empty jti");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	          "\"iat\":1795000000,\"jti\":42}");
	expect(v, t, T0, "jti", "jti as a number");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	          "\"jti\":\"n1\"}");
	expect(v, t, T0, "iat", "no iat (the spec requires it)");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	          "\"iat\":1795000000,\"jti\":\"n2\",\"nbf\":1795000100}");
	expect(v, t, T0, "nbf", "nbf 100 s in the future");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	          "\"iat\":1795000000,\"jti\":\"n3\",\"sub\":7}");
	expect(v, t, T0, "sub", "sub as a number");
	free(t);
	memset(buf, 'j', 256);
	buf[256] = '\0';
	t = es384(claims(ISS, T0 + 300, buf));
	expect(v, t, T0, "jti", "a jti of 256 bytes");
	free(t);
	t = es384("{\"iss\":\"" ISS "\",\"iss\":\"" ISS "\",\"aud\":\"" AUD
	          "\",\"exp\":1795000300,\"iat\":1795000000,\"jti\":\"d1\"}");
	expect(v, t, T0, "token", "a payload with a duplicate key");
	free(t);
	t = es384("[1,2]");
	expect(v, t, T0, "token", "a payload that is an array");
	free(t);
	ldn_jwt_verifier_free(v);
}

/* Both sides of every time threshold (leeway 60 s). */
static void
times(void)
{
	struct ldn_jwt_verifier *v = verifier();
	char *t;
	char buf[512];

	t = es384(claims(ISS, T0 - 59, "x59"));
	expect(v, t, T0, NULL, "exp 59 s ago (leeway - 1)");
	free(t);
	t = es384(claims(ISS, T0 - 60, "x60"));
	expect(v, t, T0, NULL, "exp 60 s ago (exactly the leeway)");
	free(t);
	t = es384(claims(ISS, T0 - 61, "x61"));
	expect(v, t, T0, "exp", "exp 61 s ago (leeway + 1)");
	free(t);
	snprintf(buf, sizeof(buf),
	    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%d,\"iat\":%d,"
	    "\"jti\":\"f60\"}",
	    T0 + 400, T0 + 60);
	t = es384(buf);
	expect(v, t, T0, NULL, "iat 60 s in the future (within the leeway)");
	free(t);
	snprintf(buf, sizeof(buf),
	    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%d,\"iat\":%d,"
	    "\"jti\":\"f61\"}",
	    T0 + 400, T0 + 61);
	t = es384(buf);
	expect(v, t, T0, "iat", "iat 61 s in the future (leeway + 1)");
	free(t);
	snprintf(buf, sizeof(buf),
	    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%d,\"iat\":%d,"
	    "\"jti\":\"fy\"}",
	    T0 + 400 + 86400 * 365, T0 + 86400 * 365);
	t = es384(buf);
	expect(v, t, T0, "iat", "iat a year in the future");
	free(t);
	/* another leeway: 0 */
	ldn_jwt_set_leeway(v, 0);
	t = es384(claims(ISS, T0 - 1, "z1"));
	expect(v, t, T0, "exp", "leeway 0: exp 1 s ago");
	free(t);
	t = es384(claims(ISS, T0, "z0"));
	expect(v, t, T0, NULL, "leeway 0: exp now");
	free(t);
	ldn_jwt_verifier_free(v);
}

static void
flip_bit(unsigned char *sig, size_t *len)
{
	sig[*len / 2] ^= 0x10;
}

static void
drop_byte(unsigned char *sig, size_t *len)
{
	(void)sig;
	(*len)--;
}

static void
add_byte(unsigned char *sig, size_t *len)
{
	sig[(*len)++] = 0;
}

/* R || S back to DER, as a careless signer would send it. */
static void
to_der(unsigned char *sig, size_t *len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *p = sig;

	ECDSA_SIG_set0(es, BN_bin2bn(sig, 48, NULL),
	    BN_bin2bn(sig + 48, 48, NULL));
	*len = (size_t)i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
}

static void
zero_sig(unsigned char *sig, size_t *len)
{
	memset(sig, 0, *len);
}

/* S replaced by n - S: the other valid-looking ECDSA signature. */
static void
high_s(unsigned char *sig, size_t *len)
{
	static const unsigned char order[48] = { 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7,
		0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d,
		0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc,
		0xc5, 0x29, 0x73 };
	BIGNUM *n = BN_bin2bn(order, 48, NULL);
	BIGNUM *s = BN_bin2bn(sig + 48, 48, NULL);

	(void)len;
	BN_sub(s, n, s);
	BN_bn2binpad(s, sig + 48, 48);
	BN_free(n);
	BN_free(s);
}

static void
signatures(void)
{
	struct ldn_jwt_verifier *v = verifier();
	char *t, *u;
	const char *p;
	char hdr[256];

	/* alg none, with and without a signature */
	t = sign_raw("{\"alg\":\"none\",\"typ\":\"JWT\"}",
	    claims(ISS, T0 + 300, "none1"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "alg", "alg none, with a signature");
	*strrchr(t, '.') = '\0';
	u = malloc(strlen(t) + 2);
	sprintf(u, "%s.", t);
	expect(v, u, T0, "alg", "alg none, empty signature (\"h.p.\")");
	free(u);
	free(t);
	t = sign_raw("{\"alg\":\"None\"}", claims(ISS, T0 + 300, "none2"),
	    "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "alg", "alg None");
	free(t);
	/* the confusion attack: HS384 keyed with the public key */
	snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"HS384\",\"typ\":\"JWT\",\"kid\":\"%s\"}", KID);
	t = sign_raw(hdr, claims(ISS, T0 + 300, "hs1"), "HS384", NULL,
	    pubkey_pem, NULL);
	expect(v, t, T0, "alg", "HS384 keyed with the public key's PEM");
	free(t);
	t = sign_raw(hdr, claims(ISS, T0 + 300, "hs2"), "HS384", NULL,
	    sandbox_jwks, NULL);
	expect(v, t, T0, "alg", "HS384 keyed with the JWKS text");
	free(t);
	for (int i = 0; i < 6; i++) {
		static const char *const algs[] = { "HS256", "ES256", "RS256",
			"PS384", "EdDSA", "es384" };

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"kid\":\"%s\"}",
		    algs[i], KID);
		t = sign_raw(hdr, claims(ISS, T0 + 300, "o"), "ES384", ec_key,
		    NULL, NULL);
		snprintf(hdr, sizeof(hdr), "alg %s", algs[i]);
		expect(v, t, T0, "alg", hdr);
		free(t);
	}
	t = sign_raw("{\"kid\":\"" KID "\"}", claims(ISS, T0 + 300, "o"),
	    "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "alg", "no alg");
	free(t);
	t = sign_raw("{\"alg\":[\"ES384\"],\"kid\":\"" KID "\"}",
	    claims(ISS, T0 + 300, "o"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "alg", "alg as an array");
	free(t);
	/* alg and key type disagree */
	t = sign_raw("{\"alg\":\"RS384\",\"kid\":\"" KID "\"}",
	    claims(ISS, T0 + 300, "m1"), "RS384", rsa_key, NULL, NULL);
	expect(v, t, T0, "alg", "RS384 naming the EC key's kid");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"kid\":\"rsa-1\"}",
	    claims(ISS_RSA, T0 + 300, "m2"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "alg", "ES384 naming the RSA key's kid");
	free(t);
	/* bad signatures */
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s1"), "ES384", ec_key, NULL,
	    flip_bit);
	expect(v, t, T0, "signature", "ES384 with one signature bit flipped");
	free(t);
	t = sign_raw(HDR_RS, claims(ISS_RSA, T0 + 300, "s2"), "RS384", rsa_key,
	    NULL, flip_bit);
	expect(v, t, T0, "signature", "RS384 with one signature bit flipped");
	free(t);
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s3"), "ES384", ec_key, NULL,
	    drop_byte);
	expect(v, t, T0, "signature", "ES384 signature of 95 bytes");
	free(t);
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s4"), "ES384", ec_key, NULL,
	    add_byte);
	expect(v, t, T0, "signature", "ES384 signature of 97 bytes");
	free(t);
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s5"), "ES384", ec_key, NULL,
	    to_der);
	expect(v, t, T0, "signature", "ES384 signature in DER, not R || S");
	free(t);
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s6"), "ES384", ec_key, NULL,
	    zero_sig);
	expect(v, t, T0, "signature", "ES384 signature of zeros");
	free(t);
	t = sign_raw(HDR_RS, claims(ISS_RSA, T0 + 300, "s7"), "RS384", rsa_key,
	    NULL, drop_byte);
	expect(v, t, T0, "signature", "RS384 signature of 255 bytes");
	free(t);
	t = sign_raw(HDR_RS, claims(ISS_RSA, T0 + 300, "s8"), "RS384", rsa_key,
	    NULL, add_byte);
	expect(v, t, T0, "signature", "RS384 signature of 257 bytes");
	free(t);
	/* the other S is a valid ECDSA signature; JWS does not forbid it,
	 * and its jti is what stops a replay */
	t = sign_raw(HDR_ES, claims(ISS, T0 + 300, "s9"), "ES384", ec_key, NULL,
	    high_s);
	expect(v, t, T0, NULL, "ES384 with S replaced by n - S (malleable)");
	free(t);
	/* the payload of one token under the signature of another */
	t = es384(claims(ISS, T0 + 300, "swap1"));
	u = es384(claims(ISS, T0 + 300, "swap2"));
	p = strrchr(u, '.');
	memcpy(strrchr(t, '.'), p, strlen(p) + 1);
	expect(v, t, T0, "signature", "a payload under another's signature");
	free(t);
	free(u);
	/* kid */
	t = sign_raw("{\"alg\":\"ES384\",\"kid\":\"nope\"}",
	    claims(ISS, T0 + 300, "k1"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "kid", "an unknown kid");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\"}", claims(ISS, T0 + 300, "k2"),
	    "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, NULL, "no kid, the issuer having one key");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"kid\":7}",
	    claims(ISS, T0 + 300, "k3"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "kid", "kid as a number");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"typ\":\"JWS\",\"kid\":\"" KID "\"}",
	    claims(ISS, T0 + 300, "k4"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "typ", "typ JWS");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"typ\":\"jwt\",\"kid\":\"" KID "\"}",
	    claims(ISS, T0 + 300, "k5"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, NULL, "typ jwt (media types ignore case)");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"crit\":[\"exp\"],\"exp\":1,\"kid\":"
	             "\"" KID "\"}",
	    claims(ISS, T0 + 300, "k6"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "crit", "a crit header");
	free(t);
	ldn_jwt_verifier_free(v);

	/* an issuer with two keys: the kid is required */
	{
		struct ldn_jwt_verifier *w;
		struct ldn_error err = { 0 };
		size_t len = strlen(sandbox_jwks) + strlen(rsa_jwks) + 16;
		char *two = malloc(len);
		const char *ek = strchr(sandbox_jwks, '[') + 1;
		const char *rk = strchr(rsa_jwks, '[') + 1;
		int el = (int)(strrchr(ek, ']') - ek);

		snprintf(two, len, "{\"keys\":[%.*s,%s", el, ek, rk);
		ldn_jwt_verifier_new(&w, &err);
		ldn_jwt_add_audience(w, AUD, &err);
		ok(ldn_jwt_add_issuer(w, ISS, two, strlen(two), &err) == LDN_OK,
		    "an issuer with an EC and an RSA key (%s: %s)", err.where,
		    err.msg);
		t = sign_raw("{\"alg\":\"ES384\"}", claims(ISS, T0 + 300, "2k"),
		    "ES384", ec_key, NULL, NULL);
		expect(w, t, T0, "kid", "no kid, the issuer having two keys");
		free(t);
		t = es384(claims(ISS, T0 + 300, "2k1"));
		expect(w, t, T0, NULL,
		    "the EC kid, the issuer having two keys");
		free(t);
		t = sign_raw(HDR_RS, claims(ISS, T0 + 300, "2k2"), "RS384",
		    rsa_key, NULL, NULL);
		expect(w, t, T0, NULL,
		    "the RSA kid, the issuer having two keys");
		free(t);
		free(two);
		ldn_jwt_verifier_free(w);
	}
}

static void
shapes(void)
{
	struct ldn_jwt_verifier *v = verifier();
	char *good = es384(claims(ISS, T0 + 300, "shape"));
	size_t n = strlen(good);
	char *t = malloc(n + 32);
	char *d1 = strchr(good, '.'), *d2 = strrchr(good, '.');

	/* truncated */
	snprintf(t, n + 32, "%.*s", (int)(n - 12), good);
	expect(v, t, T0, "signature",
	    "twelve characters cut off the end (87 bytes of signature)");
	snprintf(t, n + 32, "%.*s", (int)(n - 11), good);
	expect(v, t, T0, "token",
	    "eleven characters cut off the end (no base64url length)");
	snprintf(t, n + 32, "%.*s", (int)(d2 - good), good);
	expect(v, t, T0, "token", "cut before the signature (one dot)");
	snprintf(t, n + 32, "%.*s", (int)(d2 - good + 1) / 2, good);
	expect(v, t, T0, "token", "cut in half");
	expect(v, "", T0, "token", "an empty token");
	expect(v, "..", T0, "token", "two dots");
	/* extra dots */
	snprintf(t, n + 32, "%s.", good);
	expect(v, t, T0, "token", "a dot at the end");
	snprintf(t, n + 32, "%s.e30", good);
	expect(v, t, T0, "token", "four parts");
	snprintf(t, n + 32, "%.*s.%s", (int)(d1 - good), good, d1);
	expect(v, t, T0, "token", "a doubled dot");
	snprintf(t, n + 32, ".%s", good);
	expect(v, t, T0, "token", "a dot at the start");
	/* padding and other characters */
	snprintf(t, n + 32, "%s=", good);
	expect(v, t, T0, "token", "'=' after the signature");
	snprintf(t, n + 32, "%s==", good);
	expect(v, t, T0, "token", "'==' after the signature");
	snprintf(t, n + 32, "%.*s=%s", (int)(d1 - good), good, d1);
	expect(v, t, T0, "token", "'=' after the header");
	snprintf(t, n + 32, "%s\n", good);
	expect(v, t, T0, "token", "a newline at the end");
	snprintf(t, n + 32, " %s", good);
	expect(v, t, T0, "token", "a space at the start");
	/* the signature's first character as standard base64 would have
	 * it (a token need not hold a '-' or '_' to swap: the signature is
	 * random, and 1 run in 60 had none) */
	for (int k = 0; k < 2; k++) {
		char *dot;

		memcpy(t, good, n + 1);
		if ((dot = strrchr(t, '.')) != NULL)
			dot[1] = k ? '/' : '+';
		expect(v, t, T0, "token",
		    k ? "standard base64 '/'" : "standard base64 '+'");
	}
	/* a non-canonical last character: the same bytes spelt otherwise.
	 * 96 bytes of signature leave no spare bits: pad the header with
	 * spaces until its encoding has some, then set one. */
	for (int sp = 0; sp < 3; sp++) {
		char hdr[128], *u, *e;

		snprintf(hdr, sizeof(hdr), "%s%.*s", HDR_ES, sp, "  ");
		u = sign_raw(hdr, claims(ISS, T0 + 300, "spare"), "ES384",
		    ec_key, NULL, NULL);
		e = strchr(u, '.');
		if ((e - u) % 4 == 0) {
			free(u);
			continue;
		}
		/* the last character's value is even (spare bits zero):
		 * the next character up sets the lowest spare bit */
		e[-1] = e[-1] == 'Z' ? 'a'
		    : e[-1] == 'z'   ? '0'
		                     : (char)(e[-1] + 1);
		expect(v, u, T0, "token",
		    "a header whose last character has a spare bit set");
		free(u);
		break;
	}
	/* a NUL inside */
	{
		struct ldn_error err;

		snprintf(t, n + 32, "%s", good);
		t[5] = '\0';
		ok(ldn_jwt_verify(v, t, n, T0, NULL, &err) == LDN_E_SCHEMA &&
		        strcmp(err.where, "token") == 0,
		    "a NUL byte inside the token: refused at token (%s)",
		    err.where);
	}
	/* header not JSON */
	snprintf(t, n + 32, "bm90IGpzb24%s", d1);
	expect(v, t, T0, "token", "a header that is not JSON");
	expect(v, good, T0, NULL, "the good token, after all that");
	free(t);
	free(good);

	/* size */
	{
		char big[10000];
		size_t len;

		len = (size_t)snprintf(big, sizeof(big),
		    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%d,"
		    "\"iat\":%d,\"jti\":\"big\",\"pad\":\"",
		    T0 + 300, T0);
		memset(big + len, 'x', 6000);
		strcpy(big + len + 6000, "\"}");
		t = es384(big);
		ok(strlen(t) > 8192, "a token of %zu bytes", strlen(t));
		expect(v, t, T0, "token", "a token over the 8 KiB limit");
		ldn_jwt_set_max_token(v, 16384);
		expect(v, t, T0, NULL, "the same under a 16 KiB limit");
		free(t);
		ldn_jwt_set_max_token(v, 300);
		t = es384(claims(ISS, T0 + 300, "small"));
		expect(v, t, T0, "token",
		    "a normal token over a 300-byte limit");
		free(t);
	}
	ldn_jwt_verifier_free(v);
}

static void
replays(void)
{
	struct ldn_jwt_verifier *v = verifier();
	struct ldn_error err;
	char *a = es384(claims(ISS, T0 + 100, "r1"));
	char *b = es384(claims(ISS, T0 + 1000, "r1"));
	char *c = rs384(claims(ISS_RSA, T0 + 100, "r1"));

	expect(v, a, T0, NULL, "jti r1, first use");
	expect(v, a, T0 + 1, "jti", "the same token again");
	expect(v, b, T0 + 50, "jti",
	    "another token with jti r1 while the first is live");
	expect(v, c, T0 + 50, NULL, "jti r1 from another issuer");
	expect(v, b, T0 + 160, "jti",
	    "jti r1 at the first's exp + leeway (still live)");
	expect(v, b, T0 + 161, NULL,
	    "jti r1 once the first is dead (exp + leeway + 1)");
	expect(v, b, T0 + 162, "jti", "and that one is now remembered");
	free(a);
	free(b);
	free(c);
	ldn_jwt_verifier_free(v);

	/* a cache of two: full of live tokens it refuses; expired ones are
	 * evicted to make room, live ones never */
	v = verifier();
	ok(ldn_jwt_set_replay_capacity(v, 2, &err) == LDN_OK,
	    "replay capacity 2");
	a = es384(claims(ISS, T0 + 10, "c1"));
	b = es384(claims(ISS, T0 + 500, "c2"));
	c = es384(claims(ISS, T0 + 500, "c3"));
	expect(v, a, T0, NULL, "c1 (exp in 10 s)");
	expect(v, b, T0, NULL, "c2 (exp in 500 s)");
	expect(v, c, T0, "jti", "c3 while the cache holds two live tokens");
	expect(v, c, T0 + 70, "jti", "c3 at c1's exp + leeway (c1 live)");
	expect(v, c, T0 + 71, NULL, "c3 once c1 is dead (c1 evicted)");
	expect(v, b, T0 + 71, "jti", "c2 replayed: live, not evicted");
	free(a);
	a = es384(claims(ISS, T0 + 600, "c1"));
	expect(v, a, T0 + 72, "jti",
	    "c1 reused while c2 and c3 fill the cache");
	expect(v, a, T0 + 561, NULL, "c1 reused once c2 and c3 are dead");
	ok(ldn_jwt_set_replay_capacity(v, 0, &err) == LDN_E_SCHEMA,
	    "a capacity of 0 is refused");
	free(a);
	free(b);
	free(c);
	ldn_jwt_verifier_free(v);

	/* many distinct tokens through a small cache, time moving on */
	v = verifier();
	ldn_jwt_set_replay_capacity(v, 64, &err);
	{
		int accepted = 0, replay_refused = 0;

		for (int i = 0; i < 400; i++) {
			char jti[32];
			long long now = T0 + i * 10;
			char *t;

			snprintf(jti, sizeof(jti), "m%d", i);
			t = es384(claims(ISS, now + 30, jti));
			accepted += ldn_jwt_verify(v, t, strlen(t), (time_t)now,
			                NULL, &err) == LDN_OK;
			replay_refused +=
			    ldn_jwt_verify(v, t, strlen(t), (time_t)now + 5,
			        NULL, &err) == LDN_E_SCHEMA &&
			    strcmp(err.where, "jti") == 0;
			free(t);
		}
		ok(accepted == 400 && replay_refused == 400,
		    "400 tokens through a cache of 64: all accepted once "
		    "(%d), all replays refused (%d)",
		    accepted, replay_refused);
	}
	ldn_jwt_verifier_free(v);
}

struct race {
	struct ldn_jwt_verifier *v;
	char **tokens;
	int n, accepted;
};

static void *
racer(void *arg)
{
	struct race *r = arg;
	struct ldn_error err;

	r->accepted = 0;
	for (int i = 0; i < r->n; i++)
		r->accepted +=
		    ldn_jwt_verify(r->v, r->tokens[i], strlen(r->tokens[i]), T0,
		        NULL, &err) == LDN_OK;
	return NULL;
}

static void
threads(void)
{
	enum {
		NT = 8,
		NTOK = 40
	};
	struct ldn_jwt_verifier *v = verifier();
	char *tokens[NTOK];
	struct race r[NT];
	pthread_t th[NT];
	int total = 0;

	for (int i = 0; i < NTOK; i++) {
		char jti[16];

		snprintf(jti, sizeof(jti), "t%d", i);
		tokens[i] = i % 4 ? es384(claims(ISS, T0 + 300, jti))
		                  : rs384(claims(ISS_RSA, T0 + 300, jti));
	}
	for (int i = 0; i < NT; i++) {
		r[i] = (struct race){ v, tokens, NTOK, 0 };
		pthread_create(&th[i], NULL, racer, &r[i]);
	}
	for (int i = 0; i < NT; i++) {
		pthread_join(th[i], NULL);
		total += r[i].accepted;
	}
	ok(total == NTOK,
	    "%d threads verifying the same %d tokens at once: each token "
	    "accepted exactly once (%d acceptances)",
	    NT, NTOK, total);
	for (int i = 0; i < NTOK; i++)
		free(tokens[i]);
	ldn_jwt_verifier_free(v);
}

/* Every byte of a good token changed to each of a few others: never
 * accepted; then the token itself is. */
static void
mutations(void)
{
	struct ldn_jwt_verifier *v = verifier();
	char *good = es384(claims(ISS, T0 + 300, "mut"));
	size_t n = strlen(good);
	char *t = malloc(n + 1);
	static const char subst[] = "A_-.=0z\001";
	int accepted = 0, unnamed = 0, tried = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(subst) - 1; k++) {
			struct ldn_error err = { 0 };

			if (good[i] == subst[k])
				continue;
			memcpy(t, good, n + 1);
			t[i] = subst[k];
			tried++;
			if (ldn_jwt_verify(v, t, n, T0, NULL, &err) == LDN_OK)
				accepted++;
			else if (err.where[0] == '\0' || err.msg[0] == '\0')
				unnamed++;
		}
	ok(accepted == 0 && unnamed == 0,
	    "%d one-byte changes of a good token: none accepted (%d), "
	    "every refusal named (%d unnamed)",
	    tried, accepted, unnamed);
	expect(v, good, T0, NULL, "the unchanged token");
	/* random bytes */
	{
		unsigned long long x = 88172645463325252ull;
		char buf[300];
		int bad = 0;

		for (int i = 0; i < 5000; i++) {
			struct ldn_error err = { 0 };
			size_t len = 1 + i % 299;

			for (size_t j = 0; j < len; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[j] = (char)(i % 2 ? "ey.J0-_aZ"[x % 9]
				                      : (char)(x & 0xff));
			}
			if (ldn_jwt_verify(v, buf, len, T0, NULL, &err) ==
			        LDN_OK ||
			    err.where[0] == '\0')
				bad++;
		}
		ok(bad == 0, "5,000 random strings: all refused, with a place");
	}
	free(t);
	free(good);
	ldn_jwt_verifier_free(v);
}

struct hook {
	int calls;
	char last_url[256];
	enum ldn_status answer;
};

static enum ldn_status
hook(void *ctx, const char *iss, const char *url, char **jwks, size_t *len,
    struct ldn_error *err)
{
	struct hook *h = ctx;

	(void)iss;
	h->calls++;
	snprintf(h->last_url, sizeof(h->last_url), "%s", url);
	if (h->answer != LDN_OK) {
		snprintf(err->msg, sizeof(err->msg), "connection refused");
		return h->answer;
	}
	*jwks = strdup(sandbox_jwks);
	*len = strlen(*jwks);
	return LDN_OK;
}

static void
jku(void)
{
	struct ldn_jwt_verifier *v;
	struct ldn_error err;
	struct hook h = { 0 };
	const char *good_jku =
	    "https://sandbox.cds-hooks.org/.well-known/jwks.json";
	char hdr[512], *t;

	ldn_jwt_verifier_new(&v, &err);
	ldn_jwt_add_audience(v, AUD, &err);
	ok(ldn_jwt_add_issuer(v, ISS, NULL, 0, &err) == LDN_OK &&
	        ldn_jwt_allow_jku(v, ISS, good_jku, &err) == LDN_OK,
	    "an issuer with an allowed jku and no pinned keys");
	snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":\"" KID
	    "\",\"jku\":\"%s\"}",
	    good_jku);
	t = sign_raw(hdr, claims(ISS, T0 + 300, "j1"), "ES384", ec_key, NULL,
	    NULL);
	expect(v, t, T0, "kid", "an allowed jku with no keys and no hook");
	ldn_jwt_set_jku_fetch(v, hook, &h);
	h.answer = LDN_E_IO;
	{
		struct ldn_error e2 = { 0 };
		enum ldn_status rc =
		    ldn_jwt_verify(v, t, strlen(t), T0, NULL, &e2);

		ok(rc == LDN_E_IO && strcmp(e2.where, "jku") == 0 &&
		        strstr(e2.msg, "connection refused") && h.calls == 1,
		    "the hook failing: its status, at jku (%s at %s: %s)",
		    ldn_status_name(rc), e2.where, e2.msg);
	}
	h.answer = LDN_OK;
	expect(v, t, T0, NULL, "the hook gives the jku's keys");
	ok(h.calls == 2 && strcmp(h.last_url, good_jku) == 0,
	    "the hook was asked for the allowed jku (%d calls)", h.calls);
	free(t);
	t = sign_raw(hdr, claims(ISS, T0 + 300, "j2"), "ES384", ec_key, NULL,
	    NULL);
	expect(v, t, T0, NULL, "the next token: keys already registered");
	ok(h.calls == 2, "without asking the hook again");
	free(t);
	snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"ES384\",\"kid\":\"" KID
	    "\",\"jku\":\"https://evil.example/jwks.json\"}");
	t = sign_raw(hdr, claims(ISS, T0 + 300, "j3"), "ES384", ec_key, NULL,
	    NULL);
	expect(v, t, T0, "jku", "a jku not allowed");
	ok(h.calls == 2, "a jku not allowed never reaches the hook");
	free(t);
	t = es384(claims(ISS, T0 + 300, "j4"));
	expect(v, t, T0, NULL, "no jku header: the issuer's registered keys");
	free(t);
	t = sign_raw("{\"alg\":\"ES384\",\"kid\":\"rotated\"}",
	    claims(ISS, T0 + 300, "j5"), "ES384", ec_key, NULL, NULL);
	expect(v, t, T0, "kid", "an unknown kid, after asking the hook again");
	ok(h.calls == 3, "(the hook was asked: %d calls)", h.calls);
	free(t);
	/* registering keys by hand replaces them */
	ok(ldn_jwt_set_jku_keys(v, ISS, good_jku, rsa_jwks, strlen(rsa_jwks),
	       &err) == LDN_OK,
	    "the jku's keys replaced by the caller");
	ldn_jwt_set_jku_fetch(v, NULL, NULL);
	snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"RS384\",\"kid\":\"rsa-1\",\"jku\":\"%s\"}", good_jku);
	t = sign_raw(hdr, claims(ISS, T0 + 300, "j6"), "RS384", rsa_key, NULL,
	    NULL);
	expect(v, t, T0, NULL, "a token under the replacing keys");
	free(t);
	ok(ldn_jwt_set_jku_keys(v, "https://nobody.example", good_jku, rsa_jwks,
	       strlen(rsa_jwks), &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "iss") == 0,
	    "keys for an issuer never added: refused");
	ldn_jwt_verifier_free(v);

	/* pinned keys only: a jku header is ignored */
	v = verifier();
	snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"ES384\",\"kid\":\"" KID
	    "\",\"jku\":\"https://evil.example/jwks.json\"}");
	t = sign_raw(hdr, claims(ISS, T0 + 300, "p1"), "ES384", ec_key, NULL,
	    NULL);
	expect(v, t, T0, NULL, "pinned keys: a jku header is ignored");
	free(t);
	ldn_jwt_verifier_free(v);
}

static void
config(void)
{
	struct ldn_jwt_verifier *v;
	struct ldn_error err;
	const char *oct;
	char *bad;
	EVP_PKEY *small;

	ldn_jwt_verifier_new(&v, &err);
	ok(ldn_jwt_add_issuer(v, ISS, "{\"keys\":", 8, &err) == LDN_E_PARSE,
	    "a JWK Set that is not JSON: parse error (%s)", err.msg);
	ok(ldn_jwt_add_issuer(v, ISS, "{\"keys\":{}}", 11, &err) ==
	            LDN_E_SCHEMA &&
	        strcmp(err.where, "/keys") == 0,
	    "keys not an array: refused at /keys");
	oct = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
	ok(ldn_jwt_add_issuer(v, ISS, oct, strlen(oct), &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "/keys") == 0,
	    "a JWK Set with only a symmetric key: no usable key (%s)", err.msg);
	/* JWKS_MAX_KEYS (64) keys are read, 65 refused: the sandbox's key
	 * n times over, in a verifier of its own */
	for (int n = 64; n <= 65; n++) {
		const char *key = strchr(sandbox_jwks, '[') + 1;
		int klen = (int)(strrchr(sandbox_jwks, ']') - key);
		char *set = malloc(16 + (size_t)n * ((size_t)klen + 1));
		struct ldn_jwt_verifier *w;
		enum ldn_status rc;
		size_t len;

		if (set == NULL)
			abort();
		len = (size_t)sprintf(set, "{\"keys\":[");
		for (int i = 0; i < n; i++)
			len += (size_t)sprintf(set + len, "%s%.*s",
			    i ? "," : "", klen, key);
		len += (size_t)sprintf(set + len, "]}");
		ldn_jwt_verifier_new(&w, &err);
		rc = ldn_jwt_add_issuer(w, ISS, set, len, &err);
		if (n == 64)
			ok(rc == LDN_OK, "a JWK Set of 64 keys: read");
		else
			ok(rc == LDN_E_SCHEMA &&
			        strcmp(err.where, "/keys") == 0,
			    "a JWK Set of 65 keys: refused at /keys (%s)",
			    err.msg);
		ldn_jwt_verifier_free(w);
		free(set);
	}
	bad = strdup(sandbox_jwks);
	*strstr(bad, "Sm3mLE") = 'T'; /* y no longer on the curve */
	ok(ldn_jwt_add_issuer(v, ISS, bad, strlen(bad), &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "/keys/0") == 0,
	    "a point off the P-384 curve: refused at /keys/0 (%s)", err.msg);
	free(bad);
	bad = strdup(sandbox_jwks);
	memcpy(strstr(bad, "dw_JGR"), "dw/J", 4);
	ok(ldn_jwt_add_issuer(v, ISS, bad, strlen(bad), &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "/keys/0/x") == 0,
	    "x in standard base64: refused at /keys/0/x (%s)", err.msg);
	free(bad);
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	bad = rsa_jwks_of(small, "weak");
	ok(ldn_jwt_add_issuer(v, ISS, bad, strlen(bad), &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "/keys") == 0,
	    "only a 1024-bit RSA key: no usable key");
	free(bad);
	EVP_PKEY_free(small);
	ok(ldn_jwt_add_issuer(v, ISS, sandbox_jwks, sandbox_jwks_len, &err) ==
	            LDN_OK &&
	        ldn_jwt_add_issuer(v, ISS, sandbox_jwks, sandbox_jwks_len,
	            &err) == LDN_E_SCHEMA,
	    "an issuer is added once");
	ok(ldn_jwt_allow_jku(v, "https://nobody.example", "https://x", &err) ==
	        LDN_E_SCHEMA,
	    "a jku for an issuer never added: refused");
	/* no audience configured: nothing passes */
	{
		char *t = es384(claims(ISS, T0 + 300, "noaud"));

		expect(v, t, T0, "aud", "a verifier with no audience");
		free(t);
	}
	ldn_jwt_verifier_free(v);
	ldn_jwt_verifier_free(NULL);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		printf("Bail out! usage: jwt SOURCE_ROOT\n");
		return 1;
	}
	root = argv[1];
	setup();
	good_tokens();
	spec_example();
	claims_refused();
	times();
	signatures();
	shapes();
	replays();
	threads();
	mutations();
	jku();
	config();
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(rsa_key);
	free(sandbox_jwks);
	free(spec_jwks);
	free(rsa_jwks);
	free(pubkey_pem);
	return tap_done();
}
