/* worker.c - the pipeline in sandboxed worker processes.
 *
 * The front sends a message as a JOB frame; a worker (forked by the
 * supervisor, inside its sandbox) runs the whole pipeline on it and answers
 * with a RESULT frame; the front checks that frame strictly before using it.
 * The quarantine is written by the front: workers cannot open files to write.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/file.h"
#include "pipeline/pipeline_internal.h"
#include "pipeline/report.h"
#include "pipeline/worker_check.h"
#include "quarantine/store.h"
#include "sandbox/privs.h"
#include "sandbox/supervisor.h"

#define MG_WORKER_START_TIMEOUT_MS (10 * 60 * 1000)

static gsize
max_frame (const MgConfig *config)
{
  return (gsize) MAX (config->limits.message_size * 4, 64 * 1024 * 1024);
}

MgSandboxPool *
mg_pipeline_worker_pool_new (const MgConfig *config, GError **error)
{
  g_autofree char *workers = g_strdup_printf ("%" G_GINT64_FORMAT, config->sandbox.workers);
  char *argv[] = { (char *) "mugai-supervisor", MG_PIPELINE_SUPERVISOR_ARG,
                   config->path != NULL ? config->path : (char *) "", "@CTL@", workers,
                   NULL };
  MgSandboxPoolSettings settings = {
    (guint) config->sandbox.max_jobs, (int) config->sandbox.job_timeout * 1000,
    MG_WORKER_START_TIMEOUT_MS, max_frame (config),
  };

  return mg_sandbox_pool_new (argv, &settings, error);
}

/* A RESULT frame, checked field by field and against its own report; NULL
 * with ERROR when anything is off. */
MgMailResult *
mg_pipeline_worker_result_decode (const MgIpcFrame *frame, GError **error)
{
  g_autoptr (MgMailResult) r = g_new0 (MgMailResult, 1);
  guint32 verdict, virus, held;
  GBytes *output = mg_ipc_frame_get (frame, MG_IPC_F_OUTPUT);

  if (mg_ipc_frame_type (frame) != MG_IPC_RESULT || output == NULL ||
      !mg_ipc_frame_get_u32 (frame, MG_IPC_F_VERDICT, &verdict) ||
      !mg_ipc_frame_get_u32 (frame, MG_IPC_F_VIRUS, &virus) ||
      !mg_ipc_frame_get_u32 (frame, MG_IPC_F_STORE, &held) ||
      (verdict != MG_VERDICT_SANITISED && verdict != MG_VERDICT_WITHHELD)) {
    g_set_error (error, MG_WORKER_CHECK_ERROR, MG_WORKER_CHECK_ERROR_REFUSED,
                 "a field is missing or out of range");
    return NULL;
  }
  r->verdict = (MgVerdict) verdict;
  r->virus = virus != 0;
  r->held = held != 0;
  r->id = mg_ipc_frame_get_str (frame, MG_IPC_F_ID);
  r->report_json = mg_ipc_frame_get_str (frame, MG_IPC_F_REPORT);
  r->reason = mg_ipc_frame_get_str (frame, MG_IPC_F_REASON);
  r->output = g_bytes_ref (output);
  if (!mg_quarantine_id_valid (r->id) || r->report_json == NULL) {
    g_set_error (error, MG_WORKER_CHECK_ERROR, MG_WORKER_CHECK_ERROR_REFUSED,
                 "no valid id or report");
    return NULL;
  }
  if (!mg_worker_check_mail (r->id, r->verdict, r->report_json, r->output, error))
    return NULL;
  return g_steal_pointer (&r);
}

MgIpcFrame *
mg_pipeline_worker_result_frame (const MgMailResult *r)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_RESULT);
  gsize len;
  const void *data = g_bytes_get_data (r->output, &len);

  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VERDICT, r->verdict);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VIRUS, r->virus);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_STORE, r->held);
  mg_ipc_frame_add_str (frame, MG_IPC_F_ID, r->id);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REPORT, r->report_json);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REASON, r->reason);
  mg_ipc_frame_add (frame, MG_IPC_F_OUTPUT, data, len);
  return frame;
}

MgMailResult *
mg_pipeline_worker_run (MgSandboxPool *pool, const MgConfig *config, GBytes *message,
                        const char *queue_id, GError **error)
{
  g_autoptr (MgIpcFrame) job = mg_ipc_frame_new (MG_IPC_JOB);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (MgIpcFrame) parts = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *why = NULL;
  g_autofree char *list = NULL;
  g_autofree char *headers = NULL;
  gint64 start = g_get_monotonic_time ();
  gsize len;
  const void *data = g_bytes_get_data (message, &len);
  MgMailResult *result;

  mg_ipc_frame_add_str (job, MG_IPC_F_QUEUE_ID, queue_id);
  mg_ipc_frame_add (job, MG_IPC_F_MESSAGE, data, len);
  if (mg_sandbox_pool_run (pool, job, &reply, &parts, &local)) {
    result = mg_pipeline_worker_result_decode (reply, &local);
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
  if (parts != NULL) {
    list = mg_ipc_frame_get_str (parts, MG_IPC_F_PARTS);
    headers = mg_ipc_frame_get_str (parts, MG_IPC_F_HEADERS);
  }
  return mg_pipeline_failed_result (config, message, queue_id, why, list, headers,
                                    (g_get_monotonic_time () - start) / 1000);
}

#define MG_WORKER_CONVERT_TIMEOUT_MS (15 * 60 * 1000)

/* MgFilterConvert in a worker: the supervisor runs the converter. */
static GBytes *
convert_through_supervisor (gpointer ctx, GBytes *input, const char *source_ext,
                            const char *target, char **why_r)
{
  int fd = GPOINTER_TO_INT (ctx);
  g_autoptr (MgIpcFrame) request = mg_ipc_frame_new (MG_IPC_SERVICE);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const void *data = g_bytes_get_data (input, &len);
  GBytes *output;

  mg_ipc_frame_add (request, MG_IPC_F_MESSAGE, data, len);
  mg_ipc_frame_add_str (request, MG_IPC_F_SOURCE, source_ext);
  mg_ipc_frame_add_str (request, MG_IPC_F_TARGET, target);
  reply = mg_sandbox_service_call (fd, request, 1024 * 1024 * 1024, MG_WORKER_CONVERT_TIMEOUT_MS,
                                   &error);
  if (reply == NULL) {
    *why_r = g_strdup_printf ("the converter service failed: %s", error->message);
    return NULL;
  }
  output = mg_ipc_frame_get (reply, MG_IPC_F_OUTPUT);
  if (output == NULL) {
    *why_r = mg_ipc_frame_get_str (reply, MG_IPC_F_REASON);
    if (*why_r == NULL)
      *why_r = g_strdup ("the converter failed");
    return NULL;
  }
  return g_bytes_ref (output);
}

/* In a child of the supervisor: run the converter a worker asked for. */
static MgIpcFrame *
run_service (gpointer ctx, const MgIpcFrame *request)
{
  MgPipeline *pipeline = ctx;
  MgIpcFrame *reply = mg_ipc_frame_new (MG_IPC_RESULT);
  g_autofree char *source = mg_ipc_frame_get_str (request, MG_IPC_F_SOURCE);
  g_autofree char *target = mg_ipc_frame_get_str (request, MG_IPC_F_TARGET);
  GBytes *input = mg_ipc_frame_get (request, MG_IPC_F_MESSAGE);
  g_autofree char *why = NULL;
  g_autoptr (GBytes) output = NULL;

  if (mg_ipc_frame_type (request) != MG_IPC_SERVICE || input == NULL || source == NULL ||
      target == NULL)
    why = g_strdup ("malformed service request");
  else
    output = mg_pipeline_run_converter (pipeline, input, source, target, &why);
  if (output != NULL)
    mg_ipc_frame_add (reply, MG_IPC_F_OUTPUT, g_bytes_get_data (output, NULL),
                      g_bytes_get_size (output));
  else
    mg_ipc_frame_add_str (reply, MG_IPC_F_REASON, why);
  return reply;
}

/* A file job in the worker: the file's outcome and its report. */
static MgIpcFrame *
run_file_job (MgPipeline *pipeline, GBytes *data, const char *name)
{
  g_autoptr (MgFileResult) r = NULL;
  MgIpcFrame *frame;

  if (!mg_pipeline_file (pipeline, data, name, &r, NULL)) {
    frame = mg_ipc_frame_new (MG_IPC_FAILED);
    mg_ipc_frame_add_str (frame, MG_IPC_F_REASON, "the file pipeline could not run");
    return frame;
  }
  g_autofree char *report = mg_file_result_json (r, NULL, NULL);
  frame = mg_ipc_frame_new (MG_IPC_RESULT);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_ACTION, r->action);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_REASON_CODE, r->reason);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VIRUS, r->virus);
  mg_ipc_frame_add_str (frame, MG_IPC_F_DETAIL, r->detail);
  mg_ipc_frame_add_str (frame, MG_IPC_F_OUTPUT_NAME, r->output_filename);
  mg_ipc_frame_add_str (frame, MG_IPC_F_ID, r->id);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REPORT, report);
  if (r->output != NULL)
    mg_ipc_frame_add (frame, MG_IPC_F_OUTPUT, g_bytes_get_data (r->output, NULL),
                      g_bytes_get_size (r->output));
  return frame;
}

/* In the worker: the parts list of the message job in progress, sent to the
 * front before anything risky runs. */
static void
announce_parts (gpointer ctx, const char *parts, const char *headers)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_new (MG_IPC_PARTS);

  mg_ipc_frame_add_str (frame, MG_IPC_F_PARTS, parts);
  mg_ipc_frame_add_str (frame, MG_IPC_F_HEADERS, headers);
  mg_ipc_frame_send (GPOINTER_TO_INT (ctx), frame, NULL);
}

/* In the worker, inside the sandbox: one JOB frame to one RESULT frame. */
static MgIpcFrame *
run_job (gpointer ctx, int front_fd, int service_fd, const MgIpcFrame *job)
{
  MgPipeline *pipeline = ctx;
  g_autofree char *queue_id = mg_ipc_frame_get_str (job, MG_IPC_F_QUEUE_ID);
  GBytes *message = mg_ipc_frame_get (job, MG_IPC_F_MESSAGE);
  g_autoptr (MgMailResult) result = NULL;

  if (message == NULL) {
    MgIpcFrame *failed = mg_ipc_frame_new (MG_IPC_FAILED);
    mg_ipc_frame_add_str (failed, MG_IPC_F_REASON, "job without a message");
    return failed;
  }
  mg_pipeline_set_converter (pipeline, convert_through_supervisor, GINT_TO_POINTER (service_fd));
  if (mg_ipc_frame_get (job, MG_IPC_F_NAME) != NULL) {
    g_autofree char *name = mg_ipc_frame_get_str (job, MG_IPC_F_NAME);
    return run_file_job (pipeline, message, name != NULL ? name : "file");
  }
  mg_pipeline_set_announce (pipeline, announce_parts, GINT_TO_POINTER (front_fd));
  result = mg_pipeline_sanitise_local (pipeline, message, queue_id);
  mg_pipeline_set_announce (pipeline, NULL, NULL);
  return mg_pipeline_worker_result_frame (result);
}

/* [sandbox] tmp_directory becomes TMPDIR, under which each worker makes its
 * private folder (sandbox.c) and the supervisor removes it, before anything
 * reads g_get_tmp_dir (). */
static gboolean
use_tmp_directory (const MgConfig *config, GError **error)
{
  const char *dir = config->sandbox.tmp_directory;

  if (dir == NULL || *dir == '\0')
    return TRUE;
  if (!g_path_is_absolute (dir) || !g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                 "[sandbox] tmp_directory %s: not an existing folder given by its full path",
                 dir);
    return FALSE;
  }
  g_setenv ("TMPDIR", dir, TRUE);
  return TRUE;
}

int
mg_pipeline_supervisor_main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  g_autoptr (MgPipeline) pipeline = NULL;
  int ctl;
  gint64 workers;
  MgPrivsUsers users;
  MgSandboxLimits limits;
  gboolean settled = FALSE;
  sigset_t none;

  if (argc != 5 || !g_ascii_string_to_signed (argv[3], 10, 0, G_MAXINT, &workers, NULL))
    return 64;
  sigemptyset (&none);   /* exec'd from a thread that may have blocked signals */
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  ctl = (int) workers;
  workers = g_ascii_strtoll (argv[4], NULL, 10);
  if (mg_privs_supervisor_start (&error))
    config = mg_config_load (*argv[2] != '\0' ? argv[2] : NULL, &error);
  if (config != NULL && use_tmp_directory (config, &error) &&
      mg_privs_lookup (config->milter_user, config->milter_worker_user, &users, &error))
    pipeline = mg_pipeline_new_local (config, &error);
  if (pipeline != NULL) {
    limits = (MgSandboxLimits){ config->sandbox.max_memory_mb,
                                config->sandbox.job_timeout * (config->sandbox.max_jobs + 1),
                                256, config->limits.message_size * 4 };
    settled = mg_sandbox_supervisor_drop (&users, &limits, &error);
  }
  if (!settled) {
    mg_sandbox_supervisor_fail (ctl, error->message);
    return 78;
  }
  return mg_sandbox_supervisor_run (ctl, workers > 0 ? (guint) workers : g_get_num_processors (),
                                    &limits, max_frame (config), run_job, run_service,
                                    pipeline);
}

/* A file RESULT frame, checked field by field; NULL when anything is off. */
MgFileResult *
mg_pipeline_worker_file_result_decode (const MgIpcFrame *frame)
{
  g_autoptr (MgFileResult) r = g_new0 (MgFileResult, 1);
  guint32 action, reason, virus;
  GBytes *output = mg_ipc_frame_get (frame, MG_IPC_F_OUTPUT);

  if (mg_ipc_frame_type (frame) != MG_IPC_RESULT ||
      !mg_ipc_frame_get_u32 (frame, MG_IPC_F_ACTION, &action) || action > MG_ACTION_WITHHELD ||
      !mg_ipc_frame_get_u32 (frame, MG_IPC_F_REASON_CODE, &reason) ||
      reason >= MG_REASON_COUNT || !mg_ipc_frame_get_u32 (frame, MG_IPC_F_VIRUS, &virus))
    return NULL;
  r->action = (MgAction) action;
  r->reason = (MgReason) reason;
  r->virus = virus != 0;
  r->detail = mg_ipc_frame_get_str (frame, MG_IPC_F_DETAIL);
  r->output_filename = mg_ipc_frame_get_str (frame, MG_IPC_F_OUTPUT_NAME);
  r->id = mg_ipc_frame_get_str (frame, MG_IPC_F_ID);
  r->report_json = mg_ipc_frame_get_str (frame, MG_IPC_F_REPORT);
  gboolean passes = action == MG_ACTION_KEPT || action == MG_ACTION_CONVERTED;
  if (!mg_quarantine_id_valid (r->id) || r->report_json == NULL || passes != (output != NULL) ||
      (passes && r->output_filename == NULL))
    return NULL;
  r->output = output != NULL ? g_bytes_ref (output) : NULL;
  return g_steal_pointer (&r);
}

gboolean
mg_pipeline_worker_file (MgPipeline *pipeline, GBytes *data, const char *name,
                         MgFileResult **result_r, GError **error)
{
  g_autoptr (MgIpcFrame) job = mg_ipc_frame_new (MG_IPC_JOB);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (GError) local = NULL;
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);

  mg_ipc_frame_add_str (job, MG_IPC_F_NAME, name);
  mg_ipc_frame_add (job, MG_IPC_F_MESSAGE, bytes, len);
  if (!mg_sandbox_pool_run (mg_pipeline_get_pool (pipeline), job, &reply, NULL, &local)) {
    if (!g_error_matches (local, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED)) {
      g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL, "%s", local->message);
      return FALSE;
    }
    *result_r = mg_file_result_refused (pipeline, name, MG_REASON_CONVERT_FAILED,
                                        local->message);
    return TRUE;
  }
  *result_r = mg_pipeline_worker_file_result_decode (reply);
  if (*result_r == NULL)
    *result_r = mg_file_result_refused (pipeline, name, MG_REASON_CONVERT_FAILED,
                                        "malformed reply from the worker");
  return TRUE;
}
