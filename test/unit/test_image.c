/* test_image.c - the image filter: metadata, trailing data and polyglot tails
 * gone, pixels kept, decompression bombs refused from the header, formats
 * mapped to PNG or JPEG, and a second pass giving the same bytes. JPEG is
 * transcoded without loss: its pixels decode the same, whatever its coding,
 * and damaged ones are removed without a crash. The hostile images are built
 * here from images gdk-pixbuf encodes, by adding chunks and segments by hand,
 * and recoded with libjpeg into other codings. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

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

/* PB written as FORMAT, with one option KEY=VALUE (or none). */
static GByteArray *
encode_with (GdkPixbuf *pb, const char *format, const char *key, const char *value)
{
  gchar *data;
  gsize len;
  g_autoptr (GError) error = NULL;

  g_assert_true (
      gdk_pixbuf_save_to_buffer (pb, &data, &len, format, &error, key, value, NULL));
  g_assert_no_error (error);
  GByteArray *out = g_byte_array_new ();
  g_byte_array_append (out, (guchar *) data, len);
  g_free (data);
  return out;
}

static GByteArray *
encode (GdkPixbuf *pb, const char *format)
{
  return encode_with (pb, format, NULL, NULL);
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
  static const guchar header[] = { 'P', 'K', 3, 4,  10, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0,
                                   0,   0,   0, 19, 0,  0, 0, 19, 0, 0, 0, 5, 0, 0, 0 };

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
  g_byte_array_append (out, clean->data, clean->len - 12); /* without IEND */
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
  guchar ihdr[13] = { width >> 24,
                      width >> 16,
                      width >> 8,
                      width,
                      height >> 24,
                      height >> 16,
                      height >> 8,
                      height,
                      8,
                      2,
                      0,
                      0,
                      0 };
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, signature, sizeof signature);
  png_chunk (out, "IHDR", ihdr, sizeof ihdr);
  png_chunk (out, "IDAT", idat, sizeof idat);
  png_chunk (out, "IEND", NULL, 0);
  return out;
}

/* V in BYTES bytes, big- or little-endian. */
static void
append_int (GByteArray *out, guint32 v, int bytes, gboolean big_endian)
{
  for (int i = 0; i < bytes; i++) {
    guchar b = v >> (8 * (big_endian ? bytes - 1 - i : i));
    g_byte_array_append (out, &b, 1);
  }
}

/* A segment MARKER holding HEAD (HEAD_LEN bytes) then SENTINEL. */
static void
append_segment (GByteArray *out, guchar marker, const void *head, gsize head_len)
{
  guint16 len = 2 + head_len + strlen (SENTINEL);
  guchar m[4] = { 0xff, marker, len >> 8, len };

  g_byte_array_append (out, m, 4);
  g_byte_array_append (out, head, head_len);
  g_byte_array_append (out, (const guchar *) SENTINEL, strlen (SENTINEL));
}

/* APP1 Exif segment: a TIFF (PAD bytes after "Exif\0\0") with a text tag
 * and an orientation tag of TYPE (3 SHORT, 9 SLONG) and COUNT values. */
static void
append_exif_tag (GByteArray *out, guint32 orientation, gboolean be, guint16 type,
                 guint32 count, gsize pad)
{
  g_autoptr (GByteArray) tiff = g_byte_array_new ();
  guint32 text_offset = 8 + 2 + 2 * 12 + 4;

  g_byte_array_append (tiff, (const guchar *) (be ? "MM" : "II"), 2);
  append_int (tiff, 42, 2, be);
  append_int (tiff, 8, 4, be);     /* IFD0 */
  append_int (tiff, 2, 2, be);     /* two tags */
  append_int (tiff, 0x10e, 2, be); /* ImageDescription, ASCII */
  append_int (tiff, 2, 2, be);
  append_int (tiff, sizeof SENTINEL, 4, be);
  append_int (tiff, text_offset, 4, be);
  append_int (tiff, 0x112, 2, be); /* Orientation */
  append_int (tiff, type, 2, be);
  append_int (tiff, count, 4, be);
  append_int (tiff, orientation, type == 3 ? 2 : 4, be);
  append_int (tiff, 0, type == 3 ? 2 : 0, be);
  append_int (tiff, 0, 4, be); /* no IFD1 */
  g_byte_array_append (tiff, (const guchar *) SENTINEL, sizeof SENTINEL);
  guint16 len = 2 + 6 + pad + tiff->len;
  guchar marker[4] = { 0xff, 0xe1, len >> 8, len };
  g_byte_array_append (out, marker, 4);
  g_byte_array_append (out, (const guchar *) "Exif\0\0\0\0\0\0", 6 + pad);
  g_byte_array_append (out, tiff->data, tiff->len);
}

static void
append_exif (GByteArray *out, guint16 orientation, gboolean be)
{
  append_exif_tag (out, orientation, be, 3, 1, 0);
}

/* After the SOI of CLEAN: EXIF (ORIENTATION, big- or little-endian), XMP,
 * an ICC profile, Photoshop IRB, a JFIF extension, a comment; a ZIP after EOI. */
static GByteArray *
hostile_jpeg_from (const GByteArray *clean, guint16 orientation, gboolean be)
{
  static const char xmp[] = "http://ns.adobe.com/xap/1.0/";
  static const char icc[] = "ICC_PROFILE\0\1\1";
  static const char irb[] = "Photoshop 3.0\08BIM\4\4\0\0\0\0\0\x13";
  static const char jfxx[] = "JFXX\0\x10"; /* a JPEG thumbnail */
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, clean->data, 2); /* SOI */
  append_exif (out, orientation, be);
  append_segment (out, 0xe1, xmp, sizeof xmp);
  append_segment (out, 0xe2, icc, sizeof icc - 1);
  append_segment (out, 0xed, irb, sizeof irb - 1);
  append_segment (out, 0xe0, jfxx, sizeof jfxx - 1);
  append_segment (out, 0xfe, "", 0); /* COM */
  g_byte_array_append (out, clean->data + 2, clean->len - 2);
  append_zip (out);
  return out;
}

/* A JPEG of PB with the metadata of hostile_jpeg_from. */
static GByteArray *
hostile_jpeg (GdkPixbuf *pb, guint16 orientation)
{
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");

  return hostile_jpeg_from (clean, orientation, TRUE);
}

typedef enum {
  CODING_PROGRESSIVE = 1 << 0,
  CODING_ARITHMETIC = 1 << 1,
  CODING_RESTART = 1 << 2,
} Coding;

/* JPEG's coefficients written again by libjpeg in CODING, or with the scan
 * script SCANS (N_SCANS) when one is given. */
static GByteArray *
recode (const GByteArray *jpeg, Coding coding, const jpeg_scan_info *scans, int n_scans)
{
  struct jpeg_decompress_struct in;
  struct jpeg_compress_struct out;
  struct jpeg_error_mgr in_err, out_err;
  unsigned char *buffer = NULL;
  unsigned long size = 0;

  in.err = jpeg_std_error (&in_err);
  out.err = jpeg_std_error (&out_err);
  jpeg_create_decompress (&in);
  jpeg_create_compress (&out);
  jpeg_mem_src (&in, jpeg->data, jpeg->len);
  jpeg_read_header (&in, TRUE);
  jvirt_barray_ptr *coefficients = jpeg_read_coefficients (&in);
  jpeg_copy_critical_parameters (&in, &out);
  if (coding & CODING_PROGRESSIVE)
    jpeg_simple_progression (&out);
  out.arith_code = (coding & CODING_ARITHMETIC) != 0;
  out.restart_interval = (coding & CODING_RESTART) != 0 ? 2 : 0;
  out.scan_info = scans != NULL ? scans : out.scan_info;
  out.num_scans = scans != NULL ? n_scans : out.num_scans;
  jpeg_mem_dest (&out, &buffer, &size);
  jpeg_write_coefficients (&out, coefficients);
  jpeg_finish_compress (&out);
  jpeg_destroy_compress (&out);
  jpeg_destroy_decompress (&in);
  GByteArray *recoded = g_byte_array_new ();
  g_byte_array_append (recoded, buffer, size);
  free (buffer);
  return recoded;
}

/* A W x H JPEG written by libjpeg from a pattern in IN_SPACE, stored as
 * JPEG_SPACE (RGB and CMYK get an Adobe marker, grey and YCbCr a JFIF one). */
static GByteArray *
pattern_jpeg (int w, int h, J_COLOR_SPACE in_space, J_COLOR_SPACE jpeg_space, int components)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  unsigned char *buffer = NULL;
  unsigned long size = 0;
  g_autofree JSAMPLE *row = g_malloc ((gsize) w * components);

  c.err = jpeg_std_error (&err);
  jpeg_create_compress (&c);
  jpeg_mem_dest (&c, &buffer, &size);
  c.image_width = w;
  c.image_height = h;
  c.input_components = components;
  c.in_color_space = in_space;
  jpeg_set_defaults (&c);
  jpeg_set_colorspace (&c, jpeg_space);
  jpeg_start_compress (&c, TRUE);
  while (c.next_scanline < c.image_height) {
    for (int x = 0; x < w * components; x++)
      row[x] = (JSAMPLE) (x * 3 + c.next_scanline * 5 + (x / 16 % 2) * 90);
    jpeg_write_scanlines (&c, &row, 1);
  }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  GByteArray *out = g_byte_array_new ();
  g_byte_array_append (out, buffer, size);
  free (buffer);
  return out;
}

/* Where the first segment MARKER of JPEG starts (its 0xff). */
static gsize
find_segment (const GByteArray *jpeg, guchar marker)
{
  gsize pos = 2;

  while (pos + 4 <= jpeg->len && jpeg->data[pos + 1] != marker)
    pos += 2 + (jpeg->data[pos + 2] << 8 | jpeg->data[pos + 3]);
  g_assert_cmpuint (pos + 4, <=, jpeg->len);
  return pos;
}

/* JPEG without its first segment MARKER. */
static GByteArray *
without_segment (const GByteArray *jpeg, guchar marker)
{
  gsize at = find_segment (jpeg, marker);
  gsize len = 2 + (jpeg->data[at + 2] << 8 | jpeg->data[at + 3]);
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, jpeg->data, at);
  g_byte_array_append (out, jpeg->data + at + len, jpeg->len - at - len);
  return out;
}

/* Two 2 x 2 frames, a comment extension and a trailer followed by junk. */
static GByteArray *
animated_gif (void)
{
  static const guchar head[] = {
    'G',  'I',  'F', '8',  '9',  'a',  2,    0,    2,    0,
    0x80, 0,    0,   0xff, 0x00, 0x00, 0x00, 0x00, 0xff, /* red, blue */
    0x21, 0xff, 11,  'N',  'E',  'T',  'S',  'C',  'A',  'P',
    'E',  '2',  '.', '0',  3,    1,    0,    0,    0,
  };
  static const guchar frame[] = {
    0x21, 0xf9, 4, 0, 10, 0, 0, 0, 0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 3, 0x44, 0x02, 0x05, 0,
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
  /* new bytes, though their content is the input's when it was sanitised already */
  g_assert_true (result->output == NULL || result->output != input);
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
    if (!g_strv_contains (
            (const char *const[]){ "IHDR", "PLTE", "IDAT", "IEND", "sBIT", NULL }, type))
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

/* The JPEG output holds only SOI, the JFIF APP0 or Adobe APP14 libjpeg
 * writes itself, DQT, SOF0/SOF1, DHT, one SOS with its data and EOI, and
 * ends at EOI. */
static void
assert_bare_jpeg (GBytes *jpeg)
{
  gsize len, pos = 2;
  const guchar *d = g_bytes_get_data (jpeg, &len);
  gboolean scan = FALSE;

  g_assert_cmpmem (d, 2, "\xff\xd8", 2);
  while (!scan && pos + 4 <= len) {
    guchar m = d[pos + 1];
    gsize n = d[pos + 2] << 8 | d[pos + 3];
    g_assert_cmpuint (d[pos], ==, 0xff);
    if (m == 0xe0)
      g_assert_true (n == 16 && memcmp (d + pos + 4, "JFIF", 5) == 0);
    else if (m == 0xee)
      g_assert_true (n == 14 && memcmp (d + pos + 4, "Adobe", 5) == 0);
    else if (m != 0xdb && m != 0xc0 && m != 0xc1 && m != 0xc4 && m != 0xda)
      g_error ("the output JPEG holds a marker 0x%02x", m);
    scan = m == 0xda;
    pos += 2 + n;
  }
  for (; pos + 1 < len && !(d[pos] == 0xff && d[pos + 1] == 0xd9); pos++)
    if (d[pos] == 0xff)
      g_assert_cmpuint (d[pos + 1], ==, 0); /* stuffed: no marker inside the scan */
  g_assert_cmpuint (pos + 2, ==, len);
}

/* THREATS 67: FIRST's output sanitised again gives the same bytes, by the
 * lossless path. */
static void
assert_fixed_point (const MgFilterResult *first)
{
  MgFilterResult second;
  gsize len;
  const guchar *d = g_bytes_get_data (first->output, &len);

  run_image (d, len, "image/jpeg", "again.jpg", &second);
  g_assert_cmpint (second.action, ==, MG_ACTION_CONVERTED);
  g_assert_nonnull (strstr (second.detail, "without loss"));
  g_assert_true (g_bytes_equal (first->output, second.output));
  mg_filter_result_clear (&second);
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
  assert_bare_jpeg (r.output);
  assert_absent (r.output, "Exif", 4);
  assert_absent (r.output, "http://ns.adobe.com", 19);
  assert_absent (r.output, "ICC_PROFILE", 11);
  assert_absent (r.output, "Photoshop", 9);
  assert_absent (r.output, "JFXX", 4);
  assert_absent (r.output, "\xff\xfe", 2); /* no comment segment */
  gsize len;
  const guchar *d = g_bytes_get_data (r.output, &len);
  g_assert_cmpmem (d + len - 2, 2, "\xff\xd9", 2); /* ends at EOI */
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
  assert_bomb_removed (100000, 100000); /* 10^10 pixels */
  assert_bomb_removed (20000, 20000);   /* 1.6 GB of RGBA, each side allowed */
  assert_bomb_removed (40000, 10);      /* one side too long */
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
    found = found ||
            (g_str_equal (n, name) && (!writable || gdk_pixbuf_format_is_writable (l->data)));
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
  static const struct {
    const char *format, *type;
  } cases[] = {
    { "bmp", "image/bmp" },
    { "bmp", "image/x-ms-bmp" },
    { "tiff", "image/tiff" },
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
                                       ? gdk_pixbuf_add_alpha (pb, FALSE, 0, 0, 0)
                                       : g_object_ref (pb);
    assert_same_pixels (opaque, out);
    mg_filter_result_clear (&r);
  }
}

/* WebP (written here by gdk-pixbuf's WebP loader, which scripts/setup.sh
 * installs: webp-pixbuf-loader) comes out as PNG, same pixels. */
static void
test_webp_to_png (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (40, 30, FALSE);
  MgFilterResult r;

  g_assert_true (format_writable ("webp")); /* webp-pixbuf-loader */
  g_autoptr (GByteArray) data = encode_with (pb, "webp", "quality", "90");
  g_autoptr (GBytes) input = g_bytes_new (data->data, data->len);
  g_autoptr (GdkPixbuf) shown = decode (input); /* what a viewer shows (lossy) */
  run_image (data->data, data->len, "image/webp", "photo.webp", &r);
  assert_converted (&r, "image/png", ".png");
  assert_bare_png (r.output);
  g_autoptr (GdkPixbuf) out = decode (r.output);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 40);
  g_autoptr (GdkPixbuf)
      opaque = gdk_pixbuf_get_has_alpha (out) && !gdk_pixbuf_get_has_alpha (shown)
                   ? gdk_pixbuf_add_alpha (shown, FALSE, 0, 0, 0)
                   : g_object_ref (shown);
  assert_same_pixels (opaque, out);
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

/* THREATS 67 for JPEG: the output of a baseline, a progressive and an
 * EXIF-turned JPEG, sanitised again, is the same bytes. */
static void
test_jpeg_second_pass (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (128, 96, FALSE);
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");
  g_autoptr (GByteArray) progressive = recode (clean, CODING_PROGRESSIVE, NULL, 0);
  g_autoptr (GByteArray) baseline_in = hostile_jpeg_from (clean, 1, TRUE);
  g_autoptr (GByteArray) progressive_in = hostile_jpeg_from (progressive, 1, FALSE);
  g_autoptr (GByteArray) turned_in = hostile_jpeg_from (clean, 6, TRUE);
  const GByteArray *inputs[] = { baseline_in, progressive_in, turned_in };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++) {
    MgFilterResult first;
    run_image (inputs[i]->data, inputs[i]->len, "image/jpeg", "a.jpg", &first);
    assert_converted (&first, "image/jpeg", ".jpg");
    g_test_message ("JPEG %zu: %u bytes in, %zu out: %s", i, inputs[i]->len,
                    g_bytes_get_size (first.output), first.detail);
    assert_fixed_point (&first);
    mg_filter_result_clear (&first);
  }
}

/* Each coding and colour space comes out as baseline Huffman with the
 * input's pixels exactly, none of its markers, and is a fixed point. */
static void
assert_lossless (const GByteArray *coded, gboolean be)
{
  g_autoptr (GByteArray) jpeg = hostile_jpeg_from (coded, 1, be);
  g_autoptr (GBytes) input = g_bytes_new (coded->data, coded->len);
  MgFilterResult r;

  run_image (jpeg->data, jpeg->len, "image/jpeg", "a.jpg", &r);
  assert_converted (&r, "image/jpeg", ".jpg");
  g_assert_nonnull (strstr (r.detail, "without loss"));
  assert_bare_jpeg (r.output);
  g_autoptr (GdkPixbuf) before = decode (input);
  g_autoptr (GdkPixbuf) after = decode (r.output);
  assert_same_pixels (before, after);
  assert_fixed_point (&r);
  mg_filter_result_clear (&r);
}

static void
test_jpeg_lossless (void)
{
  static const Coding codings[] = { 0, CODING_PROGRESSIVE, CODING_ARITHMETIC,
                                    CODING_PROGRESSIVE | CODING_ARITHMETIC, CODING_RESTART };
  static const struct {
    J_COLOR_SPACE in, jpeg;
    int components;
  } spaces[] = {
    { JCS_GRAYSCALE, JCS_GRAYSCALE, 1 }, { JCS_RGB, JCS_RGB, 3 },   { JCS_RGB, JCS_YCbCr, 3 },
    { JCS_CMYK, JCS_CMYK, 4 },           { JCS_CMYK, JCS_YCCK, 4 },
  };
  g_autoptr (GdkPixbuf) pb = test_pixels (77, 45, FALSE); /* partial MCUs */
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");

  for (gsize i = 0; i < G_N_ELEMENTS (codings); i++) {
    g_autoptr (GByteArray) coded = recode (clean, codings[i], NULL, 0);
    assert_lossless (coded, i % 2 == 0);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (spaces); i++) {
    g_autoptr (GByteArray)
        coded = pattern_jpeg (50, 33, spaces[i].in, spaces[i].jpeg, spaces[i].components);
    assert_lossless (coded, TRUE);
  }
  /* CMYK without the Adobe marker that says how it is stored */
  g_autoptr (GByteArray) cmyk = pattern_jpeg (50, 33, JCS_CMYK, JCS_CMYK, 4);
  g_autoptr (GByteArray) bare_cmyk = without_segment (cmyk, 0xee);
  assert_lossless (bare_cmyk, TRUE);
}

/* Orientations 2 to 8, big- and little-endian EXIF, turn the pixels; any
 * other value is not an orientation and the lossless path is taken. */
static void
test_jpeg_orientations (void)
{
  static const guint16 not_turned[] = { 0, 1, 9, 0xffff };
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 48, FALSE);
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");

  for (guint16 o = 2; o <= 8; o++)
    for (int be = 0; be <= 1; be++) {
      g_autoptr (GByteArray) jpeg = hostile_jpeg_from (clean, o, be);
      MgFilterResult r;
      run_image (jpeg->data, jpeg->len, "image/jpeg", "a.jpg", &r);
      assert_converted (&r, "image/jpeg", ".jpg");
      g_assert_nonnull (strstr (r.detail, "orientation applied"));
      assert_bare_jpeg (r.output);
      g_autoptr (GdkPixbuf) out = decode (r.output);
      g_assert_cmpint (gdk_pixbuf_get_width (out), ==, o >= 5 ? 48 : 64);
      assert_fixed_point (&r);
      mg_filter_result_clear (&r);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (not_turned); i++) {
    g_autoptr (GByteArray) jpeg = hostile_jpeg_from (clean, not_turned[i], i % 2);
    MgFilterResult r;
    run_image (jpeg->data, jpeg->len, "image/jpeg", "a.jpg", &r);
    g_assert_nonnull (strstr (r.detail, "without loss"));
    mg_filter_result_clear (&r);
  }
}

/* The lossless path is left for the pixel path exactly when gdk-pixbuf,
 * which turns the pixels, reads an orientation of 2 to 8 from the EXIF. */
static void
test_jpeg_orientation_as_gdk_pixbuf (void)
{
  static const struct {
    guint16 type;
    guint32 count, value;
    gsize pad;
  } tags[] = {
    { 3, 1, 6, 0 }, { 9, 1, 6, 0 }, { 9, 1, 0x60000, 0 }, { 4, 1, 6, 0 },
    { 3, 2, 6, 0 }, { 3, 1, 6, 2 }, { 3, 1, 6, 4 },       { 9, 1, 3, 1 },
  };
  g_autoptr (GdkPixbuf) pb = test_pixels (32, 16, FALSE);
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");

  for (gsize i = 0; i < G_N_ELEMENTS (tags) * 2; i++) {
    g_autoptr (GByteArray) jpeg = g_byte_array_new ();
    g_byte_array_append (jpeg, clean->data, 2);
    append_exif_tag (jpeg, tags[i / 2].value, i % 2, tags[i / 2].type, tags[i / 2].count,
                     tags[i / 2].pad);
    g_byte_array_append (jpeg, clean->data + 2, clean->len - 2);
    g_autoptr (GBytes) input = g_bytes_new (jpeg->data, jpeg->len);
    g_autoptr (GdkPixbuf) decoded = decode (input);
    const char *option = gdk_pixbuf_get_option (decoded, "orientation");
    int o = option != NULL ? atoi (option) : 0;
    MgFilterResult r;
    run_image (jpeg->data, jpeg->len, "image/jpeg", "a.jpg", &r);
    g_test_message ("tag %zu: gdk-pixbuf reads %d; %s", i, o, r.detail);
    g_assert_nonnull (
        strstr (r.detail, o >= 2 && o <= 8 ? "orientation applied" : "without loss"));
    mg_filter_result_clear (&r);
  }
}

static void
assert_jpeg_removed (const guchar *data, gsize len, MgReason reason, const char *words)
{
  MgFilterResult r;

  run_image (data, len, "image/jpeg", "bad.jpg", &r);
  g_test_message ("%zu bytes: %s", len, r.detail);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, reason);
  g_assert_nonnull (strstr (r.detail, words));
  g_assert_null (r.output);
  mg_filter_result_clear (&r);
}

/* A JPEG whose header is cut short or wrong is removed with libjpeg's reason. */
static void
test_jpeg_corrupt_removed (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 64, FALSE);
  g_autoptr (GByteArray) jpeg = encode (pb, "jpeg");
  g_autoptr (GByteArray) two = pattern_jpeg (8, 8, JCS_UNKNOWN, JCS_UNKNOWN, 2);
  gsize sof = find_segment (jpeg, 0xc0), dht = find_segment (jpeg, 0xc4);
  gsize cuts[] = { 0, 1, 2, 3, 30, sof + 6, dht + 10, find_segment (jpeg, 0xda) + 4 };
  const struct {
    gsize at;
    guchar value;
    const char *words;
  } patches[] = {
    { sof + 4, 12, "precision" }, { sof + 6, 0, "Empty" }, { sof + 8, 0, "Empty" },
    { dht + 5, 0xff, "Huffman" }, { 0, 0, "Not a JPEG" },  { sof + 14, 0x31, "sampling" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    assert_jpeg_removed (jpeg->data, cuts[i], MG_REASON_CONVERT_FAILED, "does not decode");
  for (gsize i = 0; i < G_N_ELEMENTS (patches); i++) {
    g_autoptr (GByteArray) bad = g_byte_array_new ();
    g_byte_array_append (bad, jpeg->data, jpeg->len);
    bad->data[patches[i].at] = patches[i].value; /* 64 pixels: the low byte is all */
    assert_jpeg_removed (bad->data, bad->len, MG_REASON_CONVERT_FAILED, patches[i].words);
  }
  assert_jpeg_removed (two->data, two->len, MG_REASON_CONVERT_FAILED, "colour components");
}

/* Entropy-coded data cut short is filled in as viewers show it; the output
 * is whole and a fixed point. */
static void
test_jpeg_damaged_data (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (64, 64, FALSE);
  g_autoptr (GByteArray) jpeg = encode (pb, "jpeg");
  MgFilterResult r;

  run_image (jpeg->data, jpeg->len * 2 / 3, "image/jpeg", "cut.jpg", &r);
  g_test_message ("%s", r.detail);
  assert_converted (&r, "image/jpeg", ".jpg");
  g_assert_nonnull (strstr (r.detail, "damaged"));
  assert_bare_jpeg (r.output);
  g_autoptr (GdkPixbuf) out = decode (r.output);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, 64);
  assert_fixed_point (&r);
  mg_filter_result_clear (&r);
}

/* Random bytes changed in a baseline or progressive JPEG: each comes out
 * removed, or as a JPEG that decodes and is a fixed point; none crashes
 * (run it under ASan too). */
static void
test_jpeg_mutations (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (40, 24, FALSE);
  g_autoptr (GByteArray) clean = encode (pb, "jpeg");
  g_autoptr (GByteArray) jpeg = recode (clean, CODING_PROGRESSIVE, NULL, 0);
  g_autoptr (GRand) rand = g_rand_new_with_seed (67);
  int converted = 0;

  config->image.max_pixels = 1 << 20;
  for (int i = 0; i < 500; i++) {
    g_autoptr (GByteArray) bad = g_byte_array_new ();
    const GByteArray *source = i % 2 ? clean : jpeg;
    g_byte_array_append (bad, source->data, source->len);
    for (int k = g_rand_int_range (rand, 1, 5); k > 0; k--)
      bad->data[g_rand_int_range (rand, 2, bad->len)] = g_rand_int_range (rand, 0, 256);
    MgFilterResult r;
    run_image (bad->data, bad->len, "image/jpeg", "m.jpg", &r);
    g_assert_true (r.action == MG_ACTION_REMOVED || r.action == MG_ACTION_CONVERTED);
    if (r.action == MG_ACTION_CONVERTED) {
      converted++;
      assert_bare_jpeg (r.output);
      g_autoptr (GdkPixbuf) out = decode (r.output);
      assert_fixed_point (&r);
    }
    mg_filter_result_clear (&r);
  }
  g_test_message ("%d of 500 mutated JPEGs converted, the others removed", converted);
}

/* A JPEG declaring too many pixels is removed from its header at once; a
 * progressive one of too many scans is removed too, EXIF-turned or not. */
static void
test_jpeg_bombs (void)
{
  static const guint16 sizes[][2] = { { 60000, 60000 }, { 9000, 8000 }, { 40000, 8 } };
  g_autoptr (GdkPixbuf) pb = test_pixels (16, 16, FALSE);
  g_autoptr (GByteArray) jpeg = encode (pb, "jpeg");
  gsize sof = find_segment (jpeg, 0xc0);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    gint64 start = g_get_monotonic_time ();
    jpeg->data[sof + 5] = sizes[i][1] >> 8;
    jpeg->data[sof + 6] = sizes[i][1] & 0xff;
    jpeg->data[sof + 7] = sizes[i][0] >> 8;
    jpeg->data[sof + 8] = sizes[i][0] & 0xff;
    assert_jpeg_removed (jpeg->data, jpeg->len, MG_REASON_LIMIT, "[image] max_");
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  }

  /* one DC scan, then each AC coefficient alone in 5 scans: 316 in all */
  g_autoptr (GByteArray) gray = pattern_jpeg (16, 16, JCS_GRAYSCALE, JCS_GRAYSCALE, 1);
  jpeg_scan_info scans[1 + 63 * 5] = { { 1, { 0 }, 0, 0, 0, 0 } };
  int n = 1;
  for (int k = 1; k < 64; k++)
    for (int al = 4; al >= 0; al--)
      scans[n++] = (jpeg_scan_info){ 1, { 0 }, k, k, al == 4 ? 0 : al + 1, al };
  g_autoptr (GByteArray) many = recode (gray, CODING_PROGRESSIVE, scans, n);
  assert_jpeg_removed (many->data, many->len, MG_REASON_LIMIT, "scans");
  g_autoptr (GByteArray) many_turned = hostile_jpeg_from (many, 6, TRUE);
  assert_jpeg_removed (many_turned->data, many_turned->len, MG_REASON_LIMIT, "scans");
  g_autoptr (GByteArray) allowed = recode (gray, CODING_PROGRESSIVE, scans, 200);
  assert_lossless (allowed, TRUE);
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

/* --- budgets and the reencode choice ------------------------------------ */

typedef void (*BlockFn) (JBLOCKROW row, JDIMENSION blocks, gpointer data);

/* FN on the first row of blocks of JPEG's first component; the JPEG with
 * those coefficients written again when WRITE, else NULL. */
static GByteArray *
with_blocks (const guchar *data, gsize len, BlockFn fn, gpointer user, gboolean write)
{
  struct jpeg_decompress_struct in;
  struct jpeg_compress_struct out;
  struct jpeg_error_mgr in_err, out_err;
  unsigned char *buffer = NULL;
  unsigned long size = 0;
  GByteArray *written = NULL;

  in.err = jpeg_std_error (&in_err);
  jpeg_create_decompress (&in);
  jpeg_mem_src (&in, data, len);
  jpeg_read_header (&in, TRUE);
  jvirt_barray_ptr *coefficients = jpeg_read_coefficients (&in);
  JBLOCKARRAY rows = in.mem->access_virt_barray ((j_common_ptr) &in, coefficients[0], 0, 1,
                                                 TRUE);
  fn (rows[0], in.comp_info[0].width_in_blocks, user);
  if (write) {
    out.err = jpeg_std_error (&out_err);
    jpeg_create_compress (&out);
    jpeg_copy_critical_parameters (&in, &out);
    jpeg_mem_dest (&out, &buffer, &size);
    jpeg_write_coefficients (&out, coefficients);
    jpeg_finish_compress (&out);
    jpeg_destroy_compress (&out);
    written = g_byte_array_new ();
    g_byte_array_append (written, buffer, size);
    free (buffer);
  }
  jpeg_finish_decompress (&in);
  jpeg_destroy_decompress (&in);
  return written;
}

#define STEGO "MUGAI-STEGO"

/* Steganography as the red team did it: one bit of the message in the
 * lowest bit of the first AC coefficient of each block. */
static void
plant_bits (JBLOCKROW row, JDIMENSION blocks, gpointer data)
{
  const char *text = data;

  g_assert_cmpuint (blocks, >=, strlen (text) * 8);
  for (gsize i = 0; i < strlen (text) * 8; i++) {
    int bit = (text[i / 8] >> (7 - i % 8)) & 1;
    row[i][1] = (JCOEF) ((row[i][1] & ~1) | bit);
  }
}

static void
read_bits (JBLOCKROW row, JDIMENSION blocks, gpointer data)
{
  char *text = data;

  for (gsize i = 0; i < strlen (STEGO) * 8 && i < blocks; i++)
    text[i / 8] = (char) (text[i / 8] | ((row[i][1] & 1) << (7 - i % 8)));
}

static char *
recovered_text (GBytes *jpeg)
{
  char *text = g_malloc0 (sizeof STEGO);
  gsize len;
  const guchar *data = g_bytes_get_data (jpeg, &len);

  g_assert_null (with_blocks (data, len, read_bits, text, FALSE));
  return text;
}

/* [image] reencode: lossless keeps a message hidden in the DCT coefficients
 * (the pixels are the original's), pixels breaks it and still decodes. */
static void
test_reencode_modes (void)
{
  g_autoptr (GByteArray) clean = pattern_jpeg (1024, 32, JCS_RGB, JCS_YCbCr, 3);
  g_autoptr (GByteArray)
      stego = with_blocks (clean->data, clean->len, plant_bits, STEGO, TRUE);
  g_autoptr (GBytes) stego_bytes = g_bytes_new (stego->data, stego->len);
  g_autofree char *planted = recovered_text (stego_bytes);
  MgFilterResult lossless, pixels;

  g_assert_cmpstr (planted, ==, STEGO);
  g_assert_cmpint (config->image.reencode, ==, MG_IMAGE_REENCODE_LOSSLESS); /* the default */
  run_image (stego->data, stego->len, "image/jpeg", "a.jpg", &lossless);
  assert_converted (&lossless, "image/jpeg", ".jpg");
  g_autofree char *kept = recovered_text (lossless.output);
  g_assert_cmpstr (kept, ==, STEGO);

  config->image.reencode = MG_IMAGE_REENCODE_PIXELS;
  run_image (stego->data, stego->len, "image/jpeg", "a.jpg", &pixels);
  assert_converted (&pixels, "image/jpeg", ".jpg");
  assert_bare_jpeg (pixels.output);
  g_autofree char *broken = recovered_text (pixels.output);
  g_assert_cmpstr (broken, !=, STEGO);
  g_assert_nonnull (strstr (pixels.detail, "reencode = pixels"));
  g_autoptr (GdkPixbuf) decoded = decode (pixels.output);
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 1024);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 32);
  mg_filter_result_clear (&lossless);
  mg_filter_result_clear (&pixels);
}

/* R removed for a limit whose detail names WORDS; cleared. */
static void
assert_limit (MgFilterResult *r, const char *words)
{
  g_assert_cmpint (r->action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r->reason, ==, MG_REASON_LIMIT);
  g_assert_nonnull (strstr (r->detail, words));
  mg_filter_result_clear (r);
}

static gboolean
precheck (const GByteArray *data, const char *type, MgFilterBudget *budget,
          MgFilterResult *result)
{
  g_autoptr (GBytes) input = g_bytes_new (data->data, data->len);
  MgFilterInput in = { .detected_type = type, .config = config, .budget = budget };

  memset (result, 0, sizeof *result);
  return mg_filter_image.precheck (input, &in, result);
}

/* Before the virus scan: the header's size against max_pixels, and the
 * pixels of the message's images so far against max_message_pixels. */
static void
test_message_pixel_budget (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (100, 100, FALSE);
  g_autoptr (GByteArray) png = encode (pb, "png");
  g_autoptr (GByteArray) jpeg = pattern_jpeg (100, 100, JCS_RGB, JCS_YCbCr, 3);
  MgFilterBudget budget = { 0 };
  MgFilterResult r;

  config->image.max_message_pixels = 25000;
  g_assert_true (precheck (png, "image/png", &budget, &r));
  g_assert_true (precheck (jpeg, "image/jpeg", &budget, &r));
  g_assert_cmpint (budget.image_pixels, ==, 20000);
  g_assert_false (precheck (png, "image/png", &budget, &r));
  assert_limit (&r, "max_message_pixels");
  g_assert_cmpint (budget.image_pixels, ==, 20000);

  config->image.max_pixels = 9999; /* one image over the limit: no scan either */
  g_assert_false (precheck (png, "image/png", NULL, &r));
  assert_limit (&r, "max_pixels");
}

/* The message's time ran out: images are removed, not the job killed. */
static void
test_message_deadline (void)
{
  g_autoptr (GdkPixbuf) pb = test_pixels (100, 100, FALSE);
  g_autoptr (GByteArray) png = encode (pb, "png");
  g_autoptr (GByteArray) jpeg = pattern_jpeg (100, 100, JCS_RGB, JCS_YCbCr, 3);
  const GByteArray *inputs[] = { png, jpeg };
  const char *types[] = { "image/png", "image/jpeg" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
    g_autoptr (GBytes) input = g_bytes_new (inputs[i]->data, inputs[i]->len);
    MgFilterBudget budget = { .deadline = 1 }; /* long past */
    MgFilterInput in = { .detected_type = types[i], .config = config, .budget = &budget };
    MgFilterResult r = { 0 };
    g_assert_true (mg_filter_image.sanitise (input, &in, &r, NULL));
    assert_limit (&r, "job_timeout");
    g_assert_false (mg_filter_image.precheck (input, &in, &r)); /* nor scanned */
    assert_limit (&r, "job_timeout");
  }
}

static const MgFilterTest tests[] = {
  { "/image/png-metadata-and-tail", test_png_metadata_and_tail },
  { "/image/jpeg-exif-comment-tail", test_jpeg_exif_comment_tail },
  { "/image/jpeg-orientation", test_jpeg_orientation_applied },
  { "/image/bomb-refused-from-header", test_bomb_refused_from_header },
  { "/image/gif-first-frame", test_gif_first_frame_to_png },
  { "/image/bmp-tiff-to-png", test_bmp_tiff_to_png },
  { "/image/webp", test_webp_to_png },
  { "/image/loader-follows-type", test_loader_follows_detected_type },
  { "/image/truncated", test_truncated_removed },
  { "/image/second-pass-identical", test_second_pass_identical },
  { "/image/jpeg-second-pass", test_jpeg_second_pass },
  { "/image/jpeg-lossless", test_jpeg_lossless },
  { "/image/jpeg-orientations", test_jpeg_orientations },
  { "/image/jpeg-orientation-as-gdk-pixbuf", test_jpeg_orientation_as_gdk_pixbuf },
  { "/image/jpeg-corrupt", test_jpeg_corrupt_removed },
  { "/image/jpeg-damaged-data", test_jpeg_damaged_data },
  { "/image/jpeg-mutations", test_jpeg_mutations },
  { "/image/jpeg-bombs", test_jpeg_bombs },
  { "/image/limits-configurable", test_limits_configurable },
  { "/image/reencode-modes", test_reencode_modes },
  { "/image/message-pixel-budget", test_message_pixel_budget },
  { "/image/message-deadline", test_message_deadline },
};

int
main (int argc, char **argv)
{
  return run_filter_tests (argc, argv, &mg_filter_image, tests, G_N_ELEMENTS (tests));
}
