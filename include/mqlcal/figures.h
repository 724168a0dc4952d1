/*
 * figures.h: the report's charts, drawn from its data (report.h) with the chart module.
 *
 *   sweep.png        conversion (with its bootstrap band) and MQLs per period against the
 *                    threshold; capacity, target and the recommended threshold marked
 *   tradeoff.png     MQLs per period against conversion, all leads and holdout; capacity,
 *                    target and the recommended rule
 *   scores.png       score distribution of SQLs and non-SQLs (share of each per score band)
 *   calibration.png  predicted against observed conversion by decile, Wilson intervals
 *   roc.png          ROC of the points on the holdout (training without one), AUC in the legend
 *   gains.png        cumulative gains: share of SQLs against share of leads worked
 *   scorecard-fit.png, scorecard-engagement.png (and scorecard-other.png for attributes in
 *                    neither group): points per level with 95 % intervals
 *   segment-N.png    conversion per value of the N-th segment column at the rule, with
 *                    intervals and the model's prediction
 *   grid.png         SQLs per period over threshold x fit minimum, the capacity boundary drawn
 *   periods.png      MQLs and conversion per period at the recommended rule
 */
#ifndef MQLCAL_FIGURES_H
#define MQLCAL_FIGURES_H

#include <stddef.h>

#include "mqlcal/err.h"
#include "mqlcal/report.h"

#define FIGURES_MAX 32

struct figure {
    char file[64];     /* in the report folder */
    char title[200];   /* also the image's alt text */
    int width, height; /* CSS pixels */
};

/* Draws every chart the data allows into dir; figs[0 .. *n) say what was drawn. */
int figures_draw(const struct report_data *d, const char *dir, struct figure *figs, size_t *n,
                 struct mql_err *err);

/* The AUC of the points on sample ("training", "holdout") from the score histogram (rows in
 * ascending score), ties counted one half: the ROC chart's legend. NaN without both classes. */
double figures_auc(const struct store_table *hist, const char *sample);

#endif
