#include "mqlcal/scorer.h"

#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvout.h"
#include "mqlcal/text.h"

#define CHUNK (1u << 20)

/* Eight bytes at a time where the byte order allows the bit tricks below (little-endian) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#define ONES 0x0101010101010101ull
#define LOW7 0x7F7F7F7F7F7F7F7Full
#define HIGHS 0x8080808080808080ull
#endif
#define OUT_FLUSH (1u << 20)

/* ---- reading records ----------------------------------------------------------------------- */

struct splitter {
    FILE *in;
    char *buf;
    size_t cap, len, pos;
    int eof;
    char delim;
    uint64_t line; /* the physical line at buf[pos] */
    const char **f;
    size_t *fl, nf, fcap;
};

enum { REC_OK = 0, REC_EOF = 1, REC_MORE = 2, REC_UNTERMINATED = 3 };

/* Moves the unread bytes to the front and reads more; -1 on a read error, -2 when a record
 * does not fit in SCORER_MAX_RECORD. */
static int refill(struct splitter *s)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        if (s->cap >= SCORER_MAX_RECORD)
            return -2;
        char *nb = realloc(s->buf, 2 * s->cap);
        if (!nb)
            return -1;
        s->buf = nb;
        s->cap *= 2;
    }
    size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->in);
    s->len += got;
    if (got == 0) {
        if (ferror(s->in))
            return -1;
        s->eof = 1;
    }
    return 0;
}

/* Finds where the record at pos ends (*end: its last byte + 1; *next: the next record) and how
 * many line breaks it holds inside quotes. */
static int find_end(const struct splitter *s, size_t *end, size_t *next, uint64_t *breaks)
{
    const char *b = s->buf;
    size_t pos = s->pos, len = s->len;
    *breaks = 0;
#ifndef SWAR
    /* the common case, which split_plain takes where it is compiled: no quote and no CR
     * before the LF */
    const char *lf = memchr(b + pos, '\n', len - pos);
    if (lf) {
        size_t n = (size_t)(lf - (b + pos));
        if (!memchr(b + pos, '"', n) && !memchr(b + pos, '\r', n)) {
            *end = pos + n;
            *next = pos + n + 1;
            return REC_OK;
        }
    }
#endif
    int inq = 0;
    for (size_t i = pos; i < len; i++) {
        char c = b[i];
        if (inq) {
            if (c == '"') {
                if (i + 1 == len && !s->eof)
                    return REC_MORE;
                if (i + 1 < len && b[i + 1] == '"')
                    i++;
                else
                    inq = 0;
            } else if (c == '\n') {
                (*breaks)++;
            } else if (c == '\r') {
                if (i + 1 == len && !s->eof)
                    return REC_MORE;
                if (i + 1 < len && b[i + 1] == '\n')
                    i++;
                (*breaks)++;
            }
            continue;
        }
        if (c == '"' && (i == pos || b[i - 1] == s->delim)) {
            inq = 1;
        } else if (c == '\n') {
            *end = i;
            *next = i + 1;
            return REC_OK;
        } else if (c == '\r') {
            if (i + 1 == len && !s->eof)
                return REC_MORE;
            *end = i;
            *next = i + 1 + (i + 1 < len && b[i + 1] == '\n');
            return REC_OK;
        }
    }
    if (!s->eof)
        return REC_MORE;
    if (inq)
        return REC_UNTERMINATED;
    *end = *next = len;
    return len > pos ? REC_OK : REC_EOF;
}

static int grow_fields(struct splitter *s)
{
    {
        size_t cap = s->fcap ? 2 * s->fcap : 64;
        const char **f = realloc(s->f, cap * sizeof *f);
        if (f)
            s->f = f;
        size_t *fl = realloc(s->fl, cap * sizeof *fl);
        if (fl)
            s->fl = fl;
        if (!f || !fl)
            return -1;
        s->fcap = cap;
    }
    return 0;
}

static inline int push_field(struct splitter *s, const char *p, size_t n)
{
    if (s->nf == s->fcap && grow_fields(s))
        return -1;
    s->f[s->nf] = p;
    s->fl[s->nf++] = n;
    return 0;
}

#ifdef SWAR

/* The high bit of every byte of w that equals the byte c spread in cs (= ONES * c): exact,
 * with no carry between bytes, so that every set bit is a match. */
static inline uint64_t bytes_equal(uint64_t w, uint64_t cs)
{
    uint64_t x = w ^ cs;
    return ~(((x & LOW7) + LOW7) | x) & HIGHS;
}

/* The common record, in one pass: no quote and no CR up to its LF (or the end of the data at
 * end of file). Splits it into fields and sets *next; REC_MORE when it needs more data, and -3
 * when it holds a quote or a CR (the general path then reads it). */
static int split_plain(struct splitter *s, size_t *next, int *blank)
{
    const char *b = s->buf;
    size_t p = s->pos, len = s->len, start = p;
    const uint64_t dm = ONES * (unsigned char)s->delim, lf = ONES * '\n', q = ONES * '"',
                   cr = ONES * '\r';
    s->nf = 0;
    for (;;) {
        uint64_t w = 0, lim = 8;
        if (p + 8 <= len) {
            memcpy(&w, b + p, 8);
        } else if (p < len) {
            lim = len - p;
            memcpy(&w, b + p, lim);
            w |= ~0ull << (8 * lim) & (ONES * (unsigned char)0x01); /* pad: no byte matches */
        } else {
            break;
        }
        uint64_t stop = 0;
        /* LF, quote and CR are below '#': a word without such a byte has none of them (a
         * boolean test, exact for a bound up to 128), which most words of most data are */
        if ((w - ONES * 0x23) & ~w & HIGHS) {
            uint64_t nl = bytes_equal(w, lf), odd = bytes_equal(w, q) | bytes_equal(w, cr);
            stop = nl ? nl & (0 - nl) : 0; /* the first LF */
            if (lim < 8)
                odd &= (1ull << (8 * lim)) - 1;
            if (odd && (!stop || (odd & ((stop << 1) - 1))))
                return -3; /* a quote or a CR before the line ends */
        }
        uint64_t d = bytes_equal(w, dm);
        if (lim < 8)
            d &= (1ull << (8 * lim)) - 1;
        if (stop)
            d &= stop - 1;
        while (d) {
            size_t at = p + ((size_t)__builtin_ctzll(d) >> 3);
            if (push_field(s, b + start, at - start))
                return -1;
            start = at + 1;
            d &= d - 1;
        }
        if (stop) {
            size_t at = p + ((size_t)__builtin_ctzll(stop) >> 3);
            *blank = at == s->pos;
            if (!*blank && push_field(s, b + start, at - start))
                return -1;
            *next = at + 1;
            return REC_OK;
        }
        p += lim;
    }
    if (!s->eof)
        return REC_MORE;
    if (len == s->pos)
        return REC_EOF;
    *blank = 0;
    if (push_field(s, b + start, len - start))
        return -1;
    *next = len;
    return REC_OK;
}
#endif

/* The first delimiter in b[p, end), or end: eight bytes at a time, then byte by byte. */
static inline size_t find_delim(const char *b, size_t p, size_t end, char delim)
{
#ifdef SWAR
    const uint64_t dm = ONES * (unsigned char)delim;
    while (p + 8 <= end) {
        uint64_t w;
        memcpy(&w, b + p, 8);
        uint64_t t = bytes_equal(w, dm);
        if (t) /* little-endian: the lowest set bit is the first match */
            return p + ((size_t)__builtin_ctzll(t) >> 3);
        p += 8;
    }
#endif
    while (p < end && b[p] != delim)
        p++;
    return p;
}

/* Splits buf[start, end) into fields, unquoting in place. */
static int split(struct splitter *s, size_t start, size_t end)
{
    char *b = s->buf;
    s->nf = 0;
    size_t p = start;
    for (;;) {
        size_t e;
        if (p < end && b[p] == '"') {
            /* quoted: copy the content over itself without the quotes; anything after the
             * closing quote up to the delimiter is kept, as libcsv (the ingest) keeps it */
            size_t w = p, r = p + 1;
            for (;;) {
                if (r >= end)
                    break;
                if (b[r] == '"') {
                    if (r + 1 < end && b[r + 1] == '"') {
                        b[w++] = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                b[w++] = b[r++];
            }
            while (r < end && b[r] != s->delim)
                b[w++] = b[r++];
            if (push_field(s, b + p, w - p))
                return -1;
            e = r;
        } else {
            e = find_delim(b, p, end, s->delim);
            if (push_field(s, b + p, e - p))
                return -1;
        }
        if (e >= end)
            return 0;
        p = e + 1;
    }
}

/* The next record into s->f / s->fl; *line is its first line. REC_OK, REC_EOF, or an error:
 * -1 read error or no memory, -2 too long, REC_UNTERMINATED. Blank lines are counted in
 * *blank and skipped. */
static int next_record(struct splitter *s, uint64_t *line, uint64_t *blank)
{
    for (;;) {
        size_t end, next;
        uint64_t breaks;
#ifdef SWAR
        int is_blank = 0,
            f = s->pos < s->len || s->eof ? split_plain(s, &next, &is_blank) : REC_MORE;
        if (f == REC_OK) {
            *line = s->line++;
            s->pos = next;
            if (is_blank) {
                (*blank)++;
                continue;
            }
            return REC_OK;
        }
        if (f == REC_EOF)
            return REC_EOF;
        if (f == -1)
            return -1;
        if (f == REC_MORE) {
            if ((f = refill(s)))
                return f;
            continue;
        }
        /* -3: the general path below */
#endif
        int rc =
            s->pos < s->len ? find_end(s, &end, &next, &breaks) : (s->eof ? REC_EOF : REC_MORE);
        if (rc == REC_MORE) {
            int fr = refill(s);
            if (fr)
                return fr;
            continue;
        }
        if (rc == REC_EOF)
            return REC_EOF;
        if (rc == REC_UNTERMINATED) {
            *line = s->line;
            return REC_UNTERMINATED;
        }
        *line = s->line;
        s->line += 1 + breaks;
        size_t start = s->pos;
        s->pos = next;
        if (end == start) {
            (*blank)++;
            continue;
        }
        return split(s, start, end) ? -1 : REC_OK;
    }
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

/* ---- the run ------------------------------------------------------------------------------- */

int scorer_run(const struct rules *r, FILE *in, const char *name, FILE *out,
               enum scorer_format format, scorer_reject_fn reject, void *ctx,
               struct scorer_stats *stats, struct mql_err *err)
{
    memset(stats, 0, sizeof *stats);
    struct splitter s = {
        .in = in, .cap = CHUNK, .delim = r->delimiter ? r->delimiter : ',', .line = 1};
    struct out o = {.f = out};
    struct texts tx;
    memset(&tx, 0, sizeof tx);
    size_t ncols = r->nattrs + r->ndq + (r->id_column ? 1 : 0);
    size_t *cols = malloc((ncols + 1) * sizeof *cols);
    s.buf = malloc(s.cap);
    o.buf = malloc(OUT_FLUSH);
    int rc = 0;
    if (!cols || !s.buf || !o.buf || texts_build(&tx, r, format, ',')) {
        rc = mql_err_set(err, MQL_EIO, "out of memory");
        goto done;
    }
    /* a byte order mark */
    if ((rc = refill(&s))) {
        rc = mql_err_set(err, MQL_EIO, "cannot read '%s'", name);
        goto done;
    }
    if (s.len >= 3 && memcmp(s.buf, "\xEF\xBB\xBF", 3) == 0)
        s.pos = 3;
    uint64_t line;
    int st = next_record(&s, &line, &stats->blank_lines);
    if (st == REC_EOF) {
        rc = mql_err_set(err, MQL_EINPUT, "%s: empty: no header", name);
        goto done;
    }
    if (st != REC_OK) {
        rc = mql_err_set(err, st == -1 ? MQL_EIO : MQL_EINPUT, "%s:%llu: %s", name,
                         (unsigned long long)line,
                         st == -1   ? "cannot read"
                         : st == -2 ? "record too long"
                                    : "unterminated quote in the header");
        goto done;
    }
    size_t nheader = s.nf;
    if ((rc = rules_bind_header(r, s.f, s.fl, s.nf, cols, err))) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = mql_err_set(err, MQL_EINPUT, "%s: %s", name, msg);
        goto done;
    }
    if (format == SCORER_CSV) {
        static const char *const head[] = {
            "id",           "score",    "fit_score", "engagement_score", "mql",
            "disqualifier", "reason_1", "reason_2",  "reason_3"};
        for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
            if (i)
                put_c(&o, ',');
            put(&o, head[i], strlen(head[i]));
        }
        put_c(&o, '\n');
    }
    struct rules_outcome x;
    char why[256];
    for (;;) {
        st = next_record(&s, &line, &stats->blank_lines);
        if (st == REC_EOF)
            break;
        if (st == -1 || st == -2) {
            rc = mql_err_set(err, st == -1 ? MQL_EIO : MQL_EINPUT, "%s:%llu: %s", name,
                             (unsigned long long)line,
                             st == -1 ? "cannot read" : "record longer than 16 MiB");
            break;
        }
        stats->records++;
        if (st == REC_UNTERMINATED) {
            stats->unscored++;
            if (reject)
                reject(ctx, line, "unterminated quote: the file ends inside a quoted field");
            break;
        }
        if (s.nf != nheader) {
            stats->unscored++;
            if (reject) {
                snprintf(why, sizeof why, "expected %zu fields, got %zu", nheader, s.nf);
                reject(ctx, line, why);
            }
            continue;
        }
        size_t bad_attr;
        if (rules_score(r, s.f, s.fl, cols, &x, &bad_attr, why, sizeof why)) {
            stats->unscored++;
            if (reject)
                reject(ctx, line, why);
            continue;
        }
        stats->scored++;
        stats->mqls += (uint64_t)x.mql;
        const char *id;
        size_t idn;
        char num[24];
        if (r->id_column) {
            id = s.f[cols[ncols - 1]];
            idn = s.fl[cols[ncols - 1]];
            text_trim_span(&id, &idn);
        } else {
            idn = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)line);
            id = num;
        }
        write_row(&o, &tx, format, ',', id, idn, &x);
    }
    flush_out(&o);
    if (!rc && (o.failed || fflush(out) != 0))
        rc = mql_err_set(err, MQL_EIO, "cannot write the scores");
done:
    texts_release(&tx);
    free(cols);
    free(s.buf);
    free(s.f);
    free(s.fl);
    free(o.buf);
    return rc;
}
