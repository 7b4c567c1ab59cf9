/* fuzz_charset.c - the charset decoders: every label on the same bytes. */
#include <stdint.h>
#include <string.h>

#include "mime/charset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const labels[] = { NULL,    "iso-2022-jp", "shift_jis",    "euc-jp",
                                        "utf-8", "us-ascii",    "windows-1252", "bogus" };

  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++) {
    g_autofree char *text = mg_charset_decode ((const char *) data, size, labels[i], NULL);
    gsize len;
    g_assert (g_utf8_validate (text, -1, NULL));
    if (i == 0) {
      g_autofree char *jis = mg_charset_encode_iso2022jp (text, &len);
      g_assert (jis == NULL || memchr (jis, 0x80, len) == NULL);
    }
  }
  return 0;
}
