/*
 * text.c: small text rules shared by the stages: trimming, UTF-8, numbers, dates as text,
 * duplication (text.h).
 */
#include "mqlcal/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

char *text_dup(const char *s)
{
    return s ? text_ndup(s, strlen(s)) : NULL;
}

char *text_ndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *text_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    s[n] = '\0';
    size_t i = 0;
    while (is_space(s[i]))
        i++;
    if (i > 0)
        memmove(s, s + i, n - i + 1);
    return s;
}

void text_trim_span(const char **s, size_t *n)
{
    while (*n > 0 && is_space((*s)[*n - 1]))
        (*n)--;
    while (*n > 0 && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
}

int text_ieq_span(const char *a, const char *b, size_t bn)
{
    size_t i = 0;
    for (; i < bn; i++)
        if (a[i] == '\0' || lower(a[i]) != lower(b[i]))
            return 0;
    return a[i] == '\0';
}

uint64_t text_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

int text_ieq(const char *a, const char *b)
{
    return text_ieq_span(a, b, strlen(b));
}

int text_parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n == 0)
        return -1;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    uint64_t v = 0;
    if (n - i <= 18) { /* cannot overflow: no division per digit */
        for (; i < n; i++) {
            if (!is_digit(s[i]))
                return -1;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        *out = neg ? -(int64_t)v : (int64_t)v;
        return 0;
    }
    const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

int text_parse_real(const char *s, size_t n, double *out)
{
    /* strtod accepts more than we want (hex, inf, nan, leading space): check the shape first,
     * [+-] digits [. digits] [e [+-] digits], with at least one digit in the mantissa. */
    char buf[128];
    size_t i = 0, mant = 0, frac = 0;
    uint64_t m = 0; /* the digits as a whole number, while there are at most 15 */
    if (n == 0 || n >= sizeof buf)
        return -1;
    int neg = s[0] == '-';
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < n && is_digit(s[i]))
        m = m * 10 + (uint64_t)(s[i++] - '0'), mant++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            m = m * 10 + (uint64_t)(s[i++] - '0'), mant++, frac++;
    }
    if (mant == 0)
        return -1;
    if (i == n && mant <= 15) {
        /* the common case, exactly as strtod: m < 2^53 and 10^frac are exact doubles, and one
         * IEEE division is correctly rounded (Clinger's fast path) */
        static const double p10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        double v = (double)m / p10[frac];
        *out = neg ? -v : v;
        return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < n && is_digit(s[i]))
            i++, exp++;
        if (exp == 0)
            return -1;
    }
    if (i != n)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int32_t text_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void text_format_date(int32_t days, char *buf)
{
    int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    /* years outside 0..9999 never get here: text_parse_date only accepts four digits */
    buf[0] = (char)('0' + (y / 1000) % 10);
    buf[1] = (char)('0' + (y / 100) % 10);
    buf[2] = (char)('0' + (y / 10) % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

static int digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    unsigned v = 0;
    if (at + count > n)
        return -1;
    for (size_t i = at; i < at + count; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(unsigned y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* hh:mm[:ss[.fff]][Z|(+|-)hh[:mm]] starting at s[i]; 0 when the rest of the span is exactly that */
static int parse_time(const char *s, size_t n, size_t i)
{
    unsigned hh, mm, ss;
    if (digits(s, n, i, 2, &hh) || i + 2 >= n || s[i + 2] != ':' || digits(s, n, i + 3, 2, &mm))
        return -1;
    if (hh > 23 || mm > 59)
        return -1;
    i += 5;
    if (i < n && s[i] == ':') {
        if (digits(s, n, i + 1, 2, &ss) || ss > 60)
            return -1;
        i += 3;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            size_t f = ++i;
            while (i < n && is_digit(s[i]))
                i++;
            if (i == f)
                return -1;
        }
    }
    if (i == n)
        return 0;
    if (s[i] == 'Z')
        return i + 1 == n ? 0 : -1;
    if (s[i] != '+' && s[i] != '-')
        return -1;
    unsigned oh, om = 0;
    if (digits(s, n, i + 1, 2, &oh) || oh > 23)
        return -1;
    i += 3;
    if (i == n)
        return 0; /* +hh */
    if (s[i] == ':')
        i++;
    if (digits(s, n, i, 2, &om) || om > 59)
        return -1; /* +hh: or +hhm */
    return i + 2 == n ? 0 : -1;
}

int text_parse_date(const char *s, size_t n, int32_t *days)
{
    unsigned y, m, d;
    if (n < 10 || digits(s, n, 0, 4, &y) || s[4] != '-' || digits(s, n, 5, 2, &m) || s[7] != '-' ||
        digits(s, n, 8, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || (int)d > days_in_month(y, m))
        return -1;
    if (n > 10) {
        if ((s[10] != 'T' && s[10] != ' ') || parse_time(s, n, 11))
            return -1;
    }
    *days = text_days_from_civil((int)y, m, d);
    return 0;
}

int text_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

void text_format_number(double v, int decimals, char *buf, size_t cap)
{
    char raw[64];
    if (cap == 0)
        return;
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v) < 0.5 * pow(10, -decimals) ? 0.0 : v);
    const char *digits = raw + (raw[0] == '-');
    const char *dot = strchr(digits, '.');
    size_t whole = dot ? (size_t)(dot - digits) : strlen(digits), k = 0;
    if (raw[0] == '-' && k + 1 < cap)
        buf[k++] = '-';
    for (size_t i = 0; i < whole && k + 2 < cap; i++) {
        buf[k++] = digits[i];
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole && whole > 4)
            buf[k++] = ',';
    }
    for (const char *q = dot; q && *q && k + 1 < cap; q++)
        buf[k++] = *q;
    buf[k] = '\0';
}

/* The length of the valid UTF-8 sequence at s[0..n), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    return text_utf8_valid((const char *)s, len) ? len : 0;
}

size_t text_escape_ctl(const char *str, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), w = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < n;) {
        char e[12];
        size_t k = utf8_seq(s + i, n - i), el;
        if (k == 1 && s[i] >= 0x20 && s[i] != 0x7F) {
            e[0] = (char)s[i];
            el = 1;
        } else if (k == 1) {
            el = (size_t)(s[i] == '\n'   ? snprintf(e, sizeof e, "\\n")
                          : s[i] == '\r' ? snprintf(e, sizeof e, "\\r")
                          : s[i] == '\t' ? snprintf(e, sizeof e, "\\t")
                                         : snprintf(e, sizeof e, "\\x%02x", s[i]));
        } else if (k == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0) {
            el = (size_t)snprintf(e, sizeof e, "\\u%04x", s[i + 1]); /* a C1 control */
        } else if (k > 1) {
            memcpy(e, s + i, k);
            el = k;
        } else {
            el = (size_t)snprintf(e, sizeof e, "\\x%02x", s[i]); /* not UTF-8 */
            k = 1;
        }
        if (w + el + 1 > cap)
            break;
        memcpy(out + w, e, el);
        w += el;
        i += k;
    }
    out[w] = '\0';
    return w;
}

int text_parse_count(const char *s, size_t n, int64_t *out)
{
    size_t i = n > 0 && (s[0] == '+' || s[0] == '-');
    if (n - i < 1 || n - i > TEXT_COUNT_DIGITS)
        return -1;
    int64_t v = 0;
    for (size_t k = i; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    if (s[0] == '-' && v != 0)
        return -1;
    *out = v;
    return 0;
}

int text_parse_number(const char *s, size_t n, double *out)
{
    if (n == 0 || n > TEXT_NUMBER_CHARS)
        return -1;
    size_t i = s[0] == '+' || s[0] == '-', digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, e++;
        if (e == 0 || e > 2)
            return -1;
    }
    if (i != n)
        return -1;
    return text_parse_real(s, n, out);
}

char *text_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return text_dup(".");
    if (slash == path)
        return text_dup("/");
    return text_ndup(path, (size_t)(slash - path));
}

/* Levenshtein distance of a and b[0..bn), ASCII case folded, capped at 255. */
static unsigned edit_distance(const char *a, const char *b, size_t bn)
{
    size_t an = strlen(a);
    if (an > 200 || bn > 200)
        return 255;
    unsigned row[201];
    for (size_t j = 0; j <= bn; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= an; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= bn; j++) {
            unsigned up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            unsigned best = diag + !same;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[bn] > 255 ? 255 : row[bn];
}

size_t text_nearest_names(const char *want, const char *const *names, const size_t *lens, size_t n,
                          char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    out[0] = '\0';
    size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    unsigned dist[3] = {256, 256, 256};
    for (size_t i = 0; i < n; i++) {
        const char *s = names[i];
        size_t sn = lens[i];
        text_trim_span(&s, &sn);
        if (sn == 0)
            continue;
        unsigned d = edit_distance(want, s, sn);
        for (int k = 0; k < 3; k++)
            if (d < dist[k]) {
                for (int m = 2; m > k; m--)
                    dist[m] = dist[m - 1], best[m] = best[m - 1];
                dist[k] = d, best[k] = i;
                break;
            }
    }
    size_t w = 0;
    for (int k = 0; k < 3 && best[k] != SIZE_MAX; k++) {
        const char *s = names[best[k]];
        size_t sn = lens[best[k]];
        text_trim_span(&s, &sn);
        int got =
            snprintf(out + w, cap - w, "%s'%.*s'", k ? ", " : "", (int)(sn > 60 ? 60 : sn), s);
        if (got < 0 || (size_t)got >= cap - w)
            break;
        w += (size_t)got;
    }
    return w;
}

char text_guess_delimiter(const char *line, size_t n, char used)
{
    static const char cands[] = {',', ';', '\t', '|'};
    char best = 0;
    size_t most = 0;
    for (size_t c = 0; c < sizeof cands; c++) {
        if (cands[c] == used)
            continue;
        /* outside quotes, up to the first line end outside quotes */
        size_t k = 0;
        int inq = 0;
        for (size_t i = 0; i < n && (inq || (line[i] != '\n' && line[i] != '\r')); i++) {
            if (line[i] == '"')
                inq = !inq;
            else if (!inq && line[i] == cands[c])
                k++;
        }
        if (k > most)
            most = k, best = cands[c];
    }
    return best;
}

int text_is_missing(const char *s, size_t n, char *const *tokens, const size_t *lens,
                    size_t ntokens)
{
    if (n == 0)
        return 1;
    for (size_t i = 0; i < ntokens; i++)
        if ((lens ? lens[i] : strlen(tokens[i])) == n && memcmp(tokens[i], s, n) == 0)
            return 1;
    return 0;
}
