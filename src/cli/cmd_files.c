/* cmd_files.c - `mugai files`: sanitise files and folders into OUTDIR.
 *
 * Each SRC is laid out under OUTDIR as `cp -r SRC... OUTDIR` would (a file as
 * OUTDIR/name, a folder as OUTDIR/folder/...). Every regular file goes through
 * mg_pipeline_file; what passes is written aside and renamed, so an output
 * file appears whole or not at all. Folders are walked with openat and
 * O_NOFOLLOW from the descriptor of their parent: a symbolic link is never
 * followed (reported as removed), and names are cleaned so that nothing is
 * written outside OUTDIR; a SRC with ".." in it is refused.
 *
 * Exit 0 when every file was kept or converted, 3 when one was removed or
 * withheld, 64 usage, 75 temporary failure (I/O), 78 configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "common/msg.h"
#include "mime/charset.h"
#include "pipeline/file.h"
#include "worker/remote.h"
#include "quarantine/quarantine_store.h"
#include "util/fdio.h"
#include "util/safepath.h"

#define MG_FILES_MAX_DEPTH 128

typedef struct {
  char *config;
  char *report;
  char *outdir;
  char **sources;
} MgFilesArgs;

typedef struct {
  MgPipeline *pipeline;
  const MgConfig *config;
  const char *outdir;
  GString *report;
  GHashTable *outputs; /* case-folded output paths written in this run */
  GPtrArray *refused;  /* "source: reason" lines for the summary */
  guint counts[4];     /* files by MgAction */
  guint done, total;
  guint64 bytes;
  mode_t file_mode;
  gboolean progress; /* stderr is a terminal */
  gboolean tempfail;
  char *operator_name; /* the Unix user (getuid), for the audit log */
} MgFilesRun;

/* Where one file or folder is read from and written to. */
typedef struct {
  int dir_fd;       /* the folder holding it */
  const char *name; /* its name in that folder, as on disk */
  char *source;     /* the path shown in the report (UTF-8) */
  char *out_rel;    /* its path under OUTDIR, cleaned (UTF-8) */
} MgFilesItem;

static void walk_dir (MgFilesRun *run, const MgFilesItem *item, guint depth);

/* --- arguments ----------------------------------------------------------- */

static gboolean
parse_args (int argc, char **argv, MgFilesArgs *args, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &args->config, "configuration file", "FILE" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &args->report,
      "write one JSON line per file (- for stdout)", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args->outdir, "output folder", "OUTDIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args->sources, NULL, "SRC..." },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- sanitise files into OUTDIR");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (args->outdir == NULL || args->sources == NULL || args->sources[0] == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "need -o OUTDIR and SRC...");
    return FALSE;
  }
  return TRUE;
}

/* OUTDIR inside a folder SRC would be read back while it is written. */
static gboolean
outdir_inside (const char *outdir, const char *source)
{
  g_autofree char *out = realpath (outdir, NULL);
  g_autofree char *src = realpath (source, NULL);
  g_autofree char *prefix = NULL;

  if (out == NULL || src == NULL)
    return FALSE;
  prefix = g_str_has_suffix (src, "/") ? g_strdup (src) : g_strconcat (src, "/", NULL);
  return g_str_equal (out, src) || g_str_has_prefix (out, prefix);
}

/* OUTDIR is a folder or a new name, the report path can take a file, every
 * SRC exists (as a name: a dangling link is reported, not an error). */
static gboolean
check_sources (const MgFilesArgs *args, GError **error)
{
  struct stat st;

  if (stat (args->outdir, &st) == 0 && !S_ISDIR (st.st_mode)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, mg_cli_text ("%s: not a folder"),
                 args->outdir);
    return FALSE;
  }
  if (args->report != NULL && !g_str_equal (args->report, "-") &&
      !mg_fdio_output_usable (args->report, error))
    return FALSE;
  for (char **s = args->sources; *s != NULL; s++) {
    if (lstat (*s, &st) != 0) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", *s,
                   g_strerror (errno));
      return FALSE;
    }
    if (S_ISDIR (st.st_mode) && outdir_inside (args->outdir, *s)) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   mg_cli_text ("%s: OUTDIR is inside it"), *s);
      return FALSE;
    }
  }
  return TRUE;
}

/* --- names --------------------------------------------------------------- */

/* A name from the disk in UTF-8: as it is when valid, else read as CP932
 * (names written by Japanese Windows through old file servers). */
static char *
disk_name_utf8 (const char *name)
{
  if (g_utf8_validate (name, -1, NULL))
    return g_strdup (name);
  return mg_charset_decode (name, strlen (name), "cp932", NULL);
}

static char *
join (const char *dir, const char *name)
{
  return *dir != '\0' ? g_strconcat (dir, "/", name, NULL) : g_strdup (name);
}

/* PATH, or PATH renamed "a-2.txt" when an earlier file of this run took it. */
static char *
unique_output (MgFilesRun *run, const char *path)
{
  const char *base = mg_safepath_basename (path);
  const char *dot = strrchr (base, '.');
  int stem = (int) (dot != NULL && dot != base ? dot - path : (gssize) strlen (path));
  char *name = g_strdup (path);
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint n = 2; g_hash_table_contains (run->outputs, folded); n++) {
    g_free (name);
    g_free (folded);
    name = g_strdup_printf ("%.*s-%u%s", stem, path, n, path + stem);
    folded = g_utf8_casefold (name, -1);
  }
  g_hash_table_add (run->outputs, g_steal_pointer (&folded));
  return name;
}

/* --- progress and the report --------------------------------------------- */

static void
show_progress (MgFilesRun *run, const char *current)
{
  g_autofree char *size = NULL;
  g_autofree char *total = NULL;

  if (!run->progress)
    return;
  size = g_format_size (run->bytes);
  total = run->total > 0 ? g_strdup_printf ("/%u", run->total) : g_strdup ("");
  fprintf (stderr, "\r\033[K[%u%s] %s  %.60s", run->done, total, size,
           current != NULL ? current : "");
  fflush (stderr);
}

/* The file's audit line, and its original kept when removed or withheld
 * (quarantine_store.h); a failure is a temporary failure of the run. */
static void
trail (MgFilesRun *run, const MgFileResult *result, const char *line, GBytes *input)
{
  g_autoptr (GError) error = NULL;
  gboolean held = result->action == MG_ACTION_REMOVED || result->action == MG_ACTION_WITHHELD;

  if (result->id != NULL &&
      mg_quarantine_store_put_file (run->config, result->id, input, result->output, line, held,
                                    run->operator_name, &error))
    return;
  fprintf (stderr, "\nmugai files: audit log: %s\n",
           error != NULL ? error->message : "the file has no report id");
  run->tempfail = TRUE;
}

/* An error on PATH, on its own line after the progress line, in the
 * language of the locale (see cli_text.h). */
static void
warn_file (const char *path, const char *message)
{
  g_autofree char *text = mg_cli_text_message (message);

  fprintf (stderr, "\nmugai files: %s: %s\n", path, text);
}

/* "SOURCE: reason — detail" for the summary, in the notice language; the
 * detail (English in the report) with the phrases the catalogue knows
 * translated. */
static char *
refused_line (const MgFilesRun *run, const MgFileResult *result, const char *source)
{
  MgLang l = mg_msg_lang (run->config->notice_language);
  g_autofree char *detail = result->detail != NULL
                                ? mg_msg_replace (result->detail, MG_MSG_CLI_PHRASE_FIRST,
                                                  MG_MSG_CLI_END, l)
                                : NULL;

  return g_strdup_printf ("%s: %s%s%s", source, mg_reason_text (result->reason, l),
                          detail != NULL ? " — " : "", detail != NULL ? detail : "");
}

static void
record (MgFilesRun *run, const MgFileResult *result, const char *source, const char *output,
        GBytes *input)
{
  g_autofree char *line = mg_file_result_json (result, source, output);

  g_string_append_printf (run->report, "%s\n", line);
  trail (run, result, line, input);
  run->counts[result->action]++;
  run->done++;
  if (result->action == MG_ACTION_REMOVED || result->action == MG_ACTION_WITHHELD)
    g_ptr_array_add (run->refused, refused_line (run, result, source));
  show_progress (run, source);
}

static void
refuse (MgFilesRun *run, const MgFilesItem *item, MgReason reason, const char *detail)
{
  g_autoptr (MgFileResult)
      result = mg_file_result_refused (run->pipeline, item->out_rel, reason, detail);
  record (run, result, item->source, NULL, NULL);
}

/* --- files --------------------------------------------------------------- */

/* Write what passed under OUTDIR; the report names the written path. */
static char *
write_output (MgFilesRun *run, const MgFilesItem *item, const MgFileResult *result)
{
  g_autofree char *dir = g_path_get_dirname (item->out_rel);
  g_autofree char *rel = join (g_str_equal (dir, ".") ? "" : dir, result->output_filename);
  g_autofree char *unique = unique_output (run, rel);
  char *path = g_build_filename (run->outdir, unique, NULL);
  g_autoptr (GError) error = NULL;
  gsize len;
  const void *data = g_bytes_get_data (result->output, &len);

  if (!mg_fdio_write_file_atomic (path, data, len, &error) ||
      chmod (path, run->file_mode) != 0) {
    warn_file (path, error != NULL ? error->message : g_strerror (errno));
    run->tempfail = TRUE;
    g_free (path);
    return NULL;
  }
  return path;
}

/* The bytes of the regular file ITEM, opened without following a link;
 * NULL with *REASON_R set when it must not or cannot be read. */
static GBytes *
read_file (MgFilesRun *run, const MgFilesItem *item, MgReason *reason_r, char **why_r)
{
  int fd = openat (item->dir_fd, item->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  gsize max = (gsize) run->config->limits.message_size;
  gboolean truncated = FALSE;
  g_autoptr (GError) error = NULL;
  struct stat st;
  GBytes *data = NULL;

  *reason_r = MG_REASON_CONVERT_FAILED;
  if (fd < 0 || fstat (fd, &st) != 0) {
    *reason_r = errno == ELOOP ? MG_REASON_NOT_REGULAR : MG_REASON_CONVERT_FAILED;
    *why_r = g_strdup_printf ("cannot be opened: %s", g_strerror (errno));
    run->tempfail = run->tempfail || errno != ELOOP;
  } else if (!S_ISREG (st.st_mode)) {
    *reason_r = MG_REASON_NOT_REGULAR;
    *why_r = g_strdup ("not a regular file");
  } else if ((gsize) st.st_size > max) {
    truncated = TRUE; /* not read: the answer is known */
  } else if ((data = mg_fdio_read_prefix (fd, max, &truncated, &error)) == NULL) {
    *why_r = g_strdup_printf ("cannot be read: %s", error->message);
    run->tempfail = TRUE;
  }
  if (truncated) {
    g_clear_pointer (&data, g_bytes_unref);
    *reason_r = MG_REASON_LIMIT;
    *why_r = g_strdup_printf ("larger than [limits] message_size (%" G_GINT64_FORMAT " bytes)",
                              run->config->limits.message_size);
  }
  mg_clear_fd (&fd);
  return data;
}

static void
sanitise_file (MgFilesRun *run, const MgFilesItem *item)
{
  MgReason reason;
  g_autofree char *why = NULL;
  g_autoptr (GBytes) data = read_file (run, item, &reason, &why);
  g_autoptr (MgFileResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  show_progress (run, item->source);
  if (data == NULL) {
    refuse (run, item, reason, why);
    return;
  }
  run->bytes += g_bytes_get_size (data);
  if (!mg_pipeline_file (run->pipeline, data, item->out_rel, &result, &error)) {
    warn_file (item->source, error->message);
    run->tempfail = TRUE;
    return;
  }
  if (result->output != NULL)
    output = write_output (run, item, result);
  record (run, result, item->source, output, data);
}

/* --- folders ------------------------------------------------------------- */

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in folder FD, sorted (an output that does not depend on the
 * order the file system returns them in). */
static GPtrArray *
list_dir (int fd)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  int dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  DIR *dir = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  struct dirent *e;

  if (dir == NULL) {
    mg_clear_fd (&dup_fd);
    return names;
  }
  while ((e = readdir (dir)) != NULL)
    if (!g_str_equal (e->d_name, ".") && !g_str_equal (e->d_name, ".."))
      g_ptr_array_add (names, g_strdup (e->d_name));
  closedir (dir);
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* One directory entry: a file, a folder, or something never followed. */
static void
visit (MgFilesRun *run, const MgFilesItem *item, guint depth)
{
  struct stat st;

  if (fstatat (item->dir_fd, item->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    refuse (run, item, MG_REASON_CONVERT_FAILED, g_strerror (errno));
    run->tempfail = TRUE;
  } else if (S_ISLNK (st.st_mode)) {
    refuse (run, item, MG_REASON_NOT_REGULAR, "symbolic link, not followed");
  } else if (S_ISDIR (st.st_mode)) {
    walk_dir (run, item, depth + 1);
  } else if (S_ISREG (st.st_mode)) {
    sanitise_file (run, item);
  } else {
    refuse (run, item, MG_REASON_NOT_REGULAR, "device, pipe or socket");
  }
}

/* The name under OUTDIR of a file or folder named SHOWN: cleaned, and a
 * name of dots only ("...", which only Windows reads as a parent) made of
 * underscores, so that what it holds is not lost. */
static char *
child_out_name (const char *shown)
{
  char *clean = mg_safepath_component (shown, MG_SAFEPATH_COMPONENT_MAX);

  if (clean == NULL && shown[0] != '\0' && strspn (shown, ".") == strlen (shown) &&
      strlen (shown) > 2 && strlen (shown) <= MG_SAFEPATH_COMPONENT_MAX)
    clean = g_strdelimit (g_strdup (shown), ".", '_');
  return clean;
}

static void
visit_child (MgFilesRun *run, const MgFilesItem *parent, int fd, const char *name, guint depth)
{
  g_autofree char *shown = disk_name_utf8 (name);
  g_autofree char *clean = child_out_name (shown);
  MgFilesItem child = { fd, name, join (parent->source, shown), NULL };

  child.out_rel = join (parent->out_rel, clean != NULL ? clean : shown);
  if (clean == NULL)
    refuse (run, &child, MG_REASON_UNSAFE_NAME, "the name is empty once cleaned (\"..\")");
  else
    visit (run, &child, depth);
  g_free (child.source);
  g_free (child.out_rel);
}

static gboolean
make_out_dir (MgFilesRun *run, const char *rel)
{
  g_autofree char *path = g_build_filename (run->outdir, rel, NULL);

  if (g_mkdir_with_parents (path, 0755) == 0)
    return TRUE;
  warn_file (path, g_strerror (errno));
  run->tempfail = TRUE;
  return FALSE;
}

static void
walk_dir (MgFilesRun *run, const MgFilesItem *item, guint depth)
{
  int fd;
  g_autoptr (GPtrArray) names = NULL;

  if (depth > MG_FILES_MAX_DEPTH) {
    refuse (run, item, MG_REASON_LIMIT, "folders nested too deep");
    return;
  }
  fd = openat (item->dir_fd, item->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    refuse (run, item, MG_REASON_CONVERT_FAILED, g_strerror (errno));
    run->tempfail = TRUE;
    return;
  }
  if (make_out_dir (run, item->out_rel)) {
    names = list_dir (fd);
    for (guint i = 0; i < names->len; i++)
      visit_child (run, item, fd, g_ptr_array_index (names, i), depth);
  }
  mg_clear_fd (&fd);
}

/* --- sources ------------------------------------------------------------- */

static gboolean
has_dotdot (const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);

  for (char **p = parts; *p != NULL; p++)
    if (g_str_equal (*p, ".."))
      return TRUE;
  return FALSE;
}

/* PATH without trailing slashes ("/" stays "/"). */
static char *
trim_slashes (const char *path)
{
  size_t len = strlen (path);

  while (len > 1 && path[len - 1] == '/')
    len--;
  return g_strndup (path, len);
}

/* One SRC: its last name is its name under OUTDIR ("." and "/" put what
 * they hold straight into OUTDIR). */
static void
sanitise_source (MgFilesRun *run, const char *source_arg)
{
  /* "dir/" names dir, as for cp -r; g_path_get_dirname would give "dir". */
  g_autofree char *source = trim_slashes (source_arg);
  g_autofree char *shown = disk_name_utf8 (source);
  g_autofree char *base = g_path_get_basename (source);
  g_autofree char *parent = g_path_get_dirname (source);
  gboolean contents = g_str_equal (base, ".") || g_str_equal (base, "/");
  g_autofree char *clean = contents ? g_strdup ("") : disk_name_utf8 (base);
  g_autofree char *out_rel = contents
                                 ? g_strdup ("")
                                 : mg_safepath_component (clean, MG_SAFEPATH_COMPONENT_MAX);
  int dir_fd = open (contents ? source : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  MgFilesItem item = { dir_fd, contents ? "." : base, shown, out_rel ? out_rel : clean };

  if (has_dotdot (source) || out_rel == NULL)
    refuse (run, &item, MG_REASON_UNSAFE_NAME, "a source path with \"..\" is never followed");
  else if (dir_fd < 0)
    refuse (run, &item, MG_REASON_CONVERT_FAILED, g_strerror (errno));
  else
    visit (run, &item, 0);
  mg_clear_fd (&dir_fd);
}

/* How many report lines the sources will give (everything but folders), for
 * the progress line only. */
static guint
count_files (const char *path, guint depth)
{
  struct stat st;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint n = 0;

  if (lstat (path, &st) != 0 || depth > MG_FILES_MAX_DEPTH)
    return 0;
  if (!S_ISDIR (st.st_mode))
    return 1;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    n += count_files (child, depth + 1);
  }
  return n;
}

/* --- the summary --------------------------------------------------------- */

static void
print_summary (const MgFilesRun *run, FILE *out)
{
  static const MgMsgId words[] = { MG_MSG_CLI_FILES_KEPT, MG_MSG_CLI_FILES_CONVERTED,
                                   MG_MSG_CLI_FILES_REMOVED, MG_MSG_CLI_FILES_WITHHELD };
  MgLang l = mg_msg_lang (run->config->notice_language);
  guint total = run->counts[0] + run->counts[1] + run->counts[2] + run->counts[3];

  fprintf (out, mg_msg (MG_MSG_CLI_FILES_SUMMARY, l), total, run->outdir);
  for (guint a = 0; a < 4; a++)
    fprintf (out, mg_msg (MG_MSG_CLI_FILES_COUNT, l), mg_msg (words[a], l), run->counts[a]);
  if (run->refused->len > 0)
    fprintf (out, "%s\n", mg_msg (MG_MSG_CLI_FILES_REFUSED, l));
  for (guint i = 0; i < run->refused->len; i++)
    fprintf (out, "  %s\n", (char *) g_ptr_array_index (run->refused, i));
  if (run->tempfail)
    fprintf (out, "%s\n", mg_msg (MG_MSG_CLI_FILES_TEMPFAIL, l));
}

static gboolean
write_report (const char *path, const GString *report, GError **error)
{
  if (g_str_equal (path, "-"))
    return mg_fdio_write_all (1, report->str, report->len, error);
  return mg_fdio_write_file_atomic (path, report->str, report->len, error);
}

/* --- the command --------------------------------------------------------- */

static void
run_sources (MgFilesRun *run, char **sources)
{
  mode_t mask = umask (0);

  umask (mask);
  run->file_mode = 0666 & ~mask;
  run->progress = isatty (2);
  for (char **s = sources; run->progress && *s != NULL; s++)
    run->total += count_files (*s, 0);
  for (char **s = sources; *s != NULL; s++)
    sanitise_source (run, *s);
  if (run->progress)
    fprintf (stderr, "\r\033[K");
}

static int
run (const MgFilesArgs *args, const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgPipeline) pipeline = NULL;
  MgFilesRun r = { NULL, config, args->outdir };
  int status;

  ((MgConfig *) config)->sandbox.workers = 1;
  pipeline = mg_remote_pipeline_new (config, &error);
  r.pipeline = pipeline;
  if (pipeline == NULL) {
    mg_cli_error ("mugai", "configuration error: %s", error->message);
    return MG_EXIT_CONFIG;
  }
  if (g_mkdir_with_parents (args->outdir, 0755) != 0) {
    mg_cli_error ("mugai files", "%s: %s", args->outdir, g_strerror (errno));
    return MG_EXIT_TEMPFAIL;
  }
  r.report = g_string_new (NULL);
  r.operator_name = mg_cli_unix_login ();
  r.outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.refused = g_ptr_array_new_with_free_func (g_free);
  run_sources (&r, args->sources);
  if (args->report != NULL && !write_report (args->report, r.report, &error)) {
    mg_cli_error ("mugai files", "report: %s", error->message);
    r.tempfail = TRUE;
  }
  print_summary (&r,
                 args->report != NULL && g_str_equal (args->report, "-") ? stderr : stdout);
  status = r.tempfail                                                       ? MG_EXIT_TEMPFAIL
           : r.counts[MG_ACTION_REMOVED] + r.counts[MG_ACTION_WITHHELD] > 0 ? MG_EXIT_WITHHELD
                                                                            : MG_EXIT_OK;
  g_string_free (r.report, TRUE);
  g_free (r.operator_name);
  g_hash_table_unref (r.outputs);
  g_ptr_array_unref (r.refused);
  return status;
}

int
mg_cmd_files (int argc, char **argv)
{
  MgFilesArgs args = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  int status;

  if (!parse_args (argc, argv, &args, &error) || !check_sources (&args, &error)) {
    mg_cli_error ("mugai files", "%s", error->message);
    status = MG_EXIT_USAGE;
  } else if ((config = mg_cli_load_config (args.config)) == NULL) {
    status = MG_EXIT_CONFIG;
  } else {
    status = run (&args, config);
  }
  g_free (args.config);
  g_free (args.report);
  g_free (args.outdir);
  g_strfreev (args.sources);
  return status;
}
