/* cmd_admin.c - `mugai admin`: the users of quarantine review and the web UI.
 *
 *   user add NAME --role operator|approver [--unix-user LOGIN] [--email ADDR]
 *        [--password-file F]
 *   user passwd NAME [--password-file F]      user role NAME --role ROLE
 *   user del NAME      user list
 *   serve [--listen ADDRESS:PORT]
 *
 * Passwords come from --password-file, or from standard input (asked twice,
 * without echo, on a terminal); never from the command line. Changes to the
 * users file are serialised with a lock file and audited. Deleting a user,
 * changing their role or password ends their web sessions at once (the web UI
 * would refuse them at their next request anyway). Exit 0 done, 1
 * refused (no such user, exists already), 64 usage, 75 failure, 78 config.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include "admin/admin_server.h"
#include "admin/admin_session.h"
#include "quarantine/quarantine_users.h"
#include "cli/cli.h"
#include "cli/cli_text.h"
#include "quarantine/quarantine_audit.h"
#include "quarantine/quarantine_role.h"
#include "util/fdio.h"

typedef struct {
  char *config_path;
  char *role;
  char *unix_user;
  char *email;
  char *password_file;
  char *listen;
  MgAdminServerTest test;
  char **rest;
} MgAdminArgs;

static void
args_clear (MgAdminArgs *a)
{
  g_free (a->config_path);
  g_free (a->role);
  g_free (a->unix_user);
  g_free (a->email);
  g_free (a->password_file);
  g_free (a->listen);
  g_strfreev (a->rest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgAdminArgs, args_clear)

static gboolean
parse (int argc, char **argv, MgAdminArgs *a, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config_path, "configuration file", "FILE" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &a->role, "user add/role: operator or approver",
      "ROLE" },
    { "unix-user", 0, 0, G_OPTION_ARG_STRING, &a->unix_user,
      "user add/passwd: the Unix login that acts as this user in mugai quarantine", "LOGIN" },
    { "email", 0, 0, G_OPTION_ARG_STRING, &a->email,
      "user add/passwd: where an approver is told of a release waiting for it", "ADDR" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &a->password_file,
      "user add/passwd: read the password from FILE (else standard input)", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &a->listen, "serve: override [admin] listen",
      "ADDRESS:PORT" },
    { "session-seconds", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &a->test.session_seconds,
      "serve: idle session lifetime in seconds (tests)", "N" },
    { "session-max-seconds", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &a->test.max_seconds,
      "serve: longest session lifetime in seconds (tests)", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->rest, NULL, "COMMAND" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "user add|passwd|role|del|list [NAME] | serve - users and the web UI of quarantine"
      " review");

  g_option_context_add_main_entries (ctx, entries, NULL);
  return g_option_context_parse (ctx, &argc, &argv, error);
}

static char *
read_line_fd (int fd)
{
  GString *line = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1 && c != '\n' && line->len <= MG_ADMIN_USERS_MAX_PASSWORD)
    g_string_append_c (line, c);
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static char *
prompt_password (const char *prompt)
{
  struct termios old, quiet;
  char *password;

  fprintf (stderr, "%s", prompt);
  tcgetattr (0, &old);
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (0, TCSAFLUSH, &quiet);
  password = read_line_fd (0);
  tcsetattr (0, TCSAFLUSH, &old);
  fprintf (stderr, "\n");
  return password;
}

static char *
read_password (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  if (path != NULL) {
    if (!g_file_get_contents (path, &text, NULL, error))
      return NULL;
    g_strchomp (text);
    return g_steal_pointer (&text);
  }
  if (!isatty (0))
    return read_line_fd (0);
  text = prompt_password ("password: ");
  again = prompt_password ("again: ");
  if (g_strcmp0 (text, again) != 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the passwords differ");
    return NULL;
  }
  return g_steal_pointer (&text);
}

static int
lock_users (const char *path)
{
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  int fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0 && flock (fd, LOCK_EX) != 0)
    mg_clear_fd (&fd);
  return fd;
}

static void
audit (const MgConfig *config, const char *action, const char *name, const char *role,
       const GError *failure, const char *more)
{
  g_autofree char *address = g_strdup_printf ("local:%s", g_get_user_name ());
  MgQuarantineActor actor = { g_get_user_name (), "local", address };
  g_autofree char *detail = g_strdup_printf (
      "user %s%s%s%s%s%s", name, role != NULL ? " role " : "", role != NULL ? role : "",
      failure ? ": " : "", failure ? failure->message : "", more != NULL ? more : "");

  mg_quarantine_audit_action (config, &actor, action, NULL, failure != NULL ? "refused" : "ok",
                              detail, NULL);
}

/* LOGIN (may be NULL) is a valid login not yet mapped to a user other than NAME. */
static gboolean
unix_user_free (GPtrArray *users, const char *name, const char *login, GError **error)
{
  MgQuarantineUser *other = mg_quarantine_users_find_unix (users, login);

  if (login != NULL && !mg_quarantine_users_unix_valid (login)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "--unix-user: not a login name");
    return FALSE;
  }
  if (other != NULL && g_strcmp0 (other->name, name) != 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "Unix user %s is %s already", login,
                 other->name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
change_user (GPtrArray *users, const char *command, const char *name, const MgAdminArgs *a,
             GError **error)
{
  MgQuarantineUser *user = mg_quarantine_users_find (users, name);
  g_autofree char *password = NULL;

  if (g_str_equal (command, "add") && user != NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "user %s exists already", name);
    return FALSE;
  }
  if (!g_str_equal (command, "add") && user == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no user %s", name);
    return FALSE;
  }
  if (g_str_equal (command, "del"))
    return g_ptr_array_remove (users, user);
  if ((g_str_equal (command, "add") || g_str_equal (command, "role")) &&
      !mg_quarantine_role_valid (a->role)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "--role operator or approver");
    return FALSE;
  }
  if (g_str_equal (command, "role")) {
    g_free (user->role);
    user->role = g_strdup (a->role);
    return TRUE;
  }
  if (!unix_user_free (users, name, a->unix_user, error))
    return FALSE;
  if (a->email != NULL && !mg_quarantine_users_email_valid (a->email)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "--email: not a plain address");
    return FALSE;
  }
  password = read_password (a->password_file, error);
  if (password == NULL)
    return FALSE;
  if (user == NULL) {
    user = g_new0 (MgQuarantineUser, 1);
    user->name = g_strdup (name);
    user->role = g_strdup (a->role);
    g_ptr_array_add (users, user);
  }
  if (a->unix_user != NULL) {
    g_free (user->unix_user);
    user->unix_user = g_strdup (a->unix_user);
  }
  if (a->email != NULL) {
    g_free (user->email);
    user->email = g_strdup (a->email);
  }
  g_free (user->hash);
  user->hash = mg_quarantine_users_hash (password, error);
  explicit_bzero (password, strlen (password));
  return user->hash != NULL;
}

/* End the web sessions of NAME; a sentence for the audit line. */
static char *
end_sessions (const MgConfig *config, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgQuarantineStore) store = mg_quarantine_store_open (config, &error);
  gint64 n = store != NULL ? mg_admin_sessions_end_user (store, name, &error) : -1;

  if (n < 0) {
    fprintf (stderr,
             "mugai admin: web sessions of %s not ended now (%s); the web UI refuses"
             " them at their next request\n",
             name, error->message);
    return NULL;
  }
  return g_strdup_printf ("; %" G_GINT64_FORMAT " web session(s) ended", n);
}

/* The users file's group: [milter] user's, whom the web UI runs as (root
 * writes the file); the caller's own when not root. */
static gid_t
users_group (const MgConfig *config)
{
  struct passwd *pw = geteuid () == 0 ? getpwnam (config->milter_user) : NULL;

  return pw != NULL ? pw->pw_gid : (gid_t) -1;
}

static int
cmd_user_change (const MgConfig *config, const MgAdminArgs *a, const char *command,
                 const char *name)
{
  const char *path = config->admin_users_file;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autofree char *action = g_strconcat ("user_", command, NULL);
  g_autofree char *ended = NULL;
  g_autofree char *granted = NULL;
  int lock = lock_users (path);
  gboolean ok;

  if (lock < 0) {
    mg_cli_error ("mugai admin", "%s.lock: %s", path, g_strerror (errno));
    return MG_EXIT_TEMPFAIL;
  }
  users = mg_quarantine_users_load (path, &error);
  ok = users != NULL && change_user (users, command, name, a, &error) &&
       mg_quarantine_users_save (path, users, users_group (config), &error);
  close (lock);
  if (ok && !g_str_equal (command, "add"))
    ended = end_sessions (config, name);
  granted = g_strdup_printf ("%s%s%s", g_str_equal (command, "add") ? a->role : "",
                             a->unix_user != NULL ? " unix_user=" : "",
                             a->unix_user != NULL ? a->unix_user : "");
  audit (config, action, name, *granted != '\0' ? granted : NULL, error, ended);
  if (ok)
    return MG_EXIT_OK;
  mg_cli_error ("mugai admin user", "%s: %s", command, error->message);
  return error->domain == G_FILE_ERROR ? MG_EXIT_REFUSED : MG_EXIT_TEMPFAIL;
}

static int
cmd_user_list (const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = mg_quarantine_users_load (config->admin_users_file, &error);

  if (users == NULL) {
    mg_cli_error ("mugai admin user list", "%s", error->message);
    return MG_EXIT_CONFIG;
  }
  for (guint i = 0; i < users->len; i++) {
    const MgQuarantineUser *u = g_ptr_array_index (users, i);
    printf ("%s\t%s\n", u->name, u->role);
  }
  return MG_EXIT_OK;
}

static int
cmd_user (const MgConfig *config, const MgAdminArgs *a)
{
  static const char *const changes[] = { "add", "passwd", "role", "del", NULL };
  const char *command = a->rest[1];
  guint n = g_strv_length (a->rest);

  if (command != NULL && g_str_equal (command, "list") && n == 2)
    return cmd_user_list (config);
  if (command == NULL || !g_strv_contains (changes, command) || n != 3 ||
      !mg_quarantine_users_name_valid (a->rest[2])) {
    fprintf (stderr, "usage: mugai admin user add|passwd|role|del NAME | user list"
                     " (names: a-z 0-9 . _ -)\n");
    return MG_EXIT_USAGE;
  }
  return cmd_user_change (config, a, command, a->rest[2]);
}

int
mg_cmd_admin (int argc, char **argv)
{
  g_auto (MgAdminArgs) args = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;

  if (!parse (argc, argv, &args, &error)) {
    mg_cli_error ("mugai admin", "%s", error->message);
    return MG_EXIT_USAGE;
  }
  if (args.rest == NULL ||
      (!g_str_equal (args.rest[0], "user") && !g_str_equal (args.rest[0], "serve"))) {
    fprintf (stderr, "usage: mugai admin user add|passwd|role|del|list [NAME] | serve"
                     " (mugai admin -h)\n");
    return MG_EXIT_USAGE;
  }
  if ((config = mg_cli_load_config (args.config_path)) == NULL)
    return MG_EXIT_CONFIG;
  if (g_str_equal (args.rest[0], "user"))
    return cmd_user (config, &args);
  return mg_admin_server_main (config, args.listen, &args.test);
}
