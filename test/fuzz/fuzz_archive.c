/* fuzz_archive.c - the archive filter (libarchive readers, name decoding,
 * limits, the ZIP writer) under each type it takes. Members come back as
 * plain text kept, so repacking runs; what passes is never the input. */
#include <stdint.h>

#include "common/config.h"
#include "filters/archive_filter.h"

static void
keep_member (gpointer ctx, GBytes *data, const char *name, MgFilterResult *result,
             char **detected_r)
{
  (void) ctx;
  (void) name;
  *detected_r = g_strdup ("text/plain");
  result->action = MG_ACTION_KEPT;
  result->output = g_bytes_new (g_bytes_get_data (data, NULL),
                                MIN (g_bytes_get_size (data), 64));
  result->output_type = g_strdup ("text/plain");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static MgConfig *config;
  static const char *const types[] = {
    "application/zip",  "application/x-7z-compressed",  "application/x-tar",
    "application/gzip", "application/x-lzh-compressed", "application/vnd.ms-cab-compressed",
    "application/x-rar"
  };
  g_autoptr (GBytes) input = g_bytes_new_static (data, size);

  if (config == NULL) {
    config = mg_config_new_default ();
    g_assert (mg_filter_archive.init == NULL || mg_filter_archive.init (config, NULL));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++) {
    MgFilterResult result = { MG_ACTION_REMOVED };
    MgFilterInput in = { types[i], NULL, "fuzz", config, keep_member, NULL, 0 };
    if (mg_filter_archive.sanitise (input, &in, &result, NULL) && result.output != NULL)
      g_assert (!g_bytes_equal (result.output, input));
    mg_filter_result_clear (&result);
  }
  return 0;
}
