/*
 * dates.h: dates as CRMs export them.
 *
 * A date column is read in one layout (struct date_layout):
 * - ISO 8601 (YYYY-MM-DD, optionally with a time and zone: text_parse_date);
 * - M/D/YYYY (10/20/2016), D/M/YYYY (20/10/2016), D.M.YYYY (20.10.2016), YYYY/MM/DD
 *   (2016/10/20), each optionally followed by a time: H:MM or H:MM:SS (fractions allowed),
 *   with an optional AM/PM, after a space or a 'T';
 * - an explicit strptime-style format ([data] date_format): %Y (4 digits), %y (2 digits: 69-99
 *   are 19xx, 00-68 20xx), %m, %d, %e, %H, %I, %M, %S (1 or 2 digits; %S may have a fraction),
 *   %p (AM/PM), %b / %B (English month names or their first three letters), %z (+hh:mm, +hhmm
 *   or Z), %% and literal characters; a space in the format matches any run of white space.
 * Whatever the layout, a timestamp keeps its own (local) date: the time and zone are checked
 * and dropped, never converted.
 *
 * date_format = auto (the default) decides per column: a column whose first value is ISO is
 * read as ISO (so a plain file is read once); otherwise every value of the column is tried in
 * every layout (dates_detect) and the layout that reads the most is chosen. When M/D/YYYY and
 * D/M/YYYY read the same values and no value tells them apart (every day and month are at most
 * 12), the column is refused as ambiguous, naming values and how each layout would read them.
 */
#ifndef MQLCAL_DATES_H
#define MQLCAL_DATES_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/err.h"

enum date_kind {
    DATE_ISO,       /* YYYY-MM-DD[Thh:mm[:ss][zone]] */
    DATE_MDY,       /* M/D/YYYY [time] */
    DATE_DMY,       /* D/M/YYYY [time] */
    DATE_DMY_DOT,   /* D.M.YYYY [time] */
    DATE_YMD_SLASH, /* YYYY/M/D [time] */
    DATE_FORMAT,    /* an explicit strptime-style format */
    DATE_NKINDS
};

struct date_layout {
    enum date_kind kind;
    const char *format; /* DATE_FORMAT: the format (the config's) */
};

/* The layout's name for messages: "ISO 8601 (YYYY-MM-DD)", "M/D/YYYY", ... or the format. */
const char *dates_layout_name(const struct date_layout *l);

/* Reads the trimmed value s[0..n) in layout l: 0 and *day (days since 1970-01-01), or -1. */
int dates_parse(const struct date_layout *l, const char *s, size_t n, int32_t *day);

/* 0 when format is a format dates_parse can read with (directives above); MQL_EINPUT naming
 * the directive otherwise. */
int dates_check_format(const char *format, struct mql_err *err);

/* Collects the values of one column to decide its layout (dates_detect). The caller's. */
struct dates_votes {
    uint64_t values;            /* non-missing values seen */
    uint64_t fits[DATE_NKINDS]; /* how many each layout reads */
    /* examples for the ambiguity message: the first two values M/D and D/M both read, and the
     * first value only one of them reads */
    char both[2][40];
    int nboth;
};

void dates_vote(struct dates_votes *v, const char *s, size_t n);

/* The layout of a column from its votes: the one that reads the most values (ISO first on a
 * tie, then M/D/YYYY over D/M/YYYY only when a value tells them apart). MQL_EINPUT "ambiguous"
 * naming the column (for the message) and two values with both readings when M/D and D/M read
 * every value alike; MQL_EINPUT when no layout reads any value. */
int dates_detect(const struct dates_votes *v, const char *column, struct date_layout *out,
                 struct mql_err *err);

#endif
