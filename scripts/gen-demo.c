/*
 * gen-demo: writes a deterministic, realistic synthetic CRM lead export (CSV) whose outcome
 * follows a known logistic model, so that mqlcal's fit can be checked against the truth.
 *
 *   gen-demo [--n N] [--seed S] [--start YYYY-MM-DD] [--months M] [--drift-at YYYY-MM-DD]
 *            [--sql-at] [--as-of YYYY-MM-DD] [--export hubspot|salesforce] [--out FILE]
 *
 * The TRUE MODEL is the effect tables below (hundredths of a logit unit); datasets/README.md
 * states it and scripts/check-demo-model.R checks a generated file against it. Change one, change
 * all three.
 *
 * --drift-at D changes the true model for the leads created on or after D (to test that a model
 * change is detected): webinar signups stop predicting, and a 9th channel, partner_marketplace,
 * appears. The leads before D come out byte-identical to a run without the option; without it,
 * the output is that of the generator before the option existed.
 *
 * --sql-at adds the day each SQL became one (a last column sql_at; the deals' dates with
 * --export): creation day + LAG, LAG = 3 + floor(E) days with E exponential of mean 30 days,
 * redrawn while above 174, so LAG runs 3 to 177 days (median 23, 90th percentile 71, 95th 91,
 * mean 31.9: datasets/README.md). The lags come from a second PRNG stream, so every other
 * value is the same as without the option. --as-of D (implies --sql-at) writes the export as it
 * would be taken on D: leads created after D are left out, and an SQL whose sql_at is after D is
 * written as not (yet) an SQL, with an empty sql_at (its deal left out).
 *
 * Determinism: the same arguments give the same bytes on every machine. The generator uses its
 * own PRNG (xoshiro256** seeded by splitmix64) and its own exp() and log(), built from + - * /,
 * sqrt, floor and constant tables only, so no libm rounding difference can change a draw. That
 * needs IEEE 754 doubles evaluated without excess precision (FLT_EVAL_METHOD 0, every 64-bit
 * target) and without fused multiply-add contraction (off under -std=c11 in GCC; the pragma
 * below turns it off in clang). No expression holds two draws, since C leaves the order of
 * their evaluation unspecified.
 *
 * Exit status: 0 ok, 1 bad arguments, 3 write error.
 */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_N 1000000000ULL
#define MAX_MONTHS 1200

/* ---- PRNG ---------------------------------------------------------------------------------- */

struct rng {
    uint64_t s[4];
    int have_spare; /* the polar method makes normals in pairs */
    double spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->have_spare = 0;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1), 53 bits. */
static double rng_unif(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in (0, 1): safe to take the log of. */
static double rng_unif_pos(struct rng *r)
{
    return ((double)(rng_next(r) >> 12) + 0.5) * 0x1.0p-52;
}

/* Uniform integer in [0, n), n > 0, without modulo bias. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
    if (n <= UINT32_MAX) { /* Lemire's multiply-shift: no division in the common case */
        uint64_t m = (rng_next(r) >> 32) * n;
        if ((uint32_t)m < n) {
            uint32_t t = (uint32_t)(-(uint32_t)n) % (uint32_t)n;
            while ((uint32_t)m < t)
                m = (rng_next(r) >> 32) * n;
        }
        return m >> 32;
    }
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* a multiple of n */
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= limit);
    return x % n;
}

static int rng_bernoulli(struct rng *r, double p)
{
    return rng_unif(r) < p;
}

/* ---- deterministic exp and log ------------------------------------------------------------- */

#define LN2_HI 6.93147180369123816490e-01 /* ln 2 with 21 trailing zero bits */
#define LN2_LO 1.90821492927058770002e-10

/* 2^(j/64), j = 0..63, correctly rounded. */
static const double exp2_j64[64] = {
    0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
    0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
    0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
    0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
    0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
    0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
    0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
    0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
    0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
    0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
    0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
    0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
    0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
    0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
    0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
    0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0};

/* exp(x) = 2^(k/64) e^r with |r| <= ln 2 / 128; the degree 6 polynomial leaves < 1e-17. */
static double dexp(double x)
{
    if (x < -700.0)
        return 0.0;
    if (x > 700.0)
        x = 700.0;
    double kd = floor(x * (64.0 / 0.69314718055994530942) + 0.5);
    double r = (x - kd * (LN2_HI / 64.0)) - kd * (LN2_LO / 64.0); /* kd * LN2_HI is exact */
    double p =
        1.0 +
        r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720))))));
    long k = (long)kd;
    long j = ((k % 64) + 64) % 64;
    long e = (k - j) / 64; /* in [-1010, 1010]: 2^e is a normal double */
    uint64_t bits = (uint64_t)(e + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return exp2_j64[j] * p * scale;
}

/* log(1 + (j + 0.5) / 64), j = 0..63, correctly rounded. */
static const double log_c64[64] = {
    0x1.fe02a6b106789p-8, 0x1.7b91b07d5b11bp-6, 0x1.39e87b9febd60p-5, 0x1.b42dd711971bfp-5,
    0x1.16536eea37ae1p-4, 0x1.51b073f06183fp-4, 0x1.8c345d6319b21p-4, 0x1.c5e548f5bc743p-4,
    0x1.fec9131dbeabbp-4, 0x1.1b72ad52f67a0p-3, 0x1.371fc201e8f74p-3, 0x1.526e5e3a1b438p-3,
    0x1.6d60fe719d21dp-3, 0x1.87fa06520c911p-3, 0x1.a23bc1fe2b563p-3, 0x1.bc286742d8cd6p-3,
    0x1.d5c216b4fbb91p-3, 0x1.ef0adcbdc5936p-3, 0x1.0402594b4d041p-2, 0x1.1058bf9ae4ad5p-2,
    0x1.1c898c16999fbp-2, 0x1.2895a13de86a3p-2, 0x1.347dd9a987d55p-2, 0x1.404308686a7e4p-2,
    0x1.4be5f957778a1p-2, 0x1.5767717455a6cp-2, 0x1.62c82f2b9c795p-2, 0x1.6e08eaa2ba1e4p-2,
    0x1.792a55fdd47a2p-2, 0x1.842d1da1e8b17p-2, 0x1.8f11e873662c7p-2, 0x1.99d958117e08bp-2,
    0x1.a484090e5bb0ap-2, 0x1.af1293247786bp-2, 0x1.b9858969310fbp-2, 0x1.c3dd7a7cdad4dp-2,
    0x1.ce1af0b85f3ebp-2, 0x1.d83e7258a2f3ep-2, 0x1.e24881a7c6c26p-2, 0x1.ec399d2468cc0p-2,
    0x1.f6123fa7028acp-2, 0x1.ffd2e0857f498p-2, 0x1.04bdf9da926d2p-1, 0x1.0986f4f573521p-1,
    0x1.0e44985d1cc8cp-1, 0x1.12f719593efbcp-1, 0x1.179eabbd899a1p-1, 0x1.1c3b81f713c25p-1,
    0x1.20cdcd192ab6ep-1, 0x1.2555bce98f7cbp-1, 0x1.29d37fec2b08bp-1, 0x1.2e47436e40268p-1,
    0x1.32b1339121d71p-1, 0x1.37117b54747b6p-1, 0x1.3b68449fffc23p-1, 0x1.3fb5b84d16f42p-1,
    0x1.43f9fe2f9ce67p-1, 0x1.48353d1ea88dfp-1, 0x1.4c679afccee3ap-1, 0x1.50913cc01686bp-1,
    0x1.54b2467999498p-1, 0x1.58cadb5cd7989p-1, 0x1.5cdb1dc6c1765p-1, 0x1.60e32f44788d9p-1};

/* log(x) for a normal x > 0: x = 2^e m with m in [1, 2), m near c = 1 + (j + 0.5) / 64, and
 * log(m) = log(c) + 2 atanh(s), s = (m - c) / (m + c), |s| < 1/256: three terms leave < 1e-20. */
static double dlog(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    int j = (int)((bits >> 46) & 63);
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double m;
    memcpy(&m, &bits, sizeof m);
    double c = 1.0 + (j + 0.5) / 64.0;
    double s = (m - c) / (m + c); /* m - c is exact */
    double s2 = s * s;
    double t = 2.0 * s + 2.0 * s * s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7)));
    return ((double)e * LN2_HI + log_c64[j]) + ((double)e * LN2_LO + t);
}

static double logistic(double eta)
{
    return 1.0 / (1.0 + dexp(-eta));
}

/* ---- distributions ------------------------------------------------------------------------- */

/* Standard normal, Marsaglia's polar method. */
static double rng_normal(struct rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_unif(r) - 1.0;
        v = 2.0 * rng_unif(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * dlog(s) / s);
    r->spare = v * m;
    r->have_spare = 1;
    return u * m;
}

/* Gamma(shape a, scale 1), Marsaglia and Tsang; shapes below 1 by the boost U^(1/a). */
static double rng_gamma(struct rng *r, double a)
{
    double boost = 1.0;
    if (a < 1.0) {
        boost = dexp(dlog(rng_unif_pos(r)) / a);
        a += 1.0;
    }
    double d = a - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = rng_unif_pos(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || dlog(u) < 0.5 * x2 + d * (1.0 - v + dlog(v)))
            return boost * d * v;
    }
}

/* Poisson by multiplying uniforms (Knuth), in slices of mean 16 so that exp(-mean) stays far
 * from underflow; means are capped at 400, far beyond anything the generator asks for. */
static unsigned rng_poisson(struct rng *r, double mean)
{
    unsigned k = 0;
    if (mean > 400.0)
        mean = 400.0;
    while (mean > 0.0) {
        double slice = mean > 16.0 ? 16.0 : mean;
        double limit = dexp(-slice);
        double p = rng_unif(r);
        while (p >= limit) {
            k++;
            p *= rng_unif(r);
        }
        mean -= slice;
    }
    return k;
}

/* Negative binomial as a Poisson-gamma mixture: mean m, variance m + m^2 / shape. */
static unsigned rng_negbin(struct rng *r, double mean, double shape)
{
    double g = rng_gamma(r, shape) / shape;
    return rng_poisson(r, mean * g);
}

/* Index drawn from integer weights (w[i] >= 0, total > 0). */
static int rng_pick(struct rng *r, const unsigned *w, int n)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    uint64_t x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1; /* not reached */
}

/* ---- the attributes and the TRUE MODEL ----------------------------------------------------- */

/* Effects are in hundredths of a logit unit, relative to each attribute's reference level (the
 * level with effect 0). A missing value is a level of its own with its own effect. */
#define INTERCEPT (-230)

enum {
    CH_PAID_SEARCH,
    CH_ORGANIC_SEARCH,
    CH_PAID_SOCIAL,
    CH_WEBINAR,
    CH_EVENTS,
    CH_REFERRAL,
    CH_CONTENT_SYNDICATION,
    CH_OUTBOUND,
    CH_PARTNER_MARKETPLACE, /* exists only from the --drift-at date on */
    N_CHANNEL_ALL
};
/* The channels drawn before the drift date (and always without --drift-at): the first 8. */
enum { N_CHANNEL = CH_PARTNER_MARKETPLACE };
static const char *const channel_name[N_CHANNEL_ALL] = {
    "paid_search",         "organic_search", "paid_social",        "webinar", "events", "referral",
    "content_syndication", "outbound",       "partner_marketplace"};
/* Before the drift only the first N_CHANNEL weights are drawn; from it on all N_CHANNEL_ALL, so
 * partner_marketplace gets 150 / 1150 = 13 % of the leads. */
static const unsigned channel_w[N_CHANNEL_ALL] = {230, 200, 140, 90, 60, 60, 120, 100, 150};
static const int channel_eff[N_CHANNEL_ALL] = {0, 20, -60, 30, 50, 80, -80, -20, 40};

/* How each channel's leads engage: mean pricing views, guide downloads, webinar signups (for
 * channels other than webinar), email clicks and site visits, and a shift in the log-odds of a
 * demo request. These shape the covariates only; the outcome sees them through the bins. */
static const struct {
    double pricing, guides, webinars, clicks, visits, demo;
} channel_engage[N_CHANNEL_ALL] = {
    {1.00, 0.60, 0.12, 0.8, 4.0, 0.3},  /* paid_search */
    {0.80, 1.00, 0.12, 0.8, 4.5, 0.0},  /* organic_search */
    {0.40, 0.80, 0.08, 0.5, 2.0, -0.5}, /* paid_social */
    {0.60, 0.70, 0.00, 1.5, 2.5, 0.0},  /* webinar: signups drawn apart */
    {0.50, 0.40, 0.10, 1.2, 1.5, 0.2},  /* events */
    {1.20, 0.50, 0.12, 0.8, 3.5, 0.5},  /* referral */
    {0.30, 0.90, 0.08, 0.6, 1.5, -0.8}, /* content_syndication: plus the syndicated download */
    {0.40, 0.30, 0.08, 1.6, 1.2, -0.3}, /* outbound */
    {1.00, 0.60, 0.12, 0.8, 4.0, 0.3},  /* partner_marketplace: as paid_search */
};

enum { JOB_C_LEVEL, JOB_VP, JOB_DIRECTOR, JOB_MANAGER, JOB_IC, JOB_STUDENT, N_JOB };
static const char *const job_name[N_JOB] = {
    "c_level", "vp", "director", "manager", "individual_contributor", "student"};
static const int job_eff[N_JOB] = {60, 80, 70, 0, -40, -200};
#define JOB_MISSING_EFF (-50)
/* Job level mix by channel family: search and webinars; events, referrals and outbound reach
 * senior people; social, organic and syndicated content reach students. */
static const unsigned job_w_default[N_JOB] = {40, 70, 140, 260, 380, 110};
static const unsigned job_w_senior[N_JOB] = {70, 110, 200, 300, 300, 20};
static const unsigned job_w_broad[N_JOB] = {30, 50, 110, 230, 400, 180};

enum { SZ_1_10, SZ_11_50, SZ_51_200, SZ_201_1000, SZ_1001_5000, SZ_5000_PLUS, N_SIZE };
static const char *const size_name[N_SIZE] = {"1-10",     "11-50",     "51-200",
                                              "201-1000", "1001-5000", "5000+"};
static const int size_eff[N_SIZE] = {-80, -30, 0, 30, 50, 40};
#define SIZE_MISSING_EFF (-30)
static const unsigned size_w_default[N_SIZE] = {120, 200, 250, 210, 130, 90};
static const unsigned size_w_c_level[N_SIZE] = {360, 300, 200, 100, 30, 10};
static const unsigned size_w_student[N_SIZE] = {500, 200, 120, 80, 50, 50};

enum {
    IND_SOFTWARE,
    IND_FINANCIAL,
    IND_HEALTHCARE,
    IND_MANUFACTURING,
    IND_RETAIL,
    IND_EDUCATION,
    IND_PUBLIC,
    IND_OTHER,
    IND_AGRICULTURE,
    IND_MINING,
    N_IND
};
static const char *const ind_name[N_IND] = {
    "software",  "financial_services", "healthcare", "manufacturing", "retail",
    "education", "public_sector",      "other",      "agriculture",   "mining"};
/* The two rare levels share the effect of "other", so pooling them into it is exact. */
static const int ind_eff[N_IND] = {0, 30, 10, -10, -30, -50, -40, -30, -30, -30};
#define IND_MISSING_EFF (-20)
/* Per 100,000: agriculture and mining come out near 20 and 15 leads in 50,000. */
static const unsigned ind_w_default[N_IND] = {28000, 12000, 10000, 12000, 9000,
                                              6000,  6000,  16930, 40,    30};
static const unsigned ind_w_student[N_IND] = {10000, 1000, 3000, 500, 500, 70000, 0, 14930, 40, 30};

enum { N_COUNTRY = 12 };
static const char *const country_name[N_COUNTRY] = {"US", "GB", "DE", "FR", "CA", "AU",
                                                    "NL", "IN", "BR", "ES", "SE", "JP"};
static const unsigned country_w[N_COUNTRY] = {415, 110, 90, 70, 65, 55, 45, 40, 35, 30, 25, 20};
static const int country_eff[N_COUNTRY] = {0, -10, -20, -30, 0, -10, -10, -80, -60, -40, 0, -50};
#define COUNTRY_MISSING_EFF (-40)

enum { EM_BUSINESS, EM_FREE, EM_EDU, N_EMAIL };
static const char *const email_name[N_EMAIL] = {"business", "free", "edu"};
static const int email_eff[N_EMAIL] = {0, -70, -150};
static const unsigned email_w_default[N_EMAIL] = {720, 270, 10};
static const unsigned email_w_education[N_EMAIL] = {600, 150, 250};
static const unsigned email_w_student[N_EMAIL] = {50, 250, 700};

/* Engagement bins: pricing_page_views 0 / 1 / 2-3 / 4+, guide_downloads 0 / 1 / 2+,
 * webinar_signups 0 / 1+, email_clicks 0 / 1-2 / 3+, demo_request 0 / 1. site_visits and
 * time_on_site have no effect at all. */
static const int pricing_eff[4] = {0, 60, 110, 160};
static const int guides_eff[3] = {0, 20, 40};
static const int webinar_eff[2] = {0, 50};
/* From the --drift-at date on, webinar signups no longer predict anything. */
static const int webinar_eff_drifted[2] = {0, 0};
static const int clicks_eff[3] = {0, 30, 60};
static const int demo_eff[2] = {0, 200};

/* Probabilities that a value is missing from the export. */
#define P_JOB_MISSING 0.04
#define P_SIZE_MISSING 0.03
#define P_IND_MISSING 0.02
#define P_COUNTRY_MISSING 0.01
#define P_TOS_MISSING 0.02

enum {
    FB_NONE,
    FB_ACCEPTED,
    FB_NO_BUDGET,
    FB_NO_BUDGET_TIMELINE,
    FB_NOT_DECISION_MAKER,
    FB_STUDENT,
    FB_COMPETITOR,
    FB_BAD_CONTACT,
    N_FEEDBACK
};
static const char *const feedback_name[N_FEEDBACK] = {"",
                                                      "accepted",
                                                      "rejected: no budget",
                                                      "rejected: no budget, no timeline",
                                                      "rejected: not decision maker",
                                                      "rejected: student",
                                                      "rejected: competitor",
                                                      "rejected: bad contact data"};

/* One lead. Observed categorical values are -1 when missing; the true job level and company
 * size stay known because sales learn them on the call. */
struct lead {
    int channel, job, job_true, size, size_true, industry, country, email;
    unsigned pricing, guides, webinars, clicks, visits, demo;
    long time_on_site; /* -1 when missing */
    int sql, feedback;
    int drifted; /* created on or after the --drift-at date: the drifted true model applies */
};

static int bin_pricing(unsigned v)
{
    return v == 0 ? 0 : v == 1 ? 1 : v <= 3 ? 2 : 3;
}

static int bin_guides(unsigned v)
{
    return v >= 2 ? 2 : (int)v;
}

static int bin_clicks(unsigned v)
{
    return v == 0 ? 0 : v <= 2 ? 1 : 2;
}

/* The TRUE MODEL's linear predictor, in hundredths. */
static int true_logit(const struct lead *l)
{
    int eta = INTERCEPT;
    eta += channel_eff[l->channel];
    eta += l->job < 0 ? JOB_MISSING_EFF : job_eff[l->job];
    eta += l->size < 0 ? SIZE_MISSING_EFF : size_eff[l->size];
    eta += l->industry < 0 ? IND_MISSING_EFF : ind_eff[l->industry];
    eta += l->country < 0 ? COUNTRY_MISSING_EFF : country_eff[l->country];
    eta += email_eff[l->email];
    eta += pricing_eff[bin_pricing(l->pricing)];
    eta += guides_eff[bin_guides(l->guides)];
    eta += (l->drifted ? webinar_eff_drifted : webinar_eff)[l->webinars > 0];
    eta += clicks_eff[bin_clicks(l->clicks)];
    eta += demo_eff[l->demo];
    return eta;
}

static void gen_attributes(struct rng *r, struct lead *l)
{
    /* partner_marketplace (job mix: the default one) exists only from the drift date on. */
    l->channel = rng_pick(r, channel_w, l->drifted ? N_CHANNEL_ALL : N_CHANNEL);

    const unsigned *jw = job_w_default;
    if (l->channel == CH_EVENTS || l->channel == CH_REFERRAL || l->channel == CH_OUTBOUND)
        jw = job_w_senior;
    else if (l->channel == CH_ORGANIC_SEARCH || l->channel == CH_PAID_SOCIAL ||
             l->channel == CH_CONTENT_SYNDICATION)
        jw = job_w_broad;
    l->job_true = rng_pick(r, jw, N_JOB);
    l->job = rng_bernoulli(r, P_JOB_MISSING) ? -1 : l->job_true;

    const unsigned *sw = l->job_true == JOB_C_LEVEL   ? size_w_c_level
                         : l->job_true == JOB_STUDENT ? size_w_student
                                                      : size_w_default;
    l->size_true = rng_pick(r, sw, N_SIZE);
    l->size = rng_bernoulli(r, P_SIZE_MISSING) ? -1 : l->size_true;

    l->industry = rng_pick(r, l->job_true == JOB_STUDENT ? ind_w_student : ind_w_default, N_IND);
    int ind_true = l->industry;
    if (rng_bernoulli(r, P_IND_MISSING))
        l->industry = -1;

    l->country = rng_pick(r, country_w, N_COUNTRY);
    if (rng_bernoulli(r, P_COUNTRY_MISSING))
        l->country = -1;

    const unsigned *ew = l->job_true == JOB_STUDENT  ? email_w_student
                         : ind_true == IND_EDUCATION ? email_w_education
                                                     : email_w_default;
    l->email = rng_pick(r, ew, N_EMAIL);
}

/* Engagement follows a latent interest z ~ N(0, 1) shared by every count, so the counts are
 * correlated with one another (site_visits and time_on_site too, though they have no effect). */
static void gen_engagement(struct rng *r, struct lead *l)
{
    double z = rng_normal(r);
    double ez = dexp(0.5 * z);
    int student = l->job_true == JOB_STUDENT;

    l->pricing =
        rng_negbin(r, channel_engage[l->channel].pricing * ez * (student ? 0.5 : 1.0), 0.8);
    l->guides = rng_negbin(r, channel_engage[l->channel].guides * ez * (student ? 1.6 : 1.0), 0.7);
    if (l->channel == CH_CONTENT_SYNDICATION && rng_bernoulli(r, 0.85))
        l->guides++;
    if (l->channel == CH_WEBINAR)
        l->webinars = 1 + rng_poisson(r, 0.3 * ez);
    else
        l->webinars = rng_negbin(r, channel_engage[l->channel].webinars * ez, 0.5);
    l->clicks = rng_negbin(r, channel_engage[l->channel].clicks * ez, 0.6);
    l->visits = rng_negbin(r, channel_engage[l->channel].visits * ez, 1.2);
    l->visits += (l->pricing > 0) + (l->guides > 0); /* those happen on the site */

    /* time on site: per-visit seconds log-normal (median about 70 s), so the total has a long
     * tail; capped at a day. */
    double per_visit = dexp(4.25 + 0.2 * z + 1.0 * rng_normal(r));
    double tos = (double)l->visits * per_visit;
    if (tos > 86400.0)
        tos = 86400.0;
    l->time_on_site = (long)(tos + 0.5);
    if (rng_bernoulli(r, P_TOS_MISSING))
        l->time_on_site = -1;

    double demo_eta = -3.6 + 1.0 * z + channel_engage[l->channel].demo +
                      0.3 * (double)(l->pricing > 4 ? 4 : l->pricing) - (student ? 1.5 : 0.0);
    l->demo = (unsigned)rng_bernoulli(r, logistic(demo_eta));
}

/* Sales look at every SQL and at some of the rest, more often at hot-looking leads; the reason
 * they give depends on what they learned on the call. */
static void gen_feedback(struct rng *r, struct lead *l)
{
    if (l->sql) {
        l->feedback = FB_ACCEPTED;
        return;
    }
    double p_look = l->demo ? 0.85 : 0.25;
    if (l->pricing >= 2)
        p_look += 0.15;
    if (l->channel == CH_OUTBOUND)
        p_look += 0.10;
    if (!rng_bernoulli(r, p_look)) {
        l->feedback = FB_NONE;
        return;
    }
    unsigned w[N_FEEDBACK] = {0};
    if (l->job_true == JOB_STUDENT) {
        w[FB_STUDENT] = 90;
        w[FB_BAD_CONTACT] = 10;
    } else {
        w[FB_NO_BUDGET] = l->size_true == SZ_1_10 ? 45 : l->size_true == SZ_11_50 ? 35 : 20;
        static const unsigned ndm[N_JOB] = {2, 4, 8, 25, 45, 0};
        w[FB_NOT_DECISION_MAKER] = ndm[l->job_true];
        w[FB_STUDENT] = l->email == EM_EDU ? 25 : 1;
        w[FB_COMPETITOR] = l->industry == IND_SOFTWARE ? 12 : 5;
        w[FB_BAD_CONTACT] =
            (l->email == EM_FREE ? 20 : 8) + (l->country < 0 ? 25 : 0) + (l->job < 0 ? 25 : 0);
    }
    l->feedback = rng_pick(r, w, N_FEEDBACK);
    if (l->feedback == FB_NO_BUDGET && rng_bernoulli(r, 0.3))
        l->feedback = FB_NO_BUDGET_TIMELINE;
}

static void gen_lead(struct rng *r, struct lead *l, int drifted)
{
    l->drifted = drifted;
    gen_attributes(r, l);
    gen_engagement(r, l);
    l->sql = rng_bernoulli(r, logistic((double)true_logit(l) / 100.0));
    gen_feedback(r, l);
}

/* ---- calendar ------------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); d may run past
 * the month's end. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Relative lead volume of a day, as an integer: weekday x month x season x growth. */
static uint64_t day_weight(long day, long index)
{
    static const unsigned weekday_w[7] = {18, 115, 120, 120, 115, 95, 20}; /* Sunday first */
    static const unsigned month_w[12] = {95, 100, 110, 100, 100, 105, 90, 62, 105, 110, 105, 90};
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    unsigned wd = weekday_w[((day % 7) + 11) % 7]; /* 1970-01-01 was a Thursday */
    unsigned season = 100;
    if ((m == 12 && d >= 20) || (m == 1 && d == 1))
        season = 30; /* holidays */
    else if ((m == 3 || m == 6 || m == 9) && d >= 21)
        season = 130; /* quarter-end push */
    else if (m == 12 && d >= 8)
        season = 125; /* the push comes before the holidays in Q4 */
    uint64_t growth = 1000 + (uint64_t)index * 150 / 365; /* +15 % a year */
    return (uint64_t)wd * month_w[m - 1] * season * growth;
}

/* ---- output -------------------------------------------------------------------------------- */

#define OUT_CAP (1 << 16)

struct out {
    FILE *f;
    size_t len;
    int failed;
    char buf[OUT_CAP];
};

static void out_flush(struct out *o)
{
    if (o->len && !o->failed && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

/* Room for one row; every row is far shorter than 1 KiB. */
static void out_reserve(struct out *o)
{
    if (o->len > OUT_CAP - 1024)
        out_flush(o);
}

static void out_char(struct out *o, char c)
{
    o->buf[o->len++] = c;
}

static void out_str(struct out *o, const char *s)
{
    size_t n = strlen(s);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* An RFC 4180 field: quoted, with quotes doubled, when it holds a comma, quote or line break. */
static void out_field(struct out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        out_str(o, s);
        return;
    }
    out_char(o, '"');
    for (; *s; s++) {
        if (*s == '"')
            out_char(o, '"');
        out_char(o, *s);
    }
    out_char(o, '"');
}

static void out_uint(struct out *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        out_char(o, tmp[--n]);
}

/* ",pricing,guides,webinars,clicks,visits,time_on_site,demo," : the engagement columns, the same
 * in every export shape. */
static void out_engagement(struct out *o, const struct lead *l)
{
    const unsigned counts[] = {l->pricing, l->guides, l->webinars, l->clicks, l->visits};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        out_char(o, ',');
        out_uint(o, counts[i], 1);
    }
    out_char(o, ',');
    if (l->time_on_site >= 0)
        out_uint(o, (uint64_t)l->time_on_site, 1);
    out_char(o, ',');
    out_uint(o, l->demo, 1);
    out_char(o, ',');
}

/* Level names are plain tokens; only the sales feedback texts can need quoting. */
/* 3 to 177 days: 3 + floor(E), E exponential of mean 30, redrawn while above 174 */
static long sql_lag(struct rng *r)
{
    for (;;) {
        double e = -30.0 * dlog(rng_unif(r));
        if (e < 175.0)
            return 3 + (long)e;
    }
}

static void out_lead(struct out *o, uint64_t id, int id_width, const char *date,
                     const struct lead *l, int with_sql_at, long sql_day)
{
    out_reserve(o);
    out_char(o, 'L');
    out_uint(o, id, id_width);
    out_char(o, ',');
    out_str(o, date);
    out_char(o, ',');
    out_str(o, channel_name[l->channel]);
    out_char(o, ',');
    if (l->job >= 0)
        out_str(o, job_name[l->job]);
    out_char(o, ',');
    out_str(o, l->size >= 0 ? size_name[l->size] : "NA");
    out_char(o, ',');
    out_str(o, l->industry >= 0 ? ind_name[l->industry] : "Select");
    out_char(o, ',');
    if (l->country >= 0)
        out_str(o, country_name[l->country]);
    out_char(o, ',');
    out_str(o, email_name[l->email]);
    out_engagement(o, l);
    out_field(o, feedback_name[l->feedback]);
    out_char(o, ',');
    out_char(o, l->sql ? '1' : '0');
    if (with_sql_at) {
        out_char(o, ',');
        if (sql_day >= 0) {
            int y, m, d;
            char b[16];
            civil_from_days(sql_day, &y, &m, &d);
            snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, d);
            out_str(o, b);
        }
    }
    out_char(o, '\n');
}

/* ---- CRM export shapes (--export) ----------------------------------------------------------- */

/* The same leads as a CRM would export them: spaced column names, the system's date format, the
 * outcome as a lifecycle stage (HubSpot) or a Converted flag (Salesforce), company size and
 * industry in a companies / accounts table keyed by an id on the lead, and a deals /
 * opportunities file with one deal per SQL, some still open. Nothing here draws from the PRNG:
 * the leads are those of the plain file, byte for byte the same draws. */
enum export_kind { EXPORT_NONE, EXPORT_HUBSPOT, EXPORT_SALESFORCE };

/* The company of a lead: one per (size, industry) pair, missing ones included. */
static unsigned company_of(const struct lead *l)
{
    return 1001 + (unsigned)(l->size + 1) * (N_IND + 1) + (unsigned)(l->industry + 1);
}

static void out_date_export(struct out *o, enum export_kind k, long day, uint64_t id)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    unsigned hour = 8 + (unsigned)(id % 10), minute = (unsigned)(id * 7 % 60);
    char buf[40];
    if (k == EXPORT_HUBSPOT)
        snprintf(buf, sizeof buf, "%04d-%02d-%02d %02u:%02u", y, m, d, hour, minute);
    else
        snprintf(buf, sizeof buf, "%d/%d/%04d %u:%02u %s", m, d, y, hour > 12 ? hour - 12 : hour,
                 minute, hour >= 12 ? "PM" : "AM");
    out_str(o, buf);
}

static void out_lead_export(struct out *o, enum export_kind k, uint64_t id, long day,
                            const struct lead *l)
{
    static const char *const hs_pos[3] = {"salesqualifiedlead", "opportunity", "customer"};
    static const char *const hs_neg[3] = {"subscriber", "lead", "marketingqualifiedlead"};
    out_reserve(o);
    char idb[32];
    if (k == EXPORT_HUBSPOT)
        snprintf(idb, sizeof idb, "%llu", 100000000ULL + (unsigned long long)id);
    else
        snprintf(idb, sizeof idb, "00Q%012llu", (unsigned long long)id);
    out_str(o, idb);
    out_char(o, ',');
    out_date_export(o, k, day, id);
    out_char(o, ',');
    out_str(o, channel_name[l->channel]);
    out_char(o, ',');
    if (l->job >= 0)
        out_str(o, job_name[l->job]);
    out_char(o, ',');
    out_uint(o, company_of(l), 1);
    out_char(o, ',');
    if (l->country >= 0)
        out_str(o, country_name[l->country]);
    out_char(o, ',');
    out_str(o, email_name[l->email]);
    out_engagement(o, l);
    if (l->feedback != FB_NONE)
        out_field(o, feedback_name[l->feedback]);
    out_char(o, ',');
    if (k == EXPORT_HUBSPOT)
        out_str(o, l->sql ? hs_pos[id % 3] : hs_neg[id % 3]);
    else
        out_str(o, l->sql ? "true" : "false");
    out_char(o, '\n');
}

/* One deal per SQL, created 0-29 days after the lead (on its SQL day with --sql-at: sql_day >=
 * 0); every 4th still open. */
static void out_deal(struct out *o, enum export_kind k, uint64_t id, long day, long sql_day)
{
    out_reserve(o);
    char b[64];
    snprintf(b, sizeof b, k == EXPORT_HUBSPOT ? "%llu," : "006%012llu,",
             (k == EXPORT_HUBSPOT ? 500000000ULL : 0) + (unsigned long long)id);
    out_str(o, b);
    if (k == EXPORT_HUBSPOT)
        snprintf(b, sizeof b, "%llu,", 100000000ULL + (unsigned long long)id);
    else
        snprintf(b, sizeof b, "00Q%012llu,", (unsigned long long)id);
    out_str(o, b);
    static const char *const hs[4] = {"appointmentscheduled", "closedwon", "closedlost",
                                      "closedwon"};
    static const char *const sf[4] = {"Prospecting", "Closed Won", "Closed Lost", "Closed Won"};
    out_str(o, (k == EXPORT_HUBSPOT ? hs : sf)[id % 4]);
    out_char(o, ',');
    out_date_export(o, k, sql_day >= 0 ? sql_day : day + (long)(id % 30), id);
    out_char(o, '\n');
}

static int write_companies(enum export_kind k, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(k == EXPORT_HUBSPOT ? "Company ID,Company Size,Industry,Company Domain Name\n"
                              : "Account ID,Employees,Industry,Website\n",
          f);
    for (int sz = -1; sz < N_SIZE; sz++)
        for (int ind = -1; ind < N_IND; ind++) {
            struct lead l;
            memset(&l, 0, sizeof l);
            l.size = sz;
            l.industry = ind;
            fprintf(f, "%u,%s,%s,company%u.example\n", company_of(&l), sz >= 0 ? size_name[sz] : "",
                    ind >= 0 ? ind_name[ind] : "", company_of(&l));
        }
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- main ---------------------------------------------------------------------------------- */

struct args {
    uint64_t n, seed;
    long start, end; /* days since 1970-01-01; end is the first day after the period */
    long drift;      /* first day of the drifted true model; LONG_MAX without --drift-at */
    int sql_at;      /* --sql-at (or --as-of): write the SQL days */
    long as_of;      /* --as-of: the export's day; LONG_MAX without */
    int months;
    const char *out;
    enum export_kind export;
};

static void usage(FILE *f)
{
    fputs("usage: gen-demo [--n N] [--seed S] [--start YYYY-MM-DD] [--months M]\n"
          "                [--drift-at YYYY-MM-DD] [--sql-at] [--as-of YYYY-MM-DD]\n"
          "                [--export hubspot|salesforce] [--out FILE]\n"
          "\n"
          "Writes a synthetic CRM lead export (CSV) whose became_sql outcome follows the true\n"
          "model documented in datasets/README.md. The same arguments give the same bytes.\n"
          "\n"
          "  --n N        number of leads (default 50000, at most 1000000000)\n"
          "  --seed S     PRNG seed, 0 to 18446744073709551615 (default 20261126)\n"
          "  --start D    first creation date (default 2024-10-01)\n"
          "  --months M   months of creation dates, 1 to 1200 (default 24)\n"
          "  --drift-at D change the true model for leads created on or after D: webinar\n"
          "               signups stop predicting and a new channel, partner_marketplace\n"
          "               (13 % of those leads), appears; leads before D are unchanged.\n"
          "               A D on or before --start drifts every lead; one after the\n"
          "               period, none.\n"
          "  --sql-at     add sql_at, the day each SQL became one: 3 to 177 days after\n"
          "               creation (3 + an exponential of mean 30 days, below 177)\n"
          "  --as-of D    the export as taken on D (implies --sql-at): no lead created after\n"
          "               D, and an SQL after D is not an SQL yet (empty sql_at)\n"
          "  --out FILE   write FILE (through FILE.tmp and a rename) instead of stdout\n"
          "  --export K   write the leads as a CRM exports them, K = hubspot or salesforce:\n"
          "               FILE holds the contacts (hubspot) or leads (salesforce) with\n"
          "               spaced names, the system's dates and its outcome field; beside it\n"
          "               companies.csv / accounts.csv (size, industry) and deals.csv /\n"
          "               opportunities.csv (one deal per SQL, every 4th open). Needs --out.\n",
          f);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x > max)
        return -1;
    *v = x;
    return 0;
}

static int parse_date(const char *s, long *day)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return -1;
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return -1;
    *day = days_from_civil(y, m, d);
    return 0;
}

/* Returns 0, 1 for a usage error (after printing it) or 2 for --help. */
static int parse_args(int argc, char **argv, struct args *a)
{
    a->n = 50000;
    a->seed = 20261126;
    a->start = days_from_civil(2024, 10, 1);
    a->months = 24;
    a->drift = LONG_MAX;
    a->sql_at = 0;
    a->as_of = LONG_MAX;
    a->out = NULL;
    a->export = EXPORT_NONE;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
            return 2;
        if (!strcmp(opt, "--sql-at")) {
            a->sql_at = 1;
            continue;
        }
        const char *val = NULL;
        const char *eq = strchr(opt, '=');
        size_t optlen = eq ? (size_t)(eq - opt) : strlen(opt);
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[i + 1];
        static const char *const known[] = {"--n",   "--seed",     "--start",  "--months",
                                            "--out", "--drift-at", "--export", "--as-of"};
        int which = -1;
        for (int k = 0; k < (int)(sizeof known / sizeof known[0]); k++)
            if (strlen(known[k]) == optlen && !strncmp(opt, known[k], optlen))
                which = k;
        if (which < 0) {
            fprintf(stderr, "gen-demo: unknown argument '%s'\n", opt);
            goto bad;
        }
        if (!val) {
            fprintf(stderr, "gen-demo: option '%s' needs a value\n", opt);
            goto bad;
        }
        if (!eq)
            i++;
        uint64_t v;
        switch (which) {
        case 0:
            if (parse_u64(val, MAX_N, &a->n)) {
                fprintf(stderr, "gen-demo: --n: expected 0 to %llu, got '%s'\n",
                        (unsigned long long)MAX_N, val);
                goto bad;
            }
            break;
        case 1:
            if (parse_u64(val, UINT64_MAX, &a->seed)) {
                fprintf(stderr, "gen-demo: --seed: expected an unsigned 64-bit integer, got '%s'\n",
                        val);
                goto bad;
            }
            break;
        case 2:
            if (parse_date(val, &a->start)) {
                fprintf(stderr, "gen-demo: --start: expected a date YYYY-MM-DD, got '%s'\n", val);
                goto bad;
            }
            break;
        case 3:
            if (parse_u64(val, MAX_MONTHS, &v) || v == 0) {
                fprintf(stderr, "gen-demo: --months: expected 1 to %d, got '%s'\n", MAX_MONTHS,
                        val);
                goto bad;
            }
            a->months = (int)v;
            break;
        case 6:
            if (strcmp(val, "hubspot") == 0)
                a->export = EXPORT_HUBSPOT;
            else if (strcmp(val, "salesforce") == 0)
                a->export = EXPORT_SALESFORCE;
            else {
                fprintf(stderr, "gen-demo: --export: expected hubspot or salesforce, got '%s'\n",
                        val);
                goto bad;
            }
            break;
        case 7:
            if (parse_date(val, &a->as_of)) {
                fprintf(stderr, "gen-demo: --as-of: expected a date YYYY-MM-DD, got '%s'\n", val);
                goto bad;
            }
            a->sql_at = 1;
            break;
        case 5:
            if (parse_date(val, &a->drift)) {
                fprintf(stderr, "gen-demo: --drift-at: expected a date YYYY-MM-DD, got '%s'\n",
                        val);
                goto bad;
            }
            break;
        default:
            if (!*val) {
                fprintf(stderr, "gen-demo: --out: empty file name\n");
                goto bad;
            }
            a->out = val;
            break;
        }
    }
    int y, m, d;
    civil_from_days(a->start, &y, &m, &d);
    long month_index = (long)(m - 1) + a->months; /* of the end, counted from January of y */
    a->end = days_from_civil(y + month_index / 12, month_index % 12 + 1, d);
    if (a->export != EXPORT_NONE && !a->out) {
        fprintf(stderr, "gen-demo: --export writes several files: give --out FILE\n");
        goto bad;
    }
    if (a->end > days_from_civil(10000, 1, 1)) {
        fprintf(stderr, "gen-demo: --start and --months run past the year 9999\n");
        goto bad;
    }
    return 0;
bad:
    fprintf(stderr, "try 'gen-demo --help'\n");
    return 1;
}

/* Writes the whole file to f (and the deals to df with --export); returns 0 or -1 on a write
 * error. */
static int generate(const struct args *a, FILE *f, FILE *df)
{
    int rc = -1;
    struct out *o = NULL, *dout = NULL;
    uint64_t *cum = NULL;
    uint32_t *per_day = NULL;

    size_t ndays = (size_t)(a->end - a->start);

    o = malloc(sizeof *o);
    cum = malloc(ndays * sizeof *cum);
    per_day = calloc(ndays, sizeof *per_day);
    if (!o || !cum || !per_day) {
        fprintf(stderr, "gen-demo: out of memory\n");
        goto out;
    }
    o->f = f;
    o->len = 0;
    o->failed = 0;

    struct rng r, lag;
    rng_seed(&r, a->seed);
    rng_seed(&lag, a->seed ^ 0x6c61675f73716cULL); /* "lag_sql": the SQL days' own stream */

    /* Creation dates first: each lead's day drawn from the day weights, counted per day, so the
     * leads can then be made in date order without sorting. */
    uint64_t total = 0;
    for (size_t i = 0; i < ndays; i++) {
        total += day_weight(a->start + (long)i, (long)i);
        cum[i] = total;
    }
    for (uint64_t k = 0; k < a->n; k++) {
        uint64_t x = rng_below(&r, total);
        size_t lo = 0, hi = ndays - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cum[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        per_day[lo]++;
    }

    int id_width = 7;
    for (uint64_t lim = 9999999; a->n > lim && id_width < 19; lim = lim * 10 + 9)
        id_width++;

    if (a->export == EXPORT_HUBSPOT)
        out_str(o, "Record ID,Create Date,Original Source,Job Level,Associated Company ID,"
                   "Country/Region,Email Type,Pricing Page Views,Guide Downloads,Webinar Signups,"
                   "Email Clicks,Number of Sessions,Time on Site,Demo Request,Sales Feedback,"
                   "Lifecycle Stage\n");
    else if (a->export == EXPORT_SALESFORCE)
        out_str(o, "Lead ID,Created Date,Lead Source,Job Level,Account ID,Country,Email Type,"
                   "Pricing Page Views,Guide Downloads,Webinar Signups,Email Clicks,Site Visits,"
                   "Time on Site,Demo Request,Sales Feedback,Converted\n");
    else
        out_str(o, a->sql_at ? "lead_id,created_at,channel,job_level,company_size,industry,country,"
                               "email_type,pricing_page_views,guide_downloads,webinar_signups,"
                               "email_clicks,site_visits,time_on_site,demo_request,sales_feedback,"
                               "became_sql,sql_at\n"
                             : "lead_id,created_at,channel,job_level,company_size,industry,country,"
                               "email_type,pricing_page_views,guide_downloads,webinar_signups,"
                               "email_clicks,site_visits,time_on_site,demo_request,sales_feedback,"
                               "became_sql\n");
    if (df) {
        if (!(dout = malloc(sizeof *dout)))
            goto out;
        dout->f = df;
        dout->len = 0;
        dout->failed = 0;
        out_str(dout, a->export == EXPORT_HUBSPOT
                          ? "Deal ID,Associated Contact ID,Deal Stage,Create Date\n"
                          : "Opportunity ID,Converted Lead ID,Stage,Created Date\n");
    }
    uint64_t id = 0;
    for (size_t i = 0; i < ndays; i++) {
        if (!per_day[i])
            continue;
        char date[16];
        int y, m, d;
        civil_from_days(a->start + (long)i, &y, &m, &d);
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
        int drifted = a->start + (long)i >= a->drift;
        long today = a->start + (long)i;
        for (uint32_t k = 0; k < per_day[i]; k++) {
            struct lead l;
            gen_lead(&r, &l, drifted);
            ++id;
            long sql_day = -1;
            if (a->sql_at && l.sql) {
                sql_day = today + sql_lag(&lag);
                if (sql_day > a->as_of) { /* not an SQL yet on the export's day */
                    l.sql = 0;
                    sql_day = -1;
                }
            }
            if (today > a->as_of)
                continue;
            if (a->export == EXPORT_NONE) {
                out_lead(o, id, id_width, date, &l, a->sql_at, sql_day);
                continue;
            }
            out_lead_export(o, a->export, id, today, &l);
            if (l.sql && dout)
                out_deal(dout, a->export, id, today, sql_day);
        }
    }
    out_flush(o);
    if (dout) {
        out_flush(dout);
        if (dout->failed || fflush(df) != 0 || ferror(df))
            goto out;
    }
    if (o->failed || fflush(f) != 0 || ferror(f))
        goto out;
    rc = 0;
out:
    free(dout);
    free(per_day);
    free(cum);
    free(o);
    return rc;
}

int main(int argc, char **argv)
{
    struct args a;
    int prc = parse_args(argc, argv, &a);
    if (prc == 2) {
        usage(stdout);
        return 0;
    }
    if (prc)
        return 1;

    if (!a.out) {
        if (generate(&a, stdout, NULL)) {
            fprintf(stderr, "gen-demo: writing to stdout failed: %s\n", strerror(errno));
            return 3;
        }
        return 0;
    }

    size_t plen = strlen(a.out);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        fprintf(stderr, "gen-demo: out of memory\n");
        return 3;
    }
    memcpy(tmp, a.out, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int rc = 3;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "gen-demo: cannot create '%s': %s\n", tmp, strerror(errno));
        goto out;
    }
    /* --export: the side files go beside FILE */
    FILE *df = NULL;
    char *side = NULL;
    if (a.export != EXPORT_NONE) {
        const char *slash = strrchr(a.out, '/');
        size_t dl = slash ? (size_t)(slash - a.out + 1) : 0;
        side = malloc(dl + 32);
        if (!side) {
            fclose(f);
            unlink(tmp);
            goto out;
        }
        memcpy(side, a.out, dl);
        strcpy(side + dl, a.export == EXPORT_HUBSPOT ? "companies.csv" : "accounts.csv");
        if (write_companies(a.export, side) != 0) {
            fprintf(stderr, "gen-demo: cannot write '%s': %s\n", side, strerror(errno));
            fclose(f);
            unlink(tmp);
            free(side);
            goto out;
        }
        strcpy(side + dl, a.export == EXPORT_HUBSPOT ? "deals.csv" : "opportunities.csv");
        if (!(df = fopen(side, "wb"))) {
            fprintf(stderr, "gen-demo: cannot create '%s': %s\n", side, strerror(errno));
            fclose(f);
            unlink(tmp);
            free(side);
            goto out;
        }
    }
    int wrc = generate(&a, f, df);
    int saved = errno;
    if (df && fclose(df) != 0 && wrc == 0) {
        wrc = -1;
        saved = errno;
    }
    free(side);
    /* fsync so that the rename never publishes a name whose data a crash could still lose. */
    if (wrc == 0 && fsync(fileno(f)) != 0) {
        wrc = -1;
        saved = errno;
    }
    if (fclose(f) != 0 && wrc == 0) {
        wrc = -1;
        saved = errno;
    }
    if (wrc != 0) {
        fprintf(stderr, "gen-demo: writing '%s' failed: %s\n", tmp, strerror(saved));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, a.out) != 0) {
        fprintf(stderr, "gen-demo: cannot rename '%s' to '%s': %s\n", tmp, a.out, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}
