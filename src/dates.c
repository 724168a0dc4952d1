/* dates.c: dates in the layouts CRMs export, and the choice of a column's layout (dates.h). */
#include "mqlcal/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mqlcal/text.h"

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_ymd(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* Reads min..max digits at s[*i]; -1 when there are fewer than min. */
static int digits(const char *s, size_t n, size_t *i, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (*i < n && k < max && isdigit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++, k++;
    }
    if (k < min)
        return -1;
    *out = v;
    return 0;
}

static int ieq_at(const char *s, size_t n, size_t i, const char *word)
{
    size_t k = strlen(word);
    if (i + k > n)
        return 0;
    for (size_t j = 0; j < k; j++)
        if (tolower((unsigned char)s[i + j]) != word[j])
            return 0;
    return 1;
}

/* An optional time after a date: [ |T]H:MM[:SS[.f]][ AM|PM]; checked, then dropped. */
static int time_tail(const char *s, size_t n, size_t i)
{
    if (i == n)
        return 0;
    if (s[i] != ' ' && s[i] != 'T')
        return -1;
    while (i < n && (s[i] == ' ' || s[i] == 'T'))
        i++;
    int h, m, sec = 0;
    if (digits(s, n, &i, 1, 2, &h) || i >= n || s[i++] != ':' || digits(s, n, &i, 2, 2, &m))
        return -1;
    if (i < n && s[i] == ':') {
        i++;
        if (digits(s, n, &i, 2, 2, &sec))
            return -1;
        if (i < n && s[i] == '.') {
            i++;
            int f;
            if (digits(s, n, &i, 1, 9, &f))
                return -1;
        }
    }
    while (i < n && s[i] == ' ')
        i++;
    int ampm = 0;
    if (ieq_at(s, n, i, "am") || ieq_at(s, n, i, "pm")) {
        ampm = 1;
        i += 2;
    }
    if (i != n || m > 59 || sec > 60)
        return -1;
    return ampm ? (h >= 1 && h <= 12 ? 0 : -1) : (h <= 23 ? 0 : -1);
}

/* a SEP b SEP c, then an optional time: the three numbers in the order read */
static int three(const char *s, size_t n, char sep, int four_first, int *a, int *b, int *c)
{
    size_t i = 0;
    if (four_first) {
        if (digits(s, n, &i, 4, 4, a) || i >= n || s[i++] != sep || digits(s, n, &i, 1, 2, b) ||
            i >= n || s[i++] != sep || digits(s, n, &i, 1, 2, c))
            return -1;
    } else if (digits(s, n, &i, 1, 2, a) || i >= n || s[i++] != sep || digits(s, n, &i, 1, 2, b) ||
               i >= n || s[i++] != sep || digits(s, n, &i, 4, 4, c)) {
        return -1;
    }
    return time_tail(s, n, i);
}

static const char *const months[12] = {"january",   "february", "march",    "april",
                                       "may",       "june",     "july",     "august",
                                       "september", "october",  "november", "december"};

/* The mini strptime of dates.h: fills y, m, d; -1 when s does not match format whole. */
static int by_format(const char *f, const char *s, size_t n, int *y, int *m, int *d)
{
    size_t i = 0;
    int hour = -1, h12 = 0, pm = -1;
    *y = *m = *d = -1;
    for (; *f; f++) {
        if (*f == ' ') {
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            continue;
        }
        if (*f != '%') {
            if (i >= n || s[i] != *f)
                return -1;
            i++;
            continue;
        }
        int v;
        switch (*++f) {
        case 'Y':
            if (digits(s, n, &i, 4, 4, y))
                return -1;
            break;
        case 'y':
            if (digits(s, n, &i, 2, 2, &v))
                return -1;
            *y = v < 69 ? 2000 + v : 1900 + v;
            break;
        case 'm':
            if (digits(s, n, &i, 1, 2, m))
                return -1;
            break;
        case 'e':
            if (i < n && s[i] == ' ')
                i++;
            /* fall through */
        case 'd':
            if (digits(s, n, &i, 1, 2, d))
                return -1;
            break;
        case 'H':
        case 'I':
            if (digits(s, n, &i, 1, 2, &hour))
                return -1;
            h12 = *f == 'I';
            break;
        case 'M':
            if (digits(s, n, &i, 1, 2, &v) || v > 59)
                return -1;
            break;
        case 'S':
            if (digits(s, n, &i, 1, 2, &v) || v > 60)
                return -1;
            if (i < n && s[i] == '.') {
                i++;
                if (digits(s, n, &i, 1, 9, &v))
                    return -1;
            }
            break;
        case 'p':
            if (ieq_at(s, n, i, "am") || ieq_at(s, n, i, "pm")) {
                pm = tolower((unsigned char)s[i]) == 'p';
                i += 2;
            } else {
                return -1;
            }
            break;
        case 'b':
        case 'B': {
            int found = 0;
            for (int k = 0; k < 12 && !found; k++) {
                if (ieq_at(s, n, i, months[k])) {
                    i += strlen(months[k]);
                    found = k + 1;
                } else if (ieq_at(s, n, i,
                                  (char[4]){months[k][0], months[k][1], months[k][2], 0})) {
                    i += 3;
                    found = k + 1;
                }
            }
            if (!found)
                return -1;
            *m = found;
            break;
        }
        case 'z':
            if (i < n && s[i] == 'Z') {
                i++;
            } else if (i < n && (s[i] == '+' || s[i] == '-')) {
                i++;
                if (digits(s, n, &i, 2, 2, &v) || v > 23)
                    return -1;
                if (i < n && s[i] == ':')
                    i++;
                if (digits(s, n, &i, 2, 2, &v) || v > 59)
                    return -1;
            } else {
                return -1;
            }
            break;
        case '%':
            if (i >= n || s[i] != '%')
                return -1;
            i++;
            break;
        default:
            return -1;
        }
    }
    if (i != n)
        return -1;
    if (hour >= 0 && (h12 ? hour < 1 || hour > 12 : hour > 23))
        return -1;
    (void)pm;
    return 0;
}

int dates_check_format(const char *format, struct mql_err *err)
{
    int y = 0, m = 0, d = 0;
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        char c = *++f;
        if (!c || !strchr("YymdeHIMSpbBz%", c))
            return mql_err_set(err, MQL_EINPUT,
                               "key 'date_format': '%%%c' is not a directive mqlcal reads (%%Y %%y "
                               "%%m %%d %%e %%H %%I %%M %%S %%p %%b %%B %%z %%%%)",
                               c ? c : ' ');
        y |= c == 'Y' || c == 'y';
        m |= c == 'm' || c == 'b' || c == 'B';
        d |= c == 'd' || c == 'e';
    }
    if (!y || !m || !d)
        return mql_err_set(err, MQL_EINPUT,
                           "key 'date_format': '%s' needs a year (%%Y or %%y), a month (%%m or "
                           "%%b) and a day (%%d or %%e)",
                           format);
    return 0;
}

const char *dates_layout_name(const struct date_layout *l)
{
    switch (l->kind) {
    case DATE_ISO:
        return "ISO 8601 (YYYY-MM-DD)";
    case DATE_MDY:
        return "M/D/YYYY";
    case DATE_DMY:
        return "D/M/YYYY";
    case DATE_DMY_DOT:
        return "D.M.YYYY";
    case DATE_YMD_SLASH:
        return "YYYY/MM/DD";
    default:
        return l->format ? l->format : "?";
    }
}

int dates_parse(const struct date_layout *l, const char *s, size_t n, int32_t *day)
{
    int a, b, c, y, m, d;
    switch (l->kind) {
    case DATE_ISO:
        return text_parse_date(s, n, day) ? -1 : 0;
    case DATE_MDY:
        if (three(s, n, '/', 0, &a, &b, &c))
            return -1;
        m = a, d = b, y = c;
        break;
    case DATE_DMY:
        if (three(s, n, '/', 0, &a, &b, &c))
            return -1;
        d = a, m = b, y = c;
        break;
    case DATE_DMY_DOT:
        if (three(s, n, '.', 0, &a, &b, &c))
            return -1;
        d = a, m = b, y = c;
        break;
    case DATE_YMD_SLASH:
        if (three(s, n, '/', 1, &a, &b, &c))
            return -1;
        y = a, m = b, d = c;
        break;
    default:
        if (!l->format || by_format(l->format, s, n, &y, &m, &d))
            return -1;
        break;
    }
    if (!valid_ymd(y, m, d))
        return -1;
    *day = text_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

void dates_vote(struct dates_votes *v, const char *s, size_t n)
{
    v->values++;
    int32_t days[DATE_NKINDS];
    int ok[DATE_NKINDS] = {0};
    for (int k = 0; k < DATE_FORMAT; k++) {
        struct date_layout l = {(enum date_kind)k, NULL};
        ok[k] = dates_parse(&l, s, n, &days[k]) == 0;
        v->fits[k] += (uint64_t)ok[k];
    }
    if (ok[DATE_MDY] && ok[DATE_DMY] && days[DATE_MDY] != days[DATE_DMY] && v->nboth < 2) {
        snprintf(v->both[v->nboth], sizeof v->both[0], "%.*s", (int)(n > 30 ? 30 : n), s);
        if (v->nboth == 0 || strcmp(v->both[0], v->both[1]) != 0)
            v->nboth++; /* two different values */
    }
}

int dates_detect(const struct dates_votes *v, const char *column, struct date_layout *out,
                 struct mql_err *err)
{
    int best = DATE_ISO;
    for (int k = 1; k < DATE_FORMAT; k++)
        if (v->fits[k] > v->fits[best])
            best = k;
    if (v->fits[best] == 0)
        return mql_err_set(err, MQL_EINPUT,
                           "column '%s': no value reads as a date in any layout mqlcal knows "
                           "(ISO 8601, M/D/YYYY, D/M/YYYY, D.M.YYYY, YYYY/MM/DD): set "
                           "date_format (e.g. %%d %%b %%Y)",
                           column);
    if ((best == DATE_MDY || best == DATE_DMY) && v->fits[DATE_MDY] == v->fits[DATE_DMY] &&
        v->nboth > 0) {
        char ex[200];
        struct date_layout mdy = {DATE_MDY, NULL}, dmy = {DATE_DMY, NULL};
        size_t w = 0;
        for (int i = 0; i < v->nboth; i++) {
            int32_t a, b;
            char da[11], db[11];
            dates_parse(&mdy, v->both[i], strlen(v->both[i]), &a);
            dates_parse(&dmy, v->both[i], strlen(v->both[i]), &b);
            text_format_date(a, da);
            text_format_date(b, db);
            int k = snprintf(ex + w, sizeof ex - w, "%s'%s' is %s or %s", i ? "; " : "", v->both[i],
                             da, db);
            if (k < 0 || (size_t)k >= sizeof ex - w)
                break;
            w += (size_t)k;
        }
        return mql_err_set(err, MQL_EINPUT,
                           "column '%s': ambiguous dates: every value reads both as M/D/YYYY and "
                           "as D/M/YYYY (%s): set date_format = %%m/%%d/%%Y or %%d/%%m/%%Y",
                           column, ex);
    }
    out->kind = (enum date_kind)best;
    out->format = NULL;
    return 0;
}
