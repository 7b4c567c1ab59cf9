/* pdf_fonts.c - the TrueType fonts of a PDF that cairo wrote, reduced to
 * their glyph outlines (see pdf_fonts.h).
 *
 * cairo writes "N 0 obj" objects one after the other, a classic xref table
 * ("xref", "0 COUNT", 20-byte entries), the trailer and "startxref". A
 * TrueType font program is the one stream whose dictionary has /Length1 and
 * no /Length2 (a Type 1 program has both); its /Length is direct or a
 * reference to an object holding the number.
 */
#include "filters/pdf_fonts.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "filters/image_jpeg.h"
#include "filters/pdf_sfnt.h"
#include "filters/pdf_text.h"

#define MG_PDF_FONTS_MAX_FONT (64u << 20) /* bytes of one font program, inflated */
#define MG_PDF_FONTS_XREF_ENTRY 20

typedef struct {
  guint num;
  gsize at, end; /* "N 0 obj" .. the next object or the xref */
} PdfObj;

typedef struct {
  const char *d;
  gsize len;
  gsize xref_at, trailer_at, startxref_at;
  guint count;  /* xref entries, object 0 included */
  GArray *objs; /* PdfObj, sorted by offset */
} CairoPdf;

/* The unsigned decimal at P (before END), or -1. */
static gint64
number_at (const char *p, const char *end)
{
  gint64 v = 0;
  const char *start = p;

  while (p < end && g_ascii_isdigit (*p) && v < G_MAXINT32)
    v = v * 10 + (*p++ - '0');
  return p > start && v < G_MAXINT32 ? v : -1;
}

static int
obj_by_offset (gconstpointer a, gconstpointer b)
{
  gsize x = ((const PdfObj *) a)->at, y = ((const PdfObj *) b)->at;

  return x < y ? -1 : x > y;
}

/* The xref table of PDF: objects and their extents; FALSE when it is not
 * the table cairo writes. */
static gboolean
read_xref (CairoPdf *pdf)
{
  const char *d = pdf->d, *end = d + pdf->len;
  gsize tail = MIN (pdf->len, 64);
  const char *sx = memmem (end - tail, tail, "startxref\n", 10);
  gint64 xref;

  if (sx == NULL || (xref = number_at (sx + 10, end)) < 0 || (gsize) xref + 7 > pdf->len ||
      memcmp (d + xref, "xref\n0 ", 7) != 0)
    return FALSE;
  gint64 count = number_at (d + xref + 7, end);
  const char *entries = memchr (d + xref, '\n', pdf->len - xref);
  entries = entries != NULL ? memchr (entries + 1, '\n', end - entries - 1) : NULL;
  if (count < 1 || entries == NULL ||
      (gsize) count * MG_PDF_FONTS_XREF_ENTRY > (gsize) (end - entries - 1))
    return FALSE;
  entries++;
  pdf->xref_at = xref;
  pdf->count = count;
  pdf->trailer_at = entries + count * MG_PDF_FONTS_XREF_ENTRY - d;
  pdf->startxref_at = sx - d;
  for (guint i = 1; i < pdf->count; i++) {
    const char *e = entries + i * MG_PDF_FONTS_XREF_ENTRY;
    gint64 at = number_at (e, e + 10);
    if (e[17] != 'n')
      continue;
    if (at <= 0 || at >= xref)
      return FALSE;
    PdfObj o = { i, at, xref };
    g_array_append_val (pdf->objs, o);
  }
  g_array_sort (pdf->objs, obj_by_offset);
  for (guint i = 0; i + 1 < pdf->objs->len; i++)
    g_array_index (pdf->objs, PdfObj, i).end = g_array_index (pdf->objs, PdfObj, i + 1).at;
  return pdf->objs->len > 0 && pdf->startxref_at >= pdf->trailer_at;
}

static const PdfObj *
find_obj (const CairoPdf *pdf, guint num)
{
  for (guint i = 0; i < pdf->objs->len; i++)
    if (g_array_index (pdf->objs, PdfObj, i).num == num)
      return &g_array_index (pdf->objs, PdfObj, i);
  return NULL;
}

/* Where /Length in DICT (DLEN bytes) has its value: the number of the
 * object holding it (*REF_R) or 0, and the value; -1 when absent. */
static gint64
stream_length (const CairoPdf *pdf, const char *dict, gsize dlen, guint *ref_r)
{
  const char *end = dict + dlen;

  *ref_r = 0;
  for (const char *p = dict; (p = memmem (p, end - p, "/Length", 7)) != NULL; p += 7) {
    if (p + 8 > end || !g_ascii_isspace (p[7]))
      continue; /* /Length1, /Length2 */
    const char *v = p + 8;
    gint64 n = number_at (v, end);
    while (v < end && g_ascii_isdigit (*v))
      v++;
    if (n < 0 || end - v < 4 || strncmp (v, " 0 R", 4) != 0)
      return n;
    const PdfObj *ref = find_obj (pdf, (guint) n);
    if (ref == NULL || n == 0)
      return -1;
    *ref_r = (guint) n;
    const char *body = memmem (pdf->d + ref->at, ref->end - ref->at, "obj", 3);
    if (body == NULL)
      return -1;
    body += 3;
    while (body < pdf->d + ref->end && g_ascii_isspace (*body))
      body++;
    return number_at (body, pdf->d + ref->end);
  }
  return -1;
}

/* The DLEN bytes of zlib data at DATA inflated (at most MG_PDF_FONTS_MAX_FONT), or NULL. */
static GBytes *
inflate_all (const char *data, gsize dlen)
{
  z_stream z = { .next_in = (Bytef *) data, .avail_in = (uInt) dlen };
  g_autoptr (GByteArray) out = g_byte_array_new ();
  int rc = Z_OK;

  if (dlen > G_MAXUINT32 || inflateInit (&z) != Z_OK)
    return NULL;
  while (rc == Z_OK && out->len < MG_PDF_FONTS_MAX_FONT) {
    guint8 buf[65536];
    z.next_out = buf;
    z.avail_out = sizeof buf;
    rc = inflate (&z, Z_NO_FLUSH);
    g_byte_array_append (out, buf, sizeof buf - z.avail_out);
  }
  inflateEnd (&z);
  return rc == Z_STREAM_END ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
}

/* FONT deflated. */
static GBytes *
deflate_all (GBytes *font)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (font, &len);
  uLongf zlen = compressBound (len);
  guint8 *z = g_malloc (zlen);

  if (compress2 (z, &zlen, data, len, Z_BEST_COMPRESSION) != Z_OK) {
    g_free (z);
    return NULL;
  }
  return g_bytes_new_take (z, zlen);
}

/* A stream object rewritten: its new text, and the object that holds its
 * length (0: none) with the new length. */
typedef struct {
  GString *text;
  guint length_obj;
  gsize length;
} NewObj;

/* Whether the LEN bytes at DICT hold KEY. */
static gboolean
dict_has (const char *dict, gsize len, const char *key)
{
  return dict != NULL && len > 0 && memmem (dict, len, key, strlen (key)) != NULL;
}

/* The stream of OBJ: its dictionary (*DLEN_R bytes at the object's start),
 * its data (*LEN_R bytes) and the object holding its length (*REF_R, 0:
 * direct); NULL when OBJ has no stream or its length does not fit. */
static const char *
stream_of (const CairoPdf *pdf, const PdfObj *obj, gsize *dlen_r, gsize *len_r, guint *ref_r)
{
  const char *s = pdf->d + obj->at;
  gsize n = obj->end - obj->at;
  const char *stream = memmem (s, n, ">>\nstream\n", 10);

  *dlen_r = stream != NULL ? (gsize) (stream - s) : 0;
  if (stream == NULL)
    return NULL;
  gint64 len = stream_length (pdf, s, *dlen_r, ref_r);
  const char *data = stream + 10;
  if (len < 0 || (gsize) len > n - (gsize) (data - s))
    return NULL;
  *len_r = len;
  return data;
}

/* *NEW: OBJ with the stream DATA and the dictionary DICT after a direct
 * /Length, or (DICT NULL) its dictionary of DLEN bytes as it was, whose
 * /Length is in object REF. REF (0: none) is given the new length. */
static void
new_stream (const CairoPdf *pdf, const PdfObj *obj, const char *dict, gsize dlen, guint ref,
            GBytes *data, NewObj *new)
{
  new->text = g_string_new (NULL);
  if (dict == NULL)
    g_string_append_len (new->text, pdf->d + obj->at, dlen);
  else
    g_string_append_printf (new->text, "%u 0 obj\n<< /Length %zu\n%s", obj->num,
                            g_bytes_get_size (data), dict);
  g_string_append (new->text, ">>\nstream\n");
  g_string_append_len (new->text, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_string_append (new->text, "\nendstream\nendobj\n");
  new->length_obj = ref;
  new->length = g_bytes_get_size (data);
}

/* When OBJ is a TrueType font program, *NEW with it reduced to outlines.
 * FALSE with *WHY_R when it is one that cannot be read. */
static gboolean
reduce_font (const CairoPdf *pdf, const PdfObj *obj, NewObj *new, const char **why_r)
{
  const char *s = pdf->d + obj->at;
  gsize dlen, zlen;
  guint ref;
  const char *data = stream_of (pdf, obj, &dlen, &zlen, &ref);

  if (dlen == 0 || !dict_has (s, dlen, "/Length1") || dict_has (s, dlen, "/Length2"))
    return TRUE;
  *why_r = "its font program cannot be found";
  if (data == NULL)
    return FALSE;
  g_autoptr (GBytes) font = inflate_all (data, zlen);
  *why_r = "its font program is not Flate data";
  if (font == NULL)
    return FALSE;
  g_autoptr (GBytes) outlines = mg_pdf_sfnt_outlines_only (font, why_r);
  g_autoptr (GBytes) z = outlines != NULL ? deflate_all (outlines) : NULL;
  if (z == NULL)
    return FALSE;
  g_autofree char *dict = g_strdup_printf ("   /Length1 %zu\n   /Filter /FlateDecode\n",
                                           g_bytes_get_size (outlines));
  new_stream (pdf, obj, dict, 0, ref, z, new);
  return TRUE;
}

/* When OBJ is an image whose data cairo copied from the input, *NEW with a
 * JPEG written again from its coefficients; FALSE with RW->copied set for
 * data that cannot be (see pdf_fonts.h). */
static gboolean
rewrite_image (const CairoPdf *pdf, const PdfObj *obj, MgPdfRewrite *rw, NewObj *new,
               const char **why_r)
{
  const char *s = pdf->d + obj->at;
  gsize dlen, len;
  guint ref;
  const char *data = stream_of (pdf, obj, &dlen, &len, &ref);

  if (dlen == 0 || !dict_has (s, dlen, "/Subtype /Image"))
    return TRUE;
  *why_r = "an image holds data copied from the input (JPEG 2000, JBIG2 or CCITT)";
  if (dict_has (s, dlen, "/JPXDecode") || dict_has (s, dlen, "/JBIG2Decode") ||
      dict_has (s, dlen, "/CCITTFaxDecode"))
    return !(rw->copied = TRUE);
  if (!dict_has (s, dlen, "/DCTDecode"))
    return TRUE;
  *why_r = "a JPEG image copied from the input does not transcode";
  rw->copied = TRUE;
  if (data == NULL || ref == 0 || rw->images == NULL)
    return FALSE;
  g_autoptr (GBytes) input = g_bytes_new_static (data, len);
  g_auto (MgImageJpeg) jpeg = { 0 };
  if (mg_image_jpeg_transcode (input, rw->images, rw->deadline, &jpeg) != MG_IMAGE_JPEG_DONE)
    return FALSE;
  new_stream (pdf, obj, NULL, dlen, ref, jpeg.output, new);
  rw->copied = FALSE;
  rw->jpegs++;
  return TRUE;
}

/* HAY with every NEEDLE replaced by WITH; NULL when there is none. */
static GString *
replace_all (GBytes *hay, const char *needle, const char *with)
{
  gsize len, nlen = strlen (needle);
  const char *d = g_bytes_get_data (hay, &len), *end = d + len, *hit;
  GString *out = NULL;

  while ((hit = memmem (d, end - d, needle, nlen)) != NULL) {
    if (out == NULL)
      out = g_string_sized_new (len);
    g_string_append_len (out, d, hit - d);
    g_string_append (out, with);
    d = hit + nlen;
  }
  if (out != NULL)
    g_string_append_len (out, d, end - d);
  return out;
}

/* The ToUnicode map PLAIN with every glyph mapped to no text ("<code> <>"),
 * or NULL when it maps none or maps ranges (bfrange, which cairo does not
 * write). */
static GString *
blank_map (GBytes *plain)
{
  gsize len;
  const char *d = g_bytes_get_data (plain, &len), *end = d + len;
  GString *out = g_string_sized_new (len);
  gboolean in_chars = FALSE, changed = FALSE;

  if (memmem (d, len, "beginbfrange", 12) != NULL)
    return g_string_free (out, TRUE), NULL;
  for (const char *line = d; line < end;) {
    const char *nl = memchr (line, '\n', end - line);
    const char *stop = nl != NULL ? nl + 1 : end;
    const char *gap = memmem (line, stop - line, "> <", 3);
    if (in_chars && line[0] == '<' && gap != NULL) {
      g_string_append_len (out, line, gap - line);
      g_string_append (out, "> <>\n");
      changed = TRUE;
    } else {
      g_string_append_len (out, line, stop - line);
    }
    if (memmem (line, stop - line, "beginbfchar", 11) != NULL)
      in_chars = TRUE;
    else if (memmem (line, stop - line, "endbfchar", 9) != NULL)
      in_chars = FALSE;
    line = stop;
  }
  if (!changed)
    return g_string_free (out, TRUE), NULL;
  return out;
}

/* Flags by object number: the ToUnicode maps of fonts other than the text
 * layer's (pdf_text.h), whose glyphs are to map to no text. */
static gboolean *
foreign_maps (const CairoPdf *pdf)
{
  gboolean *maps = g_new0 (gboolean, pdf->count);

  for (guint i = 0; i < pdf->objs->len; i++) {
    const PdfObj *obj = &g_array_index (pdf->objs, PdfObj, i);
    const char *s = pdf->d + obj->at;
    const char *stream = memmem (s, obj->end - obj->at, "stream\n", 7);
    gsize n = stream != NULL ? (gsize) (stream - s) : obj->end - obj->at;
    const char *t = memmem (s, n, "/ToUnicode ", 11);
    if (t == NULL || !dict_has (s, n, "/Type /Font") || dict_has (s, n, MG_PDF_TEXT_FONT_BASE))
      continue;
    gint64 ref = number_at (t + 11, s + n);
    if (ref > 0 && ref < pdf->count)
      maps[ref] = TRUE;
  }
  return maps;
}

/* When RW->text_layer: *NEW with OBJ's stream edited when it is a page's
 * content holding the layer's colour (pdf_text.h: made text render mode 3)
 * or the ToUnicode map of another font (FOREIGN: blanked). FALSE when the
 * layer's colour is in a stream that cannot be written again. */
static gboolean
rewrite_text (const CairoPdf *pdf, const PdfObj *obj, const gboolean *foreign,
              MgPdfRewrite *rw, NewObj *new, const char **why_r)
{
  const char *s = pdf->d + obj->at;
  gsize dlen, zlen;
  guint ref;
  const char *data = rw->text_layer ? stream_of (pdf, obj, &dlen, &zlen, &ref) : NULL;

  if (data == NULL || !dict_has (s, dlen, "/Filter /FlateDecode") ||
      dict_has (s, dlen, "/Length1") ||
      (dict_has (s, dlen, "/Subtype") && !dict_has (s, dlen, "/Subtype /Form")))
    return TRUE;
  g_autoptr (GBytes) plain = inflate_all (data, zlen);
  *why_r = "a page holding the invisible text layer cannot be written again";
  if (plain == NULL || ref == 0)
    return plain == NULL ||
           memmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                   MG_PDF_TEXT_MARKER_OP, strlen (MG_PDF_TEXT_MARKER_OP)) == NULL;
  GString *edited = replace_all (plain, MG_PDF_TEXT_MARKER_OP, MG_PDF_TEXT_INVISIBLE_OP);
  rw->invisible += edited != NULL;
  if (edited == NULL && foreign[obj->num])
    edited = blank_map (plain);
  if (edited == NULL)
    return TRUE;
  g_autoptr (GBytes) text = g_string_free_to_bytes (edited);
  g_autoptr (GBytes) z = deflate_all (text);
  if (z == NULL)
    return FALSE;
  new_stream (pdf, obj, NULL, dlen, ref, z, new);
  return TRUE;
}

/* The xref table for NEW_AT (offsets by object number, 0: free). */
static void
append_xref (GString *out, const gsize *new_at, guint count)
{
  g_string_append_printf (out, "xref\n0 %u\n0000000000 65535 f \n", count);
  for (guint i = 1; i < count; i++)
    if (new_at[i] != 0)
      g_string_append_printf (out, "%010zu 00000 n \n", new_at[i]);
    else
      g_string_append (out, "0000000000 00000 f \n");
}

/* PDF written again with the objects of NEW (by number; NULL text: as they
 * were) and the lengths they point to. */
static GBytes *
assemble (const CairoPdf *pdf, const NewObj *new)
{
  const PdfObj *first = &g_array_index (pdf->objs, PdfObj, 0);
  g_autofree gsize *new_at = g_new0 (gsize, pdf->count);
  g_autofree gssize *length = g_new (gssize, pdf->count);
  GString *out = g_string_sized_new (pdf->len);

  for (guint i = 0; i < pdf->count; i++)
    length[i] = -1;
  for (guint i = 0; i < pdf->count; i++)
    if (new[i].text != NULL &&new[i].length_obj < pdf->count)
      length[new[i].length_obj] = (gssize) new[i].length;
  g_string_append_len (out, pdf->d, first->at);
  for (guint i = 0; i < pdf->objs->len; i++) {
    const PdfObj *obj = &g_array_index (pdf->objs, PdfObj, i);
    new_at[obj->num] = out->len;
    if (new[obj->num].text != NULL)
      g_string_append_len (out, new[obj->num].text->str, new[obj->num].text->len);
    else if (length[obj->num] >= 0) /* as cairo writes it */
      g_string_append_printf (out, "%u 0 obj\n   %zd\nendobj\n", obj->num, length[obj->num]);
    else
      g_string_append_len (out, pdf->d + obj->at, obj->end - obj->at);
  }
  gsize xref = out->len;
  append_xref (out, new_at, pdf->count);
  g_string_append_len (out, pdf->d + pdf->trailer_at, pdf->startxref_at - pdf->trailer_at);
  g_string_append_printf (out, "startxref\n%zu\n%%%%EOF\n", xref);
  return g_string_free_to_bytes (out);
}

static GBytes *
rewrite (const CairoPdf *pdf, MgPdfRewrite *rw, const char **why_r)
{
  NewObj *new = g_new0 (NewObj, pdf->count);
  g_autofree gboolean *foreign = foreign_maps (pdf);
  GBytes *result = NULL;
  guint i;

  for (i = 0; i < pdf->objs->len; i++) {
    const PdfObj *obj = &g_array_index (pdf->objs, PdfObj, i);
    if (!reduce_font (pdf, obj, &new[obj->num], why_r))
      break;
    rw->fonts += new[obj->num].text != NULL;
    if (new[obj->num].text == NULL && !rewrite_image (pdf, obj, rw, &new[obj->num], why_r))
      break;
    if (new[obj->num].text == NULL &&
        !rewrite_text (pdf, obj, foreign, rw, &new[obj->num], why_r))
      break;
  }
  if (i == pdf->objs->len)
    result = assemble (pdf, new);
  for (i = 0; i < pdf->count; i++)
    if (new[i].text != NULL)
      g_string_free (new[i].text, TRUE);
  g_free (new);
  return result;
}

GBytes *
mg_pdf_fonts_outlines_only (GBytes *pdf, MgPdfRewrite *rw, const char **why_r)
{
  CairoPdf p = { .objs = g_array_new (FALSE, FALSE, sizeof (PdfObj)) };
  GBytes *result = NULL;

  p.d = g_bytes_get_data (pdf, &p.len);
  rw->fonts = rw->jpegs = rw->invisible = 0;
  rw->copied = FALSE;
  *why_r = "the PDF written has no cross-reference table where cairo puts it";
  if (p.d != NULL && read_xref (&p))
    result = rewrite (&p, rw, why_r);
  g_array_unref (p.objs);
  return result;
}
