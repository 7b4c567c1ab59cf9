/* admin_session.h - logins, sessions, CSRF tokens and login rate limiting.
 *
 * Sessions live in the memory of `mugai admin serve` (a restart logs everyone
 * out): a random token in an HttpOnly, SameSite=Strict cookie, a random CSRF
 * token that every form carries, and an idle lifetime ([admin]
 * session_minutes). Failed logins are counted per client address and per user
 * name; after [admin] login_failures of either, logins are refused for
 * [admin] lockout_minutes, whatever the password.
 *
 * Tokens come from getrandom(2). Never keeps a password.
 */
#pragma once
#include <glib.h>

typedef struct {
  char *token;              /* the cookie value */
  char *csrf;               /* the token forms must carry */
  char *name;
  char *role;
  gint64 last_seen;         /* seconds, monotonic */
  char *flash;              /* one message for the next page, or NULL */
  gboolean flash_error;
} MgAdminSession;

typedef struct MgAdminSessions MgAdminSessions;

MgAdminSessions *mg_admin_sessions_new (gint64 lifetime_seconds, gint64 max_failures,
                                        gint64 lockout_seconds);
void mg_admin_sessions_free (MgAdminSessions *sessions);

/* A new random token (64 hex digits), owned by the caller. */
char *mg_admin_sessions_token (void);

/* Start a session for NAME in ROLE (borrowed by the table). */
MgAdminSession *mg_admin_sessions_start (MgAdminSessions *sessions, const char *name,
                                         const char *role);
/* The live session of TOKEN, its idle time renewed; NULL when unknown or
 * expired (*EXPIRED_R tells which; an expired one is removed). */
MgAdminSession *mg_admin_sessions_find (MgAdminSessions *sessions, const char *token,
                                        gboolean *expired_r);
void mg_admin_sessions_end (MgAdminSessions *sessions, const char *token);

/* TRUE when A and B are equal, in time independent of where they differ. */
gboolean mg_admin_sessions_token_equal (const char *a, const char *b);

/* TRUE when logins from ADDRESS or for NAME are refused for now. */
gboolean mg_admin_sessions_locked (MgAdminSessions *sessions, const char *address,
                                   const char *name);
/* Count a failed login (for ADDRESS and NAME), or forget the failures after a
 * good one. */
void mg_admin_sessions_failed (MgAdminSessions *sessions, const char *address,
                               const char *name);
void mg_admin_sessions_succeeded (MgAdminSessions *sessions, const char *address,
                                  const char *name);

/* Keep MESSAGE for the next page of SESSION. */
void mg_admin_session_flash (MgAdminSession *session, const char *message, gboolean error);
