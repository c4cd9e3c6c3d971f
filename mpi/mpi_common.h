/* tensorcommit-mpi: setup, commit and open with K processes (docs/mpi.md).
 * What every subcommand shares: messages from rank 0, agreement on
 * failures, the sum of points over ranks, the SRS id computed by parts,
 * and reading blocks of an int64 grid by offset. */
#ifndef TC_MPI_COMMON_H
#define TC_MPI_COMMON_H

#include "pst/shard.h"

#include <mpi.h>
#include <stdio.h>

enum { MPI_CLI_OK = 0, MPI_CLI_REJECTED = 1, MPI_CLI_USAGE = 2, MPI_CLI_ERROR = 3 };

typedef struct mpi_world {
    int rank, size;
    int local_size;         /* ranks on this node */
    MPI_Datatype g1_type;   /* one tc_g1, as bytes */
    MPI_Op g1_sum;          /* Jacobian addition (commutative) */
} mpi_world;

extern mpi_world mpi_w;

int mpi_setup_cmd(int argc, char **argv);
int mpi_commit_cmd(int argc, char **argv);
int mpi_open_cmd(int argc, char **argv);

/* Rank 0 prints "tensorcommit-mpi VERB: message" on stderr. */
void mpi_errorf(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same plus a --help hint; returns MPI_CLI_USAGE (every rank). */
int mpi_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for what getopt_long (optstring ":h", opterr 0) returned:
 * ':' a missing value, anything else an unknown option. */
int mpi_bad_option(const char *verb, int code, const char *arg);
/* The last lines of every --help: the exit codes. */
void mpi_help_exit_codes(FILE *f);
/* Rank 0 prints err's message; returns MPI_CLI_ERROR. */
int mpi_report(const char *verb, const tc_error *err);
/* Parses --threads (1..256); false after a message. */
bool mpi_threads_option(const char *verb, const char *arg, int *threads);
int mpi_default_threads(void);

/* Every rank passes its own status; all return TC_OK only when every rank
 * had TC_OK.  Otherwise all return the failing status of the lowest failing
 * rank, and rank 0's err holds that rank's message. */
tc_status mpi_agree(tc_error *err, tc_status st);

/* *sum (rank 0) = Σ over ranks of *part, by MPI_Reduce with the point sum. */
void mpi_reduce_g1(tc_g1 *sum, const tc_g1 *part);

/* Opens the SRS on every rank and checks it: each file's digest (shards
 * split over ranks) and, for shards, the SRS id by hashing every part in
 * the one-file order.  Agreed: on failure every rank returns it. */
tc_status mpi_srs_open(tc_error *err, tc_pst_srs_src *src, const char *path) TC_MUST_CHECK;

/* Calls piece(ctx, j, f, user) on rank owner(f) = f mod size for j = 0..m,
 * f = 0..n_files−1 in that order, passing the SHA-256 state from rank to
 * rank; rank 0 starts it with the prefix bytes.  *id (every rank) receives
 * the final digest.  Agreed. */
typedef tc_status (*mpi_piece_fn)(tc_error *err, struct SHA256state_st *ctx, int j, int f,
                                  void *user);
tc_status mpi_chain_digest(tc_error *err, uint8_t id[32], const uint8_t *prefix,
                           size_t prefix_len, int m, int n_files, mpi_piece_fn piece,
                           void *user) TC_MUST_CHECK;

/* An int64 grid read by parts: header checked against the SRS shape. */
typedef struct mpi_grid {
    const char *path;
    int fd;
    size_t data_off, count;
} mpi_grid;
tc_status mpi_grid_open(tc_error *err, mpi_grid *g, const char *path,
                        const tc_pst_shape *shape) TC_MUST_CHECK;
/* vals[0..n) = grid[first .. first + n). */
tc_status mpi_grid_read(tc_error *err, const mpi_grid *g, int64_t *vals, size_t first,
                        size_t n) TC_MUST_CHECK;
void mpi_grid_close(mpi_grid *g);

/* C = Σ_b T[b]·ck_0[b] over every rank's block of level 0; *c on rank 0.
 * Agreed. */
tc_status mpi_commit_grid(tc_error *err, tc_g1 *c, const tc_pst_srs_src *src,
                          const mpi_grid *g, int n_threads) TC_MUST_CHECK;

#endif
