/* pipeline.c - one message through every stage, and the verdict.
 *
 * The only place that turns a job's findings into a verdict, and decides what
 * is stored in the quarantine: the original of anything withheld or removed.
 */
#include "pipeline/pipeline.h"

#include "pipeline/gmime_autoptr.h"
#include <string.h>

#include "filters/libreoffice.h"
#include "filters/registry.h"
#include "pipeline/ambiguity.h"
#include "pipeline/assemble.h"
#include "pipeline/classify.h"
#include "pipeline/headers.h"
#include "pipeline/inventory.h"
#include "pipeline/job.h"
#include "pipeline/notice.h"
#include "pipeline/parse.h"
#include "pipeline/report.h"
#include "pipeline/walk.h"
#include "quarantine/quarantine_store.h"
#include "pipeline/pipeline_internal.h"
#include "quarantine/quarantine_headers.h"
#include "scan/scan.h"

#define MG_PIPELINE_HEADER_PEEK (256 * 1024)

struct MgPipeline {
  const MgConfig *config;
  MgScanEngine *engine;    /* in this process (sandbox disabled, or a worker) */
  MgPipelineRemote remote; /* sandboxed workers (worker/remote.h), or all NULL */
  gpointer remote_ctx;
  MgFilterConvert convert; /* in a worker: converters run by the supervisor */
  gpointer convert_ctx;
  MgPipelineAnnounce announce; /* in a worker: the parts list goes to the front */
  gpointer announce_ctx;
};

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-pipeline-error-quark, mg_pipeline_error)
/* clang-format on */

static void
init_libraries_once (void)
{
  static gsize done;

  if (g_once_init_enter (&done)) {
    g_mime_init ();
    g_once_init_leave (&done, 1);
  }
}

/* LOCAL (taken) as a configuration error: the caller exits 78. */
static gboolean
config_error (GError **error, GError *local, const char *prefix)
{
  g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_CONFIG, "%s%s", prefix,
               local != NULL ? local->message : "unknown error");
  g_clear_error (&local);
  return FALSE;
}

MgPipeline *
mg_pipeline_new_local (const MgConfig *config, GError **error)
{
  g_autoptr (MgPipeline) pipeline = g_new0 (MgPipeline, 1);
  GError *local = NULL;

  init_libraries_once ();
  pipeline->config = config;
  if (!mg_classify_init (&local) || !mg_filter_registry_init (config, &local)) {
    config_error (error, local, "setup: ");
    return NULL;
  }
  pipeline->engine = mg_scan_engine_load (config->clamav_database, config->limits.message_size,
                                          config->clamav_max_scan_seconds, &local);
  if (pipeline->engine == NULL) {
    config_error (error, local, "");
    return NULL;
  }
  return g_steal_pointer (&pipeline);
}

MgPipeline *
mg_pipeline_new_remote (const MgConfig *config, const MgPipelineRemote *remote, gpointer ctx)
{
  MgPipeline *pipeline = g_new0 (MgPipeline, 1);

  init_libraries_once ();
  pipeline->config = config;
  pipeline->remote = *remote;
  pipeline->remote_ctx = ctx;
  return pipeline;
}

void
mg_pipeline_free (MgPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  mg_scan_engine_free (pipeline->engine);
  if (pipeline->remote.free != NULL)
    pipeline->remote.free (pipeline->remote_ctx);
  g_free (pipeline);
}

void
mg_mail_result_free (MgMailResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_clear_pointer (&result->output, g_bytes_unref);
  g_free (result->report_json);
  g_free (result->reason);
  g_free (result->sender_address);
  g_free (result->recipients);
  g_clear_pointer (&result->report, json_object_unref);
  g_free (result);
}

static void
virus_in_message (MgJob *job, const char *name)
{
  mg_job_add_virus (job, name);
  mg_job_withhold (job, MG_REASON_VIRUS, "virus %s in the message", name);
}

/* The whole message as mail (mg_scan_message): its parts decoded, none
 * opened; each leaf is scanned and opened on its own by the walk. */
static void
scan_whole (MgJob *job, GBytes *message)
{
  gsize len;
  const void *data = g_bytes_get_data (message, &len);
  g_autofree char *name = NULL;

  switch (mg_scan_message (job->engine, data, len, job->unparsed, &name)) {
  case MG_SCAN_VIRUS:
    virus_in_message (job, name);
    break;
  case MG_SCAN_INCOMPLETE:
    /* Every leaf is scanned on its own as well; one that cannot be scanned
     * whole is removed there. */
    job->scan_incomplete = TRUE;
    break;
  case MG_SCAN_ERROR:
  case MG_SCAN_CLEAN:
    break;
  }
  if (job->viruses->len > 0 || job->scan_incomplete)
    g_hash_table_remove_all (job->unparsed);
  mg_job_index_unparsed (job);
}

/* After the walk: a file ClamAV found in the message that no leaf scan met
 * (the parsers disagree on the message, or the walk stopped early) was not
 * opened by any scan: the whole message is scanned again, opening all. */
static void
scan_unmet (MgJob *job, GBytes *message)
{
  gsize len;
  const void *data = g_bytes_get_data (message, &len);
  g_autofree char *name = NULL;

  if (g_hash_table_size (job->unparsed) == 0)
    return;
  g_debug ("%u files of the message met by no leaf scan: scanning it whole",
           g_hash_table_size (job->unparsed));
  g_hash_table_remove_all (job->unparsed);
  if (mg_scan_buffer (job->engine, data, len, &name) == MG_SCAN_VIRUS)
    virus_in_message (job, name);
}

/* In a worker, the parts are listed to the front before anything is
 * scanned or converted (see inventory.h). */
static void
announce_parts (MgPipeline *pipeline, MgJob *job, GMimeMessage *parsed, const char *headers)
{
  g_autofree char *list = NULL;

  if (pipeline->announce == NULL || parsed == NULL)
    return;
  list = mg_inventory_list (job, parsed);
  pipeline->announce (pipeline->announce_ctx, list, headers);
}

/* A message over the size limit is not parsed; its headers are read from the
 * start so that the notice still reaches the right people. *HEADERS_R: the
 * output's header block (mg_assemble_headers). */
static GMimeMessage *
parse_and_walk (MgPipeline *pipeline, MgJob *job, GBytes *message, char **headers_r)
{
  g_autoptr (GPtrArray) boundaries = g_ptr_array_new_with_free_func (g_free);
  GMimeMessage *parsed;
  gsize len = g_bytes_get_size (message);

  if ((gint64) len > job->config->limits.message_size) {
    g_autoptr (GBytes)
        head = g_bytes_new_from_bytes (message, 0, MIN (len, MG_PIPELINE_HEADER_PEEK));
    mg_job_withhold (job, MG_REASON_LIMIT,
                     "message of %" G_GSIZE_FORMAT
                     " bytes over the limit of %" G_GINT64_FORMAT,
                     len, job->config->limits.message_size);
    parsed = mg_parse_message (job, head);
    *headers_r = mg_assemble_headers (job, parsed);
    return parsed;
  }
  parsed = mg_parse_message (job, message);
  *headers_r = mg_assemble_headers (job, parsed);
  announce_parts (pipeline, job, parsed, *headers_r);
  scan_whole (job, message);
  if (parsed == NULL) {
    scan_unmet (job, message);
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "message could not be parsed");
    return NULL;
  }
  mg_ambiguity_check_object (job, GMIME_OBJECT (parsed), boundaries);
  mg_walk_message (job, parsed, boundaries);
  scan_unmet (job, message);
  mg_ambiguity_check_raw (job, message, boundaries);
  return parsed;
}

static gboolean
needs_quarantine (const MgJob *job)
{
  if (mg_job_withheld (job))
    return TRUE;
  for (guint i = 0; i < job->parts->len; i++) {
    const MgPart *part = g_ptr_array_index (job->parts, i);
    if (part->action == MG_ACTION_REMOVED || part->action == MG_ACTION_WITHHELD)
      return TRUE;
  }
  return FALSE;
}

static GBytes *
build_output (const MgJob *job, GMimeMessage *parsed, const char *headers, const char *id)
{
  g_autofree char *from = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *banner = NULL;

  if (mg_job_withheld (job)) {
    if (parsed != NULL) {
      from = mg_headers_get_decoded (GMIME_OBJECT (parsed), "From");
      subject = mg_headers_get_decoded (GMIME_OBJECT (parsed), "Subject");
    }
    text = mg_notice_withheld (job, id, from, subject);
    return mg_assemble_message (job, headers, "withheld", id, text, FALSE);
  }
  banner = mg_notice_banner (job, id);
  text = g_strconcat (banner, "\n", job->body->str, NULL);
  return mg_assemble_message (job, headers, "sanitised", id, text, TRUE);
}

static void
log_result (const MgMailResult *result, const char *queue_id)
{
  g_debug ("%s: id=%s verdict=%s%s%s", queue_id != NULL ? queue_id : "-", result->id,
           mg_verdict_name (result->verdict), result->reason ? " reason=" : "",
           result->reason ? result->reason : "");
}

const MgPipelineRemote *
mg_pipeline_get_remote (MgPipeline *pipeline, gpointer *ctx_r)
{
  *ctx_r = pipeline->remote_ctx;
  return pipeline->remote.mail != NULL ? &pipeline->remote : NULL;
}

const MgConfig *
mg_pipeline_get_config (MgPipeline *pipeline)
{
  return pipeline->config;
}

GBytes *
mg_pipeline_run_converter (MgPipeline *pipeline, GBytes *input, const char *source_ext,
                           const char *target, char **why_r)
{
  return mg_libreoffice_run (pipeline->config, input, source_ext, target, why_r);
}

void
mg_pipeline_set_converter (MgPipeline *pipeline, MgFilterConvert convert, gpointer ctx)
{
  pipeline->convert = convert;
  pipeline->convert_ctx = ctx;
}

void
mg_pipeline_set_announce (MgPipeline *pipeline, MgPipelineAnnounce announce, gpointer ctx)
{
  pipeline->announce = announce;
  pipeline->announce_ctx = ctx;
}

MgMailResult *
mg_pipeline_sanitise_local (MgPipeline *pipeline, GBytes *message, const char *queue_id)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr (MgJob) job = mg_job_new (pipeline->config, pipeline->engine);
  MgMailResult *result = g_new0 (MgMailResult, 1);
  g_autoptr (GMimeMessage) parsed = NULL;
  g_autofree char *headers = NULL;

  job->convert = pipeline->convert;
  job->convert_ctx = pipeline->convert_ctx;
  result->id = mg_report_new_id ();
  parsed = parse_and_walk (pipeline, job, message, &headers);
  result->output = build_output (job, parsed, headers, result->id);
  if ((gint64) g_bytes_get_size (result->output) > pipeline->config->milter_max_output_size) {
    /* Postfix would refuse it for good (552): the notice goes instead. */
    mg_job_withhold (job, MG_REASON_LIMIT,
                     "sanitised message of %" G_GSIZE_FORMAT
                     " bytes over [milter] max_output_size",
                     g_bytes_get_size (result->output));
    g_bytes_unref (result->output);
    result->output = build_output (job, parsed, headers, result->id);
  }
  result->verdict = mg_job_withheld (job) ? MG_VERDICT_WITHHELD : MG_VERDICT_SANITISED;
  result->virus = job->viruses->len > 0;
  result->held = needs_quarantine (job);
  if (mg_job_withheld (job))
    result->reason = g_strdup_printf ("%s: %s", mg_reason_text (job->withhold, MG_LANG_EN),
                                      job->withhold_detail);
  mg_quarantine_headers_addresses (message, &result->sender_address, &result->recipients);
  result->report_json = mg_report_json (job, parsed, result->id, result->verdict, queue_id,
                                        (g_get_monotonic_time () - start) / 1000);
  return result;
}

/* The worker died, was killed by its sandbox or the deadline, or answered
 * garbage: the message is withheld (a retry would meet the same input). The
 * front does not parse the message: the notice names the parts from the
 * worker's list (PARTS, NULL when it sent none) or says they are unknown, and
 * carries the headers the worker wrote (HEADERS, checked) or else the plain
 * ones of the raw message. */
MgMailResult *
mg_pipeline_failed_result (const MgConfig *config, GBytes *message, const char *queue_id,
                           const char *why, const char *parts, const char *headers,
                           gint64 elapsed_ms)
{
  g_autoptr (MgJob) job = mg_job_new (config, NULL);
  MgMailResult *result = g_new0 (MgMailResult, 1);
  g_autofree char *text = NULL;
  g_autoptr (GBytes) notice = NULL;
  GString *out = g_string_new (NULL);

  result->id = mg_report_new_id ();
  mg_job_withhold (job, MG_REASON_CONVERT_FAILED, "the sanitiser failed on this message: %s",
                   why);
  job->parts_unlisted = parts == NULL || !mg_inventory_add_parts (job, parts);
  result->verdict = MG_VERDICT_WITHHELD;
  result->held = TRUE;
  result->reason = g_strdup_printf ("%s: %s", mg_reason_text (job->withhold, MG_LANG_EN),
                                    job->withhold_detail);
  text = mg_notice_withheld (job, result->id, NULL, NULL);
  notice = mg_assemble_message (job, NULL, "withheld", result->id, text, FALSE);
  if (!mg_headers_append_checked (headers, out))
    mg_headers_copy_raw_safe (message, out);
  g_string_append_len (out, g_bytes_get_data (notice, NULL),
                       (gssize) g_bytes_get_size (notice));
  result->output = g_string_free_to_bytes (out);
  result->report_json = mg_report_json (job, NULL, result->id, result->verdict, queue_id,
                                        elapsed_ms);
  return result;
}

gboolean
mg_pipeline_mail (MgPipeline *pipeline, GBytes *message, const char *queue_id,
                  MgMailResult **result_r, GError **error)
{
  return mg_pipeline_mail_envelope (pipeline, message, queue_id, NULL, result_r, error);
}

gboolean
mg_pipeline_mail_envelope (MgPipeline *pipeline, GBytes *message, const char *queue_id,
                           const MgEnvelope *envelope, MgMailResult **result_r, GError **error)
{
  g_autoptr (MgMailResult) result = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonObject) report = NULL;

  if (pipeline->remote.mail != NULL)
    result = pipeline->remote.mail (pipeline->remote_ctx, message, queue_id, error);
  else
    result = mg_pipeline_sanitise_local (pipeline, message, queue_id);
  if (result == NULL)
    return FALSE;
  if (envelope != NULL) {
    char *with = NULL;
    report = mg_quarantine_envelope_report_object (result->report_json, envelope, &with);
    g_free (result->report_json);
    result->report_json = with;
  }
  MgQuarantinePut put = { result->id,   message,  result->output,         result->report_json,
                          result->held, envelope, result->sender_address, result->recipients,
                          report };
  if (!mg_quarantine_store_put (pipeline->config, &put, &local)) {
    g_set_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL, "quarantine: %s",
                 local->message);
    return FALSE;
  }
  log_result (result, queue_id);
  result->report = g_steal_pointer (&report); /* for the milter's summary line */
  *result_r = g_steal_pointer (&result);
  return TRUE;
}

MgJob *
mg_pipeline_local_job (MgPipeline *pipeline)
{
  MgJob *job;

  job = mg_job_new (pipeline->config, pipeline->engine); /* no engine in a sandboxed front */
  job->convert = pipeline->convert;
  job->convert_ctx = pipeline->convert_ctx;
  return job;
}
