/* scan.c - libclamav behind four functions. */
#include "scan/scan.h"

#include <clamav.h>
#include <gio/gio.h>

struct MgScanEngine {
  struct cl_engine *engine;
  guint signatures;
};

static gboolean
clamav_init_once (GError **error)
{
  static gsize done;
  static cl_error_t status;

  if (g_once_init_enter (&done)) {
    status = cl_init (CL_INIT_DEFAULT);
    g_once_init_leave (&done, 1);
  }
  if (status != CL_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libclamav: %s",
                 cl_strerror (status));
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
  rc = cl_load (dir, scan->engine, &scan->signatures, CL_DB_STDOPT);
  if (rc != CL_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "virus database %s: %s", dir,
                 cl_strerror (rc));
    return NULL;
  }
  if (scan->signatures == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "virus database %s: no signatures", dir);
    return NULL;
  }
  set_limits (scan->engine, max_size, max_seconds);
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

void
mg_scan_engine_free (MgScanEngine *engine)
{
  if (engine == NULL)
    return;
  if (engine->engine != NULL)
    cl_engine_free (engine->engine);
  g_free (engine);
}

MgScanStatus
mg_scan_buffer (MgScanEngine *engine, const void *data, gsize len, char **name_r)
{
  struct cl_scan_options options = { 0 };
  const char *virname = NULL;
  unsigned long scanned = 0;
  cl_fmap_t *map;
  cl_error_t rc;

  if (len == 0)
    return MG_SCAN_CLEAN;
  options.parse = ~0u;
  options.general = CL_SCAN_GENERAL_HEURISTICS;
  options.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
  map = cl_fmap_open_memory (len > 0 ? data : "", len);
  if (map == NULL)
    return MG_SCAN_ERROR;
  rc = cl_scanmap_callback (map, NULL, &virname, &scanned, engine->engine, &options,
                            NULL);
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
