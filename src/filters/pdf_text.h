/* pdf_text.h - the text of an input page that the redraw does not carry,
 * laid over the rebuilt page as invisible text.
 *
 * cairo's PDF carries the text that poppler hands it with each glyph. Two
 * kinds of text never reach it: invisible text (render mode 3), which is how
 * a searchable scan stores its OCR, since poppler does not draw it at all;
 * and text in fonts for which poppler's drawing has no Unicode (embedded CID
 * fonts without a ToUnicode map, e.g. Japanese fonts in Identity-H or
 * Identity-V), which cairo maps to U+FFFD, although poppler's own text
 * extraction reads it (cairo takes the text of such a glyph from the
 * embedded font's own cmap, where there is one, and U+FFFD where not).
 *
 * When the text of any page, as poppler extracts it from the rebuilt PDF,
 * lacks a character of the input's (white space aside), the document is drawn again
 * with a text layer on every page that has text: the input's text, one
 * character per box poppler found it in, in a font of the system (IPAGothic,
 * loaded before the sandbox and renamed MG_PDF_TEXT_FONT_NAME so that it is
 * told from the same font drawn by poppler) and in text render mode 3:
 * invisible, selectable and searchable, as an OCR layer is. The glyphs of
 * every other font are then mapped to no text (pdf_fonts.c), so that
 * copying and extracting give the input's text once.
 */
#pragma once
#include <cairo.h>
#include <glib.h>
#include <poppler.h>

/* The colour the layer is drawn in, which pdf_fonts.c turns into "3 Tr"
 * (text render mode 3: neither filled nor stroked) in the page's content:
 * MG_PDF_TEXT_MARKER_OP is how cairo writes it. */
#define MG_PDF_TEXT_MARKER_R 0.0123
#define MG_PDF_TEXT_MARKER_G 0.0456
#define MG_PDF_TEXT_MARKER_B 0.0789
#define MG_PDF_TEXT_MARKER_OP "0.0123 0.0456 0.0789 rg"
#define MG_PDF_TEXT_INVISIBLE_OP "3 Tr"
/* The layer font's PostScript name, and how cairo names its subset. */
#define MG_PDF_TEXT_FONT_NAME "MugaiText"
#define MG_PDF_TEXT_FONT_BASE "+MugaiText"

/* Load the layer's font from the system (before the sandbox). FALSE when
 * no font is found: mg_pdf_text_available () is then FALSE too. */
gboolean mg_pdf_text_init (void);
gboolean mg_pdf_text_available (void);

/* PAGE's text as poppler extracts it, without white space and with
 * compatibility forms folded (NFKC: the ligature U+FB01 is "fi"): what is
 * compared. Never NULL. */
char *mg_pdf_text_key (PopplerPage *page);

/* Whether the text OUT_KEY lacks a character of IN_KEY (keys as
 * mg_pdf_text_key gives them; text OUT_KEY has beyond IN_KEY, such as the
 * form field values drawn into the page, is no lack). */
gboolean mg_pdf_text_lacks (const char *in_key, const char *out_key);

/* Draw PAGE's text on CR invisibly (see above); the number of characters. */
guint mg_pdf_text_layer (PopplerPage *page, cairo_t *cr);
