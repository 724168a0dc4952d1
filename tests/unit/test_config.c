/* Unit tests for include/mqlcal/config.h. */
#include "testutil.h"

#include "mqlcal/text.h"

#include "mqlcal/config.h"

#define PATH "dir/sub/x.ini"

/* A config with every section and key. */
static const char full_text[] = "; a full example\n"
                                "[data]\n"
                                "leads = leads.csv\n"
                                "id = lead_id\n"
                                "outcome = stage\n"
                                "positive = SQL, Won\n"
                                "negative = Lost,Disqualified , ,\n"
                                "date = created_at\n"
                                "feedback = sales_note\n"
                                "delimiter = semicolon\n"
                                "missing = n/a, Select, -\n"
                                "\n"
                                "# attributes, in file order\n"
                                "[attributes]\n"
                                "job_level = categorical, fit\n"
                                "visits = count, engagement, bins = 0 1 5 20\n"
                                "time_on_site = numeric, bins = 0 60.5 300\n"
                                "last_activity = Categorical, Engagement, after_outcome = yes\n"
                                "country = categorical\n"
                                "demo_requests = count, fit, bins = 1, after_outcome = no\n"
                                "\n"
                                "[segments]\n"
                                "by = channel, region\n"
                                "\n"
                                "[calibration]\n"
                                "period = quarter\n"
                                "capacity = 250\n"
                                "target_conversion = 0.35 ; share of MQLs that become SQLs\n"
                                "\n"
                                "[output]\n"
                                "dir = results\n";

/* The smallest config that loads. */
#define MINIMAL                                                                                    \
    "[data]\n"                                                                                     \
    "leads = leads.csv\n"                                                                          \
    "id = lead_id\n"                                                                               \
    "outcome = sql\n"                                                                              \
    "[attributes]\n"                                                                               \
    "job_level = categorical\n"

/* The 1-based line of text on which needle first appears. */
static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        fail_msg("'%s' is not in the config text", needle);
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Loads text as PATH, releases it, and returns the status; err keeps the message. */
static int load_fail(const char *text, struct mql_err *err)
{
    struct config cfg;
    mql_err_clear(err);
    int rc = config_load_string(text, PATH, &cfg, err);
    config_release(&cfg);
    return rc;
}

static void tu_assert_err_at(const struct mql_err *err, const char *path, int line,
                             const char *file, int at)
{
    char place[256];
    snprintf(place, sizeof place, "%s:%d:", path, line);
    tu_assert_err_contains(err, place, file, at);
}

/* The message starts with the place "path:line:". */
#define assert_err_at(err, path, line) tu_assert_err_at((err), (path), (line), __FILE__, __LINE__)

static void tu_assert_err_names_line(const struct mql_err *err, int line, const char *file, int at)
{
    char a[64], b[64], c[64];
    snprintf(a, sizeof a, ":%d:", line);
    snprintf(b, sizeof b, "line %d", line);
    snprintf(c, sizeof c, "line %d)", line);
    if (!strstr(err->msg, a) && !strstr(err->msg, b) && !strstr(err->msg, c)) {
        print_error("error message '%s' does not name line %d\n", err->msg, line);
        _fail(file, at);
    }
}

/* The message names line (as ":line:" or "line N"), for checks made after parsing. */
#define assert_err_names_line(err, line) tu_assert_err_names_line((err), (line), __FILE__, __LINE__)

static void assert_list(const struct strlist *l, const char *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->items[i], want[i]);
}

/* ---- valid configs ---- */

static void test_full_example(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = config_load_string(full_text, PATH, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);

    assert_string_equal(cfg.path, PATH);
    assert_string_equal(cfg.dir, "dir/sub");
    assert_string_equal(cfg.leads, "dir/sub/leads.csv");
    assert_string_equal(cfg.id, "lead_id");
    assert_string_equal(cfg.outcome, "stage");
    static const char *const pos[] = {"SQL", "Won"};
    static const char *const neg[] = {"Lost", "Disqualified"};
    static const char *const miss[] = {"n/a", "Select", "-"};
    assert_list(&cfg.positive, pos, 2);
    assert_list(&cfg.negative, neg, 2);
    assert_string_equal(cfg.date, "created_at");
    assert_string_equal(cfg.feedback, "sales_note");
    assert_int_equal(cfg.delimiter, ';');
    assert_list(&cfg.missing, miss, 3);

    assert_int_equal(cfg.nattrs, 6);
    const struct config_attr *a = cfg.attrs;
    assert_string_equal(a[0].column, "job_level");
    assert_int_equal(a[0].kind, ATTR_CATEGORICAL);
    assert_int_equal(a[0].group, GROUP_FIT);
    assert_null(a[0].bins);
    assert_int_equal(a[0].nbins, 0);
    assert_int_equal(a[0].after_outcome, 0);
    assert_int_equal(a[0].line, line_of(full_text, "job_level ="));

    assert_string_equal(a[1].column, "visits");
    assert_int_equal(a[1].kind, ATTR_COUNT);
    assert_int_equal(a[1].group, GROUP_ENGAGEMENT);
    assert_int_equal(a[1].nbins, 4);
    assert_true(a[1].bins[0] == 0 && a[1].bins[1] == 1 && a[1].bins[2] == 5 && a[1].bins[3] == 20);
    assert_int_equal(a[1].after_outcome, 0);
    assert_int_equal(a[1].line, line_of(full_text, "visits ="));

    assert_string_equal(a[2].column, "time_on_site");
    assert_int_equal(a[2].kind, ATTR_NUMERIC);
    assert_int_equal(a[2].group, GROUP_NONE);
    assert_int_equal(a[2].nbins, 3);
    assert_true(a[2].bins[0] == 0 && a[2].bins[1] == 60.5 && a[2].bins[2] == 300);
    assert_int_equal(a[2].line, line_of(full_text, "time_on_site ="));

    assert_string_equal(a[3].column, "last_activity");
    assert_int_equal(a[3].kind, ATTR_CATEGORICAL);
    assert_int_equal(a[3].group, GROUP_ENGAGEMENT);
    assert_int_equal(a[3].after_outcome, 1);
    assert_int_equal(a[3].line, line_of(full_text, "last_activity ="));

    assert_string_equal(a[4].column, "country");
    assert_int_equal(a[4].kind, ATTR_CATEGORICAL);
    assert_int_equal(a[4].group, GROUP_NONE);
    assert_int_equal(a[4].after_outcome, 0);

    assert_string_equal(a[5].column, "demo_requests");
    assert_int_equal(a[5].kind, ATTR_COUNT);
    assert_int_equal(a[5].group, GROUP_FIT);
    assert_int_equal(a[5].nbins, 1);
    assert_true(a[5].bins[0] == 1);
    assert_int_equal(a[5].after_outcome, 0);

    static const char *const seg[] = {"channel", "region"};
    assert_list(&cfg.segments, seg, 2);
    assert_int_equal(cfg.period, PERIOD_QUARTER);
    assert_true(cfg.capacity == 250);
    assert_true(cfg.target_conversion == 0.35);
    assert_string_equal(cfg.out_dir, "dir/sub/results");

    assert_int_equal(cfg.line_leads, line_of(full_text, "leads ="));
    assert_int_equal(cfg.line_id, line_of(full_text, "id ="));
    assert_int_equal(cfg.line_outcome, line_of(full_text, "outcome ="));
    assert_int_equal(cfg.line_date, line_of(full_text, "date ="));
    assert_int_equal(cfg.line_feedback, line_of(full_text, "feedback ="));
    assert_int_equal(cfg.line_segments, line_of(full_text, "by ="));

    assert_ptr_equal(config_attr_find(&cfg, "visits"), &cfg.attrs[1]);
    assert_ptr_equal(config_attr_find(&cfg, "demo_requests"), &cfg.attrs[5]);
    assert_null(config_attr_find(&cfg, "Visits"));
    assert_null(config_attr_find(&cfg, "nope"));
    assert_null(config_attr_find(&cfg, "lead_id"));

    assert_true(config_is_missing(&cfg, ""));
    assert_true(config_is_missing(&cfg, "n/a"));
    assert_true(config_is_missing(&cfg, "Select"));
    assert_true(config_is_missing(&cfg, "-"));
    assert_false(config_is_missing(&cfg, "x"));
    assert_false(config_is_missing(&cfg, "Selected"));
    assert_false(config_is_missing(&cfg, "n/"));

    config_release(&cfg);
    assert_null(cfg.path);
    assert_null(cfg.attrs);
    assert_int_equal(cfg.nattrs, 0);
}

static void test_defaults(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;
    int rc = config_load_string(MINIMAL, PATH, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
    /* issue 14: exports write 1.0 / 0.0 and Y / N too */
    static const char *const pos[] = {"1", "yes", "true", "1.0", "y"};
    static const char *const neg[] = {"0", "no", "false", "0.0", "n"};
    assert_list(&cfg.positive, pos, 5);
    assert_list(&cfg.negative, neg, 5);
    assert_int_equal(cfg.delimiter, ',');
    assert_int_equal(cfg.period, PERIOD_MONTH);
    assert_null(cfg.date);
    assert_null(cfg.feedback);
    assert_int_equal(cfg.missing.n, 0);
    assert_int_equal(cfg.segments.n, 0);
    assert_int_equal(cfg.line_date, 0);
    assert_int_equal(cfg.line_feedback, 0);
    assert_int_equal(cfg.line_segments, 0);
    assert_string_equal(cfg.out_dir, "dir/sub/out");
    assert_int_equal(cfg.nattrs, 1);
    assert_int_equal(cfg.attrs[0].kind, ATTR_CATEGORICAL);
    assert_int_equal(cfg.attrs[0].group, GROUP_NONE);

    assert_true(config_is_missing(&cfg, ""));
    assert_false(config_is_missing(&cfg, "NA"));
    config_release(&cfg);
}

/* [review]: the previous rule file (relative to the config), two spans or none, the test's
 * level and minimum change; mistakes name the key and the line. */
static void test_review_section(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;
    const char *text = MINIMAL "[review]\nprevious = q2/rules.json\n"
                               "baseline = 2025-01-01..2025-03-31\n"
                               "current = 2025-07-01 .. 2025-09-30\nalpha = 0.01\n"
                               "min_change = 3\n";
    if (config_load_string(text, PATH, &cfg, &err))
        fail_msg("load failed: %s", err.msg);
    assert_string_equal(cfg.review_previous, "dir/sub/q2/rules.json");
    assert_true(cfg.has_review_baseline && cfg.has_review_current);
    assert_int_equal(cfg.review_baseline[0], text_days_from_civil(2025, 1, 1));
    assert_int_equal(cfg.review_baseline[1], text_days_from_civil(2025, 3, 31));
    assert_int_equal(cfg.review_current[0], text_days_from_civil(2025, 7, 1));
    assert_int_equal(cfg.review_current[1], text_days_from_civil(2025, 9, 30));
    assert_near(cfg.review_alpha, 0.01, 0);
    assert_near(cfg.review_min_change, 3, 0);
    config_release(&cfg);
    if (config_load_string(MINIMAL, PATH, &cfg, &err))
        fail_msg("load failed: %s", err.msg);
    assert_null(cfg.review_previous);
    assert_false(cfg.has_review_baseline);
    assert_near(cfg.review_alpha, 0.05, 0);
    assert_near(cfg.review_min_change, 5, 0);
    config_release(&cfg);

    assert_int_equal(load_fail(MINIMAL "[review]\nbaseline = 2025-03-31..2025-01-01\n", &err),
                     MQL_EINPUT);
    assert_err_contains(&err, "the first not after the second");
    assert_int_equal(load_fail(MINIMAL "[review]\nbaseline = 2025-01-01\n", &err), MQL_EINPUT);
    assert_err_contains(&err, "key 'baseline'");
    assert_int_equal(load_fail(MINIMAL "[review]\ncurrent = 2025-01-01..2025-02-30\n", &err),
                     MQL_EINPUT);
    assert_int_equal(load_fail(MINIMAL "[review]\nbaseline = 2025-01-01..2025-03-31\n", &err),
                     MQL_EINPUT);
    assert_err_contains(&err, "give both baseline and current");
    assert_int_equal(load_fail(MINIMAL "[review]\nalpha = 0\n", &err), MQL_EINPUT);
    assert_int_equal(load_fail(MINIMAL "[review]\nprevious = a\nprevious = b\n", &err), MQL_EINPUT);
    assert_err_contains(&err, "given twice");
    assert_int_equal(load_fail(MINIMAL "[review]\nprevius = a\n", &err), MQL_EINPUT);
    assert_err_contains(&err, "unknown key 'previus' in [review]");
}

static void test_only_positive_given(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;
    int rc = config_load_string(MINIMAL "[data]\npositive = Won\n", PATH, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
    static const char *const pos[] = {"Won"};
    static const char *const neg[] = {"0", "no", "false", "0.0", "n"};
    assert_list(&cfg.positive, pos, 1);
    assert_list(&cfg.negative, neg, 5);
    config_release(&cfg);
}

static void test_lists_accumulate(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;
    int rc = config_load_string(MINIMAL "[data]\nmissing = a\nmissing = b, c\n"
                                        "[segments]\nby = x\nby = y, z\n",
                                PATH, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
    static const char *const miss[] = {"a", "b", "c"};
    static const char *const seg[] = {"x", "y", "z"};
    assert_list(&cfg.missing, miss, 3);
    assert_list(&cfg.segments, seg, 3);
    config_release(&cfg);
}

static void test_relative_paths(void **state)
{
    (void)state;
    struct config cfg;
    struct mql_err err;

    /* config in the current folder: paths stay relative to it */
    assert_int_equal(config_load_string(MINIMAL, "x.ini", &cfg, &err), 0);
    assert_string_equal(cfg.leads, "leads.csv");
    assert_string_equal(cfg.out_dir, "out");
    config_release(&cfg);

    /* nested leads path and output dir */
    assert_int_equal(config_load_string("[data]\nleads = in/a.csv\nid = i\noutcome = o\n"
                                        "[attributes]\nx = count\n[output]\ndir = ../rep\n",
                                        "dir/sub/x.ini", &cfg, &err),
                     0);
    assert_string_equal(cfg.leads, "dir/sub/in/a.csv");
    assert_string_equal(cfg.out_dir, "dir/rep"); /* tidied lexically */
    config_release(&cfg);

    /* tidying: ".", empty parts and "x/.." go; leading ".." of a relative path stay */
    static const struct {
        const char *config, *dir, *want;
    } tidy[] = {
        {"datasets/demo/x.ini", "../../reports/demo", "reports/demo"},
        {"a/x.ini", "../../up", "../up"},
        {"x.ini", "./a//b/./c/", "a/b/c"},
        {"x.ini", "a/..", "."},
        {"x.ini", "../a/../b", "../b"},
        {"/etc/x.ini", "../../../o", "/o"},
        {"/x.ini", "a/../../b", "/b"},
    };
    for (size_t i = 0; i < sizeof tidy / sizeof tidy[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "[data]\nleads = a.csv\nid = i\noutcome = o\n[attributes]\nx = count\n"
                 "[output]\ndir = %s\n",
                 tidy[i].dir);
        assert_int_equal(config_load_string(text, tidy[i].config, &cfg, &err), 0);
        if (strcmp(cfg.out_dir, tidy[i].want) != 0)
            fail_msg("%s in %s: got %s, want %s", tidy[i].dir, tidy[i].config, cfg.out_dir,
                     tidy[i].want);
        config_release(&cfg);
    }

    /* absolute paths are kept */
    assert_int_equal(config_load_string("[data]\nleads = /data/a.csv\nid = i\noutcome = o\n"
                                        "[attributes]\nx = count\n[output]\ndir = /srv/out\n",
                                        "dir/sub/x.ini", &cfg, &err),
                     0);
    assert_string_equal(cfg.leads, "/data/a.csv");
    assert_string_equal(cfg.out_dir, "/srv/out");
    config_release(&cfg);

    /* absolute config path */
    assert_int_equal(config_load_string(MINIMAL, "/etc/mqlcal/x.ini", &cfg, &err), 0);
    assert_string_equal(cfg.dir, "/etc/mqlcal");
    assert_string_equal(cfg.leads, "/etc/mqlcal/leads.csv");
    assert_string_equal(cfg.out_dir, "/etc/mqlcal/out");
    config_release(&cfg);
}

static void test_delimiter_names(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        char want;
    } cases[] = {
        {"comma", ','},     {"COMMA", ','}, {",", ','},    {"\",\"", ','}, {"semicolon", ';'},
        {"Semicolon", ';'}, {"\";\"", ';'}, {"pipe", '|'}, {"|", '|'},     {"\"|\"", '|'},
        {"tab", '\t'},      {"TAB", '\t'},  {"\\t", '\t'},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[data]\ndelimiter = %s\n", cases[i].value);
        struct config cfg;
        struct mql_err err;
        if (config_load_string(text, PATH, &cfg, &err) != 0)
            fail_msg("delimiter '%s' refused: %s", cases[i].value, err.msg);
        assert_int_equal(cfg.delimiter, cases[i].want);
        config_release(&cfg);
    }
}

static void test_delimiter_semicolon_is_comment(void **state)
{
    (void)state;
    /* inih reads " ;" as the start of an inline comment, so the value is empty */
    static const char text[] = MINIMAL "[data]\ndelimiter = ;\n";
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, line_of(text, "delimiter ="));
    assert_err_contains(&err, "delimiter");
    assert_err_contains(&err, "semicolon");
}

static void test_delimiter_unknown(void **state)
{
    (void)state;
    static const char *bad[] = {"colon", "::", "space", "\"\"", "commas"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[data]\ndelimiter = %s\n", bad[i]);
        struct mql_err err;
        assert_int_equal(load_fail(text, &err), MQL_EINPUT);
        assert_err_at(&err, PATH, line_of(text, "delimiter ="));
        assert_err_contains(&err, "'delimiter'");
        assert_err_contains(&err, bad[i]);
    }
}

static void test_periods(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        enum calib_period want;
    } cases[] = {{"week", PERIOD_WEEK}, {"Month", PERIOD_MONTH}, {"QUARTER", PERIOD_QUARTER}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[calibration]\nperiod = %s\n", cases[i].value);
        struct config cfg;
        struct mql_err err;
        if (config_load_string(text, PATH, &cfg, &err) != 0)
            fail_msg("period '%s' refused: %s", cases[i].value, err.msg);
        assert_int_equal(cfg.period, cases[i].want);
        config_release(&cfg);
    }
}

static void test_long_line_under_limit(void **state)
{
    (void)state;
    /* a 150-character line is fine */
    char text[1024], name[160];
    memset(name, 'c', 140);
    name[140] = '\0';
    snprintf(text, sizeof text, MINIMAL "%s = count\n", name);
    struct config cfg;
    struct mql_err err;
    if (config_load_string(text, PATH, &cfg, &err) != 0)
        fail_msg("load failed: %s", err.msg);
    assert_non_null(config_attr_find(&cfg, name));
    config_release(&cfg);
}

static void test_crlf_and_bom(void **state)
{
    (void)state;
    static const char text[] = "\xef\xbb\xbf[data]\r\nleads = a.csv\r\nid = i\r\noutcome = o\r\n"
                               "[attributes]\r\nx = count, fit\r\n";
    struct config cfg;
    struct mql_err err;
    if (config_load_string(text, PATH, &cfg, &err) != 0)
        fail_msg("load failed: %s", err.msg);
    assert_string_equal(cfg.leads, "dir/sub/a.csv");
    assert_string_equal(cfg.outcome, "o");
    assert_int_equal(cfg.nattrs, 1);
    assert_string_equal(cfg.attrs[0].column, "x");
    assert_int_equal(cfg.attrs[0].group, GROUP_FIT);
    config_release(&cfg);
}

/* ---- errors found while parsing: "path:line: ... key ..." ---- */

#define EXPECT_AT(text, needle, ...)                                                               \
    do {                                                                                           \
        struct mql_err e_;                                                                         \
        assert_int_equal(load_fail((text), &e_), MQL_EINPUT);                                      \
        assert_err_at(&e_, PATH, line_of((text), (needle)));                                       \
        const char *subs_[] = {__VA_ARGS__};                                                       \
        for (size_t k_ = 0; k_ < sizeof subs_ / sizeof subs_[0]; k_++)                             \
            assert_err_contains(&e_, subs_[k_]);                                                   \
    } while (0)

static void test_unknown_section(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[dta]\nleads = x.csv\n";
    EXPECT_AT(text, "leads = x", "[dta]");
}

static void test_unknown_key_data(void **state)
{
    (void)state;
    static const char text[] = "[data]\nleads = a.csv\nleeds = b.csv\n";
    EXPECT_AT(text, "leeds", "'leeds'", "[data]");
}

static void test_unknown_key_segments(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[segments]\nbuy = channel\n";
    EXPECT_AT(text, "buy", "'buy'", "[segments]");
}

static void test_unknown_key_calibration(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[calibration]\ncapacty = 10\n";
    EXPECT_AT(text, "capacty", "'capacty'", "[calibration]");
}

static void test_unknown_key_output(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[output]\nfolder = out\n";
    EXPECT_AT(text, "folder", "'folder'", "[output]");
}

static void test_key_outside_section(void **state)
{
    (void)state;
    static const char text[] = "; no section yet\nleads = a.csv\n" MINIMAL;
    EXPECT_AT(text, "leads = a", "'leads'", "section");
}

static void test_empty_value(void **state)
{
    (void)state;
    static const char text[] = "[data]\nleads =\nid = i\n";
    EXPECT_AT(text, "leads =", "'leads'", "empty");
}

static void test_bad_kind(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "job_title = categorial, fit\n";
    EXPECT_AT(text, "job_title", "'job_title'", "categorial");
}

static void test_missing_kind(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "job_title = ,\n";
    EXPECT_AT(text, "job_title", "'job_title'", "kind");
}

static void test_bad_group(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "pricing_views = count, fitt\n";
    EXPECT_AT(text, "pricing_views", "'pricing_views'", "fitt");
}

static void test_two_groups(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "pricing_views = count, fit, engagement\n";
    EXPECT_AT(text, "pricing_views", "'pricing_views'", "engagement");
}

static void test_unknown_attribute_option(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "pricing_views = count, fit, bns = 1 2\n";
    EXPECT_AT(text, "pricing_views", "'pricing_views'", "'bns'");
}

static void test_bad_after_outcome(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "tags = categorical, after_outcome = maybe\n";
    EXPECT_AT(text, "tags", "'tags'", "after_outcome", "maybe");
}

static void test_bins_on_categorical(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "industry = categorical, fit, bins = 1 2 3\n";
    EXPECT_AT(text, "industry", "'industry'", "bins");
}

static void test_bins_not_increasing(void **state)
{
    (void)state;
    static const char down[] = MINIMAL "visits = count, bins = 0 5 3\n";
    EXPECT_AT(down, "visits", "'visits'", "bins", "increase");
    static const char equal[] = MINIMAL "visits = count, bins = 1 1\n";
    EXPECT_AT(equal, "visits", "'visits'", "bins", "increase");
}

static void test_bins_not_numeric(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "visits = count, bins = 0 five 10\n";
    EXPECT_AT(text, "visits", "'visits'", "bins", "five");
    static const char nan[] = MINIMAL "seconds = numeric, bins = 0 nan\n";
    EXPECT_AT(nan, "seconds", "'seconds'", "bins", "nan");
}

static void test_bins_empty(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "visits = count, bins =\n";
    EXPECT_AT(text, "visits", "'visits'", "bins");
}

static void test_bins_twice(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "visits = count, bins = 1 2, bins = 3 4\n";
    EXPECT_AT(text, "visits", "'visits'", "bins");
}

static void test_bad_period(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[calibration]\nperiod = daily\n";
    EXPECT_AT(text, "period", "'period'", "daily");
}

static void test_bad_capacity(void **state)
{
    (void)state;
    static const char *bad[] = {"0", "-5", "0.0", "lots", "1e999", "10 per month"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[calibration]\ncapacity = %s\n", bad[i]);
        EXPECT_AT(text, "capacity", "'capacity'", bad[i]);
    }
}

/* holdout: months (whole, up to 1200), a share, or none; a huge number is refused before it
 * is made an int (the cast overflowed: tests/fuzz/regress/config/holdout-huge.ini) */
static void test_holdout_values(void **state)
{
    (void)state;
    static const char *bad[] = {"1.5", "-1", "1201", "1e300",
                                "1111111111111111111111111111111111111111"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[model]\nholdout = %s\n", bad[i]);
        EXPECT_AT(text, "holdout", "'holdout'", bad[i]);
    }
    struct config cfg;
    struct mql_err err;
    assert_int_equal(config_load_string(MINIMAL "[model]\nholdout = 1200\n", PATH, &cfg, &err), 0);
    assert_int_equal(cfg.holdout_months, 1200);
    config_release(&cfg);
    assert_int_equal(config_load_string(MINIMAL "[model]\nholdout = 0.25\n", PATH, &cfg, &err), 0);
    assert_true(cfg.holdout_share == 0.25 && cfg.holdout_months == 0);
    config_release(&cfg);
}

static void test_bad_target_conversion(void **state)
{
    (void)state;
    static const char *bad[] = {"0", "1", "1.5", "-0.2", "60%", "high"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "[calibration]\ntarget_conversion = %s\n", bad[i]);
        EXPECT_AT(text, "target_conversion", "'target_conversion'", bad[i]);
    }
}

static void test_duplicate_text_keys(void **state)
{
    (void)state;
    static const char *keys[] = {"leads", "id", "outcome", "date", "feedback"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char text[512], first[64], second[64];
        snprintf(first, sizeof first, "%s = first_value", keys[i]);
        snprintf(second, sizeof second, "%s = second_value", keys[i]);
        snprintf(text, sizeof text, "[attributes]\nx = count\n[data]\n%s\n; gap\n%s\n%s", first,
                 second, MINIMAL);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", keys[i]);
        struct mql_err err;
        assert_int_equal(load_fail(text, &err), MQL_EINPUT);
        assert_err_at(&err, PATH, line_of(text, second));
        assert_err_contains(&err, quoted);
        assert_err_names_line(&err, line_of(text, first));
    }
}

/* Every scalar key given twice is refused, naming the first line. */
static void check_duplicate_scalar(const char *section, const char *key, const char *v1,
                                   const char *v2)
{
    char text[512], first[64], second[64], quoted[64];
    snprintf(first, sizeof first, "%s = %s", key, v1);
    snprintf(second, sizeof second, "%s = %s", key, v2);
    snprintf(text, sizeof text, MINIMAL "[%s]\n%s\n; gap\n%s\n", section, first, second);
    snprintf(quoted, sizeof quoted, "'%s'", key);
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, line_of(text, second));
    assert_err_contains(&err, quoted);
    assert_err_names_line(&err, line_of(text, first));
}

static void test_duplicate_output_dir(void **state)
{
    (void)state;
    check_duplicate_scalar("output", "dir", "out_a", "out_b");
}

static void test_duplicate_delimiter(void **state)
{
    (void)state;
    check_duplicate_scalar("data", "delimiter", "comma", "pipe");
}

static void test_duplicate_period(void **state)
{
    (void)state;
    check_duplicate_scalar("calibration", "period", "month", "quarter");
}

static void test_duplicate_capacity(void **state)
{
    (void)state;
    check_duplicate_scalar("calibration", "capacity", "100", "200");
}

static void test_duplicate_target_conversion(void **state)
{
    (void)state;
    check_duplicate_scalar("calibration", "target_conversion", "0.2", "0.3");
}

static void test_duplicate_attribute(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "visits = count\n; gap\nvisits = numeric\n";
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, line_of(text, "visits = numeric"));
    assert_err_contains(&err, "'visits'");
    assert_err_names_line(&err, line_of(text, "visits = count"));
}

static void test_line_too_long(void **state)
{
    (void)state;
    /* The tail of the long line would read as a valid key if it were split off. */
    char text[2048], name[320];
    memset(name, 'n', 300);
    name[300] = '\0';
    snprintf(text, sizeof text,
             MINIMAL "; a comment\n%s = categorical, fit, after_outcome = no\n[output]\ndir = o\n",
             name);
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, line_of(text, name));
    assert_err_contains(&err, "line too long");

    /* a long value, where the cut would fall inside the value */
    char value[400];
    memset(value, 'v', 250);
    value[250] = '\0';
    snprintf(text, sizeof text,
             "[data]\nleads = %s.csv\nid = i\noutcome = o\n[attributes]\nx = count\n", value);
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, 2);
    assert_err_contains(&err, "line too long");

    /* Around the limit (README: lines over 196 characters are refused), with LF and CRLF: a
     * line is either read whole or refused, never split into two lines. */
    for (int len = 150; len <= 260; len++) {
        for (int crlf = 0; crlf < 2; crlf++) {
            int nlen = len - (int)strlen(" = count");
            memset(name, 'a', (size_t)nlen);
            name[nlen] = '\0';
            snprintf(text, sizeof text, MINIMAL "%s = count%s[output]\ndir = o\n", name,
                     crlf ? "\r\n" : "\n");
            struct config cfg;
            int rc = config_load_string(text, PATH, &cfg, &err);
            if (rc == 0) {
                if (!config_attr_find(&cfg, name))
                    fail_msg("a %d-character line was split", len);
                if (len >= 199)
                    fail_msg("a %d-character line was accepted", len);
            } else {
                assert_int_equal(rc, MQL_EINPUT);
                assert_err_contains(&err, "line too long");
                if (len <= 196)
                    fail_msg("a %d-character line was refused: %s", len, err.msg);
            }
            config_release(&cfg);
        }
    }

    /* a long comment is refused too rather than parsed in pieces */
    snprintf(text, sizeof text, MINIMAL "; %s\n", value);
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_contains(&err, "line too long");
}

static void test_syntax_error(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "this line has no equals sign\n";
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, line_of(text, "this line"));
    assert_err_contains(&err, "syntax error");

    static const char section[] = "[data\nleads = a.csv\n";
    assert_int_equal(load_fail(section, &err), MQL_EINPUT);
    assert_err_at(&err, PATH, 1);
}

static void test_first_error_wins(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[calibration]\ncapacity = 0\nperiod = daily\n"
                                       "no equals here\n";
    EXPECT_AT(text, "capacity = 0", "'capacity'");
    static const char syntax_first[] = MINIMAL "no equals here\n[calibration]\ncapacity = 0\n";
    EXPECT_AT(syntax_first, "no equals", "syntax error");
}

/* ---- errors found after parsing ---- */

static void test_missing_required_keys(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *key;
    } cases[] = {
        {"[data]\nid = i\noutcome = o\n[attributes]\nx = count\n", "'leads'"},
        {"[data]\nleads = a.csv\nid = i\n[attributes]\nx = count\n", "'outcome'"},
        {"", "'leads'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mql_err err;
        assert_int_equal(load_fail(cases[i].text, &err), MQL_EINPUT);
        assert_err_contains(&err, PATH);
        assert_err_contains(&err, cases[i].key);
        assert_err_contains(&err, "missing");
    }
}

static void test_id_optional(void **state)
{
    (void)state;
    /* without an id column the line number is the id */
    struct config cfg;
    struct mql_err err;
    int rc = config_load_string("[data]\nleads = a.csv\noutcome = o\n[attributes]\nx = count\n",
                                PATH, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
    assert_null(cfg.id);
    assert_int_equal(cfg.line_id, 0);
    config_release(&cfg);
}

static void test_no_attributes(void **state)
{
    (void)state;
    struct mql_err err;
    assert_int_equal(load_fail("[data]\nleads = a.csv\nid = i\noutcome = o\n[attributes]\n", &err),
                     MQL_EINPUT);
    assert_err_contains(&err, PATH);
    assert_err_contains(&err, "attribute");
}

static void test_attribute_is_role_column(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *role;
    } cases[] = {
        {"lead_id = categorical", "id"},
        {"sql = count", "outcome"},
        {"created = numeric", "date"},
        {"note = categorical", "feedback"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MINIMAL "; gap\n%s\n[data]\ndate = created\nfeedback = note\n",
                 cases[i].line);
        struct mql_err err;
        assert_int_equal(load_fail(text, &err), MQL_EINPUT);
        assert_err_contains(&err, PATH);
        assert_err_names_line(&err, line_of(text, cases[i].line));
        char col[64];
        snprintf(col, sizeof col, "'%.*s'", (int)(strchr(cases[i].line, ' ') - cases[i].line),
                 cases[i].line);
        assert_err_contains(&err, col);
        assert_err_contains(&err, cases[i].role);
    }
}

static void test_role_columns_clash(void **state)
{
    (void)state;
    struct mql_err err;
    assert_int_equal(
        load_fail("[data]\nleads = a.csv\nid = x\noutcome = x\n[attributes]\ny = count\n", &err),
        MQL_EINPUT);
    assert_err_contains(&err, PATH);
    assert_err_contains(&err, "'x'");
}

static void test_duplicate_segment(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[segments]\nby = channel, region, channel\n";
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_contains(&err, PATH);
    assert_err_contains(&err, "'channel'");
    assert_err_names_line(&err, line_of(text, "by ="));
}

static void test_outcome_both_positive_and_negative(void **state)
{
    (void)state;
    static const char text[] = MINIMAL "[data]\npositive = won, maybe\nnegative = lost, MAYBE\n";
    struct mql_err err;
    assert_int_equal(load_fail(text, &err), MQL_EINPUT);
    assert_err_contains(&err, PATH);
    assert_err_contains(&err, "maybe");
    assert_err_contains(&err, "positive");
    assert_err_contains(&err, "negative");
    /* like every bad value, it says where: the line of either list will do */
    int lp = line_of(text, "positive ="), ln = line_of(text, "negative =");
    char a[32], b[32], c[32], d[32];
    snprintf(a, sizeof a, ":%d:", lp);
    snprintf(b, sizeof b, ":%d:", ln);
    snprintf(c, sizeof c, "line %d", lp);
    snprintf(d, sizeof d, "line %d", ln);
    if (!strstr(err.msg, a) && !strstr(err.msg, b) && !strstr(err.msg, c) && !strstr(err.msg, d))
        fail_msg("'%s' names neither line %d nor line %d", err.msg, lp, ln);
}

/* ---- config_load: files ---- */

static void test_load_file(void **state)
{
    (void)state;
    char dir[256], path[512];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_text(dir, "x.ini", full_text, path, sizeof path);
    struct config cfg;
    struct mql_err err;
    int rc = config_load(path, &cfg, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
    char want[600];
    snprintf(want, sizeof want, "%s/leads.csv", dir);
    assert_string_equal(cfg.leads, want);
    snprintf(want, sizeof want, "%s/results", dir);
    assert_string_equal(cfg.out_dir, want);
    assert_string_equal(cfg.path, path);
    assert_int_equal(cfg.nattrs, 6);
    config_release(&cfg);
    tu_rmrf(dir);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    char dir[256], path[512];
    tu_mkdtemp(dir, sizeof dir);
    tu_path(path, sizeof path, dir, "nope.ini");
    struct config cfg;
    struct mql_err err;
    int rc = config_load(path, &cfg, &err);
    assert_true(rc == MQL_EINPUT || rc == MQL_EIO);
    assert_int_equal(err.code, rc);
    assert_err_contains(&err, path);
    config_release(&cfg);
    tu_rmrf(dir);
}

static void test_load_folder(void **state)
{
    (void)state;
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    struct config cfg;
    struct mql_err err;
    int rc = config_load(dir, &cfg, &err);
    assert_true(rc == MQL_EINPUT || rc == MQL_EIO);
    assert_err_contains(&err, dir);
    config_release(&cfg);
    tu_rmrf(dir);
}

static void test_load_file_too_big(void **state)
{
    (void)state;
    char dir[256], path[512];
    tu_mkdtemp(dir, sizeof dir);
    size_t cap = CONFIG_MAX_BYTES + 1;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    /* a valid config padded with comment lines to exactly the limit loads */
    size_t n = strlen(full_text);
    memcpy(buf, full_text, n);
    while (n < CONFIG_MAX_BYTES) {
        size_t room = CONFIG_MAX_BYTES - n;
        size_t len = room < 100 ? room : 100;
        memset(buf + n, ';', len);
        buf[n + len - 1] = '\n';
        n += len;
    }
    tu_write_file(dir, "max.ini", buf, CONFIG_MAX_BYTES, path, sizeof path);
    struct config cfg;
    struct mql_err err;
    int rc = config_load(path, &cfg, &err);
    if (rc)
        fail_msg("a config of exactly CONFIG_MAX_BYTES failed: %s", err.msg);
    assert_int_equal(cfg.nattrs, 6);
    config_release(&cfg);

    /* one byte more is refused */
    buf[CONFIG_MAX_BYTES] = '\n';
    tu_write_file(dir, "big.ini", buf, CONFIG_MAX_BYTES + 1, path, sizeof path);
    assert_int_equal(config_load(path, &cfg, &err), MQL_EINPUT);
    assert_err_contains(&err, path);
    config_release(&cfg);
    free(buf);
    tu_rmrf(dir);
}

static void test_load_file_with_nul(void **state)
{
    (void)state;
    char dir[256], path[512];
    tu_mkdtemp(dir, sizeof dir);
    char data[sizeof MINIMAL + 16];
    size_t n = strlen(MINIMAL);
    memcpy(data, MINIMAL, n);
    memcpy(data + n, "; a\0b\n", 6);
    tu_write_file(dir, "nul.ini", data, n + 6, path, sizeof path);
    struct config cfg;
    struct mql_err err;
    assert_int_equal(config_load(path, &cfg, &err), MQL_EINPUT);
    assert_err_contains(&err, path);
    assert_err_contains(&err, "NUL");
    config_release(&cfg);
    tu_rmrf(dir);
}

/* ---- names and release ---- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(config_kind_name(ATTR_CATEGORICAL), "categorical");
    assert_string_equal(config_kind_name(ATTR_COUNT), "count");
    assert_string_equal(config_kind_name(ATTR_NUMERIC), "numeric");
    assert_string_equal(config_group_name(GROUP_NONE), "none");
    assert_string_equal(config_group_name(GROUP_FIT), "fit");
    assert_string_equal(config_group_name(GROUP_ENGAGEMENT), "engagement");
    assert_string_equal(config_period_name(PERIOD_WEEK), "week");
    assert_string_equal(config_period_name(PERIOD_MONTH), "month");
    assert_string_equal(config_period_name(PERIOD_QUARTER), "quarter");
}

static void test_release(void **state)
{
    (void)state;
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    config_release(&cfg);
    config_release(&cfg);
    config_release(NULL);

    struct mql_err err;
    assert_int_equal(config_load_string(full_text, PATH, &cfg, &err), 0);
    config_release(&cfg);
    config_release(&cfg);
    assert_null(cfg.leads);
    assert_int_equal(cfg.positive.n, 0);

    /* a partly loaded config (failure in [attributes]) releases cleanly */
    assert_int_equal(config_load_string(MINIMAL "v = count, bins = 1 2 x\n", PATH, &cfg, &err),
                     MQL_EINPUT);
    config_release(&cfg);
    config_release(&cfg);
}

static void test_null_err(void **state)
{
    (void)state;
    struct config cfg;
    assert_int_equal(config_load_string(MINIMAL "[calibration]\ncapacity = 0\n", PATH, &cfg, NULL),
                     MQL_EINPUT);
    config_release(&cfg);
    assert_int_equal(config_load_string("[data]\nleads = a\n", PATH, &cfg, NULL), MQL_EINPUT);
    config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_example),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_only_positive_given),
        cmocka_unit_test(test_lists_accumulate),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_delimiter_names),
        cmocka_unit_test(test_delimiter_semicolon_is_comment),
        cmocka_unit_test(test_delimiter_unknown),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_long_line_under_limit),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_unknown_section),
        cmocka_unit_test(test_unknown_key_data),
        cmocka_unit_test(test_unknown_key_segments),
        cmocka_unit_test(test_unknown_key_calibration),
        cmocka_unit_test(test_unknown_key_output),
        cmocka_unit_test(test_key_outside_section),
        cmocka_unit_test(test_empty_value),
        cmocka_unit_test(test_bad_kind),
        cmocka_unit_test(test_missing_kind),
        cmocka_unit_test(test_bad_group),
        cmocka_unit_test(test_two_groups),
        cmocka_unit_test(test_unknown_attribute_option),
        cmocka_unit_test(test_bad_after_outcome),
        cmocka_unit_test(test_bins_on_categorical),
        cmocka_unit_test(test_bins_not_increasing),
        cmocka_unit_test(test_bins_not_numeric),
        cmocka_unit_test(test_bins_empty),
        cmocka_unit_test(test_bins_twice),
        cmocka_unit_test(test_bad_period),
        cmocka_unit_test(test_bad_capacity),
        cmocka_unit_test(test_bad_target_conversion),
        cmocka_unit_test(test_holdout_values),
        cmocka_unit_test(test_duplicate_text_keys),
        cmocka_unit_test(test_duplicate_output_dir),
        cmocka_unit_test(test_duplicate_delimiter),
        cmocka_unit_test(test_duplicate_period),
        cmocka_unit_test(test_duplicate_capacity),
        cmocka_unit_test(test_duplicate_target_conversion),
        cmocka_unit_test(test_duplicate_attribute),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_missing_required_keys),
        cmocka_unit_test(test_id_optional),
        cmocka_unit_test(test_no_attributes),
        cmocka_unit_test(test_attribute_is_role_column),
        cmocka_unit_test(test_role_columns_clash),
        cmocka_unit_test(test_duplicate_segment),
        cmocka_unit_test(test_outcome_both_positive_and_negative),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_folder),
        cmocka_unit_test(test_load_file_too_big),
        cmocka_unit_test(test_load_file_with_nul),
        cmocka_unit_test(test_review_section),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
