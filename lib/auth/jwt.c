/*
 * Verifying CDS Hooks bearer tokens: compact JWS, ES384 or RS384, with
 * OpenSSL's EVP interface; claims read with jansson; a replay cache of
 * (iss, jti) under a mutex.  The checks and their order are in ldn/jwt.h.
 */
#include "ldn/jwt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "auth/jwks.h"
#include "base/error_impl.h"

enum {
	CLAIM_MAX = 255, /* longest iss, sub, jti, kid kept */
	ES384_SIG = 96,  /* R || S, 48 bytes each */
};

struct jku {
	char *url;
	struct jwks keys; /* n == 0: none registered yet */
};

struct issuer {
	char *iss;
	struct jwks keys; /* pinned keys; n == 0: none */
	struct jku *jku;  /* under keys_mu */
	size_t n_jku;
};

/* A replay cache slot: the first 16 bytes of SHA-256(iss NUL jti), never
 * all zero in use (h[0] is odd), and the time after which the token it
 * remembers is refused anyway. */
struct slot {
	unsigned char h[16];
	int64_t until;
};

struct replay {
	pthread_mutex_t mu;
	struct slot *tab; /* allocated on first use */
	size_t slots;     /* a power of two, at least twice cap */
	size_t cap, n;
	int64_t min_until; /* no entry dies before this */
};

struct ldn_jwt_verifier {
	char **aud;
	size_t n_aud;
	struct issuer *iss;
	size_t n_iss;
	int leeway;
	size_t max_token;
	ldn_jwt_jku_fn fetch;
	void *fetch_ctx;
	pthread_mutex_t keys_mu;
	struct replay rp;
};

/* ------------------------------------------------------------- set-up */

static enum ldn_status
nomem(struct ldn_error *err)
{
	return ldn_fail(err, LDN_E_NOMEM, NULL, "out of memory");
}

static void
replay_size(struct replay *r, size_t cap)
{
	r->cap = cap;
	r->slots = 16;
	while (r->slots < 2 * cap)
		r->slots *= 2;
	free(r->tab);
	r->tab = NULL;
	r->n = 0;
	r->min_until = INT64_MAX;
}

enum ldn_status
ldn_jwt_verifier_new(struct ldn_jwt_verifier **out, struct ldn_error *err)
{
	struct ldn_jwt_verifier *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (v == NULL)
		return nomem(err);
	v->leeway = 60;
	v->max_token = 8192;
	if (pthread_mutex_init(&v->keys_mu, NULL) != 0) {
		free(v);
		return nomem(err);
	}
	if (pthread_mutex_init(&v->rp.mu, NULL) != 0) {
		pthread_mutex_destroy(&v->keys_mu);
		free(v);
		return nomem(err);
	}
	replay_size(&v->rp, 100000);
	*out = v;
	return LDN_OK;
}

void
ldn_jwt_verifier_free(struct ldn_jwt_verifier *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n_aud; i++)
		free(v->aud[i]);
	free(v->aud);
	for (size_t i = 0; i < v->n_iss; i++) {
		struct issuer *is = &v->iss[i];

		free(is->iss);
		jwks_free(&is->keys);
		for (size_t k = 0; k < is->n_jku; k++) {
			free(is->jku[k].url);
			jwks_free(&is->jku[k].keys);
		}
		free(is->jku);
	}
	free(v->iss);
	free(v->rp.tab);
	pthread_mutex_destroy(&v->keys_mu);
	pthread_mutex_destroy(&v->rp.mu);
	free(v);
}

enum ldn_status
ldn_jwt_add_audience(struct ldn_jwt_verifier *v, const char *url,
    struct ldn_error *err)
{
	char **a;

	if (url == NULL || url[0] == '\0')
		return ldn_fail(err, LDN_E_SCHEMA, "aud",
		    "an audience is a non-empty URL");
	a = realloc(v->aud, (v->n_aud + 1) * sizeof(*a));
	if (a == NULL)
		return nomem(err);
	v->aud = a;
	if ((a[v->n_aud] = strdup(url)) == NULL)
		return nomem(err);
	v->n_aud++;
	return LDN_OK;
}

static struct issuer *
find_issuer(const struct ldn_jwt_verifier *v, const char *iss)
{
	for (size_t i = 0; i < v->n_iss; i++)
		if (strcmp(v->iss[i].iss, iss) == 0)
			return &v->iss[i];
	return NULL;
}

enum ldn_status
ldn_jwt_add_issuer(struct ldn_jwt_verifier *v, const char *iss,
    const char *jwks, size_t len, struct ldn_error *err)
{
	struct issuer *is;
	struct jwks keys = { 0 };
	enum ldn_status rc;

	if (iss == NULL || iss[0] == '\0' || strlen(iss) > CLAIM_MAX)
		return ldn_fail(err, LDN_E_SCHEMA, "iss",
		    "an issuer is 1 to %d bytes", CLAIM_MAX);
	if (find_issuer(v, iss))
		return ldn_fail(err, LDN_E_SCHEMA, "iss",
		    "issuer %s was already added", iss);
	if (jwks && (rc = jwks_parse(jwks, len, &keys, err)) != LDN_OK)
		return rc;
	is = realloc(v->iss, (v->n_iss + 1) * sizeof(*is));
	if (is == NULL) {
		jwks_free(&keys);
		return nomem(err);
	}
	v->iss = is;
	is = &v->iss[v->n_iss];
	memset(is, 0, sizeof(*is));
	if ((is->iss = strdup(iss)) == NULL) {
		jwks_free(&keys);
		return nomem(err);
	}
	is->keys = keys;
	v->n_iss++;
	return LDN_OK;
}

/* The jku entry for url, added if need be; under keys_mu. */
static struct jku *
jku_entry(struct issuer *is, const char *url, bool add)
{
	struct jku *j;

	for (size_t i = 0; i < is->n_jku; i++)
		if (strcmp(is->jku[i].url, url) == 0)
			return &is->jku[i];
	if (!add)
		return NULL;
	j = realloc(is->jku, (is->n_jku + 1) * sizeof(*j));
	if (j == NULL)
		return NULL;
	is->jku = j;
	j = &is->jku[is->n_jku];
	memset(j, 0, sizeof(*j));
	if ((j->url = strdup(url)) == NULL)
		return NULL;
	is->n_jku++;
	return j;
}

static enum ldn_status
jku_register(struct ldn_jwt_verifier *v, const char *iss, const char *url,
    const struct jwks *keys, struct ldn_error *err)
{
	struct issuer *is = iss ? find_issuer(v, iss) : NULL;
	struct jwks old = { 0 };
	struct jku *j;

	if (is == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "iss",
		    "issuer %s has not been added", iss ? iss : "(null)");
	if (url == NULL || url[0] == '\0')
		return ldn_fail(err, LDN_E_SCHEMA, "jku",
		    "a jku is a non-empty URL");
	pthread_mutex_lock(&v->keys_mu);
	j = jku_entry(is, url, true);
	if (j && keys) {
		old = j->keys;
		j->keys = *keys;
	}
	pthread_mutex_unlock(&v->keys_mu);
	jwks_free(&old); /* verifications under way hold their own key */
	return j ? LDN_OK : nomem(err);
}

enum ldn_status
ldn_jwt_allow_jku(struct ldn_jwt_verifier *v, const char *iss, const char *url,
    struct ldn_error *err)
{
	return jku_register(v, iss, url, NULL, err);
}

enum ldn_status
ldn_jwt_set_jku_keys(struct ldn_jwt_verifier *v, const char *iss,
    const char *url, const char *jwks, size_t len, struct ldn_error *err)
{
	struct jwks keys;
	enum ldn_status rc;

	if (jwks == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "jku", "no JWK Set given");
	if ((rc = jwks_parse(jwks, len, &keys, err)) != LDN_OK)
		return rc;
	if ((rc = jku_register(v, iss, url, &keys, err)) != LDN_OK)
		jwks_free(&keys);
	return rc;
}

void
ldn_jwt_set_jku_fetch(struct ldn_jwt_verifier *v, ldn_jwt_jku_fn fn, void *ctx)
{
	v->fetch = fn;
	v->fetch_ctx = ctx;
}

void
ldn_jwt_set_leeway(struct ldn_jwt_verifier *v, int seconds)
{
	v->leeway = seconds < 0 ? 0 : seconds > 86400 ? 86400 : seconds;
}

void
ldn_jwt_set_max_token(struct ldn_jwt_verifier *v, size_t bytes)
{
	v->max_token = bytes < 64 ? 64
	    : bytes > (1u << 20)  ? (1u << 20)
	                          : bytes;
}

enum ldn_status
ldn_jwt_set_replay_capacity(struct ldn_jwt_verifier *v, size_t tokens,
    struct ldn_error *err)
{
	if (tokens < 1 || tokens > (1u << 24))
		return ldn_fail(err, LDN_E_SCHEMA, "jti",
		    "the replay cache holds 1 to 16,777,216 tokens, not %zu",
		    tokens);
	pthread_mutex_lock(&v->rp.mu);
	replay_size(&v->rp, tokens);
	pthread_mutex_unlock(&v->rp.mu);
	return LDN_OK;
}

/* -------------------------------------------------------- replay cache */

static size_t
slot_of(const struct replay *r, const unsigned char h[16])
{
	uint64_t x;

	memcpy(&x, h, sizeof(x));
	return (size_t)(x & (r->slots - 1));
}

static bool
slot_used(const struct slot *s)
{
	return s->h[0] != 0; /* h[0] is odd in use */
}

/* The slot holding h, or the empty one where it would go. */
static struct slot *
slot_find(struct replay *r, const unsigned char h[16])
{
	size_t i = slot_of(r, h);

	while (slot_used(&r->tab[i]) && memcmp(r->tab[i].h, h, 16) != 0)
		i = (i + 1) & (r->slots - 1);
	return &r->tab[i];
}

/* Drop the entries dead at now: rebuild the table without them. */
static bool
replay_sweep(struct replay *r, int64_t now)
{
	struct slot *old = r->tab, *nt = calloc(r->slots, sizeof(*nt));

	if (nt == NULL)
		return false;
	r->tab = nt;
	r->n = 0;
	r->min_until = INT64_MAX;
	for (size_t i = 0; i < r->slots; i++) {
		if (!slot_used(&old[i]) || old[i].until < now)
			continue;
		*slot_find(r, old[i].h) = old[i];
		r->n++;
		if (old[i].until < r->min_until)
			r->min_until = old[i].until;
	}
	free(old);
	return true;
}

static enum ldn_status
replay_check(struct replay *r, const unsigned char h[16], int64_t until,
    int64_t now, const char *jti, struct ldn_error *err)
{
	enum ldn_status rc = LDN_OK;
	struct slot *s;

	pthread_mutex_lock(&r->mu);
	if (r->tab == NULL &&
	    (r->tab = calloc(r->slots, sizeof(*r->tab))) == NULL) {
		rc = nomem(err);
		goto out;
	}
	s = slot_find(r, h);
	if (slot_used(s)) {
		if (s->until >= now) {
			rc = ldn_fail(err, LDN_E_SCHEMA, "jti",
			    "jti \"%.200s\" was used before: a replayed token",
			    jti);
			goto out;
		}
		s->until = until; /* the earlier token is dead: reuse */
		if (until < r->min_until)
			r->min_until = until;
		goto out;
	}
	if (r->n >= r->cap && now > r->min_until) {
		if (!replay_sweep(r, now)) {
			rc = nomem(err);
			goto out;
		}
		s = slot_find(r, h);
	}
	if (r->n >= r->cap) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "jti",
		    "the replay cache holds %zu unexpired tokens, its "
		    "capacity; refused until some expire",
		    r->n);
		goto out;
	}
	memcpy(s->h, h, 16);
	s->until = until;
	r->n++;
	if (until < r->min_until)
		r->min_until = until;
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

/* ------------------------------------------------------------- verify */

/* A base64url part decoded into a new buffer (NUL-terminated). */
static unsigned char *
part(const char *s, size_t n, size_t *len)
{
	size_t d = b64url_decoded_len(n);
	unsigned char *out;

	if (d == SIZE_MAX || (out = malloc(d + 1)) == NULL)
		return NULL;
	if (!b64url_decode(s, n, out)) {
		free(out);
		return NULL;
	}
	out[d] = '\0';
	*len = d;
	return out;
}

/* A NumericDate: a JSON number within +-2^52 s, fractions dropped. */
static bool
numeric_date(json_t *j, int64_t *out)
{
	const double lim = 4503599627370496.0; /* 2^52 */

	if (json_is_integer(j)) {
		json_int_t x = json_integer_value(j);

		if (x > (json_int_t)lim || x < -(json_int_t)lim)
			return false;
		*out = (int64_t)x;
		return true;
	}
	if (json_is_real(j)) {
		double x = json_real_value(j);

		if (!(x < lim && x > -lim))
			return false;
		*out = (int64_t)x;
		return true;
	}
	return false;
}

/* The key of sets[] that verifies this token, with a reference taken;
 * under keys_mu.  *retry: refused for want of a key (none, or none with
 * the kid), which fetching a jku's keys might cure. */
static enum ldn_status
pick_key(const struct jwks *const *sets, size_t nsets, const char *kid,
    const char *alg, EVP_PKEY **out, struct p384_key **ec, enum jwk_type *type,
    const char *iss, bool *retry, struct ldn_error *err)
{
	enum jwk_type want = alg[0] == 'E' ? JWK_EC_P384 : JWK_RSA;
	const struct jwk *k = NULL;
	size_t total = 0;

	for (size_t i = 0; i < nsets; i++)
		total += sets[i]->n;
	*retry = false;
	if (total == 0) {
		*retry = true;
		return ldn_fail(err, LDN_E_SCHEMA, "kid",
		    "no key is registered for issuer %s", iss);
	}
	if (kid) {
		/* the key with this kid, of the token's type if there are
		 * several */
		for (size_t i = 0; i < nsets; i++)
			for (size_t j = 0; j < sets[i]->n; j++) {
				const struct jwk *c = &sets[i]->keys[j];

				if (c->kid && strcmp(c->kid, kid) == 0 &&
				    (k == NULL || c->type == want))
					k = c;
			}
		if (k == NULL) {
			*retry = true;
			return ldn_fail(err, LDN_E_SCHEMA, "kid",
			    "issuer %s has no key with kid \"%.100s\"", iss,
			    kid);
		}
	} else {
		if (total > 1)
			return ldn_fail(err, LDN_E_SCHEMA, "kid",
			    "the token names no kid, and issuer %s has %zu "
			    "keys",
			    iss, total);
		for (size_t i = 0; i < nsets && k == NULL; i++)
			if (sets[i]->n)
				k = &sets[i]->keys[0];
	}
	if (k->type != want || (k->alg && strcmp(k->alg, alg) != 0))
		return ldn_fail(err, LDN_E_SCHEMA, "alg",
		    "the token says %s, but key \"%.100s\" of issuer %s is %s",
		    alg, k->kid ? k->kid : "(no kid)", iss,
		    k->alg                       ? k->alg
		        : k->type == JWK_EC_P384 ? "an EC P-384 key"
		                                 : "an RSA key");
	if (EVP_PKEY_up_ref(k->pkey) != 1)
		return nomem(err);
	*out = k->pkey;
	*ec = k->ec ? p384_key_ref(k->ec) : NULL;
	*type = k->type;
	return LDN_OK;
}

/* Look the key up among the keys the token may use. */
static enum ldn_status
find_key(struct ldn_jwt_verifier *v, struct issuer *is, const char *jku,
    const char *kid, const char *alg, EVP_PKEY **out, struct p384_key **ec,
    enum jwk_type *type, bool *retry, struct ldn_error *err)
{
	const struct jwks **sets;
	size_t n = 0;
	enum ldn_status rc;

	*retry = false;
	pthread_mutex_lock(&v->keys_mu);
	sets = malloc((is->n_jku + 1) * sizeof(*sets));
	if (sets == NULL) {
		pthread_mutex_unlock(&v->keys_mu);
		return nomem(err);
	}
	if (jku && is->n_jku) {
		struct jku *j = jku_entry(is, jku, false);

		if (j == NULL) {
			pthread_mutex_unlock(&v->keys_mu);
			free(sets);
			return ldn_fail(err, LDN_E_SCHEMA, "jku",
			    "jku \"%.150s\" is not allowed for issuer %s", jku,
			    is->iss);
		}
		sets[n++] = &j->keys;
	} else {
		/* pinned keys, and those of every allowed jku */
		sets[n++] = &is->keys;
		for (size_t i = 0; i < is->n_jku; i++)
			sets[n++] = &is->jku[i].keys;
	}
	rc = pick_key(sets, n, kid, alg, out, ec, type, is->iss, retry, err);
	pthread_mutex_unlock(&v->keys_mu);
	free(sets);
	return rc;
}

/* Ask the hook for url's keys and register them. */
static enum ldn_status
fetch_jku(struct ldn_jwt_verifier *v, struct issuer *is, const char *url,
    struct ldn_error *err)
{
	struct ldn_error e = { 0 };
	char *text = NULL;
	size_t len = 0;
	enum ldn_status rc;

	rc = v->fetch(v->fetch_ctx, is->iss, url, &text, &len, &e);
	if (rc == LDN_OK && text == NULL)
		rc = ldn_fail(&e, LDN_E_BUG, NULL, "the hook gave no text");
	if (rc == LDN_OK)
		rc = ldn_jwt_set_jku_keys(v, is->iss, url, text, len, &e);
	free(text);
	if (rc != LDN_OK)
		return ldn_fail(err, rc, "jku",
		    "the keys of jku \"%.100s\" could not be had: %s", url,
		    e.msg);
	return LDN_OK;
}

/* The token's key: looked up, and if unknown, fetched through the hook
 * once. */
static enum ldn_status
token_key(struct ldn_jwt_verifier *v, struct issuer *is, const char *jku,
    const char *kid, const char *alg, EVP_PKEY **out, struct p384_key **ec,
    enum jwk_type *type, struct ldn_error *err)
{
	struct ldn_error first = { 0 };
	bool retry;
	enum ldn_status rc =
	    find_key(v, is, jku, kid, alg, out, ec, type, &retry, &first);
	enum ldn_status refusal = rc;
	char **urls = NULL;
	size_t n = 0;

	if (rc != LDN_OK && err && (!retry || v->fetch == NULL))
		*err = first;
	if (rc == LDN_OK || !retry || v->fetch == NULL)
		return rc;
	rc = LDN_OK;
	/* the allowed jkus to ask for, copied out of the lock */
	pthread_mutex_lock(&v->keys_mu);
	urls = calloc(is->n_jku + 1, sizeof(*urls));
	if (urls && jku && jku_entry(is, jku, false))
		urls[n++] = strdup(jku);
	else if (urls && jku == NULL)
		for (size_t i = 0; i < is->n_jku; i++)
			urls[n++] = strdup(is->jku[i].url);
	pthread_mutex_unlock(&v->keys_mu);
	if (urls == NULL)
		return nomem(err);
	for (size_t i = 0; i < n; i++)
		if (urls[i] == NULL)
			rc = nomem(err);
	for (size_t i = 0; i < n && rc == LDN_OK; i++)
		rc = fetch_jku(v, is, urls[i], err);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	if (rc != LDN_OK)
		return rc;
	if (n == 0) { /* nothing to ask for: the refusal stands */
		if (err)
			*err = first;
		return refusal;
	}
	return find_key(v, is, jku, kid, alg, out, ec, type, &retry, err);
}

/*
 * ES384: the SHA-384 of msg (OpenSSL) checked against R || S with the
 * key's precomputed tables (p384.h): about 0.4 times the time of Nettle's
 * P-384, which was half of a hook call's instructions, and a quarter of
 * OpenSSL 3.0's (bench/README.md).
 */
static bool
verify_es384(const struct p384_key *ec, const char *msg, size_t msg_len,
    const unsigned char *sig)
{
	unsigned char dig[P384_BYTES];

	return EVP_Digest(msg, msg_len, dig, NULL, EVP_sha384(), NULL) == 1 &&
	    p384_verify(ec, dig, sig, sig + P384_BYTES);
}

static bool
verify_sig(EVP_PKEY *pkey, const struct p384_key *ec, enum jwk_type type,
    const char *msg, size_t msg_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = false;

	ERR_set_mark();
	if (type == JWK_EC_P384) {
		ok = sig_len == ES384_SIG && ec != NULL &&
		    verify_es384(ec, msg, msg_len, sig);
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL ||
	    EVP_DigestVerifyInit_ex(md, &pctx, "SHA384", NULL, NULL, pkey,
	        NULL) != 1)
		goto out;
	if (type == JWK_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	ok = EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg,
	         msg_len) == 1;
out:
	EVP_MD_CTX_free(md);
	ERR_pop_to_mark(); /* leave the thread's error queue as it was */
	return ok;
}

/* A string member of at most CLAIM_MAX bytes, copied into out; absent:
 * "" and true when optional. */
static enum ldn_status
claim_str(json_t *obj, const char *name, bool required, char *out,
    struct ldn_error *err)
{
	json_t *j = json_object_get(obj, name);
	const char *s = json_string_value(j);

	out[0] = '\0';
	if (j == NULL && !required)
		return LDN_OK;
	if (j == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, name,
		    "the token has no \"%s\"", name);
	if (s == NULL || s[0] == '\0' || json_string_length(j) > CLAIM_MAX)
		return ldn_fail(err, LDN_E_SCHEMA, name,
		    "\"%s\" must be a string of 1 to %d bytes", name,
		    CLAIM_MAX);
	memcpy(out, s, json_string_length(j) + 1);
	return LDN_OK;
}

static enum ldn_status
check_aud(const struct ldn_jwt_verifier *v, json_t *aud, struct ldn_error *err)
{
	size_t n = json_is_array(aud) ? json_array_size(aud) : 1;

	if (aud == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "aud",
		    "the token has no \"aud\"");
	if (!json_is_string(aud) && !json_is_array(aud))
		return ldn_fail(err, LDN_E_SCHEMA, "aud",
		    "\"aud\" must be a string or an array of strings");
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_is_array(aud) ? json_array_get(aud, i) : aud;

		if (!json_is_string(a))
			return ldn_fail(err, LDN_E_SCHEMA, "aud",
			    "\"aud\" must be a string or an array of strings");
		for (size_t k = 0; k < v->n_aud; k++)
			if (strlen(v->aud[k]) == json_string_length(a) &&
			    memcmp(v->aud[k], json_string_value(a),
			        json_string_length(a)) == 0)
				return LDN_OK;
	}
	if (json_is_string(aud))
		return ldn_fail(err, LDN_E_SCHEMA, "aud",
		    "the token is for \"%.150s\", not this service",
		    json_string_value(aud));
	return ldn_fail(err, LDN_E_SCHEMA, "aud",
	    "none of the token's %zu audiences is this service", n);
}

/* The header: alg, typ, crit, kid, jku. */
static enum ldn_status
check_header(json_t *h, const char **alg, const char **kid, const char **jku,
    struct ldn_error *err)
{
	json_t *a = json_object_get(h, "alg"), *t = json_object_get(h, "typ");
	json_t *k = json_object_get(h, "kid"), *u = json_object_get(h, "jku");
	const char *s = json_string_value(a);

	if (s == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "alg",
		    "the header has no \"alg\" string");
	if (strcmp(s, "ES384") != 0 && strcmp(s, "RS384") != 0)
		return ldn_fail(err, LDN_E_SCHEMA, "alg",
		    "alg \"%.40s\" is refused: only ES384 and RS384 are "
		    "accepted",
		    s);
	*alg = s;
	if (t &&
	    (!json_is_string(t) ||
	        strcasecmp(json_string_value(t), "JWT") != 0))
		return ldn_fail(err, LDN_E_SCHEMA, "typ",
		    "typ must be \"JWT\" when present");
	if (json_object_get(h, "crit"))
		return ldn_fail(err, LDN_E_SCHEMA, "crit",
		    "the header lists critical extensions; none is "
		    "understood");
	if (k &&
	    (!json_is_string(k) || json_string_length(k) == 0 ||
	        json_string_length(k) > CLAIM_MAX))
		return ldn_fail(err, LDN_E_SCHEMA, "kid",
		    "kid must be a string of 1 to %d bytes", CLAIM_MAX);
	if (u && (!json_is_string(u) || json_string_length(u) == 0))
		return ldn_fail(err, LDN_E_SCHEMA, "jku",
		    "jku must be a non-empty string");
	*kid = json_string_value(k);
	*jku = json_string_value(u);
	return LDN_OK;
}

/* The time claims, with the leeway. */
static enum ldn_status
check_times(const struct ldn_jwt_verifier *v, json_t *p, int64_t now,
    int64_t *exp, int64_t *iat, struct ldn_error *err)
{
	json_t *e = json_object_get(p, "exp"), *i = json_object_get(p, "iat");
	json_t *nb = json_object_get(p, "nbf");
	int64_t nbf, lw = v->leeway;

	if (e == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "exp",
		    "the token has no \"exp\"");
	if (!numeric_date(e, exp))
		return ldn_fail(err, LDN_E_SCHEMA, "exp",
		    "\"exp\" must be a number of seconds since the epoch");
	if (now > *exp + lw)
		return ldn_fail(err, LDN_E_SCHEMA, "exp",
		    "the token expired %lld s ago (leeway %lld s)",
		    (long long)(now - *exp), (long long)lw);
	if (nb && !numeric_date(nb, &nbf))
		return ldn_fail(err, LDN_E_SCHEMA, "nbf",
		    "\"nbf\" must be a number of seconds since the epoch");
	if (nb && nbf - lw > now)
		return ldn_fail(err, LDN_E_SCHEMA, "nbf",
		    "the token is not valid for another %lld s (leeway %lld s)",
		    (long long)(nbf - now), (long long)lw);
	if (i == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "iat",
		    "the token has no \"iat\"");
	if (!numeric_date(i, iat))
		return ldn_fail(err, LDN_E_SCHEMA, "iat",
		    "\"iat\" must be a number of seconds since the epoch");
	if (*iat - lw > now)
		return ldn_fail(err, LDN_E_SCHEMA, "iat",
		    "the token was issued %lld s in the future (leeway %lld s)",
		    (long long)(*iat - now), (long long)lw);
	return LDN_OK;
}

static enum ldn_status
jti_key(const char *iss, const char *jti, unsigned char h[16],
    struct ldn_error *err)
{
	unsigned char md[32];
	size_t li = strlen(iss), lj = strlen(jti);
	char buf[2 * CLAIM_MAX + 2];

	memcpy(buf, iss, li + 1); /* iss NUL jti: JSON strings hold no NUL */
	memcpy(buf + li + 1, jti, lj);
	if (EVP_Digest(buf, li + 1 + lj, md, NULL, EVP_sha256(), NULL) != 1)
		return nomem(err);
	memcpy(h, md, 16);
	h[0] |= 1; /* never an empty slot */
	return LDN_OK;
}

enum ldn_status
ldn_jwt_verify(struct ldn_jwt_verifier *v, const char *token, size_t len,
    time_t now_t, struct ldn_jwt_claims *claims, struct ldn_error *err)
{
	struct ldn_jwt_claims c;
	const char *d1 = NULL, *d2 = NULL, *alg = NULL, *kid = NULL,
	           *jku = NULL;
	unsigned char *hb = NULL, *pb = NULL, *sb = NULL, h[16];
	size_t hl = 0, pl = 0, sl = 0, dots = 0;
	json_t *hj = NULL, *pj = NULL;
	json_error_t je;
	EVP_PKEY *pkey = NULL;
	struct p384_key *ec = NULL;
	enum jwk_type type;
	struct issuer *is;
	enum ldn_status rc;
	int64_t now = (int64_t)now_t;

	memset(&c, 0, sizeof(c));
	if (claims)
		memset(claims, 0, sizeof(*claims));
	/* clamp so that now +- leeway cannot overflow */
	if (now > INT64_MAX / 2)
		now = INT64_MAX / 2;
	if (now < INT64_MIN / 2)
		now = INT64_MIN / 2;
	if (v == NULL || token == NULL || len == 0)
		return ldn_fail(err, LDN_E_SCHEMA, "token", "no token");
	if (len > v->max_token)
		return ldn_fail(err, LDN_E_SCHEMA, "token",
		    "the token is %zu bytes, over the limit of %zu", len,
		    v->max_token);
	for (size_t i = 0; i < len; i++)
		if (token[i] == '.') {
			if (dots == 0)
				d1 = token + i;
			else if (dots == 1)
				d2 = token + i;
			dots++;
		}
	if (dots != 2)
		return ldn_fail(err, LDN_E_SCHEMA, "token",
		    "a token is three base64url parts joined by two dots; "
		    "this one has %zu dot%s",
		    dots, dots == 1 ? "" : "s");
	/* an empty signature ("alg":"none") is refused by alg, below */
	if (d1 == token || d2 == d1 + 1)
		return ldn_fail(err, LDN_E_SCHEMA, "token",
		    "the token's %s part is empty",
		    d1 == token ? "header" : "payload");
	hb = part(token, (size_t)(d1 - token), &hl);
	pb = part(d1 + 1, (size_t)(d2 - d1 - 1), &pl);
	sb = part(d2 + 1, (size_t)(token + len - d2 - 1), &sl);
	if (hb == NULL || pb == NULL || sb == NULL) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "token",
		    "the token's %s part is not base64url (A-Z a-z 0-9 - _, "
		    "no padding)",
		    hb == NULL       ? "header"
		        : pb == NULL ? "payload"
		                     : "signature");
		goto out;
	}
	hj = json_loadb((const char *)hb, hl, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(hj)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "token",
		    "the token's header is not a JSON object");
		goto out;
	}
	if ((rc = check_header(hj, &alg, &kid, &jku, err)) != LDN_OK)
		goto out;
	pj = json_loadb((const char *)pb, pl, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(pj)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "token",
		    "the token's payload is not a JSON object");
		goto out;
	}
	if ((rc = claim_str(pj, "iss", true, c.iss, err)) != LDN_OK)
		goto out;
	if ((is = find_issuer(v, c.iss)) == NULL) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "iss",
		    "issuer \"%.200s\" is not trusted", c.iss);
		goto out;
	}
	if ((rc = token_key(v, is, jku, kid, alg, &pkey, &ec, &type, err)) !=
	    LDN_OK)
		goto out;
	if (type == JWK_EC_P384 ? sl != ES384_SIG
	                        : sl != (size_t)EVP_PKEY_get_size(pkey)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "signature",
		    "an %s signature of this key is %d bytes, not %zu", alg,
		    type == JWK_EC_P384 ? ES384_SIG : EVP_PKEY_get_size(pkey),
		    sl);
		goto out;
	}
	if (type == JWK_EC_P384 && (ec == NULL || !p384_key_prepare(ec))) {
		rc = nomem(err); /* its table could not be built */
		goto out;
	}
	if (!verify_sig(pkey, ec, type, token, (size_t)(d2 - token), sb, sl)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "signature",
		    "the %s signature does not verify with key \"%.100s\" of "
		    "issuer %s",
		    alg, kid ? kid : "(no kid)", c.iss);
		goto out;
	}
	if ((rc = check_times(v, pj, now, &c.exp, &c.iat, err)) != LDN_OK ||
	    (rc = check_aud(v, json_object_get(pj, "aud"), err)) != LDN_OK ||
	    (rc = claim_str(pj, "sub", false, c.sub, err)) != LDN_OK ||
	    (rc = claim_str(pj, "jti", true, c.jti, err)) != LDN_OK ||
	    (rc = jti_key(c.iss, c.jti, h, err)) != LDN_OK ||
	    (rc = replay_check(&v->rp, h, c.exp + v->leeway, now, c.jti,
	         err)) != LDN_OK)
		goto out;
	snprintf(c.kid, sizeof(c.kid), "%s", kid ? kid : "");
	snprintf(c.alg, sizeof(c.alg), "%s", alg);
	if (claims)
		*claims = c;
	rc = LDN_OK;
out:
	EVP_PKEY_free(pkey);
	p384_key_unref(ec);
	json_decref(hj);
	json_decref(pj);
	free(hb);
	free(pb);
	free(sb);
	return rc;
}
