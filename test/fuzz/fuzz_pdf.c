/* fuzz_pdf.c - the PDF filter with its limits and budgets, and the two parsers
 * of its output side in process: the input is also read as a TrueType font
 * (pdf_sfnt.c) and as a PDF that cairo wrote (pdf_fonts.c), since those
 * parsers see bytes copied from hostile fonts.
 *
 * The filter renders each input in a child with its own memory and time
 * budget, as in production: poppler's own crashes and endless pages then end
 * that child (the part is removed) and not the fuzzer, which is what the
 * short CI pass needs. A child's coverage does not reach libFuzzer, so to
 * explore poppler itself set MUGAI_FUZZ_PDF_IN_PROCESS=1: the filter then
 * renders in process and the fuzzer's -timeout and -rss_limit_mb are the
 * budget (poppler's crashes are then reported as findings of this target).
 * What passes is never the input and is a PDF; every TrueType font in it
 * has outline tables only. */
#include <stdint.h>
#include <string.h>

#include "common/config.h"
#include "filters/pdf.h"
#include "filters/pdf_fonts.h"
#include "filters/pdf_sfnt.h"

/* Small budgets: the sanitizer build is slow, and libFuzzer's -timeout (20 s
 * in run-fuzz.sh) must stay above max_seconds. */
static MgConfig *
fuzz_config (void)
{
  MgConfig *config = mg_config_new_default ();

  config->pdf.max_pages = 4;
  config->pdf.max_page_area = 1000000;
  config->pdf.max_seconds = 2;
  config->pdf.max_memory = 256;
  config->pdf.max_output_size = 4 << 20;
  config->pdf.raster_dpi = 50;
  config->pdf.scan_dpi = 50;
  config->image.max_pixels = 1 << 20;
  return config;
}

/* The input as a font and as cairo's output: no crash, and what comes out
 * is never the input. */
static void
parsers (GBytes *input)
{
  const char *why = NULL;
  MgImageLimits limits = { .max_pixels = 1 << 20, .max_dimension = 4096 };
  MgPdfRewrite rw = { .images = &limits };
  g_autoptr (GBytes) font = mg_pdf_sfnt_outlines_only (input, &why);
  g_autoptr (GBytes) pdf = mg_pdf_fonts_outlines_only (input, &rw, &why);

  g_assert (font == NULL || !g_bytes_equal (font, input));
  g_assert (pdf == NULL || rw.fonts + rw.jpegs == 0 || !g_bytes_equal (pdf, input));
  if (font != NULL) { /* reducing twice changes nothing */
    g_autoptr (GBytes) again = mg_pdf_sfnt_outlines_only (font, &why);
    g_assert (again != NULL && g_bytes_equal (again, font));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static MgConfig *config;
  g_autoptr (GBytes) input = g_bytes_new_static (data, size);
  MgFilterInput in = { .detected_type = "application/pdf", .filename = "fuzz.pdf" };
  MgFilterResult result = { MG_ACTION_REMOVED };

  if (config == NULL) {
    config = fuzz_config ();
    g_assert (mg_filter_pdf.init == NULL || mg_filter_pdf.init (config, NULL));
    mg_pdf_render_in_process (g_getenv ("MUGAI_FUZZ_PDF_IN_PROCESS") != NULL);
  }
  parsers (input);
  in.config = config;
  g_assert (mg_filter_pdf.sanitise (input, &in, &result, NULL));
  if (result.output != NULL) {
    gsize len;
    const char *out = g_bytes_get_data (result.output, &len);
    g_assert (result.action == MG_ACTION_CONVERTED && !g_bytes_equal (result.output, input));
    g_assert (len > 5 && memcmp (out, "%PDF-", 5) == 0);
  }
  mg_filter_result_clear (&result);
  return 0;
}
