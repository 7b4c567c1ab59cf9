/* fuzz_cfb.c - the OLE compound file reader of the legacy Office filter. */
#include <stdint.h>

#include "filters/office_cfb.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) input = g_bytes_new_static (data, size);

  (void) mg_office_cfb_encrypted (input);
  (void) mg_office_cfb_has (input, "WordDocument");
  return 0;
}
