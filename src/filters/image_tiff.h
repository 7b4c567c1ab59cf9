/* image_tiff.h - what the image filter needs to know of a TIFF beyond its
 * first page (gdk-pixbuf decodes the first page only). */
#pragma once
#include <glib.h>

#define MG_IMAGE_TIFF_MAX_PAGES 10000 /* image file directories followed */

/* How many pages (image file directories) the TIFF DATA holds: 1 when it
 * cannot be read past the first, at most MG_IMAGE_TIFF_MAX_PAGES; a loop in
 * the chain ends the count. */
guint mg_image_tiff_pages (const guint8 *data, gsize len);
