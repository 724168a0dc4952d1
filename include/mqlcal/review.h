/*
 * review.h: the quarterly review: last quarter's rule file against this quarter's rule, on the
 * same history, and whether the definition still means what it meant.
 *
 * Both rules score every lead of the store (the latest fit's columns, fit_arrays) from its raw
 * values exactly as `mqlcal score` does (rules_attr_level); a column a rule names that the data
 * lacks is scored as missing for every lead and reported, never fatal.
 *
 * Old against new: at each rule's own threshold and fit minimum, MQLs, SQLs among them,
 * conversion with a Wilson 95 % interval, recall (share of all SQLs), MQLs and SQLs per period
 * (mean over the data's periods, as the sweep counts them); the flip matrix (MQL under the
 * previous rule or not x under the current rule or not) with leads, SQLs and conversion per
 * cell; the threshold curve of each rule (its fit minimum kept); the points of both by
 * (attribute, level label): same, changed, sign flip (the points above the attribute's
 * reference level change sign, both non-zero), added, removed.
 *
 * Stability between a baseline and a current span of days ([review] baseline, current;
 * default the last two complete calendar quarters: the latest quarter whose first day is on or
 * after the first lead date and whose last day is on or before the last lead date, and the
 * quarter before it):
 *   PSI = sum over bins of (c - b) ln(c / b), b and c the baseline's and current span's shares
 *   of the current rule's score in bins cut at the baseline's deciles (tied cut points merge);
 *   a share of 0 counts as half a lead. Bands: below 0.1 stable, 0.1 to 0.25 investigate, 0.25
 *   and above shifted. The same for the previous rule's score, and between the two rules'
 *   scores of every lead (cut at the previous score's deciles): 0 for a rule reviewed against
 *   itself.
 *   CSI per attribute: the same formula over its values for a categorical attribute (values
 *   under 0.5 % of both spans pooled), so that a new value shows even when the rule maps it
 *   to an old level, and over the rule's bins for a count or numeric one (the current rule's,
 *   else the previous one's); score_shift = sum of (c - b) x points: how far the attribute
 *   moved the mean score; new_share: the current span's share of values the baseline lacks.
 *   Coefficient change: the current rule's levels are refitted (logistic regression, model.h)
 *   on each span's leads alone; per level z = (b_cur - b_base) / sqrt(se_base^2 + se_cur^2),
 *   two-sided p, Holm-adjusted over every level tested. A level is flagged when the adjusted
 *   p is below alpha (0.05) and the change is at least min_change points (5) in the rule's
 *   scale; an attribute is flagged when one of its levels is. Each test states the smallest
 *   change it could have seen (80 % power, Holm's strictest step), and an attribute the
 *   smallest of its levels': "no change detected" is worded with it, never as "nothing
 *   changed".
 *   Conversion per period at each fixed rule, with the base rate.
 */
#ifndef MQLCAL_REVIEW_H
#define MQLCAL_REVIEW_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "mqlcal/rules.h"

#define REVIEW_BAND_INVESTIGATE 0.10
#define REVIEW_BAND_SHIFTED 0.25

enum review_band { REVIEW_STABLE, REVIEW_INVESTIGATE, REVIEW_SHIFTED, REVIEW_NO_BAND };

enum review_change {
    REVIEW_SAME,
    REVIEW_CHANGED,
    REVIEW_SIGN_FLIP,
    REVIEW_ADDED,  /* in the current rule only */
    REVIEW_REMOVED /* in the previous rule only */
};

/* One rule on the history. */
struct review_side {
    char *source; /* the rule file, or "store: sweep N" */
    struct rules rules;
    int has_rule, threshold, has_fit_min, fit_min;
    size_t mqls, sqls; /* at the rule */
    size_t pending;    /* of the MQLs, outcome not known yet (in volumes, not conversions) */
    double conversion, conv_lo, conv_hi, recall, mqls_per_period, sqls_per_period;
    double psi; /* of this rule's score, baseline -> current (NaN without spans) */
    int min_score, max_score;
    size_t *curve_mqls, *curve_sqls;   /* per threshold min_score .. max_score */
    size_t *curve_pending;             /* of curve_mqls, outcome not known yet */
    double *curve_vol;                 /* MQLs per whole period there (period.h), as the sweep */
    size_t *period_mqls, *period_sqls; /* per period */
    size_t *period_pending;            /* of period_mqls, outcome not known yet */
    int *score, *fit_score;            /* per lead */
    unsigned char *mql;                /* per lead */
    size_t unscorable;                 /* values it cannot read (scored as missing) */
};

struct review_cell {
    size_t leads, sqls, pending; /* conversion: sqls / (leads - pending) */
    double conversion, conv_lo, conv_hi;
};

struct review_point {
    char *attribute, *level;
    int has_prev, has_cur;
    int prev, cur;             /* points */
    int prev_above, cur_above; /* points above the attribute's reference level */
    enum review_change change;
};

struct review_bucket {
    char *label;
    double base, cur; /* shares */
};

struct review_level_test {
    char *level;
    double b_base, se_base, b_cur, se_cur; /* coefficients (log-odds) in each span */
    double detectable; /* points: the change this level's test sees with 80 % power at alpha,
                          Holm's first step (alpha / tests): (z(1 - alpha / 2m) + z(0.8)) x
                          sqrt(se_base^2 + se_cur^2) x the rule's points per log-odds, and at
                          least min_change */
    double z, p, p_holm, points_change;
    int flagged;
};

struct review_attr {
    char *name;
    int in_prev, in_cur, in_data;
    double csi, score_shift; /* NaN without spans */
    enum review_band csi_band;
    struct review_bucket *buckets;
    size_t nbuckets;
    double new_share; /* categorical: the current span's share of values the baseline lacks */
    char *new_value;  /* the most frequent of them, or NULL */
    struct review_level_test *tests;
    size_t ntests;
    int flagged;           /* a level's coefficient changed */
    int worst;             /* index in tests of the smallest adjusted p, or -1 */
    double min_detectable; /* points: the smallest change of one of its levels that the test
                              sees with 80 % power (NaN when none is tested) */
};

struct review_psi_bin {
    int lo, hi; /* scores [lo, hi] */
    double base, cur;
};

/* Promise kept: what the previous rule file's `expected` block promised, against what its MQLs
 * delivered on the leads created after the data it was fitted on (its provenance's
 * input.date_max) whose outcome is known now (matured since): conversion among those MQLs
 * with a Wilson interval, and MQLs per whole period after that date. has = 0 when the rule
 * file promises nothing or its provenance has no date_max; no leads after it: leads = 0. */
struct review_promise {
    int has;
    char since[11]; /* the previous rule's data ended there */
    char period[16];
    double promised_conversion, promised_lo, promised_hi, promised_per_period;
    size_t leads, mqls, pending, sqls; /* leads after since; the previous rule's MQLs among them */
    double conversion, conv_lo, conv_hi; /* delivered: sqls / (mqls - pending) */
    double per_period;                   /* MQLs per whole period after since, NaN without one */
    size_t whole_periods;
};

struct review_result {
    long long review_id, fit_id;
    struct review_promise promise;
    struct review_side prev, cur;
    size_t n, sqls; /* leads and SQLs of the history */
    size_t pending; /* leads whose outcome is not known yet: in no conversion or drift test */
    size_t nperiods;
    int32_t period0;
    size_t *period_leads, *period_sqls, *period_pending; /* per period */
    int has_dates;
    struct review_cell flips[2][2]; /* [previous mql][current mql] */
    struct review_point *points;
    size_t npoints;
    struct review_attr *attrs;
    size_t nattrs;
    /* stability */
    int has_spans;
    char span_note[256]; /* why there are no spans, when has_spans is 0 */
    int32_t base_from, base_to, cur_from, cur_to;
    char base_label[32], cur_label[32];
    size_t base_n, cur_n;
    double psi_rules; /* previous vs current score on every lead (0 for a rule against itself) */
    enum review_band psi_band;
    struct review_psi_bin *psi_bins; /* of the current rule */
    size_t npsi_bins;
    int flagged; /* anything flagged: PSI or CSI band above stable, a coefficient change */
    char summary[4096];
    char todo[2048];
    double seconds;
};

/* Reviews previous (a rule file) against the current rule: the file current_path, or NULL for
 * the store's latest sweep (rules_from_store). res is the caller's (review_release, also after
 * a failure). MQL_EINPUT for an unreadable rule file, a store without a fit; MQL_EIO for store
 * and memory failures. */
int review_run(sqlite3 *db, const struct config *cfg, const char *previous_path,
               const char *current_path, struct review_result *res, struct mql_err *err);

/* Stores the review as a new one (reviews, review_rules, review_flips, review_points,
 * review_attributes, review_levels, review_buckets, review_psi, review_periods, review_curve;
 * docs/store.md) and sets res->review_id. */
int review_store(sqlite3 *db, const struct config *cfg, struct review_result *res,
                 struct mql_err *err);

/* Creates the review tables when the store lacks them (review_store does it first). */
int review_create_tables(sqlite3 *db, struct mql_err *err);

const char *review_band_name(enum review_band b);
const char *review_change_name(enum review_change c);

/* PSI of two count histograms over the same bins (exposed for its tests). */
double review_psi(const size_t *base, const size_t *cur, size_t nbins);

void review_release(struct review_result *res);

#endif
