/* quarantine_audit_check.c - read the audit files back and follow the chain.
 *
 * Must never change a file, and must name the first line where the chain
 * breaks rather than stop at the first file.
 */
#include "quarantine/quarantine_audit_check.h"
#include "util/jsonget.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "quarantine/quarantine_audit.h"

typedef struct {
  char *name;
  char *first_time; /* of the first line, to order the files */
  char *first_prev; /* "prev" of the first line, NULL before the chain */
  char *last_hash;  /* SHA-256 of the last line */
  guint lines;
  gboolean chained; /* some line carries "prev" */
} MgAuditFile;

static void
audit_file_free (MgAuditFile *f)
{
  g_free (f->name);
  g_free (f->first_time);
  g_free (f->first_prev);
  g_free (f->last_hash);
  g_free (f);
}

void
mg_quarantine_audit_check_clear (MgQuarantineAuditCheck *check)
{
  g_clear_pointer (&check->problems, g_ptr_array_unref);
  g_clear_pointer (&check->skipped, g_ptr_array_unref);
}

static char *
member (JsonObject *object, const char *name)
{
  return g_strdup (mg_jsonget_string (object, name));
}

/* What is wrong with line N (TEXT) given the hash of the line before (NULL
 * for the first line of a file), or NULL. *PREV_R and *TIME_R get its fields. */
static char *
line_problem (const char *text, const char *before, gboolean chained, char **prev_r,
              char **time_r)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object = NULL;

  if (json_parser_load_from_data (parser, text, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);
  if (object == NULL)
    return g_strdup ("not a JSON object (edited or cut)");
  *prev_r = member (object, "prev");
  *time_r = member (object, "time");
  if (*prev_r == NULL)
    return chained ? g_strdup ("no \"prev\" after chained lines (inserted or edited)") : NULL;
  if (*time_r == NULL || !json_object_has_member (object, "action") ||
      !json_object_has_member (object, "actor"))
    return g_strdup ("lacks time, action or actor (edited)");
  if (before != NULL && strcmp (*prev_r, before) != 0)
    return g_strdup ("\"prev\" is not the SHA-256 of the line before: that line was edited,"
                     " or lines between them were removed");
  return NULL;
}

static void
problem (MgQuarantineAuditCheck *check, const char *file, guint line, const char *what)
{
  g_ptr_array_add (check->problems, g_strdup_printf ("%s:%u: %s", file, line, what));
}

/* Follow the chain inside one file; the first problem is recorded. */
static MgAuditFile *
read_file (const char *dir, const char *name, MgQuarantineAuditCheck *check)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  MgAuditFile *f = g_new0 (MgAuditFile, 1);
  gboolean broken = FALSE;

  f->name = g_strdup (name);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return f;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && (lines[i][0] != '\0' || lines[i + 1] != NULL); i++) {
    g_autofree char *prev = NULL, *time = NULL, *why = NULL;
    why = line_problem (lines[i], f->last_hash, f->chained, &prev, &time);
    if (lines[i + 1] == NULL && why == NULL)
      why = g_strdup ("the last line has no newline (cut)");
    if (why != NULL && !broken)
      problem (check, name, i + 1, why);
    broken = broken || why != NULL;
    if (i == 0) {
      f->first_time = g_strdup (time);
      f->first_prev = g_strdup (prev);
    }
    f->chained = f->chained || prev != NULL;
    g_free (f->last_hash);
    f->last_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, lines[i], -1);
    f->lines++;
  }
  return f;
}

static gboolean
is_audit_file (const char *name)
{
  return g_str_equal (name, "audit.log") || g_str_has_prefix (name, "audit.log.") ||
         g_str_has_prefix (name, "audit.log-");
}

static gboolean
is_compressed (const char *name)
{
  return g_str_has_suffix (name, ".gz") || g_str_has_suffix (name, ".xz") ||
         g_str_has_suffix (name, ".bz2") || g_str_has_suffix (name, ".zst");
}

static gint
by_first_time (gconstpointer a, gconstpointer b)
{
  const MgAuditFile *fa = *(MgAuditFile *const *) a, *fb = *(MgAuditFile *const *) b;

  return g_strcmp0 (fa->first_time, fb->first_time);
}

static GPtrArray *
read_files (const char *dir, MgQuarantineAuditCheck *check)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) audit_file_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    MgAuditFile *f;
    if (!is_audit_file (name))
      continue;
    if (is_compressed (name)) {
      g_ptr_array_add (check->skipped, g_strdup (name));
      continue;
    }
    f = read_file (dir, name, check);
    check->files++;
    check->lines += f->lines;
    if (f->lines > 0)
      g_ptr_array_add (files, f);
    else
      audit_file_free (f);
  }
  g_ptr_array_sort (files, by_first_time);
  return files;
}

static void
check_state (const char *dir, const MgAuditFile *last, MgQuarantineAuditCheck *check)
{
  g_autofree char *path = g_build_filename (dir, "audit.chain", NULL);
  g_autofree char *state = NULL;

  if (!g_file_get_contents (path, &state, NULL, NULL)) {
    if (last->chained)
      problem (check, "audit.chain", 0, "missing: the end of the chain cannot be checked");
    return;
  }
  g_strstrip (state);
  if (last->chained && g_strcmp0 (state, last->last_hash) != 0)
    problem (check, last->name, last->lines,
             "the last line is not the last line written (audit.chain): it was edited,"
             " or lines after it were removed");
}

/* The oldest line there is must be the first ever written (prev: genesis)
 * unless older files were rotated away: with audit.log alone and nothing
 * compressed, a first line chained to an absent one means its head was cut. */
static void
check_head (const MgAuditFile *oldest, MgQuarantineAuditCheck *check)
{
  if (oldest->first_prev == NULL || g_str_equal (oldest->first_prev, MG_AUDIT_GENESIS) ||
      !g_str_equal (oldest->name, "audit.log") || check->skipped->len > 0)
    return;
  problem (check, oldest->name, 1,
           "chained to a line that is not there: lines were removed from the head of the"
           " log (no rotated file holds them)");
}

/* No audit line at all, but audit.chain names the last one written. */
static void
check_removed (const char *dir, MgQuarantineAuditCheck *check)
{
  g_autofree char *path = g_build_filename (dir, "audit.chain", NULL);
  g_autofree char *state = NULL;

  if (check->skipped->len > 0 || !g_file_get_contents (path, &state, NULL, NULL) ||
      strlen (g_strstrip (state)) != 64 || g_str_equal (state, MG_AUDIT_GENESIS))
    return;
  problem (check, "audit.log", 0,
           "missing or empty, but audit.chain names a last line written: the log was"
           " removed");
}

void
mg_quarantine_audit_check_run (const char *dir, MgQuarantineAuditCheck *check)
{
  g_autoptr (GPtrArray) files = NULL;

  check->problems = g_ptr_array_new_with_free_func (g_free);
  check->skipped = g_ptr_array_new_with_free_func (g_free);
  files = read_files (dir, check);
  for (guint i = 1; i < files->len; i++) {
    const MgAuditFile *f = g_ptr_array_index (files, i);
    const MgAuditFile *before = g_ptr_array_index (files, i - 1);
    if (f->first_prev != NULL && g_strcmp0 (f->first_prev, before->last_hash) != 0) {
      g_autofree char *why = g_strdup_printf ("not chained to the last line of %s: lines"
                                              " were removed at a rotation",
                                              before->name);
      problem (check, f->name, 1, why);
    }
  }
  if (files->len > 0) {
    check_head (g_ptr_array_index (files, 0), check);
    check_state (dir, g_ptr_array_index (files, files->len - 1), check);
  } else {
    check_removed (dir, check);
  }
}

void
mg_quarantine_audit_check_lines (const char *name, char **lines, MgQuarantineAuditCheck *check)
{
  g_autofree char *last_hash = g_strdup (MG_AUDIT_GENESIS);
  gboolean broken = FALSE;

  check->problems = g_ptr_array_new_with_free_func (g_free);
  check->skipped = g_ptr_array_new_with_free_func (g_free);
  check->files = 1;
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++) {
    g_autofree char *prev = NULL, *time = NULL;
    g_autofree char *why = line_problem (lines[i], last_hash, TRUE, &prev, &time);
    if (why != NULL && !broken)
      problem (check, name, i + 1, why);
    broken = broken || why != NULL;
    g_free (last_hash);
    last_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, lines[i], -1);
    check->lines++;
  }
}
