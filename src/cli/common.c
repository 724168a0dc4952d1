/* common.c: argument parsing, error printing and progress shared by the commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mqlcal/fsx.h"
#include "mqlcal/ingest.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"

int cli_parse_stage_args(const char *cmd, const char *usage, int argc, char **argv,
                         struct cli_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: mqlcal %s %s\n", cmd, usage);
            return -1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--timings") == 0) {
            o->timings = 1;
        } else if (strcmp(a, "--dump-design") == 0 && strcmp(cmd, "fit") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mqlcal %s: --dump-design needs a path prefix\n", cmd);
                return MQL_EUSAGE;
            }
            o->dump = argv[++i];
        } else if (strcmp(cmd, "export") == 0 &&
                   (strcmp(a, "--format") == 0 || strcmp(a, "--out") == 0 ||
                    strcmp(a, "--table") == 0)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mqlcal %s: %s needs a value\n", cmd, a);
                return MQL_EUSAGE;
            }
            const char **dst = a[2] == 'f' ? &o->format : a[2] == 'o' ? &o->out : &o->table;
            *dst = argv[++i];
        } else if (strcmp(cmd, "review") == 0 &&
                   (strcmp(a, "--previous") == 0 || strcmp(a, "--current") == 0)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mqlcal %s: %s needs a rule file\n", cmd, a);
                return MQL_EUSAGE;
            }
            *(a[2] == 'p' ? &o->previous : &o->current) = argv[++i];
        } else if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mqlcal %s: --db needs a path\n", cmd);
                return MQL_EUSAGE;
            }
            o->db = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            o->db = a + 5;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mqlcal %s: unknown option '%s'\nusage: mqlcal %s %s\n", cmd, a, cmd,
                    usage);
            return MQL_EUSAGE;
        } else if (o->config) {
            fprintf(stderr, "mqlcal %s: one config only, got '%s' and '%s'\n", cmd, o->config, a);
            return MQL_EUSAGE;
        } else {
            o->config = a;
        }
    }
    if (!o->config) {
        fprintf(stderr, "mqlcal %s: missing CONFIG\nusage: mqlcal %s %s\n", cmd, cmd, usage);
        return MQL_EUSAGE;
    }
    return 0;
}

const char *cli_safe(const char *s)
{
    static char bufs[8][4096];
    static unsigned next;
    char *b = bufs[next++ % 8];
    text_escape_ctl(s ? s : "", b, sizeof bufs[0]);
    return b;
}

int cli_fail(const struct mql_err *err)
{
    fprintf(stderr, "mqlcal: %s\n", err->msg[0] ? cli_safe(err->msg) : "failed");
    return err->code ? err->code : MQL_EIO;
}

int cli_load_config(const struct cli_opts *o, struct config *cfg)
{
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(o->config, cfg, &err))
        return cli_fail(&err);
    return 0;
}

int cli_show_progress(const struct cli_opts *o)
{
    return !o->quiet && isatty(STDERR_FILENO);
}

/* Locks the folder of path (its parent), which must exist: a --db is never given folders. */
static int lock_parent(const char *path, struct mql_err *err)
{
    char *dir = text_dirname(path);
    if (!dir)
        return mql_err_oom(err);
    int rc = fsx_lock(dir, err);
    free(dir);
    return rc;
}

int cli_prepare_outputs(const struct cli_opts *o, const struct config *cfg)
{
    struct mql_err err;
    mql_err_clear(&err);
    int rc = fsx_protect(cfg->path, &err);
    if (!rc)
        rc = fsx_protect(cfg->leads, &err);
    if (!rc && cfg->outcomes.file)
        rc = fsx_protect(cfg->outcomes.file, &err);
    if (!rc)
        rc = fsx_mkdirs(cfg->out_dir, &err);
    if (!rc)
        rc = fsx_lock(cfg->out_dir, &err);
    /* a --db that is an input, a device or not a store is refused before its folder is
     * touched (no lock file is made in /dev for --db /dev/null) */
    if (!rc && o->db && !(rc = store_check_target(o->db, &err)))
        rc = lock_parent(o->db, &err);
    if (rc)
        return cli_fail(&err);
    fsx_remove_stale_tmp(cfg->out_dir);
    if (o->db) {
        char *dir = text_dirname(o->db);
        if (dir)
            fsx_remove_stale_tmp(dir);
        free(dir);
    }
    return 0;
}

int cli_command(const char *cmd, const char *usage, int argc, char **argv, cli_stage_fn stage)
{
    struct cli_opts o;
    int rc = cli_parse_stage_args(cmd, usage, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct config cfg;
    if ((rc = cli_load_config(&o, &cfg)) == 0 && (rc = cli_prepare_outputs(&o, &cfg)) == 0)
        rc = stage(&o, &cfg);
    config_release(&cfg);
    return rc;
}

int cli_open_store(const struct cli_opts *o, const struct config *cfg, sqlite3 **db,
                   struct mql_err *err)
{
    int rc;
    if (o->db) {
        rc = store_open(o->db, db, err);
    } else {
        char *path = ingest_default_db(cfg);
        if (!path)
            return mql_err_oom(err);
        rc = store_open(path, db, err);
        free(path);
    }
    /* a store loaded from another file or config is never used silently */
    if (!rc && (rc = ingest_check_store(*db, cfg, err))) {
        store_close(*db);
        *db = NULL;
    }
    return rc;
}
