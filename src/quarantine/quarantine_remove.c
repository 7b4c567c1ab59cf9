/* quarantine_remove.c - delete an item's original; purge by retention.
 *
 * Must never remove an object while an item refers to it, nor outside the
 * index's write lock (a writer renames objects into place under that lock).
 */
#include "quarantine/quarantine_remove.h"

#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_role.h"

#define MG_QUARANTINE_STAGING_AGE 3600

static gboolean
mark_deleted (MgQuarantineStore *store, const char *id, char **sha256_r, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  const char *args[] = { id, NULL };
  g_autoptr (MgQuarantineItem) item = NULL;

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  item = mg_quarantine_store_get (store, id, error);
  if (item != NULL && g_strcmp0 (item->state, MG_QUARANTINE_STATE_DELETED) == 0) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
                 "%s is already deleted", id);
    g_clear_pointer (&item, mg_quarantine_item_free);
  }
  if (item == NULL ||
      !mg_quarantine_index_exec (index,
                                 "UPDATE items SET state = 'deleted',"
                                 " original_sha256 = NULL WHERE id = ?",
                                 args, error) ||
      !mg_quarantine_index_exec (index,
                                 "UPDATE requests SET state = 'cancelled',"
                                 " password = NULL WHERE item_id = ?"
                                 " AND state IN ('pending', 'approving')",
                                 args, error)) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  *sha256_r = g_steal_pointer (&item->original_sha256);
  if (!mg_quarantine_index_commit (index, error))
    return FALSE;
  mg_quarantine_index_checkpoint (index); /* the cancelled password off the disk */
  return TRUE;
}

static gboolean
remove_if_unreferenced (MgQuarantineStore *store, const char *sha256, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  gint64 refs;

  if (!mg_quarantine_object_valid_name (sha256))
    return TRUE;
  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  refs = mg_quarantine_index_object_refs (index, sha256, error);
  if (refs < 0 || (refs == 0 && !mg_quarantine_store_object_remove (store, sha256, error))) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  return mg_quarantine_index_commit (index, error);
}

gboolean
mg_quarantine_remove_item (MgQuarantineStore *store, const char *id,
                           const MgQuarantineActor *actor, GError **error)
{
  GError *local = NULL;
  g_autofree char *sha256 = NULL;

  if (mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_APPROVER, "delete", &local) &&
      mark_deleted (store, id, &sha256, &local))
    remove_if_unreferenced (store, sha256, NULL); /* else purge removes it */
  return mg_quarantine_store_finish (store, actor, "delete", id, local, NULL, error);
}

/* The ids of the rows ARGS selects, into IDS. */
static gboolean
select_ids (MgQuarantineIndex *index, const char *const *args, GPtrArray *ids, GError **error)
{
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (
      index, "SELECT id FROM items WHERE time < CAST (? AS BIGINT) ORDER BY time", args,
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = mg_quarantine_stmt_step (stmt)) == MG_QUARANTINE_ROW)
    g_ptr_array_add (ids, mg_quarantine_index_column_text (stmt, 0));
  mg_quarantine_stmt_finalize (stmt);
  return rc == MG_QUARANTINE_DONE || mg_quarantine_index_error (index, "select", error);
}

/* Delete the items older than CUTOFF; their ids go into IDS (for the audit). */
static gboolean
delete_expired (MgQuarantineStore *store, gint64 cutoff, GPtrArray *ids, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, cutoff);
  const char *args[] = { text, NULL };

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  if (!select_ids (index, args, ids, error) ||
      !mg_quarantine_index_exec (index, "DELETE FROM items WHERE time < CAST (? AS BIGINT)",
                                 args, error)) {
    mg_quarantine_index_rollback (index);
    g_ptr_array_set_size (ids, 0);
    return FALSE;
  }
  if (!mg_quarantine_index_commit (index, error))
    return FALSE;
  mg_quarantine_index_checkpoint (index);
  return TRUE;
}

static gboolean
remove_unreferenced (MgQuarantineStore *store, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autoptr (GHashTable) used = NULL;
  g_autoptr (GPtrArray) names = NULL;

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  used = mg_quarantine_index_referenced (index, error);
  names = used != NULL ? mg_quarantine_store_object_list (store, error) : NULL;
  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    if (!g_hash_table_contains (used, name) &&
        !mg_quarantine_store_object_remove (store, name, error))
      g_clear_pointer (&names, g_ptr_array_unref);
  }
  if (names == NULL) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  return mg_quarantine_index_commit (index, error);
}

gboolean
mg_quarantine_remove_expired (MgQuarantineStore *store, gint64 now,
                              const MgQuarantineActor *actor, guint *items_r, GError **error)
{
  gint64 days = mg_quarantine_store_config (store)->quarantine_retention_days;
  GError *local = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *list = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  *items_r = 0;
  /* The retention period is policy: cron runs it as the local system; in the
   * web UI only an approver may start it. */
  if ((g_strcmp0 (actor->role, "local") == 0 ||
       mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_APPROVER, "purge", &local)) &&
      delete_expired (store, now - days * 86400, ids, &local) &&
      remove_unreferenced (store, &local))
    mg_quarantine_object_clean_staging (mg_quarantine_store_dir (store),
                                        MG_QUARANTINE_STAGING_AGE);
  *items_r = ids->len;
  g_ptr_array_add (ids, NULL);
  list = g_strjoinv (" ", (char **) ids->pdata);
  detail = g_strdup_printf ("%u items older than %" G_GINT64_FORMAT " days%s%s", *items_r,
                            days, *items_r > 0 ? ": " : "", list);
  return mg_quarantine_store_finish (store, actor, "purge", NULL, local, detail, error);
}
