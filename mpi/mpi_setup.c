/* tensorcommit-mpi setup: every rank makes its block of every Lagrange
 * level from the trapdoors rank 0 broadcasts, then the ranks write one SRS
 * file through MPI-IO or a folder of shards (docs/mpi.md, docs/formats.md). */
#define _GNU_SOURCE                   /* asprintf */
#define OPENSSL_SUPPRESS_DEPRECATED   /* SHA256_CTX */
#include "mpi_common.h"

#include "ec/encoding.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: mpirun -np K tensorcommit-mpi setup --shape N0,N1,..\n"
            "           [--seed HEX | --trapdoors T0,T1,..] [--threads N] [--progress | --quiet]\n"
            "           --out srs.tcs | --out DIR/\n"
            "\n"
            "The SRS of `tensorcommit setup`, made by K ranks from trapdoors that rank 0\n"
            "draws (or derives from --seed, or takes from --trapdoors: testing only) and\n"
            "broadcasts.  Rank r makes the block [P·r/K, P·(r+1)/K) of every level of P\n"
            "points.  --out FILE writes one SRS file through MPI-IO (the same bytes as\n"
            "`tensorcommit setup`); --out DIR/ (a trailing slash, or an existing folder)\n"
            "writes K shards and manifest.json.  Rank 0 prints the SRS id, the same for\n"
            "both forms.  No monomial key.\n");
    mpi_help_exit_codes(f);
}

/* Trapdoors on rank 0 from the options, then broadcast. */
static tc_status trapdoors(tc_error *err, tc_fr *t, int m, const char *seed_s, const char *trap_s)
{
    tc_status st = TC_OK;
    if (mpi_w.rank == 0) {
        if (seed_s != NULL) {
            uint8_t seed[TC_PST_MAX_SEED];
            size_t len = strlen(seed_s) / 2;
            tc_hex_decode(seed, len, seed_s);
            tc_pst_seed_trapdoors(t, m, seed, len);
        } else if (trap_s != NULL) {
            int n;
            tc_pst_parse_fr_list(t, &n, TC_PST_MAX_VARS, trap_s);
        } else {
            uint8_t wide[64];
            for (int i = 0; i < m && st == TC_OK; i++) {
                st = tc_os_random(err, wide, sizeof wide);
                tc_fr_from_bytes_wide(&t[i], wide);
            }
            explicit_bzero(wide, sizeof wide);
        }
    }
    st = mpi_agree(err, st);
    MPI_Bcast(t, (int)(m * sizeof *t), MPI_BYTE, 0, MPI_COMM_WORLD);
    return st;
}

/* The header and verification key (rank 0), broadcast: every shard holds it. */
static void make_prefix(uint8_t *prefix, const tc_pst_shape *shape, const tc_fr *t,
                        tc_pst_origin origin)
{
    size_t len = tc_pst_srs_prefix_len(shape->m);
    if (mpi_w.rank == 0) {
        tc_pst_vk vk;
        memset(&vk, 0, sizeof vk);
        vk.shape = *shape;
        tc_g1_affine_generator(&vk.g1);
        tc_g2_affine_generator(&vk.g2);
        for (int i = 0; i < shape->m; i++)
            tc_g2_mul_ct(&vk.tau[i], &vk.g2, &t[i]);   /* t_i is secret */
        tc_pst_srs_prefix_encode(prefix, shape, origin, false, &vk);
    }
    MPI_Bcast(prefix, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD);
}

/* This rank's blocks of every level, encoded: body + off[j] holds level j's
 * block [lo_j, hi_j) as uncompressed points. */
typedef struct blocks {
    uint8_t *body;
    size_t off[TC_PST_MAX_VARS + 2];    /* off[m + 1] = body length */
    size_t lo[TC_PST_MAX_VARS + 1];
} blocks;

/* Scalars Π_{i≥j} λ_{i,b_i}(t_i) for the suffix indices [lo, lo + n). */
static void level_scalars(tc_fr *s, const tc_pst_shape *shape, int j,
                          const tc_fr lam[][TC_PST_MAX_N], size_t lo, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t b = lo + k;
        tc_fr_one(&s[k]);
        for (int i = shape->m - 1; i >= j; i--) {
            tc_fr_mul(&s[k], &s[k], &lam[i][b % shape->n[i]]);
            b /= shape->n[i];
        }
    }
}

static tc_status make_blocks(tc_error *err, blocks *bl, const tc_pst_shape *shape,
                             const tc_fr *t, int n_threads, bool progress)
{
    tc_fr lam[TC_PST_MAX_VARS][TC_PST_MAX_N];
    size_t hi, total = 0, most = 1;
    for (int i = 0; i < shape->m; i++)
        tc_pst_lagrange(lam[i], NULL, shape->n[i], &t[i]);
    for (int j = 0; j <= shape->m; j++) {
        tc_pst_block(tc_pst_suffix_size(shape, j), mpi_w.size, mpi_w.rank, &bl->lo[j], &hi);
        bl->off[j] = total * TC_PST_G1_BYTES;
        total += hi - bl->lo[j];
        most = hi - bl->lo[j] > most ? hi - bl->lo[j] : most;
    }
    bl->off[shape->m + 1] = total * TC_PST_G1_BYTES;
    bl->body = malloc(total * TC_PST_G1_BYTES + 1);
    tc_fr *sc = malloc(most * sizeof *sc);
    tc_g1_affine *pts = malloc(most * sizeof *pts), gen;
    tc_g1_affine_generator(&gen);
    tc_status st = TC_OK;
    if (bl->body == NULL || sc == NULL || pts == NULL)
        st = tc_fail(err, TC_ENOMEM, "out of memory for %zu key points", total);
    for (int j = 0; j <= shape->m && st == TC_OK; j++) {
        size_t n = (bl->off[j + 1] - bl->off[j]) / TC_PST_G1_BYTES;
        level_scalars(sc, shape, j, (const tc_fr(*)[TC_PST_MAX_N])lam, bl->lo[j], n);
        if (n > 0)
            st = tc_g1_fixed_base_batch_var(err, pts, &gen, sc, n, (unsigned)n_threads);
        for (size_t k = 0; k < n && st == TC_OK; k++)
            tc_g1_to_bytes_uncompressed(bl->body + bl->off[j] + k * TC_PST_G1_BYTES, &pts[k]);
        if (progress && mpi_w.rank == 0)
            fprintf(stderr, "setup: lagrange key level %d of %d\n", j, shape->m);
    }
    if (sc != NULL)
        explicit_bzero(sc, most * sizeof *sc);
    explicit_bzero(lam, sizeof lam);
    free(sc);
    free(pts);
    return st;
}

static tc_status block_piece(tc_error *err, struct SHA256state_st *ctx, int j, int f, void *user)
{
    (void)err, (void)f;
    const blocks *bl = user;
    SHA256_Update(ctx, bl->body + bl->off[j], bl->off[j + 1] - bl->off[j]);
    return TC_OK;
}

/* MPI_File_write_at in pieces below 2^30 bytes. */
static bool write_at(MPI_File fh, size_t off, const uint8_t *p, size_t len)
{
    while (len > 0) {
        int n = len > (1u << 30) ? 1 << 30 : (int)len;
        if (MPI_File_write_at(fh, (MPI_Offset)off, p, n, MPI_BYTE, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return false;
        p += n, off += (size_t)n, len -= (size_t)n;
    }
    return true;
}

/* One SRS file at out: written under out.partial, renamed by rank 0 once
 * every rank's writes succeeded. */
static tc_status write_one(tc_error *err, const char *out, const uint8_t *prefix,
                           const blocks *bl, const tc_pst_shape *shape, const uint8_t id[32])
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.partial", out) < 0)
        return mpi_agree(err, tc_fail(err, TC_ENOMEM, "out of memory"));
    size_t plen = tc_pst_srs_prefix_len(shape->m), level_off = 0, points = 0;
    for (int j = 0; j <= shape->m; j++)
        points += tc_pst_suffix_size(shape, j);
    MPI_File fh;
    tc_status st = TC_OK;
    if (MPI_File_open(MPI_COMM_WORLD, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL,
                      &fh) != MPI_SUCCESS) {
        st = mpi_agree(err, tc_fail(err, TC_EIO, "%s: cannot create", tmp));
        free(tmp);
        return st;
    }
    /* a file left by an earlier run may be longer */
    bool ok = MPI_File_set_size(fh, (MPI_Offset)(plen + points * TC_PST_G1_BYTES + 32)) ==
              MPI_SUCCESS;
    if (mpi_w.rank == 0 && ok)
        ok = write_at(fh, 0, prefix, plen) &&
             write_at(fh, plen + points * TC_PST_G1_BYTES, id, 32);
    for (int j = 0; j <= shape->m && ok; j++) {
        ok = write_at(fh, plen + (level_off + bl->lo[j]) * TC_PST_G1_BYTES, bl->body + bl->off[j],
                      bl->off[j + 1] - bl->off[j]);
        level_off += tc_pst_suffix_size(shape, j);
    }
    if (MPI_File_close(&fh) != MPI_SUCCESS)
        ok = false;
    st = mpi_agree(err, ok ? TC_OK : tc_fail(err, TC_EIO, "%s: write failed", tmp));
    if (st == TC_OK && mpi_w.rank == 0 && rename(tmp, out) != 0)
        st = tc_fail(err, TC_EIO, "%s: cannot rename to %s: %s", tmp, out, strerror(errno));
    st = mpi_agree(err, st);
    if (st != TC_OK && mpi_w.rank == 0)
        unlink(tmp);
    free(tmp);
    return st;
}

/* This rank's shard at path; its digest in dg. */
static tc_status write_shard(tc_error *err, const char *path, const uint8_t *prefix, size_t plen,
                             const blocks *bl, int m, uint8_t dg[32])
{
    uint8_t head[TC_PST_SHARD_HEAD];
    tc_pst_shard_head_encode(head, mpi_w.size, mpi_w.rank);
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, head, sizeof head);
    SHA256_Update(&ctx, prefix, plen);
    SHA256_Update(&ctx, bl->body, bl->off[m + 1]);
    SHA256_Final(dg, &ctx);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot create: %s", path, strerror(errno));
    bool ok = fwrite(head, 1, sizeof head, f) == sizeof head &&
              fwrite(prefix, 1, plen, f) == plen &&
              fwrite(bl->body, 1, bl->off[m + 1], f) == bl->off[m + 1] &&
              fwrite(dg, 1, 32, f) == 32;
    if (fclose(f) != 0)
        ok = false;
    return ok ? TC_OK : tc_fail(err, TC_EIO, "%s: write failed", path);
}

/* manifest.json (docs/formats.md, "Sharded SRS") on rank 0. */
static tc_status write_manifest(tc_error *err, const char *dir, const tc_pst_shape *shape,
                                tc_pst_origin origin, const uint8_t id[32], const uint8_t *dgs)
{
    char hex[65], name[32], *text = NULL, *path = NULL;
    json_t *root = json_object(), *dims = json_array(), *list = json_array();
    for (int i = 0; i < shape->m; i++)
        json_array_append_new(dims, json_integer(shape->n[i]));
    for (int r = 0; r < mpi_w.size; r++) {
        snprintf(name, sizeof name, "shard-%05d.tcss", r);
        tc_hex_encode(hex, dgs + 32 * (size_t)r, 32);
        json_array_append_new(list, json_pack("{s:s, s:s}", "file", name, "sha256", hex));
    }
    tc_hex_encode(hex, id, 32);
    json_object_set_new(root, "format", json_string("tensorcommit sharded srs"));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "srs_id", json_string(hex));
    json_object_set_new(root, "shape", dims);
    json_object_set_new(root, "origin", json_string(tc_pst_origin_name(origin)));
    json_object_set_new(root, "shards", list);
    text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    tc_status st = TC_OK;
    if (text == NULL || asprintf(&path, "%s/%s", dir, TC_PST_SHARD_MANIFEST) < 0) {
        path = NULL;
        st = tc_fail(err, TC_ENOMEM, "out of memory");
    } else {
        size_t n = strlen(text);
        char *nl = realloc(text, n + 2);
        if (nl == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory");
        } else {
            text = nl;
            memcpy(text + n, "\n", 2);
            st = tc_write_file_atomic(err, path, text, n + 1);
        }
    }
    free(path);
    free(text);
    json_decref(root);
    return st;
}

/* A folder of shards at dir: written into dir.partial, which rank 0 renames
 * to dir (absent or empty) once every shard and the manifest are written. */
static tc_status write_shards(tc_error *err, const char *dir, const uint8_t *prefix,
                              const blocks *bl, const tc_pst_shape *shape, tc_pst_origin origin,
                              const uint8_t id[32])
{
    size_t plen = tc_pst_srs_prefix_len(shape->m);
    char *tmp = NULL, *shard = NULL;
    uint8_t dg[32], *dgs = NULL;
    tc_status st = TC_OK;
    if (asprintf(&tmp, "%s.partial", dir) < 0)
        tmp = NULL;
    if (tmp == NULL || asprintf(&shard, "%s/shard-%05d.tcss", tmp, mpi_w.rank) < 0) {
        shard = NULL;
        st = tc_fail(err, TC_ENOMEM, "out of memory");
    }
    if (st == TC_OK && mpi_w.rank == 0 && mkdir(tmp, 0777) != 0)
        st = tc_fail(err, TC_EIO, "%s: cannot create the folder: %s%s", tmp, strerror(errno),
                     errno == EEXIST ? " (left by an interrupted setup? remove it)" : "");
    st = mpi_agree(err, st);
    bool made = st == TC_OK;
    if (st == TC_OK)
        st = write_shard(err, shard, prefix, plen, bl, shape->m, dg);
    if (mpi_w.rank == 0 && (dgs = malloc(32 * (size_t)mpi_w.size)) == NULL)
        MPI_Abort(MPI_COMM_WORLD, MPI_CLI_ERROR);
    MPI_Gather(dg, 32, MPI_BYTE, dgs, 32, MPI_BYTE, 0, MPI_COMM_WORLD);
    st = mpi_agree(err, st);
    if (st == TC_OK && mpi_w.rank == 0) {
        st = write_manifest(err, tmp, shape, origin, id, dgs);
        if (st == TC_OK && rename(tmp, dir) != 0)
            st = tc_fail(err, TC_EIO, "%s: cannot rename to %s: %s", tmp, dir, strerror(errno));
        if (st != TC_OK) {
            char *man = NULL;
            if (asprintf(&man, "%s/%s", tmp, TC_PST_SHARD_MANIFEST) >= 0) {
                unlink(man);
                free(man);
            }
        }
    }
    st = mpi_agree(err, st);
    if (st != TC_OK && made) {
        unlink(shard);
        MPI_Barrier(MPI_COMM_WORLD);
        if (mpi_w.rank == 0)
            rmdir(tmp);
    }
    free(dgs);
    free(shard);
    free(tmp);
    return st;
}

/* Where --out points: a folder of shards (trailing slash or an existing
 * folder; *dir receives it without trailing slashes) or one file. */
static bool out_is_folder(const char *out, char **dir)
{
    size_t n = strlen(out);
    struct stat sb;
    bool folder = (n > 1 && out[n - 1] == '/') || (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode));
    while (n > 1 && out[n - 1] == '/')
        n--;
    *dir = strndup(out, n);
    return folder;
}

typedef struct setup_args {
    const char *shape_s, *seed_s, *trap_s, *out;
    bool monomial, progress;
    int threads;
} setup_args;

/* Parses the options; MPI_CLI_OK to go on, else the exit code. */
static int parse(int argc, char **argv, setup_args *a, tc_pst_shape *shape)
{
    static const struct option opts[] = {
        {"shape", required_argument, 0, 's'},     {"seed", required_argument, 0, 'S'},
        {"trapdoors", required_argument, 0, 't'}, {"monomial", no_argument, 0, 'M'},
        {"threads", required_argument, 0, 'j'},   {"progress", no_argument, 0, 'p'},
        {"quiet", no_argument, 0, 'q'},           {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    bool quiet = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->shape_s = optarg; break;
        case 'S': a->seed_s = optarg; break;
        case 't': a->trap_s = optarg; break;
        case 'M': a->monomial = true; break;
        case 'p': a->progress = true; break;
        case 'q': quiet = true; break;
        case 'o': a->out = optarg; break;
        case 'j':
            if (!mpi_threads_option(argv[0], optarg, &a->threads))
                return MPI_CLI_USAGE;
            break;
        case 'h':
            if (mpi_w.rank == 0)
                help(stdout);
            return -1;
        default: return mpi_bad_option(argv[0], c, argv[optind - 1]);
        }
    }
    a->progress = a->progress && !quiet;
    if (a->shape_s == NULL || a->out == NULL)
        return mpi_usage(argv[0], "%s is required", a->shape_s == NULL ? "--shape" : "--out");
    if (optind != argc)
        return mpi_usage(argv[0], "unexpected argument '%s'", argv[optind]);
    if (a->monomial)
        return mpi_usage(argv[0], "--monomial is not made by tensorcommit-mpi (use tensorcommit "
                                  "setup)");
    if (a->seed_s && a->trap_s)
        return mpi_usage(argv[0], "--seed and --trapdoors exclude each other");
    if (!tc_pst_shape_parse(shape, a->shape_s))
        return mpi_usage(argv[0], "--shape %s is not a grid shape (sizes 1..16 separated by "
                                  "commas, at most %d)", a->shape_s, TC_PST_MAX_VARS);
    uint8_t seed[TC_PST_MAX_SEED];
    size_t sl = a->seed_s ? strlen(a->seed_s) : 0;
    if (a->seed_s && (sl % 2 || sl == 0 || sl / 2 > sizeof seed || !tc_hex_decode(seed, sl / 2, a->seed_s)))
        return mpi_usage(argv[0], "--seed must be 2..%d hex characters", 2 * TC_PST_MAX_SEED);
    tc_fr t[TC_PST_MAX_VARS];
    int n;
    bool bad = a->trap_s && (!tc_pst_parse_fr_list(t, &n, TC_PST_MAX_VARS, a->trap_s) ||
                             n != shape->m);
    explicit_bzero(t, sizeof t);
    if (bad)
        return mpi_usage(argv[0], "--trapdoors needs %d decimal values below r", shape->m);
    return MPI_CLI_OK;
}

int mpi_setup_cmd(int argc, char **argv)
{
    setup_args a = {.threads = mpi_default_threads()};
    tc_pst_shape shape;
    int rc = parse(argc, argv, &a, &shape);
    if (rc != MPI_CLI_OK)
        return rc < 0 ? MPI_CLI_OK : rc;
    tc_pst_origin origin = a.seed_s ? TC_PST_ORIGIN_SEEDED
                         : a.trap_s ? TC_PST_ORIGIN_EXPLICIT : TC_PST_ORIGIN_RANDOM;
    if (origin != TC_PST_ORIGIN_RANDOM)
        mpi_errorf(argv[0], "WARNING: an SRS made from %s is for testing only; anyone who knows "
                   "%s can forge proofs", a.seed_s ? "a seed" : "explicit trapdoors",
                   a.seed_s ? "the seed" : "them");
    tc_error err = {0};
    tc_fr t[TC_PST_MAX_VARS];
    uint8_t prefix[24 + 4 * TC_PST_MAX_VARS + TC_PST_G1_BYTES + TC_PST_G2_BYTES * (1 + TC_PST_MAX_VARS)];
    uint8_t id[32];
    blocks bl;
    memset(&bl, 0, sizeof bl);
    char *dir = NULL;
    bool folder = out_is_folder(a.out, &dir);
    tc_status st = trapdoors(&err, t, shape.m, a.seed_s, a.trap_s);
    if (st == TC_OK) {
        make_prefix(prefix, &shape, t, origin);
        st = mpi_agree(&err, make_blocks(&err, &bl, &shape, t, a.threads, a.progress));
    }
    explicit_bzero(t, sizeof t);
    if (st == TC_OK)
        st = mpi_chain_digest(&err, id, prefix, tc_pst_srs_prefix_len(shape.m), shape.m,
                              mpi_w.size, block_piece, &bl);
    if (st == TC_OK)
        st = folder ? write_shards(&err, dir, prefix, &bl, &shape, origin, id)
                    : write_one(&err, a.out, prefix, &bl, &shape, id);
    if (st == TC_OK && mpi_w.rank == 0) {
        char hex[65];
        tc_hex_encode(hex, id, 32);
        printf("%s\n", hex);
    }
    free(bl.body);
    free(dir);
    return st == TC_OK ? MPI_CLI_OK : mpi_report(argv[0], &err);
}
