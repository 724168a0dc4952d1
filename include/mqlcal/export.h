/*
 * export.h: the rule in the forms production systems load besides rules.json: one portable
 * SQL query, and a PMML 4.4 Scorecard.
 *
 * SQL (export_sql): one SELECT (with WITH clauses) over a table of raw leads whose columns are
 * named as in the CSV and hold the values as text (as `sqlite3 .import` or `\copy` load them),
 * giving the columns `mqlcal score` gives: id, score, fit_score, engagement_score, mql (0/1),
 * disqualifier, reason_1, reason_2, reason_3, and last error: NULL, or why the lead cannot be
 * scored (a count or number that is not one, by the data grammar of text.h, checked with TRIM,
 * LTRIM, SUBSTR, LENGTH and REPLACE alone), its scores and mql then NULL: the leads mqlcal score
 * refuses, never a CAST error that aborts the query, never a guess such as '3x' = 3.
 * Every column the rule reads is trimmed once, in a first CTE (v), as t."col": qualified, so a
 * table without the column is an error, not the string 'col'. Identifiers are double-quoted, values
 * are string literals with quotes doubled; only standard CASE, TRIM, LOWER, CAST, || and ROW_NUMBER
 * besides, so it runs unchanged in SQLite and PostgreSQL. The id is the rule file's id column, or
 * the column "_line" (the record's line number) when it has none. A column NAME.c of a joined
 * table (rules.h: rules_join) is read from the table named NAME: a subquery groups it by its
 * trimmed `on` value (keys that are missing left out) and is LEFT JOINed on the lead's trimmed
 * key, so an unmatched lead reads NULL (missing) and no lead is doubled; a key on two rows gives
 * the lead the error "table NAME: the key is on more than one row of column 'on'". Values are
 * trimmed of the ASCII white space rules.h trims; a disqualifier matches as rules_dq_match says (on
 * a count or numeric attribute, the same number); LOWER is ASCII-only in SQLite, so disqualifier
 * values should be ASCII.
 *
 * PMML (export_pmml): a <Scorecard> with useReasonCodes="true" and reasonCodeAlgorithm
 * "pointsAbove", each attribute one Characteristic whose baselineScore is its reference
 * level's points; in each, a missing Attribute first, then the levels (value sets, or
 * lessThan on the upper bin edge in order), and a <True/> catch-all last (the unseen level, or
 * the last bin). Categorical values are trimmed first (a trimBlanks DerivedField per attribute,
 * "mqlcal.trimmed:<name>", which the predicates test; an empty or missing-token trimmed value is
 * missing). Missing tokens are declared as missing Values of the DataFields. A count is an
 * integer field valid in [0, 999999999999999999], a number a double field valid in
 * (-1e200, 1e200), and an invalid value makes the model return invalid
 * (invalidValueTreatment="returnInvalid"), as mqlcal score refuses it. Which texts are numbers
 * is then XML Schema's rule (xs:integer, xs:double: white space collapsed, INF and NaN out of
 * range): it differs from text.h's only on exponents of three or more digits within range
 * (1e-100, 0.5e100, 1e099: numbers to PMML, refused by mqlcal) and on a missing token with
 * white space around it in a count or number column (missing to mqlcal, invalid to PMML). No
 * PMML engine runs here, so this is read from the PMML 4.4 specification, not tested. The MQL
 * rule (threshold, fit minimum,
 * disqualifiers) has no Scorecard element: it is carried in an Extension named "mqlcal-rule".
 * Validated against the PMML 4.4 XSD in the tests; every text must be XML 1.0 (checked by
 * export_pmml_check).
 */
#ifndef MQLCAL_EXPORT_H
#define MQLCAL_EXPORT_H

#include "mqlcal/err.h"
#include "mqlcal/rules.h"

/* The SQL query over the table `table` (malloc'd), or NULL when out of memory. */
char *export_sql(const struct rules *r, const char *table);

/* 0 when every text of r can stand in XML 1.0 (no control character but tab, LF and CR);
 * MQL_EINPUT naming the value otherwise: such a rule has no valid PMML. */
int export_pmml_check(const struct rules *r, struct mql_err *err);

/* The PMML document (malloc'd), or NULL when out of memory. Check it first (export_pmml_check). */
char *export_pmml(const struct rules *r);

#endif
