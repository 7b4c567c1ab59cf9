/* worker.c - the supervisor's main and the job loop of a sandboxed worker.
 *
 * A worker decodes each job strictly (protocol.c), runs it on the local
 * pipeline inside its sandbox, and answers with the typed result. Converters
 * (LibreOffice) go to the supervisor as convert requests; the supervisor's
 * service child decodes them just as strictly.
 */
#include "worker/worker.h"

#include <signal.h>
#include <string.h>

#include "filters/office_warm.h"
#include "pipeline/file.h"
#include "pipeline/pipeline_internal.h"
#include "pipeline/ppap.h"
#include "sandbox/privs.h"
#include "sandbox/supervisor.h"
#include "worker/protocol.h"

#define MG_WORKER_CONVERT_TIMEOUT_MS (15 * 60 * 1000)
#define MG_WORKER_CONVERT_MAX (1024 * 1024 * 1024)

gsize
mg_worker_max_frame (const MgConfig *config)
{
  return (gsize) MAX (config->limits.message_size * 4, 64 * 1024 * 1024);
}

/* MgFilterConvert in a worker: the supervisor runs the converter. */
static GBytes *
convert_through_supervisor (gpointer ctx, GBytes *input, const char *source_ext,
                            const char *target, char **why_r)
{
  MgConvertRequest request = { input, (char *) source_ext, (char *) target };
  g_autoptr (MgIpcFrame) frame = mg_protocol_convert_request_encode (&request);
  g_autoptr (MgIpcFrame) answer = NULL;
  g_autoptr (GError) error = NULL;
  MgConvertReply reply = { NULL, NULL };

  answer = mg_sandbox_service_call (GPOINTER_TO_INT (ctx), frame, MG_WORKER_CONVERT_MAX,
                                    MG_WORKER_CONVERT_TIMEOUT_MS, &error);
  if (answer == NULL || !mg_protocol_convert_reply_decode (answer, &reply, &error)) {
    *why_r = g_strdup_printf ("the converter service failed: %s", error->message);
    return NULL;
  }
  *why_r = g_steal_pointer (&reply.reason);
  return reply.output;
}

/* In a child of the supervisor: run the converter a worker asked for, in a
 * LibreOffice kept running between requests (office_warm.h); FRAME NULL: the
 * service child ends, and so does that LibreOffice. */
static MgIpcFrame *
run_service (gpointer ctx, const MgIpcFrame *frame)
{
  MgConvertRequest request = { NULL, NULL, NULL };
  MgConvertReply reply = { NULL, NULL };
  g_autoptr (GError) error = NULL;
  MgIpcFrame *answer;

  if (frame == NULL) {
    mg_office_warm_stop ();
    return NULL;
  }
  mg_office_warm_allow ();
  if (!mg_protocol_convert_request_decode (frame, &request, &error))
    reply.reason = g_strdup_printf ("malformed convert request: %s", error->message);
  else
    reply.output = mg_pipeline_run_converter (ctx, request.input, request.source,
                                              request.target, &reply.reason);
  answer = mg_protocol_convert_reply_encode (&reply);
  mg_convert_request_clear (&request);
  mg_convert_reply_clear (&reply);
  return answer;
}

/* A file job in the worker: the file's outcome and its report. */
static MgIpcFrame *
run_file_job (MgPipeline *pipeline, const MgJobFile *job)
{
  g_autoptr (MgFileResult) r = NULL;
  g_autofree char *report = NULL;

  if (!mg_pipeline_file (pipeline, job->data, job->name, &r, NULL))
    return mg_protocol_failed_encode ("the file pipeline could not run");
  report = mg_file_result_json (r, NULL, NULL);
  g_free (r->report_json);
  r->report_json = g_steal_pointer (&report);
  return mg_protocol_result_file_encode (r);
}

/* A PPAP job: the original with its encrypted ZIPs opened, or why not. */
static MgIpcFrame *
run_ppap_job (MgPipeline *pipeline, const MgPpapRequest *job)
{
  MgPpapReply reply = { NULL, 0, NULL, MG_PPAP_OK };
  g_autoptr (GError) error = NULL;
  MgIpcFrame *frame;

  reply.output = mg_ppap_open (job->message, job->password,
                               &mg_pipeline_get_config (pipeline)->archive, &reply.opened,
                               &reply.kind, &error);
  if (reply.output == NULL)
    reply.reason = g_strdup (error->message);
  frame = mg_protocol_ppap_reply_encode (&reply);
  mg_ppap_reply_clear (&reply);
  return frame;
}

/* In the worker: the parts list of the message job in progress, sent to the
 * front before anything risky runs. */
static void
announce_parts (gpointer ctx, const char *list, const char *headers)
{
  g_autoptr (MgIpcFrame) frame = mg_protocol_parts_encode (list, headers);

  mg_ipc_frame_send (GPOINTER_TO_INT (ctx), frame, NULL);
}

static MgIpcFrame *
run_mail_job (MgPipeline *pipeline, int front_fd, const MgJobMail *job)
{
  g_autoptr (MgMailResult) result = NULL;

  mg_pipeline_set_announce (pipeline, announce_parts, GINT_TO_POINTER (front_fd));
  result = mg_pipeline_sanitise_local (pipeline, job->message, job->queue_id);
  mg_pipeline_set_announce (pipeline, NULL, NULL);
  return mg_protocol_result_mail_encode (result);
}

MgIpcFrame *
mg_worker_job (MgPipeline *pipeline, int front_fd, int service_fd, const MgIpcFrame *frame)
{
  g_autoptr (GError) error = NULL;
  MgIpcFrame *reply = NULL;

  mg_pipeline_set_converter (pipeline, convert_through_supervisor,
                             GINT_TO_POINTER (service_fd));
  switch (mg_ipc_frame_type (frame)) {
  case MG_IPC_JOB_MAIL: {
    MgJobMail job = { NULL, NULL };
    if (mg_protocol_job_mail_decode (frame, &job, &error))
      reply = run_mail_job (pipeline, front_fd, &job);
    mg_job_mail_clear (&job);
    break;
  }
  case MG_IPC_JOB_FILE: {
    MgJobFile job = { NULL, NULL };
    if (mg_protocol_job_file_decode (frame, &job, &error))
      reply = run_file_job (pipeline, &job);
    mg_job_file_clear (&job);
    break;
  }
  case MG_IPC_JOB_PPAP: {
    MgPpapRequest job = { NULL, NULL };
    if (mg_protocol_ppap_request_decode (frame, &job, &error))
      reply = run_ppap_job (pipeline, &job);
    mg_ppap_request_clear (&job);
    break;
  }
  default:
    break;
  }
  if (reply != NULL)
    return reply;
  return mg_protocol_failed_encode (error != NULL ? error->message : "not a job");
}

static MgIpcFrame *
run_job (gpointer ctx, int front_fd, int service_fd, const MgIpcFrame *job)
{
  return mg_worker_job (ctx, front_fd, service_fd, job);
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
mg_worker_supervisor_main (int argc, char **argv)
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
  sigemptyset (&none); /* exec'd from a thread that may have blocked signals */
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
    mg_ppap_init ();
    limits = (MgSandboxLimits){ config->sandbox.max_memory_mb,
                                config->sandbox.job_timeout * (config->sandbox.max_jobs + 1),
                                256, config->limits.message_size * 4 };
    /* a service child with a running LibreOffice waits for the next document */
    limits.service_idle = config->office.libreoffice_reuse > 1
                              ? config->office.libreoffice_idle
                              : 0;
    settled = mg_sandbox_supervisor_drop (&users, &limits, &error);
  }
  if (!settled) {
    mg_sandbox_supervisor_fail (ctl, error->message);
    return 78;
  }
  return mg_sandbox_supervisor_run (
      ctl, workers > 0 ? (guint) workers : g_get_num_processors (), &limits,
      mg_worker_max_frame (config), run_job, run_service, pipeline);
}
