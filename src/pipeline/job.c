/* job.c - the per-message state and its small helpers. */
#include "pipeline/job.h"

static void
part_free (MgPart *part)
{
  g_free (part->path);
  g_free (part->filename);
  g_free (part->declared_type);
  g_free (part->detected_type);
  g_free (part->sha256);
  g_free (part->detail);
  g_free (part->output_filename);
  g_free (part->output_type);
  g_clear_pointer (&part->output, g_bytes_unref);
  g_free (part->output_sha256);
  g_free (part);
}

MgJob *
mg_job_new (const MgConfig *config, MgScanEngine *engine)
{
  MgJob *job = g_new0 (MgJob, 1);

  job->config = config;
  job->engine = engine;
  job->language = config->notice_language;
  job->body = g_string_new (NULL);
  job->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  job->viruses = g_ptr_array_new_with_free_func (g_free);
  job->unparsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->unparsed_sizes = g_hash_table_new (g_direct_hash, g_direct_equal);
  /* filters stop at 4/5 of [sandbox] job_timeout: a part is removed, not the job killed */
  job->filter_budget.deadline = g_get_monotonic_time () +
                                config->sandbox.job_timeout * G_USEC_PER_SEC * 4 / 5;
  return job;
}

void
mg_job_free (MgJob *job)
{
  if (job == NULL)
    return;
  g_string_free (job->body, TRUE);
  g_ptr_array_unref (job->parts);
  g_ptr_array_unref (job->viruses);
  g_hash_table_unref (job->unparsed);
  g_hash_table_unref (job->unparsed_sizes);
  g_free (job->withhold_detail);
  g_free (job);
}

void
mg_job_withhold (MgJob *job, MgReason reason, const char *detail_format, ...)
{
  va_list args;
  g_autofree char *detail = NULL;
  gboolean virus_first = reason == MG_REASON_VIRUS && job->withhold != MG_REASON_NONE &&
                         job->withhold != MG_REASON_VIRUS;

  if (job->withhold != MG_REASON_NONE && !virus_first)
    return;
  va_start (args, detail_format);
  detail = g_strdup_vprintf (detail_format, args);
  va_end (args);
  if (virus_first) { /* the earlier reason stays in the detail */
    char *both = g_strdup_printf ("%s; also %s: %s", detail,
                                  mg_reason_text (job->withhold, MG_LANG_EN),
                                  job->withhold_detail);
    g_free (job->withhold_detail);
    job->withhold_detail = both;
  } else {
    job->withhold_detail = g_steal_pointer (&detail);
  }
  job->withhold = reason;
}

gboolean
mg_job_withheld (const MgJob *job)
{
  return job->withhold != MG_REASON_NONE;
}

void
mg_job_add_virus (MgJob *job, const char *name)
{
  for (guint i = 0; i < job->viruses->len; i++)
    if (g_str_equal (g_ptr_array_index (job->viruses, i), name))
      return;
  g_ptr_array_add (job->viruses, g_strdup (name));
}

MgPart *
mg_job_add_part (MgJob *job, const char *path)
{
  MgPart *part = g_new0 (MgPart, 1);

  part->path = g_strdup (path);
  part->action = MG_ACTION_REMOVED;
  g_ptr_array_add (job->parts, part);
  return part;
}

void
mg_part_set_outcome (MgPart *part, MgAction action, MgReason reason, const char *detail)
{
  part->action = action;
  part->reason = reason;
  g_free (part->detail);
  part->detail = g_strdup (detail);
}

char *
mg_job_sha256 (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

void
mg_job_index_unparsed (MgJob *job)
{
  GHashTableIter iter;
  gpointer size;

  g_hash_table_remove_all (job->unparsed_sizes);
  g_hash_table_iter_init (&iter, job->unparsed);
  while (g_hash_table_iter_next (&iter, NULL, &size)) {
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (job->unparsed_sizes, size));
    g_hash_table_insert (job->unparsed_sizes, size, GUINT_TO_POINTER (n + 1));
  }
}

/* Hashed only when a file of the same size is waiting: one lookup per leaf,
 * not a walk over every waiting file (a mail of many parts made that
 * quadratic). */
void
mg_job_met (MgJob *job, const void *data, gsize len)
{
  gpointer key = GSIZE_TO_POINTER (len);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (job->unparsed_sizes, key));
  g_autofree char *digest = NULL;

  if (n == 0 || g_hash_table_size (job->unparsed) == 0)
    return;
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  if (!g_hash_table_remove (job->unparsed, digest))
    return;
  if (n > 1)
    g_hash_table_insert (job->unparsed_sizes, key, GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (job->unparsed_sizes, key);
}

MgScanStatus
mg_job_scan (MgJob *job, const void *data, gsize len, char **name_r)
{
  mg_job_met (job, data, len);
  return mg_scan_buffer (job->engine, data, len, name_r);
}
