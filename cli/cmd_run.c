/* tensorcommit run: generate, capture, quantize, lay out, commit, open, verify. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/run.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit run --model DIR --prompt \"...\" --out RUNDIR\n"
            "            [--max-new-tokens 30] [--temperature 0 --top-k 0 --top-p 1]\n"
            "            [--srs srs.tcs] [--scale-factor 16 --quantize 50 | --binary-scale K]\n"
            "            [--layout structured|flat] [--num-queries 10] [--seed 0]\n"
            "            [--threads N] [--deterministic] [--no-open] [--force] [--quiet]\n"
            "            [--json]\n"
            "\n"
            "The prover's whole job: generates text with the model, records every layer's\n"
            "hidden states, turns them into integers, lays them out as a grid, commits to\n"
            "the grid, opens --num-queries random values and one layer slice, verifies the\n"
            "proofs and checks every opened value against the grid.  With --no-open it\n"
            "stops after committing: openings then come from verifiers' challenges\n"
            "(tensorcommit challenge / respond / audit).  --deterministic runs are\n"
            "audited exactly: every block reads the dequantized committed values.\n"
            "\n"
            "Without --srs a SEEDED reference string is made for the grid's shape (testing\n"
            "only: anyone who knows the seed can forge proofs) and saved as RUNDIR/srs.tcs.\n"
            "RUNDIR receives receipt.json, grid.npy, layout.json, quantization.json,\n"
            "commitment.txt, proofs.json, results.json, vk.json, stats.json and the capture\n"
            "(hidden_states.npy, tokens.npy).  The run is built in a hidden folder beside\n"
            "RUNDIR and moved into place when complete: a failed run leaves RUNDIR as it\n"
            "was.  A RUNDIR that is not empty is refused; --force replaces the run in it.\n"
            "Check it again later with\n"
            "  tensorcommit verify --srs RUNDIR/srs.tcs --proof RUNDIR/proofs.json\n"
            "or tensorcommit verify --run RUNDIR.\n"
            "  --threads N   threads (default: the usable CPUs, at most 64)\n"
            "  --quiet       no progress lines on stderr\n"
            "  --json        print the summary as one JSON object (docs/formats.md)\n");
    cli_help_exit_codes(f);
}

static void log_line(void *ctx, const char *line)
{
    double *t0 = ctx;
    fprintf(stderr, "[%7.2fs] %s\n", tc_now() - *t0, line);
}

/* The summary as one JSON object (docs/formats.md, "run --json"). */
static int print_json(const tc_run_opts *o, const tc_run_summary *s)
{
    json_t *r = json_object(), *t = json_object();
    json_object_set_new(r, "valid", json_boolean(s->all_verified && s->all_matched));
    json_object_set_new(r, "run_dir", json_string(o->out_dir));
    json_object_set_new(r, "prompt", json_string(o->prompt));
    json_object_set_new(r, "text", json_string(s->text));
    json_object_set_new(r, "n_prompt", json_integer((json_int_t)s->n_prompt));
    json_object_set_new(r, "n_tokens", json_integer((json_int_t)s->n_tokens));
    json_object_set_new(r, "n_values", json_integer((json_int_t)s->n_values));
    json_object_set_new(r, "grid_size", json_integer((json_int_t)s->grid_size));
    json_object_set_new(r, "grid_vars", json_integer(s->grid_vars));
    json_object_set_new(r, "commitment", json_string(s->commitment_hex));
    json_object_set_new(r, "srs_id", json_string(s->srs_id_hex));
    json_object_set_new(r, "srs_seeded", json_boolean(s->srs_seeded));
    json_object_set_new(r, "n_openings", json_integer((json_int_t)s->n_openings));
    json_object_set_new(r, "n_verified", json_integer((json_int_t)s->n_verified));
    json_object_set_new(r, "n_matched", json_integer((json_int_t)s->n_matched));
    const struct { const char *name; double t; } rows[] = {
        {"load", s->t_load},         {"generate", s->t_generate}, {"capture", s->t_capture},
        {"quantize", s->t_quantize}, {"layout", s->t_layout},     {"setup", s->t_setup},
        {"commit", s->t_commit},     {"open", s->t_open},         {"verify", s->t_verify},
        {"write", s->t_write}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        json_object_set_new(t, rows[i].name, json_real(rows[i].t));
    json_object_set_new(r, "seconds", t);
    char *text = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(r);
    if (text == NULL)
        return cli_errorf("run", "out of memory"), CLI_ERROR;
    printf("%s\n", text);
    free(text);
    return s->all_verified && s->all_matched ? CLI_OK : CLI_REJECTED;
}

/* The summary for a person: the run, the stage timings and the openings. */
static int print_text(const tc_run_opts *o, const tc_run_summary *s)
{
    printf("prompt          %s\n", o->prompt);
    printf("text            %s\n", s->text);
    printf("run folder      %s\n", o->out_dir);
    printf("tokens          %zu (%zu prompt + %zu generated)\n", s->n_tokens, s->n_prompt,
           s->n_tokens - s->n_prompt);
    printf("values          %zu hidden-state integers in a grid of %zu (%d variables)\n",
           s->n_values, s->grid_size, s->grid_vars);
    printf("commitment      %s\n", s->commitment_hex);
    printf("srs id          %s%s%s%s\n", s->srs_id_hex, s->srs_testing ? "  (" : "",
           s->srs_testing ? s->srs_origin : "", s->srs_testing ? ": testing only)" : "");
    printf("\n%-12s %10s\n", "stage", "seconds");
    const struct { const char *name; double t; } rows[] = {
        {"load model", s->t_load}, {"generate", s->t_generate}, {"capture", s->t_capture},
        {"quantize", s->t_quantize}, {"layout", s->t_layout},   {"setup", s->t_setup},
        {"commit", s->t_commit},     {"open", s->t_open},       {"verify", s->t_verify},
        {"write files", s->t_write}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("%-12s %10.4f\n", rows[i].name, rows[i].t);
    double over = s->t_capture + s->t_quantize + s->t_layout + s->t_commit;
    if (s->t_generate > 0)
        printf("\ncapture + quantize + layout + commit = %.1f%% of the generation time\n",
               100.0 * over / s->t_generate);
    if (o->no_open) {
        printf("\nopenings        none (--no-open)\n");
        return CLI_OK;
    }
    printf("\nopenings        %zu (%zu points + 1 layer slice)\n", s->n_openings, s->n_openings - 1);
    printf("verified        %zu / %zu%s\n", s->n_verified, s->n_openings,
           s->all_verified ? "" : "  <-- FAILED");
    printf("match the grid  %zu / %zu%s\n", s->n_matched, s->n_openings,
           s->all_matched ? "" : "  <-- FAILED");
    return s->all_verified && s->all_matched ? CLI_OK : CLI_REJECTED;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},        {"prompt", required_argument, 0, 'p'},
        {"out", required_argument, 0, 'o'},          {"max-new-tokens", required_argument, 0, 'n'},
        {"temperature", required_argument, 0, 'T'},  {"top-k", required_argument, 0, 'K'},
        {"top-p", required_argument, 0, 'P'},        {"srs", required_argument, 0, 'S'},
        {"scale-factor", required_argument, 0, 's'}, {"quantize", required_argument, 0, 'q'},
        {"binary-scale", required_argument, 0, 'b'}, {"layout", required_argument, 0, 'l'},
        {"num-queries", required_argument, 0, 'Q'},  {"seed", required_argument, 0, 'e'},
        {"threads", required_argument, 0, 't'},      {"deterministic", no_argument, 0, 'd'},
        {"no-open", no_argument, 0, 'N'},            {"force", no_argument, 0, 'F'},
        {"quiet", no_argument, 0, 'z'},              {"json", no_argument, 0, 'J'},
        {"help", no_argument, 0, 'h'},               {0, 0, 0, 0}};
    bool quiet = false, as_json = false;
    tc_run_opts o;
    tc_run_opts_default(&o);
    o.n_threads = cli_default_threads();
    cli_quant qo;
    cli_quant_init(&qo);
    int64_t i64;
    uint64_t u64;
    char *end;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'm': o.model_dir = optarg; break;
        case 'p': o.prompt = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'S': o.srs_path = optarg; break;
        case 'd': o.deterministic = true; break;
        case 'F': o.force = true; break;
        case 'z': quiet = true; break;
        case 'J': as_json = true; break;
        case 'n':
            if (!cli_parse_i64(optarg, &i64) || i64 < 0 || i64 > 1000000)
                return cli_usage(argv[0], "--max-new-tokens must be an integer in 0..1000000");
            o.max_new_tokens = (size_t)i64;
            break;
        case 'T':
            o.temperature = strtof(optarg, &end);
            if (*end != '\0' || !(o.temperature >= 0.0f) || o.temperature > 100.0f)
                return cli_usage(argv[0], "--temperature must be a number in 0..100");
            break;
        case 'K':
            if (!cli_parse_int(optarg, 0, 1 << 30, &o.top_k))
                return cli_usage(argv[0], "--top-k must be a non-negative integer");
            break;
        case 'P':
            o.top_p = strtof(optarg, &end);
            if (*end != '\0' || !(o.top_p > 0.0f && o.top_p <= 1.0f))
                return cli_usage(argv[0], "--top-p must be in (0, 1]");
            break;
        case 's':
        case 'q':
        case 'b':
            if (!cli_quant_option(&qo, c, optarg, argv[0]))
                return CLI_USAGE;
            break;
        case 'l':
            if (!strcmp(optarg, "structured"))
                o.layout = TC_LAYOUT_STRUCTURED;
            else if (!strcmp(optarg, "flat"))
                o.layout = TC_LAYOUT_FLAT;
            else
                return cli_usage(argv[0], "--layout must be structured or flat");
            break;
        case 'Q':
            if (!cli_parse_i64(optarg, &i64) || i64 < 0 || i64 > 100000)
                return cli_usage(argv[0], "--num-queries must be in 0..100000");
            o.num_queries = (size_t)i64;
            break;
        case 'e':
            if (!cli_parse_u64(optarg, &u64))
                return cli_usage(argv[0], "--seed must be a non-negative integer");
            o.seed = u64;
            break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &o.n_threads))
                return CLI_USAGE;
            break;
        case 'N': o.no_open = true; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (o.model_dir == NULL || o.prompt == NULL || o.out_dir == NULL)
        return cli_usage(argv[0], "%s is required", o.model_dir == NULL ? "--model"
                                                    : o.prompt == NULL  ? "--prompt"
                                                                        : "--out");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (!cli_quant_params(&qo, &o.quant, argv[0]))
        return CLI_USAGE;
    if (!cli_not_stdout(argv[0], "--out", o.out_dir, "a run is a folder of files"))
        return CLI_USAGE;
    tc_error err = {0};
    tc_status st;

    double t0 = tc_now();
    o.log = quiet ? NULL : log_line;
    o.log_ctx = &t0;
    tc_run_summary s;
    st = tc_run(&err, &s, &o);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);

    if (as_json)
        return print_json(&o, &s);
    return print_text(&o, &s);
}
