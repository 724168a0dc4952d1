/*
 * init.h: `mqlcal init`: a starter config from a leads export, for the user to edit.
 *
 * Reads the header and up to INIT_SAMPLE records (the delimiter guessed from the header line:
 * the one of , ; tab | that splits it into the most fields), and guesses for every column:
 * - the id (unique values, a name like "id", "Lead ID", "Contact ID", "Prospect ID");
 * - the outcome (a name like converted, became_sql, outcome, lifecycle stage, status, won,
 *   with at most 20 distinct values; positive and negative values from their words: 1, yes,
 *   true, won, sql, opportunity, customer ... against 0, no, false, lost, lead, subscriber ...);
 *   or, when there is none, an SQL date (a date column named like "became a sales qualified
 *   lead date", "sql date", "converted at") as outcome_date;
 * - the creation date (a date column named like created, create date, signup) and the date
 *   layout (dates.h);
 * - the kind of every other column: count (whole numbers >= 0), numeric, categorical (at most
 *   INIT_MAX_LEVELS distinct values in the sample), or free text (left out, commented);
 * - columns that look written by sales after the outcome (tags, lead quality, owner, stage,
 *   status, deal, amount, revenue, close or won dates, notes, comments, lost reasons):
 *   after_outcome = yes, with the reason in a comment.
 * The config names the file relative to the config's folder, holds every decision with a
 * comment saying why, and loads as it is when an outcome and its values were found (else the
 * outcome lines are commented out with the values seen, and the config reader stops at the
 * missing key until the user decides).
 */
#ifndef MQLCAL_INIT_H
#define MQLCAL_INIT_H

#include <stddef.h>

#include "mqlcal/err.h"

#define INIT_SAMPLE 200000  /* records read to guess kinds */
#define INIT_MAX_LEVELS 200 /* more distinct values than this: free text, not an attribute */

/* The starter config for the leads CSV at leads_path, naming it leads_name (the path as the
 * config will read it, relative to the config's folder), as malloc'd text in *out (the caller
 * frees). With deals_path (else NULL), named deals_name, the outcome comes from that deals /
 * opportunities file in an [outcomes] section: its id is the column most of whose sampled
 * values (INIT_ID_PROBE rows) are ids of the leads file (a name like Contact ID breaking ties),
 * its date a creation date (else its first date column); a stage column (stage, status, at most
 * 20 values) is offered, commented out, with won / lost / open values as positive / negative /
 * pending; the leads file's own outcome column becomes after_outcome.
 * MQL_EINPUT when a file is empty, has no header or a column name twice; MQL_EIO when one
 * cannot be read. */
int init_config(const char *leads_path, const char *leads_name, const char *deals_path,
                const char *deals_name, char **out, struct mql_err *err);

#endif
