/*
 * fuzz_config: the config reader (config.h) on arbitrary bytes.
 *
 * The bytes, with a NUL added, go through config_load_string under a relative path (so that
 * the path tidying of relative folders runs), and a config that loads must keep config.h's
 * promises. The same bytes written to a file go through config_load, which must refuse a file
 * holding a NUL byte and otherwise give exactly what config_load_string gives for the text.
 */
#include "fuzz.h"

#include "mqlcal/config.h"
#include "mqlcal/text.h"

static char file_path[512];

static void remove_file(void)
{
    unlink(file_path);
    rmdir(fuzz_tmpdir());
}

/* A path as tidy_path leaves it: no empty, "." or "x/.." parts, no trailing '/'. */
static void check_tidy(const char *p)
{
    size_t n = strlen(p);
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(!strstr(p, "//") && !strstr(p, "/./"));
    FUZZ_CHECK(strncmp(p, "./", 2) != 0 || n == 1);
    FUZZ_CHECK(n == 1 || p[n - 1] != '/');
    FUZZ_CHECK(n < 2 || strcmp(p + n - 2, "/.") != 0);
}

static void check_list(const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *s = l->items[i];
        size_t n = strlen(s);
        FUZZ_CHECK(n > 0); /* empty items are skipped, items are trimmed */
        FUZZ_CHECK(s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t');
        FUZZ_CHECK(!strchr(s, ','));
    }
}

static void check_loaded(const struct config *c)
{
    FUZZ_CHECK(c->path && c->dir && c->leads && c->outcome && c->out_dir);
    check_tidy(c->leads);
    check_tidy(c->out_dir);
    if (c->review_previous)
        check_tidy(c->review_previous);
    FUZZ_CHECK(c->delimiter == ',' || c->delimiter == ';' || c->delimiter == '|' ||
               c->delimiter == '\t');
    FUZZ_CHECK(c->nattrs > 0);
    for (size_t i = 0; i < c->nattrs; i++) {
        const struct config_attr *a = &c->attrs[i];
        FUZZ_CHECK(a->column);
        FUZZ_CHECK(config_attr_find(c, a->column) == a); /* no attribute twice */
        FUZZ_CHECK(a->kind == ATTR_CATEGORICAL || a->kind == ATTR_COUNT || a->kind == ATTR_NUMERIC);
        FUZZ_CHECK(a->group == GROUP_NONE || a->group == GROUP_FIT || a->group == GROUP_ENGAGEMENT);
        FUZZ_CHECK(a->nbins == 0 || a->kind != ATTR_CATEGORICAL);
        FUZZ_CHECK((a->nbins == 0) == (a->bins == NULL));
        for (size_t b = 1; b < a->nbins; b++)
            FUZZ_CHECK(a->bins[b - 1] < a->bins[b]);
        FUZZ_CHECK(a->line > 0);
        for (size_t r = 0; r < 4; r++) {
            const char *role[] = {c->id, c->outcome, c->date, c->feedback};
            FUZZ_CHECK(!role[r] || strcmp(role[r], a->column) != 0);
        }
        /* the names the other modules print */
        FUZZ_CHECK(strcmp(config_kind_name(a->kind), "?") != 0);
        FUZZ_CHECK(strcmp(config_group_name(a->group), "?") != 0);
    }
    FUZZ_CHECK(c->positive.n > 0 && c->negative.n > 0);
    for (size_t i = 0; i < c->positive.n; i++)
        for (size_t j = 0; j < c->negative.n; j++)
            FUZZ_CHECK(!text_ieq(c->positive.items[i], c->negative.items[j]));
    check_list(&c->positive);
    check_list(&c->negative);
    check_list(&c->missing);
    check_list(&c->segments);
    check_list(&c->disqualify);
    for (size_t i = 0; i < c->disqualify.n; i++) {
        const char *colon = strchr(c->disqualify.items[i], ':');
        FUZZ_CHECK(colon && colon != c->disqualify.items[i] && colon[1]);
    }
    FUZZ_CHECK(config_is_missing(c, ""));
    for (size_t i = 0; i < c->missing.n; i++)
        FUZZ_CHECK(config_is_missing(c, c->missing.items[i]));
    FUZZ_CHECK(strcmp(config_period_name(c->period), "?") != 0);
    FUZZ_CHECK(c->capacity >= 0);
    FUZZ_CHECK(c->target_conversion >= 0 && c->target_conversion < 1);
    FUZZ_CHECK(c->bootstrap >= 0 && c->bootstrap <= 100000);
    FUZZ_CHECK(c->min_level_count >= 1 && c->quantiles >= 2 && c->quantiles <= 100);
    FUZZ_CHECK(c->max_iter >= 1 && c->tolerance > 0 && c->pdo > 0 && c->anchor_odds > 0);
    FUZZ_CHECK(!c->use_range || c->range_hi > c->range_lo);
    FUZZ_CHECK(c->has_review_baseline == c->has_review_current);
    if (c->has_review_baseline)
        FUZZ_CHECK(c->review_baseline[0] <= c->review_baseline[1] &&
                   c->review_current[0] <= c->review_current[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CONFIG_MAX_BYTES)
        return 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    int has_nul = memchr(data, '\0', size) != NULL;

    /* relative: the folder "dir/sub" takes part in every path the config names */
    struct config a;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = config_load_string(text, "dir/sub/fuzz.ini", &a, &err);
    FUZZ_CHECK(rc == 0 || rc == MQL_EINPUT);
    FUZZ_CHECK((rc == 0) == (err.msg[0] == '\0'));
    if (rc == 0)
        check_loaded(&a);
    config_release(&a);

    /* from a file: the same as the text, and a NUL byte refused */
    if (!file_path[0]) {
        fuzz_path(file_path, "fuzz.ini");
        atexit(remove_file);
    }
    fuzz_write(file_path, data, size);
    struct config f, s;
    struct mql_err ferr, serr;
    mql_err_clear(&ferr);
    mql_err_clear(&serr);
    int frc = config_load(file_path, &f, &ferr);
    if (has_nul) {
        FUZZ_CHECK(frc == MQL_EINPUT && strstr(ferr.msg, "NUL byte"));
    } else {
        int src = config_load_string(text, file_path, &s, &serr);
        FUZZ_CHECK(frc == src);
        FUZZ_CHECK(strcmp(ferr.msg, serr.msg) == 0);
        if (frc == 0) {
            FUZZ_CHECK(strcmp(f.leads, s.leads) == 0 && strcmp(f.out_dir, s.out_dir) == 0);
            FUZZ_CHECK(f.nattrs == s.nattrs && f.delimiter == s.delimiter);
            check_loaded(&f);
        }
        config_release(&s);
    }
    config_release(&f);
    free(text);
    return 0;
}
