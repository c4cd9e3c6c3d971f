/* tensorcommit generate: text generation with a Hugging Face causal LM. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "util/util.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit generate --model DIR (--prompt TEXT | --tokens 1,2,3)\n"
            "                             [--max-new-tokens N] [--temperature T] [--top-k K]\n"
            "                             [--top-p P] [--seed S] [--deterministic] [--threads N]\n"
            "                             [--quiet]\n"
            "\n"
            "Generates a continuation with the model in DIR (config.json, model.safetensors\n"
            "or a sharded index, tokenizer.json for --prompt; llama, mistral, qwen2, gpt2).\n"
            "The prompt is encoded with the tokenizer's special tokens (BOS for llama).\n"
            "Prints the prompt and the continuation on stdout, speeds on stderr.\n"
            "\n"
            "  --max-new-tokens N  at most N new tokens (default 256; also bounded by the\n"
            "                      model's context)\n"
            "  --temperature T     0 (default) = greedy argmax; > 0 samples softmax(logits/T)\n"
            "  --top-k K           sample among the K most likely tokens (0 = all)\n"
            "  --top-p P           sample among the smallest set with mass >= P (1 = all)\n"
            "  --seed S            sampling seed (default 0): same seed, same text\n"
            "  --deterministic     fixed-order kernels: identical results for any thread\n"
            "                      count and x86-64 machine (same build); slower\n"
            "  --threads N         threads (default: the usable CPUs, at most 64)\n"
            "  --quiet             no speed or summary line on stderr\n"
            "Generation stops after an end token: every eos id of config.json and\n"
            "generation_config.json, plus BOS for llama models whose BOS differs from\n"
            "EOS (story models such as stories260K end a text by emitting BOS).\n"
            "Environment: TC_HUGE_PAGES=1 copies F32 weights into huge pages at load\n"
            "(decoding a few %% faster, loading slower; for long generations).\n");
    cli_help_exit_codes(f);
}



static int parse(int argc, char **argv, cli_gen_args *a)
{
    static const struct option opts[] = {CLI_GEN_OPTIONS, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c, h;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        h = cli_gen_option(a, c, optarg, argv[0]);
        if (h != 0) {
            if (h < 0)
                return CLI_USAGE;
            continue;
        }
        switch (c) {
        case 'h': help(stdout); return -1;
        default: return CLI_USAGE;
        }
    }
    if (a->model == NULL)
        return cli_usage(argv[0], "--model is required");
    if ((a->prompt == NULL) == (a->tokens == NULL))
        return cli_usage(argv[0], "give exactly one of --prompt and --tokens");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    return CLI_OK;
}

typedef struct timing {
    double t0, first;
    size_t n;
} timing;

static bool on_token(void *ctx, int32_t tok)
{
    timing *t = ctx;
    (void)tok;
    if (t->n++ == 0)
        t->first = tc_now();
    return true;
}

int cmd_generate(int argc, char **argv)
{
    if (cli_wants_remote(argc, argv))
        return cli_generate_remote(argc, argv);
    cli_gen_args a = {.max_new = 256, .threads = cli_default_threads(), .top_p = 1.0f};
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    tc_error err = {0};
    tc_model *m = NULL;
    tc_tok *tok = NULL;
    tc_session *s = NULL;
    int32_t *ids = NULL, *out = NULL;
    char *text = NULL;
    size_t n_prompt = 0, n_out = 0;
    tc_status st;
    rc = CLI_ERROR;
    st = tc_model_load(&err, &m, a.model);
    if (st == TC_OK)
        st = tc_engine_tokenizer(&err, &tok, a.model);
    if (st != TC_OK)
        goto fail;
    rc = cli_prompt_ids(argv[0], m, tok, a.model, a.prompt, a.tokens, &ids, &n_prompt);
    if (rc != CLI_OK)
        goto out;
    rc = CLI_ERROR;
    rc = cli_open_session(argv[0], m, &a, n_prompt, &s, &out);
    if (rc != CLI_OK)
        goto out;
    rc = CLI_ERROR;
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(m, stop);
    tc_sampler smp = {.temperature = a.temperature, .top_k = a.top_k, .top_p = a.top_p,
                      .seed = a.seed};
    timing tm = {.t0 = tc_now()};
    st = tc_generate(&err, s, ids, n_prompt, (size_t)a.max_new, &smp, stop, n_stop, out,
                     &n_out, on_token, &tm);
    if (st != TC_OK)
        goto fail;
    double t1 = tc_now();
    if (tok != NULL) {
        st = tc_engine_decode(&err, tok, out, n_out, &text);
        if (st != TC_OK)
            goto fail;
        printf("%s\n", text);
    } else {
        for (size_t i = 0; i < n_out; i++)
            printf(i ? ",%d" : "%d", out[i]);
        printf("\n");
    }
    size_t n_new = n_out - n_prompt;
    if (!a.quiet)
        fprintf(stderr, "%zu prompt + %zu new tokens; prefill %.1f tok/s, decode %.1f tok/s (%d thread%s%s)\n",
            n_prompt, n_new, tm.n ? (double)n_prompt / (tm.first - tm.t0) : 0.0,
            n_new > 1 ? (double)(n_new - 1) / (t1 - tm.first) : 0.0, a.threads,
            a.threads == 1 ? "" : "s", a.deterministic ? ", deterministic" : "");
    rc = CLI_OK;
    goto out;
fail:
    rc = cli_report(argv[0], &err, st);
out:
    free(text);
    free(out);
    free(ids);
    tc_session_free(s);
    tc_tok_free(tok);
    tc_model_free(m);
    return rc;
}
