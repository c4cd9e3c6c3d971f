/* Shared by run.c and run_folder.c; not part of the module's interface. */
#ifndef TC_PROTOCOL_RUN_INTERNAL_H
#define TC_PROTOCOL_RUN_INTERNAL_H

#include "protocol/run.h"

/* A line of progress or a note through o->log (nothing when it is NULL). */
void tc_run_log(const tc_run_opts *o, const char *fmt, ...) TC_PRINTF(2, 3);

/* The folder a run is written to (run_folder.c: how it is put in place). */
typedef struct tc_run_folder {
    char *target;        /* the run folder (symbolic links followed) */
    char *parent;        /* its parent folder */
    char *staging;       /* where the run is built; NULL once installed */
    bool replace;        /* target holds an earlier run (--force) */
} tc_run_folder;

/* Checks out_dir (absent, empty, or with force a folder of run files only),
 * creates its parents and a fresh staging folder beside it. */
tc_status tc_run_folder_open(tc_error *err, tc_run_folder *rf, const char *out_dir,
                             bool force) TC_MUST_CHECK;
/* Puts the finished staging folder at the target. */
tc_status tc_run_folder_install(tc_error *err, tc_run_folder *rf,
                                const tc_run_opts *o) TC_MUST_CHECK;
/* Removes the staging folder when the run was not installed; frees. */
void tc_run_folder_close(tc_run_folder *rf, const tc_run_opts *o);

#endif
