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

#include "mqlcal/err.h"

#define STORE_SCHEMA_VERSION 1

/* Opens the existing store at path for the later stages. Fails with MQL_EINPUT when there is
 * none ("run 'mqlcal ingest' first") or when its schema version is not ours, MQL_EIO when
 * SQLite fails. On success *db is the caller's, to close with store_close. */
int store_open(const char *path, sqlite3 **db, struct mql_err *err);

/* Creates a new empty database at path (removing any file there) tuned for a bulk load:
 * no journal, no syncs, exclusive lock. Only for a file nobody else sees until store_replace. */
int store_create_bulk(const char *path, sqlite3 **db, struct mql_err *err);

/* Makes the closed database file tmp_path the store at path, atomically: flushes tmp_path to
 * disk, lets SQLite roll back any hot journal left by a crashed writer of the old store (so it
 * can never be applied to the new file), renames, and syncs the folder. */
int store_replace(const char *tmp_path, const char *path, struct mql_err *err);

/* Closes db (NULL is fine). */
void store_close(sqlite3 *db);

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

/* The current UTC time as "2026-11-26T18:53:00Z" into buf (at least 21 bytes). */
void store_now_iso(char *buf, size_t cap);

/* Seconds on a monotonic clock, for stage timings. */
double store_seconds(void);

/* Creates the folder path and its missing parents (mode 0777 less umask). */
int store_mkdirs(const char *path, struct mql_err *err);

#endif
