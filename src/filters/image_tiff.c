/* image_tiff.c - the pages of a TIFF, counted along its chain of image file
 * directories (classic TIFF, either byte order; BigTIFF counts as one). */
#include "filters/image_tiff.h"

#include <string.h>

static guint32
tiff_u32 (const guint8 *p, gboolean big)
{
  return big ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
             : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static guint
tiff_u16 (const guint8 *p, gboolean big)
{
  return big ? (guint) p[0] << 8 | p[1] : (guint) p[1] << 8 | p[0];
}

/* The offset of the directory after the one at OFFSET, or 0. */
static guint32
tiff_next (const guint8 *data, gsize len, guint32 offset, gboolean big)
{
  gsize end;

  if ((gsize) offset + 2 > len)
    return 0;
  end = (gsize) offset + 2 + (gsize) tiff_u16 (data + offset, big) * 12;
  return end + 4 <= len ? tiff_u32 (data + end, big) : 0;
}

guint
mg_image_tiff_pages (const guint8 *data, gsize len)
{
  gboolean big;
  guint32 offset, slow;
  guint pages = 0;

  if (len < 8 || !(memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return 1;
  big = data[0] == 'M';
  offset = slow = tiff_u32 (data + 4, big);
  while (offset != 0 && pages < MG_IMAGE_TIFF_MAX_PAGES) {
    pages++;
    offset = tiff_next (data, len, offset, big);
    if (pages % 2 == 0)
      slow = tiff_next (data, len, slow, big); /* a loop meets the slow walker */
    if (offset != 0 && offset == slow)
      break;
  }
  return MAX (pages, 1);
}
