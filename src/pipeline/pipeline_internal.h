/* pipeline_internal.h - what pipeline.c and worker.c share; not for callers
 * outside src/pipeline. */
#pragma once
#include "pipeline/pipeline.h"
#include "sandbox/pool.h"

/* Everything in this process: engine, magic, filters. */
MgPipeline *mg_pipeline_new_local (const MgConfig *config, GError **error);
/* The pipeline without the quarantine write (RESULT->held says whether the
 * original must be kept). Never NULL. */
MgMailResult *mg_pipeline_sanitise_local (MgPipeline *pipeline, GBytes *message,
                                          const char *queue_id);
/* The withheld result when a worker failed on a message. */
MgMailResult *mg_pipeline_failed_result (const MgConfig *config, const char *queue_id,
                                         const char *why);

/* worker.c: start the supervisor for CONFIG, run one message in a worker. */
MgSandboxPool *mg_pipeline_worker_pool_new (const MgConfig *config, GError **error);
MgMailResult *mg_pipeline_worker_run (MgSandboxPool *pool, const MgConfig *config,
                                      GBytes *message, const char *queue_id, GError **error);
