/*
 * strbuf.h: a growable text buffer, for the SQL, HTML, JSON and XML that mqlcal writes.
 *
 * Appending never fails visibly: an allocation failure sets `oom` and later appends do
 * nothing, so a writer checks once at the end. s is NUL-terminated whenever it is not NULL.
 */
#ifndef MQLCAL_STRBUF_H
#define MQLCAL_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *s;
    size_t len, cap;
    int oom;
};

void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_add(struct strbuf *b, const char *s);
void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* name as a double-quoted SQL identifier ("a""b"). */
void strbuf_sql_ident(struct strbuf *b, const char *name);
/* s as a single-quoted SQL string literal ('it''s'). */
void strbuf_sql_string(struct strbuf *b, const char *s);
/* s with & < > " ' escaped for HTML and XML text and attribute values, and tab, LF and CR as
 * character references (an XML attribute value keeps them only so). */
void strbuf_markup(struct strbuf *b, const char *s);

/* Hands over the text (the caller frees it; NULL after an allocation failure) and resets b. */
char *strbuf_take(struct strbuf *b);
void strbuf_release(struct strbuf *b);

#endif
