/* admin_actions.c - request, approve, reject, delete, purge from the web UI.
 *
 * Must never decide who may do what: src/quarantine does, and audits it.
 * Every outcome becomes a message on the next page.
 */
#include "admin/admin_actions.h"

#include <string.h>

#include "admin/admin_ppap.h"
#include "admin/admin_release.h"
#include "quarantine/quarantine_envelope.h"
#include "quarantine/quarantine_release.h"
#include "quarantine/quarantine_remove.h"

#define T(id) mg_msg ((id), ctx->lang)
#define MG_ADMIN_NOTE_MAX 500

static MgMsgId
error_text (const GError *error)
{
  if (error->domain != MG_QUARANTINE_ERROR)
    return MG_MSG_UI_ERR_RELEASE; /* SMTP, disk or pipeline during a delivery */
  switch ((MgQuarantineError) error->code) {
  case MG_QUARANTINE_ERROR_ROLE:
    return MG_MSG_UI_ERR_ROLE;
  case MG_QUARANTINE_ERROR_SAME_PERSON:
    return MG_MSG_UI_OWN_REQUEST;
  case MG_QUARANTINE_ERROR_STATE:
  case MG_QUARANTINE_ERROR_NOT_FOUND:
    return MG_MSG_UI_ERR_STATE;
  case MG_QUARANTINE_ERROR_POLICY:
    return MG_MSG_UI_ERR_POLICY;
  case MG_QUARANTINE_ERROR_RELEASE:
    return MG_MSG_UI_ERR_RELEASE;
  case MG_QUARANTINE_ERROR_UNREACHABLE:
    return MG_MSG_UI_ERR_UNREACHABLE;
  case MG_QUARANTINE_ERROR_DB:
    break;
  }
  return MG_MSG_UI_ERR_TEMP;
}

/* Redirect to LOCATION with the outcome for the next page. */
static MgAdminReply *
outcome (MgAdminContext *ctx, const char *location, const GError *error, const char *done)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf ("%s (%s)", T (error_text (error)), error->message);
  mg_admin_session_flash (ctx->session, error != NULL ? text : done, error != NULL);
  return mg_admin_reply_redirect (location);
}

static char *
note (MgAdminContext *ctx)
{
  g_autofree char *text = mg_admin_request_form (ctx->request, "note");

  if (text == NULL || *g_strstrip (text) == '\0')
    return NULL;
  if (g_utf8_strlen (text, -1) > MG_ADMIN_NOTE_MAX)
    *g_utf8_offset_to_pointer (text, MG_ADMIN_NOTE_MAX) = '\0';
  return g_steal_pointer (&text);
}

static gboolean
request (MgAdminContext *ctx, const char *id, char **done_r, GError **error)
{
  g_autofree char *kind = mg_admin_request_form (ctx->request, "kind");
  g_autofree char *password = mg_admin_request_form_raw (ctx->request, "password");
  g_autofree char *why = note (ctx);
  gboolean ok;

  if (password != NULL && *password == '\0')
    g_clear_pointer (&password, g_free);
  ok = mg_admin_ppap_request (ctx->server->store, ctx->server->release, id, &ctx->actor,
                              kind != NULL ? kind : MG_QUARANTINE_RELEASE_SANITISED, password,
                              why, error);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
  *done_r = g_strdup (T (MG_MSG_UI_DONE_REQUEST));
  return ok;
}

/* The address typed for an item stored without an envelope ("" or absent:
 * none); FALSE when it is not a plain address. */
static gboolean
release_to (MgAdminContext *ctx, char **to_r, GError **error)
{
  g_autofree char *typed = mg_admin_request_form (ctx->request, "to");

  *to_r = NULL;
  if (typed == NULL || *g_strstrip (typed) == '\0')
    return TRUE;
  *to_r = mg_quarantine_envelope_address (typed);
  if (*to_r == NULL || **to_r == '\0') {
    g_clear_pointer (to_r, g_free);
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "解放先が一つのメールアドレスではありません / the address to release to is"
                 " not a plain address");
    return FALSE;
  }
  return TRUE;
}

static gboolean
approve (MgAdminContext *ctx, const char *id, char **done_r, GError **error)
{
  g_autofree char *result = NULL;
  g_autofree char *to = NULL;
  gboolean ok;

  if (!release_to (ctx, &to, error))
    return FALSE;
  mg_admin_release_set_to (ctx->server->release, to);
  ok = mg_quarantine_release_approve (ctx->server->store, id, &ctx->actor,
                                      mg_admin_release_deliver, ctx->server->release, &result,
                                      error);
  mg_admin_release_set_to (ctx->server->release, NULL);
  if (!ok)
    return FALSE;
  *done_r = g_strdup_printf ("%s %s", T (MG_MSG_UI_DONE_APPROVE),
                             result != NULL ? result : "");
  return TRUE;
}

static gboolean
reject (MgAdminContext *ctx, const char *id, char **done_r, GError **error)
{
  g_autofree char *why = note (ctx);

  *done_r = g_strdup (T (MG_MSG_UI_DONE_REJECT));
  return mg_quarantine_release_reject (ctx->server->store, id, &ctx->actor, why, error);
}

static gboolean delete (MgAdminContext *ctx, const char *id, char **done_r, GError **error)
{
  *done_r = g_strdup (T (MG_MSG_UI_DONE_DELETE));
  return mg_quarantine_remove_item (ctx->server->store, id, &ctx->actor, error);
}

MgAdminReply *
mg_admin_actions_item (MgAdminContext *ctx, const char *id, const char *action)
{
  static const struct {
    const char *name;
    gboolean (*run) (MgAdminContext *, const char *, char **, GError **);
  } table[] = {
    { "request", request },
    { "approve", approve },
    { "reject", reject },
    { "delete", delete },
  };
  g_autofree char *location = g_strconcat ("/items/", id, NULL);
  g_autofree char *done = NULL;
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++) {
    if (g_str_equal (action, table[i].name)) {
      table[i].run (ctx, id, &done, &error);
      return outcome (ctx, location, error, done);
    }
  }
  return mg_admin_pages_message (ctx, MHD_HTTP_NOT_FOUND, T (MG_MSG_UI_NOT_FOUND));
}

MgAdminReply *
mg_admin_actions_purge (MgAdminContext *ctx)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *done = NULL;
  guint items = 0;

  mg_quarantine_remove_expired (ctx->server->store, g_get_real_time () / G_USEC_PER_SEC,
                                &ctx->actor, &items, &error);
  count = g_strdup_printf ("%u", items);
  done = g_strdup_printf (T (MG_MSG_UI_DONE_PURGE), count);
  return outcome (ctx, "/stats", error, done);
}
