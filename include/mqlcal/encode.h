/*
 * encode.h: attribute values -> levels, the encoding that the fit, the scorer and the rule file
 * share.
 *
 * Every attribute becomes a list of levels, and every lead one level per attribute:
 * - categorical: one level per value seen in at least min_level_count training leads; rarer
 *   values pool into "(other)", which needs min_level_count leads too (a smaller pool joins
 *   the reference level); missing is the level "(missing)", which needs min_level_count leads
 *   too (fewer join the reference: a level too small to learn from gets no points of its own).
 * - count and numeric: bins [lo, hi) from the configured edges e1 < ... < ek, which give
 *   (-inf, e1), [e1, e2), ..., [ek, +inf), or from `quantiles` quantile edges of the training
 *   values when none are configured (equal edges merged); when the smallest value holds more
 *   than 1 / quantiles of the training values (a count that is mostly 0), it gets a bin of its
 *   own and the other values quantiles - 1 quantile bins, so that a zero-heavy column is never
 *   dropped as one level; bins without training leads are merged into their neighbour; missing
 *   is the bin "(missing)", with at least min_level_count leads (fewer join the reference).
 * The reference level (points 0, no design column) is the most frequent level (ties: the first
 * in level order); its count includes a small pool that joined it. A value never seen in training
 * goes to "(other)" when there is one and to the reference otherwise; a missing value when training
 * had none goes to the reference. So every value of every lead has a level: encoding never fails on
 * data.
 */
#ifndef MQLCAL_ENCODE_H
#define MQLCAL_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/data.h"
#include "mqlcal/err.h"

#define ENCODE_MISSING "(missing)"
#define ENCODE_OTHER "(other)"
#define ENCODE_MAX_LEVELS 4096 /* levels per attribute after pooling */

struct encode_level {
    char *label;   /* the value, "(other)", "(missing)", or a bin such as "[60, 300)" */
    double lo, hi; /* bins: [lo, hi), with -inf / +inf at the ends; categorical: NaN */
    int is_missing, is_other;
    size_t count, positives; /* training leads in the level and how many converted */
    int column;              /* design column (1-based; 0 is the intercept), -1 if reference */
};

struct encode_attr {
    char *name;
    enum attr_kind kind;
    enum attr_group group;
    struct encode_level *levels;
    size_t nlevels;
    size_t reference;     /* index of the reference level */
    size_t missing_level; /* where missing values go */
    size_t unseen_level;  /* where values never seen in training go */
    /* categorical: level of each data value id (data_column.values), and the values pooled
     * into "(other)" */
    uint16_t *level_of_value;
    size_t nvalues;
    int excluded; /* left out of the model: see why */
    char why[256];
};

struct encoding {
    struct encode_attr *attrs; /* one per config attribute, config order */
    size_t nattrs;
    size_t ncols; /* design columns including the intercept */
};

/* Builds the encoding from the training rows (train[i] != 0) of d. Attributes with fewer than
 * two levels are marked excluded (why: "one level"). Fails only when out of memory, or with
 * MQL_EINPUT when an attribute has more than ENCODE_MAX_LEVELS levels after pooling. */
int encode_build(const struct data *d, const struct config *cfg, const unsigned char *train,
                 struct encoding *enc, struct mql_err *err);

/* Marks attribute a excluded with a reason and renumbers the design columns. */
void encode_exclude(struct encoding *enc, size_t a, const char *why);

/* The level of row r of data column col for attribute a of enc. */
uint16_t encode_level_of(const struct encode_attr *a, const struct data_column *col, size_t r);

/* The level of a number (NaN = missing) for a count or numeric attribute. */
uint16_t encode_level_of_number(const struct encode_attr *a, double v);

/* Fills codes[r * nattrs + a] with the level of every row for every attribute. */
void encode_apply(const struct encoding *enc, const struct data *d, uint16_t *codes);

void encode_release(struct encoding *enc);

#endif
