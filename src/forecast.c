/* forecast.c: a rule's next quarter from its history, with prediction intervals (forecast.h). */
#include "mqlcal/forecast.h"
#include "mqlcal/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double forecast_capacity_stat(double *v, size_t n, enum capacity_rule rule, double scale)
{
    if (n == 0)
        return NAN;
    double s = 0, m = v[0];
    for (size_t i = 0; i < n; i++) {
        s += v[i];
        m = v[i] > m ? v[i] : m;
    }
    if (rule == CAPACITY_MEAN)
        return scale * s / (double)n;
    if (rule == CAPACITY_MAX || n == 1)
        return scale * m;
    qsort(v, n, sizeof *v, stats_cmp_double);
    double h = 0.9 * (double)(n - 1);
    size_t j = (size_t)h;
    double q = j + 1 < n ? v[j] + (h - (double)j) * (v[j + 1] - v[j]) : v[j];
    return scale * q;
}

size_t forecast_recent(const unsigned char *whole, size_t n, size_t k, size_t *out)
{
    size_t m = 0;
    for (size_t p = n; p-- > 0 && m < k;)
        if (!whole || whole[p])
            out[m++] = p;
    return m;
}

/* The history's blocks: the whole periods cut back from the latest into runs of k; block b
 * (0 = the oldest) holds idx[b * k .. b * k + k). Returns the number of blocks; idx (n) is
 * filled oldest first. */
static size_t blocks_of(const unsigned char *whole, size_t n, size_t k, size_t *idx)
{
    size_t w = 0;
    for (size_t p = 0; p < n; p++)
        if (!whole || whole[p])
            idx[w++] = p;
    size_t nb = k ? w / k : 0, skip = w - nb * k; /* the oldest leftovers are not a block */
    memmove(idx, idx + skip, nb * k * sizeof *idx);
    return nb;
}

/* Block means of x over the blocks (nb of them, idx as blocks_of). */
static void block_means(const double *x, const size_t *idx, size_t nb, size_t k, double *mean)
{
    for (size_t b = 0; b < nb; b++) {
        double s = 0;
        for (size_t i = 0; i < k; i++)
            s += x[idx[b * k + i]];
        mean[b] = s / (double)k;
    }
}

struct change {
    size_t blocks;
    int measured;
    double growth; /* exp(mean D) */
    double excess; /* var D beyond counting noise */
    double nd;     /* number of changes */
    double within; /* month-to-month log spread inside a block beyond counting noise */
};

static int lead_changes(const double *leads, const unsigned char *whole, size_t n, size_t k,
                        struct change *c)
{
    memset(c, 0, sizeof *c);
    c->growth = 1;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *mean = malloc((n ? n : 1) * sizeof *mean);
    if (!idx || !mean) {
        free(idx);
        free(mean);
        return -1;
    }
    size_t nb = blocks_of(whole, n, k, idx);
    c->blocks = nb;
    block_means(leads, idx, nb, k, mean);
    if (nb >= 3) {
        double sd = 0, sd2 = 0, pois = 0;
        size_t nd = nb - 1;
        for (size_t b = 0; b + 1 < nb; b++) {
            double l0 = mean[b] > 0 ? mean[b] : 0.5, l1 = mean[b + 1] > 0 ? mean[b + 1] : 0.5;
            double d = log(l1) - log(l0);
            sd += d;
            sd2 += d * d;
            pois += 1 / ((double)k * l0) + 1 / ((double)k * l1);
        }
        double md = sd / (double)nd, var = (sd2 - (double)nd * md * md) / (double)(nd - 1);
        c->measured = 1;
        c->growth = exp(md);
        c->nd = (double)nd;
        c->excess = fmax(0, var - pois / (double)nd);
    }
    /* within a block: each period's log against its block's mean */
    double ss = 0, pw = 0;
    size_t df = 0, np = 0;
    for (size_t b = 0; k > 1 && b < nb; b++)
        for (size_t i = 0; i < k; i++) {
            double x = leads[idx[b * k + i]], m = mean[b];
            if (x > 0 && m > 0) {
                double e = log(x) - log(m);
                ss += e * e;
                pw += 1 / x;
                np++;
            }
        }
    df = np >= nb ? np - nb : 0;
    c->within = df > 0 ? fmax(0, ss / (double)df - pw / (double)np) : 0;
    free(idx);
    free(mean);
    return 0;
}

double forecast_growth(const double *leads, const unsigned char *whole, size_t n, size_t k,
                       int *measured)
{
    struct change c;
    if (lead_changes(leads, whole, n, k, &c)) {
        *measured = 0;
        return 1;
    }
    *measured = c.measured;
    return c.growth;
}

/* Between-block variance of the rule's conversion beyond binomial noise (moments). */
static double conversion_tau2(const struct forecast_input *in, const size_t *idx, size_t nb)
{
    size_t used = 0;
    double sd = 0, ss = 0, sc = 0, sc2 = 0, bin = 0;
    for (size_t b = 0; b < nb; b++) {
        double d = 0, s = 0;
        for (size_t i = 0; i < in->k; i++) {
            d += in->decided[idx[b * in->k + i]];
            s += in->sqls[idx[b * in->k + i]];
        }
        if (d < 1)
            continue;
        used++;
        sd += d;
        ss += s;
        sc += s / d;
        sc2 += (s / d) * (s / d);
        bin += 1 / d;
    }
    if (used < 3)
        return 0;
    double pbar = ss / sd, mc = sc / (double)used;
    double var = (sc2 - (double)used * mc * mc) / (double)(used - 1);
    return fmax(0, var - pbar * (1 - pbar) * bin / (double)used);
}

int forecast_rule(const struct forecast_input *in, struct forecast *out, struct mql_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n, k = in->k ? in->k : 1;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *v = malloc((n + k + 1) * sizeof *v);
    struct change c;
    if (!idx || !v || lead_changes(in->leads, in->whole, n, k, &c)) {
        free(idx);
        free(v);
        return mql_err_oom(err);
    }
    out->recent = forecast_recent(in->whole, n, k, idx);
    double m = 0;
    for (size_t i = 0; i < out->recent; i++)
        m += in->mqls[idx[i]];
    m = out->recent ? m / (double)out->recent : 0;
    out->blocks = c.blocks;
    out->growth_measured = c.measured;
    out->growth = c.growth;
    out->level = m;
    double kd = (double)k, mu = m * c.growth;
    double q = c.measured && c.nd >= 2 ? gsl_cdf_tdist_Pinv(0.975, c.nd - 1) : STATS_Z95;
    double V = c.excess * (1 + (c.measured ? 1 / c.nd : 0));
    if (m > 0) {
        V += 1 / (kd * m) + 1 / (kd * mu);
        out->mqls = mu;
        out->mqls_lo = mu * exp(-q * sqrt(V));
        out->mqls_hi = mu * exp(q * sqrt(V));
    } else { /* none recently: the next quarter's mean from zero counts */
        out->mqls = out->mqls_lo = 0;
        out->mqls_hi = -log(0.025) / kd;
    }
    /* conversion on the basis */
    size_t nb = blocks_of(in->whole, n, k, idx);
    out->tau2 = in->decided && in->sqls ? conversion_tau2(in, idx, nb) : 0;
    double p = NAN, varp = NAN;
    if (in->basis_decided > 0) {
        p = (double)in->basis_sqls / (double)in->basis_decided;
        double nf = kd * mu > 1 ? kd * mu : 1;
        varp = p * (1 - p) * (1 / (double)in->basis_decided + 1 / nf) + 2 * out->tau2;
        out->conversion = p;
        out->conv_lo = fmax(0, p - STATS_Z95 * sqrt(varp));
        out->conv_hi = fmin(1, p + STATS_Z95 * sqrt(varp));
    } else {
        out->conversion = out->conv_lo = out->conv_hi = NAN;
    }
    if (!isfinite(p)) {
        out->sqls = out->sqls_lo = out->sqls_hi = NAN;
    } else if (p > 0 && m > 0) {
        double Vs = V + varp / (p * p);
        out->sqls = mu * p;
        out->sqls_lo = out->sqls * exp(-q * sqrt(Vs));
        out->sqls_hi = out->sqls * exp(q * sqrt(Vs));
    } else {
        out->sqls = mu * p;
        out->sqls_lo = 0;
        out->sqls_hi = out->mqls_hi * out->conv_hi;
    }
    /* the chance of meeting both next quarter */
    out->feasible_share = NAN;
    int need_conv = in->target > 0, need_cap = in->capacity > 0;
    if (in->draws > 0 && (!need_conv || isfinite(p))) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!rng) {
            free(idx);
            free(v);
            return mql_err_oom(err);
        }
        gsl_rng_set(rng, in->seed);
        /* the quarter's level from its predictive distribution; its periods spread about it
         * as the history's periods spread within their blocks (centred, so the level stays) */
        double sl = sqrt(V), sm = m > 0 ? sqrt(c.within + 1 / mu) : 0;
        size_t ok = 0;
        for (int d = 0; d < in->draws; d++) {
            double level = m > 0 ? log(mu) + sl * gsl_ran_ugaussian(rng) : 0, eb = 0;
            for (size_t i = 0; i < k; i++) {
                v[i] = sm * gsl_ran_ugaussian(rng);
                eb += v[i] / kd;
            }
            for (size_t i = 0; i < k; i++)
                v[i] = m > 0 ? exp(level + v[i] - eb) : 0;
            double conv = isfinite(p) ? p + sqrt(varp) * gsl_ran_ugaussian(rng) : 0;
            int cap_ok = !need_cap || forecast_capacity_stat(v, k, in->rule, 1) <= in->capacity;
            int conv_ok = !need_conv || conv >= in->target;
            ok += (size_t)(cap_ok && conv_ok);
        }
        gsl_rng_free(rng);
        out->feasible_share = (double)ok / in->draws;
    }
    free(idx);
    free(v);
    return 0;
}
