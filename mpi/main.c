/* tensorcommit-mpi: the PST setup, commitment and openings of one grid
 * split over the processes of an MPI job (docs/mpi.md).  Started with
 * `mpirun -np K tensorcommit-mpi VERB ...`; every rank runs the same
 * command line, rank 0 prints and writes. */
#include "mpi_common.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* mpirun stops every process of the job with SIGTERM when one of them dies
 * or fails: rank 0 says so.  Outputs are written under temporary names and
 * renamed only once every rank has agreed, so nothing partial is left under
 * the name asked for. */
static volatile sig_atomic_t world_rank = -1;

static void on_term(int sig)
{
    static const char msg[] = "tensorcommit-mpi: the job was stopped (a rank died, failed or was "
                              "killed); no output was written\n";
    if (world_rank <= 0) {
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
    }
    _exit(128 + sig);
}

static void g1_sum(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const tc_g1 *a = in;
    tc_g1 *b = inout;
    for (int i = 0; i < *len; i++)
        tc_g1_add(&b[i], &a[i], &b[i]);
}

static void help(FILE *f)
{
    fprintf(f,
            "usage: mpirun -np K tensorcommit-mpi VERB [options]\n"
            "\n"
            "  setup    make an SRS: one file, or a folder of K shards (--out DIR/)\n"
            "  commit   commit to an int64 grid (.npy)\n"
            "  open     open a committed grid at grid points and slices\n"
            "\n"
            "The options are those of `tensorcommit VERB`; --srs takes an SRS file or a\n"
            "shard folder.  Each rank reads only its block of the grid and of the key;\n"
            "rank 0 prints and writes, once every rank has succeeded.  'tensorcommit-mpi\n"
            "VERB --help' lists a verb's options.  Exit codes: 0 success, 1 rejected,\n"
            "2 usage, 3 any other error.\n");
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (mpi_w.rank == 0)
            help(argc < 2 ? stderr : stdout);
        return argc < 2 ? MPI_CLI_USAGE : MPI_CLI_OK;
    }
    if (!strcmp(argv[1], "setup"))
        return mpi_setup_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "commit"))
        return mpi_commit_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "open"))
        return mpi_open_cmd(argc - 1, argv + 1);
    if (mpi_w.rank == 0)
        fprintf(stderr, "tensorcommit-mpi: unknown command '%s' (setup, commit or open)\n",
                argv[1]);
    return MPI_CLI_USAGE;
}

int main(int argc, char **argv)
{
    signal(SIGTERM, on_term);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_w.rank);
    world_rank = mpi_w.rank;
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &mpi_w.local_size);
    MPI_Comm_free(&node);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_w.size);
    MPI_Type_contiguous((int)sizeof(tc_g1), MPI_BYTE, &mpi_w.g1_type);
    MPI_Type_commit(&mpi_w.g1_type);
    MPI_Op_create(g1_sum, 1, &mpi_w.g1_sum);
    int rc = dispatch(argc, argv);
    MPI_Op_free(&mpi_w.g1_sum);
    MPI_Type_free(&mpi_w.g1_type);
    MPI_Finalize();
    return rc;
}
