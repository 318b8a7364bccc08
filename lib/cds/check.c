/*
 * One order checked outside a CDS Hooks call: the patient's record read
 * and planned as `ldn plan` reads it, the order turned into a draft
 * MedicationRequest of an order-sign request built here, and the cards of
 * ldn-order-sign (cards.c) written for it.  No rule is decided here; this
 * file only builds the request and lays the cards out as text.
 */
#include "cds_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"
#include "../intake/codes.h"
#include "../intake/intake.h"
#include "../kb/words.h"
#include "../render/render.h"

static const char SYS_RXNORM[] = "http://www.nlm.nih.gov/research/umls/rxnorm";

enum {
	ORDER_MAX = 1000, /* bytes, as a patient's strings */
	RXNORM_MAX_DIGITS = 10,
	CHECK_LIMIT = 64u << 20
};

/* Whether s is n bytes of well-formed UTF-8 without control characters. */
static bool
clean_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k = c < 0x80                   ? 1
		    : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2
		    : (c & 0xF0) == 0xE0              ? 3
		    : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4
		                                      : 0;

		if (k == 0 || i + k > n || c < 0x20 || c == 0x7F)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		if (k == 3 &&
		    ((c == 0xE0 && s[i + 1] < 0xA0) ||
		        (c == 0xED && s[i + 1] >= 0xA0)))
			return false;
		if (k == 4 &&
		    ((c == 0xF0 && s[i + 1] < 0x90) ||
		        (c == 0xF4 && s[i + 1] >= 0x90)))
			return false;
		i += k;
	}
	return true;
}

/* The order as given: an RxNorm code (*is_code) or words. */
static enum ldn_status
check_order_text(const char *order, const char *where, bool *is_code,
    struct ldn_error *err)
{
	size_t n = order ? strlen(order) : 0, digits = 0, blank = 0;

	if (order == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "the order is required: an RxNorm code or a drug's name");
	for (size_t i = 0; i < n; i++) {
		digits += order[i] >= '0' && order[i] <= '9';
		blank += order[i] == ' ';
	}
	if (n == blank)
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "the order is empty: give an RxNorm code or a drug's name");
	if (n > ORDER_MAX)
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "the order is %zu bytes; at most %d", n, ORDER_MAX);
	if (!clean_utf8((const unsigned char *)order, n))
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "the order holds a control character or is not UTF-8");
	*is_code = digits == n;
	if (*is_code && (n > RXNORM_MAX_DIGITS || order[0] == '0'))
		return ldn_fail(err, LDN_E_SCHEMA, where,
		    "\"%.40s\" is not an RxNorm code (1 to %d digits, no "
		    "leading zero)",
		    order, RXNORM_MAX_DIGITS);
	return LDN_OK;
}

/* An order that calls itself LDN ("LDN", "low dose") at a strength above
 * the LDN maximum is refused: it is standard-dose naltrexone, or a
 * mistake, and either way not an LDN order. */
static enum ldn_status
check_ldn_dose(const struct ldn_kb *kb, const char *order, const char *where,
    struct ldn_error *err)
{
	struct words w;
	bool ldn = false;
	int32_t ug = words_mg_after(order, NULL);

	words_split(&w, order, strlen(order));
	for (size_t k = 0; k < w.n; k++)
		ldn |= strcmp(w.w[k], "ldn") == 0 || strcmp(w.w[k], "low") == 0;
	if (!ldn || ug <= kb->params.ldn_max_ug)
		return LDN_OK;
	return ldn_fail(err, LDN_E_SCHEMA, where,
	    "\"%.60s\" names LDN at %g mg, above %g mg, the most low-dose "
	    "naltrexone can be (dose.ldn_max_ug); 50 mg is standard-dose "
	    "naltrexone (ldn plan --regimen aud50|oud), not LDN",
	    order, ug / 1000.0, kb->params.ldn_max_ug / 1000.0);
}

/*
 * An order-sign request whose one draft is the order: its RxNorm coding
 * (with the knowledge base's name for the code, when it has one) or its
 * words as the concept's text.
 */
static char *
request_json(const struct ldn_kb *kb, const char *order, bool is_code,
    const char *patient_id, size_t *len)
{
	struct strbuf b = STRBUF_INIT(1u << 20);
	struct jw w;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "hookInstance", "ldn-check-order");
	jw_kstr(&w, "hook", "order-sign");
	jw_key(&w, "context");
	jw_obj(&w);
	jw_kstr(&w, "patientId", patient_id);
	jw_key(&w, "draftOrders");
	jw_obj(&w);
	jw_kstr(&w, "resourceType", "Bundle");
	jw_kstr(&w, "type", "collection");
	jw_key(&w, "entry");
	jw_arr(&w);
	jw_obj(&w);
	jw_key(&w, "resource");
	jw_obj(&w);
	jw_kstr(&w, "resourceType", "MedicationRequest");
	jw_kstr(&w, "id", "check-order");
	jw_kstr(&w, "status", "draft");
	jw_kstr(&w, "intent", "order");
	jw_key(&w, "medicationCodeableConcept");
	jw_obj(&w);
	if (is_code) {
		struct medication m = { 0 };

		m.rxnorm = order;
		codes_medication(kb, &m);
		jw_key(&w, "coding");
		jw_arr(&w);
		jw_obj(&w);
		jw_kstr(&w, "system", SYS_RXNORM);
		jw_kstr(&w, "code", order);
		if (m.code_display != NULL)
			jw_kstr(&w, "display", m.code_display);
		jw_end_obj(&w);
		jw_end_arr(&w);
		if (m.code_display == NULL) {
			char t[32];

			snprintf(t, sizeof(t), "RxNorm %s", order);
			jw_kstr(&w, "text", t);
		}
	} else {
		jw_kstr(&w, "text", order);
	}
	jw_end_obj(&w);
	jw_end_obj(&w);
	jw_end_obj(&w);
	jw_end_arr(&w);
	jw_end_obj(&w);
	jw_end_obj(&w);
	jw_end_obj(&w);
	if (b.failed) {
		sb_free(&b);
		return NULL;
	}
	return sb_take(&b, len);
}

/* Markdown of a card's detail as plain text: no escapes, no emphasis. */
static void
plain_line(struct strbuf *t, const char *s, size_t n)
{
	t->len = 0;
	if (n >= 4 && strncmp(s, "**", 2) == 0 &&
	    strncmp(s + n - 2, "**", 2) == 0) {
		s += 2;
		n -= 4;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		sb_add(t, &s[i], 1);
	}
}

/* The cards (JSON, as cards.c wrote them) as text. */
static enum ldn_status
cards_text(struct arena *a, const char *json, size_t len, const char *order,
    const struct ldn_plan *pl, char **out, size_t *out_len,
    struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(CHECK_LIMIT),
	              t = STRBUF_INIT(CHECK_LIMIT);
	struct jnode *root;
	const struct jnode *cards;
	const char *pid = ldn_plan_patient_id(pl);
	enum ldn_status rc;

	rc = json_parse_kept(a, json, len, false, CDS_MAX_DEPTH + 8, NULL,
	    &root, err);
	if (rc != LDN_OK)
		return rc == LDN_E_NOMEM ? rc : LDN_E_BUG;
	cards = tree_get(root, "cards");
	sb_printf(&b, "Order: %s\nPatient: %s    As of: %s\n", order,
	    pid ? pid : "(no identifier)", ldn_plan_as_of(pl));
	if (cards == NULL || cards->n == 0) {
		/* No card is reassuring only if the order was recognised:
		 * say which it is, so a misspelt opioid is not waved on. */
		struct medication m = { 0 };
		size_t n = strlen(order);

		if (n > 0 && strspn(order, "0123456789") == n)
			m.rxnorm = order;
		else
			m.name = order;
		codes_medication(ldn_plan_kb(pl), &m);
		if (m.cls == MC_NONE)
			sb_puts(&b,
			    "\nNo card, but the order was not recognised as an "
			    "opioid, an opioid-containing product or "
			    "naltrexone "
			    "(by RxNorm code or name). Check the spelling or "
			    "give the RxNorm code: this check cannot vouch for "
			    "an order it does not recognise.\n");
		else
			sb_printf(&b,
			    "\nNo card: the order was recognised (%s) and "
			    "nothing in this patient's record conflicts with "
			    "it.\n",
			    med_class_names[m.cls]);
	}
	for (size_t i = 0; cards && i < cards->n; i++) {
		const struct jnode *c = &cards->u.items[i];
		const struct jnode *ind = tree_get(c, "indicator");
		const struct jnode *sum = tree_get(c, "summary");
		const struct jnode *det = tree_get(c, "detail");
		const struct jnode *src =
		    tree_get(tree_get(c, "source"), "label");
		const struct jnode *sug = tree_get(c, "suggestions");
		char tag[16];
		size_t k = 0;

		for (const char *p = ind ? ind->u.s : "info";
		     *p && k + 1 < sizeof(tag); p++)
			tag[k++] =
			    (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		tag[k] = '\0';
		sb_printf(&b, "\n[%s] ", tag);
		render_wrap(&b, sum ? sum->u.s : "", strlen(tag) + 3, 2);
		sb_puts(&b, "\n");
		for (const char *p = det ? det->u.s : ""; *p;) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			const char *q = p;
			size_t lead = 2;

			p += n + (e != NULL);
			if (n == 0) {
				if (b.len > 1 && b.s[b.len - 2] != '\n')
					sb_puts(&b, "\n");
				continue;
			}
			plain_line(&t, q, n);
			const char *l = sb_cstr(&t);
			if (l[0] == '-' && l[1] == ' ')
				lead = 4;
			else
				for (size_t d = 0; l[d] >= '0' && l[d] <= '9';
				     d++)
					if (l[d + 1] == '.' && l[d + 2] == ' ')
						lead = d + 5;
			sb_puts(&b, "  ");
			render_wrap(&b, l, 2, lead);
		}
		for (size_t s = 0; sug && s < sug->n; s++) {
			const struct jnode *l =
			    tree_get(&sug->u.items[s], "label");

			sb_puts(&b, "  Suggestion: ");
			render_wrap(&b, l ? l->u.s : "", 14, 4);
		}
		sb_printf(&b, "  Source: %s\n", src ? src->u.s : "ldn");
	}
	return render_finish(&b, &t, out, out_len, err);
}

/* The cards for the order and a patient already read (root). */
static enum ldn_status
check(const struct ldn_kb *kb, const struct jnode *root, const char *where,
    const char *order, const char *as_of, enum ldn_audience audience,
    enum ldn_format format, char **out, size_t *out_len, struct ldn_error *err)
{
	struct ldn_plan *pl = NULL;
	struct cds_req r;
	const char *pid;
	char *body = NULL, *json = NULL;
	size_t blen = 0, jlen = 0;
	int32_t day;
	bool is_code = false;
	enum ldn_status rc;

	if (format != LDN_FORMAT_JSON && format != LDN_FORMAT_TEXT)
		return ldn_fail(err, LDN_E_SCHEMA, "format",
		    "the cards are JSON or text");
	if (as_of == NULL)
		day = date_today();
	else if (!date_parse(as_of, strlen(as_of), &day))
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "\"%.40s\" is not a date YYYY-MM-DD", as_of);
	rc = check_order_text(order, where, &is_code, err);
	if (rc == LDN_OK && !is_code)
		rc = check_ldn_dose(kb, order, where, err);
	if (rc != LDN_OK)
		return rc;
	rc = plan_build_tree(kb, root, day, NULL, NULL, &pl, err);
	if (rc == LDN_E_PARSE)
		rc = err->code = LDN_E_SCHEMA;
	if (rc != LDN_OK)
		return rc;
	pid = ldn_plan_patient_id(pl);
	body = request_json(kb, order, is_code,
	    pid != NULL && *pid != '\0' ? pid : "patient", &blen);
	if (body == NULL) {
		ldn_plan_free(pl);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	rc = cds_req_open(&r, kb, "ldn-order-sign", body, blen,
	    ldn_plan_as_of(pl), err);
	if (rc == LDN_OK) {
		/* The file is the whole record: nothing went unseen. */
		for (size_t k = 0; k < N_KEYS; k++)
			r.origin[k] = ORIGIN_PREFETCH;
		r.aud = audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT
		                                         : AUD_CLINICIAN;
		rc = cds_cards(&r, pl, &json, &jlen);
	}
	if (rc == LDN_E_SCHEMA || rc == LDN_E_PARSE)
		rc = ldn_fail(err, LDN_E_BUG, "",
		    "the request built for the order was refused: %s: %s",
		    err->where, err->msg);
	if (rc == LDN_OK && format == LDN_FORMAT_TEXT) {
		rc = cards_text(&r.a, json, jlen, order, pl, out, out_len, err);
		free(json);
	} else if (rc == LDN_OK) {
		*out = json;
		*out_len = jlen;
	}
	cds_req_free(&r);
	free(body);
	ldn_plan_free(pl);
	return rc;
}

enum ldn_status
ldn_check_order(const struct ldn_kb *kb, const char *patient, size_t len,
    const char *order, const char *as_of, enum ldn_audience audience,
    enum ldn_format format, char **out, size_t *out_len, struct ldn_error *err)
{
	struct arena a = ARENA_INIT(CDS_ARENA_LIMIT);
	struct ldn_error local;
	struct jnode *root;
	enum ldn_status rc;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	rc = json_parse_kept(&a, patient ? patient : "", patient ? len : 0,
	    false, INTAKE_MAX_DEPTH, fhir_types_read, &root, err);
	if (rc == LDN_OK)
		rc = check(kb, root, "order", order, as_of, audience, format,
		    out, out_len, err);
	arena_free(&a);
	return rc;
}

enum ldn_status
ldn_check_order_request(const struct ldn_kb *kb, const char *body, size_t len,
    const char *as_of, enum ldn_audience audience, enum ldn_format format,
    char **out, size_t *out_len, struct ldn_error *err)
{
	struct arena a = ARENA_INIT(CDS_ARENA_LIMIT);
	struct ldn_error local;
	struct jnode *root;
	const struct jnode *patient, *order;
	enum ldn_status rc;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	rc = json_parse_kept(&a, body ? body : "", body ? len : 0, false,
	    INTAKE_MAX_DEPTH + 1, fhir_types_read, &root, err);
	if (rc != LDN_OK)
		goto done;
	if (root->type != J_OBJ) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "",
		    "the body is an object {\"patient\": ..., \"order\": "
		    "...}, not %s",
		    tree_type_name(root->type));
		goto done;
	}
	for (size_t i = 0; i < root->n; i++) {
		const char *k = root->u.members[i].key;

		if (strcmp(k, "patient") != 0 && strcmp(k, "order") != 0) {
			char at[96];

			snprintf(at, sizeof(at), "/%.80s", k);
			rc = ldn_fail(err, LDN_E_SCHEMA, at,
			    "unknown member: the body holds \"patient\" and "
			    "\"order\"");
			goto done;
		}
	}
	patient = tree_get(root, "patient");
	order = tree_get(root, "order");
	if (patient == NULL) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "/patient",
		    "\"patient\" is required: native patient JSON or a FHIR "
		    "Bundle");
		goto done;
	}
	if (order != NULL &&
	    (order->type != J_STR || strlen(order->u.s) != order->n)) {
		rc = ldn_fail(err, LDN_E_SCHEMA, "/order",
		    "must be a string (an RxNorm code or a drug's name), not "
		    "%s",
		    tree_type_name(order->type));
		goto done;
	}
	rc = check(kb, patient, "/order", order ? order->u.s : NULL, as_of,
	    audience, format, out, out_len, err);
	if (rc != LDN_OK && err->where[0] == '/' &&
	    strcmp(err->where, "/order") != 0) {
		char inner[sizeof(err->where)];

		snprintf(inner, sizeof(inner), "%s", err->where);
		snprintf(err->where, sizeof(err->where), "/patient%.*s",
		    (int)(sizeof(err->where) - 9), inner);
	} else if (rc != LDN_OK && err->where[0] == '\0' &&
	    (rc == LDN_E_SCHEMA || rc == LDN_E_PARSE)) {
		snprintf(err->where, sizeof(err->where), "/patient");
	}
done:
	if (rc == LDN_E_PARSE)
		rc = err->code = LDN_E_SCHEMA;
	arena_free(&a);
	return rc;
}
