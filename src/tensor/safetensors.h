/* safetensors: memory-mapped, strictly validated weight files, and a model
 * folder view over one file or a sharded index.
 *
 * Format (huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]},
 * "__metadata__": {str: str}}, then the data area; offsets are relative to
 * the start of the data area.  docs/formats.md lists what is checked. */
#ifndef TC_TENSOR_SAFETENSORS_H
#define TC_TENSOR_SAFETENSORS_H

#include "util/util.h"

#define TC_ST_MAX_DIMS 8
/* Largest header accepted (the reference implementation uses 100 MB). */
#define TC_ST_MAX_HEADER ((size_t)100 * 1000 * 1000)

typedef enum tc_dtype {
    TC_DTYPE_F32,
    TC_DTYPE_F16,
    TC_DTYPE_BF16,
    TC_DTYPE_F64,
    TC_DTYPE_I64,
    TC_DTYPE_I32,
    TC_DTYPE_I16,
    TC_DTYPE_I8,
    TC_DTYPE_U8,
    TC_DTYPE_BOOL
} tc_dtype;

/* The safetensors spelling ("F32", "BF16", ...) and the element size. */
const char *tc_dtype_name(tc_dtype d);
size_t tc_dtype_size(tc_dtype d);

/* One tensor of an open file.  Invariant (checked at open): nbytes equals
 * product(shape) * tc_dtype_size(dtype), and data .. data + nbytes lies in
 * the file's data area.  `data` may be unaligned. */
typedef struct tc_st_tensor {
    const char *name;
    tc_dtype dtype;
    int ndim;
    int64_t shape[TC_ST_MAX_DIMS];
    const void *data;
    size_t nbytes;
    size_t numel;
} tc_st_tensor;

typedef struct tc_st_file tc_st_file;

/* Maps `path` read-only and validates its whole header: size cap, JSON, known
 * dtypes, shapes, dtype x shape = byte span, spans in bounds, contiguous and
 * not overlapping (as the reference implementation requires), no duplicate
 * names.  On failure *out is NULL and err names the file and the problem
 * (TC_EFORMAT for a malformed file, TC_EIO when it cannot be read). */
tc_status tc_st_open(tc_error *err, tc_st_file **out, const char *path) TC_MUST_CHECK;
void tc_st_close(tc_st_file *f); /* NULL-safe */

const char *tc_st_path(const tc_st_file *f);
size_t tc_st_count(const tc_st_file *f);
/* Tensors in the order of their data offsets; i < tc_st_count(f). */
const tc_st_tensor *tc_st_get(const tc_st_file *f, size_t i);
/* By exact name (binary search), or NULL. */
const tc_st_tensor *tc_st_find(const tc_st_file *f, const char *name);

/* Converts a floating tensor (F32, F16, BF16, F64) to f32: out has numel
 * floats.  F16 and BF16 convert exactly; F64 rounds to nearest.  Other dtypes
 * are TC_EUNSUPPORTED. */
tc_status tc_st_to_f32(tc_error *err, float *out, const tc_st_tensor *t) TC_MUST_CHECK;

/* Exact scalar conversions (IEEE 754 binary16 and bfloat16 to binary32). */
float tc_f16_to_f32(uint16_t h);
float tc_bf16_to_f32(uint16_t h);

/* ------------------------------------------------------- model folder view */

typedef struct tc_weights tc_weights;

/* Opens `dir`/model.safetensors, or, when absent, every shard named in
 * `dir`/model.safetensors.index.json ("weight_map": {tensor: file}).  Each
 * name in the weight map must be in the shard it names, and a tensor name
 * may appear in only one shard. */
tc_status tc_weights_open(tc_error *err, tc_weights **out, const char *dir) TC_MUST_CHECK;
void tc_weights_close(tc_weights *w); /* NULL-safe */

/* The tensor called `name` in any shard, or NULL. */
const tc_st_tensor *tc_weights_find(const tc_weights *w, const char *name);
/* Enumerates every tensor of every shard: i < tc_weights_count(w). */
size_t tc_weights_count(const tc_weights *w);
const tc_st_tensor *tc_weights_get(const tc_weights *w, size_t i);
/* The file that holds tensor `t` (for messages). */
const char *tc_weights_file_of(const tc_weights *w, const tc_st_tensor *t);

#endif
