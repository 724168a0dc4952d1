/*
 * points.c: scaling log-odds coefficients into whole points and a score range (points.h).
 */
#include "mqlcal/points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double coef(const struct encode_attr *a, size_t l, const struct model_result *m)
{
    int c = a->levels[l].column;
    return (c > 0 && !m->aliased[c]) ? m->beta[c] : 0.0;
}

int points_build(const struct encoding *enc, const struct model_result *m, const struct config *cfg,
                 struct points_table *pt, struct mql_err *err)
{
    memset(pt, 0, sizeof *pt);
    pt->nattrs = enc->nattrs;
    pt->points = calloc(enc->nattrs ? enc->nattrs : 1, sizeof *pt->points);
    pt->group = calloc(enc->nattrs ? enc->nattrs : 1, sizeof *pt->group);
    if (!pt->points || !pt->group)
        return mql_err_oom(err);
    double eta_min = m->beta[0], eta_max = m->beta[0];
    for (size_t a = 0; a < enc->nattrs; a++) {
        const struct encode_attr *ea = &enc->attrs[a];
        pt->group[a] = ea->group;
        if (!(pt->points[a] = calloc(ea->nlevels ? ea->nlevels : 1, sizeof **pt->points)))
            return mql_err_oom(err);
        double lo = 0, hi = 0;
        for (size_t l = 0; l < ea->nlevels; l++) {
            double b = coef(ea, l, m);
            lo = b < lo ? b : lo;
            hi = b > hi ? b : hi;
        }
        eta_min += lo;
        eta_max += hi;
    }
    pt->use_range = cfg->use_range;
    if (cfg->use_range) {
        double span = eta_max - eta_min;
        pt->factor = span > 0 ? (cfg->range_hi - cfg->range_lo) / span : 1;
        pt->offset = cfg->range_lo - pt->factor * eta_min;
        pt->base = (int)lround(cfg->range_lo);
    } else {
        pt->factor = cfg->pdo / log(2.0);
        pt->offset = cfg->anchor_score - pt->factor * log(cfg->anchor_odds);
        pt->base = (int)lround(pt->offset + pt->factor * m->beta[0]);
    }
    pt->min_score = pt->max_score = pt->base;
    for (size_t a = 0; a < enc->nattrs; a++) {
        const struct encode_attr *ea = &enc->attrs[a];
        double shift = 0;
        if (cfg->use_range)
            for (size_t l = 0; l < ea->nlevels; l++)
                shift = coef(ea, l, m) < shift ? coef(ea, l, m) : shift;
        int lo = 0, hi = 0;
        for (size_t l = 0; l < ea->nlevels; l++) {
            int v = (int)lround(pt->factor * (coef(ea, l, m) - shift));
            pt->points[a][l] = v;
            lo = l == 0 || v < lo ? v : lo;
            hi = l == 0 || v > hi ? v : hi;
        }
        pt->min_score += lo;
        pt->max_score += hi;
    }
    return 0;
}

void points_release(struct points_table *pt)
{
    if (!pt)
        return;
    if (pt->points)
        for (size_t a = 0; a < pt->nattrs; a++)
            free(pt->points[a]);
    free(pt->points);
    free(pt->group);
    memset(pt, 0, sizeof *pt);
}

int points_score(const struct points_table *pt, const uint16_t *codes_row, int *fit,
                 int *engagement)
{
    int total = pt->base, f = 0, e = 0;
    for (size_t a = 0; a < pt->nattrs; a++) {
        int v = pt->points[a][codes_row[a]];
        total += v;
        if (pt->group[a] == GROUP_FIT)
            f += v;
        else if (pt->group[a] == GROUP_ENGAGEMENT)
            e += v;
    }
    if (fit)
        *fit = f;
    if (engagement)
        *engagement = e;
    return total;
}

double points_probability(const struct points_table *pt, double score)
{
    return 1 / (1 + exp(-(score - pt->offset) / pt->factor));
}
