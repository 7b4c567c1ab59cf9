/* ooxml_metafile.c - EMF and WMF pictures of an Office document drawn to
 * PNG by LibreOffice (see ooxml_metafile.h).
 *
 * The image filter rebuilds raster images only, and a metafile is a program
 * of drawing records: formulas, diagrams and clip art of older documents. It
 * is handed to LibreOffice in the supervisor's converter (never run in the
 * worker), which draws it on a page and writes that page as PNG; here, in
 * the sandboxed worker, the PNG is decoded, cut to the drawing (the pixels
 * that are neither transparent nor white) and encoded again. The caller then
 * passes it through the image filter like any picture. At most
 * MG_OOXML_MAX_METAFILES per document: each costs one LibreOffice start.
 */
#include "filters/ooxml_metafile.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "filters/libreoffice.h"

const char *
mg_ooxml_metafile_ext (GBytes *data)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (data, &len);

  if (len >= 44 && d[0] == 1 && d[1] == 0 && d[2] == 0 && d[3] == 0
      && memcmp (d + 40, " EMF", 4) == 0)
    return "emf";
  if (len >= 4 && memcmp (d, "\xd7\xcd\xc6\x9a", 4) == 0)   /* placeable WMF */
    return "wmf";
  if (len >= 6 && (d[0] == 1 || d[0] == 2) && d[1] == 0 && d[2] == 9 && d[3] == 0)
    return "wmf";
  return NULL;
}

/* Whether pixel P (RGBA or RGB, N channels) carries ink. */
static gboolean
ink (const guint8 *p, int n)
{
  if (n == 4 && p[3] == 0)
    return FALSE;
  return !(p[0] == 255 && p[1] == 255 && p[2] == 255);
}

/* The part of PAGE that holds the drawing, or NULL when it is blank. */
static GdkPixbuf *
cut_to_drawing (GdkPixbuf *page)
{
  int w = gdk_pixbuf_get_width (page), h = gdk_pixbuf_get_height (page);
  int n = gdk_pixbuf_get_n_channels (page), stride = gdk_pixbuf_get_rowstride (page);
  const guint8 *px = gdk_pixbuf_read_pixels (page);
  int x0 = w, y0 = h, x1 = -1, y1 = -1;

  if (gdk_pixbuf_get_bits_per_sample (page) != 8 || n < 3)
    return NULL;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (ink (px + (gsize) y * stride + (gsize) x * n, n)) {
        x0 = MIN (x0, x);
        x1 = MAX (x1, x);
        y0 = MIN (y0, y);
        y1 = MAX (y1, y);
      }
  if (x1 < 0)
    return NULL;
  return gdk_pixbuf_new_subpixbuf (page, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

/* Whether the PNG's header (IHDR) names more than MAX pixels: told before
 * the decoder allocates them. */
static gboolean
png_over (const guint8 *d, gsize len, gint64 max)
{
  if (len < 24 || memcmp (d + 12, "IHDR", 4) != 0)
    return TRUE;
  gint64 w = (gint64) d[16] << 24 | d[17] << 16 | d[18] << 8 | d[19];
  gint64 h = (gint64) d[20] << 24 | d[21] << 16 | d[22] << 8 | d[23];
  return w * h > max;
}

GBytes *
mg_ooxml_metafile_png (GBytes *data, const char *ext, const MgFilterInput *in, char **why_r)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = mg_libreoffice_convert (data, in, ext, "png", why_r);
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
  gsize len;

  if (png == NULL || loader == NULL)
    return NULL;
  const guint8 *d = g_bytes_get_data (png, &len);
  gboolean ok = !png_over (d, len, in->config->image.max_pixels)
                && gdk_pixbuf_loader_write (loader, d, len, &error);
  ok = gdk_pixbuf_loader_close (loader, ok ? &error : NULL) && ok;
  GdkPixbuf *page = ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (page == NULL || (gint64) gdk_pixbuf_get_width (page) * gdk_pixbuf_get_height (page)
                      > in->config->image.max_pixels) {
    *why_r = g_strdup ("LibreOffice's drawing of it does not decode or is too large");
    return NULL;
  }
  g_autoptr (GdkPixbuf) drawing = cut_to_drawing (page);
  gchar *buf = NULL;
  gsize size = 0;
  if (drawing == NULL || !gdk_pixbuf_save_to_buffer (drawing, &buf, &size, "png", NULL, NULL)) {
    *why_r = g_strdup ("LibreOffice's drawing of it is blank");
    return NULL;
  }
  return g_bytes_new_take (buf, size);
}
