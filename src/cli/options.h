/*
 * options.h: the command line, table-driven (as git's parse-options). Each command declares
 * its options once, in a table; the parser reads them and the usage text is made from the same
 * table, so the two cannot disagree.
 *
 * Every option with a value takes it as "--name value" or "--name=value"; a flag takes none
 * ("--quiet=1" is a usage error). "--" ends the options; "-" is a positional (standard input).
 * A mistake prints "mqlcal CMD: <what>" and the usage on stderr and is MQL_EUSAGE; --help (-h)
 * prints the usage and each option's help on stdout.
 */
#ifndef MQLCAL_CLI_OPTIONS_H
#define MQLCAL_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum cli_kind {
    CLI_FLAG,  /* an int set to 1 */
    CLI_VALUE, /* a const char * set to the value */
    CLI_LIST,  /* a struct cli_list the value is appended to (the option may repeat) */
};

#define CLI_LIST_MAX 16

struct cli_list {
    const char *v[CLI_LIST_MAX];
    size_t n;
};

struct cli_option {
    const char *name; /* "--db" */
    char letter;      /* 'q' for -q, or 0 */
    enum cli_kind kind;
    const char *arg;  /* the value's name in the usage ("PATH"), NULL for a flag */
    size_t offset;    /* where in the command's struct the option goes (offsetof) */
    const char *help; /* one line for --help */
    int required;     /* 1: the command needs it (shown without brackets) */
};

/* A command: its name, its positionals as the usage shows them ("CONFIG", "[FILE|-]"), how many
 * it takes (min to max), its options, and a note printed after the usage (or NULL). */
struct cli_spec {
    const char *cmd;
    const char *positional;
    size_t min_pos, max_pos;
    const struct cli_option *opts;
    size_t nopts;
    const char *note;
};

/* Parses argv[1..argc) into dst (the options, at their offsets) and pos[0..*npos) (the
 * positionals, at most spec->max_pos). Returns 0, MQL_EUSAGE after printing the mistake, or -1
 * after printing the help for --help. */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *dst, const char **pos,
              size_t *npos);

/* "usage: mqlcal CMD POSITIONAL [--opt ARG]..." on f. */
void cli_usage(const struct cli_spec *spec, FILE *f);

#endif
