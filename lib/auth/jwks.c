/*
 * JWK Sets into OpenSSL keys, and strict base64url.
 */
#include "jwks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "base/error_impl.h"

/* base64url value of each byte, 0xff for none */
static const unsigned char b64_val[256] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0x3e, 0xff, 0xff, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
	0x3a, 0x3b, 0x3c, 0x3d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0xff, 0xff, 0xff, 0xff, 0x3f, 0xff, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e,
	0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a,
	0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

size_t
b64url_decoded_len(size_t n)
{
	if (n % 4 == 1)
		return SIZE_MAX;
	return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

bool
b64url_decode(const char *in, size_t n, unsigned char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned bad = 0;
	uint32_t v;
	size_t i = 0, o = 0;

	if (n % 4 == 1)
		return false;
	/* four characters, three bytes; bad collects the 0xff of any
	 * character outside the alphabet */
	for (; i + 4 <= n; i += 4) {
		unsigned a = b64_val[p[i]], b = b64_val[p[i + 1]];
		unsigned c = b64_val[p[i + 2]], d = b64_val[p[i + 3]];

		bad |= a | b | c | d;
		v = (uint32_t)(a << 18 | b << 12 | c << 6 | d);
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	if (n - i >= 2) {
		unsigned a = b64_val[p[i]], b = b64_val[p[i + 1]];
		unsigned c = n - i == 3 ? b64_val[p[i + 2]] : 0;

		bad |= a | b | c;
		v = (uint32_t)(a << 18 | b << 12 | c << 6);
		out[o++] = (unsigned char)(v >> 16);
		if (n - i == 3)
			out[o++] = (unsigned char)(v >> 8);
		/* the bits left over must be zero: "AB" and "AC" are not
		 * both "\0" */
		if (v & (n - i == 3 ? 0xffu : 0xffffu))
			return false;
	}
	return (bad & 0xc0) == 0;
}

/* Member name of obj as a decoded byte string of exactly want bytes (0:
 * any length up to cap); *len its length. */
static enum ldn_status
member_bytes(json_t *key, const char *name, size_t idx, unsigned char *out,
    size_t cap, size_t want, size_t *len, struct ldn_error *err)
{
	char where[64];
	const char *s = json_string_value(json_object_get(key, name));
	size_t n = s ? strlen(s) : 0, d = b64url_decoded_len(n);

	snprintf(where, sizeof(where), "/keys/%zu/%s", idx, name);
	if (s == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "a base64url string is required");
	if (d == SIZE_MAX || d > cap || (want && d != want) || d == 0 ||
	    !b64url_decode(s, n, out)) {
		if (want)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "must be %zu bytes in base64url without padding",
			    want);
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "must be base64url without padding, at most %zu bytes",
		    cap);
	}
	*len = d;
	return LDN_OK;
}

static EVP_PKEY *
pkey_from(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	if (pkey) {
		/* EC: the point is on the curve; RSA: n and e are sane */
		EVP_PKEY_CTX *chk =
		    EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		int ok = chk && EVP_PKEY_public_check(chk) == 1;

		EVP_PKEY_CTX_free(chk);
		if (!ok) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	return pkey;
}

static enum ldn_status
ec_key(json_t *key, size_t idx, EVP_PKEY **out, struct p384_key **ec,
    struct ldn_error *err)
{
	unsigned char pub[97];
	size_t n;
	enum ldn_status rc;
	OSSL_PARAM_BLD *bld;
	char where[32];

	pub[0] = 0x04; /* uncompressed point: x || y */
	if ((rc = member_bytes(key, "x", idx, pub + 1, 48, 48, &n, err)) ||
	    (rc = member_bytes(key, "y", idx, pub + 49, 48, 48, &n, err)))
		return rc;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	        "P-384", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
	        sizeof(pub))) {
		OSSL_PARAM_BLD_free(bld);
		return ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
	}
	*out = pkey_from("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	snprintf(where, sizeof(where), "/keys/%zu", idx);
	if (*out == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "x and y are not a point of the P-384 curve");
	/* OpenSSL has found the point on the curve: only memory can fail
	 * (the key's table waits for its first use) */
	if ((*ec = p384_key_new(pub + 1, pub + 49)) == NULL) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
	}
	return LDN_OK;
}

/* RSA moduli from 2048 to 16384 bits are accepted. */
enum {
	RSA_MIN_BYTES = 256,
	RSA_MAX_BYTES = 2048
};

static enum ldn_status
rsa_key(json_t *key, size_t idx, EVP_PKEY **out, struct ldn_error *err)
{
	unsigned char *nb = malloc(RSA_MAX_BYTES), eb[8];
	size_t nn, en;
	enum ldn_status rc;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	char where[32];

	*out = NULL;
	if (nb == NULL)
		return ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
	if ((rc = member_bytes(key, "n", idx, nb, RSA_MAX_BYTES, 0, &nn,
	         err)) ||
	    (rc = member_bytes(key, "e", idx, eb, sizeof(eb), 0, &en, err)))
		goto out;
	n = BN_bin2bn(nb, (int)nn, NULL);
	e = BN_bin2bn(eb, (int)en, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (n == NULL || e == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
		rc = ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	snprintf(where, sizeof(where), "/keys/%zu", idx);
	if (BN_num_bits(n) > RSA_MAX_BYTES * 8 || !BN_is_odd(e) ||
	    BN_num_bits(e) < 2) {
		rc = ldn_fail(err, LDN_E_SCHEMA, where,
		    "not an RSA public key (n of %d bits, e %s)",
		    BN_num_bits(n), BN_is_odd(e) ? "odd" : "even");
		goto out;
	}
	if (BN_num_bits(n) < RSA_MIN_BYTES * 8) {
		rc = LDN_OK; /* too weak to use: skipped */
		goto out;
	}
	*out = pkey_from("RSA", bld);
	if (*out == NULL)
		rc = ldn_fail(err, LDN_E_SCHEMA, where,
		    "n and e are not an RSA public key");
out:
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	free(nb);
	return rc;
}

static char *
dup_member(json_t *key, const char *name)
{
	const char *s = json_string_value(json_object_get(key, name));

	return s ? strdup(s) : NULL;
}

void
jwks_free(struct jwks *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		EVP_PKEY_free(s->keys[i].pkey);
		p384_key_unref(s->keys[i].ec);
		free(s->keys[i].kid);
		free(s->keys[i].alg);
	}
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}

enum ldn_status
jwks_parse(const char *text, size_t len, struct jwks *out,
    struct ldn_error *err)
{
	json_error_t je;
	json_t *root, *keys;
	enum ldn_status rc = LDN_OK;
	size_t nkeys;

	out->keys = NULL;
	out->n = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return ldn_fail(err, LDN_E_PARSE, "", "not JSON: %s (line %d)",
		    je.text, je.line);
	keys = json_object_get(root, "keys");
	if (!json_is_object(root) || !json_is_array(keys)) {
		json_decref(root);
		return ldn_fail(err, LDN_E_SCHEMA, "/keys",
		    "a JWK Set is an object with a \"keys\" array");
	}
	nkeys = json_array_size(keys);
	if (nkeys > JWKS_MAX_KEYS) {
		json_decref(root);
		return ldn_fail(err, LDN_E_SCHEMA, "/keys",
		    "a JWK Set of %zu keys: at most %d are read", nkeys,
		    JWKS_MAX_KEYS);
	}
	out->keys = calloc(nkeys ? nkeys : 1, sizeof(*out->keys));
	if (out->keys == NULL) {
		json_decref(root);
		return ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < nkeys && rc == LDN_OK; i++) {
		json_t *k = json_array_get(keys, i);
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *crv = json_string_value(json_object_get(k, "crv"));
		const char *use = json_string_value(json_object_get(k, "use"));
		json_t *kid = json_object_get(k, "kid");
		struct jwk *o = &out->keys[out->n];
		char where[32];

		snprintf(where, sizeof(where), "/keys/%zu", i);
		if (!json_is_object(k) || kty == NULL) {
			rc = ldn_fail(err, LDN_E_SCHEMA, where,
			    "a JWK is an object with a \"kty\" string");
			break;
		}
		if ((kid && !json_is_string(kid)) ||
		    (json_object_get(k, "alg") &&
		        !json_is_string(json_object_get(k, "alg")))) {
			rc = ldn_fail(err, LDN_E_SCHEMA, where,
			    "\"kid\" and \"alg\" must be strings");
			break;
		}
		if (use && strcmp(use, "sig") != 0)
			continue; /* an encryption key */
		o->pkey = NULL;
		o->ec = NULL;
		if (strcmp(kty, "EC") == 0 && crv &&
		    strcmp(crv, "P-384") == 0) {
			o->type = JWK_EC_P384;
			rc = ec_key(k, i, &o->pkey, &o->ec, err);
		} else if (strcmp(kty, "RSA") == 0) {
			o->type = JWK_RSA;
			rc = rsa_key(k, i, &o->pkey, err);
		}
		if (rc != LDN_OK || o->pkey == NULL)
			continue; /* an error, or a key of no use here */
		o->kid = dup_member(k, "kid");
		o->alg = dup_member(k, "alg");
		out->n++;
		if ((kid && o->kid == NULL) ||
		    (json_object_get(k, "alg") && o->alg == NULL))
			rc = ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
	}
	json_decref(root);
	if (rc == LDN_OK && out->n == 0)
		rc = ldn_fail(err, LDN_E_SCHEMA, "/keys",
		    "no key for ES384 (EC P-384) or RS384 (RSA of at least "
		    "2048 bits) with \"use\" \"sig\" or none");
	if (rc != LDN_OK)
		jwks_free(out);
	return rc;
}
