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

#define INIT_USAGE                                                                                 \
    "LEADS.csv [--outcomes DEALS.csv] [--out CONFIG]   (CONFIG: mqlcal.ini by default; never "     \
    "overwritten)"

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

int cmd_init(int argc, char **argv)
{
    const char *leads = NULL, *deals = NULL, *outp = "mqlcal.ini";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: mqlcal init " INIT_USAGE "\n");
            return 0;
        } else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
            outp = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            outp = a + 6;
        } else if (strcmp(a, "--outcomes") == 0 && i + 1 < argc) {
            deals = argv[++i];
        } else if (strncmp(a, "--outcomes=", 11) == 0) {
            deals = a + 11;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mqlcal init: unknown option '%s'\nusage: mqlcal init " INIT_USAGE "\n",
                    a);
            return MQL_EUSAGE;
        } else if (leads) {
            fprintf(stderr, "mqlcal init: one leads file only, got '%s' and '%s'\n", leads, a);
            return MQL_EUSAGE;
        } else {
            leads = a;
        }
    }
    if (!leads) {
        fprintf(stderr, "mqlcal init: missing LEADS.csv\nusage: mqlcal init " INIT_USAGE "\n");
        return MQL_EUSAGE;
    }
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
