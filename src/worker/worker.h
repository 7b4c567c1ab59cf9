/* worker.h - the sandboxed workers' side: the supervisor and the job loop.
 *
 * Programs that run the pipeline in workers (mugai-milter, mugai) start with:
 * if argv[1] is MG_WORKER_SUPERVISOR_ARG, return mg_worker_supervisor_main
 * (argc, argv). That is how the sandbox supervisor runs (the same program,
 * exec'd by mg_remote_pipeline_new); it loads the pipeline once and forks
 * the workers, each of which decodes one typed job (protocol.h) at a time,
 * runs it inside its sandbox and answers with the typed result.
 */
#pragma once
#include <glib.h>

#include "ipc/frame.h"
#include "pipeline/pipeline.h"

#define MG_WORKER_SUPERVISOR_ARG "--mugai-supervisor"

/* argv: program, MG_WORKER_SUPERVISOR_ARG, config path ("" for the
 * default), control descriptor, number of workers. */
int mg_worker_supervisor_main (int argc, char **argv);

/* In a worker: one job frame (mail, file or PPAP) to its reply, with
 * PIPELINE (local). A job that does not decode gets an MG_IPC_FAILED reply.
 * FRONT_FD and SERVICE_FD as in MgSandboxJobFunc. */
MgIpcFrame *mg_worker_job (MgPipeline *pipeline, int front_fd, int service_fd,
                           const MgIpcFrame *job);

/* The bound on frames between the front and a worker for CONFIG. */
gsize mg_worker_max_frame (const MgConfig *config);
