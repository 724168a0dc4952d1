/*
 * Unit tests for include/mqlcal/report.h and figures.h, on a fixture store: 240 leads (the 24
 * of test_sweep.c ten times over, with ids, dates spread over 2025, a channel holding hostile
 * values and a feedback column), ingested, fitted, swept and audited. Then the report:
 * every chart rendered at its size and not blank, every section present, every image the page
 * names on disk, every table's CSV on disk, every value from the data escaped, and the ROC
 * legend's AUC equal to the fit's AUC with points. Then the review section, on hand-made
 * review rows added to the same store: absent without [review] previous (the page byte for
 * byte the same), a sentence when no review is stored, else the latest review with its charts,
 * tables and escaped values, and without spans its note instead of the stability chart.
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/audit.h"
#include "mqlcal/figures.h"
#include "mqlcal/fit.h"
#include "mqlcal/ingest.h"
#include "mqlcal/report.h"
#include "mqlcal/review.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"

#define NLEADS 240

static const char *const hostile[] = {"<script>alert(1)</script>", "web & \"events\"",
                                      "' OR 1=1; DROP TABLE leads; --", "=HYPERLINK(\"x\")",
                                      "referral"};

static const char config_text[] =
    "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\ndate = created_at\n"
    "feedback = fb\n"
    "[attributes]\nplan = categorical, fit\njob = categorical, fit\nvisits = count, engagement\n"
    "[segments]\nby = channel, plan\n"
    "[rules]\ndisqualify = job:student\n"
    "[model]\nholdout = 0.25\nmin_level_count = 1\n"
    "[calibration]\ncapacity = 6\ntarget_conversion = 0.3\nbootstrap = 50\n";

struct fixture {
    char dir[256];
    struct config cfg;
    struct report_data data;
    struct report_result res;
    char *html;
};

/* A deterministic CSV: conversion rises with visits and plan, students rarely convert. */
static void write_csv(const char *dir)
{
    size_t cap = 64 * 1024, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "lead_id,created_at,job,plan,visits,channel,fb,became_sql\n");
    unsigned s = 12345;
    for (int i = 0; i < NLEADS; i++) {
        s = s * 1103515245u + 12345u;
        unsigned r = (s >> 8) % 1000;
        const char *job = i % 9 == 0 ? "student" : i % 3 ? "manager" : "director";
        const char *plan = i % 4 == 0 ? "pro" : i % 7 == 0 ? "legacy" : "basic";
        int visits = (int)(r % 7);
        double p = 0.05 + 0.1 * visits + (plan[0] == 'p' ? 0.15 : 0) + (job[0] == 'd' ? 0.1 : 0) -
                   (job[0] == 's' ? 0.1 : 0);
        int sql = (double)((s >> 3) % 1000) / 1000 < p;
        const char *ch = hostile[i % 5];
        /* quote the channel for CSV: double every quote */
        char q[128];
        size_t k = 0;
        q[k++] = '"';
        for (const char *c = ch; *c && k + 3 < sizeof q; c++) {
            if (*c == '"')
                q[k++] = '"';
            q[k++] = *c;
        }
        q[k++] = '"';
        q[k] = '\0';
        len += (size_t)snprintf(csv + len, cap - len, "L%03d,2025-%02d-%02d,%s,%s,%d,%s,%s,%d\n", i,
                                1 + i % 12, 1 + i % 28, job, plan, visits, q,
                                i % 5 == 0   ? "<b>accepted</b>"
                                : i % 5 == 1 ? "rejected"
                                             : "",
                                sql);
    }
    char path[512];
    tu_write_text(dir, "leads.csv", csv, path, sizeof path);
    free(csv);
}

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    tu_mkdtemp(fx->dir, sizeof fx->dir);
    write_csv(fx->dir);
    char path[512];
    tu_write_text(fx->dir, "c.ini", config_text, path, sizeof path);
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(path, &fx->cfg, &err) != 0)
        fail_msg("config_load: %s", err.msg);
    struct ingest_stats stats;
    if (ingest_run(&fx->cfg, NULL, &stats, &err) != 0)
        fail_msg("ingest_run: %s", err.msg);
    assert_int_equal(stats.loaded, NLEADS);
    char *dbp = ingest_default_db(&fx->cfg);
    sqlite3 *db = tu_open_store(dbp);
    free(dbp);
    struct fit_result fr;
    struct sweep_result sw;
    struct audit_result au;
    int rc = fit_run(db, &fx->cfg, &fr, &err);
    fit_release(&fr);
    if (rc)
        fail_msg("fit_run: %s", err.msg);
    if (sweep_compute(db, &fx->cfg, &sw, &err) || sweep_store(db, &fx->cfg, &sw, &err))
        fail_msg("sweep: %s", err.msg);
    if (!sw.has_rec)
        fail_msg("the fixture needs a recommended rule: %s", sw.reasoning);
    if (audit_run(&fx->cfg, &sw, &au, &err) || audit_store(db, &fx->cfg, &sw, &au, &err))
        fail_msg("audit: %s", err.msg);
    audit_release(&au);
    sweep_release(&sw);
    if (report_run(db, &fx->cfg, &fx->res, &err) != 0)
        fail_msg("report_run: %s", err.msg);
    if (report_load(db, &fx->data, &err) != 0)
        fail_msg("report_load: %s", err.msg);
    store_close(db);
    fx->html = tu_read_file(fx->res.index);
    assert_non_null(fx->html);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx) /* the set-up failed */
        return 0;
    free(fx->html);
    report_release(&fx->data);
    report_result_release(&fx->res);
    config_release(&fx->cfg);
    if (getenv("MQLCAL_KEEP_TEST_DIRS"))
        fprintf(stderr, "kept %s\n", fx->dir);
    else
        tu_rmrf(fx->dir);
    free(fx);
    return 0;
}

/* Every chart of figures.h, at its size, not blank. */
static void test_every_chart(void **state)
{
    const struct fixture *fx = *state;
    static const struct {
        const char *file;
        int w, h;
    } want[] = {
        {"sweep.png", 800, 450},       {"tradeoff.png", 800, 450},
        {"grid.png", 800, 500},        {"periods.png", 800, 450},
        {"scores.png", 800, 450},      {"calibration.png", 800, 450},
        {"roc.png", 620, 520},         {"gains.png", 620, 520},
        {"segment-1.png", 800, -1},    {"segment-2.png", 800, -1},
        {"scorecard-fit.png", 800, 0}, {"scorecard-engagement.png", 800, 0},
    };
    assert_int_equal(fx->res.ncharts, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, want[i].file);
        int h = want[i].h;
        if (h < 0) { /* segments: 450 high, or one row per value when their names are long */
            size_t seg = (size_t)(want[i].file[8] - '1'), k = 0, n = 0, longest = 0;
            const struct store_table *sg = &fx->data.segments;
            for (size_t r = 0; r < sg->nrows; r++) {
                if (r > 0 && strcmp(store_table_text(sg, r, "column_name"),
                                    store_table_text(sg, r - 1, "column_name")) != 0)
                    k++;
                if (k != seg || n >= 20)
                    continue;
                n++;
                size_t len = strlen(store_table_text(sg, r, "value"));
                longest = len > longest ? len : longest;
            }
            h = n * (longest * 7 + 8) > 640 ? (int)(170 + 26 * n) : 450;
        }
        if (h == 0) { /* scorecards: 150 + 22 per level of the group */
            int fit = strstr(want[i].file, "fit") != NULL;
            size_t levels = 0;
            for (size_t r = 0; r < fx->data.levels.nrows; r++)
                levels += strcmp(store_table_text(&fx->data.levels, r, "grp"),
                                 fit ? "fit" : "engagement") == 0;
            assert_true(levels > 0);
            h = (int)(150 + 22 * levels);
        }
        double var = tu_png_variance(path, want[i].w, h);
        if (!(var > 200))
            fail_msg("%s looks blank: grey-level variance %.1f", want[i].file, var);
    }
}

static int has(const char *html, const char *s)
{
    return strstr(html, s) != NULL;
}

/* text as the page escapes it ('>=' in the rule's words, "quarter's") */
static char *escape_html(const char *text)
{
    char *out = malloc(6 * strlen(text) + 1);
    size_t k = 0;
    for (const char *c = text; *c; c++)
        k += (size_t)sprintf(out + k, "%s",
                             *c == '>'    ? "&gt;"
                             : *c == '<'  ? "&lt;"
                             : *c == '&'  ? "&amp;"
                             : *c == '"'  ? "&quot;"
                             : *c == '\'' ? "&#39;"
                                          : (char[2]){*c, 0});
    out[k] = '\0';
    return out;
}

/* Every section, every image on disk, every table's CSV on disk. */
static void test_structure(void **state)
{
    const struct fixture *fx = *state;
    const char *h = fx->html;
    static const char *const sections[] = {"summary", "quality",       "model",    "validation",
                                           "sweep",   "disqualifiers", "segments", "provenance"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char id[64];
        snprintf(id, sizeof id, "<section id=\"%s\">", sections[i]);
        if (!has(h, id))
            fail_msg("no section %s", sections[i]);
    }
    assert_true(has(h, "<!DOCTYPE html>"));
    assert_false(has(h, "<script")); /* works without script, and none was injected */
    size_t imgs = 0, csvs = 0;
    for (const char *p = h; (p = strstr(p, "<img src=\"")); imgs++) {
        p += strlen("<img src=\"");
        char file[128], path[600];
        size_t n = strcspn(p, "\"");
        assert_true(n < sizeof file);
        memcpy(file, p, n);
        file[n] = '\0';
        assert_null(strchr(file, '/')); /* beside the page */
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, file);
        if (!tu_exists(path))
            fail_msg("the page shows %s, which is not there", file);
    }
    assert_int_equal(imgs, fx->res.ncharts);
    for (const char *p = h; (p = strstr(p, "<a class=\"csv\" href=\"")); csvs++) {
        p += strlen("<a class=\"csv\" href=\"");
        char file[128], path[600];
        size_t n = strcspn(p, "\"");
        memcpy(file, p, n);
        file[n] = '\0';
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, file);
        if (!tu_exists(path))
            fail_msg("the page links %s, which is not there", file);
    }
    assert_int_equal(csvs, fx->res.ntables);
    /* the recommendation, as the sweep stored it: its warnings first, in bold, then the rest */
    const char *reasoning = store_table_text(&fx->data.sweep, 0, "reasoning");
    const char *warnings = store_table_text(&fx->data.sweep, 0, "warnings");
    assert_non_null(reasoning);
    const char *rest = reasoning;
    if (warnings) {
        assert_true(strncmp(reasoning, warnings, strlen(warnings)) == 0);
        rest = reasoning + strlen(warnings) + 1;
        char *w = escape_html(warnings), *b = malloc(strlen(w) + 8);
        sprintf(b, "<b>%s</b>", w);
        if (!has(h, b))
            fail_msg("the page lacks the warnings in bold: %s", warnings);
        free(w);
        free(b);
    }
    char *escaped = escape_html(rest);
    if (!has(h, escaped))
        fail_msg("the page lacks the recommendation: %s", rest);
    free(escaped);
}

/* Values from the data come out as text, never as markup. */
static void test_escaping(void **state)
{
    const struct fixture *fx = *state;
    const char *h = fx->html;
    assert_true(has(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_true(has(h, "web &amp; &quot;events&quot;"));
    assert_true(has(h, "&#39; OR 1=1; DROP TABLE leads; --"));
    assert_true(has(h, "&lt;b&gt;accepted&lt;/b&gt;"));
    assert_false(has(h, "<b>accepted</b>"));
    /* the audit table's CSV keeps the value, with the formula neutralised */
    char path[600];
    snprintf(path, sizeof path, "%s/audit-1.csv", fx->res.dir);
    char *csv = tu_read_file(path);
    assert_non_null(csv);
    assert_true(has(csv, "<script>alert(1)</script>"));
    assert_true(has(csv, "\"'=HYPERLINK(\"\"x\"\")\""));
    free(csv);
}

/* The ROC legend's AUC is the fit's AUC with points, computed the other way. */
static void test_auc(void **state)
{
    const struct fixture *fx = *state;
    double want = NAN;
    for (size_t r = 0; r < fx->data.metrics.nrows; r++)
        if (strcmp(store_table_text(&fx->data.metrics, r, "sample"), "holdout") == 0 &&
            strcmp(store_table_text(&fx->data.metrics, r, "metric"), "auc_points") == 0)
            want = store_table_num(&fx->data.metrics, r, "value");
    assert_true(isfinite(want));
    assert_near(figures_auc(&fx->data.hist, "holdout"), want, 1e-12);
    assert_true(isnan(figures_auc(&fx->data.hist, "nothing")));
}

/* No sweep yet: a clear message. */
static void test_no_sweep(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct report_data d;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(report_load(db, &d, &err), MQL_EINPUT);
    assert_err_contains(&err, "run 'mqlcal sweep' first");
    report_release(&d);
    sqlite3_close(db);
}

/* ---- the review section -------------------------------------------------------------------- */

#define HOSTILE_ATTR "<script>alert(2)</script>"

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        print_error("%s\n", msg ? msg : "?");
        sqlite3_free(msg);
        fail_msg("SQL failed: %.200s", sql);
    }
}

/* Review 1 of fit_id: spans, points changed (one of each kind), a hostile attribute name and
 * summary, drift found; its threshold curves over 0 .. 18 points. */
static void insert_review_1(sqlite3 *db, long long fit_id)
{
    char sql[4096];
    snprintf(sql, sizeof sql,
             "INSERT INTO reviews VALUES(1, '2026-01-02T03:04:05Z', %lld, 'old <rules>.json', "
             "'the store''s latest sweep', 240, 60, 12, 'month', '2025-Q3', '2025-07-01', "
             "'2025-09-30', 60, '2025-Q4', '2025-10-01', '2025-12-31', 60, 0.12, 'investigate', "
             "0.11, 0.02, 1, NULL, 'Summary <b>one</b> & friends', 'Do <u>this</u> first', "
             "0.01, 'test')",
             fit_id);
    exec_sql(db, sql);
    exec_sql(db,
             "INSERT INTO review_rules VALUES(1, 'previous', 'old <rules>.json', 1, 12, NULL, "
             "70, 30, 0.43, 0.32, 0.55, 0.5, 5.8, 2.5, 0.11, 0, 0);"
             "INSERT INTO review_rules VALUES(1, 'current', 'the store''s latest sweep', 1, 14, "
             "-3, 60, 28, 0.47, 0.35, 0.59, 0.47, 5.0, 2.3, 0.12, 3, 0);"
             "INSERT INTO review_flips VALUES(1, 1, 1, 55, 26, 0.47, 0.35, 0.6, 0);"
             "INSERT INTO review_flips VALUES(1, 1, 0, 15, 4, 0.27, 0.11, 0.52, 0);"
             "INSERT INTO review_flips VALUES(1, 0, 1, 5, 2, 0.4, 0.12, 0.77, 0);"
             "INSERT INTO review_flips VALUES(1, 0, 0, 165, 28, 0.17, 0.12, 0.23, 0);"
             "INSERT INTO review_points VALUES(1, 'plan', 'pro', 10, 14, 10, 14, 'changed');"
             "INSERT INTO review_points VALUES(1, 'plan', 'legacy', -3, 2, -3, 2, 'sign flip');"
             "INSERT INTO review_points VALUES(1, '" HOSTILE_ATTR "', 'x', NULL, 5, NULL, 5, "
             "'added');"
             "INSERT INTO review_points VALUES(1, 'job', 'student', -20, NULL, -20, NULL, "
             "'removed');"
             "INSERT INTO review_points VALUES(1, 'job', 'manager', 0, 0, 0, 0, 'same');"
             "INSERT INTO review_attributes VALUES(1, 'plan', 1, 1, 1, 0.05, 'stable', 0.4, 0, "
             "NULL, 2, 0, 'pro', 1.1, 0.8, 2.5, 12.5);"
             "INSERT INTO review_attributes VALUES(1, 'job', 1, 1, 1, 0.3, 'shifted', -1.2, 0, "
             "NULL, 2, 1, 'director', -4.5, 0.00002, -9.5, 8);"
             "INSERT INTO review_attributes VALUES(1, '" HOSTILE_ATTR "', 0, 1, 1, 0.15, "
             "'investigate', 0.8, 0.2, '<i>new</i>', 1, 0, 'x', 0.5, 1, 0.7, 30);"
             "INSERT INTO review_attributes VALUES(1, 'visits', 1, 1, 0, NULL, NULL, NULL, NULL, "
             "NULL, 0, 0, NULL, NULL, NULL, NULL, NULL);"
             "INSERT INTO review_periods VALUES(1, '2025-01', 20, 5, 6, 3, 5, 3, 0, 0, 0);"
             "INSERT INTO review_periods VALUES(1, '2025-02', 20, 4, 5, 2, 5, 2, 0, 0, 0);"
             "INSERT INTO review_periods VALUES(1, '2025-03', 0, 0, 0, 0, 0, 0, 0, 0, 0);");
    for (int t = 0; t <= 18; t++) {
        int prev = 240 - 11 * t, cur = 240 - 12 * t;
        int ps = (int)(prev * (0.2 + 0.025 * t)), cs = (int)(cur * (0.22 + 0.025 * t));
        snprintf(sql, sizeof sql,
                 "INSERT INTO review_curve VALUES(1, 'previous', %d, %d, %d, %.6f, %.6f, 0);"
                 "INSERT INTO review_curve VALUES(1, 'current', %d, %d, %d, %.6f, %.6f, 0);",
                 t, prev, ps, prev / 12.0, ps / (double)prev, t, cur, cs, cur / 12.0,
                 cs / (double)cur);
        exec_sql(db, sql);
    }
}

/* Review 2 (the latest): no spans, the points the same, nothing flagged. */
static void insert_review_2(sqlite3 *db, long long fit_id)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO reviews VALUES(2, '2026-01-03T03:04:05Z', %lld, 'old.json', 'new.json',"
             " 240, 60, 12, 'month', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
             " NULL, 0, 0, 'no complete quarter <before> the last one', 'Second review.',"
             " 'Keep it.', 0.01, 'test')",
             fit_id);
    exec_sql(db, sql);
    exec_sql(db, "INSERT INTO review_rules VALUES(2, 'previous', 'old.json', 1, 12, NULL, 70, 30, "
                 "0.43, 0.32, 0.55, 0.5, 5.8, 2.5, NULL, 0, 0);"
                 "INSERT INTO review_rules VALUES(2, 'current', 'new.json', 1, 12, NULL, 70, 30, "
                 "0.43, 0.32, 0.55, 0.5, 5.8, 2.5, NULL, 0, 0);"
                 "INSERT INTO review_points VALUES(2, 'plan', 'pro', 10, 10, 10, 10, 'same');"
                 "INSERT INTO review_attributes VALUES(2, 'plan', 1, 1, 1, NULL, NULL, NULL, NULL, "
                 "NULL, 0, 0, NULL, NULL, NULL, NULL, NULL);"
                 "INSERT INTO review_curve VALUES(2, 'previous', 10, 130, 40, 10.8, 0.31, 0);"
                 "INSERT INTO review_curve VALUES(2, 'previous', 12, 70, 30, 5.8, 0.43, 0);"
                 "INSERT INTO review_curve VALUES(2, 'current', 10, 130, 40, 10.8, 0.31, 0);"
                 "INSERT INTO review_curve VALUES(2, 'current', 12, 70, 30, 5.8, 0.43, 0);");
}

struct page {
    char dir[600];
    char *html;
    struct report_result res;
};

/* Loads the store and writes its report into <fixture dir>/<name> with [review] previous set
 * to previous (or not set). */
static void write_page(struct fixture *fx, const char *name, const char *previous, struct page *pg)
{
    char *dbp = ingest_default_db(&fx->cfg);
    sqlite3 *db = tu_open_store(dbp);
    free(dbp);
    struct report_data d;
    struct mql_err err;
    mql_err_clear(&err);
    if (report_load(db, &d, &err) != 0)
        fail_msg("report_load: %s", err.msg);
    store_close(db);
    free(fx->cfg.review_previous);
    fx->cfg.review_previous = previous ? strdup(previous) : NULL;
    tu_path(pg->dir, sizeof pg->dir, fx->dir, name);
    int rc = report_write(&fx->cfg, &d, pg->dir, &pg->res, &err);
    free(fx->cfg.review_previous);
    fx->cfg.review_previous = NULL;
    report_release(&d);
    if (rc)
        fail_msg("report_write: %s", err.msg);
    pg->html = tu_read_file(pg->res.index);
    assert_non_null(pg->html);
}

static void page_release(struct page *pg)
{
    free(pg->html);
    report_result_release(&pg->res);
}

/* The file dir/name exists. */
static int in_dir(const char *dir, const char *name)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_exists(path);
}

/* Every image the page shows and every CSV it links is beside it, and they are all counted. */
static void check_files(const struct page *pg)
{
    size_t imgs = 0, csvs = 0;
    static const char *const tags[] = {"<img src=\"", "<a class=\"csv\" href=\""};
    for (int k = 0; k < 2; k++)
        for (const char *p = pg->html; (p = strstr(p, tags[k])); k ? csvs++ : imgs++) {
            p += strlen(tags[k]);
            char file[128];
            size_t n = strcspn(p, "\"");
            assert_true(n < sizeof file);
            memcpy(file, p, n);
            file[n] = '\0';
            if (!in_dir(pg->dir, file))
                fail_msg("the page names %s, which is not there", file);
        }
    assert_int_equal(imgs, pg->res.ncharts);
    assert_int_equal(csvs, pg->res.ntables);
}

static void check_png(const struct page *pg, const char *file, int w, int h)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", pg->dir, file);
    double var = tu_png_variance(path, w, h);
    if (!(var > 200))
        fail_msg("%s looks blank: grey-level variance %.1f", file, var);
}

/* The review section: only with [review] previous; the latest review, escaped, with its charts
 * and tables; a sentence when there is none; the note when it has no spans. */
static void test_review_section(void **state)
{
    struct fixture *fx = *state;
    struct page pg;

    /* no [review] previous: the page is the one of the fixture, byte for byte */
    write_page(fx, "no-review", NULL, &pg);
    assert_string_equal(pg.html, fx->html);
    assert_false(has(pg.html, "id=\"review\""));
    page_release(&pg);

    /* [review] previous but no review stored: one sentence, no chart */
    write_page(fx, "none-yet", "old.json", &pg);
    assert_true(has(pg.html, "<section id=\"review\">"));
    assert_true(has(pg.html, "<a href=\"#review\">"));
    assert_true(has(pg.html, "No review is stored yet"));
    assert_true(has(pg.html, "mqlcal review CONFIG"));
    assert_int_equal(pg.res.ncharts, fx->res.ncharts);
    assert_false(in_dir(pg.dir, "review-curves.png"));
    check_files(&pg);
    page_release(&pg);

    char *dbp = ingest_default_db(&fx->cfg);
    sqlite3 *db = tu_open_store(dbp);
    free(dbp);
    struct mql_err err;
    if (review_create_tables(db, &err) != 0)
        fail_msg("review_create_tables: %s", err.msg);
    insert_review_1(db, fx->data.fit_id);
    store_close(db);

    /* with the review: still nothing of it without [review] previous */
    write_page(fx, "no-review-2", NULL, &pg);
    assert_string_equal(pg.html, fx->html);
    assert_false(in_dir(pg.dir, "review-curves.png"));
    page_release(&pg);

    write_page(fx, "review-1", "old.json", &pg);
    const char *h = pg.html;
    assert_true(has(h, "<section id=\"review\">"));
    assert_true(has(h, "<a href=\"#review\">Review</a><a href=\"#provenance\">"));
    assert_true(strstr(h, "<section id=\"segments\">") < strstr(h, "<section id=\"review\">"));
    assert_true(strstr(h, "<section id=\"review\">") < strstr(h, "<section id=\"provenance\">"));
    assert_true(has(h, "drift found"));
    assert_int_equal(pg.res.ncharts, fx->res.ncharts + 3);
    check_png(&pg, "review-curves.png", 800, 450);
    check_png(&pg, "review-stability.png", 800, 170 + 22 * 4); /* the score and 3 CSIs */
    check_png(&pg, "review-points.png", 800, 150 + 22 * 4);    /* 4 levels not the same */
    assert_true(has(h, "<img src=\"review-curves.png\""));
    assert_true(has(h, "<img src=\"review-stability.png\""));
    assert_true(has(h, "<img src=\"review-points.png\""));
    static const char *const csvs[] = {"review-rules.csv", "review-flips.csv",
                                       "review-attributes.csv", "review-points.csv",
                                       "review-periods.csv"};
    for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
        char link[128];
        snprintf(link, sizeof link, "href=\"%s\"", csvs[i]);
        if (!has(h, link))
            fail_msg("the page does not link %s", csvs[i]);
    }
    check_files(&pg);
    /* every value escaped, none as markup */
    assert_false(has(h, "<script"));
    assert_true(has(h, "&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert_true(has(h, "Summary &lt;b&gt;one&lt;/b&gt; &amp; friends"));
    assert_true(has(h, "Do &lt;u&gt;this&lt;/u&gt; first"));
    assert_true(has(h, "old &lt;rules&gt;.json"));
    assert_true(has(h, "&lt;i&gt;new&lt;/i&gt;"));
    assert_false(has(h, "<i>new</i>") || has(h, "<u>this</u>") || has(h, "<b>one</b>"));
    /* the rules side by side, the flip matrix, flagged rows marked */
    assert_true(has(h, "none")); /* the previous rule's fit minimum */
    assert_true(has(h, "<b>15</b> leads"));
    assert_true(has(h, "<tr class=\"warn\"><td>job</td>"));
    assert_true(has(h, "coefficient changed"));
    /* the CSV keeps the value as text */
    char path[800];
    snprintf(path, sizeof path, "%s/review-attributes.csv", pg.dir);
    char *csv = tu_read_file(path);
    assert_non_null(csv);
    assert_true(has(csv, HOSTILE_ATTR));
    free(csv);
    snprintf(path, sizeof path, "%s/review-flips.csv", pg.dir);
    csv = tu_read_file(path);
    assert_non_null(csv);
    assert_true(has(csv, "1,0,15,4,0.27,0.11,0.52"));
    free(csv);
    page_release(&pg);

    /* the latest review wins; without spans its note, no stability chart; no points chart */
    db = tu_open_store(dbp = ingest_default_db(&fx->cfg));
    free(dbp);
    insert_review_2(db, fx->data.fit_id);
    store_close(db);
    write_page(fx, "review-2", "old.json", &pg);
    h = pg.html;
    assert_true(has(h, "Second review."));
    assert_false(has(h, "Summary &lt;b&gt;one"));
    assert_true(has(h, "no complete quarter &lt;before&gt; the last one"));
    assert_true(has(h, ">stable</span>"));
    assert_true(has(h, "The points are the same"));
    assert_int_equal(pg.res.ncharts, fx->res.ncharts + 1);
    check_png(&pg, "review-curves.png", 800, 450);
    assert_false(in_dir(pg.dir, "review-stability.png"));
    assert_false(in_dir(pg.dir, "review-points.png"));
    check_files(&pg);
    page_release(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_chart), cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escaping),    cmocka_unit_test(test_auc),
        cmocka_unit_test(test_no_sweep),    cmocka_unit_test(test_review_section),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    chart_cleanup();
    return failed;
}
