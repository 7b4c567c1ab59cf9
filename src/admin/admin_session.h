/* admin_session.h - logins, sessions, CSRF tokens and login rate limiting.
 *
 * Sessions are kept server-side in the quarantine index (table
 * admin_sessions), so that a restart of `mugai admin serve` logs nobody out:
 * the browser holds a random token in an HttpOnly, SameSite=Strict cookie, the
 * index only its SHA-256. The CSRF token of a session is derived from its
 * token (SHA-256 of "csrf:" and the token), so it is stored nowhere.
 *
 * A session is tied to the user as the users file has it now: every request
 * checks that the user still exists with the same role and the same password
 * hash ("credential", the SHA-256 of the hash), else the session is ended. It
 * ends too after [admin] session_minutes without a request, and at the latest
 * [admin] session_max_lifetime minutes after login however busy.
 *
 * Failed logins are counted per (user name, client address) pair (table
 * admin_logins): after [admin] login_failures, that pair is refused for
 * [admin] lockout_minutes, doubled at each further lockout of the pair (up to
 * 64 times); other addresses and other users are not affected. A good login
 * forgets the pair's failures. Counters survive a restart.
 *
 * Tokens come from getrandom(2). Never keeps a password or a raw token.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_users.h"
#include "quarantine/quarantine_store.h"

typedef struct MgAdminSessions MgAdminSessions;

typedef struct {
  MgAdminSessions *table;
  char *token; /* the cookie value */
  char *csrf;  /* the token forms must carry */
  char *name;
  char *role;
  char *flash; /* one message for the next page, or NULL */
  gboolean flash_error;
} MgAdminSession;

void mg_admin_session_free (MgAdminSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgAdminSession, mg_admin_session_free)

typedef struct {
  gint64 idle;         /* seconds without a request */
  gint64 max_lifetime; /* seconds after login */
  gint64 max_failures;
  gint64 lockout; /* seconds, first lockout of a pair */
} MgAdminSessionLimits;

/* The sessions of STORE's index (which must outlive them). */
MgAdminSessions *mg_admin_sessions_new (MgQuarantineStore *store,
                                        const MgAdminSessionLimits *limits);
void mg_admin_sessions_free (MgAdminSessions *sessions);

/* A new random token (64 hex digits), owned by the caller. */
char *mg_admin_sessions_token (void);
/* TRUE when TEXT has the form of a token. */
gboolean mg_admin_sessions_token_valid (const char *text);

/* Start a session for USER; NULL with ERROR when the index refuses. */
MgAdminSession *mg_admin_sessions_start (MgAdminSessions *sessions,
                                         const MgQuarantineUser *user, GError **error);

typedef enum {
  MG_ADMIN_SESSION_UNKNOWN, /* no such session (or logged out) */
  MG_ADMIN_SESSION_EXPIRED, /* idle too long, or past its lifetime */
  MG_ADMIN_SESSION_ENDED,   /* its user was deleted or changed */
} MgAdminSessionGone;

/* The live session of TOKEN for USERS (the users file as it is now), its idle
 * time renewed and its flash message taken; NULL when there is none, with the
 * reason in *GONE_R (an expired or ended session is removed). */
MgAdminSession *mg_admin_sessions_find (MgAdminSessions *sessions, const char *token,
                                        GPtrArray *users, MgAdminSessionGone *gone_r);
void mg_admin_sessions_end (MgAdminSessions *sessions, const char *token);

/* End every session of user NAME in STORE (user deleted, demoted, password
 * changed). Returns how many, or -1 with ERROR. */
gint64 mg_admin_sessions_end_user (MgQuarantineStore *store, const char *name, GError **error);

/* TRUE when A and B are equal, in time independent of where they differ. */
gboolean mg_admin_sessions_token_equal (const char *a, const char *b);

/* TRUE when logins for NAME from ADDRESS are refused for now. */
gboolean mg_admin_sessions_locked (MgAdminSessions *sessions, const char *address,
                                   const char *name);
/* Count a failed login of NAME from ADDRESS, or forget the pair's failures
 * after a good one. */
void mg_admin_sessions_failed (MgAdminSessions *sessions, const char *address,
                               const char *name);
void mg_admin_sessions_succeeded (MgAdminSessions *sessions, const char *address,
                                  const char *name);

/* Keep MESSAGE for the next page of SESSION. */
void mg_admin_session_flash (MgAdminSession *session, const char *message, gboolean error);
