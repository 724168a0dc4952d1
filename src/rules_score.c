/*
 * rules_score.c: scoring with struct rules: compiling it into lookup tables, binding a CSV
 * header, scoring a record (rules.h: rules_compile, rules_bind_header, rules_score).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mqlcal/rules.h"
#include "rules_impl.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlcal/fsx.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"

/* ---- scoring ------------------------------------------------------------------------------- */

/* Byte order does not matter to a hash, but head8 must give the same number for the same bytes
 * whichever way it loads them: little-endian numbering throughout. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define htole_u32(x) __builtin_bswap32(x)
#define htole_u64(x) __builtin_bswap64(x)
#else
#define htole_u32(x) (x)
#define htole_u64(x) (x)
#endif

/* The first (up to) 8 bytes of s as a number, zero-padded: no libc call for a short copy. */
static inline uint64_t head8(const char *s, size_t n)
{
    uint64_t w = 0;
    if (n >= 8) {
        memcpy(&w, s, 8);
    } else if (n >= 4) { /* two overlapping 4-byte loads */
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        w = htole_u32(a) | (uint64_t)htole_u32(b) << (8 * (n - 4));
        return w;
    } else if (n) {
        const unsigned char *u = (const unsigned char *)s;
        return (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) |
               (uint64_t)u[n - 1] << (8 * (n - 1));
    }
    return htole_u64(w);
}

/* A hash of the n bytes at s whose head8 is w (values are short: most take one round). */
static inline uint64_t hash_span(const char *s, size_t n, uint64_t w)
{
    uint64_t h = (0x9E3779B97F4A7C15ull ^ n ^ w) * 0xFF51AFD7ED558CCDull;
    for (size_t i = 8; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        h = ((h ^ (h >> 32)) ^ x) * 0xFF51AFD7ED558CCDull;
    }
    if (n > 8 && n % 8)
        h = ((h ^ (h >> 32)) ^ head8(s + n - n % 8, n % 8)) * 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 29);
}

/* The level of the bin holding v: the first whose upper edge is above it (bins are in order
 * and follow each other, so this is the bin [lo, hi) with lo <= v < hi). */
static size_t bin_of(const struct rules_attr *at, double v)
{
    size_t lo = 0, hi = at->nedges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v < at->edge_hi[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < at->nedges ? at->edge_level[lo] : at->missing;
}

int rules_compile(struct rules *r, struct mql_err *err)
{
    /* a score, a fit or an engagement sub-score is a sum of points in an int: each is at
     * most 1e9 in size, but 255 attributes of them are not */
    long long reach = r->base < 0 ? -(long long)r->base : r->base;
    for (size_t a = 0; a < r->nattrs; a++) {
        long long most = 0;
        for (size_t l = 0; l < r->attrs[a].nlevels; l++) {
            long long p = r->attrs[a].levels[l].points;
            most = p > most ? p : -p > most ? -p : most;
        }
        reach += most;
    }
    if (reach > INT_MAX)
        return mql_err_set(err, MQL_EINPUT,
                           "the base and the points could add up to %lld, more than a score can "
                           "hold (%d)",
                           reach, INT_MAX);
    free(r->missing_len);
    free(r->dq_attr);
    free(r->dq_number);
    r->missing_len = calloc(r->nmissing + 1, sizeof *r->missing_len);
    r->dq_attr = calloc(r->ndq + 1, sizeof *r->dq_attr);
    r->dq_number = calloc(r->ndq + 1, sizeof *r->dq_number);
    if (!r->missing_len || !r->dq_attr || !r->dq_number)
        return mql_err_oom(err);
    r->missing_numeric = 0;
    for (size_t i = 0; i < r->nmissing; i++) {
        double v;
        r->missing_len[i] = strlen(r->missing_values[i]);
        r->missing_numeric |= text_parse_real(r->missing_values[i], r->missing_len[i], &v) == 0;
    }
    for (size_t q = 0; q < r->ndq; q++) {
        r->dq_attr[q] = -1;
        for (size_t a = 0; a < r->nattrs && r->dq_attr[q] < 0; a++)
            if (strcmp(r->attrs[a].name, r->dq[q].column) == 0)
                r->dq_attr[q] = (int)a;
        if (r->dq_attr[q] >= 0 && r->attrs[r->dq_attr[q]].kind != ATTR_CATEGORICAL &&
            text_parse_real(r->dq[q].value, strlen(r->dq[q].value), &r->dq_number[q]))
            return mql_err_set(err, MQL_EINPUT,
                               "disqualifier '%s:%s': '%s' is a %s attribute, so its value must "
                               "be a number",
                               r->dq[q].column, r->dq[q].value, r->dq[q].column,
                               config_kind_name(r->attrs[r->dq_attr[q]].kind));
    }
    for (size_t a = 0; a < r->nattrs; a++) {
        struct rules_attr *at = &r->attrs[a];
        free(at->pts);
        free(at->delta);
        free(at->edge_hi);
        free(at->edge_level);
        at->pts = calloc(at->nlevels + 1, sizeof *at->pts);
        at->delta = calloc(at->nlevels + 1, sizeof *at->delta);
        at->edge_hi = calloc(at->nlevels + 1, sizeof *at->edge_hi);
        at->edge_level = calloc(at->nlevels + 1, sizeof *at->edge_level);
        if (!at->pts || !at->delta || !at->edge_hi || !at->edge_level)
            return mql_err_oom(err);
        at->nedges = 0;
        for (size_t l = 0; l < at->nlevels; l++) {
            at->pts[l] = at->levels[l].points;
            at->delta[l] = at->levels[l].points - at->levels[at->reference].points;
            if (at->kind != ATTR_CATEGORICAL && !at->levels[l].no_bin) {
                at->edge_hi[at->nedges] = at->levels[l].hi;
                at->edge_level[at->nedges++] = (uint16_t)l;
            }
        }
        if (at->kind == ATTR_COUNT)
            for (int v = 0; v < RULES_SMALL_COUNTS; v++)
                at->small[v] = (uint16_t)bin_of(at, (double)v);
        if (at->kind != ATTR_CATEGORICAL)
            continue;
        size_t nv = r->nmissing;
        for (size_t l = 0; l < at->nlevels; l++)
            nv += at->levels[l].nvalues;
        size_t ns = 16;
        while (ns < 2 * nv + 2)
            ns *= 2;
        free(at->slots);
        at->slots = calloc(ns, sizeof *at->slots);
        at->nslots = ns;
        if (!at->slots)
            return mql_err_oom(err);
        /* the missing tokens first: they mean missing whatever a level says (as at ingest) */
        for (size_t i = 0; i < r->nmissing; i++) {
            const char *s = r->missing_values[i];
            size_t n = r->missing_len[i], h = hash_span(s, n, head8(s, n)) & (ns - 1);
            while (at->slots[h].level &&
                   !(at->slots[h].len == n && memcmp(at->slots[h].value, s, n) == 0))
                h = (h + 1) & (ns - 1);
            at->slots[h] =
                (struct rules_slot){head8(s, n), (uint32_t)n, (uint32_t)(at->missing + 1), s};
        }
        for (size_t l = 0; l < at->nlevels; l++)
            for (size_t v = 0; v < at->levels[l].nvalues; v++) {
                const char *s = at->levels[l].values[v];
                size_t n = strlen(s);
                size_t h = hash_span(s, n, head8(s, n)) & (ns - 1), dup = 0;
                for (size_t i = 0; i < r->nmissing && !dup; i++)
                    dup = n == r->missing_len[i] && memcmp(s, r->missing_values[i], n) == 0;
                if (dup)
                    continue; /* a missing token: missing wins */
                while (at->slots[h].level) {
                    if (at->slots[h].len == n && memcmp(at->slots[h].value, s, n) == 0)
                        return mql_err_set(err, MQL_EINPUT,
                                           "attribute '%s': value '%s' is in two levels ('%s' "
                                           "and '%s')",
                                           at->name, s, at->levels[at->slots[h].level - 1].label,
                                           at->levels[l].label);
                    h = (h + 1) & (ns - 1);
                }
                at->slots[h] = (struct rules_slot){head8(s, n), (uint32_t)n, (uint32_t)(l + 1), s};
            }
    }
    return 0;
}

/* The level + 1 of the categorical value s (a missing token gives the missing level), or 0
 * when no level lists it. */
static inline size_t probe(const struct rules_attr *at, const char *s, size_t n)
{
    uint64_t w = head8(s, n);
    size_t h = hash_span(s, n, w) & (at->nslots - 1);
    for (const struct rules_slot *sl; (sl = &at->slots[h])->level;) {
        if (sl->head == w && sl->len == n && (n <= 8 || memcmp(sl->value + 8, s + 8, n - 8) == 0))
            return sl->level;
        h = (h + 1) & (at->nslots - 1);
    }
    return 0;
}

static int span_eq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && memcmp(a, b, an) == 0;
}

int rules_bind_header(const struct rules *r, const char *const *names, const size_t *lens,
                      size_t nfields, size_t *cols, struct mql_err *err)
{
    size_t k = 0;
    const char *want = NULL;
    for (size_t i = 0; i < r->nattrs + r->ndq + (r->id_column ? 1 : 0); i++) {
        want = i < r->nattrs            ? r->attrs[i].name
               : i < r->nattrs + r->ndq ? r->dq[i - r->nattrs].column
                                        : r->id_column;
        size_t c = 0;
        for (; c < nfields; c++) {
            const char *s = names[c];
            size_t n = lens[c];
            text_trim_span(&s, &n);
            if (span_eq(s, n, want))
                break;
        }
        if (c == nfields) {
            char near[300] = "";
            text_nearest_names(want, names, lens, nfields, near, sizeof near);
            return mql_err_set(err, MQL_EINPUT,
                               "the header has no column '%s' (the rule file's %s)%s%s%s", want,
                               i < r->nattrs            ? "attribute"
                               : i < r->nattrs + r->ndq ? "disqualifier"
                                                        : "id column",
                               near[0] ? "; nearest: " : "", near,
                               nfields == 1 ? "; the header is one column: is the delimiter the "
                                              "rule file's?"
                                            : "");
        }
        /* a column named twice is refused, as ingest refuses it: which one would count? */
        for (size_t d = c + 1; d < nfields; d++) {
            const char *s = names[d];
            size_t n = lens[d];
            text_trim_span(&s, &n);
            if (span_eq(s, n, want))
                return mql_err_set(err, MQL_EINPUT,
                                   "column '%s' appears twice in the header (fields %zu and %zu)",
                                   want, c + 1, d + 1);
        }
        cols[k++] = c;
    }
    return 0;
}

static int is_missing(const struct rules *r, const char *s, size_t n)
{
    return text_is_missing(s, n, r->missing_values, r->missing_len, r->nmissing);
}

int rules_is_missing(const struct rules *r, const char *s, size_t n)
{
    return is_missing(r, s, n);
}

/* ASCII white space, as text_trim_span trims it */
static inline int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The disqualifier rule (rules_dq_match) on a trimmed value. */
static int dq_hit(const struct rules *r, size_t q, const char *s, size_t n)
{
    if (is_missing(r, s, n))
        return 0;
    if (r->dq_attr[q] >= 0 && r->attrs[r->dq_attr[q]].kind != ATTR_CATEGORICAL) {
        double v;
        return text_parse_number(s, n, &v) == 0 && v == r->dq_number[q];
    }
    return text_ieq_span(r->dq[q].value, s, n);
}

/* The level of a count value s[0..n) (trimmed, not empty, not a missing token unless it
 * fails to read); -1 with why filled when it is not a whole number >= 0. */
static inline int count_level(const struct rules *r, const struct rules_attr *at, const char *s,
                              size_t n, size_t *level, char *why, size_t why_cap)
{
    /* the common count: a few digits, read here; anything else as the ingest does */
    if (n <= 9) {
        uint32_t u = 0;
        size_t i = 0;
        for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
            u = u * 10 + (uint32_t)(s[i] - '0');
        if (i == n) {
            *level = u < RULES_SMALL_COUNTS ? at->small[u] : bin_of(at, (double)u);
            return 0;
        }
    }
    int64_t iv;
    if (text_parse_count(s, n, &iv)) {
        if (is_missing(r, s, n)) {
            *level = at->missing;
            return 0;
        }
        snprintf(why, why_cap, "column '%s': expected a whole number >= 0, got '%.*s'", at->name,
                 (int)(n > 40 ? 40 : n), s);
        return -1;
    }
    *level = iv < RULES_SMALL_COUNTS ? at->small[iv] : bin_of(at, (double)iv);
    return 0;
}

/* The level of attribute a's value s[0..n) (trimmed); -1 with why filled when a count or a
 * number does not read. A categorical value never seen is noted in out->unseen. */
static inline int attr_level(const struct rules *r, size_t a, const char *s, size_t n,
                             struct rules_outcome *out, size_t *level, char *why, size_t why_cap)
{
    const struct rules_attr *at = &r->attrs[a];
    if (n == 0) {
        *level = at->missing;
    } else if (at->kind == ATTR_CATEGORICAL) {
        /* one probe: the missing tokens are in the table too */
        size_t found = probe(at, s, n);
        *level = found ? found - 1 : at->unseen;
        if (!found)
            out->unseen[out->nunseen++] = (uint16_t)a;
    } else if (r->missing_numeric && is_missing(r, s, n)) {
        *level = at->missing;
    } else if (at->kind == ATTR_COUNT) {
        return count_level(r, at, s, n, level, why, why_cap);
    } else {
        double v;
        if (!text_parse_number(s, n, &v))
            *level = bin_of(at, v);
        else if (is_missing(r, s, n))
            *level = at->missing;
        else {
            snprintf(why, why_cap, "column '%s': expected a number, got '%.*s'", at->name,
                     (int)(n > 40 ? 40 : n), s);
            return -1;
        }
    }
    return 0;
}

/* The first disqualifier the lead meets, or -1; tv/tn are the attributes' trimmed values. */
static inline int first_disqualifier(const struct rules *r, const char *const *fields,
                                     const size_t *lens, const size_t *cols, const char *const *tv,
                                     const size_t *tn)
{
    for (size_t q = 0; q < r->ndq; q++) {
        const char *s;
        size_t n;
        if (r->dq_attr[q] >= 0) { /* an attribute's column: already trimmed */
            s = tv[r->dq_attr[q]];
            n = tn[r->dq_attr[q]];
        } else {
            s = fields[cols[r->nattrs + q]];
            n = lens[cols[r->nattrs + q]];
            text_trim_span(&s, &n);
        }
        if (dq_hit(r, q, s, n))
            return (int)q;
    }
    return -1;
}

/* Reasons: points above the reference (dv), most first, file order on ties (a later attribute
 * must beat, not equal, an earlier one); the top three kept in registers. */
static inline void top_reasons(size_t nattrs, const int *dv, struct rules_outcome *out)
{
    _Static_assert(RULES_REASONS == 3, "the top three below");
    int d0 = 0, d1 = 0, d2 = 0, a0 = -1, a1 = -1, a2 = -1;
    for (size_t a = 0; a < nattrs; a++) {
        /* without branches (the comparisons are data-dependent): replace the third when
         * strictly above it, then bubble up on strictly greater (earlier wins ties) */
        int d = dv[a], t;
        int in = d > d2;
        d2 = in ? d : d2;
        a2 = in ? (int)a : a2;
        int up1 = d2 > d1;
        t = d1;
        d1 = up1 ? d2 : d1;
        d2 = up1 ? t : d2;
        t = a1;
        a1 = up1 ? a2 : a1;
        a2 = up1 ? t : a2;
        int up0 = d1 > d0;
        t = d0;
        d0 = up0 ? d1 : d0;
        d1 = up0 ? t : d1;
        t = a0;
        a0 = up0 ? a1 : a0;
        a1 = up0 ? t : a1;
    }
    out->reason[0] = a0;
    out->reason[1] = a1;
    out->reason[2] = a2;
    out->reason_points[0] = d0;
    out->reason_points[1] = d1;
    out->reason_points[2] = d2;
}

int rules_score(const struct rules *r, const char *const *fields, const size_t *lens,
                const size_t *cols, struct rules_outcome *out, size_t *bad_attr, char *why,
                size_t why_cap)
{
    int score = r->base, fit = 0, eng = 0;
    const char *tv[RULES_MAX_ATTRS]; /* the trimmed values, for the disqualifiers */
    size_t tn[RULES_MAX_ATTRS];
    int dv[RULES_MAX_ATTRS]; /* points above the reference, for the reasons */
    out->nunseen = 0;
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        const char *s = fields[cols[a]];
        size_t n = lens[cols[a]];
        if (n && (is_space(s[0]) || is_space(s[n - 1])))
            text_trim_span(&s, &n);
        tv[a] = s;
        tn[a] = n;
        size_t level;
        if (attr_level(r, a, s, n, out, &level, why, why_cap)) {
            *bad_attr = a;
            return -1;
        }
        out->level[a] = (uint16_t)level;
        int p = at->pts[level];
        score += p;
        fit += at->group == GROUP_FIT ? p : 0;
        eng += at->group == GROUP_ENGAGEMENT ? p : 0;
        dv[a] = at->delta[level];
    }
    out->score = score;
    out->fit_score = fit;
    out->engagement_score = eng;
    out->disqualifier = first_disqualifier(r, fields, lens, cols, tv, tn);
    out->mql = r->has_rule && out->disqualifier < 0 && score >= r->threshold &&
               (!r->has_fit_min || fit >= r->fit_min);
    top_reasons(r->nattrs, dv, out);
    return 0;
}

int rules_attr_level(const struct rules *r, size_t a, const char *s, size_t n, size_t *level,
                     int *listed)
{
    const struct rules_attr *at = &r->attrs[a];
    text_trim_span(&s, &n);
    *listed = 1;
    if (n == 0) {
        *level = at->missing;
        return 0;
    }
    if (at->kind == ATTR_CATEGORICAL) {
        size_t found = probe(at, s, n);
        *listed = found != 0;
        *level = found ? found - 1 : at->unseen;
        return 0;
    }
    if (is_missing(r, s, n)) {
        *level = at->missing;
        return 0;
    }
    double v;
    int64_t iv;
    if (at->kind == ATTR_COUNT) {
        if (text_parse_count(s, n, &iv))
            return -1;
        v = (double)iv;
    } else if (text_parse_number(s, n, &v)) {
        return -1;
    }
    *level = bin_of(at, v);
    return 0;
}

int rules_dq_match(const struct rules *r, size_t q, const char *s, size_t n)
{
    text_trim_span(&s, &n);
    return dq_hit(r, q, s, n);
}
