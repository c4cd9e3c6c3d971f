/* tensorcommit tokenize: text to token ids with a Hugging Face tokenizer.json. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer.h"
#include "util/util.h"

#define TOKENIZE_MAX_FILE ((size_t)1 << 30)

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit tokenize --model DIR (--text TEXT | --file F)\n"
            "                             [--add-special-tokens]\n"
            "\n"
            "Encodes UTF-8 text exactly as the Hugging Face tokenizers library does\n"
            "for the BPE tokenizer in DIR/tokenizer.json (--model may also name the\n"
            "tokenizer.json itself) and prints JSON: {\"ids\": [...]}.\n"
            "\n"
            "  --model DIR             folder with tokenizer.json, or the file\n"
            "  --text TEXT             the text to encode\n"
            "  --file F                encode the whole content of F (UTF-8)\n"
            "  --add-special-tokens    add the post-processor's tokens (e.g. BOS),\n"
            "                          as add_special_tokens=True does\n"
            "\n"
            "Invalid UTF-8 is rejected with the byte offset of the first bad byte.\n"
            "exit status: 0 ok, 2 usage error, 3 bad or unsupported input\n");
    cli_help_exit_codes(f);
}

int cmd_tokenize(int argc, char **argv)
{
    static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                         {"text", required_argument, 0, 't'},
                                         {"file", required_argument, 0, 'f'},
                                         {"add-special-tokens", no_argument, 0, 's'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *model = NULL, *text = NULL, *file = NULL;
    bool add_special = false;
    int c, rc = CLI_ERROR;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 't': text = optarg; break;
        case 'f': file = optarg; break;
        case 's': add_special = true; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (model == NULL)
        return cli_usage(argv[0], "--model is required");
    if ((text == NULL) == (file == NULL))
        return cli_usage(argv[0], "give exactly one of --text and --file");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_tok *tok = NULL;
    uint8_t *data = NULL;
    uint32_t *ids = NULL;
    size_t len = 0, n = 0;
    tc_status st = tc_tok_load(&err, &tok, model);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    if (file != NULL) {
        st = tc_read_file(&err, &data, &len, file, TOKENIZE_MAX_FILE);
        if (st != TC_OK) {
            rc = cli_report(argv[0], &err, st);
            goto out;
        }
        text = (const char *)data;
    } else {
        len = strlen(text);
    }
    st = tc_tok_encode(&err, tok, &ids, &n, text, len, add_special);
    if (st != TC_OK) {
        cli_errorf(argv[0], "%s: %s", file ? file : "--text", err.msg);
        goto out;
    }
    fputs("{\"ids\": [", stdout);
    for (size_t i = 0; i < n; i++)
        printf("%s%u", i ? ", " : "", ids[i]);
    fputs("]}\n", stdout);
    rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERROR;
out:
    free(ids);
    free(data);
    tc_tok_free(tok);
    return rc;
}
