/*
 * model.h: maximum-likelihood logistic regression on an indicator design, by Newton / IRLS.
 *
 * The design is what encode.h produces: an intercept plus, per attribute, at most one active
 * indicator column per lead. It is given as `cols`: for row r and attribute a,
 * cols[r * k + a] is the design column (1 .. p-1) of the lead's level, or p when the level is
 * the reference (no column). The solver accumulates XᵀWX from these indices directly (no dense
 * X), factors it with GSL's Cholesky (QR when that fails), and iterates until the relative
 * change of the deviance, |D - D_prev| / (|D| + 0.1), is below `tol` (glm's criterion).
 * Designs of 200,000 rows or more first iterate on every 16th row (a warm start: the optimum
 * is the same, fewer full passes reach it), and the accumulation runs on two threads.
 * Columns that are linear combinations of earlier ones (aliased) are found before the
 * iterations by an in-order Cholesky of XᵀWX that drops a column whose pivot is below 1e-9 of
 * its diagonal (about 3e-5 on the column-norm scale where R's QR uses 1e-7: exact collinearity
 * is found the same way, a nearly collinear column that R keeps may be dropped): their
 * coefficient is 0 and their standard error NaN.
 *
 * An L2 penalty lambda/2 * sum(beta_j^2) over every coefficient but the intercept is applied
 * when opts.l2 > 0; standard errors then come from the inverse of the penalised Hessian.
 */
#ifndef MQLCAL_MODEL_H
#define MQLCAL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/err.h"

struct model_design {
    size_t n;                 /* rows */
    size_t k;                 /* attributes per row */
    size_t p;                 /* design columns including the intercept (column 0) */
    const uint16_t *cols;     /* n * k column indices, p = none */
    const unsigned char *y;   /* outcomes 0/1 */
    const unsigned char *use; /* rows to fit on (nonzero), or NULL for all */
};

struct model_opts {
    double l2;    /* penalty, >= 0 */
    int max_iter; /* e.g. 50 */
    double tol;   /* e.g. 1e-10 */
};

struct model_result {
    size_t p;
    double *beta; /* p coefficients, beta[0] the intercept */
    double *se;   /* standard errors (NaN when aliased) */
    unsigned char *aliased;
    size_t naliased;
    double deviance, null_deviance, aic;
    size_t n, n_pos; /* rows fitted and their positives */
    int iterations, converged;
    int warm_iterations; /* iterations on a 1-in-16 sample before them (large designs) */
    double l2;
    int used_qr; /* the Cholesky failed at least once and QR solved instead */
};

/* Workspace for designs of at most n rows, exactly k attributes (at most 255) and at most p
 * columns: every buffer the iterations need, so that model_fit allocates nothing inside its
 * loop. */
struct model_ws;
struct model_ws *model_ws_new(size_t n, size_t k, size_t p);
void model_ws_free(struct model_ws *ws);

/* Fits the model; res is the caller's (model_result_release frees its arrays, also after a
 * failure). Fails with MQL_EINPUT when the rows used hold one class only ("every lead
 * converted" / "no lead converted") or none at all; MQL_EIO when out of memory or when the
 * solve fails. Not converging within max_iter is not an error: res->converged says so. */
int model_fit(const struct model_design *d, const struct model_opts *opts, struct model_ws *ws,
              struct model_result *res, struct mql_err *err);

void model_result_release(struct model_result *res);

/* The linear predictor of one row (its k column indices), given coefficients beta[0 .. p-1]. */
double model_eta(const double *beta, size_t p, const uint16_t *cols_row, size_t k);

#endif
