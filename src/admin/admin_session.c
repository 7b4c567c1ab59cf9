/* admin_session.c - sessions and login failures, kept in the quarantine index.
 *
 * Must never make a token from a predictable source, store a raw token, keep
 * a session whose user changed, nor let a locked-out pair try a password.
 * Every value reaches SQL as a bound parameter.
 */
#include "admin/admin_session.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define MG_ADMIN_TOKEN_BYTES 32
#define MG_ADMIN_MAX_SESSIONS 1000
#define MG_ADMIN_MAX_LOGIN_ROWS 10000
#define MG_ADMIN_MAX_LOCKS 7          /* the 7th lockout lasts 64 times the first */
#define MG_ADMIN_FORGET_SECONDS 86400 /* a quiet pair's lockout history is dropped */

struct MgAdminSessions {
  MgQuarantineIndex *index;
  MgAdminSessionLimits limits;
};

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* SQL with the text parameters TEXTS (NULL-terminated) first, then N_INTS
 * integers; NULL with ERROR. */
static MgQuarantineStmt *
prepare (MgQuarantineIndex *index, const char *sql, const char *const *texts,
         const gint64 *ints, int n_ints, GError **error)
{
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, texts, error);
  int first = 1;

  for (const char *const *p = texts; p != NULL && *p != NULL; p++)
    first++;
  for (int i = 0; stmt != NULL && i < n_ints; i++)
    mg_quarantine_stmt_bind_int64 (stmt, first + i, ints[i]);
  return stmt;
}

static gboolean
exec (MgQuarantineIndex *index, const char *sql, const char *const *texts, const gint64 *ints,
      int n_ints, GError **error)
{
  MgQuarantineStmt *stmt = prepare (index, sql, texts, ints, n_ints, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = mg_quarantine_stmt_step (stmt);
  if (rc != MG_QUARANTINE_DONE && rc != MG_QUARANTINE_ROW)
    mg_quarantine_index_error (index, "admin", error);
  mg_quarantine_stmt_finalize (stmt);
  return rc == MG_QUARANTINE_DONE || rc == MG_QUARANTINE_ROW;
}

static char *
sha256_hex (const char *prefix, const char *text)
{
  g_autofree char *all = g_strconcat (prefix, text, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, all, -1);
}

/* What changes when the user's password does. */
static char *
credential (const MgQuarantineUser *user)
{
  return sha256_hex ("credential:", user->hash);
}

MgAdminSessions *
mg_admin_sessions_new (MgQuarantineStore *store, const MgAdminSessionLimits *limits)
{
  MgAdminSessions *t = g_new0 (MgAdminSessions, 1);

  t->index = mg_quarantine_store_index (store);
  t->limits = *limits;
  return t;
}

void
mg_admin_sessions_free (MgAdminSessions *t)
{
  g_free (t);
}

void
mg_admin_session_free (MgAdminSession *s)
{
  if (s == NULL)
    return;
  g_free (s->token);
  g_free (s->csrf);
  g_free (s->name);
  g_free (s->role);
  g_free (s->flash);
  g_free (s);
}

char *
mg_admin_sessions_token (void)
{
  guint8 bytes[MG_ADMIN_TOKEN_BYTES];
  GString *hex = g_string_sized_new (2 * sizeof bytes);
  gsize got = 0;

  while (got < sizeof bytes) {
    ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);
    g_assert (n > 0 || errno == EINTR); /* the kernel's CSPRNG does not fail */
    got += n > 0 ? (gsize) n : 0;
  }
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

gboolean
mg_admin_sessions_token_valid (const char *text)
{
  if (text == NULL || strlen (text) != 2 * MG_ADMIN_TOKEN_BYTES)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static MgAdminSession *
session_new (MgAdminSessions *t, const char *token, const char *name, const char *role)
{
  MgAdminSession *s = g_new0 (MgAdminSession, 1);

  s->table = t;
  s->token = g_strdup (token);
  s->csrf = sha256_hex ("csrf:", token);
  s->name = g_strdup (name);
  s->role = g_strdup (role);
  return s;
}

/* Drop expired sessions, and the least recently used beyond the bound. */
static gboolean
prune_sessions (MgAdminSessions *t, GError **error)
{
  gint64 limits[] = { now () - t->limits.idle, now () - t->limits.max_lifetime };
  gint64 keep[] = { MG_ADMIN_MAX_SESSIONS - 1 };

  return exec (t->index, "DELETE FROM admin_sessions WHERE last_seen < ? OR created < ?", NULL,
               limits, 2, error) &&
         exec (t->index,
               "DELETE FROM admin_sessions WHERE token_sha256 NOT IN (SELECT"
               " token_sha256 FROM admin_sessions ORDER BY last_seen DESC LIMIT ?)",
               NULL, keep, 1, error);
}

MgAdminSession *
mg_admin_sessions_start (MgAdminSessions *t, const MgQuarantineUser *user, GError **error)
{
  g_autofree char *token = mg_admin_sessions_token ();
  g_autofree char *key = sha256_hex ("", token);
  g_autofree char *cred = credential (user);
  const char *texts[] = { key, user->name, user->role, cred, NULL };
  gint64 times[] = { now (), now () };

  if (!prune_sessions (t, error) ||
      !exec (t->index,
             "INSERT INTO admin_sessions (token_sha256, name, role, credential,"
             " created, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
             texts, times, 2, error))
    return NULL;
  return session_new (t, token, user->name, user->role);
}

typedef struct {
  char *name, *role, *credential, *flash;
  gint64 created, last_seen;
  gboolean flash_error;
} MgSessionRow;

static void
row_clear (MgSessionRow *row)
{
  g_free (row->name);
  g_free (row->role);
  g_free (row->credential);
  g_free (row->flash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgSessionRow, row_clear)

static gboolean
read_row (MgAdminSessions *t, const char *key, MgSessionRow *row)
{
  const char *texts[] = { key, NULL };
  MgQuarantineStmt *stmt = prepare (t->index,
                                    "SELECT name, role, credential, created, last_seen,"
                                    " flash, flash_error FROM admin_sessions"
                                    " WHERE token_sha256 = ?",
                                    texts, NULL, 0, NULL);
  gboolean found = stmt != NULL && mg_quarantine_stmt_step (stmt) == MG_QUARANTINE_ROW;

  if (found) {
    row->name = mg_quarantine_index_column_text (stmt, 0);
    row->role = mg_quarantine_index_column_text (stmt, 1);
    row->credential = mg_quarantine_index_column_text (stmt, 2);
    row->created = mg_quarantine_stmt_int64 (stmt, 3);
    row->last_seen = mg_quarantine_stmt_int64 (stmt, 4);
    row->flash = mg_quarantine_index_column_text (stmt, 5);
    row->flash_error = (int) mg_quarantine_stmt_int64 (stmt, 6) != 0;
  }
  mg_quarantine_stmt_finalize (stmt);
  return found;
}

/* TRUE when USERS still has ROW's user with its role and password. */
static gboolean
user_unchanged (GPtrArray *users, const MgSessionRow *row)
{
  const MgQuarantineUser *user = mg_quarantine_users_find (users, row->name);
  g_autofree char *cred = user != NULL ? credential (user) : NULL;

  return user != NULL && g_strcmp0 (user->role, row->role) == 0 &&
         mg_admin_sessions_token_equal (cred, row->credential);
}

static MgAdminSessionGone
gone (MgAdminSessions *t, GPtrArray *users, const MgSessionRow *row)
{
  gint64 t_now = now ();

  if (t_now - row->last_seen > t->limits.idle || t_now - row->created > t->limits.max_lifetime)
    return MG_ADMIN_SESSION_EXPIRED;
  if (!user_unchanged (users, row))
    return MG_ADMIN_SESSION_ENDED;
  return MG_ADMIN_SESSION_UNKNOWN; /* not gone */
}

MgAdminSession *
mg_admin_sessions_find (MgAdminSessions *t, const char *token, GPtrArray *users,
                        MgAdminSessionGone *gone_r)
{
  g_autofree char *key = mg_admin_sessions_token_valid (token) ? sha256_hex ("", token) : NULL;
  g_auto (MgSessionRow) row = { 0 };
  const char *texts[] = { key, NULL };
  gint64 seen[] = { now () };
  MgAdminSession *s;

  *gone_r = MG_ADMIN_SESSION_UNKNOWN;
  if (key == NULL || !read_row (t, key, &row))
    return NULL;
  if ((*gone_r = gone (t, users, &row)) != MG_ADMIN_SESSION_UNKNOWN) {
    mg_admin_sessions_end (t, token);
    return NULL;
  }
  exec (t->index,
        "UPDATE admin_sessions SET last_seen = ?2, flash = NULL"
        " WHERE token_sha256 = ?1",
        texts, seen, 1, NULL);
  s = session_new (t, token, row.name, row.role);
  s->flash = g_steal_pointer (&row.flash);
  s->flash_error = row.flash_error;
  return s;
}

void
mg_admin_sessions_end (MgAdminSessions *t, const char *token)
{
  g_autofree char *key = token != NULL ? sha256_hex ("", token) : NULL;
  const char *texts[] = { key, NULL };

  if (key != NULL)
    exec (t->index, "DELETE FROM admin_sessions WHERE token_sha256 = ?", texts, NULL, 0, NULL);
}

gint64
mg_admin_sessions_end_user (MgQuarantineStore *store, const char *name, GError **error)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  const char *texts[] = { name, NULL };

  if (!exec (index, "DELETE FROM admin_sessions WHERE name = ?", texts, NULL, 0, error))
    return -1;
  return mg_quarantine_index_changes (index);
}

gboolean
mg_admin_sessions_token_equal (const char *a, const char *b)
{
  gsize la, lb;
  unsigned char diff;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  diff = la != lb || la == 0;
  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (unsigned char) a[i] ^ (unsigned char) b[i];
  return diff == 0;
}

/* --- login failures per (name, address) --------------------------------- */

typedef struct {
  gint64 failures, first, locks, locked_until;
} MgLoginRow;

static const char *
name_key (const char *name)
{
  return mg_quarantine_users_name_valid (name) ? name : "(invalid name)";
}

static gboolean
read_login (MgAdminSessions *t, const char *address, const char *name, MgLoginRow *row)
{
  const char *texts[] = { name_key (name), address != NULL ? address : "", NULL };
  MgQuarantineStmt *stmt = prepare (t->index,
                                    "SELECT failures, first, locks, locked_until FROM"
                                    " admin_logins WHERE name = ? AND address = ?",
                                    texts, NULL, 0, NULL);
  gboolean found = stmt != NULL && mg_quarantine_stmt_step (stmt) == MG_QUARANTINE_ROW;

  *row = (MgLoginRow){ 0, now (), 0, 0 };
  if (found)
    *row = (MgLoginRow){ mg_quarantine_stmt_int64 (stmt, 0),
                         mg_quarantine_stmt_int64 (stmt, 1),
                         mg_quarantine_stmt_int64 (stmt, 2),
                         mg_quarantine_stmt_int64 (stmt, 3) };
  mg_quarantine_stmt_finalize (stmt);
  return found;
}

gboolean
mg_admin_sessions_locked (MgAdminSessions *t, const char *address, const char *name)
{
  MgLoginRow row;

  return read_login (t, address, name, &row) && row.locked_until > now ();
}

/* Forget quiet pairs, and the oldest unlocked ones beyond the bound (a flood
 * of names or addresses must not grow the index without end). */
static void
prune_logins (MgAdminSessions *t)
{
  gint64 old[] = { now () - MG_ADMIN_FORGET_SECONDS, now () - MG_ADMIN_FORGET_SECONDS };
  gint64 bound[] = { now (), MG_ADMIN_MAX_LOGIN_ROWS - 1 };

  exec (t->index, "DELETE FROM admin_logins WHERE locked_until < ? AND first < ?", NULL, old,
        2, NULL);
  exec (t->index,
        "DELETE FROM admin_logins WHERE locked_until < ?1 AND (name, address) NOT IN"
        " (SELECT name, address FROM admin_logins ORDER BY locked_until DESC, first DESC"
        " LIMIT ?2)",
        NULL, bound, 2, NULL);
}

static void
count_failure (const MgAdminSessionLimits *limits, MgLoginRow *row)
{
  gint64 t_now = now ();

  if (t_now - row->first > limits->lockout) {
    row->failures = 0; /* old failures no longer count */
    row->first = t_now;
  }
  if (++row->failures < limits->max_failures)
    return;
  row->locks = MIN (row->locks + 1, MG_ADMIN_MAX_LOCKS);
  row->locked_until = t_now + (limits->lockout << (row->locks - 1));
  row->failures = 0;
  row->first = t_now;
}

void
mg_admin_sessions_failed (MgAdminSessions *t, const char *address, const char *name)
{
  const char *texts[] = { name_key (name), address != NULL ? address : "", NULL };
  MgLoginRow row;

  prune_logins (t);
  read_login (t, address, name, &row);
  count_failure (&t->limits, &row);
  exec (t->index,
        "INSERT INTO admin_logins (name, address, failures, first, locks,"
        " locked_until) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, address) DO UPDATE"
        " SET failures = excluded.failures, first = excluded.first, locks = excluded.locks,"
        " locked_until = excluded.locked_until",
        texts, (gint64[]){ row.failures, row.first, row.locks, row.locked_until }, 4, NULL);
}

void
mg_admin_sessions_succeeded (MgAdminSessions *t, const char *address, const char *name)
{
  const char *texts[] = { name_key (name), address != NULL ? address : "", NULL };

  exec (t->index, "DELETE FROM admin_logins WHERE name = ? AND address = ?", texts, NULL, 0,
        NULL);
}

void
mg_admin_session_flash (MgAdminSession *session, const char *message, gboolean error)
{
  g_autofree char *key = sha256_hex ("", session->token);
  const char *texts[] = { message, key, NULL };
  gint64 flag[] = { error ? 1 : 0 };

  g_free (session->flash);
  session->flash = g_strdup (message);
  session->flash_error = error;
  exec (session->table->index,
        "UPDATE admin_sessions SET flash = ?1, flash_error = ?3"
        " WHERE token_sha256 = ?2",
        texts, flag, 1, NULL);
}
