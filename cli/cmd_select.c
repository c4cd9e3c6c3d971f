/* tensorcommit select — not implemented yet. */
#include "cli.h"

int cmd_select(int argc, char **argv)
{
    (void)argc;
    cli_errorf(argv[0], "not implemented yet");
    return CLI_ERROR;
}
