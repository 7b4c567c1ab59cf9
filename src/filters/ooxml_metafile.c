/* ooxml_metafile.c - EMF and WMF pictures of an Office document drawn to
 * PNG by LibreOffice (see ooxml_metafile.h).
 *
 * The image filter rebuilds raster images only, and a metafile is a program
 * of drawing records: formulas, diagrams and clip art of older documents. It
 * is handed to LibreOffice in the supervisor's converter (never run in the
 * worker), which draws it on a page and writes that page as PNG; here, in
 * the sandboxed worker, the PNG is decoded, cut to the drawing (the pixels
 * that are neither transparent nor white) and encoded again. The caller then
 * passes it through the image filter like any picture. All the metafiles
 * of a document go to LibreOffice together (office_batch.h), one start for
 * all, at most [office] max_metafiles of them.
 */
#include "filters/ooxml_metafile.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "filters/libreoffice.h"
#include "filters/office_batch.h"

const char *
mg_ooxml_metafile_ext (GBytes *data)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (data, &len);

  if (len >= 44 && d[0] == 1 && d[1] == 0 && d[2] == 0 && d[3] == 0 &&
      memcmp (d + 40, " EMF", 4) == 0)
    return "emf";
  if (len >= 4 && memcmp (d, "\xd7\xcd\xc6\x9a", 4) == 0) /* placeable WMF */
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

/* PNG, LibreOffice's drawing of a metafile, decoded and cut to the drawing;
 * NULL when it does not decode, is too large or blank. */
static GBytes *
drawing_of (GBytes *png, const MgFilterInput *in)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
  gsize len;

  if (loader == NULL)
    return NULL;
  const guint8 *d = g_bytes_get_data (png, &len);
  gboolean ok = !png_over (d, len, in->config->image.max_pixels) &&
                gdk_pixbuf_loader_write (loader, d, len, &error);
  ok = gdk_pixbuf_loader_close (loader, ok ? &error : NULL) && ok;
  GdkPixbuf *page = ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (page == NULL || (gint64) gdk_pixbuf_get_width (page) * gdk_pixbuf_get_height (page) >
                          in->config->image.max_pixels)
    return NULL;
  g_autoptr (GdkPixbuf) drawing = cut_to_drawing (page);
  gchar *buf = NULL;
  gsize size = 0;
  if (drawing == NULL || !gdk_pixbuf_save_to_buffer (drawing, &buf, &size, "png", NULL, NULL))
    return NULL;
  return g_bytes_new_take (buf, size);
}

GHashTable *
mg_ooxml_metafiles_draw (MgOoxmlPackage *pkg, const MgFilterInput *in)
{
  GHashTable *drawn = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray)
      batch = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autofree char *why = NULL;

  for (guint i = 0; i < pkg->parts->len; i++) {
    MgOoxmlPart *part = g_ptr_array_index (pkg->parts, i);
    const char *ext = mg_ooxml_metafile_ext (part->data);
    if (ext == NULL || (gint64) keys->len >= in->config->office.max_metafiles)
      continue;
    g_ptr_array_add (batch, g_bytes_new_static (ext, strlen (ext)));
    g_ptr_array_add (batch, g_bytes_ref (part->data));
    g_ptr_array_add (keys, part->key);
  }
  if (keys->len == 0)
    return drawn;
  g_autoptr (GBytes) packed = mg_office_batch_pack (batch);
  g_autoptr (GBytes)
      answer = mg_libreoffice_convert (packed, in, MG_OFFICE_BATCH_METAFILES, "png", &why);
  g_autoptr (GPtrArray) pngs = answer != NULL ? mg_office_batch_unpack (answer, keys->len)
                                              : NULL;
  for (guint i = 0; i < keys->len; i++) {
    GBytes *png = pngs != NULL && i < pngs->len ? g_ptr_array_index (pngs, i) : NULL;
    g_hash_table_insert (drawn, g_ptr_array_index (keys, i),
                         png != NULL && g_bytes_get_size (png) > 0 ? drawing_of (png, in)
                                                                   : NULL);
  }
  return drawn;
}
