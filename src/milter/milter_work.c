/* milter_work.c - a pool of pipeline runs with a hard admission limit.
 *
 * A job is shared by the waiting libmilter thread and the pool thread, and
 * freed by whichever lets go last, so a waiter that gives up at the deadline
 * never frees what the pipeline is still writing. The slot is released by
 * the pool thread when the pipeline returns, never earlier.
 */
#include "milter/milter_work.h"

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-milter-work-error-quark, mg_milter_work_error)
/* clang-format on */

struct MgMilterWork {
  MgMilterEngine *engine;
  GThreadPool *pool;
  guint max_inflight;
  gint inflight; /* atomic */
  guint timeout;
  guint progress_interval;
};

typedef struct {
  gatomicrefcount refs;
  MgMilterWork *work;
  GBytes *message;
  char *queue_id;
  char *env_from; /* copies: the job may outlive the session */
  char **env_rcpt;
  GMutex lock; /* guards done, ok, result, error */
  GCond cond;
  gboolean done;
  gboolean ok;
  MgMailResult *result;
  GError *error;
} MgMilterJob;

static MgMilterJob *
job_new (MgMilterWork *work, GBytes *message, const char *queue_id, const MgEnvelope *envelope)
{
  MgMilterJob *job = g_new0 (MgMilterJob, 1);

  g_atomic_ref_count_init (&job->refs);
  job->work = work;
  job->message = g_bytes_ref (message);
  job->queue_id = g_strdup (queue_id);
  if (envelope != NULL) {
    job->env_from = g_strdup (envelope->sender);
    job->env_rcpt = g_strdupv ((char **) envelope->recipients);
  }
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  return job;
}

static void
job_unref (MgMilterJob *job)
{
  if (!g_atomic_ref_count_dec (&job->refs))
    return;
  g_bytes_unref (job->message);
  g_free (job->queue_id);
  g_free (job->env_from);
  g_strfreev (job->env_rcpt);
  g_clear_pointer (&job->result, mg_mail_result_free);
  g_clear_error (&job->error);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

static gboolean
try_admit (MgMilterWork *work)
{
  for (;;) {
    gint now = g_atomic_int_get (&work->inflight);
    if (now >= (gint) work->max_inflight)
      return FALSE;
    if (g_atomic_int_compare_and_exchange (&work->inflight, now, now + 1))
      return TRUE;
  }
}

static void
run_job (gpointer data, gpointer user_data)
{
  MgMilterJob *job = data;
  MgMilterWork *work = user_data;
  MgMilterEngineRef *ref = mg_milter_engine_acquire (work->engine);
  MgMailResult *result = NULL;
  GError *error = NULL;
  MgEnvelope envelope = { job->env_from, (const char *const *) job->env_rcpt };
  gboolean ok = mg_pipeline_mail_envelope (
      mg_milter_engine_ref_pipeline (ref), job->message, job->queue_id,
      job->env_rcpt != NULL ? &envelope : NULL, &result, &error);

  mg_milter_engine_release (ref);
  /* The slot is free before the waiter can see the result, so a drained
   * daemon never finds a finished job still counted. */
  g_atomic_int_dec_and_test (&work->inflight);
  g_mutex_lock (&job->lock);
  job->ok = ok;
  job->result = result;
  job->error = error;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
  job_unref (job);
}

MgMilterWork *
mg_milter_work_new (MgMilterEngine *engine, guint max_inflight, guint timeout,
                    guint progress_interval)
{
  MgMilterWork *work = g_new0 (MgMilterWork, 1);
  g_autoptr (GError) error = NULL;

  work->engine = engine;
  work->max_inflight = MAX (max_inflight, 1);
  work->timeout = MAX (timeout, 1);
  work->progress_interval = MAX (progress_interval, 1);
  /* Exclusive: the max_inflight threads start now and stay. A shared pool
   * keeps at most 2 idle threads, so a burst of concurrent mails made (and
   * ended) a thread for nearly every mail. */
  work->pool = g_thread_pool_new (run_job, work, (gint) work->max_inflight, TRUE, &error);
  if (error != NULL)
    g_warning ("NOQUEUE: cannot start the work threads: %s", error->message);
  if (work->pool == NULL) /* then threads are started as jobs come */
    work->pool = g_thread_pool_new (run_job, work, (gint) work->max_inflight, FALSE, NULL);
  return work;
}

void
mg_milter_work_free (MgMilterWork *work)
{
  if (work == NULL)
    return;
  g_thread_pool_free (work->pool, FALSE, TRUE);
  g_free (work);
}

guint
mg_milter_work_inflight (MgMilterWork *work)
{
  return (guint) g_atomic_int_get (&work->inflight);
}

/* Wait for JOB until the deadline, calling PROGRESS between waits. Called and
 * returns with job->lock held. */
static gboolean
wait_done (MgMilterWork *work, MgMilterJob *job, MgMilterProgressFunc progress,
           gpointer progress_data)
{
  gint64 deadline = g_get_monotonic_time () + work->timeout * G_TIME_SPAN_SECOND;

  while (!job->done) {
    gint64 now = g_get_monotonic_time ();
    gint64 next = MIN (now + work->progress_interval * G_TIME_SPAN_SECOND, deadline);
    if (now >= deadline)
      return FALSE;
    if (!g_cond_wait_until (&job->cond, &job->lock, next) && !job->done && progress) {
      g_mutex_unlock (&job->lock);
      progress (progress_data);
      g_mutex_lock (&job->lock);
    }
  }
  return TRUE;
}

gboolean
mg_milter_work_run (MgMilterWork *work, GBytes *message, const char *queue_id,
                    const MgEnvelope *envelope, MgMilterProgressFunc progress,
                    gpointer progress_data, MgMailResult **result_r, GError **error)
{
  MgMilterJob *job;
  gboolean ok;

  *result_r = NULL;
  if (!try_admit (work)) {
    g_set_error (error, MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_BUSY,
                 "%u messages already in work", work->max_inflight);
    return FALSE;
  }
  job = job_new (work, message, queue_id, envelope);
  g_atomic_ref_count_inc (&job->refs); /* the pool thread's reference */
  if (!g_thread_pool_push (work->pool, job, error)) {
    g_atomic_int_dec_and_test (&work->inflight);
    job_unref (job);
    job_unref (job);
    return FALSE;
  }
  g_mutex_lock (&job->lock);
  ok = wait_done (work, job, progress, progress_data);
  if (!ok)
    g_set_error (error, MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_TIMEOUT,
                 "not sanitised within %u s", work->timeout);
  else if (!job->ok || job->result == NULL)
    g_propagate_error (error, job->error != NULL
                                  ? g_steal_pointer (&job->error)
                                  : g_error_new_literal (MG_PIPELINE_ERROR,
                                                         MG_PIPELINE_ERROR_TEMPFAIL,
                                                         "pipeline returned no result"));
  else
    *result_r = g_steal_pointer (&job->result);
  ok = ok && job->ok && *result_r != NULL;
  g_mutex_unlock (&job->lock);
  job_unref (job);
  return ok;
}
