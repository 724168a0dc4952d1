/*
 * Unit tests for include/mqlcal/scorer.h: the CSV reader's corners, on both of its paths (the
 * one-pass path for plain records and the general one for quotes and CRs), and the outputs.
 *
 * The rule: base 0; plan (categorical): pro 10, "a, b" 5 (a value with a comma), 'say "hi"'
 * 7 (a value with quotes), "two\nlines" 3, anything else 0; visits (count): [0, 1) 0,
 * [1, +inf) 1. Ids in column id.
 */
#include "testutil.h"

#include "mqlcal/rules.h"
#include "mqlcal/scorer.h"

static const char rules_json[] =
    "{\"format\": \"mqlcal-rules\", \"version\": 1,"
    " \"input\": {\"id_column\": \"id\", \"delimiter\": \",\", \"missing_values\": []},"
    " \"scaling\": {\"method\": \"pdo\", \"factor\": 1, \"offset\": 0, \"base\": 0},"
    " \"attributes\": ["
    "  {\"name\": \"plan\", \"kind\": \"categorical\", \"group\": \"fit\", \"reference\": \"x\","
    "   \"missing\": \"x\", \"unseen\": \"x\", \"levels\": ["
    "    {\"label\": \"x\", \"points\": 0, \"values\": []},"
    "    {\"label\": \"pro\", \"points\": 10, \"values\": [\"pro\"]},"
    "    {\"label\": \"ab\", \"points\": 5, \"values\": [\"a, b\"]},"
    "    {\"label\": \"hi\", \"points\": 7, \"values\": [\"say \\\"hi\\\"\"]},"
    "    {\"label\": \"two\", \"points\": 3, \"values\": [\"two\\nlines\"]}]},"
    "  {\"name\": \"visits\", \"kind\": \"count\", \"group\": \"engagement\", \"reference\": "
    "\"0\", \"missing\": \"0\", \"levels\": ["
    "    {\"label\": \"0\", \"points\": 0, \"lo\": null, \"hi\": 1},"
    "    {\"label\": \"1+\", \"points\": 1, \"lo\": 1, \"hi\": null}]}],"
    " \"disqualifiers\": [], \"rule\": {\"threshold\": 5, \"fit_min\": null}}";

struct seen {
    char lines[512];
};

static void on_reject(void *ctx, uint64_t line, const char *why)
{
    struct seen *s = ctx;
    size_t n = strlen(s->lines);
    snprintf(s->lines + n, sizeof s->lines - n, "%llu:%s|", (unsigned long long)line, why);
}

/* Scores csv; returns the output (malloc'd); rejects in *seen. */
static char *score(const char *csv, enum scorer_format fmt, struct seen *seen, int want_rc)
{
    struct rules r;
    struct mql_err err;
    mql_err_clear(&err);
    if (rules_parse_json(rules_json, sizeof rules_json - 1, "t.json", &r, &err))
        fail_msg("rules: %s", err.msg);
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    char *out = NULL;
    size_t outn = 0;
    FILE *o = open_memstream(&out, &outn);
    assert_non_null(in);
    assert_non_null(o);
    struct scorer_stats st;
    memset(seen, 0, sizeof *seen);
    int rc = scorer_run(&r, NULL, in, "t.csv", o, fmt, on_reject, seen, &st, &err);
    scorer_stats_release(&st);
    fclose(in);
    fclose(o);
    rules_release(&r);
    if (rc != want_rc)
        fail_msg("scorer_run: %d, want %d (%s)", rc, want_rc, err.msg);
    return out;
}

#define HEAD "id,score,fit_score,engagement_score,mql,disqualifier,reason_1,reason_2,reason_3\n"

static void expect_scores(const char *csv, const char *want_rows, const char *want_rejects)
{
    struct seen seen;
    char *out = score(csv, SCORER_CSV, &seen, 0);
    char want[2048];
    snprintf(want, sizeof want, HEAD "%s", want_rows);
    assert_string_equal(out, want);
    assert_string_equal(seen.lines, want_rejects);
    free(out);
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    /* plain records (the one-pass path), LF, no final newline */
    expect_scores("id,plan,visits\nA,pro,2\nB,basic,0",
                  "A,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\nB,0,0,0,0,,,,\n", "");
    /* quoted values: a comma, doubled quotes, a line break; the reasons quote what needs it */
    expect_scores("id,plan,visits\n"
                  "A,\"a, b\",1\n"
                  "B,\"say \"\"hi\"\"\",0\n"
                  "C,\"two\nlines\",0\n"
                  "D,pro,3\n",
                  "A,6,5,1,1,,plan: ab (+5),visits: 1+ (+1),\n"
                  "B,7,7,0,1,,plan: hi (+7),,\n"
                  "C,3,3,0,0,,plan: two (+3),,\n"
                  "D,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\n",
                  "");
    /* CRLF and CR-only line ends, a BOM, blank lines, white space around values */
    expect_scores("\xEF\xBB\xBFid,plan,visits\r\nA, pro ,2\r\n\r\nB,pro,0\rC,x,1\r\n",
                  "A,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\n"
                  "B,10,10,0,1,,plan: pro (+10),,\n"
                  "C,1,0,1,0,,visits: 1+ (+1),,\n",
                  "");
    /* the header in another order, with a column the rule does not read */
    expect_scores("visits,extra,plan,id\n2,zz,pro,Q\n",
                  "Q,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\n", "");
}

static void test_rejects(void **state)
{
    (void)state;
    /* line numbers count the quoted line break; bad counts and short records are skipped */
    expect_scores("id,plan,visits\n"
                  "A,\"two\nlines\",x\n"
                  "B,pro\n"
                  "C,pro,1\n",
                  "C,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\n",
                  "2:column 'visits': expected a whole number >= 0, got 'x'|"
                  "4:expected 3 fields, got 2|");
    /* an unterminated quote at the end of the data */
    expect_scores("id,plan,visits\nA,pro,1\nB,\"pro,1\n",
                  "A,11,10,1,1,,plan: pro (+10),visits: 1+ (+1),\n",
                  "3:unterminated_quote: the file ends inside a quoted field|");
}

static void test_long_records_and_chunks(void **state)
{
    (void)state;
    /* records crossing the 1 MiB chunk boundary, quoted and plain, are read whole */
    size_t n = 3u << 20;
    char *csv = malloc(n + 64);
    assert_non_null(csv);
    size_t len = (size_t)sprintf(csv, "id,plan,visits\n");
    int rows = 0;
    while (len < n) {
        len += (size_t)sprintf(csv + len, rows % 3 == 0 ? "R%d,\"a, b\",1\n" : "R%d,pro,0\n", rows);
        rows++;
    }
    struct seen seen;
    char *out = score(csv, SCORER_CSV, &seen, 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, (size_t)rows + 1);
    assert_string_equal(seen.lines, "");
    char last[64];
    snprintf(last, sizeof last, "\nR%d,", rows - 1);
    assert_non_null(strstr(out, last));
    free(out);
    free(csv);
}

static void test_jsonl_and_errors(void **state)
{
    (void)state;
    struct seen seen;
    char *out = score("id,plan,visits\n\"A\"\"1\",\"say \"\"hi\"\"\",0\n", SCORER_JSONL, &seen, 0);
    assert_string_equal(out, "{\"id\":\"A\\\"1\",\"score\":7,\"fit_score\":7,"
                             "\"engagement_score\":0,\"mql\":true,\"disqualifier\":null,"
                             "\"reason_1\":\"plan: hi (+7)\",\"reason_2\":null,"
                             "\"reason_3\":null}\n");
    free(out);
    out = score("", SCORER_CSV, &seen, MQL_EINPUT); /* no header */
    free(out);
    out = score("id,plan\nA,pro\n", SCORER_CSV, &seen, MQL_EINPUT); /* no visits column */
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_long_records_and_chunks),
        cmocka_unit_test(test_jsonl_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
