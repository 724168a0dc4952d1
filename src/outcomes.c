/* outcomes.c: the outcome from a deals file joined on the lead id (outcomes.h). */
#include "mqlcal/outcomes.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvread.h"
#include "mqlcal/dates.h"
#include "mqlcal/text.h"

struct outcome_entry *outcomes_find(const struct outcomes *o, const char *s, size_t n)
{
    if (!o->cap)
        return NULL;
    for (size_t i = text_hash(s, n) & (o->cap - 1);; i = (i + 1) & (o->cap - 1)) {
        struct outcome_entry *e = &o->e[i];
        if (!e->id)
            return NULL;
        if (strlen(e->id) == n && memcmp(e->id, s, n) == 0)
            return e;
    }
}

static int grow(struct outcomes *o)
{
    size_t cap = o->cap ? 2 * o->cap : 1024;
    struct outcome_entry *e = calloc(cap, sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < o->cap; i++) {
        if (!o->e[i].id)
            continue;
        size_t j = text_hash(o->e[i].id, strlen(o->e[i].id)) & (cap - 1);
        while (e[j].id)
            j = (j + 1) & (cap - 1);
        e[j] = o->e[i];
    }
    free(o->e);
    o->e = e;
    o->cap = cap;
    return 0;
}

static struct outcome_entry *insert(struct outcomes *o, const char *s, size_t n)
{
    struct outcome_entry *e = outcomes_find(o, s, n);
    if (e)
        return e;
    if ((o->n + 1) * 2 > o->cap && grow(o))
        return NULL;
    size_t i = text_hash(s, n) & (o->cap - 1);
    while (o->e[i].id)
        i = (i + 1) & (o->cap - 1);
    if (!(o->e[i].id = text_ndup(s, n)))
        return NULL;
    o->n++;
    return &o->e[i];
}

void outcomes_release(struct outcomes *o)
{
    for (size_t i = 0; i < o->cap; i++)
        free(o->e[i].id);
    free(o->e);
    memset(o, 0, sizeof *o);
}

static void on_bytes(void *ctx, const char *buf, size_t n)
{
    sha256_update(ctx, n, (const uint8_t *)buf);
}

/* The header's index of a column the [outcomes] section names: csvread_require. */
static int find_col(const struct config *cfg, const struct csvread *rd, const char *key,
                    const char *name, long *at, struct mql_err *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s:%d: [outcomes] %s", cfg->path, cfg->line_outcomes, key);
    return csvread_require(rd, name, where, cfg->outcomes.file, at, err);
}

/* One pass over the file: pass 0 votes on the date layout, pass 1 builds the table. */
static int pass(const struct config *cfg, struct outcomes *o, int which, struct dates_votes *votes,
                const struct date_layout *layout, struct mql_err *err)
{
    const struct config_outcomes *oc = &cfg->outcomes;
    FILE *f = fopen(oc->file, "rb");
    if (!f)
        return mql_err_set(err, errno == ENOENT ? MQL_EINPUT : MQL_EIO,
                           "cannot open the [outcomes] file '%s': %s", oc->file, strerror(errno));
    struct sha256_ctx sha;
    sha256_init(&sha);
    struct csvread rd = {.in = f, .delim = cfg->delimiter, .on_bytes = on_bytes, .ctx = &sha};
    long cid = -1, cdate = -1, cstage = -1;
    size_t nheader = 0;
    int rc = csvread_init(&rd) ? mql_err_oom(err) : 0, st, first = 1;
    while (!rc && (st = csvread_next(&rd)) != CSVR_EOF) {
        if (st < 0) {
            rc = mql_err_set(err, st == CSVR_ETOOLONG ? MQL_EINPUT : MQL_EIO,
                             "%s:%llu: cannot read the [outcomes] file", oc->file,
                             (unsigned long long)rd.next_line);
            break;
        }
        if (first) {
            first = 0;
            nheader = rd.nf;
            if (st != CSVR_OK || (rc = find_col(cfg, &rd, "id", oc->id, &cid, err)) ||
                (oc->date && (rc = find_col(cfg, &rd, "date", oc->date, &cdate, err))) ||
                (oc->stage && (rc = find_col(cfg, &rd, "stage", oc->stage, &cstage, err))))
                rc = rc ? rc : mql_err_set(err, MQL_EINPUT, "%s: bad header", oc->file);
            continue;
        }
        /* a deals row that is not a record decides nothing: an error, not a silent skip */
        if (st != CSVR_OK || rd.nf != nheader) {
            rc = mql_err_set(err, MQL_EINPUT,
                             "%s:%llu: %s (the [outcomes] file must be whole: every row decides "
                             "an outcome)",
                             oc->file, (unsigned long long)rd.line, csvread_damage(st));
            break;
        }
        const char *id = rd.f[cid], *dv = cdate >= 0 ? rd.f[cdate] : "", *sv = "";
        size_t idn = rd.fl[cid], dn = cdate >= 0 ? rd.fl[cdate] : 0, sn = 0;
        text_trim_span(&id, &idn);
        text_trim_span(&dv, &dn);
        if (cstage >= 0) {
            sv = rd.f[cstage];
            sn = rd.fl[cstage];
            text_trim_span(&sv, &sn);
        }
        int has_date = cdate >= 0 && !config_is_missing_span(cfg, dv, dn);
        if (which == 0) {
            if (has_date)
                dates_vote(votes, dv, dn);
            continue;
        }
        o->rows++;
        if (config_is_missing_span(cfg, id, idn)) {
            o->rows_no_id++;
            continue;
        }
        int positive = 1, open = 0;
        if (cstage >= 0) {
            positive = config_list_has(&oc->positive, sv, sn);
            open = !positive && config_list_has(&oc->pending, sv, sn);
            if (!positive && !open && !config_list_has(&oc->negative, sv, sn)) {
                rc = mql_err_set(err, MQL_EINPUT,
                                 "%s:%llu: column '%s': stage '%.*s' is in none of [outcomes] "
                                 "positive, negative and pending (add it to one)",
                                 oc->file, (unsigned long long)rd.line, oc->stage,
                                 (int)(sn > 60 ? 60 : sn), sv);
                break;
            }
        }
        int32_t day = 0;
        if (positive && has_date && dates_parse(layout, dv, dn, &day)) {
            rc =
                mql_err_set(err, MQL_EINPUT, "%s:%llu: column '%s': expected a date %s, got '%.*s'",
                            oc->file, (unsigned long long)rd.line, oc->date,
                            dates_layout_name(layout), (int)(dn > 60 ? 60 : dn), dv);
            break;
        }
        struct outcome_entry *e = insert(o, id, idn);
        if (!e) {
            rc = mql_err_oom(err);
            break;
        }
        if (!e->line)
            e->line = rd.line;
        if (open) {
            o->pending_rows++;
            e->pending = 1;
        }
        if (positive) {
            o->positive_rows++;
            e->positive = 1;
            if (has_date && (!e->has_day || day < e->day))
                e->day = day, e->has_day = 1;
        }
    }
    if (!rc && first)
        rc = mql_err_set(err, MQL_EINPUT, "%s: empty file: no header", oc->file);
    csvread_release(&rd);
    fclose(f);
    if (!rc && which == 1) {
        uint8_t dig[SHA256_DIGEST_SIZE];
        sha256_digest(&sha, sizeof dig, dig);
        for (size_t i = 0; i < sizeof dig; i++)
            snprintf(o->sha256 + 2 * i, 3, "%02x", dig[i]);
    }
    return rc;
}

int outcomes_load(const struct config *cfg, struct outcomes *o, struct mql_err *err)
{
    memset(o, 0, sizeof *o);
    struct dates_votes votes;
    memset(&votes, 0, sizeof votes);
    struct date_layout layout = {DATE_ISO, NULL};
    int rc = 0;
    if (cfg->outcomes.date) {
        if (cfg->date_format) {
            layout = (struct date_layout){DATE_FORMAT, cfg->date_format};
        } else if (!(rc = pass(cfg, o, 0, &votes, &layout, err)) && votes.values &&
                   (rc = dates_detect(&votes, cfg->outcomes.date, &layout, err))) {
            mql_err_prefix(err, "%s", cfg->outcomes.file);
        }
    }
    if (!rc)
        rc = pass(cfg, o, 1, &votes, &layout, err);
    return rc;
}
