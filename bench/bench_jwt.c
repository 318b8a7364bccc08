/*
 * CDS Hooks bearer tokens verified per second, in process, on one core.
 *
 *   bench_jwt SOURCE_ROOT [SECONDS [es384|rs384]]
 *
 * Signs 512 tokens with distinct jti for each algorithm (ES384 with the
 * sandbox's test key in tests/data/cds-hooks/keys, RS384 with a 2048-bit
 * RSA key made here), then for SECONDS (default 3) each:
 *   evp-es384   OpenSSL alone: EVP_DigestVerify of one ES384 signature
 *               (DER) over a token's signing input, key already loaded
 *   jwt-es384   ldn_jwt_verify on the tokens in turn: base64url, JSON,
 *               key lookup, R||S to DER, the signature, the claims and
 *               the replay cache (a fresh verifier every 512 tokens, so
 *               that no jti repeats; making it is not timed, as a
 *               server makes one at start)
 *   evp-rs384, jwt-rs384   the same for RS384
 * Each line gives operations per second, microseconds per operation and,
 * for ldn_jwt_verify, the ratio to OpenSSL alone.
 *
 *   bench_jwt SOURCE_ROOT mint N AUD
 *
 * prints N ES384 tokens for AUD (sandbox issuer and key, an hour to live,
 * distinct jti), one a line, for loading the server's CDS services.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ldn/jwt.h"

#include "bench.h"

#define ISS     "https://sandbox.cds-hooks.org"
#define ISS_RSA "https://ehr.example.org/rsa"
#define AUD     "https://ldn.example.org/cds-services/ldn-start"
#define KID     "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"
#define T0      1795000000
enum {
	NTOK = 512
};

static char *
b64url(const unsigned char *d, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                         "abcdefghijklmnopqrstuvwxyz0123456789-_";
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

/* header.payload signed with key; *der gets the DER signature. */
static char *
sign(const char *header, const char *payload, EVP_PKEY *key, bool ec,
    unsigned char *der, size_t *der_len)
{
	char *h = b64url((const unsigned char *)header, strlen(header));
	char *p = b64url((const unsigned char *)payload, strlen(payload));
	size_t in_len = strlen(h) + 1 + strlen(p), sl = 512;
	char *in = malloc(in_len + 1), *s, *out;
	unsigned char sig[512];
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	snprintf(in, in_len + 1, "%s.%s", h, p);
	if (EVP_DigestSignInit_ex(md, NULL, "SHA384", NULL, NULL, key, NULL) !=
	        1 ||
	    EVP_DigestSign(md, sig, &sl, (unsigned char *)in, in_len) != 1)
		abort();
	EVP_MD_CTX_free(md);
	memcpy(der, sig, sl);
	*der_len = sl;
	if (ec) {
		const unsigned char *q = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)sl);

		BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 48);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 48, 48);
		ECDSA_SIG_free(es);
		sl = 96;
	}
	s = b64url(sig, sl);
	out = malloc(in_len + 2 + strlen(s));
	sprintf(out, "%s.%s", in, s);
	free(h);
	free(p);
	free(s);
	free(in);
	return out;
}

static char *tok_es[NTOK], *tok_rs[NTOK], *tok_warm;
static char *jwks_es, *jwks_rs;
static EVP_PKEY *key_es, *key_rs;
static unsigned char der_es[512], der_rs[512];
static size_t der_es_len, der_rs_len;
static struct ldn_jwt_verifier *v;
static int next;
static double setup_time; /* spent making verifiers: not timed */

static void
fresh_verifier(void)
{
	struct ldn_error err;
	double t0 = bench_now();

	ldn_jwt_verifier_free(v);
	if (ldn_jwt_verifier_new(&v, &err) != LDN_OK ||
	    ldn_jwt_add_audience(v, AUD, &err) != LDN_OK ||
	    ldn_jwt_add_issuer(v, ISS, jwks_es, strlen(jwks_es), &err) !=
	        LDN_OK ||
	    ldn_jwt_add_issuer(v, ISS_RSA, jwks_rs, strlen(jwks_rs), &err) !=
	        LDN_OK) {
		fprintf(stderr, "bench_jwt: %s: %s\n", err.where, err.msg);
		exit(70);
	}
	/* one token, so that the replay cache is allocated here and not
	 * in the timed loop: a server does that once */
	if (tok_warm &&
	    ldn_jwt_verify(v, tok_warm, strlen(tok_warm), T0, NULL, &err) !=
	        LDN_OK)
		exit(70);
	next = 0;
	setup_time += bench_now() - t0;
}

static int
op_jwt(char **tokens)
{
	struct ldn_error err;
	struct ldn_jwt_claims c;
	const char *t;

	if (next == NTOK)
		fresh_verifier();
	t = tokens[next++];
	if (ldn_jwt_verify(v, t, strlen(t), T0, &c, &err) != LDN_OK) {
		fprintf(stderr, "bench_jwt: %s: %s\n", err.where, err.msg);
		return -1;
	}
	return 0;
}

static int
op_jwt_es(void)
{
	return op_jwt(tok_es);
}

static int
op_jwt_rs(void)
{
	return op_jwt(tok_rs);
}

static int
op_evp(EVP_PKEY *key, const char *tok, const unsigned char *der, size_t dl)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = EVP_DigestVerifyInit_ex(md, NULL, "SHA384", NULL, NULL, key,
	             NULL) == 1 &&
	        EVP_DigestVerify(md, der, dl, (const unsigned char *)tok,
	            (size_t)(strrchr(tok, '.') - tok)) == 1
	    ? 0
	    : -1;

	EVP_MD_CTX_free(md);
	return rc;
}

static int
op_evp_es(void)
{
	return op_evp(key_es, tok_es[0], der_es, der_es_len);
}

static int
op_evp_rs(void)
{
	return op_evp(key_rs, tok_rs[0], der_rs, der_rs_len);
}

static double
rate(const char *name, int (*op)(void), double secs, double base)
{
	double t0, t, r;
	long n = 0;

	for (int i = 0; i < 100; i++) /* warm up */
		if (op() != 0) {
			fprintf(stderr, "bench_jwt: %s failed\n", name);
			exit(1);
		}
	setup_time = 0;
	t0 = bench_now();
	do {
		for (int i = 0; i < 64; i++)
			if (op() != 0)
				exit(1);
		n += 64;
		t = bench_now() - t0 - setup_time;
	} while (t < secs);
	r = n / t;
	printf("%-10s %9.0f ops/s %9.2f us/op", name, r, 1e6 / r);
	if (base > 0)
		printf("   %5.3fx OpenSSL alone", r / base);
	printf("\n");
	return r;
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

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 1 << 16);

	if (f == NULL || s == NULL) {
		perror(path);
		exit(66);
	}
	if (fread(s, 1, (1 << 16) - 1, f) == 0)
		exit(66);
	fclose(f);
	return s;
}

int
main(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 3, base;
	const char *only = argc > 3 ? argv[3] : NULL; /* one, for perf */
	char path[4096], payload[512];
	char *n, *e, *pem;
	size_t n_warm;
	unsigned char scratch[512];
	BIO *b;

	if (argc < 2) {
		fprintf(stderr,
		    "usage: bench_jwt SOURCE_ROOT [SECONDS [es384|rs384]]\n"
		    "       bench_jwt SOURCE_ROOT mint N AUD\n");
		return 64;
	}
	if (argc == 5 && strcmp(argv[2], "mint") == 0) {
		long count = atol(argv[3]);
		long t = (long)time(NULL);

		snprintf(path, sizeof(path),
		    "%s/tests/data/cds-hooks/keys/ecprivkey.pem", argv[1]);
		pem = slurp(path);
		b = BIO_new_mem_buf(pem, -1);
		key_es = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
		free(pem);
		if (key_es == NULL || strlen(argv[4]) > 300)
			return 70;
		for (long i = 0; i < count; i++) {
			snprintf(payload, sizeof(payload),
			    "{\"iss\":\"%s\",\"aud\":\"%s\",\"exp\":%ld,"
			    "\"iat\":%ld,\"jti\":\"mint-%ld-%ld\"}",
			    ISS, argv[4], t + 3600, t, t, i);
			char *tok = sign("{\"alg\":\"ES384\",\"typ\":\"JWT\","
			                 "\"kid\":\"" KID "\"}",
			    payload, key_es, true, scratch, &n_warm);

			puts(tok);
			free(tok);
		}
		EVP_PKEY_free(key_es);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/tests/data/cds-hooks/keys/jwks.json",
	    argv[1]);
	jwks_es = slurp(path);
	snprintf(path, sizeof(path),
	    "%s/tests/data/cds-hooks/keys/ecprivkey.pem", argv[1]);
	pem = slurp(path);
	b = BIO_new_mem_buf(pem, -1);
	key_es = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	key_rs = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (key_es == NULL || key_rs == NULL)
		return 70;
	n = bn_b64(key_rs, "n");
	e = bn_b64(key_rs, "e");
	jwks_rs = malloc(strlen(n) + strlen(e) + 128);
	sprintf(jwks_rs,
	    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":\"%s\","
	    "\"e\":\"%s\"}]}",
	    n, e);
	free(n);
	free(e);
	for (int i = 0; i < NTOK; i++) {
		snprintf(payload, sizeof(payload),
		    "{\"iss\":\"%s\",\"sub\":\"bench\",\"aud\":\"" AUD
		    "\",\"exp\":%d,\"iat\":%d,\"jti\":\"bench-%08d\"}",
		    ISS, T0 + 300, T0, i);
		tok_es[i] = sign("{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":"
		                 "\"" KID "\"}",
		    payload, key_es, true, der_es, &der_es_len);
		snprintf(payload, sizeof(payload),
		    "{\"iss\":\"%s\",\"sub\":\"bench\",\"aud\":\"" AUD
		    "\",\"exp\":%d,\"iat\":%d,\"jti\":\"bench-%08d\"}",
		    ISS_RSA, T0 + 300, T0, i);
		tok_rs[i] = sign("{\"alg\":\"RS384\",\"typ\":\"JWT\",\"kid\":"
		                 "\"rsa-1\"}",
		    payload, key_rs, false, der_rs, &der_rs_len);
	}
	/* op_evp verifies token 0's signing input with the last DER
	 * signature made: re-sign token 0 to match */
	free(tok_es[0]);
	free(tok_rs[0]);
	snprintf(payload, sizeof(payload),
	    "{\"iss\":\"%s\",\"sub\":\"bench\",\"aud\":\"" AUD
	    "\",\"exp\":%d,\"iat\":%d,\"jti\":\"bench-%08d\"}",
	    ISS, T0 + 300, T0, 0);
	tok_es[0] =
	    sign("{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":\"" KID "\"}",
	        payload, key_es, true, der_es, &der_es_len);
	snprintf(payload, sizeof(payload),
	    "{\"iss\":\"%s\",\"sub\":\"bench\",\"aud\":\"" AUD
	    "\",\"exp\":%d,\"iat\":%d,\"jti\":\"bench-%08d\"}",
	    ISS_RSA, T0 + 300, T0, 0);
	tok_rs[0] = sign("{\"alg\":\"RS384\",\"typ\":\"JWT\",\"kid\":"
	                 "\"rsa-1\"}",
	    payload, key_rs, false, der_rs, &der_rs_len);
	tok_warm = sign("{\"alg\":\"ES384\",\"kid\":\"" KID "\"}",
	    "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,"
	    "\"iat\":1795000000,\"jti\":\"warm\"}",
	    key_es, true, scratch, &n_warm);
	printf("tokens: ES384 %zu bytes, RS384 %zu bytes (2048-bit key)\n",
	    strlen(tok_es[0]), strlen(tok_rs[0]));
	if (only == NULL || strcmp(only, "es384") == 0) {
		fresh_verifier();
		base = rate("evp-es384", op_evp_es, secs, 0);
		rate("jwt-es384", op_jwt_es, secs, base);
	}
	if (only == NULL || strcmp(only, "rs384") == 0) {
		fresh_verifier();
		base = rate("evp-rs384", op_evp_rs, secs, 0);
		rate("jwt-rs384", op_jwt_rs, secs, base);
	}
	ldn_jwt_verifier_free(v);
	for (int i = 0; i < NTOK; i++) {
		free(tok_es[i]);
		free(tok_rs[i]);
	}
	free(tok_warm);
	free(jwks_es);
	free(jwks_rs);
	EVP_PKEY_free(key_es);
	EVP_PKEY_free(key_rs);
	return 0;
}
