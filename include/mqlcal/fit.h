/*
 * fit.h: the fit stage: store -> encoding -> model -> points -> validation -> store.
 *
 * Reads the leads of the store, splits off the holdout ([model] holdout: the latest months, the
 * latest share of leads, or none), encodes the attributes on the training leads, leaves out
 * attributes that leak the outcome (after_outcome, or an AUC alone above leak_auc) unless the
 * config forces them, fits the logistic regression (with an L2 penalty when separation is
 * found), turns the coefficients into points, scores every lead, validates on the training
 * leads and on the holdout, and stores all of it as one new run in the store (fits, fit_levels,
 * fit_values, fit_metrics, fit_calibration, fit_warnings, scores; see docs/store.md).
 */
#ifndef MQLCAL_FIT_H
#define MQLCAL_FIT_H

#include <sqlite3.h>

#include "mqlcal/config.h"
#include "mqlcal/data.h"
#include "mqlcal/encode.h"
#include "mqlcal/err.h"
#include "mqlcal/model.h"
#include "mqlcal/points.h"
#include "mqlcal/validate.h"

#define FIT_CAL_BINS 10
#define FIT_MAX_COLUMNS 4000 /* model columns at most, intercept included */

struct fit_warning {
    char kind[24];     /* leakage, separation, aliased, one_level, sign, convergence, holdout */
    char subject[160]; /* the attribute or "attribute = level" */
    char message[400];
};

/* Validation figures on one sample: exact probabilities and, beside them, the probabilities
 * the integer scores stand for. */
/* Leak suspects (fit.c: suspect_leaks): a level of at least FIT_SUSPECT_LEADS training leads
 * of which FIT_SUSPECT_SHARE or more converted (when the base rate is at most one half), or a
 * holdout AUC above FIT_SUSPECT_AUC. A field sales fill for winners converts 100 %; a real but
 * extreme level stays under 99 % (X Education's "Welingak Website": 120 of 122, 98.4 %). */
#define FIT_SUSPECT_LEADS 30
#define FIT_SUSPECT_SHARE 0.99
#define FIT_SUSPECT_AUC 0.95
/* and a column filled (or left empty) for at least FIT_SUSPECT_LEADS training leads, with as
 * many on the other side, of which FIT_SUSPECT_FILLED or more converted: whether sales filled it
 * in predicts the outcome, whatever its values (their levels can each stay under the bar) */
#define FIT_SUSPECT_FILLED 0.95
/* and a level of at least FIT_SUSPECT_LEADS training leads none of which converted where the
 * overall rate would give FIT_SUSPECT_NEVER_EXPECTED or more SQLs (the chance of that by luck
 * is under e^-10), unless [rules] disqualify names it: a column sales fill for losers */
#define FIT_SUSPECT_NEVER_EXPECTED 10

struct fit_metrics {
    int present; /* 0 when the sample is empty or has one class */
    size_t n, n_pos;
    struct validate_auc auc;
    double brier, log_loss, ks, ks_at;
    double auc_points, log_loss_points; /* with integer points */
    struct validate_bin cal[FIT_CAL_BINS];
    size_t ncal;
};

struct fit_result {
    long long fit_id;
    struct data data;
    struct encoding enc;
    struct model_result model;
    struct points_table points;
    unsigned char *holdout; /* per lead: 1 in the holdout */
    char holdout_desc[256];
    size_t n_train, n_holdout; /* leads whose outcome is known, in each sample */
    size_t n_unknown;          /* leads whose outcome is not known yet (pending): in neither */
    struct fit_metrics train, hold;
    double *single_auc; /* per attribute: AUC of the attribute alone on the training leads */
    struct fit_warning *warnings;
    size_t nwarnings;
    int *score, *fit_score, *engagement_score; /* per lead */
    double *p;                                 /* per lead: exact model probability */
    double seconds_load, seconds_solve, seconds_total;
};

/* Runs the stage on the store db. res is the caller's (fit_release, also after a failure).
 * Fails with MQL_EINPUT when the training leads hold one class, no attribute is left to fit, or
 * the model would have more than FIT_MAX_COLUMNS columns or 255 attributes;
 * MQL_EIO when the store or memory fails. */
int fit_run(sqlite3 *db, const struct config *cfg, struct fit_result *res, struct mql_err *err);

void fit_release(struct fit_result *res);

/* The id of the store's latest fit and the leads it scored; MQL_EINPUT when there is none
 * ("run 'mqlcal fit' first"). */
int fit_latest(sqlite3 *db, long long *fit_id, size_t *n, struct mql_err *err);

/* Writes the encoded design of a finished fit for an independent implementation to refit:
 * <prefix>.csv with one row per lead (y, holdout, then the level index of every attribute
 * still in the model) and <prefix>-levels.csv with (attribute, level, label, reference,
 * column). scripts/reference-glm.R reads them. */
int fit_dump_design(const struct fit_result *res, const char *prefix, struct mql_err *err);

#endif
