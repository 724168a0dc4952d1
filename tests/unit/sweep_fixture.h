/*
 * sweep_fixture.h: the hand scores of the 24-lead sweep fixture (tests/data/sweep/leads.csv,
 * test_sweep.c's csv_text), shared by test_sweep.c and test_audit.c: scores and fit scores of
 * L01 .. L24, written over a fit's so that every figure can be computed by hand.
 */
#ifndef MQLCAL_TEST_SWEEP_FIXTURE_H
#define MQLCAL_TEST_SWEEP_FIXTURE_H

#define NLEADS 24

static const int fx_score[NLEADS] = {15, 14, 13, 12, 11, 10, 10, 15, 15, 14, 13, 12,
                                     11, 10, 12, 14, 13, 13, 12, 11, 10, 10, 10, 15};
static const int fx_fit[NLEADS] = {8, 3, 8, 3, 5, 3, 5, 9, 5, 8, 3, 8,
                                   5, 5, 5, 5, 8, 3, 5, 8, 3, 8, 5, 8};

#endif
