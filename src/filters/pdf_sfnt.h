/* pdf_sfnt.h - a TrueType font reduced to its glyph outlines.
 *
 * A TrueType font carries programs besides its outlines: the font program
 * (fpgm), the control value program (prep) and its table (cvt), and
 * instructions inside each glyph, all run by the reader's rasteriser. cairo
 * copies them, byte for byte, from the font embedded in the input into the
 * subset it writes. This module writes the font again with only the tables
 * that describe outlines and metrics (cmap, glyf, head, hhea, hmtx, loca,
 * maxp), every glyph's instructions removed, and maxp's limits of the
 * hinting machine set to nothing. Any other table (name, post, OS/2, kern,
 * vendor tables) is left out too. It never returns the input.
 */
#pragma once
#include <glib.h>

/* FONT (an sfnt with TrueType outlines) without hinting programs, or NULL
 * when FONT is not such a font or is malformed (*WHY_R, static English). */
GBytes *mg_pdf_sfnt_outlines_only (GBytes *font, const char **why_r);
