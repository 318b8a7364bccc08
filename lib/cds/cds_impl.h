/*
 * CDS Hooks inside the library: a request read and checked (request.c),
 * the patient's Bundle assembled from its prefetch and planned (cds.c),
 * and the cards written from the plan and the draft orders (cards.c).
 * Everything is owned by the request's arena.
 */
#ifndef LDN_CDS_IMPL_H
#define LDN_CDS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "ldn/cds.h"

#include "../base/arena.h"
#include "../base/error_impl.h"
#include "../base/tree.h"
#include "../draft.h"
#include "../kb/kb_impl.h"

enum hook {
	HOOK_PATIENT_VIEW,
	HOOK_ORDER_SELECT,
	HOOK_ORDER_SIGN
};

struct cds_service {
	const char *id, *hook_name;
	enum hook hook;
	const char *title, *description;
};

extern const struct cds_service cds_services[3];

/* The prefetch templates every service registers. */
struct cds_key {
	const char *key;
	const char *type; /* the resource type it holds */
	const char *tmpl; /* with prefetch tokens */
	bool required;
};

enum {
	N_KEYS = 8,
	CDS_MAX_DEPTH = 18, /* a resource in prefetch sits 5 levels down */
	CDS_ARENA_LIMIT = 256u << 20
};

extern const struct cds_key cds_keys[N_KEYS];

/* A MedicationRequest among the draft orders the hook is about. */
struct cds_draft {
	const struct jnode *res;
	const char *id;      /* its id, or NULL */
	const char *name;    /* words for cards */
	size_t index;        /* in draftOrders.entry */
	bool naltrexone;     /* naltrexone at any strength */
	enum med_class ncls; /* its naltrexone class, when naltrexone */
	int32_t dose_ug;     /* a dose's strength, -1 when unknown */
	bool opioid;         /* names an opioid (the reverse check) */
	enum med_class ocls; /* the opioid class with the longest washout */
};

/* Where the value of a prefetch key came from. */
enum origin {
	ORIGIN_NONE,     /* absent, or an OperationOutcome: missing */
	ORIGIN_PREFETCH, /* the request's prefetch */
	ORIGIN_FETCHED   /* fetched by the server */
};

struct cds_req {
	struct arena a;
	const struct ldn_kb *kb;
	const struct cds_service *svc;
	int32_t as_of;
	char as_of_str[11];
	struct ldn_error *err;

	const struct jnode *root, *context;
	const char *hook_instance, *patient_id, *user_id, *fhir_server;
	const char *access_token;

	/* per cds_keys[k]: its value (NULL when the value is null) */
	enum origin origin[N_KEYS];
	const struct jnode *value[N_KEYS];

	struct cds_draft *drafts; /* in the hook's scope */
	size_t n_drafts;
	bool any_naltrexone, any_opioid;

	/* AUD_CLINICIAN for CDS Hooks; `ldn check-order` may ask for the
	 * patient's words (then no suggestion either). */
	enum audience aud;
};

/* request.c: parse and check the request (body, len) for service_id; on
 * success r is ready and owns its arena (release with cds_req_free). */
enum ldn_status cds_req_open(struct cds_req *r, const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, const char *as_of,
    struct ldn_error *err);
/* As cds_req_open(); padded: JSON_INPUT_PADDING readable bytes follow
 * body[len], so the parser need not copy the body to pad it. */
enum ldn_status cds_req_open_padded(struct cds_req *r, const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, bool padded,
    const char *as_of, struct ldn_error *err);
void cds_req_free(struct cds_req *r);
/* Check a prefetch value (a resource or Bundle) for key k, found at path
 * (a JSON pointer, or "fetched/KEY"), and record it. */
enum ldn_status cds_req_set_value(struct cds_req *r, size_t k,
    const struct jnode *v, enum origin origin, const char *path);
/* Whether the hook's drafts need the patient's record at all (always for
 * patient-view). */
bool cds_req_needs_record(const struct cds_req *r);

/* cds.c: the query of key k with its tokens substituted, or NULL. */
char *cds_query(struct cds_req *r, size_t k);

/* cards.c: the response for r and its plan (NULL when no record was
 * needed), written into *out. */
enum ldn_status cds_cards(struct cds_req *r, const struct ldn_plan *pl,
    char **out, size_t *len);

/* Naltrexone classes, and the washout an opioid class needs. */
bool cds_is_naltrexone(enum med_class c);
int32_t cds_washout_d(const struct ldn_kb *kb, enum med_class c);

#endif
