/* joins.c: attribute tables joined to the leads (joins.h). */
#include "mqlcal/joins.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvread.h"
#include "mqlcal/text.h"

long joins_find(const struct join_table *t, const char *s, size_t n)
{
    if (!t->nslots)
        return -1;
    for (size_t i = text_hash(s, n) & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
        size_t r = t->slot[i];
        if (!r)
            return -1;
        r--;
        if (t->key_len[r] == n && memcmp(t->block + t->key_off[r], s, n) == 0)
            return (long)r;
    }
}

const char *joins_value(const struct join_table *t, long r, size_t w, size_t *n)
{
    size_t k = (size_t)r * t->nwant + w;
    *n = t->len[k];
    return t->block + t->off[k];
}

uint64_t joins_unused(const struct join_table *t)
{
    uint64_t u = 0;
    for (size_t r = 0; r < t->nrows; r++)
        u += !t->used[r];
    return u;
}

void joins_release(struct join_table *t)
{
    for (size_t i = 0; t->want && i < t->nwant; i++)
        free(t->want[i]);
    free(t->want);
    free(t->name);
    free(t->block);
    free(t->off);
    free(t->len);
    free(t->line);
    free(t->used);
    free(t->slot);
    free(t->key_off);
    free(t->key_len);
    memset(t, 0, sizeof *t);
}

/* Appends s[0..n) and a NUL to the block; its offset, or SIZE_MAX when out of memory. */
static size_t keep(struct join_table *t, const char *s, size_t n)
{
    if (t->blen + n + 1 > t->bcap) {
        size_t cap = 2 * (t->blen + n + 1) + 4096;
        char *b = realloc(t->block, cap);
        if (!b)
            return SIZE_MAX;
        t->block = b;
        t->bcap = cap;
    }
    size_t at = t->blen;
    memcpy(t->block + at, s, n);
    t->block[at + n] = '\0';
    t->blen += n + 1;
    return at;
}

static int grow_rows(struct join_table *t, size_t *cap)
{
    size_t nc = *cap ? 2 * *cap : 1024, w = t->nwant ? t->nwant : 1;
    size_t *off = realloc(t->off, nc * w * sizeof *off);
    if (off)
        t->off = off;
    uint32_t *len = realloc(t->len, nc * w * sizeof *len);
    if (len)
        t->len = len;
    uint64_t *line = realloc(t->line, nc * sizeof *line);
    if (line)
        t->line = line;
    size_t *ko = realloc(t->key_off, nc * sizeof *ko);
    if (ko)
        t->key_off = ko;
    uint32_t *kl = realloc(t->key_len, nc * sizeof *kl);
    if (kl)
        t->key_len = kl;
    if (!off || !len || !line || !ko || !kl)
        return -1;
    *cap = nc;
    return 0;
}

/* Puts row r in the hash (grown to twice the rows); the row already holding the key, or -1. */
static long put(struct join_table *t, size_t r)
{
    if (2 * (t->nrows + 1) > t->nslots) {
        size_t ns = t->nslots ? 2 * t->nslots : 2048;
        size_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return -2;
        for (size_t i = 0; i < t->nslots; i++) {
            if (!t->slot[i])
                continue;
            size_t q = t->slot[i] - 1;
            size_t j = text_hash(t->block + t->key_off[q], t->key_len[q]) & (ns - 1);
            while (sl[j])
                j = (j + 1) & (ns - 1);
            sl[j] = t->slot[i];
        }
        free(t->slot);
        t->slot = sl;
        t->nslots = ns;
    }
    const char *k = t->block + t->key_off[r];
    size_t kn = t->key_len[r];
    size_t i = text_hash(k, kn) & (t->nslots - 1);
    for (; t->slot[i]; i = (i + 1) & (t->nslots - 1)) {
        size_t q = t->slot[i] - 1;
        if (t->key_len[q] == kn && memcmp(t->block + t->key_off[q], k, kn) == 0)
            return (long)q;
    }
    t->slot[i] = r + 1;
    return -1;
}

static void on_bytes(void *ctx, const char *buf, size_t n)
{
    sha256_update(ctx, n, (const uint8_t *)buf);
}

/* The header index of a column the table needs: csvread_require, named by the spec. */
static int find_col(const struct join_spec *j, const struct csvread *rd, const char *what,
                    const char *name, long *at, struct mql_err *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s %s", j->origin, what);
    return csvread_require(rd, name, where, j->file, at, err);
}

int joins_load(const struct join_spec *j, const char *const *want, size_t nwant,
               struct join_table *t, struct mql_err *err)
{
    memset(t, 0, sizeof *t);
    t->name = text_dup(j->name);
    t->want = calloc(nwant ? nwant : 1, sizeof *t->want);
    long *at = calloc(nwant ? nwant : 1, sizeof *at);
    if (!t->name || !t->want || !at) {
        free(at);
        return mql_err_oom(err);
    }
    t->nwant = nwant;
    for (size_t i = 0; i < nwant; i++)
        if (!(t->want[i] = text_dup(want[i]))) {
            free(at);
            return mql_err_oom(err);
        }
    FILE *f = fopen(j->file, "rb");
    if (!f) {
        free(at);
        return mql_err_set(err, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "%s: cannot open '%s': %s",
                           j->origin, j->file, strerror(errno));
    }
    struct sha256_ctx sha;
    sha256_init(&sha);
    struct csvread rd = {.in = f, .delim = j->delimiter, .on_bytes = on_bytes, .ctx = &sha};
    long kcol = -1;
    size_t nheader = 0, cap = 0;
    int rc = csvread_init(&rd) ? mql_err_oom(err) : 0, st, first = 1;
    while (!rc && (st = csvread_next(&rd)) != CSVR_EOF) {
        if (st < 0) {
            rc = mql_err_set(err, st == CSVR_ETOOLONG ? MQL_EINPUT : MQL_EIO,
                             "%s:%llu: cannot read the [join %s] file", j->file,
                             (unsigned long long)rd.next_line, j->name);
            break;
        }
        if (first) {
            first = 0;
            nheader = rd.nf;
            if (st != CSVR_OK) {
                rc = mql_err_set(err, MQL_EINPUT, "%s: bad header", j->file);
                break;
            }
            rc = find_col(j, &rd, "on", j->on, &kcol, err);
            for (size_t i = 0; i < nwant && !rc; i++)
                rc = find_col(j, &rd, "column", want[i], &at[i], err);
            continue;
        }
        /* a table row that is not a record would give leads wrong values: an error */
        if (st != CSVR_OK || rd.nf != nheader) {
            rc = mql_err_set(err, MQL_EINPUT,
                             "%s:%llu: %s (a [join] table must be whole: every row gives leads "
                             "their values)",
                             j->file, (unsigned long long)rd.line, csvread_damage(st));
            break;
        }
        t->rows_read++;
        const char *k = rd.f[kcol];
        size_t kn = rd.fl[kcol];
        text_trim_span(&k, &kn);
        if (config_is_missing_in(j->missing, k, kn)) {
            t->rows_no_key++;
            continue;
        }
        if (t->nrows == cap && grow_rows(t, &cap)) {
            rc = mql_err_oom(err);
            break;
        }
        size_t r = t->nrows;
        size_t ko = keep(t, k, kn);
        int oom = ko == SIZE_MAX;
        t->key_off[r] = ko;
        t->key_len[r] = (uint32_t)kn;
        for (size_t w = 0; w < nwant && !oom; w++) {
            const char *v = rd.f[at[w]];
            size_t vn = rd.fl[at[w]];
            size_t o = keep(t, v, vn);
            oom = o == SIZE_MAX;
            t->off[r * nwant + w] = o;
            t->len[r * nwant + w] = (uint32_t)vn;
        }
        t->line[r] = rd.line;
        if (oom) {
            rc = mql_err_oom(err);
            break;
        }
        long dup = put(t, r);
        if (dup == -2) {
            rc = mql_err_oom(err);
            break;
        }
        if (dup >= 0) {
            rc =
                mql_err_set(err, MQL_EINPUT,
                            "%s:%llu: [join %s]: key '%.*s' is on two rows (lines %llu and %llu): "
                            "each key must name one row",
                            j->file, (unsigned long long)rd.line, j->name, (int)(kn > 60 ? 60 : kn),
                            k, (unsigned long long)t->line[dup], (unsigned long long)rd.line);
            break;
        }
        t->nrows++;
    }
    if (!rc && first)
        rc = mql_err_set(err, MQL_EINPUT, "%s: empty file: no header", j->file);
    csvread_release(&rd);
    fclose(f);
    free(at);
    if (!rc && !(t->used = calloc(t->nrows ? t->nrows : 1, 1)))
        rc = mql_err_oom(err);
    if (!rc) {
        uint8_t dig[SHA256_DIGEST_SIZE];
        sha256_digest(&sha, sizeof dig, dig);
        for (size_t i = 0; i < sizeof dig; i++)
            snprintf(t->sha256 + 2 * i, 3, "%02x", dig[i]);
    }
    return rc;
}
