/* bench_pdf.c - pages per second of the PDF filter in one process, and the
 * corpus it is measured on.
 *
 *   bench_pdf gen DIR              write the corpus PDFs into DIR (cairo, IPA fonts)
 *   bench_pdf run ROUNDS FILE...   rebuild each file ROUNDS times, vector and raster
 *
 * "run" prints one Markdown row per file and mode: pages, input size, pages
 * per second and input MB per second (CPU time of this process, so one core),
 * and the output size relative to the input. The rebuild runs in this
 * process (mg_pdf_render_in_process: the child the worker forks would hide
 * its CPU time from clock ()); vector mode is measured with and without the
 * comparison of the rebuilt text with the input's (mg_pdf_text_check). The corpus: dense
 * Japanese text (embedded IPA Mincho subsets, as Word or Ichitaro export them), English text,
 * a 300-page Japanese document, and scanned pages (a JPEG per page). Not a test: nothing is
 * asserted. See test/bench/run-pdf.sh.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "filters/pdf.h"

static const char *const ja_phrases[] = {
  "住民基本台帳の閲覧について、",
  "令和七年度の予算案を次のとおり提出します。",
  "総務課および情報政策課が所管する",
  "個人情報の保護に関する条例第十二条に基づき、",
  "下記の事業の実施状況を報告いたします。",
  "①申請書　②添付書類　③委任状",
  "株式会社髙﨑製作所",
  "ご不明な点は市役所までお問い合わせください。",
  "第三層の対策として無害化通信を行う。",
};
static const char *const en_phrases[] = {
  "The municipal budget for the fiscal year ",
  "is submitted as follows. ",
  "Applications received after the deadline ",
  "will be processed in the next quarter. ",
  "Personal information is handled under the ordinance. ",
  "See the attached table. ",
};

/* CPU seconds of this process, user and system. */
static double
cpu_seconds (void)
{
  return (double) clock () / CLOCKS_PER_SEC;
}

/* --- the corpus -------------------------------------------------------- */

/* One A4 page of 44 lines of text in FONT, phrases taken in turn from PHRASES. */
static void
text_page (cairo_t *cr, const char *font, const char *const *phrases, gsize n, guint page)
{
  cairo_select_font_face (cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10.5);
  for (guint line = 0; line < 44; line++) {
    g_autoptr (GString) text = g_string_new (NULL);
    for (guint k = 0; text->len < 110; k++)
      g_string_append (text, phrases[(page * 7 + line * 3 + k) % n]);
    cairo_move_to (cr, 56, 70 + line * 16.5);
    cairo_show_text (cr, text->str);
  }
  cairo_show_page (cr);
}

static cairo_status_t
write_file (void *closure, const unsigned char *data, unsigned int len)
{
  return fwrite (data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS
                                               : CAIRO_STATUS_WRITE_ERROR;
}

static void
gen_text (const char *dir, const char *name, const char *font, const char *const *phrases,
          gsize n, guint pages)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "wb");
  cairo_surface_t *s = cairo_pdf_surface_create_for_stream (write_file, f, 595, 842);
  cairo_t *cr = cairo_create (s);

  for (guint p = 0; p < pages; p++)
    text_page (cr, font, phrases, n, p);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  fclose (f);
}

/* The pixels of IMG (CAIRO_FORMAT_RGB24) as a new pixbuf. */
static GdkPixbuf *
pixbuf_of (cairo_surface_t *img)
{
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  GdkPixbuf *pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  const guint32 *src = (const guint32 *) cairo_image_surface_get_data (img);
  int src_stride = cairo_image_surface_get_stride (img) / 4;

  cairo_surface_flush (img);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guchar *p = gdk_pixbuf_get_pixels (pb) + y * gdk_pixbuf_get_rowstride (pb) + x * 3;
      guint32 v = src[y * src_stride + x];
      p[0] = v >> 16;
      p[1] = v >> 8;
      p[2] = v;
    }
  return pb;
}

/* A 200 dpi greyish "scan" of a text page, as the JPEG a scanner makes. */
static GBytes *
scan_jpeg (guint page)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1654, 2339);
  cairo_t *cr = cairo_create (img);

  cairo_set_source_rgb (cr, 0.96, 0.95, 0.92);
  cairo_paint (cr);
  cairo_scale (cr, 200.0 / 72, 200.0 / 72);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  text_page (cr, "IPAMincho", ja_phrases, G_N_ELEMENTS (ja_phrases), page);
  cairo_destroy (cr);
  GdkPixbuf *pb = pixbuf_of (img);
  gchar *jpeg;
  gsize len;
  gdk_pixbuf_save_to_buffer (pb, &jpeg, &len, "jpeg", NULL, "quality", "75", NULL);
  g_object_unref (pb);
  cairo_surface_destroy (img);
  return g_bytes_new_take (jpeg, len);
}

static void
gen_scans (const char *dir, guint pages)
{
  g_autofree char *path = g_build_filename (dir, "scan-10.pdf", NULL);
  FILE *f = fopen (path, "wb");
  cairo_surface_t *s = cairo_pdf_surface_create_for_stream (write_file, f, 595, 842);
  cairo_t *cr = cairo_create (s);

  for (guint p = 0; p < pages; p++) {
    GBytes *jpeg = scan_jpeg (p);
    cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1654, 2339);
    /* cairo embeds the JPEG itself (DCTDecode), as scanners write their PDFs */
    cairo_surface_set_mime_data (img, CAIRO_MIME_TYPE_JPEG, g_bytes_get_data (jpeg, NULL),
                                 g_bytes_get_size (jpeg), (cairo_destroy_func_t) g_bytes_unref,
                                 jpeg);
    cairo_save (cr);
    cairo_scale (cr, 72.0 / 200, 72.0 / 200);
    cairo_set_source_surface (cr, img, 0, 0);
    cairo_paint (cr);
    cairo_restore (cr);
    cairo_show_page (cr);
    cairo_surface_destroy (img);
  }
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  fclose (f);
}

static int
gen (const char *dir)
{
  g_mkdir_with_parents (dir, 0755);
  gen_text (dir, "ja-text-20.pdf", "IPAMincho", ja_phrases, G_N_ELEMENTS (ja_phrases), 20);
  gen_text (dir, "en-text-20.pdf", "DejaVu Serif", en_phrases, G_N_ELEMENTS (en_phrases), 20);
  gen_text (dir, "ja-300.pdf", "IPAGothic", ja_phrases, G_N_ELEMENTS (ja_phrases), 300);
  gen_scans (dir, 10);
  return 0;
}

/* --- the measurement --------------------------------------------------- */

typedef struct {
  double cpu;
  gsize output;
  gboolean ok;
} Run;

static Run
rebuild (GBytes *pdf, MgConfig *config, int rounds)
{
  MgFilterInput in = { .detected_type = "application/pdf", .config = config };
  Run run = { .ok = TRUE };
  double start = cpu_seconds ();

  for (int i = 0; i < rounds && run.ok; i++) {
    MgFilterResult r = { 0 };
    run.ok = mg_filter_pdf.sanitise (pdf, &in, &r, NULL) && r.action == MG_ACTION_CONVERTED;
    if (!run.ok)
      fprintf (stderr, "not rebuilt: %s\n", r.detail);
    run.output = r.output != NULL ? g_bytes_get_size (r.output) : 0;
    mg_filter_result_clear (&r);
  }
  run.cpu = cpu_seconds () - start;
  return run;
}

static int
pages_of (GBytes *pdf)
{
  PopplerDocument *doc = poppler_document_new_from_bytes (pdf, NULL, NULL);
  int pages = doc != NULL ? poppler_document_get_n_pages (doc) : 0;

  g_clear_object (&doc);
  return pages;
}

static void
bench_file (const char *path, MgConfig *config, int rounds)
{
  char *data;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return;
  g_autoptr (GBytes) pdf = g_bytes_new_take (data, len);
  g_autofree char *name = g_path_get_basename (path);
  int pages = pages_of (pdf);

  static const char *const how[] = { "vector", "vector, no text check", "raster 150 dpi" };

  for (guint i = 0; i < G_N_ELEMENTS (how); i++) {
    config->pdf.mode = i < 2 ? MG_PDF_MODE_VECTOR : MG_PDF_MODE_RASTER;
    mg_pdf_text_check (i != 1);
    Run run = rebuild (pdf, config, rounds);
    if (!run.ok)
      continue;
    printf ("| %s | %d | %zu | mugai %s | %.1f | %.2f | %.2f |\n", name, pages, len / 1024,
            how[i], pages * rounds / run.cpu, len * rounds / run.cpu / 1e6,
            (double) run.output / len);
    fflush (stdout);
  }
  mg_pdf_text_check (TRUE);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "gen"))
    return gen (argv[2]);
  if (argc < 4 || !g_str_equal (argv[1], "run")) {
    fprintf (stderr, "usage: bench_pdf gen DIR | bench_pdf run ROUNDS FILE...\n");
    return 64;
  }
  g_autoptr (MgConfig) config = mg_config_new_default ();
  int rounds = MAX (1, atoi (argv[2]));

  config->pdf.max_output_size = G_MAXINT32;
  mg_pdf_render_in_process (TRUE);
  if (!mg_filter_pdf.init (config, NULL))
    return 1;
  for (int i = 3; i < argc; i++)
    bench_file (argv[i], config, rounds);
  return 0;
}
