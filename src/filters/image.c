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
#include "filters/image_tiff.h"
#include "filters/image_tiff_pages.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#define MG_IMAGE_JPEG_QUALITY "90"
/* Bytes given to a decoder at a time: the time is checked between them (a
 * deflate stream expands at most about 1000 times: 4 MB of pixels a step). */
#define MG_IMAGE_CHUNK 4096

typedef struct {
  const char *type;   /* libmagic MIME type */
  const char *loader; /* gdk-pixbuf format that decodes it */
  const char *label;  /* for details */
  gboolean jpeg;      /* encoded again as JPEG, else as PNG */
} ImageKind;

static const ImageKind kinds[] = {
  { "image/png", "png", "PNG", FALSE },      { "image/jpeg", "jpeg", "JPEG", TRUE },
  { "image/gif", "gif", "GIF", FALSE },      { "image/bmp", "bmp", "BMP", FALSE },
  { "image/x-ms-bmp", "bmp", "BMP", FALSE }, { "image/tiff", "tiff", "TIFF", FALSE },
  { "image/webp", "webp", "WebP", FALSE },
};

static const char *const image_types[] = {
  "image/png",      "image/jpeg", "image/gif",  "image/bmp",
  "image/x-ms-bmp", "image/tiff", "image/webp", NULL,
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

/* The time one image may take: [image] max_seconds, and what is left of
 * the message's (MgFilterBudget.deadline). */
typedef struct {
  gint64 deadline;
  gboolean message; /* the message's deadline is the nearer */
  gboolean passed;
} ImageClock;

static ImageClock
image_clock (const MgFilterInput *in)
{
  ImageClock clock = { g_get_monotonic_time () +
                       in->config->image.max_seconds * G_USEC_PER_SEC };

  if (in->budget != NULL && in->budget->deadline != 0 &&
      in->budget->deadline < clock.deadline) {
    clock.deadline = in->budget->deadline;
    clock.message = TRUE;
  }
  return clock;
}

static gboolean
clock_passed (ImageClock *clock)
{
  clock->passed = clock->passed || g_get_monotonic_time () > clock->deadline;
  return clock->passed;
}

static char *
clock_detail (const ImageClock *clock, const MgImageLimits *limits)
{
  if (clock->message)
    return g_strdup ("the message's time ([sandbox] job_timeout) ran out while this image was"
                     " decoded or encoded");
  return g_strdup_printf (
      "decoding and encoding took longer than [image] max_seconds (%" G_GINT64_FORMAT " s)",
      limits->max_seconds);
}

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
  if (width > probe->limits->max_dimension || height > probe->limits->max_dimension ||
      (gint64) width * height > probe->limits->max_pixels) {
    probe->too_big = TRUE;
    gdk_pixbuf_loader_set_size (loader, 0, 0);
  }
}

static char *
limit_detail (const MgImageLimits *l, int width, int height)
{
  if (width > l->max_dimension || height > l->max_dimension)
    return g_strdup_printf ("%d x %d pixels: a side is longer than [image] max_dimension"
                            " (%" G_GINT64_FORMAT ")",
                            width, height, l->max_dimension);
  return g_strdup_printf ("%d x %d pixels: more than [image] max_pixels (%" G_GINT64_FORMAT
                          ")",
                          width, height, l->max_pixels);
}

/* DATA to LOADER in chunks, the time checked between them (the decoders
 * work row by row as bytes come). FALSE on a decoder error or when CLOCK
 * passed; stops early once PROBE says the size is known and STOP_AT_SIZE. */
static gboolean
loader_feed (GdkPixbufLoader *loader, const guchar *data, gsize len, ImageClock *clock,
             const ImageProbe *probe, gboolean stop_at_size, GError **error)
{
  for (gsize off = 0; off < len; off += MG_IMAGE_CHUNK) {
    if ((clock != NULL && clock_passed (clock)) || (stop_at_size && probe->width > 0))
      return FALSE;
    if (!gdk_pixbuf_loader_write (loader, data + off, MIN (len - off, MG_IMAGE_CHUNK), error))
      return FALSE;
  }
  return TRUE;
}

/* Feed INPUT to a loader of KIND. Returns the loader when the image decoded
 * whole; otherwise NULL with RESULT saying why it was removed. */
static GdkPixbufLoader *
image_load (GBytes *input, const ImageKind *kind, const MgImageLimits *limits,
            ImageClock *clock, MgFilterResult *result)
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
  gboolean ok = loader_feed (loader, data, len, clock, &probe, FALSE, &error);
  /* close even after a failed write: the loader must always be closed */
  ok = gdk_pixbuf_loader_close (loader, ok ? &error : NULL) && ok && !clock_passed (clock);
  g_signal_handlers_disconnect_by_data (loader, &probe); /* PROBE is on this stack */
  if (ok && !probe.too_big && gdk_pixbuf_loader_get_pixbuf (loader) != NULL)
    return loader;
  if (probe.too_big)
    image_remove (result, MG_REASON_LIMIT, limit_detail (limits, probe.width, probe.height));
  else if (clock->passed)
    image_remove (result, MG_REASON_LIMIT, clock_detail (clock, limits));
  else
    image_remove (result, MG_REASON_CONVERT_FAILED,
                  g_strdup_printf ("the %s image does not decode: %s", kind->label,
                                   error != NULL ? error->message : "no pixels"));
  g_object_unref (loader);
  return NULL;
}

/* --- encoding ---------------------------------------------------------- */

typedef struct {
  GByteArray *out;
  ImageClock *clock;
} ImageSink;

/* GdkPixbufSaveFunc: the encoder's output, the time checked between writes. */
static gboolean
sink_write (const gchar *buf, gsize count, GError **error, gpointer data)
{
  ImageSink *sink = data;

  if (clock_passed (sink->clock)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "out of time");
    return FALSE;
  }
  g_byte_array_append (sink->out, (const guint8 *) buf, (guint) count);
  return TRUE;
}

/* PIXELS as a new PNG or JPEG; the encoder gets no metadata to write. */
static GBytes *
image_encode (GdkPixbuf *pixels, gboolean jpeg, ImageClock *clock, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  ImageSink sink = { out, clock };
  gboolean ok;

  if (jpeg)
    ok = gdk_pixbuf_save_to_callback (pixels, sink_write, &sink, "jpeg", error, "quality",
                                      MG_IMAGE_JPEG_QUALITY, NULL);
  else
    ok = gdk_pixbuf_save_to_callback (pixels, sink_write, &sink, "png", error, NULL);
  if (!ok)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* PIXELS as a new JPEG in the form the lossless path writes (optimised
 * Huffman tables), so that sanitising it again gives the same bytes. */
static GBytes *
image_encode_jpeg (GdkPixbuf *pixels, const MgImageLimits *limits, ImageClock *clock,
                   GError **error)
{
  g_autoptr (GBytes) encoded = image_encode (pixels, TRUE, clock, error);
  g_auto (MgImageJpeg) jpeg = { 0 };

  if (encoded == NULL)
    return NULL;
  if (mg_image_jpeg_transcode (encoded, limits, clock->deadline, &jpeg) !=
      MG_IMAGE_JPEG_DONE) {
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
              gboolean rotated, const MgImageLimits *limits)
{
  GdkPixbufAnimation *animation = gdk_pixbuf_loader_get_animation (loader);
  gboolean animated = animation != NULL && !gdk_pixbuf_animation_is_static_image (animation);

  return g_strdup_printf (
      "%s %d x %d re-encoded as %s; metadata and trailing data "
      "dropped%s%s%s",
      kind->label, gdk_pixbuf_get_width (pixels), gdk_pixbuf_get_height (pixels),
      kind->jpeg ? "JPEG" : "PNG", animated ? "; first frame of the animation kept" : "",
      rotated ? "; EXIF orientation applied to the pixels (the"
                " output is upright)"
              : "",
      kind->jpeg && limits->reencode == MG_IMAGE_REENCODE_PIXELS
          ? "; encoded anew from its pixels at quality " MG_IMAGE_JPEG_QUALITY
            " ([image] reencode = pixels)"
          : "");
}

static char *
jpeg_detail (const MgImageJpeg *jpeg)
{
  g_autofree char *damaged =
      jpeg->damaged == 0
          ? g_strdup ("")
          : g_strdup_printf (
                "; the image data is damaged or cut short (%ld libjpeg warnings) and "
                "kept as viewers show it",
                jpeg->damaged);

  return g_strdup_printf (
      "JPEG %d x %d written again from its DCT coefficients without "
      "loss; metadata and trailing data dropped%s%s",
      jpeg->width, jpeg->height,
      jpeg->progressive || jpeg->arithmetic ? "; coding made baseline Huffman" : "", damaged);
}

/* A TIFF of several pages (a fax) keeps its first: said in the reason, which
 * the notice shows, not only in the detail. */
static void
note_pages (MgFilterResult *result, GBytes *input)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (input, &len);
  guint pages = mg_image_tiff_pages (data, len);
  char *detail;

  if (pages < 2)
    return;
  result->reason = MG_REASON_PAGES_DROPPED;
  detail = g_strdup_printf ("%s; page 1 of %u%s kept, the others dropped", result->detail,
                            pages, pages >= MG_IMAGE_TIFF_MAX_PAGES ? " or more" : "");
  g_free (result->detail);
  result->detail = detail;
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
 * the pixels must be drawn again: *BASELINE_R is then NULL when the EXIF
 * orientation asks for the pixels of INPUT to be turned, or the transcoded
 * JPEG (one baseline scan, no marker) to decode when [image] reencode is
 * pixels. */
static gboolean
image_jpeg_lossless (GBytes *input, const MgFilterInput *in, const ImageKind *kind,
                     ImageClock *clock, MgFilterResult *result, GBytes **baseline_r)
{
  const MgImageLimits *limits = &in->config->image;
  g_auto (MgImageJpeg) jpeg = { 0 };

  *baseline_r = NULL;
  switch (mg_image_jpeg_transcode (input, limits, clock->deadline, &jpeg)) {
  case MG_IMAGE_JPEG_DONE:
    if (limits->reencode == MG_IMAGE_REENCODE_PIXELS) {
      *baseline_r = g_steal_pointer (&jpeg.output);
      return FALSE;
    }
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
                                   " 10)",
                                   MG_IMAGE_JPEG_MAX_SCANS));
    return TRUE;
  case MG_IMAGE_JPEG_TOO_SLOW:
    clock->passed = TRUE;
    image_remove (result, MG_REASON_LIMIT, clock_detail (clock, limits));
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
image_redraw (GBytes *input, const MgFilterInput *in, const ImageKind *kind, ImageClock *clock,
              MgFilterResult *result, GError **error)
{
  const MgImageLimits *limits = &in->config->image;

  if (!loader_available (kind->loader)) {
    image_remove (
        result, MG_REASON_NO_CONVERTER,
        g_strdup_printf ("no %s decoder is installed (a gdk-pixbuf loader)", kind->label));
    return TRUE;
  }
  g_autoptr (GdkPixbufLoader) loader = image_load (input, kind, limits, clock, result);
  if (loader == NULL)
    return TRUE;
  GdkPixbuf *decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  /* a camera's EXIF orientation is lost with the EXIF: turn the pixels instead */
  g_autoptr (GdkPixbuf) pixels = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (pixels == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "out of memory turning the image");
    return FALSE; /* the filter failed */
  }
  g_autoptr (GError) local = NULL;
  GBytes *output = kind->jpeg ? image_encode_jpeg (pixels, limits, clock, &local)
                              : image_encode (pixels, FALSE, clock, &local);
  if (output == NULL && clock->passed) {
    image_remove (result, MG_REASON_LIMIT, clock_detail (clock, limits));
    return TRUE;
  }
  if (output == NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  image_converted (result, in, kind, output,
                   image_detail (kind, pixels, loader, pixels != decoded, limits));
  if (g_str_equal (kind->type, "image/tiff"))
    note_pages (result, input);
  return TRUE;
}

/* A TIFF of several pages (a fax) written again with all of them, as a
 * TIFF; FALSE (RESULT untouched) when that fails: its first page is then
 * kept, and the notice says the others were dropped. */
static gboolean
image_tiff_all_pages (GBytes *input, const MgFilterInput *in, ImageClock *clock,
                      MgFilterResult *result)
{
  const MgImageLimits *limits = &in->config->image;
  gsize len;
  const guint8 *data = g_bytes_get_data (input, &len);
  gint64 budget = limits->max_message_pixels, pixels = 0;
  guint pages = 0;
  g_autofree char *why = NULL;

  if (mg_image_tiff_pages (data, len) < 2)
    return FALSE;
  if (in->budget != NULL) /* the first page was counted by the precheck */
    budget = MAX (0, limits->max_message_pixels - in->budget->image_pixels);
  GBytes *output = mg_image_tiff_rebuild (input, limits, budget, clock->deadline, &pages,
                                          &pixels, &why);
  if (output == NULL)
    return FALSE;
  if (in->budget != NULL)
    in->budget->image_pixels += pixels;
  const char *dot = in->filename != NULL ? strrchr (in->filename, '.') : NULL;
  result->action = MG_ACTION_CONVERTED;
  result->reason = MG_REASON_IMAGE_REENCODED;
  result->detail = g_strdup_printf ("TIFF of %u pages written again page by page from its "
                                    "pixels (black-and-white pages as CCITT G4, others as "
                                    "RGB); metadata dropped",
                                    pages);
  result->output = output;
  result->output_type = g_strdup ("image/tiff");
  result->output_extension = g_strdup (
      dot != NULL && g_ascii_strcasecmp (dot, ".tiff") == 0 ? ".tiff" : ".tif");
  return TRUE;
}

static gboolean
image_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result, GError **error)
{
  const ImageKind *kind = image_kind (in->detected_type);
  g_autoptr (GBytes) baseline = NULL;
  ImageClock clock;

  g_return_val_if_fail (in->config != NULL, FALSE);
  if (kind == NULL) {
    image_remove (result, MG_REASON_TYPE_NOT_ALLOWED, NULL);
    return TRUE;
  }
  clock = image_clock (in);
  if (g_str_equal (kind->type, "image/tiff") &&
      image_tiff_all_pages (input, in, &clock, result))
    return TRUE;
  if (kind->jpeg && image_jpeg_lossless (input, in, kind, &clock, result, &baseline))
    return TRUE;
  return image_redraw (baseline != NULL ? baseline : input, in, kind, &clock, result, error);
}

/* --- before the virus scan ---------------------------------------------- */

/* The width and height INPUT's header declares, read by a loader of KIND
 * that stops there (nothing is decoded); FALSE when it does not say. */
static gboolean
image_size (GBytes *input, const ImageKind *kind, int *width_r, int *height_r)
{
  /* every size is "too big" to these: the loader stops at the header */
  static const MgImageLimits none = { 0 };
  ImageProbe probe = { &none };
  gsize len;
  const guchar *data = g_bytes_get_data (input, &len);
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type (kind->loader, NULL);

  if (loader == NULL)
    return FALSE;
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &probe);
  loader_feed (loader, data, len, NULL, &probe, TRUE, NULL);
  gdk_pixbuf_loader_close (loader, NULL);
  g_signal_handlers_disconnect_by_data (loader, &probe);
  *width_r = probe.width;
  *height_r = probe.height;
  return probe.width > 0 && probe.height > 0;
}

/* MgFilter.precheck: an image over [image] max_pixels or max_dimension, one
 * that would take the message's images past max_message_pixels, or any once
 * the message's time ran out, is removed before it is scanned or decoded;
 * one that passes is counted. */
static gboolean
image_precheck (GBytes *input, const MgFilterInput *in, MgFilterResult *result)
{
  const MgImageLimits *limits = &in->config->image;
  const ImageKind *kind = image_kind (in->detected_type);
  int width, height;

  if (kind == NULL)
    return TRUE; /* the filter says why */
  if (in->budget != NULL && in->budget->deadline != 0 &&
      g_get_monotonic_time () > in->budget->deadline) {
    ImageClock late = { in->budget->deadline, TRUE, TRUE };
    image_remove (result, MG_REASON_LIMIT, clock_detail (&late, limits));
    return FALSE; /* no scan either: the job would be killed during it */
  }
  if (!loader_available (kind->loader) || !image_size (input, kind, &width, &height))
    return TRUE;
  gint64 pixels = (gint64) width * height;
  if (width > limits->max_dimension || height > limits->max_dimension ||
      pixels > limits->max_pixels) {
    image_remove (result, MG_REASON_LIMIT, limit_detail (limits, width, height));
    return FALSE;
  }
  if (in->budget == NULL)
    return TRUE;
  if (in->budget->image_pixels + pixels > limits->max_message_pixels) {
    image_remove (
        result, MG_REASON_LIMIT,
        g_strdup_printf ("%d x %d pixels: with the images before it, more than [image]"
                         " max_message_pixels (%" G_GINT64_FORMAT ") in one message",
                         width, height, limits->max_message_pixels));
    return FALSE;
  }
  in->budget->image_pixels += pixels;
  return TRUE;
}

const MgFilter mg_filter_image = {
  .name = "image",
  .types = image_types,
  .init = image_init,
  .sanitise = image_sanitise,
  .precheck = image_precheck,
};
