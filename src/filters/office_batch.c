/* office_batch.c - several files in one byte string (see office_batch.h). */
#include "filters/office_batch.h"

#include <string.h>

GBytes *
mg_office_batch_pack (GPtrArray *items)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  for (guint i = 0; i < items->len; i++) {
    gsize len;
    const guint8 *data = g_bytes_get_data (g_ptr_array_index (items, i), &len);
    guint32 be = GUINT32_TO_BE ((guint32) len);
    g_byte_array_append (out, (const guint8 *) &be, sizeof be);
    g_byte_array_append (out, data, len);
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GPtrArray *
mg_office_batch_unpack (GBytes *batch, guint max_items)
{
  g_autoptr (GPtrArray)
      items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len, at = 0;
  const guint8 *d = g_bytes_get_data (batch, &len);

  while (at < len) {
    guint32 be;
    if (items->len >= max_items || len - at < sizeof be)
      return NULL;
    memcpy (&be, d + at, sizeof be);
    gsize n = GUINT32_FROM_BE (be);
    at += sizeof be;
    if (n > len - at)
      return NULL;
    g_ptr_array_add (items, g_bytes_new_from_bytes (batch, at, n));
    at += n;
  }
  return g_steal_pointer (&items);
}
