/* tensorcommit capture: generate, then record every layer's hidden states
 * and the logits in one forward pass over the whole sequence. */
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
            "usage: tensorcommit capture --model DIR (--prompt TEXT | --tokens 1,2,3) --out OUT\n"
            "                            [--max-new-tokens N] [--temperature T] [--top-k K]\n"
            "                            [--top-p P] [--seed S] [--deterministic] [--threads N]\n"
            "                            [--quiet]\n"
            "\n"
            "Generates (greedy unless --temperature > 0) after the prompt, then runs one\n"
            "forward pass over prompt + generated tokens and writes to the folder OUT:\n"
            "  hidden_states.npy  float32 [L+1, seq, hidden]: embeddings, each block's\n"
            "                     output, the last one after the final norm (HF\n"
            "                     output_hidden_states)\n"
            "  tokens.npy         int64 [seq]\n"
            "  logits.npy         float32 [seq, vocab], every position\n"
            "  stats.json         model, prompt, generated text, per layer name, shape, min,\n"
            "                     max, mean, dtype, precision bits\n"
            "All four files are written or none (temporary names, renamed at the end).\n"
            "\n"
            "  --max-new-tokens N  new tokens (default 32 with --prompt, 0 with --tokens:\n"
            "                      token input with 0 needs no tokenizer and no generation)\n"
            "  --deterministic     fixed-order kernels: the same bytes for any thread count\n"
            "                      and x86-64 machine (same build)\n"
            "  --threads N         threads (default: the usable CPUs, at most 64)\n"
            "  --quiet             no speed or summary line on stderr\n"
            "The sampling options and stop tokens are those of `tensorcommit generate`.\n");
    cli_help_exit_codes(f);
}

static int parse(int argc, char **argv, cli_gen_args *a, const char **out)
{
    static const struct option opts[] = {CLI_GEN_OPTIONS, {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
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
        case 'o': *out = optarg; break;
        case 'h': help(stdout); return -1;
        default: return CLI_USAGE;
        }
    }
    if (a->model == NULL)
        return cli_usage(argv[0], "--model is required");
    if (*out == NULL)
        return cli_usage(argv[0], "--out is required");
    if ((a->prompt == NULL) == (a->tokens == NULL))
        return cli_usage(argv[0], "give exactly one of --prompt and --tokens");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (a->max_new < 0)
        a->max_new = a->prompt != NULL ? 32 : 0;
    return CLI_OK;
}

int cmd_capture(int argc, char **argv)
{
    cli_gen_args a = {.max_new = -1, .threads = cli_default_threads(), .top_p = 1.0f};
    const char *out_dir = NULL;
    int rc = parse(argc, argv, &a, &out_dir);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!cli_not_stdout(argv[0], "--out", out_dir, "capture writes a folder of files"))
        return CLI_USAGE;
    tc_error err = {0};
    tc_model *m = NULL;
    tc_tok *tok = NULL;
    tc_session *s = NULL;
    int32_t *ids = NULL, *seq = NULL;
    float *hidden = NULL, *logits = NULL;
    char *text = NULL;
    size_t n_prompt = 0, n_seq = 0;
    tc_status st;
    rc = CLI_ERROR;
    st = tc_model_load(&err, &m, a.model);
    if (st != TC_OK)
        goto fail;
    const tc_model_config *cfg = tc_model_cfg(m);
    if (a.prompt != NULL || a.max_new > 0) {
        st = tc_engine_tokenizer(&err, &tok, a.model);
        if (st != TC_OK)
            goto fail;
    }
    rc = cli_prompt_ids(argv[0], m, tok, a.model, a.prompt, a.tokens, &ids, &n_prompt);
    if (rc != CLI_OK)
        goto out;
    rc = CLI_ERROR;
    rc = cli_open_session(argv[0], m, &a, n_prompt, &s, &seq);
    if (rc != CLI_OK)
        goto out;
    rc = CLI_ERROR;
    if (a.max_new > 0) {
        int32_t stop[TC_MAX_STOP_IDS + 1];
        size_t n_stop = tc_model_default_stop(m, stop);
        tc_sampler smp = {.temperature = a.temperature, .top_k = a.top_k, .top_p = a.top_p,
                          .seed = a.seed};
        st = tc_generate(&err, s, ids, n_prompt, (size_t)a.max_new, &smp, stop, n_stop, seq,
                         &n_seq, NULL, NULL);
        if (st != TC_OK)
            goto fail;
    } else {
        memcpy(seq, ids, n_prompt * sizeof *seq);
        n_seq = n_prompt;
    }
    size_t L = (size_t)cfg->n_layers, dim = (size_t)cfg->dim, V = (size_t)cfg->vocab;
    hidden = malloc((L + 1) * n_seq * dim * sizeof *hidden);
    logits = malloc(n_seq * V * sizeof *logits);
    if (hidden == NULL || logits == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory for %zu positions", n_seq);
        goto fail;
    }
    st = tc_capture(&err, s, seq, n_seq, hidden, NULL, logits);
    if (st != TC_OK)
        goto fail;
    if (tok != NULL)
        st = tc_engine_decode(&err, tok, seq + n_prompt, n_seq - n_prompt, &text);
    if (st != TC_OK)
        goto fail;
    tc_capture_out co = {.model_dir = a.model, .prompt = a.prompt, .text = text, .tokens = seq,
                         .n_tokens = n_seq, .n_prompt = n_prompt, .hidden = hidden,
                         .logits = logits, .deterministic = a.deterministic};
    st = tc_capture_write(&err, out_dir, m, &co);
    if (st != TC_OK)
        goto fail;
    if (!a.quiet)
        fprintf(stderr, "%s: %zu tokens (%zu prompt), %zu layers x %zu hidden\n", out_dir,
                n_seq, n_prompt, L + 1, dim);
    rc = CLI_OK;
    goto out;
fail:
    rc = cli_report(argv[0], &err, st);
out:
    free(text);
    free(hidden);
    free(logits);
    free(seq);
    free(ids);
    tc_session_free(s);
    tc_tok_free(tok);
    tc_model_free(m);
    return rc;
}
