/* tensorcommit detokenize — not implemented yet. */
#include "cli.h"

int cmd_detokenize(int argc, char **argv)
{
    (void)argc;
    cli_errorf(argv[0], "not implemented yet");
    return CLI_ERROR;
}
