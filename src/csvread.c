/* csvread.c: mqlcal's one CSV grammar (csvread.h): a fast path for plain records, eight bytes
 * at a time, and a general path for records with quotes or CRs. */
#include "mqlcal/csvread.h"

#include <stdlib.h>
#include <string.h>
#include "mqlcal/text.h"

#define CHUNK (1u << 20)

/* Eight bytes at a time where the byte order allows the bit tricks below (little-endian) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define LOW7 0x7F7F7F7F7F7F7F7Full
#endif

enum { REC_MORE = 100 };

int csvread_init(struct csvread *r)
{
    r->cap = CHUNK;
    r->len = r->pos = 0;
    r->eof = r->started = 0;
    r->line = 0;
    r->next_line = 1;
    r->nlines = 0;
    r->lines = r->blank_lines = 0;
    r->f = NULL;
    r->fl = NULL;
    r->nf = r->fcap = 0;
    r->rawbuf = NULL;
    r->rawcap = 0;
    r->raw = NULL;
    r->rawlen = 0;
    r->oom = 0;
    if (!r->max_record)
        r->max_record = 64u << 20;
    if (!r->delim)
        r->delim = ',';
    r->buf = malloc(r->cap);
    return r->buf ? 0 : -1;
}

long csvread_find(const struct csvread *r, const char *name, long *twice)
{
    long at = -1;
    *twice = -1;
    size_t len = strlen(name);
    for (size_t i = 0; i < r->nf; i++) {
        const char *s = r->f[i];
        size_t n = r->fl[i];
        text_trim_span(&s, &n);
        if (n != len || memcmp(name, s, n) != 0)
            continue;
        if (at >= 0) {
            *twice = (long)i;
            return at;
        }
        at = (long)i;
    }
    return at;
}

int csvread_require(const struct csvread *r, const char *name, const char *where, const char *file,
                    long *at, struct mql_err *err)
{
    long twice;
    *at = csvread_find(r, name, &twice);
    if (twice >= 0)
        return mql_err_set(err, MQL_EINPUT,
                           "%s: column '%s' appears twice in the header of %s (fields %ld and %ld)",
                           where, name, file, *at + 1, twice + 1);
    if (*at >= 0)
        return 0;
    char near[300] = "";
    text_nearest_names(name, r->f, r->fl, r->nf, near, sizeof near);
    return mql_err_set(err, MQL_EINPUT, "%s: no column '%s' in the header of %s%s%s%s", where, name,
                       file, near[0] ? " (nearest: " : "", near, near[0] ? ")" : "");
}

void csvread_release(struct csvread *r)
{
    free(r->buf);
    free(r->f);
    free(r->fl);
    free(r->rawbuf);
    r->buf = r->rawbuf = NULL;
    r->f = NULL;
    r->fl = NULL;
}

/* Moves the unread bytes to the front and reads more; CSVR_EREAD on a read error,
 * CSVR_ETOOLONG when a record does not fit in max_record. */
static int refill(struct csvread *s)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        if (s->cap >= s->max_record)
            return CSVR_ETOOLONG;
        size_t ncap = 2 * s->cap > s->max_record ? s->max_record : 2 * s->cap;
        char *nb = realloc(s->buf, ncap);
        if (!nb) {
            s->oom = 1;
            return CSVR_EREAD;
        }
        s->buf = nb;
        s->cap = ncap;
    }
    size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->in);
    if (got && s->on_bytes)
        s->on_bytes(s->ctx, s->buf + s->len, got);
    s->len += got;
    if (got == 0) {
        if (ferror(s->in))
            return CSVR_EREAD;
        s->eof = 1;
    }
    if (!s->started && (s->len >= 3 || s->eof)) {
        s->started = 1;
        if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
            s->pos = 3;
    }
    return 0;
}

static inline int is_pad(char c, char delim)
{
    return c == ' ' || (c == '\t' && delim != '\t');
}

/* The end of the line end at b[i] (LF, CR or CRLF): *next is the byte after it. REC_MORE when a
 * CR is the last byte read and more may come. */
static inline int line_end(const struct csvread *s, size_t i, size_t *next)
{
    if (s->buf[i] == '\n') {
        *next = i + 1;
        return 0;
    }
    if (i + 1 == s->len && !s->eof)
        return REC_MORE;
    *next = i + 1 + (i + 1 < s->len && s->buf[i + 1] == '\n');
    return 0;
}

enum { F_START, F_UNQ, F_INQ, F_AFTER };

/* Finds where the record at pos ends (*end: its last byte + 1, before the line end; *next:
 * where the next record starts) and how many line breaks it holds inside quotes. Returns
 * CSVR_OK, CSVR_EOF, CSVR_BAD_QUOTE, CSVR_UNTERMINATED or REC_MORE. Reads, never writes. */
static int find_end(const struct csvread *s, size_t *end, size_t *next, uint64_t *breaks)
{
    const char *b = s->buf;
    const char d = s->delim;
    size_t i = s->pos, len = s->len;
    int st = F_START;
    *breaks = 0;
    for (; i < len; i++) {
        char c = b[i];
        switch (st) {
        case F_START:
            if (is_pad(c, d))
                continue;
            if (c == '"') {
                st = F_INQ;
                continue;
            }
            st = F_UNQ;
            /* fall through */
        case F_UNQ:
            if (c == d) {
                st = F_START;
            } else if (c == '\n' || c == '\r') {
                if (line_end(s, i, next))
                    return REC_MORE;
                *end = i;
                return CSVR_OK;
            }
            continue;
        case F_INQ:
            if (c == '"') {
                if (i + 1 == len && !s->eof)
                    return REC_MORE;
                if (i + 1 < len && b[i + 1] == '"')
                    i++;
                else
                    st = F_AFTER;
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
        default: /* F_AFTER: after a closing quote */
            if (is_pad(c, d))
                continue;
            if (c == d) {
                st = F_START;
                continue;
            }
            if (c == '\n' || c == '\r') {
                if (line_end(s, i, next))
                    return REC_MORE;
                *end = i;
                return CSVR_OK;
            }
            goto bad;
        }
    }
    if (!s->eof)
        return REC_MORE;
    if (st == F_INQ) {
        /* a line end last in the stream ends the last line; it starts none */
        if (*breaks && (b[len - 1] == '\n' || b[len - 1] == '\r'))
            (*breaks)--;
        *end = *next = len;
        return CSVR_UNTERMINATED;
    }
    *end = *next = len;
    return len > s->pos ? CSVR_OK : CSVR_EOF;
bad:
    /* the record runs to the end of this physical line */
    while (i < len && b[i] != '\n' && b[i] != '\r')
        i++;
    if (i == len) {
        if (!s->eof)
            return REC_MORE;
        *end = *next = len;
        return CSVR_BAD_QUOTE;
    }
    if (line_end(s, i, next))
        return REC_MORE;
    *end = i;
    return CSVR_BAD_QUOTE;
}

static int grow_fields(struct csvread *s)
{
    size_t cap = s->fcap ? 2 * s->fcap : 64;
    const char **f = realloc(s->f, cap * sizeof *f);
    if (f)
        s->f = f;
    size_t *fl = realloc(s->fl, cap * sizeof *fl);
    if (fl)
        s->fl = fl;
    if (!f || !fl) {
        s->oom = 1;
        return -1;
    }
    s->fcap = cap;
    return 0;
}

static inline int push_field(struct csvread *s, const char *p, size_t n)
{
    if (s->nf == s->fcap && grow_fields(s))
        return -1;
    s->f[s->nf] = p;
    s->fl[s->nf++] = n;
    return 0;
}

static int all_pad(const char *b, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++)
        if (!is_pad(b[i], delim))
            return 0;
    return 1;
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
 * end of file). Splits it into fields and sets *end and *next; REC_MORE when it needs more
 * data, and -3 when it holds a quote or a CR (the general path then reads it). */
static int split_plain(struct csvread *s, size_t *end, size_t *next)
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
                return CSVR_EREAD;
            start = at + 1;
            d &= d - 1;
        }
        if (stop) {
            size_t at = p + ((size_t)__builtin_ctzll(stop) >> 3);
            if (push_field(s, b + start, at - start))
                return CSVR_EREAD;
            *end = at;
            *next = at + 1;
            return CSVR_OK;
        }
        p += lim;
    }
    if (!s->eof)
        return REC_MORE;
    if (len == s->pos)
        return CSVR_EOF;
    if (push_field(s, b + start, len - start))
        return CSVR_EREAD;
    *end = *next = len;
    return CSVR_OK;
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

/* Splits the well-formed record buf[start, end) into fields, unquoting in place. */
static int split(struct csvread *s, size_t start, size_t end)
{
    char *b = s->buf;
    const char d = s->delim;
    s->nf = 0;
    size_t p = start;
    for (;;) {
        size_t e, q = p;
        while (q < end && is_pad(b[q], d))
            q++;
        if (q < end && b[q] == '"') {
            /* quoted: the content moves over the opening quote, "" becomes " */
            size_t w = q, r = q + 1;
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
            while (r < end && b[r] != d) /* only padding, as find_end checked */
                r++;
            if (push_field(s, b + q, w - q))
                return -1;
            e = r;
        } else {
            e = find_delim(b, p, end, d);
            if (push_field(s, b + p, e - p))
                return -1;
        }
        if (e >= end)
            return 0;
        p = e + 1;
    }
}

static int keep_raw(struct csvread *s, size_t start, size_t end)
{
    size_t n = end - start;
    if (n + 1 > s->rawcap) {
        size_t cap = s->rawcap ? s->rawcap : 4096;
        while (cap < n + 1)
            cap *= 2;
        char *p = realloc(s->rawbuf, cap);
        if (!p) {
            s->oom = 1;
            return -1;
        }
        s->rawbuf = p;
        s->rawcap = cap;
    }
    memcpy(s->rawbuf, s->buf + start, n);
    s->raw = s->rawbuf;
    s->rawlen = n;
    return 0;
}

int csvread_next(struct csvread *s)
{
    for (;;) {
        size_t end = 0, next = 0;
        uint64_t breaks = 0;
        int rc;
        if (!s->started || (s->pos == s->len && !s->eof)) {
            int fr = refill(s);
            if (fr)
                return fr;
            continue;
        }
#ifdef SWAR
        rc = split_plain(s, &end, &next);
        if (rc == CSVR_EREAD)
            return rc;
        if (rc == -3)
            rc = find_end(s, &end, &next, &breaks);
        else if (rc == CSVR_OK)
            breaks = 0, rc = -4; /* split already */
#else
        rc = find_end(s, &end, &next, &breaks);
#endif
        if (rc == REC_MORE) {
            int fr = refill(s);
            if (fr)
                return fr;
            continue;
        }
        if (rc == CSVR_EOF) {
            s->nf = 0;
            return CSVR_EOF;
        }
        size_t start = s->pos;
        s->pos = next;
        s->line = s->next_line;
        s->nlines = 1 + breaks;
        s->next_line += s->nlines;
        s->lines += s->nlines;
        if ((rc == CSVR_OK || rc == -4) && breaks == 0 &&
            all_pad(s->buf + start, end - start, s->delim)) {
            s->blank_lines++;
            continue;
        }
        if (rc == CSVR_BAD_QUOTE || rc == CSVR_UNTERMINATED) {
            s->nf = 0;
            s->raw = s->buf + start;
            s->rawlen = end - start;
            while (s->rawlen && (s->raw[s->rawlen - 1] == '\n' || s->raw[s->rawlen - 1] == '\r'))
                s->rawlen--;
            return rc;
        }
        /* the bytes as read: a plain record is not changed by its split */
        s->raw = s->buf + start;
        s->rawlen = end - start;
        if (rc == -4)
            return CSVR_OK;
        if (s->keep_raw ? keep_raw(s, start, end) : (s->raw = NULL, s->rawlen = 0, 0))
            return CSVR_EREAD;
        if (split(s, start, end))
            return CSVR_EREAD;
        return CSVR_OK;
    }
}

const char *csvread_damage(int status)
{
    return status == CSVR_BAD_QUOTE      ? "a stray quote"
           : status == CSVR_UNTERMINATED ? "a quoted field never closed"
                                         : "wrong number of fields";
}
