/* ooxml.h - Word, Excel and PowerPoint (OOXML) rebuilt from their safe parts.
 *
 * The package (a zip) is read into memory within [office] limits and a new
 * package is written from an allow-list of relationship types and content
 * types: the document text, styles, themes, numbering, settings, sheets,
 * shared strings, slides, layouts, masters, charts, drawings, comments,
 * core/app properties, and images re-encoded by the image filter (through the
 * pipeline's recurse callback). Everything else is left behind: VBA projects,
 * Excel 4.0 macro sheets, ActiveX, OLE embeddings and packages, customUI,
 * altChunks, attached templates, external links, data connections, fonts,
 * printer settings, custom XML, and every external relationship. Word fields
 * that fetch, include or run something (DDE, DDEAUTO, INCLUDETEXT, HYPERLINK,
 * QUOTE-built ones...) are flattened to their result text; Excel formulas that
 * reach outside the workbook (DDE, external references, WEBSERVICE...) give
 * way to their cached value; auto-run defined names go. Macro-enabled types
 * come out as the macro-free document type (.docx, .xlsx, .pptx).
 *
 * XML is parsed with libxml2 without network, entity substitution or DTD
 * loading; a part with a DOCTYPE removes the document. The output is always
 * a package this module wrote; the input bytes never pass.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_ooxml;

/* Rebuild the OOXML package INPUT into RESULT (the filter's sanitise, without
 * the error path: bad input is a result). With ALLOW_CONVERT, a binary
 * workbook (.xlsb) goes through mg_ooxml_converted; without it, such a
 * package is removed (so a converter's output can never loop). */
void mg_ooxml_rebuild (GBytes *input, const MgFilterInput *in, gboolean allow_convert,
                       MgFilterResult *result);

/* INPUT, a document LibreOffice reads whose usual extension is SOURCE_EXT
 * ("doc", "xls", "ppt", "rtf", "odt", "xlsb"...; mg_libreoffice_target knows
 * it), converted to OOXML by LibreOffice (libreoffice.h) and rebuilt into
 * RESULT by mg_ooxml_rebuild, which never converts again. Bad input, a
 * timeout or a missing LibreOffice are results (removed, with a reason),
 * never errors. */
void mg_ooxml_converted (GBytes *input, const MgFilterInput *in, const char *source_ext,
                         MgFilterResult *result);
