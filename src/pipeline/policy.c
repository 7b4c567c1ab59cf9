/* policy.c - the fate of one attachment. */
#include "pipeline/policy.h"

#include <string.h>

#include "filters/registry.h"
#include "pipeline/classify.h"
#include "util/safepath.h"

#define MG_POLICY_NAME_MAX 150

/* Scan DATA; FALSE with RESULT set (withheld for a virus, removed when the
 * scan could not finish or failed). A virus withholds the whole job. */
static gboolean
scan_into_result (MgJob *job, const char *path, GBytes *data, MgFilterResult *result)
{
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  g_autofree char *name = NULL;

  switch (mg_job_scan (job, bytes, len, &name)) {
  case MG_SCAN_CLEAN:
    return TRUE;
  case MG_SCAN_VIRUS:
    mg_job_add_virus (job, name);
    mg_job_withhold (job, MG_REASON_VIRUS, "virus %s in part %s", name, path);
    result->action = MG_ACTION_WITHHELD;
    result->reason = MG_REASON_VIRUS;
    result->detail = g_strdup (name);
    return FALSE;
  case MG_SCAN_INCOMPLETE:
    job->scan_incomplete = TRUE;
    result->action = MG_ACTION_REMOVED;
    result->reason = MG_REASON_LIMIT;
    result->detail = g_strdup ("virus scan could not finish within the scan limits");
    return FALSE;
  case MG_SCAN_ERROR:
    break;
  }
  result->action = MG_ACTION_REMOVED;
  result->reason = MG_REASON_CONVERT_FAILED;
  result->detail = g_strdup ("virus scan failed on this part");
  return FALSE;
}

gboolean
mg_policy_scan (MgJob *job, MgPart *part, GBytes *data)
{
  MgFilterResult result = { MG_ACTION_REMOVED };
  gboolean clean = scan_into_result (job, part->path, data, &result);

  if (!clean)
    mg_part_set_outcome (part, result.action, result.reason, result.detail);
  mg_filter_result_clear (&result);
  return clean;
}

/* A type with no filter that a converter is planned for (types that have a
 * filter in the registry never reach this question). */
static gboolean
type_awaits_converter (const char *type)
{
  static const char *const prefixes[] = {
    "application/vnd.openxmlformats",
    "application/vnd.ms-",
    "application/vnd.oasis.opendocument",
    "message/rfc822",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (type, prefixes[i]))
      return TRUE;
  return FALSE;
}

typedef struct {
  MgJob *job;
  const char *path;
  guint depth;
} MgRecurse;

static void decide (MgJob *job, const char *path, guint depth, GBytes *data, const char *name,
                    const char *charset, const char *detected, MgFilterResult *result);

/* MgFilterRecurse: a container's member through the whole policy. */
static void
recurse_member (gpointer ctx, GBytes *data, const char *name, MgFilterResult *result,
                char **detected_type_r)
{
  MgRecurse *r = ctx;
  g_autofree char *path = g_strdup_printf ("%s/%s", r->path, name);
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  char *detected = mg_classify_bytes (bytes, len);

  *detected_type_r = detected;
  if ((gint64) r->depth + 1 > r->job->config->limits.depth) {
    result->action = MG_ACTION_REMOVED;
    result->reason = MG_REASON_LIMIT;
    result->detail = g_strdup ("containers nested too deep");
    return;
  }
  decide (r->job, path, r->depth + 1, data, name, NULL, detected, result);
}

static void
run_filter (const MgFilter *filter, MgFilterInput *in, GBytes *data, MgFilterResult *result)
{
  g_autoptr (GError) error = NULL;

  if (!filter->sanitise (data, in, result, &error)) {
    mg_filter_result_clear (result);
    result->action = MG_ACTION_REMOVED;
    result->reason = MG_REASON_CONVERT_FAILED;
    result->detail = g_strdup (error != NULL ? error->message : filter->name);
  }
  if ((result->action == MG_ACTION_KEPT || result->action == MG_ACTION_CONVERTED) &&
      result->output == NULL) {
    result->action = MG_ACTION_REMOVED; /* a filter must produce the bytes */
    result->reason = MG_REASON_CONVERT_FAILED;
  }
}

/* The one decision: scan, then the filter for the detected type, or removal. */
static void
decide (MgJob *job, const char *path, guint depth, GBytes *data, const char *name,
        const char *charset, const char *detected, MgFilterResult *result)
{
  const MgFilter *filter;
  MgRecurse ctx = { job, path, depth };
  MgFilterInput in = {
    detected, charset, name,         job->config,      recurse_member,
    &ctx,     depth,   job->convert, job->convert_ctx, &job->filter_budget
  };

  filter = mg_filter_registry_find (detected);
  if (filter != NULL && filter->precheck != NULL && !filter->precheck (data, &in, result)) {
    /* over a limit: removed, not worth a scan */
    mg_job_met (job, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    return;
  }
  if (!scan_into_result (job, path, data, result))
    return;
  if (filter != NULL) {
    run_filter (filter, &in, data, result);
  } else {
    result->action = MG_ACTION_REMOVED;
    result->reason = type_awaits_converter (detected) ? MG_REASON_NO_CONVERTER
                                                      : MG_REASON_TYPE_NOT_ALLOWED;
  }
  if (result->action == MG_ACTION_WITHHELD)
    mg_job_withhold (job, result->reason, "part %s: %s", path,
                     mg_reason_text (result->reason, MG_LANG_EN));
}

/* Members a container reported become parts of the report (no output of
 * their own: they travel inside the container's output). */
static void
add_member_parts (MgJob *job, const MgPart *container, GPtrArray *members)
{
  for (guint i = 0; members != NULL && i < members->len; i++) {
    const MgFilterMember *m = g_ptr_array_index (members, i);
    g_autofree char *path = g_strdup_printf ("%s/%s", container->path, m->name);
    MgPart *part = mg_job_add_part (job, path);
    part->filename = g_strdup (m->name);
    part->detected_type = g_strdup (m->detected_type);
    part->sha256 = g_strdup (m->sha256);
    part->output_sha256 = g_strdup (m->output_sha256);
    mg_part_set_outcome (part, m->action, m->reason, m->detail);
  }
}

static void
apply_result (MgJob *job, MgPart *part, MgFilterResult *result)
{
  mg_part_set_outcome (part, result->action, result->reason, result->detail);
  if (result->action == MG_ACTION_KEPT || result->action == MG_ACTION_CONVERTED) {
    part->output = g_steal_pointer (&result->output);
    part->output_type = g_strdup (result->output_type ? result->output_type
                                                      : "application/octet-stream");
    part->output_filename = mg_policy_output_name (part->filename, result->output_extension,
                                                   job->parts->len);
    part->output_sha256 = mg_job_sha256 (part->output);
  }
  add_member_parts (job, part, result->members);
}

void
mg_policy_attachment (MgJob *job, MgPart *part, GBytes *data, const char *charset)
{
  MgFilterResult result = { MG_ACTION_REMOVED };
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);

  part->sha256 = mg_job_sha256 (data);
  if (part->detected_type == NULL) /* a caller may have classified DATA already */
    part->detected_type = mg_classify_bytes (bytes, len);
  decide (job, part->path, 0, data, part->filename, charset, part->detected_type, &result);
  apply_result (job, part, &result);
  mg_filter_result_clear (&result);
}

char *
mg_policy_output_name (const char *filename, const char *extension, guint index)
{
  g_autofree char *clean = mg_safepath_component (filename, MG_POLICY_NAME_MAX);

  if (clean == NULL)
    clean = g_strdup_printf ("attachment-%u", index);
  return mg_safepath_with_extension (clean, extension);
}
