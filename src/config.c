/*
 * config.c: reading and checking the INI config into struct config, with the file, line and key
 * of every error (config.h).
 */
#include "mqlcal/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/dates.h"
#include "mqlcal/text.h"

/* What ini_parse_stream reads from: the config text, with the line count the handler needs
 * (Debian's inih does not pass line numbers to handlers). */
struct reader {
    const char *text;
    size_t len, pos;
    int line;
    int too_long; /* line number of the first line longer than inih's buffer, or 0 */
};

/* A key that takes one value, and the line that gave it. */
struct seen_key {
    char section[16];
    char key[24];
    int line;
};

struct parse {
    struct config *cfg;
    struct reader *rd;
    struct mql_err *err;
    int err_line; /* first line with an error found by the handler, or 0 */
    struct seen_key seen[64];
    size_t nseen;
};

/* Longest line we accept, without its line end: inih's buffer holds the line, "\r\n" and a
 * NUL. */
#define LINE_MAX_CHARS (ini_max_line - 3)

static char *reader_next(char *str, int num, void *stream)
{
    struct reader *rd = stream;
    if (rd->pos >= rd->len)
        return NULL;
    size_t room = (size_t)num - 1, i = 0;
    while (i < room && rd->pos < rd->len) {
        char c = rd->text[rd->pos++];
        str[i++] = c;
        if (c == '\n')
            break;
    }
    str[i] = '\0';
    rd->line++;
    int truncated = str[i - 1] != '\n' && rd->pos < rd->len;
    size_t content = i;
    while (content > 0 && (str[content - 1] == '\n' || str[content - 1] == '\r'))
        content--;
    if (truncated || content > (size_t)LINE_MAX_CHARS) {
        /* inih would read the rest as a new line: refuse instead of guessing */
        if (!rd->too_long)
            rd->too_long = rd->line;
        while (truncated && rd->pos < rd->len && rd->text[rd->pos++] != '\n')
            ;
    }
    return str;
}

static void strlist_release(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Appends the comma-separated items of value (trimmed, empty items skipped). */
static int strlist_append(struct strlist *l, const char *value)
{
    const char *p = value;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        text_trim_span(&s, &n);
        if (n > 0) {
            char **items = realloc(l->items, (l->n + 1) * sizeof *items);
            if (!items)
                return -1;
            l->items = items;
            if (!(l->items[l->n] = text_ndup(s, n)))
                return -1;
            l->n++;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int set_text(struct parse *ps, char **slot, int *line_slot, const char *key,
                    const char *value)
{
    if (value[0] == '\0')
        return mql_err_set(ps->err, MQL_EINPUT, "key '%s': empty value", key);
    free(*slot);
    if (!(*slot = text_dup(value)))
        return mql_err_oom(ps->err);
    if (line_slot)
        *line_slot = ps->rd->line;
    return 0;
}

/* Refuses a second value for a key that takes one; list keys and attributes do not come here. */
static int once(struct parse *ps, const char *section, const char *key)
{
    for (size_t i = 0; i < ps->nseen; i++)
        if (strcmp(ps->seen[i].section, section) == 0 && strcmp(ps->seen[i].key, key) == 0)
            return mql_err_set(ps->err, MQL_EINPUT, "key '%s' given twice (first at line %d)", key,
                               ps->seen[i].line);
    if (ps->nseen < sizeof ps->seen / sizeof ps->seen[0] && strlen(section) < 16 &&
        strlen(key) < 24) {
        struct seen_key *k = &ps->seen[ps->nseen++];
        strcpy(k->section, section);
        strcpy(k->key, key);
        k->line = ps->rd->line;
    }
    return 0;
}

static int is_list_key(const char *section, const char *key)
{
    if (strcmp(section, "data") == 0)
        return strcmp(key, "positive") == 0 || strcmp(key, "negative") == 0 ||
               strcmp(key, "pending") == 0 || strcmp(key, "missing") == 0;
    if (strcmp(section, "rules") == 0)
        return strcmp(key, "disqualify") == 0;
    if (strcmp(section, "outcomes") == 0)
        return strcmp(key, "positive") == 0 || strcmp(key, "negative") == 0 ||
               strcmp(key, "pending") == 0;
    return strcmp(section, "segments") == 0 && strcmp(key, "by") == 0;
}

static int parse_number(struct parse *ps, const char *key, const char *value, double *out)
{
    if (text_parse_real(value, strlen(value), out))
        return mql_err_set(ps->err, MQL_EINPUT, "key '%s': expected a number, got '%s'", key,
                           value);
    return 0;
}

static int parse_delimiter(struct parse *ps, const char *value, char *out)
{
    static const struct {
        const char *name;
        char c;
    } names[] = {{"comma", ','}, {",", ','},    {"semicolon", ';'}, {"pipe", '|'},  {"|", '|'},
                 {"tab", '\t'},  {"\\t", '\t'}, {"\",\"", ','},     {"\";\"", ';'}, {"\"|\"", '|'}};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (text_ieq(value, names[i].name)) {
            *out = names[i].c;
            return 0;
        }
    }
    return mql_err_set(ps->err, MQL_EINPUT,
                       "key 'delimiter': expected comma, semicolon, pipe or tab, got '%s'", value);
}

static int parse_bins(struct parse *ps, struct config_attr *a, const char *value)
{
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t')
            q++;
        double v;
        if (text_parse_real(p, (size_t)(q - p), &v))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "attribute '%s': bins: expected numbers, got '%.*s'", a->column,
                               (int)(q - p), p);
        if (a->nbins > 0 && v <= a->bins[a->nbins - 1])
            return mql_err_set(ps->err, MQL_EINPUT,
                               "attribute '%s': bins must increase, got %g after %g", a->column, v,
                               a->bins[a->nbins - 1]);
        double *b = realloc(a->bins, (a->nbins + 1) * sizeof *b);
        if (!b)
            return mql_err_oom(ps->err);
        a->bins = b;
        a->bins[a->nbins++] = v;
        p = q;
    }
    if (a->nbins == 0)
        return mql_err_set(ps->err, MQL_EINPUT, "attribute '%s': bins: no edges given", a->column);
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (text_ieq(v, "yes") || text_ieq(v, "true") || text_ieq(v, "1"))
        *out = 1;
    else if (text_ieq(v, "no") || text_ieq(v, "false") || text_ieq(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* "kind [, group] [, key=value ...]" */
static int parse_attribute(struct parse *ps, const char *column, const char *value)
{
    struct config *cfg = ps->cfg;
    if (config_attr_find(cfg, column)) {
        int first = 0;
        for (size_t i = 0; i < cfg->nattrs; i++)
            if (strcmp(cfg->attrs[i].column, column) == 0)
                first = cfg->attrs[i].line;
        return mql_err_set(ps->err, MQL_EINPUT, "attribute '%s' given twice (first at line %d)",
                           column, first);
    }
    struct config_attr *attrs = realloc(cfg->attrs, (cfg->nattrs + 1) * sizeof *attrs);
    if (!attrs)
        return mql_err_oom(ps->err);
    cfg->attrs = attrs;
    struct config_attr *a = &cfg->attrs[cfg->nattrs];
    memset(a, 0, sizeof *a);
    if (!(a->column = text_dup(column)))
        return mql_err_oom(ps->err);
    a->line = ps->rd->line;
    cfg->nattrs++;

    struct strlist parts = {0};
    int rc = 0;
    if (strlist_append(&parts, value)) {
        rc = mql_err_oom(ps->err);
        goto out;
    }
    if (parts.n == 0) {
        rc = mql_err_set(ps->err, MQL_EINPUT,
                         "attribute '%s': expected a kind (categorical, count or numeric)", column);
        goto out;
    }
    const char *kind = parts.items[0];
    if (text_ieq(kind, "categorical"))
        a->kind = ATTR_CATEGORICAL;
    else if (text_ieq(kind, "count"))
        a->kind = ATTR_COUNT;
    else if (text_ieq(kind, "numeric"))
        a->kind = ATTR_NUMERIC;
    else {
        rc = mql_err_set(ps->err, MQL_EINPUT,
                         "attribute '%s': unknown kind '%s' (expected categorical, count or "
                         "numeric)",
                         column, kind);
        goto out;
    }
    int seen_group = 0;
    for (size_t i = 1; i < parts.n; i++) {
        char *item = parts.items[i];
        char *eq = strchr(item, '=');
        if (!eq) {
            if (seen_group) {
                rc = mql_err_set(ps->err, MQL_EINPUT, "attribute '%s': unexpected '%s'", column,
                                 item);
                goto out;
            }
            if (text_ieq(item, "fit"))
                a->group = GROUP_FIT;
            else if (text_ieq(item, "engagement"))
                a->group = GROUP_ENGAGEMENT;
            else {
                rc = mql_err_set(ps->err, MQL_EINPUT,
                                 "attribute '%s': unknown group '%s' (expected fit or "
                                 "engagement)",
                                 column, item);
                goto out;
            }
            seen_group = 1;
            continue;
        }
        *eq = '\0';
        char *k = text_trim(item), *v = text_trim(eq + 1);
        seen_group = 1; /* a group may only come before the options */
        if (strcmp(k, "bins") == 0) {
            if (a->kind == ATTR_CATEGORICAL) {
                rc = mql_err_set(ps->err, MQL_EINPUT,
                                 "attribute '%s': bins apply to count and numeric attributes",
                                 column);
                goto out;
            }
            if (a->nbins) {
                rc = mql_err_set(ps->err, MQL_EINPUT, "attribute '%s': bins given twice", column);
                goto out;
            }
            if ((rc = parse_bins(ps, a, v)))
                goto out;
        } else if (strcmp(k, "after_outcome") == 0) {
            if (parse_bool(v, &a->after_outcome)) {
                rc = mql_err_set(ps->err, MQL_EINPUT,
                                 "attribute '%s': after_outcome: expected yes or no, got '%s'",
                                 column, v);
                goto out;
            }
        } else if (strcmp(k, "force") == 0) {
            if (parse_bool(v, &a->force)) {
                rc = mql_err_set(ps->err, MQL_EINPUT,
                                 "attribute '%s': force: expected yes or no, got '%s'", column, v);
                goto out;
            }
        } else {
            rc = mql_err_set(ps->err, MQL_EINPUT,
                             "attribute '%s': unknown option '%s' (expected bins, after_outcome "
                             "or force)",
                             column, k);
            goto out;
        }
    }
out:
    strlist_release(&parts);
    return rc;
}

static int parse_int_range(struct parse *ps, const char *key, const char *value, int lo, int hi,
                           int *out);

static int handle_data(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(key, "leads") == 0)
        return set_text(ps, &c->leads, &c->line_leads, key, value);
    if (strcmp(key, "id") == 0)
        return set_text(ps, &c->id, &c->line_id, key, value);
    if (strcmp(key, "outcome") == 0)
        return set_text(ps, &c->outcome, &c->line_outcome, key, value);
    if (strcmp(key, "date") == 0)
        return set_text(ps, &c->date, &c->line_date, key, value);
    if (strcmp(key, "outcome_date") == 0)
        return set_text(ps, &c->outcome_date, &c->line_outcome_date, key, value);
    if (strcmp(key, "date_format") == 0) {
        if (strcmp(value, "auto") == 0)
            return 0;
        int rc = dates_check_format(value, ps->err);
        return rc ? rc : set_text(ps, &c->date_format, &c->line_date_format, key, value);
    }
    if (strcmp(key, "earliest_date") == 0) {
        int32_t day;
        if (text_parse_date(value, strlen(value), &day))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'earliest_date': expected a date YYYY-MM-DD, got '%s'", value);
        c->earliest_day = day;
        return 0;
    }
    if (strcmp(key, "as_of") == 0) {
        int32_t day;
        if (text_parse_date(value, strlen(value), &day))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "line %d: key 'as_of': expected the export's date YYYY-MM-DD, got "
                               "'%s'",
                               ps->rd->line, value);
        c->has_as_of = 1;
        c->as_of_day = day;
        c->line_as_of = ps->rd->line;
        return 0;
    }
    if (strcmp(key, "window") == 0) {
        c->line_window = ps->rd->line;
        return parse_int_range(ps, key, value, 1, CONFIG_MAX_WINDOW, &c->window);
    }
    if (strcmp(key, "feedback") == 0)
        return set_text(ps, &c->feedback, &c->line_feedback, key, value);
    if (strcmp(key, "delimiter") == 0) {
        if (value[0] == '\0')
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'delimiter': empty value (' ;' starts a comment: write "
                               "semicolon)");
        return parse_delimiter(ps, value, &c->delimiter);
    }
    struct strlist *list = NULL;
    if (strcmp(key, "positive") == 0)
        list = &c->positive;
    else if (strcmp(key, "negative") == 0)
        list = &c->negative;
    else if (strcmp(key, "pending") == 0)
        list = &c->pending;
    else if (strcmp(key, "missing") == 0)
        list = &c->missing;
    if (!list)
        return mql_err_set(ps->err, MQL_EINPUT,
                           "unknown key '%s' in [data] (expected leads, id, outcome, positive, "
                           "negative, pending, outcome_date, date, date_format, earliest_date, "
                           "as_of, window, delimiter, missing or feedback)",
                           key);
    if (list == &c->positive)
        c->line_positive = ps->rd->line;
    if (list == &c->pending)
        c->line_pending = ps->rd->line;
    if (strlist_append(list, value))
        return mql_err_oom(ps->err);
    return 0;
}

static int handle_calibration(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(key, "period") == 0) {
        if (text_ieq(value, "week"))
            c->period = PERIOD_WEEK;
        else if (text_ieq(value, "month"))
            c->period = PERIOD_MONTH;
        else if (text_ieq(value, "quarter"))
            c->period = PERIOD_QUARTER;
        else
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'period': expected week, month or quarter, got '%s'", value);
        return 0;
    }
    if (strcmp(key, "capacity") == 0) {
        if (parse_number(ps, key, value, &c->capacity))
            return ps->err->code;
        if (!(c->capacity > 0))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'capacity': expected MQLs per period above 0, got '%s'", value);
        return 0;
    }
    if (strcmp(key, "target_conversion") == 0) {
        if (parse_number(ps, key, value, &c->target_conversion))
            return ps->err->code;
        if (!(c->target_conversion > 0 && c->target_conversion < 1))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'target_conversion': expected a share between 0 and 1, got "
                               "'%s'",
                               value);
        return 0;
    }
    if (strcmp(key, "capacity_rule") == 0) {
        if (text_ieq(value, "mean"))
            c->capacity_rule = CAPACITY_MEAN;
        else if (text_ieq(value, "p90"))
            c->capacity_rule = CAPACITY_P90;
        else if (text_ieq(value, "max"))
            c->capacity_rule = CAPACITY_MAX;
        else
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'capacity_rule': expected mean, p90 or max, got '%s'", value);
        return 0;
    }
    if (strcmp(key, "bootstrap") == 0)
        return parse_int_range(ps, key, value, 0, 100000, &c->bootstrap);
    if (strcmp(key, "seed") == 0) {
        int64_t v;
        if (text_parse_int(value, strlen(value), &v) || v < 0)
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'seed': expected a whole number >= 0, got '%s'", value);
        c->seed = (unsigned long)v;
        return 0;
    }
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown key '%s' in [calibration] (expected period, capacity, "
                       "capacity_rule, target_conversion, bootstrap or seed)",
                       key);
}

static int parse_int_range(struct parse *ps, const char *key, const char *value, int lo, int hi,
                           int *out)
{
    int64_t v;
    if (text_parse_int(value, strlen(value), &v) || v < lo || v > hi)
        return mql_err_set(ps->err, MQL_EINPUT,
                           "key '%s': expected a whole number from %d to %d, got '%s'", key, lo, hi,
                           value);
    *out = (int)v;
    return 0;
}

static int parse_real_range(struct parse *ps, const char *key, const char *value, double lo,
                            double hi, int open_lo, double *out)
{
    double v;
    if (text_parse_real(value, strlen(value), &v) || v < lo || (open_lo && v == lo) || v > hi)
        return mql_err_set(ps->err, MQL_EINPUT,
                           "key '%s': expected a number %s %g and <= %g, got '%s'", key,
                           open_lo ? ">" : ">=", lo, hi, value);
    *out = v;
    return 0;
}

static int handle_model(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(key, "min_level_count") == 0)
        return parse_int_range(ps, key, value, 1, 1000000000, &c->min_level_count);
    if (strcmp(key, "quantiles") == 0)
        return parse_int_range(ps, key, value, 2, 100, &c->quantiles);
    if (strcmp(key, "holdout") == 0) {
        double v;
        if (text_ieq(value, "none") || strcmp(value, "0") == 0) {
            c->no_holdout = 1;
            return 0;
        }
        if (text_parse_real(value, strlen(value), &v) || !(v > 0) || v > 1200 ||
            (v >= 1 && v != (double)(int)v)) /* (int)v only once it fits */
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'holdout': expected months (a whole number), a share "
                               "between 0 and 1, or none; got '%s'",
                               value);
        if (v < 1) {
            c->holdout_share = v;
            c->holdout_months = 0;
        } else {
            c->holdout_months = (int)v;
            c->holdout_share = 0;
        }
        return 0;
    }
    if (strcmp(key, "l2") == 0)
        return parse_real_range(ps, key, value, 0, 1e12, 0, &c->l2);
    if (strcmp(key, "separation_l2") == 0)
        return parse_real_range(ps, key, value, 0, 1e12, 1, &c->separation_l2);
    if (strcmp(key, "leak_auc") == 0)
        return parse_real_range(ps, key, value, 0.5, 1, 1, &c->leak_auc);
    if (strcmp(key, "max_iter") == 0)
        return parse_int_range(ps, key, value, 1, 1000, &c->max_iter);
    if (strcmp(key, "tolerance") == 0)
        return parse_real_range(ps, key, value, 0, 1e-2, 1, &c->tolerance);
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown key '%s' in [model] (expected min_level_count, quantiles, "
                       "holdout, l2, separation_l2, leak_auc, max_iter or tolerance)",
                       key);
}

static int handle_points(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(key, "pdo") == 0)
        return parse_real_range(ps, key, value, 0, 1e6, 1, &c->pdo);
    if (strcmp(key, "anchor_score") == 0)
        return parse_real_range(ps, key, value, -1e9, 1e9, 0, &c->anchor_score);
    if (strcmp(key, "anchor_odds") == 0)
        return parse_real_range(ps, key, value, 0, 1e9, 1, &c->anchor_odds);
    if (strcmp(key, "range") == 0) {
        char lo[64], hi[64], extra[2];
        if (sscanf(value, "%63s %63s %1s", lo, hi, extra) != 2 ||
            text_parse_real(lo, strlen(lo), &c->range_lo) ||
            text_parse_real(hi, strlen(hi), &c->range_hi) || !(c->range_hi > c->range_lo + 1))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "key 'range': expected two numbers 'low high' with low < high, "
                               "got '%s'",
                               value);
        c->use_range = 1;
        return 0;
    }
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown key '%s' in [points] (expected pdo, anchor_score, anchor_odds or "
                       "range)",
                       key);
}

/* "2025-01-01..2025-03-31": two dates, the first not after the second. */
static int parse_span(struct parse *ps, const char *key, const char *value, int span[2])
{
    const char *dots = strstr(value, "..");
    int32_t a, b;
    const char *s1 = value, *s2 = dots ? dots + 2 : NULL;
    size_t n1 = dots ? (size_t)(dots - value) : 0, n2 = s2 ? strlen(s2) : 0;
    if (dots) {
        text_trim_span(&s1, &n1);
        text_trim_span(&s2, &n2);
    }
    if (!dots || text_parse_date(s1, n1, &a) || text_parse_date(s2, n2, &b) || a > b)
        return mql_err_set(ps->err, MQL_EINPUT,
                           "key '%s': expected two dates 'YYYY-MM-DD..YYYY-MM-DD', the first not "
                           "after the second; got '%s'",
                           key, value);
    span[0] = a;
    span[1] = b;
    return 0;
}

static int handle_review(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(key, "previous") == 0)
        return set_text(ps, &c->review_previous, NULL, key, value);
    if (strcmp(key, "baseline") == 0) {
        c->has_review_baseline = 1;
        return parse_span(ps, key, value, c->review_baseline);
    }
    if (strcmp(key, "current") == 0) {
        c->has_review_current = 1;
        return parse_span(ps, key, value, c->review_current);
    }
    if (strcmp(key, "alpha") == 0)
        return parse_real_range(ps, key, value, 0, 0.5, 1, &c->review_alpha);
    if (strcmp(key, "min_change") == 0)
        return parse_real_range(ps, key, value, 0, 1e6, 0, &c->review_min_change);
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown key '%s' in [review] (expected previous, baseline, current, "
                       "alpha or min_change)",
                       key);
}

/* [join NAME]: file, key, on. A new section name starts a new join. */
static int handle_join(struct parse *ps, const char *section, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    const char *name = section + 4;
    while (*name == ' ')
        name++;
    size_t nl = strlen(name);
    while (nl > 0 && name[nl - 1] == ' ')
        nl--;
    if (nl == 0)
        return mql_err_set(ps->err, MQL_EINPUT,
                           "[join] needs a name: [join accounts] makes columns accounts.<column>");
    for (size_t i = 0; i < nl; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
            return mql_err_set(ps->err, MQL_EINPUT,
                               "[join %.*s]: a join name is letters, digits and '_' (it prefixes "
                               "its columns: name.column)",
                               (int)nl, name);
    struct config_join *j = NULL;
    for (size_t i = 0; i < c->njoins; i++)
        if (strlen(c->joins[i].name) == nl && strncmp(c->joins[i].name, name, nl) == 0)
            j = &c->joins[i];
    if (!j && c->njoins == CONFIG_MAX_JOINS)
        return mql_err_set(ps->err, MQL_EINPUT, "more than %d [join] sections", CONFIG_MAX_JOINS);
    if (!j) {
        struct config_join *nj = realloc(c->joins, (c->njoins + 1) * sizeof *nj);
        if (!nj)
            return mql_err_oom(ps->err);
        c->joins = nj;
        j = &c->joins[c->njoins++];
        memset(j, 0, sizeof *j);
        j->line = ps->rd->line;
        if (!(j->name = text_ndup(name, nl)))
            return mql_err_oom(ps->err);
    }
    if (strcmp(key, "file") == 0)
        return set_text(ps, &j->file, NULL, key, value);
    if (strcmp(key, "key") == 0)
        return set_text(ps, &j->key, NULL, key, value);
    if (strcmp(key, "on") == 0)
        return set_text(ps, &j->on, NULL, key, value);
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown key '%s' in [join %s] (expected file, key or on)", key, j->name);
}

const struct config_join *config_join_of(const struct config *cfg, const char *column,
                                         const char **sub)
{
    for (size_t i = 0; i < cfg->njoins; i++) {
        size_t n = strlen(cfg->joins[i].name);
        if (strncmp(column, cfg->joins[i].name, n) == 0 && column[n] == '.' && column[n + 1]) {
            if (sub)
                *sub = column + n + 1;
            return &cfg->joins[i];
        }
    }
    return NULL;
}

/* One key of one section; the sections of later stages are added here. */
static int dispatch(struct parse *ps, const char *section, const char *key, const char *value)
{
    struct config *c = ps->cfg;
    if (strcmp(section, "data") == 0)
        return handle_data(ps, key, value);
    if (strcmp(section, "attributes") == 0)
        return parse_attribute(ps, key, value);
    if (strcmp(section, "segments") == 0) {
        if (strcmp(key, "by") != 0)
            return mql_err_set(ps->err, MQL_EINPUT, "unknown key '%s' in [segments] (expected by)",
                               key);
        c->line_segments = ps->rd->line;
        return strlist_append(&c->segments, value) ? mql_err_oom(ps->err) : 0;
    }
    if (strcmp(section, "calibration") == 0)
        return handle_calibration(ps, key, value);
    if (strcmp(section, "model") == 0)
        return handle_model(ps, key, value);
    if (strcmp(section, "points") == 0)
        return handle_points(ps, key, value);
    if (strcmp(section, "rules") == 0) {
        if (strcmp(key, "disqualify") != 0)
            return mql_err_set(ps->err, MQL_EINPUT,
                               "unknown key '%s' in [rules] (expected disqualify)", key);
        size_t before = c->disqualify.n;
        if (strlist_append(&c->disqualify, value))
            return mql_err_oom(ps->err);
        c->line_disqualify = ps->rd->line;
        for (size_t i = before; i < c->disqualify.n; i++) {
            const char *item = c->disqualify.items[i], *colon = strchr(item, ':');
            if (!colon || colon == item || colon[1] == '\0')
                return mql_err_set(ps->err, MQL_EINPUT,
                                   "key 'disqualify': expected column:value, got '%s'", item);
        }
        return 0;
    }
    if (strcmp(section, "review") == 0)
        return handle_review(ps, key, value);
    if (strcmp(section, "outcomes") == 0) {
        struct config_outcomes *o = &c->outcomes;
        c->line_outcomes = c->line_outcomes ? c->line_outcomes : ps->rd->line;
        if (strcmp(key, "file") == 0)
            return set_text(ps, &o->file, NULL, key, value);
        if (strcmp(key, "id") == 0)
            return set_text(ps, &o->id, NULL, key, value);
        if (strcmp(key, "date") == 0)
            return set_text(ps, &o->date, NULL, key, value);
        if (strcmp(key, "stage") == 0)
            return set_text(ps, &o->stage, NULL, key, value);
        struct strlist *l = strcmp(key, "positive") == 0   ? &o->positive
                            : strcmp(key, "negative") == 0 ? &o->negative
                            : strcmp(key, "pending") == 0  ? &o->pending
                                                           : NULL;
        if (l)
            return strlist_append(l, value) ? mql_err_oom(ps->err) : 0;
        return mql_err_set(ps->err, MQL_EINPUT,
                           "unknown key '%s' in [outcomes] (expected file, id, date, stage, "
                           "positive, negative or pending)",
                           key);
    }
    if (strncmp(section, "join", 4) == 0 && (section[4] == ' ' || section[4] == '\0'))
        return handle_join(ps, section, key, value);
    if (strcmp(section, "output") == 0) {
        if (strcmp(key, "dir") != 0)
            return mql_err_set(ps->err, MQL_EINPUT, "unknown key '%s' in [output] (expected dir)",
                               key);
        return set_text(ps, &c->out_dir, NULL, key, value);
    }
    if (section[0] == '\0')
        return mql_err_set(ps->err, MQL_EINPUT, "key '%s' outside any section", key);
    return mql_err_set(ps->err, MQL_EINPUT,
                       "unknown section [%s] (expected data, outcomes, join NAME, attributes, "
                       "segments, calibration, model, points, rules, output or review)",
                       section);
}

static int handle(void *user, const char *section, const char *key, const char *value)
{
    struct parse *ps = user;
    if (ps->err_line) /* keep the first error only */
        return 1;
    int rc = 0;
    if (strcmp(section, "attributes") != 0 && !is_list_key(section, key))
        rc = once(ps, section, key);
    if (!rc)
        rc = dispatch(ps, section, key, value);
    if (rc) {
        ps->err_line = ps->rd->line;
        return 0;
    }
    return 1;
}

/* Tidies path in place, lexically: no "." parts, no empty parts, and "x/.." removed (so
 * "datasets/demo/../../reports/demo" reads "reports/demo"); leading ".." of a relative path
 * stay. */
static void tidy_path(char *path)
{
    int abs = path[0] == '/';
    char *out = path + abs, *in = path + abs;
    size_t depth = 0; /* parts in out that a ".." may remove */
    for (int last = 0; !last;) {
        char *end = strchr(in, '/');
        size_t n = end ? (size_t)(end - in) : strlen(in);
        last = !end; /* the '/' written below may land on the NUL: read nothing after it */
        if (n == 0 || (n == 1 && in[0] == '.')) {
            /* skip */
        } else if (n == 2 && in[0] == '.' && in[1] == '.' && depth > 0) {
            out--; /* the '/' after the last part */
            while (out > path + abs && out[-1] != '/')
                out--;
            depth--;
        } else if (n == 2 && in[0] == '.' && in[1] == '.' && abs) {
            /* "/.." is "/" */
        } else {
            memmove(out, in, n);
            out += n;
            *out++ = '/';
            if (!(n == 2 && in[0] == '.' && in[1] == '.'))
                depth++;
        }
        in += n + 1;
    }
    if (out > path + abs)
        out--; /* the last '/' */
    if (out == path)
        *out++ = '.';
    *out = '\0';
}

static char *join_path(const char *dir, const char *rel)
{
    char *p;
    if (rel[0] == '/' || strcmp(dir, ".") == 0) {
        p = text_dup(rel);
    } else {
        size_t n = strlen(dir) + strlen(rel) + 2;
        if ((p = malloc(n)))
            snprintf(p, n, "%s/%s", dir, rel);
    }
    if (p)
        tidy_path(p);
    return p;
}

static int set_default_list(struct strlist *l, const char *value)
{
    return l->n == 0 ? strlist_append(l, value) : 0;
}

/* A value in two of the positive / negative / pending lists would decide two ways. */
static int lists_disjoint(const struct strlist *pos, const struct strlist *neg,
                          const struct strlist *pend, int line, const char *what,
                          struct mql_err *err)
{
    const struct strlist *l[3] = {pos, neg, pend};
    static const char *const names[3] = {"positive", "negative", "pending"};
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
            for (size_t i = 0; i < l[a]->n; i++)
                for (size_t j = 0; j < l[b]->n; j++)
                    if (text_ieq(l[a]->items[i], l[b]->items[j]))
                        return mql_err_set(err, MQL_EINPUT, "line %d: %s '%s' is both %s and %s",
                                           line, what, l[a]->items[i], names[a], names[b]);
    return 0;
}

/* Checks after parsing: required keys, clashes between roles. */
/* [outcomes]: its keys, and that it is the one source of the outcome. */
static int finish_outcomes(struct config *c, struct mql_err *err)
{
    int rc;
    struct config_outcomes *oc = &c->outcomes;
    if (!c->line_outcomes)
        return 0;
    if (!oc->file || !oc->id)
        return mql_err_set(err, MQL_EINPUT, "line %d: [outcomes] needs file and id",
                           c->line_outcomes);
    if (c->outcome || c->outcome_date)
        return mql_err_set(err, MQL_EINPUT,
                           "line %d: [outcomes] decides the outcome: remove [data] %s (or the "
                           "[outcomes] section)",
                           c->line_outcomes, c->outcome ? "outcome" : "outcome_date");
    if (!c->id)
        return mql_err_set(err, MQL_EINPUT,
                           "line %d: [outcomes] joins on the lead id: give [data] id",
                           c->line_outcomes);
    if (!oc->stage && (oc->positive.n || oc->negative.n || oc->pending.n))
        return mql_err_set(err, MQL_EINPUT,
                           "line %d: [outcomes] positive, negative and pending are stage "
                           "values: give stage",
                           c->line_outcomes);
    if (oc->stage && !oc->positive.n)
        return mql_err_set(err, MQL_EINPUT,
                           "line %d: [outcomes] stage: give positive (the stages that make an "
                           "SQL) and negative",
                           c->line_outcomes);
    if ((rc = lists_disjoint(&oc->positive, &oc->negative, &oc->pending, c->line_outcomes,
                             "[outcomes] stage", err)))
        return rc;
    char *f = join_path(c->dir, oc->file);
    if (!f)
        return mql_err_oom(err);
    free(oc->file);
    oc->file = f;
    return 0;
}

/* [join NAME] sections: their keys, and their files beside the config. */
static int finish_joins(struct config *c, struct mql_err *err)
{
    for (size_t i = 0; i < c->njoins; i++) {
        struct config_join *j = &c->joins[i];
        if (!j->file || !j->key || !j->on)
            return mql_err_set(err, MQL_EINPUT, "line %d: [join %s] needs file, key and on",
                               j->line, j->name);
        char *f = join_path(c->dir, j->file);
        if (!f)
            return mql_err_oom(err);
        free(j->file);
        j->file = f;
    }
    return 0;
}

/* The outcome: where it comes from, its values (with the defaults), and what needs dates. */
static int finish_outcome_values(struct config *c, struct mql_err *err)
{
    int rc;
    if (!c->line_outcomes && !c->outcome && !c->outcome_date) /* [outcomes]: checked before */
        return mql_err_set(err, MQL_EINPUT,
                           "[data]: missing required key 'outcome' (or outcome_date: a filled-in "
                           "date is an SQL, or an [outcomes] file)");
    if ((c->has_as_of || c->window) && !(c->date && (c->outcome_date || c->outcomes.date)))
        return mql_err_set(err, MQL_EINPUT,
                           "line %d: %s needs the creation date and the SQL dates: give [data] "
                           "date and outcome_date (or [outcomes] date)",
                           c->line_window ? c->line_window : c->line_as_of,
                           c->line_window ? "window" : "as_of");
    if (c->nattrs == 0)
        return mql_err_set(err, MQL_EINPUT, "[attributes]: no attribute given");
    if (set_default_list(&c->positive, "1, yes, true, 1.0, y") ||
        set_default_list(&c->negative, "0, no, false, 0.0, n"))
        return mql_err_oom(err);
    if (c->pending.n && !c->outcome)
        return mql_err_set(
            err, MQL_EINPUT,
            "line %d: [data] pending lists values of the outcome column: give [data] "
            "outcome (with [outcomes], give pending there, as stage values)",
            c->line_pending);
    if ((rc = lists_disjoint(&c->positive, &c->negative, &c->pending,
                             c->line_pending ? c->line_pending : c->line_positive, "outcome value",
                             err)))
        return rc;
    return 0;
}

/* The role columns (id, outcome, date, feedback, outcome_date): no attribute is one, no two are
 * one column, and (but feedback) none is a segment or carries a disqualifier: they are stored
 * apart (_id, _outcome, _created) and would read a column that is not there. */
static const char *const role_names[] = {"id", "outcome", "date", "feedback", "outcome_date"};

static int finish_roles(struct config *c, struct mql_err *err)
{
    const char *roles[] = {c->id, c->outcome, c->date, c->feedback, c->outcome_date};
    for (size_t i = 0; i < c->nattrs; i++)
        for (size_t r = 0; r < 5; r++)
            if (roles[r] && strcmp(c->attrs[i].column, roles[r]) == 0)
                return mql_err_set(err, MQL_EINPUT, "line %d: attribute '%s' is also the %s column",
                                   c->attrs[i].line, roles[r], role_names[r]);
    for (size_t r = 0; r < 5; r++)
        for (size_t q = r + 1; q < 5; q++)
            if (roles[r] && roles[q] && strcmp(roles[r], roles[q]) == 0)
                return mql_err_set(err, MQL_EINPUT, "[data]: '%s' is both the %s and the %s column",
                                   roles[r], role_names[r], role_names[q]);
    return 0;
}

static int finish_stored_roles(struct config *c, struct mql_err *err)
{
    const char *stored[] = {c->id, c->outcome, c->date, c->feedback, c->outcome_date};
    for (size_t r = 0; r < 5; r++) {
        if (r == 3)
            continue; /* the feedback column may be a segment */
        if (!stored[r])
            continue;
        for (size_t i = 0; i < c->segments.n; i++)
            if (strcmp(c->segments.items[i], stored[r]) == 0)
                return mql_err_set(err, MQL_EINPUT,
                                   "line %d: segment '%s' is the %s column, which is not a "
                                   "segment of leads (audit by another column)",
                                   c->line_segments, stored[r], role_names[r]);
        for (size_t i = 0; i < c->disqualify.n; i++) {
            const char *item = c->disqualify.items[i], *col, *val;
            size_t n, nval;
            config_dq_item(item, &col, &n, &val, &nval);
            if (strlen(stored[r]) == n && memcmp(col, stored[r], n) == 0)
                return mql_err_set(err, MQL_EINPUT,
                                   "line %d: disqualifier '%s' is on the %s column, which no "
                                   "rule may use",
                                   c->line_disqualify, item, role_names[r]);
        }
    }
    for (size_t i = 0; i < c->segments.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->segments.items[i], c->segments.items[j]) == 0)
                return mql_err_set(err, MQL_EINPUT, "line %d: segment column '%s' given twice",
                                   c->line_segments, c->segments.items[i]);
    return 0;
}

/* A disqualifier on a count or numeric attribute needs a number; one on a column known only
 * after the outcome (written by sales) would promise conversion it cannot keep: refused unless
 * the attribute is forced. */
static int finish_disqualifiers(struct config *c, struct mql_err *err)
{
    for (size_t i = 0; i < c->disqualify.n; i++) {
        const char *item = c->disqualify.items[i], *col, *val;
        size_t n, nval;
        config_dq_item(item, &col, &n, &val, &nval);
        double num;
        for (size_t a = 0; a < c->nattrs; a++)
            if (c->attrs[a].kind != ATTR_CATEGORICAL && strlen(c->attrs[a].column) == n &&
                memcmp(col, c->attrs[a].column, n) == 0 && text_parse_real(val, nval, &num) != 0)
                return mql_err_set(err, MQL_EINPUT,
                                   "line %d: disqualifier '%s': '%s' is a %s attribute, so the "
                                   "value must be a number (3 matches 3, 3.0 and 03)",
                                   c->line_disqualify, item, c->attrs[a].column,
                                   config_kind_name(c->attrs[a].kind));
        for (size_t a = 0; a < c->nattrs; a++)
            if (c->attrs[a].after_outcome && !c->attrs[a].force &&
                strlen(c->attrs[a].column) == n && memcmp(col, c->attrs[a].column, n) == 0)
                return mql_err_set(err, MQL_EINPUT,
                                   "line %d: disqualifier '%s' is on '%s', which is marked "
                                   "after_outcome (known only after the outcome): it would leak "
                                   "the outcome into the rule; remove it, or add force = yes to "
                                   "the attribute (line %d) to keep it anyway",
                                   c->line_disqualify, item, c->attrs[a].column, c->attrs[a].line);
    }
    return 0;
}

/* The files and folders, relative to the config's folder. */
static int finish_paths(struct config *c, struct mql_err *err)
{
    char *leads = join_path(c->dir, c->leads);
    char *out = join_path(c->dir, c->out_dir ? c->out_dir : "out");
    if (!leads || !out) {
        free(leads);
        free(out);
        return mql_err_oom(err);
    }
    free(c->leads);
    free(c->out_dir);
    c->leads = leads;
    c->out_dir = out;
    if (c->review_previous) {
        char *prev = join_path(c->dir, c->review_previous);
        if (!prev)
            return mql_err_oom(err);
        free(c->review_previous);
        c->review_previous = prev;
    }
    if (c->has_review_current != c->has_review_baseline)
        return mql_err_set(err, MQL_EINPUT,
                           "[review]: give both baseline and current, or neither (the last two "
                           "complete quarters)");
    return 0;
}

static int finish(struct config *c, struct mql_err *err)
{
    if (!c->leads)
        return mql_err_set(err, MQL_EINPUT, "[data]: missing required key 'leads'");
    int rc;
    if ((rc = finish_outcomes(c, err)) || (rc = finish_joins(c, err)) ||
        (rc = finish_outcome_values(c, err)) || (rc = finish_roles(c, err)) ||
        (rc = finish_disqualifiers(c, err)) || (rc = finish_stored_roles(c, err)))
        return rc;
    return finish_paths(c, err);
}

int config_load_string(const char *text, const char *path, struct config *cfg, struct mql_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->delimiter = ',';
    cfg->earliest_day = text_days_from_civil(1990, 1, 1);
    cfg->period = PERIOD_MONTH;
    cfg->min_level_count = 30;
    cfg->quantiles = 5;
    cfg->holdout_months = 3;
    cfg->separation_l2 = 1;
    cfg->l2 = 1;
    cfg->leak_auc = 0.85;
    cfg->max_iter = 50;
    cfg->tolerance = 1e-10;
    cfg->pdo = 20;
    cfg->capacity_rule = CAPACITY_P90;
    cfg->bootstrap = 200;
    cfg->seed = 1;
    cfg->review_alpha = 0.05;
    cfg->review_min_change = 5;
    cfg->anchor_score = 100;
    cfg->anchor_odds = 1;
    if (!(cfg->path = text_dup(path)) || !(cfg->dir = text_dirname(path)))
        return mql_err_oom(err);

    /* names in the config become column names in the store, rules.json and rules.pmml: they
     * must be text every one of those formats can hold */
    size_t tlen = strlen(text);
    if (!text_utf8_valid(text, tlen))
        return mql_err_set(err, MQL_EINPUT, "%s: the config is not valid UTF-8", path);
    int ln = 1;
    for (size_t i = 0; i < tlen; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n')
            ln++;
        else if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7F)
            return mql_err_set(err, MQL_EINPUT, "%s:%d: control character 0x%02x in the config",
                               path, ln, ch);
    }
    struct reader rd = {.text = text, .len = tlen};
    struct mql_err local;
    mql_err_clear(&local);
    struct parse ps = {.cfg = cfg, .rd = &rd, .err = &local};
    int line = ini_parse_stream(reader_next, &rd, handle, &ps);
    if (rd.too_long && (!ps.err_line || rd.too_long <= ps.err_line))
        return mql_err_set(err, MQL_EINPUT, "%s:%d: line too long (over %d characters)", path,
                           rd.too_long, LINE_MAX_CHARS);
    if (line > 0 && (!ps.err_line || line < ps.err_line))
        return mql_err_set(err, MQL_EINPUT,
                           "%s:%d: syntax error (expected [section] or key = value)", path, line);
    if (ps.err_line) {
        mql_err_set(err, local.code, "%s:%d: %s", path, ps.err_line, local.msg);
        return err ? err->code : local.code;
    }
    if (line < 0)
        return mql_err_set(err, MQL_EIO, "%s: cannot parse config", path);
    if (finish(cfg, &local)) {
        mql_err_set(err, local.code, "%s: %s", path, local.msg);
        return local.code;
    }
    return 0;
}

int config_load(const char *path, struct config *cfg, struct mql_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mql_err_set(err, errno == ENOENT ? MQL_EINPUT : MQL_EIO,
                           "cannot open config '%s': %s", path, strerror(errno));
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return mql_err_oom(err);
    }
    size_t n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
    int rc = 0;
    if (ferror(f))
        rc = mql_err_set(err, MQL_EIO, "cannot read config '%s': %s", path, strerror(errno));
    else if (n > CONFIG_MAX_BYTES)
        rc = mql_err_set(err, MQL_EINPUT, "config '%s' is larger than %d bytes", path,
                         CONFIG_MAX_BYTES);
    else if (memchr(buf, '\0', n))
        rc = mql_err_set(err, MQL_EINPUT, "config '%s' holds a NUL byte: not a text file", path);
    fclose(f);
    if (rc == 0) {
        buf[n] = '\0';
        rc = config_load_string(buf, path, cfg, err);
    }
    free(buf);
    return rc;
}

void config_release(struct config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->dir);
    free(cfg->leads);
    free(cfg->id);
    free(cfg->outcome);
    free(cfg->date);
    free(cfg->date_format);
    free(cfg->outcome_date);
    free(cfg->outcomes.file);
    free(cfg->outcomes.id);
    free(cfg->outcomes.date);
    free(cfg->outcomes.stage);
    strlist_release(&cfg->outcomes.positive);
    strlist_release(&cfg->outcomes.negative);
    strlist_release(&cfg->outcomes.pending);
    free(cfg->feedback);
    strlist_release(&cfg->positive);
    strlist_release(&cfg->negative);
    strlist_release(&cfg->pending);
    for (size_t i = 0; i < cfg->njoins; i++) {
        free(cfg->joins[i].name);
        free(cfg->joins[i].file);
        free(cfg->joins[i].key);
        free(cfg->joins[i].on);
    }
    free(cfg->joins);
    strlist_release(&cfg->missing);
    for (size_t i = 0; i < cfg->nattrs; i++) {
        free(cfg->attrs[i].column);
        free(cfg->attrs[i].bins);
    }
    free(cfg->attrs);
    strlist_release(&cfg->segments);
    strlist_release(&cfg->disqualify);
    free(cfg->out_dir);
    free(cfg->review_previous);
    memset(cfg, 0, sizeof *cfg);
}

const struct config_attr *config_attr_find(const struct config *cfg, const char *column)
{
    for (size_t i = 0; i < cfg->nattrs; i++)
        if (strcmp(cfg->attrs[i].column, column) == 0)
            return &cfg->attrs[i];
    return NULL;
}

const char *config_kind_name(enum attr_kind kind)
{
    switch (kind) {
    case ATTR_CATEGORICAL:
        return "categorical";
    case ATTR_COUNT:
        return "count";
    case ATTR_NUMERIC:
        return "numeric";
    }
    return "?";
}

const char *config_group_name(enum attr_group group)
{
    switch (group) {
    case GROUP_NONE:
        return "none";
    case GROUP_FIT:
        return "fit";
    case GROUP_ENGAGEMENT:
        return "engagement";
    }
    return "?";
}

void config_dq_item(const char *item, const char **col, size_t *ncol, const char **val,
                    size_t *nval)
{
    const char *colon = strchr(item, ':');
    *col = item;
    *ncol = colon ? (size_t)(colon - item) : strlen(item);
    *val = colon ? colon + 1 : item + strlen(item);
    *nval = strlen(*val);
    text_trim_span(col, ncol);
    text_trim_span(val, nval);
}

const char *config_period_name(enum calib_period period)
{
    switch (period) {
    case PERIOD_WEEK:
        return "week";
    case PERIOD_MONTH:
        return "month";
    case PERIOD_QUARTER:
        return "quarter";
    }
    return "?";
}

int config_is_missing_in(const struct strlist *l, const char *s, size_t n)
{
    return text_is_missing(s, n, l ? l->items : NULL, NULL, l ? l->n : 0);
}

int config_is_missing_span(const struct config *cfg, const char *s, size_t n)
{
    return config_is_missing_in(&cfg->missing, s, n);
}

int config_is_missing(const struct config *cfg, const char *value)
{
    return config_is_missing_span(cfg, value, strlen(value));
}

int config_list_has(const struct strlist *l, const char *s, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (text_ieq_span(l->items[i], s, n))
            return 1;
    return 0;
}
