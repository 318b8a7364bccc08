/*
 * JSON Web Key Sets (RFC 7517) for verifying signatures: the public EC
 * P-384 and RSA keys of a JWKS as OpenSSL EVP_PKEYs (an EC key with its
 * p384.h key beside), and the strict base64url (RFC 4648 section 5, no
 * padding) that JOSE uses.  Private to the library; the public face is
 * ldn/jwt.h.
 */
#ifndef LDN_AUTH_JWKS_H
#define LDN_AUTH_JWKS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "ldn/error.h"

#include "p384.h"

enum jwk_type {
	JWK_EC_P384, /* for ES384 */
	JWK_RSA,     /* for RS384 */
};

struct jwk {
	enum jwk_type type;
	char *kid;      /* NULL when the key has none */
	char *alg;      /* the key's "alg", NULL when it has none */
	EVP_PKEY *pkey; /* public key; verifiers take their own reference */
	struct p384_key *ec; /* an EC key's tables for p384_verify(); the
	                      * same sharing */
};

enum {
	/* A set holds a few keys (one a signer, and the next during a
	 * rotation); more are refused, so that a set fetched from a jku
	 * cannot make the server parse thousands. */
	JWKS_MAX_KEYS = 64
};

struct jwks {
	struct jwk *keys;
	size_t n;
};

/*
 * Parse the JSON text of a JWK Set ({"keys": [...]}) into *out.  Keys this
 * library cannot use for ES384 or RS384 are skipped: another kty or curve,
 * "use" other than "sig", RSA under 2048 bits.  Private members ("d", ...)
 * are ignored.  Refused (LDN_E_PARSE, LDN_E_SCHEMA with a JSON pointer)
 * when the text is not a JWK Set, it has more than JWKS_MAX_KEYS keys, a
 * usable key is malformed (bad base64url, a point not on the curve), or no
 * key is usable.
 */
enum ldn_status jwks_parse(const char *text, size_t len, struct jwks *out,
    struct ldn_error *err);
void jwks_free(struct jwks *s);

/* The decoded size of n base64url characters, or SIZE_MAX if no string of
 * that length is valid (n % 4 == 1). */
size_t b64url_decoded_len(size_t n);
/*
 * Decode in[0..n) into out (b64url_decoded_len(n) bytes).  Strict: only
 * A-Z a-z 0-9 '-' '_', no padding, no white space, and the unused low bits
 * of the last character zero (one encoding per byte string).
 */
bool b64url_decode(const char *in, size_t n, unsigned char *out);

#endif
