/* fuzz_ooxml.c - the OOXML rebuild (zip reading, XML cleaning, zip writing).
 * Images inside are refused without recursion; the result must never be the
 * input passed through. */
#include <stdint.h>

#include "common/config.h"
#include "filters/ooxml.h"

static void
refuse_member (gpointer ctx, GBytes *data, const char *name, MgFilterResult *result,
               char **detected_r)
{
  (void) ctx;
  (void) data;
  (void) name;
  *detected_r = g_strdup ("application/octet-stream");
  result->action = MG_ACTION_REMOVED;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static MgConfig *config;
  g_autoptr (GBytes) input = g_bytes_new_static (data, size);
  MgFilterResult result = { MG_ACTION_REMOVED };

  if (config == NULL)
    config = mg_config_new_default ();
  MgFilterInput in = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    NULL,
    "fuzz.docx",
    config,
    refuse_member,
    NULL,
    0
  };
  mg_ooxml_rebuild (input, &in, FALSE, &result);
  g_assert (result.action != MG_ACTION_KEPT);
  g_assert (result.output == NULL || !g_bytes_equal (result.output, input));
  mg_filter_result_clear (&result);
  return 0;
}
