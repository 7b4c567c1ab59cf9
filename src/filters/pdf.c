/* pdf.c - the PDF filter: every page redrawn by poppler into a new cairo PDF
 * (see pdf.h).
 *
 * Pages are drawn for printing: stroke widths stay as the input has them (a
 * drawing for display widens every line to one device pixel, which on a PDF
 * surface is 1 pt), and poppler hands cairo the input's compressed JPEG,
 * JPX, JBIG2 and CCITT streams, which cairo would embed byte for byte.
 * pdf_fonts.c writes every JPEG again from its DCT coefficients; when cairo
 * copied any other kind, the document is drawn again for display, where every
 * image reaches cairo as pixels that cairo encodes itself. With [image]
 * reencode = pixels, and in raster mode, pages are drawn for display from
 * the start. Annotations are taken off each page before it is drawn, except, with
 * [pdf] annotations = print, those a printout shows (form field values,
 * stamps, comments marked for printing), whose appearance becomes part of the
 * page drawing. cairo writes no creation date, so the same input gives the
 * same output.
 *
 * Drawn for display in vector mode, a page that is only a scanned image
 * (images over half of the page and no text) is drawn as one image at [pdf] scan_dpi
 * (pdf_raster.c), since cairo would otherwise store the scan's pixels losslessly, several
 * times the size of the scanner's JPEG. The check costs a second pass over
 * the page, so it is made only in documents whose size suggests images
 * (MG_PDF_SCAN_BYTES_PER_PAGE); elsewhere every page stays vectors.
 *
 * cairo subsets the fonts again but copies a TrueType font's hinting programs
 * (fpgm, prep, cvt, glyph instructions), code that the reader's rasteriser
 * runs: pdf_fonts.c writes every TrueType font of the output again with its
 * glyph outlines and metrics only.
 *
 * This module never copies an object, stream, font program or image stream of
 * the input, never opens a file, never asks for a password, and never returns
 * the input bytes. poppler cannot be interrupted inside a page: the whole
 * rebuild runs in a child process (pdf_child.c) stopped at [pdf] max_seconds
 * and [pdf] max_memory, so a page that loops, recurses or allocates without
 * end removes this part only; max_seconds is also checked between pages, for
 * a clearer reason.
 */
#include "filters/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <gio/gio.h>
#include <poppler.h>
#include <string.h>

#include "filters/pdf_child.h"
#include "filters/pdf_fonts.h"
#include "filters/pdf_raster.h"
#include "filters/pdf_text.h"

/* Average input bytes per page above which pages are checked for scans: a
 * text page with its fonts rarely takes more, a scanned page always does. */
#define MG_PDF_SCAN_BYTES_PER_PAGE 32768

static const char *const pdf_types[] = { "application/pdf", NULL };

typedef struct {
  const MgConfig *config;
  GByteArray *out;
  gboolean too_big;     /* the output passed [pdf] max_output_size */
  gint64 deadline;      /* g_get_monotonic_time () value */
  gboolean check_scans; /* look for scanned pages (vector mode) */
  gboolean printing;    /* pages drawn for printing (see the top) */
  guint scans;          /* scanned pages drawn as images */
  guint annotations_drawn;
  guint annotations_dropped;
  gboolean *layer; /* per page: draw the input's text invisibly (pdf_text.h) */
  guint layer_pages, layer_chars;
} PdfJob;

/* Set RESULT (the part is not rebuilt); FALSE, for "return pdf_stop (...)". */
static gboolean
pdf_stop (MgFilterResult *result, MgAction action, MgReason reason, char *detail)
{
  mg_filter_result_set (result, action, reason, detail);
  return FALSE;
}

/* cairo's write function: appends to JOB->out up to the size limit. */
static cairo_status_t
pdf_write (void *closure, const unsigned char *data, unsigned int len)
{
  PdfJob *job = closure;

  /* a GByteArray holds at most G_MAXUINT bytes; the limit may be set higher */
  if ((gint64) job->out->len + len >
      MIN (job->config->pdf.max_output_size, (gint64) G_MAXUINT)) {
    job->too_big = TRUE;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  g_byte_array_append (job->out, data, len);
  return CAIRO_STATUS_SUCCESS;
}

/* --- opening and checking ---------------------------------------------- */

/* INPUT as a poppler document, or NULL with RESULT saying why not. */
static PopplerDocument *
pdf_open (GBytes *input, MgFilterResult *result)
{
  g_autoptr (GError) error = NULL;
  PopplerDocument *doc = poppler_document_new_from_bytes (input, NULL, &error);

  if (doc != NULL)
    return doc;
  if (g_error_matches (error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
    pdf_stop (result, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
              g_strdup ("the PDF needs a password to open"));
  else
    pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("poppler cannot open the PDF: %s",
                               error != NULL ? error->message : "unknown error"));
  return NULL;
}

/* FALSE with RESULT set when page INDEX cannot be drawn within the limits. */
static gboolean
pdf_check_page (PopplerDocument *doc, int index, const MgPdfConfig *limits,
                MgFilterResult *result)
{
  PopplerPage *page = poppler_document_get_page (doc, index);
  double width = 0, height = 0;

  if (page == NULL)
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                     g_strdup_printf ("page %d cannot be read", index + 1));
  poppler_page_get_size (page, &width, &height);
  g_object_unref (page);
  if (!(width >= 1 && height >= 1)) /* also NaN */
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                     g_strdup_printf ("page %d has no size", index + 1));
  if (width * height > (double) limits->max_page_area)
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                     g_strdup_printf ("page %d is %.0f x %.0f points, larger than [pdf] "
                                      "max_page_area (%" G_GINT64_FORMAT ")",
                                      index + 1, width, height, limits->max_page_area));
  return TRUE;
}

/* FALSE with RESULT set when DOC has no pages or breaks a page limit; checked
 * for the whole document before anything is drawn. */
static gboolean
pdf_check_pages (PopplerDocument *doc, const MgPdfConfig *limits, MgFilterResult *result)
{
  int pages = poppler_document_get_n_pages (doc);

  if (pages <= 0)
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                     g_strdup ("the PDF has no pages"));
  if (pages > limits->max_pages)
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                     g_strdup_printf ("%d pages, more than [pdf] max_pages (%" G_GINT64_FORMAT
                                      ")",
                                      pages, limits->max_pages));
  for (int i = 0; i < pages; i++)
    if (!pdf_check_page (doc, i, limits, result))
      return FALSE;
  return TRUE;
}

/* --- annotations ------------------------------------------------------- */

/* Types whose printed appearance is content a reader expects on paper. Links,
 * pop-ups, attachments, sound, movies, screens, 3D and unknown types never are. */
static gboolean
annotation_type_printable (PopplerAnnotType type)
{
  switch (type) {
  case POPPLER_ANNOT_WIDGET:
  case POPPLER_ANNOT_STAMP:
  case POPPLER_ANNOT_FREE_TEXT:
  case POPPLER_ANNOT_TEXT:
  case POPPLER_ANNOT_LINE:
  case POPPLER_ANNOT_SQUARE:
  case POPPLER_ANNOT_CIRCLE:
  case POPPLER_ANNOT_POLYGON:
  case POPPLER_ANNOT_POLY_LINE:
  case POPPLER_ANNOT_HIGHLIGHT:
  case POPPLER_ANNOT_UNDERLINE:
  case POPPLER_ANNOT_SQUIGGLY:
  case POPPLER_ANNOT_STRIKE_OUT:
  case POPPLER_ANNOT_CARET:
  case POPPLER_ANNOT_INK:
  case POPPLER_ANNOT_WATERMARK:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean
annotation_drawn (PopplerAnnot *annot, MgPdfAnnotations policy)
{
  PopplerAnnotFlag flags = poppler_annot_get_flags (annot);

  if (policy == MG_PDF_ANNOTATIONS_NONE)
    return FALSE;
  if (!(flags & POPPLER_ANNOT_FLAG_PRINT) || (flags & POPPLER_ANNOT_FLAG_HIDDEN))
    return FALSE;
  return annotation_type_printable (poppler_annot_get_annot_type (annot));
}

/* Take off PAGE (in memory) every annotation that is not to be drawn. */
static void
pdf_strip_annotations (PopplerPage *page, PdfJob *job)
{
  GList *mapping = poppler_page_get_annot_mapping (page);

  for (GList *l = mapping; l != NULL; l = l->next) {
    PopplerAnnot *annot = ((PopplerAnnotMapping *) l->data)->annot;
    if (annotation_drawn (annot, job->config->pdf.annotations)) {
      job->annotations_drawn++;
    } else {
      poppler_page_remove_annot (page, annot);
      job->annotations_dropped++;
    }
  }
  poppler_page_free_annot_mapping (mapping);
}

/* --- drawing ----------------------------------------------------------- */

/* TRUE when PAGE (WIDTH x HEIGHT points) is a scan: images cover more than
 * half of it and it has no text. */
static gboolean
page_is_scan (PopplerPage *page, double width, double height)
{
  GList *images = poppler_page_get_image_mapping (page);
  double covered = 0;

  for (GList *l = images; l != NULL; l = l->next) {
    PopplerRectangle *a = &((PopplerImageMapping *) l->data)->area;
    covered += MAX (0, MIN (a->x2, width) - MAX (a->x1, 0)) *
               MAX (0, MIN (a->y2, height) - MAX (a->y1, 0));
  }
  poppler_page_free_image_mapping (images);
  if (covered * 2 < width * height)
    return FALSE;
  g_autofree char *text = poppler_page_get_text (page);
  return text == NULL || g_strstrip (text)[0] == '\0';
}

/* Draw PAGE onto CR as the configuration says. */
static cairo_status_t
pdf_draw (PopplerPage *page, cairo_t *cr, double width, double height, PdfJob *job)
{
  const MgConfig *config = job->config;

  if (config->pdf.mode == MG_PDF_MODE_RASTER)
    return mg_pdf_raster_draw (page, cr, width, height, config->pdf.raster_dpi, &config->image,
                               NULL);
  if (job->check_scans && page_is_scan (page, width, height)) {
    job->scans++;
    return mg_pdf_raster_draw (page, cr, width, height, config->pdf.scan_dpi, &config->image,
                               NULL);
  }
  if (job->printing)
    poppler_page_render_for_printing (page, cr);
  else
    poppler_page_render (page, cr);
  return CAIRO_STATUS_SUCCESS;
}

/* Draw page INDEX of DOC as one page of SURFACE. */
static cairo_status_t
pdf_draw_page (PopplerDocument *doc, int index, cairo_surface_t *surface, PdfJob *job)
{
  PopplerPage *page = poppler_document_get_page (doc, index);
  double width, height;
  cairo_status_t status;

  if (page == NULL) /* read once by pdf_check_page: not expected */
    return CAIRO_STATUS_READ_ERROR;
  poppler_page_get_size (page, &width, &height);
  cairo_pdf_surface_set_size (surface, width, height);
  cairo_t *cr = cairo_create (surface);
  pdf_strip_annotations (page, job);
  status = pdf_draw (page, cr, width, height, job);
  if (status == CAIRO_STATUS_SUCCESS && job->layer != NULL && job->layer[index]) {
    job->layer_chars += mg_pdf_text_layer (page, cr);
    job->layer_pages++;
  }
  cairo_show_page (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_status (cr);
  cairo_destroy (cr);
  g_object_unref (page);
  return status;
}

/* RESULT for a cairo failure: the size limit, or the renderer failed; FALSE. */
static gboolean
pdf_cairo_failed (const PdfJob *job, cairo_status_t status, MgFilterResult *result)
{
  if (job->too_big)
    return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                     g_strdup_printf ("the rebuilt PDF is larger than [pdf] max_output_size"
                                      " (%" G_GINT64_FORMAT ")",
                                      job->config->pdf.max_output_size));
  return pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                   g_strdup_printf ("cairo: %s", cairo_status_to_string (status)));
}

/* Draw every page of DOC onto SURFACE; FALSE with RESULT set on a limit. */
static gboolean
pdf_draw_pages (PopplerDocument *doc, cairo_surface_t *surface, PdfJob *job,
                MgFilterResult *result)
{
  int pages = poppler_document_get_n_pages (doc);

  for (int i = 0; i < pages; i++) {
    if (g_get_monotonic_time () > job->deadline)
      return pdf_stop (
          result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
          g_strdup_printf ("redrawing took longer than [pdf] max_seconds (%" G_GINT64_FORMAT
                           "); stopped before page %d of %d",
                           job->config->pdf.max_seconds, i + 1, pages));
    cairo_status_t status = pdf_draw_page (doc, i, surface, job);
    if (status == CAIRO_STATUS_SUCCESS)
      status = cairo_surface_status (surface);
    if (status != CAIRO_STATUS_SUCCESS)
      return pdf_cairo_failed (job, status, result);
  }
  return TRUE;
}

/* The new PDF of DOC's pages in JOB->out; FALSE with RESULT set when a limit
 * was reached or cairo failed. */
static gboolean
pdf_rebuild (PopplerDocument *doc, PdfJob *job, MgFilterResult *result)
{
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (pdf_write, job, 595, 842);
  gboolean drawn;

  /* no creation date (cairo's default is now): the output depends on the input only */
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, "");
  drawn = pdf_draw_pages (doc, surface, job, result);
  cairo_surface_finish (surface);
  cairo_status_t status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (drawn && status != CAIRO_STATUS_SUCCESS)
    return pdf_cairo_failed (job, status, result);
  return drawn;
}

/* --- the filter -------------------------------------------------------- */

/* How the pages were drawn, for the detail. */
static char *
pdf_how (const PdfJob *job)
{
  const MgPdfConfig *c = &job->config->pdf;

  if (c->mode == MG_PDF_MODE_RASTER)
    return g_strdup_printf ("as images (%" G_GINT64_FORMAT " dpi)", c->raster_dpi);
  if (job->scans == 0)
    return g_strdup ("as vectors with selectable text");
  return g_strdup_printf (
      "as vectors with selectable text, %u scanned page%s as images (%" G_GINT64_FORMAT
      " dpi)",
      job->scans, job->scans == 1 ? "" : "s", c->scan_dpi);
}

static char *
pdf_detail (const PdfJob *job, int pages, const MgPdfRewrite *rw)
{
  g_autofree char *how = pdf_how (job);
  g_autofree char *jpegs = rw->jpegs == 0 ? g_strdup ("")
                                          : g_strdup_printf (
                                                "; %u JPEG image%s written again from %s DCT "
                                                "coefficients",
                                                rw->jpegs, rw->jpegs == 1 ? "" : "s",
                                                rw->jpegs == 1 ? "its" : "their");

  g_autofree char *layer = job->layer_pages == 0
                               ? g_strdup ("")
                               : g_strdup_printf (
                                     "; the text of %u page%s that the drawing does not "
                                     "carry (invisible or without Unicode) laid over "
                                     "%s as invisible text",
                                     job->layer_pages, job->layer_pages == 1 ? "" : "s",
                                     job->layer_pages == 1 ? "it" : "them");

  return g_strdup_printf ("%d page%s redrawn %s; %u annotation%s drawn into the pages, "
                          "%u left out; %u TrueType font%s reduced to glyph outlines (no "
                          "hinting program)%s%s; nothing else of the original kept",
                          pages, pages == 1 ? "" : "s", how, job->annotations_drawn,
                          job->annotations_drawn == 1 ? "" : "s", job->annotations_dropped,
                          rw->fonts, rw->fonts == 1 ? "" : "s", jpegs, layer);
}

/* --- text the drawing does not carry ----------------------------------- */

/* When the text of a page of DRAWN (the rebuilt PDF) lacks some of the
 * input's (DOC), JOB->layer set for every page of DOC that has text; FALSE
 * when none lacks any. */
static gboolean
pdf_find_lacking (PopplerDocument *doc, GBytes *drawn, PdfJob *job)
{
  g_autoptr (GError) error = NULL;
  PopplerDocument *out = poppler_document_new_from_bytes (drawn, NULL, &error);
  int pages = poppler_document_get_n_pages (doc);
  gboolean any = FALSE;

  if (out == NULL || poppler_document_get_n_pages (out) != pages) {
    g_clear_object (&out);
    return FALSE;
  }
  job->layer = g_new0 (gboolean, pages);
  for (int i = 0; i < pages && g_get_monotonic_time () < job->deadline; i++) {
    PopplerPage *in_page = poppler_document_get_page (doc, i);
    g_autofree char *in_key = in_page != NULL ? mg_pdf_text_key (in_page) : g_strdup ("");
    job->layer[i] = in_key[0] != '\0';
    /* the output's page is opened and read only where it may lack some
     * text: the input's page has text, and no page before lacks any */
    if (!any && job->layer[i]) {
      PopplerPage *out_page = poppler_document_get_page (out, i);
      g_autofree char *out_key = out_page != NULL ? mg_pdf_text_key (out_page) : g_strdup ("");
      any = mg_pdf_text_lacks (in_key, out_key);
      g_clear_object (&out_page);
    }
    g_clear_object (&in_page);
  }
  g_object_unref (out);
  if (!any)
    g_clear_pointer (&job->layer, g_free);
  return any;
}

static gboolean pdf_text_checked = TRUE;

void
mg_pdf_text_check (gboolean on)
{
  pdf_text_checked = on;
}

typedef enum {
  PDF_DONE,        /* RESULT says what became of the document */
  PDF_FOR_DISPLAY, /* draw it again for display (image data copied) */
  PDF_WITH_LAYER,  /* draw it again with JOB->layer */
} PdfNext;

/* JOB->out, its fonts reduced to outlines, its JPEGs written again and its
 * text layer made invisible, as RESULT's output: DOC, of PAGES pages,
 * rebuilt. Or what to draw again instead (RESULT untouched): for display,
 * when the pages, drawn for printing, hold image data that cannot be
 * written again; with the text layer, when a page lacks text the input has
 * (vector mode, first time only). */
static PdfNext
pdf_converted (PopplerDocument *doc, PdfJob *job, int pages, MgFilterResult *result)
{
  g_autoptr (GBytes) drawn = g_byte_array_free_to_bytes (g_steal_pointer (&job->out));
  const char *why = NULL;
  MgPdfRewrite rw = { .images = &job->config->image,
                      .deadline = job->deadline,
                      .text_layer = job->layer_chars > 0 };
  g_autoptr (GBytes) outlines = mg_pdf_fonts_outlines_only (drawn, &rw, &why);

  if (outlines == NULL && rw.copied && job->printing)
    return PDF_FOR_DISPLAY;
  if (outlines == NULL || (rw.text_layer && rw.invisible == 0)) {
    pdf_stop (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("the rebuilt PDF cannot be written again: %s",
                               outlines == NULL ? why : "the text layer was not found"));
    return PDF_DONE;
  }
  if (job->layer == NULL && job->config->pdf.mode != MG_PDF_MODE_RASTER && pdf_text_checked &&
      mg_pdf_text_available () && pdf_find_lacking (doc, drawn, job))
    return PDF_WITH_LAYER;
  result->action = MG_ACTION_CONVERTED;
  result->reason = MG_REASON_PDF_REBUILT;
  result->detail = pdf_detail (job, pages, &rw);
  result->output = g_steal_pointer (&outlines);
  result->output_type = g_strdup ("application/pdf");
  result->output_extension = g_strdup (".pdf");
  return PDF_DONE;
}

/* Draw DOC (PAGES pages) into RESULT: for printing when JOB says so, again
 * for display when that copied image data that cannot be rewritten, and
 * again with the text layer when a page lacks text: at most three passes. */
static void
pdf_rebuild_all (PopplerDocument *doc, int pages, gboolean scan_sized, PdfJob *job,
                 MgFilterResult *result)
{
  guint drawn = 0, dropped = 0;

  for (int pass = 0; pass < 3; pass++) {
    if (pass > 0)
      job->out = g_byte_array_new ();
    job->layer_pages = job->layer_chars = 0;
    gboolean rebuilt = pdf_rebuild (doc, job, result);
    if (pass == 0) {
      drawn = job->annotations_drawn;
      dropped = job->annotations_dropped;
    }
    /* the annotations were taken off in the first pass: its counts stand */
    job->annotations_drawn = drawn;
    job->annotations_dropped = dropped;
    if (!rebuilt)
      return;
    switch (pdf_converted (doc, job, pages, result)) {
    case PDF_DONE:
      return;
    case PDF_FOR_DISPLAY:
      job->printing = FALSE;
      job->check_scans = job->config->pdf.scan_dpi > 0 && scan_sized;
      job->scans = 0;
      break;
    case PDF_WITH_LAYER:
      job->scans = 0;
      break;
    }
  }
}

/* Rebuild INPUT into RESULT (in the child, or in process). */
static void
pdf_render (GBytes *input, const MgFilterInput *in, MgFilterResult *result)
{
  const MgConfig *config = in->config;
  PdfJob job = { .config = config,
                 .out = g_byte_array_new (),
                 .deadline = g_get_monotonic_time () +
                             config->pdf.max_seconds * G_USEC_PER_SEC,
                 .printing = config->pdf.mode != MG_PDF_MODE_RASTER &&
                             config->image.reencode == MG_IMAGE_REENCODE_LOSSLESS };
  PopplerDocument *doc = pdf_open (input, result);

  if (doc != NULL && pdf_check_pages (doc, &config->pdf, result)) {
    int pages = poppler_document_get_n_pages (doc);
    gboolean scan_sized = g_bytes_get_size (input) / pages > MG_PDF_SCAN_BYTES_PER_PAGE;
    job.check_scans = config->pdf.scan_dpi > 0 && scan_sized && !job.printing;
    pdf_rebuild_all (doc, pages, scan_sized, &job, result);
  }
  g_clear_pointer (&job.out, g_byte_array_unref);
  g_clear_pointer (&job.layer, g_free);
  g_clear_object (&doc);
}

static gboolean pdf_in_process;

void
mg_pdf_render_in_process (gboolean in_process)
{
  pdf_in_process = in_process;
}

static gboolean
pdf_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result, GError **error)
{
  (void) error;
  g_return_val_if_fail (in->config != NULL, FALSE);
  if (pdf_in_process)
    pdf_render (input, in, result);
  else
    mg_pdf_child_run (pdf_render, input, in, result);
  return TRUE;
}

/* --- start-up ---------------------------------------------------------- */

/* A one-page PDF with a standard font and a non-embedded Japanese CID font. */
static GBytes *
warm_up_pdf (void)
{
  static const char content[] =
      "BT /F1 9 Tf 2 40 Td (Aa) Tj /F2 9 Tf 0 -20 Td <65E5672C> Tj ET";
  g_autofree char *stream = g_strdup_printf ("<< /Length %zu >>\nstream\n%s\nendstream",
                                             strlen (content), content);
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R "
    "/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
    stream,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    "<< /Type /Font /Subtype /Type0 /BaseFont /Ryumin-Light /Encoding /UniJIS-UCS2-H "
    "/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Ryumin-Light "
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
    "/FontDescriptor << /Type /FontDescriptor /FontName /Ryumin-Light /Flags 6 "
    "/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 "
    "/CapHeight 709 /StemV 69 >> >>] >>",
  };
  GString *pdf = g_string_new ("%PDF-1.4\n");
  gsize offsets[G_N_ELEMENTS (objects)];

  for (gsize i = 0; i < G_N_ELEMENTS (objects); i++) {
    offsets[i] = pdf->len;
    g_string_append_printf (pdf, "%zu 0 obj\n%s\nendobj\n", i + 1, objects[i]);
  }
  gsize xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %zu\n0000000000 65535 f \n",
                          G_N_ELEMENTS (objects) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (objects); i++)
    g_string_append_printf (pdf, "%010zu 00000 n \n", offsets[i]);
  g_string_append_printf (pdf,
                          "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                          G_N_ELEMENTS (objects) + 1, xref);
  return g_string_free_to_bytes (pdf);
}

/* poppler-glib reports each oddity of a hostile file as a GLib warning, and
 * one file can carry thousands. They describe the input, not mugai, and the
 * report already says what became of the part: they are dropped. */
static void
pdf_drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) level;
  (void) message;
  (void) data;
}

/* Draw a small PDF once, so that poppler, fontconfig, FreeType and the CMaps
 * are loaded before a sandbox forbids opening their files. */
static gboolean
pdf_init (const MgConfig *config, GError **error)
{
  static gsize quiet;
  g_autoptr (GBytes) warm = warm_up_pdf ();
  (void) config;

  if (g_once_init_enter (&quiet))
    g_once_init_leave (&quiet, g_log_set_handler ("Poppler",
                                                  G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                                                      G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG |
                                                      G_LOG_FLAG_FATAL,
                                                  pdf_drop_log, NULL));
  PopplerDocument *doc = poppler_document_new_from_bytes (warm, NULL, error);

  if (doc == NULL)
    return FALSE;
  PopplerPage *page = poppler_document_get_page (doc, 0);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 72, 72);
  cairo_t *cr = cairo_create (image);
  poppler_page_render (page, cr);
  if (mg_pdf_text_init ()) /* no font: no layer, the rest as before */
    mg_pdf_text_layer (page, cr);
  cairo_status_t status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  g_object_unref (page);
  g_object_unref (doc);
  if (status != CAIRO_STATUS_SUCCESS)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cairo: %s",
                 cairo_status_to_string (status));
  return status == CAIRO_STATUS_SUCCESS;
}

const MgFilter mg_filter_pdf = {
  .name = "pdf",
  .types = pdf_types,
  .init = pdf_init,
  .sanitise = pdf_sanitise,
};
