/*
 * What the store (store.c) needs of a database, so that the same logic runs
 * on SQLite (sqlite.c) and on PostgreSQL (pg.c): open and close, run a
 * script, transactions, and parameterised queries whose rows come back as
 * text.  SQL is written once, with ? placeholders; a backend rewrites them
 * if it must.
 */
#ifndef LDN_STORE_DB_H
#define LDN_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ldn/error.h"

struct db; /* one backend's connection */

enum db_rc {
	DB_OK = 0,
	DB_UNIQUE, /* a unique or primary-key constraint refused the write */
	DB_ERROR,  /* anything else; db_ops.errmsg says what */
};

/* A parameter: SQL NULL, a 64-bit integer, or text of len bytes. */
struct db_arg {
	enum {
		DB_NULL,
		DB_INT,
		DB_TEXT
	} kind;
	long long i;
	const char *s;
	size_t len;
};

static inline struct db_arg
db_int(long long i)
{
	return (struct db_arg){ .kind = DB_INT, .i = i };
}

/* Text, or NULL when s is NULL. */
static inline struct db_arg
db_text(const char *s)
{
	if (s == NULL)
		return (struct db_arg){ .kind = DB_NULL };
	return (struct db_arg){ .kind = DB_TEXT, .s = s, .len = strlen(s) };
}

/* The rows of a query: every value as text (integers in decimal, as both
 * databases print them), NULL for SQL NULL, with its length in bytes. */
struct db_res {
	size_t n_rows, n_cols;
	char **val; /* n_rows * n_cols, row by row; each NUL-terminated */
	size_t *len;
	size_t cap; /* rows allocated */
};

/* The value at row r, column c, or NULL. */
static inline const char *
db_val(const struct db_res *res, size_t r, size_t c)
{
	return res->val[r * res->n_cols + c];
}

/* For the backends: a result of n_cols columns, NULL if out of memory;
 * add a row of NULLs; set column c of the last row to a copy of n bytes.
 * false when memory runs out. */
struct db_res *db_res_new(size_t n_cols);
bool db_res_row(struct db_res *res);
bool db_res_set(struct db_res *res, size_t c, const char *s, size_t n);
void db_res_free(struct db_res *res);

struct db_ops {
	/* The migrations' directory under sql/. */
	const char *name;
	/* The table of migrations applied (CREATE TABLE IF NOT EXISTS). */
	const char *migrations_table;
	/* Connect to target (the URL's part the backend reads). */
	enum ldn_status (
	    *open)(const char *target, struct db **out, struct ldn_error *err);
	void (*close)(struct db *db);
	/* Run statements without parameters (a migration). */
	enum db_rc (*exec)(struct db *db, const char *script);
	/* A write transaction that waits for, then excludes, every other
	 * writer, so the audit chain has one writer at a time. */
	enum db_rc (*begin_write)(struct db *db);
	/* A read transaction that sees one snapshot throughout. */
	enum db_rc (*begin_read)(struct db *db);
	enum db_rc (*commit)(struct db *db);
	/* Harmless when no transaction is open. */
	void (*rollback)(struct db *db);
	/* One statement with ? placeholders; *out (may be NULL to discard
	 * the rows) gets the rows, freed with db_res_free(). */
	enum db_rc (*query)(struct db *db, const char *sql,
	    const struct db_arg *args, size_t n_args, struct db_res **out);
	/* The last error, in the database's words. */
	const char *(*errmsg)(struct db *db);
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
