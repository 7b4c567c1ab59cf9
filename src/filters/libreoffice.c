/* libreoffice.c - LibreOffice as a converter (see libreoffice.h).
 *
 * Each conversion runs in a fresh directory under TMPDIR that is removed
 * whatever happens; the profile written there turns macros off and never
 * updates links. LibreOffice runs as its own process group with rlimits, a
 * cleared environment, stdin from /dev/null and, when mugai is root, as
 * MG_OFFICE_USER; past [office] libreoffice_timeout the group is killed
 * (office_run.h). In the supervisor's service child a document goes to a
 * LibreOffice kept running (office_warm.h) and, when that fails, once more
 * to one of its own. This module never runs LibreOffice on the caller's
 * files, never waits without a deadline, and never looks inside what
 * LibreOffice wrote.
 */
#include "filters/libreoffice.h"

#include <string.h>

#include "filters/office_batch.h"
#include "filters/office_run.h"
#include "filters/office_warm.h"
#include "util/tree.h"

/* The conversions asked for: what the input is (its usual extension) and
 * what LibreOffice writes. A request outside this table is refused. */
static const struct {
  const char *ext, *target;
} conversions[] = {
  { "doc", "docx" },
  { "xls", "xlsx" },
  { "ppt", "pptx" },
  { "rtf", "docx" },
  { "odt", "docx" },
  { "ott", "docx" },
  { "odm", "docx" },
  { "ods", "xlsx" },
  { "ots", "xlsx" },
  { "odp", "pptx" },
  { "otp", "pptx" },
  { "xlsb", "xlsx" },                   /* binary workbooks, handed over by the OOXML filter */
  { MG_OFFICE_BATCH_METAFILES, "png" }, /* EMF/WMF pictures (ooxml_metafile.c) */
};

static const char why_not_installed[] = "LibreOffice is not installed";

const char *
mg_libreoffice_target (const char *ext)
{
  for (gsize i = 0; ext != NULL && i < G_N_ELEMENTS (conversions); i++)
    if (g_str_equal (conversions[i].ext, ext))
      return conversions[i].target;
  return NULL;
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
  g_autoptr (GPtrArray)
      outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *outdir = g_build_filename (dir, "out", NULL);
  gint64 left = config->office.max_unpacked_size, deadline;
  MgOfficeLimits limits;
  gboolean written = TRUE;

  for (guint i = 0; written && i < inputs->len; i++) {
    g_autofree char *base = g_strdup_printf ("input%u.%s", i, exts[i]);
    gsize len;
    const char *data = g_bytes_get_data (g_ptr_array_index (inputs, i), &len);
    g_ptr_array_add (paths, g_build_filename (dir, base, NULL));
    written = g_file_set_contents (g_ptr_array_index (paths, i), data, len, NULL);
  }
  g_ptr_array_add (paths, NULL);
  mg_office_run_limits (config, 1, &limits);
  if (!written || !mg_office_run_write_profile (dir)) {
    *why_r = g_strdup ("the temporary directory for LibreOffice could not be written");
    return NULL;
  }
  if (!mg_office_run_hand_over (dir, (const char *const *) paths->pdata, &limits)) {
    *why_r = g_strdup ("LibreOffice never runs as root, and user " MG_OFFICE_USER
                       " is missing");
    return NULL;
  }
  deadline = g_get_monotonic_time () + config->office.libreoffice_timeout * G_USEC_PER_SEC;
  if (!mg_office_run_convert (program, dir, outdir, (const char *const *) paths->pdata, target,
                              &limits, deadline, why_r))
    return NULL;
  for (guint i = 0; i < inputs->len; i++) {
    g_autofree char *name = g_strdup_printf ("input%u.%s", i, target);
    g_autofree char *path = g_build_filename (dir, "out", name, NULL);
    g_autofree char *why = NULL;
    GBytes *out = left > 0 ? mg_office_run_read_output (path, left, &why) : NULL;
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
  g_autoptr (GPtrArray)
      outputs = convert_in (dir, program, inputs, exts, target, config, why_r, why_r);
  GBytes *out = outputs != NULL ? g_ptr_array_index (outputs, 0) : NULL;
  return out != NULL ? g_bytes_ref (out) : NULL;
}

/* The conversion in the warm LibreOffice: NULL with *WHY_R NULL when it
 * failed and the document is to be converted cold (said in the log). */
static GBytes *
run_warm (const MgConfig *config, const char *program, GBytes *input, const char *ext,
          const char *target, char **why_r)
{
  MgOfficeWarmStatus status;
  GBytes *converted = mg_office_warm_convert (config, program, input, ext, target, &status,
                                              why_r);

  if (converted == NULL && status == MG_OFFICE_WARM_FAILED) {
    g_warning ("office: the warm LibreOffice failed (%s); it is replaced, and this .%s "
               "is converted by a LibreOffice of its own",
               *why_r, ext);
    g_clear_pointer (why_r, g_free);
  }
  return converted;
}

GBytes *
mg_libreoffice_run (const MgConfig *config, GBytes *input, const char *source_ext,
                    const char *target, char **why_r)
{
  g_autofree char *program = mg_office_run_find (config);
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
  if (!g_str_equal (source_ext, MG_OFFICE_BATCH_METAFILES) && mg_office_warm_usable (config) &&
      ((converted = run_warm (config, program, input, source_ext, target, why_r)) != NULL ||
       *why_r != NULL))
    return converted;
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
  return g_str_has_prefix (why != NULL ? why : "", mg_office_why_timeout)
             ? MG_REASON_LIMIT
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
