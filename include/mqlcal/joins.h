/*
 * joins.h: attribute tables ([join NAME]: accounts, owners, products) joined to the leads.
 *
 * A table is read whole (mqlcal's CSV grammar, the leads file's delimiter) before the leads:
 * its `on` column holds the key, and only the columns the config names (NAME.column) are kept.
 * Each key names one row: a key on two rows is an error naming the key and both lines (which
 * row would win is a guess); a row without a key is counted, never used. A lead whose key has
 * no row, or is missing, gets missing values for the table's columns: the lead is never dropped.
 * The load counts rows, keys, the leads that matched and did not, and the keys no lead used.
 * Memory: the kept values and one hash slot per key.
 */
#ifndef MQLCAL_JOINS_H
#define MQLCAL_JOINS_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

/* Where a table comes from: the same for a [join] section (ingest) and a rule file's joins
 * (the scorer). */
struct join_spec {
    const char *name;   /* NAME, as in NAME.column */
    const char *file;   /* the path read */
    const char *on;     /* its column holding the key */
    const char *origin; /* where the table was named, first in messages about it: "cfg.ini:12:
                           [join accounts]" or "rules.json: input.joins[0] (accounts)" */
    char delimiter;
    const struct strlist *missing; /* tokens read as missing besides the empty value */
};

struct join_table {
    char *name;          /* NAME (owned) */
    size_t nwant;        /* kept columns, in the order asked */
    char **want;         /* their names (owned) */
    size_t nrows;        /* rows with a key */
    char *block;         /* the kept values, NUL-separated */
    size_t blen, bcap;   /* of block */
    size_t *off;         /* nrows x nwant offsets into block */
    uint32_t *len;       /* nrows x nwant lengths */
    uint64_t *line;      /* per row: its line in the file */
    unsigned char *used; /* per row: a loaded lead took it */
    size_t *slot;        /* hash: row + 1 per slot, 0 empty */
    size_t nslots;
    size_t *key_off;
    uint32_t *key_len;
    uint64_t rows_read, rows_no_key;
    uint64_t leads_matched, leads_unmatched; /* set by the caller */
    char sha256[65];
};

/* Reads the table of spec, keeping the columns want[0..nwant) (names of its header); t is the
 * caller's (joins_release, also after a failure). MQL_EINPUT naming the origin, the file and
 * the column (with the nearest header names) for a missing `on` or wanted column, naming the
 * key and both lines for a duplicate key, and the line for a row that is not a record of the
 * header's width; MQL_EIO when the file cannot be read. */
int joins_load(const struct join_spec *spec, const char *const *want, size_t nwant,
               struct join_table *t, struct mql_err *err);

/* The row of key s[0..n), or -1. */
long joins_find(const struct join_table *t, const char *s, size_t n);

/* Kept column w of row r. */
const char *joins_value(const struct join_table *t, long r, size_t w, size_t *n);

/* Keys no loaded lead took. */
uint64_t joins_unused(const struct join_table *t);

void joins_release(struct join_table *t);

#endif
