/*
 * schema.h: the store's tables, declared once.
 *
 * Every table any stage writes is declared in src/schema.c: its name, the stage that writes it,
 * what one row stands for (docs/store.md's "one row per"), and its columns with their types and
 * constraints. From that one declaration come:
 * - the CREATE TABLE text (schema_create, schema_create_sql): no stage writes its own;
 * - a checked row writer (struct schema_row): the INSERT names every column, and each value put
 *   is counted and type-checked against the column it lands in, so a value missing, extra or
 *   out of order is an error at the first row, not a shifted column;
 * - the check of a reader (schema_check_result): a table read back must have the declared
 *   columns, and a stage that asks for a column the schema does not declare gets an error
 *   (store.h: store_table_num and friends), never a quiet NaN.
 * tests/unit/test_schema.c checks the declarations against docs/store.md and the stores the
 * stages make. The `leads` table is declared with its fixed columns; ingest adds one column per
 * configured data column after them (docs/store.md).
 */
#ifndef MQLCAL_SCHEMA_H
#define MQLCAL_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

#include "mqlcal/err.h"

enum schema_type { S_INT, S_REAL, S_TEXT, S_BLOB, S_ANY };

struct schema_column {
    const char *name;
    enum schema_type type;
    const char *constraint; /* "NOT NULL", "PRIMARY KEY", ... or "" */
};

struct schema_table {
    const char *name;
    const char *stage; /* the stage that writes it: ingest, maturity, fit, sweep, audit, review */
    const char *grain; /* what one row stands for */
    const struct schema_column *cols;
    size_t ncols;
    const char *keys;    /* a table constraint ("PRIMARY KEY (fit_id, position)") or NULL */
    const char *options; /* "STRICT", "STRICT, WITHOUT ROWID" or "" */
    int open_ended;      /* 1: ingest adds data columns after the declared ones (leads) */
};

/* The declared tables, in the order the stages make them. */
size_t schema_count(void);
const struct schema_table *schema_at(size_t i);

/* The table called name, or NULL. */
const struct schema_table *schema_find(const char *name);

/* The index of column name in t, or SIZE_MAX. */
size_t schema_column_index(const struct schema_table *t, const char *name);

/* SQL's name of a type ("INTEGER", "REAL", "TEXT", "BLOB", "ANY"). */
const char *schema_type_name(enum schema_type type);

/* The CREATE TABLE IF NOT EXISTS statement of t, malloc'd (NULL when out of memory). With
 * extra (open-ended tables only), extra's text is put after the declared columns, as
 * ", extra". */
char *schema_create_sql(const struct schema_table *t, const char *extra);

/* Creates (if missing) every table of the stage called stage but the open-ended ones. MQL_EIO
 * when SQLite fails or when no table of that stage is declared. */
int schema_create(sqlite3 *db, const char *stage, struct mql_err *err);

/* Creates (if missing) the table called name. */
int schema_create_table(sqlite3 *db, const char *name, struct mql_err *err);

/* 0 when the columns of a query result (names[0..n)) hold every declared column of table t;
 * MQL_EINPUT naming the first missing one otherwise ("the store's table 'sweeps' has no
 * column 'vol_cap': run 'mqlcal run' again"). */
int schema_check_result(const struct schema_table *t, char *const *names, size_t n,
                        struct mql_err *err);

/* ---- the row writer ------------------------------------------------------------------------
 *   struct schema_row w;
 *   rc = schema_row_open(&w, db, "fit_histogram", err);
 *   for (...) { schema_put_int(&w, id); ...; rc = schema_row_end(&w); }
 *   schema_row_close(&w);
 * Each put fills the next column in declaration order. A put past the last column, a type
 * that the column does not take (an int or NULL goes anywhere; a real into REAL or ANY; text
 * into TEXT or ANY; a blob into BLOB or ANY) or a row ended with a column unfilled is an
 * internal error (MQL_EIO naming the table and the column), reported by schema_row_end.
 * Text and blobs are not copied: they must stay valid until schema_row_end. */
struct schema_row {
    sqlite3 *db;
    sqlite3_stmt *st;
    const struct schema_table *t;
    size_t next; /* the column the next put fills */
    int bad;     /* a put failed: the message is in *err */
    struct mql_err *err;
};

int schema_row_open(struct schema_row *w, sqlite3 *db, const char *table, struct mql_err *err);
/* The same, a row replacing the one with its key (INSERT OR REPLACE). */
int schema_row_replace(struct schema_row *w, sqlite3 *db, const char *table, struct mql_err *err);
void schema_put_int(struct schema_row *w, long long v);
void schema_put_real(struct schema_row *w, double v);      /* NULL when NaN or infinite */
void schema_put_text(struct schema_row *w, const char *s); /* NULL when s is NULL */
void schema_put_textn(struct schema_row *w, const char *s, size_t n);
void schema_put_blob(struct schema_row *w, const void *data, size_t n);
void schema_put_null(struct schema_row *w);
/* v when present, NULL when not */
void schema_put_opt_int(struct schema_row *w, int present, long long v);
/* Inserts the row: every column must have been put. Resets the writer for the next row. */
int schema_row_end(struct schema_row *w);
void schema_row_close(struct schema_row *w);

#endif
