/* cmd_export.c: `mqlcal export CONFIG`: the recommended rule as rules.json, rules.sql and
 * rules.pmml (or one of them with --format, to --out FILE or standard output with --out -). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/fsx.h"
#include "mqlcal/export.h"
#include "mqlcal/rules.h"
#include "mqlcal/store.h"

/* The text of one form of r, malloc'd (NULL when out of memory). */
static char *render(const struct rules *r, const char *format, const char *table)
{
    if (strcmp(format, "json") == 0) {
        char *t = rules_to_json(r);
        if (t) { /* a final newline */
            size_t n = strlen(t);
            char *u = realloc(t, n + 2);
            if (!u) {
                free(t);
                return NULL;
            }
            u[n] = '\n';
            u[n + 1] = '\0';
            t = u;
        }
        return t;
    }
    if (strcmp(format, "sql") == 0)
        return export_sql(r, table ? table : "leads");
    return export_pmml(r);
}

/* owned: path is in the output folder (FSX_OWNED); a path given with --out is the user's. */
static int write_form(const struct rules *r, const char *format, const char *table,
                      const char *path, int owned, struct mql_err *err)
{
    char *text = render(r, format, table);
    if (!text)
        return mql_err_oom(err);
    int rc = 0;
    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0)
            rc = mql_err_set(err, MQL_EIO, "cannot write to standard output");
    } else {
        rc = fsx_write_file(path, text, strlen(text), owned ? FSX_OWNED : 0, err);
    }
    free(text);
    return rc;
}

int cli_stage_export(const struct cli_opts *o, const struct config *cfg)
{
    static const char *const forms[] = {"json", "sql", "pmml"};
    const char *format = o->format ? o->format : "all";
    int all = strcmp(format, "all") == 0, known = all;
    for (size_t i = 0; i < 3; i++)
        known |= strcmp(format, forms[i]) == 0;
    if (!known) {
        fprintf(stderr, "mqlcal export: unknown format '%s' (json, sql, pmml or all)\n", format);
        return MQL_EUSAGE;
    }
    if (all && o->out) {
        fprintf(stderr, "mqlcal export: --out needs one --format (json, sql or pmml)\n");
        return MQL_EUSAGE;
    }
    struct mql_err err;
    mql_err_clear(&err);
    sqlite3 *db = NULL;
    struct rules r;
    memset(&r, 0, sizeof r);
    int rc = cli_open_store(o, cfg, &db, &err);
    if (!rc)
        rc = rules_from_store(db, &r, &err);
    /* checked before anything is written, so the three files stay one set */
    if (!rc && (all || strcmp(format, "pmml") == 0))
        rc = export_pmml_check(&r, &err);
    if (!rc && !all) {
        char def[4096];
        if (!o->out)
            snprintf(def, sizeof def, "%s/rules.%s", cfg->out_dir, format);
        rc = write_form(&r, format, o->table, o->out ? o->out : def, !o->out, &err);
        if (!rc && !(o->out && strcmp(o->out, "-") == 0))
            printf("export: %s\n", o->out ? o->out : def);
    } else if (!rc) {
        char files[3][4096];
        for (size_t i = 0; i < 3 && !rc; i++) {
            snprintf(files[i], sizeof files[i], "%s/rules.%s", cfg->out_dir, forms[i]);
            rc = write_form(&r, forms[i], o->table, files[i], 1, &err);
        }
        if (!rc) {
            printf("export: %s, rules.sql, rules.pmml", files[0]);
            if (r.has_rule)
                printf(" (%d points%s, %zu attributes, %zu disqualifiers)\n", r.threshold,
                       r.has_fit_min ? " with a fit minimum" : "", r.nattrs, r.ndq);
            else
                printf(" (no recommended rule: every lead scores, none is an MQL)\n");
        }
    }
    rules_release(&r);
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

static const struct cli_option export_options[] = {
    CLI_OPT_DB,
    CLI_OPT_QUIET,
    {"--format", 0, CLI_VALUE, "json|sql|pmml|all", offsetof(struct cli_opts, format),
     "which rule file (default: all three)", 0},
    {"--out", 0, CLI_VALUE, "FILE|-", offsetof(struct cli_opts, out),
     "write the one --format to FILE, or to standard output with -", 0},
    {"--table", 0, CLI_VALUE, "NAME", offsetof(struct cli_opts, table),
     "the leads table rules.sql reads (default: leads)", 0},
};
static const struct cli_spec export_spec = CLI_STAGE_SPEC("export", export_options, NULL);

int cmd_export(int argc, char **argv)
{
    return cli_command(&export_spec, argc, argv, cli_stage_export);
}
