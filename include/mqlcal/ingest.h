/*
 * ingest.h: CSV export -> SQLite store, losing no row.
 *
 * Streams the configured CSV in mqlcal's one grammar (csvread.h: RFC 4180 quoting, embedded
 * newlines, LF / CRLF / CR line ends, a UTF-8 BOM, the configured delimiter; a stray quote
 * rejects exactly the physical lines its record spans) and types each configured column on the way
 * in (count: INTEGER, numeric: REAL, date: TEXT YYYY-MM-DD, the rest TEXT; missing values
 * NULL). Every record after the header lands in exactly one place: the leads table, or the
 * rejects table with its line number, raw text, reason and detail. The new store is built
 * under a temporary name and renamed over the old one only when at least one row loaded, so a
 * killed or failed ingest leaves the previous load intact.
 */
#ifndef MQLCAL_INGEST_H
#define MQLCAL_INGEST_H

#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "mqlcal/maturity.h"

#define INGEST_MAX_RECORD (64u << 20) /* a record over 64 MiB stops the ingest (MQL_EINPUT) */

/* Why a row was rejected; the names (ingest_reason_name) are what the rejects table holds. */
enum ingest_reason {
    REJECT_FIELD_COUNT,  /* wrong number of fields */
    REJECT_UNTERMINATED, /* a quoted field never closed before the end of the file */
    REJECT_BAD_NUMBER,   /* a count or numeric value that does not parse */
    REJECT_BAD_DATE,     /* a date that is not ISO 8601 */
    REJECT_MISSING_ID,   /* empty or missing-token id */
    REJECT_MISSING_OUTCOME,
    REJECT_BAD_OUTCOME,  /* neither a positive nor a negative outcome value */
    REJECT_DUPLICATE_ID, /* the first row with the id is kept */
    REJECT_INVALID_UTF8, /* a stored value that is not valid UTF-8 */
    REJECT_NUL_BYTE,     /* a stored value with a NUL byte */
    REJECT_BAD_QUOTE,    /* a quoted field followed by text (csvread.h): its physical lines */
    REJECT_DATE_RANGE,   /* a date before earliest_date or after today */
    REJECT_OUTCOME_BEFORE_CREATED, /* outcome_date before the lead's creation date */
    REJECT_AFTER_AS_OF,            /* a creation or SQL date after the config's as_of */
    REJECT_NREASONS
};

#define INGEST_EXAMPLES 5

/* Dates before the config's earliest_date (default 1990-01-01) or after today (UTC) are
 * rejected (date_out_of_range): a typo such as 2204 for 2024, or a placeholder such as
 * 1970-01-01, would otherwise stretch the period grid over centuries and wreck every volume
 * figure. */

struct ingest_stats {
    int complete;      /* the whole file was read: the counts below reconcile */
    uint64_t read;     /* records after the header */
    uint64_t loaded;   /* rows in leads */
    uint64_t sqls;     /* of them, SQLs; loaded == sqls + not SQLs + pending */
    uint64_t pending;  /* of them, outcome not known yet ([data] / [outcomes] pending) */
    uint64_t rejected; /* rows in rejects; read == loaded + rejected */
    uint64_t blank_lines;
    /* physical lines: lines == header_lines + loaded_lines + rejected_lines + blank_lines */
    uint64_t lines, header_lines, loaded_lines, rejected_lines;
    uint64_t by_reason[REJECT_NREASONS];
    uint64_t bytes;
    char sha256[65]; /* of the input file's bytes, lowercase hex (as sha256sum prints it) */
    char date_min[11], date_max[11]; /* "" when the data has no dates */
    /* [outcomes]: the deals file's rows, those without an id, its distinct lead ids and how
     * many of them a loaded lead has (the others match no lead) */
    uint64_t outcome_rows, outcome_rows_no_id, outcome_ids, outcome_ids_matched;
    uint64_t outcome_pending_rows; /* rows with a pending stage */
    char outcome_sha256[65];
    /* [join NAME] tables: rows (those without a key), keys, the loaded leads whose key found a
     * row and those whose did not (missing values), and keys no lead used */
    struct ingest_join_stats {
        char name[64];
        uint64_t rows, rows_no_key, keys, leads_matched, leads_unmatched, keys_unused;
    } joins[CONFIG_MAX_JOINS];
    size_t njoins;
    /* conversion windows (maturity.h): active when the leads have creation and SQL dates; the
     * sqls and pending above then count the outcomes it set (pending: open deals, immature and
     * undated leads) */
    struct maturity_stats maturity;
    /* the first rejects, for messages: line and detail */
    struct {
        uint64_t line;
        char detail[512];
    } examples[INGEST_EXAMPLES];
    int nexamples;
};

/* Called now and then during the load (every 65,536 records and at the end). */
typedef void (*ingest_progress_fn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total,
                                   uint64_t records);

struct ingest_opts {
    const char *db_path;         /* NULL: <output dir>/mqlcal.db, the folder created when missing */
    ingest_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    int32_t today; /* days since 1970-01-01 for the date check; 0: the clock's */
};

/* Loads cfg->leads into the store. Fills *stats (also when it fails after reading rows).
 * Returns 0 when at least one row loaded; MQL_EINPUT when the config does not match the CSV
 * header ("config.ini:14: attribute 'x': no such column in leads.csv"), the file is empty or
 * holds only a header, a record is too long, or no row could be loaded (the previous store is
 * then left as it was); MQL_EIO when a file or the store fails. */
int ingest_run(const struct config *cfg, const struct ingest_opts *opts, struct ingest_stats *stats,
               struct mql_err *err);

/* 0 when the store's load is of the config's leads file as it is now (same size and time, or
 * the same bytes), with the same [data] section (ingest_config_hash), and holds every column
 * the config reads (attributes with their kind); else MQL_EINPUT saying what changed and to
 * run ingest. Every stage after ingest calls it (through the front end's cli_open_store). */
int ingest_check_store(sqlite3 *db, const struct config *cfg, struct mql_err *err);

/* The sha256 (lowercase hex) of the [data] section: the leads path and every key that decides
 * how a row is read (id, outcome and its values, date, feedback, delimiter, missing). */
void ingest_config_hash(const struct config *cfg, char hex[65]);

/* A file's modification time as text ("seconds.nanoseconds"), as the store keeps it. */
void ingest_mtime_text(const struct stat *st, char *buf, size_t cap);

/* The store path used when opts->db_path is NULL (malloc'd, the caller frees). */
char *ingest_default_db(const struct config *cfg);

const char *ingest_reason_name(enum ingest_reason r);

#endif
