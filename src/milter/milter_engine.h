/* milter_engine.h - the pipeline the milter uses now, and its replacement.
 *
 * Holds the current MgPipeline behind a reference count. A watcher thread
 * looks at the [clamav] database directory every reload_interval seconds;
 * when its contents changed (freshclam), it builds a new pipeline in the
 * background and swaps it in under a lock. Mail in flight keeps the pipeline
 * it acquired and finishes on it; the old one is freed by its last user.
 * It never drops mail and never runs without an engine: a failed reload
 * keeps the old one and says so in the log.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "pipeline/pipeline.h"

typedef struct MgMilterEngine MgMilterEngine;
typedef struct MgMilterEngineRef MgMilterEngineRef;

/* Load the first pipeline now (before libmilter starts its threads). Returns
 * NULL with the pipeline's error (MG_PIPELINE_ERROR_CONFIG: exit 78).
 * CONFIG must outlive the engine. */
MgMilterEngine *mg_milter_engine_new (const MgConfig *config, GError **error);
/* Stop the watcher and drop the current pipeline (freed once unused). */
void mg_milter_engine_free (MgMilterEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMilterEngine, mg_milter_engine_free)

/* Told of a failed reload (the previous pipeline stays): why, in WHAT. */
typedef void (*MgMilterEngineFailed) (const MgConfig *config, const char *what);
/* Set before the watcher starts. */
void mg_milter_engine_on_failure (MgMilterEngine *engine, MgMilterEngineFailed fn);

/* Start the reload watcher, checking every INTERVAL seconds (0: never). */
void mg_milter_engine_watch (MgMilterEngine *engine, guint interval);

/* Take a reference to the current pipeline, for one message. */
MgMilterEngineRef *mg_milter_engine_acquire (MgMilterEngine *engine);
MgPipeline *mg_milter_engine_ref_pipeline (MgMilterEngineRef *ref);
void mg_milter_engine_release (MgMilterEngineRef *ref);

/* Check the database now and reload if it changed. Returns TRUE when a new
 * pipeline was swapped in. Used by the watcher, and by tests. */
gboolean mg_milter_engine_check (MgMilterEngine *engine);
/* Load a new pipeline now, whether or not the database changed (SIGHUP).
 * Returns TRUE when it was swapped in; on failure the old one stays. */
gboolean mg_milter_engine_reload (MgMilterEngine *engine);
/* How many pipelines were loaded so far (1 after start). */
guint mg_milter_engine_generation (MgMilterEngine *engine);
