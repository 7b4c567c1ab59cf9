/* image.h - raster images rebuilt by mugai's own encoders.
 *
 * PNG stays PNG (decoded to pixels with gdk-pixbuf and encoded again); GIF
 * (its first frame), BMP, TIFF and WebP (where gdk-pixbuf has a WebP loader)
 * become PNG. JPEG stays JPEG and is rebuilt losslessly from its DCT
 * coefficients (libjpeg, as `jpegtran -copy none`: new headers and Huffman
 * tables, no marker of the original), so sanitising twice gives the same bytes;
 * an EXIF-rotated JPEG is first turned upright from its pixels. What passes
 * holds no EXIF/GPS, XMP, ICC profile, text chunk or comment, and nothing after
 * the end of the image. The size in the header is
 * checked against [image] max_pixels and max_dimension before any pixel is
 * decoded. SVG is not taken (it is a document, removed by policy).
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_image;
