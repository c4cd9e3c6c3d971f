/* verify_proof: checks a proof.json against a verification key, using only
 * the installed library:
 *
 *   cc verify_proof.c $(pkg-config --cflags --libs tensorcommit) -o verify_proof
 *   ./verify_proof vk.json proof.json [COMMITMENT_HEX]
 *
 * Prints "valid" or "invalid: REASON".  Exit codes as `tensorcommit verify`:
 * 0 valid, 1 rejected, 2 usage, 3 an input cannot be read. */
#include <tensorcommit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file in a malloc'd buffer, NULL with a message on failure. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    } else {
        fprintf(stderr, "verify_proof: %s: cannot read\n", path);
        free(buf);
        buf = NULL;
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: verify_proof vk.json proof.json [COMMITMENT_HEX]\n");
        return 2;
    }
    tc_error err = {0};
    tc_vk *vk = NULL;
    tc_proof *proof = NULL;
    size_t len = 0;
    bool ok = false;
    int rc = 3;
    char *text = read_all(argv[2], &len);
    if (text == NULL)
        goto out;
    if (tc_vk_load(&err, &vk, argv[1], 1) != TC_OK ||
        tc_proof_from_json(&err, &proof, text, len) != TC_OK) {
        fprintf(stderr, "verify_proof: %s\n", err.msg);
        goto out;
    }
    if (argc == 4) {
        tc_commitment want, got;
        char hex[65];
        if (tc_commitment_from_hex(&err, &want, argv[3]) != TC_OK) {
            fprintf(stderr, "verify_proof: %s\n", err.msg);
            rc = 2;
            goto out;
        }
        tc_proof_commitment(&got, proof);
        tc_commitment_to_hex(hex, &got);
        if (memcmp(want.bytes, got.bytes, sizeof want.bytes) != 0) {
            printf("invalid: the proof's commitment %s is not the one given\n", hex);
            rc = 1;
            goto out;
        }
    }
    if (tc_proof_verify_var(&err, &ok, vk, proof) != TC_OK) {
        fprintf(stderr, "verify_proof: %s\n", err.msg);
        goto out;
    }
    if (tc_vk_is_testing(vk))
        printf("WARNING: the key is for testing only: this verification proves nothing\n");
    if (ok)
        printf("valid: %zu openings, %zu slices\n", tc_proof_n_openings(proof),
               tc_proof_n_slices(proof));
    else
        printf("invalid: %s\n", err.msg);
    rc = ok ? 0 : 1;
out:
    tc_proof_free(proof);
    tc_vk_free(vk);
    free(text);
    return rc;
}
