/*
 * fuzz_ingest: the CSV ingest path (ingest.h) on arbitrary bytes as the leads CSV.
 *
 * The bytes are written as leads.csv in a private folder on tmpfs and loaded by ingest_run into
 * a store beside it, under a fixed config: CONFIG_COMMA (tests/data/corpus.ini's columns: an id,
 * a date, categorical, count and numeric attributes, segments, feedback, a disqualifier column)
 * unless the first line holds a ';', then CONFIG_SEMICOLON (no id column: the line number is
 * the id, no date, a numeric missing token). Every record must be accounted for (read = loaded
 * + rejected, rejects by reason add up), and a load that succeeds must hold exactly those rows
 * in its leads and rejects tables. The store is removed after each input.
 */
#include "fuzz.h"

#include <sqlite3.h>

#include "mqlcal/config.h"
#include "mqlcal/ingest.h"

static const char CONFIG_COMMA[] = "[data]\n"
                                   "leads = leads.csv\n"
                                   "id = lead_id\n"
                                   "outcome = became_sql\n"
                                   "positive = 1, yes\n"
                                   "negative = 0, no\n"
                                   "date = created_at\n"
                                   "missing = NA, Select\n"
                                   "feedback = sales_feedback\n"
                                   "[attributes]\n"
                                   "channel = categorical\n"
                                   "job_level = categorical, fit\n"
                                   "pricing_page_views = count, engagement\n"
                                   "time_on_site = numeric, engagement, bins = 0 60 300 900\n"
                                   "[segments]\n"
                                   "by = channel, country\n"
                                   "[rules]\n"
                                   "disqualify = job_level:student\n"
                                   "[output]\n"
                                   "dir = out\n";

static const char CONFIG_SEMICOLON[] = "[data]\n"
                                       "leads = leads.csv\n"
                                       "outcome = became_sql\n"
                                       "delimiter = semicolon\n"
                                       "missing = -1, n/a\n"
                                       "[attributes]\n"
                                       "channel = categorical\n"
                                       "pricing_page_views = count, engagement, bins = 1 2 5\n"
                                       "time_on_site = numeric\n"
                                       "[segments]\n"
                                       "by = country\n"
                                       "[output]\n"
                                       "dir = out\n";

static struct config cfg_comma, cfg_semicolon;
static char leads_path[512], db_path[512], tmp_path[512], cfg_path[512];

static void clean_up(void)
{
    config_release(&cfg_comma);
    config_release(&cfg_semicolon);
    unlink(leads_path);
    unlink(db_path);
    unlink(tmp_path);
    rmdir(fuzz_tmpdir());
}

static void set_up(void)
{
    fuzz_path(leads_path, "leads.csv");
    fuzz_path(db_path, "fuzz.db");
    fuzz_path(tmp_path, "fuzz.db.ingest-tmp");
    fuzz_path(cfg_path, "fuzz.ini");
    struct mql_err err;
    if (config_load_string(CONFIG_COMMA, cfg_path, &cfg_comma, &err) ||
        config_load_string(CONFIG_SEMICOLON, cfg_path, &cfg_semicolon, &err)) {
        fprintf(stderr, "fuzz_ingest: the fixed config does not load: %s\n", err.msg);
        abort();
    }
    FUZZ_CHECK(strcmp(cfg_comma.leads, leads_path) == 0);
    atexit(clean_up);
}

static long long count_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    FUZZ_CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        set_up();
        ready = 1;
    }
    const uint8_t *nl = memchr(data, '\n', size), *cr = memchr(data, '\r', size);
    size_t first = nl ? (size_t)(nl - data) : size;
    if (cr && (size_t)(cr - data) < first)
        first = (size_t)(cr - data);
    const struct config *cfg = memchr(data, ';', first) ? &cfg_semicolon : &cfg_comma;

    fuzz_write(leads_path, data, size);
    struct ingest_opts opts = {.db_path = db_path};
    struct ingest_stats st;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = ingest_run(cfg, &opts, &st, &err);
    FUZZ_CHECK(rc == 0 || rc == MQL_EINPUT);
    FUZZ_CHECK((rc == 0) == (err.msg[0] == '\0'));
    FUZZ_CHECK(access(tmp_path, F_OK) != 0); /* the temporary store never stays */
    FUZZ_CHECK(st.bytes == size);
    FUZZ_CHECK(st.read >= st.loaded + st.rejected);
    uint64_t by_reason = 0;
    for (int i = 0; i < REJECT_NREASONS; i++)
        by_reason += st.by_reason[i];
    FUZZ_CHECK(by_reason == st.rejected);
    FUZZ_CHECK(st.nexamples >= 0 && st.nexamples <= INGEST_EXAMPLES);
    FUZZ_CHECK((uint64_t)st.nexamples <= st.rejected);
    if (rc == 0) {
        FUZZ_CHECK(st.read == st.loaded + st.rejected);
        FUZZ_CHECK(st.loaded > 0);
        FUZZ_CHECK(strlen(st.sha256) == 64);
        sqlite3 *db = NULL;
        FUZZ_CHECK(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        FUZZ_CHECK(count_rows(db, "SELECT count(*) FROM leads") == (long long)st.loaded);
        FUZZ_CHECK(count_rows(db, "SELECT count(*) FROM rejects") == (long long)st.rejected);
        FUZZ_CHECK(count_rows(db, "SELECT rows_read FROM loads") == (long long)st.read);
        sqlite3_close(db);
        FUZZ_CHECK(unlink(db_path) == 0);
    } else {
        FUZZ_CHECK(access(db_path, F_OK) != 0); /* no store is left from a failed load */
    }
    return 0;
}
