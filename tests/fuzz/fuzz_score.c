/*
 * fuzz_score: the streaming scorer (scorer.h), what production feeds untrusted exports to, on
 * arbitrary bytes as the leads CSV.
 *
 * The rule is fixed: RULE_COMMA (comma-separated, an id column, text missing tokens,
 * disqualifiers, a threshold and fit minimum) unless the first line holds a ';', then
 * RULE_SEMICOLON (semicolon-separated, no id column: the line number is the id, a numeric
 * missing token "-1", no rule). Both name the columns of the CSV files in tests/data. The bytes are
 * scored to CSV and to JSON lines, in memory; each run must account for every record (records =
 * scored + unscored, one reject call per unscored record) and the JSON lines must hold one line
 * per scored record.
 */
#include "fuzz.h"

#include "mqlcal/rules.h"
#include "mqlcal/scorer.h"

#define ATTRS_COMMON                                                                               \
    "{\"name\": \"channel\", \"kind\": \"categorical\", \"group\": \"none\", \"reference\": "      \
    "\"web\", \"missing\": \"(missing)\", \"unseen\": \"(other)\", \"levels\": ["                  \
    "{\"label\": \"web\", \"points\": 0, \"values\": [\"web\", \"website\"]},"                     \
    "{\"label\": \"events\", \"points\": 12, \"values\": [\"events\", \"Events\"]},"               \
    "{\"label\": \"partner\", \"points\": -7, \"values\": [\"partner_marketplace\", "              \
    "\"partner marketplace (EU)\"]},"                                                              \
    "{\"label\": \"(missing)\", \"points\": -3, \"values\": []},"                                  \
    "{\"label\": \"(other)\", \"points\": 1, \"values\": []}]},"                                   \
    "{\"name\": \"pricing_page_views\", \"kind\": \"count\", \"group\": \"engagement\", "          \
    "\"reference\": \"0\", \"missing\": \"(missing)\", \"levels\": ["                              \
    "{\"label\": \"0\", \"points\": 0, \"lo\": null, \"hi\": 1},"                                  \
    "{\"label\": \"1\", \"points\": 5, \"lo\": 1, \"hi\": 2},"                                     \
    "{\"label\": \"2-63\", \"points\": 9, \"lo\": 2, \"hi\": 64},"                                 \
    "{\"label\": \"64-99999\", \"points\": 11, \"lo\": 64, \"hi\": 100000},"                       \
    "{\"label\": \"100000+\", \"points\": 2, \"lo\": 100000, \"hi\": null},"                       \
    "{\"label\": \"(missing)\", \"points\": -1}]},"                                                \
    "{\"name\": \"time_on_site\", \"kind\": \"numeric\", \"group\": \"engagement\", "              \
    "\"reference\": \"0-60\", \"missing\": \"0-60\", \"levels\": ["                                \
    "{\"label\": \"<0\", \"points\": -20, \"lo\": null, \"hi\": 0},"                               \
    "{\"label\": \"0-60\", \"points\": 0, \"lo\": 0, \"hi\": 60.5},"                               \
    "{\"label\": \"60-300\", \"points\": 4, \"lo\": 60.5, \"hi\": 300},"                           \
    "{\"label\": \"300+\", \"points\": 8, \"lo\": 300, \"hi\": null}]}"

static const char RULE_COMMA[] =
    "{\"format\": \"mqlcal-rules\", \"version\": 1, \"provenance\": {},"
    "\"input\": {\"id_column\": \"lead_id\", \"delimiter\": \",\", \"missing_values\": "
    "[\"NA\", \"Select\"]},"
    "\"scaling\": {\"method\": \"pdo\", \"factor\": 28.85, \"offset\": 100, \"base\": 3},"
    "\"attributes\": [" ATTRS_COMMON ","
    "{\"name\": \"job_level\", \"kind\": \"categorical\", \"group\": \"fit\", \"reference\": "
    "\"staff\", \"missing\": \"staff\", \"unseen\": \"staff\", \"levels\": ["
    "{\"label\": \"staff\", \"points\": 0, \"values\": [\"staff\", \"NA\"]},"
    "{\"label\": \"manager\", \"points\": 6, \"values\": [\"manager\", \"head of department\"]},"
    "{\"label\": \"vp\", \"points\": 15, \"values\": [\"vp\", \"c-level\"]},"
    "{\"label\": \"student\", \"points\": -9, \"values\": [\"student\"]}]}],"
    "\"disqualifiers\": [{\"column\": \"job_level\", \"value\": \"student\"},"
    "{\"column\": \"country\", \"value\": \"XX\"}],"
    "\"rule\": {\"threshold\": 10, \"fit_min\": 0}}";

static const char RULE_SEMICOLON[] =
    "{\"format\": \"mqlcal-rules\", \"version\": 1,"
    "\"input\": {\"id_column\": null, \"delimiter\": \";\", \"missing_values\": "
    "[\"-1\", \"n/a\"]},"
    "\"scaling\": {\"method\": \"range\", \"factor\": 1, \"offset\": 0, \"base\": -5},"
    "\"attributes\": [" ATTRS_COMMON "],"
    "\"disqualifiers\": [{\"column\": \"became_sql\", \"value\": \"1\"}],"
    "\"rule\": {\"threshold\": null, \"fit_min\": null}}";

static struct rules rule_comma, rule_semicolon;

static void release_rules(void)
{
    rules_release(&rule_comma);
    rules_release(&rule_semicolon);
}

static void load_rules(void)
{
    struct mql_err err;
    if (rules_parse_json(RULE_COMMA, strlen(RULE_COMMA), "comma", &rule_comma, &err) ||
        rules_parse_json(RULE_SEMICOLON, strlen(RULE_SEMICOLON), "semicolon", &rule_semicolon,
                         &err)) {
        fprintf(stderr, "fuzz_score: the fixed rule does not load: %s\n", err.msg);
        abort();
    }
    atexit(release_rules);
}

struct rejects {
    uint64_t n;
    uint64_t last_line;
};

static void on_reject(void *ctx, uint64_t line, const char *why)
{
    struct rejects *r = ctx;
    FUZZ_CHECK(why && why[0]);
    FUZZ_CHECK(line >= 1);
    r->n++;
    r->last_line = line;
}

static void run(const struct rules *r, char *in_bytes, size_t size, enum scorer_format fmt)
{
    FILE *in = fmemopen(in_bytes, size, "r");
    char *out = NULL;
    size_t outn = 0;
    FILE *o = open_memstream(&out, &outn);
    FUZZ_CHECK(in && o);
    struct scorer_stats st;
    struct rejects rj = {0, 0};
    struct mql_err err;
    mql_err_clear(&err);
    int rc = scorer_run(r, NULL, in, "fuzz.csv", o, fmt, on_reject, &rj, &st, &err);
    fclose(in);
    FUZZ_CHECK(fclose(o) == 0);
    FUZZ_CHECK(rc == 0 || rc == MQL_EINPUT);
    FUZZ_CHECK((rc == 0) == (err.msg[0] == '\0'));
    FUZZ_CHECK(st.records == st.scored + st.unscored);
    FUZZ_CHECK(rj.n == st.unscored);
    FUZZ_CHECK(st.mqls <= st.scored);
    FUZZ_CHECK(st.unseen_leads <= st.scored);
    for (size_t a = 0; a < st.nattrs; a++) {
        uint64_t sum = st.unseen[a].other;
        for (size_t i = 0; i < st.unseen[a].nvalues; i++)
            sum += st.unseen[a].counts[i];
        FUZZ_CHECK(sum == st.unseen[a].leads && st.unseen[a].leads <= st.unseen_leads);
    }
    scorer_stats_release(&st);
    if (rc == 0) {
        size_t lines = 0;
        for (size_t i = 0; i < outn; i++)
            lines += out[i] == '\n';
        if (fmt == SCORER_JSONL) {
            FUZZ_CHECK(lines == st.scored);
        } else {
            FUZZ_CHECK(outn > 0 && lines >= st.scored + 1); /* quoted ids may break lines */
            FUZZ_CHECK(strncmp(out, "id,score,", 9) == 0);
        }
    } else {
        FUZZ_CHECK(st.scored == 0 || strstr(err.msg, "too long"));
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int loaded;
    if (!loaded) {
        load_rules();
        loaded = 1;
    }
    const uint8_t *nl = memchr(data, '\n', size), *cr = memchr(data, '\r', size);
    size_t first = nl ? (size_t)(nl - data) : size;
    if (cr && (size_t)(cr - data) < first)
        first = (size_t)(cr - data);
    const struct rules *r = memchr(data, ';', first) ? &rule_semicolon : &rule_comma;
    /* a private copy: the scorer reads through a stream, and may not write to the input */
    char *copy = malloc(size + 1);
    FUZZ_CHECK(copy);
    if (size)
        memcpy(copy, data, size);
    run(r, copy, size, SCORER_CSV);
    FUZZ_CHECK(size == 0 || memcmp(copy, data, size) == 0);
    run(r, copy, size, SCORER_JSONL);
    free(copy);
    return 0;
}
