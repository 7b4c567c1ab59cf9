/* admin_ppap.c - a release request with the password of an encrypted ZIP.
 *
 * The admin process never opens the original: the password is tried in a
 * sandboxed worker (mg_admin_release_ppap_open), and only its typed reply
 * comes back. The password is never kept beyond the call.
 */
#include "admin/admin_ppap.h"

#include "admin/admin_notify.h"
#include "quarantine/quarantine_index.h"
#include "quarantine/quarantine_role.h"

/* Open the encrypted ZIP of item ID's original with PASSWORD, and forget it. */
static gboolean
try_password (MgQuarantineStore *store, MgAdminRelease *release, const char *id,
              const char *password, GError **error)
{
  g_autoptr (MgQuarantineItem) item = mg_quarantine_store_get (store, id, error);
  g_autoptr (GBytes)
      original = item != NULL ? mg_quarantine_store_original (store, item, error) : NULL;
  g_autoptr (GBytes) opened = NULL;
  g_autoptr (GError) local = NULL;
  guint zips = 0;
  MgPpapKind kind;

  if (original == NULL)
    return FALSE;
  opened = mg_admin_release_ppap_open (release, original, password, &zips, &kind, &local);
  if (opened != NULL)
    return TRUE;
  switch (kind) {
  case MG_PPAP_WRONG_PASSWORD:
  case MG_PPAP_NO_ARCHIVE:
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "ZIP のパスワードで開けませんでした（パスワードが違うか、パスワード付き ZIP"
                 " がありません）。受信者に確かめてください / the archive password does not"
                 " open it: %s",
                 local->message);
    return FALSE;
  case MG_PPAP_LIMIT: /* an [archive] limit stopped the worker */
  case MG_PPAP_DAMAGED:
  case MG_PPAP_NO_ANSWER: /* the worker died on it (its memory limit), or answered garbage */
  case MG_PPAP_OK:
    break;
  }
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
               "パスワード付き ZIP を開けませんでした。ZIP が壊れているか、制限を超える"
               "大きさです。受信者に確かめてください / the encrypted archive could not be"
               " opened safely: %s",
               local->message);
  return FALSE;
}

gboolean
mg_admin_ppap_request (MgQuarantineStore *store, MgAdminRelease *release, const char *id,
                       const MgQuarantineActor *actor, const char *kind, const char *password,
                       const char *note, GError **error)
{
  GError *local = NULL;

  /* Only someone who may request may try passwords; the others are refused
   * (and audited) by the request itself. */
  if (password != NULL && g_strcmp0 (kind, MG_QUARANTINE_RELEASE_SANITISED) == 0 &&
      mg_quarantine_role_require (actor, MG_QUARANTINE_ROLE_OPERATOR, "request", NULL) &&
      !try_password (store, release, id, password, &local))
    return mg_quarantine_store_finish (store, actor, "request", id, local,
                                       "kind=sanitised with archive password", error);
  if (!mg_quarantine_release_request (store, id, actor, kind, password, note, error))
    return FALSE;
  mg_admin_notify_request (store, id, actor, kind);
  return TRUE;
}
