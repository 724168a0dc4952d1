/* cmd_run.c: `mqlcal run CONFIG`: every stage that exists, in order. Each later stage is one
 * more call here, reading what the previous stage left in the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mqlcal/fsx.h"
#include "mqlcal/rules.h"

/* Last quarter's rule file may be this run's own output (previous = out/rules.json, the
 * natural set-up): it is copied to <out>/rules.previous.json before anything is written, and
 * the review reads the copy, so the export cannot replace it first. Sets *path (malloc'd) to
 * the file the review reads. */
static int keep_previous(const struct config *cfg, char **path)
{
    struct mql_err err;
    mql_err_clear(&err);
    size_t n = strlen(cfg->out_dir) + sizeof "/rules.previous.json";
    char *copy = malloc(n);
    if (!copy)
        return cli_fail(&(struct mql_err){MQL_EIO, "out of memory"});
    snprintf(copy, n, "%s/rules.previous.json", cfg->out_dir);
    struct stat a, b;
    if (stat(cfg->review_previous, &a) != 0) {
        free(copy);
        mql_err_set(&err, MQL_EINPUT, "cannot read the previous rule file '%s': %s",
                    cfg->review_previous, strerror(errno));
        return cli_fail(&err);
    }
    if (stat(copy, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        *path = copy; /* it is the copy already */
        return 0;
    }
    FILE *f = fopen(cfg->review_previous, "rb");
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;
    if (!f || a.st_size > RULES_MAX_BYTES) {
        rc = mql_err_set(&err, MQL_EINPUT, "cannot read the previous rule file '%s': %s",
                         cfg->review_previous,
                         f ? "over the rule files' size limit" : strerror(errno));
    } else if (!(buf = malloc((size_t)a.st_size + 1))) {
        rc = mql_err_oom(&err);
    } else {
        len = fread(buf, 1, (size_t)a.st_size, f);
        if (ferror(f))
            rc = mql_err_set(&err, MQL_EIO, "cannot read the previous rule file '%s'",
                             cfg->review_previous);
    }
    if (f)
        fclose(f);
    if (!rc)
        rc = fsx_write_file(copy, buf, len, FSX_OWNED, &err);
    free(buf);
    if (rc) {
        free(copy);
        return cli_fail(&err);
    }
    *path = copy;
    return 0;
}

static const struct cli_option run_options[] = {CLI_OPT_DB, CLI_OPT_QUIET, CLI_OPT_TIMINGS};
static const struct cli_spec run_spec = CLI_STAGE_SPEC("run", run_options, NULL);

int cmd_run(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse_stage_args(&run_spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct config cfg;
    char *previous = NULL;
    if ((rc = cli_load_config(&o, &cfg)) != 0 || (rc = cli_prepare_outputs(&o, &cfg)) != 0)
        goto out;
    if (cfg.review_previous && (rc = keep_previous(&cfg, &previous)) != 0)
        goto out;
    if ((rc = cli_stage_ingest(&o, &cfg)) != 0)
        goto out;
    printf("\n");
    if ((rc = cli_stage_fit(&o, &cfg)) != 0)
        goto out;
    printf("\n");
    if ((rc = cli_stage_sweep(&o, &cfg)) != 0)
        goto out;
    printf("\n");
    if ((rc = cli_stage_export(&o, &cfg)) != 0)
        goto out;
    if (cfg.review_previous) {
        printf("\n");
        o.previous = previous;
        o.previous_of = cfg.review_previous;
        if ((rc = cli_stage_review(&o, &cfg)) != 0)
            goto out;
    }
    if ((rc = cli_stage_report(&o, &cfg)) != 0)
        goto out;
out:
    free(previous);
    config_release(&cfg);
    return rc;
}
