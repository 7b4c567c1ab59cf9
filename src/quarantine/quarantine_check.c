/* quarantine_check.c - read every item's objects back.
 *
 * Must never change the store.
 */
#include "quarantine/quarantine_check.h"

#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_query.h"

void
mg_quarantine_check_clear (MgQuarantineCheck *check)
{
  g_clear_pointer (&check->problems, g_ptr_array_unref);
}

static void
check_object (MgQuarantineStore *store, MgQuarantineCheck *check, const char *id,
              const char *what, const char *sha256)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (sha256 == NULL)
    return;
  bytes = mg_quarantine_store_object_read (store, sha256, G_MAXSIZE, &error);
  if (bytes == NULL)
    g_ptr_array_add (check->problems,
                     g_strdup_printf ("%s: %s: %s", id, what, error->message));
}

static guint
count_staging (const char *dir)
{
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autoptr (GDir) d = g_dir_open (tmp, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

gboolean
mg_quarantine_check_run (MgQuarantineStore *store, MgQuarantineCheck *check, GError **error)
{
  MgQuarantineFilter all = { .all = TRUE };
  g_autoptr (GPtrArray) items = mg_quarantine_query_list (store, &all, error);
  g_autoptr (GHashTable) used = NULL;
  g_autoptr (GPtrArray) names = NULL;

  check->problems = g_ptr_array_new_with_free_func (g_free);
  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++) {
    const MgQuarantineItem *it = g_ptr_array_index (items, i);
    if (it->report_sha256 == NULL)
      g_ptr_array_add (check->problems, g_strdup_printf ("%s: no report", it->id));
    check_object (store, check, it->id, "original", it->original_sha256);
    check_object (store, check, it->id, "report", it->report_sha256);
  }
  check->items = items->len;
  used = mg_quarantine_index_referenced (mg_quarantine_store_index (store), error);
  names = used != NULL ? mg_quarantine_store_object_list (store, error) : NULL;
  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    check->unreferenced += !g_hash_table_contains (used, g_ptr_array_index (names, i));
  check->staging = count_staging (mg_quarantine_store_dir (store));
  return TRUE;
}
