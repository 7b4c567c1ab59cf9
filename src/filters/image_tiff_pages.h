/* image_tiff_pages.h - a TIFF of several pages (a fax) written again page
 * by page as a new multi-page TIFF.
 *
 * gdk-pixbuf decodes a TIFF's first page only. libtiff reads each page from
 * memory (never a file) into RGBA pixels, and a new TIFF is written from the
 * pixels alone: a page whose pixels are all black or white as one bit per
 * pixel, CCITT Group 4 (how faxes are stored), any other as 8-bit RGB with
 * Deflate; each page keeps its resolution (a fax's 204 x 98 dpi), nothing
 * else of the input (no other tag, no EXIF, XMP, ICC or private data, no
 * second image per page). Every page is checked against [image]
 * max_pixels and max_dimension before it is decoded, all pages together
 * against PIXEL_BUDGET, and DEADLINE between pages.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

/* INPUT written again with every page; *PAGES_R: how many, *PIXELS_R: their
 * pixels. NULL with *WHY_R (English, owned) when a page breaks a limit or
 * does not decode: the caller then keeps the first page only. */
GBytes *mg_image_tiff_rebuild (GBytes *input, const MgImageLimits *limits, gint64 pixel_budget,
                               gint64 deadline, guint *pages_r, gint64 *pixels_r,
                               char **why_r);
