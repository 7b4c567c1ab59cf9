/* office_run.c - starting LibreOffice (see office_run.h).
 *
 * Moved out of libreoffice.c so that the one-document run and the warm
 * converter start LibreOffice the same way.
 */
#include "filters/office_run.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fdio.h"

const char mg_office_why_timeout[] =
    "LibreOffice took longer than [office] libreoffice_timeout";

/* The profile LibreOffice starts with: no macros, no links, no VBA loaded. */
/* clang-format off */
static const char profile_xcu[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" "
  "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
#define ITEM(path, name, value)                                                            \
  "<item oor:path=\"" path "\"><prop oor:name=\"" name "\" oor:op=\"fuse\"><value>" value \
  "</value></prop></item>\n"
  ITEM ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3")
  ITEM ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true")
  ITEM ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true")
  ITEM ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "true")
  ITEM ("/org.openoffice.Office.Writer/Content/Update", "Link", "2")
  ITEM ("/org.openoffice.Office.Calc/Content/Update", "Link", "1")
  ITEM ("/org.openoffice.Office.Writer/Filter/Import/VBA", "Load", "false")
  ITEM ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Load", "false")
  ITEM ("/org.openoffice.Office.Impress/Filter/Import/VBA", "Load", "false")
  ITEM ("/org.openoffice.Office.Common/Misc", "UseLocking", "false")
#undef ITEM
  "</oor:items>\n";
/* clang-format on */

void
mg_office_run_limits (const MgConfig *config, guint documents, MgOfficeLimits *limits)
{
  *limits = (MgOfficeLimits){ 0 };
  limits->address_space = (rlim_t) config->office.libreoffice_memory << 20;
  limits->cpu_seconds = (rlim_t) (config->office.libreoffice_timeout + 5) * MAX (documents, 1);
  limits->file_size = (rlim_t) config->office.max_unpacked_size;
}

static void
set_rlimit (int resource, rlim_t value)
{
  struct rlimit rl = { value, value };

  (void) setrlimit (resource, &rl);
}

/* In the child between fork and exec: async-signal-safe calls only. Its own
 * process group (unless told to stay in ours), so that a timeout kills
 * everything LibreOffice started. */
static void
child_setup (gpointer data)
{
  const MgOfficeLimits *limits = data;

  if (limits->drop &&
      (setgroups (0, NULL) != 0 || setgid (limits->gid) != 0 || setuid (limits->uid) != 0))
    _exit (127); /* never LibreOffice as root */
  if (!limits->same_group)
    (void) setsid ();
  set_rlimit (RLIMIT_AS, limits->address_space);
  set_rlimit (RLIMIT_CPU, limits->cpu_seconds);
  set_rlimit (RLIMIT_FSIZE, limits->file_size);
  set_rlimit (RLIMIT_CORE, 0);
}

/* Wait for PID (started in a session of its own) until DEADLINE (monotonic,
 * microseconds); then kill its process group. TRUE when it ended by itself
 * (*STATUS_R set). Whatever it left running in its group is killed too. */
static gboolean
run_wait (GPid pid, gint64 deadline, int *status_r)
{
  for (;;) {
    pid_t r = waitpid (pid, status_r, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      kill (-pid, SIGKILL); /* whatever it left running in its group */
      return r == pid;
    }
    if (g_get_monotonic_time () > deadline) {
      kill (-pid, SIGKILL);
      while (waitpid (pid, status_r, 0) < 0 && errno == EINTR)
        ;
      return FALSE;
    }
    g_usleep (20000);
  }
}

char *
mg_office_run_find (const MgConfig *config)
{
  const char *program = config->office.libreoffice;

  if (program == NULL || *program == '\0')
    return NULL;
  if (strchr (program, '/') != NULL)
    return g_file_test (program, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (program) : NULL;
  return g_find_program_in_path (program);
}

char *
mg_office_run_profile_url (const char *dir)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);

  return g_filename_to_uri (profile, NULL, NULL);
}

gboolean
mg_office_run_spawn (const char *program, const char *dir, const char *const *args,
                     MgOfficeLimits *limits, GPid *pid_r, char **why_r)
{
  g_autofree char *profile_url = mg_office_run_profile_url (dir);
  g_autofree char *env_arg = g_strconcat ("-env:UserInstallation=", profile_url, NULL);
  g_autofree char *home = g_strconcat ("HOME=", dir, NULL);
  g_autofree char *tmp = g_strconcat ("TMPDIR=", dir, NULL);
  const char *head[] = { program,       "--headless",    "--nologo", "--nofirststartwizard",
                         "--norestore", "--nolockcheck", env_arg };
  const char *envp[] = {
    home, tmp, "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "SAL_USE_VCLPLUGIN=svp",
    NULL
  };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (head); i++)
    g_ptr_array_add (argv, (gpointer) head[i]);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async (dir, (char **) argv->pdata, (char **) envp,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      child_setup, limits, pid_r, &error)) {
    *why_r = g_strdup_printf ("LibreOffice could not be started: %s", error->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
mg_office_run_convert (const char *program, const char *dir, const char *outdir,
                       const char *const *inputs, const char *target, MgOfficeLimits *limits,
                       gint64 deadline, char **why_r)
{
  const char *options[] = { "--invisible", "--nodefault", "--convert-to",
                            target,        "--outdir",    outdir };
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  GPid pid;
  int status = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    g_ptr_array_add (args, (gpointer) options[i]);
  for (gsize i = 0; inputs[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) inputs[i]);
  g_ptr_array_add (args, NULL);
  if (!mg_office_run_spawn (program, dir, (const char *const *) args->pdata, limits, &pid,
                            why_r))
    return FALSE;
  if (!run_wait (pid, deadline, &status)) {
    *why_r = g_strdup (mg_office_why_timeout);
    return FALSE;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    *why_r = g_strdup ("LibreOffice failed on this document");
    return FALSE;
  }
  return TRUE;
}

gboolean
mg_office_run_write_profile (const char *dir)
{
  g_autofree char *user = g_build_filename (dir, "profile", "user", NULL);
  g_autofree char *xcu = g_build_filename (user, "registrymodifications.xcu", NULL);

  return g_mkdir_with_parents (user, 0700) == 0 &&
         g_file_set_contents (xcu, profile_xcu, -1, NULL);
}

gboolean
mg_office_run_hand_over (const char *dir, const char *const *inputs, MgOfficeLimits *limits)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char *user = g_build_filename (profile, "user", NULL);
  g_autofree char *xcu = g_build_filename (user, "registrymodifications.xcu", NULL);
  const char *paths[] = { dir, profile, user, xcu };
  struct passwd *pw;

  if (geteuid () != 0)
    return TRUE;
  pw = getpwnam (MG_OFFICE_USER);
  if (pw == NULL || pw->pw_uid == 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    if (lchown (paths[i], pw->pw_uid, pw->pw_gid) != 0)
      return FALSE;
  for (gsize i = 0; inputs[i] != NULL; i++)
    if (lchown (inputs[i], pw->pw_uid, pw->pw_gid) != 0)
      return FALSE;
  limits->drop = TRUE;
  limits->uid = pw->pw_uid;
  limits->gid = pw->pw_gid;
  return TRUE;
}

/* Opened without following a link and read to its end by size, not by what
 * a stat said before: something left running as the office user cannot swap
 * in a link or a device. */
GBytes *
mg_office_run_read_output (const char *path, gint64 max, char **why_r)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  GBytes *bytes = NULL;

  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    *why_r = g_strdup ("LibreOffice could not read this document");
  else if ((bytes = mg_fdio_read_all (fd, (gsize) max, NULL)) == NULL)
    *why_r = g_strdup ("LibreOffice's output is too large or unreadable");
  mg_clear_fd (&fd);
  return bytes;
}
