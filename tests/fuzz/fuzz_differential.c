/*
 * fuzz_differential: the same bytes through ingest, mqlcal score and rules.sql must agree.
 *
 * The bytes follow a fixed header "c,k,x,y" (c categorical, k a count, x a number, y the
 * outcome; no id column, so a lead's id is its record's first line) and are read three ways:
 *   1. ingest_run with a fixed config into a store on tmpfs: every record is a lead (its _line)
 *      or a reject (its line, its reason);
 *   2. scorer_run with a fixed rule file over c, k and x: every record is scored (its line is
 *      the id) or refused through the callback;
 *   3. rules.sql of that rule in an in-memory SQLite over the records as text (the records with
 *      the header's field count).
 * Checked: the three see the same records, at the same first lines (one CSV grammar, issue 13);
 * a record ingest rejects for its CSV shape or a bad count or number is refused by the scorer,
 * and one the scorer refuses is rejected by ingest; for every record in SQLite, rules.sql gives
 * the scorer's score, fit and engagement sub-scores, MQL flag and disqualifier, or, where the
 * scorer refused it, a NULL score with its error (the four scorers of item 11 but the PMML one,
 * which no engine here can run, and the fit's, which test_export.sh compares on whole files).
 */
#include "fuzz.h"

#include <math.h>
#include <sqlite3.h>

#include "mqlcal/config.h"
#include "mqlcal/csvread.h"
#include "mqlcal/export.h"
#include "mqlcal/ingest.h"
#include "mqlcal/rules.h"
#include "mqlcal/scorer.h"
#include "mqlcal/text.h"

#define MAX_LINES 4096 /* inputs with more records are cut: the checks are per line */

static const char CONFIG[] = "[data]\n"
                             "leads = leads.csv\n"
                             "outcome = y\n"
                             "missing = NA\n"
                             "[attributes]\n"
                             "c = categorical, fit\n"
                             "k = count, engagement, bins = 1 2 4\n"
                             "x = numeric, engagement, bins = 10 50\n"
                             "[rules]\n"
                             "disqualify = c:bad, k:8\n"
                             "[output]\n"
                             "dir = out\n";

static const char RULE[] = "{\"format\":\"mqlcal-rules\",\"version\":1,\"provenance\":{\"input\":{"
                           "\"path\":\"leads.csv\",\"sha256\":\"3"
                           "4cd7a3b3fff305a5319d540de1ff05c539407182f0b782a9e097249c2167e06\","
                           "\"bytes\":36897,\"rows\":3000"
                           ",\"date_min\":null,\"date_max\":null},\"fitted_at\":\"2026-12-01T21:19:"
                           "01Z\",\"fitted_by\":\"0.1.0\",\""
                           "swept_at\":\"2026-12-01T21:19:01Z\",\"fit_id\":1,\"sweep_id\":1,"
                           "\"exported_by\":\"mqlcal 0.1.0\",\"hol"
                           "dout\":{\"description\":\"none (validation in "
                           "sample)\",\"leads\":0,\"sqls\":0}},\"input\":{\"id_colum"
                           "n\":null,\"delimiter\":\",\",\"missing_values\":[\"NA\"]},\"scaling\":{"
                           "\"method\":\"pdo\",\"factor\":28.853"
                           "90081777927,\"offset\":100.0,\"base\":81},\"attributes\":[{\"name\":"
                           "\"c\",\"kind\":\"categorical\",\"grou"
                           "p\":\"fit\",\"reference\":\"c\",\"missing\":\"c\",\"unseen\":\"c\","
                           "\"levels\":[{\"label\":\"a\",\"points\":32,\"va"
                           "lues\":[\"a\"]},{\"label\":\"b\",\"points\":4,\"values\":[\"b\"]},{"
                           "\"label\":\"bad\",\"points\":-1,\"values\":["
                           "\"bad\"]},{\"label\":\"c\",\"points\":0,\"values\":[\"c\"]}]},{"
                           "\"name\":\"k\",\"kind\":\"count\",\"group\":\"enga"
                           "gement\",\"reference\":\"0\",\"missing\":\"0\",\"levels\":[{\"label\":"
                           "\"0\",\"points\":0,\"lo\":null,\"hi\":1.0"
                           "},{\"label\":\"1\",\"points\":6,\"lo\":1.0,\"hi\":2.0},{\"label\":\"2-"
                           "3\",\"points\":11,\"lo\":2.0,\"hi\":4.0}"
                           ",{\"label\":\"4+\",\"points\":39,\"lo\":4.0,\"hi\":null}]},{\"name\":"
                           "\"x\",\"kind\":\"numeric\",\"group\":\"eng"
                           "agement\",\"reference\":\">= 50\",\"missing\":\">= "
                           "50\",\"levels\":[{\"label\":\"< 10\",\"points\":-12,\"lo\""
                           ":null,\"hi\":10.0},{\"label\":\"[10, "
                           "50)\",\"points\":-12,\"lo\":10.0,\"hi\":50.0},{\"label\":\">= 50\",\"p"
                           "oints\":0,\"lo\":50.0,\"hi\":null}]}],\"disqualifiers\":[{\"column\":"
                           "\"c\",\"value\":\"bad\"},{\"column\":\""
                           "k\",\"value\":\"8\"}],\"rule\":{\"threshold\":69,\"fit_min\":null},"
                           "\"expected\":{\"period\":\"period\",\"lea"
                           "ds\":3000,\"mqls\":1973,\"sqls\":912,\"mqls_per_period\":1973.0,\"sqls_"
                           "per_period\":912.0,\"conversi"
                           "on\":0.46224024328433855,\"conversion_ci\":[0.440335394107891,0."
                           "4842918442904338],\"recall\":0."
                           "6404494382022472}}";

static const char HEADER[] = "c,k,x,y\n";

static struct config cfg;
static struct rules rule;
static char *sql_text;
static char leads_path[512], db_path[512], cfg_path[512];

/* Per physical line: what each reader made of the record that starts there. */
enum { NONE = 0, LOADED, REJECTED_SHAPE, REJECTED_NUMBER, REJECTED_OTHER };
static unsigned char ingest_seen[MAX_LINES + 2];
static unsigned char score_seen[MAX_LINES + 2]; /* 1 scored, 2 refused */
static int score_of[MAX_LINES + 2][5];          /* score, fit, engagement, mql, disqualifier */
static size_t raw_level[MAX_LINES + 2][3];      /* each attribute's level from the raw text */
static unsigned char raw_ok[MAX_LINES + 2];     /* 1 when all three had one */

static void clean_up(void)
{
    config_release(&cfg);
    rules_release(&rule);
    free(sql_text);
    remove(cfg_path);
}

static void set_up(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    const char *dir = fuzz_tmpdir();
    snprintf(leads_path, sizeof leads_path, "%s/leads.csv", dir);
    snprintf(db_path, sizeof db_path, "%s/diff.db", dir);
    snprintf(cfg_path, sizeof cfg_path, "%s/diff.ini", dir);
    FILE *f = fopen(cfg_path, "w");
    FUZZ_CHECK(f && fputs(CONFIG, f) >= 0 && fclose(f) == 0);
    struct mql_err err;
    FUZZ_CHECK(config_load(cfg_path, &cfg, &err) == 0);
    FUZZ_CHECK(rules_parse_json(RULE, strlen(RULE), "rule", &rule, &err) == 0);
    FUZZ_CHECK((sql_text = export_sql(&rule, "leads")) != NULL);
    atexit(clean_up);
}

static void on_reject(void *ctx, uint64_t line, const char *why)
{
    (void)ctx;
    (void)why;
    if (line <= MAX_LINES) {
        FUZZ_CHECK(score_seen[line] == 0);
        score_seen[line] = 2;
    }
}

/* The scorer's CSV output: id (the line), score, fit, engagement, mql, disqualifier, ... */
static void read_scores(const char *out, size_t n)
{
    const char *p = memchr(out, '\n', n);
    FUZZ_CHECK(p);
    p++;
    while (p < out + n) {
        unsigned long long line;
        int sc, fi, en, mq, len = 0;
        FUZZ_CHECK(sscanf(p, "%llu,%d,%d,%d,%d,%n", &line, &sc, &fi, &en, &mq, &len) == 5);
        const char *dq = p + len;
        if (line <= MAX_LINES) {
            FUZZ_CHECK(score_seen[line] == 0);
            score_seen[line] = 1;
            int *s = score_of[line];
            s[0] = sc, s[1] = fi, s[2] = en, s[3] = mq;
            s[4] = *dq == ',' ? -1 : (strncmp(dq, "c:bad,", 6) == 0 ? 0 : 1);
        }
        const char *e = memchr(p, '\n', (size_t)(out + n - p));
        FUZZ_CHECK(e);
        p = e + 1;
    }
}

/* The fit's side: what ingest stored (trimmed text, an INTEGER, a REAL, or NULL when missing)
 * must take the same level of the rule as the raw text the scorer reads: the fit bins the
 * stored values, so ingest and the scorer must read every value alike. */
static void check_stored_levels(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT _line, c, k, x FROM leads", -1, &st, NULL) ==
               SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long line = sqlite3_column_int64(st, 0);
        if (line < 1 || line > MAX_LINES || !raw_ok[line])
            continue;
        for (int a = 0; a < 3; a++) {
            const struct rules_attr *at = &rule.attrs[a];
            int type = sqlite3_column_type(st, a + 1);
            size_t level = at->missing;
            if (type == SQLITE_TEXT) {
                const char *v = (const char *)sqlite3_column_text(st, a + 1);
                int listed;
                FUZZ_CHECK(rules_attr_level(&rule, (size_t)a, v, strlen(v), &level, &listed) == 0);
            } else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
                /* a stored number takes the first bin whose upper edge is above it (rules.h) */
                double v = sqlite3_column_double(st, a + 1);
                for (size_t l = 0, found = 0; l < at->nlevels && !found; l++)
                    if (!at->levels[l].no_bin && (isinf(at->levels[l].hi) || v < at->levels[l].hi))
                        level = l, found = 1;
            }
            FUZZ_CHECK(level == raw_level[line][a]);
        }
    }
    sqlite3_finalize(st);
}

static void read_ingest(void)
{
    sqlite3 *db = NULL;
    FUZZ_CHECK(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *st = NULL;
    FUZZ_CHECK(sqlite3_prepare_v2(db,
                                  "SELECT _line, 'loaded' FROM leads UNION ALL SELECT line, reason "
                                  "FROM rejects",
                                  -1, &st, NULL) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long line = sqlite3_column_int64(st, 0);
        const char *why = (const char *)sqlite3_column_text(st, 1);
        if (line < 1 || line > MAX_LINES)
            continue;
        FUZZ_CHECK(ingest_seen[line] == NONE);
        ingest_seen[line] = strcmp(why, "loaded") == 0 ? LOADED
                            : strcmp(why, "field_count") == 0 || strcmp(why, "bad_quote") == 0 ||
                                    strcmp(why, "unterminated_quote") == 0
                                ? REJECTED_SHAPE
                            : strcmp(why, "bad_number") == 0 ? REJECTED_NUMBER
                                                             : REJECTED_OTHER;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* rules.sql over the records of the header's field count, each with its first line as _line. */
static void check_sql(const uint8_t *data, size_t size)
{
    sqlite3 *db = NULL;
    FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    FUZZ_CHECK(sqlite3_exec(db, "CREATE TABLE leads(c TEXT, k TEXT, x TEXT, y TEXT, _line TEXT)",
                            NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_stmt *ins = NULL;
    FUZZ_CHECK(sqlite3_prepare_v2(db, "INSERT INTO leads VALUES(?, ?, ?, ?, ?)", -1, &ins, NULL) ==
               SQLITE_OK);
    FILE *in = fmemopen((void *)data, size, "rb");
    FUZZ_CHECK(in);
    struct csvread rd = {.in = in, .delim = ','};
    FUZZ_CHECK(csvread_init(&rd) == 0);
    int first = 1, st;
    while ((st = csvread_next(&rd)) != CSVR_EOF && st >= 0) {
        if (first) { /* the header */
            first = 0;
            continue;
        }
        if (st != CSVR_OK || rd.nf != 4 || rd.line > MAX_LINES)
            continue;
        /* a NUL byte or invalid UTF-8 is no SQL text (ingest rejects such a record too) */
        int text = 1;
        for (size_t i = 0; i < 4; i++)
            text &= !memchr(rd.f[i], '\0', rd.fl[i]) && text_utf8_valid(rd.f[i], rd.fl[i]);
        if (!text)
            continue;
        int all = 1;
        for (size_t a = 0; a < 3; a++) {
            int listed;
            all &=
                rules_attr_level(&rule, a, rd.f[a], rd.fl[a], &raw_level[rd.line][a], &listed) == 0;
        }
        raw_ok[rd.line] = (unsigned char)all;
        for (int i = 0; i < 4; i++)
            sqlite3_bind_text(ins, i + 1, rd.f[i], (int)rd.fl[i], SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 5, (sqlite3_int64)rd.line);
        FUZZ_CHECK(sqlite3_step(ins) == SQLITE_DONE);
        sqlite3_reset(ins);
    }
    csvread_release(&rd);
    fclose(in);
    sqlite3_finalize(ins);
    sqlite3_stmt *q = NULL;
    FUZZ_CHECK(sqlite3_prepare_v2(db, sql_text, -1, &q, NULL) == SQLITE_OK);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        long long line = sqlite3_column_int64(q, 0);
        FUZZ_CHECK(line >= 1 && line <= MAX_LINES);
        int refused = sqlite3_column_type(q, 9) != SQLITE_NULL;
        if (refused) {
            /* the scorer refused it too (a record of the right shape: for a number) */
            FUZZ_CHECK(score_seen[line] == 2);
            FUZZ_CHECK(sqlite3_column_type(q, 1) == SQLITE_NULL);
            continue;
        }
        FUZZ_CHECK(score_seen[line] == 1);
        const int *s = score_of[line];
        FUZZ_CHECK(sqlite3_column_int(q, 1) == s[0] && sqlite3_column_int(q, 2) == s[1] &&
                   sqlite3_column_int(q, 3) == s[2] && sqlite3_column_int(q, 4) == s[3]);
        const char *dq = (const char *)sqlite3_column_text(q, 5);
        FUZZ_CHECK((dq ? (strcmp(dq, "c:bad") == 0 ? 0 : 1) : -1) == s[4]);
    }
    FUZZ_CHECK(rc == SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *body, size_t bsize)
{
    set_up();
    if (bsize > (1u << 16))
        return 0;
    size_t hn = sizeof HEADER - 1, size = hn + bsize;
    uint8_t *data = malloc(size + 1);
    FUZZ_CHECK(data);
    memcpy(data, HEADER, hn);
    memcpy(data + hn, body, bsize);
    memset(ingest_seen, 0, sizeof ingest_seen);
    memset(score_seen, 0, sizeof score_seen);
    memset(raw_ok, 0, sizeof raw_ok);
    FILE *f = fopen(leads_path, "wb");
    FUZZ_CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);

    /* 1. ingest */
    struct ingest_opts opts = {.db_path = db_path};
    struct ingest_stats is;
    struct mql_err err;
    mql_err_clear(&err);
    char *saved = cfg.leads;
    cfg.leads = leads_path;
    int irc = ingest_run(&cfg, &opts, &is, &err);
    cfg.leads = saved;
    if (irc == 0)
        read_ingest();

    /* 2. the scorer */
    FILE *in = fmemopen(data, size, "rb");
    char *out = NULL;
    size_t outn = 0;
    FILE *o = open_memstream(&out, &outn);
    FUZZ_CHECK(in && o);
    struct scorer_stats ss;
    mql_err_clear(&err);
    int src = scorer_run(&rule, NULL, in, "fuzz.csv", o, SCORER_CSV, on_reject, NULL, &ss, &err);
    scorer_stats_release(&ss);
    fclose(in);
    FUZZ_CHECK(fclose(o) == 0);

    /* the same records, at the same lines */
    if (irc == 0 && src == 0) {
        FUZZ_CHECK(is.read == ss.records);
        FUZZ_CHECK(is.blank_lines == ss.blank_lines);
        read_scores(out, outn);
        for (size_t line = 1; line <= MAX_LINES; line++) {
            unsigned char a = ingest_seen[line], b = score_seen[line];
            FUZZ_CHECK((a == NONE) == (b == 0));
            /* what ingest loads the scorer scores; a shape or a number ingest rejects, the
             * scorer refuses; and what the scorer refuses, ingest does not load (it may name
             * another reason first: a NUL byte, invalid UTF-8) */
            if (a == LOADED)
                FUZZ_CHECK(b == 1);
            if (a == REJECTED_SHAPE || a == REJECTED_NUMBER)
                FUZZ_CHECK(b == 2);
            if (b == 2)
                FUZZ_CHECK(a != LOADED);
        }
        check_sql(data, size);
        sqlite3 *db = NULL;
        FUZZ_CHECK(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        check_stored_levels(db);
        sqlite3_close(db);
    }
    free(out);
    free(data);
    remove(leads_path);
    remove(db_path);
    return 0;
}
