/* image.c - the filter for raster images (see image.h).
 *
 * A JPEG is transcoded without loss by image_jpeg.c: its DCT coefficients
 * are written again with none of its markers, so the pixels stay exactly as
 * they were and a second pass gives the same bytes. Only a JPEG whose EXIF
 * orientation (2 to 8) asks a viewer to turn it takes the pixel path below:
 * the pixels are turned, since the orientation goes with the EXIF, and the
 * output is a new upright JPEG (quality 90, then transcoded as above). That
 * output has no EXIF, so sanitising it again is the lossless path and gives
 * the same bytes.
 *
 * Every other format is decoded to pixels. The loader is chosen from the
 * type libmagic detected, never by gdk-pixbuf's own sniffing, so an SVG, ICO
 * or other parser never runs on an attachment. The size the header declares
 * is checked in the loader's size-prepared signal; an image over the limits
 * makes the loader stop before it allocates the pixels. The output comes
 * from gdk-pixbuf's PNG or JPEG encoder given no options but the JPEG
 * quality, so none of the input's metadata (which the loaders keep as pixbuf
 * options) can reach it. This module never returns the input bytes, never
 * opens a file and never uses a name as a path.
 */
#include "filters/image.h"
#include "filters/image_jpeg.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#define MG_IMAGE_JPEG_QUALITY "90"

typedef struct {
  const char *type;               /* libmagic MIME type */
  const char *loader;             /* gdk-pixbuf format that decodes it */
  const char *label;              /* for details */
  gboolean jpeg;                  /* encoded again as JPEG, else as PNG */
} ImageKind;

static const ImageKind kinds[] = {
  { "image/png", "png", "PNG", FALSE },
  { "image/jpeg", "jpeg", "JPEG", TRUE },
  { "image/gif", "gif", "GIF", FALSE },
  { "image/bmp", "bmp", "BMP", FALSE },
  { "image/x-ms-bmp", "bmp", "BMP", FALSE },
  { "image/tiff", "tiff", "TIFF", FALSE },
  { "image/webp", "webp", "WebP", FALSE },
};

static const char *const image_types[] = {
  "image/png", "image/jpeg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/tiff",
  "image/webp", NULL,
};

/* Extensions an output name may keep (lower-cased); the first is the default. */
static const char *const png_extensions[] = { "png", NULL };
static const char *const jpeg_extensions[] = { "jpg", "jpeg", "jpe", "jfif", NULL };

static const ImageKind *
image_kind (const char *type)
{
  for (gsize i = 0; type != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strcasecmp (type, kinds[i].type) == 0)
      return &kinds[i];
  return NULL;
}

/* TRUE when gdk-pixbuf has an enabled loader called NAME. */
static gboolean
loader_available (const char *name)
{
  GSList *formats = gdk_pixbuf_get_formats ();
  gboolean found = FALSE;

  for (GSList *l = formats; l != NULL && !found; l = l->next) {
    g_autofree char *format_name = gdk_pixbuf_format_get_name (l->data);
    found = g_strcmp0 (format_name, name) == 0 && !gdk_pixbuf_format_is_disabled (l->data);
  }
  g_slist_free (formats);
  return found;
}

/* Load every loader module now, before a sandbox forbids opening them. */
static gboolean
image_init (const MgConfig *config, GError **error)
{
  (void) config;
  (void) error;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++) {
    if (!loader_available (kinds[i].loader))
      continue;
    GdkPixbufLoader *loader = gdk_pixbuf_loader_new_with_type (kinds[i].loader, NULL);
    if (loader != NULL) {
      gdk_pixbuf_loader_close (loader, NULL);
      g_object_unref (loader);
    }
  }
  return TRUE;
}

static void
image_remove (MgFilterResult *result, MgReason reason, char *detail)
{
  mg_filter_result_set (result, MG_ACTION_REMOVED, reason, detail);
}

/* --- decoding ---------------------------------------------------------- */

typedef struct {
  const MgImageLimits *limits;
  int width, height;
  gboolean too_big;
} ImageProbe;

/* size-prepared: the header has been read and nothing is allocated yet. A
 * size of 0 x 0 makes every gdk-pixbuf loader stop with an error there. */
static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer data)
{
  ImageProbe *probe = data;

  probe->width = width;
  probe->height = height;
  if (width > probe->limits->max_dimension || height > probe->limits->max_dimension
      || (gint64) width * height > probe->limits->max_pixels) {
    probe->too_big = TRUE;
    gdk_pixbuf_loader_set_size (loader, 0, 0);
  }
}

static char *
limit_detail (const MgImageLimits *l, int width, int height)
{
  if (width > l->max_dimension || height > l->max_dimension)
    return g_strdup_printf ("%d x %d pixels: a side is longer than [image] max_dimension"
                            " (%" G_GINT64_FORMAT ")", width, height, l->max_dimension);
  return g_strdup_printf ("%d x %d pixels: more than [image] max_pixels (%" G_GINT64_FORMAT
                          ")", width, height, l->max_pixels);
}

/* Feed INPUT to a loader of KIND. Returns the loader when the image decoded
 * whole; otherwise NULL with RESULT saying why it was removed. */
static GdkPixbufLoader *
image_load (GBytes *input, const ImageKind *kind, const MgImageLimits *limits,
            MgFilterResult *result)
{
  g_autoptr (GError) error = NULL;
  ImageProbe probe = { limits };
  gsize len;
  const guchar *data = g_bytes_get_data (input, &len);
  GdkPixbufLoader *loader = gdk_pixbuf_loader_new_with_type (kind->loader, &error);

  if (loader == NULL) {
    image_remove (result, MG_REASON_NO_CONVERTER, g_strdup (error->message));
    return NULL;
  }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &probe);
  gboolean ok = gdk_pixbuf_loader_write (loader, data, len, &error);
  /* close even after a failed write: the loader must always be closed */
  ok = gdk_pixbuf_loader_close (loader, ok ? &error : NULL) && ok;
  g_signal_handlers_disconnect_by_data (loader, &probe);   /* PROBE is on this stack */
  if (ok && !probe.too_big && gdk_pixbuf_loader_get_pixbuf (loader) != NULL)
    return loader;
  if (probe.too_big)
    image_remove (result, MG_REASON_LIMIT, limit_detail (limits, probe.width, probe.height));
  else
    image_remove (result, MG_REASON_CONVERT_FAILED,
                  g_strdup_printf ("the %s image does not decode: %s", kind->label,
                                   error != NULL ? error->message : "no pixels"));
  g_object_unref (loader);
  return NULL;
}

/* --- encoding ---------------------------------------------------------- */

/* PIXELS as a new PNG or JPEG; the encoder gets no metadata to write. */
static GBytes *
image_encode (GdkPixbuf *pixels, gboolean jpeg, GError **error)
{
  gchar *buffer = NULL;
  gsize len = 0;
  gboolean ok;

  if (jpeg)
    ok = gdk_pixbuf_save_to_buffer (pixels, &buffer, &len, "jpeg", error, "quality",
                                    MG_IMAGE_JPEG_QUALITY, NULL);
  else
    ok = gdk_pixbuf_save_to_buffer (pixels, &buffer, &len, "png", error, NULL);
  if (!ok)
    return NULL;
  return g_bytes_new_take (buffer, len);
}

/* PIXELS as a new JPEG in the form the lossless path writes (optimised
 * Huffman tables), so that sanitising it again gives the same bytes. */
static GBytes *
image_encode_jpeg (GdkPixbuf *pixels, const MgImageLimits *limits, GError **error)
{
  g_autoptr (GBytes) encoded = image_encode (pixels, TRUE, error);
  g_auto (MgImageJpeg) jpeg = { 0 };

  if (encoded == NULL)
    return NULL;
  if (mg_image_jpeg_transcode (encoded, limits, &jpeg) != MG_IMAGE_JPEG_DONE) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "the JPEG gdk-pixbuf wrote does not transcode: %s",
                 jpeg.message != NULL ? jpeg.message : "(no message)");
    return NULL;
  }
  return g_steal_pointer (&jpeg.output);
}

/* The extension of the output name: the original one (lower-cased) when it
 * names the output format, else the format's usual one. */
static char *
image_extension (const char *filename, gboolean jpeg)
{
  const char *const *allowed = jpeg ? jpeg_extensions : png_extensions;
  const char *dot = filename != NULL ? strrchr (filename, '.') : NULL;

  if (dot != NULL) {
    g_autofree char *ext = g_ascii_strdown (dot + 1, -1);
    if (g_strv_contains (allowed, ext))
      return g_strconcat (".", ext, NULL);
  }
  return g_strconcat (".", allowed[0], NULL);
}

static char *
image_detail (const ImageKind *kind, GdkPixbuf *pixels, GdkPixbufLoader *loader,
              gboolean rotated)
{
  GdkPixbufAnimation *animation = gdk_pixbuf_loader_get_animation (loader);
  gboolean animated = animation != NULL && !gdk_pixbuf_animation_is_static_image (animation);

  return g_strdup_printf ("%s %d x %d re-encoded as %s; metadata and trailing data "
                          "dropped%s%s", kind->label, gdk_pixbuf_get_width (pixels),
                          gdk_pixbuf_get_height (pixels), kind->jpeg ? "JPEG" : "PNG",
                          animated ? "; first frame of the animation kept" : "",
                          rotated ? "; EXIF orientation applied to the pixels (the"
                          " output is upright)" : "");
}

static char *
jpeg_detail (const MgImageJpeg *jpeg)
{
  g_autofree char *damaged = jpeg->damaged == 0 ? g_strdup ("")
    : g_strdup_printf ("; the image data is damaged or cut short (%ld libjpeg warnings) and "
                       "kept as viewers show it", jpeg->damaged);

  return g_strdup_printf ("JPEG %d x %d written again from its DCT coefficients without "
                          "loss; metadata and trailing data dropped%s%s", jpeg->width,
                          jpeg->height, jpeg->progressive || jpeg->arithmetic
                          ? "; coding made baseline Huffman" : "", damaged);
}

/* RESULT becomes a conversion to OUTPUT (taken), of KIND's output format. */
static void
image_converted (MgFilterResult *result, const MgFilterInput *in, const ImageKind *kind,
                 GBytes *output, char *detail)
{
  result->action = MG_ACTION_CONVERTED;
  result->reason = MG_REASON_IMAGE_REENCODED;
  result->detail = detail;
  result->output = output;
  result->output_type = g_strdup (kind->jpeg ? "image/jpeg" : "image/png");
  result->output_extension = image_extension (in->filename, kind->jpeg);
}

/* The lossless path of a JPEG. Returns FALSE, with RESULT untouched, when
 * the EXIF orientation asks for the pixels to be turned. */
static gboolean
image_jpeg_lossless (GBytes *input, const MgFilterInput *in, const ImageKind *kind,
                     MgFilterResult *result)
{
  const MgImageLimits *limits = &in->config->image;
  g_auto (MgImageJpeg) jpeg = { 0 };

  switch (mg_image_jpeg_transcode (input, limits, &jpeg)) {
  case MG_IMAGE_JPEG_DONE:
    image_converted (result, in, kind, g_steal_pointer (&jpeg.output), jpeg_detail (&jpeg));
    return TRUE;
  case MG_IMAGE_JPEG_TURN:
    return FALSE;
  case MG_IMAGE_JPEG_TOO_BIG:
    image_remove (result, MG_REASON_LIMIT, limit_detail (limits, jpeg.width, jpeg.height));
    return TRUE;
  case MG_IMAGE_JPEG_TOO_MANY_SCANS:
    image_remove (result, MG_REASON_LIMIT,
                  g_strdup_printf ("a JPEG of more than %d scans (a progressive JPEG has about"
                                   " 10)", MG_IMAGE_JPEG_MAX_SCANS));
    return TRUE;
  case MG_IMAGE_JPEG_BAD:
    image_remove (result, MG_REASON_CONVERT_FAILED,
                  g_strdup_printf ("the JPEG image does not decode: %s", jpeg.message));
    return TRUE;
  }
  g_assert_not_reached ();
}

/* The pixel path: decode, turn by the EXIF orientation, encode again. */
static gboolean
image_redraw (GBytes *input, const MgFilterInput *in, const ImageKind *kind,
              MgFilterResult *result, GError **error)
{
  if (!loader_available (kind->loader)) {
    image_remove (result, MG_REASON_NO_CONVERTER,
                  g_strdup_printf ("no %s decoder is installed (a gdk-pixbuf loader)",
                                   kind->label));
    return TRUE;
  }
  g_autoptr (GdkPixbufLoader) loader = image_load (input, kind, &in->config->image, result);
  if (loader == NULL)
    return TRUE;
  GdkPixbuf *decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  /* a camera's EXIF orientation is lost with the EXIF: turn the pixels instead */
  g_autoptr (GdkPixbuf) pixels = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (pixels == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "out of memory turning the image");
    return FALSE;   /* the filter failed */
  }
  GBytes *output = kind->jpeg ? image_encode_jpeg (pixels, &in->config->image, error)
                              : image_encode (pixels, FALSE, error);
  if (output == NULL)
    return FALSE;
  image_converted (result, in, kind, output,
                   image_detail (kind, pixels, loader, pixels != decoded));
  return TRUE;
}

static gboolean
image_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                GError **error)
{
  const ImageKind *kind = image_kind (in->detected_type);

  g_return_val_if_fail (in->config != NULL, FALSE);
  if (kind == NULL) {
    image_remove (result, MG_REASON_TYPE_NOT_ALLOWED, NULL);
    return TRUE;
  }
  if (kind->jpeg && image_jpeg_lossless (input, in, kind, result))
    return TRUE;
  return image_redraw (input, in, kind, result, error);
}

const MgFilter mg_filter_image = {
  .name = "image",
  .types = image_types,
  .init = image_init,
  .sanitise = image_sanitise,
};
