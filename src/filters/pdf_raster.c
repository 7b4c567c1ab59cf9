/* pdf_raster.c - one PDF page drawn as one image (see pdf_raster.h).
 *
 * The page is drawn on white at the resolution asked for, then its tones are
 * counted. Text and line art (no colour, few grey tones) are dithered to black
 * and white with a 4 x 4 ordered (Bayer) matrix, which keeps thin strokes and
 * light shading that a plain threshold would lose; cairo writes such an image
 * as 1-bit Flate, about 50 kB for a dense A4 page at 150 dpi. Photographs and
 * coloured pages become a JPEG that gdk-pixbuf encodes and cairo embeds as it
 * is. This module never reads the input's image streams (poppler decodes them
 * while drawing) and never returns them.
 */
#include "filters/pdf_raster.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#define MG_PDF_RASTER_JPEG_QUALITY "85"
#define MG_PDF_RASTER_COLOUR_SPREAD 24 /* channel spread that counts as colour */
#define MG_PDF_RASTER_MAX_SIDE 32767   /* pixels: cairo's limit for an image */

typedef struct {
  guint64 pixels;
  guint64 colour;  /* pixels whose channels differ visibly */
  guint64 midtone; /* grey pixels neither near white nor near black */
  guint paper;     /* the commonest light grey: the paper of a scan */
} Tones;

/* Pixels per point for a WIDTH x HEIGHT page at DPI, lowered so the image
 * stays within LIMITS. */
static double
raster_scale (double width, double height, double dpi, const MgImageLimits *limits)
{
  double scale = dpi / 72.0;
  double pixels = width * scale * height * scale;
  double side = MIN (limits->max_dimension, MG_PDF_RASTER_MAX_SIDE);

  /* steps of 5% rather than sqrt (): libm is not among the dependencies */
  for (; pixels > (double) limits->max_pixels; pixels *= 0.95 * 0.95)
    scale *= 0.95;
  return MIN (scale, side / MAX (width, height));
}

/* The whole pixels that cover LENGTH points at SCALE. */
static int
raster_pixels (double length, double scale)
{
  double exact = length * scale;
  int pixels = (int) exact;

  return MAX (1, pixels < exact ? pixels + 1 : pixels);
}

static guint
grey_of (guint32 rgb)
{
  return (((rgb >> 16) & 0xff) * 30 + ((rgb >> 8) & 0xff) * 59 + (rgb & 0xff) * 11) / 100;
}

static void
tones_count (cairo_surface_t *image, Tones *tones)
{
  int width = cairo_image_surface_get_width (image);
  int height = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image) / 4;
  const guint32 *px = (const guint32 *) cairo_image_surface_get_data (image);
  guint64 histogram[256] = { 0 };

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      guint32 v = px[y * stride + x];
      guint r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;
      guint grey = grey_of (v);
      tones->colour += MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > MG_PDF_RASTER_COLOUR_SPREAD;
      tones->midtone += grey >= 48 && grey < 208;
      histogram[grey]++;
    }
  tones->pixels = (guint64) width * height;
  tones->paper = 255;
  for (guint g = 192; g < 256; g++)
    if (histogram[g] > histogram[tones->paper])
      tones->paper = g;
}

/* Text and line art: under 1 in 10000 pixels coloured (a red seal is colour),
 * under 1 in 4 mid-grey. */
static gboolean
tones_bilevel (const Tones *tones)
{
  return tones->colour * 10000 < tones->pixels && tones->midtone * 4 < tones->pixels;
}

/* Turn IMAGE into pure black and white by ordered dithering, in place;
 * PAPER and lighter become white (no speckles on a scan's grey paper). */
static void
dither (cairo_surface_t *image, guint paper)
{
  static const guint8 bayer[4][4] = {
    { 0, 8, 2, 10 },
    { 12, 4, 14, 6 },
    { 3, 11, 1, 9 },
    { 15, 7, 13, 5 },
  };
  int width = cairo_image_surface_get_width (image);
  int height = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image) / 4;
  guint32 *px = (guint32 *) cairo_image_surface_get_data (image);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      guint32 *p = &px[y * stride + x];
      guint grey = MIN (255u, grey_of (*p) * 255u / paper);
      *p = grey < bayer[y & 3][x & 3] * 16u + 8u ? 0 : 0xffffff;
    }
  cairo_surface_mark_dirty (image);
}

/* IMAGE as a JPEG attached to it, which cairo then embeds instead of
 * compressing the pixels itself. */
static cairo_status_t
attach_jpeg (cairo_surface_t *image)
{
  int width = cairo_image_surface_get_width (image);
  int height = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image) / 4;
  const guint32 *px = (const guint32 *) cairo_image_surface_get_data (image);
  g_autoptr (GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  gchar *jpeg = NULL;
  gsize len;

  if (pb == NULL)
    return CAIRO_STATUS_NO_MEMORY;
  for (int y = 0; y < height; y++) {
    guchar *row = gdk_pixbuf_get_pixels (pb) + (gsize) y * gdk_pixbuf_get_rowstride (pb);
    for (int x = 0; x < width; x++) {
      guint32 v = px[y * stride + x];
      row[3 * x] = v >> 16;
      row[3 * x + 1] = v >> 8;
      row[3 * x + 2] = v;
    }
  }
  if (!gdk_pixbuf_save_to_buffer (pb, &jpeg, &len, "jpeg", NULL, "quality",
                                  MG_PDF_RASTER_JPEG_QUALITY, NULL))
    return CAIRO_STATUS_NO_MEMORY;
  cairo_status_t status = cairo_surface_set_mime_data (image, CAIRO_MIME_TYPE_JPEG,
                                                       (guchar *) jpeg, len, g_free, jpeg);
  if (status != CAIRO_STATUS_SUCCESS)
    g_free (jpeg); /* cairo took it only on success */
  return status;
}

/* Draw PAGE on white into IMAGE at SCALE. */
static cairo_status_t
render (PopplerPage *page, cairo_surface_t *image, double scale)
{
  cairo_t *cr = cairo_create (image);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);
  cairo_status_t status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_flush (image);
  return status;
}

/* Dither IMAGE or attach its JPEG, as its tones ask. */
static cairo_status_t
encode (cairo_surface_t *image, MgPdfRasterKind *kind_r)
{
  Tones tones = { 0 };

  tones_count (image, &tones);
  *kind_r = tones_bilevel (&tones) ? MG_PDF_RASTER_BILEVEL : MG_PDF_RASTER_JPEG;
  if (*kind_r == MG_PDF_RASTER_JPEG)
    return attach_jpeg (image);
  dither (image, tones.paper);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t
mg_pdf_raster_draw (PopplerPage *page, cairo_t *cr, double width, double height, double dpi,
                    const MgImageLimits *limits, MgPdfRasterKind *kind_r)
{
  double scale = raster_scale (width, height, dpi, limits);
  cairo_surface_t *image = cairo_image_surface_create (
      CAIRO_FORMAT_RGB24, raster_pixels (width, scale), raster_pixels (height, scale));
  cairo_status_t status = cairo_surface_status (image);
  MgPdfRasterKind kind = MG_PDF_RASTER_JPEG;

  if (status == CAIRO_STATUS_SUCCESS)
    status = render (page, image, scale);
  if (status == CAIRO_STATUS_SUCCESS)
    status = encode (image, &kind);
  if (status == CAIRO_STATUS_SUCCESS) {
    cairo_save (cr);
    cairo_scale (cr, 1 / scale, 1 / scale);
    cairo_set_source_surface (cr, image, 0, 0);
    cairo_paint (cr);
    cairo_restore (cr);
    status = cairo_status (cr);
  }
  cairo_surface_destroy (image);
  if (kind_r != NULL)
    *kind_r = kind;
  return status;
}
