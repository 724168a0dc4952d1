/* Unit tests for include/mqlcal/encode.h on hand-built data (struct data filled directly). */
#include "testutil.h"

#include <math.h>

#include "mqlcal/encode.h"

#define M DATA_MISSING
#define NA NAN

/* ---- building data by hand ---- */

/* One attribute's column and the config entry it points at. */
struct colspec {
    const char *name;
    enum attr_kind kind;
    enum attr_group group;
    /* categorical: the dictionary (sorted) and an id per row */
    const char *const *values;
    size_t nvalues;
    const uint32_t *ids;
    /* count / numeric: a number per row (NaN missing), and the configured edges */
    const double *num;
    const double *bins;
    size_t nbins;
};

/* A struct data with its config, owning every array. */
struct fixture {
    struct data d;
    struct config cfg;
    struct config_attr *ca;
    unsigned char *train;
};

static void fixture_build(struct fixture *f, size_t n, const unsigned char *y,
                          const unsigned char *train, const struct colspec *cs, size_t ncols,
                          int min_level_count, int quantiles)
{
    memset(f, 0, sizeof *f);
    f->d.n = n;
    f->d.y = malloc(n);
    f->d.day = malloc(n * sizeof *f->d.day);
    f->train = malloc(n);
    f->ca = calloc(ncols, sizeof *f->ca);
    f->d.attrs = calloc(ncols, sizeof *f->d.attrs);
    assert_true(f->d.y && f->d.day && f->train && f->ca && f->d.attrs);
    memcpy(f->d.y, y, n);
    memcpy(f->train, train, n);
    for (size_t r = 0; r < n; r++)
        f->d.day[r] = INT32_MIN;
    f->d.nattrs = ncols;
    for (size_t i = 0; i < ncols; i++) {
        struct config_attr *ca = &f->ca[i];
        struct data_column *c = &f->d.attrs[i];
        ca->column = (char *)cs[i].name;
        ca->kind = cs[i].kind;
        ca->group = cs[i].group;
        ca->bins = (double *)cs[i].bins;
        ca->nbins = cs[i].nbins;
        c->attr = ca;
        c->name = (char *)cs[i].name;
        c->categorical = cs[i].kind == ATTR_CATEGORICAL;
        if (c->categorical) {
            for (size_t v = 1; v < cs[i].nvalues; v++)
                assert_true(strcmp(cs[i].values[v - 1], cs[i].values[v]) < 0);
            c->values = (char **)cs[i].values;
            c->nvalues = cs[i].nvalues;
            c->ids = (uint32_t *)cs[i].ids;
        } else {
            c->num = (double *)cs[i].num;
        }
    }
    f->cfg.attrs = f->ca;
    f->cfg.nattrs = ncols;
    f->cfg.min_level_count = min_level_count;
    f->cfg.quantiles = quantiles;
}

static void fixture_free(struct fixture *f)
{
    free(f->d.y);
    free(f->d.day);
    free(f->d.attrs);
    free(f->ca);
    free(f->train);
    memset(f, 0, sizeof *f);
}

static void encode_ok(const struct fixture *f, struct encoding *enc)
{
    struct mql_err err;
    mql_err_clear(&err);
    int rc = encode_build(&f->d, &f->cfg, f->train, enc, &err);
    if (rc)
        fail_msg("encode_build failed (%d): %s", rc, err.msg);
}

/* Checks level l of a: label, training count and positives, design column. */
static void tu_check_level(const struct encode_attr *a, size_t l, const char *label, size_t count,
                           size_t positives, int column, const char *file, int line)
{
    if (l >= a->nlevels) {
        print_error("attribute '%s': level %zu of %zu\n", a->name, l, a->nlevels);
        _fail(file, line);
        return;
    }
    const struct encode_level *lv = &a->levels[l];
    if (strcmp(lv->label, label) != 0 || lv->count != count || lv->positives != positives ||
        lv->column != column) {
        print_error("attribute '%s' level %zu: got '%s' count %zu positives %zu column %d, want "
                    "'%s' %zu %zu %d\n",
                    a->name, l, lv->label, lv->count, lv->positives, lv->column, label, count,
                    positives, column);
        _fail(file, line);
    }
}
#define check_level(a, l, label, count, pos, column)                                               \
    tu_check_level((a), (l), (label), (count), (pos), (column), __FILE__, __LINE__)

/* Checks bin l's bounds [lo, hi). */
static void check_bin(const struct encode_attr *a, size_t l, double lo, double hi)
{
    assert_true(l < a->nlevels);
    assert_true(a->levels[l].lo == lo);
    assert_true(a->levels[l].hi == hi);
    assert_false(a->levels[l].is_missing);
    assert_false(a->levels[l].is_other);
}

/*
 * ---- the main fixture: 20 leads, 17 of them training ----
 *
 * job (categorical, fit), dictionary sorted:
 *   0 analyst  1 ceo  2 cfo  3 director  4 manager  5 staff  6 unseen
 * const (categorical): "same" in every training lead, "zzz" only outside training
 * views (count, bins 1 2 4): (-inf,1) "0", [1,2) "1", [2,4) "2-3", [4,inf) "4+"
 * time (numeric, bins 60 300 900): "< 60", "[60, 300)", "[300, 900)", ">= 900"
 * Rows 5, 11 and 17 are not training rows.
 */
enum { J_ANA, J_CEO, J_CFO, J_DIR, J_MGR, J_STF, J_UNS };
static const char *const job_values[] = {"analyst", "ceo",   "cfo",   "director",
                                         "manager", "staff", "unseen"};
static const char *const const_values[] = {"same", "zzz"};
static const double views_bins[] = {1, 2, 4};
static const double time_bins[] = {60, 300, 900};

#define NROWS 20
static const unsigned char main_train[NROWS] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1,
                                                1, 0, 1, 1, 1, 1, 1, 0, 1, 1};
static const unsigned char main_y[NROWS] = {1, 0, 1, 0, 1, 1, 0, 1, 0, 0,
                                            1, 1, 0, 1, 0, 1, 0, 0, 0, 0};
static const uint32_t main_job[NROWS] = {J_DIR, J_MGR, J_ANA, J_STF, J_MGR, J_UNS, J_DIR,
                                         J_CFO, M,     J_MGR, J_DIR, J_MGR, J_CEO, J_STF,
                                         J_MGR, M,     J_DIR, M,     J_MGR, J_STF};
static const uint32_t main_const[NROWS] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                                           0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
static const double main_views[NROWS] = {0, 0,  0, 0,  1, 100, 1, 2, 3, 3,
                                         5, NA, 7, NA, 0, 1,   2, 0, 9, NA};
static const double main_time[NROWS] = {10, 59.9, 60,  100, 299, 60, 300, 899, 900,  1000,
                                        NA, NA,   150, 200, 250, 5,  400, -5,  2000, 61};

static void main_fixture(struct fixture *f, int min_level_count)
{
    const struct colspec cs[4] = {
        {"job", ATTR_CATEGORICAL, GROUP_FIT, job_values, 7, main_job, NULL, NULL, 0},
        {"const", ATTR_CATEGORICAL, GROUP_NONE, const_values, 2, main_const, NULL, NULL, 0},
        {"views", ATTR_COUNT, GROUP_ENGAGEMENT, NULL, 0, NULL, main_views, views_bins, 3},
        {"time", ATTR_NUMERIC, GROUP_ENGAGEMENT, NULL, 0, NULL, main_time, time_bins, 3},
    };
    fixture_build(f, NROWS, main_y, main_train, cs, 4, min_level_count, 5);
}

/*
 * job with min_level_count 3, training leads only:
 *   director 4 (rows 0 6 10 16, y 1 0 1 0: 2 positives)
 *   manager  5 (rows 1 4 9 14 18, y 0 1 0 0 0: 1)
 *   staff    3 (rows 3 13 19, y 0 1 0: 1)
 *   analyst 1 + ceo 1 + cfo 1 = 3 >= 3: "(other)" (rows 2 12 7, y 1 0 1: 2)
 *   missing  2 (rows 8 15, y 0 1: 1): fewer than 3, so missing joins the reference
 *   unseen   0 (row 5 only, not training)
 * Levels: the kept values in sorted order, then "(other)". The reference is manager (5 leads,
 * 7 with the missing ones); columns 1, 2, 3 go to director, staff, (other).
 */
static void test_categorical_levels(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    assert_int_equal(enc.nattrs, 4);
    const struct encode_attr *a = &enc.attrs[0];
    assert_string_equal(a->name, "job");
    assert_int_equal(a->kind, ATTR_CATEGORICAL);
    assert_int_equal(a->group, GROUP_FIT);
    assert_false(a->excluded);
    assert_int_equal(a->nlevels, 4);
    check_level(a, 0, "director", 4, 2, 1);
    check_level(a, 1, "manager", 7, 2, -1);
    check_level(a, 2, "staff", 3, 1, 2);
    check_level(a, 3, ENCODE_OTHER, 3, 2, 3);
    assert_true(a->levels[3].is_other && !a->levels[3].is_missing);
    for (size_t l = 0; l < 3; l++)
        assert_true(!a->levels[l].is_other && !a->levels[l].is_missing);
    for (size_t l = 0; l < a->nlevels; l++)
        assert_true(isnan(a->levels[l].lo) && isnan(a->levels[l].hi));
    assert_int_equal(a->reference, 1);
    assert_int_equal(a->missing_level, 1);
    assert_int_equal(a->unseen_level, 3);
    /* every value of the dictionary has a level: pooled and unseen ones go to "(other)" */
    assert_int_equal(a->nvalues, 7);
    static const uint16_t want[7] = {3, 3, 3, 0, 1, 2, 3};
    for (size_t v = 0; v < 7; v++)
        if (a->level_of_value[v] != want[v])
            fail_msg("value '%s': level %u, want %u", job_values[v], a->level_of_value[v], want[v]);
    /* the rows outside training: unseen -> (other), manager -> manager, missing */
    const struct data_column *col = &f.d.attrs[0];
    assert_int_equal(encode_level_of(a, col, 5), 3);
    assert_int_equal(encode_level_of(a, col, 11), 1);
    assert_int_equal(encode_level_of(a, col, 17), 1);
    assert_int_equal(encode_level_of(a, col, 2), 3);
    encode_release(&enc);
    fixture_free(&f);
}

/* With min_level_count 4, staff (3) pools too: the pool is 3 + 3 = 6 >= 4 leads, more than
 * manager's 5, so "(other)" is the reference; the 2 missing join it. */
static void test_categorical_pool_grows(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 4);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3);
    check_level(a, 0, "director", 4, 2, 1);
    check_level(a, 1, "manager", 5, 1, 2);
    check_level(a, 2, ENCODE_OTHER, 8, 4, -1);
    assert_int_equal(a->reference, 2);
    assert_int_equal(a->missing_level, 2);
    assert_int_equal(a->level_of_value[J_STF], 2);
    assert_int_equal(a->unseen_level, 2);
    encode_release(&enc);
    fixture_free(&f);
}

/*
 * A pool smaller than min_level_count joins the reference (min_level_count 3):
 *   a 1 (y 1), b 4 (y 0 0 0 1), c 3 (y 1 1 0), d 1 (y 1), e only outside training
 * Pool a + d = 2 < 3: no "(other)"; levels b, c; the reference b counts 4 + 2 = 6 leads and
 * 1 + 2 = 3 positives. Unseen e and a missing value (none in training) go to the reference.
 */
static void test_categorical_small_pool_joins_reference(void **state)
{
    (void)state;
    static const char *const values[] = {"a", "b", "c", "d", "e"};
    static const uint32_t ids[] = {1, 0, 2, 1, 3, 2, 1, 4, 2, 1, M};
    static const unsigned char y[] = {0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0};
    static const unsigned char train[] = {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0};
    const struct colspec cs = {"size", ATTR_CATEGORICAL, GROUP_FIT, values, 5, ids, NULL, NULL, 0};
    struct fixture f;
    fixture_build(&f, 11, y, train, &cs, 1, 3, 5);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 2);
    check_level(a, 0, "b", 6, 3, -1);
    check_level(a, 1, "c", 3, 2, 1);
    for (size_t l = 0; l < a->nlevels; l++)
        assert_false(a->levels[l].is_other || a->levels[l].is_missing);
    assert_int_equal(a->reference, 0);
    assert_int_equal(a->missing_level, 0);
    assert_int_equal(a->unseen_level, 0);
    static const uint16_t want[5] = {0, 0, 1, 0, 0};
    for (size_t v = 0; v < 5; v++)
        assert_int_equal(a->level_of_value[v], want[v]);
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 7), 0);  /* e, unseen */
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 10), 0); /* missing */
    assert_int_equal(enc.ncols, 2);
    encode_release(&enc);
    fixture_free(&f);
}

/* The reference is the most frequent level; on a tie the first in level order; "(missing)"
 * can be it. */
static void test_categorical_reference(void **state)
{
    (void)state;
    static const char *const values[] = {"x", "y"};
    /* x 3 (rows 1 4 7), y 3 (rows 0 3 6), missing 3 (rows 2 5 8): a tie, the first level */
    static const uint32_t tie[] = {1, 0, M, 1, 0, M, 1, 0, M};
    static const unsigned char y[] = {1, 0, 1, 0, 1, 0, 1, 1, 0};
    static const unsigned char train[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    struct colspec cs = {"tie", ATTR_CATEGORICAL, GROUP_NONE, values, 2, tie, NULL, NULL, 0};
    struct fixture f;
    fixture_build(&f, 9, y, train, &cs, 1, 2, 5);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3);
    assert_int_equal(a->reference, 0);
    check_level(a, 0, "x", 3, 2, -1);
    check_level(a, 1, "y", 3, 2, 1);
    check_level(a, 2, ENCODE_MISSING, 3, 1, 2);
    encode_release(&enc);
    fixture_free(&f);

    /* x 2 (rows 1 5), y 3 (rows 2 4 7), missing 4 (rows 0 3 6 8): the missing level is the
     * reference */
    static const uint32_t miss[] = {M, 0, 1, M, 1, 0, M, 1, M};
    cs.ids = miss;
    cs.name = "miss";
    fixture_build(&f, 9, y, train, &cs, 1, 2, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3);
    assert_int_equal(a->reference, 2);
    assert_int_equal(a->missing_level, 2);
    check_level(a, 0, "x", 2, 0, 1);
    check_level(a, 1, "y", 3, 3, 2);
    check_level(a, 2, ENCODE_MISSING, 4, 2, -1);
    encode_release(&enc);
    fixture_free(&f);
}

/* A column with one value in training has one level: excluded, "one level". Its value seen
 * only outside training goes to that level. */
static void test_constant_column_excluded(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[1];
    assert_string_equal(a->name, "const");
    assert_int_equal(a->nlevels, 1);
    assert_true(a->excluded);
    assert_non_null(strstr(a->why, "one level"));
    check_level(a, 0, "same", 17, 7, -1);
    assert_int_equal(a->reference, 0);
    assert_int_equal(a->level_of_value[1], 0);
    assert_int_equal(encode_level_of(a, &f.d.attrs[1], 5), 0);
    encode_release(&enc);
    fixture_free(&f);
}

/*
 * views, bins 1 2 4 on a count: (-inf,1) "0", [1,2) "1", [2,4) "2-3", [4,inf) "4+".
 * Training leads: "0" rows 0 1 2 3 14 (y 1 0 1 0 0: 2 positives), "1" rows 4 6 15 (2),
 * "2-3" rows 7 8 9 16 (1), "4+" rows 10 12 18 (1), missing rows 13 19 (1). Reference "0".
 * time, bins 60 300 900 on a number: "< 60" rows 0 1 15 (2 positives), "[60, 300)" rows 2 3 4
 * 12 13 14 19 (3), "[300, 900)" rows 6 7 16 (1), ">= 900" rows 8 9 18 (0), missing row 10 (1).
 * Reference "[60, 300)".
 */
static void test_configured_bins(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *v = &enc.attrs[2];
    assert_string_equal(v->name, "views");
    assert_int_equal(v->kind, ATTR_COUNT);
    assert_int_equal(v->group, GROUP_ENGAGEMENT);
    assert_false(v->excluded);
    /* the 2 missing (fewer than min_level_count 3) join the reference "0" */
    assert_int_equal(v->nlevels, 4);
    check_level(v, 0, "0", 7, 3, -1);
    check_level(v, 1, "1", 3, 2, 4);
    check_level(v, 2, "2-3", 4, 1, 5);
    check_level(v, 3, "4+", 3, 1, 6);
    check_bin(v, 0, -INFINITY, 1);
    check_bin(v, 1, 1, 2);
    check_bin(v, 2, 2, 4);
    check_bin(v, 3, 4, INFINITY);
    assert_int_equal(v->reference, 0);
    assert_int_equal(v->missing_level, 0);

    const struct encode_attr *t = &enc.attrs[3];
    assert_int_equal(t->kind, ATTR_NUMERIC);
    assert_int_equal(t->nlevels, 4);
    check_level(t, 0, "< 60", 3, 2, 7);
    check_level(t, 1, "[60, 300)", 8, 4, -1);
    check_level(t, 2, "[300, 900)", 3, 1, 8);
    check_level(t, 3, ">= 900", 3, 0, 9);
    check_bin(t, 0, -INFINITY, 60);
    check_bin(t, 1, 60, 300);
    check_bin(t, 2, 300, 900);
    check_bin(t, 3, 900, INFINITY);
    assert_int_equal(t->reference, 1);
    assert_int_equal(t->missing_level, 1);
    encode_release(&enc);
    fixture_free(&f);
}

static void test_level_of_number(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    const struct encode_attr *t = &enc.attrs[3]; /* < 60 | [60, 300) | [300, 900) | >= 900 */
    assert_int_equal(encode_level_of_number(t, NAN), 1); /* 1 missing lead: with the reference */
    assert_int_equal(encode_level_of_number(t, -INFINITY), 0);
    assert_int_equal(encode_level_of_number(t, -1e300), 0);
    assert_int_equal(encode_level_of_number(t, -5), 0);
    assert_int_equal(encode_level_of_number(t, 0), 0);
    assert_int_equal(encode_level_of_number(t, 59.999999), 0);
    assert_int_equal(encode_level_of_number(t, nextafter(60, 0)), 0);
    assert_int_equal(encode_level_of_number(t, 60), 1); /* an edge starts its bin */
    assert_int_equal(encode_level_of_number(t, 299.5), 1);
    assert_int_equal(encode_level_of_number(t, 300), 2);
    assert_int_equal(encode_level_of_number(t, 899.99), 2);
    assert_int_equal(encode_level_of_number(t, 900), 3);
    assert_int_equal(encode_level_of_number(t, 1e12), 3);
    assert_int_equal(encode_level_of_number(t, INFINITY), 3);
    const struct encode_attr *v = &enc.attrs[2]; /* 0 | 1 | 2-3 | 4+ */
    assert_int_equal(encode_level_of_number(v, 0), 0);
    assert_int_equal(encode_level_of_number(v, 1), 1);
    assert_int_equal(encode_level_of_number(v, 3), 2);
    assert_int_equal(encode_level_of_number(v, 4), 3);
    assert_int_equal(encode_level_of_number(v, 1000), 3);
    assert_int_equal(encode_level_of_number(v, NAN), 0); /* 2 missing leads: with the reference */
    encode_release(&enc);
    fixture_free(&f);

    /* no missing value in training: a missing value goes to the reference */
    static const double num[] = {1, 2, 2, 3, NA};
    static const unsigned char y[] = {1, 0, 1, 0, 1};
    static const unsigned char train[] = {1, 1, 1, 1, 0};
    static const double bins[] = {2, 3};
    const struct colspec cs = {"n", ATTR_NUMERIC, GROUP_NONE, NULL, 0, NULL, num, bins, 2};
    fixture_build(&f, 5, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3); /* < 2 | [2, 3) | >= 3 */
    check_level(a, 1, "[2, 3)", 2, 1, -1);
    assert_int_equal(a->reference, 1);
    assert_int_equal(a->missing_level, 1);
    assert_int_equal(encode_level_of_number(a, NAN), 1);
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 4), 1);
    assert_int_equal(encode_level_of_number(a, 2.5), 1);
    assert_int_equal(encode_level_of_number(a, 3), 2);
    encode_release(&enc);
    fixture_free(&f);
}

/* Bins without training leads merge into a neighbour: the next one, or the previous one for
 * the last bin. */
static void test_empty_bins_merged(void **state)
{
    (void)state;
    static const unsigned char y[] = {1, 0, 1, 0, 1, 0};
    static const unsigned char train[] = {1, 1, 1, 1, 1, 1};
    struct fixture f;
    struct encoding enc;

    /* bins 0 1 2 4 on counts (as in the demo): (-inf, 0) never has a lead, so it merges into
     * [0, 1), which becomes (-inf, 1), "0" */
    static const double b0124[] = {0, 1, 2, 4};
    static const double c1[] = {0, 0, 1, 3, 2, 6};
    struct colspec cs = {"c", ATTR_COUNT, GROUP_NONE, NULL, 0, NULL, c1, b0124, 4};
    fixture_build(&f, 6, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 4);
    check_level(a, 0, "0", 2, 1, -1);
    check_level(a, 1, "1", 1, 1, 1);
    check_level(a, 2, "2-3", 2, 1, 2);
    check_level(a, 3, "4+", 1, 0, 3);
    check_bin(a, 0, -INFINITY, 1);
    assert_int_equal(encode_level_of_number(a, -1), 0);
    encode_release(&enc);
    fixture_free(&f);

    /* bins 1 2 4, nothing in [2, 4): it merges into [4, inf), giving [2, inf) "2+" */
    static const double b124[] = {1, 2, 4};
    static const double c2[] = {0, 0, 1, 5, 7, 0};
    cs.num = c2;
    cs.bins = b124;
    cs.nbins = 3;
    fixture_build(&f, 6, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3);
    check_level(a, 0, "0", 3, 1, -1);
    check_level(a, 1, "1", 1, 1, 1);
    check_level(a, 2, "2+", 2, 1, 2);
    check_bin(a, 2, 2, INFINITY);
    assert_int_equal(encode_level_of_number(a, 3), 2);
    encode_release(&enc);
    fixture_free(&f);

    /* bins 1 2 4, nothing at 4 or more: the last bin merges into the previous, [2, inf) */
    static const double c3[] = {0, 0, 1, 2, 3, 0};
    cs.num = c3;
    fixture_build(&f, 6, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 3);
    check_level(a, 0, "0", 3, 1, -1);
    check_level(a, 1, "1", 1, 1, 1);
    check_level(a, 2, "2+", 2, 1, 2);
    check_bin(a, 2, 2, INFINITY);
    assert_int_equal(encode_level_of_number(a, 100), 2);
    encode_release(&enc);
    fixture_free(&f);

    /* every value in one configured bin: one level, (-inf, inf), excluded */
    static const double c4[] = {5, 5, 6, 7, 5, 9};
    static const double b110[] = {1, 10};
    cs.num = c4;
    cs.bins = b110;
    cs.nbins = 2;
    cs.kind = ATTR_NUMERIC;
    fixture_build(&f, 6, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 1);
    check_bin(a, 0, -INFINITY, INFINITY);
    assert_int_equal(a->levels[0].count, 6);
    assert_true(a->excluded);
    assert_non_null(strstr(a->why, "one level"));
    assert_int_equal(enc.ncols, 1);
    encode_release(&enc);
    fixture_free(&f);
}

/*
 * Quantile bins (no configured edges), quantiles 5:
 * - numbers 1 .. 10: the lower edges of the 5 quantile bins are training values, 3 5 7 9, so
 *   each bin holds 2 leads: "< 3", "[3, 5)", "[5, 7)", "[7, 9)", ">= 9";
 * - a count that is 0 for 70 % of the leads (7 zeros, three 5s): more than a fifth of the
 *   values, so 0 gets a bin of its own, [0, 1), and the other values quantile bins (all 5:
 *   one edge); [1, 5) is empty and merges into the next: levels "0" (7 leads) and "1+" (3);
 * - a count that is 0 for 80 % of the leads, then 1 2 3 4 ... : it keeps a zero bin and quantile
 *   bins of the rest (the quantile edges of the whole column would all be 0: one level, dropped).
 * - a constant number: every edge equal, one bin, one level, excluded.
 */
static void test_quantile_bins(void **state)
{
    (void)state;
    static const unsigned char y[] = {1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1};
    static const unsigned char train[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    struct fixture f;
    struct encoding enc;

    static const double tens[] = {7, 1, 9, 3, 10, 5, 2, 8, 4, 6, 100};
    struct colspec cs = {"q", ATTR_NUMERIC, GROUP_NONE, NULL, 0, NULL, tens, NULL, 0};
    fixture_build(&f, 11, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    const struct encode_attr *a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 5);
    static const char *const labels[] = {"< 3", "[3, 5)", "[5, 7)", "[7, 9)", ">= 9"};
    for (size_t l = 0; l < 5; l++) {
        assert_string_equal(a->levels[l].label, labels[l]);
        assert_int_equal(a->levels[l].count, 2);
    }
    check_bin(a, 1, 3, 5);
    assert_int_equal(a->reference, 0); /* all tied: the first */
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 10), 4);
    encode_release(&enc);
    fixture_free(&f);

    static const double zeros[] = {0, 5, 0, 0, 5, 0, 0, 0, 5, 0, 3};
    cs.num = zeros;
    cs.kind = ATTR_COUNT;
    fixture_build(&f, 11, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 2);
    /* zeros at rows 0 2 3 5 6 7 9 (y 1 1 0 0 1 0 1: 4 positives); fives at 1 4 8 (y 0 1 0) */
    check_level(a, 0, "0", 7, 4, -1);
    check_level(a, 1, "1+", 3, 1, 1);
    check_bin(a, 0, -INFINITY, 1);
    check_bin(a, 1, 1, INFINITY);
    assert_false(a->excluded);
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 10), 1); /* 3, outside training */
    encode_release(&enc);
    fixture_free(&f);

    /* 80 % zeros in 50 leads: 40 zeros, then 1 1 2 2 3 3 4 4 5 5 */
    {
        double v[51];
        unsigned char yy[51], tr[51];
        for (int i = 0; i < 51; i++) {
            v[i] = i < 40 ? 0 : (double)((i - 40) / 2 + 1);
            yy[i] = (unsigned char)(i >= 45); /* the larger counts convert */
            tr[i] = i < 50;
        }
        v[50] = 0;
        struct colspec zc = {"z", ATTR_COUNT, GROUP_NONE, NULL, 0, NULL, v, NULL, 0};
        fixture_build(&f, 51, yy, tr, &zc, 1, 1, 5);
        encode_ok(&f, &enc);
        a = &enc.attrs[0];
        assert_false(a->excluded);
        /* "0", then the rest in 4 quantile bins: edges at 1 + {2.5, 5, 7.5} / 10 -> 2 3 4 */
        assert_int_equal(a->nlevels, 5);
        check_level(a, 0, "0", 40, 0, -1);
        check_level(a, 1, "1", 2, 0, 1);
        check_level(a, 2, "2", 2, 0, 2);
        check_level(a, 3, "3", 2, 1, 3);
        check_level(a, 4, "4+", 4, 4, 4);
        encode_release(&enc);
        fixture_free(&f);
    }

    static const double same[] = {42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 7};
    cs.num = same;
    cs.kind = ATTR_NUMERIC;
    fixture_build(&f, 11, y, train, &cs, 1, 1, 5);
    encode_ok(&f, &enc);
    a = &enc.attrs[0];
    assert_int_equal(a->nlevels, 1);
    assert_int_equal(a->levels[0].count, 10);
    assert_true(a->excluded);
    assert_non_null(strstr(a->why, "one level"));
    assert_int_equal(encode_level_of(a, &f.d.attrs[0], 10), 0);
    encode_release(&enc);
    fixture_free(&f);
}

/* Columns are numbered 1.. over the attributes in order, skipping references and excluded
 * attributes; encode_exclude renumbers. */
static void test_columns_and_exclude(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    /* job 1-3, const excluded, views 4-6, time 7-9 (no "(missing)" level: too few leads) */
    assert_int_equal(enc.ncols, 10);
    static const int job[] = {1, -1, 2, 3}, views[] = {-1, 4, 5, 6}, time[] = {7, -1, 8, 9};
    for (size_t l = 0; l < 4; l++) {
        assert_int_equal(enc.attrs[0].levels[l].column, job[l]);
        assert_int_equal(enc.attrs[2].levels[l].column, views[l]);
        assert_int_equal(enc.attrs[3].levels[l].column, time[l]);
    }
    assert_int_equal(enc.attrs[1].levels[0].column, -1);

    encode_exclude(&enc, 0, "leaks: known after the outcome");
    assert_true(enc.attrs[0].excluded);
    assert_string_equal(enc.attrs[0].why, "leaks: known after the outcome");
    assert_int_equal(enc.ncols, 7);
    for (size_t l = 0; l < 4; l++) {
        assert_int_equal(enc.attrs[0].levels[l].column, -1);
        assert_int_equal(enc.attrs[2].levels[l].column, views[l] < 0 ? -1 : views[l] - 3);
        assert_int_equal(enc.attrs[3].levels[l].column, time[l] < 0 ? -1 : time[l] - 3);
    }
    /* the levels themselves stay: a scorer can still place every lead */
    assert_int_equal(enc.attrs[0].nlevels, 4);

    encode_exclude(&enc, 3, "by hand");
    assert_int_equal(enc.ncols, 4);
    for (size_t l = 0; l < 4; l++)
        assert_int_equal(enc.attrs[2].levels[l].column, views[l] < 0 ? -1 : views[l] - 3);
    encode_exclude(&enc, 2, "all of them");
    assert_int_equal(enc.ncols, 1);
    encode_release(&enc);
    encode_release(&enc); /* released twice: a zeroed encoding */
    fixture_free(&f);
}

static void test_apply(void **state)
{
    (void)state;
    struct fixture f;
    main_fixture(&f, 3);
    struct encoding enc;
    encode_ok(&f, &enc);
    uint16_t codes[NROWS * 4];
    memset(codes, 0xff, sizeof codes);
    encode_apply(&enc, &f.d, codes);
    /* by hand, every row: job, const, views, time */
    static const uint16_t want[NROWS][4] = {
        {0, 0, 0, 0}, /* director, same, 0, 10 */
        {1, 0, 0, 0}, /* manager, same, 0, 59.9 */
        {3, 0, 0, 1}, /* analyst (other), same, 0, 60 */
        {2, 0, 0, 1}, /* staff, same, 0, 100 */
        {1, 0, 1, 1}, /* manager, same, 1, 299 */
        {3, 0, 3, 1}, /* unseen (other), zzz (the one level), 100, 60 */
        {0, 0, 1, 2}, /* director, same, 1, 300 */
        {3, 0, 2, 2}, /* cfo (other), same, 2, 899 */
        {1, 0, 2, 3}, /* missing (joins manager), same, 3, 900 */
        {1, 0, 2, 3}, /* manager, same, 3, 1000 */
        {0, 0, 3, 1}, /* director, same, 5, missing (joins [60, 300)) */
        {1, 0, 0, 1}, /* manager, same, missing (joins 0), missing */
        {3, 0, 3, 1}, /* ceo (other), same, 7, 150 */
        {2, 0, 0, 1}, /* staff, same, missing, 200 */
        {1, 0, 0, 1}, /* manager, same, 0, 250 */
        {1, 0, 1, 0}, /* missing, same, 1, 5 */
        {0, 0, 2, 2}, /* director, same, 2, 400 */
        {1, 0, 0, 0}, /* missing, zzz, 0, -5 */
        {1, 0, 3, 3}, /* manager, same, 9, 2000 */
        {2, 0, 0, 1}, /* staff, same, missing, 61 */
    };
    for (size_t r = 0; r < NROWS; r++)
        for (size_t a = 0; a < 4; a++) {
            if (codes[r * 4 + a] != want[r][a])
                fail_msg("row %zu attribute %zu: level %u, want %u", r, a, codes[r * 4 + a],
                         want[r][a]);
            assert_int_equal(codes[r * 4 + a], encode_level_of(&enc.attrs[a], &f.d.attrs[a], r));
        }
    /* the training counts are the codes' counts on the training rows */
    for (size_t a = 0; a < 4; a++) {
        const struct encode_attr *ea = &enc.attrs[a];
        for (size_t l = 0; l < ea->nlevels; l++) {
            size_t n = 0, pos = 0;
            for (size_t r = 0; r < NROWS; r++)
                if (main_train[r] && codes[r * 4 + a] == l) {
                    n++;
                    pos += main_y[r];
                }
            assert_int_equal(ea->levels[l].count, n);
            assert_int_equal(ea->levels[l].positives, pos);
        }
    }
    encode_release(&enc);
    fixture_free(&f);
}

/* More than ENCODE_MAX_LEVELS levels after pooling is MQL_EINPUT; exactly that many is fine. */
static void test_too_many_levels(void **state)
{
    (void)state;
    const size_t n = ENCODE_MAX_LEVELS + 1;
    char **values = malloc(n * sizeof *values);
    char *block = malloc(n * 8);
    uint32_t *ids = malloc(n * sizeof *ids);
    unsigned char *y = malloc(n), *train = malloc(n);
    assert_true(values && block && ids && y && train);
    for (size_t i = 0; i < n; i++) {
        values[i] = block + 8 * i;
        snprintf(values[i], 8, "v%05zu", i);
        ids[i] = (uint32_t)(n - 1 - i);
        y[i] = i % 2;
        train[i] = 1;
    }
    struct colspec cs = {
        "many", ATTR_CATEGORICAL, GROUP_NONE, (const char *const *)values, n, ids, NULL, NULL, 0};
    struct fixture f;
    fixture_build(&f, n, y, train, &cs, 1, 1, 5);
    struct encoding enc;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(encode_build(&f.d, &f.cfg, f.train, &enc, &err), MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_err_contains(&err, "many");
    encode_release(&enc);
    fixture_free(&f);

    /* one value fewer in the data (the last row outside training): 4096 levels */
    train[n - 1] = 0;
    cs.nvalues = n;
    fixture_build(&f, n, y, train, &cs, 1, 1, 5);
    mql_err_clear(&err);
    /* value id 0 ("v00000") is only on the last row, which is not training */
    int rc = encode_build(&f.d, &f.cfg, f.train, &enc, &err);
    if (rc)
        fail_msg("%d levels: %s", ENCODE_MAX_LEVELS, err.msg);
    assert_int_equal(enc.attrs[0].nlevels, ENCODE_MAX_LEVELS);
    assert_int_equal(enc.ncols, ENCODE_MAX_LEVELS);
    encode_release(&enc);
    fixture_free(&f);

    free(values);
    free(block);
    free(ids);
    free(y);
    free(train);
}

/* "more than ENCODE_MAX_LEVELS levels after pooling" counts every level: 4096 values seen plus
 * "(missing)" are 4097 levels, which must be refused like 4097 values are. */
static void test_too_many_levels_with_missing(void **state)
{
    (void)state;
    const size_t n = ENCODE_MAX_LEVELS + 1;
    char **values = malloc(ENCODE_MAX_LEVELS * sizeof *values);
    char *block = malloc(ENCODE_MAX_LEVELS * 8);
    uint32_t *ids = malloc(n * sizeof *ids);
    unsigned char *y = malloc(n), *train = malloc(n);
    assert_true(values && block && ids && y && train);
    for (size_t i = 0; i < n; i++) {
        if (i < ENCODE_MAX_LEVELS) {
            values[i] = block + 8 * i;
            snprintf(values[i], 8, "v%05zu", i);
        }
        ids[i] = i < ENCODE_MAX_LEVELS ? (uint32_t)i : M;
        y[i] = i % 2;
        train[i] = 1;
    }
    struct colspec cs = {"many",
                         ATTR_CATEGORICAL,
                         GROUP_NONE,
                         (const char *const *)values,
                         ENCODE_MAX_LEVELS,
                         ids,
                         NULL,
                         NULL,
                         0};
    struct fixture f;
    fixture_build(&f, n, y, train, &cs, 1, 1, 5);
    struct encoding enc;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = encode_build(&f.d, &f.cfg, f.train, &enc, &err);
    size_t nlevels = rc == 0 ? enc.attrs[0].nlevels : 0;
    encode_release(&enc);
    fixture_free(&f);
    free(values);
    free(block);
    free(ids);
    free(y);
    free(train);
    if (rc == 0)
        fail_msg("%zu levels (4096 values and \"(missing)\") were accepted; ENCODE_MAX_LEVELS "
                 "is %d",
                 nlevels, ENCODE_MAX_LEVELS);
    assert_int_equal(rc, MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_categorical_levels),
        cmocka_unit_test(test_categorical_pool_grows),
        cmocka_unit_test(test_categorical_small_pool_joins_reference),
        cmocka_unit_test(test_categorical_reference),
        cmocka_unit_test(test_constant_column_excluded),
        cmocka_unit_test(test_configured_bins),
        cmocka_unit_test(test_level_of_number),
        cmocka_unit_test(test_empty_bins_merged),
        cmocka_unit_test(test_quantile_bins),
        cmocka_unit_test(test_columns_and_exclude),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_too_many_levels),
        cmocka_unit_test(test_too_many_levels_with_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
