/* libreoffice.c - LibreOffice as a converter (see libreoffice.h).
 *
 * Each conversion runs in a fresh directory under TMPDIR that is removed
 * whatever happens; the profile written there turns macros off and never
 * updates links. LibreOffice runs as its own process group with rlimits, a
 * cleared environment, stdin from /dev/null and, when mugai is root, as
 * OFFICE_USER; past [office] libreoffice_timeout the group is killed. This
 * module never runs LibreOffice on the caller's files, never waits without
 * a deadline, and never looks inside what LibreOffice wrote.
 */
#include "filters/libreoffice.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filters/office_batch.h"
#include "util/fdio.h"
#include "util/tree.h"

/* The conversions asked for: what the input is (its usual extension) and
 * what LibreOffice writes. A request outside this table is refused. */
static const struct {
  const char *ext, *target;
} conversions[] = {
  { "doc", "docx" }, { "xls", "xlsx" }, { "ppt", "pptx" }, { "rtf", "docx" },
  { "odt", "docx" }, { "ott", "docx" }, { "odm", "docx" },
  { "ods", "xlsx" }, { "ots", "xlsx" }, { "odp", "pptx" }, { "otp", "pptx" },
  { "xlsb", "xlsx" },   /* binary workbooks, handed over by the OOXML filter */
  { MG_OFFICE_BATCH_METAFILES, "png" },   /* EMF/WMF pictures (ooxml_metafile.c) */
};

static const char why_not_installed[] = "LibreOffice is not installed";
static const char why_timeout[] = "LibreOffice took longer than [office] libreoffice_timeout";

const char *
mg_libreoffice_target (const char *ext)
{
  for (gsize i = 0; ext != NULL && i < G_N_ELEMENTS (conversions); i++)
    if (g_str_equal (conversions[i].ext, ext))
      return conversions[i].target;
  return NULL;
}

/* The profile LibreOffice starts with: no macros, no links, no VBA loaded. */
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

/* --- running LibreOffice ----------------------------------------------- */

/* The unprivileged user LibreOffice runs as when mugai runs as root (the
 * user the worker sandbox drops to). */
#define OFFICE_USER "nobody"

typedef struct {
  rlim_t address_space, cpu_seconds, file_size;
  gboolean drop;             /* leave root for UID/GID */
  uid_t uid;
  gid_t gid;
} ChildLimits;

static void
set_rlimit (int resource, rlim_t value)
{
  struct rlimit rl = { value, value };

  (void) setrlimit (resource, &rl);
}

/* In the child between fork and exec: async-signal-safe calls only. Its own
 * process group, so that a timeout kills everything LibreOffice started. */
static void
child_setup (gpointer data)
{
  const ChildLimits *limits = data;

  if (limits->drop && (setgroups (0, NULL) != 0 || setgid (limits->gid) != 0
                       || setuid (limits->uid) != 0))
    _exit (127);   /* never LibreOffice as root */
  (void) setsid ();
  set_rlimit (RLIMIT_AS, limits->address_space);
  set_rlimit (RLIMIT_CPU, limits->cpu_seconds);
  set_rlimit (RLIMIT_FSIZE, limits->file_size);
  set_rlimit (RLIMIT_CORE, 0);
}

/* Wait for PID until TIMEOUT seconds have passed; then kill its process
 * group. TRUE when it ended by itself (*STATUS_R set). */
static gboolean
wait_child (GPid pid, gint64 timeout, int *status_r)
{
  gint64 deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;

  for (;;) {
    pid_t r = waitpid (pid, status_r, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      kill (-pid, SIGKILL);     /* whatever it left running in its group */
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

/* The LibreOffice program to run, or NULL when it is not installed. */
static char *
find_soffice (const MgConfig *config)
{
  const char *program = config->office.libreoffice;

  if (program == NULL || *program == '\0')
    return NULL;
  if (strchr (program, '/') != NULL)
    return g_file_test (program, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (program) : NULL;
  return g_find_program_in_path (program);
}

/* TRUE when this process runs under seccomp (the worker sandbox), where
 * starting a program would end the worker. */
static gboolean
inside_seccomp (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return FALSE;
  line = strstr (status, "\nSeccomp:");
  return line != NULL && g_ascii_strtoull (line + 9, NULL, 10) != 0;
}

/* Run LibreOffice in DIR on INPUTS (NULL-terminated paths), once for all;
 * *WHY_R tells why it failed. */
static gboolean
run_soffice (const char *program, const char *dir, const char *const *inputs,
             const char *target, const MgConfig *config, ChildLimits *limits, char **why_r)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char *profile_url = g_filename_to_uri (profile, NULL, NULL);
  g_autofree char *env_arg = g_strconcat ("-env:UserInstallation=", profile_url, NULL);
  g_autofree char *outdir = g_build_filename (dir, "out", NULL);
  g_autofree char *home = g_strconcat ("HOME=", dir, NULL);
  g_autofree char *tmp = g_strconcat ("TMPDIR=", dir, NULL);
  const char *options[] = { program, "--headless", "--invisible", "--nodefault", "--nologo",
                            "--nofirststartwizard", "--norestore", "--nolockcheck", env_arg,
                            "--convert-to", target, "--outdir", outdir };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *envp[] = { home, tmp, "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                         "SAL_USE_VCLPLUGIN=svp", NULL };
  g_autoptr (GError) error = NULL;
  GPid pid;
  int status = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    g_ptr_array_add (argv, (gpointer) options[i]);
  for (gsize i = 0; inputs[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) inputs[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async (dir, (char **) argv->pdata, (char **) envp,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                        | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      child_setup, limits, &pid, &error)) {
    *why_r = g_strdup_printf ("LibreOffice could not be started: %s", error->message);
    return FALSE;
  }
  if (!wait_child (pid, config->office.libreoffice_timeout, &status)) {
    *why_r = g_strdup (why_timeout);
    return FALSE;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    *why_r = g_strdup ("LibreOffice failed on this document");
    return FALSE;
  }
  return TRUE;
}

/* Write the profile LibreOffice starts with into DIR/profile/user. */
static gboolean
write_profile (const char *dir)
{
  g_autofree char *user = g_build_filename (dir, "profile", "user", NULL);
  g_autofree char *xcu = g_build_filename (user, "registrymodifications.xcu", NULL);

  return g_mkdir_with_parents (user, 0700) == 0
         && g_file_set_contents (xcu, profile_xcu, -1, NULL);
}

/* As root, give DIR (the profile and INPUTS) to OFFICE_USER and set
 * LIMITS to become that user; FALSE when that user does not exist. */
static gboolean
hand_over (const char *dir, const char *const *inputs, ChildLimits *limits)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char *user = g_build_filename (profile, "user", NULL);
  g_autofree char *xcu = g_build_filename (user, "registrymodifications.xcu", NULL);
  const char *paths[] = { dir, profile, user, xcu };
  struct passwd *pw;

  if (geteuid () != 0)
    return TRUE;
  pw = getpwnam (OFFICE_USER);
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

/* The file LibreOffice wrote at PATH, at most MAX bytes, or NULL and *WHY_R. It
 * is opened without following a link and read to its end by size, not by what
 * a stat said before: something left running as the office user cannot swap
 * in a link or a device. */
static GBytes *
read_output (const char *path, gint64 max, char **why_r)
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

/* Write INPUTS (GBytes *) into the fresh directory DIR as input<i>.<EXTS[i]>
 * and run LibreOffice once on them all; the outputs (GBytes *, NULL where
 * LibreOffice wrote nothing; *MISSING_R, when not NULL, says why for the
 * first), at most [office] max_unpacked_size in all, or NULL and *WHY_R when
 * LibreOffice did not run to its end. */
static GPtrArray *
convert_in (const char *dir, const char *program, GPtrArray *inputs, const char *const *exts,
            const char *target, const MgConfig *config, char **missing_r, char **why_r)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_bytes_unref);
  gint64 left = config->office.max_unpacked_size;
  ChildLimits limits = { (rlim_t) config->office.libreoffice_memory << 20,
                         (rlim_t) config->office.libreoffice_timeout + 5,
                         (rlim_t) config->office.max_unpacked_size };

  for (guint i = 0; i < inputs->len; i++) {
    g_autofree char *base = g_strdup_printf ("input%u.%s", i, exts[i]);
    gsize len;
    const char *data = g_bytes_get_data (g_ptr_array_index (inputs, i), &len);
    g_ptr_array_add (paths, g_build_filename (dir, base, NULL));
    if (!g_file_set_contents (g_ptr_array_index (paths, i), data, len, NULL))
      break;
  }
  g_ptr_array_add (paths, NULL);
  if (paths->len != inputs->len + 1 || !write_profile (dir)) {
    *why_r = g_strdup ("the temporary directory for LibreOffice could not be written");
    return NULL;
  }
  if (!hand_over (dir, (const char *const *) paths->pdata, &limits)) {
    *why_r = g_strdup ("LibreOffice never runs as root, and user " OFFICE_USER " is missing");
    return NULL;
  }
  if (!run_soffice (program, dir, (const char *const *) paths->pdata, target, config, &limits,
                    why_r))
    return NULL;
  for (guint i = 0; i < inputs->len; i++) {
    g_autofree char *name = g_strdup_printf ("input%u.%s", i, target);
    g_autofree char *path = g_build_filename (dir, "out", name, NULL);
    g_autofree char *why = NULL;
    GBytes *out = left > 0 ? read_output (path, left, &why) : NULL;
    left -= out != NULL ? (gint64) g_bytes_get_size (out) : 0;
    if (out == NULL && missing_r != NULL && *missing_r == NULL)
      *missing_r = why != NULL ? g_steal_pointer (&why)
                               : g_strdup ("LibreOffice's output is too large");
    g_ptr_array_add (outputs, out);
  }
  return g_steal_pointer (&outputs);
}

/* LibreOffice run once on the EMF/WMF pictures of BATCH (office_batch.h):
 * the batch of their PNGs, an empty item for each it could not draw. */
static GBytes *
run_metafiles (const char *dir, const char *program, GBytes *batch, const MgConfig *config,
               char **why_r)
{
  g_autoptr (GPtrArray) items = mg_office_batch_unpack (
    batch, 2 * (guint) MIN (config->office.max_metafiles, G_MAXUINT / 2));
  g_autoptr (GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr (GPtrArray) exts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) pngs = NULL;

  for (guint i = 0; items != NULL && i + 1 < items->len; i += 2) {
    gsize len;
    const char *ext = g_bytes_get_data (g_ptr_array_index (items, i), &len);
    g_autofree char *name = g_strndup (ext, len);
    if (!g_str_equal (name, "emf") && !g_str_equal (name, "wmf"))
      break;
    g_ptr_array_add (exts, g_steal_pointer (&name));
    g_ptr_array_add (inputs, g_ptr_array_index (items, i + 1));
  }
  if (items == NULL || inputs->len * 2 != items->len) {
    *why_r = g_strdup ("not a batch of EMF/WMF pictures");
    return NULL;
  }
  pngs = convert_in (dir, program, inputs, (const char *const *) exts->pdata, "png", config,
                     NULL, why_r);
  if (pngs == NULL)
    return NULL;
  for (guint i = 0; i < pngs->len; i++)
    if (g_ptr_array_index (pngs, i) == NULL)
      pngs->pdata[i] = g_bytes_new (NULL, 0);
  return mg_office_batch_pack (pngs);
}

/* INPUT (extension EXT) converted to TARGET in the fresh directory DIR, or
 * NULL and *WHY_R. */
static GBytes *
convert_one (const char *dir, const char *program, GBytes *input, const char *ext,
             const char *target, const MgConfig *config, char **why_r)
{
  g_autoptr (GPtrArray) inputs = g_ptr_array_new ();
  const char *exts[] = { ext, NULL };

  g_ptr_array_add (inputs, input);
  g_autoptr (GPtrArray) outputs = convert_in (dir, program, inputs, exts, target, config,
                                              why_r, why_r);
  GBytes *out = outputs != NULL ? g_ptr_array_index (outputs, 0) : NULL;
  return out != NULL ? g_bytes_ref (out) : NULL;
}

GBytes *
mg_libreoffice_run (const MgConfig *config, GBytes *input, const char *source_ext,
                    const char *target, char **why_r)
{
  g_autofree char *program = find_soffice (config);
  const char *expected = mg_libreoffice_target (source_ext);
  g_autofree char *dir = NULL;
  GBytes *converted;

  if (program == NULL) {
    *why_r = g_strdup (why_not_installed);
    return NULL;
  }
  if (expected == NULL || !g_str_equal (expected, target)) {
    *why_r = g_strdup_printf ("no conversion from .%s to .%s", source_ext, target);
    return NULL;
  }
  dir = g_dir_make_tmp ("mugai-office-XXXXXX", NULL);
  if (dir == NULL) {
    *why_r = g_strdup ("no temporary directory for LibreOffice");
    return NULL;
  }
  converted = g_str_equal (source_ext, MG_OFFICE_BATCH_METAFILES)
                ? run_metafiles (dir, program, input, config, why_r)
                : convert_one (dir, program, input, source_ext, target, config, why_r);
  mg_tree_remove (dir);
  return converted;
}

MgReason
mg_libreoffice_reason (const char *why)
{
  if (g_strcmp0 (why, why_not_installed) == 0)
    return MG_REASON_NO_CONVERTER;
  return g_str_has_prefix (why != NULL ? why : "", why_timeout) ? MG_REASON_LIMIT
                                                               : MG_REASON_CONVERT_FAILED;
}

GBytes *
mg_libreoffice_convert (GBytes *input, const MgFilterInput *in, const char *source_ext,
                        const char *target, char **why_r)
{
  if (in->convert != NULL)
    return in->convert (in->convert_ctx, input, source_ext, target, why_r);
  if (inside_seccomp ()) {
    *why_r = g_strdup ("LibreOffice cannot be started inside the worker sandbox");
    return NULL;
  }
  return mg_libreoffice_run (in->config, input, source_ext, target, why_r);
}
