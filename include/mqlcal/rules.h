/*
 * rules.h: the rule file that production scorers load, and scoring one lead with it.
 *
 * A rule file (rules.json, documented in docs/rule-file.md with its JSON Schema in
 * docs/rule-file.schema.json) holds everything needed to score a lead and decide whether it is
 * an MQL, with nothing else: how to read values (trimming, missing tokens), each attribute's
 * levels or bins with their points, where missing and unseen values go, the disqualifiers, the
 * threshold and fit minimum, and what the rule is expected to give. mqlcal builds it from the
 * latest sweep and the fit it came from (rules_from_store), writes it (rules_write_json), reads
 * and checks it (rules_load_json: every error names its JSON path), and scores with it
 * (rules_score): the same function serves `mqlcal score`, the round-trip tests and the review.
 *
 * Scoring a lead, exactly as the fit encodes it (encode.h):
 *   each value is trimmed of ASCII white space; empty or one of missing_values is missing;
 *   categorical: the level whose values hold the value byte for byte, else the unseen level;
 *   count: a whole number >= 0, numeric: a finite real number, in the bin [lo, hi) holding it;
 *   missing: the missing level. score = base + the points of every attribute's level;
 *   fit_score / engagement_score: the sums over the attributes of each group.
 *   A disqualifier matches when the column's trimmed value equals its value ignoring ASCII case;
 *   the first that matches is reported. mql = no disqualifier, score >= threshold and (no fit
 *   minimum or fit_score >= fit_min).
 *   Reasons: the attributes whose level has more points than the attribute's reference level,
 *   most points above it first (ties: file order), at most RULES_REASONS.
 */
#ifndef MQLCAL_RULES_H
#define MQLCAL_RULES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

#define RULES_FORMAT "mqlcal-rules"
#define RULES_VERSION 1
#define RULES_REASONS 3
#define RULES_MAX_BYTES (64 << 20) /* a rule file over 64 MiB is refused */
#define RULES_MAX_ATTRS 255        /* as the fit allows */
#define RULES_MAX_LEVELS 4096      /* per attribute, as the encoding allows */
#define RULES_SMALL_COUNTS 64      /* counts below this find their bin by a table */
/* Points and the base are at most 1e9 in size each, and |base| + the largest |points| of each
 * attribute at most INT_MAX, so that every score and sub-score is an int (rules_compile). */

struct rules_level {
    char *label;
    int points;
    double lo, hi; /* count / numeric: [lo, hi), -inf / +inf at the ends */
    int no_bin;    /* count / numeric: the "(missing)" level, which holds no number */
    char **values; /* categorical: the values that take this level */
    size_t nvalues;
};

struct rules_slot {
    uint64_t head;     /* the value's first 8 bytes, zero-padded */
    uint32_t len;      /* its length */
    uint32_t level;    /* level + 1; 0 = an empty slot */
    const char *value; /* the value */
};

struct rules_attr {
    char *name; /* the CSV column */
    enum attr_kind kind;
    enum attr_group group;
    struct rules_level *levels;
    size_t nlevels;
    size_t reference, missing, unseen; /* level indexes (unseen: categorical only) */
    /* compiled by rules_compile */
    struct rules_slot *slots; /* categorical value -> level by open addressing */
    size_t nslots;
    /* compiled: points and points above the reference per level; the bins' upper edges in
     * order with their levels; for a count, the level of each small whole number */
    int *pts, *delta;
    double *edge_hi;
    uint16_t *edge_level;
    size_t nedges;
    uint16_t small[RULES_SMALL_COUNTS];
};

/* A table the rule reads columns from (a [join NAME] section of the fit's config): the column
 * NAME.c of an attribute or disqualifier is column c of the table's row whose `on` column equals
 * the lead's `key` column (both trimmed, byte for byte); a lead whose key is missing or names no
 * row reads NAME.c as missing. A leads file that has a column NAME.c itself is refused (which
 * one would count?). */
struct rules_join {
    char *name, *key, *on;
    char *file;   /* the table the rule was fitted on (an absolute path when it was found) */
    char *sha256; /* of its bytes then, or NULL */
};

struct rules_disqualifier {
    char *column, *value;
};

/* What the rule is expected to do over the next `horizon` periods (sweep.h's struct
 * sweep_expect: conversion measured on the holdout when basis is "holdout", MQLs from the recent
 * level; 95 % prediction intervals), and its history's counts (mqls, sqls, leads: all leads;
 * recall in sample). NaN where not known (older files lack the intervals). */
struct rules_expected {
    char *period;
    char *basis; /* "holdout" or "in_sample"; NULL when the file has none */
    long long horizon;
    double mqls_per_period, mqls_lo, mqls_hi;
    double conversion, conv_lo, conv_hi;
    double sqls_per_period, sqls_lo, sqls_hi;
    double feasible_share, recall;
    long long mqls, sqls, leads;
};

struct rules {
    int version;
    /* provenance: kept as given, written back as is */
    char *provenance_json;
    /* input */
    char *id_column; /* NULL: the record's line number is the id */
    char delimiter;
    char **missing_values; /* besides the empty value */
    size_t nmissing;
    struct rules_join *joins; /* the tables the rule's columns come from, none when njoins = 0 */
    size_t njoins;
    size_t *missing_len; /* compiled: their lengths */
    int missing_numeric; /* compiled: a missing value reads as a number (checked first then) */
    int *dq_attr;        /* compiled: the attribute each disqualifier's column is, or -1 */
    double *dq_number;   /* compiled: its value as a number, on a count or numeric attribute */
    /* scaling */
    char *scaling_method; /* "pdo" or "range" */
    double factor, offset;
    int base;
    struct rules_attr *attrs;
    size_t nattrs;
    struct rules_disqualifier *dq;
    size_t ndq;
    int has_rule; /* 0: the sweep recommended none; every lead is then mql = 0 */
    int threshold, has_fit_min, fit_min;
    int has_expected;
    struct rules_expected expected;
};

/* One lead's result. */
struct rules_outcome {
    int score, fit_score, engagement_score;
    int mql;
    int disqualifier;                 /* index in rules.dq, or -1 */
    int reason[RULES_REASONS];        /* attribute indexes, -1 for none */
    int reason_points[RULES_REASONS]; /* points above the reference */
    uint16_t level[RULES_MAX_ATTRS];  /* the level of each attribute */
    size_t nunseen;                   /* categorical values in no level of the rule: */
    uint16_t unseen[RULES_MAX_ATTRS]; /* their attributes' indexes */
};

/* Builds the rules of the latest sweep and its fit in the store (the fit's own config text
 * gives the input conventions). MQL_EINPUT when there is no sweep. r is the caller's. */
int rules_from_store(sqlite3 *db, struct rules *r, struct mql_err *err);

/* Writes r as JSON to path (a temporary file renamed into place). */
int rules_write_json(const struct rules *r, const char *path, int flags, struct mql_err *err);

/* The JSON text of r (malloc'd), or NULL when out of memory. */
char *rules_to_json(const struct rules *r);

/* Reads and checks the rule file at path (or JSON text with rules_parse_json, name used in
 * messages): every error is MQL_EINPUT with the JSON path, e.g.
 * "rules.json: attributes[3].levels[2].points: expected an integer". Compiles r for scoring. */
int rules_load_json(const char *path, struct rules *r, struct mql_err *err);
int rules_parse_json(const char *text, size_t len, const char *name, struct rules *r,
                     struct mql_err *err);

/* Builds the lookup tables rules_score uses (rules_load_json does it). */
int rules_compile(struct rules *r, struct mql_err *err);

/* The column index, for each attribute and then each disqualifier, of a CSV header of
 * nfields names; MQL_EINPUT naming the first column the header lacks. cols has
 * nattrs + ndq (+1 for the id column, last) entries. */
int rules_bind_header(const struct rules *r, const char *const *names, const size_t *lens,
                      size_t nfields, size_t *cols, struct mql_err *err);

/* The join whose table column `column` names (NAME.c with NAME one of r's joins), with *sub
 * set to c; -1 when it is a leads file column. */
int rules_join_of(const struct rules *r, const char *column, const char **sub);

/* The distinct columns (c of NAME.c) that r reads from its join j, in the rule's order, into
 * sub (r->nattrs + r->ndq entries); their number. A table is loaded, or joined in SQL, with
 * these. */
size_t rules_join_columns(const struct rules *r, size_t j, const char **sub);

/* True when the trimmed value s[0..n) is missing: empty or one of the missing values (the rule
 * file must be compiled). */
int rules_is_missing(const struct rules *r, const char *s, size_t n);

/* Scores one lead from its fields (as bound by rules_bind_header). Returns 0, or -1 with
 * *bad_attr set and why filled (a count that is not a whole number >= 0, a number that is
 * not a number) when the lead cannot be scored. */
int rules_score(const struct rules *r, const char *const *fields, const size_t *lens,
                const size_t *cols, struct rules_outcome *out, size_t *bad_attr, char *why,
                size_t why_cap);

/* The level of attribute a for one raw value (as rules_score reads it); *listed is 0 when a
 * categorical value is in no level (it then takes the unseen level). -1 when the value cannot
 * be scored (a count that is not a whole number >= 0, a number that is not a number). */
int rules_attr_level(const struct rules *r, size_t a, const char *s, size_t n, size_t *level,
                     int *listed);

/* True when the raw value s matches disqualifier q (as rules_score decides it): the one rule
 * that the sweep, the scorer, rules.sql and the review share. The value, trimmed and not a
 * missing token, equals the disqualifier's ignoring ASCII case; on a count or numeric
 * attribute's column it is the same number (3, 3.0 and 03 all match 3). */
int rules_dq_match(const struct rules *r, size_t q, const char *s, size_t n);

void rules_release(struct rules *r);

#endif
