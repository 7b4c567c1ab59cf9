/* quarantine_export.c - write an item as an encrypted ZIP with libarchive.
 *
 * Must never write a member unencrypted, nor export for a non-approver. The
 * original leaves the store only inside the encrypted archive.
 */
#include "quarantine/quarantine_export.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "quarantine/quarantine_role.h"

#define MG_EXPORT_AUDIT_LINE_MAX (1024 * 1024) /* longer audit lines are skipped */

gboolean
mg_quarantine_export_cipher_parse (const char *text, MgQuarantineExportCipher *cipher_r)
{
  if (g_strcmp0 (text, "aes256") == 0)
    *cipher_r = MG_QUARANTINE_EXPORT_AES256;
  else if (g_strcmp0 (text, "zipcrypt") == 0)
    *cipher_r = MG_QUARANTINE_EXPORT_ZIPCRYPT;
  else
    return FALSE;
  return TRUE;
}

/* TRUE when LINE is a JSON object whose "id" is ID. */
static gboolean
line_is_of (const char *line, const char *id)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (strstr (line, id) == NULL || !json_parser_load_from_data (parser, line, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  return json_object_has_member (object, "id") &&
         g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), id) == 0;
}

/* The lines of DIR/audit.log about item ID, as written. */
static GBytes *
audit_lines (const char *dir, const char *id)
{
  g_autofree char *path = g_build_filename (dir, "audit.log", NULL);
  GString *out = g_string_new (NULL);
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  while (f != NULL && (n = getline (&line, &cap, f)) > 0) {
    if (n <= MG_EXPORT_AUDIT_LINE_MAX && line_is_of (g_strchomp (line), id))
      g_string_append_printf (out, "%s\n", line);
  }
  free (line);
  if (f != NULL)
    fclose (f);
  return g_string_free_to_bytes (out);
}

static gboolean
archive_failed (struct archive *a, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "ZIP: %s",
               archive_error_string (a) != NULL ? archive_error_string (a) : "failed");
  return FALSE;
}

static gboolean
add_member (struct archive *a, const char *name, GBytes *data, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  struct archive_entry *entry = archive_entry_new ();
  gsize len;
  const void *p = g_bytes_get_data (data, &len);
  gboolean ok;

  archive_entry_set_pathname (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0600);
  archive_entry_set_size (entry, (la_int64_t) len);
  archive_entry_set_mtime (entry, g_date_time_to_unix (now), 0);
  ok = archive_write_header (a, entry) == ARCHIVE_OK &&
       (len == 0 || archive_write_data (a, p, len) == (la_ssize_t) len);
  archive_entry_free (entry);
  return ok || archive_failed (a, error);
}

static struct archive *
zip_open (int fd, MgQuarantineExportCipher cipher, GError **error)
{
  struct archive *a = archive_write_new ();
  const char *option = cipher == MG_QUARANTINE_EXPORT_AES256 ? "zip:encryption=aes256"
                                                             : "zip:encryption=zipcrypt";

  if (archive_write_set_format_zip (a) != ARCHIVE_OK ||
      archive_write_set_options (a, option) != ARCHIVE_OK ||
      archive_write_set_passphrase (a, MG_QUARANTINE_EXPORT_PASSWORD) != ARCHIVE_OK ||
      archive_write_open_fd (a, fd) != ARCHIVE_OK) {
    archive_failed (a, error);
    archive_write_free (a);
    return NULL;
  }
  return a;
}

static void
add_sum (GString *sums, const char *name, GBytes *data)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);

  g_string_append_printf (sums, "%s  %s\n", sha, name);
}

/* The members of the ZIP: names and contents, SHA256SUMS last. */
static gboolean
write_zip (struct archive *a, const char *id, GBytes *original, GBytes *report, GBytes *audit,
           GError **error)
{
  static const char *const suffixes[3] = { ".eml", ".report.json", ".audit.jsonl" };
  GBytes *data[3] = { original, report, audit };
  g_autoptr (GString) sums = g_string_new (NULL);
  g_autoptr (GBytes) sums_bytes = NULL;

  for (guint i = 0; i < 3; i++) {
    g_autofree char *name = g_strconcat (id, suffixes[i], NULL);
    if (!add_member (a, name, data[i], error))
      return FALSE;
    add_sum (sums, name, data[i]);
  }
  sums_bytes = g_bytes_new (sums->str, sums->len);
  return add_member (a, "SHA256SUMS", sums_bytes, error) &&
         (archive_write_close (a) == ARCHIVE_OK || archive_failed (a, error));
}

static gboolean
export_item (MgQuarantineStore *store, const MgQuarantineItem *item,
             MgQuarantineExportCipher cipher, int fd, GError **error)
{
  g_autoptr (GBytes) original = NULL;
  g_autoptr (GBytes) audit = NULL;
  g_autofree char *report = NULL;
  g_autoptr (GBytes) report_bytes = NULL;
  struct archive *a;
  gsize len;
  gboolean ok;

  if (item->original_sha256 == NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
                 "the original of %s was deleted", item->id);
    return FALSE;
  }
  original = mg_quarantine_store_original (store, item, error);
  report = original != NULL ? mg_quarantine_store_report (store, item, error) : NULL;
  if (report == NULL)
    return FALSE;
  len = strlen (report);
  report_bytes = g_bytes_new_take (g_steal_pointer (&report), len);
  audit = audit_lines (mg_quarantine_store_dir (store), item->id);
  a = zip_open (fd, cipher, error);
  if (a == NULL)
    return FALSE;
  ok = write_zip (a, item->id, original, report_bytes, audit, error);
  archive_write_free (a);
  return ok;
}

gboolean
mg_quarantine_export_sample (MgQuarantineStore *store, const char *id,
                             const MgQuarantineActor *actor, MgQuarantineExportCipher cipher,
                             int fd, GError **error)
{
  g_autoptr (MgQuarantineItem) item = NULL;
  g_autofree char *detail = NULL;
  GError *local = NULL;

  if (mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_APPROVER, "sample_export", &local))
    item = mg_quarantine_store_get (store, id, &local);
  if (item != NULL && export_item (store, item, cipher, fd, &local))
    detail = g_strdup_printf ("cipher=%s sha256=%s size=%" G_GINT64_FORMAT,
                              cipher == MG_QUARANTINE_EXPORT_AES256 ? "aes256" : "zipcrypt",
                              item->original_sha256, item->size);
  return mg_quarantine_store_finish (store, actor, "sample_export", id, local, detail, error);
}
