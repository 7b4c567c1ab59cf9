/* admin_pages.h - the pages and actions of the admin web UI.
 *
 * Pages (GET): the page frame, the list of held items with search and
 * filters, the login form and confirmations; one item is admin_item.c's, the
 * statistics admin_dashboard.c's, each built on this frame. Actions (POST,
 * CSRF-checked by the server before they run): request, approve, reject,
 * delete, purge; each goes through src/quarantine, which enforces roles and
 * the two-person rule and writes the audit log, and answers with a redirect
 * and a message for the next page.
 *
 * Never renders an original's body, and never trusts the UI to enforce a rule.
 */
#pragma once
#include <glib.h>

#include "admin/admin_html.h"
#include "admin/admin_http.h"
#include "admin/admin_release.h"
#include "admin/admin_session.h"
#include "quarantine/quarantine_store.h"
#include "sandbox/privs.h"

typedef struct {
  const MgConfig *config;
  MgQuarantineStore *store;
  MgAdminSessions *sessions;
  MgAdminRelease *release;
  GPtrArray *proxies; /* [admin] trusted_proxies */
  MgPrivsUsers users; /* whom it becomes once bound (privs.h) */
} MgAdminServer;

/* One request being answered. */
typedef struct {
  MgAdminServer *server;
  MgAdminRequest *request;
  MgAdminSession *session; /* NULL when logged out */
  MgLang lang;
  MgQuarantineActor actor; /* the session's user, role and address */
  char *who;               /* the address as the audit log records it */
} MgAdminContext;

/* A new reply with the page frame of TITLE begun; close it with _end. */
MgAdminReply *mg_admin_pages_begin (MgAdminContext *ctx, guint status, MgMsgId title);
MgAdminReply *mg_admin_pages_end (MgAdminReply *reply);

MgAdminReply *mg_admin_pages_list (MgAdminContext *ctx);
/* The login form with MESSAGE (may be NULL) and answer STATUS; PRE is the
 * pre-session CSRF token of the form. */
MgAdminReply *mg_admin_pages_login (MgAdminContext *ctx, guint status, const char *message,
                                    const char *pre);
/* The page that asks an approver to confirm a purge, with how many items go. */
MgAdminReply *mg_admin_pages_purge_confirm (MgAdminContext *ctx);
/* The form of a confirmation page: POST to the page's own path with the CSRF
 * token and confirm=WHAT (an item id, or "purge"), and a link BACK. */
void mg_admin_pages_confirm_form (MgAdminContext *ctx, GString *out, const char *what,
                                  MgMsgId button, const char *back);

/* A small page with MESSAGE and STATUS (errors, refusals). */
MgAdminReply *mg_admin_pages_message (MgAdminContext *ctx, guint status, const char *message);
/* The page when the store failed with ERROR: unreachable (PostgreSQL down)
 * says so, anything else is a temporary failure. */
MgAdminReply *mg_admin_pages_store_failed (MgAdminContext *ctx, const GError *error);
