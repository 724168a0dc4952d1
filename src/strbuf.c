/*
 * strbuf.c: a growable string buffer that remembers an allocation failure (strbuf.h).
 */
#include "mqlcal/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_put(struct strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void strbuf_add(struct strbuf *b, const char *s)
{
    strbuf_put(b, s, strlen(s));
}

void strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        strbuf_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    strbuf_put(b, big, (size_t)n);
    free(big);
}

/* s with every `quote` doubled, between quotes */
static void quoted(struct strbuf *b, const char *s, char quote)
{
    strbuf_put(b, &quote, 1);
    for (const char *run = s;; s++) {
        if (*s == quote || !*s) {
            strbuf_put(b, run, (size_t)(s - run));
            if (!*s)
                break;
            strbuf_put(b, &quote, 1);
            strbuf_put(b, &quote, 1);
            run = s + 1;
        }
    }
    strbuf_put(b, &quote, 1);
}

void strbuf_sql_ident(struct strbuf *b, const char *name)
{
    quoted(b, name, '"');
}

void strbuf_sql_string(struct strbuf *b, const char *s)
{
    quoted(b, s, '\'');
}

void strbuf_markup(struct strbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *e;
        switch (*s) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        /* as references, so that an XML attribute value keeps them (a parser turns raw ones
         * into spaces) */
        case '\t':
            e = "&#9;";
            break;
        case '\n':
            e = "&#10;";
            break;
        case '\r':
            e = "&#13;";
            break;
        default:
            continue;
        }
        strbuf_put(b, run, (size_t)(s - run));
        strbuf_add(b, e);
        run = s + 1;
    }
    strbuf_put(b, run, (size_t)(s - run));
}

char *strbuf_take(struct strbuf *b)
{
    char *s = b->oom ? NULL : b->s;
    if (b->oom)
        free(b->s);
    if (s == NULL && !b->oom) {
        s = malloc(1);
        if (s)
            s[0] = '\0';
    }
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    return s;
}

void strbuf_release(struct strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
