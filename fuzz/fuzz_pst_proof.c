/* libFuzzer target: proof.json (tc_pst_proof_decode).  Any input must decode
 * or be refused with a message.  A decoded file whose items are all well
 * formed must survive encode -> decode with the same shape, commitment,
 * points, values and proofs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "ec/field.h"
#include "fuzz_util.h"
#include "pst/pst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_well_formed(const tc_pst_proof_file *pf)
{
    if (pf->commitment_fault[0] != '\0')
        return false;
    for (size_t k = 0; k < pf->n_open; k++)
        if (pf->open_fault[k][0] != '\0')
            return false;
    for (size_t k = 0; k < pf->n_slice; k++)
        if (pf->slice_fault[k][0] != '\0')
            return false;
    return true;
}

static void check_same(const tc_pst_proof_file *a, const tc_pst_proof_file *b)
{
    FUZZ_CHECK(tc_pst_shape_eq(&a->shape, &b->shape));
    FUZZ_CHECK(tc_g1_affine_eq(&a->commitment, &b->commitment));
    FUZZ_CHECK(a->n_open == b->n_open && a->n_slice == b->n_slice);
    for (size_t k = 0; k < a->n_open; k++) {
        const tc_pst_opening *x = &a->open[k], *y = &b->open[k];
        FUZZ_CHECK(x->m == y->m && tc_fr_eq(&x->y, &y->y));
        for (int i = 0; i < x->m; i++)
            FUZZ_CHECK(tc_fr_eq(&x->z[i], &y->z[i]) && tc_g1_affine_eq(&x->pi[i], &y->pi[i]));
    }
    for (size_t k = 0; k < a->n_slice; k++) {
        const tc_pst_slice *x = &a->slice[k], *y = &b->slice[k];
        FUZZ_CHECK(x->j == y->j && x->count == y->count);
        for (int i = 0; i < x->j; i++)
            FUZZ_CHECK(tc_fr_eq(&x->z[i], &y->z[i]) && tc_g1_affine_eq(&x->pi[i], &y->pi[i]));
        for (size_t i = 0; i < x->count; i++)
            FUZZ_CHECK(tc_fr_eq(&x->values[i], &y->values[i]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_error err = {0};
    tc_pst_proof_file pf, again;
    if (tc_pst_proof_decode(&err, &pf, (const char *)data, size, "proof.json") != TC_OK) {
        FUZZ_CHECK(pf.open == NULL && pf.slice == NULL && err.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(tc_pst_shape_check(&err, &pf.shape) == TC_OK);
    for (size_t k = 0; k < pf.n_open; k++)
        FUZZ_CHECK(pf.open_fault[k][0] != '\0' || pf.open[k].m == pf.shape.m);
    for (size_t k = 0; k < pf.n_slice; k++)
        FUZZ_CHECK(pf.slice_fault[k][0] != '\0' ||
                   pf.slice[k].count == tc_pst_suffix_size(&pf.shape, pf.slice[k].j));
    if (all_well_formed(&pf)) {
        char *json = NULL;
        FUZZ_CHECK(tc_pst_proof_encode(&err, &json, &pf.shape, &pf.commitment, pf.open,
                                       pf.n_open, pf.slice, pf.n_slice) == TC_OK);
        FUZZ_CHECK(tc_pst_proof_decode(&err, &again, json, strlen(json), "re-encoded") == TC_OK);
        FUZZ_CHECK(all_well_formed(&again));
        check_same(&pf, &again);
        tc_pst_proof_file_free(&again);
        free(json);
    }
    tc_pst_proof_file_free(&pf);
    return 0;
}
