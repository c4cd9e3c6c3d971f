/* Architecture loaders read their tensors from tables (arch_load.c). */
#ifndef TC_MODEL_ARCH_LOAD_H
#define TC_MODEL_ARCH_LOAD_H

#include "model/model_internal.h"

#include <stdbool.h>
#include <stddef.h>

/* A tensor dimension in the model's units. */
typedef enum tc_arch_unit {
    TC_U_NONE,   /* no second dimension: a vector */
    TC_U_DIM,    /* hidden size */
    TC_U_DIM3,   /* 3 x hidden (GPT-2's fused q | k | v) */
    TC_U_FFN,    /* feed-forward size */
    TC_U_Q,      /* n_heads x head_dim */
    TC_U_KV      /* n_kv_heads x head_dim */
} tc_arch_unit;

/* When a block tensor must be present (else it may be absent: NULL). */
typedef enum tc_arch_need {
    TC_NEED_ALWAYS,
    TC_NEED_QKV_BIAS,
    TC_NEED_O_BIAS,
    TC_NEED_MLP_BIAS
} tc_arch_need;

/* One tensor of every block: "<prefix><N>.<suffix>", stored in the field at
 * byte offset `field` of tc_layer_weights, shape (rows) or (rows, cols).
 * transposed: stored as [cols, rows] (GPT-2's Conv1D) and transposed. */
typedef struct tc_arch_tensor {
    const char *suffix;
    size_t field;
    tc_arch_unit rows, cols;
    tc_arch_need need;
    bool transposed;
} tc_arch_tensor;

#define TC_ARCH_FIELD(name) offsetof(tc_layer_weights, name)

/* Reads table[0..n) for every block into m->layers. */
tc_status tc_arch_load_blocks(tc_error *err, tc_model *m, const char *prefix,
                              const tc_arch_tensor *table, size_t n) TC_MUST_CHECK;
/* The output head: the embedding when tied, else tensor `name` (vocab, dim). */
tc_status tc_arch_load_head(tc_error *err, tc_model *m, const char *name) TC_MUST_CHECK;

#endif
