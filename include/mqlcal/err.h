/*
 * err.h: errors as values.
 *
 * Every core function that can fail returns int (0 = ok, otherwise one of the MQL_E* codes
 * below) and fills the struct mql_err passed as its last argument. Only the front end prints
 * an error and maps its code to the process exit status, which is the code itself:
 *
 *   0 ok, 1 usage, 2 bad input or config, 3 I/O or internal error.
 *
 * Messages are lowercase, say what failed first, quote the subject and give the place:
 *   "leads.csv:1204: column 'became_sql': expected 0/1, got 'maybe'".
 */
#ifndef MQLCAL_ERR_H
#define MQLCAL_ERR_H

#include <stddef.h>

enum {
    MQL_OK = 0,
    MQL_EUSAGE = 1, /* the command line is wrong */
    MQL_EINPUT = 2, /* the config or the data is wrong */
    MQL_EIO = 3     /* a file, the store, memory or an internal invariant failed */
};

#define MQL_ERR_MAX 1024

struct mql_err {
    int code;
    char msg[MQL_ERR_MAX];
};

/* Clears err: code MQL_OK, empty message. err may be NULL. */
void mql_err_clear(struct mql_err *err);

/* Sets err (may be NULL) to code and a printf-formatted message; returns code so that callers
 * can write `return mql_err_set(err, MQL_EINPUT, "...")`. Messages longer than MQL_ERR_MAX are
 * truncated with "...". */
int mql_err_set(struct mql_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts a prefix in front of err's message ("prefix: old message"), keeping the code; returns
 * the code. Used to add the place ("config.ini:12") once it is known. */
int mql_err_prefix(struct mql_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets err (may be NULL) to MQL_EIO "out of memory" and returns MQL_EIO: the one wording of an
 * allocation failure, whatever allocated. */
int mql_err_oom(struct mql_err *err);

/* The number of elements of a true array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
