/* init.c: a starter config from a leads export (init.h). */
#include "mqlcal/init.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvread.h"
#include "mqlcal/dates.h"
#include "mqlcal/strbuf.h"
#include "mqlcal/text.h"

#define MAX_OUTCOME_VALUES 20

struct colstat {
    char *name;
    char key[64]; /* the name lowercased, letters and digits only: "leadsource" */
    uint64_t filled, ints, nums;
    struct dates_votes dates;
    char *vals[INIT_MAX_LEVELS + 1];
    uint64_t counts[INIT_MAX_LEVELS + 1];
    size_t nvals;
    int many; /* more distinct values than INIT_MAX_LEVELS */
    int missing_seen[4];
    /* decisions */
    enum {
        K_SKIP,
        K_ID,
        K_OUTCOME,
        K_DATE,
        K_SQL_DATE,
        K_COUNT,
        K_NUMERIC,
        K_CATEGORICAL,
        K_TEXT,
        K_OTHER_DATE,
        K_FEEDBACK
    } kind;
    const char *why_after; /* the word that makes it look written by sales, or NULL */
    struct date_layout layout;
};

/* missing tokens mqlcal recognizes in a sample (the empty value always is one) */
static const char *const missing_tokens[4] = {"NA", "N/A", "null", "Select"};

/* The first of words that is a whole word of name (split at anything but letters and digits,
 * and between a lowercase and an uppercase letter), or NULL. */
static const char *word_of(const char *name, const char *const *words)
{
    char w[64];
    size_t k = 0;
    for (const char *p = name;; p++) {
        int split = !*p || !isalnum((unsigned char)*p) ||
                    (k > 0 && isupper((unsigned char)*p) && islower((unsigned char)p[-1]));
        if (split && k) {
            w[k] = '\0';
            for (const char *const *x = words; *x; x++)
                if (strcmp(w, *x) == 0)
                    return *x;
            k = 0;
        }
        if (!*p)
            return NULL;
        if (isalnum((unsigned char)*p) && k + 1 < sizeof w)
            w[k++] = (char)tolower((unsigned char)*p);
    }
}

/* The first of words that key holds, or NULL. */
static const char *first_of(const char *key, const char *const *words)
{
    for (; *words; words++)
        if (strstr(key, *words))
            return *words;
    return NULL;
}

static int contains(const char *key, const char *const *words)
{
    return first_of(key, words) != NULL;
}

static void squash(const char *name, char *key, size_t cap)
{
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < cap; p++)
        if (isalnum((unsigned char)*p))
            key[k++] = (char)tolower((unsigned char)*p);
    key[k] = '\0';
}

static void note_value(struct colstat *c, const char *v, size_t n)
{
    for (int i = 0; i < 4; i++)
        if (strlen(missing_tokens[i]) == n && strncmp(missing_tokens[i], v, n) == 0) {
            c->missing_seen[i] = 1;
            return;
        }
    if (n == 0)
        return;
    c->filled++;
    int64_t iv;
    double dv;
    c->ints += text_parse_count(v, n, &iv) == 0;
    c->nums += text_parse_number(v, n, &dv) == 0;
    dates_vote(&c->dates, v, n);
    if (c->many)
        return;
    for (size_t i = 0; i < c->nvals; i++)
        if (strlen(c->vals[i]) == n && memcmp(c->vals[i], v, n) == 0) {
            c->counts[i]++;
            return;
        }
    if (c->nvals == INIT_MAX_LEVELS || memchr(v, '\0', n)) {
        c->many = 1;
        return;
    }
    if ((c->vals[c->nvals] = text_ndup(v, n)))
        c->counts[c->nvals++] = 1;
}

/* The delimiter that splits the header line into the most fields (',' when none does). */
static char guess_delimiter(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ',';
    char line[65536];
    size_t n = fread(line, 1, sizeof line, f);
    fclose(f);
    char d = text_guess_delimiter(line, n, 0);
    return d ? d : ',';
}

static const char *const W_ID[] = {"leadid",     "contactid",  "prospectid", "recordid",
                                   "leadnumber", "customerid", "personid",   NULL};
static const char *const W_OUTCOME[] = {"becamesql",      "converted", "outcome",
                                        "lifecyclestage", "issql",     "iswon",
                                        "leadstatus",     "sqlflag",   NULL};
static const char *const W_CREATED[] = {"created",   "createdate", "signup", "dateadded",
                                        "firstseen", "createdon",  NULL};
static const char *const W_SQL_DATE[] = {"becameasalesqualifiedlead",
                                         "sqldate",
                                         "sqlat",
                                         "becamesql",
                                         "qualifiedon",
                                         "convertedat",
                                         "converteddate",
                                         NULL};
/* written by sales, usually after the outcome: whole words of the name, or phrases of it */
static const char *const W_SALES_WORDS[] = {
    "tag",      "tags",        "quality",     "owner",   "stage",    "status", "deal",
    "deals",    "amount",      "revenue",     "close",   "closed",   "won",    "lost",
    "reason",   "note",        "notes",       "comment", "comments", "agent",  "rep",
    "feedback", "disposition", "opportunity", NULL};
static const char *const W_SALES[] = {"leadquality", "lastactivity", "lastnotable",
                                      "salesrep",    "closevalue",   "closedate",
                                      "dealstage",   "salesagent",   NULL};
static const char *const W_FIT[] = {"company", "size",  "industry", "country",    "job",
                                    "title",   "level", "role",     "employee",   "region",
                                    "city",    "email", "segment",  "occupation", NULL};
static const char *const W_ENGAGE[] = {"visit",    "view",     "click", "download", "webinar",
                                       "open",     "page",     "time",  "session",  "call",
                                       "campaign", "activity", "event", "demo",     "trial",
                                       "login",    "form",     "video", NULL};
static const char *const W_OUTCOME_EXACT[] = {"y",       "target", "label", "converted",
                                              "outcome", "sql",    "won",   NULL};
static const char *const W_CHANNEL[] = {"source",  "channel", "origin", "medium",
                                        "country", "region",  NULL};
static const char *const POS[] = {
    "1",           "1.0",      "yes",       "y",   "true",
    "t",           "won",      "closedwon", "sql", "salesqualifiedlead",
    "opportunity", "customer", "converted", NULL};
static const char *const NEG[] = {"0",
                                  "0.0",
                                  "no",
                                  "n",
                                  "false",
                                  "f",
                                  "lost",
                                  "closedlost",
                                  "lead",
                                  "subscriber",
                                  "marketingqualifiedlead",
                                  "mql",
                                  "unqualified",
                                  "disqualified",
                                  "other",
                                  NULL};

static int word_in(const char *v, const char *const *words)
{
    char key[64];
    squash(v, key, sizeof key);
    if (!key[0])
        snprintf(key, sizeof key, "%s", v);
    /* "1.0" squashes to "10": compare the value itself first */
    for (const char *const *w = words; *w; w++)
        if (text_ieq(v, *w) || strcmp(key, *w) == 0)
            return 1;
    return 0;
}

static void decide(struct colstat *c, size_t nc, uint64_t records)
{
    (void)records;
    /* dates: a column most of whose values read as dates */
    for (size_t i = 0; i < nc; i++) {
        struct mql_err e;
        if (c[i].filled && c[i].nums < c[i].filled &&
            dates_detect(&c[i].dates, c[i].name, &c[i].layout, &e) == 0 &&
            c[i].dates.fits[c[i].layout.kind] * 10 >= c[i].filled * 9)
            c[i].kind = K_OTHER_DATE;
    }
    int have_id = 0, have_outcome = 0, have_created = 0, have_sql = 0;
    /* a name like Lead ID first, then any name with the word id (Opportunity ID, deal_id) */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nc; i++)
            if (!have_id && c[i].kind != K_OTHER_DATE &&
                (pass == 0 ? contains(c[i].key, W_ID) || strcmp(c[i].key, "id") == 0
                           : word_of(c[i].name, (const char *const[]){"id", NULL}) != NULL) &&
                c[i].filled && (c[i].many || c[i].nvals == c[i].filled))
                c[i].kind = K_ID, have_id = 1;
    /* the outcome: an exact name first (y, converted, target), then a name that holds one */
    for (int pass = 0; pass < 2 && !have_outcome; pass++)
        for (size_t i = 0; i < nc && !have_outcome; i++) {
            int exact = 0;
            for (const char *const *w = W_OUTCOME_EXACT; *w && !exact; w++)
                exact = strcmp(c[i].key, *w) == 0;
            if (c[i].kind != K_SKIP || c[i].many || c[i].nvals < 2 ||
                c[i].nvals > MAX_OUTCOME_VALUES ||
                (pass == 0
                     ? !exact
                     : !contains(c[i].key, W_OUTCOME) &&
                           !word_of(c[i].name, (const char *const[]){"stage", "status", NULL})))
                continue;
            /* "Lead Status" or "Lifecycle Stage" is the outcome only when its values say which
             * leads are SQLs and which are not; else it is sales' column (after_outcome) */
            int pos = 0, neg = 0;
            for (size_t v = 0; v < c[i].nvals; v++) {
                pos |= word_in(c[i].vals[v], POS);
                neg |= word_in(c[i].vals[v], NEG);
            }
            int weak =
                contains(c[i].key, (const char *const[]){"leadstatus", "lifecyclestage", NULL}) ||
                (pass == 1 && word_of(c[i].name, (const char *const[]){"stage", "status", NULL}));
            if (weak && (!pos || !neg))
                continue;
            c[i].kind = K_OUTCOME, have_outcome = 1;
        }
    for (size_t i = 0; i < nc; i++) {
        if (c[i].kind != K_OTHER_DATE)
            continue;
        if (!have_sql && contains(c[i].key, W_SQL_DATE))
            c[i].kind = K_SQL_DATE, have_sql = 1;
        else if (!have_created && contains(c[i].key, W_CREATED))
            c[i].kind = K_DATE, have_created = 1;
    }
    for (size_t i = 0; i < nc; i++) { /* no date named so: the first plain date column */
        if (have_created)
            break;
        if (c[i].kind == K_OTHER_DATE && !contains(c[i].key, W_SALES) &&
            !word_of(c[i].name, W_SALES_WORDS))
            c[i].kind = K_DATE, have_created = 1;
    }
    for (size_t i = 0, fb = 0; i < nc && !fb; i++) /* sales' accept/reject notes */
        if (c[i].kind == K_SKIP && !c[i].many &&
            word_of(c[i].name, (const char *const[]){"feedback", NULL}))
            c[i].kind = K_FEEDBACK, fb = 1;
    for (size_t i = 0; i < nc; i++) {
        if (c[i].kind != K_SKIP)
            continue;
        c[i].why_after = first_of(c[i].key, W_SALES);
        if (!c[i].why_after)
            c[i].why_after = word_of(c[i].name, W_SALES_WORDS);
        /* whole numbers named as an identifier: a key (of an accounts table, say), never a
         * count; "number" and "no" only when nearly every value differs */
        if (c[i].ints == c[i].filled && c[i].filled &&
            (word_of(c[i].name, (const char *const[]){"id", "key", NULL}) ||
             (c[i].many && word_of(c[i].name, (const char *const[]){"number", "no", NULL})))) {
            c[i].kind = K_SKIP;
            c[i].why_after = "an identifier";
            continue;
        }
        if (c[i].filled == 0)
            c[i].kind = K_SKIP;
        else if (c[i].ints == c[i].filled)
            c[i].kind = K_COUNT;
        else if (c[i].nums == c[i].filled)
            c[i].kind = K_NUMERIC;
        else if (!c[i].many)
            c[i].kind = K_CATEGORICAL;
        else
            c[i].kind = K_TEXT;
    }
}

/* The outcome lines; commented out, with the values seen, when the words do not tell which
 * values are SQLs and which are not (the config then stops at the missing outcome key). */
static void outcome_lines(struct strbuf *b, const struct colstat *c)
{
    struct strbuf pos = {0}, neg = {0}, other = {0};
    for (size_t v = 0; v < c->nvals; v++) {
        struct strbuf *t = word_in(c->vals[v], POS)   ? &pos
                           : word_in(c->vals[v], NEG) ? &neg
                                                      : &other;
        if (t->len)
            strbuf_add(t, ", ");
        strbuf_add(t, c->vals[v]);
    }
    if (pos.len && neg.len) {
        strbuf_addf(b, "outcome = %s\npositive = %s\nnegative = %s\n", c->name, pos.s, neg.s);
        if (other.len)
            strbuf_addf(b,
                        "pending = %s   ; neither: open, not known yet (scored and counted in "
                        "volume, left out of the fit and of conversion); move each that is "
                        "decided to positive or negative\n",
                        other.s);
    } else {
        strbuf_addf(b,
                    "; outcome = %s   ; its values do not say which are SQLs: give positive = "
                    "and negative = and uncomment\n; values seen: %s%s%s%s%s\n",
                    c->name, pos.len ? pos.s : "", pos.len && (neg.len || other.len) ? ", " : "",
                    neg.len ? neg.s : "", neg.len && other.len ? ", " : "",
                    other.len ? other.s : "");
    }
    strbuf_release(&pos);
    strbuf_release(&neg);
    strbuf_release(&other);
}

/* A name for the config: '=' and ':' cannot stand in an attribute name, nor ';' after a space. */
static int nameable(const char *name)
{
    return !strpbrk(name, "=:[];#") && name[0] && !isspace((unsigned char)name[0]);
}

struct deals;
static void deals_lines(struct strbuf *b, const struct deals *d, const char *lead_id);

/* The columns init recognised as the id, the outcome, the dates and the feedback (-1 when
 * none). */
struct roles {
    int id, outcome, date, sqld, feedback;
};

static struct roles find_roles(const struct colstat *c, size_t nc)
{
    struct roles r = {-1, -1, -1, -1, -1};
    for (size_t i = 0; i < nc; i++) {
        if (c[i].kind == K_FEEDBACK && r.feedback < 0)
            r.feedback = (int)i;
        if (c[i].kind == K_ID && r.id < 0)
            r.id = (int)i;
        if (c[i].kind == K_OUTCOME && r.outcome < 0)
            r.outcome = (int)i;
        if (c[i].kind == K_DATE && r.date < 0)
            r.date = (int)i;
        if (c[i].kind == K_SQL_DATE && r.sqld < 0)
            r.sqld = (int)i;
    }
    return r;
}

/* The [data] section (and [outcomes] with a deals file). */
static void render_data(struct strbuf *b, const char *leads_rel, char delim,
                        const struct colstat *c, size_t nc, uint64_t records,
                        const struct deals *deals, struct roles ro)
{
    int id = ro.id, outcome = ro.outcome, date = ro.date, sqld = ro.sqld, feedback = ro.feedback;
    strbuf_addf(b,
                "; mqlcal starter config, written by `mqlcal init` from %s (%llu records read).\n"
                "; Every line is a guess: check each, then run `mqlcal run` on this file.\n"
                "; The README's config reference explains every key.\n\n[data]\n",
                leads_rel, (unsigned long long)records);
    strbuf_addf(b, "leads = %s\n", leads_rel);
    if (delim != ',')
        strbuf_addf(b, "delimiter = %s\n",
                    delim == ';'    ? "semicolon"
                    : delim == '\t' ? "tab"
                                    : "pipe");
    if (id >= 0)
        strbuf_addf(b, "id = %s                 ; unique in the sample\n", c[id].name);
    else
        strbuf_add(b, "; id = ...                 ; no unique id column found: the line number is "
                      "the id\n");
    if (deals) {
        strbuf_add(b, "; the outcome: the [outcomes] section below\n");
    } else if (outcome >= 0) {
        outcome_lines(b, &c[outcome]);
        if (sqld >= 0)
            strbuf_addf(b,
                        "outcome_date = %s    ; when it became an SQL (kept beside the outcome)\n",
                        c[sqld].name);
    } else if (sqld >= 0) {
        strbuf_addf(b, "outcome_date = %s    ; no outcome column: a filled-in date is an SQL\n",
                    c[sqld].name);
    } else {
        strbuf_add(b, "; outcome = ...            ; no outcome column found: name the column that "
                      "says whether a lead became an SQL, or give outcome_date, or an [outcomes] "
                      "section for a deals file (README: From your CRM)\n");
    }
    if (date >= 0)
        strbuf_addf(b, "date = %s          ; read as %s\n", c[date].name,
                    dates_layout_name(&c[date].layout));
    else
        strbuf_add(
            b,
            "; date = ...               ; no creation date found: volumes per period need one\n");
    if (feedback >= 0)
        strbuf_addf(
            b, "feedback = %s      ; sales' notes on the MQLs (shown by segment, not scored)\n",
            c[feedback].name);
    int any_missing = 0;
    struct strbuf miss = {0};
    for (int t = 0; t < 4; t++) {
        int seen = 0;
        for (size_t i = 0; i < nc; i++)
            seen |= c[i].missing_seen[t];
        if (seen) {
            strbuf_addf(&miss, "%s%s", any_missing ? ", " : "", missing_tokens[t]);
            any_missing = 1;
        }
    }
    if (any_missing)
        strbuf_addf(b,
                    "missing = %s          ; seen in the sample (the empty value always counts)\n",
                    miss.s);
    strbuf_release(&miss);
    if (deals)
        deals_lines(b, deals, id >= 0 ? c[id].name : NULL);
}

/* Column i's line of [attributes] (or a comment saying why it is left out). */
static void render_attribute(struct strbuf *b, const struct colstat *c, size_t i,
                             const struct deals *deals)
{
    const struct colstat *k = &c[i];
    if (deals && (k->kind == K_OUTCOME || k->kind == K_SQL_DATE) && nameable(k->name)) {
        /* the deals file decides: this column tells the outcome after the fact */
        strbuf_addf(b,
                    k->kind == K_OUTCOME
                        ? "%s = categorical, after_outcome = yes   ; the leads file's own "
                          "outcome: [outcomes] decides, so it is never learned from\n"
                        : "; %s                      ; the date it became an SQL: "
                          "[outcomes] decides, not an attribute\n",
                    k->name);
        return;
    }
    if (k->kind == K_ID || k->kind == K_OUTCOME || k->kind == K_DATE || k->kind == K_SQL_DATE ||
        k->kind == K_FEEDBACK)
        return;
    if (!nameable(k->name)) {
        strbuf_addf(b, "; column %zu: its name cannot stand in a config key: left out\n", i + 1);
        return;
    }
    const char *comment = NULL;
    char why[160] = "";
    switch (k->kind) {
    case K_SKIP:
        strbuf_addf(b, "; %s                      ; %s: left out%s\n", k->name,
                    k->why_after ? "whole numbers named as an identifier" : "empty in the sample",
                    k->why_after ? " (a key of another table? its columns join with a "
                                   "[join NAME] section: file, key, on)"
                                 : "");
        return;
    case K_TEXT:
        strbuf_addf(b,
                    "; %s = categorical        ; free text (over %d distinct values): left out\n",
                    k->name, INIT_MAX_LEVELS);
        return;
    case K_OTHER_DATE:
        strbuf_addf(b, "; %s                      ; a date (%s): not an attribute%s\n", k->name,
                    dates_layout_name(&k->layout),
                    contains(k->key, W_SALES) || word_of(k->name, W_SALES_WORDS)
                        ? "; looks written after the outcome"
                        : "");
        return;
    default:
        break;
    }
    const char *kind = k->kind == K_COUNT     ? "count"
                       : k->kind == K_NUMERIC ? "numeric"
                                              : "categorical";
    const char *group = "";
    if ((k->kind == K_COUNT || k->kind == K_NUMERIC) && contains(k->key, W_ENGAGE))
        group = ", engagement";
    else if (contains(k->key, W_FIT))
        group = ", fit";
    if (k->kind == K_CATEGORICAL && k->nvals == 1)
        comment = "one value in the sample: nothing to learn";
    if (k->why_after) {
        snprintf(why, sizeof why, "looks written by sales after the outcome ('%s')", k->why_after);
        comment = why;
    }
    strbuf_addf(b, "%s%s = %s%s%s", comment && !k->why_after ? "; " : "", k->name, kind, group,
                k->why_after ? ", after_outcome = yes" : "");
    if (comment)
        strbuf_addf(b, "   ; %s", comment);
    strbuf_add(b, "\n");
}

/* The [segments], [calibration] and [output] sections. */
static void render_rest(struct strbuf *b, const struct colstat *c, size_t nc)
{
    strbuf_add(b, "\n[segments]\n");
    int nseg = 0;
    struct strbuf seg = {0};
    for (size_t i = 0; i < nc && nseg < 2; i++)
        if (c[i].kind == K_CATEGORICAL && !c[i].why_after && c[i].nvals > 1 &&
            nameable(c[i].name) && contains(c[i].key, W_CHANNEL)) {
            strbuf_addf(&seg, "%s%s", nseg ? ", " : "", c[i].name);
            nseg++;
        }
    if (nseg)
        strbuf_addf(b, "by = %s\n", seg.s);
    else
        strbuf_add(
            b, "; by = ...                 ; columns to audit conversion by (channel, country)\n");
    strbuf_release(&seg);
    strbuf_add(b, "\n[calibration]\nperiod = month\n"
                  "; capacity = 400             ; MQLs a month sales can work\n"
                  "; target_conversion = 0.30   ; wanted share of MQLs that become SQLs\n"
                  "\n[output]\ndir = out\n");
}

static void render(struct strbuf *b, const char *leads_rel, char delim, struct colstat *c,
                   size_t nc, uint64_t records, const struct deals *deals)
{
    render_data(b, leads_rel, delim, c, nc, records, deals, find_roles(c, nc));
    strbuf_add(
        b, "\n[attributes]                 ; column = kind [, group] [, after_outcome = yes]\n");
    for (size_t i = 0; i < nc; i++)
        render_attribute(b, c, i, deals);
    render_rest(b, c, nc);
}

/* The header and up to INIT_SAMPLE records of path, per column (c: nc entries, the caller's to
 * free with free_stats). */
static int sample_file(const char *path, char delim, struct colstat **cs, size_t *ncs,
                       uint64_t *nrec, struct mql_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mql_err_set(err, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s",
                           path, strerror(errno));
    struct csvread rd = {.in = f, .delim = delim};
    struct colstat *c = NULL;
    size_t nc = 0;
    uint64_t records = 0;
    int rc = csvread_init(&rd) ? mql_err_oom(err) : 0, st;
    while (!rc && records < INIT_SAMPLE && (st = csvread_next(&rd)) != CSVR_EOF) {
        if (st < 0) {
            rc = mql_err_set(err, MQL_EIO, "cannot read '%s'", path);
            break;
        }
        if (!c) { /* the header */
            if (st != CSVR_OK) {
                rc = mql_err_set(err, MQL_EINPUT, "%s: the header is not a CSV record", path);
                break;
            }
            if (!(c = calloc(rd.nf, sizeof *c))) {
                rc = mql_err_oom(err);
                break;
            }
            nc = rd.nf;
            for (size_t i = 0; i < nc && !rc; i++) {
                const char *s = rd.f[i];
                size_t n = rd.fl[i];
                text_trim_span(&s, &n);
                if (!(c[i].name = text_ndup(s, n)))
                    rc = mql_err_oom(err);
                else
                    squash(c[i].name, c[i].key, sizeof c[i].key);
                for (size_t j = 0; j < i && !rc; j++)
                    if (strcmp(c[j].name, c[i].name) == 0)
                        rc = mql_err_set(err, MQL_EINPUT,
                                         "%s: column '%s' appears twice in the header", path,
                                         c[i].name);
            }
            continue;
        }
        if (st != CSVR_OK || rd.nf != nc)
            continue;
        records++;
        for (size_t i = 0; i < nc; i++) {
            const char *s = rd.f[i];
            size_t n = rd.fl[i];
            text_trim_span(&s, &n);
            note_value(&c[i], s, n);
        }
    }
    csvread_release(&rd);
    fclose(f);
    if (!rc && !c)
        rc = mql_err_set(err, MQL_EINPUT, "%s: empty file: no header", path);
    *cs = c;
    *ncs = nc;
    *nrec = records;
    return rc;
}

static void free_stats(struct colstat *c, size_t nc)
{
    for (size_t i = 0; c && i < nc; i++) {
        free(c[i].name);
        for (size_t v = 0; v < c[i].nvals; v++)
            free(c[i].vals[v]);
    }
    free(c);
}

/* ---- a deals file ([outcomes]) -------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every value of column col of path (up to INIT_IDS), sorted, for lookups. */
static int read_column(const char *path, char delim, size_t col, size_t max, char ***out, size_t *n,
                       struct mql_err *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mql_err_set(err, MQL_EIO, "cannot read '%s': %s", path, strerror(errno));
    struct csvread rd = {.in = f, .delim = delim};
    size_t cap = 0;
    char **v = NULL;
    int rc = csvread_init(&rd) ? mql_err_oom(err) : 0, st, first = 1;
    while (!rc && *n < max && (st = csvread_next(&rd)) != CSVR_EOF) {
        if (st < 0) {
            rc = mql_err_set(err, MQL_EIO, "cannot read '%s'", path);
            break;
        }
        if (first || st != CSVR_OK || col >= rd.nf) {
            first = 0;
            continue;
        }
        const char *s = rd.f[col];
        size_t len = rd.fl[col];
        text_trim_span(&s, &len);
        if (!len)
            continue;
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 4096;
            char **g = realloc(v, nc * sizeof *g);
            if (!g) {
                rc = mql_err_oom(err);
                break;
            }
            v = g;
            cap = nc;
        }
        if (!(v[*n] = text_ndup(s, len))) {
            rc = mql_err_oom(err);
            break;
        }
        (*n)++;
    }
    csvread_release(&rd);
    fclose(f);
    if (v)
        qsort(v, *n, sizeof *v, cmp_str);
    *out = v;
    return rc;
}

static void free_column(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* What init decided about the deals file. */
struct deals {
    const char *rel;  /* its name in the config */
    char delim;       /* its delimiter */
    char leads_delim; /* the leads file's, which [outcomes] reads it with */
    uint64_t records; /* read */
    struct colstat *c;
    size_t nc;
    int id, date, stage;    /* columns, or -1 */
    uint64_t id_hits, id_n; /* of id's sampled values: how many are a lead's id */
};

#define INIT_IDS 4000000   /* lead ids read to find the deals file's lead id column */
#define INIT_ID_PROBE 5000 /* deals rows whose values are looked up among them */

static const char *const W_DEAL_ID[] = {"contactid", "leadid",     "convertedlead",
                                        "personid",  "prospectid", NULL};
static const char *const W_DEAL_CREATED[] = {"createdate", "created", "opened", NULL};
static const char *const W_STAGE[] = {"stage", "status", NULL};
static const char *const WON[] = {"won", "closedwon", "closed won", "win", NULL};
static const char *const LOST[] = {"lost", "closedlost", "closed lost", "loss", NULL};

/* The deals file's column holding lead ids: the one most of whose sampled values are ids of
 * the leads file (a name like Contact ID breaks ties); its date (a creation date first) and
 * its stage. */
static int decide_deals(struct deals *d, const char *deals_path, const char *leads_path,
                        char leads_delim, int lead_id, struct mql_err *err)
{
    struct colstat *c = d->c;
    d->id = d->date = d->stage = -1;
    for (size_t i = 0; i < d->nc; i++) {
        struct mql_err e;
        if (c[i].filled && c[i].nums < c[i].filled &&
            dates_detect(&c[i].dates, c[i].name, &c[i].layout, &e) == 0 &&
            c[i].dates.fits[c[i].layout.kind] * 10 >= c[i].filled * 9)
            c[i].kind = K_OTHER_DATE;
    }
    for (int pass = 0; pass < 2 && d->date < 0; pass++)
        for (size_t i = 0; i < d->nc && d->date < 0; i++)
            if (c[i].kind == K_OTHER_DATE && (pass == 1 || contains(c[i].key, W_DEAL_CREATED)))
                d->date = (int)i;
    for (size_t i = 0; i < d->nc && d->stage < 0; i++)
        if (c[i].kind != K_OTHER_DATE && !c[i].many && c[i].nvals >= 2 &&
            c[i].nvals <= MAX_OUTCOME_VALUES && contains(c[i].key, W_STAGE))
            d->stage = (int)i;
    if (lead_id < 0)
        return 0;
    char **ids = NULL, **probe = NULL;
    size_t nids = 0, nprobe = 0;
    int rc = read_column(leads_path, leads_delim, (size_t)lead_id, INIT_IDS, &ids, &nids, err);
    uint64_t best = 0;
    for (size_t i = 0; !rc && i < d->nc; i++) {
        if (c[i].kind == K_OTHER_DATE || c[i].filled == 0)
            continue;
        free_column(probe, nprobe);
        probe = NULL;
        nprobe = 0;
        if ((rc = read_column(deals_path, d->delim, i, INIT_ID_PROBE, &probe, &nprobe, err)))
            break;
        uint64_t hits = 0;
        for (size_t k = 0; k < nprobe; k++)
            hits += bsearch(&probe[k], ids, nids, sizeof *ids, cmp_str) != NULL;
        /* most values are lead ids; among equals, the name that says so */
        int named = contains(c[i].key, W_DEAL_ID);
        int best_named = d->id >= 0 && contains(c[d->id].key, W_DEAL_ID);
        if (2 * hits > nprobe && (hits > best || (hits == best && named && !best_named))) {
            best = hits;
            d->id = (int)i;
            d->id_hits = hits;
            d->id_n = nprobe;
        }
    }
    free_column(probe, nprobe);
    free_column(ids, nids);
    return rc;
}

static void deals_lines(struct strbuf *b, const struct deals *d, const char *lead_id)
{
    const struct colstat *c = d->c;
    strbuf_addf(b,
                "\n[outcomes]                   ; the outcome from %s (%llu rows read): a lead "
                "with a row is an SQL\nfile = %s\n",
                d->rel, (unsigned long long)d->records, d->rel);
    if (d->id >= 0)
        strbuf_addf(b, "id = %s          ; %llu of %llu sampled values are a %s of the leads\n",
                    c[d->id].name, (unsigned long long)d->id_hits, (unsigned long long)d->id_n,
                    lead_id);
    else
        strbuf_addf(b,
                    "; id = ...                 ; no column of %s holds the leads' %s values: "
                    "name the one that does and uncomment\n",
                    d->rel,
                    lead_id ? lead_id : "id (the leads file has no id column: give [data] id)");
    if (d->delim != d->leads_delim)
        strbuf_addf(b,
                    "; NOTE: %s is delimited by '%s', the leads file by '%s': [outcomes] reads it "
                    "with the leads file's delimiter, so save one as the other is\n",
                    d->rel, d->delim == '\t' ? "tab" : (char[2]){d->delim, 0},
                    d->leads_delim == '\t' ? "tab" : (char[2]){d->leads_delim, 0});
    if (d->date >= 0)
        strbuf_addf(b,
                    "date = %s          ; read as %s: when it became an SQL (the earliest row "
                    "per lead counts)\n",
                    c[d->date].name, dates_layout_name(&c[d->date].layout));
    if (d->stage >= 0) {
        const struct colstat *s = &c[d->stage];
        struct strbuf pos = {0}, neg = {0}, open = {0};
        for (size_t v = 0; v < s->nvals; v++) {
            struct strbuf *t = word_in(s->vals[v], WON)    ? &pos
                               : word_in(s->vals[v], LOST) ? &neg
                                                           : &open;
            strbuf_addf(t, "%s%s", t->len ? ", " : "", s->vals[v]);
        }
        strbuf_addf(b,
                    "; Or count only won deals as SQLs, lost ones as not, and open ones as not "
                    "known yet\n; (pending: scored and counted in volume, left out of the fit "
                    "and of conversion): uncomment\n; stage = %s\n; positive = %s\n; negative "
                    "= %s\n; pending = %s\n",
                    s->name, pos.len ? pos.s : "...", neg.len ? neg.s : "...",
                    open.len ? open.s : "...");
        strbuf_release(&pos);
        strbuf_release(&neg);
        strbuf_release(&open);
    }
}

int init_config(const char *leads_path, const char *leads_name, const char *deals_path,
                const char *deals_name, char **out, struct mql_err *err)
{
    *out = NULL;
    char delim = guess_delimiter(leads_path);
    struct colstat *c = NULL;
    size_t nc = 0;
    uint64_t records = 0;
    struct deals d = {.rel = deals_name, .id = -1, .date = -1, .stage = -1};
    int rc = sample_file(leads_path, delim, &c, &nc, &records, err);
    if (!rc) {
        decide(c, nc, records);
        if (deals_path) {
            d.delim = guess_delimiter(deals_path);
            d.leads_delim = delim;
            rc = sample_file(deals_path, d.delim, &d.c, &d.nc, &d.records, err);
            int lead_id = -1;
            for (size_t i = 0; i < nc && lead_id < 0; i++)
                if (c[i].kind == K_ID)
                    lead_id = (int)i;
            if (!rc)
                rc = decide_deals(&d, deals_path, leads_path, delim, lead_id, err);
        }
    }
    if (!rc) {
        struct strbuf b = {0};
        render(&b, leads_name, delim, c, nc, records, deals_path ? &d : NULL);
        if (b.oom) {
            strbuf_release(&b);
            rc = mql_err_oom(err);
        } else {
            *out = strbuf_take(&b);
        }
    }
    free_stats(c, nc);
    free_stats(d.c, d.nc);
    return rc;
}
