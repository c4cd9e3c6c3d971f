/*
 * Reading an SRS by parts (docs/formats.md, "SRS file" and "Sharded SRS"):
 * the header and verification key, then any range of any Lagrange level,
 * from one .tcs file or from a folder of shards, without loading the rest.
 * This is what a process that owns a block of grid indices needs.
 *
 * A sharded SRS of K shards stores in shard r, for every level j, the block
 * [lo, hi) = tc_pst_block(P_j, K, r) of level j's P_j points.  Its SRS id is
 * the id the same SRS has as one file: SHA-256 of the header, the key and
 * every level in order, which tc_pst_srs_src_hash_part computes piece by
 * piece (each piece continues the digest state of the one before).
 */
#ifndef TC_PST_SHARD_H
#define TC_PST_SHARD_H

#include "pst/pst.h"

#include <stdio.h>

struct SHA256state_st;    /* OpenSSL's SHA256_CTX: a plain state that can travel */

enum { TC_PST_G1_BYTES = 64, TC_PST_G2_BYTES = 128 };
#define TC_PST_SHARD_MAX 4096
#define TC_PST_SHARD_MANIFEST "manifest.json"

/* The block [*lo, *hi) of count items that part r of k owns:
 * lo = ⌊count·r/k⌋, hi = ⌊count·(r+1)/k⌋ (contiguous, in order, any k). */
void tc_pst_block(size_t count, int k, int r, size_t *lo, size_t *hi);

/* The bytes an SRS file has before its Lagrange key: header and
 * verification key.  Length tc_pst_srs_prefix_len(m). */
size_t tc_pst_srs_prefix_len(int m);
void tc_pst_srs_prefix_encode(uint8_t *out, const tc_pst_shape *shape, tc_pst_origin origin,
                              bool monomial, const tc_pst_vk *vk);

typedef struct tc_pst_srs_src {
    char *path;                     /* the file or the folder, for messages */
    bool sharded;
    tc_pst_shape shape;
    tc_pst_origin origin;
    bool monomial;                  /* one file only: a monomial key follows */
    tc_pst_vk vk;                   /* decoded, not prepared */
    uint8_t *prefix;                /* (prefix_len) header and vk bytes */
    size_t prefix_len;
    size_t level_size[TC_PST_MAX_VARS + 1];
    size_t level_off[TC_PST_MAX_VARS + 1];   /* in points, one-file layout */
    uint8_t id[32];                 /* the file's trailing digest, or the manifest's */
    int n_files;                    /* 1, or the shard count */
    char **files;                   /* (n_files) paths */
    int *fds;                       /* (n_files) */
    uint8_t (*digest)[32];          /* (n_files) shards: the manifest's digests */
} tc_pst_srs_src;

/* Opens an SRS file or a shard folder (path is a directory).  Checks the
 * header, the lengths every file must have and, for shards, that each
 * shard carries the same header and key as the manifest names; the
 * digests are checked by tc_pst_srs_src_check_file and the SRS id by
 * hashing every part in order.  On failure *src is left empty. */
tc_status tc_pst_srs_src_open(tc_error *err, tc_pst_srs_src *src, const char *path) TC_MUST_CHECK;
void tc_pst_srs_src_close(tc_pst_srs_src *src);     /* NULL-safe */

/* Points [lo, hi) of level j, decoded and checked to be curve points. */
tc_status tc_pst_srs_src_read(tc_error *err, const tc_pst_srs_src *src, tc_g1_affine *out,
                              int j, size_t lo, size_t hi, int n_threads) TC_MUST_CHECK;

/* File f's own trailing digest against its bytes (and, for a shard, the
 * manifest's digest of it); *ok false with the reason in err->msg. */
tc_status tc_pst_srs_src_check_file(tc_error *err, bool *ok, const tc_pst_srs_src *src,
                                    int f) TC_MUST_CHECK;

/* Continues the digest of the one-file form with one piece: j = −1 is the
 * prefix; otherwise level j's points held by file f (for one file, f = 0
 * and the whole level; a monomial key is piece j = m + 1). */
tc_status tc_pst_srs_src_hash_part(tc_error *err, const tc_pst_srs_src *src,
                                   struct SHA256state_st *ctx, int j, int f) TC_MUST_CHECK;

/* The shard file (docs/formats.md): magic, version, r, K, the SRS prefix,
 * level blocks, SHA-256 of all before it. */
enum { TC_PST_SHARD_HEAD = 20 };
/* Total bytes of shard r of k, or 0 on overflow. */
size_t tc_pst_shard_len(const tc_pst_shape *shape, int k, int r);
void tc_pst_shard_head_encode(uint8_t out[TC_PST_SHARD_HEAD], int k, int r);

#endif
