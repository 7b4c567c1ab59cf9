/* cmd_config.c - `mugai config check|dump`: what `postfix check` and
 * `postconf -n` are to Postfix.
 *
 * check reads the file key by key against the one table of common/config.c
 * and reports every problem, not only the first; then what the service needs
 * when it runs: the virus database, the quarantine and socket directories as
 * the service user sees them, and Postfix's side (cmd_config_postfix.c). One
 * line per finding on stdout, exit 0 or 78. dump prints the effective
 * configuration as a file mugai reads back. Neither ever writes a file.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "cli/cmd_config.h"
#include "quarantine/quarantine_hook.h"
#include "scan/scan.h"

#define POSTFIX_USER "postfix" /* smtpd and cleanup connect to the milter as it */

/* A user whose access is checked, with the groups it would have. */
typedef struct {
  char *name;
  uid_t uid;
  gid_t gid;
  GArray *groups; /* gid_t */
  gboolean self;  /* checked as this process: not root, or no such user */
} MgCheckUser;

void
mg_cmd_config_finding (MgConfigFindings *findings, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  mg_cli_vprint (format, args);
  va_end (args);
  findings->count++;
}

/* --- dump -------------------------------------------------------------- */

/* Each group once, in the table's order of first appearance. */
static GPtrArray *
table_groups (void)
{
  GPtrArray *groups = g_ptr_array_new ();

  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++)
    if (!g_ptr_array_find_with_equal_func (groups, k->group, g_str_equal, NULL))
      g_ptr_array_add (groups, (gpointer) k->group);
  return groups;
}

static void
dump (const MgConfig *config, gboolean changed_only)
{
  g_autoptr (MgConfig) defaults = mg_config_new_default ();
  g_autoptr (GPtrArray) groups = table_groups ();
  gboolean first = TRUE;

  for (guint i = 0; i < groups->len; i++) {
    const char *group = g_ptr_array_index (groups, i);
    gboolean header = FALSE;
    for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++) {
      g_autofree char *value = NULL, *fallback = NULL;
      if (!g_str_equal (k->group, group))
        continue;
      value = mg_config_format (config, k);
      fallback = mg_config_format (defaults, k);
      if (changed_only && g_str_equal (value, fallback))
        continue;
      if (!header)
        printf ("%s[%s]\n", first ? "" : "\n", group);
      header = TRUE;
      first = FALSE;
      printf ("%s = %s\n", k->key, value);
    }
  }
}

/* --- check: the file ----------------------------------------------------- */

static gboolean
known_group (const char *group)
{
  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++)
    if (g_str_equal (k->group, group))
      return TRUE;
  return FALSE;
}

static void
check_group (MgConfig *config, GKeyFile *kf, const char *path, const char *group,
             MgConfigFindings *findings)
{
  g_auto (GStrv) names = g_key_file_get_keys (kf, group, NULL, NULL);

  if (!known_group (group)) {
    mg_cmd_config_finding (findings, "%s: unknown section [%s]", path, group);
    return;
  }
  for (char **n = names; n != NULL && *n != NULL; n++) {
    const MgConfKey *k = mg_config_find_key (group, *n);
    g_autofree char *value = g_key_file_get_value (kf, group, *n, NULL);
    g_autoptr (GError) error = NULL;
    if (k == NULL)
      mg_cmd_config_finding (findings, "%s: unknown key [%s] %s", path, group, *n);
    else if (!mg_config_set (config, k, value, &error))
      mg_cmd_config_finding (findings, "%s: %s", path, error->message);
  }
}

/* The configuration as far as it parses: every bad key a finding, the
 * default kept in its place. */
static MgConfig *
check_file (const char *path, MgConfigFindings *findings)
{
  MgConfig *config = mg_config_new_default ();
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) groups = NULL;

  config->path = g_strdup (path);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error)) {
    mg_cmd_config_finding (findings, "%s: %s", path, error->message);
    return config;
  }
  groups = g_key_file_get_groups (kf, NULL);
  for (char **g = groups; *g != NULL; g++)
    check_group (config, kf, path, *g, findings);
  return config;
}

/* Deadlines that only work in one order. */
static void
check_deadlines (const MgConfig *config, MgConfigFindings *findings)
{
  if (config->sandbox.job_timeout >= config->milter_timeout)
    mg_cmd_config_finding (findings,
                           "[sandbox] job_timeout (%" G_GINT64_FORMAT " s) must be below "
                           "[milter] timeout (%" G_GINT64_FORMAT " s): the milter would "
                           "give up on a message before its worker is stopped",
                           config->sandbox.job_timeout, config->milter_timeout);
  if (config->office.libreoffice_timeout >= config->sandbox.job_timeout)
    mg_cmd_config_finding (findings,
                           "[office] libreoffice_timeout (%" G_GINT64_FORMAT " s) must be "
                           "below [sandbox] job_timeout (%" G_GINT64_FORMAT " s)",
                           config->office.libreoffice_timeout, config->sandbox.job_timeout);
}

/* [alert] exec: an argv whose program exists and may be run. */
static void
check_alert_exec (const MgConfig *config, MgConfigFindings *findings)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;

  if (*config->alert_exec == '\0')
    return;
  argv = mg_quarantine_hook_argv (config->alert_exec, &error);
  if (argv == NULL)
    mg_cmd_config_finding (findings, "[alert] exec: %s", error->message);
  else if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE) ||
           g_file_test (argv[0], G_FILE_TEST_IS_DIR))
    mg_cmd_config_finding (findings, "[alert] exec: %s is not an executable file", argv[0]);
}

/* --- check: access as the service user ---------------------------------- */

static void
user_free (MgCheckUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  if (user->groups != NULL)
    g_array_unref (user->groups);
  g_free (user);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgCheckUser, user_free)

/* NAME as it would run (root only); this process when NAME is NULL or does
 * not exist, or we are not root. */
static MgCheckUser *
user_new (const char *name)
{
  MgCheckUser *user = g_new0 (MgCheckUser, 1);
  struct passwd *pw = geteuid () == 0 && name != NULL ? getpwnam (name) : NULL;
  int count = 0;

  if (pw == NULL) {
    user->self = TRUE;
    user->name = g_strdup (g_get_user_name ());
    return user;
  }
  user->name = g_strdup (name);
  user->uid = pw->pw_uid;
  user->gid = pw->pw_gid;
  getgrouplist (name, pw->pw_gid, NULL, &count);
  user->groups = g_array_sized_new (FALSE, TRUE, sizeof (gid_t), (guint) count);
  g_array_set_size (user->groups, (guint) count);
  if (getgrouplist (name, pw->pw_gid, (gid_t *) (void *) user->groups->data, &count) < 0)
    count = 0;
  g_array_set_size (user->groups, (guint) count);
  return user;
}

/* 0 when USER may access PATH with MODE, else the errno: checked in a child
 * that took USER's uid, gid and groups (only system calls after fork). */
static int
access_as (const MgCheckUser *user, const char *path, int mode)
{
  int status;
  pid_t pid;

  if (user->self)
    return access (path, mode) == 0 ? 0 : errno;
  pid = fork ();
  if (pid < 0)
    return errno;
  if (pid == 0) {
    if (setgroups (user->groups->len, (gid_t *) (void *) user->groups->data) != 0 ||
        setgid (user->gid) != 0 || setuid (user->uid) != 0)
      _exit (255);
    _exit (access (path, mode) == 0 ? 0 : MIN (errno, 254));
  }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) == 255)
    return EPERM;
  return WEXITSTATUS (status);
}

/* DIR itself when it exists, else its nearest existing ancestor. */
static char *
existing_ancestor (const char *dir)
{
  g_autofree char *path = g_canonicalize_filename (dir, NULL);

  while (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    char *parent = g_path_get_dirname (path);
    g_free (path);
    path = parent;
  }
  return g_steal_pointer (&path);
}

/* WHAT (a directory USER writes, created when missing) is usable. */
static void
check_writable_dir (const MgCheckUser *user, const char *what, const char *dir,
                    const char *hint, MgConfigFindings *findings)
{
  g_autofree char *existing = existing_ancestor (dir);
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  int err;

  if (!g_str_equal (existing, canonical)) {
    err = access_as (user, existing, W_OK | X_OK);
    if (err != 0)
      mg_cmd_config_finding (findings,
                             "%s %s does not exist and %s cannot create it in %s "
                             "(%s)%s",
                             what, dir, user->name, existing, g_strerror (err), hint);
    return;
  }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    mg_cmd_config_finding (findings, "%s %s is not a directory", what, dir);
    return;
  }
  err = access_as (user, dir, W_OK | X_OK);
  if (err != 0)
    mg_cmd_config_finding (findings, "%s %s is not writable by %s (%s)", what, dir, user->name,
                           g_strerror (err));
}

/* The database loads, and the service user can read it. */
static void
check_database (const MgConfig *config, const MgCheckUser *user, MgConfigFindings *findings)
{
  g_autoptr (MgScanEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  int err = access_as (user, config->clamav_database, R_OK | X_OK);

  if (err != 0) {
    mg_cmd_config_finding (findings,
                           "virus database %s: %s cannot read it (%s): run "
                           "freshclam, or set [clamav] database",
                           config->clamav_database, user->name, g_strerror (err));
    return;
  }
  engine = mg_scan_engine_load (config->clamav_database, config->limits.message_size,
                                config->clamav_max_scan_seconds, &error);
  if (engine == NULL) {
    mg_cmd_config_finding (findings, "%s (run freshclam, or set [clamav] database)",
                           error->message);
    return;
  }
  printf ("virus database %s: %s (%u signatures)\n", config->clamav_database,
          mg_scan_engine_version (engine), mg_scan_engine_signatures (engine));
}

/* The path of a unix socket (libmilter syntax), or NULL. */
static const char *
unix_path (const char *socket)
{
  if (g_str_has_prefix (socket, "unix:") || g_str_has_prefix (socket, "local:"))
    return strchr (socket, ':') + 1;
  return socket[0] == '/' ? socket : NULL;
}

/* The accounts mugai-milter takes when started as root (as the unit starts
 * it: it exits 78 without them), and a socket Postfix's group can use. */
static void
check_accounts (const MgConfig *config, MgConfigFindings *findings)
{
  const char *mode_text = config->milter_socket_mode;
  char *end = NULL;
  long mode = strtol (mode_text, &end, 8);

  if (getpwnam (config->milter_user) == NULL)
    mg_cmd_config_finding (findings,
                           "[milter] user %s does not exist (the package's "
                           "sysusers.d entry makes _mugai)",
                           config->milter_user);
  if (getpwnam (config->milter_worker_user) == NULL)
    mg_cmd_config_finding (findings,
                           "[milter] worker_user %s does not exist (the package's "
                           "sysusers.d entry makes _mugai-worker)",
                           config->milter_worker_user);
  if (g_str_equal (config->milter_user, config->milter_worker_user))
    mg_cmd_config_finding (findings, "[milter] worker_user must differ from [milter] user");
  if (unix_path (config->milter_socket) == NULL)
    return;
  if (config->milter_socket_owner[0] != '\0' && getpwnam (config->milter_socket_owner) == NULL)
    mg_cmd_config_finding (findings, "[milter] socket_owner %s does not exist",
                           config->milter_socket_owner);
  if (getgrnam (config->milter_socket_group) == NULL)
    mg_cmd_config_finding (findings, "[milter] socket_group %s does not exist",
                           config->milter_socket_group);
  if (*mode_text == '\0' || *end != '\0' || mode < 0 || mode > 0777)
    mg_cmd_config_finding (findings, "[milter] socket_mode %s is not an octal mode",
                           mode_text);
  else if ((mode & 0060) != 0060)
    mg_cmd_config_finding (findings,
                           "[milter] socket_mode %s gives group %s no read and "
                           "write: Postfix could not connect",
                           mode_text, config->milter_socket_group);
}

/* A unix socket's directory: mugai-milter, started as root as the shipped
 * unit does (so: as whoever runs this check), creates the socket there
 * before it drops privileges; Postfix's user must reach it. An inet socket
 * must not face the network. */
static void
check_socket (const MgConfig *config, MgConfigFindings *findings)
{
  g_autoptr (MgCheckUser) user = user_new (NULL);
  const char *socket = config->milter_socket;
  const char *path = unix_path (socket);
  g_autofree char *dir = NULL;
  g_autoptr (MgCheckUser) postfix = NULL;
  int err;

  if (path == NULL) {
    if ((g_str_has_prefix (socket, "inet:") || g_str_has_prefix (socket, "inet6:")) &&
        strchr (socket, '@') == NULL)
      mg_cmd_config_finding (findings,
                             "[milter] socket %s listens on every address: "
                             "name one, as in inet:8890@127.0.0.1",
                             socket);
    else if (!g_str_has_prefix (socket, "inet:") && !g_str_has_prefix (socket, "inet6:"))
      mg_cmd_config_finding (findings,
                             "[milter] socket %s: not unix:PATH or "
                             "inet:PORT@ADDRESS",
                             socket);
    return;
  }
  if (!g_path_is_absolute (path)) {
    mg_cmd_config_finding (findings, "[milter] socket %s: the path must be absolute", socket);
    return;
  }
  dir = g_path_get_dirname (path);
  check_writable_dir (user, "socket directory", dir,
                      "; the unit's RuntimeDirectory= and the package's tmpfiles.d entry "
                      "create it",
                      findings);
  postfix = user_new (POSTFIX_USER);
  if (!postfix->self && g_file_test (dir, G_FILE_TEST_IS_DIR) &&
      (err = access_as (postfix, dir, X_OK)) != 0)
    mg_cmd_config_finding (findings,
                           "socket directory %s cannot be entered by %s (%s): "
                           "Postfix could not connect",
                           dir, POSTFIX_USER, g_strerror (err));
}

/* --- the subcommands ------------------------------------------------------- */

static int
run_check (const char *config_path, const char *postfix_dir, const char *user_name)
{
  MgConfigFindings findings = { 0 };
  g_autoptr (MgConfig) config = NULL;
  g_autoptr (MgCheckUser) user = NULL;
  const char *path = config_path ? config_path : MG_CONFIG_DEFAULT_PATH;

  if (config_path == NULL && !g_file_test (path, G_FILE_TEST_EXISTS)) {
    mg_cli_print ("%s does not exist: checking the built-in defaults", path);
    config = mg_config_new_default ();
  } else {
    config = check_file (path, &findings);
  }
  check_deadlines (config, &findings);
  check_alert_exec (config, &findings);
  check_accounts (config, &findings);
  user_name = user_name ? user_name : config->milter_user;
  user = user_new (user_name);
  if (user->self && geteuid () == 0)
    mg_cli_print ("no user %s: checking access as %s", user_name, user->name);
  check_database (config, user, &findings);
  check_writable_dir (user, "quarantine directory", config->quarantine_directory, "",
                      &findings);
  check_socket (config, &findings);
  mg_cmd_config_check_postfix (config, postfix_dir, &findings);
  mg_cmd_config_check_release (config, postfix_dir, &findings);
  if (findings.count > 0) {
    if (findings.count == 1)
      mg_cli_print ("%s: %u problem", path, findings.count);
    else
      mg_cli_print ("%s: %u problems", path, findings.count);
    return MG_EXIT_CONFIG;
  }
  mg_cli_print ("%s: OK", path);
  return MG_EXIT_OK;
}

static int
run_dump (const char *config_path, gboolean changed_only)
{
  g_autoptr (MgConfig) config = mg_cli_load_config (config_path);

  if (config == NULL)
    return MG_EXIT_CONFIG;
  dump (config, changed_only);
  return MG_EXIT_OK;
}

static int
usage_error (const char *message)
{
  mg_cli_error ("mugai config", "%s", mg_cli_text (message));
  fprintf (stderr, "usage: mugai config check [-c FILE] [-P DIR] [-u USER]\n"
                   "       mugai config dump [-n] [-c FILE]\n");
  return MG_EXIT_USAGE;
}

int
mg_cmd_config (int argc, char **argv)
{
  g_autofree char *config_path = NULL, *postfix_dir = NULL, *user_name = NULL;
  gboolean changed_only = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "configuration file (default " MG_CONFIG_DEFAULT_PATH ")", "FILE" },
    { "non-default", 'n', 0, G_OPTION_ARG_NONE, &changed_only,
      "dump: only the values that differ from the defaults", NULL },
    { "postfix-config", 'P', 0, G_OPTION_ARG_FILENAME, &postfix_dir,
      "check: Postfix configuration directory, as postconf -c", "DIR" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user_name,
      "check: access as this user (default: [milter] user)", "USER" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "check|dump - check the configuration, or print its effective values");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("name one of check, dump");
  if (g_str_equal (argv[1], "check") && !changed_only)
    return run_check (config_path, postfix_dir, user_name);
  if (g_str_equal (argv[1], "dump") && postfix_dir == NULL && user_name == NULL)
    return run_dump (config_path, changed_only);
  return usage_error ("name one of check, dump (-n is for dump, -P and -u for check)");
}
