/*
 * report_run.c: report_run (report.h): the report written into a temporary folder beside the
 * old one and swapped in whole (renameat2 RENAME_EXCHANGE), with the leftovers of killed runs
 * removed first, so a reader or a crash sees the old report or the new one, never a mix.
 */
#define _GNU_SOURCE /* renameat2 */
#include "mqlcal/report.h"

#include <cairo.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
#include <gsl/gsl_version.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqlcal/clock.h"
#include "mqlcal/csvout.h"
#include "mqlcal/figures.h"
#include "mqlcal/fsx.h"
#include "mqlcal/strbuf.h"
#include "mqlcal/validate.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"
#include "mqlcal/stats.h"

/* What a killed run may have left in out_dir: the folder of a report being written by a
 * process that no longer runs (removed), and the old report set aside by swap_in's fallback
 * (put back when the new one never came, else removed). Only folders that mqlcal can prove it
 * wrote (fsx_remove_owned_dir) are touched; anything else stops the report (MQL_EINPUT). */
static int remove_leftovers(const char *out_dir, const char *final, const char *old,
                            struct mql_err *err)
{
    DIR *dir = opendir(out_dir);
    if (!dir)
        return 0;
    static const char prefix[] = ".report-tmp-";
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(dir))) {
        if (strncmp(e->d_name, prefix, sizeof prefix - 1) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + sizeof prefix - 1, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* not ours to remove: a running mqlcal's */
        size_t n = strlen(out_dir) + strlen(e->d_name) + 2;
        char *path = malloc(n);
        if (!path) {
            rc = mql_err_oom(err);
            break;
        }
        snprintf(path, n, "%s/%s", out_dir, e->d_name);
        rc = fsx_remove_owned_dir(path, err);
        free(path);
    }
    closedir(dir);
    struct stat st;
    if (!rc && lstat(old, &st) == 0) {
        if (lstat(final, &st) != 0) {
            if (!(rc = fsx_check_owned_dir(old, err)) && rename(old, final) != 0)
                rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", old, final,
                                 strerror(errno));
        } else {
            rc = fsx_remove_owned_dir(old, err);
        }
    }
    return rc;
}

/* Makes the folder tmp the folder final: swapped in one step where the file system can
 * (renameat2 RENAME_EXCHANGE), the old report then removed; else old aside, new in place. */
static int swap_in(const char *tmp, const char *final, const char *old, struct mql_err *err)
{
    struct stat st;
    if (lstat(final, &st) != 0) {
        if (rename(tmp, final) != 0)
            return mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", tmp, final,
                               strerror(errno));
        return 0;
    }
    /* checked again just before: the folder may have changed while the report was written */
    int rc = fsx_check_owned_dir(final, err);
    if (rc)
        return rc;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0)
        return fsx_remove_owned_dir(tmp, err); /* now the old report */
    if ((rc = fsx_remove_owned_dir(old, err)))
        return rc;
    if (rename(final, old) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", final, old,
                         strerror(errno));
    else if (rename(tmp, final) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", tmp, final,
                         strerror(errno));
    else
        rc = fsx_remove_owned_dir(old, err);
    return rc;
}

int report_run(sqlite3 *db, const struct config *cfg, struct report_result *res,
               struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    struct report_data d;
    double t0 = clock_seconds();
    int rc = report_load(db, &d, err);
    double t1 = clock_seconds();
    size_t n = strlen(cfg->out_dir) + 48;
    char *final = malloc(n), *tmp = malloc(n), *old = malloc(n);
    int made = 0;
    if (!rc && (!final || !tmp || !old))
        rc = mql_err_oom(err);
    if (!rc) {
        /* the whole report is written beside the old one, then swapped in: a reader (or a
         * crash) sees the old report or the new one, never a mix */
        snprintf(final, n, "%s/report", cfg->out_dir);
        snprintf(tmp, n, "%s/.report-tmp-%ld", cfg->out_dir, (long)getpid());
        snprintf(old, n, "%s/report.old", cfg->out_dir);
        /* refused before anything is written: a report folder that is not mqlcal's */
        if (!(rc = remove_leftovers(cfg->out_dir, final, old, err)) &&
            !(rc = fsx_check_owned_dir(final, err)) && !(rc = fsx_remove_owned_dir(tmp, err))) {
            rc = report_write(cfg, &d, tmp, res, err);
            if (!rc)
                rc = report_check_reads(&d, err);
            if (!rc)
                rc = swap_in(tmp, final, old, err);
            made = 1;
        }
        if (rc && made) {
            struct mql_err ignored;
            fsx_remove_owned_dir(tmp, &ignored);
        } else if (!rc) {
            free(res->dir);
            free(res->index);
            res->dir = text_dup(final);
            res->index = malloc(n + 16);
            if (!res->dir || !res->index)
                rc = mql_err_oom(err);
            else
                snprintf(res->index, n + 16, "%s/index.html", final);
        }
    }
    res->seconds_load = t1 - t0;
    free(final);
    free(tmp);
    free(old);
    report_release(&d);
    return rc;
}
