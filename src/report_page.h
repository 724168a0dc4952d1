/*
 * report_page.h (private to the report): the HTML page as a growing string and the tables that
 * go to the page and to a CSV file at once. report.c writes the sections with these; the
 * cells read their values by column name (page_num, page_text: store_table's checked reads).
 */
#ifndef MQLCAL_REPORT_PAGE_H
#define MQLCAL_REPORT_PAGE_H

#include <stddef.h>

#include "mqlcal/config.h"
#include "mqlcal/csvout.h"
#include "mqlcal/figures.h"
#include "mqlcal/report_data.h"
#include "mqlcal/strbuf.h"

#define raw strbuf_add
#define rawf strbuf_addf
#define esc strbuf_markup

enum fmt { F_INT, F_PCT, F_PCT0, F_R1, F_R2, F_R3, F_R4, F_P, F_TEXT };

struct tab {
    struct strbuf *p;
    struct csvout csv;
    int csv_open;
    size_t ncols, col;
    const enum fmt *fmts;
    int to_page, to_csv; /* where the next cells go (tab_row_begin sets both; a long table
                            keeps every row in its CSV and pools the rest on the page) */
};

struct writer {
    const struct config *cfg;
    const struct report_data *d;
    const char *dir;
    struct strbuf p;
    struct mql_err *err;
    int rc;
    size_t ntables;
    const struct figure *figs;
    size_t nfigs;
};

void page_escf(struct strbuf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void page_fmt(double v, enum fmt f, char *buf, size_t cap);
void page_tab_begin(struct writer *w, struct tab *t, const char *file, const char *caption,
                    const char *const *heads, const enum fmt *fmts, size_t n);
void page_tab_row_where(struct tab *t, int page, int csv);
void page_tab_row_begin(struct tab *t, const char *cls);
void page_tab_text(struct tab *t, const char *s);
void page_tab_cell(struct tab *t, double v, enum fmt f, const char *none);
void page_tab_num(struct tab *t, double v);
void page_tab_row_end(struct tab *t);
void page_tab_end(struct writer *w, struct tab *t);
double page_num(const struct store_table *t, size_t r, const char *c);
const char *page_text(const struct store_table *t, size_t r, const char *c);
int page_has_figure(const struct writer *w, const char *file);
void page_figure(struct writer *w, const char *file, const char *caption);
void page_kpi(struct strbuf *p, const char *value, const char *what);

#endif
