/* image.h - raster images decoded to pixels and encoded again (gdk-pixbuf).
 *
 * PNG stays PNG, JPEG stays JPEG; GIF (its first frame), BMP, TIFF and WebP
 * (where gdk-pixbuf has a WebP loader) become PNG. What passes is what the
 * encoder wrote from the pixels: no EXIF/GPS, XMP, ICC profile, text chunk or
 * comment, and nothing after the end of the image. The size in the header is
 * checked against [image] max_pixels and max_dimension before any pixel is
 * decoded. SVG is not taken (it is a document, removed by policy).
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_image;
