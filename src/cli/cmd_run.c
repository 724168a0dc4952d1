/* cmd_run.c: `mqlcal run CONFIG`: every stage that exists, in order. Each later stage is one
 * more call here, reading what the previous stage left in the store. */
#include <stdio.h>

#include "cli.h"

int cmd_run(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse_stage_args("run", "CONFIG [--db PATH] [--quiet]", argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct config cfg;
    if ((rc = cli_load_config(&o, &cfg)) != 0)
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
        if ((rc = cli_stage_review(&o, &cfg)) != 0)
            goto out;
    }
    if ((rc = cli_stage_report(&o, &cfg)) != 0)
        goto out;
out:
    config_release(&cfg);
    return rc;
}
