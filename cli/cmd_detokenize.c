/* tensorcommit detokenize: token ids to text with a Hugging Face tokenizer.json. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit detokenize --model DIR --ids ID,ID,...\n"
            "                               [--skip-special-tokens]\n"
            "\n"
            "Decodes token ids as the Hugging Face tokenizers library does for the\n"
            "tokenizer in DIR/tokenizer.json (--model may also name the file) and\n"
            "prints the text followed by one newline.\n"
            "\n"
            "  --model DIR              folder with tokenizer.json, or the file\n"
            "  --ids LIST               comma-separated decimal token ids\n"
            "  --skip-special-tokens    drop special tokens (e.g. <s>, <|endoftext|>)\n"
            "\n"
            "exit status: 0 ok, 2 usage error or an id outside the vocabulary,\n"
            "3 bad or unsupported tokenizer\n");
    cli_help_exit_codes(f);
}

/* "1,2,3" -> ids; false on anything malformed.  *ids is malloc'd. */
static bool parse_ids(const char *s, uint32_t **ids, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    *ids = malloc(cap * sizeof **ids);
    *n = 0;
    if (*ids == NULL)
        return false;
    const char *p = s;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9')
            return false;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno != 0 || v > UINT32_MAX || (*end != ',' && *end != '\0'))
            return false;
        (*ids)[(*n)++] = (uint32_t)v;
        if (*end == '\0')
            return true;
        p = end + 1;
    }
}

int cmd_detokenize(int argc, char **argv)
{
    static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                         {"ids", required_argument, 0, 'i'},
                                         {"skip-special-tokens", no_argument, 0, 's'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *model = NULL, *ids_s = NULL;
    bool skip = false;
    int c, rc = CLI_ERROR;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'i': ids_s = optarg; break;
        case 's': skip = true; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (model == NULL)
        return cli_usage(argv[0], "--model is required");
    if (ids_s == NULL)
        return cli_usage(argv[0], "--ids is required");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_tok *tok = NULL;
    uint32_t *ids = NULL;
    char *text = NULL;
    size_t n = 0, len = 0;
    if (!parse_ids(ids_s, &ids, &n)) {
        cli_usage(argv[0], "--ids: expected comma-separated decimal ids, got \"%.60s\"", ids_s);
        rc = CLI_USAGE;
        goto out;
    }
    tc_status st = tc_tok_load(&err, &tok, model);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (tc_tok_id_to_token(tok, ids[i], NULL) == NULL) {
            cli_usage(argv[0], "--ids: id %u is not in the vocabulary of %s (size %zu)", ids[i],
                       model, tc_tok_vocab_size(tok));
            rc = CLI_USAGE;
            goto out;
        }
    st = tc_tok_decode(&err, tok, &text, &len, ids, n, skip);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    fwrite(text, 1, len, stdout);
    fputc('\n', stdout);
    rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERROR;
out:
    free(text);
    free(ids);
    tc_tok_free(tok);
    return rc;
}
