/* pdf_fonts.h - the TrueType fonts of a PDF that cairo wrote, reduced to
 * their glyph outlines.
 *
 * cairo subsets the fonts poppler drew with, and for a TrueType font it
 * copies the hinting programs (fpgm, prep, cvt, glyph instructions) of the
 * font embedded in the input. This module reads the PDF cairo wrote (never
 * the input: it relies on cairo's layout, a classic xref table and one
 * object per entry), passes every FontFile2 stream through pdf_sfnt.h and
 * writes the PDF again with new offsets.
 *
 * Drawn for printing, poppler hands cairo the input's compressed image
 * data (JPEG, JPEG 2000, JBIG2, CCITT), which cairo copies as it is. Every
 * JPEG image stream (/DCTDecode) is written again from its DCT coefficients
 * (image_jpeg.h: no marker of the input kept, the same pixels); any other
 * copied data (/JPXDecode, /JBIG2Decode, /CCITTFaxDecode), or a JPEG that
 * does not transcode, makes the whole PDF refused with COPIED set, so that
 * the caller draws it again for display, where every image reaches cairo
 * as pixels. With TEXT_LAYER, the colour of pdf_text.h's layer becomes
 * text render mode 3 in the pages' content, and the glyphs of every other
 * font are mapped to no text in their ToUnicode maps. Every other object is
 * copied from cairo's output as it is.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

typedef struct {
  const MgImageLimits *images; /* limits of a JPEG transcoded; NULL: none is expected */
  gint64 deadline;             /* g_get_monotonic_time (), for the JPEGs */
  gboolean text_layer;         /* pages hold pdf_text.h's layer: make it invisible */
  guint fonts;                 /* out: TrueType fonts reduced to outlines */
  guint jpegs;                 /* out: JPEG images written again */
  gboolean copied;             /* out: image data that cannot be written again was found */
  guint invisible;             /* out: streams where the layer was made invisible */
} MgPdfRewrite;

/* PDF (as cairo wrote it) with every embedded TrueType font reduced to its
 * outlines and every JPEG written again (RW says how many). NULL with
 * *WHY_R (static English) when the PDF, a font or an image in it cannot be
 * read: the caller must not pass PDF on. */
GBytes *mg_pdf_fonts_outlines_only (GBytes *pdf, MgPdfRewrite *rw, const char **why_r);
