/* milter_privs.c - the milter's socket, then leaving root. */
#include "milter/milter_privs.h"
#include "milter/milter_hook.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "milter/milter_daemon.h"

void
mg_milter_privs_lookup (const MgConfig *config, MgPrivsUsers *users)
{
  g_autoptr (GError) error = NULL;

  if (!mg_privs_lookup (config->milter_user, config->milter_worker_user, users, &error))
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "%s", error->message);
}

/* The path of a unix socket spec (unix:/p, local:/p, /p), NULL for inet. */
static const char *
unix_path (const char *socket)
{
  if (g_str_has_prefix (socket, "unix:"))
    return socket + 5;
  if (g_str_has_prefix (socket, "local:"))
    return socket + 6;
  return socket[0] == '/' ? socket : NULL;
}

static gid_t
socket_gid (const MgConfig *config)
{
  struct group *gr;

  if (config->milter_socket_group[0] == '\0')
    return (gid_t) -1;
  gr = getgrnam (config->milter_socket_group);
  if (gr == NULL)
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "[milter] socket_group: no group %s",
                           config->milter_socket_group);
  return gr->gr_gid;
}

static uid_t
socket_uid (const MgConfig *config, const MgPrivsUsers *users)
{
  struct passwd *pw;

  if (config->milter_socket_owner[0] == '\0')
    return users->root ? users->uid : (uid_t) -1;
  pw = getpwnam (config->milter_socket_owner);
  if (pw == NULL)
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "[milter] socket_owner: no user %s",
                           config->milter_socket_owner);
  return pw->pw_uid;
}

/* FILE's folder, made when missing: the user's, group GID, mode 0750. */
static void
make_folder (const char *file, uid_t uid, gid_t gid)
{
  g_autofree char *dir = g_path_get_dirname (file);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;
  if (mkdir (dir, 0750) != 0 || chown (dir, uid, gid) != 0)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "%s: %s", dir, g_strerror (errno));
}

void
mg_milter_privs_folders (const MgConfig *config, const char *socket, gboolean daemon,
                         const MgPrivsUsers *users)
{
  const char *path = unix_path (socket);
  uid_t uid = users->root ? users->uid : (uid_t) -1;

  if (path != NULL)
    make_folder (path, uid, socket_gid (config));
  if (daemon)
    make_folder (config->milter_pid_file, uid, (gid_t) -1);
}

void
mg_milter_privs_socket (const MgConfig *config, const char *socket, const MgPrivsUsers *users)
{
  const char *path = unix_path (socket);
  const char *mode_text = config->milter_socket_mode;
  char *end = NULL;
  long mode = strtol (mode_text, &end, 8);

  if (path == NULL)
    return;
  if (*mode_text == '\0' || *end != '\0' || mode < 0 || mode > 0777)
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "[milter] socket_mode: %s is not an octal mode",
                           mode_text);
  if (chmod (path, (mode_t) mode) != 0)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "%s: %s", path, g_strerror (errno));
  if (chown (path, socket_uid (config, users), socket_gid (config)) == 0)
    return;
  if (users->root)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "%s: %s", path, g_strerror (errno));
  g_warning ("NOQUEUE: %s: not given to group %s: %s", path, config->milter_socket_group,
             g_strerror (errno));
}

void
mg_milter_privs_drop (const MgConfig *config, const MgPrivsUsers *users)
{
  g_autoptr (GError) error = NULL;

  if (!mg_privs_drop_front (users, &error))
    mg_milter_daemon_fail (MG_EXIT_OSERR, "%s", error->message);
  mg_milter_hook_start (config);
  if (!mg_privs_filter_front (&error))
    mg_milter_daemon_fail (MG_EXIT_OSERR, "%s", error->message);
  if (users->root)
    g_message ("NOQUEUE: running as uid %d, workers as uid %d", (int) users->uid,
               (int) users->worker_uid);
}
