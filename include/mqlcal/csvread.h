/*
 * csvread.h: the one CSV grammar of mqlcal: ingest, the scorer and every other reader of a
 * leads file split records with it, so they agree on record boundaries for any bytes.
 *
 * The grammar (RFC 4180, with the tolerances real exports need):
 * - A record ends at LF, CRLF or a lone CR outside quotes; the last one may lack its line end.
 *   A UTF-8 byte order mark at the start of the stream is skipped.
 * - A line holding nothing but spaces and tabs is blank: counted, never a record.
 * - A field is quoted when its first byte other than spaces and tabs is '"': it runs to the
 *   next '"' that is not doubled ("" stands for one quote), across line breaks; after that
 *   quote only spaces and tabs may come before the delimiter or the line end. The quotes and
 *   the spaces around them are not part of the value.
 * - Any other field is unquoted: every byte up to the delimiter or line end, a '"' among them
 *   taken literally (24" screen).
 * - A quoted field closed and followed by anything else ("24" screen) is a malformed quote:
 *   the record, from its first line through the end of the physical line where the stray byte
 *   stands, is returned as CSVR_BAD_QUOTE, and reading resumes on the next line. A quote never
 *   closed before the end of the stream makes the rest of the stream one CSVR_UNTERMINATED
 *   record. So every physical line is part of exactly one record, blank line or header.
 * Memory: a chunk buffer (1 MiB) that grows only for a longer record, up to max_record.
 */
#ifndef MQLCAL_CSVREAD_H
#define MQLCAL_CSVREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mqlcal/err.h"

enum csvread_status {
    CSVR_OK = 0,
    CSVR_EOF = 1,
    CSVR_BAD_QUOTE = 2,    /* a closed quote followed by something other than a delimiter */
    CSVR_UNTERMINATED = 3, /* the stream ends inside a quoted field */
    CSVR_EREAD = -1,       /* reading failed, or out of memory (csvread.oom) */
    CSVR_ETOOLONG = -2,    /* a record longer than max_record */
};

/* Called with every chunk of bytes as read (before the byte order mark is skipped). */
typedef void (*csvread_bytes_fn)(void *ctx, const char *buf, size_t n);

struct csvread {
    /* set by the caller before csvread_init */
    FILE *in;
    char delim;
    size_t max_record;
    int keep_raw; /* keep each record's bytes as read in raw / rawlen */
    csvread_bytes_fn on_bytes;
    void *ctx;

    /* the record csvread_next returned */
    const char **f; /* field starts (not NUL-terminated) */
    size_t *fl;     /* field lengths */
    size_t nf;
    uint64_t line;   /* its first physical line (1-based) */
    uint64_t nlines; /* how many physical lines it spans */
    const char *raw; /* its bytes as read, without the line end (for a quoted record only with
                        keep_raw, which copies them before the fields are unquoted) */
    size_t rawlen;
    uint64_t blank_lines; /* so far */
    uint64_t lines;       /* physical lines read so far */
    int oom;

    /* internal */
    char *buf;
    size_t cap, len, pos;
    int eof, started;
    uint64_t next_line; /* the physical line at buf[pos] */
    size_t fcap;
    char *rawbuf;
    size_t rawcap;
};

/* Prepares r (in, delim, max_record and the options already set); -1 when out of memory. */
int csvread_init(struct csvread *r);

/* The next record. CSVR_OK: r->f / r->fl / r->nf hold its fields, valid until the next call;
 * CSVR_BAD_QUOTE and CSVR_UNTERMINATED: r->raw / r->rawlen hold its bytes and r->nf is 0;
 * CSVR_EOF at the end; a negative status is an error that ends the stream. */
int csvread_next(struct csvread *r);

/* What is wrong with a record that is not whole, in words, for the tables that must be whole
 * ([outcomes], [join]): "a stray quote" (CSVR_BAD_QUOTE), "a quoted field never closed"
 * (CSVR_UNTERMINATED), else "wrong number of fields". */
const char *csvread_damage(int status);

/* The field of the current record equal to name after trimming (a header lookup): its index, or
 * -1; *twice is set to the second index when two fields match (else -1). */
long csvread_find(const struct csvread *r, const char *name, long *twice);

/* The same for a column the caller needs: its index in *at, or MQL_EINPUT
 * "WHERE: no column 'name' in the header of FILE (nearest: ...)" or
 * "WHERE: column 'name' appears twice in the header of FILE (fields a and b)". */
int csvread_require(const struct csvread *r, const char *name, const char *where, const char *file,
                    long *at, struct mql_err *err);

void csvread_release(struct csvread *r);

#endif
