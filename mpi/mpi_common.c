/* What the tensorcommit-mpi subcommands share (mpi_common.h). */
#define OPENSSL_SUPPRESS_DEPRECATED   /* SHA256_CTX: a state that can be sent */
#include "mpi_common.h"

#include "tensor/npy.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

mpi_world mpi_w;

static void vprint(const char *verb, const char *fmt, va_list ap)
{
    fprintf(stderr, "tensorcommit-mpi %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void mpi_errorf(const char *verb, const char *fmt, ...)
{
    if (mpi_w.rank != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprint(verb, fmt, ap);
    va_end(ap);
}

int mpi_usage(const char *verb, const char *fmt, ...)
{
    if (mpi_w.rank == 0) {
        va_list ap;
        va_start(ap, fmt);
        vprint(verb, fmt, ap);
        va_end(ap);
        fprintf(stderr, "try 'tensorcommit-mpi %s --help'\n", verb);
    }
    return MPI_CLI_USAGE;
}

void mpi_help_exit_codes(FILE *f)
{
    fprintf(f, "\nExit codes: 0 success, 2 usage error, 3 any other error (a failing rank\n"
               "included); rank 0 prints the message.\n");
}

int mpi_bad_option(const char *verb, int code, const char *arg)
{
    if (code == ':')
        return mpi_usage(verb, "option '%s' needs a value", arg);
    return mpi_usage(verb, "unknown option '%s'", arg);
}

int mpi_report(const char *verb, const tc_error *err)
{
    mpi_errorf(verb, "%s", err->msg[0] ? err->msg : tc_strerror(err->status));
    return MPI_CLI_ERROR;
}

bool mpi_threads_option(const char *verb, const char *arg, int *threads)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || v < 1 || v > 256) {
        mpi_usage(verb, "--threads must be in 1..256");
        return false;
    }
    *threads = (int)v;
    return true;
}

int mpi_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN) / (mpi_w.local_size > 0 ? mpi_w.local_size : 1);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

typedef struct failure {
    int status;
    char msg[sizeof ((tc_error *)0)->msg];
} failure;

tc_status mpi_agree(tc_error *err, tc_status st)
{
    int bad = st != TC_OK, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any)
        return TC_OK;
    failure mine = {(int)st, ""}, *all = NULL;
    if (bad)
        snprintf(mine.msg, sizeof mine.msg, "%s", err->msg[0] ? err->msg : tc_strerror(st));
    all = malloc((size_t)mpi_w.size * sizeof *all);
    if (all == NULL)
        MPI_Abort(MPI_COMM_WORLD, MPI_CLI_ERROR);
    MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE,
                  MPI_COMM_WORLD);
    int r = 0;
    while (all[r].status == TC_OK)
        r++;
    tc_status out = (tc_status)all[r].status;
    if (mpi_w.rank == 0)
        tc_fail(err, out, "%s", all[r].msg);
    free(all);
    return out;
}

void mpi_reduce_g1(tc_g1 *sum, const tc_g1 *part)
{
    tc_g1 tmp = *part;
    MPI_Reduce(&tmp, sum, 1, mpi_w.g1_type, mpi_w.g1_sum, 0, MPI_COMM_WORLD);
}

/* ------------------------------------------------ the digest by parts */

typedef struct chain_state {
    SHA256_CTX ctx;
    int failed;
} chain_state;

tc_status mpi_chain_digest(tc_error *err, uint8_t id[32], const uint8_t *prefix,
                           size_t prefix_len, int m, int n_files, mpi_piece_fn piece, void *user)
{
    chain_state cs;
    memset(&cs, 0, sizeof cs);
    tc_status st = TC_OK;
    int holder = 0;
    if (mpi_w.rank == 0) {
        SHA256_Init(&cs.ctx);
        SHA256_Update(&cs.ctx, prefix, prefix_len);
    }
    for (int j = 0; j <= m; j++)
        for (int f = 0; f < n_files; f++) {
            int owner = f % mpi_w.size;
            if (owner != holder) {
                if (mpi_w.rank == holder)
                    MPI_Send(&cs, (int)sizeof cs, MPI_BYTE, owner, j, MPI_COMM_WORLD);
                if (mpi_w.rank == owner)
                    MPI_Recv(&cs, (int)sizeof cs, MPI_BYTE, holder, j, MPI_COMM_WORLD,
                             MPI_STATUS_IGNORE);
                holder = owner;
            }
            if (mpi_w.rank == owner && !cs.failed && st == TC_OK) {
                st = piece(err, &cs.ctx, j, f, user);
                cs.failed = st != TC_OK;
            }
        }
    if (holder != 0) {
        if (mpi_w.rank == holder)
            MPI_Send(&cs, (int)sizeof cs, MPI_BYTE, 0, m + 1, MPI_COMM_WORLD);
        if (mpi_w.rank == 0)
            MPI_Recv(&cs, (int)sizeof cs, MPI_BYTE, holder, m + 1, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
    }
    if (mpi_w.rank == 0)
        SHA256_Final(id, &cs.ctx);
    MPI_Bcast(id, 32, MPI_BYTE, 0, MPI_COMM_WORLD);
    return mpi_agree(err, st);
}

static tc_status src_piece(tc_error *err, struct SHA256state_st *ctx, int j, int f, void *user)
{
    return tc_pst_srs_src_hash_part(err, user, ctx, j, f);
}

tc_status mpi_srs_open(tc_error *err, tc_pst_srs_src *src, const char *path)
{
    tc_status st = mpi_agree(err, tc_pst_srs_src_open(err, src, path));
    if (st != TC_OK) {
        tc_pst_srs_src_close(src);   /* opened on the ranks that did not fail */
        return st;
    }
    /* every file's own digest: file f on rank f mod size */
    for (int f = mpi_w.rank; st == TC_OK && f < src->n_files; f += mpi_w.size) {
        bool ok = false;
        st = tc_pst_srs_src_check_file(err, &ok, src, f);
        if (st == TC_OK && !ok)
            st = TC_EFORMAT;
    }
    st = mpi_agree(err, st);
    if (st == TC_OK && src->sharded) {
        uint8_t id[32];
        st = mpi_chain_digest(err, id, src->prefix, src->prefix_len, src->shape.m, src->n_files,
                              src_piece, src);
        if (st == TC_OK && memcmp(id, src->id, 32) != 0)
            st = tc_fail(err, TC_EFORMAT, "%s: the shards do not make up the SRS id the "
                         "manifest names", src->path);
    }
    if (st != TC_OK)
        tc_pst_srs_src_close(src);
    return st;
}

/* ------------------------------------------------------------- the grid */

tc_status mpi_grid_open(tc_error *err, mpi_grid *g, const char *path, const tc_pst_shape *shape)
{
    memset(g, 0, sizeof *g);
    g->fd = -1;
    g->path = path;
    tc_npy h;
    tc_status st = tc_npy_read_header(err, &h, &g->data_off, path);
    if (st == TC_OK && h.dtype != TC_NPY_I64)
        st = tc_fail(err, TC_EFORMAT, "%s: dtype is float32, expected int64", path);
    if (st == TC_OK)
        st = tc_pst_check_tensor_shape(err, shape, h.ndim, h.shape, path);
    if (st != TC_OK)
        return st;
    g->count = h.count;
    g->fd = open(path, O_RDONLY);
    if (g->fd < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    return TC_OK;
}

tc_status mpi_grid_read(tc_error *err, const mpi_grid *g, int64_t *vals, size_t first, size_t n)
{
    uint8_t *p = (uint8_t *)vals;
    size_t len = n * sizeof *vals, off = g->data_off + first * sizeof *vals;
    while (len > 0) {
        ssize_t got = pread(g->fd, p, len, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return tc_fail(err, TC_EIO, "%s: %s at byte %zu", g->path,
                           got < 0 ? strerror(errno) : "file ends early", off);
        p += got, off += (size_t)got, len -= (size_t)got;
    }
    return TC_OK;
}

void mpi_grid_close(mpi_grid *g)
{
    if (g != NULL && g->fd >= 0)
        close(g->fd);
    if (g != NULL)
        g->fd = -1;
}

tc_status mpi_commit_grid(tc_error *err, tc_g1 *c, const tc_pst_srs_src *src, const mpi_grid *g,
                          int n_threads)
{
    size_t lo, hi;
    tc_pst_block(src->level_size[0], mpi_w.size, mpi_w.rank, &lo, &hi);
    int64_t *vals = malloc((hi - lo + 1) * sizeof *vals);
    tc_g1_affine *keys = malloc((hi - lo + 1) * sizeof *keys);
    tc_g1 part;
    tc_g1_set_infinity(&part);
    tc_status st = TC_OK;
    if (vals == NULL || keys == NULL)
        st = tc_fail(err, TC_ENOMEM, "out of memory for a block of %zu values", hi - lo);
    if (st == TC_OK)
        st = mpi_grid_read(err, g, vals, lo, hi - lo);
    if (st == TC_OK)
        st = tc_pst_srs_src_read(err, src, keys, 0, lo, hi, n_threads);
    if (st == TC_OK && hi > lo)
        st = tc_pst_msm_i64_var(err, &part, keys, vals, hi - lo, n_threads);
    free(vals);
    free(keys);
    st = mpi_agree(err, st);
    if (st == TC_OK)
        mpi_reduce_g1(c, &part);
    return st;
}
