/*
 * Unit tests for include/mqlcal/review.h, on a hand-computed fixture.
 *
 * 12 leads, six in 2025-Q1 (L01-L06) and six in 2025-Q2 (L07-L12), so the default spans are
 * those two quarters. Two hand-written rule files (tests/data/review):
 *   previous: base 0; plan basic 0 (reference, missing, unseen), pro 10, free 2; visits 0: 0,
 *             1+: 10; job:student disqualifies; MQL at 10.
 *   current:  base 2; plan basic 0, pro 6, team 6, free -3; region (not in the data, so
 *             missing for every lead: its "other" level, -1); MQL at 6.
 *
 *   lead date       plan   visits job     sql | previous score MQL | current score MQL
 *   L01  2025-01-01 basic  0      manager 0   |  0                 | 1
 *   L02  2025-01-15 basic  2      manager 1   | 10  yes            | 1
 *   L03  2025-02-01 pro    0      manager 1   | 10  yes            | 7  yes
 *   L04  2025-02-15 pro    3      manager 1   | 20  yes            | 7  yes
 *   L05  2025-03-01 basic  1      student 1   | 10  (disqualified) | 1
 *   L06  2025-03-31 pro    1      manager 0   | 20  yes            | 7  yes
 *   L07  2025-04-01 basic  0      manager 0   |  0                 | 1
 *   L08  2025-04-15 pro    0      manager 1   | 10  yes            | 7  yes
 *   L09  2025-05-01 pro    2      manager 0   | 20  yes            | 7  yes
 *   L10  2025-05-15 team   1      manager 1   | 10  yes (unseen)   | 7  yes
 *   L11  2025-06-01 team   0      manager 0   |  0                 | 7  yes
 *   L12  2025-06-30 (NA)   4      manager 1   | 10  yes (missing)  | 1
 *
 * previous: 8 MQLs, 6 SQLs (0.75), recall 6/7, 8/6 MQLs a month; current: 7 MQLs, 4 SQLs,
 * recall 4/7. Flips [previous][current]: both 6 (4 SQLs), previous only 2 (L02, L12: 2 SQLs),
 * current only 1 (L11: 0), neither 3 (L01, L05, L07: 1).
 * PSI of the current score, Q1 -> Q2: baseline deciles give the bins {1} and {2..7}, counts
 * (3, 3) -> (2, 4): (-1/6) ln(2/3) + (1/6) ln(4/3) = 0.1155245 (investigate). Previous score:
 * bins {0}, {1..10}, {11..20}, (1, 3, 2) -> (2, 3, 1): 2 x (1/6) ln 2 = 0.2310491. Between
 * the rules (all leads, previous deciles, same bins): (3, 6, 3) against (0, 12, 0), an empty
 * bin counting half a lead: 2 x (0.5/12 - 3/12) ln(0.5/3) + 0.5 ln 2 = 1.0931398.
 * CSI of plan over its values: basic (3, 1), pro (3, 2), team (0, 2), (missing) (0, 1):
 * 0.3662041 + 0.0675775 + 0.3465736 + 0.0577623 = 0.8381175 (shifted); new values: 3 of 6,
 * most often team; score shift by the current points: (2/6 - 3/6) 6 + (2/6) 6 = 1.
 * CSI of visits over the previous rule's bins: (2, 4) -> (3, 3): 0.1155245; shift -10/6.
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/fsx.h"
#include "mqlcal/fit.h"
#include "mqlcal/ingest.h"
#include "mqlcal/review.h"
#include "mqlcal/text.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"
#include "mqlcal/validate.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

static const char csv_text[] = "lead_id,created_at,plan,visits,job,became_sql\n"
                               "L01,2025-01-01,basic,0,manager,0\n"
                               "L02,2025-01-15,basic,2,manager,1\n"
                               "L03,2025-02-01,pro,0,manager,1\n"
                               "L04,2025-02-15,pro,3,manager,1\n"
                               "L05,2025-03-01,basic,1,student,1\n"
                               "L06,2025-03-31,pro,1,manager,0\n"
                               "L07,2025-04-01,basic,0,manager,0\n"
                               "L08,2025-04-15,pro,0,manager,1\n"
                               "L09,2025-05-01,pro,2,manager,0\n"
                               "L10,2025-05-15,team,1,manager,1\n"
                               "L11,2025-06-01,team,0,manager,0\n"
                               "L12,2025-06-30,NA,4,manager,1\n";

static const char config_text[] =
    "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\ndate = created_at\n"
    "missing = NA\n"
    "[attributes]\nplan = categorical, fit\nvisits = count, engagement, bins = 0 1\n"
    "[rules]\ndisqualify = job:student\n"
    "[model]\nholdout = none\nmin_level_count = 1\n"
    "[calibration]\ncapacity = 3\nbootstrap = 0\n";

struct fixture {
    char dir[256];
    char db_path[512];
    struct config cfg;
    sqlite3 *db;
};

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    tu_mkdtemp(fx->dir, sizeof fx->dir);
    tu_ingest_text(fx->dir, csv_text, config_text, &fx->cfg, fx->db_path, sizeof fx->db_path, 12);
    struct mql_err err;
    mql_err_clear(&err);
    fx->db = tu_open_store(fx->db_path);
    struct fit_result fr;
    int rc = fit_run(fx->db, &fx->cfg, &fr, &err);
    fit_release(&fr);
    if (rc)
        fail_msg("fit_run: %s", err.msg);
    struct sweep_result sw;
    if (fsx_mkdirs(fx->cfg.out_dir, &err) || sweep_compute(fx->db, &fx->cfg, &sw, &err) ||
        sweep_store(fx->db, &fx->cfg, &sw, &err))
        fail_msg("sweep: %s", err.msg);
    sweep_release(&sw);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx)
        return 0;
    store_close(fx->db);
    config_release(&fx->cfg);
    tu_rmrf(fx->dir);
    free(fx);
    return 0;
}

static void run_review(struct fixture *fx, const char *prev, const char *cur,
                       struct review_result *r)
{
    struct mql_err err;
    mql_err_clear(&err);
    if (review_run(fx->db, &fx->cfg, prev, cur, r, &err) != 0)
        fail_msg("review_run: %s", err.msg);
}

static const struct review_attr *attr(const struct review_result *r, const char *name)
{
    for (size_t i = 0; i < r->nattrs; i++)
        if (strcmp(r->attrs[i].name, name) == 0)
            return &r->attrs[i];
    fail_msg("no attribute %s", name);
    return NULL;
}

static const struct review_point *point(const struct review_result *r, const char *a, const char *l)
{
    for (size_t i = 0; i < r->npoints; i++)
        if (strcmp(r->points[i].attribute, a) == 0 && strcmp(r->points[i].level, l) == 0)
            return &r->points[i];
    fail_msg("no point %s/%s", a, l);
    return NULL;
}

static void test_psi_by_hand(void **state)
{
    (void)state;
    size_t a[] = {50, 50}, b[] = {25, 75}, c[] = {10, 0}, d[] = {5, 5};
    assert_near(review_psi(a, b, 2), 0.25 * log(2) + 0.25 * log(1.5), 1e-12);
    /* an empty bin counts as half a lead */
    assert_near(review_psi(c, d, 2), (0.5 - 1) * log(0.5) + (0.5 - 0.05) * log(0.5 / 0.05), 1e-12);
    assert_near(review_psi(a, a, 2), 0, 0);
    size_t none[] = {0, 0};
    assert_true(isnan(review_psi(none, a, 2)));
}

static void test_rules_on_history(void **state)
{
    struct fixture *fx = *state;
    struct review_result r;
    run_review(fx, TEST_DATA_DIR "/review/previous.json", TEST_DATA_DIR "/review/current.json", &r);
    assert_int_equal(r.n, 12);
    assert_int_equal(r.sqls, 7);
    assert_int_equal(r.nperiods, 6);
    assert_int_equal(r.prev.mqls, 8);
    assert_int_equal(r.prev.sqls, 6);
    assert_near(r.prev.conversion, 0.75, 1e-15);
    assert_near(r.prev.recall, 6.0 / 7, 1e-15);
    assert_near(r.prev.mqls_per_period, 8.0 / 6, 1e-15);
    assert_near(r.prev.sqls_per_period, 1.0, 1e-15);
    double lo, hi;
    validate_wilson(6, 8, 1.959963984540054, &lo, &hi);
    assert_near(r.prev.conv_lo, lo, 1e-15);
    assert_near(r.prev.conv_hi, hi, 1e-15);
    assert_int_equal(r.cur.mqls, 7);
    assert_int_equal(r.cur.sqls, 4);
    assert_near(r.cur.recall, 4.0 / 7, 1e-15);
    static const int prev_score[] = {0, 10, 10, 20, 10, 20, 0, 10, 20, 10, 0, 10};
    static const int cur_score[] = {1, 1, 7, 7, 1, 7, 1, 7, 7, 7, 7, 1};
    for (size_t i = 0; i < 12; i++) {
        assert_int_equal(r.prev.score[i], prev_score[i]);
        assert_int_equal(r.cur.score[i], cur_score[i]);
    }
    /* flips */
    assert_int_equal(r.flips[1][1].leads, 6);
    assert_int_equal(r.flips[1][1].sqls, 4);
    assert_int_equal(r.flips[1][0].leads, 2);
    assert_int_equal(r.flips[1][0].sqls, 2);
    assert_int_equal(r.flips[0][1].leads, 1);
    assert_int_equal(r.flips[0][1].sqls, 0);
    assert_int_equal(r.flips[0][0].leads, 3);
    assert_int_equal(r.flips[0][0].sqls, 1);
    assert_near(r.flips[1][1].conversion, 4.0 / 6, 1e-15);
    /* curves: at the rule's own threshold they give its MQLs */
    assert_int_equal(r.cur.curve_mqls[6 - r.cur.min_score], 7);
    assert_int_equal(r.prev.curve_mqls[10 - r.prev.min_score], 8);
    assert_int_equal(r.prev.curve_sqls[20 - r.prev.min_score], 1); /* L04, L06, L09: L04 */
    /* points */
    assert_int_equal(r.npoints, 8);
    assert_int_equal(point(&r, "plan", "basic")->change, REVIEW_SAME);
    assert_int_equal(point(&r, "plan", "pro")->change, REVIEW_CHANGED);
    assert_int_equal(point(&r, "plan", "pro")->prev, 10);
    assert_int_equal(point(&r, "plan", "pro")->cur, 6);
    assert_int_equal(point(&r, "plan", "team")->change, REVIEW_ADDED);
    assert_int_equal(point(&r, "plan", "free")->change, REVIEW_SIGN_FLIP);
    assert_int_equal(point(&r, "region", "emea")->change, REVIEW_ADDED);
    assert_int_equal(point(&r, "visits", "1+")->change, REVIEW_REMOVED);
    assert_int_equal(point(&r, "visits", "1+")->prev_above, 10);
    /* attributes */
    assert_int_equal(r.nattrs, 3);
    const struct review_attr *plan = attr(&r, "plan"), *region = attr(&r, "region"),
                             *visits = attr(&r, "visits");
    assert_true(plan->in_prev && plan->in_cur && plan->in_data);
    assert_true(!region->in_prev && region->in_cur && !region->in_data);
    assert_true(visits->in_prev && !visits->in_cur && visits->in_data);
    assert_non_null(strstr(r.summary, "The data has no column 'region'"));
    /* stability */
    assert_true(r.has_spans);
    assert_string_equal(r.base_label, "2025-Q1");
    assert_string_equal(r.cur_label, "2025-Q2");
    assert_int_equal(r.base_n, 6);
    assert_int_equal(r.cur_n, 6);
    assert_near(r.cur.psi, -1.0 / 6 * log(2.0 / 3) + 1.0 / 6 * log(4.0 / 3), 1e-12);
    assert_int_equal(r.psi_band, REVIEW_INVESTIGATE);
    assert_int_equal(r.npsi_bins, 2);
    assert_int_equal(r.psi_bins[0].lo, 1);
    assert_int_equal(r.psi_bins[0].hi, 1);
    assert_int_equal(r.psi_bins[1].hi, 7);
    assert_near(r.prev.psi, 2 * (1.0 / 6) * log(2), 1e-12);
    assert_near(r.psi_rules, 2 * (0.5 / 12 - 0.25) * log((0.5 / 12) / 0.25) + 0.5 * log(2), 1e-12);
    assert_near(plan->csi,
                (-1.0 / 3) * log(1.0 / 3) + (-1.0 / 6) * log(2.0 / 3) +
                    (2.0 / 6 - 0.5 / 6) * log((2.0 / 6) / (0.5 / 6)) + (1.0 / 6 - 0.5 / 6) * log(2),
                1e-12);
    assert_int_equal(plan->csi_band, REVIEW_SHIFTED);
    assert_int_equal(plan->nbuckets, 4);
    assert_near(plan->new_share, 0.5, 1e-15);
    assert_string_equal(plan->new_value, "team");
    assert_near(plan->score_shift, 1.0, 1e-12);
    assert_near(visits->csi, 1.0 / 6 * log(1.5) - 1.0 / 6 * log(0.75), 1e-12);
    assert_near(visits->score_shift, -10.0 / 6, 1e-12);
    assert_true(isnan(region->csi));
    assert_true(r.flagged);
    assert_non_null(strstr(r.summary, "plan: the mix of values shifted"));
    assert_non_null(strstr(r.summary, "most often 'team'"));

    /* stored: every table, one review */
    struct mql_err err;
    mql_err_clear(&err);
    if (review_store(fx->db, &fx->cfg, &r, &err) != 0)
        fail_msg("review_store: %s", err.msg);
    struct store_table t;
    if (store_table_read(
            fx->db,
            "SELECT (SELECT count(*) FROM review_points WHERE review_id = r.review_id),"
            " (SELECT count(*) FROM review_flips WHERE review_id = r.review_id),"
            " (SELECT sum(leads) FROM review_flips WHERE review_id = r.review_id),"
            " (SELECT count(*) FROM review_periods WHERE review_id = r.review_id),"
            " (SELECT current_points FROM review_points WHERE review_id = r.review_id"
            "  AND attribute = 'visits' AND level = '1+'),"
            " (SELECT fit_min FROM review_rules WHERE review_id = r.review_id AND"
            "  rule = 'current'),"
            " r.psi, r.baseline FROM reviews r ORDER BY review_id DESC LIMIT 1",
            &t, &err) != 0)
        fail_msg("read: %s", err.msg);
    assert_int_equal(t.nrows, 1);
    assert_near(t.num[0], 8, 0);
    assert_near(t.num[1], 4, 0);
    assert_near(t.num[2], 12, 0);
    assert_near(t.num[3], 6, 0);
    assert_true(isnan(t.num[4])); /* removed: no current points, NULL */
    assert_true(isnan(t.num[5])); /* no fit minimum: NULL */
    assert_near(t.num[6], r.cur.psi, 1e-15);
    assert_string_equal(t.text[7], "2025-Q1");
    store_table_release(&t);
    review_release(&r);
}

/* A rule file reviewed against itself: no flips, PSI between the rules 0, no changes. */
static void test_self_review(void **state)
{
    struct fixture *fx = *state;
    struct review_result r;
    run_review(fx, TEST_DATA_DIR "/review/previous.json", TEST_DATA_DIR "/review/previous.json",
               &r);
    assert_int_equal(r.flips[0][1].leads, 0);
    assert_int_equal(r.flips[1][0].leads, 0);
    assert_int_equal(r.flips[1][1].leads, r.prev.mqls);
    assert_near(r.psi_rules, 0, 0);
    assert_near(r.prev.psi, r.cur.psi, 0);
    for (size_t i = 0; i < r.npoints; i++)
        assert_int_equal(r.points[i].change, REVIEW_SAME);
    assert_non_null(strstr(r.summary, "No lead changes MQL status"));
    assert_non_null(strstr(r.summary, "The points are the same"));
    review_release(&r);
}

/* Spans from the config; none when they hold no leads; errors. */
static void test_spans_and_errors(void **state)
{
    struct fixture *fx = *state;
    struct review_result r;
    fx->cfg.has_review_baseline = fx->cfg.has_review_current = 1;
    fx->cfg.review_baseline[0] = text_days_from_civil(2025, 1, 1);
    fx->cfg.review_baseline[1] = text_days_from_civil(2025, 2, 28);
    fx->cfg.review_current[0] = text_days_from_civil(2025, 5, 1);
    fx->cfg.review_current[1] = text_days_from_civil(2025, 6, 30);
    run_review(fx, TEST_DATA_DIR "/review/previous.json", NULL, &r);
    assert_string_equal(r.base_label, "2025-01-01..2025-02-28");
    assert_int_equal(r.base_n, 4);
    assert_int_equal(r.cur_n, 4);
    assert_non_null(strstr(r.cur.source, "store"));
    review_release(&r);
    fx->cfg.review_current[0] = text_days_from_civil(2030, 1, 1);
    fx->cfg.review_current[1] = text_days_from_civil(2030, 3, 31);
    run_review(fx, TEST_DATA_DIR "/review/previous.json", NULL, &r);
    assert_false(r.has_spans);
    assert_non_null(strstr(r.span_note, "needs leads in both"));
    assert_true(isnan(r.cur.psi));
    review_release(&r);
    fx->cfg.has_review_baseline = fx->cfg.has_review_current = 0;

    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(
        review_run(fx->db, &fx->cfg, TEST_DATA_DIR "/review/nope.json", NULL, &r, &err),
        MQL_EINPUT);
    assert_err_contains(&err, "previous rule");
    review_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psi_by_hand),
        cmocka_unit_test(test_rules_on_history),
        cmocka_unit_test(test_self_review),
        cmocka_unit_test(test_spans_and_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
