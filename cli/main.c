/* tensorcommit: the command-line front end. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const cli_command commands[] = {
#define CLI_ENTRY(name, summary) {#name, summary, cmd_##name},
    CLI_COMMANDS(CLI_ENTRY)
#undef CLI_ENTRY
};

void cli_errorf(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tensorcommit %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_report(const char *verb, const tc_error *err, tc_status s)
{
    if (err != NULL && err->msg[0] != '\0')
        cli_errorf(verb, "%s", err->msg);
    else
        cli_errorf(verb, "%s", tc_strerror(s));
    return CLI_ERROR;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit <command> [options]   (tensorcommit <command> --help)\n"
            "\n"
            "Verifiable inference: run a causal language model, commit to every\n"
            "layer's hidden states with a 32-byte PST commitment over BN254, and\n"
            "answer openings with short proofs.\n"
            "\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nexit status: 0 ok, 1 rejected, 2 usage error, 3 other error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tensorcommit %s\n", tc_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tensorcommit: unknown command '%s'\ntry 'tensorcommit --help'\n", argv[1]);
    return CLI_USAGE;
}
