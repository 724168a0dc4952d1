/* Unit tests for include/mqlcal/model.h: hand-computed logistic regression fixtures.
 *
 * Designs are built directly as `cols` arrays: k attribute slots per row, each holding the
 * lead's design column (1 .. p-1) or p for "reference level, no column". */
#include "testutil.h"

#include <math.h>

#include "mqlcal/model.h"

#define OPTS_DEFAULT                                                                               \
    {                                                                                              \
        0.0, 50, 1e-10                                                                             \
    }

/* A design whose arrays the test owns. */
struct design {
    struct model_design d;
    uint16_t *cols;
    unsigned char *y;
};

static void design_alloc(struct design *ds, size_t n, size_t k, size_t p)
{
    memset(ds, 0, sizeof *ds);
    ds->cols = malloc((n * k > 0 ? n * k : 1) * sizeof *ds->cols);
    ds->y = malloc(n ? n : 1);
    assert_non_null(ds->cols);
    assert_non_null(ds->y);
    ds->d.n = n;
    ds->d.k = k;
    ds->d.p = p;
    ds->d.cols = ds->cols;
    ds->d.y = ds->y;
    ds->d.use = NULL;
}

static void design_free(struct design *ds)
{
    free(ds->cols);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

/*
 * The 2x2 table of one binary attribute (k = 1, p = 2: intercept and column 1):
 *
 *              y = 1   y = 0
 *   x = 1        a       b       (column 1)
 *   x = 0        c       d       (reference: no column)
 *
 * The rows are spread over the design by cycling through a fixed 100-row pattern (the cells
 * interleaved, not in blocks), `scale` times, so that any sample of the rows sees every cell.
 */
struct table2 {
    size_t a, b, c, d;
};

static void design_2x2(struct design *ds, struct table2 t, size_t scale)
{
    size_t base = t.a + t.b + t.c + t.d;
    design_alloc(ds, base * scale, 1, 2);
    /* one pattern of `base` rows: cell of pattern row i chosen round-robin among the cells
     * with rows left, so the cells are interleaved */
    size_t left[4] = {t.a, t.b, t.c, t.d};
    unsigned char px[512], py[512];
    assert_true(base <= sizeof px);
    size_t i = 0;
    while (i < base)
        for (int cell = 0; cell < 4 && i < base; cell++)
            if (left[cell] > 0) {
                left[cell]--;
                px[i] = cell < 2;               /* a, b: x = 1 */
                py[i] = cell == 0 || cell == 2; /* a, c: y = 1 */
                i++;
            }
    for (size_t s = 0; s < scale; s++)
        for (size_t r = 0; r < base; r++) {
            ds->cols[s * base + r] = px[r] ? 1 : 2;
            ds->y[s * base + r] = py[r];
        }
}

static void fit_ok(const struct model_design *d, const struct model_opts *opts,
                   struct model_result *res)
{
    struct model_ws *ws = model_ws_new(d->n, d->k, d->p);
    assert_non_null(ws);
    struct mql_err err;
    mql_err_clear(&err);
    int rc = model_fit(d, opts, ws, res, &err);
    model_ws_free(ws);
    if (rc)
        fail_msg("model_fit failed (%d): %s", rc, err.msg);
}

/* Deviance of cells with n1 positives and n0 negatives each fitted at their own rate:
 * -2 * sum [n1 ln(n1 / n) + n0 ln(n0 / n)] (a zero count contributes 0). */
static double cell_deviance(double n1, double n0)
{
    double n = n1 + n0, dev = 0;
    if (n1 > 0)
        dev += n1 * log(n1 / n);
    if (n0 > 0)
        dev += n0 * log(n0 / n);
    return -2 * dev;
}

/* ---- the 2x2 table ---- */

/*
 * a = 30, b = 10, c = 20, d = 40 (n = 100, 50 positives).
 * The model is saturated on the two groups, so the fitted rates are the observed ones:
 *   intercept = logit(c / (c + d)) = ln(20 / 40) = -ln 2
 *   slope     = ln(a d / (b c)) = ln(30 * 40 / (10 * 20)) = ln 6
 * and the inverse information gives the textbook standard errors
 *   SE(slope)     = sqrt(1/a + 1/b + 1/c + 1/d) = sqrt(1/30 + 1/10 + 1/20 + 1/40)
 *   SE(intercept) = sqrt(1/c + 1/d)              = sqrt(1/20 + 1/40).
 * deviance = -2 [30 ln .75 + 10 ln .25 + 20 ln(1/3) + 40 ln(2/3)] = 121.3685...
 * null deviance = -2 * 100 * ln .5 = 200 ln 2; AIC = deviance + 2 * 2.
 */
static const struct table2 T1 = {30, 10, 20, 40};

static void check_2x2(const struct model_result *res, struct table2 t, double scale)
{
    double a = (double)t.a * scale, b = (double)t.b * scale, c = (double)t.c * scale,
           d = (double)t.d * scale;
    assert_int_equal(res->p, 2);
    assert_int_equal(res->naliased, 0);
    assert_true(res->converged);
    assert_near(res->beta[0], log(c / d), 1e-9);
    assert_near(res->beta[1], log(a * d / (b * c)), 1e-9);
    assert_near(res->se[1], sqrt(1 / a + 1 / b + 1 / c + 1 / d), 1e-9);
    assert_near(res->se[0], sqrt(1 / c + 1 / d), 1e-9);
    double dev = cell_deviance(a, b) + cell_deviance(c, d);
    assert_near_rel(res->deviance, dev, 1e-12);
    double n = a + b + c + d, pos = a + c;
    assert_near_rel(res->null_deviance, cell_deviance(pos, n - pos), 1e-12);
    assert_near_rel(res->aic, dev + 4, 1e-12);
    assert_int_equal(res->n, (size_t)n);
    assert_int_equal(res->n_pos, (size_t)pos);
    assert_int_equal(res->warm_iterations > 0, n >= 200000);
}

static void test_2x2_closed_form(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1);
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    check_2x2(&res, T1, 1);
    /* the literal values, so that a wrong closed form above cannot hide a wrong fit */
    assert_near(res.beta[0], -0.69314718055994531, 1e-9);
    assert_near(res.beta[1], 1.791759469228055, 1e-9);
    assert_near(res.se[1], 0.45643546458763842, 1e-9); /* sqrt(0.2083...) */
    assert_near(res.se[0], 0.27386127875258306, 1e-9); /* sqrt(0.075) */
    assert_near(res.deviance, 121.36851176488221, 1e-9);
    assert_near(res.null_deviance, 138.62943611198907, 1e-9);
    assert_near(res.l2, 0, 0);
    model_result_release(&res);
    design_free(&ds);
}

/* The reference group is the one without a column, whichever way round: flipping x gives
 * intercept logit(a / (a + b)) and the negated slope. */
static void test_2x2_flipped(void **state)
{
    (void)state;
    struct table2 flipped = {T1.c, T1.d, T1.a, T1.b};
    struct design ds;
    design_2x2(&ds, flipped, 1);
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    check_2x2(&res, flipped, 1);
    assert_near(res.beta[0], log(30.0 / 10.0), 1e-9);
    assert_near(res.beta[1], -log(6.0), 1e-9);
    model_result_release(&res);
    design_free(&ds);
}

/* `use` selects rows: fitting T1 stacked on junk rows with the junk excluded is fitting T1. */
static void test_use_mask(void **state)
{
    (void)state;
    struct design small;
    design_2x2(&small, T1, 1);
    struct design ds;
    design_alloc(&ds, 2 * small.d.n, 1, 2);
    unsigned char *use = malloc(ds.d.n);
    assert_non_null(use);
    for (size_t r = 0; r < small.d.n; r++) {
        /* even rows: T1; odd rows: every lead with x = 1 converts (would change the fit) */
        ds.cols[2 * r] = small.cols[r];
        ds.y[2 * r] = small.y[r];
        use[2 * r] = 1;
        ds.cols[2 * r + 1] = 1;
        ds.y[2 * r + 1] = 1;
        use[2 * r + 1] = 0;
    }
    ds.d.use = use;
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    check_2x2(&res, T1, 1);
    model_result_release(&res);
    free(use);
    design_free(&ds);
    design_free(&small);
}

/*
 * Two binary attributes (k = 2, p = 3) whose cell rates are exactly additive on the logit
 * scale, so the additive model reproduces every cell and the MLE is the cells' logits:
 *
 *   x1 x2   pos neg   rate   logit
 *   0  0     10  10    1/2    0
 *   1  0     20  10    2/3    ln 2
 *   0  1     30  10    3/4    ln 3
 *   1  1     60  10    6/7    ln 6 = ln 2 + ln 3
 *
 * so beta = (0, ln 2, ln 3); deviance = the sum of the four cells' deviances. The standard
 * errors are the square roots of the diagonal of the inverse of X'WX with w = p(1 - p) per
 * row, computed below from the cell sums (3 x 3 inverse by cofactors).
 */
static void test_additive_two_attributes(void **state)
{
    (void)state;
    static const size_t pos[4] = {10, 20, 30, 60}, neg[4] = {10, 10, 10, 10};
    static const int x1[4] = {0, 1, 0, 1}, x2[4] = {0, 0, 1, 1};
    size_t n = 0;
    for (int c = 0; c < 4; c++)
        n += pos[c] + neg[c];
    struct design ds;
    design_alloc(&ds, n, 2, 3);
    size_t r = 0;
    /* cells in reverse order, so the row order is not the level order; the first pos[c] rows
     * of cell c are its positives */
    for (int c = 3; c >= 0; c--)
        for (size_t i = 0; i < pos[c] + neg[c]; i++, r++) {
            ds.cols[r * 2 + 0] = x1[c] ? 1 : 3;
            ds.cols[r * 2 + 1] = x2[c] ? 2 : 3;
            ds.y[r] = i < pos[c];
        }
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_near(res.beta[0], 0, 1e-9);
    assert_near(res.beta[1], log(2.0), 1e-9);
    assert_near(res.beta[2], log(3.0), 1e-9);
    double dev = 0;
    for (int c = 0; c < 4; c++)
        dev += cell_deviance((double)pos[c], (double)neg[c]);
    assert_near_rel(res.deviance, dev, 1e-12);
    assert_near_rel(res.aic, dev + 6, 1e-12);

    /* X'WX from the cells: H[i][j] = sum over cells of n p (1 - p) x_i x_j (x_0 = 1) */
    double h[3][3] = {{0}};
    for (int c = 0; c < 4; c++) {
        double nc = (double)(pos[c] + neg[c]), pc = (double)pos[c] / nc, w = nc * pc * (1 - pc);
        double x[3] = {1, x1[c], x2[c]};
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                h[i][j] += w * x[i] * x[j];
    }
    double det = h[0][0] * (h[1][1] * h[2][2] - h[1][2] * h[2][1]) -
                 h[0][1] * (h[1][0] * h[2][2] - h[1][2] * h[2][0]) +
                 h[0][2] * (h[1][0] * h[2][1] - h[1][1] * h[2][0]);
    double inv00 = (h[1][1] * h[2][2] - h[1][2] * h[2][1]) / det;
    double inv11 = (h[0][0] * h[2][2] - h[0][2] * h[2][0]) / det;
    double inv22 = (h[0][0] * h[1][1] - h[0][1] * h[1][0]) / det;
    assert_near(res.se[0], sqrt(inv00), 1e-9);
    assert_near(res.se[1], sqrt(inv11), 1e-9);
    assert_near(res.se[2], sqrt(inv22), 1e-9);
    model_result_release(&res);
    design_free(&ds);
}

/* ---- aliased columns ---- */

/* Attribute 1's column 2 is active exactly when attribute 0's column 1 is: column 2 is a copy
 * of column 1, so the later one is aliased (beta 0, se NaN) and the fit is the 2x2 one. */
static void test_aliased_duplicate(void **state)
{
    (void)state;
    struct design one;
    design_2x2(&one, T1, 1);
    struct design ds;
    design_alloc(&ds, one.d.n, 2, 3);
    for (size_t r = 0; r < one.d.n; r++) {
        int x = one.cols[r] == 1;
        ds.cols[r * 2 + 0] = x ? 1 : 3;
        ds.cols[r * 2 + 1] = x ? 2 : 3;
        ds.y[r] = one.y[r];
    }
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_int_equal(res.p, 3);
    assert_int_equal(res.naliased, 1);
    assert_int_equal(res.aliased[0], 0);
    assert_int_equal(res.aliased[1], 0);
    assert_int_not_equal(res.aliased[2], 0);
    assert_true(res.beta[2] == 0.0);
    assert_true(isnan(res.se[2]));
    assert_near(res.beta[0], -log(2.0), 1e-9);
    assert_near(res.beta[1], log(6.0), 1e-9);
    assert_near(res.se[1], sqrt(1 / 30.0 + 1 / 10.0 + 1 / 20.0 + 1 / 40.0), 1e-9);
    assert_near(res.se[0], sqrt(1 / 20.0 + 1 / 40.0), 1e-9);
    /* an aliased column costs no degree of freedom */
    assert_near_rel(res.aic, res.deviance + 4, 1e-12);
    model_result_release(&res);
    design_free(&ds);
    design_free(&one);
}

/* A column that is intercept - column 1 (active exactly when column 1 is not) is a linear
 * combination of earlier columns too; a column no row uses is all zero. Both are aliased. */
static void test_aliased_complement_and_empty(void **state)
{
    (void)state;
    struct design one;
    design_2x2(&one, T1, 1);
    struct design ds;
    /* p = 4: columns 1 (x), 2 (1 - x), 3 (never used); "none" is 4 */
    design_alloc(&ds, one.d.n, 3, 4);
    for (size_t r = 0; r < one.d.n; r++) {
        int x = one.cols[r] == 1;
        ds.cols[r * 3 + 0] = x ? 1 : 4;
        ds.cols[r * 3 + 1] = x ? 4 : 2;
        ds.cols[r * 3 + 2] = 4;
        ds.y[r] = one.y[r];
    }
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_int_equal(res.naliased, 2);
    assert_int_equal(res.aliased[1], 0);
    assert_int_not_equal(res.aliased[2], 0);
    assert_int_not_equal(res.aliased[3], 0);
    assert_true(res.beta[2] == 0.0 && res.beta[3] == 0.0);
    assert_true(isnan(res.se[2]) && isnan(res.se[3]));
    assert_near(res.beta[0], -log(2.0), 1e-9);
    assert_near(res.beta[1], log(6.0), 1e-9);
    model_result_release(&res);
    design_free(&ds);
    design_free(&one);
}

/* ---- one class ---- */

static void expect_one_class(const struct model_design *d, const char *which)
{
    struct model_ws *ws = model_ws_new(d->n, d->k, d->p);
    assert_non_null(ws);
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(model_fit(d, &opts, ws, &res, &err), MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_err_contains(&err, "one class");
    assert_err_contains(&err, which);
    model_result_release(&res);
    model_ws_free(ws);
}

static void test_one_class(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1);
    memset(ds.y, 1, ds.d.n);
    expect_one_class(&ds.d, "every");
    memset(ds.y, 0, ds.d.n);
    expect_one_class(&ds.d, "none");

    /* two classes in the design, but one among the rows used */
    design_free(&ds);
    design_2x2(&ds, T1, 1);
    unsigned char *use = malloc(ds.d.n);
    assert_non_null(use);
    for (size_t r = 0; r < ds.d.n; r++)
        use[r] = ds.y[r];
    ds.d.use = use;
    expect_one_class(&ds.d, "every");

    /* no row at all */
    memset(use, 0, ds.d.n);
    struct model_ws *ws = model_ws_new(ds.d.n, 1, 2);
    assert_non_null(ws);
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(model_fit(&ds.d, &opts, ws, &res, &err), MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    model_result_release(&res);
    model_ws_free(ws);
    free(use);
    design_free(&ds);
}

/* ---- L2 ---- */

/* The gradient of the log-likelihood, X'(y - mu), at beta, for a design with k = 1, p = 2. */
static void gradient_2x2(const struct design *ds, const double *beta, double g[2], double h[2][2])
{
    g[0] = g[1] = 0;
    h[0][0] = h[0][1] = h[1][0] = h[1][1] = 0;
    for (size_t r = 0; r < ds->d.n; r++) {
        double x = ds->cols[r] == 1;
        double mu = 1 / (1 + exp(-(beta[0] + x * beta[1])));
        double resid = ds->y[r] - mu, w = mu * (1 - mu);
        g[0] += resid;
        g[1] += x * resid;
        h[0][0] += w;
        h[0][1] += w * x;
        h[1][1] += w * x * x;
    }
    h[1][0] = h[0][1];
}

/*
 * The penalised optimum maximises loglik - l2/2 * beta_1^2 (the intercept is not penalised),
 * so at it the score equations are X'(y - mu) = (0, l2 * beta_1). The standard errors are the
 * square roots of the diagonal of (X'WX + diag(0, l2))^-1 at the estimate, and the reported
 * deviance is the plain one (without the penalty).
 */
static void test_l2_stationarity(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1);
    struct model_opts opts = {0.0, 50, 1e-12};
    struct model_result plain, pen;
    fit_ok(&ds.d, &opts, &plain);
    static const double l2s[] = {0.5, 5.0, 50.0};
    double prev = plain.beta[1];
    for (size_t i = 0; i < sizeof l2s / sizeof l2s[0]; i++) {
        opts.l2 = l2s[i];
        fit_ok(&ds.d, &opts, &pen);
        assert_near(pen.l2, l2s[i], 0);
        assert_true(pen.converged);
        /* shrinks toward 0, more with a larger penalty, never past it */
        assert_true(pen.beta[1] > 0);
        assert_true(pen.beta[1] < prev);
        prev = pen.beta[1];
        double g[2], h[2][2];
        gradient_2x2(&ds, pen.beta, g, h);
        assert_near(g[0], 0, 1e-8);
        assert_near(g[1], l2s[i] * pen.beta[1], 1e-8);
        /* SE from the penalised Hessian */
        h[1][1] += l2s[i];
        double det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        assert_near(pen.se[0], sqrt(h[1][1] / det), 1e-9);
        assert_near(pen.se[1], sqrt(h[0][0] / det), 1e-9);
        /* the deviance reported is -2 loglik at the estimate */
        double dev = 0;
        for (size_t r = 0; r < ds.d.n; r++) {
            double x = ds.cols[r] == 1;
            double mu = 1 / (1 + exp(-(pen.beta[0] + x * pen.beta[1])));
            dev -= 2 * (ds.y[r] ? log(mu) : log1p(-mu));
        }
        assert_near_rel(pen.deviance, dev, 1e-10);
        assert_true(pen.deviance > plain.deviance);
        model_result_release(&pen);
    }
    model_result_release(&plain);
    design_free(&ds);
}

/* Complete separation: every lead with x = 1 converts. Without a penalty the slope runs off
 * to infinity; with l2 > 0 it is finite and so are the standard errors. */
static void test_l2_separation(void **state)
{
    (void)state;
    struct table2 sep = {25, 0, 20, 40};
    struct design ds;
    design_2x2(&ds, sep, 1);
    struct model_opts opts = {1.0, 50, 1e-10};
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_true(res.converged);
    for (size_t j = 0; j < 2; j++) {
        assert_true(isfinite(res.beta[j]));
        assert_true(isfinite(res.se[j]));
        assert_true(res.se[j] > 0);
    }
    assert_true(res.beta[1] > 1); /* still strongly positive */
    double g[2], h[2][2];
    gradient_2x2(&ds, res.beta, g, h);
    assert_near(g[0], 0, 1e-6);
    assert_near(g[1], 1.0 * res.beta[1], 1e-6);
    model_result_release(&res);

    /* without the penalty the fit must not crash: either an error, or a huge slope */
    opts.l2 = 0;
    struct model_ws *ws = model_ws_new(ds.d.n, 1, 2);
    assert_non_null(ws);
    struct mql_err err;
    mql_err_clear(&err);
    int rc = model_fit(&ds.d, &opts, ws, &res, &err);
    if (rc)
        assert_int_equal(err.code, rc);
    else
        assert_true(res.beta[1] > 5);
    model_result_release(&res);
    model_ws_free(ws);
    design_free(&ds);
}

/* ---- determinism and the large-design path ---- */

static void test_deterministic(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1);
    struct model_opts opts = {0.5, 50, 1e-10};
    struct model_result r1, r2;
    fit_ok(&ds.d, &opts, &r1);
    /* the same workspace reused for a second fit */
    struct model_ws *ws = model_ws_new(ds.d.n, 1, 2);
    assert_non_null(ws);
    struct mql_err err;
    for (int rep = 0; rep < 2; rep++) {
        mql_err_clear(&err);
        assert_int_equal(model_fit(&ds.d, &opts, ws, &r2, &err), 0);
        assert_memory_equal(r1.beta, r2.beta, 2 * sizeof *r1.beta);
        assert_memory_equal(r1.se, r2.se, 2 * sizeof *r1.se);
        assert_memory_equal(&r1.deviance, &r2.deviance, sizeof r1.deviance);
        assert_int_equal(r1.iterations, r2.iterations);
        model_result_release(&r2);
    }
    model_ws_free(ws);
    model_result_release(&r1);
    design_free(&ds);
}

/*
 * T1 with every count multiplied by 2500: 250,000 rows, so the solver takes its large-design
 * path (a 1-in-16 warm start, two threads). The coefficients are the same as for T1 (the rates
 * are), the standard errors 1/sqrt(2500) = 1/50 of T1's, the deviance 2500 times.
 */
static void test_large_design(void **state)
{
    (void)state;
    const size_t scale = 2500;
    struct design small, big;
    design_2x2(&small, T1, 1);
    design_2x2(&big, T1, scale);
    assert_true(big.d.n >= 200000);
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result rs, rb, rb2;
    fit_ok(&small.d, &opts, &rs);
    fit_ok(&big.d, &opts, &rb);
    check_2x2(&rb, T1, (double)scale);
    assert_true(rb.warm_iterations > 0);
    assert_near(rb.beta[0], rs.beta[0], 1e-9);
    assert_near(rb.beta[1], rs.beta[1], 1e-9);
    assert_near_rel(rb.se[0], rs.se[0] / 50, 1e-9);
    assert_near_rel(rb.se[1], rs.se[1] / 50, 1e-9);
    assert_near_rel(rb.deviance, rs.deviance * (double)scale, 1e-9);

    /* twice: bit-identical, whatever the threads' timing */
    fit_ok(&big.d, &opts, &rb2);
    assert_memory_equal(rb.beta, rb2.beta, 2 * sizeof *rb.beta);
    assert_memory_equal(rb.se, rb2.se, 2 * sizeof *rb.se);
    assert_memory_equal(&rb.deviance, &rb2.deviance, sizeof rb.deviance);
    model_result_release(&rb2);

    /* with a penalty too: the penalised optimum of the big design satisfies its own score
     * equations */
    opts.l2 = 100;
    fit_ok(&big.d, &opts, &rb2);
    double g[2], h[2][2];
    gradient_2x2(&big, rb2.beta, g, h);
    assert_near(g[0], 0, 1e-6);
    assert_near(g[1], 100 * rb2.beta[1], 1e-6);
    model_result_release(&rb2);

    model_result_release(&rs);
    model_result_release(&rb);
    design_free(&small);
    design_free(&big);
}

/* A large design with an aliased column: the warm start runs before the aliasing is known,
 * and the result is still the 2x2 one with the copy dropped. */
static void test_large_design_aliased(void **state)
{
    (void)state;
    struct design one;
    design_2x2(&one, T1, 2100);
    struct design ds;
    design_alloc(&ds, one.d.n, 2, 3);
    for (size_t r = 0; r < one.d.n; r++) {
        int x = one.cols[r] == 1;
        ds.cols[r * 2 + 0] = x ? 1 : 3;
        ds.cols[r * 2 + 1] = x ? 2 : 3;
        ds.y[r] = one.y[r];
    }
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_true(res.warm_iterations > 0);
    assert_int_equal(res.naliased, 1);
    assert_int_not_equal(res.aliased[2], 0);
    assert_true(res.beta[2] == 0.0);
    assert_true(isnan(res.se[2]));
    assert_near(res.beta[0], -log(2.0), 1e-9);
    assert_near(res.beta[1], log(6.0), 1e-9);
    model_result_release(&res);
    design_free(&ds);
    design_free(&one);
}

/* ---- model_eta, workspaces ---- */

static void test_eta(void **state)
{
    (void)state;
    const double beta[4] = {0.5, 1.0, 2.0, 4.0};
    const uint16_t row1[3] = {1, 4, 3}; /* 4 = p: the reference of attribute 1 */
    assert_near(model_eta(beta, 4, row1, 3), 0.5 + 1.0 + 4.0, 0);
    const uint16_t row2[3] = {4, 4, 4};
    assert_near(model_eta(beta, 4, row2, 3), 0.5, 0);
    const uint16_t row3[2] = {2, 3};
    assert_near(model_eta(beta, 4, row3, 2), 0.5 + 2.0 + 4.0, 0);
    assert_near(model_eta(beta, 4, row3, 0), 0.5, 0);
}

static void test_ws_limits(void **state)
{
    (void)state;
    assert_null(model_ws_new(10, 256, 3));
    assert_null(model_ws_new(10, 1000, 3));
    struct model_ws *ws = model_ws_new(10, 255, 3);
    assert_non_null(ws);
    model_ws_free(ws);
    model_ws_free(NULL);
}

static void test_ws_too_small(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1); /* n = 100, k = 1, p = 2 */
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result res;
    struct mql_err err;
    const struct {
        size_t n, k, p;
    } small[] = {{99, 1, 2}, {100, 1, 1}, {100, 2, 2}};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        struct model_ws *ws = model_ws_new(small[i].n, small[i].k, small[i].p);
        assert_non_null(ws);
        mql_err_clear(&err);
        int rc = model_fit(&ds.d, &opts, ws, &res, &err);
        if (rc == 0)
            fail_msg("a workspace for %zu x %zu x %zu fitted a 100 x 1 x 2 design", small[i].n,
                     small[i].k, small[i].p);
        assert_int_equal(err.code, rc);
        assert_true(err.msg[0] != '\0');
        model_result_release(&res);
        model_ws_free(ws);
    }
    model_result_release(NULL);
    design_free(&ds);
}

/* A workspace is for designs of "at most n rows ... and at most p columns": a larger one fits
 * a smaller design exactly as a workspace of its size does. (Kept last: model.c's alias search
 * used to walk the workspace's p columns, past the design's, which ASan reports as a heap
 * overflow of res->aliased.) */
static void test_ws_larger_than_design(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1); /* n = 100, k = 1, p = 2 */
    struct model_opts opts = OPTS_DEFAULT;
    struct model_result exact, res;
    fit_ok(&ds.d, &opts, &exact);
    struct model_ws *ws = model_ws_new(1000, 1, 5);
    assert_non_null(ws);
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(model_fit(&ds.d, &opts, ws, &res, &err), 0);
    assert_int_equal(res.p, 2);
    assert_int_equal(res.naliased, 0);
    assert_int_equal(res.aliased[0] | res.aliased[1], 0);
    check_2x2(&res, T1, 1);
    assert_memory_equal(res.beta, exact.beta, 2 * sizeof *res.beta);
    model_result_release(&res);
    model_result_release(&exact);
    model_ws_free(ws);
    design_free(&ds);
}

/* max_iter reached is not an error: converged says so. */
static void test_not_converged(void **state)
{
    (void)state;
    struct design ds;
    design_2x2(&ds, T1, 1);
    struct model_opts opts = {0.0, 1, 1e-300};
    struct model_result res;
    fit_ok(&ds.d, &opts, &res);
    assert_int_equal(res.iterations, 1);
    assert_false(res.converged);
    assert_true(isfinite(res.beta[1]));
    model_result_release(&res);
    design_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_2x2_closed_form),
        cmocka_unit_test(test_2x2_flipped),
        cmocka_unit_test(test_use_mask),
        cmocka_unit_test(test_additive_two_attributes),
        cmocka_unit_test(test_aliased_duplicate),
        cmocka_unit_test(test_aliased_complement_and_empty),
        cmocka_unit_test(test_one_class),
        cmocka_unit_test(test_l2_stationarity),
        cmocka_unit_test(test_l2_separation),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_large_design),
        cmocka_unit_test(test_large_design_aliased),
        cmocka_unit_test(test_eta),
        cmocka_unit_test(test_ws_limits),
        cmocka_unit_test(test_ws_too_small),
        cmocka_unit_test(test_not_converged),
        cmocka_unit_test(test_ws_larger_than_design),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
