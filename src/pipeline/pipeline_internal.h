/* pipeline_internal.h - what src/pipeline shares with src/worker (the
 * sandboxed workers and the front's side of them); not for other callers. */
#pragma once
#include "pipeline/pipeline.h"
#include "pipeline/job.h"
#include "common/filter.h"

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
void mg_pipeline_set_announce (MgPipeline *pipeline, MgPipelineAnnounce announce,
                               gpointer ctx);
/* The withheld result when a worker failed on a message; PARTS and HEADERS
 * are what it announced, or NULL. */
MgMailResult *mg_pipeline_failed_result (const MgConfig *config, GBytes *message,
                                         const char *queue_id, const char *why,
                                         const char *parts, const char *headers,
                                         gint64 elapsed_ms);

/* How a pipeline hands its work to sandboxed workers (src/worker/remote.c):
 * MAIL runs a message (the result's fields already checked; NULL with
 * MG_PIPELINE_ERROR_TEMPFAIL), FILE a file (as mg_pipeline_file); FREE is
 * called on CTX with the pipeline. */
struct MgFileResult;
typedef struct {
  MgMailResult *(*mail) (gpointer ctx, GBytes *message, const char *queue_id, GError **error);
  gboolean (*file) (gpointer ctx, MgPipeline *pipeline, GBytes *data, const char *name,
                    struct MgFileResult **result_r, GError **error);
  GDestroyNotify free;
} MgPipelineRemote;
MgPipeline *mg_pipeline_new_remote (const MgConfig *config, const MgPipelineRemote *remote,
                                    gpointer ctx);
/* The remote hooks and (in *CTX_R) their context; NULL: in process. */
const MgPipelineRemote *mg_pipeline_get_remote (MgPipeline *pipeline, gpointer *ctx_r);
const MgConfig *mg_pipeline_get_config (MgPipeline *pipeline);

/* In the supervisor's service child: run the external converter (see
 * MgFilterConvert) with this pipeline's configuration. */
GBytes *mg_pipeline_run_converter (MgPipeline *pipeline, GBytes *input, const char *source_ext,
                                   const char *target, char **why_r);

/* A new job on this process's engine and converter, for what file.c runs
 * through the policy instead of a message. PIPELINE must be local. */
MgJob *mg_pipeline_local_job (MgPipeline *pipeline);
