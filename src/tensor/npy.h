/* NumPy .npy files: float32 and int64, little-endian, C order.
 *
 * Reading accepts format versions 1.0, 2.0 and 3.0 and parses the header
 * dictionary strictly: exactly the keys 'descr', 'fortran_order' and
 * 'shape'; descr '<f4' or '<i8'; fortran_order False; shape a tuple of
 * at most 32 non-negative integers; the data length must equal the shape's.  Writing
 * produces version 1.0 (2.0 when the header would not fit), byte for byte
 * as numpy.save does: the header padded with spaces and a final newline to
 * a multiple of 64 bytes.  docs/formats.md describes the bytes. */
#ifndef TC_TENSOR_NPY_H
#define TC_TENSOR_NPY_H

#include "util/util.h"

/* numpy's own limit (NPY_MAXDIMS before numpy 2.0); a grid has at most 24. */
#define TC_NPY_MAX_DIMS 32

typedef enum tc_npy_dtype { TC_NPY_F32, TC_NPY_I64 } tc_npy_dtype;

typedef struct tc_npy {
    tc_npy_dtype dtype;
    int ndim;
    int64_t shape[TC_NPY_MAX_DIMS];
    size_t count;   /* product of shape */
    void *data;     /* (count) float or int64_t, owned; 64-byte aligned */
} tc_npy;

/* Reads `path` (at most max_bytes long).  On success the caller frees with
 * tc_npy_free; on failure *out is zeroed and err names the file and the
 * problem (TC_EFORMAT for a malformed file, TC_EUNSUPPORTED for another
 * dtype or fortran order). */
tc_status tc_npy_read(tc_error *err, tc_npy *out, const char *path) TC_MUST_CHECK;
/* The same from bytes in memory; `name` is used in messages. */
tc_status tc_npy_parse(tc_error *err, tc_npy *out, const uint8_t *buf, size_t len,
                       const char *name) TC_MUST_CHECK;
void tc_npy_free(tc_npy *a); /* NULL-safe, leaves *a zeroed */
/* Reads and checks only the header of `path` (dtype, shape, count, and that
 * the file's length matches them): out->data stays NULL and *data_off is
 * where the data starts, for reading parts of a large array by offset. */
tc_status tc_npy_read_header(tc_error *err, tc_npy *out, size_t *data_off,
                             const char *path) TC_MUST_CHECK;

/* Encodes an array into a fresh buffer (*buf, *len; caller frees). */
tc_status tc_npy_encode(tc_error *err, uint8_t **buf, size_t *len, tc_npy_dtype dtype,
                        const void *data, int ndim, const int64_t *shape) TC_MUST_CHECK;
/* Writes an array through a temporary file and rename. */
tc_status tc_npy_write(tc_error *err, const char *path, tc_npy_dtype dtype, const void *data,
                       int ndim, const int64_t *shape) TC_MUST_CHECK;

#endif
