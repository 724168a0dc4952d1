/*
 * csvout.h: the CSV tables mqlcal writes beside its store (RFC 4180, comma, LF).
 *
 * A table is written to a temporary file of its own (fsx.h) and renamed over <path> by
 * csvout_close, so a failed run leaves the previous table intact; tables are always in folders
 * mqlcal owns, so an existing <path> that mqlcal did not write is refused (fsx.h, FSX_OWNED). Text
 * fields are quoted when they hold a comma, a quote, a CR or an LF, and text that a spreadsheet
 * would read as a formula (starting with = + - @, a tab or a CR) gets a leading apostrophe; numbers
 * are written as they are.
 */
#ifndef MQLCAL_CSVOUT_H
#define MQLCAL_CSVOUT_H

#include <stdint.h>
#include <stdio.h>

#include "mqlcal/err.h"
#include "mqlcal/fsx.h"

struct csvout {
    FILE *f;
    struct fsx_tmp tmp;
    int first; /* no field yet on this row */
    int failed;
};

/* Opens the table; w is the caller's. MQL_EIO when the temporary file can't be created. */
int csvout_open(struct csvout *w, const char *path, struct mql_err *err);

/* True when a spreadsheet would run text s as a formula (= + - @, tab, CR first): such text
 * is written with a leading apostrophe. */
int csvout_is_formula(const char *s);

void csvout_text(struct csvout *w, const char *s); /* NULL writes an empty field */
void csvout_int(struct csvout *w, long long v);
void csvout_real(struct csvout *w, double v); /* %.10g; NaN and inf write an empty field */
void csvout_row(struct csvout *w);            /* ends the row */

/* Flushes, syncs, and renames into place; on any earlier write error removes the temporary
 * file and fails with MQL_EIO naming the path. Also frees what w holds. */
int csvout_close(struct csvout *w, struct mql_err *err);

/* Discards the temporary file (after an error elsewhere). */
void csvout_abort(struct csvout *w);

#endif
