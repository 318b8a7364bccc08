/*
 * POST /api/v1/ask's body: {"question": "...", "patient": <native JSON or
 * a FHIR Bundle>, "audience": "clinician"|"patient", "as_of": "YYYY-MM-DD"},
 * all but the question optional, read and checked here so every error
 * names its member.
 */
#include "ldn/ask.h"

#include <stdio.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/tree.h"
#include "../draft.h"
#include "../intake/intake.h"
#include "ask_impl.h"

enum {
	REQUEST_ARENA_LIMIT = 64u << 20
};

static enum ldn_status
string_member(const struct jnode *root, const char *key, const char **out,
    size_t *len, struct ldn_error *err)
{
	const struct jnode *v = tree_get(root, key);
	char at[32];

	*out = NULL;
	if (v == NULL)
		return LDN_OK;
	snprintf(at, sizeof(at), "/%s", key);
	if (v->type != J_STR)
		return ldn_fail(err, LDN_E_SCHEMA, at,
		    "must be a string, not %s", tree_type_name(v->type));
	*out = v->u.s;
	if (len != NULL)
		*len = v->n;
	else if (strlen(v->u.s) != v->n)
		return ldn_fail(err, LDN_E_SCHEMA, at,
		    "must not contain a NUL character");
	return LDN_OK;
}

enum ldn_status
ldn_ask_request(const struct ldn_ask *ask, const char *body, size_t len,
    const char *as_of, const struct ldn_review *review, enum ldn_format format,
    char **out, size_t *out_len, struct ldn_error *err)
{
	static const char *const keys[] = { "question", "patient", "audience",
		"as_of", NULL };
	const struct ldn_kb *kb = ask_index_kb(ask);
	struct arena a = ARENA_INIT(REQUEST_ARENA_LIMIT);
	struct ldn_error local;
	struct jnode *root;
	const struct jnode *patient;
	const char *question, *aud_s, *as_of_s;
	size_t q_len = 0;
	enum ldn_audience aud = LDN_AUDIENCE_CLINICIAN;
	struct ldn_plan *pl = NULL;
	enum ldn_status rc;
	int32_t day;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	rc = json_parse_kept(&a, body ? body : "", body ? len : 0, false,
	    INTAKE_MAX_DEPTH + 1, fhir_types_read, &root, err);
	if (rc != LDN_OK)
		goto done;
	if (root->type != J_OBJ) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "",
		    "the body is an object {\"question\": ...}, not %s",
		    tree_type_name(root->type));
		goto done;
	}
	for (size_t i = 0; i < root->n; i++) {
		size_t k = 0;

		while (keys[k] && strcmp(keys[k], root->u.members[i].key))
			k++;
		if (keys[k] == NULL) {
			char at[96];

			snprintf(at, sizeof(at), "/%.80s",
			    root->u.members[i].key);
			rc = ldn_fail(err, LDN_E_SCHEMA, at,
			    "unknown member: the body holds \"question\", "
			    "\"patient\", \"audience\" and \"as_of\"");
			goto done;
		}
	}
	if ((rc = string_member(root, "question", &question, &q_len, err)) !=
	        LDN_OK ||
	    (rc = string_member(root, "audience", &aud_s, NULL, err)) !=
	        LDN_OK ||
	    (rc = string_member(root, "as_of", &as_of_s, NULL, err)) != LDN_OK)
		goto done;
	if (question == NULL) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "/question",
		    "\"question\" is required");
		goto done;
	}
	if (aud_s != NULL && strcmp(aud_s, "patient") == 0)
		aud = LDN_AUDIENCE_PATIENT;
	else if (aud_s != NULL && strcmp(aud_s, "pharmacist") == 0)
		aud = LDN_AUDIENCE_PHARMACIST;
	else if (aud_s != NULL && strcmp(aud_s, "clinician") != 0) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "/audience",
		    "\"%.40s\" is not clinician, patient or pharmacist", aud_s);
		goto done;
	}
	if (as_of_s != NULL)
		as_of = as_of_s;
	if (as_of == NULL) {
		day = date_today();
	} else if (!date_parse(as_of, strlen(as_of), &day)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, as_of_s ? "/as_of" : "as_of",
		    "\"%.40s\" is not a date YYYY-MM-DD", as_of);
		goto done;
	}
	patient = tree_get(root, "patient");
	if (patient != NULL && patient->type != J_OBJ) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "/patient",
		    "must be an object (native patient JSON or a FHIR "
		    "Bundle), not %s",
		    tree_type_name(patient->type));
		goto done;
	}
	if (patient != NULL) {
		rc = plan_build_tree(kb, patient, day, NULL, NULL, &pl, err);
		if (rc != LDN_OK) {
			char inner[sizeof(err->where)];

			snprintf(inner, sizeof(inner), "%s", err->where);
			snprintf(err->where, sizeof(err->where), "/patient%.*s",
			    (int)(sizeof(err->where) - 9),
			    inner[0] == '/' ? inner : "");
			goto done;
		}
	}
	rc = ldn_ask_answer(ask, question, q_len, pl, review, aud, format, out,
	    out_len, err);
done:
	if (rc == LDN_E_PARSE)
		rc = err->code = LDN_E_SCHEMA;
	ldn_plan_free(pl);
	arena_free(&a);
	return rc;
}
