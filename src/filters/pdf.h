/* pdf.h - PDF rebuilt from the drawing of its pages (poppler onto cairo).
 *
 * Every page of the input is drawn by poppler into a new PDF that cairo
 * writes. In vector mode ([pdf] mode = vector, the default) the drawing stays
 * vectors and text, in fonts cairo subsets again, so the text can still be
 * selected and searched; in raster mode each page becomes one image at
 * [pdf] raster_dpi. Nothing else of the input is carried over: no JavaScript,
 * action, form, annotation, link, outline, embedded file, XFA, multimedia,
 * metadata, unreferenced object or older revision. A PDF that needs a
 * password to open is withheld; one with only an owner password is rebuilt.
 * Limits ([pdf] max_pages, max_page_area, max_seconds, max_output_size,
 * max_memory) remove the part with a reason. The rebuild runs in a child
 * process with its own time and memory budget (pdf_child.h), so a PDF that
 * crashes the renderer or never ends removes that part only.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_pdf;

/* Rebuild in the calling process instead of a child (a libFuzzer target, whose
 * coverage a child would not report). max_seconds is then checked between
 * pages only and max_memory is not applied: the fuzzer's own -timeout and
 * -rss_limit_mb take their place. */
void mg_pdf_render_in_process (gboolean in_process);

/* Whether the rebuilt pages' text is compared with the input's (default
 * TRUE; see pdf_text.h). FALSE only for the benchmark, which measures what
 * the comparison costs: a page that lacks text then loses it. */
void mg_pdf_text_check (gboolean on);
