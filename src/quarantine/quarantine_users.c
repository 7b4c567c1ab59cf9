/* quarantine_users.c - load, save, hash and verify users of the admin UI.
 *
 * Must never write the file in place, accept a name or role it cannot
 * validate, or let a missing user be told apart from a wrong password.
 */
#include "quarantine/quarantine_users.h"

#include <crypt.h>
#include <string.h>

#include "quarantine/quarantine_role.h"
#include "util/fdio.h"

#define MG_ADMIN_USERS_NAME_MAX 32

void
mg_quarantine_user_free (MgQuarantineUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->role);
  g_free (user->hash);
  g_free (user->unix_user);
  g_free (user->email);
  g_free (user);
}

/* NAME is 1 to MG_ADMIN_USERS_NAME_MAX characters from [a-z0-9._-], the
 * first a lowercase letter or one of FIRST. */
static gboolean
lower_word (const char *name, const char *first)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > MG_ADMIN_USERS_NAME_MAX ||
      !(g_ascii_islower (name[0]) || strchr (first, name[0]) != NULL))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && !strchr ("._-", name[i]))
      return FALSE;
  return TRUE;
}

gboolean
mg_quarantine_users_name_valid (const char *name)
{
  return lower_word (name, "0123456789");
}

gboolean
mg_quarantine_users_unix_valid (const char *login)
{
  return lower_word (login, "_");
}

gboolean
mg_quarantine_users_email_valid (const char *address)
{
  const char *at = address != NULL ? strchr (address, '@') : NULL;

  if (at == NULL || at == address || at[1] == '\0' || strchr (at + 1, '@') != NULL ||
      strlen (address) > 254)
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 0x7f || strchr (":<>,;\"\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

/* The optional fields after the hash: unix_user=LOGIN, email=ADDR. */
static gboolean
parse_options (MgQuarantineUser *user, char **fields)
{
  for (guint i = 0; fields[i] != NULL; i++) {
    if (g_str_has_prefix (fields[i], "unix_user=") && user->unix_user == NULL &&
        mg_quarantine_users_unix_valid (fields[i] + 10))
      user->unix_user = g_strdup (fields[i] + 10);
    else if (g_str_has_prefix (fields[i], "email=") && user->email == NULL &&
             mg_quarantine_users_email_valid (fields[i] + 6))
      user->email = g_strdup (fields[i] + 6);
    else
      return FALSE;
  }
  return TRUE;
}

static MgQuarantineUser *
parse_line (const char *line)
{
  g_auto (GStrv) fields = g_strsplit (line, ":", 6);
  guint n = g_strv_length (fields);
  MgQuarantineUser *user;

  if (n < 3 || n > 5 || !mg_quarantine_users_name_valid (fields[0]) ||
      !mg_quarantine_role_valid (fields[1]) || !g_str_has_prefix (fields[2], "$"))
    return NULL;
  user = g_new0 (MgQuarantineUser, 1);
  user->name = g_strdup (fields[0]);
  user->role = g_strdup (fields[1]);
  user->hash = g_strdup (fields[2]);
  if (!parse_options (user, fields + 3)) {
    mg_quarantine_user_free (user);
    return NULL;
  }
  return user;
}

GPtrArray *
mg_quarantine_users_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray)
      users = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_quarantine_user_free);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local)) {
    if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return g_steal_pointer (&users);
    g_propagate_error (error, g_steal_pointer (&local));
    return NULL;
  }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++) {
    char *line = g_strstrip (lines[i]);
    MgQuarantineUser *user;
    if (*line == '\0' || *line == '#')
      continue;
    if ((user = parse_line (line)) == NULL) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: not name:role:hash", path,
                   i + 1);
      return NULL;
    }
    g_ptr_array_add (users, user);
  }
  return g_steal_pointer (&users);
}

gboolean
mg_quarantine_users_save (const char *path, GPtrArray *users, gid_t group, GError **error)
{
  g_autoptr (GString) text = g_string_new ("# mugai admin users: name:role:hash"
                                           " (mugai admin user add|passwd|del)\n");

  for (guint i = 0; i < users->len; i++) {
    const MgQuarantineUser *u = g_ptr_array_index (users, i);
    g_string_append_printf (
        text, "%s:%s:%s%s%s%s%s\n", u->name, u->role, u->hash,
        u->unix_user != NULL ? ":unix_user=" : "", u->unix_user != NULL ? u->unix_user : "",
        u->email != NULL ? ":email=" : "", u->email != NULL ? u->email : "");
  }
  return mg_fdio_write_file_atomic_mode (path, text->str, text->len, 0640, group, error);
}

MgQuarantineUser *
mg_quarantine_users_find (GPtrArray *users, const char *name)
{
  for (guint i = 0; users != NULL && i < users->len; i++) {
    MgQuarantineUser *u = g_ptr_array_index (users, i);
    if (g_strcmp0 (u->name, name) == 0)
      return u;
  }
  return NULL;
}

char *
mg_quarantine_users_hash (const char *password, GError **error)
{
  g_autofree char *setting = NULL;
  void *data = NULL;
  int size = 0;
  char *hash;
  char *copy;

  if (strlen (password) < MG_ADMIN_USERS_MIN_PASSWORD ||
      strlen (password) > MG_ADMIN_USERS_MAX_PASSWORD) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "a password has %d to %d characters",
                 MG_ADMIN_USERS_MIN_PASSWORD, MG_ADMIN_USERS_MAX_PASSWORD);
    return NULL;
  }
  setting = crypt_gensalt_ra ("$y$", 0, NULL, 0);
  hash = setting != NULL ? crypt_ra (password, setting, &data, &size) : NULL;
  if (hash == NULL || hash[0] == '*') {
    free (data);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "crypt(3) failed");
    return NULL;
  }
  copy = g_strdup (hash);
  explicit_bzero (data, size);
  free (data);
  return copy;
}

static gboolean
equal_in_constant_time (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  unsigned char diff = la != lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (unsigned char) a[i] ^ (unsigned char) b[i];
  return diff == 0;
}

/* A yescrypt hash of nothing anyone knows, for unknown user names. */
static const char *
dummy_hash (void)
{
  static char *hash;

  if (hash == NULL)
    hash = mg_quarantine_users_hash ("mugai-no-such-user-0123456789", NULL);
  return hash != NULL ? hash : "$y$j9T$";
}

gboolean
mg_quarantine_users_verify (const MgQuarantineUser *user, const char *password)
{
  const char *stored = user != NULL ? user->hash : dummy_hash ();
  void *data = NULL;
  int size = 0;
  char *hash;
  gboolean ok;

  if (password == NULL || strlen (password) > MG_ADMIN_USERS_MAX_PASSWORD)
    password = "";
  hash = crypt_ra (password, stored, &data, &size);
  ok = user != NULL && hash != NULL && hash[0] != '*' && equal_in_constant_time (hash, stored);
  explicit_bzero (data, size);
  free (data);
  return ok;
}

MgQuarantineUser *
mg_quarantine_users_find_unix (GPtrArray *users, const char *login)
{
  for (guint i = 0; users != NULL && login != NULL && i < users->len; i++) {
    MgQuarantineUser *u = g_ptr_array_index (users, i);
    if (g_strcmp0 (u->unix_user, login) == 0)
      return u;
  }
  return NULL;
}

char *
mg_quarantine_users_role (const char *path, const char *name)
{
  g_autoptr (GPtrArray) users = mg_quarantine_users_load (path, NULL);
  MgQuarantineUser *user = mg_quarantine_users_find (users, name);

  return user != NULL ? g_strdup (user->role) : NULL;
}
