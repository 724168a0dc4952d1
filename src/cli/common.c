/* common.c: what the commands share: reading a stage command's arguments, printing errors
 * safely, loading the config, preparing the outputs, opening the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mqlcal/fsx.h"
#include "mqlcal/ingest.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"

int cli_parse_stage_args(const struct cli_spec *spec, int argc, char **argv, struct cli_opts *o)
{
    memset(o, 0, sizeof *o);
    const char *pos[1];
    size_t npos = 0;
    int rc = cli_parse(spec, argc, argv, o, pos, &npos);
    if (!rc)
        o->config = pos[0];
    return rc;
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

int cli_command(const struct cli_spec *spec, int argc, char **argv, cli_stage_fn stage)
{
    struct cli_opts o;
    int rc = cli_parse_stage_args(spec, argc, argv, &o);
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
