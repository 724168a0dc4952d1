/* main.c: mqlcal's entry point: the command table, --help and --version. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/chart.h"
#include "mqlcal/fsx.h"
#include "mqlcal/version.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"init", cmd_init, "write a starter config for a leads export (LEADS.csv [--out CONFIG])"},
    {"run", cmd_run, "run every stage in order on CONFIG"},
    {"ingest", cmd_ingest, "load the leads CSV into the store, rejecting bad rows with reasons"},
    {"fit", cmd_fit, "learn points per attribute level by logistic regression, and validate"},
    {"sweep", cmd_sweep, "sweep MQL thresholds against conversion, volume and capacity"},
    {"audit", cmd_audit, "audit the recommended rule by segment (channel, country, ...)"},
    {"report", cmd_report, "write the HTML report and its charts from the latest sweep"},
    {"export", cmd_export, "write the rule as rules.json, rules.sql and rules.pmml"},
    {"score", cmd_score, "score a leads CSV with a rule file (--rules FILE)"},
    {"check-rules", cmd_check_rules, "check a rule file; errors name the JSON path"},
    {"review", cmd_review, "review last quarter's rule file against the current rule: drift"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mqlcal COMMAND CONFIG [options]\n"
                 "       mqlcal --help | --version | COMMAND --help\n\n"
                 "Learns lead-scoring points and an MQL threshold from CRM history.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nexit status: 0 ok, 1 usage, 2 bad input or config, 3 I/O or internal error\n"
                 "The config file format is described in the README.\n");
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts the process on any error (a failed gsl_rng_alloc in the
     * sweep, a singular matrix): the core checks every GSL status itself, so the process-wide
     * handler is off from the start, whatever command runs */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return MQL_EUSAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("mqlcal %s\n", MQLCAL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (strcmp(cmd, commands[i].name) == 0) {
            int rc = commands[i].fn(argc - 1, argv + 1);
            chart_cleanup(); /* the font caches of any chart drawn */
            fsx_unlock_all();
            fsx_protect_reset();
            return rc;
        }
    fprintf(stderr, "mqlcal: unknown command '%s' (see mqlcal --help)\n", cmd);
    return MQL_EUSAGE;
}
