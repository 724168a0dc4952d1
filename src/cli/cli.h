/*
 * cli.h: the front end's shared pieces. Only src/cli prints, parses argv and exits.
 *
 * Exit statuses (documented in the README): 0 ok, 1 usage, 2 bad input or config,
 * 3 I/O or internal error; they are the mql_err codes.
 */
#ifndef MQLCAL_CLI_H
#define MQLCAL_CLI_H

#include <sqlite3.h>
#include <stddef.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "options.h"

/* Options every stage command takes. */
struct cli_opts {
    const char *config;      /* CONFIG */
    const char *db;          /* --db PATH or NULL */
    int quiet;               /* --quiet: no progress */
    int timings;             /* --timings: stage timings on stderr */
    const char *dump;        /* fit --dump-design PREFIX */
    const char *format;      /* export --format json|sql|pmml|all */
    const char *out;         /* export --out FILE */
    const char *table;       /* export --table NAME (sql) */
    const char *previous;    /* review --previous FILE */
    const char *previous_of; /* run: previous is a copy of this file, which is named instead */
    const char *current;     /* review --current FILE */
};

/* The options the stage commands share, for their tables (options.h). */
#define CLI_OPT_DB                                                                                 \
    {                                                                                              \
        "--db", 0, CLI_VALUE, "PATH", offsetof(struct cli_opts, db),                               \
            "the store (default: mqlcal.db in the output folder)", 0                               \
    }
#define CLI_OPT_QUIET                                                                              \
    {                                                                                              \
        "--quiet", 'q', CLI_FLAG, NULL, offsetof(struct cli_opts, quiet), "no progress on stderr", \
            0                                                                                      \
    }
#define CLI_OPT_TIMINGS                                                                            \
    {                                                                                              \
        "--timings", 0, CLI_FLAG, NULL, offsetof(struct cli_opts, timings),                        \
            "how long each step took, on stderr", 0                                                \
    }

/* A stage command: CONFIG and the options of its table. */
#define CLI_STAGE_SPEC(name, table, note)                                                          \
    {                                                                                              \
        name, "CONFIG", 1, 1, table, sizeof(table) / sizeof((table)[0]), note                      \
    }

/* Parses a stage command's argv (CONFIG and the options of spec) into o; prints usage and
 * returns MQL_EUSAGE on a mistake, returns -1 after printing help for --help, else 0. */
int cli_parse_stage_args(const struct cli_spec *spec, int argc, char **argv, struct cli_opts *o);

/* s with every byte a terminal could act on made visible (text_escape_ctl), in one of eight
 * rotating static buffers (4 KiB, cut beyond): for every string from data that is printed. */
const char *cli_safe(const char *s);

/* Prints "mqlcal: <message>" (made safe: cli_safe) on stderr and returns err->code. */
int cli_fail(const struct mql_err *err);

/* Loads the config named in o, printing the error on failure. */
int cli_load_config(const struct cli_opts *o, struct config *cfg);

/* Before a command writes anything: registers the config and the leads file as inputs no
 * output may replace (fsx_protect), creates and locks the output folder (and --db's folder),
 * and removes what killed runs left there. Prints the error; returns the exit status. */
int cli_prepare_outputs(const struct cli_opts *o, const struct config *cfg);

/* A stage as a command runs it: with its options and its loaded config. */
typedef int (*cli_stage_fn)(const struct cli_opts *o, const struct config *cfg);

/* The body of a one-stage command: parses argv (cli_parse_stage_args), loads the config, runs
 * stage; returns the exit status. */
int cli_command(const struct cli_spec *spec, int argc, char **argv, cli_stage_fn stage);

/* Opens the store a stage command works on: --db PATH, else the config's default
 * (<output dir>/mqlcal.db, ingest_default_db). */
int cli_open_store(const struct cli_opts *o, const struct config *cfg, sqlite3 **db,
                   struct mql_err *err);

/* True when progress should be shown on stderr. */
int cli_show_progress(const struct cli_opts *o);

int cmd_init(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_check_rules(int argc, char **argv);
int cmd_review(int argc, char **argv);

/* The ingest stage as run by both `ingest` and `run`. */
int cli_stage_ingest(const struct cli_opts *o, const struct config *cfg);
int cli_stage_fit(const struct cli_opts *o, const struct config *cfg);
/* The sweep and the audit of its recommended rule, as `run` does them. */
int cli_stage_sweep(const struct cli_opts *o, const struct config *cfg);
/* The HTML report and its charts. */
int cli_stage_report(const struct cli_opts *o, const struct config *cfg);
/* The rule file and its SQL and PMML forms (all three into the output folder by default). */
int cli_stage_export(const struct cli_opts *o, const struct config *cfg);
/* The review of the previous rule file (--previous, else [review] previous) against the
 * current rule. */
int cli_stage_review(const struct cli_opts *o, const struct config *cfg);

#endif
