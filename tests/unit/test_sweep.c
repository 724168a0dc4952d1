/* Unit tests for include/mqlcal/sweep.h on the hand-computed fixture of tests/cli/test_sweep.sh
 * (the same 24 leads; the working is in that file's comments): a real ingest and fit into a
 * temporary store, then the scores overwritten with hand-chosen ones, then sweep_compute. These
 * check what the store does not show: the per-lead arrays (periods, disqualifier flags,
 * sweep_is_mql), the grid's fit minimums, and the nearest rules when none is feasible.
 *
 *   lead month score fit sql holdout          lead month score fit sql holdout
 *   L01  Jan   15    8   1   0                L13  Feb   11    5   0   1
 *   L02  Jan   14    3   1   0                L14  Feb   10    5   0   1
 *   L03  Jan   13    8   0   0                L15  Feb   12    5   0   1   plan legacy
 *   L04  Jan   12    3   0   0                L16  Apr   14    5   1   1
 *   L05  Jan   11    5   1   0                L17  Apr   13    8   1   1
 *   L06  Jan   10    3   0   0                L18  Apr   13    3   0   1
 *   L07  Jan   10    5   0   0                L19  Apr   12    5   0   1
 *   L08  Jan   15    9   1   0   student      L20  Apr   11    8   1   1
 *   L09  Feb   15    5   1   1                L21  Apr   10    3   0   1
 *   L10  Feb   14    8   0   1                L22  Apr   10    8   0   1
 *   L11  Feb   13    3   1   1                L23  Apr   10    5   1   1   STUDENT, legacy
 *   L12  Feb   12    8   1   1                L24  Apr   15    8   0   1
 *
 * Rules: disqualify = job:student, plan: Legacy (L08 and L23 by the first, L15 by the second).
 *
 * The rule is chosen on the training leads (holdout 0: the January ones) and its volumes are
 * the recent level: the latest 3 whole months, Feb, Mar (no lead) and Apr, of every lead. The
 * tests that check a selection on all leads (the infeasible cases, the p90 rule) use a second
 * store whose holdout is empty (struct fixture's nohold_path): every lead is a training one.
 */
#include "testutil.h"

#include "sweep_fixture.h"

#include <math.h>

#include "mqlcal/config.h"
#include "mqlcal/fit.h"
#include "mqlcal/ingest.h"
#include "mqlcal/period.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"

static const char csv_text[] = "lead_id,created_at,job,plan,became_sql\n"
                               "L01,2025-01-03,manager,basic,1\n"
                               "L02,2025-01-09,manager,pro,1\n"
                               "L03,2025-01-15,manager,basic,0\n"
                               "L04,2025-01-20,manager,pro,0\n"
                               "L05,2025-01-24,manager,basic,1\n"
                               "L06,2025-01-28,manager,pro,0\n"
                               "L07,2025-01-31,manager,basic,0\n"
                               "L08,2025-01-02,student,basic,1\n"
                               "L09,2025-02-01,manager,pro,1\n"
                               "L10,2025-02-05,manager,basic,0\n"
                               "L11,2025-02-10,manager,pro,1\n"
                               "L12,2025-02-14,manager,basic,1\n"
                               "L13,2025-02-19,manager,pro,0\n"
                               "L14,2025-02-24,manager,basic,0\n"
                               "L15,2025-02-28,manager,legacy,0\n"
                               "L16,2025-04-01,manager,pro,1\n"
                               "L17,2025-04-07,manager,basic,1\n"
                               "L18,2025-04-11,manager,pro,0\n"
                               "L19,2025-04-16,manager,basic,0\n"
                               "L20,2025-04-21,manager,pro,1\n"
                               "L21,2025-04-25,manager,basic,0\n"
                               "L22,2025-04-28,manager,pro,0\n"
                               "L23,2025-04-29,STUDENT,legacy,1\n"
                               "L24,2025-04-30,manager,basic,0\n";

/* outcome and holdout of L01 .. L24 (their scores: sweep_fixture.h) */
static const int fx_sql[NLEADS] = {1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1,
                                   0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0};
static const int fx_holdout[NLEADS] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
                                       1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

#define CONFIG_HEAD "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\n"

#define CONFIG_REST                                                                                \
    "[attributes]\nplan = categorical, fit\n"                                                      \
    "[rules]\ndisqualify = job:student, plan: Legacy\n"                                            \
    "[model]\nholdout = none\nmin_level_count = 1\n"                                               \
    "[calibration]\n"

struct fixture {
    char dir[256];
    char db_path[512];     /* the holdout of fx_holdout */
    char nohold_path[512]; /* no holdout: the rule is chosen on all leads */
};

static void load_config(const struct fixture *fx, const char *name, const char *calibration,
                        int dates, struct config *cfg)
{
    char text[1024], path[512];
    snprintf(text, sizeof text, "%s%s%s%s", CONFIG_HEAD, dates ? "date = created_at\n" : "",
             CONFIG_REST, calibration);
    tu_write_text(fx->dir, name, text, path, sizeof path);
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(path, cfg, &err) != 0)
        fail_msg("config_load: %s", err.msg);
}

static void ingest(const struct config *cfg, const char *db_path)
{
    struct ingest_opts opts = {.db_path = db_path};
    struct ingest_stats stats;
    struct mql_err err;
    mql_err_clear(&err);
    if (ingest_run(cfg, &opts, &stats, &err) != 0)
        fail_msg("ingest_run: %s", err.msg);
    assert_int_equal(stats.loaded, NLEADS);
}

/* Fits, then writes the hand scores over the fit's (and fx_holdout, or no holdout). */
static void fit_and_rescore(sqlite3 *db, const struct config *cfg, int with_holdout)
{
    struct fit_result fr;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = fit_run(db, cfg, &fr, &err);
    long long fit_id = fr.fit_id;
    fit_release(&fr);
    if (rc)
        fail_msg("fit_run: %s", err.msg);
    /* the arrays the sweep reads (leads in id order: L01 .. L24), and the scores table */
    unsigned char holdout[NLEADS];
    for (int i = 0; i < NLEADS; i++)
        holdout[i] = (unsigned char)(with_holdout && fx_holdout[i]);
    if (store_array_put(db, fit_id, "fit:score", STORE_I32, fx_score, NLEADS, NULL, 0, &err) ||
        store_array_put(db, fit_id, "fit:fit_score", STORE_I32, fx_fit, NLEADS, NULL, 0, &err) ||
        store_array_put(db, fit_id, "fit:holdout", STORE_U8, holdout, NLEADS, NULL, 0, &err))
        fail_msg("store_array_put: %s", err.msg);
    for (int i = 0; i < NLEADS; i++) {
        char q[256];
        snprintf(q, sizeof q,
                 "UPDATE scores SET score = %d, fit_score = %d, holdout = %d WHERE _id = 'L%02d'",
                 fx_score[i], fx_fit[i], holdout[i], i + 1);
        mql_err_clear(&err);
        if (store_exec(db, q, &err) != 0)
            fail_msg("store_exec: %s", err.msg);
        assert_int_equal(sqlite3_changes(db), 1);
    }
}

/* Group set-up: one store with the fixture ingested, fitted and rescored. */
static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    tu_mkdtemp(fx->dir, sizeof fx->dir);
    char path[512];
    tu_write_text(fx->dir, "leads.csv", csv_text, path, sizeof path);
    tu_path(fx->db_path, sizeof fx->db_path, fx->dir, "store.db");
    struct config cfg;
    load_config(fx, "setup.ini", "", 1, &cfg);
    ingest(&cfg, fx->db_path);
    sqlite3 *db = tu_open_store(fx->db_path);
    fit_and_rescore(db, &cfg, 1);
    store_close(db);
    tu_path(fx->nohold_path, sizeof fx->nohold_path, fx->dir, "nohold.db");
    ingest(&cfg, fx->nohold_path);
    db = tu_open_store(fx->nohold_path);
    fit_and_rescore(db, &cfg, 0);
    store_close(db);
    config_release(&cfg);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    tu_rmrf(fx->dir);
    free(fx);
    return 0;
}

/* sweep_compute with the given [calibration] body on a store; fails the test when it fails. */
static void compute_on(const char *db_path, const struct fixture *fx, const char *calibration,
                       struct config *cfg, struct sweep_result *res)
{
    load_config(fx, "c.ini", calibration, 1, cfg);
    sqlite3 *db = tu_open_store(db_path);
    struct mql_err err;
    mql_err_clear(&err);
    int rc = sweep_compute(db, cfg, res, &err);
    store_close(db);
    if (rc) {
        sweep_release(res);
        config_release(cfg);
        fail_msg("sweep_compute (%d): %s", rc, err.msg);
    }
}

static void compute(const struct fixture *fx, const char *calibration, struct config *cfg,
                    struct sweep_result *res)
{
    compute_on(fx->db_path, fx, calibration, cfg, res);
}

/* The row of the grid at (threshold, fit minimum), or NULL. */
static const struct sweep_row *grid_at(const struct sweep_result *res, int threshold, int fit_min)
{
    for (size_t i = 0; i < res->ngrid; i++)
        if (res->grid[i].threshold == threshold && res->grid[i].fit_min == fit_min)
            return &res->grid[i];
    return NULL;
}

/* Capacity 3 (the mean of the latest 3 months), target 0.55, chosen on January's 7 training
 * leads (L08 is disqualified):
 *   L01 15/8 SQL, L02 14/3 SQL, L03 13/8, L04 12/3, L05 11/5 SQL, L06 10/3, L07 10/5.
 * Three training SQLs need 11 points and no fit minimum: 3 of 5 convert (0.6), but Feb + Apr
 * hold 11 such MQLs, 11/3 a month > 3. Two SQLs: 14 points, none (L01, L02: 2 of 2, 4 recent
 * MQLs, L09 L10 L16 L24: 4/3 a month) beats 11 points with fit >= 5 (L01 L03 L05: 2 of 3) on
 * conversion. On all leads 14 points gives L01 L02 L09 L10 L16 L24: 6 MQLs, 4 SQLs; on the
 * holdout L09 L10 L16 L24: 4 MQLs, 2 SQLs. */
static void test_recommended(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result res;
    compute(fx, "capacity = 3\ncapacity_rule = mean\ntarget_conversion = 0.55\nbootstrap = 0\n",
            &cfg, &res);

    assert_int_equal(res.data.n, NLEADS);
    assert_null(res.data.lead_id);     /* read from the fit's arrays: no ids, no lines */
    for (int i = 0; i < NLEADS; i++) { /* rows in lead id order */
        assert_int_equal(res.data.y[i], fx_sql[i]);
        assert_int_equal(res.score[i], fx_score[i]);
        assert_int_equal(res.fit_score[i], fx_fit[i]);
        assert_int_equal(res.in_holdout[i], fx_holdout[i]);
    }
    assert_int_equal(res.min_score, 10);
    assert_int_equal(res.max_score, 15);

    /* periods: Jan = 0, Feb = 1, (Mar = 2, no lead), Apr = 3 */
    assert_int_equal(res.nperiods, 4);
    assert_int_equal(res.period0, 2025 * 12 + 0);
    assert_int_equal(res.period0, period_index(res.data.day[0], PERIOD_MONTH));
    for (int i = 0; i < NLEADS; i++)
        assert_int_equal(res.period[i], i < 8 ? 0 : i < 15 ? 1 : 3);
    assert_int_equal(res.all.nperiods, 4);
    assert_int_equal(res.holdout.nperiods, 3); /* Feb .. Apr */
    assert_int_equal(res.all.leads, 24);
    assert_int_equal(res.all.sqls, 11);
    assert_int_equal(res.holdout.leads, 16);
    assert_int_equal(res.holdout.sqls, 7);
    assert_int_equal(res.all.nrows, 6);
    assert_int_equal(res.holdout.nrows, 6);
    for (size_t t = 0; t < 6; t++) {
        assert_int_equal(res.all.rows[t].threshold, 10 + (int)t);
        assert_int_equal(res.all.rows[t].fit_min, SWEEP_NO_FIT_MIN);
    }

    /* disqualifiers: the first rule that matches wins (L23 is STUDENT and legacy) */
    assert_int_equal(res.ndq, 2);
    assert_string_equal(res.dq[0].rule, "job:student");
    assert_string_equal(res.dq[1].column, "plan");
    assert_string_equal(res.dq[1].value, "Legacy");
    for (int i = 0; i < NLEADS; i++) {
        int want = (i == 7 || i == 22) ? 1 : i == 14 ? 2 : 0;
        if (res.dq_flag[i] != want)
            fail_msg("L%02d: dq_flag %d, want %d", i + 1, res.dq_flag[i], want);
    }
    assert_int_equal(res.dq[0].leads, 2);
    assert_int_equal(res.dq[0].sqls, 2);
    assert_int_equal(res.dq[0].mqls_blocked, 1); /* L08, 15 points */
    assert_int_equal(res.dq[0].sqls_blocked, 1);
    assert_int_equal(res.dq[1].leads, 1);
    assert_int_equal(res.dq[1].sqls, 0);
    assert_int_equal(res.dq[1].mqls_blocked, 0); /* L15 has 12 points, under 14 */
    assert_int_equal(res.dq[1].sqls_blocked, 0);

    /* the grid: none, 5, 8 (3 is the lowest fit score: the same as none; 9 is L08's, who is
     * disqualified), each over thresholds 10 .. 15 */
    assert_int_equal(res.nfit_mins, 3);
    assert_int_equal(res.fit_mins[0], SWEEP_NO_FIT_MIN);
    assert_int_equal(res.fit_mins[1], 5);
    assert_int_equal(res.fit_mins[2], 8);
    assert_int_equal(res.ngrid, 18);
    /* the grid's volumes count every lead, its conversion the training leads only */
    const struct sweep_row *g = grid_at(&res, 11, 5);
    assert_non_null(g);
    assert_int_equal(g->mqls, 12); /* Jan 3, Feb 4, Mar 0, Apr 5 */
    assert_int_equal(g->decided, 3);
    assert_int_equal(g->sqls, 2);
    assert_true(g->vol_mean == 3.0);
    assert_true(g->vol_max == 5.0);
    assert_near(g->vol_p90, 4.7, 1e-12);
    assert_true(g->vol_recent == 3.0); /* (4 + 0 + 5) / 3 */
    assert_true(g->vol_cap == 3.0);
    assert_int_equal(g->whole, 4);
    assert_int_equal(g->over, 2); /* Feb 4 and Apr 5 exceed 3 */
    assert_true(g->feasible);
    g = grid_at(&res, 12, SWEEP_NO_FIT_MIN);
    assert_non_null(g);
    assert_int_equal(g->mqls, 13);
    assert_near(g->vol_cap, 3.0, 1e-15); /* Feb 4, Apr 5 */
    assert_false(g->feasible);           /* training conversion 2/4 < 0.55 */
    g = grid_at(&res, 11, SWEEP_NO_FIT_MIN);
    assert_non_null(g);
    assert_near(g->conversion, 0.6, 1e-15);
    assert_near(g->vol_cap, 11.0 / 3.0, 1e-15);
    assert_false(g->feasible); /* 11/3 a month > 3 */
    g = grid_at(&res, 13, 8);
    assert_non_null(g);
    assert_int_equal(g->mqls, 5);
    assert_int_equal(g->sqls, 1); /* L01 of L01, L03 */
    assert_false(g->feasible);    /* conversion 0.5 < 0.55 */

    /* the recommendation */
    assert_true(res.has_rec);
    assert_int_equal(res.rec.threshold, 14);
    assert_int_equal(res.rec.fit_min, SWEEP_NO_FIT_MIN);
    assert_int_equal(res.rec_train.decided, 2);
    assert_int_equal(res.rec_train.sqls, 2);
    assert_true(res.rec_train.conversion == 1.0);
    assert_int_equal(res.rec.mqls, 6);
    assert_int_equal(res.rec.sqls, 4);
    assert_near(res.rec.conversion, 4.0 / 6.0, 1e-15);
    assert_near(res.rec.recall, 4.0 / 11.0, 1e-15);
    assert_string_equal(res.binding, "");
    assert_int_equal(res.rec_holdout.mqls, 4);
    assert_int_equal(res.rec_holdout.sqls, 2);
    /* what it promises rests on the holdout's 4 MQLs: too little evidence, said first */
    assert_int_equal(res.expect.basis, SWEEP_BASIS_HOLDOUT);
    assert_int_equal(res.expect.basis_mqls, 4);
    assert_true(res.expect.conversion == 0.5);
    assert_int_equal(res.expect.horizon, 3);
    assert_int_equal(res.expect.recent, 3);
    assert_false(res.expect.growth_measured); /* one block of 3 months */
    assert_near(res.expect.mqls, 4.0 / 3.0, 1e-12);
    assert_true(strncmp(res.reasoning, "Too little evidence", 19) == 0);
    assert_true(strncmp(res.warnings, "Too little evidence", 19) == 0);

    /* sweep_is_mql: not disqualified, score >= 14 */
    size_t n_mql = 0;
    for (int i = 0; i < NLEADS; i++) {
        int dq = i == 7 || i == 14 || i == 22;
        int want = !dq && fx_score[i] >= 14;
        if (sweep_is_mql(&res, (size_t)i) != want)
            fail_msg("L%02d: sweep_is_mql %d, want %d", i + 1, sweep_is_mql(&res, (size_t)i), want);
        n_mql += (size_t)want;
    }
    assert_int_equal(n_mql, 6);
    sweep_release(&res);
    config_release(&cfg);
}

/* On all leads (no holdout), target 0.9 (no rule converts above 2/3): no recommendation,
 * binding target; the best conversion within capacity is 2/3, tied between none at 15 and 14
 * and fit >= 5 at 15: the most SQLs wins, none at 14 (4 recent MQLs: 4/3 a month). No rule
 * reaches the target: no nearest rule on that side. */
static void test_infeasible_target(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result res;
    compute_on(fx->nohold_path, fx,
               "capacity = 3\ncapacity_rule = mean\ntarget_conversion = 0.9\nbootstrap = 0\n", &cfg,
               &res);
    assert_false(res.has_rec);
    assert_string_equal(res.binding, "target");
    assert_true(res.has_near_capacity);
    assert_int_equal(res.near_capacity.threshold, 14);
    assert_int_equal(res.near_capacity.fit_min, SWEEP_NO_FIT_MIN);
    assert_int_equal(res.near_capacity.sqls, 4);
    assert_false(res.has_near_target);
    for (size_t r = 0; r < NLEADS; r++)
        assert_false(sweep_is_mql(&res, r));
    for (size_t q = 0; q < res.ndq; q++) {
        assert_int_equal(res.dq[q].mqls_blocked, 0);
        assert_int_equal(res.dq[q].sqls_blocked, 0);
    }
    sweep_release(&res);
    config_release(&cfg);
}

/* On all leads, capacity 0.6 (the mean of the latest 3 months), target 0.6: within capacity
 * only fit >= 8 at 15 (L24 lately: 1/3 a month; conversion L01 L24 1/2); the lowest volume
 * that reaches 0.6 is 2/3 a month (L09, L24), at none 15 and at fit >= 5 at 15 (the same three
 * leads, 2 of 3 convert): the higher fit minimum. Binding 'both'. */
static void test_infeasible_both(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result res;
    compute_on(fx->nohold_path, fx,
               "capacity = 0.6\ncapacity_rule = mean\ntarget_conversion = 0.6\nbootstrap = 0\n",
               &cfg, &res);
    assert_false(res.has_rec);
    assert_string_equal(res.binding, "both");
    assert_true(res.has_near_capacity);
    assert_int_equal(res.near_capacity.threshold, 15);
    assert_int_equal(res.near_capacity.fit_min, 8);
    assert_true(res.has_near_target);
    assert_int_equal(res.near_target.threshold, 15);
    assert_int_equal(res.near_target.fit_min, 5);
    assert_true(res.near_target.vol_mean == 0.75); /* over all 4 months */
    assert_near(res.near_target.vol_cap, 2.0 / 3.0, 1e-15);
    sweep_release(&res);
    config_release(&cfg);
}

/* On all leads, capacity_rule = p90, capacity 5, no target: the p90 of the latest 3 months
 * (Feb, Mar with none, Apr; type 7: a + 0.8 (b - a) of 0 <= a <= b) must be at most 5. The
 * most SQLs, 9, need 11 points, none: Feb 5, Apr 6, p90 5.8. Seven SQLs: none at 12 (Feb 4,
 * Apr 5: p90 4.8, 7 of 13) and fit >= 5 at 11 (Feb 4, Apr 5: 4.8, 7 of 12): the higher
 * conversion. Every feasible flag of the grid follows the rule. */
static void test_p90_rule(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result res;
    compute_on(fx->nohold_path, fx, "capacity = 5\ncapacity_rule = p90\nbootstrap = 0\n", &cfg,
               &res);
    assert_true(res.has_rec);
    assert_int_equal(res.rec.threshold, 11);
    assert_int_equal(res.rec.fit_min, 5);
    assert_int_equal(res.rec.sqls, 7);
    assert_near(res.rec_train.vol_cap, 4.8, 1e-12);
    assert_near(res.rec.vol_p90, 4.7, 1e-12); /* over all 4 months: 0, 3, 4, 5 */
    assert_int_equal(res.expect.basis, SWEEP_BASIS_IN_SAMPLE);
    const struct sweep_row *g = grid_at(&res, 11, SWEEP_NO_FIT_MIN);
    assert_near(g->vol_cap, 5.8, 1e-12);
    assert_false(g->feasible);
    for (size_t i = 0; i < res.ngrid; i++) {
        g = &res.grid[i];
        int want = g->mqls > 0 && g->vol_cap <= 5.0;
        if (g->feasible != want)
            fail_msg("grid (%d, %d): feasible %d, want %d (capacity statistic %g)", g->threshold,
                     g->fit_min, g->feasible, want, g->vol_cap);
    }
    sweep_release(&res);
    config_release(&cfg);
}

/* capacity_rule = max: the busiest of the latest 3 months; capacity 5 allows none at 12 (Feb 4,
 * Apr 5) and fit >= 5 at 11 (the same), not none at 11 (Apr 6). */
static void test_max_rule(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result res;
    compute_on(fx->nohold_path, fx, "capacity = 5\ncapacity_rule = max\nbootstrap = 0\n", &cfg,
               &res);
    assert_true(res.has_rec);
    assert_int_equal(res.rec.threshold, 11);
    assert_int_equal(res.rec.fit_min, 5);
    assert_true(res.rec_train.vol_cap == 5.0);
    const struct sweep_row *g = grid_at(&res, 11, SWEEP_NO_FIT_MIN);
    assert_true(g->vol_cap == 6.0);
    assert_false(g->feasible);
    sweep_release(&res);
    config_release(&cfg);
}

/* Bootstrap bands: the same seed gives the same bands; lo <= hi; the holdout has none. The
 * chance of meeting capacity and target (forecast.h's draws, seeded) is the same too. */
static void test_bootstrap_seed(void **state)
{
    const struct fixture *fx = *state;
    struct config cfg;
    struct sweep_result a, b;
    compute(fx, "capacity = 3\ntarget_conversion = 0.55\nbootstrap = 300\nseed = 11\n", &cfg, &a);
    config_release(&cfg);
    compute(fx, "capacity = 3\ntarget_conversion = 0.55\nbootstrap = 300\nseed = 11\n", &cfg, &b);
    assert_int_equal(a.bootstrap, 300);
    assert_true(a.has_rec);
    assert_true(a.expect.feasible_share == b.expect.feasible_share);
    assert_true(a.expect.feasible_share >= 0 && a.expect.feasible_share <= 1);
    for (size_t t = 0; t < a.all.nrows; t++) {
        assert_true(a.all.rows[t].band_conv_lo == b.all.rows[t].band_conv_lo);
        assert_true(a.all.rows[t].band_vol_hi == b.all.rows[t].band_vol_hi);
        assert_true(a.all.rows[t].band_conv_lo <= a.all.rows[t].band_conv_hi);
        assert_true(a.all.rows[t].band_vol_lo <= a.all.rows[t].band_vol_hi);
        assert_true(isnan(a.holdout.rows[t].band_conv_lo));
    }
    sweep_release(&a);
    sweep_release(&b);
    config_release(&cfg);
}

/* A store with leads but no fit: MQL_EINPUT, "run 'mqlcal fit' first". */
static void test_no_fit(void **state)
{
    const struct fixture *fx = *state;
    char db_path[512];
    tu_path(db_path, sizeof db_path, fx->dir, "nofit.db");
    struct config cfg;
    load_config(fx, "nofit.ini", "", 1, &cfg);
    ingest(&cfg, db_path);
    sqlite3 *db = tu_open_store(db_path);
    struct sweep_result res;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(sweep_compute(db, &cfg, &res, &err), MQL_EINPUT);
    assert_err_contains(&err, "run 'mqlcal fit' first");
    sweep_release(&res);
    store_close(db);
    config_release(&cfg);
}

/* No date column: one period; every volume is the MQL count. */
static void test_no_dates(void **state)
{
    const struct fixture *fx = *state;
    char db_path[512];
    tu_path(db_path, sizeof db_path, fx->dir, "nodate.db");
    struct config cfg;
    load_config(fx, "nodate.ini", "bootstrap = 0\n", 0, &cfg);
    ingest(&cfg, db_path);
    sqlite3 *db = tu_open_store(db_path);
    fit_and_rescore(db, &cfg, 1);
    struct sweep_result res;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = sweep_compute(db, &cfg, &res, &err);
    store_close(db);
    if (rc)
        fail_msg("sweep_compute: %s", err.msg);
    assert_int_equal(res.nperiods, 1);
    assert_int_equal(res.all.nperiods, 1);
    for (size_t t = 0; t < res.all.nrows; t++) {
        const struct sweep_row *r = &res.all.rows[t];
        assert_true(r->vol_mean == (double)r->mqls);
        assert_true(r->vol_max == (double)r->mqls);
        assert_true(r->vol_p90 == (double)r->mqls);
    }
    for (size_t i = 0; i < NLEADS; i++)
        assert_int_equal(res.period[i], 0);
    sweep_release(&res);
    config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recommended),     cmocka_unit_test(test_infeasible_target),
        cmocka_unit_test(test_infeasible_both), cmocka_unit_test(test_p90_rule),
        cmocka_unit_test(test_max_rule),        cmocka_unit_test(test_bootstrap_seed),
        cmocka_unit_test(test_no_fit),          cmocka_unit_test(test_no_dates),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
