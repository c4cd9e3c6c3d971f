/* Six divsteps at a time, by table, for the variable-time inversion in fp.c.
 *
 * A run of six divsteps (Bernstein–Yang, eprint 2019/266; η = −δ) depends
 * only on η, on f mod 2^6 (f odd: five bits) and on g mod 2^6, and on η only
 * through η clamped to [−6, 5]: for η ≥ 5 no swap can happen in six steps,
 * and for η ≤ −6 the first odd g swaps and no later one can.  Entry
 *     i = ((η_c + 6) << 11) | (((f >> 1) & 31) << 6) | (g & 63)
 * holds the matrix with 2^6·(f', g') = (u f + v g, q f + r g) as the signed
 * bytes u, v, q, r of a uint32 (low byte first; |u| + |v| ≤ 64), and the new
 * η as ((η ^ s) − s) + c for {c, s}, s ∈ {0, −1}.  Filled by
 * tc_divsteps6_init (divsteps_table.c); test_field recomputes every entry.
 *
 * The two tables take 144 KB (96 KB of matrices, 48 KB of η), read about 90
 * times an inversion: a loop of inversions keeps the entries it uses in L1
 * and L2, while a call that finds them evicted pays the misses (measured on
 * the reference machine: 3.6 µs after 4 MB of other memory traffic, 10.6 µs
 * after 64 MB, against 1.2 and 2.1 µs for the previous branchy loop;
 * batch-affine MSM at 2^16 and 2^20 points showed no difference). */
#ifndef TC_EC_DIVSTEPS_TABLE_H
#define TC_EC_DIVSTEPS_TABLE_H

#include <stdint.h>

#define TC_DIVSTEPS6_ENTRIES (12 << 11)

/* Fills the tables on the first call (thread-safe); call it before reading
 * them.  Read-only afterwards. */
void tc_divsteps6_init(void);
extern uint32_t tc_divsteps6_matrix[TC_DIVSTEPS6_ENTRIES];
extern int8_t tc_divsteps6_eta[TC_DIVSTEPS6_ENTRIES][2];

#endif
