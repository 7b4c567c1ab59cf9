/* milter_engine.c - a reference-counted pipeline, reloaded when signatures change.
 *
 * The database directory's "stamp" is the list of its files with size and
 * modification time. A change is acted on only once the stamp has stayed the
 * same for a whole interval, so a database still being written is not loaded
 * half-way. Loading happens outside the lock; the swap is a pointer exchange.
 * It must never free a pipeline that a message is still using.
 */
#include "milter/milter_engine.h"

#include "scan/scan.h"
#include "util/tree.h"
#include "worker/remote.h"

struct MgMilterEngineRef {
  gatomicrefcount refs;
  MgPipeline *pipeline;
};

struct MgMilterEngine {
  const MgConfig *config;
  GMutex lock; /* guards current, loaded_stamp, failed_stamp, generation */
  MgMilterEngineRef *current;
  char *loaded_stamp; /* stamp of the database the current pipeline loaded */
  char *seen_stamp;   /* stamp at the previous check */
  char *failed_stamp; /* of the database that failed to load, or NULL (lock) */
  guint generation;
  GThread *watcher;
  GMutex wait_lock; /* guards stopping, for the watcher's sleep */
  GCond wait_cond;
  gboolean stopping;
  guint interval;
  MgMilterEngineFailed on_failure; /* or NULL */
};

static MgMilterEngineRef *
ref_new (MgPipeline *pipeline)
{
  MgMilterEngineRef *ref = g_new0 (MgMilterEngineRef, 1);

  g_atomic_ref_count_init (&ref->refs);
  ref->pipeline = pipeline;
  return ref;
}

void
mg_milter_engine_release (MgMilterEngineRef *ref)
{
  if (ref == NULL || !g_atomic_ref_count_dec (&ref->refs))
    return;
  mg_pipeline_free (ref->pipeline);
  g_free (ref);
}

MgPipeline *
mg_milter_engine_ref_pipeline (MgMilterEngineRef *ref)
{
  return ref->pipeline;
}

/* Which database a new engine is built from (workers load it themselves). */
static void
log_database (const MgConfig *config, const char *what)
{
  g_autofree char *version = mg_scan_database_describe (config->clamav_database);

  g_message ("NOQUEUE: %s virus database %s: %s", what, config->clamav_database, version);
}

MgMilterEngine *
mg_milter_engine_new (const MgConfig *config, GError **error)
{
  g_autofree char *stamp = mg_tree_stamp (config->clamav_database);
  MgPipeline *pipeline = mg_remote_pipeline_new (config, error);
  MgMilterEngine *engine;

  if (pipeline == NULL)
    return NULL;
  log_database (config, "loaded");
  engine = g_new0 (MgMilterEngine, 1);
  engine->config = config;
  g_mutex_init (&engine->lock);
  g_mutex_init (&engine->wait_lock);
  g_cond_init (&engine->wait_cond);
  engine->current = ref_new (pipeline);
  engine->loaded_stamp = g_strdup (stamp);
  engine->seen_stamp = g_steal_pointer (&stamp);
  engine->generation = 1;
  return engine;
}

MgMilterEngineRef *
mg_milter_engine_acquire (MgMilterEngine *engine)
{
  MgMilterEngineRef *ref;

  g_mutex_lock (&engine->lock);
  ref = engine->current;
  g_atomic_ref_count_inc (&ref->refs);
  g_mutex_unlock (&engine->lock);
  return ref;
}

guint
mg_milter_engine_generation (MgMilterEngine *engine)
{
  guint generation;

  g_mutex_lock (&engine->lock);
  generation = engine->generation;
  g_mutex_unlock (&engine->lock);
  return generation;
}

static void
swap_in (MgMilterEngine *engine, MgPipeline *pipeline, const char *stamp)
{
  MgMilterEngineRef *old;

  g_mutex_lock (&engine->lock);
  old = engine->current;
  engine->current = ref_new (pipeline);
  g_free (engine->loaded_stamp);
  engine->loaded_stamp = g_strdup (stamp);
  engine->generation++;
  g_mutex_unlock (&engine->lock);
  mg_milter_engine_release (old);
}

/* TRUE when STAMP differs from what is loaded and was already seen at the
 * previous check (the database has settled), and is not a database that
 * failed to load (tried again, and alerted again, only once it changes or on
 * SIGHUP). Only the watcher calls this. */
static gboolean
changed_and_settled (MgMilterEngine *engine, const char *stamp)
{
  gboolean settled = g_strcmp0 (stamp, engine->seen_stamp) == 0;
  gboolean changed, failed;

  g_free (engine->seen_stamp);
  engine->seen_stamp = g_strdup (stamp);
  g_mutex_lock (&engine->lock);
  changed = g_strcmp0 (stamp, engine->loaded_stamp) != 0;
  failed = g_strcmp0 (stamp, engine->failed_stamp) == 0;
  g_mutex_unlock (&engine->lock);
  return stamp != NULL && changed && settled && !failed;
}

static gboolean
load_and_swap (MgMilterEngine *engine, const char *stamp)
{
  g_autoptr (GError) error = NULL;
  MgPipeline *pipeline;
  gint64 start = g_get_monotonic_time ();

  pipeline = mg_remote_pipeline_new (engine->config, &error);
  g_mutex_lock (&engine->lock);
  g_free (engine->failed_stamp);
  engine->failed_stamp = pipeline == NULL ? g_strdup (stamp) : NULL;
  g_mutex_unlock (&engine->lock);
  if (pipeline == NULL) {
    g_warning ("NOQUEUE: reload failed, keeping the previous engine: %s", error->message);
    if (engine->on_failure != NULL)
      engine->on_failure (engine->config, error->message);
    return FALSE;
  }
  swap_in (engine, pipeline, stamp);
  log_database (engine->config, "reloaded");
  g_message ("NOQUEUE: new virus engine in use (generation %u, loaded in %" G_GINT64_FORMAT
             " ms)",
             mg_milter_engine_generation (engine), (g_get_monotonic_time () - start) / 1000);
  return TRUE;
}

gboolean
mg_milter_engine_check (MgMilterEngine *engine)
{
  g_autofree char *stamp = mg_tree_stamp (engine->config->clamav_database);

  if (!changed_and_settled (engine, stamp))
    return FALSE;
  g_message ("NOQUEUE: virus database %s changed, loading it",
             engine->config->clamav_database);
  return load_and_swap (engine, stamp);
}

gboolean
mg_milter_engine_reload (MgMilterEngine *engine)
{
  g_autofree char *stamp = mg_tree_stamp (engine->config->clamav_database);

  return load_and_swap (engine, stamp);
}

static gpointer
watch_thread (gpointer data)
{
  MgMilterEngine *engine = data;

  g_mutex_lock (&engine->wait_lock);
  while (!engine->stopping) {
    gint64 until = g_get_monotonic_time () + engine->interval * G_TIME_SPAN_SECOND;
    while (!engine->stopping &&
           g_cond_wait_until (&engine->wait_cond, &engine->wait_lock, until))
      ;
    if (engine->stopping)
      break;
    g_mutex_unlock (&engine->wait_lock);
    mg_milter_engine_check (engine);
    g_mutex_lock (&engine->wait_lock);
  }
  g_mutex_unlock (&engine->wait_lock);
  return NULL;
}

void
mg_milter_engine_watch (MgMilterEngine *engine, guint interval)
{
  if (interval == 0 || engine->watcher != NULL)
    return;
  engine->interval = interval;
  engine->watcher = g_thread_new ("mugai-reload", watch_thread, engine);
}

void
mg_milter_engine_free (MgMilterEngine *engine)
{
  if (engine == NULL)
    return;
  g_mutex_lock (&engine->wait_lock);
  engine->stopping = TRUE;
  g_cond_broadcast (&engine->wait_cond);
  g_mutex_unlock (&engine->wait_lock);
  if (engine->watcher != NULL)
    g_thread_join (engine->watcher);
  mg_milter_engine_release (engine->current);
  g_mutex_clear (&engine->lock);
  g_mutex_clear (&engine->wait_lock);
  g_cond_clear (&engine->wait_cond);
  g_free (engine->loaded_stamp);
  g_free (engine->seen_stamp);
  g_free (engine->failed_stamp);
  g_free (engine);
}

void
mg_milter_engine_on_failure (MgMilterEngine *engine, MgMilterEngineFailed fn)
{
  engine->on_failure = fn;
}
