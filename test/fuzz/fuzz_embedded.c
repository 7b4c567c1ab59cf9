/* fuzz_embedded.c - the uuencode, yEnc, BinHex and base64-run decoders that
 * cut files out of a text body (mime/embedded.c). */
#include <stdint.h>
#include <string.h>

#include "mime/embedded.h"

/* Keeps every other run, so both paths of the base64 cut are taken. */
static gboolean
inert_when_even (GBytes *decoded, gpointer ctx)
{
  (void) ctx;
  return g_bytes_get_size (decoded) % 2 == 0;
}

static void
check (char *rest, GPtrArray *blocks)
{
  g_assert (g_utf8_validate (rest, -1, NULL));
  for (guint i = 0; i < blocks->len; i++) {
    MgEmbeddedBlock *b = g_ptr_array_index (blocks, i);
    g_assert (b->kind != NULL);
    g_assert (b->filename == NULL || g_utf8_validate (b->filename, -1, NULL));
  }
  g_free (rest);
  g_ptr_array_set_size (blocks, 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  g_autoptr (GPtrArray)
      blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_embedded_block_free);

  check (mg_embedded_extract (text, blocks), blocks);
  check (mg_embedded_extract_base64 (text, blocks, inert_when_even, NULL), blocks);
  return 0;
}
