/* cmd_ingest.c: `mqlcal ingest CONFIG [--db PATH] [--quiet]`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/ingest.h"
#include "mqlcal/text.h"

static void progress(void *ctx, uint64_t done, uint64_t total, uint64_t records)
{
    (void)ctx;
    if (total > 0)
        fprintf(stderr, "\ringest: %3.0f%%  %" PRIu64 " rows", 100.0 * (double)done / (double)total,
                records);
    else
        fprintf(stderr, "\ringest: %" PRIu64 " rows", records);
    fflush(stderr);
}

static void print_stats(const struct ingest_stats *s)
{
    printf("  read     %10" PRIu64 " rows", s->read);
    if (s->date_min[0])
        printf("  (created %s .. %s)", s->date_min, s->date_max);
    printf("\n  input    %10" PRIu64 " bytes, sha256 %s", s->bytes, s->sha256);
    printf("\n  loaded   %10" PRIu64 "\n  rejected %10" PRIu64 "\n", s->loaded, s->rejected);
    for (int r = 0; r < REJECT_NREASONS; r++)
        if (s->by_reason[r])
            printf("    %-20s %8" PRIu64 "\n", ingest_reason_name((enum ingest_reason)r),
                   s->by_reason[r]);
    if (s->blank_lines)
        printf("  blank lines skipped %" PRIu64 "\n", s->blank_lines);
    if (s->outcome_ids || s->outcome_rows)
        printf("  outcomes %10" PRIu64 " rows (%" PRIu64 " without an id), %" PRIu64
               " lead ids: %" PRIu64 " matched a lead, %" PRIu64 " matched none\n",
               s->outcome_rows, s->outcome_rows_no_id, s->outcome_ids, s->outcome_ids_matched,
               s->outcome_ids - s->outcome_ids_matched);
    if (s->outcome_pending_rows)
        printf("           %10" PRIu64 " rows at a pending stage (open deals)\n",
               s->outcome_pending_rows);
    for (size_t j = 0; j < s->njoins; j++) {
        const struct ingest_join_stats *x = &s->joins[j];
        printf("  join %-12s %" PRIu64 " rows (%" PRIu64 " without a key), %" PRIu64
               " keys: %" PRIu64 " leads matched, %" PRIu64 " unmatched (missing values), %" PRIu64
               " keys unused\n",
               cli_safe(x->name), x->rows, x->rows_no_key, x->keys, x->leads_matched,
               x->leads_unmatched, x->keys_unused);
    }
    if (s->nexamples) {
        printf("  first rejects:\n");
        for (int i = 0; i < s->nexamples; i++)
            printf("    line %" PRIu64 ": %s\n", s->examples[i].line,
                   cli_safe(s->examples[i].detail));
    }
    printf("  reconciliation: read %" PRIu64 " = loaded %" PRIu64 " + rejected %" PRIu64 "%s\n",
           s->read, s->loaded, s->rejected, s->read == s->loaded + s->rejected ? "" : "  MISMATCH");
    uint64_t accounted = s->header_lines + s->loaded_lines + s->rejected_lines + s->blank_lines;
    printf("  lines: %" PRIu64 " = header %" PRIu64 " + loaded %" PRIu64 " + rejected %" PRIu64
           " + blank %" PRIu64 "%s\n",
           s->lines, s->header_lines, s->loaded_lines, s->rejected_lines, s->blank_lines,
           s->lines == accounted ? "" : "  MISMATCH");
    const struct maturity_stats *m = &s->maturity;
    if (!m->active) {
        printf("  outcomes: loaded %" PRIu64 " = SQL %" PRIu64 " + not SQL %" PRIu64
               " + pending %" PRIu64 "%s\n",
               s->loaded, s->sqls, s->loaded - s->sqls - s->pending, s->pending,
               s->pending ? " (pending: counted in MQL volume, not in the fit or any conversion)"
                          : "");
        return;
    }
    char asof[11], from[11];
    text_format_date(m->as_of, asof);
    text_format_date(m->immature_from, from);
    printf("  maturity: as_of %s (%s%s)\n", asof, cli_safe(m->as_of_source),
           m->as_of_given ? "" : "; give [data] as_of when the export was taken later");
    if (m->median >= 0)
        printf("            time to SQL (Kaplan-Meier, the leads that convert): median %d days, "
               "90th percentile %d, 95th %d\n",
               (int)m->median, (int)m->p90, (int)m->p95);
    printf("            window %d days (%s%s): the outcome is an SQL within %d days of "
           "creation\n",
           m->window, cli_safe(m->window_source),
           m->window_given ? "" : ", used as the window; [data] window sets it", m->window);
    printf("  outcomes: loaded %" PRIu64 " = SQL %" PRIu64 " + not SQL %" PRIu64
           " + not known yet %" PRIu64 "\n",
           s->loaded, s->sqls, s->loaded - s->sqls - s->pending, s->pending);
    printf("            SQL: %" PRIu64 " within the window%s", m->sqls,
           m->sqls_undated ? "" : "\n");
    if (m->sqls_undated)
        printf(" + %" PRIu64 " flagged SQL without a date (taken as within it)\n", m->sqls_undated);
    printf("            not SQL: %" PRIu64 " mature leads without an SQL + %" PRIu64
           " late SQLs (after %d days)\n",
           m->mature, m->late_sqls, m->window);
    printf("            not known yet: %" PRIu64 " immature (created from %s, less than %d days "
           "before as_of; %" PRIu64 " SQLs so far) + %" PRIu64 " pending + %" PRIu64
           " without a creation date\n"
           "            (scored and counted in MQL volume and capacity; left out of the fit and "
           "of every conversion)\n",
           m->immature, from, m->window, m->immature_sqls, m->pending, m->undated);
}

int cli_stage_ingest(const struct cli_opts *o, const struct config *cfg)
{
    struct mql_err err;
    mql_err_clear(&err);
    struct ingest_stats stats;
    int show = cli_show_progress(o);
    char *db = o->db ? NULL : ingest_default_db(cfg);
    struct ingest_opts io = {.db_path = o->db, .progress = show ? progress : NULL};
    int rc = ingest_run(cfg, &io, &stats, &err);
    if (show)
        fprintf(stderr, "\r\033[K");
    /* the counts of a load stopped half-way (a config or layout error) would not reconcile */
    if (stats.complete && (stats.read > 0 || rc == 0)) {
        printf("ingest: %s -> %s\n", cli_safe(cfg->leads), cli_safe(o->db ? o->db : db ? db : "?"));
        print_stats(&stats);
    }
    free(db);
    if (rc)
        return cli_fail(&err);
    return 0;
}

static const struct cli_option ingest_options[] = {CLI_OPT_DB, CLI_OPT_QUIET};
static const struct cli_spec ingest_spec = CLI_STAGE_SPEC("ingest", ingest_options, NULL);

int cmd_ingest(int argc, char **argv)
{
    return cli_command(&ingest_spec, argc, argv, cli_stage_ingest);
}
