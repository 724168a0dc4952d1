/*
 * ingest.c: the ingest stage: reads the leads CSV (and [outcomes], [join] tables) into a new
 * store, rejecting every record it cannot load with the reason (ingest.h).
 */
#include "mqlcal/ingest.h"

#include "mqlcal/clock.h"
#include "mqlcal/csvread.h"
#include "mqlcal/dates.h"
#include "mqlcal/fsx.h"
#include "mqlcal/joins.h"
#include "mqlcal/outcomes.h"
#include "mqlcal/strbuf.h"

#include <nettle/sha2.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"

#define CHUNK (1u << 20)

/* What a stored column holds. */
enum col_type { COL_ID, COL_OUTCOME, COL_DATE, COL_SQL_DATE, COL_TEXT, COL_COUNT, COL_NUMERIC };

struct col {
    const char *name; /* owned by the config */
    const char *role; /* "id", "outcome", "date", "attribute", "segment", "feedback" */
    enum col_type type;
    const struct config_attr *attr; /* for attributes, else NULL */
    int cfg_line;                   /* where the config names it */
    const char *cfg_key;
    long csv_index;            /* position in the header, -1 until found */
    int join;                  /* index of its [join] table, or -1 for a leads file column */
    size_t join_col;           /* its kept column there */
    uint64_t missing;          /* loaded rows where it is missing */
    struct date_layout layout; /* a date column's layout (dates.h), once decided */
    int decided;
};

struct ingest {
    const struct config *cfg;
    struct ingest_stats *stats;
    struct mql_err *err;
    int fatal; /* an error that stops the load, already in err */

    /* columns we store */
    struct col *cols;
    size_t ncols;
    long nheader; /* fields in the header, -1 before it was read */

    /* the record being loaded (the reader's) */
    struct csvread rd;
    uint64_t rec_line;   /* its first physical line */
    uint64_t rec_nlines; /* physical lines it spans */

    /* the store */
    sqlite3 *db;
    sqlite3_stmt *ins_lead, *find_line; /* the lead's insert: its columns follow the config */
    struct schema_row rejects;
    int32_t day_min, day_max;
    int have_day;
    size_t *missing_len;                 /* lengths of cfg->missing.items */
    unsigned char *row_missing;          /* per column: missing in the record being loaded */
    struct sha256_ctx sha;               /* of the input file's bytes */
    char **rule_names;                   /* the columns [rules] disqualify names */
    int32_t day_floor, day_ceiling;      /* dates outside are rejected (earliest_date, today) */
    struct outcomes outcomes;            /* [outcomes]: the deals file, by lead id */
    struct outcome_entry *outcome_match; /* the row being loaded's entry, marked once loaded */
    struct join_table *joins;            /* [join NAME] tables, as cfg->joins */
    long *join_key;                      /* per join: the leads file's key column */
    long *join_row;                      /* per join: the row of the record being loaded */
    int mat_on;                          /* maturity_active(cfg), decided once */
    struct maturity_lead *mat;           /* maturity.h: each loaded lead's dates and outcome */
    size_t nmat, capmat;
    uint64_t source_size; /* the leads file's size and modification time when opened */
    char source_mtime[40];
};

const char *ingest_reason_name(enum ingest_reason r)
{
    static const char *const names[] = {"field_count",
                                        "unterminated_quote",
                                        "bad_number",
                                        "bad_date",
                                        "missing_id",
                                        "missing_outcome",
                                        "bad_outcome",
                                        "duplicate_id",
                                        "invalid_utf8",
                                        "nul_byte",
                                        "bad_quote",
                                        "date_out_of_range",
                                        "outcome_before_created",
                                        "after_as_of"};
    _Static_assert(ARRAY_SIZE(names) == REJECT_NREASONS, "a name per reason");
    return (unsigned)r < REJECT_NREASONS && names[r] ? names[r] : "?";
}

void ingest_mtime_text(const struct stat *st, char *buf, size_t cap)
{
    snprintf(buf, cap, "%lld.%09ld", (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

/* The config's part that decides what ingest stores, one item a line, then hashed. */
static void hash_str(struct sha256_ctx *h, const char *tag, const char *v)
{
    sha256_update(h, strlen(tag), (const uint8_t *)tag);
    sha256_update(h, 1, (const uint8_t *)"=");
    if (v)
        sha256_update(h, strlen(v) + 1, (const uint8_t *)v); /* the NUL ends it */
    else
        sha256_update(h, 1, (const uint8_t *)"\x01");
}

static void hash_list(struct sha256_ctx *h, const char *tag, const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        hash_str(h, tag, l->items[i]);
    hash_str(h, "end", tag);
}

void ingest_config_hash(const struct config *cfg, char hex[65])
{
    struct sha256_ctx h;
    sha256_init(&h);
    char d[2] = {cfg->delimiter, 0};
    hash_str(&h, "leads", cfg->leads);
    hash_str(&h, "id", cfg->id);
    hash_str(&h, "outcome", cfg->outcome);
    hash_str(&h, "outcome_date", cfg->outcome_date);
    hash_str(&h, "outcomes.file", cfg->outcomes.file);
    hash_str(&h, "outcomes.id", cfg->outcomes.id);
    hash_str(&h, "outcomes.date", cfg->outcomes.date);
    hash_str(&h, "outcomes.stage", cfg->outcomes.stage);
    hash_list(&h, "outcomes.positive", &cfg->outcomes.positive);
    hash_list(&h, "outcomes.negative", &cfg->outcomes.negative);
    hash_list(&h, "positive", &cfg->positive);
    hash_list(&h, "negative", &cfg->negative);
    hash_list(&h, "pending", &cfg->pending);
    hash_list(&h, "outcomes.pending", &cfg->outcomes.pending);
    hash_str(&h, "date", cfg->date);
    hash_str(&h, "date_format", cfg->date_format);
    char floor[16];
    snprintf(floor, sizeof floor, "%d", cfg->earliest_day);
    hash_str(&h, "earliest_date", floor);
    if (cfg->has_as_of || cfg->window) { /* they decide outcomes (maturity.h) */
        char m[48];
        snprintf(m, sizeof m, "%d %d %d", cfg->has_as_of, (int)cfg->as_of_day, cfg->window);
        hash_str(&h, "maturity", m);
    }
    hash_str(&h, "feedback", cfg->feedback);
    hash_str(&h, "delimiter", d);
    hash_list(&h, "missing", &cfg->missing);
    for (size_t j = 0; j < cfg->njoins; j++) {
        hash_str(&h, "join", cfg->joins[j].name);
        hash_str(&h, "join.file", cfg->joins[j].file);
        hash_str(&h, "join.key", cfg->joins[j].key);
        hash_str(&h, "join.on", cfg->joins[j].on);
    }
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_digest(&h, sizeof dig, dig);
    for (size_t i = 0; i < sizeof dig; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
}

/* Every column the config reads must be in the store, and an attribute with the kind it has
 * now (a column stored as text cannot become a count without a new ingest). */
static int check_columns(sqlite3 *db, const struct config *cfg, struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT kind FROM columns WHERE name = ?", &st, err);
    if (rc)
        return rc;
    size_t nd = cfg->disqualify.n;
    size_t total = cfg->nattrs + cfg->segments.n + nd + (cfg->feedback ? 1 : 0);
    for (size_t i = 0; i < total && !rc; i++) {
        const char *name;
        char *owned = NULL;
        const struct config_attr *a = NULL;
        if (i < cfg->nattrs) {
            a = &cfg->attrs[i];
            name = a->column;
        } else if (i < cfg->nattrs + cfg->segments.n) {
            name = cfg->segments.items[i - cfg->nattrs];
        } else if (i < cfg->nattrs + cfg->segments.n + nd) {
            const char *item = cfg->disqualify.items[i - cfg->nattrs - cfg->segments.n];
            if (!(owned = text_ndup(item, strcspn(item, ":")))) {
                rc = mql_err_oom(err);
                break;
            }
            text_trim(owned);
            name = owned;
        } else {
            name = cfg->feedback;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int found = sqlite3_step(st) == SQLITE_ROW;
        const char *kind = found ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!found)
            rc = mql_err_set(err, MQL_EINPUT,
                             "%s: column '%s' is not in the store, which was loaded with another "
                             "config: run 'mqlcal ingest %s' first",
                             cfg->path, name, cfg->path);
        else if (a && (kind ? strcmp(kind, config_kind_name(a->kind)) != 0
                            : a->kind != ATTR_CATEGORICAL))
            rc = mql_err_set(err, MQL_EINPUT,
                             "%s:%d: attribute '%s' is %s now but was loaded as %s: run 'mqlcal "
                             "ingest %s' first",
                             cfg->path, a->line, name, config_kind_name(a->kind),
                             kind ? kind : "text", cfg->path);
        sqlite3_reset(st);
        free(owned);
    }
    sqlite3_finalize(st);
    return rc;
}

/* sha256 of the file at path into hex; -1 when it cannot be read. */
static int file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct sha256_ctx h;
    sha256_init(&h);
    char *buf = malloc(1u << 20);
    size_t got;
    while (buf && (got = fread(buf, 1, 1u << 20, f)) > 0)
        sha256_update(&h, got, (const uint8_t *)buf);
    int bad = !buf || ferror(f);
    free(buf);
    fclose(f);
    if (bad)
        return -1;
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_digest(&h, sizeof dig, dig);
    for (size_t i = 0; i < sizeof dig; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    return 0;
}

int ingest_check_store(sqlite3 *db, const struct config *cfg, struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "SELECT source, sha256, source_size, source_mtime, config_hash, "
                           "outcomes_source, outcomes_sha256 FROM loads ORDER BY load_id DESC "
                           "LIMIT 1",
                           &st, err);
    if (rc)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return mql_err_set(err, MQL_EINPUT, "the store has no load: run 'mqlcal ingest %s'",
                           cfg->path);
    }
    const char *source = (const char *)sqlite3_column_text(st, 0);
    const char *sha = (const char *)sqlite3_column_text(st, 1);
    long long size = sqlite3_column_int64(st, 2);
    const char *mtime = (const char *)sqlite3_column_text(st, 3);
    const char *chash = (const char *)sqlite3_column_text(st, 4);
    char hash[65];
    ingest_config_hash(cfg, hash);
    struct stat fs;
    char now[40];
    if (!source || strcmp(source, cfg->leads) != 0) {
        rc = mql_err_set(err, MQL_EINPUT,
                         "the store was loaded from '%s', the config names '%s': run 'mqlcal "
                         "ingest %s' first",
                         source ? source : "?", cfg->leads, cfg->path);
    } else if (!chash || strcmp(chash, hash) != 0) {
        rc = mql_err_set(err, MQL_EINPUT,
                         "%s: the [data] section changed since the store was loaded: run "
                         "'mqlcal ingest %s' first",
                         cfg->path, cfg->path);
    } else if (stat(cfg->leads, &fs) != 0) {
        rc = mql_err_set(err, MQL_EINPUT,
                         "the leads file '%s' the store was loaded from is gone: %s", cfg->leads,
                         strerror(errno));
    } else {
        ingest_mtime_text(&fs, now, sizeof now);
        /* the same size and time: unchanged; else the bytes decide (a copy or a touch is fine) */
        char cur[65];
        if (((long long)fs.st_size != size || !mtime || strcmp(mtime, now) != 0) &&
            (file_sha256(cfg->leads, cur) != 0 || !sha || strcmp(cur, sha) != 0))
            rc = mql_err_set(err, MQL_EINPUT,
                             "the leads file '%s' changed since the store was loaded: run "
                             "'mqlcal ingest %s' first",
                             cfg->leads, cfg->path);
    }
    /* the deals file of [outcomes] decides outcomes too: its bytes must be the same */
    const char *osrc = (const char *)sqlite3_column_text(st, 5);
    const char *osha = (const char *)sqlite3_column_text(st, 6);
    char cur[65];
    if (!rc && osrc && (file_sha256(osrc, cur) != 0 || !osha || strcmp(cur, osha) != 0))
        rc = mql_err_set(err, MQL_EINPUT,
                         "the [outcomes] file '%s' changed since the store was loaded: run 'mqlcal "
                         "ingest %s' first",
                         osrc, cfg->path);
    sqlite3_finalize(st);
    st = NULL;
    /* and so do the [join] tables */
    if (!rc && cfg->njoins &&
        !(rc = store_prepare(db, "SELECT source, sha256 FROM joins WHERE name = ?", &st, err))) {
        for (size_t j = 0; j < cfg->njoins && !rc; j++) {
            sqlite3_bind_text(st, 1, cfg->joins[j].name, -1, SQLITE_STATIC);
            int found = sqlite3_step(st) == SQLITE_ROW;
            const char *jsha = found ? (const char *)sqlite3_column_text(st, 1) : NULL;
            if (!found || file_sha256(cfg->joins[j].file, cur) != 0 || !jsha ||
                strcmp(cur, jsha) != 0)
                rc = mql_err_set(err, MQL_EINPUT,
                                 "the [join %s] file '%s' changed since the store was loaded: run "
                                 "'mqlcal ingest %s' first",
                                 cfg->joins[j].name, cfg->joins[j].file, cfg->path);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    return rc ? rc : check_columns(db, cfg, err);
}

char *ingest_default_db(const struct config *cfg)
{
    size_t n = strlen(cfg->out_dir) + sizeof "/mqlcal.db";
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/mqlcal.db", cfg->out_dir);
    return p;
}

/* ---- columns ------------------------------------------------------------------------------ */

static int add_col(struct ingest *in, const char *name, const char *role, enum col_type type,
                   const struct config_attr *attr, int line, const char *key)
{
    for (size_t i = 0; i < in->ncols; i++)
        if (strcmp(in->cols[i].name, name) == 0)
            return 0; /* a segment that is also an attribute is stored once */
    struct col *c = realloc(in->cols, (in->ncols + 1) * sizeof *c);
    if (!c)
        return mql_err_oom(in->err);
    in->cols = c;
    in->cols[in->ncols++] =
        (struct col){name, role, type, attr, line, key, -1, -1, 0, 0, {DATE_ISO, NULL}, 0};
    return 0;
}

static int plan_columns(struct ingest *in)
{
    const struct config *cfg = in->cfg;
    int rc;
    if ((cfg->id && (rc = add_col(in, cfg->id, "id", COL_ID, NULL, cfg->line_id, "id"))) ||
        (cfg->outcome && (rc = add_col(in, cfg->outcome, "outcome", COL_OUTCOME, NULL,
                                       cfg->line_outcome, "outcome"))) ||
        (cfg->outcome_date && (rc = add_col(in, cfg->outcome_date, "outcome_date", COL_SQL_DATE,
                                            NULL, cfg->line_outcome_date, "outcome_date"))))
        return rc;
    if (cfg->date && (rc = add_col(in, cfg->date, "date", COL_DATE, NULL, cfg->line_date, "date")))
        return rc;
    for (size_t i = 0; i < cfg->nattrs; i++) {
        const struct config_attr *a = &cfg->attrs[i];
        if (a->column[0] == '_')
            return mql_err_set(in->err, MQL_EINPUT,
                               "%s:%d: attribute '%s': names starting with '_' are reserved for "
                               "the store",
                               cfg->path, a->line, a->column);
        enum col_type t = a->kind == ATTR_COUNT     ? COL_COUNT
                          : a->kind == ATTR_NUMERIC ? COL_NUMERIC
                                                    : COL_TEXT;
        if ((rc = add_col(in, a->column, "attribute", t, a, a->line, a->column)))
            return rc;
    }
    for (size_t i = 0; i < cfg->segments.n; i++) {
        const char *s = cfg->segments.items[i];
        if (s[0] == '_')
            return mql_err_set(in->err, MQL_EINPUT,
                               "%s:%d: segment '%s': names starting with '_' are reserved",
                               cfg->path, cfg->line_segments, s);
        if ((rc = add_col(in, s, "segment", COL_TEXT, NULL, cfg->line_segments, "by")))
            return rc;
    }
    for (size_t i = 0; i < cfg->disqualify.n; i++) {
        /* "column:value": the column is needed by the sweep */
        const char *item = cfg->disqualify.items[i];
        size_t len = strcspn(item, ":");
        char *name = in->rule_names[i] = text_ndup(item, len);
        if (!name)
            return mql_err_oom(in->err);
        text_trim(name);
        if ((rc = add_col(in, name, "rule", COL_TEXT, NULL, cfg->line_disqualify, "disqualify")))
            return rc;
    }
    if (cfg->feedback && (rc = add_col(in, cfg->feedback, "feedback", COL_TEXT, NULL,
                                       cfg->line_feedback, "feedback")))
        return rc;
    return 0;
}

static const char *field(const struct ingest *in, size_t i, size_t *len)
{
    *len = in->rd.fl[i];
    return in->rd.f[i];
}

/* A column's value in the record being loaded: the leads file's field, or its joined table's
 * (empty, so missing, when the lead's key has no row). */
static const char *col_value(const struct ingest *in, const struct col *col, size_t *len)
{
    if (col->join < 0)
        return field(in, (size_t)col->csv_index, len);
    long r = in->join_row[col->join];
    if (r < 0) {
        *len = 0;
        return "";
    }
    return joins_value(&in->joins[col->join], r, col->join_col, len);
}

/* The columns that no leads file field holds and that name a [join] table (NAME.column) are
 * read from it: the table is loaded with those columns, and the leads file's key column found. */
static int open_joins(struct ingest *in)
{
    const struct config *cfg = in->cfg;
    if (!cfg->njoins)
        return 0;
    in->joins = calloc(cfg->njoins, sizeof *in->joins);
    in->join_key = malloc(cfg->njoins * sizeof *in->join_key);
    in->join_row = malloc(cfg->njoins * sizeof *in->join_row);
    const char **want = malloc((in->ncols ? in->ncols : 1) * sizeof *want);
    if (!in->joins || !in->join_key || !in->join_row || !want) {
        free(want);
        return mql_err_oom(in->err);
    }
    int rc = 0;
    for (size_t j = 0; j < cfg->njoins && !rc; j++) {
        const struct config_join *cj = &cfg->joins[j];
        char where[600];
        snprintf(where, sizeof where, "%s:%d: [join %s] key", cfg->path, cj->line, cj->name);
        if ((rc = csvread_require(&in->rd, cj->key, where, cfg->leads, &in->join_key[j], in->err)))
            break;
        size_t nwant = 0;
        for (size_t c = 0; c < in->ncols; c++) {
            struct col *col = &in->cols[c];
            const char *sub;
            if (config_join_of(cfg, col->name, &sub) != cj)
                continue;
            if (col->csv_index >= 0) {
                /* the scorer refuses it too: which value would count? */
                rc = mql_err_set(in->err, MQL_EINPUT,
                                 "%s:%d: key '%s': '%s' is a column of %s and of the [join %s] "
                                 "table: rename the leads file's column or the join",
                                 cfg->path, col->cfg_line, col->cfg_key, col->name, cfg->leads,
                                 cj->name);
                break;
            }
            if (col->type != COL_TEXT && col->type != COL_COUNT && col->type != COL_NUMERIC) {
                rc = mql_err_set(in->err, MQL_EINPUT,
                                 "%s:%d: key '%s': '%s' must be a column of the leads file, not "
                                 "of [join %s]",
                                 cfg->path, col->cfg_line, col->cfg_key, col->name, cj->name);
                break;
            }
            col->join = (int)j;
            col->join_col = nwant;
            want[nwant++] = sub;
        }
        char origin[512];
        snprintf(origin, sizeof origin, "%s:%d: [join %s]", cfg->path, cj->line, cj->name);
        struct join_spec spec = {cj->name, cj->file, cj->on, origin, cfg->delimiter, &cfg->missing};
        if (!rc)
            rc = joins_load(&spec, want, nwant, &in->joins[j], in->err);
    }
    free(want);
    return rc;
}

static int read_header(struct ingest *in)
{
    const struct config *cfg = in->cfg;
    in->nheader = (long)in->rd.nf;
    for (size_t i = 0; i < in->rd.nf; i++) {
        size_t n;
        const char *s = field(in, i, &n);
        text_trim_span(&s, &n);
        for (size_t c = 0; c < in->ncols; c++) {
            if (strlen(in->cols[c].name) != n || memcmp(in->cols[c].name, s, n) != 0)
                continue;
            if (in->cols[c].csv_index >= 0)
                return mql_err_set(in->err, MQL_EINPUT,
                                   "%s: column '%s' appears twice in the header (fields %ld and "
                                   "%zu)",
                                   cfg->leads, in->cols[c].name, in->cols[c].csv_index + 1, i + 1);
            in->cols[c].csv_index = (long)i;
        }
    }
    int rc = open_joins(in);
    if (rc)
        return rc;
    for (size_t c = 0; c < in->ncols; c++) {
        const struct col *col = &in->cols[c];
        if (col->csv_index >= 0 || col->join >= 0)
            continue;
        /* what the user most likely meant: the nearest names, or another delimiter */
        char hint[400] = "";
        char near[300];
        if (in->rd.nf == 1 && in->rd.raw) {
            char d = text_guess_delimiter(in->rd.raw, in->rd.rawlen, (char)cfg->delimiter);
            if (d)
                snprintf(hint, sizeof hint,
                         "; the header is one column, and its line holds '%s': set delimiter = %s",
                         d == '\t' ? "\\t" : (char[2]){d, 0},
                         d == ';'    ? "semicolon"
                         : d == '\t' ? "tab"
                         : d == '|'  ? "pipe"
                                     : "comma");
        }
        if (!hint[0] &&
            text_nearest_names(col->name, in->rd.f, in->rd.fl, in->rd.nf, near, sizeof near))
            snprintf(hint, sizeof hint, " (nearest: %s)", near);
        if (col->attr)
            return mql_err_set(in->err, MQL_EINPUT,
                               "%s:%d: attribute '%s': no such column in the header of %s%s",
                               cfg->path, col->cfg_line, col->name, cfg->leads, hint);
        return mql_err_set(in->err, MQL_EINPUT,
                           "%s:%d: key '%s': no column '%s' in the header of %s%s", cfg->path,
                           col->cfg_line, col->cfg_key, col->name, cfg->leads, hint);
    }
    return 0;
}

/* ---- store --------------------------------------------------------------------------------- */

static const char *sql_type(enum col_type t)
{
    switch (t) {
    case COL_OUTCOME:
    case COL_COUNT:
        return "INTEGER";
    case COL_NUMERIC:
        return "REAL";
    default:
        return "TEXT";
    }
}

static int create_schema(struct ingest *in)
{
    int rc = schema_create(in->db, "ingest", in->err);
    if (rc)
        return rc;
    struct strbuf t = {0}, ins = {0};
    const struct schema_table *leads = schema_find("leads");
    strbuf_add(&ins, "INSERT INTO leads VALUES(?");
    for (size_t c = 1; c < leads->ncols; c++)
        strbuf_add(&ins, ", ?");
    for (size_t c = 0; c < in->ncols; c++) {
        if (in->cols[c].type == COL_ID || in->cols[c].type == COL_OUTCOME ||
            in->cols[c].type == COL_DATE || in->cols[c].type == COL_SQL_DATE)
            continue;
        if (t.len)
            strbuf_add(&t, ", ");
        strbuf_sql_ident(&t, in->cols[c].name);
        strbuf_add(&t, " ");
        strbuf_add(&t, sql_type(in->cols[c].type));
        strbuf_add(&ins, ", ?");
    }
    strbuf_add(&ins, ")");
    char *create = t.oom ? NULL : schema_create_sql(leads, t.s ? t.s : "");
    if (!create || ins.oom)
        rc = mql_err_oom(in->err);
    else if (!(rc = store_exec(in->db, create, in->err)))
        rc = store_prepare(in->db, ins.s, &in->ins_lead, in->err);
    free(create);
    free(t.s);
    free(ins.s);
    if (rc)
        return rc;
    if ((rc = schema_row_open(&in->rejects, in->db, "rejects", in->err)) ||
        (rc = store_prepare(in->db, "SELECT _line FROM leads WHERE _id = ?", &in->find_line,
                            in->err)))
        return rc;

    struct schema_row w;
    if ((rc = schema_row_open(&w, in->db, "columns", in->err)))
        return rc;
    for (size_t c = 0; c < in->ncols && !rc; c++) {
        const struct col *col = &in->cols[c];
        schema_put_int(&w, (long long)c);
        schema_put_text(&w, col->name);
        schema_put_text(&w, col->role);
        schema_put_text(&w, col->attr ? config_kind_name(col->attr->kind) : NULL);
        schema_put_text(&w, col->attr ? config_group_name(col->attr->group) : NULL);
        schema_put_int(&w, col->csv_index + 1);
        schema_put_null(&w); /* missing: counted by the end of the load */
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* ---- rows ---------------------------------------------------------------------------------- */

static void note_example(struct ingest *in, uint64_t line, const char *detail)
{
    struct ingest_stats *s = in->stats;
    if (s->nexamples >= INGEST_EXAMPLES)
        return;
    s->examples[s->nexamples].line = line;
    snprintf(s->examples[s->nexamples].detail, sizeof s->examples[0].detail, "%s", detail);
    s->nexamples++;
}

/* The raw record as read, without its line end. */
static void raw_span(const struct ingest *in, const char **s, size_t *n)
{
    *s = in->rd.raw ? in->rd.raw : "";
    *n = in->rd.raw ? in->rd.rawlen : 0;
}

static int reject(struct ingest *in, enum ingest_reason why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(struct ingest *in, enum ingest_reason why, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    const char *raw;
    size_t rawn;
    raw_span(in, &raw, &rawn);
    struct schema_row *w = &in->rejects;
    schema_put_int(w, (long long)in->rec_line);
    schema_put_int(w, (long long)in->rec_nlines);
    schema_put_text(w, ingest_reason_name(why));
    schema_put_text(w, detail);
    /* raw is ANY: the text as it was, or a blob when it is not valid UTF-8 or holds a NUL */
    if (text_utf8_valid(raw, rawn) && !memchr(raw, '\0', rawn))
        schema_put_textn(w, raw, rawn);
    else
        schema_put_blob(w, raw, rawn);
    int rc = schema_row_end(w);
    if (rc)
        return rc;
    in->stats->rejected++;
    in->stats->rejected_lines += in->rec_nlines;
    in->stats->by_reason[why]++;
    note_example(in, in->rec_line, detail);
    return 0;
}

/* A value quoted for a message, cut to 60 bytes. */
static void show(char *buf, size_t cap, const char *s, size_t n)
{
    size_t k = n > 60 ? 60 : n;
    snprintf(buf, cap, "'%.*s%s'", (int)k, s, n > k ? "..." : "");
}

/* config_is_missing_span, with the tokens' lengths computed once for the load */
static int is_missing(const struct ingest *in, const char *s, size_t n)
{
    return text_is_missing(s, n, in->cfg->missing.items, in->missing_len, in->cfg->missing.n);
}

/* The date column's layout, at its first value: the config's date_format; ISO when that value
 * is ISO (a plain file is read once); else the layout that reads the most of the column's
 * values, in a first pass over the file (dates_detect), or an ambiguity error. */
static int decide_dates(struct ingest *in, struct col *col, const char *s, size_t n)
{
    const struct config *cfg = in->cfg;
    col->decided = 1;
    int32_t day;
    if (cfg->date_format) {
        col->layout = (struct date_layout){DATE_FORMAT, cfg->date_format};
        return 0;
    }
    col->layout = (struct date_layout){DATE_ISO, NULL};
    if (text_parse_date(s, n, &day) == 0)
        return 0;
    FILE *f = fopen(cfg->leads, "rb");
    if (!f)
        return mql_err_set(in->err, MQL_EIO, "cannot read '%s' again: %s", cfg->leads,
                           strerror(errno));
    struct csvread rd = {.in = f, .delim = (char)cfg->delimiter, .max_record = INGEST_MAX_RECORD};
    struct dates_votes votes;
    memset(&votes, 0, sizeof votes);
    int rc = csvread_init(&rd) ? mql_err_oom(in->err) : 0, st, first = 1;
    while (!rc && (st = csvread_next(&rd)) != CSVR_EOF) {
        if (st < 0) {
            rc = mql_err_set(in->err, MQL_EIO, "cannot read '%s' again", cfg->leads);
            break;
        }
        if (first || st != CSVR_OK || (long)rd.nf != in->nheader) {
            first = 0;
            continue;
        }
        const char *v = rd.f[col->csv_index];
        size_t vn = rd.fl[col->csv_index];
        text_trim_span(&v, &vn);
        if (!is_missing(in, v, vn))
            dates_vote(&votes, v, vn);
    }
    csvread_release(&rd);
    fclose(f);
    if (!rc && (rc = dates_detect(&votes, col->name, &col->layout, in->err)))
        mql_err_prefix(in->err, "%s", cfg->leads);
    return rc;
}

/* load_row's helpers stop at a rejected record with ROW_REJECTED: reject() has stored it, and
 * the load goes on with the next record. */
#define ROW_REJECTED (-1)

static int rejected(int rc)
{
    return rc ? rc : ROW_REJECTED;
}

/* What load_row has read of the record so far. */
struct row {
    const char *id;
    size_t idn;
    int32_t day, sql_day;
    int has_day, has_sql_day;
    int outcome; /* 1 SQL, 0 not, -1 pending (not known yet) */
};

/* The outcome column's value s[0..n). */
static int read_outcome(struct ingest *in, const struct col *col, const char *s, size_t n,
                        struct row *r)
{
    const struct config *cfg = in->cfg;
    char shown[80];
    if (config_list_has(&cfg->positive, s, n))
        r->outcome = 1;
    else if (config_list_has(&cfg->negative, s, n))
        r->outcome = 0;
    else if (cfg->pending.n && config_list_has(&cfg->pending, s, n))
        r->outcome = -1; /* not known yet: NULL */
    else {
        show(shown, sizeof shown, s, n);
        return rejected(reject(in, REJECT_BAD_OUTCOME,
                               "column '%s': %s is in none of positive, negative%s", col->name,
                               shown, cfg->pending.n ? " and pending" : " (nor pending)"));
    }
    return 0;
}

/* A creation or SQL date s[0..n), bound at slot as YYYY-MM-DD. */
static int read_date(struct ingest *in, struct col *col, int slot, const char *s, size_t n,
                     int missing, struct row *r)
{
    sqlite3_stmt *st = in->ins_lead;
    char shown[80];
    if (!missing && !col->decided) {
        int rc = decide_dates(in, col, s, n);
        if (rc)
            return rc;
    }
    int32_t dd = 0;
    if (missing) {
        sqlite3_bind_null(st, slot);
    } else if (dates_parse(&col->layout, s, n, &dd)) {
        show(shown, sizeof shown, s, n);
        return rejected(reject(in, REJECT_BAD_DATE, "column '%s': expected a date %s, got %s",
                               col->name, dates_layout_name(&col->layout), shown));
    } else if (dd < in->day_floor || dd > in->day_ceiling) {
        /* one typo (2204 for 2024) would stretch the calendar over centuries */
        char lo[11], hi[11];
        text_format_date(in->day_floor, lo);
        text_format_date(in->day_ceiling, hi);
        show(shown, sizeof shown, s, n);
        return rejected(reject(in, REJECT_DATE_RANGE,
                               "column '%s': date %s is outside %s .. %s (today)", col->name, shown,
                               lo, hi));
    } else {
        char iso[11];
        text_format_date(dd, iso);
        sqlite3_bind_text(st, slot, iso, 10, SQLITE_TRANSIENT);
        if (col->type == COL_DATE)
            r->day = dd, r->has_day = 1;
        else
            r->sql_day = dd, r->has_sql_day = 1;
    }
    return 0;
}

/* A count or numeric value s[0..n), bound at slot. */
static int read_number(struct ingest *in, const struct col *col, int slot, const char *s, size_t n)
{
    sqlite3_stmt *st = in->ins_lead;
    char shown[80];
    if (col->type == COL_COUNT) {
        int64_t v;
        if (text_parse_count(s, n, &v)) {
            show(shown, sizeof shown, s, n);
            return rejected(reject(in, REJECT_BAD_NUMBER,
                                   "column '%s': expected a whole number >= 0, got %s", col->name,
                                   shown));
        }
        sqlite3_bind_int64(st, slot, v);
        return 0;
    }
    double v;
    if (text_parse_number(s, n, &v)) {
        show(shown, sizeof shown, s, n);
        return rejected(reject(in, REJECT_BAD_NUMBER, "column '%s': expected a number, got %s",
                               col->name, shown));
    }
    sqlite3_bind_double(st, slot, v);
    return 0;
}

/* Every configured column of the record, checked and bound to the lead's insert. */
static int read_fields(struct ingest *in, struct row *r)
{
    sqlite3_stmt *st = in->ins_lead;
    int bind = 7; /* 1-6: _line, _id, _outcome, _created, _sql_at, _maturity */
    for (size_t c = 0; c < in->ncols; c++) {
        struct col *col = &in->cols[c];
        size_t n;
        const char *s = col_value(in, col, &n);
        text_trim_span(&s, &n);
        if (memchr(s, '\0', n))
            return rejected(
                reject(in, REJECT_NUL_BYTE, "column '%s': NUL byte in the value", col->name));
        if (!text_utf8_valid(s, n))
            return rejected(
                reject(in, REJECT_INVALID_UTF8, "column '%s': invalid UTF-8", col->name));
        int missing = is_missing(in, s, n), rc = 0;
        in->row_missing[c] = (unsigned char)missing;
        int slot = col->type == COL_ID         ? 2
                   : col->type == COL_OUTCOME  ? 3
                   : col->type == COL_SQL_DATE ? 5
                   : col->type == COL_DATE     ? 4
                                               : bind++;
        if (col->type == COL_ID) {
            if (missing)
                return rejected(
                    reject(in, REJECT_MISSING_ID, "column '%s': missing id", col->name));
            r->id = s;
            r->idn = n;
            sqlite3_bind_text(st, slot, s, (int)n, SQLITE_STATIC);
        } else if (col->type == COL_OUTCOME) {
            if (missing)
                return rejected(
                    reject(in, REJECT_MISSING_OUTCOME, "column '%s': missing outcome", col->name));
            rc = read_outcome(in, col, s, n, r);
        } else if (col->type == COL_DATE || col->type == COL_SQL_DATE) {
            rc = read_date(in, col, slot, s, n, missing, r);
        } else if (missing) {
            sqlite3_bind_null(st, slot);
        } else if (col->type == COL_COUNT || col->type == COL_NUMERIC) {
            rc = read_number(in, col, slot, s, n);
        } else {
            sqlite3_bind_text(st, slot, s, (int)n, SQLITE_STATIC);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* The lead's outcome and maturity state from what the row and [outcomes] say, bound. */
static void decide_outcome(struct ingest *in, struct row *r)
{
    sqlite3_stmt *st = in->ins_lead;
    if (!in->cfg->date)
        sqlite3_bind_null(st, 4);
    if (!in->cfg->outcome_date)
        sqlite3_bind_null(st, 5);
    in->outcome_match = NULL;
    /* [outcomes]: the lead's rows in the deals file decide; else outcome_date alone: a
     * filled-in date is an SQL */
    if (in->cfg->line_outcomes) {
        struct outcome_entry *e = outcomes_find(&in->outcomes, r->id, r->idn);
        r->outcome = e && e->positive ? 1 : e && e->pending ? -1 : 0;
        if (e && e->has_day) {
            char iso[11];
            text_format_date(e->day, iso);
            sqlite3_bind_text(st, 5, iso, 10, SQLITE_TRANSIENT);
            r->sql_day = e->day, r->has_sql_day = 1;
        }
        if (e)
            in->outcome_match = e;
    } else if (!in->cfg->outcome) {
        r->outcome = r->has_sql_day;
    }
    if (in->mat_on) {
        /* the state as far as the row tells; maturity_apply moves the leads whose window is
         * still open and the late SQLs once as_of and the window are known */
        sqlite3_bind_text(st, 6, maturity_first_state(r->outcome, r->has_day, r->has_sql_day), -1,
                          SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 6);
    }
    /* a lead without a creation date cannot be placed in time: not known (maturity.h) */
    if (r->outcome < 0 || (in->mat_on && !r->has_day))
        sqlite3_bind_null(st, 3);
    else
        sqlite3_bind_int(st, 3, r->outcome);
}

/* The rejections that need both dates: after as_of, or an SQL before its creation. */
static int check_dates(struct ingest *in, const struct row *r)
{
    const struct config *cfg = in->cfg;
    char a[11], b[11];
    if (cfg->has_as_of && ((r->has_day && r->day > cfg->as_of_day) ||
                           (r->has_sql_day && r->sql_day > cfg->as_of_day))) {
        int created = r->has_day && r->day > cfg->as_of_day;
        text_format_date(created ? r->day : r->sql_day, a);
        text_format_date(cfg->as_of_day, b);
        return rejected(
            reject(in, REJECT_AFTER_AS_OF,
                   "column '%s': date %s is after as_of %s, the day the export was taken",
                   created             ? cfg->date
                   : cfg->outcome_date ? cfg->outcome_date
                                       : "[outcomes] date",
                   a, b));
    }
    if (r->has_sql_day && r->has_day && r->sql_day < r->day) {
        text_format_date(r->sql_day, a);
        text_format_date(r->day, b);
        return rejected(
            reject(in, REJECT_OUTCOME_BEFORE_CREATED,
                   "column '%s': the lead became an SQL on %s, before it was created (%s)",
                   cfg->outcome_date, a, b));
    }
    return 0;
}

/* Inserts the bound lead; a duplicate id is a rejection naming the first line with it. */
static int insert_lead(struct ingest *in, const struct row *r)
{
    sqlite3_stmt *st = in->ins_lead;
    char line_id[24], shown[80];
    if (!in->cfg->id) {
        /* no id column: the line number is the id */
        int k = snprintf(line_id, sizeof line_id, "%llu", (unsigned long long)in->rec_line);
        sqlite3_bind_text(st, 2, line_id, k, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)in->rec_line);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT &&
        sqlite3_extended_errcode(in->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
        sqlite3_bind_text(in->find_line, 1, r->id, (int)r->idn, SQLITE_STATIC);
        int64_t first =
            sqlite3_step(in->find_line) == SQLITE_ROW ? sqlite3_column_int64(in->find_line, 0) : 0;
        sqlite3_reset(in->find_line);
        show(shown, sizeof shown, r->id, r->idn);
        return rejected(reject(in, REJECT_DUPLICATE_ID,
                               "column '%s': duplicate id %s (first at line %lld)", in->cfg->id,
                               shown, (long long)first));
    }
    if (rc != SQLITE_DONE)
        return mql_err_set(in->err, MQL_EIO, "store: line %llu: %s",
                           (unsigned long long)in->rec_line, sqlite3_errmsg(in->db));
    return 0;
}

/* The counts of a loaded lead: stats, joins, missing values, the date range, maturity. */
static int count_lead(struct ingest *in, const struct row *r)
{
    if (in->mat_on) {
        if (in->nmat == in->capmat) {
            size_t nc = in->capmat ? 2 * in->capmat : 65536;
            struct maturity_lead *g = realloc(in->mat, nc * sizeof *g);
            if (!g)
                return mql_err_oom(in->err);
            in->mat = g;
            in->capmat = nc;
        }
        in->mat[in->nmat++] =
            (struct maturity_lead){r->has_day ? r->day : INT32_MIN,
                                   r->has_sql_day ? r->sql_day : INT32_MIN, (int8_t)r->outcome};
    }
    in->stats->loaded++;
    in->stats->loaded_lines += in->rec_nlines;
    in->stats->sqls += r->outcome == 1;
    in->stats->pending += r->outcome < 0;
    for (size_t j = 0; j < in->cfg->njoins; j++) {
        struct join_table *t = &in->joins[j];
        if (in->join_row[j] >= 0) {
            t->leads_matched++;
            t->used[in->join_row[j]] = 1;
        } else {
            t->leads_unmatched++;
        }
    }
    if (in->outcome_match)
        in->outcome_match->matched = 1;
    for (size_t c = 0; c < in->ncols; c++)
        in->cols[c].missing += in->row_missing[c];
    if (r->has_day) {
        if (!in->have_day || r->day < in->day_min)
            in->day_min = r->day;
        if (!in->have_day || r->day > in->day_max)
            in->day_max = r->day;
        in->have_day = 1;
    }
    return 0;
}

/* One record: read, checked and stored as a lead, or rejected (reject). */
static int load_row(struct ingest *in)
{
    in->stats->read++;
    if ((long)in->rd.nf != in->nheader)
        return reject(in, REJECT_FIELD_COUNT, "expected %ld fields, got %zu", in->nheader,
                      in->rd.nf);
    for (size_t j = 0; j < in->cfg->njoins; j++) {
        size_t kn;
        const char *k = field(in, (size_t)in->join_key[j], &kn);
        text_trim_span(&k, &kn);
        in->join_row[j] = is_missing(in, k, kn) ? -1 : joins_find(&in->joins[j], k, kn);
    }
    struct row r = {0};
    int rc = read_fields(in, &r);
    if (!rc) {
        decide_outcome(in, &r);
        if (!(rc = check_dates(in, &r)) && !(rc = insert_lead(in, &r)))
            rc = count_lead(in, &r);
    }
    return rc == ROW_REJECTED ? 0 : rc;
}

static int finish_store(struct ingest *in, const char *started)
{
    struct ingest_stats *s = in->stats;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&in->sha, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(s->sha256 + 2 * i, 3, "%02x", digest[i]);
    if (in->have_day) {
        text_format_date(in->day_min, s->date_min);
        text_format_date(in->day_max, s->date_max);
    }
    char finished[32];
    clock_now_iso(finished, sizeof finished);
    char hash[65];
    ingest_config_hash(in->cfg, hash);
    int oc = in->cfg->line_outcomes != 0;
    struct schema_row w;
    int rc = schema_row_open(&w, in->db, "loads", in->err);
    if (rc)
        return rc;
    schema_put_int(&w, 1); /* load_id */
    schema_put_text(&w, in->cfg->leads);
    schema_put_text(&w, in->cfg->path);
    schema_put_text(&w, started);
    schema_put_text(&w, finished);
    const uint64_t counts[] = {s->bytes, s->read, s->loaded, s->rejected, s->blank_lines};
    for (size_t k = 0; k < ARRAY_SIZE(counts); k++)
        schema_put_int(&w, (long long)counts[k]);
    schema_put_text(&w, in->have_day ? s->date_min : NULL);
    schema_put_text(&w, in->have_day ? s->date_max : NULL);
    schema_put_text(&w, s->sha256);
    const uint64_t lines[] = {s->lines, s->header_lines, s->loaded_lines, s->rejected_lines,
                              in->source_size};
    for (size_t k = 0; k < ARRAY_SIZE(lines); k++)
        schema_put_int(&w, (long long)lines[k]);
    schema_put_text(&w, in->source_mtime);
    schema_put_text(&w, hash);
    schema_put_text(&w, oc ? in->cfg->outcomes.file : NULL);
    schema_put_opt_int(&w, oc, (long long)s->outcome_rows);
    schema_put_opt_int(&w, oc, (long long)s->outcome_rows_no_id);
    schema_put_opt_int(&w, oc, (long long)s->outcome_ids);
    schema_put_opt_int(&w, oc, (long long)s->outcome_ids_matched);
    schema_put_text(&w, oc ? s->outcome_sha256 : NULL);
    schema_put_int(&w, (long long)s->sqls);
    schema_put_int(&w, (long long)(s->loaded - s->sqls - s->pending));
    schema_put_int(&w, (long long)s->pending);
    schema_put_opt_int(&w, oc, (long long)s->outcome_pending_rows);
    rc = schema_row_end(&w);
    schema_row_close(&w);
    if (rc || (rc = schema_row_open(&w, in->db, "joins", in->err)))
        return rc;
    for (size_t j = 0; j < in->cfg->njoins && !rc; j++) {
        const struct join_table *t = &in->joins[j];
        const struct config_join *cj = &in->cfg->joins[j];
        struct ingest_join_stats *js = &s->joins[j];
        snprintf(js->name, sizeof js->name, "%s", cj->name);
        js->rows = t->rows_read;
        js->rows_no_key = t->rows_no_key;
        js->keys = t->nrows;
        js->leads_matched = t->leads_matched;
        js->leads_unmatched = t->leads_unmatched;
        js->keys_unused = joins_unused(t);
        schema_put_text(&w, cj->name);
        schema_put_text(&w, cj->file);
        schema_put_text(&w, cj->key);
        schema_put_text(&w, cj->on);
        schema_put_text(&w, t->sha256);
        const uint64_t v[] = {js->rows,          js->rows_no_key,     js->keys,
                              js->leads_matched, js->leads_unmatched, js->keys_unused};
        for (size_t k = 0; k < ARRAY_SIZE(v); k++)
            schema_put_int(&w, (long long)v[k]);
        rc = schema_row_end(&w);
    }
    s->njoins = in->cfg->njoins;
    schema_row_close(&w);
    sqlite3_stmt *st = NULL;
    if (rc || (rc = store_prepare(in->db, "UPDATE columns SET missing = ? WHERE position = ?", &st,
                                  in->err)))
        return rc;
    for (size_t c = 0; c < in->ncols && !rc; c++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)in->cols[c].missing);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)c);
        rc = store_step_done(in->db, st, in->err);
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    char meta[256];
    snprintf(meta, sizeof meta,
             "INSERT INTO meta VALUES('schema_version', '%d'), ('written_by', 'mqlcal %s')",
             STORE_SCHEMA_VERSION, MQLCAL_VERSION);
    return store_exec(in->db, meta, in->err);
}

static void release(struct ingest *in)
{
    free(in->mat);
    sqlite3_finalize(in->ins_lead);
    schema_row_close(&in->rejects);
    sqlite3_finalize(in->find_line);
    store_close(in->db);
    free(in->cols);
    csvread_release(&in->rd);
    outcomes_release(&in->outcomes);
    for (size_t j = 0; in->joins && j < in->cfg->njoins; j++)
        joins_release(&in->joins[j]);
    free(in->joins);
    free(in->join_key);
    free(in->join_row);
    free(in->missing_len);
    free(in->row_missing);
    if (in->rule_names)
        for (size_t i = 0; i < in->cfg->disqualify.n; i++)
            free(in->rule_names[i]);
    free(in->rule_names);
}

static void on_bytes(void *ctx, const char *buf, size_t n)
{
    struct ingest *in = ctx;
    in->stats->bytes += n;
    sha256_update(&in->sha, n, (const uint8_t *)buf);
}

/* Reads the header and the rows (csvread's grammar, which the scorer shares). */
static int stream(struct ingest *in, FILE *f, const struct ingest_opts *o, uint64_t total)
{
    struct csvread *rd = &in->rd;
    rd->in = f;
    rd->delim = (char)in->cfg->delimiter;
    rd->max_record = INGEST_MAX_RECORD;
    rd->keep_raw = 1;
    rd->on_bytes = on_bytes;
    rd->ctx = in;
    if (csvread_init(rd))
        return mql_err_oom(in->err);
    uint64_t next_progress = 1u << 16;
    int rc = 0;
    for (;;) {
        int st = csvread_next(rd);
        if (st == CSVR_EOF)
            break;
        if (st == CSVR_EREAD) {
            if (rd->oom)
                return mql_err_oom(in->err);
            return mql_err_set(in->err, MQL_EIO, "cannot read '%s': %s", in->cfg->leads,
                               strerror(errno));
        }
        if (st == CSVR_ETOOLONG)
            return mql_err_set(
                in->err, MQL_EINPUT, "%s:%llu: record longer than %u MiB (a quote never closed?)",
                in->cfg->leads, (unsigned long long)rd->next_line, INGEST_MAX_RECORD >> 20);
        in->rec_line = rd->line;
        in->rec_nlines = rd->nlines;
        if (in->nheader < 0) {
            if (st != CSVR_OK)
                return mql_err_set(in->err, MQL_EINPUT, "%s:%llu: the header's quoted field is %s",
                                   in->cfg->leads, (unsigned long long)rd->line,
                                   st == CSVR_UNTERMINATED ? "never closed"
                                                           : "followed by text (a stray quote)");
            in->stats->header_lines = rd->nlines;
            if ((rc = read_header(in)) || (rc = create_schema(in)))
                return rc;
            continue;
        }
        if (st == CSVR_UNTERMINATED) {
            in->stats->read++;
            rc = reject(in, REJECT_UNTERMINATED,
                        "a quoted field is never closed: the record from line %llu runs to the "
                        "end of the file (%llu lines)",
                        (unsigned long long)rd->line, (unsigned long long)rd->nlines);
        } else if (st == CSVR_BAD_QUOTE) {
            char span[64];
            if (rd->nlines > 1)
                snprintf(span, sizeof span, "lines %llu-%llu", (unsigned long long)rd->line,
                         (unsigned long long)(rd->line + rd->nlines - 1));
            else
                snprintf(span, sizeof span, "line %llu", (unsigned long long)rd->line);
            in->stats->read++;
            rc = reject(in, REJECT_BAD_QUOTE,
                        "a quoted field is followed by text before the delimiter (a stray "
                        "quote): %s rejected as one record",
                        span);
        } else {
            rc = load_row(in);
        }
        if (rc)
            return rc;
        if (o->progress && in->stats->read >= next_progress) {
            o->progress(o->progress_ctx, in->stats->bytes, total, in->stats->read);
            next_progress = in->stats->read + (1u << 16);
        }
    }
    in->stats->lines = rd->lines;
    in->stats->blank_lines = rd->blank_lines;
    in->stats->complete = 1;
    if (o->progress)
        o->progress(o->progress_ctx, in->stats->bytes, total, in->stats->read);
    return 0;
}

/* The load's state before the first record: the date bounds, the columns, the hashes. */
static int prepare(struct ingest *in, const struct ingest_opts *opts)
{
    const struct config *cfg = in->cfg;
    in->day_floor = cfg->earliest_day;
    in->day_ceiling = opts && opts->today ? opts->today : (int32_t)(time(NULL) / 86400);
    in->mat_on = maturity_active(cfg);
    if (!(in->rule_names = calloc(cfg->disqualify.n + 1, sizeof *in->rule_names)))
        return mql_err_oom(in->err);
    int rc = plan_columns(in);
    if (rc)
        return rc;
    sha256_init(&in->sha);
    if (!(in->missing_len = calloc(cfg->missing.n + 1, sizeof *in->missing_len)) ||
        !(in->row_missing = calloc(in->ncols + 1, 1)))
        return mql_err_oom(in->err);
    for (size_t i = 0; i < cfg->missing.n; i++)
        in->missing_len[i] = strlen(cfg->missing.items[i]);
    return 0;
}

/* The store's path (--db, or the output folder's) checked, and a fresh temporary file beside
 * it, listed in the folder's manifest so that a killed ingest's file is removed by the next
 * run (fsx_remove_stale_tmp). Both malloc'd. */
static int open_target(const struct config *cfg, const struct ingest_opts *o, char **db_path,
                       char **tmp_path, struct mql_err *err)
{
    *db_path = o->db_path ? text_dup(o->db_path) : ingest_default_db(cfg);
    if (!*db_path)
        return mql_err_oom(err);
    int rc;
    if (!o->db_path && (rc = fsx_mkdirs(cfg->out_dir, err)))
        return rc;
    /* refused before reading: a --db that is an input, a device or somebody else's file */
    struct fsx_tmp tmp;
    if ((rc = store_check_target(*db_path, err)) || (rc = fsx_claim(*db_path, 1, err)) ||
        (rc = fsx_tmp_open(&tmp, *db_path, 0, err)))
        return rc;
    close(tmp.fd); /* SQLite opens the file by its name */
    *tmp_path = tmp.tmp;
    free(tmp.path);
    return 0;
}

/* The leads file, opened for reading: its size and modification time for the store. */
static int open_leads(struct ingest *in, FILE **f, uint64_t *total)
{
    const struct config *cfg = in->cfg;
    if (!(*f = fopen(cfg->leads, "rb")))
        return mql_err_set(in->err, errno == ENOENT ? MQL_EINPUT : MQL_EIO,
                           "cannot open leads '%s': %s", cfg->leads, strerror(errno));
    struct stat st;
    *total = fstat(fileno(*f), &st) == 0 ? (uint64_t)st.st_size : 0;
    in->source_size = *total;
    ingest_mtime_text(&st, in->source_mtime, sizeof in->source_mtime);
    if (fstat(fileno(*f), &st) == 0 && S_ISDIR(st.st_mode))
        return mql_err_set(in->err, MQL_EINPUT, "leads '%s' is a folder, not a CSV file",
                           cfg->leads);
    return 0;
}

/* What [outcomes] held and how much of it matched, for the stats. */
static void outcome_stats(const struct ingest *in, struct ingest_stats *stats)
{
    if (!in->cfg->line_outcomes)
        return;
    stats->outcome_rows = in->outcomes.rows;
    stats->outcome_rows_no_id = in->outcomes.rows_no_id;
    stats->outcome_pending_rows = in->outcomes.pending_rows;
    stats->outcome_ids = in->outcomes.n;
    for (size_t i = 0; i < in->outcomes.cap; i++)
        if (in->outcomes.e[i].id)
            stats->outcome_ids_matched += (uint64_t)in->outcomes.e[i].matched;
    snprintf(stats->outcome_sha256, sizeof stats->outcome_sha256, "%s", in->outcomes.sha256);
}

/* A load that loaded nothing is an error: the previous store stays. */
static int check_loaded(const struct ingest *in, const struct ingest_stats *stats)
{
    const struct config *cfg = in->cfg;
    if (in->nheader < 0)
        return mql_err_set(in->err, MQL_EINPUT, "%s: empty file: no header", cfg->leads);
    if (stats->read == 0)
        return mql_err_set(in->err, MQL_EINPUT, "%s: header only, no rows", cfg->leads);
    if (stats->loaded == 0)
        return mql_err_set(in->err, MQL_EINPUT,
                           "%s: no row could be loaded (%llu read, all rejected); the previous "
                           "store is left as it was",
                           cfg->leads, (unsigned long long)stats->read);
    return 0;
}

/* Commits and closes the new store. */
static int close_store(struct ingest *in, const char *started)
{
    int rc;
    if ((rc = finish_store(in, started)) || (rc = store_exec(in->db, "COMMIT", in->err)))
        return rc;
    sqlite3_finalize(in->ins_lead);
    schema_row_close(&in->rejects);
    sqlite3_finalize(in->find_line);
    in->ins_lead = in->find_line = NULL;
    if (sqlite3_close(in->db) != SQLITE_OK)
        return mql_err_set(in->err, MQL_EIO, "store: %s", sqlite3_errmsg(in->db));
    in->db = NULL;
    return 0;
}

int ingest_run(const struct config *cfg, const struct ingest_opts *opts, struct ingest_stats *stats,
               struct mql_err *err)
{
    struct ingest in = {.cfg = cfg, .stats = stats, .err = err, .nheader = -1};
    struct ingest_opts none = {0};
    const struct ingest_opts *o = opts ? opts : &none;
    FILE *f = NULL;
    char *db_path = NULL, *tmp_path = NULL;
    char started[32];
    uint64_t total = 0;
    memset(stats, 0, sizeof *stats);
    clock_now_iso(started, sizeof started);
    int rc = prepare(&in, opts);
    if (!rc && !(rc = open_target(cfg, o, &db_path, &tmp_path, err)) &&
        !(rc = open_leads(&in, &f, &total)) &&
        /* the tables are created when the header has been read (on_record), since the leads
         * table has a column per configured attribute in the header */
        !(rc = store_create_bulk(tmp_path, &in.db, err)) &&
        !(rc = store_exec(in.db, "BEGIN", err)) &&
        !(rc = cfg->line_outcomes ? outcomes_load(cfg, &in.outcomes, err) : 0)) {
        rc = stream(&in, f, o, total);
        outcome_stats(&in, stats);
    }
    if (!rc)
        rc = check_loaded(&in, stats);
    if (!rc && in.mat_on) {
        /* the outcome is "an SQL within the window": it needs every lead's dates first */
        struct maturity_stats *ms = &stats->maturity;
        if (!(rc = maturity_apply(in.db, cfg, in.mat, in.nmat, in.day_ceiling, ms, err))) {
            stats->sqls = ms->sqls + ms->sqls_undated;
            stats->pending = ms->pending + ms->immature + ms->undated;
        }
    }
    if (!rc && !(rc = close_store(&in, started)))
        rc = store_replace(tmp_path, db_path, err);
    if (f)
        fclose(f);
    release(&in);
    if (rc && tmp_path)
        remove(tmp_path);
    free(tmp_path);
    free(db_path);
    return rc;
}
