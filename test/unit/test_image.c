/* test_image.c - the image filter: metadata, trailing data and polyglot tails
 * gone, pixels kept, decompression bombs refused from the header, formats
 * mapped to PNG or JPEG, and a second pass giving the same bytes. The hostile
 * images are built here from images gdk-pixbuf encodes, by adding chunks and
 * segments by hand. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "filters/image.h"
#include "filters/registry.h"
#include "filter_test.h"

#define SENTINEL "MUGAI-IMAGE-PAYLOAD"


/* --- building images --------------------------------------------------- */

static GdkPixbuf *
test_pixels (int width, int height, gboolean alpha)
{
  GdkPixbuf *pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int channels = gdk_pixbuf_get_n_channels (pb), stride = gdk_pixbuf_get_rowstride (pb);
  guchar *pixels = gdk_pixbuf_get_pixels (pb);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      guchar *p = pixels + y * stride + x * channels;
      p[0] = (guchar) (x * 5);
      p[1] = (guchar) (y * 7);
      p[2] = (guchar) ((x / 8 + y / 8) % 2 ? 200 : 30);
      if (alpha)
        p[3] = (guchar) (x % 4 == 0 ? 128 : 255);
    }
  return pb;
}

static GByteArray *
encode (GdkPixbuf *pb, const char *format)
{
  gchar *data;
  gsize len;
  g_autoptr (GError) error = NULL;

  g_assert_true (gdk_pixbuf_save_to_buffer (pb, &data, &len, format, &error, NULL));
  g_assert_no_error (error);
  GByteArray *out = g_byte_array_new ();
  g_byte_array_append (out, (guchar *) data, len);
  g_free (data);
  return out;
}

static guint32
png_crc (const guchar *data, gsize len)
{
  guint32 c = 0xffffffff;

  for (gsize i = 0; i < len; i++) {
    c ^= data[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return c ^ 0xffffffff;
}

static void
append_be32 (GByteArray *out, guint32 v)
{
  guchar b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static void
png_chunk (GByteArray *out, const char *type, const void *data, guint32 len)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();

  g_byte_array_append (body, (const guchar *) type, 4);
  g_byte_array_append (body, data, len);
  append_be32 (out, len);
  g_byte_array_append (out, body->data, body->len);
  append_be32 (out, png_crc (body->data, body->len));
}

/* A local file header of a ZIP holding SENTINEL, as a polyglot tail. */
static void
append_zip (GByteArray *out)
{
  static const guchar header[] = { 'P', 'K', 3, 4, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 19, 0, 0, 0, 19, 0, 0, 0, 5, 0, 0, 0 };

  g_byte_array_append (out, header, sizeof header);
  g_byte_array_append (out, (const guchar *) "a.bat", 5);
  g_byte_array_append (out, (const guchar *) SENTINEL, strlen (SENTINEL));
}

/* A PNG of PB with tEXt/zTXt-like metadata before IEND and a ZIP after it. */
static GByteArray *
hostile_png (GdkPixbuf *pb)
{
  g_autoptr (GByteArray) clean = encode (pb, "png");
  GByteArray *out = g_byte_array_new ();
  static const char text[] = "Comment\0" SENTINEL;

  g_assert_cmpuint (clean->len, >, 12);
  g_byte_array_append (out, clean->data, clean->len - 12);        /* without IEND */
  png_chunk (out, "tEXt", text, sizeof text - 1);
  png_chunk (out, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0" SENTINEL, 23 + strlen (SENTINEL));
  png_chunk (out, "IEND", NULL, 0);
  append_zip (out);
  return out;
}

/* A PNG header declaring WIDTH x HEIGHT, a tiny IDAT and IEND. */
static GByteArray *
bomb_png (guint32 width, guint32 height)
{
  static const guchar signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guchar idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
  guchar ihdr[13] = { width >> 24, width >> 16, width >> 8, width,
                      height >> 24, height >> 16, height >> 8, height, 8, 2, 0, 0, 0 };
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, signature, sizeof signature);
  png_chunk (out, "IHDR", ihdr, sizeof ihdr);
  png_chunk (out, "IDAT", idat, sizeof idat);
  png_chunk (out, "IEND", NULL, 0);
  return out;
}

/* APP1 Exif segment: a big-endian TIFF with an orientation and a text tag. */
static void
append_exif (GByteArray *out, guint16 orientation)
{
  GByteArray *tiff = g_byte_array_new ();
  static const guchar head[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2 };
  guint32 text_offset = 8 + 2 + 2 * 12 + 4;
  guchar entries[24] = { 0x01, 0x0e, 0, 2, 0, 0, 0, sizeof SENTINEL,
                         text_offset >> 24, text_offset >> 16, text_offset >> 8, text_offset,
                         0x01, 0x12, 0, 3, 0, 0, 0, 1, orientation >> 8, orientation, 0, 0 };

  g_byte_array_append (tiff, head, sizeof head);
  g_byte_array_append (tiff, entries, sizeof entries);
  g_byte_array_append (tiff, (const guchar *) "\0\0\0\0", 4);
  g_byte_array_append (tiff, (const guchar *) SENTINEL, sizeof SENTINEL);
  guint16 len = 2 + 6 + tiff->len;
  guchar marker[4] = { 0xff, 0xe1, len >> 8, len };
  g_byte_array_append (out, marker, 4);
  g_byte_array_append (out, (const guchar *) "Exif\0\0", 6);
  g_byte_array_append (out, tiff->data, tiff->len);
  g_byte_array_unref (tiff);
}

/* A JPEG of PB with EXIF (ORIENTATION), a comment segment, and data after EOI. */
static GByteArray *
hostile_jpeg (GdkPixbuf *pb, guint16 orientation)
{
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");
  GByteArray *out = g_byte_array_new ();
  guint16 comment_len = 2 + strlen (SENTINEL);
  guchar comment[4] = { 0xff, 0xfe, comment_len >> 8, comment_len };

  g_byte_array_append (out, clean->data, 2);                       /* SOI */
  append_exif (out, orientation);
  g_byte_array_append (out, comment, 4);
  g_byte_array_append (out, (const guchar *) SENTINEL, strlen (SENTINEL));
  g_byte_array_append (out, clean->data + 2, clean->len - 2);
  append_zip (out);
  return out;
}

/* Two 2 x 2 frames, a comment extension and a trailer followed by junk. */
static GByteArray *
animated_gif (void)
{
  static const guchar head[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0,
    0xff, 0x00, 0x00, 0x00, 0x00, 0xff,                           /* red, blue */
    0x21, 0xff, 11, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0', 3, 1, 0, 0, 0,
  };
  static const guchar frame[] = {
    0x21, 0xf9, 4, 0, 10, 0, 0, 0,
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 3, 0x44, 0x02, 0x05, 0,
  };
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, head, sizeof head);
  g_byte_array_append (out, (const guchar *) "\x21\xfe", 2);
  guchar n = strlen (SENTINEL);
  g_byte_array_append (out, &n, 1);
  g_byte_array_append (out, (const guchar *) SENTINEL "\0", n + 1);
  g_byte_array_append (out, frame, sizeof frame);
  g_byte_array_append (out, frame, sizeof frame);
  g_byte_array_append (out, (const guchar *) ";", 1);
  append_zip (out);
  return out;
}

/* --- running the filter ------------------------------------------------ */

static void
run_image (const guchar *data, gsize len, const char *type, const char *filename,
           MgFilterResult *result)
{
  g_autoptr (GBytes) input = g_bytes_new (data, len);
  MgFilterInput in = { .detected_type = type, .filename = filename, .config = config };
  g_autoptr (GError) error = NULL;

  memset (result, 0, sizeof *result);
  g_assert_true (mg_filter_image.sanitise (input, &in, result, &error));
  g_assert_no_error (error);
  if (result->output != NULL) {
    g_assert_true (result->output != input);
    g_assert_false (g_bytes_equal (result->output, input));
  }
}

static GdkPixbuf *
decode (GBytes *bytes)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  gsize len;
  const guchar *data = g_bytes_get_data (bytes, &len);

  g_assert_true (gdk_pixbuf_loader_write (loader, data, len, NULL));
  g_assert_true (gdk_pixbuf_loader_close (loader, NULL));
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

static void
assert_absent (GBytes *bytes, const void *needle, gsize len)
{
  gsize n;
  const guchar *data = g_bytes_get_data (bytes, &n);

  if (memmem (data, n, needle, len) != NULL)
    g_error ("output still holds %.*s", (int) len, (const char *) needle);
}

static void
assert_same_pixels (GdkPixbuf *a, GdkPixbuf *b)
{
  int height = gdk_pixbuf_get_height (a);
  gsize row = gdk_pixbuf_get_width (a) * gdk_pixbuf_get_n_channels (a);

  g_assert_cmpint (gdk_pixbuf_get_width (a), ==, gdk_pixbuf_get_width (b));
  g_assert_cmpint (height, ==, gdk_pixbuf_get_height (b));
  g_assert_cmpint (gdk_pixbuf_get_n_channels (a), ==, gdk_pixbuf_get_n_channels (b));
  for (int y = 0; y < height; y++)
    g_assert_cmpmem (gdk_pixbuf_get_pixels (a) + y * gdk_pixbuf_get_rowstride (a), row,
                     gdk_pixbuf_get_pixels (b) + y * gdk_pixbuf_get_rowstride (b), row);
}

/* The PNG output ends with IEND and holds only the critical chunks and the
 * sBIT that gdk-pixbuf's encoder writes itself. */
static void
assert_bare_png (GBytes *png)
{
  gsize len, pos = 8;
  const guchar *d = g_bytes_get_data (png, &len);

  while (pos + 12 <= len) {
    guint32 n = (guint32) d[pos] << 24 | d[pos + 1] << 16 | d[pos + 2] << 8 | d[pos + 3];
    g_autofree char *type = g_strndup ((const char *) d + pos + 4, 4);
    if (!g_strv_contains ((const char *const[]) { "IHDR", "PLTE", "IDAT", "IEND", "sBIT", NULL }, type))
      g_error ("the output PNG holds a %s chunk", type);
    pos += 12 + n;
    if (g_str_equal (type, "IEND"))
      break;
  }
  g_assert_cmpuint (pos, ==, len);
}

/* RESULT is a conversion to TYPE named with EXTENSION that carries neither
 * the sentinel nor a ZIP. */
static void
assert_converted (const MgFilterResult *result, const char *type, const char *extension)
{
  g_assert_cmpint (result->action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpint (result->reason, ==, MG_REASON_IMAGE_REENCODED);
  g_assert_cmpstr (result->output_type, ==, type);
  g_assert_cmpstr (result->output_extension, ==, extension);
  assert_absent (result->output, SENTINEL, strlen (SENTINEL));
  assert_absent (result->output, "PK\x03\x04", 4);
}

/* --- tests ------------------------------------------------------------- */

static void
test_png_metadata_and_tail (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 48, TRUE);
  g_autoptr (GByteArray) png = hostile_png (pb);
  MgFilterResult r;

  run_image (png->data, png->len, "image/png", "図.PNG", &r);
  assert_converted (&r, "image/png", ".png");
  assert_absent (r.output, "tEXt", 4);
  assert_bare_png (r.output);
  g_autoptr (GdkPixbuf) out = decode (r.output);
  assert_same_pixels (pb, out);
  mg_filter_result_clear (&r);
}

static void
test_jpeg_exif_comment_tail (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 48, FALSE);
  g_autoptr (GByteArray) jpeg = hostile_jpeg (pb, 1);
  MgFilterResult r;

  run_image (jpeg->data, jpeg->len, "image/jpeg", "photo.JPEG", &r);
  assert_converted (&r, "image/jpeg", ".jpeg");
  assert_absent (r.output, "Exif", 4);
  assert_absent (r.output, "\xff\xfe", 2);        /* no comment segment */
  gsize len;
  const guchar *d = g_bytes_get_data (r.output, &len);
  g_assert_cmpmem (d + len - 2, 2, "\xff\xd9", 2);  /* ends at EOI */
  g_autoptr (GdkPixbuf) out = decode (r.output);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 64);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, 48);
  mg_filter_result_clear (&r);
}

/* The EXIF orientation is gone with the EXIF, so the pixels are turned. */
static void
test_jpeg_orientation_applied (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 48, FALSE);
  g_autoptr (GByteArray) jpeg = hostile_jpeg (pb, 6);
  MgFilterResult r;

  run_image (jpeg->data, jpeg->len, "image/jpeg", NULL, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpstr (r.output_extension, ==, ".jpg");
  g_autoptr (GdkPixbuf) out = decode (r.output);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 48);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, 64);
  g_assert_nonnull (strstr (r.detail, "orientation"));
  mg_filter_result_clear (&r);
}

static void
assert_bomb_removed (guint32 width, guint32 height)
{
  g_autoptr (GByteArray) png = bomb_png (width, height);
  MgFilterResult r;
  gint64 start = g_get_monotonic_time ();

  run_image (png->data, png->len, "image/png", "bomb.png", &r);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_LIMIT);
  g_assert_null (r.output);
  g_assert_nonnull (strstr (r.detail, "[image] max_"));
  mg_filter_result_clear (&r);
}

static void
test_bomb_refused_from_header (void)
{
  assert_bomb_removed (100000, 100000);   /* 10^10 pixels */
  assert_bomb_removed (20000, 20000);     /* 1.6 GB of RGBA, each side allowed */
  assert_bomb_removed (40000, 10);        /* one side too long */
}

static void
test_gif_first_frame_to_png (void)
{
  g_autoptr (GByteArray) gif = animated_gif ();
  MgFilterResult r;

  run_image (gif->data, gif->len, "image/gif", "anime.gif", &r);
  assert_converted (&r, "image/png", ".png");
  g_assert_nonnull (strstr (r.detail, "first frame"));
  assert_bare_png (r.output);
  g_autoptr (GdkPixbuf) out = decode (r.output);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 2);
  mg_filter_result_clear (&r);
}

/* TRUE when gdk-pixbuf has a format NAME (that can write, with WRITABLE). */
static gboolean
format_has (const char *name, gboolean writable)
{
  GSList *formats = gdk_pixbuf_get_formats ();
  gboolean found = FALSE;

  for (GSList *l = formats; l != NULL; l = l->next) {
    g_autofree char *n = gdk_pixbuf_format_get_name (l->data);
    found = found || (g_str_equal (n, name)
                      && (!writable || gdk_pixbuf_format_is_writable (l->data)));
  }
  g_slist_free (formats);
  return found;
}

#define format_writable(name) format_has ((name), TRUE)
#define format_known(name) format_has ((name), FALSE)

/* BMP and TIFF (written here by gdk-pixbuf) come out as PNG, same pixels. */
static void
test_bmp_tiff_to_png (void)
{
  static const struct { const char *format, *type; } cases[] = {
    { "bmp", "image/bmp" }, { "bmp", "image/x-ms-bmp" }, { "tiff", "image/tiff" },
  };
  g_autoptr (GdkPixbuf) pb = test_pixels (40, 30, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    if (!format_writable (cases[i].format)) {
      g_test_message ("gdk-pixbuf cannot write %s here", cases[i].format);
      continue;
    }
    g_autoptr (GByteArray) data = encode (pb, cases[i].format);
    append_zip (data);
    MgFilterResult r;
    run_image (data->data, data->len, cases[i].type, "scan.tif", &r);
    assert_converted (&r, "image/png", ".png");
    assert_bare_png (r.output);
    g_autoptr (GdkPixbuf) out = decode (r.output);
    g_autoptr (GdkPixbuf) opaque = gdk_pixbuf_get_has_alpha (out)
      ? gdk_pixbuf_add_alpha (pb, FALSE, 0, 0, 0) : g_object_ref (pb);
    assert_same_pixels (opaque, out);
    mg_filter_result_clear (&r);
  }
}

/* WebP: converted where a loader exists, otherwise removed with a reason. */
static void
test_webp_without_loader (void)
{
  static const guchar riff[] = "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
  MgFilterResult r;

  if (format_known ("webp")) {
    g_test_skip ("a WebP loader is installed");
    return;
  }
  run_image (riff, sizeof riff - 1, "image/webp", "a.webp", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_NO_CONVERTER);
  g_assert_nonnull (strstr (r.detail, "WebP"));
  mg_filter_result_clear (&r);
}

/* The loader follows the detected type: JPEG bytes called PNG do not decode,
 * and nothing is handed to gdk-pixbuf's sniffing (which would run SVG). */
static void
test_loader_follows_detected_type (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (8, 8, FALSE);
  g_autoptr (GByteArray) jpeg = encode (pb, "jpeg");
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" "
                            "height=\"8\"><script>alert(1)</script></svg>";
  MgFilterResult r;

  run_image (jpeg->data, jpeg->len, "image/png", "x.png", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_CONVERT_FAILED);
  mg_filter_result_clear (&r);
  run_image ((const guchar *) svg, strlen (svg), "image/png", "x.png", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  mg_filter_result_clear (&r);
  g_assert_null (mg_filter_registry_find ("image/svg+xml"));
  g_assert_true (mg_filter_registry_find ("image/png") == &mg_filter_image);
}

/* Images cut before their pixels do not decode and are removed. (One cut
 * inside its pixel data comes out as gdk-pixbuf fills it, grey below the cut,
 * as viewers show it.) */
static void
test_truncated_removed (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 64, FALSE);
  g_autoptr (GByteArray) png = encode (pb, "png");
  g_autoptr (GByteArray) jpeg = encode (pb, "jpeg");
  const GByteArray *cut[] = { png, jpeg };
  const gsize lengths[] = { 20, 100 };
  const char *types[] = { "image/png", "image/jpeg" };

  for (gsize i = 0; i < G_N_ELEMENTS (cut); i++) {
    MgFilterResult r;
    run_image (cut[i]->data, lengths[i], types[i], "cut", &r);
    g_test_message ("%s: %s", types[i], r.detail);
    g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
    g_assert_cmpint (r.reason, ==, MG_REASON_CONVERT_FAILED);
    g_assert_nonnull (strstr (r.detail, "does not decode"));
    g_assert_null (r.output);
    mg_filter_result_clear (&r);
  }
}

/* THREATS 67: the output sanitised again is the same bytes (PNG, GIF). */
static void
test_second_pass_identical (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 48, TRUE);
  g_autoptr (GByteArray) png = hostile_png (pb);
  g_autoptr (GByteArray) gif = animated_gif ();
  const GByteArray *inputs[] = { png, gif };
  const char *types[] = { "image/png", "image/gif" };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++) {
    MgFilterResult first, second;
    run_image (inputs[i]->data, inputs[i]->len, types[i], "a", &first);
    gsize len;
    const guchar *d = g_bytes_get_data (first.output, &len);
    g_autoptr (GBytes) again = g_bytes_new (d, len);
    MgFilterInput in = { .detected_type = "image/png", .config = config };
    memset (&second, 0, sizeof second);
    g_assert_true (mg_filter_image.sanitise (again, &in, &second, NULL));
    g_assert_cmpint (second.action, ==, MG_ACTION_CONVERTED);
    g_assert_true (g_bytes_equal (first.output, second.output));
    mg_filter_result_clear (&first);
    mg_filter_result_clear (&second);
  }
}

/* JPEG is decoded and encoded again at quality 90, which is not a fixed
 * point: a second pass keeps the size within a few percent, not exactly. */
static void
test_jpeg_second_pass (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (128, 96, FALSE);
  g_autoptr (GByteArray) jpeg = hostile_jpeg (pb, 1);
  MgFilterResult first, second;

  run_image (jpeg->data, jpeg->len, "image/jpeg", "a.jpg", &first);
  gsize len;
  const guchar *d = g_bytes_get_data (first.output, &len);
  run_image (d, len, "image/jpeg", "a.jpg", &second);
  gsize len2 = g_bytes_get_size (second.output);
  g_test_message ("JPEG first pass %zu bytes, second %zu", len, len2);
  g_assert_cmpuint (len2 * 100, >=, len * 95);
  g_assert_cmpuint (len2 * 100, <=, len * 105);
  mg_filter_result_clear (&first);
  mg_filter_result_clear (&second);
}

static void
test_limits_configurable (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (100, 100, FALSE);
  g_autoptr (GByteArray) png = encode (pb, "png");
  MgFilterResult r;

  config->image.max_pixels = 9999;
  run_image (png->data, png->len, "image/png", "a.png", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_LIMIT);
  mg_filter_result_clear (&r);
}

static const MgFilterTest tests[] = {
  { "/image/png-metadata-and-tail", test_png_metadata_and_tail },
  { "/image/jpeg-exif-comment-tail", test_jpeg_exif_comment_tail },
  { "/image/jpeg-orientation", test_jpeg_orientation_applied },
  { "/image/bomb-refused-from-header", test_bomb_refused_from_header },
  { "/image/gif-first-frame", test_gif_first_frame_to_png },
  { "/image/bmp-tiff-to-png", test_bmp_tiff_to_png },
  { "/image/webp", test_webp_without_loader },
  { "/image/loader-follows-type", test_loader_follows_detected_type },
  { "/image/truncated", test_truncated_removed },
  { "/image/second-pass-identical", test_second_pass_identical },
  { "/image/jpeg-second-pass", test_jpeg_second_pass },
  { "/image/limits-configurable", test_limits_configurable },
};

int
main (int argc, char **argv)
{
  return run_filter_tests (argc, argv, &mg_filter_image, tests, G_N_ELEMENTS (tests));
}
