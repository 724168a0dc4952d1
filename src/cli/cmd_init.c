/* cmd_init.c: `mqlcal init LEADS.csv [--outcomes DEALS.csv] [--out CONFIG]`: a starter config,
 * never over a file. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mqlcal/init.h"
#include "mqlcal/text.h"

/* The name the config gives path: as it is when both are in the current folder's tree and the
 * config is here (the config reads paths relative to its own folder), else its absolute path
 * (into abs). */
static const char *config_name(const char *path, const char *outp, char *abs, struct mql_err *e)
{
    char *dir = text_dirname(outp);
    int here = dir && strcmp(dir, ".") == 0 && path[0] != '/';
    free(dir);
    if (here)
        return path;
    if (!realpath(path, abs)) {
        mql_err_set(e, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s", path,
                    strerror(errno));
        return NULL;
    }
    return abs;
}

/* init's options (options.h). */
struct init_args {
    const char *deals, *out;
};

static const struct cli_option init_options[] = {
    {"--outcomes", 0, CLI_VALUE, "DEALS.csv", offsetof(struct init_args, deals),
     "a deals or opportunities file that holds the outcomes ([outcomes])", 0},
    {"--out", 0, CLI_VALUE, "CONFIG", offsetof(struct init_args, out),
     "where to write the config (default: mqlcal.ini; never overwritten)", 0},
};
static const struct cli_spec init_spec = {
    "init",
    "LEADS.csv",
    1,
    1,
    init_options,
    ARRAY_SIZE(init_options),
    "Writes a starter config for LEADS.csv; every line of it is a guess to check."};

int cmd_init(int argc, char **argv)
{
    struct init_args ia = {.out = "mqlcal.ini"};
    const char *pos[1] = {NULL};
    size_t npos = 0;
    int prc = cli_parse(&init_spec, argc, argv, &ia, pos, &npos);
    if (prc)
        return prc < 0 ? 0 : prc;
    const char *leads = pos[0], *deals = ia.deals, *outp = ia.out;
    struct mql_err err;
    mql_err_clear(&err);
    char abs[PATH_MAX], dabs[PATH_MAX];
    const char *name = config_name(leads, outp, abs, &err), *dname = NULL;
    if (!name || (deals && !(dname = config_name(deals, outp, dabs, &err))))
        return cli_fail(&err);
    char *text = NULL;
    if (init_config(leads, name, deals, dname, &text, &err))
        return cli_fail(&err);
    /* never over an existing file: created with O_EXCL */
    int fd = open(outp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        mql_err_set(&err, errno == EEXIST ? MQL_EINPUT : MQL_EIO, "cannot write '%s': %s%s", outp,
                    strerror(errno),
                    errno == EEXIST ? " (mqlcal init never overwrites: give --out NEW.ini)" : "");
        free(text);
        return cli_fail(&err);
    }
    size_t n = strlen(text);
    int bad = write(fd, text, n) != (ssize_t)n;
    bad |= close(fd) != 0;
    free(text);
    if (bad) {
        mql_err_set(&err, MQL_EIO, "cannot write '%s'", outp);
        unlink(outp);
        return cli_fail(&err);
    }
    printf("init: %s: a starter config for %s%s%s; check every line, then: mqlcal run %s\n",
           cli_safe(outp), cli_safe(leads), deals ? " with outcomes from " : "",
           deals ? cli_safe(deals) : "", cli_safe(outp));
    return 0;
}
