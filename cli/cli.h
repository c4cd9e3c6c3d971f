/* The tensorcommit command line: one cmd_<verb>.c per subcommand.
 * Exit codes: 0 success / valid, 1 rejected, 2 usage, 3 any other error. */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tensor/quantize.h"
#include "tensorcommit.h"

enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2, CLI_ERROR = 3 };

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the verb */
} cli_command;

#define CLI_COMMANDS(X)                                                        \
    X(selftest, "check the known-answer vectors and time the core operations") \
    X(run, "generate, capture, quantize, lay out, commit, open and verify")    \
    X(setup, "make a structured reference string (SRS) for a grid shape")     \
    X(vk, "extract the verification key from an SRS")                        \
    X(commit, "commit to an int64 grid (.npy)")                               \
    X(open, "open a committed grid at points or slices")                      \
    X(verify, "verify openings, or re-check a whole run folder")             \
    X(challenge, "verifier: draw the block ranges to re-execute")             \
    X(respond, "prover: open the layers a challenge asks for")                \
    X(audit, "verifier: check a response by partial re-execution")           \
    X(serve, "prover: serve generation, receipts and openings over HTTP")     \
    X(interpolate, "export monomial coefficients (research format)")          \
    X(tokenize, "text to token ids with a Hugging Face tokenizer.json")       \
    X(detokenize, "token ids to text")                                        \
    X(generate, "generate text with a Hugging Face causal language model")    \
    X(capture, "record every layer's hidden states")                          \
    X(quantize, "float hidden states to integers")                            \
    X(layout, "lay integers out as a grid")                                   \
    X(locate, "map grid coordinates to (layer, token, hidden) and back")      \
    X(select, "layer significance scores and verifier range selection")

#define CLI_DECLARE(name, summary) int cmd_##name(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* Prints "tensorcommit <verb>: <message>" on stderr (one line). */
void cli_errorf(const char *verb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the error's message (or its status name) and returns CLI_ERROR. */
int cli_report(const char *verb, const tc_error *err, tc_status s);

/* The prompt as ids: `prompt` through the tokenizer (tok may be NULL: an
 * error then) or the comma-separated `tokens`.  Prints its own message;
 * returns CLI_OK, CLI_USAGE or CLI_ERROR.  *ids is malloc'd. */
typedef struct tc_model tc_model;
typedef struct tc_tok tc_tok;
int cli_prompt_ids(const char *verb, const tc_model *m, const tc_tok *tok, const char *model_dir,
                   const char *prompt, const char *tokens, int32_t **ids, size_t *n_ids);

/* The generation options shared by generate and capture. */
typedef struct cli_gen_args {
    const char *model, *prompt, *tokens;
    int max_new, top_k, threads;
    float temperature, top_p;
    uint64_t seed;
    bool deterministic;
    bool quiet;                 /* --quiet: no progress or speed lines on stderr */
} cli_gen_args;
/* Their getopt_long entries (codes m p T n t k P s d j z), to open a table. */
#define CLI_GEN_OPTIONS                                                          \
    {"model", required_argument, 0, 'm'},       {"prompt", required_argument, 0, 'p'},  \
    {"tokens", required_argument, 0, 'T'},      {"max-new-tokens", required_argument, 0, 'n'}, \
    {"temperature", required_argument, 0, 't'}, {"top-k", required_argument, 0, 'k'},   \
    {"top-p", required_argument, 0, 'P'},       {"seed", required_argument, 0, 's'},    \
    {"deterministic", no_argument, 0, 'd'},     {"threads", required_argument, 0, 'j'}, \
    {"quiet", no_argument, 0, 'z'}
/* Takes one option: 1 when it was one of them, 0 when not, −1 when its value
 * is invalid (the message is printed). */
int cli_gen_option(cli_gen_args *a, int code, const char *arg, const char *verb);

/* A session sized for the prompt and a->max_new tokens, and a token buffer
 * for both (*seq, malloc'd).  Prints its own message; returns CLI_OK or
 * CLI_ERROR (the caller frees *s and *seq either way). */
typedef struct tc_session tc_session;
int cli_open_session(const char *verb, const tc_model *m, const cli_gen_args *a, size_t n_prompt,
                     tc_session **s, int32_t **seq);

/* tensorcommit verify --run (cmd_verify_run.c). */
int cli_verify_run(int argc, char **argv);

/* The same verbs against a `tensorcommit serve` prover (cmd_remote.c,
 * cmd_remote_steps.c), taken when --prover-url is among the arguments. */
bool cli_wants_remote(int argc, char **argv);
int cli_audit_remote(int argc, char **argv);
int cli_generate_remote(int argc, char **argv);
int cli_open_remote(int argc, char **argv);

/* Parsing helpers: whole-string decimal integers (u64 also takes 0x…);
 * false on anything else. */
bool cli_parse_i64(const char *s, int64_t *v);
bool cli_parse_u64(const char *s, uint64_t *v);
bool cli_parse_int(const char *s, int lo, int hi, int *v);
/* The default --threads of every command: the CPUs this process may run on
 * (its affinity mask, else the online CPUs), at most CLI_MAX_DEFAULT_THREADS
 * (beyond that the MSM and the matrix products gain little and each thread
 * costs memory). */
#define CLI_MAX_DEFAULT_THREADS 64
int cli_default_threads(void);
/* Parses --threads (1..256) into *threads, or says why on stderr and
 * returns false (the caller exits with CLI_USAGE). */
bool cli_threads_option(const char *verb, const char *arg, int *threads);
/* Usage errors and help, the same in every command.
 * cli_getopt: getopt_long with -h as well as --help and no messages of
 * getopt's own; an unknown option or one missing its value prints one line
 * naming it and "try 'tensorcommit VERB --help'" (VERB is argv[0]) and
 * returns '?', so the caller just returns CLI_USAGE.
 * cli_usage: prints "tensorcommit VERB: <message>" and the same hint;
 * returns CLI_USAGE.  cli_extra_args: a cli_usage for a stray argument
 * (argv[optind]) or CLI_OK.  cli_help_exit_codes ends every --help. */
int cli_getopt(int argc, char **argv, const struct option *opts);
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_extra_args(const char *verb, int argc, char **argv, int optind_);
void cli_help_exit_codes(FILE *f);

/* "1,2,3" → out; returns the count, or −1 when malformed or more than max. */
int cli_parse_u64_list(const char *s, uint64_t *out, int max);

/* The quantization options shared by quantize and run:
 * --scale-factor (code 's'), --quantize ('q'), --binary-scale ('b'). */
typedef struct cli_quant { int scale, quant, bscale; bool binary, decimal_set; } cli_quant;
void cli_quant_init(cli_quant *q);                 /* decimal 16, 50 */
/* Takes one option's value; false (after a message) when it is invalid. */
bool cli_quant_option(cli_quant *q, int code, const char *arg, const char *verb);
/* The parameters the options give; false (after a message) on a conflict. */
bool cli_quant_params(const cli_quant *q, tc_quant_params *out, const char *verb);

/* False, after saying why, when path is "-" (standard output) for an option
 * whose output cannot go there (`why` completes "--opt -: ..."). */
bool cli_not_stdout(const char *verb, const char *opt, const char *path, const char *why);

/* Writes a data file and the meta file that describes it (`quantize`,
 * `layout`): both or neither.  Unless force, an existing meta file that
 * records another data file is refused (tc_meta_check_owner).  Returns
 * CLI_OK or, after a one-line message, CLI_ERROR. */
int cli_write_with_meta(const char *verb, const char *data_path, const void *data, size_t len,
                        const char *meta_path, const char *meta_text, bool force);

/* "dir/of/path/<name>" for a file beside `path` (malloc'd; NULL on OOM). */
char *cli_sibling_path(const char *path, const char *name);

#endif
