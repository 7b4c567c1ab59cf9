/* fuzz_image.c - the image filter (gdk-pixbuf, and libjpeg for JPEG) under
 * each type it takes; what passes must never be the input, and sanitising
 * the output again must give the same bytes (THREATS 67). */
#include <stdint.h>

#include "common/config.h"
#include "filters/image.h"

static void
sanitise (GBytes *input, const char *type, MgConfig *config, MgFilterResult *result)
{
  MgFilterInput in = { .detected_type = type, .filename = "fuzz", .config = config };

  if (!mg_filter_image.sanitise (input, &in, result, NULL))
    result->action = MG_ACTION_REMOVED;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static MgConfig *config;
  static const char *const types[] = { "image/png", "image/jpeg", "image/gif", "image/bmp" };
  g_autoptr (GBytes) input = g_bytes_new_static (data, size);

  if (config == NULL) {
    config = mg_config_new_default ();
    g_assert (mg_filter_image.init == NULL || mg_filter_image.init (config, NULL));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++) {
    MgFilterResult first = { MG_ACTION_REMOVED }, second = { MG_ACTION_REMOVED };
    sanitise (input, types[i], config, &first);
    if (first.output != NULL) {
      g_assert (!g_bytes_equal (first.output, input) || first.action == MG_ACTION_CONVERTED);
      sanitise (first.output, first.output_type, config, &second);
      g_assert (second.output != NULL && g_bytes_equal (second.output, first.output));
    }
    mg_filter_result_clear (&first);
    mg_filter_result_clear (&second);
  }
  return 0;
}
