/*
 * report_page.c: the report's page writer (report_page.h): escaping, number formats, tables
 * written to the page and to their CSV files at once, figures and key figures.
 */
#include "report_page.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mqlcal/text.h"

/* ---- the page, as a growing string --------------------------------------------------------- */

void page_escf(struct strbuf *p, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(p, buf);
}

/* ---- numbers ------------------------------------------------------------------------------- */

/* v formatted for people: thousands separators, NaN as a dash. */
void page_fmt(double v, enum fmt f, char *buf, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "\xE2\x80\x93"); /* en dash */
        return;
    }
    switch (f) {
    case F_INT:
        text_format_number(v, 0, buf, cap);
        return;
    case F_PCT:
        snprintf(buf, cap, "%.1f %%", 100 * v);
        return;
    case F_PCT0:
        snprintf(buf, cap, "%.0f %%", 100 * v);
        return;
    case F_R1:
        text_format_number(v, 1, buf, cap);
        return;
    case F_R2:
        snprintf(buf, cap, "%.2f", v);
        return;
    case F_R3:
        snprintf(buf, cap, "%.3f", v);
        return;
    case F_P: /* a p-value; "&lt;" is HTML: only for table cells, which are not escaped */
        if (v < 1e-4)
            snprintf(buf, cap, "&lt; 0.0001");
        else
            snprintf(buf, cap, "%.4f", v);
        return;
    default:
        snprintf(buf, cap, "%.4f", v);
        return;
    }
}

/* ---- tables: HTML and CSV at once ---------------------------------------------------------- */

/* Opens a table with its caption, a link to its CSV file, and the headers. */
void page_tab_begin(struct writer *w, struct tab *t, const char *file, const char *caption,
                    const char *const *heads, const enum fmt *fmts, size_t n)
{
    memset(t, 0, sizeof *t);
    t->p = &w->p;
    t->ncols = n;
    t->fmts = fmts;
    t->to_page = t->to_csv = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    if (!w->rc && !(w->rc = csvout_open(&t->csv, path, w->err)))
        t->csv_open = 1;
    raw(t->p, "<div class=\"tw\"><table>\n<caption>");
    esc(t->p, caption);
    rawf(t->p, " <a class=\"csv\" href=\"%s\">CSV</a></caption>\n<thead><tr>", file);
    for (size_t i = 0; i < n; i++) {
        rawf(t->p, "<th%s>", fmts[i] == F_TEXT ? "" : " class=\"n\"");
        esc(t->p, heads[i]);
        raw(t->p, "</th>");
        if (t->csv_open)
            csvout_text(&t->csv, heads[i]);
    }
    raw(t->p, "</tr></thead>\n<tbody>\n");
    if (t->csv_open)
        csvout_row(&t->csv);
    w->ntables++;
}

/* A row on the page and in the CSV; tab_row_where sends the next one to either alone. */
void page_tab_row_where(struct tab *t, int page, int csv)
{
    t->to_page = page;
    t->to_csv = csv;
}

void page_tab_row_begin(struct tab *t, const char *cls)
{
    if (!t->to_page)
        ;
    else if (cls)
        rawf(t->p, "<tr class=\"%s\">", cls);
    else
        raw(t->p, "<tr>");
    t->col = 0;
}

void page_tab_text(struct tab *t, const char *s)
{
    if (t->to_page) {
        raw(t->p, "<td>");
        esc(t->p, s ? s : "");
        raw(t->p, "</td>");
    }
    if (t->csv_open && t->to_csv)
        csvout_text(&t->csv, s);
    t->col++;
}

/* A cell in its own format f (tables whose rows hold different kinds of number); `none` is
 * shown instead of NaN when given. */
void page_tab_cell(struct tab *t, double v, enum fmt f, const char *none)
{
    char buf[64];
    if (!isfinite(v) && none) {
        if (t->to_page) {
            raw(t->p, "<td class=\"n\">");
            esc(t->p, none);
            raw(t->p, "</td>");
        }
        if (t->csv_open && t->to_csv)
            csvout_text(&t->csv, none);
        t->col++;
        return;
    }
    page_fmt(v, f, buf, sizeof buf);
    if (t->to_page)
        rawf(t->p, "<td class=\"n\">%s</td>", buf);
    if (t->csv_open && t->to_csv) {
        if (f == F_INT && isfinite(v))
            csvout_int(&t->csv, (long long)llround(v));
        else
            csvout_real(&t->csv, v);
    }
    t->col++;
}

void page_tab_num(struct tab *t, double v)
{
    page_tab_cell(t, v, t->col < t->ncols ? t->fmts[t->col] : F_R4, NULL);
}

void page_tab_row_end(struct tab *t)
{
    if (t->to_page)
        raw(t->p, "</tr>\n");
    if (t->csv_open && t->to_csv)
        csvout_row(&t->csv);
    t->to_page = t->to_csv = 1;
}

void page_tab_end(struct writer *w, struct tab *t)
{
    raw(t->p, "</tbody></table></div>\n");
    if (t->csv_open && !w->rc)
        w->rc = csvout_close(&t->csv, w->err);
    else if (t->csv_open)
        csvout_abort(&t->csv);
}

double page_num(const struct store_table *t, size_t r, const char *c)
{
    return store_table_num(t, r, c);
}

const char *page_text(const struct store_table *t, size_t r, const char *c)
{
    const char *s = store_table_text(t, r, c);
    return s ? s : "";
}

int page_has_figure(const struct writer *w, const char *file)
{
    for (size_t i = 0; i < w->nfigs; i++)
        if (strcmp(w->figs[i].file, file) == 0)
            return 1;
    return 0;
}

void page_figure(struct writer *w, const char *file, const char *caption)
{
    for (size_t i = 0; i < w->nfigs; i++) {
        if (strcmp(w->figs[i].file, file) != 0)
            continue;
        rawf(&w->p, "<figure><img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"", file,
             w->figs[i].width, w->figs[i].height);
        esc(&w->p, w->figs[i].title);
        raw(&w->p, "\">");
        if (caption) {
            raw(&w->p, "<figcaption>");
            esc(&w->p, caption);
            raw(&w->p, "</figcaption>");
        }
        raw(&w->p, "</figure>\n");
        return;
    }
}

void page_kpi(struct strbuf *p, const char *value, const char *what)
{
    raw(p, "<div class=\"kpi\"><b>");
    esc(p, value);
    raw(p, "</b><span>");
    esc(p, what);
    raw(p, "</span></div>");
}
