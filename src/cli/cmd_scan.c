/* cmd_scan.c - `mugai scan`: virus scan only, clamscan's conventions.
 * Prints "PATH: OK" or "PATH: NAME FOUND"; exit 0 clean, 1 found, 2 error. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "scan/scan.h"

enum { SCAN_CLEAN = 0, SCAN_FOUND = 1, SCAN_ERROR = 2 };

static int scan_path (MgScanEngine *engine, const char *path);

static int
scan_file (MgScanEngine *engine, const char *path)
{
  g_autoptr (GMappedFile) map = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  map = g_mapped_file_new (path, FALSE, &error);
  if (map == NULL) {
    printf ("%s: ERROR %s\n", path, error->message);
    return SCAN_ERROR;
  }
  switch (mg_scan_buffer (engine, g_mapped_file_get_contents (map),
                          g_mapped_file_get_length (map), &name)) {
  case MG_SCAN_CLEAN:
    printf ("%s: OK\n", path);
    return SCAN_CLEAN;
  case MG_SCAN_VIRUS:
    printf ("%s: %s FOUND\n", path, name);
    return SCAN_FOUND;
  case MG_SCAN_INCOMPLETE:
    printf ("%s: ERROR scan limits exceeded\n", path);
    return SCAN_ERROR;
  case MG_SCAN_ERROR:
    break;
  }
  printf ("%s: ERROR scan failed\n", path);
  return SCAN_ERROR;
}

static int
worst (int a, int b)
{
  return MAX (a, b);
}

static int
scan_dir (MgScanEngine *engine, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  const char *entry;
  int status = SCAN_CLEAN;

  if (dir == NULL) {
    printf ("%s: ERROR %s\n", path, error->message);
    return SCAN_ERROR;
  }
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, entry, NULL);
    status = worst (status, scan_path (engine, child));
  }
  return status;
}

static int
scan_path (MgScanEngine *engine, const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return SCAN_CLEAN; /* never followed, as clamscan does by default */
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return scan_dir (engine, path);
  return scan_file (engine, path);
}

int
mg_cmd_scan (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("PATH... - virus scan only");
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  g_autoptr (MgScanEngine) engine = NULL;
  int status = SCAN_CLEAN;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc < 2) {
    mg_cli_error ("mugai scan", "%s", error ? error->message : mg_cli_text ("no PATH given"));
    return SCAN_ERROR;
  }
  if ((config = mg_cli_load_config (config_path)) == NULL)
    return SCAN_ERROR;
  engine = mg_scan_engine_load (config->clamav_database, config->limits.message_size,
                                config->clamav_max_scan_seconds, &error);
  if (engine == NULL) {
    mg_cli_error ("mugai scan", "%s", error->message);
    return SCAN_ERROR;
  }
  for (int i = 1; i < argc; i++)
    status = worst (status, scan_path (engine, argv[i]));
  return status;
}
