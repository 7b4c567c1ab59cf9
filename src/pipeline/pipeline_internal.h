/* pipeline_internal.h - what pipeline.c and worker.c share; not for callers
 * outside src/pipeline. */
#pragma once
#include "pipeline/pipeline.h"
#include "pipeline/job.h"
#include "common/filter.h"
#include "sandbox/pool.h"

/* Everything in this process: engine, magic, filters. */
MgPipeline *mg_pipeline_new_local (const MgConfig *config, GError **error);
/* The pipeline without the quarantine write (RESULT->held says whether the
 * original must be kept). Never NULL. */
MgMailResult *mg_pipeline_sanitise_local (MgPipeline *pipeline, GBytes *message,
                                          const char *queue_id);
/* In a worker: converters (LibreOffice) go through CONVERT. */
void mg_pipeline_set_converter (MgPipeline *pipeline, MgFilterConvert convert, gpointer ctx);
/* In a worker: ANNOUNCE gets the message's parts list (inventory.h) and its
 * whitelisted headers as mugai writes them, once the message is parsed and
 * before anything risky runs. */
typedef void (*MgPipelineAnnounce) (gpointer ctx, const char *parts, const char *headers);
void mg_pipeline_set_announce (MgPipeline *pipeline, MgPipelineAnnounce announce, gpointer ctx);
/* The withheld result when a worker failed on a message; PARTS and HEADERS
 * are what it announced, or NULL. */
MgMailResult *mg_pipeline_failed_result (const MgConfig *config, GBytes *message,
                                         const char *queue_id, const char *why,
                                         const char *parts, const char *headers,
                                         gint64 elapsed_ms);

MgSandboxPool *mg_pipeline_get_pool (MgPipeline *pipeline);   /* NULL: in process */
const MgConfig *mg_pipeline_get_config (MgPipeline *pipeline);

/* worker.c: start the supervisor for CONFIG, run one message in a worker. */
MgSandboxPool *mg_pipeline_worker_pool_new (const MgConfig *config, GError **error);
struct MgFileResult;
/* A file job in a worker (mugai files); see mg_pipeline_file. */
gboolean mg_pipeline_worker_file (MgPipeline *pipeline, GBytes *data, const char *name,
                                  struct MgFileResult **result_r, GError **error);
/* A worker's RESULT frame, checked field by field and against its own report
 * (worker_check.h); NULL with ERROR when anything is off. */
MgMailResult *mg_pipeline_worker_result_decode (const MgIpcFrame *frame, GError **error);
/* A worker's file RESULT frame (mugai files), checked; NULL when anything is
 * off. */
struct MgFileResult *mg_pipeline_worker_file_result_decode (const MgIpcFrame *frame);
/* R as the RESULT frame a worker sends. */
MgIpcFrame *mg_pipeline_worker_result_frame (const MgMailResult *r);
MgMailResult *mg_pipeline_worker_run (MgSandboxPool *pool, const MgConfig *config,
                                      GBytes *message, const char *queue_id, GError **error);

/* In the supervisor's service child: run the external converter (see
 * MgFilterConvert) with this pipeline's configuration. */
GBytes *mg_pipeline_run_converter (MgPipeline *pipeline, GBytes *input, const char *source_ext,
                                   const char *target, char **why_r);

/* A new job on this process's engine and converter, for what file.c runs
 * through the policy instead of a message. PIPELINE must be local. */
MgJob *mg_pipeline_local_job (MgPipeline *pipeline);
