/* image_tiff_pages.c - a multi-page TIFF written again page by page (see
 * image_tiff_pages.h). libtiff reads and writes through memory callbacks. */
#include "filters/image_tiff_pages.h"

#include <string.h>
#include <tiffio.h>

/* Pages written at most: a fax of more is refused (first page kept). */
#define MG_IMAGE_TIFF_REBUILD_PAGES 500

typedef struct {
  GByteArray *data; /* read: the input (not owned); write: the output */
  toff_t at;
} TiffMem;

static tmsize_t
mem_read (thandle_t h, void *buf, tmsize_t n)
{
  TiffMem *m = h;

  if (n < 0 || m->at >= m->data->len)
    return 0;
  tmsize_t left = (tmsize_t) (m->data->len - m->at);
  n = MIN (n, left);
  memcpy (buf, m->data->data + m->at, n);
  m->at += n;
  return n;
}

static tmsize_t
mem_write (thandle_t h, void *buf, tmsize_t n)
{
  TiffMem *m = h;

  if (n < 0 || m->at + (toff_t) n > G_MAXUINT)
    return -1;
  if (m->at + n > m->data->len)
    g_byte_array_set_size (m->data, (guint) (m->at + n));
  memcpy (m->data->data + m->at, buf, n);
  m->at += n;
  return n;
}

static toff_t
mem_seek (thandle_t h, toff_t off, int whence)
{
  TiffMem *m = h;
  gint64 base = whence == SEEK_CUR ? (gint64) m->at : whence == SEEK_END ? m->data->len : 0;
  gint64 to = base + (gint64) off;

  if (to < 0 || to > G_MAXUINT)
    return (toff_t) -1;
  m->at = (toff_t) to;
  return m->at;
}

static int
mem_close (thandle_t h)
{
  (void) h;
  return 0;
}

static toff_t
mem_size (thandle_t h)
{
  return ((TiffMem *) h)->data->len;
}

static int
mem_map (thandle_t h, void **base, toff_t *size)
{
  (void) h;
  (void) base;
  (void) size;
  return 0;
}

static void
mem_unmap (thandle_t h, void *base, toff_t size)
{
  (void) h;
  (void) base;
  (void) size;
}

static TIFF *
mem_open (TiffMem *m, const char *mode)
{
  return TIFFClientOpen ("mugai", mode, m, mem_read, mem_write, mem_seek, mem_close, mem_size,
                         mem_map, mem_unmap);
}

/* libtiff's messages describe the input: never printed. */
static void
tiff_quiet (const char *module, const char *fmt, va_list ap)
{
  (void) module;
  (void) fmt;
  (void) ap;
}

/* Whether every pixel of RGBA (COUNT pixels) is opaque black or white. */
static gboolean
bilevel (const guint32 *rgba, gsize count)
{
  for (gsize i = 0; i < count; i++)
    if (rgba[i] != 0xFF000000u && rgba[i] != 0xFFFFFFFFu)
      return FALSE;
  return TRUE;
}

static void
copy_resolution (TIFF *in, TIFF *out)
{
  float x = 0, y = 0;
  guint16 unit = RESUNIT_INCH;

  if (TIFFGetField (in, TIFFTAG_XRESOLUTION, &x) != 1 ||
      TIFFGetField (in, TIFFTAG_YRESOLUTION, &y) != 1 ||
      !(x >= 1 && x <= 10000 && y >= 1 && y <= 10000))
    return;
  TIFFGetFieldDefaulted (in, TIFFTAG_RESOLUTIONUNIT, &unit);
  TIFFSetField (out, TIFFTAG_XRESOLUTION, x);
  TIFFSetField (out, TIFFTAG_YRESOLUTION, y);
  TIFFSetField (out, TIFFTAG_RESOLUTIONUNIT,
                unit == RESUNIT_CENTIMETER ? RESUNIT_CENTIMETER : RESUNIT_INCH);
}

/* Page W x H of RGBA pixels (top row first) as the next directory of OUT. */
static gboolean
write_page (TIFF *out, TIFF *in, const guint32 *rgba, guint32 w, guint32 h)
{
  gboolean bw = bilevel (rgba, (gsize) w * h);
  gsize row_bytes = bw ? (w + 7) / 8 : (gsize) w * 3;
  g_autofree guint8 *row = g_malloc (row_bytes);

  TIFFSetField (out, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField (out, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField (out, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (out, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField (out, TIFFTAG_BITSPERSAMPLE, bw ? 1 : 8);
  TIFFSetField (out, TIFFTAG_SAMPLESPERPIXEL, bw ? 1 : 3);
  TIFFSetField (out, TIFFTAG_PHOTOMETRIC, bw ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_RGB);
  TIFFSetField (out, TIFFTAG_COMPRESSION,
                bw ? COMPRESSION_CCITTFAX4 : COMPRESSION_ADOBE_DEFLATE);
  TIFFSetField (out, TIFFTAG_ROWSPERSTRIP, h);
  copy_resolution (in, out);
  for (guint32 y = 0; y < h; y++) {
    const guint32 *p = rgba + (gsize) y * w;
    memset (row, 0, row_bytes);
    for (guint32 x = 0; x < w; x++) {
      if (bw && p[x] == 0xFF000000u)
        row[x / 8] |= 0x80 >> (x % 8); /* MINISWHITE: 1 is black */
      else if (!bw) {
        row[3 * x] = TIFFGetR (p[x]);
        row[3 * x + 1] = TIFFGetG (p[x]);
        row[3 * x + 2] = TIFFGetB (p[x]);
      }
    }
    if (TIFFWriteScanline (out, row, y, 0) < 0)
      return FALSE;
  }
  return TIFFWriteDirectory (out) == 1;
}

typedef struct {
  const MgImageLimits *limits;
  gint64 budget, deadline;
  guint pages;
  gint64 pixels;
  char *why;
} Rebuild;

/* The current page of IN, decoded, written to OUT; FALSE with R->why. */
static gboolean
rebuild_page (TIFF *in, TIFF *out, Rebuild *r)
{
  guint32 w = 0, h = 0;

  TIFFGetField (in, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField (in, TIFFTAG_IMAGELENGTH, &h);
  gint64 pixels = (gint64) w * h;
  if (w == 0 || h == 0 || w > r->limits->max_dimension || h > r->limits->max_dimension ||
      pixels > r->limits->max_pixels || r->pixels + pixels > r->budget) {
    r->why = g_strdup_printf ("page %u is %u x %u pixels: over [image] limits", r->pages + 1,
                              w, h);
    return FALSE;
  }
  g_autofree guint32 *rgba = g_try_malloc ((gsize) pixels * 4);
  if (rgba == NULL || !TIFFReadRGBAImageOriented (in, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
    r->why = g_strdup_printf ("page %u does not decode", r->pages + 1);
    return FALSE;
  }
  if (!write_page (out, in, rgba, w, h)) {
    r->why = g_strdup_printf ("page %u could not be written", r->pages + 1);
    return FALSE;
  }
  r->pages++;
  r->pixels += pixels;
  return TRUE;
}

static gboolean
rebuild_all (TIFF *in, TIFF *out, Rebuild *r)
{
  do {
    if (r->pages >= MG_IMAGE_TIFF_REBUILD_PAGES) {
      r->why = g_strdup_printf ("more than %d pages", MG_IMAGE_TIFF_REBUILD_PAGES);
      return FALSE;
    }
    if (r->deadline != 0 && g_get_monotonic_time () > r->deadline) {
      r->why = g_strdup_printf ("out of time after page %u", r->pages);
      return FALSE;
    }
    if (!rebuild_page (in, out, r))
      return FALSE;
  } while (TIFFReadDirectory (in) == 1);
  return TRUE;
}

GBytes *
mg_image_tiff_rebuild (GBytes *input, const MgImageLimits *limits, gint64 pixel_budget,
                       gint64 deadline, guint *pages_r, gint64 *pixels_r, char **why_r)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (input, &len);
  GByteArray view = { (guint8 *) data, (guint) MIN (len, G_MAXUINT) };
  TiffMem src = { &view, 0 }, dst = { g_byte_array_new (), 0 };
  Rebuild r = { limits, pixel_budget, deadline };
  gboolean done = FALSE;
  GBytes *result = NULL;

  TIFFSetErrorHandler (tiff_quiet);
  TIFFSetWarningHandler (tiff_quiet);
  TIFF *in = len <= G_MAXUINT ? mem_open (&src, "rm") : NULL;
  TIFF *out = in != NULL ? mem_open (&dst, "w") : NULL;
  if (in == NULL || out == NULL)
    r.why = g_strdup ("libtiff cannot read it");
  else
    done = rebuild_all (in, out, &r);
  if (out != NULL)
    TIFFClose (out); /* flushes the last directory */
  if (in != NULL)
    TIFFClose (in);
  if (done)
    result = g_byte_array_free_to_bytes (g_steal_pointer (&dst.data));
  else
    g_byte_array_unref (dst.data);
  *pages_r = r.pages;
  *pixels_r = r.pixels;
  *why_r = r.why;
  return result;
}
