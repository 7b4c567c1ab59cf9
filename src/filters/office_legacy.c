/* office_legacy.c - the legacy Office, RTF and ODF filter (see office_legacy.h).
 *
 * The detected type (and, for a bare OLE compound file, the names of its
 * streams) decides what LibreOffice is asked for: text documents become
 * .docx, spreadsheets .xlsx, presentations .pptx. The conversion runs in a
 * fresh directory under TMPDIR that is removed whatever happens; the profile
 * written there turns macros off and never updates links. This module never
 * runs LibreOffice on the caller's files, never waits without a deadline,
 * and never passes what LibreOffice wrote without the OOXML rebuild.
 */
#include "filters/office_legacy.h"

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

#include "filters/office_cfb.h"
#include "filters/ooxml.h"
#include "util/fdio.h"
#include "util/tree.h"

typedef struct {
  const char *type;        /* libmagic type */
  const char *ext;         /* what LibreOffice is told the input is */
  const char *target;      /* what it writes */
} Conversion;

static const Conversion conversions[] = {
  { "application/msword", "doc", "docx" },
  { "application/vnd.ms-word", "doc", "docx" },
  { "application/vnd.ms-excel", "xls", "xlsx" },
  { "application/vnd.ms-powerpoint", "ppt", "pptx" },
  { "text/rtf", "rtf", "docx" },
  { "application/rtf", "rtf", "docx" },
  { "application/vnd.oasis.opendocument.text", "odt", "docx" },
  { "application/vnd.oasis.opendocument.text-template", "ott", "docx" },
  { "application/vnd.oasis.opendocument.text-master", "odm", "docx" },
  { "application/vnd.oasis.opendocument.spreadsheet", "ods", "xlsx" },
  { "application/vnd.oasis.opendocument.spreadsheet-template", "ots", "xlsx" },
  { "application/vnd.oasis.opendocument.presentation", "odp", "pptx" },
  { "application/vnd.oasis.opendocument.presentation-template", "otp", "pptx" },
  { NULL, "xlsb", "xlsx" },   /* binary workbooks, handed over by the OOXML filter */
  { NULL, "emf", "png" },     /* pictures of Office documents (ooxml_metafile.c) */
  { NULL, "wmf", "png" },
};

static const char why_not_installed[] = "LibreOffice is not installed";
static const char why_timeout[] = "LibreOffice took longer than [office] libreoffice_timeout";

/* Types named only by their OLE compound file streams. */
static const char *const compound_types[] = {
  "application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office", NULL,
};

static const char *const ichitaro_types[] = {
  "application/x-ichitaro4", "application/x-ichitaro5", "application/x-ichitaro6", NULL,
};

/* Ichitaro's extensions: used only to remove with a clearer reason. */
static const char *const ichitaro_extensions[] = {
  ".jtd", ".jtdc", ".jtt", ".jttc", ".jtdx", ".jbw", ".juw", ".jfw", ".jvw", ".jaw", ".jxw",
  NULL,
};

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

static void
remove_part (MgFilterResult *result, MgAction action, MgReason reason, char *detail)
{
  mg_filter_result_clear (result);
  mg_filter_result_set (result, action, reason, detail);
}

/* --- OLE compound files ------------------------------------------------ */

/* The conversion a bare compound file needs, by its streams, or NULL. */
static const Conversion *
cfb_conversion (GBytes *input)
{
  if (mg_office_cfb_has (input, "WordDocument"))
    return &conversions[0];
  if (mg_office_cfb_has (input, "Workbook") || mg_office_cfb_has (input, "Book"))
    return &conversions[2];
  if (mg_office_cfb_has (input, "PowerPoint Document"))
    return &conversions[3];
  return NULL;
}

static const Conversion *
conversion_for_ext (const char *ext)
{
  for (gsize i = 0; i < G_N_ELEMENTS (conversions); i++)
    if (g_str_equal (conversions[i].ext, ext))
      return &conversions[i];
  return NULL;
}

static const Conversion *
conversion_for_type (const char *type)
{
  for (gsize i = 0; type != NULL && i < G_N_ELEMENTS (conversions); i++)
    if (conversions[i].type != NULL && g_ascii_strcasecmp (conversions[i].type, type) == 0)
      return &conversions[i];
  return NULL;
}

static gboolean
type_in (const char *type, const char *const *list)
{
  for (guint i = 0; type != NULL && list[i] != NULL; i++)
    if (g_ascii_strcasecmp (type, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
name_is_ichitaro (const char *filename)
{
  g_autofree char *low = filename != NULL ? g_utf8_strdown (filename, -1) : NULL;

  for (guint i = 0; low != NULL && ichitaro_extensions[i] != NULL; i++)
    if (g_str_has_suffix (low, ichitaro_extensions[i]))
      return TRUE;
  return FALSE;
}

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

/* Run LibreOffice in DIR on INPUT_PATH; *WHY_R tells why it failed. */
static gboolean
run_soffice (const char *program, const char *dir, const char *input_path, const char *target,
             const MgConfig *config, ChildLimits *limits, char **why_r)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char *profile_url = g_filename_to_uri (profile, NULL, NULL);
  g_autofree char *env_arg = g_strconcat ("-env:UserInstallation=", profile_url, NULL);
  g_autofree char *outdir = g_build_filename (dir, "out", NULL);
  g_autofree char *home = g_strconcat ("HOME=", dir, NULL);
  g_autofree char *tmp = g_strconcat ("TMPDIR=", dir, NULL);
  const char *argv[] = { program, "--headless", "--invisible", "--nodefault", "--nologo",
                         "--nofirststartwizard", "--norestore", "--nolockcheck", env_arg,
                         "--convert-to", target, "--outdir", outdir, input_path, NULL };
  const char *envp[] = { home, tmp, "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                         "SAL_USE_VCLPLUGIN=svp", NULL };
  g_autoptr (GError) error = NULL;
  GPid pid;
  int status = 0;

  if (!g_spawn_async (dir, (char **) argv, (char **) envp,
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

/* As root, give DIR (the profile and the input) to OFFICE_USER and set
 * LIMITS to become that user; FALSE when that user does not exist. */
static gboolean
hand_over (const char *dir, const char *input_path, ChildLimits *limits)
{
  g_autofree char *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char *user = g_build_filename (profile, "user", NULL);
  g_autofree char *xcu = g_build_filename (user, "registrymodifications.xcu", NULL);
  const char *paths[] = { dir, profile, user, xcu, input_path };
  struct passwd *pw;

  if (geteuid () != 0)
    return TRUE;
  pw = getpwnam (OFFICE_USER);
  if (pw == NULL || pw->pw_uid == 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    if (lchown (paths[i], pw->pw_uid, pw->pw_gid) != 0)
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

/* Convert INPUT in the fresh directory DIR; the OOXML bytes, or NULL and *WHY_R. */
static GBytes *
convert_in (const char *dir, const char *program, GBytes *input, const Conversion *c,
            const MgConfig *config, char **why_r)
{
  g_autofree char *base = g_strconcat ("input.", c->ext, NULL);
  g_autofree char *input_path = g_build_filename (dir, base, NULL);
  g_autofree char *out_name = g_strconcat ("input.", c->target, NULL);
  g_autofree char *out_path = g_build_filename (dir, "out", out_name, NULL);
  gsize len;
  const char *data = g_bytes_get_data (input, &len);

  ChildLimits limits = { (rlim_t) config->office.libreoffice_memory << 20,
                         (rlim_t) config->office.libreoffice_timeout + 5,
                         (rlim_t) config->office.max_unpacked_size };

  if (!write_profile (dir) || !g_file_set_contents (input_path, data, len, NULL)) {
    *why_r = g_strdup ("the temporary directory for LibreOffice could not be written");
    return NULL;
  }
  if (!hand_over (dir, input_path, &limits)) {
    *why_r = g_strdup ("LibreOffice never runs as root, and user " OFFICE_USER " is missing");
    return NULL;
  }
  if (!run_soffice (program, dir, input_path, c->target, config, &limits, why_r))
    return NULL;
  return read_output (out_path, config->office.max_unpacked_size, why_r);
}

GBytes *
mg_office_legacy_run (const MgConfig *config, GBytes *input, const char *source_ext,
                      const char *target, char **why_r)
{
  g_autofree char *program = find_soffice (config);
  const Conversion *c = conversion_for_ext (source_ext);
  g_autofree char *dir = NULL;
  GBytes *converted;

  if (program == NULL) {
    *why_r = g_strdup (why_not_installed);
    return NULL;
  }
  if (c == NULL || !g_str_equal (c->target, target)) {
    *why_r = g_strdup_printf ("no conversion from .%s to .%s", source_ext, target);
    return NULL;
  }
  dir = g_dir_make_tmp ("mugai-office-XXXXXX", NULL);
  if (dir == NULL) {
    *why_r = g_strdup ("no temporary directory for LibreOffice");
    return NULL;
  }
  converted = convert_in (dir, program, input, c, config, why_r);
  mg_tree_remove (dir);
  return converted;
}

static MgReason
reason_for (const char *why)
{
  if (g_strcmp0 (why, why_not_installed) == 0)
    return MG_REASON_NO_CONVERTER;
  return g_str_has_prefix (why != NULL ? why : "", why_timeout) ? MG_REASON_LIMIT
                                                               : MG_REASON_CONVERT_FAILED;
}

GBytes *
mg_office_legacy_convert_bytes (GBytes *input, const MgFilterInput *in, const char *source_ext,
                                const char *target, char **why_r)
{
  if (in->convert != NULL)
    return in->convert (in->convert_ctx, input, source_ext, target, why_r);
  if (inside_seccomp ()) {
    *why_r = g_strdup ("LibreOffice cannot be started inside the worker sandbox");
    return NULL;
  }
  return mg_office_legacy_run (in->config, input, source_ext, target, why_r);
}

/* The OOXML bytes LibreOffice made of INPUT, or NULL with RESULT filled. In
 * a sandboxed worker the pipeline's converter (the supervisor) runs it. */
static GBytes *
convert (GBytes *input, const MgFilterInput *in, const Conversion *c, MgFilterResult *result)
{
  g_autofree char *why = NULL;
  GBytes *converted = mg_office_legacy_convert_bytes (input, in, c->ext, c->target, &why);

  if (converted == NULL)
    remove_part (result, MG_ACTION_REMOVED, reason_for (why),
                 g_strdup (why != NULL ? why : "LibreOffice failed"));
  return converted;
}

void
mg_office_legacy_convert (GBytes *input, const MgFilterInput *in, const char *source_ext,
                          MgFilterResult *result)
{
  const Conversion *c = conversion_for_ext (source_ext);
  g_autoptr (GBytes) converted = NULL;

  g_return_if_fail (c != NULL);
  converted = convert (input, in, c, result);
  if (converted == NULL)
    return;
  mg_ooxml_rebuild (converted, in, FALSE, result);
  if (result->action != MG_ACTION_CONVERTED)
    return;
  if (result->reason != MG_REASON_MACROS_REMOVED)
    result->reason = MG_REASON_OFFICE_CONVERTED;
  g_autofree char *detail = result->detail;
  result->detail = g_strdup_printf ("converted from .%s by LibreOffice%s%s", c->ext,
                                    detail != NULL ? "; " : "", detail != NULL ? detail : "");
}

/* --- the filter -------------------------------------------------------- */

static gboolean
legacy_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                 GError **error)
{
  const char *type = in->detected_type;
  const Conversion *c = conversion_for_type (type);
  (void) error;

  if (type_in (type, ichitaro_types) || name_is_ichitaro (in->filename)) {
    remove_part (result, MG_ACTION_REMOVED, MG_REASON_NO_CONVERTER,
                 g_strdup ("Ichitaro documents cannot be converted: no open converter "
                           "exists (ask the sender for PDF or .docx)"));
    return TRUE;
  }
  if (g_ascii_strcasecmp (type, "application/encrypted") == 0
      || mg_office_cfb_encrypted (input)) {
    remove_part (result, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
                 g_strdup ("the Office document is encrypted with a password"));
    return TRUE;
  }
  if (c == NULL && type_in (type, compound_types))
    c = cfb_conversion (input);
  if (c == NULL) {
    remove_part (result, MG_ACTION_REMOVED, MG_REASON_TYPE_NOT_ALLOWED,
                 g_strdup ("an OLE compound file that is not a Word, Excel or PowerPoint "
                           "document"));
    return TRUE;
  }
  mg_office_legacy_convert (input, in, c->ext, result);
  return TRUE;
}

static const char *const legacy_types[] = {
  "application/msword", "application/vnd.ms-word", "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint", "text/rtf", "application/rtf",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.text-template",
  "application/vnd.oasis.opendocument.text-master",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.spreadsheet-template",
  "application/vnd.oasis.opendocument.presentation",
  "application/vnd.oasis.opendocument.presentation-template",
  "application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office",
  "application/encrypted", "application/x-ichitaro4", "application/x-ichitaro5",
  "application/x-ichitaro6", NULL,
};

const MgFilter mg_filter_office_legacy = {
  .name = "office_legacy",
  .types = legacy_types,
  .sanitise = legacy_sanitise, /* LibreOffice is found at each use: it may come and go */
};
