/* policy.c - the fate of one attachment. */
#include "pipeline/policy.h"

#include <string.h>

#include "filters/registry.h"
#include "pipeline/classify.h"

#define MG_POLICY_NAME_MAX 150

gboolean
mg_policy_scan (MgJob *job, MgPart *part, GBytes *data)
{
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  g_autofree char *name = NULL;

  switch (mg_scan_buffer (job->engine, bytes, len, &name)) {
  case MG_SCAN_CLEAN:
    return TRUE;
  case MG_SCAN_VIRUS:
    mg_job_add_virus (job, name);
    mg_part_set_outcome (part, MG_ACTION_WITHHELD, MG_REASON_VIRUS, name);
    mg_job_withhold (job, MG_REASON_VIRUS, "virus %s in part %s", name, part->path);
    return FALSE;
  case MG_SCAN_INCOMPLETE:
    job->scan_incomplete = TRUE;
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                         "virus scan could not finish within the scan limits");
    return FALSE;
  case MG_SCAN_ERROR:
    break;
  }
  mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                       "virus scan failed on this part");
  return FALSE;
}

static gboolean
type_awaits_converter (const char *type)
{
  static const char *const prefixes[] = {
    "application/pdf", "application/vnd.openxmlformats", "application/msword",
    "application/vnd.ms-", "application/vnd.oasis.opendocument", "text/rtf",
    "application/rtf", "image/png", "image/jpeg", "image/gif", "image/bmp",
    "image/x-ms-bmp", "image/tiff", "image/webp", "application/zip",
    "application/x-7z-compressed", "application/x-tar", "application/gzip",
    "application/x-bzip2", "application/x-xz", "application/x-lzh-compressed",
    "application/x-rar", "application/vnd.rar", "application/vnd.ms-cab-compressed",
    "message/rfc822", "application/vnd.ms-outlook", "application/vnd.ms-tnef",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (type, prefixes[i]))
      return TRUE;
  return FALSE;
}

static void
apply_filter_result (MgJob *job, MgPart *part, MgFilterResult *result)
{
  mg_part_set_outcome (part, result->action, result->reason, result->detail);
  if (result->action != MG_ACTION_KEPT && result->action != MG_ACTION_CONVERTED)
    return;
  g_assert (result->output != NULL);
  part->output = g_steal_pointer (&result->output);
  part->output_type = g_strdup (result->output_type ? result->output_type
                                                      : "application/octet-stream");
  part->output_filename = mg_policy_output_name (part->filename,
                                                 result->output_extension,
                                                 job->parts->len);
  part->output_sha256 = mg_job_sha256 (part->output);
}

static void
run_filter (MgJob *job, MgPart *part, const MgFilter *filter, GBytes *data,
            const char *charset)
{
  MgFilterInput in = { part->detected_type, charset, part->filename, job->config };
  MgFilterResult result = { MG_ACTION_REMOVED };
  g_autoptr (GError) error = NULL;

  if (!filter->sanitise (data, &in, &result, &error)) {
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                         error != NULL ? error->message : filter->name);
  } else if (result.action == MG_ACTION_WITHHELD) {
    mg_part_set_outcome (part, MG_ACTION_WITHHELD, result.reason, result.detail);
    mg_job_withhold (job, result.reason, "part %s: %s", part->path,
                     mg_reason_text (result.reason, "en"));
  } else {
    apply_filter_result (job, part, &result);
  }
  mg_filter_result_clear (&result);
}

void
mg_policy_attachment (MgJob *job, MgPart *part, GBytes *data, const char *charset)
{
  const MgFilter *filter;
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);

  part->sha256 = mg_job_sha256 (data);
  part->detected_type = mg_classify_bytes (bytes, len);
  if (!mg_policy_scan (job, part, data))
    return;
  filter = mg_filter_registry_find (part->detected_type);
  if (filter != NULL)
    run_filter (job, part, filter, data, charset);
  else if (type_awaits_converter (part->detected_type))
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_NO_CONVERTER, NULL);
  else
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_TYPE_NOT_ALLOWED, NULL);
}

static gboolean
unsafe_char (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x200e ||
         c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0xfeff || c == 0xfffd || strchr ("/\\:*?\"<>|", (int) c) != NULL;
}

static char *
clean_chars (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (out->len + 6 > MG_POLICY_NAME_MAX)
      break;
    if (unsafe_char (c))
      g_string_append_c (out, '_');
    else
      g_string_append_unichar (out, c);
  }
  while (out->len > 0 && strchr (". ", out->str[out->len - 1]) != NULL)
    g_string_truncate (out, out->len - 1);
  while (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  return g_string_free (out, FALSE);
}

char *
mg_policy_output_name (const char *filename, const char *extension, guint index)
{
  g_autofree char *clean = NULL;
  char *dot;

  if (filename != NULL && g_utf8_validate (filename, -1, NULL))
    clean = clean_chars (filename);
  if (clean == NULL || *clean == '\0') {
    g_free (clean);
    clean = g_strdup_printf ("attachment-%u", index);
  }
  if (extension == NULL || g_str_has_suffix (clean, extension))
    return g_steal_pointer (&clean);
  dot = strrchr (clean, '.');
  if (dot != NULL && dot != clean && strlen (dot) <= 6)
    *dot = '\0';
  return g_strconcat (clean, extension, NULL);
}
