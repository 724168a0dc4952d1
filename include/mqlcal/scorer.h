/*
 * scorer.h: `mqlcal score`: a CSV stream in, one scored row per lead out, in constant memory.
 *
 * Reads CSV (RFC 4180: the rule file's delimiter, quoted fields with "" inside, quoted line
 * breaks, LF, CRLF or CR line ends, a UTF-8 byte order mark, blank lines skipped) whose header
 * names the rule file's attributes, disqualifier columns and id column (in any order, among
 * any others), scores every record with rules_score and writes, per record:
 *   id, score, fit_score, engagement_score, mql (0/1), disqualifier ("column:value" or empty),
 *   reason_1, reason_2, reason_3 ("attribute: level (+points)", or empty)
 * as CSV (comma-separated whatever the input's delimiter, a header line first; fields quoted
 * when they hold a comma, a quote or a line break; values are written as they are, for
 * machines) or as JSON lines (one object per
 * record, the same keys, mql a boolean, absent reasons and disqualifier null).
 * The id is the id column's trimmed value, or the record's line number when the rule file
 * has no id column (as ingest numbers records). A record that cannot be scored (wrong number
 * of fields, a count or number that is not one, an unterminated quote) is reported with its
 * line and reason through the callback and skipped; the others are still written.
 * Values of a categorical attribute that the rule has never seen are scored with its unseen
 * level and counted per attribute in stats (a renamed channel scores 0 points for every lead:
 * the front end reports it, and refuses it with --strict).
 * When the rule reads columns of joined tables (rules.h: rules_join), the caller loads each
 * table (joins.h) and passes them in the rule's order: a lead's NAME.c is the value of its key's
 * row, missing when the key is missing or names no row (counted per table in stats); a header
 * lacking a key column is refused, as is one holding a column NAME.c itself. Load each table
 * with the columns rules_join_columns names.
 * Memory is the chunk buffer (1 MiB, growing only for a record longer than that, up to
 * SCORER_MAX_RECORD) and the output buffer: constant in the input's size.
 */
#ifndef MQLCAL_SCORER_H
#define MQLCAL_SCORER_H

#include <stdint.h>
#include <stdio.h>

#include "mqlcal/err.h"
#include "mqlcal/joins.h"
#include "mqlcal/rules.h"

#define SCORER_MAX_RECORD (16u << 20) /* a record over 16 MiB stops the run */

enum scorer_format { SCORER_CSV, SCORER_JSONL };

#define SCORER_UNSEEN_VALUES 64 /* distinct unseen values kept per attribute, with counts */

/* The categorical values of one attribute that the rule has never seen (they take its unseen
 * level): how many leads had one, and the first SCORER_UNSEEN_VALUES distinct values with their
 * counts (the rest counted in other). */
struct scorer_unseen {
    uint64_t leads;
    size_t nvalues;
    char *values[SCORER_UNSEEN_VALUES];
    uint64_t counts[SCORER_UNSEEN_VALUES];
    uint64_t other;
};

struct scorer_stats {
    uint64_t records; /* after the header */
    uint64_t scored, unscored, mqls;
    uint64_t blank_lines;
    uint64_t unseen_leads;        /* scored leads with at least one unseen value */
    struct scorer_unseen *unseen; /* one per attribute of the rule (scorer_stats_release) */
    size_t nattrs;
    uint64_t join_matched[CONFIG_MAX_JOINS];   /* per joined table: scored leads whose key */
    uint64_t join_unmatched[CONFIG_MAX_JOINS]; /* named a row, and the others */
};

/* Frees what stats holds. */
void scorer_stats_release(struct scorer_stats *stats);

/* Called for each record that cannot be scored: its first line and why. */
typedef void (*scorer_reject_fn)(void *ctx, uint64_t line, const char *why);

/* Scores the CSV read from in (named name in messages) with r (and tables: one per r->joins, or
 * NULL when it has none), writing to out. Returns 0 when
 * the stream was read to its end (some records may be unscored: see stats), MQL_EINPUT when
 * the header lacks a column the rules need or a record is too long, MQL_EIO when reading or
 * writing fails. */
int scorer_run(const struct rules *r, const struct join_table *tables, FILE *in, const char *name,
               FILE *out, enum scorer_format format, scorer_reject_fn reject, void *ctx,
               struct scorer_stats *stats, struct mql_err *err);

#endif
