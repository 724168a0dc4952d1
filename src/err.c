/*
 * err.c: errors as values: filling struct mql_err (err.h).
 */
#include "mqlcal/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mql_err_clear(struct mql_err *err)
{
    if (!err)
        return;
    err->code = MQL_OK;
    err->msg[0] = '\0';
}

static void mark_truncated(char *msg, int n)
{
    if (n >= MQL_ERR_MAX)
        memcpy(msg + MQL_ERR_MAX - 4, "...", 4);
}

int mql_err_set(struct mql_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    mark_truncated(err->msg, n);
    err->code = code;
    return code;
}

int mql_err_prefix(struct mql_err *err, const char *fmt, ...)
{
    if (!err)
        return MQL_EIO;
    char prefix[MQL_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[MQL_ERR_MAX];
    memcpy(old, err->msg, sizeof old);
    int n = snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    mark_truncated(err->msg, n);
    return err->code;
}

int mql_err_oom(struct mql_err *err)
{
    return mql_err_set(err, MQL_EIO, "out of memory");
}
