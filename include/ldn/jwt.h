/*
 * CDS Hooks bearer tokens: verifying the JWT a CDS client sends as
 * `Authorization: Bearer <JWT>` (CDS Hooks 2.0, "Trusting CDS Clients").
 * No HTTP here: the caller strips "Bearer ", passes the token and the time,
 * and answers 401 when it is refused.
 *
 * A token passes when all of these hold, checked in this order; the first
 * that fails names itself in err->where:
 *
 *   "token"     at most the size limit (default 8 KiB); exactly three
 *               parts, header.payload.signature, each strict base64url (no
 *               padding, no white space, canonical); header and payload JSON
 *               objects without duplicate keys
 *   "alg"       the header's alg is ES384 or RS384 (none, HS*, anything
 *               else: refused), and the key chosen is of that type
 *   "typ"       typ, if present, is "JWT"
 *   "crit"      absent (no extension is understood)
 *   "iss"       a string, one of the issuers added
 *   "jku"       if the issuer has allowed jku URLs, a jku in the header is
 *               one of them and its keys could be had (below)
 *   "kid"       names a key of the issuer; it may be left out only when
 *               the issuer has exactly one key
 *   "signature" ES384: 96 bytes, R || S; RS384: PKCS#1 v1.5, the size of
 *               the modulus; and it verifies over header.payload
 *   "exp"       a number, and now <= exp + leeway
 *   "nbf"       if present, now >= nbf - leeway
 *   "iat"       a number (the spec requires it), and iat <= now + leeway
 *   "aud"       a string or an array of strings, one of which is exactly an
 *               audience added (the full URL of the service called)
 *   "sub"       if present, a string
 *   "jti"       a non-empty string, never seen before from this issuer
 *               while that earlier token could still be accepted (the
 *               replay cache: entries live until their exp + leeway)
 *
 * Every refusal of the token returns LDN_E_SCHEMA with err->where as above
 * and a sentence in err->msg; any input, however malformed, gives a
 * refusal, never a crash.  LDN_E_NOMEM is an allocation failure; when a
 * jku hook fails, its own status (LDN_E_IO, say), or the error in the JWK
 * Set it gave, is returned with where "jku".  The replay cache is
 * bounded: when it holds its capacity of live tokens, new tokens are
 * refused ("jti") until some expire, rather than forgetting a live one
 * (fail closed).
 *
 * Keys.  Each issuer comes with a JWK Set (EC P-384 and RSA keys), or with
 * jku URLs it may name in the header, or both.  The verifier never fetches
 * a URL.  For a jku, the caller either registers its JWK Set
 * (ldn_jwt_set_jku_keys, at start and whenever it refreshes it), or sets a
 * hook (ldn_jwt_set_jku_fetch) that the verifier calls when a token names
 * an allowed jku whose keys are not registered or lack the token's kid
 * (without a jku header: each of the issuer's allowed jkus); what the hook
 * returns is registered, and the key looked up once more.  The hook runs
 * with no lock held and must rate-limit and time out by itself: a token's
 * kid is chosen by whoever sent it.  A jku that is not allowed is never
 * passed to the hook.  An issuer with only a JWK Set and no allowed jku
 * ignores the jku header (its keys are pinned).
 *
 * Threads: configure the verifier (new, add_*, allow_jku, set_*) before
 * sharing it; then ldn_jwt_verify, ldn_jwt_allow_jku and
 * ldn_jwt_set_jku_keys may be called from any number of threads at once.
 */
#ifndef LDN_JWT_H
#define LDN_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ldn/error.h"

struct ldn_jwt_verifier;

/* What a verified token says (strings NUL-terminated, "" when absent). */
struct ldn_jwt_claims {
	char iss[256];
	char sub[256];
	char jti[256];
	char kid[256]; /* the header's key id */
	char alg[8];   /* "ES384" or "RS384" */
	int64_t exp;   /* seconds since the epoch */
	int64_t iat;
};

/*
 * Get the JWK Set of url, a jku allowed for issuer iss: put its JSON text
 * in a new buffer *jwks (*len bytes) that the verifier frees with free(),
 * and return LDN_OK; or return a status and fill err.
 */
typedef enum ldn_status (*ldn_jwt_jku_fn)(void *ctx, const char *iss,
    const char *url, char **jwks, size_t *len, struct ldn_error *err);

enum ldn_status ldn_jwt_verifier_new(struct ldn_jwt_verifier **out,
    struct ldn_error *err);
void ldn_jwt_verifier_free(struct ldn_jwt_verifier *v);

/* An audience the tokens must name: the full URL of the service called
 * (e.g. "https://ldn.example.org/cds-services/ldn-start"), compared
 * byte for byte.  Add one per service or URL the server answers to. */
enum ldn_status ldn_jwt_add_audience(struct ldn_jwt_verifier *v,
    const char *url, struct ldn_error *err);

/*
 * Trust issuer iss (compared byte for byte, at most 255 bytes), with the
 * keys of the JWK Set in jwks[0..len) (JSON text); jwks may be NULL for an
 * issuer whose keys come only through jku URLs.  Errors in the set are
 * LDN_E_PARSE or LDN_E_SCHEMA with a JSON pointer into it.  An issuer is
 * added once.
 */
enum ldn_status ldn_jwt_add_issuer(struct ldn_jwt_verifier *v, const char *iss,
    const char *jwks, size_t len, struct ldn_error *err);

/* Allow issuer iss (already added) to name url as its jku. */
enum ldn_status ldn_jwt_allow_jku(struct ldn_jwt_verifier *v, const char *iss,
    const char *url, struct ldn_error *err);

/* Register (or replace) the JWK Set fetched from url, a jku of issuer iss;
 * allows url if it was not.  Tokens being verified meanwhile finish with
 * the keys they started with. */
enum ldn_status ldn_jwt_set_jku_keys(struct ldn_jwt_verifier *v,
    const char *iss, const char *url, const char *jwks, size_t len,
    struct ldn_error *err);

/* The hook described above; NULL: none (the default). */
void ldn_jwt_set_jku_fetch(struct ldn_jwt_verifier *v, ldn_jwt_jku_fn fn,
    void *ctx);

/* Clock skew allowed on exp, nbf and iat, 0 to 86,400 s (default 60). */
void ldn_jwt_set_leeway(struct ldn_jwt_verifier *v, int seconds);

/* Largest token accepted, 64 bytes to 1 MiB (default 8,192). */
void ldn_jwt_set_max_token(struct ldn_jwt_verifier *v, size_t bytes);

/* Live tokens the replay cache holds, 1 to 2^24 (default 100,000, about
 * 6 MB); forgets every token it holds.  Call before verifying. */
enum ldn_status ldn_jwt_set_replay_capacity(struct ldn_jwt_verifier *v,
    size_t tokens, struct ldn_error *err);

/*
 * Verify token[0..len) as of now (seconds since the epoch, from the
 * caller's clock).  On LDN_OK the token's jti is recorded and, if claims
 * is not NULL, *claims is filled.  On a refusal *claims is cleared.
 */
enum ldn_status ldn_jwt_verify(struct ldn_jwt_verifier *v, const char *token,
    size_t len, time_t now, struct ldn_jwt_claims *claims,
    struct ldn_error *err);

#endif
