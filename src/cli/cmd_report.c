/* cmd_report.c: `mqlcal report CONFIG`: the HTML report and its charts from the latest sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/report.h"
#include "mqlcal/store.h"

int cli_stage_report(const struct cli_opts *o, const struct config *cfg)
{
    struct mql_err err;
    mql_err_clear(&err);
    sqlite3 *db = NULL;
    struct report_result res;
    memset(&res, 0, sizeof res);
    int rc = cli_open_store(o, cfg, &db, &err);
    if (!rc)
        rc = report_run(db, cfg, &res, &err);
    if (!rc) {
        printf("report: %s (%zu charts, %zu tables)\n", res.index, res.ncharts, res.ntables);
        if (o->timings) {
            fflush(stdout);
            fprintf(stderr, "timings: load %.3f s, charts %.3f s, html and tables %.3f s\n",
                    res.seconds_load, res.seconds_charts, res.seconds_html);
        }
    }
    report_result_release(&res);
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

static const struct cli_option report_options[] = {CLI_OPT_DB, CLI_OPT_QUIET, CLI_OPT_TIMINGS};
static const struct cli_spec report_spec = CLI_STAGE_SPEC("report", report_options, NULL);

int cmd_report(int argc, char **argv)
{
    return cli_command(&report_spec, argc, argv, cli_stage_report);
}
