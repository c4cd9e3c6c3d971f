#include "mpi_common.h"
int mpi_open_cmd(int argc, char **argv) { (void)argc; (void)argv; return 3; }
