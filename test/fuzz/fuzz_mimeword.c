/* fuzz_mimeword.c - header decoding, encoded-words kept out of address syntax,
 * and the strict field parser. */
#include <stdint.h>

#include "mime/mimeword.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *raw = g_strndup ((const char *) data, size);
  g_autofree char *decoded = mg_mimeword_decode_header (raw);
  g_autoptr (MgMimeField) field = mg_mimeword_parse_field (raw, 64);
  g_autofree char *encoded = mg_mimeword_encode_header ("Subject", decoded, FALSE);
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *protected = mg_mimeword_protect_words (raw, "mgewfuzzq", words);
  g_autofree char *restored = mg_mimeword_restore_words (protected, "mgewfuzzq", words);

  g_assert (g_utf8_validate (decoded, -1, NULL));
  g_assert (g_utf8_validate (protected, -1, NULL) && g_utf8_validate (restored, -1, NULL));
  for (guint i = 0; i < field->params->len; i++) {
    const MgMimeParam *p = g_ptr_array_index (field->params, i);
    g_assert (p->value == NULL || g_utf8_validate (p->value, -1, NULL));
  }
  (void) encoded;
  return 0;
}
