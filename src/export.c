/*
 * export.c: writing the rule files production scorers load: SQL and PMML, from struct rules
 * (export.h).
 */
#include "mqlcal/export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/strbuf.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"

/* the ASCII white space text_trim removes, as raw characters inside a SQL string literal */
#define SQL_SPACE "' \t\n\v\f\r'"

/* ---- SQL ----------------------------------------------------------------------------------- */

/* src."col": the trimmed value, as the first CTE (v) computes it once per lead */
static void sql_value(struct strbuf *b, const char *col)
{
    strbuf_add(b, "src.");
    strbuf_sql_ident(b, col);
}

/* TRIM(t."col", ' \t\n\v\f\r') AS "col": qualified, so that a table without the column is an
 * error in every engine (SQLite reads an unknown unqualified "name" as the string 'name'); a
 * column NAME.c of a joined table is TRIM(jK."c", ...) AS "NAME.c" (jK: the join's subquery) */
static void sql_trimmed(struct strbuf *b, const struct rules *r, const char *col)
{
    const char *sub;
    int j = rules_join_of(r, col, &sub);
    if (j >= 0) {
        strbuf_addf(b, "TRIM(j%d.", j + 1);
        strbuf_sql_ident(b, sub);
    } else {
        strbuf_add(b, "TRIM(t.");
        strbuf_sql_ident(b, col);
    }
    strbuf_add(b, ", " SQL_SPACE ") AS ");
    strbuf_sql_ident(b, col);
}

/* The joins of the v CTE: per table, one row per trimmed key that is not missing (its rows
 * counted, so that a key on two rows is an error, as mqlcal score refuses such a table), holding
 * the columns the rule reads; LEFT JOINed on the lead's trimmed key, so that a lead whose key
 * is missing or names no row reads them as NULL (missing) and is never dropped. */
static void sql_joins(struct strbuf *b, const struct rules *r)
{
    for (size_t j = 0; j < r->njoins; j++) {
        const struct rules_join *rj = &r->joins[j];
        strbuf_add(b, "\n  LEFT JOIN (SELECT TRIM(");
        strbuf_sql_ident(b, rj->on);
        strbuf_add(b, ", " SQL_SPACE ") AS \"_mqlcal_key\", COUNT(*) AS \"_mqlcal_rows\"");
        const char **sub = malloc((r->nattrs + r->ndq + 1) * sizeof *sub);
        size_t nsub = sub ? rules_join_columns(r, j, sub) : 0;
        if (!sub)
            b->oom = 1;
        for (size_t i = 0; i < nsub; i++) {
            strbuf_add(b, ", MIN(");
            strbuf_sql_ident(b, sub[i]);
            strbuf_add(b, ") AS ");
            strbuf_sql_ident(b, sub[i]);
        }
        free(sub);
        strbuf_add(b, " FROM ");
        strbuf_sql_ident(b, rj->name);
        strbuf_add(b, " WHERE TRIM(");
        strbuf_sql_ident(b, rj->on);
        strbuf_add(b, ", " SQL_SPACE ") <> ''");
        for (size_t i = 0; i < r->nmissing; i++) {
            strbuf_add(b, " AND TRIM(");
            strbuf_sql_ident(b, rj->on);
            strbuf_add(b, ", " SQL_SPACE ") <> ");
            strbuf_sql_string(b, r->missing_values[i]);
        }
        strbuf_add(b, " GROUP BY TRIM(");
        strbuf_sql_ident(b, rj->on);
        strbuf_addf(b, ", " SQL_SPACE ")) AS j%zu ON j%zu.\"_mqlcal_key\" = TRIM(t.", j + 1, j + 1);
        strbuf_sql_ident(b, rj->key);
        strbuf_add(b, ", " SQL_SPACE ")");
    }
}

/* (v IS NULL OR v = '' OR v IN (missing values)) for the trimmed value of col */
static void sql_missing(struct strbuf *b, const struct rules *r, const char *col)
{
    strbuf_add(b, "(");
    sql_value(b, col);
    strbuf_add(b, " IS NULL OR ");
    sql_value(b, col);
    strbuf_add(b, " = ''");
    if (r->nmissing) {
        strbuf_add(b, " OR ");
        sql_value(b, col);
        strbuf_add(b, " IN (");
        for (size_t i = 0; i < r->nmissing; i++) {
            if (i)
                strbuf_add(b, ", ");
            strbuf_sql_string(b, r->missing_values[i]);
        }
        strbuf_add(b, ")");
    }
    strbuf_add(b, ")");
}

/* CASE WHEN SUBSTR(v, 1, 1) IN ('+', '-') THEN SUBSTR(v, 2) ELSE v END: v without its sign */
static void sql_body(struct strbuf *b, const char *col, int lower)
{
    strbuf_add(b, lower ? "LOWER(CASE WHEN SUBSTR(" : "(CASE WHEN SUBSTR(");
    sql_value(b, col);
    strbuf_add(b, ", 1, 1) IN ('+', '-') THEN SUBSTR(");
    sql_value(b, col);
    strbuf_add(b, ", 2) ELSE ");
    sql_value(b, col);
    strbuf_add(b, " END)");
}

/* True when the trimmed value of col follows the data grammar of its kind (text.h:
 * text_parse_count, text_parse_number), with nothing but TRIM, LTRIM, SUBSTR, LENGTH,
 * REPLACE and LOWER, so that a value the scorer refuses is refused here too, in any engine,
 * and no CAST ever sees text that is not a number. */
static void sql_valid(struct strbuf *b, const char *col, enum attr_kind kind)
{
    if (kind == ATTR_COUNT) {
        strbuf_add(b, "(LENGTH(");
        sql_body(b, col, 0);
        strbuf_addf(b, ") BETWEEN 1 AND %d AND LTRIM(", TEXT_COUNT_DIGITS);
        sql_body(b, col, 0);
        strbuf_add(b, ", '0123456789') = '' AND (SUBSTR(");
        sql_value(b, col);
        strbuf_add(b, ", 1, 1) <> '-' OR LTRIM(");
        sql_body(b, col, 0);
        strbuf_add(b, ", '0') = ''))");
        return;
    }
    /* lb: the lowercase body; rem = LTRIM(lb, digits and '.'); mant: lb before rem */
#define LB() sql_body(b, col, 1)
#define REM()                                                                                      \
    do {                                                                                           \
        strbuf_add(b, "LTRIM(");                                                                   \
        LB();                                                                                      \
        strbuf_add(b, ", '0123456789.')");                                                         \
    } while (0)
#define MANT()                                                                                     \
    do {                                                                                           \
        strbuf_add(b, "SUBSTR(");                                                                  \
        LB();                                                                                      \
        strbuf_add(b, ", 1, LENGTH(");                                                             \
        LB();                                                                                      \
        strbuf_add(b, ") - LENGTH(");                                                              \
        REM();                                                                                     \
        strbuf_add(b, "))");                                                                       \
    } while (0)
#define EXP()                                                                                      \
    do {                                                                                           \
        strbuf_add(b, "(CASE WHEN SUBSTR(");                                                       \
        REM();                                                                                     \
        strbuf_add(b, ", 2, 1) IN ('+', '-') THEN SUBSTR(");                                       \
        REM();                                                                                     \
        strbuf_add(b, ", 3) ELSE SUBSTR(");                                                        \
        REM();                                                                                     \
        strbuf_add(b, ", 2) END)");                                                                \
    } while (0)
    strbuf_add(b, "(LENGTH(");
    sql_value(b, col);
    strbuf_addf(b, ") <= %d AND LENGTH(", TEXT_NUMBER_CHARS);
    MANT();
    strbuf_add(b, ") - LENGTH(REPLACE(");
    MANT();
    strbuf_add(b, ", '.', '')) <= 1 AND LTRIM(");
    MANT();
    strbuf_add(b, ", '.') <> '' AND (");
    REM();
    strbuf_add(b, " = '' OR (SUBSTR(");
    REM();
    strbuf_add(b, ", 1, 1) = 'e' AND LENGTH(");
    EXP();
    strbuf_add(b, ") BETWEEN 1 AND 2 AND LTRIM(");
    EXP();
    strbuf_add(b, ", '0123456789') = '')))");
#undef LB
#undef REM
#undef MANT
#undef EXP
}

/* a number as SQL: exact (17 significant digits) */
static void sql_number(struct strbuf *b, double v)
{
    strbuf_addf(b, "%.17g", v);
}

/* CASE giving the level's points (what = 0) or its label (what = 1) for attribute a */
static void sql_level(struct strbuf *b, const struct rules *r, const struct rules_attr *a, int what)
{
#define OUT(l)                                                                                     \
    do {                                                                                           \
        if (what)                                                                                  \
            strbuf_sql_string(b, a->levels[l].label);                                              \
        else                                                                                       \
            strbuf_addf(b, "%d", a->levels[l].points);                                             \
    } while (0)
    strbuf_add(b, "CASE WHEN ");
    sql_missing(b, r, a->name);
    strbuf_add(b, " THEN ");
    OUT(a->missing);
    if (a->kind == ATTR_CATEGORICAL) {
        for (size_t l = 0; l < a->nlevels; l++) {
            if (a->levels[l].nvalues == 0)
                continue;
            strbuf_add(b, " WHEN ");
            sql_value(b, a->name);
            strbuf_add(b, " IN (");
            for (size_t v = 0; v < a->levels[l].nvalues; v++) {
                if (v)
                    strbuf_add(b, ", ");
                strbuf_sql_string(b, a->levels[l].values[v]);
            }
            strbuf_add(b, ") THEN ");
            OUT(l);
        }
        strbuf_add(b, " ELSE ");
        OUT(a->unseen);
    } else {
        /* a value the scorer refuses gives no points (NULL), never a CAST error or a guess */
        strbuf_add(b, " WHEN NOT ");
        sql_valid(b, a->name, a->kind);
        strbuf_add(b, " THEN NULL");
        /* bins in order: the first whose upper edge is above the value */
        size_t last = a->nlevels;
        for (size_t l = 0; l < a->nlevels; l++) {
            if (a->levels[l].no_bin)
                continue;
            last = l;
            if (isinf(a->levels[l].hi))
                continue;
            strbuf_add(b, " WHEN CAST(");
            sql_value(b, a->name);
            strbuf_add(b, " AS DOUBLE PRECISION) < ");
            sql_number(b, a->levels[l].hi);
            strbuf_add(b, " THEN ");
            OUT(l);
        }
        strbuf_add(b, " ELSE ");
        OUT(last < a->nlevels ? last : a->missing);
    }
    strbuf_add(b, " END");
#undef OUT
}

static void sql_sum(struct strbuf *b, const struct rules *r, int group, int with_base)
{
    int any = 0;
    if (with_base) {
        strbuf_addf(b, "%d", r->base);
        any = 1;
    }
    for (size_t a = 0; a < r->nattrs; a++)
        if (group < 0 || (int)r->attrs[a].group == group) {
            strbuf_addf(b, "%sp%zu", any ? " + " : "", a + 1);
            any = 1;
        }
    if (!any)
        strbuf_add(b, "0");
}

/* The CTE v: every column the rule reads, trimmed once, from table with its joins. */
static void sql_inputs(struct strbuf *b, const struct rules *r, const char *table)
{
    /* v: every column the rule reads, trimmed once; the window function keeps SQLite and
     * PostgreSQL from folding v into s, where each trimmed value is read many times */
    strbuf_add(b, "WITH v AS (\n  SELECT ROW_NUMBER() OVER () AS \"_mqlcal_row\"");
    if (!r->id_column)
        strbuf_add(b, ", CAST(t.\"_line\" AS VARCHAR(20)) AS \"_line\"");
    for (size_t i = 0; i < r->nattrs + r->ndq + (r->id_column ? 1 : 0); i++) {
        const char *c = i < r->nattrs            ? r->attrs[i].name
                        : i < r->nattrs + r->ndq ? r->dq[i - r->nattrs].column
                                                 : r->id_column;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(c, j < r->nattrs            ? r->attrs[j].name
                             : j < r->nattrs + r->ndq ? r->dq[j - r->nattrs].column
                                                      : r->id_column) == 0;
        if (seen)
            continue;
        strbuf_add(b, ",\n    ");
        sql_trimmed(b, r, c);
    }
    for (size_t j = 0; j < r->njoins; j++)
        strbuf_addf(b, ",\n    j%zu.\"_mqlcal_rows\" AS \"_mqlcal_rows_%zu\"", j + 1, j + 1);
    strbuf_add(b, "\n  FROM ");
    strbuf_sql_ident(b, table);
    strbuf_add(b, " AS t");
    sql_joins(b, r);
}

/* The CTE s: per lead its id, each attribute's points (p1..) and level label (l1..), and
 * why it cannot be scored (error) or which disqualifier it meets. */
static void sql_levels(struct strbuf *b, const struct rules *r)
{
    strbuf_add(b, "\n),\ns AS (\n  SELECT ");
    if (r->id_column)
        sql_value(b, r->id_column);
    else
        strbuf_add(b, "src.\"_line\"");
    strbuf_add(b, " AS id");
    for (size_t a = 0; a < r->nattrs; a++) {
        strbuf_add(b, ",\n    ");
        sql_level(b, r, &r->attrs[a], 0);
        strbuf_addf(b, " AS p%zu,\n    ", a + 1);
        sql_level(b, r, &r->attrs[a], 1);
        strbuf_addf(b, " AS l%zu", a + 1);
    }
    /* why a lead cannot be scored: its key on two rows of a table, or the first count or
     * number that is not one */
    strbuf_add(b, ",\n    CASE");
    for (size_t j = 0; j < r->njoins; j++) {
        strbuf_addf(b, " WHEN src.\"_mqlcal_rows_%zu\" > 1 THEN ", j + 1);
        char text[1024];
        snprintf(text, sizeof text, "table %s: the key is on more than one row of column '%s'",
                 r->joins[j].name, r->joins[j].on);
        strbuf_sql_string(b, text);
    }
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        if (at->kind == ATTR_CATEGORICAL)
            continue;
        strbuf_add(b, " WHEN NOT ");
        sql_missing(b, r, at->name);
        strbuf_add(b, " AND NOT ");
        sql_valid(b, at->name, at->kind);
        strbuf_add(b, " THEN ");
        char text[1024];
        snprintf(text, sizeof text, "column '%s': expected %s", at->name,
                 at->kind == ATTR_COUNT ? "a whole number >= 0" : "a number");
        strbuf_sql_string(b, text);
    }
    strbuf_add(b, " WHEN 1 = 0 THEN '' ELSE NULL END AS error");
    strbuf_add(b, ",\n    CASE");
    for (size_t q = 0; q < r->ndq; q++) {
        int a = r->dq_attr ? r->dq_attr[q] : -1;
        strbuf_add(b, " WHEN NOT ");
        sql_missing(b, r, r->dq[q].column);
        if (a >= 0 && r->attrs[a].kind != ATTR_CATEGORICAL) {
            /* the same number (rules_dq_match), only where the value is one */
            strbuf_add(b, " AND ");
            sql_valid(b, r->dq[q].column, r->attrs[a].kind);
            strbuf_add(b, " AND CAST(");
            sql_value(b, r->dq[q].column);
            strbuf_add(b, " AS DOUBLE PRECISION) = ");
            sql_number(b, r->dq_number[q]);
        } else {
            strbuf_add(b, " AND LOWER(");
            sql_value(b, r->dq[q].column);
            strbuf_add(b, ") = LOWER(");
            strbuf_sql_string(b, r->dq[q].value);
            strbuf_add(b, ")");
        }
        strbuf_add(b, " THEN ");
        char text[1024];
        snprintf(text, sizeof text, "%s:%s", r->dq[q].column, r->dq[q].value);
        strbuf_sql_string(b, text);
    }
}

/* The CTEs t (scores), r, rk and top (the three reasons above the reference levels). */
static void sql_scores(struct strbuf *b, const struct rules *r)
{
    strbuf_add(b, r->ndq
                      ? " ELSE NULL END AS disqualifier\n  FROM v AS src\n),\nt AS (\n  SELECT id, "
                      : " WHEN 1 = 0 THEN '' ELSE NULL END AS disqualifier\n  FROM v AS src\n),\n"
                        "t AS (\n  SELECT id, ");
    /* NULL when the lead cannot be scored: a NULL level, or an error about its row */
    strbuf_add(b, "CASE WHEN error IS NULL THEN ");
    sql_sum(b, r, -1, 1);
    strbuf_add(b, " END AS score, CASE WHEN error IS NULL THEN ");
    sql_sum(b, r, GROUP_FIT, 0);
    strbuf_add(b, " END AS fit_score, CASE WHEN error IS NULL THEN ");
    sql_sum(b, r, GROUP_ENGAGEMENT, 0);
    strbuf_add(b, " END AS engagement_score, disqualifier, error FROM s\n),\n");
    /* reasons: one row per attribute above its reference, ranked */
    strbuf_add(b, "r AS (\n");
    int any = 0;
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        int ref = at->levels[at->reference].points;
        strbuf_addf(b, "  %sSELECT id, %zu AS k, p%zu - (%d) AS d, ", any ? "UNION ALL " : "",
                    a + 1, a + 1, ref);
        strbuf_sql_string(b, at->name);
        strbuf_addf(
            b,
            " || ': ' || l%zu || ' (+' || CAST(p%zu - (%d) AS VARCHAR(12)) || ')' AS reason "
            "FROM s WHERE p%zu - (%d) > 0\n",
            a + 1, a + 1, ref, a + 1, ref);
        any = 1;
    }
    if (!any)
        strbuf_add(b, "  SELECT id, 0 AS k, 0 AS d, '' AS reason FROM s WHERE 1 = 0\n");
    strbuf_add(b, "),\nrk AS (\n  SELECT id, reason, ROW_NUMBER() OVER (PARTITION BY id ORDER BY "
                  "d DESC, k) AS n FROM r\n),\n");
    strbuf_add(b, "top AS (\n  SELECT id, MAX(CASE WHEN n = 1 THEN reason END) AS reason_1, "
                  "MAX(CASE WHEN n = 2 THEN reason END) AS reason_2, MAX(CASE WHEN n = 3 THEN "
                  "reason END) AS reason_3 FROM rk WHERE n <= 3 GROUP BY id\n)\n");
}

char *export_sql(const struct rules *r, const char *table)
{
    struct strbuf b = {0};
    strbuf_add(&b, "-- mqlcal ");
    strbuf_add(&b, MQLCAL_VERSION);
    strbuf_add(&b, ": the MQL rule as one query over raw leads (values as text, columns named as "
                   "in the CSV).\n-- Gives: id, score, fit_score, engagement_score, mql, "
                   "disqualifier, reason_1, reason_2, reason_3, error (NULL, or why the lead "
                   "cannot be scored: its scores and mql are then NULL, as mqlcal score refuses "
                   "it).\n");
    sql_inputs(&b, r, table);
    sql_levels(&b, r);
    sql_scores(&b, r);
    strbuf_add(&b,
               "SELECT t.id, t.score, t.fit_score, t.engagement_score,\n  CASE WHEN t.error IS NOT "
               "NULL THEN NULL WHEN ");
    if (r->has_rule) {
        strbuf_addf(&b, "t.disqualifier IS NULL AND t.score >= %d", r->threshold);
        if (r->has_fit_min)
            strbuf_addf(&b, " AND t.fit_score >= %d", r->fit_min);
    } else {
        strbuf_add(&b, "1 = 0");
    }
    strbuf_add(&b, " THEN 1 ELSE 0 END AS mql,\n  t.disqualifier, CASE WHEN t.error IS NULL THEN "
                   "top.reason_1 END AS reason_1, CASE WHEN t.error IS NULL THEN top.reason_2 END "
                   "AS reason_2, CASE WHEN t.error IS NULL THEN top.reason_3 END AS reason_3, "
                   "t.error\nFROM t LEFT JOIN top ON top.id = t.id\n");
    return strbuf_take(&b);
}

/* ---- PMML ---------------------------------------------------------------------------------- */

/* a PMML Array entry: "value" with \ and " escaped, then XML-escaped */
/* the prefix of the derived field that holds a categorical attribute's trimmed value */
#define PMML_TRIMMED "mqlcal.trimmed:"

static void pmml_array_item(struct strbuf *b, const char *s)
{
    struct strbuf q = {0};
    strbuf_put(&q, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_put(&q, "\\", 1);
        strbuf_put(&q, s, 1);
    }
    strbuf_put(&q, "\"", 1);
    if (q.oom)
        b->oom = 1;
    else
        strbuf_markup(b, q.s);
    strbuf_release(&q);
}

static void pmml_number(struct strbuf *b, double v)
{
    strbuf_addf(b, "%.17g", v);
}

/* 0 when s can stand in an XML 1.0 document: no control character but tab, LF and CR. */
static int xml_ok(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
            return -1;
    return 0;
}

int export_pmml_check(const struct rules *r, struct mql_err *err)
{
    const char *bad = NULL, *where = NULL;
    for (size_t a = 0; a < r->nattrs && !bad; a++) {
        const struct rules_attr *at = &r->attrs[a];
        where = at->name;
        if (xml_ok(at->name))
            bad = at->name;
        for (size_t l = 0; l < at->nlevels && !bad; l++) {
            if (xml_ok(at->levels[l].label))
                bad = at->levels[l].label;
            for (size_t v = 0; v < at->levels[l].nvalues && !bad; v++)
                if (xml_ok(at->levels[l].values[v]))
                    bad = at->levels[l].values[v];
        }
    }
    for (size_t i = 0; i < r->nmissing && !bad; i++)
        if (xml_ok(r->missing_values[i]))
            bad = r->missing_values[i], where = "missing values";
    for (size_t q = 0; q < r->ndq && !bad; q++)
        if (xml_ok(r->dq[q].column) || xml_ok(r->dq[q].value))
            bad = r->dq[q].value, where = r->dq[q].column;
    if (!bad && xml_ok(r->id_column))
        bad = r->id_column, where = "id column";
    if (!bad)
        return 0;
    char shown[80];
    size_t k = 0;
    for (const char *p = bad; *p && k + 5 < sizeof shown; p++)
        k += (size_t)snprintf(shown + k, sizeof shown - k,
                              (unsigned char)*p < 0x20 ? "\\x%02x" : "%c", (unsigned char)*p);
    return mql_err_set(err, MQL_EINPUT,
                       "rules.pmml: '%s' (%s) holds a control character, which XML 1.0 cannot "
                       "hold: the PMML is not written (rules.json and rules.sql can hold it)",
                       shown, where);
}

/* The DataDictionary: a field per attribute, with its valid range and missing values. */
static void pmml_dictionary(struct strbuf *b, const struct rules *r)
{
    strbuf_addf(b, "  <DataDictionary numberOfFields=\"%zu\">\n", r->nattrs + 1);
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        int cat = at->kind == ATTR_CATEGORICAL;
        strbuf_add(b, "    <DataField name=\"");
        strbuf_markup(b, at->name);
        strbuf_addf(b, "\" optype=\"%s\" dataType=\"%s\"", cat ? "categorical" : "continuous",
                    cat                      ? "string"
                    : at->kind == ATTR_COUNT ? "integer"
                                             : "double");
        if (cat && r->nmissing == 0) {
            strbuf_add(b, "/>\n");
            continue;
        }
        strbuf_add(b, ">\n");
        /* the valid range of the data grammar (text.h): a count of at most 18 digits, a number
         * below 1e200 in size (its largest is about 1e194); outside it the consumer returns
         * invalid (MiningSchema) */
        if (at->kind == ATTR_COUNT)
            strbuf_add(b, "      <Interval closure=\"closedClosed\" leftMargin=\"0\" "
                          "rightMargin=\"999999999999999999\"/>\n");
        else if (!cat)
            strbuf_add(b, "      <Interval closure=\"openOpen\" leftMargin=\"-1e200\" "
                          "rightMargin=\"1e200\"/>\n");
        for (size_t i = 0; i < r->nmissing; i++) {
            strbuf_add(b, "      <Value value=\"");
            strbuf_markup(b, r->missing_values[i]);
            strbuf_add(b, "\" property=\"missing\"/>\n");
        }
        strbuf_add(b, "    </DataField>\n");
    }
    strbuf_add(b, "    <DataField name=\"score\" optype=\"continuous\" dataType=\"double\"/>\n"
                  "  </DataDictionary>\n");
}

/* The MQL rule, which a Scorecard cannot state, as an Extension. */
static void pmml_rule(struct strbuf *b, const struct rules *r)
{
    strbuf_add(b, "    <Extension name=\"mqlcal-rule\" value=\"");
    struct strbuf rule = {0};
    if (r->has_rule) {
        strbuf_addf(&rule, "threshold=%d", r->threshold);
        if (r->has_fit_min)
            strbuf_addf(&rule, "; fit_min=%d", r->fit_min);
    } else {
        strbuf_add(&rule, "no rule");
    }
    for (size_t q = 0; q < r->ndq; q++)
        strbuf_addf(&rule, "; disqualify=%s:%s", r->dq[q].column, r->dq[q].value);
    for (size_t a = 0; a < r->nattrs; a++)
        if (r->attrs[a].group != GROUP_NONE)
            strbuf_addf(&rule, "; %s=%s", r->attrs[a].name, config_group_name(r->attrs[a].group));
    if (rule.oom)
        b->oom = 1;
    else
        strbuf_markup(b, rule.s ? rule.s : "");
    strbuf_release(&rule);
    strbuf_add(b, "\"/>\n");
}

/* The MiningSchema and the Output: the final score and the reason codes. */
static void pmml_schema(struct strbuf *b, const struct rules *r)
{
    strbuf_add(b, "    <MiningSchema>\n");
    for (size_t a = 0; a < r->nattrs; a++) {
        strbuf_add(b, "      <MiningField name=\"");
        strbuf_markup(b, r->attrs[a].name);
        /* a value that is not of the field's type is refused (the model returns invalid), as
         * mqlcal score refuses a count or number that is not one */
        strbuf_add(b, "\" usageType=\"active\" invalidValueTreatment=\"returnInvalid\"/>\n");
    }
    strbuf_add(b, "      <MiningField name=\"score\" usageType=\"predicted\"/>\n"
                  "    </MiningSchema>\n    <Output>\n"
                  "      <OutputField name=\"final_score\" feature=\"predictedValue\" "
                  "dataType=\"double\" optype=\"continuous\"/>\n");
    for (int k = 1; k <= RULES_REASONS; k++)
        strbuf_addf(b,
                    "      <OutputField name=\"reason_%d\" rank=\"%d\" feature=\"reasonCode\" "
                    "dataType=\"string\" optype=\"categorical\"/>\n",
                    k, k);
    strbuf_add(b, "    </Output>\n");
}

/* Categorical values are trimmed before they are looked up, as rules.h reads them: a derived
 * field per categorical attribute, which its predicates test. */
static void pmml_trimmed(struct strbuf *b, const struct rules *r)
{
    int anycat = 0;
    for (size_t a = 0; a < r->nattrs; a++)
        anycat |= r->attrs[a].kind == ATTR_CATEGORICAL;
    if (anycat) {
        strbuf_add(b, "    <LocalTransformations>\n");
        for (size_t a = 0; a < r->nattrs; a++) {
            if (r->attrs[a].kind != ATTR_CATEGORICAL)
                continue;
            strbuf_add(b, "      <DerivedField name=\"" PMML_TRIMMED);
            strbuf_markup(b, r->attrs[a].name);
            strbuf_add(b, "\" optype=\"categorical\" dataType=\"string\"><Apply "
                          "function=\"trimBlanks\"><FieldRef field=\"");
            strbuf_markup(b, r->attrs[a].name);
            strbuf_add(b, "\"/></Apply></DerivedField>\n");
        }
        strbuf_add(b, "    </LocalTransformations>\n");
    }
}

/* One attribute's Characteristic: missing first, then its levels, then a catch-all. */
static void pmml_characteristic(struct strbuf *b, const struct rules *r,
                                const struct rules_attr *at)
{
    strbuf_add(b, "      <Characteristic name=\"");
    strbuf_markup(b, at->name);
    strbuf_add(b, "\" reasonCode=\"");
    strbuf_markup(b, at->name);
    strbuf_addf(b, "\" baselineScore=\"%d\">\n", at->levels[at->reference].points);
    /* missing first; for a categorical attribute also a trimmed value that is empty or a
     * missing token (the DataField's missing values match the raw text only) */
    int cat = at->kind == ATTR_CATEGORICAL;
    strbuf_addf(b, "        <Attribute partialScore=\"%d\">", at->levels[at->missing].points);
    if (cat)
        strbuf_add(b, "<CompoundPredicate booleanOperator=\"or\">");
    strbuf_add(b, "<SimplePredicate field=\"");
    if (cat)
        strbuf_add(b, PMML_TRIMMED);
    strbuf_markup(b, at->name);
    strbuf_add(b, "\" operator=\"isMissing\"/>");
    if (cat) {
        strbuf_add(b, "<SimpleSetPredicate field=\"" PMML_TRIMMED);
        strbuf_markup(b, at->name);
        strbuf_addf(b, "\" booleanOperator=\"isIn\"><Array n=\"%zu\" type=\"string\">\"\"",
                    r->nmissing + 1);
        for (size_t i = 0; i < r->nmissing; i++) {
            strbuf_add(b, " ");
            pmml_array_item(b, r->missing_values[i]);
        }
        strbuf_add(b, "</Array></SimpleSetPredicate></CompoundPredicate>");
    }
    strbuf_add(b, "</Attribute>\n");
    size_t last = at->missing;
    for (size_t l = 0; l < at->nlevels; l++) {
        const struct rules_level *L = &at->levels[l];
        if (at->kind == ATTR_CATEGORICAL) {
            if (L->nvalues == 0)
                continue;
            strbuf_addf(b,
                        "        <Attribute partialScore=\"%d\"><SimpleSetPredicate "
                        "field=\"" PMML_TRIMMED,
                        L->points);
            strbuf_markup(b, at->name);
            strbuf_addf(b, "\" booleanOperator=\"isIn\"><Array n=\"%zu\" type=\"string\">",
                        L->nvalues);
            for (size_t v = 0; v < L->nvalues; v++) {
                if (v)
                    strbuf_add(b, " ");
                pmml_array_item(b, L->values[v]);
            }
            strbuf_add(b, "</Array></SimpleSetPredicate></Attribute>\n");
        } else if (!L->no_bin) {
            last = l;
            if (isinf(L->hi))
                continue;
            strbuf_addf(b, "        <Attribute partialScore=\"%d\"><SimplePredicate field=\"",
                        L->points);
            strbuf_markup(b, at->name);
            strbuf_add(b, "\" operator=\"lessThan\" value=\"");
            pmml_number(b, L->hi);
            strbuf_add(b, "\"/></Attribute>\n");
        }
    }
    /* the catch-all: unseen values, or the last bin */
    size_t other = at->kind == ATTR_CATEGORICAL ? at->unseen : last;
    strbuf_addf(b, "        <Attribute partialScore=\"%d\"><True/></Attribute>\n",
                at->levels[other].points);
    strbuf_add(b, "      </Characteristic>\n");
}

char *export_pmml(const struct rules *r)
{
    struct strbuf b = {0};
    strbuf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\">\n"
                   "  <Header description=\"MQL scorecard exported by mqlcal\">\n"
                   "    <Application name=\"mqlcal\" version=\"" MQLCAL_VERSION "\"/>\n"
                   "  </Header>\n");
    pmml_dictionary(&b, r);
    strbuf_addf(&b,
                "  <Scorecard modelName=\"mqlcal\" functionName=\"regression\" "
                "useReasonCodes=\"true\" reasonCodeAlgorithm=\"pointsAbove\" initialScore=\"%d\" "
                "baselineMethod=\"other\">\n",
                r->base);
    pmml_rule(&b, r);
    pmml_schema(&b, r);
    pmml_trimmed(&b, r);
    strbuf_add(&b, "    <Characteristics>\n");
    for (size_t a = 0; a < r->nattrs; a++)
        pmml_characteristic(&b, r, &r->attrs[a]);
    strbuf_add(&b, "    </Characteristics>\n  </Scorecard>\n</PMML>\n");
    return strbuf_take(&b);
}
