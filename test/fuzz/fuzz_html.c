/* fuzz_html.c - HTML to text. */
#include <stdint.h>

#include "filters/html.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = mg_html_to_text ((const char *) data, size, NULL);

  g_assert (g_utf8_validate (text, -1, NULL));
  return 0;
}
