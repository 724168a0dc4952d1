/*
 * fuzz_rules: the rule file reader (rules.h) on arbitrary bytes, and scoring with what it
 * accepts.
 *
 * The bytes go through rules_parse_json (which compiles the tables). A rule file that loads
 * must compile again to the same result, write back (rules_to_json) to a text that loads and
 * writes back to the very same text, and score: a header is made of the columns the rule names,
 * then each attribute in turn takes fixed awkward values, its own level values and labels,
 * while the other columns are empty. Each record's result must agree with the slower
 * per-value functions (rules_attr_level, rules_dq_match) and with the rule as documented:
 * score = base + the points of each level, mql, and the top three reasons.
 */
#include "fuzz.h"

#include "mqlcal/rules.h"
#include "mqlcal/text.h"

static const char *const fixed[] = {
    "",         " ",    "NA",       "na",        "Select",     "0",
    "1",        "2",    "7",        "63",        "64",         "65",
    "100",      "1000", "99999999", "999999999", "4294967296", "99999999999999999999",
    "-1",       "-0",   "+3",       " 5 ",       "\t6\r",      "1.5",
    "-2.25",    "1e3",  "1e308",    "1e309",     "0x10",       "inf",
    "nan",      "1,5",  "student",  "STUDENT",   "edu",        "a\"b",
    "\xc3\xbc", "\xff", "x\n y",    "abcdefgh",  "abcdefghi",  "abcdefghijklmnopq",
    "Select ",  " NA",
};
#define NFIXED (sizeof fixed / sizeof fixed[0])
#define PER_ATTR 16 /* level values and labels tried per attribute, at most */

/* The level's points, as the compiled table and the level list both give them. */
static int points_of(const struct rules_attr *at, size_t l)
{
    FUZZ_CHECK(at->pts[l] == at->levels[l].points);
    return at->levels[l].points;
}

static void check_record(const struct rules *r, const char *const *f, const size_t *fl,
                         const size_t *cols, size_t a)
{
    struct rules_outcome o;
    size_t bad_attr = (size_t)-1;
    char why[256] = "";
    int rc = rules_score(r, f, fl, cols, &o, &bad_attr, why, sizeof why);
    size_t level;
    int listed;
    int lrc = rules_attr_level(r, a, f[cols[a]], fl[cols[a]], &level, &listed);
    if (rc) {
        FUZZ_CHECK(rc == -1 && bad_attr == a && why[0]);
        FUZZ_CHECK(lrc == -1);
        FUZZ_CHECK(r->attrs[a].kind != ATTR_CATEGORICAL);
        return;
    }
    FUZZ_CHECK(lrc == 0);
    FUZZ_CHECK(o.level[a] == level);
    long long score = r->base, fit = 0, eng = 0;
    for (size_t k = 0; k < r->nattrs; k++) {
        const struct rules_attr *at = &r->attrs[k];
        FUZZ_CHECK(o.level[k] < at->nlevels);
        if (k != a)
            FUZZ_CHECK(o.level[k] == at->missing); /* the other columns are empty */
        int p = points_of(at, o.level[k]);
        score += p;
        fit += at->group == GROUP_FIT ? p : 0;
        eng += at->group == GROUP_ENGAGEMENT ? p : 0;
    }
    FUZZ_CHECK(o.score == score && o.fit_score == fit && o.engagement_score == eng);
    int dq = -1;
    for (size_t q = 0; q < r->ndq && dq < 0; q++) {
        size_t c = cols[r->nattrs + q];
        if (rules_dq_match(r, q, f[c], fl[c]))
            dq = (int)q;
    }
    FUZZ_CHECK(o.disqualifier == dq);
    FUZZ_CHECK(o.mql == (r->has_rule && dq < 0 && score >= r->threshold &&
                         (!r->has_fit_min || fit >= r->fit_min)));
    /* reasons: points above the reference, most first, the earlier attribute on ties */
    int taken[RULES_MAX_ATTRS] = {0};
    for (int k = 0; k < RULES_REASONS; k++) {
        long long best = 0;
        int at_best = -1;
        for (size_t j = 0; j < r->nattrs; j++) {
            const struct rules_attr *at = &r->attrs[j];
            long long d = (long long)points_of(at, o.level[j]) - points_of(at, at->reference);
            if (!taken[j] && d > best) {
                best = d;
                at_best = (int)j;
            }
        }
        FUZZ_CHECK(o.reason[k] == at_best);
        if (at_best >= 0) {
            FUZZ_CHECK(o.reason_points[k] == best);
            taken[at_best] = 1;
        }
    }
}

/* Scores records over the rule's own columns. */
static void score_some(const struct rules *r)
{
    size_t nf = r->nattrs + r->ndq + (r->id_column ? 1 : 0);
    const char **names = calloc(nf + 1, sizeof *names);
    const char **f = calloc(nf + 1, sizeof *f);
    size_t *nl = calloc(nf + 1, sizeof *nl), *fl = calloc(nf + 1, sizeof *fl);
    size_t *cols = calloc(nf + 1, sizeof *cols);
    FUZZ_CHECK(names && f && nl && fl && cols);
    for (size_t i = 0; i < nf; i++) {
        names[i] = i < r->nattrs            ? r->attrs[i].name
                   : i < r->nattrs + r->ndq ? r->dq[i - r->nattrs].column
                                            : r->id_column;
        nl[i] = strlen(names[i]);
    }
    /* header names are trimmed before they are compared: the reader refuses a name with white
     * space around it, which could never be found */
    int untrimmed = 0;
    for (size_t i = 0; i < nf; i++) {
        const char *t = names[i];
        size_t tn = nl[i];
        text_trim_span(&t, &tn);
        untrimmed |= tn != nl[i];
    }
    /* a real header names each column once (a disqualifier's column may be an attribute's):
     * later copies become fillers, since a header naming a rule column twice is refused */
    const char **hdr = calloc(nf + 1, sizeof *hdr);
    size_t *hl = calloc(nf + 1, sizeof *hl);
    char(*filler)[32] = calloc(nf + 1, sizeof *filler);
    FUZZ_CHECK(hdr && hl && filler);
    for (size_t i = 0; i < nf; i++) {
        hdr[i] = names[i];
        hl[i] = nl[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[j], names[i]) == 0) {
                snprintf(filler[i], sizeof filler[i], "\x01filler %zu", i);
                hdr[i] = filler[i];
                hl[i] = strlen(filler[i]);
                break;
            }
    }
    struct mql_err err;
    int rc = rules_bind_header(r, hdr, hl, nf, cols, &err);
    FUZZ_CHECK(!untrimmed && rc == 0);
    for (size_t i = 0; i < nf && !rc; i++)
        FUZZ_CHECK(cols[i] < nf && strcmp(hdr[cols[i]], names[i]) == 0);
    free(hdr);
    free(hl);
    free(filler);
    if (rc)
        goto out;
    for (size_t i = 0; i < nf; i++) {
        f[i] = "";
        fl[i] = 0;
    }
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        size_t c = cols[a];
        for (size_t i = 0; i < NFIXED; i++) {
            f[c] = fixed[i];
            fl[c] = strlen(fixed[i]);
            check_record(r, f, fl, cols, a);
        }
        size_t tried = 0;
        for (size_t l = 0; l < at->nlevels && tried < PER_ATTR; l++) {
            f[c] = at->levels[l].label;
            fl[c] = strlen(f[c]);
            check_record(r, f, fl, cols, a);
            tried++;
            for (size_t v = 0; v < at->levels[l].nvalues && v < 2; v++) {
                f[c] = at->levels[l].values[v];
                fl[c] = strlen(f[c]);
                check_record(r, f, fl, cols, a);
                size_t level;
                int listed;
                FUZZ_CHECK(rules_attr_level(r, a, f[c], fl[c], &level, &listed) == 0);
                /* a listed value takes its level, unless it is a missing token (values are
                 * trimmed before they are looked up, so only a trimmed one is sure to) */
                const char *t = f[c];
                size_t tn = fl[c];
                text_trim_span(&t, &tn);
                FUZZ_CHECK(level == l || level == at->missing || tn != fl[c]);
            }
        }
        f[c] = "";
        fl[c] = 0;
    }
out:
    free(names);
    free(f);
    free(nl);
    free(fl);
    free(cols);
}

static void check_loaded(const struct rules *r)
{
    FUZZ_CHECK(r->version == RULES_VERSION);
    FUZZ_CHECK(r->nattrs <= RULES_MAX_ATTRS);
    FUZZ_CHECK(r->delimiter != '\0');
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        FUZZ_CHECK(at->name && at->name[0]);
        FUZZ_CHECK(at->nlevels >= 1 && at->nlevels <= RULES_MAX_LEVELS);
        FUZZ_CHECK(at->reference < at->nlevels && at->missing < at->nlevels);
        FUZZ_CHECK(at->kind != ATTR_CATEGORICAL || at->unseen < at->nlevels);
        for (size_t l = 0; l < at->nlevels; l++)
            FUZZ_CHECK(at->delta[l] == at->levels[l].points - at->levels[at->reference].points);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rules r;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = rules_parse_json((const char *)data, size, "fuzz.json", &r, &err);
    if (rc) {
        FUZZ_CHECK(rc == MQL_EINPUT && err.msg[0]);
        return 0;
    }
    check_loaded(&r);
    /* compiling again changes nothing */
    FUZZ_CHECK(rules_compile(&r, &err) == 0);
    check_loaded(&r);

    /* what is written back loads, and writes back the same */
    char *text = rules_to_json(&r);
    FUZZ_CHECK(text);
    struct rules again;
    rc = rules_parse_json(text, strlen(text), "again.json", &again, &err);
    if (rc)
        fprintf(stderr, "written back, not read back: %s\n", err.msg);
    FUZZ_CHECK(rc == 0);
    char *text2 = rules_to_json(&again);
    FUZZ_CHECK(text2 && strcmp(text, text2) == 0);
    free(text);
    free(text2);
    rules_release(&again);

    score_some(&r);
    rules_release(&r);
    return 0;
}
