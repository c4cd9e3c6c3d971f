/* tensorcommit locate — not implemented yet. */
#include "cli.h"

int cmd_locate(int argc, char **argv)
{
    (void)argc;
    cli_errorf(argv[0], "not implemented yet");
    return CLI_ERROR;
}
