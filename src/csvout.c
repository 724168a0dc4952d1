#include "mqlcal/csvout.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqlcal/text.h"

int csvout_open(struct csvout *w, const char *path, struct mql_err *err)
{
    memset(w, 0, sizeof *w);
    size_t n = strlen(path) + 5;
    w->path = text_dup(path);
    w->tmp = malloc(n);
    if (!w->path || !w->tmp) {
        csvout_abort(w);
        return mql_err_set(err, MQL_EIO, "out of memory");
    }
    snprintf(w->tmp, n, "%s.tmp", path);
    if (!(w->f = fopen(w->tmp, "w"))) {
        int e = errno;
        csvout_abort(w);
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
        unlink(w->tmp);
    }
    free(w->path);
    free(w->tmp);
    memset(w, 0, sizeof *w);
}

int csvout_close(struct csvout *w, struct mql_err *err)
{
    int bad = ferror(w->f) || fflush(w->f) != 0 || fsync(fileno(w->f)) != 0;
    int e = errno;
    if (fclose(w->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    w->f = NULL;
    if (!bad && rename(w->tmp, w->path) != 0) {
        bad = 1;
        e = errno;
    }
    int rc = 0;
    if (bad) {
        unlink(w->tmp);
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", w->path, strerror(e));
    }
    free(w->path);
    free(w->tmp);
    memset(w, 0, sizeof *w);
    return rc;
}
