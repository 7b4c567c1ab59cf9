/* file.c - one file through the policy (see file.h).
 *
 * A file is a job with one part: policy.c decides its fate exactly as for a
 * mail attachment, and the members of an archive become the job's further
 * parts. A virus or an encrypted member anywhere inside withholds the file.
 */
#include "pipeline/file.h"

#include "pipeline/pipeline_internal.h"
#include "pipeline/policy.h"
#include "pipeline/report.h"
#include "util/safepath.h"

static MgPart *
file_part (const MgFileResult *result)
{
  const MgJob *job = result->job;

  return g_ptr_array_index (job->parts, 0);
}

/* A result whose job holds one part: the file NAME. NULL when PIPELINE
 * cannot run jobs in this process. */
static MgFileResult *
result_new (MgPipeline *pipeline, const char *name)
{
  MgJob *job = mg_pipeline_local_job (pipeline);
  MgFileResult *result;
  MgPart *part;

  if (job == NULL)
    return NULL;
  result = g_new0 (MgFileResult, 1);
  result->id = mg_report_new_id ();
  result->job = job;
  part = mg_job_add_part (job, name);
  part->filename = g_strdup (mg_safepath_basename (name));
  return result;
}

/* The file's outcome from its part, and from the job: what withholds the job
 * withholds the file, and nothing is written of a file that does not pass. */
static void
result_settle (MgFileResult *result)
{
  MgJob *job = result->job;
  MgPart *part = file_part (result);

  if (mg_job_withheld (job) && part->action != MG_ACTION_WITHHELD)
    mg_part_set_outcome (part, MG_ACTION_WITHHELD, job->withhold, job->withhold_detail);
  if (part->action == MG_ACTION_REMOVED || part->action == MG_ACTION_WITHHELD) {
    g_clear_pointer (&part->output, g_bytes_unref);
    g_clear_pointer (&part->output_filename, g_free);
    g_clear_pointer (&part->output_type, g_free);
    g_clear_pointer (&part->output_sha256, g_free);
  }
  result->action = part->action;
  result->reason = part->reason;
  result->detail = g_strdup (part->detail);
  result->output = part->output != NULL ? g_bytes_ref (part->output) : NULL;
  result->output_filename = g_strdup (part->output_filename);
  result->virus = job->viruses->len > 0;
}

gboolean
mg_pipeline_file (MgPipeline *pipeline, GBytes *data, const char *name,
                  MgFileResult **result_r, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  MgFileResult *result;
  gpointer ctx;
  const MgPipelineRemote *remote = mg_pipeline_get_remote (pipeline, &ctx);

  if (remote != NULL)
    return remote->file (ctx, pipeline, data, name, result_r, error);
  result = result_new (pipeline, name);
  mg_policy_attachment (result->job, file_part (result), data, NULL);
  result_settle (result);
  result->elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  *result_r = result;
  return TRUE;
}

MgFileResult *
mg_file_result_refused (MgPipeline *pipeline, const char *name, MgReason reason,
                        const char *detail)
{
  MgFileResult *result = result_new (pipeline, name);

  g_return_val_if_fail (result != NULL, NULL);
  mg_part_set_outcome (file_part (result), MG_ACTION_REMOVED, reason, detail);
  result_settle (result);
  return result;
}

char *
mg_file_result_json (const MgFileResult *result, const char *source, const char *output)
{
  if (result->report_json != NULL)
    return mg_report_set_paths (result->report_json, source, output);
  return mg_report_file_json (result->job, result->id, source, output, result->elapsed_ms);
}

void
mg_file_result_free (MgFileResult *result)
{
  if (result == NULL)
    return;
  mg_job_free (result->job);
  g_free (result->report_json);
  g_free (result->detail);
  g_free (result->output_filename);
  g_clear_pointer (&result->output, g_bytes_unref);
  g_free (result->id);
  g_free (result);
}
