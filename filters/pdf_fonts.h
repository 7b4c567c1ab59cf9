/* pdf_fonts.h - the TrueType fonts of a PDF that cairo wrote, reduced to
 * their glyph outlines.
 *
 * cairo subsets the fonts poppler drew with, and for a TrueType font it
 * copies the hinting programs (fpgm, prep, cvt, glyph instructions) of the
 * font embedded in the input. This module reads the PDF cairo wrote (never
 * the input: it relies on cairo's layout, a classic xref table and one
 * object per entry), passes every FontFile2 stream through pdf_sfnt.h and
 * writes the PDF again with new offsets. Every other object is copied from
 * cairo's output as it is.
 */
#pragma once
#include <glib.h>

/* PDF (as cairo wrote it) with every embedded TrueType font reduced to its
 * outlines; *FONTS_R: how many. NULL with *WHY_R (static English) when the
 * PDF or a font in it cannot be read: the caller must not pass PDF on. */
GBytes *mg_pdf_fonts_outlines_only (GBytes *pdf, guint *fonts_r, const char **why_r);
