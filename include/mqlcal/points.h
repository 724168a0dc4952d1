/*
 * points.h: coefficients -> integer points that a marketing team can read and a scorer apply.
 *
 * Scaling (documented in docs/points.md):
 * - pdo (default): factor = pdo / ln 2 points per unit of log-odds, so `pdo` points double the
 *   odds; offset = anchor_score - factor * ln(anchor_odds). A level's points are
 *   round(factor * beta) (the reference level 0); base = round(offset + factor * intercept).
 * - range lo hi: each attribute's lowest level gets 0 points and the rest
 *   round(factor * (beta - min beta)), with factor = (hi - lo) / (max - min of the linear
 *   predictor); base = round(lo), so scores run from about lo to about hi.
 * Either way a lead's score is base + the sum of its levels' points, and the score maps back to
 * a probability with eta = (score - offset) / factor. Fit and engagement sub-scores are the
 * sums over the attributes of each group (the base belongs to neither).
 */
#ifndef MQLCAL_POINTS_H
#define MQLCAL_POINTS_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/encode.h"
#include "mqlcal/err.h"
#include "mqlcal/model.h"

struct points_table {
    int base;
    double factor, offset;
    int use_range;
    size_t nattrs;
    int **points; /* points[a][level]; 0 for the reference, aliased and excluded levels */
    enum attr_group *group;
    int min_score, max_score; /* the lowest and highest score any lead can get */
};

/* Builds the points from the fitted coefficients. pt is the caller's (points_release). */
int points_build(const struct encoding *enc, const struct model_result *m, const struct config *cfg,
                 struct points_table *pt, struct mql_err *err);

void points_release(struct points_table *pt);

/* The score of one lead from its levels (k = nattrs codes); fills the sub-scores when not
 * NULL. */
int points_score(const struct points_table *pt, const uint16_t *codes_row, int *fit,
                 int *engagement);

/* The probability a score stands for: 1 / (1 + exp(-(score - offset) / factor)). */
double points_probability(const struct points_table *pt, double score);

#endif
