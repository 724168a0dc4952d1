/*
 * text.h: small string helpers shared by the modules: trimming, case-insensitive comparison,
 * comma lists, strict number and ISO date parsing, UTF-8 validation.
 *
 * The parsers are strict: the whole (trimmed) text must be the value, otherwise they return
 * nonzero and leave *out unchanged. They never print, never allocate unless stated.
 */
#ifndef MQLCAL_TEXT_H
#define MQLCAL_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'd copy of s (NULL in, NULL out); NULL when out of memory. */
char *text_dup(const char *s);

/* The missing-value rule, the one reading of it for ingest, the joins and the scorer: s[0..n)
 * (already trimmed) is missing when it is empty or exactly one of tokens[0..ntokens) (case
 * matters); lens[i] is strlen(tokens[i]), or lens is NULL to measure them. */
int text_is_missing(const char *s, size_t n, char *const *tokens, const size_t *lens,
                    size_t ntokens);

/* Returns a malloc'd copy of the n bytes at s with a NUL added; NULL when out of memory. */
char *text_ndup(const char *s, size_t n);

/* Trims ASCII white space at both ends in place; returns s. */
char *text_trim(char *s);

/* Like text_trim for a (pointer, length) pair: advances *s and shrinks *n. */
void text_trim_span(const char **s, size_t *n);

/* Case-insensitive (ASCII) equality of a NUL-terminated string and a span. */
int text_ieq_span(const char *a, const char *b, size_t bn);

/* Case-insensitive (ASCII) equality. */
int text_ieq(const char *a, const char *b);

/* FNV-1a 64 of s[0..n): the key hash of mqlcal's in-memory tables (outcomes, joins). */
uint64_t text_hash(const char *s, size_t n);

/* Parses a whole number in [INT64_MIN, INT64_MAX]: optional sign, digits. 0 = ok. */
int text_parse_int(const char *s, size_t n, int64_t *out);

/* The data grammar of counts and numbers, shared by ingest, the scorer and rules.sql (which
 * can check it with TRIM, LTRIM, SUBSTR and LENGTH alone, so all agree on every value):
 * - a count: an optional sign, 1 to TEXT_COUNT_DIGITS digits, not below zero ("-0" is 0);
 * - a number: an optional sign, digits with an optional '.' and at least one digit, an optional
 *   exponent e[+-] with 1 or 2 digits, at most TEXT_NUMBER_CHARS characters (so always
 *   finite). Not: 1,000, 0x10, inf, nan, 3x, 1e300. 0 = ok. */
#define TEXT_COUNT_DIGITS 18
#define TEXT_NUMBER_CHARS 100
int text_parse_count(const char *s, size_t n, int64_t *out);
int text_parse_number(const char *s, size_t n, double *out);

/* Parses a finite real number in C-locale notation (no inf, no nan, no hex). 0 = ok. */
int text_parse_real(const char *s, size_t n, double *out);

/* Parses an ISO 8601 calendar date "YYYY-MM-DD", optionally followed by a time part
 * ("T" or " " then hh:mm[:ss[.fff]] and an optional "Z" or +hh:mm offset), which is checked
 * and dropped. Writes the day number (days since 1970-01-01) to *days. 0 = ok. */
int text_parse_date(const char *s, size_t n, int32_t *days);

/* v with `decimals` decimals into buf (cap bytes), the whole part grouped by commas when it has
 * five digits or more ("12,345.6", "1234"); -0 prints as 0. For people: charts and reports. */
void text_format_number(double v, int decimals, char *buf, size_t cap);

/* Formats a day number as "YYYY-MM-DD" into buf (at least 11 bytes). */
void text_format_date(int32_t days, char *buf);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range check). */
int32_t text_days_from_civil(int y, unsigned m, unsigned d);

/* Returns 1 when the n bytes at s are valid UTF-8 (no overlongs, no surrogates), else 0. */
int text_utf8_valid(const char *s, size_t n);

/* Writes into out (cap bytes) the up to three of names[0..n) (spans of lens, trimmed) nearest
 * to want by edit distance, ignoring ASCII case, quoted and comma-separated ("'Lead Source',
 * 'Source'"), for "no such column" messages. Returns the length written. */
size_t text_nearest_names(const char *want, const char *const *names, const size_t *lens, size_t n,
                          char *out, size_t cap);

/* The delimiter (',', ';', tab or '|', in that order on a tie) other than used (0: none) that
 * occurs most outside quotes in the first line of line[0..n), or 0 when none does: init's guess
 * and ingest's hint when a header splits into one column. */
char text_guess_delimiter(const char *line, size_t n, char used);

/* The folder part of path ("." when it has none, "/" for a file in the root), malloc'd; NULL
 * when out of memory. */
char *text_dirname(const char *path);

/* Copies s into out (cap bytes, always NUL-terminated, cut at a whole character) with every
 * byte a terminal could act on made visible: C0 controls (\n, \r, \t, \x1b, ...), DEL and C1
 * controls (\u009b) escaped, bytes that are not UTF-8 as \xNN. For everything mqlcal prints
 * that came from data. Returns the length written. */
size_t text_escape_ctl(const char *s, char *out, size_t cap);

#endif
