/*
 * libFuzzer target for CDS Hooks bearer tokens (ldn/jwt.h).  Each input
 * is verified as a token by one long-lived verifier (the sandbox's EC key,
 * an RSA key, an issuer whose keys come through a jku hook; a replay cache
 * of 16, so eviction runs), and read as a JWK Set by a fresh one.  Any
 * input must give a refusal that names its place and says why, or claims
 * that are complete; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/data/cds-hooks/keys/jwks.json: the sandbox's public key */
static const char sandbox_jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"use\":\"sig\",\"crv\":\"P-384\",\"kid\""
    ":\"44823f3d-0b01-4a6c-a80e-b9d3e8a7226f\",\"x\":\"dw_JGR8nB2I6XveNxU"
    "Ol2qk699ZPLM2nYI5STSdiEl9avAkrm3CkfYMbrrjr8laB\",\"y\":\"Sm3mLE-n1zY"
    "Nla_aiE3cb3nZsL51RbC7ysw3q8aJLxGm-hx79RPMYpITDjp7kgzy\",\"alg\":\"ES"
    "384\"}]}";

/* a test RSA key made for the seed corpus (its private half is not kept) */
static const char rsa_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS384\",\"kid"
    "\":\"rsa-1\",\"n\":\"h9r1Ix0kkUt3WePXYbdaspCCvFxBELw4gJpORLAJ-QxI7q8"
    "7J1YUIXisjAPEDdm3I44aYCYvMIq9MVOgUXespZ8YWTAodSvniAhw-RlzCaMgNJk6b_g"
    "Jz1P_Gi1sufj_IGUbAQDw-Pz7zlza9nLaH-q2e6A0DhiHe3kk1BAdJY7xh4yDKMiTcDc"
    "xuQF9zxh55wCbCu6mlqeNQkkBPN0Rf2kRJs29XAN3EdKmFyK6TJ264RLWkK2pGAa10sB"
    "B7F7hfv2hoZnP3n7PThAn-muV4ywuduJPdJGtrj8cXGP6WNo9q_ATHQ-j9n-gTc7_7BN"
    "fmYfnGqsHGaYNo5QCAewXNQ\",\"e\":\"AQAB\"}]}";

#define AUD "https://ldn.example.org/cds-services/ldn-start"
#define NOW 1795000000

static struct ldn_jwt_verifier *v;
static int64_t now = NOW;

static enum ldn_status
hook(void *ctx, const char *iss, const char *url, char **jwks, size_t *len,
    struct ldn_error *err)
{
	(void)ctx;
	(void)iss;
	(void)err;
	if (strcmp(url, "https://jku.example/jwks.json") != 0)
		abort(); /* only allowed jkus reach the hook */
	*jwks = strdup(sandbox_jwks);
	*len = sizeof(sandbox_jwks) - 1;
	return *jwks ? LDN_OK : LDN_E_NOMEM;
}

static void
setup(void)
{
	struct ldn_error err;

	if (ldn_jwt_verifier_new(&v, &err) != LDN_OK ||
	    ldn_jwt_add_audience(v, AUD, &err) != LDN_OK ||
	    ldn_jwt_add_issuer(v, "https://sandbox.cds-hooks.org", sandbox_jwks,
	        sizeof(sandbox_jwks) - 1, &err) != LDN_OK ||
	    ldn_jwt_add_issuer(v, "https://ehr.example.org/rsa", rsa_jwks,
	        sizeof(rsa_jwks) - 1, &err) != LDN_OK ||
	    ldn_jwt_add_issuer(v, "https://jku.example", NULL, 0, &err) !=
	        LDN_OK ||
	    ldn_jwt_allow_jku(v, "https://jku.example",
	        "https://jku.example/jwks.json", &err) != LDN_OK ||
	    ldn_jwt_set_replay_capacity(v, 16, &err) != LDN_OK)
		abort();
	ldn_jwt_set_jku_fetch(v, hook, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ldn_error err;
	struct ldn_jwt_claims c;
	struct ldn_jwt_verifier *w;
	enum ldn_status rc;

	if (v == NULL)
		setup();
	memset(&err, 0, sizeof(err));
	/* time moves on, so that replay-cache entries die and are evicted */
	now += 7;
	rc = ldn_jwt_verify(v, (const char *)data, size, (time_t)now, &c, &err);
	if (rc != LDN_OK && (err.where[0] == '\0' || err.msg[0] == '\0'))
		abort(); /* a refusal must say where and why */
	if (rc == LDN_OK &&
	    (c.iss[0] == '\0' || c.jti[0] == '\0' ||
	        memchr(c.sub, '\0', sizeof(c.sub)) == NULL))
		abort();
	/* the same bytes as a JWK Set */
	if (ldn_jwt_verifier_new(&w, &err) != LDN_OK)
		return 0;
	memset(&err, 0, sizeof(err));
	rc = ldn_jwt_add_issuer(w, "x", (const char *)data, size, &err);
	if (rc != LDN_OK && err.msg[0] == '\0')
		abort();
	ldn_jwt_verifier_free(w);
	return 0;
}
