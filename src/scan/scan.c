/* scan.c - libclamav behind four functions. */
#include "scan/scan.h"

#include <clamav.h>
#include <gio/gio.h>
#include <string.h>

struct MgScanEngine {
  struct cl_engine *engine;
  guint signatures;
  char *version; /* mg_scan_database_describe of what was loaded */
};

/* libclamav's own messages repeat what our errors say ("LibClamAV Error:
 * cl_load(): ..."): kept for debugging only. */
static void
clamav_message (enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
  (void) severity;
  (void) fullmsg;
  (void) context;
  g_debug ("libclamav: %s", msg);
}

static gboolean
clamav_init_once (GError **error)
{
  static gsize done;
  static cl_error_t status;

  if (g_once_init_enter (&done)) {
    cl_set_clcb_msg (clamav_message);
    status = cl_init (CL_INIT_DEFAULT);
    g_once_init_leave (&done, 1);
  }
  if (status != CL_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libclamav: %s", cl_strerror (status));
    return FALSE;
  }
  return TRUE;
}

static void
set_limits (struct cl_engine *engine, gint64 max_size, gint64 max_seconds)
{
  long long size = (long long) max_size;

  /* checked inside ClamAV's loops (its zip reader's central directory too) */
  cl_engine_set_num (engine, CL_ENGINE_MAX_SCANTIME,
                     (long long) MIN (max_seconds, G_MAXUINT32 / 1000) * 1000);
  cl_engine_set_num (engine, CL_ENGINE_MAX_SCANSIZE, size * 4);
  cl_engine_set_num (engine, CL_ENGINE_MAX_FILESIZE, size);
  cl_engine_set_num (engine, CL_ENGINE_MAX_RECURSION, 32);
  cl_engine_set_num (engine, CL_ENGINE_MAX_FILES, 100000);
}

/* Types a message scan passes on as they are (text, HTML, mail) parse
 * the same in a leaf scan; any other file it meets (an archive, a document,
 * an image, an executable, unknown bytes) a leaf scan would open further. */
static gboolean
parsed_alike (const char *type)
{
  return type == NULL || g_str_has_prefix (type, "CL_TYPE_TEXT_") ||
         g_str_has_prefix (type, "CL_TYPE_HTML") || g_str_equal (type, "CL_TYPE_MAIL");
}

/* clcb_file_inspection: in a message scan (CONTEXT is its table), each file
 * met whose parsing was left off is noted by its digest and size. */
static cl_error_t
note_unparsed (int fd, const char *type, const char **ancestors, size_t parent_size,
               const char *name, size_t size, const char *buffer, uint32_t level,
               uint32_t attributes, void *context)
{
  GHashTable *unparsed = context;

  (void) fd, (void) ancestors, (void) parent_size, (void) name, (void) level,
      (void) attributes;
  if (unparsed == NULL || parsed_alike (type))
    return CL_CLEAN;
  /* without its bytes it cannot be matched with a leaf: never equal to one */
  g_hash_table_insert (
      unparsed,
      buffer != NULL
          ? g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) buffer, size)
          : g_strdup_printf ("unread %u", g_hash_table_size (unparsed)),
      GSIZE_TO_POINTER (size));
  return CL_CLEAN;
}

MgScanEngine *
mg_scan_engine_load (const char *dir, gint64 max_size, gint64 max_seconds, GError **error)
{
  g_autoptr (MgScanEngine) scan = g_new0 (MgScanEngine, 1);
  cl_error_t rc;

  if (!clamav_init_once (error))
    return NULL;
  scan->engine = cl_engine_new ();
  if (scan->engine == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libclamav: cannot create engine");
    return NULL;
  }
  scan->version = mg_scan_database_describe (dir);
  rc = cl_load (dir, scan->engine, &scan->signatures, CL_DB_STDOPT);
  if (rc != CL_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "virus database %s: %s", dir,
                 cl_strerror (rc));
    return NULL;
  }
  if (scan->signatures == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "virus database %s: no signatures",
                 dir);
    return NULL;
  }
  set_limits (scan->engine, max_size, max_seconds);
  cl_engine_set_clcb_file_inspection (scan->engine, note_unparsed);
  rc = cl_engine_compile (scan->engine);
  if (rc != CL_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "virus database %s: %s", dir,
                 cl_strerror (rc));
    return NULL;
  }
  return g_steal_pointer (&scan);
}

guint
mg_scan_engine_signatures (const MgScanEngine *engine)
{
  return engine->signatures;
}

const char *
mg_scan_engine_version (const MgScanEngine *engine)
{
  return engine->version;
}

/* An official database (.cvd/.cld/.cud): "daily 27845" from its header. */
static char *
describe_official (const char *path, const char *name)
{
  struct cl_cvd *head = cl_cvdhead (path);
  g_autofree char *base = g_strndup (name, strrchr (name, '.') - name);
  char *text;

  if (head == NULL)
    return g_strdup_printf ("%s (unreadable header)", base);
  text = g_strdup_printf ("%s %u", base, head->version);
  cl_cvdfree (head);
  return text;
}

static gboolean
is_official (const char *name)
{
  return g_str_has_suffix (name, ".cvd") || g_str_has_suffix (name, ".cld") ||
         g_str_has_suffix (name, ".cud");
}

/* Any other file libclamav counts signatures in: add its count, and its name
 * and bytes to the digest that tells one custom database from another. */
static void
add_custom (const char *path, const char *name, guint *count, GChecksum *digest)
{
  g_autofree char *data = NULL;
  unsigned int sigs = 0;
  gsize len;

  if (cl_countsigs (path, CL_COUNTSIGS_ALL, &sigs) != CL_SUCCESS ||
      !g_file_get_contents (path, &data, &len, NULL))
    return;
  *count += sigs;
  g_checksum_update (digest, (const guchar *) name, (gssize) strlen (name) + 1);
  g_checksum_update (digest, (const guchar *) data, (gssize) len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_names (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

char *
mg_scan_database_describe (const char *dir)
{
  g_autoptr (GPtrArray) names = sorted_names (dir);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GChecksum) digest = g_checksum_new (G_CHECKSUM_SHA256);
  guint custom = 0, custom_files = 0;

  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    guint before = custom;
    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
      continue;
    if (is_official (name)) {
      g_ptr_array_add (parts, describe_official (path, name));
      continue;
    }
    add_custom (path, name, &custom, digest);
    custom_files += custom > before;
  }
  if (custom_files > 0)
    g_ptr_array_add (parts, g_strdup_printf ("custom %u signatures (sha256 %.12s)", custom,
                                             g_checksum_get_string (digest)));
  if (parts->len == 0)
    return g_strdup ("no signature files");
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

void
mg_scan_engine_free (MgScanEngine *engine)
{
  if (engine == NULL)
    return;
  g_free (engine->version);
  if (engine->engine != NULL)
    cl_engine_free (engine->engine);
  g_free (engine);
}

/* PARSE: the formats ClamAV opens; CONTEXT: a message scan's table. */
static MgScanStatus
scan_map (MgScanEngine *engine, const void *data, gsize len, guint parse, guint general,
          GHashTable *unparsed, char **name_r)
{
  struct cl_scan_options options = { 0 };
  const char *virname = NULL;
  unsigned long scanned = 0;
  cl_fmap_t *map;
  cl_error_t rc;

  if (len == 0)
    return MG_SCAN_CLEAN;
  options.parse = parse;
  options.general = CL_SCAN_GENERAL_HEURISTICS | general;
  options.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
  map = cl_fmap_open_memory (data, len);
  if (map == NULL)
    return MG_SCAN_ERROR;
  rc = cl_scanmap_callback (map, NULL, &virname, &scanned, engine->engine, &options, unparsed);
  cl_fmap_close (map);
  if (rc == CL_CLEAN)
    return MG_SCAN_CLEAN;
  if (rc != CL_VIRUS)
    return MG_SCAN_ERROR;
  /* libclamav 1.x names a buffer over MaxFileSize only to a virus-found
   * callback: without one it answers CL_VIRUS with no name. */
  if (virname == NULL || g_str_has_prefix (virname, "Heuristics.Limits.Exceeded"))
    return MG_SCAN_INCOMPLETE;
  *name_r = g_strdup (virname);
  return MG_SCAN_VIRUS;
}

MgScanStatus
mg_scan_buffer (MgScanEngine *engine, const void *data, gsize len, char **name_r)
{
  return scan_map (engine, data, len, ~0u, 0, NULL, name_r);
}

/* Mail and HTML are parsed; archives, documents, images and executables are
 * scanned as the bytes they are. COLLECT_METADATA keeps this scan out of
 * libclamav's cache of clean files: an archive it did not open must not be
 * found "clean" there by the leaf scan that opens it (the cache does not
 * record the options a file was scanned with). */
MgScanStatus
mg_scan_message (MgScanEngine *engine, const void *data, gsize len, GHashTable *unparsed,
                 char **name_r)
{
  return scan_map (engine, data, len, CL_SCAN_PARSE_MAIL | CL_SCAN_PARSE_HTML,
                   CL_SCAN_GENERAL_COLLECT_METADATA, unparsed, name_r);
}
