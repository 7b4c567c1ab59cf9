/* store.c - write held originals and their reports into the quarantine. */
#include "quarantine/store.h"

#include <errno.h>
#include <gio/gio.h>

#include "util/fdio.h"

static gboolean
ensure_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0700) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
               g_strerror (errno));
  return FALSE;
}

gboolean
mg_quarantine_store_put (const char *dir, const char *id, GBytes *original,
                         const char *report_json, GError **error)
{
  g_autofree char *items = g_build_filename (dir, "items", NULL);
  g_autofree char *eml_name = g_strconcat (id, ".eml", NULL);
  g_autofree char *json_name = g_strconcat (id, ".json", NULL);
  g_autofree char *eml = g_build_filename (items, eml_name, NULL);
  g_autofree char *json = g_build_filename (items, json_name, NULL);
  gsize len;
  const void *data = g_bytes_get_data (original, &len);

  g_return_val_if_fail (strchr (id, '/') == NULL, FALSE);
  if (!ensure_dir (items, error))
    return FALSE;
  if (!mg_fdio_write_file_atomic (eml, data, len, error))
    return FALSE;
  return mg_fdio_write_file_atomic (json, report_json, strlen (report_json), error);
}
