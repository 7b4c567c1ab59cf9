/* quarantine_release.c - request, approve, reject: the two-person rule.
 *
 * Must never let the requester approve their own request, never deliver
 * without a claimed request (so two approvers cannot release twice), and
 * never keep a PPAP password once its request is decided.
 */
#include "quarantine/quarantine_release.h"

#include <string.h>

#include "quarantine/quarantine_role.h"
#include "quarantine/quarantine_secret.h"

#define MG_QUARANTINE_CLAIM_STALE 900 /* seconds: an approval that crashed */
#define REQUEST_COLUMNS                                                                       \
  "rid, item_id, kind, requested_by, requested_at, note, password, state, decided_by,"        \
  " decided_at, result, requested_unix"

void
mg_quarantine_request_free (MgQuarantineRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->item_id);
  g_free (request->kind);
  g_free (request->requested_by);
  g_free (request->requested_unix);
  g_free (request->note);
  if (request->password != NULL)
    explicit_bzero (request->password, strlen (request->password));
  g_free (request->password);
  g_free (request->state);
  g_free (request->decided_by);
  g_free (request->result);
  g_free (request);
}

static MgQuarantineRequest *
request_from_stmt (MgQuarantineStmt *stmt)
{
  MgQuarantineRequest *r = g_new0 (MgQuarantineRequest, 1);

  r->rid = mg_quarantine_stmt_int64 (stmt, 0);
  r->item_id = mg_quarantine_index_column_text (stmt, 1);
  r->kind = mg_quarantine_index_column_text (stmt, 2);
  r->requested_by = mg_quarantine_index_column_text (stmt, 3);
  r->requested_at = mg_quarantine_stmt_int64 (stmt, 4);
  r->note = mg_quarantine_index_column_text (stmt, 5);
  r->password = mg_quarantine_index_column_text (stmt, 6);
  r->state = mg_quarantine_index_column_text (stmt, 7);
  r->decided_by = mg_quarantine_index_column_text (stmt, 8);
  r->decided_at = mg_quarantine_stmt_int64 (stmt, 9);
  r->result = mg_quarantine_index_column_text (stmt, 10);
  r->requested_unix = mg_quarantine_index_column_text (stmt, 11);
  return r;
}

/* The sealed password of R opened in place; one that cannot be opened is
 * dropped (the archive then stays encrypted and is withheld again). */
static void
unseal_password (MgQuarantineStore *store, MgQuarantineRequest *r)
{
  g_autoptr (GError) error = NULL;
  char *plain;

  if (r->password == NULL)
    return;
  plain = mg_quarantine_secret_open (mg_quarantine_store_dir (store), r->item_id, r->password,
                                     &error);
  if (plain == NULL)
    g_warning ("%s: %s", r->item_id, error->message);
  g_free (r->password); /* sealed: nothing secret in it */
  r->password = plain;
}

static GPtrArray *
select_requests (MgQuarantineStore *store, const char *sql, const char *id, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  const char *args[] = { id, NULL };
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);
  g_autoptr (GPtrArray) rows = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_quarantine_request_free);
  while ((rc = mg_quarantine_stmt_step (stmt)) == MG_QUARANTINE_ROW)
    g_ptr_array_add (rows, request_from_stmt (stmt));
  mg_quarantine_stmt_finalize (stmt);
  if (rc != MG_QUARANTINE_DONE) {
    mg_quarantine_index_error (index, "requests", error);
    return NULL;
  }
  for (guint i = 0; i < rows->len; i++)
    unseal_password (store, g_ptr_array_index (rows, i));
  return g_steal_pointer (&rows);
}

GPtrArray *
mg_quarantine_release_history (MgQuarantineStore *store, const char *id, GError **error)
{
  return select_requests (store,
                          "SELECT " REQUEST_COLUMNS " FROM requests"
                          " WHERE item_id = ? ORDER BY rid",
                          id, error);
}

MgQuarantineRequest *
mg_quarantine_release_pending (MgQuarantineStore *store, const char *id, GError **error)
{
  g_autoptr (GPtrArray) rows = select_requests (
      store,
      "SELECT " REQUEST_COLUMNS " FROM requests WHERE item_id = ?"
      " AND state IN ('pending', 'approving') ORDER BY rid DESC LIMIT 1",
      id, error);

  if (rows == NULL || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

static gboolean refuse (GError **error, MgQuarantineError code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **error, MgQuarantineError code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_propagate_error (error, g_error_new_valist (MG_QUARANTINE_ERROR, code, format, ap));
  va_end (ap);
  return FALSE;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
check_requestable (MgQuarantineStore *store, const MgQuarantineItem *item, const char *kind,
                   GError **error)
{
  const MgConfig *config = mg_quarantine_store_config (store);
  g_autoptr (MgQuarantineRequest) pending = NULL;

  if (g_strcmp0 (kind, MG_QUARANTINE_RELEASE_SANITISED) != 0 &&
      g_strcmp0 (kind, MG_QUARANTINE_RELEASE_ORIGINAL) != 0)
    return refuse (error, MG_QUARANTINE_ERROR_POLICY, "unknown kind of release");
  if (g_strcmp0 (kind, MG_QUARANTINE_RELEASE_ORIGINAL) == 0 &&
      (*config->release_original_forward_address == '\0' ||
       *config->release_original_smtp == '\0'))
    return refuse (error, MG_QUARANTINE_ERROR_POLICY,
                   "原本の転送は設定されていません / originals may not be forwarded:"
                   " [release] original_forward_address or original_smtp is empty");
  if (g_strcmp0 (kind, MG_QUARANTINE_RELEASE_ORIGINAL) == 0 && item->virus != NULL &&
      *item->virus != '\0' && !config->release_allow_virus_original)
    return refuse (error, MG_QUARANTINE_ERROR_POLICY,
                   "ウイルスを検出したメールの原本は転送できません / the original of a mail"
                   " withheld for a virus is not forwarded ([release] allow_virus_original"
                   " = no)");
  if (g_strcmp0 (item->state, MG_QUARANTINE_STATE_DELETED) == 0)
    return refuse (error, MG_QUARANTINE_ERROR_STATE, "%s was deleted", item->id);
  pending = mg_quarantine_release_pending (store, item->id, error);
  if (pending != NULL)
    return refuse (error, MG_QUARANTINE_ERROR_STATE, "%s already has a pending request by %s",
                   item->id, pending->requested_by);
  return error == NULL || *error == NULL;
}

static gboolean
insert_request (MgQuarantineStore *store, const MgQuarantineItem *item,
                const MgQuarantineActor *actor, const char *kind, const char *password,
                const char *note, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, now_seconds ());
  g_autofree char *sealed = NULL;
  const char *args[] = { item->id,
                         kind,
                         actor->name,
                         now,
                         note != NULL ? note : "",
                         NULL,
                         actor->unix_user != NULL ? actor->unix_user : "",
                         NULL };
  const char *state_args[] = { item->id, NULL };

  if (password != NULL && *password != '\0') {
    sealed = mg_quarantine_secret_seal (mg_quarantine_store_dir (store), item->id, password,
                                        error);
    if (sealed == NULL)
      return FALSE;
  }
  args[5] = sealed != NULL ? sealed : "";
  return mg_quarantine_index_exec (index,
                                   "INSERT INTO requests (item_id, kind,"
                                   " requested_by, requested_at, note, password, state,"
                                   " requested_unix)"
                                   " VALUES (?, ?, ?, CAST (? AS BIGINT), NULLIF (?, ''),"
                                   " NULLIF (?, ''), 'pending', NULLIF (?, ''))",
                                   args, error) &&
         mg_quarantine_index_exec (index,
                                   "UPDATE items SET state = 'pending'"
                                   " WHERE id = ?",
                                   state_args, error);
}

static gboolean
request_locked (MgQuarantineStore *store, const char *id, const MgQuarantineActor *actor,
                const char *kind, const char *password, const char *note, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autoptr (MgQuarantineItem) item = NULL;

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  item = mg_quarantine_store_get (store, id, error);
  if (item == NULL || !check_requestable (store, item, kind, error) ||
      !insert_request (store, item, actor, kind, password, note, error)) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  return mg_quarantine_index_commit (index, error);
}

gboolean
mg_quarantine_release_request (MgQuarantineStore *store, const char *id,
                               const MgQuarantineActor *actor, const char *kind,
                               const char *password, const char *note, GError **error)
{
  GError *local = NULL;
  g_autofree char *detail = g_strdup_printf (
      "kind=%s%s", kind != NULL ? kind : "?",
      password != NULL && *password != '\0' ? " with archive password" : "");

  if (mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_OPERATOR, "request", &local))
    request_locked (store, id, actor, kind, password, note, &local);
  return mg_quarantine_store_finish (store, actor, "request", id, local, detail, error);
}

static gboolean
check_approvable (const MgQuarantineRequest *request, const MgQuarantineActor *actor,
                  const char *id, GError **error)
{
  if (request == NULL)
    return refuse (error, MG_QUARANTINE_ERROR_STATE, "%s has no pending request", id);
  if (g_ascii_strcasecmp (request->requested_by, actor->name) == 0)
    return refuse (error, MG_QUARANTINE_ERROR_SAME_PERSON,
                   "%s requested this release and may not approve it;"
                   " another approver must",
                   actor->name);
  if (request->requested_unix != NULL && actor->unix_user != NULL &&
      strcmp (request->requested_unix, actor->unix_user) == 0)
    return refuse (error, MG_QUARANTINE_ERROR_SAME_PERSON,
                   "申請と承認が同じ Unix 利用者 %s からです。別の人が承認してください"
                   " / the request (as %s) and this approval (as %s) come from the same"
                   " Unix user %s: another person must approve",
                   actor->unix_user, request->requested_by, actor->name, actor->unix_user);
  if (g_strcmp0 (request->state, "approving") == 0 &&
      now_seconds () - request->decided_at < MG_QUARANTINE_CLAIM_STALE)
    return refuse (error, MG_QUARANTINE_ERROR_STATE, "%s is being approved by %s", id,
                   request->decided_by);
  return TRUE;
}

static gboolean
set_request (MgQuarantineStore *store, const MgQuarantineRequest *request, const char *state,
             const char *decided_by, const char *result, GError **error)
{
  g_autofree char *rid = g_strdup_printf ("%" G_GINT64_FORMAT, request->rid);
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, now_seconds ());
  gboolean decided = g_strcmp0 (state, "pending") != 0 && g_strcmp0 (state, "approving") != 0;
  const char *args[] = { state,
                         decided_by != NULL ? decided_by : "",
                         now,
                         result != NULL ? result : "",
                         decided ? "1" : "0",
                         rid,
                         NULL };

  return mg_quarantine_index_exec (
      mg_quarantine_store_index (store),
      "UPDATE requests SET state = ?, decided_by = NULLIF (?, ''),"
      " decided_at = CAST (? AS BIGINT), result = NULLIF (?, ''),"
      " password = CASE WHEN ? = '1' THEN NULL ELSE password END"
      " WHERE rid = CAST (? AS BIGINT)",
      args, error);
}

/* Take the pending request of ID for ACTOR, under the write lock. */
static MgQuarantineRequest *
claim (MgQuarantineStore *store, const char *id, const MgQuarantineActor *actor,
       GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autoptr (MgQuarantineRequest) request = NULL;
  g_autoptr (MgQuarantineItem) item = NULL;

  if (!mg_quarantine_index_begin (index, error))
    return NULL;
  item = mg_quarantine_store_get (store, id, error);
  if (item != NULL)
    request = mg_quarantine_release_pending (store, id, error);
  if (item == NULL || (error != NULL && *error != NULL) ||
      !check_approvable (request, actor, id, error) ||
      !set_request (store, request, "approving", actor->name, NULL, error)) {
    mg_quarantine_index_rollback (index);
    return NULL;
  }
  if (!mg_quarantine_index_commit (index, error))
    return NULL;
  return g_steal_pointer (&request);
}

static gboolean
settle (MgQuarantineStore *store, const MgQuarantineRequest *request,
        const MgQuarantineActor *actor, const char *result, gboolean delivered, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  if (!set_request (store, request, delivered ? "approved" : "pending",
                    delivered ? actor->name : NULL, result, error) ||
      !mg_quarantine_index_set_state (
          index, request->item_id,
          delivered ? MG_QUARANTINE_STATE_RELEASED : MG_QUARANTINE_STATE_PENDING, error)) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  if (!mg_quarantine_index_commit (index, error))
    return FALSE;
  if (delivered)
    mg_quarantine_index_checkpoint (index); /* the wiped password off the disk */
  return TRUE;
}

static gboolean
deliver_claimed (MgQuarantineStore *store, const MgQuarantineRequest *request,
                 MgQuarantineDeliver deliver, gpointer ctx, char **result_r, GError **error)
{
  g_autoptr (MgQuarantineItem) item = mg_quarantine_store_get (store, request->item_id, error);
  g_autoptr (GBytes) original = NULL;

  if (item == NULL)
    return FALSE;
  original = mg_quarantine_store_original (store, item, error);
  return original != NULL && deliver (ctx, item, request, original, result_r, error);
}

gboolean
mg_quarantine_release_approve (MgQuarantineStore *store, const char *id,
                               const MgQuarantineActor *actor, MgQuarantineDeliver deliver,
                               gpointer ctx, char **result_r, GError **error)
{
  GError *local = NULL;
  g_autoptr (MgQuarantineRequest) request = NULL;
  g_autofree char *result = NULL;
  g_autofree char *detail = NULL;
  gboolean delivered;

  if (mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_APPROVER, "approve", &local))
    request = claim (store, id, actor, &local);
  if (request == NULL)
    return mg_quarantine_store_finish (store, actor, "approve", id, local, NULL, error);
  delivered = deliver_claimed (store, request, deliver, ctx, &result, &local);
  if (!settle (store, request, actor, delivered ? result : local->message, delivered,
               local != NULL ? NULL : &local))
    delivered = FALSE;
  if (result_r != NULL)
    *result_r = g_strdup (result);
  detail = g_strdup_printf ("kind=%s requested by %s%s%s", request->kind,
                            request->requested_by, result != NULL ? ": " : "",
                            result != NULL ? result : "");
  return mg_quarantine_store_finish (store, actor, "approve", id, local, detail, error) &&
         delivered;
}

static gboolean
reject_locked (MgQuarantineStore *store, const char *id, const MgQuarantineActor *actor,
               const char *note, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  g_autoptr (MgQuarantineRequest) request = NULL;
  g_autoptr (MgQuarantineItem) item = NULL;

  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  item = mg_quarantine_store_get (store, id, error);
  request = item != NULL ? mg_quarantine_release_pending (store, id, error) : NULL;
  if (item != NULL && request == NULL && (error == NULL || *error == NULL))
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
                 "%s has no pending request", id);
  if (request == NULL || !set_request (store, request, "rejected", actor->name, note, error) ||
      !mg_quarantine_index_set_state (
          index, id, item->held ? MG_QUARANTINE_STATE_HELD : MG_QUARANTINE_STATE_KEPT,
          error)) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  if (!mg_quarantine_index_commit (index, error))
    return FALSE;
  mg_quarantine_index_checkpoint (index); /* the wiped password off the disk */
  return TRUE;
}

gboolean
mg_quarantine_release_reject (MgQuarantineStore *store, const char *id,
                              const MgQuarantineActor *actor, const char *note, GError **error)
{
  GError *local = NULL;

  if (mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_APPROVER, "reject", &local))
    reject_locked (store, id, actor, note, &local);
  return mg_quarantine_store_finish (store, actor, "reject", id, local, note, error);
}
