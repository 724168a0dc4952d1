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
 *   time-to-sql.png  the share of leads converted by day since creation (Kaplan-Meier) with
 *                    its band, the window marked (with conversion windows: maturity.h)
 *   maturity.png     conversion per period: mature periods, and for those still maturing the
 *                    SQLs so far and the Kaplan-Meier expectation
 *
 * and, drawn by figures_draw_review from the latest stored review (review.h):
 *   review-curves.png     conversion against MQLs per period for the previous and the current
 *                         rule (each with its fit minimum), both rules' operating points with
 *                         their Wilson intervals, capacity and target; the volume axis runs to
 *                         three times capacity (or 1.5 times the busier rule) at most
 *   review-stability.png  score PSI and CSI per attribute between the baseline and the current
 *                         span, bands at 0.1 (investigate) and 0.25 (shifted); not drawn
 *                         without spans
 *   review-points.png     current minus previous points per level that is not the same (the
 *                         30 largest changes; an added or removed level against 0); not drawn
 *                         when no level changed
 */
#ifndef MQLCAL_FIGURES_H
#define MQLCAL_FIGURES_H

#include <stddef.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "mqlcal/report_data.h"

#define FIGURES_MAX 48

struct figure {
    char file[64];     /* in the report folder */
    char title[200];   /* also the image's alt text */
    int width, height; /* CSS pixels */
};

/* Draws every chart the data allows into dir; figs[0 .. *n) say what was drawn. */
int figures_draw(const struct report_data *d, const char *dir, struct figure *figs, size_t *n,
                 struct mql_err *err);

/* Draws the review's charts of d (none when d holds no review) into dir after the *n figures
 * already in figs, and adds them there; capacity and target_conversion come from cfg. */
int figures_draw_review(const struct report_data *d, const struct config *cfg, const char *dir,
                        struct figure *figs, size_t *n, struct mql_err *err);

/* How many levels of d's review have points that are not the same in both rules. */
size_t figures_review_changes(const struct report_data *d);

/* The AUC of the points on sample ("training", "holdout") from the score histogram (rows in
 * ascending score), ties counted one half: the ROC chart's legend. NaN without both classes. */
double figures_auc(const struct store_table *hist, const char *sample);

#endif
