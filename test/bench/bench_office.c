/* bench_office.c - OOXML rebuilds per second, in process.
 *
 * Usage: bench_office ROUNDS FILE...
 * Each file is rebuilt ROUNDS times by the OOXML filter; images inside go
 * through the registry's filters as in the pipeline (no virus scan). Prints
 * one Markdown row per file: size, rebuilds per second, output size.
 */
#include <stdio.h>

#include "common/config.h"
#include "filters/ooxml.h"
#include "filters/registry.h"
#include "pipeline/classify.h"

static void
recurse (gpointer ctx, GBytes *data, const char *name, MgFilterResult *result,
         char **detected_r)
{
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  char *type = mg_classify_bytes (bytes, len);
  const MgFilter *filter = mg_filter_registry_find (type);
  MgFilterInput in = { type, NULL, name, ctx, recurse, ctx, 1 };

  *detected_r = type;
  if (filter == NULL || !filter->sanitise (data, &in, result, NULL))
    result->action = MG_ACTION_REMOVED;
}

static void
bench_file (const MgConfig *config, const char *path, int rounds)
{
  g_autofree char *data = NULL;
  gsize len, out_len = 0;
  MgFilterInput in = { NULL, NULL, path, config, recurse, (gpointer) config, 0 };
  gint64 start;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return;
  g_autoptr (GBytes) input = g_bytes_new_static (data, len);
  g_autofree char *type = mg_classify_bytes (data, len);
  in.detected_type = type;
  start = g_get_monotonic_time ();
  for (int i = 0; i < rounds; i++) {
    MgFilterResult result = { MG_ACTION_REMOVED };
    mg_ooxml_rebuild (input, &in, FALSE, &result);
    out_len = result.output != NULL ? g_bytes_get_size (result.output) : 0;
    mg_filter_result_clear (&result);
  }
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_autofree char *base = g_path_get_basename (path);
  printf ("| %s | %.1f KiB | %.1f | %.2f ms | %.1f KiB |\n", base, len / 1024.0,
          rounds / seconds, seconds * 1000 / rounds, out_len / 1024.0);
}

int
main (int argc, char **argv)
{
  g_autoptr (MgConfig) config = mg_config_new_default ();
  int rounds = argc > 1 ? atoi (argv[1]) : 0;

  if (rounds <= 0 || argc < 3) {
    fprintf (stderr, "usage: bench_office ROUNDS FILE...\n");
    return 64;
  }
  if (!mg_classify_init (NULL) || !mg_filter_registry_init (config, NULL))
    return 70;
  printf ("| file | size | rebuilds/s | per file | output |\n|---|---|---|---|---|\n");
  for (int i = 2; i < argc; i++)
    bench_file (config, argv[i], rounds);
  mg_filter_registry_shutdown ();
  return 0;
}
