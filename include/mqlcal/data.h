/*
 * data.h: the ingested leads, loaded from the store into columns for the numeric stages.
 *
 * One row per lead, in lead id order (the leads table's key, read without a sort); `line`
 * gives each lead's line in the CSV for anything that needs file order. Categorical values are
 * interned: each attribute keeps a dictionary of its distinct values and a value id per row. Counts
 * and numbers are doubles with NaN for missing. This is the one place that reads leads back from
 * the store; fit, sweep, audit and review all start from it.
 */
#ifndef MQLCAL_DATA_H
#define MQLCAL_DATA_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

#define DATA_MISSING UINT32_MAX /* value id of a missing categorical value */
#define DATA_UNKNOWN 2          /* the fit's stored outcome array: not known yet */

struct data_column {
    const struct config_attr *attr; /* NULL for a segment that is not an attribute */
    char *name;
    int categorical;
    /* categorical: value ids per row (DATA_MISSING when missing) and the dictionary */
    uint32_t *ids;
    char **values; /* values[id], sorted by byte order, so ids are deterministic */
    size_t nvalues;
    /* count / numeric: the value per row, NaN when missing */
    double *num;
};

struct data {
    size_t n;
    char **lead_id; /* per row, pointing into id_block (owned) */
    char *id_block;
    int64_t *line;        /* per row: the CSV line the lead came from */
    unsigned char *y;     /* outcome 0/1 (0 when not known) */
    unsigned char *known; /* 1 when the outcome is known; 0 for a pending lead (an open deal),
                             which counts in MQL volume but in no fit, conversion or metric */
    size_t nunknown;      /* leads whose outcome is not known */
    int32_t *day;         /* days since 1970-01-01, INT32_MIN when missing or no date column */
    int has_dates;
    struct data_column *attrs; /* one per config attribute, in config order */
    size_t nattrs;
    struct data_column *segments; /* the text columns: data_load reads data_text_columns, the
                                     others the names they are given, in that order */
    size_t nsegments;
};

/* The distinct columns the stages after the fit read as text, in this order: the [segments]
 * by columns, the columns of the [rules] disqualify items, the feedback column. *names is the
 * caller's (data_free_names); returns their number, or SIZE_MAX when out of memory. */
size_t data_text_columns(const struct config *cfg, char ***names);
void data_free_names(char **names, size_t n);

/* Reads every lead of the store at db into d (which the caller holds; data_release frees it,
 * also after a failure). Fails with MQL_EINPUT when the store lacks a column the config names
 * (the config changed since the ingest: "ingest again") or holds no lead. */
int data_load(sqlite3 *db, const struct config *cfg, struct data *d, struct mql_err *err);

/* The light load for the stages after the fit: outcome, dates, lines and ids, no attributes,
 * and the n named columns read as text into d->segments (interned like categorical values;
 * data_column.attr is set when the column is an attribute). Same failures as data_load. */
int data_load_texts(sqlite3 *db, const struct config *cfg, const char *const *names, size_t n,
                    struct data *d, struct mql_err *err);

/* The fit's copy for the later stages: outcome, dates, the text columns of d and every
 * attribute of d as arrays of fit_id (store_array_put; "lead:_outcome", "lead:_day",
 * "text:<column>"). Count and numeric attributes are kept as the shortest texts that read back
 * to their exact values ("3", "0.1"), so that the review can score rule files from them. */
int data_save_arrays(sqlite3 *db, long long fit_id, const struct data *d, struct mql_err *err);

/* Like data_load_texts, from the arrays of fit_id, which scored n leads: no lead_id, no line,
 * no attributes. A named column the fit did not keep (configured since) is read from the
 * leads. Fails with MQL_EINPUT when the fit kept no arrays or they do not match n. */
int data_load_arrays(sqlite3 *db, long long fit_id, size_t n, const struct config *cfg,
                     const char *const *names, size_t nnames, struct data *d, struct mql_err *err);

void data_release(struct data *d);

/* The column of the named attribute, or NULL. */
const struct data_column *data_attr(const struct data *d, const char *name);

#endif
