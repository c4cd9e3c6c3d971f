/* libFuzzer target: a sharded model folder's model.safetensors.index.json
 * (tc_weights_open).  The scratch folder holds three small shards written
 * once (a.safetensors: "w.a"; xa.safetensors: "w.xa" and "w.xb";
 * b.safetensors: "w.a" again) and the input as the index.  Any input must open or be refused with
 * a message; an opened folder must map every weight_map name to a tensor
 * that lives in exactly the shard the map names, and no name twice. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tensor/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A safetensors file with tensors t0 and, if not NULL, t1: F32 [2] each. */
static void write_shard(const char *file, const char *t0, const char *t1)
{
    char hdr[192];
    uint8_t buf[256];
    int hl = t1 == NULL
                 ? snprintf(hdr, sizeof hdr,
                            "{\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", t0)
                 : snprintf(hdr, sizeof hdr,
                            "{\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                            t0, t1);
    static const float vals[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    uint64_t n = (uint64_t)hl;
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(n >> (8 * i));
    memcpy(buf + 8, hdr, (size_t)hl);
    size_t dl = t1 == NULL ? 8 : 16;
    memcpy(buf + 8 + hl, vals, dl);
    (void)fuzz_write_file(file, buf, 8 + (size_t)hl + dl);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int shards_written;
    if (!shards_written) {
        write_shard("a.safetensors", "w.a", NULL);
        write_shard("xa.safetensors", "w.xa", "w.xb");
        write_shard("b.safetensors", "w.a", NULL);
        shards_written = 1;
    }
    (void)fuzz_write_file("model.safetensors.index.json", data, size);
    tc_error err = {0};
    tc_weights *w = NULL;
    if (tc_weights_open(&err, &w, fuzz_scratch_dir()) != TC_OK) {
        FUZZ_CHECK(w == NULL && err.msg[0] != '\0');
        return 0;
    }
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(root != NULL);
    const char *key;
    json_t *val;
    json_object_foreach(json_object_get(root, "weight_map"), key, val) {
        const tc_st_tensor *t = tc_weights_find(w, key);
        FUZZ_CHECK(t != NULL && json_is_string(val));
        FUZZ_CHECK(strcmp(base_name(tc_weights_file_of(w, t)), json_string_value(val)) == 0);
    }
    json_decref(root);
    size_t n = tc_weights_count(w);
    for (size_t i = 0; i < n; i++) {
        const tc_st_tensor *t = tc_weights_get(w, i);
        FUZZ_CHECK(t != NULL && tc_weights_find(w, t->name) == t);
    }
    tc_weights_close(w);
    return 0;
}
