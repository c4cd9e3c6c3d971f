/* bench_tokenizer: encoding and decoding speed on about 1 MB of English text
 * for the test tokenizers (GPT-2, Qwen3, stories260K/Llama-2 style).
 *
 *   bench_tokenizer [--reps N] [--mb SIZE]
 *
 * The text is built from a built-in set of English sentences, picked by a
 * seeded PRNG and mixed with random numbers, so that it is the same on every
 * run.  Before timing, each tokenizer must reproduce a known encoding and
 * decode the whole text back to itself.  Prints median / min / max seconds
 * and MB/s over the repetitions, and the machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_util.h"
#include "tokenizer/tokenizer.h"
#include "util/util.h"

static const char *const sentences[] = {
    "The quick brown fox jumps over the lazy dog.",
    "Once upon a time, there was a little girl named Lily who loved to play outside.",
    "She didn't know that the weather would change so quickly that afternoon.",
    "In 1969, astronauts landed on the Moon and walked on its dusty surface.",
    "Researchers measured the temperature every 15 minutes for three weeks.",
    "\"Where are you going?\" asked the old man, leaning on his wooden cane.",
    "The committee's report, published on Tuesday, recommends several changes.",
    "Prices rose by 4.5% last year, while wages grew by only 2.1%.",
    "It's been a long day; we're all tired, but we'll finish the job.",
    "Machine learning models are trained on large collections of text.",
    "The river flows north through the valley before it reaches the sea.",
    "He opened the door, looked around, and quietly stepped into the hall.",
    "Please send the documents by email before the end of the week.",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "They walked along the beach, collecting shells and watching the waves.",
    "The library closes at 8 p.m. on weekdays and at noon on Saturdays.",
    "After the storm, the town spent months repairing roads and bridges.",
    "Our team won the championship after a dramatic final match.",
    "Mathematics is the language in which the laws of nature are written.",
    "Tom and Anna baked a chocolate cake for their grandmother's birthday.",
};

static char *make_text(size_t target, size_t *len)
{
    tc_prng g;
    tc_prng_seed(&g, 20240501);
    char *buf = malloc(target + 256);
    size_t n = 0;
    if (buf == NULL)
        return NULL;
    while (n < target) {
        const char *s = sentences[tc_prng_below(&g, TC_ARRAY_LEN(sentences))];
        size_t k = strlen(s);
        memcpy(buf + n, s, k);
        n += k;
        uint64_t r = tc_prng_below(&g, 10);
        if (r == 0)
            n += (size_t)sprintf(buf + n, " (%u items)", (unsigned)tc_prng_below(&g, 100000));
        buf[n++] = r == 1 ? '\n' : ' ';
        if (r == 2)
            buf[n++] = '\n';
    }
    *len = n;
    buf[n] = '\0';
    return buf;
}

typedef struct model_case {
    const char *dir;
    const char *probe;          /* known encoding (from the shared case files) */
    uint32_t probe_ids[8];
    size_t n_probe;
    bool roundtrip;             /* decode(encode(text)) == text */
} model_case;

static int bench_one(const model_case *mc, const char *text, size_t len, int reps)
{
    char path[512];
    tc_error err = {0};
    tc_tok *tok = NULL;
    uint32_t *ids = NULL;
    size_t n = 0;
    char *back = NULL;
    size_t back_len = 0;
    double *enc = calloc((size_t)reps, sizeof *enc), *dec = calloc((size_t)reps, sizeof *dec);
    int rc = 1;
    /* stories260K is the bundled model; the others are test fixtures */
    snprintf(path, sizeof path, "%s/%s/%s", TC_SOURCE_DIR,
             strcmp(mc->dir, "stories260K") == 0 ? "models" : "tests/models", mc->dir);
    double t0 = tc_now();
    if (enc == NULL || dec == NULL || tc_tok_load(&err, &tok, path) != TC_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        goto out;
    }
    double t_load = tc_now() - t0;
    /* correctness first */
    if (tc_tok_encode(&err, tok, &ids, &n, mc->probe, strlen(mc->probe), false) != TC_OK ||
        n != mc->n_probe || memcmp(ids, mc->probe_ids, n * sizeof *ids) != 0) {
        fprintf(stderr, "%s: wrong encoding of \"%s\"\n", mc->dir, mc->probe);
        goto out;
    }
    free(ids);
    ids = NULL;
    for (int r = 0; r < reps; r++) {
        free(ids);
        free(back);
        ids = NULL;
        back = NULL;
        t0 = tc_now();
        if (tc_tok_encode(&err, tok, &ids, &n, text, len, false) != TC_OK) {
            fprintf(stderr, "%s: %s\n", mc->dir, err.msg);
            goto out;
        }
        enc[r] = tc_now() - t0;
        t0 = tc_now();
        if (tc_tok_decode(&err, tok, &back, &back_len, ids, n, false) != TC_OK) {
            fprintf(stderr, "%s: %s\n", mc->dir, err.msg);
            goto out;
        }
        dec[r] = tc_now() - t0;
    }
    if (mc->roundtrip && (back_len != len || memcmp(back, text, len) != 0)) {
        fprintf(stderr, "%s: decode(encode(text)) differs from the text\n", mc->dir);
        goto out;
    }
    qsort(enc, (size_t)reps, sizeof *enc, bench_cmp_double);
    qsort(dec, (size_t)reps, sizeof *dec, bench_cmp_double);
    double mb = (double)len / 1e6;
    printf("%-16s load %6.3f s | encode %8zu tokens: median %.3f s (%.2f MB/s) min %.3f max %.3f"
           " | decode median %.3f s min %.3f max %.3f\n",
           mc->dir, t_load, n, enc[reps / 2], mb / enc[reps / 2], enc[0], enc[reps - 1],
           dec[reps / 2], dec[0], dec[reps - 1]);
    rc = 0;
out:
    free(enc);
    free(dec);
    free(ids);
    free(back);
    tc_tok_free(tok);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 7;
    double mb = 1.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
            mb = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_tokenizer [--reps N] [--mb SIZE]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 1000 || !(mb > 0 && mb <= 256)) {
        fprintf(stderr, "bench_tokenizer: --reps 1..1000, --mb in (0, 256]\n");
        return 2;
    }
    static const model_case cases[] = {
        {"gpt2-tokenizer", "Hello world", {15496, 995}, 2, true},
        {"qwen-tokenizer", "Hello world", {9707, 1879}, 2, true},
        /* stories260K: no pre-tokenizer, so the whole text is one BPE word;
         * its normalizer collapses repeated spaces, so no exact round trip */
        {"stories260K", "Once upon a time", {403, 407, 261, 378}, 4, false},
    };
    size_t len = 0;
    char *text = make_text((size_t)(mb * 1e6), &len);
    char cpu[256];
    if (text == NULL)
        return 3;
    bench_cpu_model(cpu, sizeof cpu);
    printf("bench_tokenizer: %.2f MB of English text, %d repetitions, 1 thread\n"
           "machine: %s\n",
           (double)len / 1e6, reps, cpu);
    int rc = 0;
    for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++)
        rc |= bench_one(&cases[i], text, len, reps);
    free(text);
    return rc ? 1 : 0;
}
