/*
 * CDS Hooks 2.0 services, without HTTP: the discovery document, and a
 * service call's request JSON in, its response JSON ({"cards": [...]}) out.
 * The HTTP server maps paths and statuses; everything else is here.
 *
 * Services (ids):
 *   ldn-patient-view  hook patient-view: one card, may this patient start
 *                     LDN, when, the blocks and cautions of the plan
 *   ldn-order-select  hook order-select: cards for the draft orders in
 *                     context.selections
 *   ldn-order-sign    hook order-sign: cards for every draft order
 * For a naltrexone draft (any strength): an opioid on file, a planned
 * procedure, another block, a standard dose for a pain indication, an LDN
 * dose other than the first step (the last two with a suggestion that
 * replaces the draft with the first step).  For an opioid draft for a
 * patient whose medication list holds naltrexone: a warning (critical for
 * standard-dose naltrexone).  Drafts with neither: {"cards": []}.
 *
 * Prefetch.  Every service asks for the same templates (see the discovery
 * document): patient, conditions and medications are required; the others
 * (medicationStatements, observations, procedures, serviceRequests,
 * appointments) are read when present, and a card says which were not.
 * A key that is absent (or holds an OperationOutcome) is missing; a key
 * whose value is null holds no data, which is an answer.  The server's
 * part, per call:
 *
 *   1. ldn_cds_missing_prefetch(): the keys to fetch, each with its FHIR
 *      query (tokens substituted), fhirServer and the access token.
 *   2. If there are any and fhirServer is given, GET {fhirServer}/{query}
 *      with "Authorization: Bearer {access_token}" (when one is given) for
 *      each, following the Bundle's "next" links into one searchset if it
 *      likes; a request it cannot make is left out.
 *   3. ldn_cds_call_fetched() with the bodies fetched, each under its key
 *      (or ldn_cds_call() when nothing was fetched).
 *
 * A required key still missing then gives LDN_E_SCHEMA with where
 * "missing-prefetch" and a message that names the keys and queries.
 *
 * Errors (struct ldn_error; ldn_cds_http_status() maps them):
 *   where "service"            unknown service id              -> 404
 *   where "/..." (a pointer)   the request is not valid (not JSON, a
 *                              missing or wrong field, hook mismatch,
 *                              nesting too deep ...)           -> 400
 *   where "missing-prefetch"   required data absent            -> 412
 *   where "fetched/KEY..."     a fetched body is not usable    -> 412
 *   LDN_E_NOMEM, LDN_E_BUG ...                                 -> 500
 *
 * Dates: as_of is "YYYY-MM-DD", NULL for today (UTC); the same request and
 * as_of give the same bytes.  Card uuids are derived from the request's
 * hookInstance and the card's rule (SHA-256, shaped as a version-4 UUID),
 * so a repeated call gives the same uuids.  Output buffers are
 * NUL-terminated, *len bytes without the NUL, and freed by the caller with
 * free().  All functions are thread-safe on a shared KB.
 */
#ifndef LDN_CDS_H
#define LDN_CDS_H

#include <stdbool.h>
#include <stddef.h>

#include "ldn/error.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

/* The discovery document (GET /cds-services): the three services. */
enum ldn_status ldn_cds_discovery(const struct ldn_kb *kb, char **out,
    size_t *len, struct ldn_error *err);

/* Whether id names one of the services (for a 404 before reading a body). */
int ldn_cds_service_exists(const char *service_id);

/* What the server should fetch before calling. */
struct ldn_cds_fetch {
	const char *key;   /* the prefetch key, e.g. "medications" */
	const char *query; /* relative FHIR query, tokens substituted and
	                      percent-encoded: "MedicationRequest?patient=123
	                      &status=active" */
};

struct ldn_cds_missing {
	size_t n;
	const struct ldn_cds_fetch *items;
	const char *fhir_server;  /* the request's fhirServer, or NULL */
	const char *access_token; /* fhirAuthorization.access_token, or NULL */
};

/*
 * The prefetch keys the request lacks and the service needs (none for an
 * order hook whose drafts hold neither naltrexone nor an opioid), as *out,
 * freed with ldn_cds_missing_free().  Validates the request as
 * ldn_cds_call() does, with the same errors.
 */
enum ldn_status ldn_cds_missing_prefetch(const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, const char *as_of,
    struct ldn_cds_missing **out, struct ldn_error *err);
void ldn_cds_missing_free(struct ldn_cds_missing *m);

/* Answer a call: body is the request JSON (len bytes). */
enum ldn_status ldn_cds_call(const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, const char *as_of, char **out,
    size_t *out_len, struct ldn_error *err);

/* One body the server fetched: a FHIR resource or Bundle (JSON). */
struct ldn_cds_fetched {
	const char *key;
	const char *json;
	size_t len;
};

/* As ldn_cds_call(), with fetched bodies taking the place of their keys
 * in the request's prefetch (a fetched key the service does not know is
 * refused). */
enum ldn_status ldn_cds_call_fetched(const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len,
    const struct ldn_cds_fetched *fetched, size_t n_fetched, const char *as_of,
    char **out, size_t *out_len, struct ldn_error *err);

/*
 * GET fhir_server/query (with the EHR's access_token, or none) for the
 * prefetch a call lacks: a new buffer (freed by the caller with free())
 * of *len bytes of FHIR JSON, or NULL to leave that key out.
 */
typedef char *(*ldn_cds_fetch_fn)(void *ctx, const char *fhir_server,
    const char *access_token, const char *query, size_t *len);

/* Steps 1 to 3 above in one pass over the request: each key that is
 * missing, when the request names a fhirServer, is asked of fetch. */
enum ldn_status ldn_cds_call_fetching(const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, const char *as_of,
    ldn_cds_fetch_fn fetch, void *ctx, char **out, size_t *out_len,
    struct ldn_error *err);

/* As ldn_cds_call_fetching(), for a caller that owns the request's buffer
 * (the server): padded, LDN_INPUT_PADDING readable bytes (ldn/plan.h)
 * follow body[len], so the JSON parser reads the body where it lies
 * instead of copying it (230 KB for a large prefetch). */
enum ldn_status ldn_cds_call_fetching_padded(const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, bool padded,
    const char *as_of, ldn_cds_fetch_fn fetch, void *ctx, char **out,
    size_t *out_len, struct ldn_error *err);

/* The HTTP status for a result: 200, 400, 404, 412 or 500 (above). */
int ldn_cds_http_status(enum ldn_status rc, const struct ldn_error *err);

/*
 * One order checked outside a CDS Hooks call (`ldn check-order`, POST
 * /api/v1/check-order): the judgement of ldn-order-sign for a draft
 * MedicationRequest of `order` for the patient in `patient` (len bytes of
 * native patient JSON or a FHIR R4 Bundle, the whole record: no card says
 * what was not seen).  `order` is an RxNorm code (digits) or a drug's name
 * or free text ("tramadol 50 mg", "LDN 4.5 mg"); an order that names
 * neither naltrexone nor an opioid, or an opioid for a patient without
 * naltrexone, gives no card.  The answer is {"cards": [...]} as CDS Hooks
 * has it (LDN_FORMAT_JSON), or the cards as plain text (LDN_FORMAT_TEXT:
 * indicator, summary, detail and source); with LDN_AUDIENCE_PATIENT the
 * cards speak to the patient and carry no suggestion.  Errors name the
 * field: "order", "format", "as_of", or a JSON pointer into the patient.
 */
enum ldn_status ldn_check_order(const struct ldn_kb *kb, const char *patient,
    size_t len, const char *order, const char *as_of,
    enum ldn_audience audience, enum ldn_format format, char **out,
    size_t *out_len, struct ldn_error *err);

/* As ldn_check_order(), for a request body {"patient": <native JSON or a
 * FHIR Bundle>, "order": "CODE_OR_NAME"}; errors name "/patient/...",
 * "/order" or the member that is not one of these. */
enum ldn_status ldn_check_order_request(const struct ldn_kb *kb,
    const char *body, size_t len, const char *as_of, enum ldn_audience audience,
    enum ldn_format format, char **out, size_t *out_len, struct ldn_error *err);

#endif
