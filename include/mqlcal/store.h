/*
 * store.h: the SQLite store that every stage reads from and writes to.
 *
 * One database file per output folder (default <output dir>/mqlcal.db). Its schema is
 * documented in docs/store.md; STORE_SCHEMA_VERSION changes whenever it does. ingest builds a
 * whole new store under a temporary name and renames it over the old one (store_replace), so
 * a reader only ever sees the previous load or the new one.
 */
#ifndef MQLCAL_STORE_H
#define MQLCAL_STORE_H

#include <sqlite3.h>
#include <stddef.h>

#include "mqlcal/err.h"

#define STORE_SCHEMA_VERSION 6

/* Opens the existing store at path for the later stages. Fails with MQL_EINPUT when there is
 * none ("run 'mqlcal ingest' first") or when its schema version is not ours, MQL_EIO when
 * SQLite fails. On success *db is the caller's, to close with store_close. */
int store_open(const char *path, sqlite3 **db, struct mql_err *err);

/* Creates a new empty database at path, which must be absent or an empty regular file (the
 * caller's fresh temporary file, fsx_tmp_open), tuned for a bulk load: no journal, no syncs,
 * exclusive lock. Only for a file nobody else sees until store_replace. MQL_EINPUT when path
 * holds anything: it is never removed. */
int store_create_bulk(const char *path, sqlite3 **db, struct mql_err *err);

/* 0 when path may become the store: absent, or a regular file that is an mqlcal store (not a
 * symlink, a device, an input of the run or anybody else's file: MQL_EINPUT naming it). */
int store_check_target(const char *path, struct mql_err *err);

/* Makes the closed database file tmp_path the store at path (store_check_target), atomically:
 * flushes tmp_path to disk, lets SQLite roll back any hot journal left by a crashed writer of the
 * old store (so it can never be applied to the new file), renames, and syncs the folder. */
int store_replace(const char *tmp_path, const char *path, struct mql_err *err);

/* Closes db (NULL is fine). */
void store_close(sqlite3 *db);

/* 1 when the store has a table called name. */
int store_table_exists(sqlite3 *db, const char *name);

/* Runs sql (no results expected); on failure fills err with MQL_EIO and SQLite's message. */
int store_exec(sqlite3 *db, const char *sql, struct mql_err *err);

/* Prepares sql into *stmt; on failure fills err with MQL_EIO and SQLite's message. */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct mql_err *err);

/* Appends name as a quoted SQL identifier ("a""b") to buf of size cap; returns the length
 * written, or -1 when it does not fit. Identifiers from data are only ever used this way. */
int store_quote_ident(const char *name, char *buf, size_t cap);

/* Binds v, or NULL when it is NaN or infinite. */
void store_bind_real(sqlite3_stmt *st, int i, double v);

/* Steps an INSERT-like statement, then resets it and clears its bindings; MQL_EIO with
 * SQLite's message unless it finished. */
int store_step_done(sqlite3 *db, sqlite3_stmt *st, struct mql_err *err);

/* ---- arrays: per-lead columns of a fit, as blobs ---------------------------------------------
 * The fit keeps the per-lead columns that the later stages read (outcome, date, scores, the
 * segment columns' value ids) in the table fit_arrays, one blob per column in lead id order,
 * little-endian, with the dictionary of value ids as NUL-terminated strings. Reading a blob of
 * a million values costs milliseconds; reading the same from a million rows, about a second. */

enum store_array_type { STORE_U8, STORE_U16, STORE_U32, STORE_I32, STORE_I64, STORE_F64 };

struct store_array {
    int found; /* 0: the fit has no such array (or the store no fit_arrays table) */
    enum store_array_type type;
    size_t n;
    void *data;  /* n elements of type, host byte order */
    char **dict; /* the dictionary when stored with one (has_dict) */
    size_t ndict;
    int has_dict;
};

/* Stores n elements of type at data as the array name of fit_id (replacing one of that name),
 * with the dictionary dict[0..ndict) when dict is not NULL (strings without NUL bytes). */
int store_array_put(sqlite3 *db, long long fit_id, const char *name, enum store_array_type type,
                    const void *data, size_t n, const char *const *dict, size_t ndict,
                    struct mql_err *err);

/* Reads the array name of fit_id into a (the caller's; store_array_release). a->found = 0 when
 * there is none; MQL_EINPUT when the row is damaged, MQL_EIO when SQLite fails. */
int store_array_get(sqlite3 *db, long long fit_id, const char *name, struct store_array *a,
                    struct mql_err *err);

void store_array_release(struct store_array *a);

/* Reads the array name of fit_id, which must hold n elements of type, into *dst (freeing what
 * *dst held; the caller frees the new one). MQL_EINPUT naming the array when it is missing or
 * does not match ("run 'mqlcal fit' again"). */
int store_array_take(sqlite3 *db, long long fit_id, const char *name, enum store_array_type type,
                     size_t n, void **dst, struct mql_err *err);

/* Deletes the arrays of every fit but fit_id (only the latest fit keeps its columns). */
int store_array_keep_only(sqlite3 *db, long long fit_id, struct mql_err *err);

/* ---- small query results ---------------------------------------------------------------------
 * A whole (small) query result in memory, for the report: every cell as a number (NaN for
 * NULL; text that is not a number reads as 0, as SQLite converts it) and, for TEXT cells, also
 * as text. Asking for a column the result does not have is a programming error, not a NULL:
 * the first such name is kept (miss) and store_table_check turns it into an error, so a stage
 * that reads a column the schema (schema.h) does not declare fails its tests instead of
 * showing a blank. */
struct store_miss {
    char name[64]; /* the first unknown column asked for, "" when none */
};

struct store_table {
    size_t nrows, ncols;
    char **names;            /* column names */
    double *num;             /* num[row * ncols + col] */
    char **text;             /* text[row * ncols + col], NULL unless the cell is TEXT */
    struct store_miss *miss; /* the table's own record of an unknown column asked for */
};

/* Runs sql and keeps its rows in t (the caller's: store_table_release, also after a failure). */
int store_table_read(sqlite3 *db, const char *sql, struct store_table *t, struct mql_err *err);

/* Reads `SELECT * FROM table` followed by tail (" WHERE fit_id = 3"), checked against the
 * schema: the result must hold every column the schema declares for table (MQL_EINPUT
 * otherwise: a store written by another version). When the store has no such table and
 * optional is set, t is an empty result with the declared columns. */
int store_table_read_all(sqlite3 *db, const char *table, const char *tail, int optional,
                         struct store_table *t, struct mql_err *err);

/* The column named name, or SIZE_MAX (recorded in t->miss). */
size_t store_table_col(const struct store_table *t, const char *name);

/* Cell (row, name): NaN (or NULL) when the cell is NULL or the row past the end; an unknown
 * column reads the same but is recorded (store_table_check). */
double store_table_num(const struct store_table *t, size_t row, const char *name);
const char *store_table_text(const struct store_table *t, size_t row, const char *name);

/* MQL_EIO naming the column when anything asked t for a column it does not have; what names
 * the reader in the message ("the report"). */
int store_table_check(const struct store_table *t, const char *what, struct mql_err *err);

void store_table_release(struct store_table *t);

#endif
