/* The six-divstep tables of divsteps_table.h, filled on the first
 * inversion (about 150,000 divsteps on 6-bit numbers, 0.8 ms) rather than
 * shipped as 24,576 literal entries or filled at every program start.
 * test_field recomputes every entry with its own divstep routine. */
#include "ec/divsteps_table.h"

#include <pthread.h>

/* Written once, under pthread_once (tc_divsteps6_init); read-only after. */
uint32_t tc_divsteps6_matrix[TC_DIVSTEPS6_ENTRIES];
int8_t tc_divsteps6_eta[TC_DIVSTEPS6_ENTRIES][2];

#define STEPS 6

/* Six divsteps from η = ec (the clamped value), f = 2·fb + 1, g = gb:
 *     η < 0 and g odd:  (η, f, g) ← (−η − 1, g, (g − f)/2)
 *     g odd:            (η, f, g) ← (η − 1, f, (g + f)/2)
 *     g even:           (η, f, g) ← (η − 1, f, g/2)
 * with the matrix 2^6·(f', g') = (u f + v g, q f + r g).  For ec = −6
 * (standing for every η ≤ −6) the first odd g swaps and no later one can,
 * so η' = −η + 2j − 6 with j that step's index; otherwise η' − η is the
 * constant the steps from ec give. */
static void entry(int ec, int fb, int gb, uint32_t *mat, int8_t eta_out[2])
{
    int eta = ec, f = 2 * fb + 1, g = gb, first_odd = -1;
    int u = 1, v = 0, q = 0, r = 1;
    for (int j = 0; j < STEPS; j++) {
        int t;
        if ((g & 1) && first_odd < 0)
            first_odd = j;
        if (eta < 0 && (g & 1)) {
            eta = -eta - 1;
            t = f, f = g, g = (g - t) / 2;
            t = u, u = 2 * q, q = q - t;
            t = v, v = 2 * r, r = r - t;
        } else if (g & 1) {
            eta--;
            g = (g + f) / 2;
            q += u, r += v;
            u *= 2, v *= 2;
        } else {
            eta--;
            g /= 2;
            u *= 2, v *= 2;
        }
    }
    if (ec == -STEPS && first_odd >= 0) {
        eta_out[0] = (int8_t)(2 * first_odd - STEPS);
        eta_out[1] = -1;
    } else {
        eta_out[0] = (int8_t)(eta - ec);
        eta_out[1] = 0;
    }
    *mat = ((uint32_t)u & 255) | ((uint32_t)v & 255) << 8 | ((uint32_t)q & 255) << 16 |
           ((uint32_t)r & 255) << 24;
}

static void fill_tables(void)
{
    for (int ec = -STEPS; ec < STEPS; ec++)
        for (int fb = 0; fb < 1 << (STEPS - 1); fb++)
            for (int gb = 0; gb < 1 << STEPS; gb++) {
                int i = ((ec + STEPS) << 11) | (fb << 6) | gb;
                entry(ec, fb, gb, &tc_divsteps6_matrix[i], tc_divsteps6_eta[i]);
            }
}

void tc_divsteps6_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_tables);
}
