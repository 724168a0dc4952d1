/*
 * encode.c: turning attribute values into levels and design columns: bins, pooled rare values,
 * references (encode.h).
 */
#include "mqlcal/encode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/text.h"
#include "mqlcal/stats.h"

static int add_level(struct encode_attr *a, size_t *cap, const char *label, double lo, double hi)
{
    if (a->nlevels == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        struct encode_level *l = realloc(a->levels, ncap * sizeof *l);
        if (!l)
            return -1;
        a->levels = l;
        *cap = ncap;
    }
    struct encode_level *l = &a->levels[a->nlevels];
    memset(l, 0, sizeof *l);
    if (!(l->label = text_dup(label)))
        return -1;
    l->lo = lo;
    l->hi = hi;
    l->column = -1;
    a->nlevels++;
    return 0;
}

static int build_categorical(struct encode_attr *a, const struct data_column *col,
                             const struct data *d, const unsigned char *train, size_t min_count,
                             size_t *small_pool_n, size_t *small_pool_pos)
{
    size_t nv = col->nvalues, cap = 0;
    size_t *cnt = calloc(nv + 1, sizeof *cnt), *pos = calloc(nv + 1, sizeof *pos);
    a->level_of_value = malloc((nv ? nv : 1) * sizeof *a->level_of_value);
    a->nvalues = nv;
    int rc = -1;
    if (!cnt || !pos || !a->level_of_value)
        goto out;
    size_t miss = 0, miss_pos = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (!train[r])
            continue;
        uint32_t v = col->ids[r];
        if (v == DATA_MISSING) {
            miss++;
            miss_pos += d->y[r];
        } else {
            cnt[v]++;
            pos[v] += d->y[r];
        }
    }
    size_t other_n = 0, other_pos = 0;
    for (size_t v = 0; v < nv; v++) {
        if (cnt[v] >= min_count) {
            if (a->nlevels >= ENCODE_MAX_LEVELS) {
                rc = -2;
                goto out;
            }
            if (add_level(a, &cap, col->values[v], NAN, NAN))
                goto out;
            a->levels[a->nlevels - 1].count = cnt[v];
            a->levels[a->nlevels - 1].positives = pos[v];
            a->level_of_value[v] = (uint16_t)(a->nlevels - 1);
        } else {
            other_n += cnt[v];
            other_pos += pos[v];
            a->level_of_value[v] = UINT16_MAX; /* pooled or unseen, fixed below */
        }
    }
    /* a pool smaller than min_count is itself a rare level: its values join the reference,
     * unless nothing else is left */
    size_t other = SIZE_MAX;
    if (other_n > 0 && other_n < min_count && a->nlevels > 0) {
        *small_pool_n += other_n;
        *small_pool_pos += other_pos;
    } else if (other_n > 0) {
        if (add_level(a, &cap, ENCODE_OTHER, NAN, NAN))
            goto out;
        other = a->nlevels - 1;
        a->levels[other].is_other = 1;
        a->levels[other].count = other_n;
        a->levels[other].positives = other_pos;
    }
    a->missing_level = SIZE_MAX;
    if (miss > 0 && miss < min_count && a->nlevels > 0) {
        /* missing is a level like any other: too few leads to learn from, it joins the
         * reference (a 24-lead "(missing)" got the largest bonus of its attribute) */
        *small_pool_n += miss;
        *small_pool_pos += miss_pos;
    } else if (miss > 0) {
        if (add_level(a, &cap, ENCODE_MISSING, NAN, NAN))
            goto out;
        a->missing_level = a->nlevels - 1;
        a->levels[a->missing_level].is_missing = 1;
        a->levels[a->missing_level].count = miss;
        a->levels[a->missing_level].positives = miss_pos;
    }
    rc = 0;
    /* the reference and the homes of unseen values are fixed by the caller; remember where the
     * pooled values went */
    for (size_t v = 0; v < nv; v++)
        if (a->level_of_value[v] == UINT16_MAX && cnt[v] > 0 && other != SIZE_MAX)
            a->level_of_value[v] = (uint16_t)other;
    a->unseen_level = other; /* SIZE_MAX: the reference, set later */
out:
    free(cnt);
    free(pos);
    return rc;
}

static void bin_label(char *buf, size_t cap, enum attr_kind kind, double lo, double hi)
{
    if (kind == ATTR_COUNT && (isinf(lo) || lo == floor(lo)) && (isinf(hi) || hi == floor(hi)) &&
        !(hi <= 0)) {
        /* counts are whole numbers >= 0: [2, 4) is "2-3", (-inf, 1) is "0" */
        if (isinf(lo) || lo < 0)
            lo = 0;
        double first = lo, last = hi - 1;
        if (isinf(hi) && first == 0)
            snprintf(buf, cap, "any");
        else if (isinf(hi))
            snprintf(buf, cap, "%g+", first);
        else if (first == last)
            snprintf(buf, cap, "%g", first);
        else
            snprintf(buf, cap, "%g-%g", first, last);
        return;
    }
    if (isinf(lo) && isinf(hi))
        snprintf(buf, cap, "any");
    else if (isinf(lo))
        snprintf(buf, cap, "< %g", hi);
    else if (isinf(hi))
        snprintf(buf, cap, ">= %g", lo);
    else
        snprintf(buf, cap, "[%g, %g)", lo, hi);
}

uint16_t encode_level_of_number(const struct encode_attr *a, double v)
{
    if (isnan(v))
        return (uint16_t)a->missing_level;
    /* bins are in ascending order before the missing level; few, so a linear scan is fine */
    size_t nb = a->missing_level < a->nlevels && a->levels[a->missing_level].is_missing
                    ? a->nlevels - 1
                    : a->nlevels;
    for (size_t i = 0; i < nb; i++)
        if (v < a->levels[i].hi)
            return (uint16_t)i;
    return (uint16_t)(nb - 1);
}

static int build_bins(struct encode_attr *a, const struct config_attr *ca,
                      const struct data_column *col, const struct data *d,
                      const unsigned char *train, int quantiles, size_t min_count,
                      size_t *small_pool_n, size_t *small_pool_pos)
{
    size_t cap = 0, m = 0, miss = 0, miss_pos = 0;
    double *edges = NULL, *vals = NULL;
    size_t nedges = 0;
    int rc = -1;
    for (size_t r = 0; r < d->n; r++)
        if (train[r])
            m += !isnan(col->num[r]);
    if (ca->nbins > 0) {
        if (!(edges = malloc(ca->nbins * sizeof *edges)))
            goto out;
        memcpy(edges, ca->bins, ca->nbins * sizeof *edges);
        nedges = ca->nbins;
    } else if (m > 0) {
        if (!(vals = malloc(m * sizeof *vals)) ||
            !(edges = malloc((size_t)quantiles * sizeof *edges)))
            goto out;
        size_t k = 0;
        for (size_t r = 0; r < d->n; r++)
            if (train[r] && !isnan(col->num[r]))
                vals[k++] = col->num[r];
        qsort(vals, m, sizeof *vals, stats_cmp_double);
        /* a point mass at the smallest value (mostly zeros) larger than a quantile bin would
         * collapse the edges, and a column that is informative where it is not zero would be
         * dropped as one level: the mass gets a bin of its own, the other values
         * quantiles - 1 quantile bins */
        size_t z = 0;
        while (z < m && vals[z] == vals[0])
            z++;
        if (z * (size_t)quantiles > m && z < m) {
            /* a count's bin of its own is that one number: [0, 1) is "0" */
            edges[nedges++] =
                a->kind == ATTR_COUNT && vals[0] + 1 <= vals[z] ? vals[0] + 1 : vals[z];
            size_t mr = m - z;
            for (int q = 1; q < quantiles - 1; q++) {
                double e = vals[z + (size_t)((double)q * (double)mr / (quantiles - 1))];
                if (e > edges[nedges - 1])
                    edges[nedges++] = e;
            }
        } else {
            /* lower edges of the quantile bins; equal edges merged */
            for (int q = 1; q < quantiles; q++) {
                double e = vals[(size_t)((double)q * (double)m / quantiles)];
                if (nedges == 0 || e > edges[nedges - 1])
                    edges[nedges++] = e;
            }
        }
    }
    /* bins (-inf, e1), [e1, e2), ..., [ek, inf) */
    for (size_t i = 0; i <= nedges; i++) {
        double lo = i == 0 ? -INFINITY : edges[i - 1];
        double hi = i == nedges ? INFINITY : edges[i];
        if (add_level(a, &cap, "", lo, hi))
            goto out;
    }
    a->missing_level = SIZE_MAX;
    for (size_t r = 0; r < d->n; r++) {
        if (!train[r])
            continue;
        double v = col->num[r];
        if (isnan(v)) {
            miss++;
            miss_pos += d->y[r];
            continue;
        }
        size_t b = 0;
        while (b + 1 < a->nlevels && v >= a->levels[b].hi)
            b++;
        a->levels[b].count++;
        a->levels[b].positives += d->y[r];
    }
    /* merge empty bins into a neighbour: the next one, or the previous for the last */
    for (size_t i = 0; i < a->nlevels && a->nlevels > 1;) {
        if (a->levels[i].count > 0) {
            i++;
            continue;
        }
        free(a->levels[i].label);
        if (i + 1 < a->nlevels)
            a->levels[i + 1].lo = a->levels[i].lo;
        else
            a->levels[i - 1].hi = a->levels[i].hi;
        memmove(&a->levels[i], &a->levels[i + 1], (a->nlevels - i - 1) * sizeof *a->levels);
        a->nlevels--;
    }
    for (size_t i = 0; i < a->nlevels; i++) {
        char label[96];
        bin_label(label, sizeof label, a->kind, a->levels[i].lo, a->levels[i].hi);
        free(a->levels[i].label);
        if (!(a->levels[i].label = text_dup(label)))
            goto out;
    }
    if (miss > 0 && miss < min_count) { /* too few to learn from: with the reference */
        *small_pool_n += miss;
        *small_pool_pos += miss_pos;
    } else if (miss > 0) {
        if (add_level(a, &cap, ENCODE_MISSING, NAN, NAN))
            goto out;
        a->missing_level = a->nlevels - 1;
        a->levels[a->missing_level].is_missing = 1;
        a->levels[a->missing_level].count = miss;
        a->levels[a->missing_level].positives = miss_pos;
    }
    a->unseen_level = SIZE_MAX; /* numbers are never unseen: every value falls in a bin */
    rc = 0;
out:
    free(edges);
    free(vals);
    return rc;
}

static void number_columns(struct encoding *enc)
{
    int c = 1;
    for (size_t i = 0; i < enc->nattrs; i++) {
        struct encode_attr *a = &enc->attrs[i];
        for (size_t l = 0; l < a->nlevels; l++)
            a->levels[l].column = (!a->excluded && l != a->reference) ? c++ : -1;
    }
    enc->ncols = (size_t)c;
}

int encode_build(const struct data *d, const struct config *cfg, const unsigned char *train,
                 struct encoding *enc, struct mql_err *err)
{
    memset(enc, 0, sizeof *enc);
    enc->nattrs = d->nattrs;
    if (!(enc->attrs = calloc(d->nattrs ? d->nattrs : 1, sizeof *enc->attrs)))
        return mql_err_oom(err);
    for (size_t i = 0; i < d->nattrs; i++) {
        const struct data_column *col = &d->attrs[i];
        const struct config_attr *ca = col->attr;
        struct encode_attr *a = &enc->attrs[i];
        if (!(a->name = text_dup(col->name)))
            return mql_err_oom(err);
        a->kind = ca->kind;
        a->group = ca->group;
        size_t pool_n = 0, pool_pos = 0;
        int rc = col->categorical
                     ? build_categorical(a, col, d, train, (size_t)cfg->min_level_count, &pool_n,
                                         &pool_pos)
                     : build_bins(a, ca, col, d, train, cfg->quantiles,
                                  (size_t)cfg->min_level_count, &pool_n, &pool_pos);
        if (rc == 0 && a->nlevels > ENCODE_MAX_LEVELS)
            rc = -2;
        if (rc == -2)
            return mql_err_set(err, MQL_EINPUT,
                               "attribute '%s': more than %d levels seen in at least %d leads "
                               "each: raise [model] min_level_count or leave it out",
                               a->name, ENCODE_MAX_LEVELS, cfg->min_level_count);
        if (rc)
            return mql_err_oom(err);
        size_t ref = 0;
        for (size_t l = 1; l < a->nlevels; l++)
            if (a->levels[l].count > a->levels[ref].count)
                ref = l;
        a->reference = ref;
        if (a->nlevels > 0) {
            a->levels[ref].count += pool_n;
            a->levels[ref].positives += pool_pos;
        }
        if (a->missing_level == SIZE_MAX)
            a->missing_level = ref;
        if (a->unseen_level == SIZE_MAX)
            a->unseen_level = ref;
        if (col->categorical)
            for (size_t v = 0; v < a->nvalues; v++)
                if (a->level_of_value[v] == UINT16_MAX)
                    a->level_of_value[v] = (uint16_t)a->unseen_level;
        if (a->nlevels < 2) {
            a->excluded = 1;
            snprintf(a->why, sizeof a->why, "one level in the training data: nothing to learn");
        }
    }
    number_columns(enc);
    return 0;
}

void encode_exclude(struct encoding *enc, size_t a, const char *why)
{
    enc->attrs[a].excluded = 1;
    snprintf(enc->attrs[a].why, sizeof enc->attrs[a].why, "%s", why);
    number_columns(enc);
}

uint16_t encode_level_of(const struct encode_attr *a, const struct data_column *col, size_t r)
{
    if (col->categorical) {
        uint32_t v = col->ids[r];
        return v == DATA_MISSING ? (uint16_t)a->missing_level : a->level_of_value[v];
    }
    return encode_level_of_number(a, col->num[r]);
}

void encode_apply(const struct encoding *enc, const struct data *d, uint16_t *codes)
{
    size_t k = enc->nattrs;
    for (size_t a = 0; a < k; a++) {
        const struct encode_attr *ea = &enc->attrs[a];
        const struct data_column *col = &d->attrs[a];
        for (size_t r = 0; r < d->n; r++)
            codes[r * k + a] = encode_level_of(ea, col, r);
    }
}

void encode_release(struct encoding *enc)
{
    if (!enc)
        return;
    for (size_t i = 0; i < enc->nattrs; i++) {
        struct encode_attr *a = &enc->attrs[i];
        free(a->name);
        for (size_t l = 0; l < a->nlevels; l++)
            free(a->levels[l].label);
        free(a->levels);
        free(a->level_of_value);
    }
    free(enc->attrs);
    memset(enc, 0, sizeof *enc);
}
