/*
 * csvout.c: writing CSV files, quoted as RFC 4180 and guarded against spreadsheet formulas
 * (csvout.h).
 */
#include "mqlcal/csvout.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqlcal/fsx.h"
#include "mqlcal/text.h"

int csvout_open(struct csvout *w, const char *path, struct mql_err *err)
{
    memset(w, 0, sizeof *w);
    int rc = fsx_tmp_open(&w->tmp, path, FSX_OWNED, err);
    if (rc)
        return rc;
    if (!(w->f = fdopen(w->tmp.fd, "w"))) {
        int e = errno;
        fsx_tmp_abort(&w->tmp);
        return mql_err_set(err, MQL_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    w->first = 1;
    return 0;
}

static void sep(struct csvout *w)
{
    if (!w->first)
        fputc(',', w->f);
    w->first = 0;
}

int csvout_is_formula(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

void csvout_text(struct csvout *w, const char *s)
{
    sep(w);
    if (!s)
        return;
    int formula = csvout_is_formula(s);
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', w->f);
    if (formula)
        fputc('\'', w->f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', w->f);
        fputc(*s, w->f);
    }
    if (quote)
        fputc('"', w->f);
}

void csvout_int(struct csvout *w, long long v)
{
    sep(w);
    fprintf(w->f, "%lld", v);
}

void csvout_real(struct csvout *w, double v)
{
    sep(w);
    if (isfinite(v))
        fprintf(w->f, "%.10g", v);
}

void csvout_row(struct csvout *w)
{
    fputc('\n', w->f);
    w->first = 1;
}

void csvout_abort(struct csvout *w)
{
    if (w->f) {
        fclose(w->f);
        w->tmp.fd = -1;
    }
    if (w->tmp.path)
        fsx_tmp_abort(&w->tmp);
    memset(w, 0, sizeof *w);
}

int csvout_close(struct csvout *w, struct mql_err *err)
{
    int bad = ferror(w->f) || fflush(w->f) != 0;
    int e = errno;
    int rc = 0;
    if (bad) {
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", w->tmp.path, strerror(e));
        csvout_abort(w);
        return rc;
    }
    /* the descriptor stays open for the commit's fsync; the FILE goes without closing it */
    int fd = dup(w->tmp.fd);
    fclose(w->f);
    w->f = NULL;
    if (fd < 0) {
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", w->tmp.path, strerror(errno));
        w->tmp.fd = -1;
        fsx_tmp_abort(&w->tmp);
        return rc;
    }
    w->tmp.fd = fd;
    rc = fsx_tmp_commit(&w->tmp, err);
    memset(w, 0, sizeof *w);
    return rc;
}
