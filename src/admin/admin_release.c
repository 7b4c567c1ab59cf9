/* admin_release.c - re-sanitise and deliver, or forward the original.
 *
 * Must never send or write the original towards the LGWAN side: the only
 * bytes that leave for the recipients are the pipeline's output of a message
 * it did not withhold.
 */
#include "util/tree.h"
#include "admin/admin_release.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "admin/admin_original.h"
#include "pipeline/pipeline.h"
#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_smtp.h"
#include "util/fdio.h"
#include "worker/remote.h"

struct MgAdminRelease {
  const MgConfig *config;
  MgConfig rerun;       /* CONFIG with the quarantine in a scratch directory */
  MgPipeline *pipeline; /* loaded at the first release */
  char *stamp;          /* of the virus database PIPELINE loaded */
  char *output;
  char *to; /* the approver's address for an item without envelope */
};

MgAdminRelease *
mg_admin_release_new (const MgConfig *config, const char *output)
{
  MgAdminRelease *release = g_new0 (MgAdminRelease, 1);

  release->config = config;
  release->rerun = *config; /* borrows every string; never freed as a config */
  release->output = g_strdup (output);
  return release;
}

void
mg_admin_release_set_to (MgAdminRelease *release, const char *to)
{
  g_free (release->to);
  release->to = g_strdup (to);
}

void
mg_admin_release_free (MgAdminRelease *release)
{
  if (release == NULL)
    return;
  mg_pipeline_free (release->pipeline);
  g_free (release->stamp);
  g_free (release->output);
  g_free (release->to);
  g_free (release);
}

/* The pipeline, loaded again when the virus database changed since it was
 * (like the milter's reload), so that an approval scans with the signatures
 * of now; NULL with ERROR (the release does not happen) when it cannot be. */
static MgPipeline *
current_pipeline (MgAdminRelease *release, GError **error)
{
  g_autofree char *stamp = mg_tree_stamp (release->config->clamav_database);

  if (release->pipeline != NULL && g_strcmp0 (stamp, release->stamp) == 0)
    return release->pipeline;
  if (release->pipeline != NULL)
    g_message ("virus database %s changed, loading it", release->config->clamav_database);
  g_clear_pointer (&release->pipeline, mg_pipeline_free);
  release->pipeline = mg_remote_pipeline_new (&release->rerun, error);
  g_free (release->stamp);
  release->stamp = release->pipeline != NULL ? g_steal_pointer (&stamp) : NULL;
  return release->pipeline;
}

GBytes *
mg_admin_release_ppap_open (MgAdminRelease *release, GBytes *original, const char *password,
                            guint *opened_r, MgPpapKind *kind_r, GError **error)
{
  MgPipeline *pipeline = current_pipeline (release, error);

  *kind_r = MG_PPAP_NO_ANSWER;
  if (pipeline == NULL)
    return NULL;
  return mg_remote_ppap_open (pipeline, original, password, opened_r, kind_r, error);
}

/* The pipeline, run with its quarantine in a scratch directory that is
 * removed afterwards: the re-run is part of the approval, not a new item. */
static MgMailResult *
resanitise (MgAdminRelease *release, GBytes *message, GError **error)
{
  g_autofree char *scratch = g_build_filename (release->config->quarantine_directory, "tmp",
                                               "release-XXXXXX", NULL);
  g_autofree char *tmp = g_path_get_dirname (scratch);
  MgMailResult *result = NULL;

  if (!mg_quarantine_object_mkdir (release->config->quarantine_directory, tmp, error))
    return NULL;
  if (g_mkdtemp_full (scratch, 0700) == NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_RELEASE, "%s: %s", scratch,
                 g_strerror (errno));
    return NULL;
  }
  release->rerun.quarantine_directory = scratch;
  if (current_pipeline (release, error) != NULL)
    mg_pipeline_mail (release->pipeline, message, NULL, &result, error);
  release->rerun.quarantine_directory = release->config->quarantine_directory;
  mg_tree_remove (scratch);
  return result;
}

/* Send MESSAGE through TARGET from [release] sender to RECIPIENTS, each of
 * which is checked against [release] allowed_recipient_domains first. */
static gboolean
send_smtp (const MgConfig *config, const char *target, const char *const *recipients,
           GBytes *message, char **reply_r, GError **error)
{
  if (*target == '\0') {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "[release] smtp is empty: release to a file with -o");
    return FALSE;
  }
  if (!mg_quarantine_envelope_check (config, recipients, error))
    return FALSE;
  return mg_quarantine_smtp_send (target, config->release_sender, recipients, message, reply_r,
                                  error);
}

/* Unless [release] allow_virus_original, the original scanned again with the
 * signatures of now: a virus found since it was stored is not forwarded. */
static gboolean
original_still_clean (MgAdminRelease *release, GBytes *original, GError **error)
{
  g_autoptr (MgMailResult) result = NULL;

  if (release->config->release_allow_virus_original)
    return TRUE;
  result = resanitise (release, original, error);
  if (result == NULL)
    return FALSE;
  if (!result->virus)
    return TRUE;
  g_set_error (
      error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
      "原本を再検査したところウイルスが見つかったため転送しません（%s） / the original,"
      " scanned again, has a virus (%s): not forwarded ([release]"
      " allow_virus_original = no)",
      result->reason != NULL ? result->reason : "virus",
      result->reason != NULL ? result->reason : "virus");
  return FALSE;
}

static gboolean
forward_original (MgAdminRelease *release, const MgQuarantineItem *item, GBytes *original,
                  char **result_r, GError **error)
{
  const MgConfig *config = release->config;
  const char *to[] = { config->release_original_forward_address, NULL };
  g_autofree char *reply = NULL;
  g_autoptr (GBytes) wrapped = NULL;

  if (!mg_admin_original_allowed (config, item, release->output != NULL, error) ||
      !original_still_clean (release, original, error))
    return FALSE;
  wrapped = mg_admin_original_wrap (config, item, original);
  if (!send_smtp (config, config->release_original_smtp, to, wrapped, &reply, error))
    return FALSE;
  *result_r = g_strdup_printf ("unsanitised original forwarded to %s via %s (%s)", to[0],
                               config->release_original_smtp, reply);
  return TRUE;
}

/* Where a sanitised release goes: the recorded envelope recipients, or for an
 * item stored without one, the one address the approver gave. */
static const char *const *
destination (MgAdminRelease *release, const MgQuarantineItem *item, const char **one,
             GError **error)
{
  if (item->envelope_to != NULL && release->to != NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "このメールは記録したエンベロープの宛先にだけ解放します（--to は使えません）"
                 " / this item goes only to its recorded envelope recipients: --to refused");
    return NULL;
  }
  if (item->envelope_to != NULL)
    return (const char *const *) item->envelope_to;
  one[0] = release->to;
  one[1] = NULL;
  return one;
}

static gboolean
deliver_sanitised (MgAdminRelease *release, const MgQuarantineItem *item,
                   const MgMailResult *result, const char *ppap, char **result_r,
                   GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data (result->output, &len);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, result->output);
  g_autofree char *reply = NULL;
  g_autofree char *shown = NULL;
  const char *one[2];
  const char *const *to;

  if (release->output != NULL) {
    if (!mg_fdio_write_file_atomic (release->output, data, len, error))
      return FALSE;
    *result_r = g_strdup_printf ("%ssanitised as %s (sha256 %s), written to %s", ppap,
                                 result->id, sha, release->output);
    return TRUE;
  }
  to = destination (release, item, one, error);
  if (to == NULL || !send_smtp (release->config, release->config->release_smtp, to,
                                result->output, &reply, error))
    return FALSE;
  shown = to[0] != NULL ? g_strjoinv (", ", (char **) to) : g_strdup ("");
  *result_r = g_strdup_printf ("%ssanitised as %s (sha256 %s), sent to %s via %s (%s)", ppap,
                               result->id, sha, shown, release->config->release_smtp, reply);
  return TRUE;
}

gboolean
mg_admin_release_deliver (gpointer ctx, const MgQuarantineItem *item,
                          const MgQuarantineRequest *request, GBytes *original,
                          char **result_r, GError **error)
{
  MgAdminRelease *release = ctx;
  g_autoptr (MgMailResult) result = NULL;
  g_autoptr (GBytes) opened = NULL;
  g_autofree char *ppap = g_strdup ("");
  guint zips = 0;
  MgPpapKind why; /* the error says it, for the audit log and the approver */

  if (g_strcmp0 (request->kind, MG_QUARANTINE_RELEASE_ORIGINAL) == 0)
    return forward_original (release, item, original, result_r, error);
  if (release->output == NULL) {
    const char *one[2];
    const char *const *to = destination (release, item, one, error);
    if (to == NULL || !mg_quarantine_envelope_check (release->config, to, error))
      return FALSE;
  }
  if (request->password != NULL) {
    opened = mg_admin_release_ppap_open (release, original, request->password, &zips, &why,
                                         error);
    if (opened == NULL)
      return FALSE;
    g_free (ppap);
    ppap = g_strdup_printf ("%u password-protected ZIP opened, ", zips);
  }
  result = resanitise (release, opened != NULL ? opened : original, error);
  if (result == NULL)
    return FALSE;
  if (result->verdict != MG_VERDICT_SANITISED) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_RELEASE,
                 "the sanitiser still withholds it (%s): not released",
                 result->reason != NULL ? result->reason : "withheld");
    return FALSE;
  }
  return deliver_sanitised (release, item, result, ppap, result_r, error);
}
