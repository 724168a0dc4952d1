/*
 * scorer.c: the score command: scoring a CSV of leads with a rule file, streaming, with joins
 * (scorer.h).
 */
#include "mqlcal/scorer.h"

#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvout.h"
#include "mqlcal/csvread.h"
#include "mqlcal/text.h"

#define OUT_FLUSH (1u << 20)

/* ---- values the rule has never seen ---- */

static void note_unseen(struct scorer_unseen *u, const char *v, size_t n)
{
    u->leads++;
    for (size_t i = 0; i < u->nvalues; i++)
        if (strlen(u->values[i]) == n && memcmp(u->values[i], v, n) == 0) {
            u->counts[i]++;
            return;
        }
    if (u->nvalues < SCORER_UNSEEN_VALUES && !memchr(v, '\0', n) &&
        (u->values[u->nvalues] = text_ndup(v, n))) {
        u->counts[u->nvalues++] = 1;
        return;
    }
    u->other++;
}

void scorer_stats_release(struct scorer_stats *stats)
{
    if (!stats || !stats->unseen)
        return;
    for (size_t a = 0; a < stats->nattrs; a++)
        for (size_t i = 0; i < stats->unseen[a].nvalues; i++)
            free(stats->unseen[a].values[i]);
    free(stats->unseen);
    stats->unseen = NULL;
    stats->nattrs = 0;
}

/* ---- writing ------------------------------------------------------------------------------- */

struct out {
    FILE *f;
    char *buf;
    size_t len;
    int failed;
};

static void flush_out(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

static inline void put(struct out *o, const char *s, size_t n)
{
    if (n == 0) /* s may then be NULL: an absent reason or disqualifier */
        return;
    if (o->len + n > OUT_FLUSH)
        flush_out(o);
    if (n > OUT_FLUSH) {
        if (fwrite(s, 1, n, o->f) != n)
            o->failed = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void put_c(struct out *o, char c)
{
    if (o->len + 1 > OUT_FLUSH)
        flush_out(o);
    o->buf[o->len++] = c;
}

/* n bytes from s to d for the short texts of a row (ids, reasons): overlapping fixed-size
 * moves, which compile to plain loads and stores, instead of a libc call each */
static inline void copy_short(char *d, const char *s, size_t n)
{
    if (n > 32) {
        memcpy(d, s, n);
    } else if (n >= 16) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* v in decimal at w; returns the end */
static inline char *itoa_to(char *w, int v)
{
    char tmp[12];
    int k = 12;
    unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    do
        tmp[--k] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        tmp[--k] = '-';
    memcpy(w, tmp + k, (size_t)(12 - k));
    return w + (12 - k);
}

/* a string literal, its length counted by the compiler */
#define PUT_LIT(o, lit) put(o, lit, sizeof lit - 1)

static inline void put_int(struct out *o, long long v)
{
    char tmp[24];
    int k = 24;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        tmp[--k] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        tmp[--k] = '-';
    put(o, tmp + k, (size_t)(24 - k));
}

static void put_csv(struct out *o, const char *s, size_t n, char delim)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        put(o, s, n);
        return;
    }
    put_c(o, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            put_c(o, '"');
        put_c(o, s[i]);
    }
    put_c(o, '"');
}

static void put_json(struct out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put_c(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            put_c(o, '\\');
            put_c(o, (char)c);
        } else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(o, u, 6);
        } else {
            put_c(o, (char)c);
        }
    }
    put_c(o, '"');
}

/* The texts a row is made of that depend only on the rules: per attribute and level the
 * reason "attribute: level (+points)" and per disqualifier "column:value", already quoted for
 * CSV or JSON, so that a row costs no formatting. */
struct texts {
    char **reason; /* [attribute][level], flattened: reason[first[a] + l] */
    size_t *reason_len, *first;
    char **dq;
    size_t *dq_len;
    size_t n;
};

static void texts_release(struct texts *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->reason[i]);
    free(t->reason);
    free(t->reason_len);
    free(t->first);
    if (t->dq)
        for (size_t i = 0; t->dq[i]; i++)
            free(t->dq[i]);
    free(t->dq);
    free(t->dq_len);
}

/* s made ready for the output format, into a malloc'd text */
static char *ready(const char *s, enum scorer_format fmt, char delim, size_t *len)
{
    struct out o = {.buf = malloc(2 * strlen(s) + 16)};
    if (!o.buf)
        return NULL;
    if (fmt == SCORER_CSV) {
        /* a text a spreadsheet would run as a formula gets a leading apostrophe, as in every
         * csvout file (the id column is written byte for byte: it is the key back to the CRM) */
        int formula = csvout_is_formula(s);
        int quote = formula;
        for (const char *p = s; *p && !quote; p++)
            quote = *p == delim || *p == '"' || *p == '\n' || *p == '\r';
        if (quote)
            o.buf[o.len++] = '"';
        if (formula)
            o.buf[o.len++] = '\'';
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                o.buf[o.len++] = '"';
            o.buf[o.len++] = *p;
        }
        if (quote)
            o.buf[o.len++] = '"';
    } else {
        free(o.buf);
        o.buf = malloc(6 * strlen(s) + 3);
        if (!o.buf)
            return NULL;
        o.len = 0;
        put_json(&o, s, strlen(s));
    }
    o.buf[o.len] = '\0';
    *len = o.len;
    return o.buf;
}

static int texts_build(struct texts *t, const struct rules *r, enum scorer_format fmt, char delim)
{
    memset(t, 0, sizeof *t);
    t->first = calloc(r->nattrs + 1, sizeof *t->first);
    for (size_t a = 0; a < r->nattrs && t->first; a++)
        t->first[a + 1] = t->first[a] + r->attrs[a].nlevels;
    size_t n = t->first ? t->first[r->nattrs] : 0;
    t->reason = calloc(n + 1, sizeof *t->reason);
    t->reason_len = calloc(n + 1, sizeof *t->reason_len);
    t->dq = calloc(r->ndq + 1, sizeof *t->dq);
    t->dq_len = calloc(r->ndq + 1, sizeof *t->dq_len);
    if (!t->first || !t->reason || !t->reason_len || !t->dq || !t->dq_len)
        return -1;
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        for (size_t l = 0; l < at->nlevels; l++) {
            int d = at->levels[l].points - at->levels[at->reference].points;
            size_t len = strlen(at->name) + strlen(at->levels[l].label) + 32;
            char *raw_text = malloc(len);
            if (!raw_text)
                return -1;
            snprintf(raw_text, len, "%s: %s (+%d)", at->name, at->levels[l].label, d);
            size_t i = t->first[a] + l;
            t->reason[i] = ready(raw_text, fmt, delim, &t->reason_len[i]);
            t->n = i + 1;
            free(raw_text);
            if (!t->reason[i])
                return -1;
        }
    }
    for (size_t q = 0; q < r->ndq; q++) {
        size_t len = strlen(r->dq[q].column) + strlen(r->dq[q].value) + 2;
        char *raw_text = malloc(len);
        if (!raw_text)
            return -1;
        snprintf(raw_text, len, "%s:%s", r->dq[q].column, r->dq[q].value);
        t->dq[q] = ready(raw_text, fmt, delim, &t->dq_len[q]);
        free(raw_text);
        if (!t->dq[q])
            return -1;
    }
    return 0;
}

static void write_row(struct out *o, const struct texts *tx, enum scorer_format fmt, char delim,
                      const char *id, size_t idn, const struct rules_outcome *x)
{
    const char *reason[RULES_REASONS];
    size_t rn[RULES_REASONS];
    for (int k = 0; k < RULES_REASONS; k++) {
        if (x->reason[k] < 0) {
            reason[k] = NULL;
            rn[k] = 0;
            continue;
        }
        size_t i = tx->first[x->reason[k]] + x->level[x->reason[k]];
        reason[k] = tx->reason[i];
        rn[k] = tx->reason_len[i];
    }
    const char *dq = x->disqualifier >= 0 ? tx->dq[x->disqualifier] : NULL;
    size_t dqn = x->disqualifier >= 0 ? tx->dq_len[x->disqualifier] : 0;
    if (fmt == SCORER_CSV) {
        /* the common row: room checked once, then written without checks */
        size_t need = idn + 3 * 12 + 8 + dqn + rn[0] + rn[1] + rn[2];
        int plain = need < OUT_FLUSH / 2;
        for (size_t i = 0; i < idn && plain; i++)
            plain = id[i] != delim && id[i] != '"' && id[i] != '\n' && id[i] != '\r';
        if (plain) {
            if (o->len + need > OUT_FLUSH)
                flush_out(o);
            char *w = o->buf + o->len;
            copy_short(w, id, idn);
            w += idn;
            const int v[3] = {x->score, x->fit_score, x->engagement_score};
            for (int k = 0; k < 3; k++) {
                *w++ = delim;
                w = itoa_to(w, v[k]);
            }
            *w++ = delim;
            *w++ = x->mql ? '1' : '0';
            *w++ = delim;
            copy_short(w, dq, dqn);
            w += dqn;
            for (int k = 0; k < RULES_REASONS; k++) {
                *w++ = delim;
                copy_short(w, reason[k], rn[k]);
                w += rn[k];
            }
            *w++ = '\n';
            o->len = (size_t)(w - o->buf);
            return;
        }
        put_csv(o, id, idn, delim);
        put_c(o, delim);
        put_int(o, x->score);
        put_c(o, delim);
        put_int(o, x->fit_score);
        put_c(o, delim);
        put_int(o, x->engagement_score);
        put_c(o, delim);
        put_c(o, x->mql ? '1' : '0');
        put_c(o, delim);
        put(o, dq, dqn);
        for (int k = 0; k < RULES_REASONS; k++) {
            put_c(o, delim);
            put(o, reason[k], rn[k]);
        }
        put_c(o, '\n');
        return;
    }
    PUT_LIT(o, "{\"id\":");
    put_json(o, id, idn);
    PUT_LIT(o, ",\"score\":");
    put_int(o, x->score);
    PUT_LIT(o, ",\"fit_score\":");
    put_int(o, x->fit_score);
    PUT_LIT(o, ",\"engagement_score\":");
    put_int(o, x->engagement_score);
    if (x->mql)
        PUT_LIT(o, ",\"mql\":true");
    else
        PUT_LIT(o, ",\"mql\":false");
    PUT_LIT(o, ",\"disqualifier\":");
    if (dq)
        put(o, dq, dqn);
    else
        PUT_LIT(o, "null");
    for (int k = 0; k < RULES_REASONS; k++) {
        static const char keys[][13] = {",\"reason_1\":", ",\"reason_2\":", ",\"reason_3\":"};
        put(o, keys[k], sizeof keys[k] - 1);
        if (reason[k])
            put(o, reason[k], rn[k]);
        else
            PUT_LIT(o, "null");
    }
    PUT_LIT(o, "}\n");
}

/* ---- joined tables ------------------------------------------------------------------------- */

/* A record widened with its joined values: the header's nf fields, then one field per kept
 * column of each table, so that rules_bind_header and rules_score read them as any other. */
struct widen {
    size_t nf, n;                   /* the header's width; with the joined columns */
    long key[CONFIG_MAX_JOINS];     /* each table's key column in the header */
    size_t first[CONFIG_MAX_JOINS]; /* its first widened field */
    long row[CONFIG_MAX_JOINS];     /* the record's row of each table, or -1 */
    char **names;                   /* the widened header's NAME.c (owned) */
    const char **f;                 /* the widened header, then each record */
    size_t *fl;
};

static void widen_release(struct widen *w)
{
    for (size_t i = w->nf; w->names && i < w->n; i++)
        free(w->names[i - w->nf]);
    free(w->names);
    free(w->f);
    free(w->fl);
}

/* Binds the header of rd with the rule's joins: cols as rules_bind_header fills them. */
static int widen_bind(struct widen *w, const struct rules *r, const struct join_table *t,
                      const struct csvread *rd, size_t *cols, struct mql_err *err)
{
    w->nf = rd->nf;
    w->n = rd->nf;
    for (size_t j = 0; j < r->njoins; j++) {
        long twice;
        w->key[j] = csvread_find(rd, r->joins[j].key, &twice);
        if (twice >= 0)
            return mql_err_set(err, MQL_EINPUT,
                               "column '%s' (the key of the table %s) appears twice in the header "
                               "(fields %ld and %ld)",
                               r->joins[j].key, r->joins[j].name, w->key[j] + 1, twice + 1);
        if (w->key[j] < 0) {
            char near[300] = "";
            text_nearest_names(r->joins[j].key, rd->f, rd->fl, rd->nf, near, sizeof near);
            return mql_err_set(err, MQL_EINPUT,
                               "the header has no column '%s' (the key of the rule file's table "
                               "%s)%s%s",
                               r->joins[j].key, r->joins[j].name, near[0] ? "; nearest: " : "",
                               near);
        }
        w->first[j] = w->n;
        w->n += t[j].nwant;
    }
    for (size_t k = 0; k < r->nattrs + r->ndq; k++) {
        const char *c = k < r->nattrs ? r->attrs[k].name : r->dq[k - r->nattrs].column;
        long twice, at;
        if (rules_join_of(r, c, NULL) >= 0 && (at = csvread_find(rd, c, &twice)) >= 0)
            return mql_err_set(err, MQL_EINPUT,
                               "column '%s' is in the header (field %ld) and in the rule file's "
                               "table %.*s: which one would count? Rename the header's",
                               c, at + 1, (int)(strchr(c, '.') - c), c);
    }
    w->names = calloc(w->n - w->nf + 1, sizeof *w->names);
    w->f = malloc((w->n + 1) * sizeof *w->f);
    w->fl = malloc((w->n + 1) * sizeof *w->fl);
    if (!w->names || !w->f || !w->fl)
        return mql_err_oom(err);
    memcpy(w->f, rd->f, rd->nf * sizeof *w->f);
    memcpy(w->fl, rd->fl, rd->nf * sizeof *w->fl);
    for (size_t j = 0; j < r->njoins; j++)
        for (size_t c = 0; c < t[j].nwant; c++) {
            size_t i = w->first[j] + c, len = strlen(r->joins[j].name) + strlen(t[j].want[c]) + 2;
            char *nm = malloc(len);
            if (!nm)
                return mql_err_oom(err);
            snprintf(nm, len, "%s.%s", r->joins[j].name, t[j].want[c]);
            w->names[i - w->nf] = nm;
            w->f[i] = nm;
            w->fl[i] = strlen(nm);
        }
    return rules_bind_header(r, w->f, w->fl, w->n, cols, err);
}

/* The record of rd, widened with its rows' values. */
static void widen_fill(struct widen *w, const struct rules *r, const struct join_table *t,
                       const struct csvread *rd)
{
    memcpy(w->f, rd->f, w->nf * sizeof *w->f);
    memcpy(w->fl, rd->fl, w->nf * sizeof *w->fl);
    for (size_t j = 0; j < r->njoins; j++) {
        const char *k = rd->f[w->key[j]];
        size_t kn = rd->fl[w->key[j]];
        text_trim_span(&k, &kn);
        long row = rules_is_missing(r, k, kn) ? -1 : joins_find(&t[j], k, kn);
        w->row[j] = row;
        for (size_t c = 0; c < t[j].nwant; c++) {
            size_t i = w->first[j] + c;
            if (row < 0) {
                w->f[i] = "";
                w->fl[i] = 0;
            } else {
                w->f[i] = joins_value(&t[j], row, c, &w->fl[i]);
            }
        }
    }
}

/* ---- the run ------------------------------------------------------------------------------- */

/* What scorer_run keeps across records. */
struct scoring {
    const struct rules *r;
    const struct join_table *tables;
    int joined;
    size_t *cols, ncols; /* the rule's columns in the (widened) record; the id last */
    struct widen wd;
    struct out o;
    struct texts tx;
    enum scorer_format format;
    scorer_reject_fn reject;
    void *ctx;
    struct scorer_stats *stats;
};

static void unscored(struct scoring *sc, uint64_t line, const char *why)
{
    sc->stats->unscored++;
    if (sc->reject)
        sc->reject(sc->ctx, line, why);
}

/* The header: read, and the rule's columns found in it (through the joins when it has any). */
static int read_header(struct scoring *sc, struct csvread *s, const char *name, struct mql_err *err)
{
    int st = csvread_next(s);
    if (st == CSVR_EOF)
        return mql_err_set(err, MQL_EINPUT, "%s: empty: no header", name);
    if (st != CSVR_OK)
        return mql_err_set(err, st == CSVR_EREAD ? MQL_EIO : MQL_EINPUT, "%s:%llu: %s", name,
                           (unsigned long long)s->line,
                           st == CSVR_EREAD      ? (s->oom ? "out of memory" : "cannot read")
                           : st == CSVR_ETOOLONG ? "record too long"
                           : st == CSVR_BAD_QUOTE
                               ? "bad_quote: a quoted field of the header is followed by text"
                               : "unterminated quote in the header");
    int rc = sc->joined ? widen_bind(&sc->wd, sc->r, sc->tables, s, sc->cols, err)
                        : rules_bind_header(sc->r, s->f, s->fl, s->nf, sc->cols, err);
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = mql_err_set(err, MQL_EINPUT, "%s: %s", name, msg);
    }
    return rc;
}

static void write_head(struct scoring *sc)
{
    if (sc->format != SCORER_CSV)
        return;
    static const char *const head[] = {"id",      "score",        "fit_score", "engagement_score",
                                       "mql",     "disqualifier", "reason_1",  "reason_2",
                                       "reason_3"};
    for (size_t i = 0; i < ARRAY_SIZE(head); i++) {
        if (i)
            put_c(&sc->o, ',');
        put(&sc->o, head[i], strlen(head[i]));
    }
    put_c(&sc->o, '\n');
}

/* Counts a scored lead: MQLs, the joins it matched, the values the rule had never seen. */
static void count_scored(struct scoring *sc, const char *const *f, const size_t *fl,
                         const struct rules_outcome *x)
{
    struct scorer_stats *stats = sc->stats;
    stats->scored++;
    stats->mqls += (uint64_t)x->mql;
    for (size_t j = 0; sc->joined && j < sc->r->njoins; j++) {
        stats->join_matched[j] += sc->wd.row[j] >= 0;
        stats->join_unmatched[j] += sc->wd.row[j] < 0;
    }
    if (x->nunseen && stats->unseen) {
        stats->unseen_leads++;
        for (size_t k = 0; k < x->nunseen; k++) {
            size_t a = x->unseen[k];
            const char *v = f[sc->cols[a]];
            size_t vn = fl[sc->cols[a]];
            text_trim_span(&v, &vn);
            note_unseen(&stats->unseen[a], v, vn);
        }
    }
}

/* One well-formed record (nheader fields) at line: scored and written, or rejected. */
static void score_record(struct scoring *sc, struct csvread *s, uint64_t line)
{
    const struct rules *r = sc->r;
    const char *const *f = s->f;
    const size_t *fl = s->fl;
    if (sc->joined) {
        widen_fill(&sc->wd, r, sc->tables, s);
        f = sc->wd.f;
        fl = sc->wd.fl;
    }
    struct rules_outcome x;
    char why[256];
    size_t bad_attr;
    if (rules_score(r, f, fl, sc->cols, &x, &bad_attr, why, sizeof why)) {
        unscored(sc, line, why);
        return;
    }
    const char *id;
    size_t idn;
    char num[24];
    if (r->id_column) {
        id = f[sc->cols[sc->ncols - 1]];
        idn = fl[sc->cols[sc->ncols - 1]];
        text_trim_span(&id, &idn);
    } else {
        idn = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)line);
        id = num;
    }
    /* JSON holds only UTF-8 (and the id is never changed: it is the key back to the CRM) */
    if (sc->format == SCORER_JSONL && !text_utf8_valid(id, idn)) {
        unscored(sc, line,
                 "the id is not valid UTF-8, which JSON cannot hold (--format csv writes it "
                 "byte for byte)");
        return;
    }
    count_scored(sc, f, fl, &x);
    write_row(&sc->o, &sc->tx, sc->format, ',', id, idn, &x);
}

/* The records after the header, to the end of the file or a read error. */
static int score_records(struct scoring *sc, struct csvread *s, const char *name, size_t nheader,
                         struct mql_err *err)
{
    char why[256];
    for (;;) {
        int st = csvread_next(s);
        uint64_t line = s->line;
        if (st == CSVR_EOF)
            return 0;
        if (st == CSVR_EREAD || st == CSVR_ETOOLONG)
            return mql_err_set(err, st == CSVR_ETOOLONG ? MQL_EINPUT : MQL_EIO, "%s:%llu: %s", name,
                               (unsigned long long)s->next_line,
                               st == CSVR_ETOOLONG ? "record longer than 16 MiB"
                               : s->oom            ? "out of memory"
                                                   : "cannot read");
        sc->stats->records++;
        if (st == CSVR_UNTERMINATED) {
            unscored(sc, line, "unterminated_quote: the file ends inside a quoted field");
            return 0;
        }
        if (st == CSVR_BAD_QUOTE) {
            snprintf(why, sizeof why,
                     "bad_quote: a quoted field is followed by text before the delimiter "
                     "(%llu line%s)",
                     (unsigned long long)s->nlines, s->nlines == 1 ? "" : "s");
            unscored(sc, line, why);
        } else if (s->nf != nheader) {
            snprintf(why, sizeof why, "expected %zu fields, got %zu", nheader, s->nf);
            unscored(sc, line, why);
        } else {
            score_record(sc, s, line);
        }
    }
}

int scorer_run(const struct rules *r, const struct join_table *tables, FILE *in, const char *name,
               FILE *out, enum scorer_format format, scorer_reject_fn reject, void *ctx,
               struct scorer_stats *stats, struct mql_err *err)
{
    struct scoring sc;
    memset(&sc, 0, sizeof sc);
    sc.r = r;
    sc.tables = tables;
    sc.joined = r->njoins > 0;
    sc.format = format;
    sc.reject = reject;
    sc.ctx = ctx;
    sc.stats = stats;
    if (sc.joined && !tables)
        return mql_err_set(err, MQL_EINPUT, "the rule reads %zu joined table%s: none was given",
                           r->njoins, r->njoins == 1 ? "" : "s");
    memset(stats, 0, sizeof *stats);
    stats->unseen = calloc(r->nattrs + 1, sizeof *stats->unseen);
    stats->nattrs = stats->unseen ? r->nattrs : 0;
    struct csvread s = {
        .in = in, .delim = r->delimiter ? r->delimiter : ',', .max_record = SCORER_MAX_RECORD};
    sc.o.f = out;
    sc.ncols = r->nattrs + r->ndq + (r->id_column ? 1 : 0);
    sc.cols = malloc((sc.ncols + 1) * sizeof *sc.cols);
    sc.o.buf = malloc(OUT_FLUSH);
    int rc = 0;
    if (csvread_init(&s) || !sc.cols || !sc.o.buf || !stats->unseen ||
        texts_build(&sc.tx, r, format, ','))
        rc = mql_err_oom(err);
    if (!rc && !(rc = read_header(&sc, &s, name, err))) {
        write_head(&sc);
        rc = score_records(&sc, &s, name, s.nf, err);
        flush_out(&sc.o);
        if (!rc && (sc.o.failed || fflush(out) != 0))
            rc = mql_err_set(err, MQL_EIO, "cannot write the scores");
    }
    widen_release(&sc.wd);
    texts_release(&sc.tx);
    free(sc.cols);
    stats->blank_lines = s.blank_lines;
    csvread_release(&s);
    free(sc.o.buf);
    return rc;
}
