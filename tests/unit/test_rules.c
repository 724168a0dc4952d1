/*
 * Unit tests for include/mqlcal/rules.h: reading and checking rule files (every error names
 * its JSON path), and scoring leads by hand-computed expectations.
 *
 * The fixture rule: base 10; plan (categorical, fit): basic 0 (reference), pro 12, legacy -5,
 * "(other)" 3 (unseen), "(missing)" -2; visits (count, engagement): [-inf, 1) 0 (reference),
 * [1, 3) 4, [3, +inf) 9, missing -> the reference bin; minutes (numeric, none): [-inf, 60)
 * -1, [60, +inf) 2 (reference), "(missing)" 0. Missing tokens: "NA". Disqualifier
 * role:student. Rule: 20 points with fit >= 0.
 */
#include "testutil.h"

#include "mqlcal/rules.h"

static const char good[] =
    "{\"format\": \"mqlcal-rules\", \"version\": 1,\n"
    " \"input\": {\"id_column\": \"id\", \"delimiter\": \",\", \"missing_values\": [\"NA\"]},\n"
    " \"scaling\": {\"method\": \"pdo\", \"factor\": 28.85, \"offset\": 100, \"base\": 10},\n"
    " \"attributes\": [\n"
    "  {\"name\": \"plan\", \"kind\": \"categorical\", \"group\": \"fit\", \"reference\": "
    "\"basic\", \"missing\": \"(missing)\", \"unseen\": \"(other)\", \"levels\": [\n"
    "    {\"label\": \"basic\", \"points\": 0, \"values\": [\"basic\"]},\n"
    "    {\"label\": \"pro\", \"points\": 12, \"values\": [\"pro\", \"Pro Plus\"]},\n"
    "    {\"label\": \"legacy\", \"points\": -5, \"values\": [\"legacy\"]},\n"
    "    {\"label\": \"(other)\", \"points\": 3, \"values\": [\"rare\"]},\n"
    "    {\"label\": \"(missing)\", \"points\": -2, \"values\": []}]},\n"
    "  {\"name\": \"visits\", \"kind\": \"count\", \"group\": \"engagement\", \"reference\": "
    "\"0\", \"missing\": \"0\", \"levels\": [\n"
    "    {\"label\": \"0\", \"points\": 0, \"lo\": null, \"hi\": 1},\n"
    "    {\"label\": \"1-2\", \"points\": 4, \"lo\": 1, \"hi\": 3},\n"
    "    {\"label\": \"3+\", \"points\": 9, \"lo\": 3, \"hi\": null}]},\n"
    "  {\"name\": \"minutes\", \"kind\": \"numeric\", \"group\": \"none\", \"reference\": "
    "\">= 60\", \"missing\": \"(missing)\", \"levels\": [\n"
    "    {\"label\": \"< 60\", \"points\": -1, \"lo\": null, \"hi\": 60},\n"
    "    {\"label\": \">= 60\", \"points\": 2, \"lo\": 60, \"hi\": null},\n"
    "    {\"label\": \"(missing)\", \"points\": 0}]}],\n"
    " \"disqualifiers\": [{\"column\": \"role\", \"value\": \"student\"}],\n"
    " \"rule\": {\"threshold\": 20, \"fit_min\": 0}}\n";

static void load_good(struct rules *r)
{
    struct mql_err err;
    mql_err_clear(&err);
    if (rules_parse_json(good, sizeof good - 1, "good.json", r, &err) != 0)
        fail_msg("rules_parse_json: %s", err.msg);
}

/* Scores one lead: fields in the order id, plan, visits, minutes, role. */
static int score(const struct rules *r, const char *plan, const char *visits, const char *minutes,
                 const char *role, struct rules_outcome *out, char *why)
{
    const char *names[] = {"id", "plan", "visits", "minutes", "role"};
    size_t lens[5];
    for (int i = 0; i < 5; i++)
        lens[i] = strlen(names[i]);
    size_t cols[8];
    struct mql_err err;
    mql_err_clear(&err);
    if (rules_bind_header(r, names, lens, 5, cols, &err) != 0)
        fail_msg("bind: %s", err.msg);
    const char *fields[] = {"L1", plan, visits, minutes, role};
    for (int i = 0; i < 5; i++)
        lens[i] = strlen(fields[i]);
    size_t bad = 99;
    return rules_score(r, fields, lens, cols, out, &bad, why, 256);
}

static void test_scores(void **state)
{
    (void)state;
    struct rules r;
    load_good(&r);
    struct rules_outcome x;
    char why[256];
    /* pro 12 + visits 2 -> 4 + minutes 75 -> 2: 10 + 12 + 4 + 2 = 28, fit 12, engagement 4 */
    assert_int_equal(score(&r, "pro", "2", "75", "manager", &x, why), 0);
    assert_int_equal(x.score, 28);
    assert_int_equal(x.fit_score, 12);
    assert_int_equal(x.engagement_score, 4);
    assert_int_equal(x.mql, 1);
    assert_int_equal(x.disqualifier, -1);
    /* reasons: plan +12, visits +4 (minutes is at its reference) */
    assert_int_equal(x.reason[0], 0);
    assert_int_equal(x.reason_points[0], 12);
    assert_int_equal(x.reason[1], 1);
    assert_int_equal(x.reason_points[1], 4);
    assert_int_equal(x.reason[2], -1);

    /* trimmed, case matters for levels ("PRO" is unseen: 3), NA is missing for the count (its
     * missing level is the reference bin, 0) and the number (0); a student: disqualified */
    assert_int_equal(score(&r, "  PRO\t", "NA", "NA", " Student ", &x, why), 0);
    assert_int_equal(x.score, 10 + 3 + 0 + 0);
    assert_int_equal(x.disqualifier, 0);
    assert_int_equal(x.mql, 0);
    /* a value with a space inside, the bin edges: 1 is in [1, 3), 60 in [60, inf), 59.999 not */
    assert_int_equal(score(&r, "Pro Plus", "1", "60", "", &x, why), 0);
    assert_int_equal(x.score, 10 + 12 + 4 + 2);
    assert_int_equal(score(&r, "basic", "3", "59.999", "", &x, why), 0);
    assert_int_equal(x.score, 10 + 0 + 9 - 1);
    assert_int_equal(x.reason[0], 1); /* only visits is above its reference */
    assert_int_equal(x.reason[1], -1);
    /* empty is missing: plan -2, and below the fit minimum 0: not an MQL though score 10-2+9+2 */
    assert_int_equal(score(&r, "", "7", "120", "", &x, why), 0);
    assert_int_equal(x.score, 19);
    assert_int_equal(x.fit_score, -2);
    assert_int_equal(x.mql, 0);
    /* legacy -5 with 3+ visits and 60+ minutes: 16 < 20 */
    assert_int_equal(score(&r, "legacy", "+4", "1e3", "", &x, why), 0);
    assert_int_equal(x.score, 16);
    assert_int_equal(x.mql, 0);
    /* leads that cannot be scored */
    assert_int_equal(score(&r, "pro", "2.5", "75", "", &x, why), -1);
    assert_string_equal(why, "column 'visits': expected a whole number >= 0, got '2.5'");
    assert_int_equal(score(&r, "pro", "-1", "75", "", &x, why), -1);
    assert_int_equal(score(&r, "pro", "1", "ten", "", &x, why), -1);
    assert_string_equal(why, "column 'minutes': expected a number, got 'ten'");
    rules_release(&r);
}

static void test_ties_and_threshold_none(void **state)
{
    (void)state;
    /* two attributes +5 above their references: the earlier one first */
    char text[sizeof good + 64];
    snprintf(text, sizeof text, "%s", good);
    char *p = strstr(text, "\"label\": \"pro\", \"points\": 12");
    memcpy(p + strlen("\"label\": \"pro\", \"points\": "), " 9", 2); /* 9, as visits 3+ */
    p = strstr(text, "\"threshold\": 20");
    memcpy(p, "\"threshold\":nul", 15); /* then the "l" over the comma, and a new comma */
    p[15] = 'l';
    memmove(p + 17, p + 16, strlen(p + 16) + 1);
    p[16] = ',';
    struct rules r;
    struct mql_err err;
    mql_err_clear(&err);
    if (rules_parse_json(text, strlen(text), "t.json", &r, &err))
        fail_msg("%s", err.msg);
    assert_false(r.has_rule);
    struct rules_outcome x;
    char why[256];
    assert_int_equal(score(&r, "pro", "5", "75", "", &x, why), 0);
    assert_int_equal(x.reason[0], 0); /* plan +9, then visits +9 */
    assert_int_equal(x.reason[1], 1);
    assert_int_equal(x.mql, 0); /* no rule: never an MQL */
    rules_release(&r);
}

/* Each bad file: its precise message. */
static void expect_error(const char *what, const char *from, const char *to, const char *want)
{
    char text[sizeof good + 256];
    if (from) {
        const char *p = strstr(good, from);
        if (!p)
            fail_msg("%s: fixture lacks '%s'", what, from);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
    } else {
        snprintf(text, sizeof text, "%s", to);
    }
    struct rules r;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = rules_parse_json(text, strlen(text), "bad.json", &r, &err);
    if (rc != MQL_EINPUT)
        fail_msg("%s: expected MQL_EINPUT, got %d (%s)", what, rc, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("%s: message '%s' lacks '%s'", what, err.msg, want);
}

static void test_errors(void **state)
{
    (void)state;
    char truncated[200];
    snprintf(truncated, sizeof truncated, "%.150s", good);
    expect_error("truncated", NULL, truncated,
                 "bad.json:3:34: not valid JSON: premature end of input");
    expect_error("wrong version", "\"version\": 1", "\"version\": 2",
                 "bad.json: version: version 2 is not supported (this mqlcal reads version 1)");
    expect_error("wrong format", "\"mqlcal-rules\"", "\"other\"",
                 "bad.json: format: 'other' is not a mqlcal rule file");
    expect_error("unknown kind", "\"kind\": \"count\"", "\"kind\": \"ordinal\"",
                 "bad.json: attributes[1].kind: unknown attribute kind 'ordinal' (expected "
                 "categorical, count or numeric)");
    expect_error("non-integer points", "\"points\": -5", "\"points\": -5.5",
                 "bad.json: attributes[0].levels[2].points: expected an integer, got a number");
    expect_error("string points", "\"points\": 4", "\"points\": \"4\"",
                 "bad.json: attributes[1].levels[1].points: expected an integer, got a string");
    expect_error("duplicate level", "{\"label\": \"legacy\"", "{\"label\": \"pro\"",
                 "bad.json: attributes[0].levels[2].label: duplicate level 'pro' (also "
                 "levels[1])");
    expect_error("missing threshold", "\"threshold\": 20, ", "",
                 "bad.json: rule.threshold: missing");
    expect_error("missing rule", ",\n \"rule\": {\"threshold\": 20, \"fit_min\": 0}", "",
                 "bad.json: rule: missing");
    expect_error("value in two levels", "[\"legacy\"]", "[\"legacy\", \"pro\"]",
                 "attribute 'plan': value 'pro' is in two levels");
    expect_error("bins with a gap", "\"lo\": 3, \"hi\": null", "\"lo\": 4, \"hi\": null",
                 "bad.json: attributes[1].levels[2]: bins must follow each other: lo 4, "
                 "expected 3");
    expect_error("bins short of infinity", "\"lo\": 3, \"hi\": null", "\"lo\": 3, \"hi\": 10",
                 "bad.json: attributes[1].levels: the last bin must reach plus infinity");
    expect_error("unknown level reference", "\"reference\": \"basic\"", "\"reference\": \"gold\"",
                 "bad.json: attributes[0].reference: no level is labelled 'gold'");
    expect_error("unknown group", "\"group\": \"none\"", "\"group\": \"other\"",
                 "bad.json: attributes[2].group: unknown group 'other'");
    expect_error("values not strings", "[\"rare\"]", "[7]",
                 "bad.json: attributes[0].levels[3].values[0]: expected a string, got an "
                 "integer");
    expect_error("duplicate key", "\"version\": 1,", "\"version\": 1, \"version\": 1,",
                 "duplicate object key");
    expect_error("not an object", NULL, "[1, 2]", "bad.json: (top): expected an object");
    /* json_dumps fails on anything but an object or array: it was reported as out of memory
     * (tests/fuzz/regress/rules/provenance-not-object.json) */
    expect_error("provenance not an object", "\"version\": 1,",
                 "\"version\": 1, \"provenance\": -1,",
                 "bad.json: provenance: expected an object, got an integer");
    /* a name with white space around it could never match a (trimmed) CSV header
     * (tests/fuzz/regress/rules/untrimmed-attribute-name.json) */
    expect_error("untrimmed name", "{\"name\": \"minutes\"", "{\"name\": \" minutes\"",
                 "bad.json: attributes[2].name: a column name with white space around it");
    expect_error("empty name", "{\"name\": \"minutes\"", "{\"name\": \"\"",
                 "bad.json: attributes[2].name: empty");
    expect_error("attribute twice", "{\"name\": \"minutes\"", "{\"name\": \"plan\"",
                 "bad.json: attributes[2]: attribute 'plan' twice (also attributes[0])");
    /* input.joins (issue 14) */
#define JOIN(name)                                                                                 \
    "{\"name\": \"" name "\", \"key\": \"acct\", \"on\": \"id\", \"file\": \"a.csv\"}"
    expect_error("joins not an array", "[\"NA\"]}", "[\"NA\"], \"joins\": {}}",
                 "bad.json: input.joins: expected an array, got an object");
    expect_error("join name with a dot", "[\"NA\"]}", "[\"NA\"], \"joins\": [" JOIN("a.b") "]}",
                 "bad.json: input.joins[0].name: 'a.b': a table name is letters, digits and _");
    expect_error("join twice", "[\"NA\"]}",
                 "[\"NA\"], \"joins\": [" JOIN("acc") ", " JOIN("acc") "]}",
                 "bad.json: input.joins[1].name: 'acc' is also joins[0]'s name");
    expect_error("join without on", "[\"NA\"]}",
                 "[\"NA\"], \"joins\": [{\"name\": \"a\", \"key\": \"k\", \"file\": \"f\"}]}",
                 "bad.json: input.joins[0].on: missing");
    expect_error("join key untrimmed", "[\"NA\"]}",
                 "[\"NA\"], \"joins\": [{\"name\": \"a\", \"key\": \" k\", \"on\": \"o\", "
                 "\"file\": \"f\"}]}",
                 "bad.json: input.joins[0].key: a column name with white space around it");
#undef JOIN
}

/* A score is an int: a rule whose base and points could add up to more is refused (scoring it
 * overflowed: tests/fuzz/regress/rules/points-overflow.json), one that reaches INT_MAX exactly
 * scores. */
static void test_points_range(void **state)
{
    (void)state;
    static const char fmt[] =
        "{\"format\": \"mqlcal-rules\", \"version\": 1,"
        " \"input\": {\"id_column\": null, \"delimiter\": \",\", \"missing_values\": []},"
        " \"scaling\": {\"method\": \"pdo\", \"factor\": 1, \"offset\": 0, \"base\": %d},"
        " \"attributes\": [%s, %s], \"disqualifiers\": [],"
        " \"rule\": {\"threshold\": 0, \"fit_min\": null}}";
    static const char a[] = "{\"name\": \"a\", \"kind\": \"count\", \"group\": \"fit\", "
                            "\"reference\": \"all\", \"missing\": \"all\", \"levels\": "
                            "[{\"label\": \"all\", \"points\": 1000000000, \"lo\": null, "
                            "\"hi\": null}]}";
    static const char b[] = "{\"name\": \"b\", \"kind\": \"categorical\", \"group\": "
                            "\"fit\", \"reference\": \"x\", \"missing\": \"x\", \"unseen\": "
                            "\"y\", \"levels\": [{\"label\": \"x\", \"points\": 0, "
                            "\"values\": []}, {\"label\": \"y\", \"points\": 1000000000, "
                            "\"values\": []}]}";
    char text[2048];
    struct rules r;
    struct mql_err err;
    mql_err_clear(&err);
    snprintf(text, sizeof text, fmt, 1000000000, a, b);
    assert_int_equal(rules_parse_json(text, strlen(text), "big.json", &r, &err), MQL_EINPUT);
    assert_err_contains(&err, "could add up to 3000000000, more than a score can hold");
    snprintf(text, sizeof text, fmt, 147483647, a, b);
    mql_err_clear(&err);
    if (rules_parse_json(text, strlen(text), "edge.json", &r, &err) != 0)
        fail_msg("rules_parse_json: %s", err.msg);
    const char *names[] = {"a", "b"}, *fields[] = {"1", "z"}; /* b: unseen, 1e9 */
    size_t lens[] = {1, 1}, flens[] = {1, 1}, cols[2], bad;
    assert_int_equal(rules_bind_header(&r, names, lens, 2, cols, &err), 0);
    struct rules_outcome out;
    char why[256];
    assert_int_equal(rules_score(&r, fields, flens, cols, &out, &bad, why, sizeof why), 0);
    assert_int_equal(out.score, 2147483647);
    assert_int_equal(out.fit_score, 2000000000);
    flens[1] = 0; /* b: missing, 0 */
    assert_int_equal(rules_score(&r, fields, flens, cols, &out, &bad, why, sizeof why), 0);
    assert_int_equal(out.score, 1147483647);
    rules_release(&r);
}

/* Written and read back: the same rules, the same JSON. */
static void test_round_trip(void **state)
{
    const char *dir = *state;
    struct rules r, back;
    load_good(&r);
    char path[512];
    tu_path(path, sizeof path, dir, "rules.json");
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(rules_write_json(&r, path, 0, &err), 0);
    assert_int_equal(rules_load_json(path, &back, &err), 0);
    char *a = rules_to_json(&r), *b = rules_to_json(&back);
    assert_string_equal(a, b);
    assert_int_equal(back.nattrs, 3);
    assert_int_equal(back.attrs[2].levels[2].no_bin, 1);
    assert_true(back.has_fit_min);
    assert_int_equal(back.njoins, 0);
    assert_null(strstr(a, "joins")); /* a rule without joins writes no joins key */
    free(a);
    free(b);
    rules_release(&r);
    rules_release(&back);
    /* with a joined table: the join and its columns survive, and NAME.c names it */
    const char *from = "{\"name\": \"plan\"";
    const char *p = strstr(good, from);
    assert_non_null(p);
    char text[sizeof good + 512];
    snprintf(text, sizeof text, "%.*s{\"name\": \"acc.plan\"%s", (int)(p - good), good,
             p + strlen(from));
    char *q = strstr(text, "[\"NA\"]}");
    assert_non_null(q);
    char tail[sizeof text];
    snprintf(tail, sizeof tail, "%s", q + strlen("[\"NA\"]}"));
    snprintf(q, sizeof text - (size_t)(q - text),
             "[\"NA\"], \"joins\": [{\"name\": \"acc\", \"key\": \"account\", \"on\": "
             "\"id\", \"file\": \"/x/accounts.csv\", \"sha256\": null}]}%s",
             tail);
    mql_err_clear(&err);
    assert_int_equal(rules_parse_json(text, strlen(text), "j.json", &r, &err), 0);
    assert_int_equal(r.njoins, 1);
    const char *sub = NULL;
    assert_int_equal(rules_join_of(&r, "acc.plan", &sub), 0);
    assert_string_equal(sub, "plan");
    assert_int_equal(rules_join_of(&r, "acc.", NULL), -1);
    assert_int_equal(rules_join_of(&r, "accplan", NULL), -1);
    assert_int_equal(rules_write_json(&r, path, 0, &err), 0);
    assert_int_equal(rules_load_json(path, &back, &err), 0);
    a = rules_to_json(&r);
    b = rules_to_json(&back);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"file\": \"/x/accounts.csv\""));
    assert_string_equal(back.joins[0].on, "id");
    assert_null(back.joins[0].sha256);
    free(a);
    free(b);
    rules_release(&r);
    rules_release(&back);
    /* a missing file, an empty file */
    mql_err_clear(&err);
    assert_int_equal(rules_load_json("/nonexistent/rules.json", &back, &err), MQL_EINPUT);
    assert_err_contains(&err, "cannot read '/nonexistent/rules.json'");
    char empty[512];
    tu_write_text(dir, "empty.json", "", empty, sizeof empty);
    mql_err_clear(&err);
    assert_int_equal(rules_load_json(empty, &back, &err), MQL_EINPUT);
    assert_err_contains(&err, "not valid JSON");
}

/* The header must name every column the rules read. */
static void test_header(void **state)
{
    (void)state;
    struct rules r;
    load_good(&r);
    const char *names[] = {"id", "plan", " visits ", "role"};
    size_t lens[4], cols[8];
    for (int i = 0; i < 4; i++)
        lens[i] = strlen(names[i]);
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(rules_bind_header(&r, names, lens, 4, cols, &err), MQL_EINPUT);
    assert_err_contains(&err, "the header has no column 'minutes' (the rule file's attribute)");
    rules_release(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_dir, tu_teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_ties_and_threshold_none),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_points_range),
        T(test_round_trip),
        cmocka_unit_test(test_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
