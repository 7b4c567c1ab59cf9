/* admin_session.c - the session table and the failure counters.
 *
 * Must never make a token from a predictable source, nor let a locked-out
 * client try a password. The web server is one thread: no locking here.
 */
#include "cli/admin/admin_session.h"

#include <string.h>
#include <sys/random.h>

#define MG_ADMIN_TOKEN_BYTES 32
#define MG_ADMIN_MAX_SESSIONS 1000
#define MG_ADMIN_MAX_FAILURE_KEYS 10000

struct MgAdminSessions {
  GHashTable *sessions;     /* token -> MgAdminSession */
  GHashTable *failures;     /* "ip:..." / "user:..." -> MgAdminFailures */
  gint64 lifetime;
  gint64 max_failures;
  gint64 lockout;
};

typedef struct {
  gint64 count;
  gint64 first;             /* of the present window */
  gint64 locked_until;
} MgAdminFailures;

static gint64
now (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
session_free (MgAdminSession *s)
{
  g_free (s->token);
  g_free (s->csrf);
  g_free (s->name);
  g_free (s->role);
  g_free (s->flash);
  g_free (s);
}

MgAdminSessions *
mg_admin_sessions_new (gint64 lifetime_seconds, gint64 max_failures, gint64 lockout_seconds)
{
  MgAdminSessions *t = g_new0 (MgAdminSessions, 1);

  t->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) session_free);
  t->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->lifetime = lifetime_seconds;
  t->max_failures = max_failures;
  t->lockout = lockout_seconds;
  return t;
}

void
mg_admin_sessions_free (MgAdminSessions *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref (t->sessions);
  g_hash_table_unref (t->failures);
  g_free (t);
}

char *
mg_admin_sessions_token (void)
{
  guint8 bytes[MG_ADMIN_TOKEN_BYTES];
  GString *hex = g_string_sized_new (2 * sizeof bytes);
  gsize got = 0;

  while (got < sizeof bytes) {
    ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);
    g_assert (n > 0 || errno == EINTR);   /* the kernel's CSPRNG does not fail */
    got += n > 0 ? (gsize) n : 0;
  }
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

static gboolean
expired (gpointer key, gpointer value, gpointer data)
{
  const MgAdminSession *s = value;
  const MgAdminSessions *t = data;

  (void) key;
  return now () - s->last_seen > t->lifetime;
}

MgAdminSession *
mg_admin_sessions_start (MgAdminSessions *t, const char *name, const char *role)
{
  MgAdminSession *s = g_new0 (MgAdminSession, 1);

  g_hash_table_foreach_remove (t->sessions, expired, t);
  if (g_hash_table_size (t->sessions) >= MG_ADMIN_MAX_SESSIONS)
    g_hash_table_remove_all (t->sessions);   /* a flood of logins: everyone again */
  s->token = mg_admin_sessions_token ();
  s->csrf = mg_admin_sessions_token ();
  s->name = g_strdup (name);
  s->role = g_strdup (role);
  s->last_seen = now ();
  g_hash_table_insert (t->sessions, s->token, s);
  return s;
}

MgAdminSession *
mg_admin_sessions_find (MgAdminSessions *t, const char *token, gboolean *expired_r)
{
  MgAdminSession *s = token != NULL ? g_hash_table_lookup (t->sessions, token) : NULL;

  *expired_r = FALSE;
  if (s == NULL)
    return NULL;
  if (expired (NULL, s, t)) {
    *expired_r = TRUE;
    g_hash_table_remove (t->sessions, token);
    return NULL;
  }
  s->last_seen = now ();
  return s;
}

void
mg_admin_sessions_end (MgAdminSessions *t, const char *token)
{
  if (token != NULL)
    g_hash_table_remove (t->sessions, token);
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

static gboolean
unlocked (gpointer key, gpointer value, gpointer data)
{
  const MgAdminFailures *f = value;

  (void) key;
  (void) data;
  return f->locked_until == 0;
}

static MgAdminFailures *
failures_of (MgAdminSessions *t, const char *kind, const char *value, gboolean create)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", kind, value != NULL ? value : "");
  MgAdminFailures *f = g_hash_table_lookup (t->failures, key);

  if (f == NULL && create) {
    if (g_hash_table_size (t->failures) >= MG_ADMIN_MAX_FAILURE_KEYS)
      g_hash_table_foreach_remove (t->failures, unlocked, NULL);
    f = g_new0 (MgAdminFailures, 1);
    g_hash_table_insert (t->failures, g_steal_pointer (&key), f);
  }
  if (f != NULL && f->locked_until == 0 && now () - f->first > t->lockout)
    f->count = 0;   /* old failures no longer count */
  return f;
}

static gboolean
is_locked (MgAdminFailures *f)
{
  if (f == NULL || f->locked_until == 0)
    return FALSE;
  if (now () < f->locked_until)
    return TRUE;
  f->locked_until = 0;
  f->count = 0;
  return FALSE;
}

gboolean
mg_admin_sessions_locked (MgAdminSessions *t, const char *address, const char *name)
{
  gboolean by_address = is_locked (failures_of (t, "ip", address, FALSE));
  gboolean by_name = is_locked (failures_of (t, "user", name, FALSE));

  return by_address || by_name;
}

static void
count_failure (MgAdminSessions *t, MgAdminFailures *f)
{
  if (f->count == 0)
    f->first = now ();
  if (++f->count >= t->max_failures)
    f->locked_until = now () + t->lockout;
}

void
mg_admin_sessions_failed (MgAdminSessions *t, const char *address, const char *name)
{
  count_failure (t, failures_of (t, "ip", address, TRUE));
  count_failure (t, failures_of (t, "user", name, TRUE));
}

void
mg_admin_sessions_succeeded (MgAdminSessions *t, const char *address, const char *name)
{
  g_autofree char *ip = g_strdup_printf ("ip:%s", address);
  g_autofree char *user = g_strdup_printf ("user:%s", name);

  g_hash_table_remove (t->failures, ip);
  g_hash_table_remove (t->failures, user);
}

void
mg_admin_session_flash (MgAdminSession *session, const char *message, gboolean error)
{
  g_free (session->flash);
  session->flash = g_strdup (message);
  session->flash_error = error;
}
