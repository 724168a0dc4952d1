/* cmd_init.c: `mqlcal init LEADS.csv [--out CONFIG]`: a starter config, never over a file. */
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

#define INIT_USAGE "LEADS.csv [--out CONFIG]   (CONFIG: mqlcal.ini by default; never overwritten)"

int cmd_init(int argc, char **argv)
{
    const char *leads = NULL, *outp = "mqlcal.ini";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: mqlcal init " INIT_USAGE "\n");
            return 0;
        } else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
            outp = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            outp = a + 6;
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
    /* the config reads paths relative to its own folder: the leads file by its absolute path
     * unless both are in the current folder's tree and the config is here */
    char *dir = text_dirname(outp), abs[PATH_MAX];
    const char *name = leads;
    if (!dir || strcmp(dir, ".") != 0 || leads[0] == '/') {
        if (!realpath(leads, abs)) {
            struct mql_err e;
            mql_err_set(&e, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s", leads,
                        strerror(errno));
            free(dir);
            return cli_fail(&e);
        }
        name = abs;
    }
    free(dir);
    struct mql_err err;
    mql_err_clear(&err);
    char *text = NULL;
    if (init_config(leads, name, &text, &err))
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
    printf("init: %s: a starter config for %s; check every line, then: mqlcal run %s\n",
           cli_safe(outp), cli_safe(leads), cli_safe(outp));
    return 0;
}
