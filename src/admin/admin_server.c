/* admin_server.c - routing, login, logout and the CSRF check.
 *
 * Must never run an action for a request without a live session and a valid
 * CSRF token, nor let a locked-out client try a password.
 */
#include "admin/admin_server.h"

#include <stdio.h>
#include <string.h>

#include "admin/admin_actions.h"
#include "admin/admin_dashboard.h"
#include "admin/admin_daemon.h"
#include "admin/admin_guard.h"
#include "admin/admin_item.h"
#include "quarantine/quarantine_users.h"
#include "common/config.h"
#include "common/exit.h"

#define T(id) mg_msg ((id), ctx->lang)
#define MG_ADMIN_ID_LEN 25

static void
audit (MgAdminContext *ctx, const char *action, const char *id, const GError *failure,
       const char *detail)
{
  mg_quarantine_store_audit (ctx->server->store, &ctx->actor, action, id, failure, detail,
                             NULL);
}

static MgAdminReply *
css_reply (void)
{
  MgAdminReply *reply = mg_admin_reply_new (MHD_HTTP_OK);

  reply->content_type = "text/css; charset=utf-8";
  g_string_append (reply->body, mg_admin_html_css ());
  return reply;
}

static MgAdminReply *
login_form (MgAdminContext *ctx, guint status, const char *message)
{
  g_autofree char *pre = mg_admin_request_cookie (ctx->request, "mugai_pre");
  MgAdminReply *reply;

  if (!mg_admin_sessions_token_valid (pre)) {
    g_free (pre);
    pre = mg_admin_sessions_token ();
  }
  reply = mg_admin_pages_login (ctx, status, message, pre);
  mg_admin_reply_cookie (reply, "mugai_pre", pre, ctx->request->https);
  return reply;
}

static MgAdminReply *
login_refused (MgAdminContext *ctx, const char *name, guint status, MgMsgId text)
{
  GError failure = { MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_ROLE,
                     (char *) mg_msg (text, MG_LANG_EN) };

  ctx->actor.name = mg_quarantine_users_name_valid (name) ? name : "(invalid name)";
  audit (ctx, "login", NULL, &failure, NULL);
  return login_form (ctx, status, T (text));
}

static MgAdminReply *
login_succeeded (MgAdminContext *ctx, const MgQuarantineUser *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgAdminSession) s = mg_admin_sessions_start (ctx->server->sessions, user, &error);
  MgAdminReply *reply;

  if (s == NULL) {
    g_warning ("login of %s: %s", user->name, error->message);
    return mg_admin_pages_message (ctx, MHD_HTTP_SERVICE_UNAVAILABLE, T (MG_MSG_UI_ERR_TEMP));
  }
  reply = mg_admin_reply_redirect ("/items");
  mg_admin_sessions_succeeded (ctx->server->sessions, ctx->request->address, user->name);
  mg_admin_reply_cookie (reply, "mugai_session", s->token, ctx->request->https);
  ctx->actor.name = user->name;
  ctx->actor.role = user->role;
  audit (ctx, "login", NULL, NULL, NULL);
  return reply;
}

static MgAdminReply *
login (MgAdminContext *ctx)
{
  MgAdminSessions *sessions = ctx->server->sessions;
  g_autofree char *pre = mg_admin_request_cookie (ctx->request, "mugai_pre");
  g_autofree char *csrf = NULL;
  g_autofree char *name = NULL;
  g_autofree char *password = NULL;
  g_autoptr (GPtrArray) users = NULL;
  MgQuarantineUser *user;

  if (!mg_admin_request_parse_form (ctx->request) ||
      !mg_admin_sessions_token_equal (pre,
                                      csrf = mg_admin_request_form (ctx->request, "csrf")))
    return login_refused (ctx, NULL, MHD_HTTP_FORBIDDEN, MG_MSG_UI_CSRF);
  name = mg_admin_request_form (ctx->request, "user");
  password = mg_admin_request_form_raw (ctx->request, "password");
  if (mg_admin_sessions_locked (sessions, ctx->request->address, name))
    return login_refused (ctx, name, MHD_HTTP_TOO_MANY_REQUESTS, MG_MSG_UI_LOCKED);
  users = mg_quarantine_users_load (ctx->server->config->admin_users_file, NULL);
  user = mg_quarantine_users_name_valid (name) ? mg_quarantine_users_find (users, name) : NULL;
  if (!mg_quarantine_users_verify (user, password)) {
    mg_admin_sessions_failed (sessions, ctx->request->address, name);
    return login_refused (ctx, name, MHD_HTTP_FORBIDDEN, MG_MSG_UI_LOGIN_FAILED);
  }
  return login_succeeded (ctx, user);
}

static MgAdminReply *
logout (MgAdminContext *ctx)
{
  MgAdminReply *reply = mg_admin_reply_redirect ("/login");

  audit (ctx, "logout", NULL, NULL, NULL);
  mg_admin_sessions_end (ctx->server->sessions, ctx->session->token);
  g_clear_pointer (&ctx->session, mg_admin_session_free);
  mg_admin_reply_cookie (reply, "mugai_session", NULL, ctx->request->https);
  return reply;
}

/* "/items/ID" or "/items/ID/ACTION": TRUE with ID (validated) and ACTION. */
static gboolean
item_path (const char *path, char *id, const char **action_r)
{
  const char *rest;

  if (!g_str_has_prefix (path, "/items/") || strlen (path) < 7 + MG_ADMIN_ID_LEN)
    return FALSE;
  memcpy (id, path + 7, MG_ADMIN_ID_LEN);
  id[MG_ADMIN_ID_LEN] = '\0';
  rest = path + 7 + MG_ADMIN_ID_LEN;
  if (!mg_quarantine_id_valid (id) || (*rest != '\0' && *rest != '/'))
    return FALSE;
  *action_r = *rest == '/' ? rest + 1 : NULL;
  return TRUE;
}

static MgAdminReply *
route_get (MgAdminContext *ctx, const char *path)
{
  char id[MG_ADMIN_ID_LEN + 1];
  const char *action;

  if (g_str_equal (path, "/") || g_str_equal (path, "/items"))
    return mg_admin_pages_list (ctx);
  if (g_str_equal (path, "/stats"))
    return mg_admin_dashboard_page (ctx);
  if (g_str_equal (path, "/stats.csv"))
    return mg_admin_dashboard_csv (ctx);
  if (g_str_equal (path, "/purge"))
    return mg_admin_pages_purge_confirm (ctx);
  if (item_path (path, id, &action) && action == NULL)
    return mg_admin_item_page (ctx, id);
  if (item_path (path, id, &action) && g_str_equal (action, "delete"))
    return mg_admin_item_delete_confirm (ctx, id);
  return mg_admin_pages_message (ctx, MHD_HTTP_NOT_FOUND, T (MG_MSG_UI_NOT_FOUND));
}

/* TRUE when the form carries confirm=WHAT (sent by the confirmation page);
 * otherwise the refusal is audited and the answer is that page. */
static gboolean
confirmed (MgAdminContext *ctx, const char *action, const char *id, MgAdminReply **reply_r)
{
  g_autofree char *confirm = mg_admin_request_form (ctx->request, "confirm");
  GError failure = { MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                     (char *) "not confirmed on the confirmation page" };

  if (g_strcmp0 (confirm, id != NULL ? id : action) == 0)
    return TRUE;
  audit (ctx, action, id, &failure, NULL);
  mg_admin_session_flash (ctx->session, T (MG_MSG_UI_NOT_CONFIRMED), TRUE);
  *reply_r = mg_admin_reply_redirect (ctx->request->path);
  return FALSE;
}

static MgAdminReply *
route_post (MgAdminContext *ctx, const char *path)
{
  char id[MG_ADMIN_ID_LEN + 1];
  const char *action;
  g_autofree char *csrf = NULL;
  MgAdminReply *reply = NULL;

  if (!mg_admin_request_parse_form (ctx->request) ||
      !mg_admin_sessions_token_equal (ctx->session->csrf,
                                      csrf = mg_admin_request_form (ctx->request, "csrf"))) {
    g_autofree char *detail = g_strdup_printf ("POST %s without a valid CSRF token", path);
    GError failure = { MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY, detail };
    audit (ctx, "csrf", NULL, &failure, NULL);
    return mg_admin_pages_message (ctx, MHD_HTTP_FORBIDDEN, T (MG_MSG_UI_CSRF));
  }
  if (g_str_equal (path, "/logout"))
    return logout (ctx);
  if (g_str_equal (path, "/purge"))
    return confirmed (ctx, "purge", NULL, &reply) ? mg_admin_actions_purge (ctx) : reply;
  if (item_path (path, id, &action) && action != NULL && g_str_equal (action, "delete") &&
      !confirmed (ctx, action, id, &reply))
    return reply;
  if (item_path (path, id, &action) && action != NULL)
    return mg_admin_actions_item (ctx, id, action);
  return mg_admin_pages_message (ctx, MHD_HTTP_NOT_FOUND, T (MG_MSG_UI_NOT_FOUND));
}

/* A session whose user was deleted or changed: audited, and back to login. */
static MgAdminReply *
session_ended (MgAdminContext *ctx)
{
  GError failure = { MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_ROLE,
                     (char *) "session ended: its user was deleted, or their role or"
                              " password changed" };

  audit (ctx, "session", NULL, &failure, NULL);
  return mg_admin_reply_redirect ("/login?ended=1");
}

static MgAdminReply *
with_session (MgAdminContext *ctx, gboolean post)
{
  g_autofree char *token = mg_admin_request_cookie (ctx->request, "mugai_session");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray)
      users = mg_quarantine_users_load (ctx->server->config->admin_users_file, &error);
  MgAdminSessionGone gone = MG_ADMIN_SESSION_UNKNOWN;
  const MgQuarantineUser *me;

  if (users == NULL) {
    g_warning ("%s", error->message);
    return mg_admin_pages_message (ctx, MHD_HTTP_SERVICE_UNAVAILABLE, T (MG_MSG_UI_ERR_TEMP));
  }
  ctx->session = mg_admin_sessions_find (ctx->server->sessions, token, users, &gone);
  if (ctx->session == NULL && gone == MG_ADMIN_SESSION_ENDED)
    return session_ended (ctx);
  if (ctx->session == NULL)
    return mg_admin_reply_redirect (gone == MG_ADMIN_SESSION_EXPIRED ? "/login?expired=1"
                                                                     : "/login");
  ctx->actor.name = ctx->session->name;
  ctx->actor.role = ctx->session->role;
  /* The Unix login the account is mapped to: a request made here and an
   * approval from that login's shell (under any --as) are one person's. */
  me = mg_quarantine_users_find (users, ctx->session->name);
  ctx->actor.unix_user = me != NULL ? me->unix_user : NULL;
  return post ? route_post (ctx, ctx->request->path) : route_get (ctx, ctx->request->path);
}

static MgAdminReply *
route (MgAdminContext *ctx)
{
  const char *path = ctx->request->path;
  gboolean post = g_str_equal (ctx->request->method, "POST");
  g_autofree char *expired = NULL;
  g_autofree char *ended = NULL;

  if (!post && !g_str_equal (ctx->request->method, "GET"))
    return mg_admin_pages_message (ctx, MHD_HTTP_METHOD_NOT_ALLOWED,
                                   T (MG_MSG_UI_BAD_REQUEST));
  if (ctx->request->body_too_large)
    return mg_admin_pages_message (ctx, MHD_HTTP_CONTENT_TOO_LARGE, T (MG_MSG_UI_BAD_REQUEST));
  if (g_str_equal (path, "/style.css"))
    return css_reply ();
  if (g_str_equal (path, "/login") && post)
    return login (ctx);
  if (g_str_equal (path, "/login")) {
    expired = mg_admin_request_query (ctx->request, "expired");
    ended = mg_admin_request_query (ctx->request, "ended");
    return login_form (ctx, MHD_HTTP_OK,
                       expired != NULL ? T (MG_MSG_UI_EXPIRED)
                       : ended != NULL ? T (MG_MSG_UI_SESSION_ENDED)
                                       : NULL);
  }
  return with_session (ctx, post);
}

static MgAdminReply *
handle (MgAdminServer *server, MgAdminRequest *request)
{
  g_autofree char *query_lang = mg_admin_request_query (request, "lang");
  g_autofree char *cookie_lang = mg_admin_request_cookie (request, "mugai_lang");
  const char *lang = query_lang != NULL ? query_lang : cookie_lang;
  g_autofree char *who = mg_admin_request_who (request);
  MgAdminContext ctx = {
    server, request, NULL, MG_LANG_JA, { "(anonymous)", "none", who }, who
  };
  MgAdminReply *reply;

  ctx.lang = g_strcmp0 (lang, "en") == 0 ? MG_LANG_EN : MG_LANG_JA;
  reply = route (&ctx);
  g_clear_pointer (&ctx.session, mg_admin_session_free);
  if (query_lang != NULL)
    mg_admin_reply_cookie (reply, "mugai_lang", ctx.lang == MG_LANG_EN ? "en" : "ja",
                           request->https);
  return reply;
}

static enum MHD_Result
access_handler (void *cls, struct MHD_Connection *connection, const char *url,
                const char *method, const char *version, const char *upload_data,
                size_t *upload_data_size, void **con_cls)
{
  g_autoptr (MgAdminReply) reply = NULL;

  (void) version;
  if (*con_cls == NULL) {
    *con_cls = mg_admin_request_new (connection, method, url,
                                     ((MgAdminServer *) cls)->proxies);
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    mg_admin_request_append (*con_cls, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  mg_admin_guard_received (connection);
  reply = handle (cls, *con_cls);
  return mg_admin_reply_send (reply, connection);
}

static void
completed (void *cls, struct MHD_Connection *connection, void **con_cls,
           enum MHD_RequestTerminationCode code)
{
  (void) cls;
  (void) code;
  mg_admin_guard_completed (connection);
  g_clear_pointer (con_cls, mg_admin_request_free);
}

int
mg_admin_server_main (const MgConfig *config, const char *listen,
                      const MgAdminServerTest *test)
{
  g_autoptr (GError) error = NULL;
  MgAdminSessionLimits limits = {
    test->session_seconds > 0 ? test->session_seconds : config->admin_session_minutes * 60,
    test->max_seconds > 0 ? test->max_seconds : config->admin_session_max_lifetime * 60,
    config->admin_login_failures, config->admin_lockout_minutes * 60
  };
  MgAdminServer server = { config, NULL, NULL, NULL };
  int status;

  /* started as root: the quarantine is [milter] user's before it is opened */
  if (!mg_privs_service_prepare (config->milter_user, config->milter_worker_user,
                                 config->quarantine_directory, &server.users, &error)) {
    fprintf (stderr, "mugai admin: %s\n", error->message);
    return MG_EXIT_CONFIG;
  }
  server.proxies = mg_admin_http_proxies (config->admin_trusted_proxies, &error);
  if (server.proxies == NULL) {
    fprintf (stderr, "mugai admin: %s\n", error->message);
    return MG_EXIT_CONFIG;
  }
  server.store = mg_quarantine_store_open (config, &error);
  if (server.store == NULL) {
    fprintf (stderr, "mugai admin: %s\n", error->message);
    g_ptr_array_unref (server.proxies);
    return MG_EXIT_TEMPFAIL;
  }
  server.sessions = mg_admin_sessions_new (server.store, &limits);
  server.release = mg_admin_release_new (config, NULL);
  status = mg_admin_daemon_run (&server, listen != NULL ? listen : config->admin_listen,
                                access_handler, completed);
  mg_admin_release_free (server.release);
  mg_admin_sessions_free (server.sessions);
  mg_quarantine_store_free (server.store);
  g_ptr_array_unref (server.proxies);
  return status;
}
