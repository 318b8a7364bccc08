/*
 * The question index: every statement of the KB, in clinician and patient
 * words, normalised and expanded with its synonym groups, in an in-memory
 * SQLite FTS5 table ranked by bm25().  A question goes through the same
 * normalisation, plus typo repair and drug names read as their class; the
 * FTS query is built only from words the index holds, each quoted, so a
 * question can never reach FTS5's query syntax.
 */
#include "ldn/ask.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../base/error_impl.h"
#include "../base/strbuf.h"
#include "../kb/words.h"
#include "ask_impl.h"

struct ldn_ask {
	const struct ldn_kb *kb;
	const struct ask_kb *ak;
	sqlite3 *db;
	sqlite3_stmt *query; /* guarded by mu */
	pthread_mutex_t mu;
	struct arena arena;
	const char **vocab; /* every indexed word, sorted */
	size_t n_vocab;
	const char **drugs; /* every word of a medication name, sorted */
	size_t n_drugs;
};

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
in_set(const char **set, size_t n, const char *w)
{
	return bsearch(&w, set, n, sizeof(*set), str_cmp) != NULL;
}

/* Sort and drop repeats. */
static size_t
uniq(const char **set, size_t n)
{
	size_t o = 0;

	qsort(set, n, sizeof(*set), str_cmp);
	for (size_t i = 0; i < n; i++)
		if (o == 0 || strcmp(set[o - 1], set[i]) != 0)
			set[o++] = set[i];
	return o;
}

/* Normalised words of text, stopwords kept (phrases may hold them). */
static size_t
norm_words(const char *text, size_t len, char (*out)[ASK_WORD_MAX], size_t max)
{
	struct words w;
	size_t n = 0;

	words_split(&w, text, len);
	for (size_t i = 0; i < w.n && n < max; i++)
		ask_norm(w.w[i], out[n++]);
	return n;
}

/* The words a statement is indexed on: its own (no stopwords) and the
 * group word of every synonym it holds, space-separated into b. */
static void
doc_words(const struct ask_kb *ak, const char *text, struct strbuf *b)
{
	char w[WORDS_MAX][ASK_WORD_MAX];
	size_t n = norm_words(text, strlen(text), w, WORDS_MAX);

	for (size_t i = 0; i < n; i++) {
		const struct ask_syn *p = ask_phrase_at(ak, w, n, i);
		const struct ask_syn *s;

		if (p != NULL) {
			sb_printf(b, " %s", p->canon);
			/* the words themselves stay indexed too */
		}
		if (ask_is_stopword(w[i]))
			continue;
		sb_printf(b, " %s", w[i]);
		s = ask_syn_find(ak, w[i]);
		if (s != NULL && strcmp(s->canon, w[i]) != 0)
			sb_printf(b, " %s", s->canon);
	}
}

static enum ldn_status
sql_fail(sqlite3 *db, struct ldn_error *err)
{
	return ldn_fail(err, LDN_E_BUG, "ask", "the question index: %s",
	    sqlite3_errmsg(db));
}

/* Collect the distinct words of the space-separated text into vocab. */
static void
add_vocab(struct ldn_ask *ask, const char *text, const char ***vocab, size_t *n,
    size_t *cap)
{
	const char *p = text;

	while (*p) {
		const char *e;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 1024;
			const char **nv =
			    arena_calloc(&ask->arena, nc, sizeof(*nv));

			if (nv == NULL)
				return;
			if (*n)
				memcpy(nv, *vocab, *n * sizeof(*nv));
			*vocab = nv;
			*cap = nc;
		}
		(*vocab)[(*n)++] =
		    arena_strndup(&ask->arena, p, (size_t)(e - p));
		p = e;
	}
}

static enum ldn_status
build(struct ldn_ask *ask, struct ldn_error *err)
{
	const struct ldn_kb *kb = ask->kb;
	sqlite3_stmt *ins = NULL;
	struct strbuf b = STRBUF_INIT(1u << 20);
	size_t cap = 0, nd = 0;
	enum ldn_status rc = LDN_OK;

	if (sqlite3_open_v2(":memory:", &ask->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_FULLMUTEX,
	        NULL) != SQLITE_OK)
		return sql_fail(ask->db, err);
	/* One transaction, then one merged segment: a query then reads one
	 * b-tree instead of one per insert (1.5 ms to under 0.1). */
	if (sqlite3_exec(ask->db,
	        "CREATE VIRTUAL TABLE doc USING fts5(body, tokenize='ascii');"
	        "BEGIN",
	        NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ask->db,
	        "INSERT INTO doc(rowid, body) VALUES (?1, ?2)", -1, &ins,
	        NULL) != SQLITE_OK)
		return sql_fail(ask->db, err);
	for (size_t i = 0; i < kb->n_statements && rc == LDN_OK; i++) {
		const struct kb_statement *st = &kb->statements[i];

		b.len = 0;
		/* the section's name too: "is it safe" finds safety */
		doc_words(ask->ak, section_ids[st->section], &b);
		for (int a = 0; a < AUD_COUNT; a++)
			doc_words(ask->ak, st->plain[a], &b);
		if (b.failed) {
			rc = ldn_fail(err, LDN_E_NOMEM, "ask", "out of memory");
			break;
		}
		add_vocab(ask, sb_cstr(&b), &ask->vocab, &ask->n_vocab, &cap);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
		sqlite3_bind_text(ins, 2, sb_cstr(&b), (int)b.len,
		    SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = sql_fail(ask->db, err);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	sb_free(&b);
	if (rc != LDN_OK)
		return rc;
	if (sqlite3_exec(ask->db,
	        "COMMIT; INSERT INTO doc(doc) VALUES ('optimize')", NULL, NULL,
	        NULL) != SQLITE_OK)
		return sql_fail(ask->db, err);
	ask->n_vocab = uniq(ask->vocab, ask->n_vocab);
	/* the words of medication names, so a question's drug is known */
	for (size_t i = 0; i < kb->n_med_names; i++)
		nd += kb->med_names[i].n;
	ask->drugs = arena_calloc(&ask->arena, nd + 1, sizeof(*ask->drugs));
	if (ask->drugs == NULL || ask->arena.failed)
		return ldn_fail(err, LDN_E_NOMEM, "ask", "out of memory");
	for (size_t i = 0; i < kb->n_med_names; i++)
		for (size_t k = 0; k < kb->med_names[i].n; k++)
			ask->drugs[ask->n_drugs++] = kb->med_names[i].words[k];
	ask->n_drugs = uniq(ask->drugs, ask->n_drugs);
	if (sqlite3_prepare_v3(ask->db,
	        "SELECT rowid, bm25(doc) FROM doc WHERE doc MATCH ?1 "
	        "ORDER BY bm25(doc) LIMIT 3",
	        -1, SQLITE_PREPARE_PERSISTENT, &ask->query, NULL) != SQLITE_OK)
		return sql_fail(ask->db, err);
	return LDN_OK;
}

enum ldn_status
ldn_ask_new(const struct ldn_kb *kb, struct ldn_ask **out,
    struct ldn_error *err)
{
	struct ldn_ask *ask;
	enum ldn_status rc;

	if (kb->ask == NULL)
		return ldn_fail(err, LDN_E_KB, "ask.yaml",
		    "the knowledge base has no follow-up questions");
	ask = calloc(1, sizeof(*ask));
	if (ask == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "ask", "out of memory");
	ask->kb = kb;
	ask->ak = kb->ask;
	ask->arena = ARENA_INIT(16u << 20);
	if (pthread_mutex_init(&ask->mu, NULL) != 0) {
		free(ask);
		return ldn_fail(err, LDN_E_NOMEM, "ask", "no mutex");
	}
	rc = build(ask, err);
	if (rc != LDN_OK) {
		ldn_ask_free(ask);
		return rc;
	}
	*out = ask;
	return LDN_OK;
}

void
ldn_ask_free(struct ldn_ask *ask)
{
	if (ask == NULL)
		return;
	sqlite3_finalize(ask->query);
	sqlite3_close(ask->db);
	pthread_mutex_destroy(&ask->mu);
	arena_free(&ask->arena);
	free(ask);
}

const struct ldn_kb *
ask_index_kb(const struct ldn_ask *ask)
{
	return ask->kb;
}

/* Whether a and b differ by one letter left out, one added, or two
 * neighbours swapped: the usual slips of typing.  A letter typed for
 * another is not forgiven, since that is how one word becomes another
 * ("tract" and "trace", "infection" and "injection"). */
static bool
one_slip(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la + 1 == lb || lb + 1 == la) {
		const char *s = la < lb ? a : b, *l = la < lb ? b : a;

		while (s[i] && s[i] == l[i])
			i++;
		return strcmp(s + i, l + i + 1) == 0;
	}
	if (la != lb)
		return false;
	while (a[i] && a[i] == b[i])
		i++;
	return a[i] && a[i + 1] && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	    strcmp(a + i + 2, b + i + 2) == 0;
}

/* A word of set one slip from w, or NULL; only for words of five letters
 * or more, where a slip rarely makes another real word. */
static const char *
repair(const char **set, size_t n, const char *w)
{
	size_t len = strlen(w);

	if (len < 5)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(set[i]);

		if (l + 1 < len || l > len + 1 || l < 4)
			continue;
		if (one_slip(w, len, set[i], l))
			return set[i];
	}
	return NULL;
}

/* Bytes in the UTF-8 sequence that starts at q[i] (of len), or 0 if it
 * is not one (overlong, surrogate, above U+10FFFF, cut short). */
static size_t
utf8_len(const unsigned char *q, size_t i, size_t len)
{
	unsigned char c = q[i];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (i + n > len || q[i + 1] < lo || q[i + 1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if ((q[i + k] & 0xC0) != 0x80)
			return 0;
	return n;
}

static bool
valid_question(const char *question, size_t len, struct ldn_error *err,
    enum ldn_status *rc)
{
	const unsigned char *q = (const unsigned char *)question;
	size_t i = 0, visible = 0;

	if (len > LDN_ASK_MAX_QUESTION) {
		*rc = ldn_fail(err, LDN_E_SCHEMA, "/question",
		    "must be at most %d bytes", LDN_ASK_MAX_QUESTION);
		return false;
	}
	while (i < len) {
		size_t n = utf8_len(q, i, len);
		bool space =
		    q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r';

		if (n == 0 || (q[i] < 0x20 && !space) || q[i] == 0x7F) {
			*rc = ldn_fail(err, LDN_E_SCHEMA, "/question",
			    "must be UTF-8 text without control characters "
			    "(byte %zu)",
			    i);
			return false;
		}
		visible += !space;
		i += n;
	}
	if (visible == 0) {
		*rc = ldn_fail(err, LDN_E_SCHEMA, "/question",
		    "must not be empty");
		return false;
	}
	return true;
}

/* Add w to the query words unless it is there already. */
static void
add_term(const char **terms, size_t *n, size_t max, const char *w)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(terms[i], w) == 0)
			return;
	if (*n < max)
		terms[(*n)++] = w;
}

enum ldn_status
ldn_ask_search(const struct ldn_ask *ask_c, const char *question, size_t len,
    struct ldn_ask_result *out, struct ldn_error *err)
{
	struct ldn_ask *ask = (struct ldn_ask *)ask_c; /* the mutex only */
	const struct ldn_kb *kb = ask->kb;
	const struct ask_kb *ak = ask->ak;
	struct words w;
	char norm[WORDS_MAX][ASK_WORD_MAX];
	const char *terms[64];
	uint16_t classes[8];
	size_t n_terms = 0, n_content = 0, n_known = 0, n_cls, n;
	struct strbuf q = STRBUF_INIT(1u << 16);
	enum ldn_status rc = LDN_OK;
	struct ldn_ask_result r = { .n = 0 };

	if (!valid_question(question, len, err, &rc))
		return rc;
	words_split(&w, question, len);
	/* Typos first, so a misspelt drug still names its class. */
	for (size_t i = 0; i < w.n; i++) {
		const char *fix;

		ask_norm(w.w[i], norm[0]);
		if (ask_is_stopword(norm[0]) ||
		    in_set(ask->drugs, ask->n_drugs, w.w[i]) ||
		    in_set(ask->vocab, ask->n_vocab, norm[0]) ||
		    ask_syn_find(ak, norm[0]) != NULL)
			continue;
		fix = repair(ask->drugs, ask->n_drugs, w.w[i]);
		if (fix == NULL)
			fix = repair((const char **)ask_stopwords,
			    ask_n_stopwords, w.w[i]);
		if (fix == NULL) {
			fix = repair(ask->vocab, ask->n_vocab, norm[0]);
			if (fix == NULL &&
			    (fix = repair(ask->vocab, ask->n_vocab, w.w[i])) ==
			        NULL)
				continue;
		}
		w.w[i] = fix;
	}
	n_cls = words_match(kb->med_names, kb->n_med_names, &w, classes, 8);
	for (size_t c = 0; c < n_cls; c++)
		for (size_t k = 0; k < ak->n_class_words[classes[c]]; k++)
			add_term(terms, &n_terms, 64,
			    ak->class_words[classes[c]][k]);
	n = 0;
	for (size_t i = 0; i < w.n; i++)
		ask_norm(w.w[i], norm[n++]);
	for (size_t i = 0; i < n; i++) {
		const struct ask_syn *p = ask_phrase_at(ak, norm, n, i);
		const char *t;
		bool drug;

		if (p != NULL) {
			n_content++;
			n_known++;
			add_term(terms, &n_terms, 64, p->canon);
			i += p->n - 1;
			continue;
		}
		if (ask_is_stopword(norm[i]))
			continue;
		n_content++;
		drug = in_set(ask->drugs, ask->n_drugs, w.w[i]);
		t = norm[i];
		{
			const struct ask_syn *s = ask_syn_find(ak, t);

			if (s != NULL)
				t = s->canon;
		}
		if (in_set(ask->vocab, ask->n_vocab, t)) {
			n_known++;
			add_term(terms, &n_terms, 64,
			    *(const char **)bsearch(&t, ask->vocab,
			        ask->n_vocab, sizeof(*ask->vocab), str_cmp));
		} else if (drug) {
			n_known++;
		}
	}
	r.coverage_pct = n_content ? (int)(100 * n_known / n_content) : 0;
	/* Only words the index holds reach FTS5, each as a quoted string. */
	for (size_t i = 0; i < n_terms; i++) {
		if (!in_set(ask->vocab, ask->n_vocab, terms[i]))
			continue;
		if (q.len)
			sb_puts(&q, " OR ");
		sb_puts(&q, "\"");
		for (const char *p = terms[i]; *p; p++)
			sb_puts(&q, *p == '"' ? "\"\"" : (char[]){ *p, 0 });
		sb_puts(&q, "\"");
	}
	if (q.failed) {
		sb_free(&q);
		return ldn_fail(err, LDN_E_NOMEM, "/question", "out of memory");
	}
	if (q.len > 0) {
		pthread_mutex_lock(&ask->mu);
		sqlite3_bind_text(ask->query, 1, sb_cstr(&q), (int)q.len,
		    SQLITE_STATIC);
		int s;
		while (
		    (s = sqlite3_step(ask->query)) == SQLITE_ROW && r.n < 3) {
			sqlite3_int64 row = sqlite3_column_int64(ask->query, 0);

			if (row < 0 || (size_t)row >= kb->n_statements)
				continue;
			r.ids[r.n] = kb->statements[row].id;
			r.scores[r.n++] = sqlite3_column_double(ask->query, 1);
		}
		if (s != SQLITE_ROW && s != SQLITE_DONE)
			rc = sql_fail(ask->db, err);
		sqlite3_reset(ask->query);
		sqlite3_clear_bindings(ask->query);
		pthread_mutex_unlock(&ask->mu);
	}
	sb_free(&q);
	if (rc != LDN_OK)
		return rc;
	/* A question that names a drug of a class the KB screens for is in
	 * scope even when its words are common ones ("Can I have Tylenol
	 * #3?" is only "opioid"). */
	r.answered = r.n > 0 && n_known > 0 &&
	    r.coverage_pct >= ak->min_coverage_pct &&
	    (r.scores[0] * 100 <= ak->max_score_centi || n_cls > 0);
	*out = r;
	return LDN_OK;
}
