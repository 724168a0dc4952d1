/*
 * audit.h: where the MQL definition works and where it does not, segment by segment.
 *
 * For each [segments] by column and each of its values, at the recommended rule of a sweep
 * (sweep.h), on all leads: leads, the conversion of all its leads (SQLs / leads with a known
 * outcome), MQLs, MQL rate, SQLs among the MQLs, conversion with a Wilson 95 % interval, share
 * of all SQLs that the segment's MQLs capture, and the mean predicted probability of its MQLs;
 * the same MQLs and conversion per period; and, with a feedback column, how sales' feedback on
 * the segment's MQLs splits. Missing values are "(missing)". Values are ordered by leads, most
 * first.
 * Two flags, each a test corrected for multiplicity over every audited value of every column
 * (Holm, family-wise level AUDIT_ALPHA), so that a calibrated model on many segments is not
 * flagged by chance:
 * - over-rated / under-rated: the MQLs' SQLs against the sum of their predicted probabilities,
 *   z = (SQLs - sum p) / sqrt(sum p (1 - p)), two-sided;
 * - low: the MQLs convert below target_conversion (without a target, below the rule's own
 *   conversion), one-sided z-test of the binomial share against it.
 */
#ifndef MQLCAL_AUDIT_H
#define MQLCAL_AUDIT_H

#include <sqlite3.h>
#include <stddef.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "mqlcal/sweep.h"

enum audit_flag { AUDIT_OK = 0, AUDIT_OVER = 1, AUDIT_UNDER = 2, AUDIT_NO_MQL = 3 };

#define AUDIT_ALPHA 0.05 /* family-wise level of the flags (Holm) */

struct audit_value {
    const char *value;        /* owned by the sweep's data, or "(missing)" */
    size_t leads, mqls, sqls; /* sqls: among the MQLs */
    size_t pending;           /* of the MQLs, outcome not known yet: not in the conversion */
    size_t known, all_sqls;   /* all its leads with a known outcome, and their SQLs */
    double all_conversion;    /* all_sqls / known */
    double mql_rate, conversion, conv_lo, conv_hi, share_sqls, predicted;
    double p_calib, p_calib_holm; /* the calibration test's p and its Holm-adjusted p */
    double p_low, p_low_holm;     /* the low-conversion test's */
    enum audit_flag flag;
    int low;              /* converts below the target (or the rule's conversion), Holm-adjusted */
    double sum_p, sum_pq; /* of the known MQLs: sum p, sum p (1 - p) */
    size_t *period_mqls, *period_sqls, *period_pending; /* nperiods each */
    size_t *feedback;                                   /* nfeedback: MQLs per feedback value */
};

/* SQLs / (MQLs - pending) of value v in period p, NaN when none is known. */
double audit_period_conversion(const struct audit_value *v, size_t p);

struct audit_segment {
    const char *column;
    struct audit_value *values;
    size_t nvalues;
};

struct audit_result {
    struct audit_segment *segments;
    size_t nsegments;
    size_t nperiods;
    const char **feedback_values; /* the feedback column's values, "(missing)" last */
    size_t nfeedback;
};

/* Computes the audit for a finished sweep with a recommendation (res is the caller's:
 * audit_release). MQL_EINPUT when the sweep has no recommended rule. */
int audit_run(const struct config *cfg, const struct sweep_result *sw, struct audit_result *res,
              struct mql_err *err);

/* Stores it under the sweep's id (audit_segments, audit_periods, audit_feedback) and writes
 * audit.csv, audit_periods.csv and audit_feedback.csv into cfg->out_dir. */
int audit_store(sqlite3 *db, const struct config *cfg, const struct sweep_result *sw,
                const struct audit_result *res, struct mql_err *err);

const char *audit_flag_name(enum audit_flag f);

void audit_release(struct audit_result *res);

#endif
