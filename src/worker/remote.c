/* remote.c - run jobs in sandboxed workers and decode their replies. */
#include "worker/remote.h"

#include "pipeline/file.h"
#include "pipeline/pipeline_internal.h"
#include "pipeline/ppap.h"
#include "quarantine/quarantine_store.h"
#include "sandbox/pool.h"
#include "worker/protocol.h"
#include "worker/worker.h"
#include "worker/worker_check.h"

#define MG_REMOTE_START_TIMEOUT_MS (10 * 60 * 1000)

typedef struct {
  const MgConfig *config;
  MgSandboxPool *pool;
} MgRemote;

static void
remote_free (gpointer data)
{
  MgRemote *remote = data;

  mg_sandbox_pool_free (remote->pool);
  g_free (remote);
}

/* The mail result in REPLY, checked against its own report; NULL with ERROR. */
static MgMailResult *
mail_result (const MgIpcFrame *reply, GError **error)
{
  g_autoptr (MgMailResult) r = NULL;
  g_autofree char *failed = NULL;

  if (mg_ipc_frame_type (reply) == MG_IPC_FAILED &&
      (failed = mg_protocol_failed_decode (reply, NULL)) != NULL) {
    g_set_error (error, MG_PROTOCOL_ERROR, MG_PROTOCOL_ERROR_REFUSED, "the worker failed: %s",
                 failed);
    return NULL;
  }
  r = mg_protocol_result_mail_decode (reply, error);
  if (r == NULL || !mg_worker_check_mail (r->id, r->verdict, r->report_json, r->output, error))
    return NULL;
  return g_steal_pointer (&r);
}

static MgMailResult *
remote_mail (gpointer ctx, GBytes *message, const char *queue_id, GError **error)
{
  MgRemote *remote = ctx;
  MgJobMail job = { (char *) queue_id, message };
  g_autoptr (MgIpcFrame) frame = mg_protocol_job_mail_encode (&job);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (MgIpcFrame) parts = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *why = NULL;
  g_autofree char *list = NULL;
  g_autofree char *headers = NULL;
  gint64 start = g_get_monotonic_time ();
  MgMailResult *result;

  if (mg_sandbox_pool_run (remote->pool, frame, &reply, &parts, &local)) {
    result = mail_result (reply, &local);
    if (result != NULL)
      return result;
    why = g_strdup_printf ("malformed reply from the worker: %s", local->message);
  } else if (g_error_matches (local, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED)) {
    why = g_strdup (local->message);
  } else {
    g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL, "%s", local->message);
    return NULL;
  }
  g_warning ("%s: %s", queue_id != NULL ? queue_id : "-", why);
  if (parts != NULL && !mg_protocol_parts_decode (parts, &list, &headers, NULL)) {
    g_clear_pointer (&list, g_free);
    g_clear_pointer (&headers, g_free);
  }
  return mg_pipeline_failed_result (remote->config, message, queue_id, why, list, headers,
                                    (g_get_monotonic_time () - start) / 1000);
}

static gboolean
remote_file (gpointer ctx, MgPipeline *pipeline, GBytes *data, const char *name,
             MgFileResult **result_r, GError **error)
{
  MgRemote *remote = ctx;
  MgJobFile job = { (char *) name, data };
  g_autoptr (MgIpcFrame) frame = mg_protocol_job_file_encode (&job);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (GError) local = NULL;

  if (!mg_sandbox_pool_run (remote->pool, frame, &reply, NULL, &local)) {
    if (!g_error_matches (local, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED)) {
      g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL, "%s", local->message);
      return FALSE;
    }
    *result_r = mg_file_result_refused (pipeline, name, MG_REASON_CONVERT_FAILED,
                                        local->message);
    return TRUE;
  }
  *result_r = mg_protocol_result_file_decode (reply, &local);
  if (*result_r == NULL) {
    g_autofree char *why = g_strdup_printf ("malformed reply from the worker: %s",
                                            local->message);
    *result_r = mg_file_result_refused (pipeline, name, MG_REASON_CONVERT_FAILED, why);
  }
  return TRUE;
}

static const MgPipelineRemote remote_hooks = { remote_mail, remote_file, remote_free };

MgPipeline *
mg_remote_pipeline_new (const MgConfig *config, GError **error)
{
  g_autofree char *workers = NULL;
  g_autoptr (GError) local = NULL;
  MgRemote *remote;

  if (!config->sandbox.enabled)
    return mg_pipeline_new_local (config, error);
  workers = g_strdup_printf ("%" G_GINT64_FORMAT, config->sandbox.workers);
  char *argv[] = { (char *) "mugai-supervisor",
                   MG_WORKER_SUPERVISOR_ARG,
                   config->path != NULL ? config->path : (char *) "",
                   "@CTL@",
                   workers,
                   NULL };
  MgSandboxPoolSettings settings = {
    (guint) config->sandbox.max_jobs,
    (int) config->sandbox.job_timeout * 1000,
    MG_REMOTE_START_TIMEOUT_MS,
    mg_worker_max_frame (config),
    config->sandbox.workers > 0 ? (guint) config->sandbox.workers : g_get_num_processors (),
  };
  remote = g_new0 (MgRemote, 1);
  remote->config = config;
  remote->pool = mg_sandbox_pool_new (argv, &settings, &local);
  if (remote->pool == NULL) {
    g_free (remote);
    g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_CONFIG, "%s", local->message);
    return NULL;
  }
  return mg_pipeline_new_remote (config, &remote_hooks, remote);
}

/* The worker died on the job, or answered something else: LOCAL (taken)
 * keeps its domain (MG_SANDBOX_ERROR, MG_PROTOCOL_ERROR). */
static GBytes *
ppap_failed (MgPpapKind *kind_r, GError **error, GError *local)
{
  *kind_r = MG_PPAP_NO_ANSWER;
  g_propagate_prefixed_error (error, local,
                              "パスワード付き ZIP を開く処理が異常終了しました"
                              " / the worker opening the encrypted archives failed: ");
  return NULL;
}

GBytes *
mg_remote_ppap_open (MgPipeline *pipeline, GBytes *original, const char *password,
                     guint *opened_r, MgPpapKind *kind_r, GError **error)
{
  gpointer ctx;
  MgRemote *remote = mg_pipeline_get_remote (pipeline, &ctx) != NULL ? ctx : NULL;
  MgPpapRequest job = { original, (char *) password };
  g_autoptr (MgIpcFrame) frame = NULL;
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (GError) local = NULL;
  MgPpapReply answer = { NULL, 0, NULL, MG_PPAP_OK };

  if (remote == NULL)
    return mg_ppap_open (original, password, &mg_pipeline_get_config (pipeline)->archive,
                         opened_r, kind_r, error);
  frame = mg_protocol_ppap_request_encode (&job);
  if (!mg_sandbox_pool_run (remote->pool, frame, &reply, NULL, &local))
    return ppap_failed (kind_r, error, g_steal_pointer (&local));
  if (mg_ipc_frame_type (reply) == MG_IPC_FAILED) {
    g_autofree char *failed = mg_protocol_failed_decode (reply, &local);
    if (failed != NULL)
      g_set_error (&local, MG_PROTOCOL_ERROR, MG_PROTOCOL_ERROR_REFUSED, "%s", failed);
    return ppap_failed (kind_r, error, g_steal_pointer (&local));
  }
  if (!mg_protocol_ppap_reply_decode (reply, &answer, &local))
    return ppap_failed (kind_r, error, g_steal_pointer (&local));
  *kind_r = answer.kind;
  if (answer.output == NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_RELEASE, "%s", answer.reason);
    mg_ppap_reply_clear (&answer);
    return NULL;
  }
  *opened_r = answer.opened;
  g_free (answer.reason);
  return answer.output;
}
