/* libFuzzer target: the layer-selection JSON readers, which take paths (the
 * input goes to a scratch file): MV-BCS instances and eigenvalue files, with
 * no case id and with case "c0", and scores files.  Any input must load or
 * be refused with a message; what loads must hold the documented ranges. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "select/select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_instance(const char *path, const char *case_id)
{
    tc_error err = {0};
    tc_mvbcs_instance inst;
    if (tc_mvbcs_instance_read(&err, &inst, path, case_id) != TC_OK) {
        FUZZ_CHECK(inst.values == NULL && inst.costs == NULL && inst.budgets == NULL);
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    for (size_t i = 0; i < inst.L; i++)
        FUZZ_CHECK(isfinite(inst.values[i]) && inst.values[i] >= 0 && inst.costs[i] > 0);
    tc_mvbcs_instance_free(&inst);
}

static void check_eigenvalues(const char *path, const char *case_id)
{
    tc_error err = {0};
    double *ev = NULL;
    size_t n = 0;
    if (tc_select_eigenvalues_read(&err, &ev, &n, path, case_id) != TC_OK) {
        FUZZ_CHECK(ev == NULL && n == 0 && err.msg[0] != '\0');
        return;
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(isfinite(ev[i]) && ev[i] >= 0);
    free(ev);
}

static void check_scores(const char *path)
{
    tc_error err = {0};
    tc_select_scores s;
    tc_select_scores_init(&s);
    if (tc_select_scores_read(&err, &s, path) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
    } else {
        size_t nb = s.map.num_blocks;
        FUZZ_CHECK(s.num_layers > 0 && nb > 0 && s.num_layers % nb == 0);
        for (size_t l = 0; l < s.num_layers; l++)
            FUZZ_CHECK(s.layers[l].block_index < nb && s.layers[l].num_parameters > 0);
        for (size_t b = 0; b < nb; b++)
            FUZZ_CHECK(s.blocks[b].start_layer <= s.blocks[b].end_layer &&
                       s.blocks[b].end_layer < s.num_layers);
    }
    tc_select_scores_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("input.json", data, size);
    check_instance(path, NULL);
    check_instance(path, "c0");
    check_eigenvalues(path, NULL);
    check_eigenvalues(path, "c0");
    check_scores(path);
    return 0;
}
