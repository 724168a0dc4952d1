/*
 * model.c: the penalised logistic regression: iteratively reweighted least squares with GSL,
 * standard errors, aliasing (model.h).
 */
#include "mqlcal/model.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Designs with at least this many rows are accumulated on two threads. */
#define MODEL_THREAD_ROWS 50000

/* Designs with at least this many rows first iterate on every 16th row. */
#define MODEL_WARM_ROWS 200000
#define MODEL_WARM_STRIDE 16

/* Relative pivot below which a column counts as a combination of the earlier ones. */
#define ALIAS_TOL 1e-9

struct model_ws {
    size_t n, k, p;
    uint16_t *act;        /* n * k: each used row's non-reference columns, packed */
    unsigned char *nact;  /* n: how many */
    unsigned char *y;     /* n: outcomes of the used rows */
    size_t m;             /* used rows */
    double *beta;         /* p + 1: the last slot is the "no column" dummy, always 0 */
    double *trial;        /* p + 1 */
    double *step;         /* p */
    double *acc;          /* (p + 1)^2 accumulation of the weighted cross products */
    double *grad;         /* p + 1 */
    double *acc2, *grad2; /* the second thread's */
    size_t *kept;         /* indices of the columns that are not aliased */
    gsl_matrix *h;        /* p x p Hessian (XᵀWX + penalty) */
    gsl_matrix *fact;     /* p x p, factorised in place */
    gsl_vector *rhs, *sol, *tau;
};

struct model_ws *model_ws_new(size_t n, size_t k, size_t p)
{
    gsl_set_error_handler_off(); /* for library callers without mqlcal's main() */
    struct model_ws *ws = calloc(1, sizeof *ws);
    if (!ws || p == 0 || k > 255)
        goto fail;
    ws->n = n;
    ws->k = k;
    ws->p = p;
    ws->act = malloc((n * k > 0 ? n * k : 1) * sizeof *ws->act);
    ws->nact = malloc(n ? n : 1);
    ws->y = malloc(n ? n : 1);
    if (!ws->act || !ws->nact || !ws->y)
        goto fail;
    ws->beta = calloc(p + 1, sizeof *ws->beta);
    ws->trial = calloc(p + 1, sizeof *ws->trial);
    ws->step = calloc(p, sizeof *ws->step);
    ws->acc = calloc((p + 1) * (p + 1), sizeof *ws->acc);
    ws->grad = calloc(p + 1, sizeof *ws->grad);
    ws->acc2 = calloc((p + 1) * (p + 1), sizeof *ws->acc2);
    ws->grad2 = calloc(p + 1, sizeof *ws->grad2);
    ws->kept = calloc(p, sizeof *ws->kept);
    ws->h = gsl_matrix_alloc(p, p);
    ws->fact = gsl_matrix_alloc(p, p);
    ws->rhs = gsl_vector_alloc(p);
    ws->sol = gsl_vector_alloc(p);
    ws->tau = gsl_vector_alloc(p);
    if (!ws->acc2 || !ws->grad2 || !ws->beta || !ws->trial || !ws->step || !ws->acc || !ws->grad ||
        !ws->kept || !ws->h || !ws->fact || !ws->rhs || !ws->sol || !ws->tau)
        goto fail;
    return ws;
fail:
    model_ws_free(ws);
    return NULL;
}

void model_ws_free(struct model_ws *ws)
{
    if (!ws)
        return;
    free(ws->act);
    free(ws->nact);
    free(ws->y);
    free(ws->beta);
    free(ws->trial);
    free(ws->step);
    free(ws->acc);
    free(ws->grad);
    free(ws->acc2);
    free(ws->grad2);
    free(ws->kept);
    if (ws->h)
        gsl_matrix_free(ws->h);
    if (ws->fact)
        gsl_matrix_free(ws->fact);
    if (ws->rhs)
        gsl_vector_free(ws->rhs);
    if (ws->sol)
        gsl_vector_free(ws->sol);
    if (ws->tau)
        gsl_vector_free(ws->tau);
    free(ws);
}

void model_result_release(struct model_result *res)
{
    if (!res)
        return;
    free(res->beta);
    free(res->se);
    free(res->aliased);
    memset(res, 0, sizeof *res);
}

double model_eta(const double *beta, size_t p, const uint16_t *cols_row, size_t k)
{
    double eta = beta[0];
    for (size_t a = 0; a < k; a++)
        if (cols_row[a] < p)
            eta += beta[cols_row[a]];
    return eta;
}

/* Packs the used rows' non-reference columns: the pass then touches only real columns, about
 * half of the k per row on typical data. */
static void pack(const struct model_design *d, struct model_ws *ws)
{
    size_t m = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (d->use && !d->use[r])
            continue;
        const uint16_t *c = d->cols + r * d->k;
        uint16_t *out = ws->act + m * d->k;
        unsigned char na = 0;
        for (size_t a = 0; a < d->k; a++)
            if (c[a] < d->p)
                out[na++] = c[a];
        ws->nact[m] = na;
        ws->y[m] = d->y[r];
        m++;
    }
    ws->m = m;
}

/* One share of a pass: rows [start, end) into its own accumulators. */
struct pass_job {
    const struct model_ws *ws;
    size_t p, start, end, stride;
    const double *b;
    int want_h;
    double *acc, *grad; /* p * p and p */
    double dev, w0, g0;
};

static void *pass_range(void *arg)
{
    struct pass_job *j = arg;
    const struct model_ws *ws = j->ws;
    const size_t k = ws->k, p = j->p;
    const double *b = j->b;
    double dev = 0, w0 = 0, g0 = 0;
    double *acc = j->acc, *grad = j->grad;
    if (j->want_h) {
        memset(acc, 0, p * p * sizeof *acc);
        memset(grad, 0, p * sizeof *grad);
    }
    for (size_t r = j->start; r < j->end; r += j->stride) {
        const uint16_t *c = ws->act + r * k;
        const size_t na = ws->nact[r];
        double eta = b[0];
        for (size_t a = 0; a < na; a++)
            eta += b[c[a]];
        /* stable: e = exp(-|eta|), softplus(eta) = max(eta, 0) + log1p(e) */
        double e = exp(-fabs(eta));
        double l1p = log1p(e);
        int y = ws->y[r];
        dev += 2 * ((y ? (eta < 0 ? -eta : 0) : (eta > 0 ? eta : 0)) + l1p);
        if (!j->want_h)
            continue;
        double mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
        double w = mu * (1 - mu), resid = y - mu;
        w0 += w;
        g0 += resid;
        for (size_t a = 0; a < na; a++) {
            double *row = acc + (size_t)c[a] * p;
            row[c[a]] += w;
            grad[c[a]] += resid;
            for (size_t b2 = a + 1; b2 < na; b2++)
                row[c[b2]] += w;
        }
    }
    j->dev = dev;
    j->w0 = w0;
    j->g0 = g0;
    return NULL;
}

/* One pass over the used rows at coefficients b: the deviance, and when want_h the gradient
 * Xᵀ(y - mu) into ws->grad and XᵀWX into ws->h (unpenalised); only every stride-th row when
 * stride > 1 (the warm start). Large designs are split in two
 * fixed halves, the second on a thread of its own; the halves are always added in the same
 * order, so the result does not depend on scheduling. */
static double pass(struct model_ws *ws, size_t p, const double *b, int want_h, size_t stride)
{
    size_t half = ws->m / stride >= MODEL_THREAD_ROWS ? ws->m / 2 / stride * stride : ws->m;
    struct pass_job jobs[2] = {
        {ws, p, 0, half, stride, b, want_h, ws->acc, ws->grad, 0, 0, 0},
        {ws, p, half, ws->m, stride, b, want_h, ws->acc2, ws->grad2, 0, 0, 0}};
    pthread_t th;
    int threaded = half < ws->m && pthread_create(&th, NULL, pass_range, &jobs[1]) == 0;
    pass_range(&jobs[0]);
    if (threaded)
        pthread_join(th, NULL);
    else if (half < ws->m)
        pass_range(&jobs[1]);
    double dev = jobs[0].dev + jobs[1].dev;
    if (!want_h)
        return dev;
    double *acc = ws->acc, *grad = ws->grad;
    if (half < ws->m) {
        for (size_t i = 0; i < p * p; i++)
            acc[i] += ws->acc2[i];
        for (size_t i = 0; i < p; i++)
            grad[i] += ws->grad2[i];
    }
    /* acc holds each cross product once, in whichever triangle the row order put it; the
     * intercept's row is the diagonal's sums */
    gsl_matrix_set(ws->h, 0, 0, jobs[0].w0 + jobs[1].w0);
    grad[0] = jobs[0].g0 + jobs[1].g0;
    for (size_t i = 1; i < p; i++) {
        double wi = acc[i * p + i];
        gsl_matrix_set(ws->h, i, i, wi);
        gsl_matrix_set(ws->h, 0, i, wi);
        gsl_matrix_set(ws->h, i, 0, wi);
        for (size_t j = i + 1; j < p; j++) {
            double v = acc[i * p + j] + acc[j * p + i];
            gsl_matrix_set(ws->h, i, j, v);
            gsl_matrix_set(ws->h, j, i, v);
        }
    }
    return dev;
}

static double penalty(const double *b, size_t p, double l2)
{
    double s = 0;
    for (size_t j = 1; j < p; j++)
        s += b[j] * b[j];
    return l2 * s;
}

/* In-order Cholesky of ws->h with columns dropped when their pivot is below ALIAS_TOL times
 * their diagonal: the columns a pivoted QR in column order would drop. */
static size_t find_aliased(struct model_ws *ws, size_t p, unsigned char *aliased)
{
    size_t nal = 0;
    gsl_matrix *L = ws->fact;
    gsl_matrix_set_zero(L);
    for (size_t j = 0; j < p; j++) {
        double hjj = gsl_matrix_get(ws->h, j, j);
        double s = hjj;
        for (size_t m = 0; m < j; m++)
            if (!aliased[m])
                s -= gsl_matrix_get(L, j, m) * gsl_matrix_get(L, j, m);
        if (!(hjj > 0) || s <= ALIAS_TOL * hjj) {
            aliased[j] = 1;
            nal++;
            continue;
        }
        double ljj = sqrt(s);
        gsl_matrix_set(L, j, j, ljj);
        for (size_t i = j + 1; i < p; i++) {
            double t = gsl_matrix_get(ws->h, i, j);
            for (size_t m = 0; m < j; m++)
                if (!aliased[m])
                    t -= gsl_matrix_get(L, i, m) * gsl_matrix_get(L, j, m);
            gsl_matrix_set(L, i, j, t / ljj);
        }
    }
    return nal;
}

/* Copies the kept rows and columns of the penalised Hessian into the top-left of ws->fact. */
static gsl_matrix_view reduced(struct model_ws *ws, size_t q, double l2)
{
    gsl_matrix_view v = gsl_matrix_submatrix(ws->fact, 0, 0, q, q);
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++) {
            double h = gsl_matrix_get(ws->h, ws->kept[i], ws->kept[j]);
            if (i == j && ws->kept[i] != 0)
                h += l2;
            gsl_matrix_set(&v.matrix, i, j, h);
        }
    return v;
}

/* Solves (H + l2 I') step = g - l2 b on the kept columns; Cholesky, QR when it is not positive
 * definite. */
static int solve(struct model_ws *ws, size_t q, double l2, const double *b, int *used_qr)
{
    gsl_vector_view rhs = gsl_vector_subvector(ws->rhs, 0, q);
    gsl_vector_view sol = gsl_vector_subvector(ws->sol, 0, q);
    for (size_t i = 0; i < q; i++) {
        size_t j = ws->kept[i];
        gsl_vector_set(&rhs.vector, i, ws->grad[j] - (j ? l2 * b[j] : 0));
    }
    gsl_matrix_view m = reduced(ws, q, l2);
    if (gsl_linalg_cholesky_decomp1(&m.matrix) == GSL_SUCCESS &&
        gsl_linalg_cholesky_solve(&m.matrix, &rhs.vector, &sol.vector) == GSL_SUCCESS)
        return 0;
    *used_qr = 1;
    m = reduced(ws, q, l2);
    gsl_vector_view tau = gsl_vector_subvector(ws->tau, 0, q);
    if (gsl_linalg_QR_decomp(&m.matrix, &tau.vector) != GSL_SUCCESS ||
        gsl_linalg_QR_solve(&m.matrix, &tau.vector, &rhs.vector, &sol.vector) != GSL_SUCCESS)
        return -1;
    return 0;
}

/* Newton iterations from ws->beta on the q kept columns until the relative change of the
 * penalised deviance *f falls below tol; ws->h and ws->grad must hold the pass at ws->beta.
 * Each step is halved while the objective goes up. Returns -1 when the solve fails. */
static int newton(struct model_ws *ws, size_t p, size_t q, double l2, size_t stride, int max_iter,
                  double tol, double *f, int *iters, int *converged, int *used_qr)
{
    double *b = ws->beta, *t = ws->trial;
    *iters = 0;
    *converged = 0;
    for (int it = 1; it <= max_iter; it++) {
        if (solve(ws, q, l2, b, used_qr))
            return -1;
        for (size_t j = 0; j < p; j++)
            ws->step[j] = 0;
        for (size_t i = 0; i < q; i++)
            ws->step[ws->kept[i]] = gsl_vector_get(ws->sol, i);
        double fn = 0;
        for (int half = 0; half < 30; half++) {
            for (size_t j = 0; j < p; j++)
                t[j] = b[j] + ws->step[j];
            t[p] = 0;
            fn = pass(ws, p, t, 1, stride) + penalty(t, p, l2);
            if (isfinite(fn) && fn <= *f * (1 + 1e-12) + 1e-12)
                break;
            for (size_t j = 0; j < p; j++)
                ws->step[j] /= 2;
        }
        memcpy(b, t, (p + 1) * sizeof *b);
        *iters = it;
        double change = fabs(fn - *f) / (fabs(fn) + 0.1);
        *f = fn;
        if (change < tol) {
            *converged = 1;
            break;
        }
    }
    return 0;
}

int model_fit(const struct model_design *d, const struct model_opts *opts, struct model_ws *ws,
              struct model_result *res, struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    const size_t p = d->p;
    if (p > ws->p || d->n > ws->n || d->k != ws->k)
        return mql_err_set(err, MQL_EIO, "model: workspace for %zu x %zu, design is %zu x %zu",
                           ws->n, ws->p, d->n, p);
    res->p = p;
    res->l2 = opts->l2;
    res->beta = calloc(p, sizeof *res->beta);
    res->se = malloc(p * sizeof *res->se);
    res->aliased = calloc(p, 1);
    if (!res->beta || !res->se || !res->aliased)
        return mql_err_oom(err);

    size_t n = 0, npos = 0;
    for (size_t r = 0; r < d->n; r++)
        if (!d->use || d->use[r]) {
            n++;
            npos += d->y[r];
        }
    res->n = n;
    res->n_pos = npos;
    if (n == 0)
        return mql_err_set(err, MQL_EINPUT, "no lead to fit the model on");
    if (npos == 0 || npos == n)
        return mql_err_set(err, MQL_EINPUT,
                           "%s of the %zu leads used for the fit converted: the outcome has one "
                           "class, so there is nothing to learn (check [data] positive and "
                           "negative)",
                           npos ? "every one" : "none", n);
    double ybar = (double)npos / (double)n;
    res->null_deviance = -2 * ((double)npos * log(ybar) + (double)(n - npos) * log1p(-ybar));

    double *b = ws->beta;
    memset(b, 0, (p + 1) * sizeof *b);
    b[0] = log(ybar / (1 - ybar));
    const double l2 = opts->l2;
    pack(d, ws);
    int rc = 0;
    size_t q = 0;
    if (ws->m >= MODEL_WARM_ROWS) {
        /* Warm start on every MODEL_WARM_STRIDE-th row, with a ridge so that a level the sample
         * lacks stays put; the full-data iterations below then start near the optimum. */
        double fw = pass(ws, p, b, 1, MODEL_WARM_STRIDE) + penalty(b, p, 1.0);
        for (size_t j = 0; j < p; j++)
            ws->kept[j] = j;
        int iters = 0, conv = 0;
        newton(ws, p, p, 1.0, MODEL_WARM_STRIDE, 12, 1e-6, &fw, &iters, &conv, &res->used_qr);
        res->warm_iterations = iters;
    }
    double f = pass(ws, p, b, 1, 1) + penalty(b, p, l2);
    res->naliased = find_aliased(ws, p, res->aliased);
    for (size_t j = 0; j < p; j++)
        if (!res->aliased[j])
            ws->kept[q++] = j;
    if (res->naliased > 0 && res->warm_iterations > 0) {
        for (size_t j = 0; j < p; j++)
            if (res->aliased[j])
                b[j] = 0;
        f = pass(ws, p, b, 1, 1) + penalty(b, p, l2);
    }
    if (newton(ws, p, q, l2, 1, opts->max_iter, opts->tol, &f, &res->iterations, &res->converged,
               &res->used_qr)) {
        rc = mql_err_set(err, MQL_EIO, "model: the linear solve failed at iteration %d",
                         res->iterations + 1);
        goto out;
    }
    res->deviance = f - penalty(b, p, l2);
    res->aic = res->deviance + 2.0 * (double)q;
    memcpy(res->beta, b, p * sizeof *b);
    /* standard errors: the inverse of the (penalised) Hessian at the estimate */
    for (size_t j = 0; j < p; j++)
        res->se[j] = NAN;
    gsl_matrix_view m = reduced(ws, q, l2);
    if (gsl_linalg_cholesky_decomp1(&m.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(&m.matrix) != GSL_SUCCESS) {
        rc = mql_err_set(err, MQL_EIO,
                         "model: the information matrix is singular at the estimate: standard "
                         "errors are undefined (separation?)");
        goto out;
    }
    for (size_t i = 0; i < q; i++)
        res->se[ws->kept[i]] = sqrt(gsl_matrix_get(&m.matrix, i, i));
out:
    return rc;
}
