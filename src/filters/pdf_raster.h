/* pdf_raster.h - one PDF page drawn as one image on a page of the output
 * (for [pdf] mode = raster, and for scanned pages in vector mode).
 *
 * poppler draws the page into pixels; the pixels are encoded here: a page
 * without colour and with few grey tones (text, line art) becomes a dithered
 * 1-bit image that cairo compresses losslessly, any other page a JPEG written
 * by gdk-pixbuf. No byte of the input's own images reaches the output.
 */
#pragma once
#include <cairo.h>
#include <poppler.h>

#include "common/config.h"

typedef enum { MG_PDF_RASTER_BILEVEL, MG_PDF_RASTER_JPEG } MgPdfRasterKind;

/* Draw PAGE (WIDTH x HEIGHT points) onto CR, the current page of a cairo
 * PDF surface of that size, as one image at DPI, lowered so that the image
 * stays within LIMITS ([image] max_pixels and max_dimension). Sets *KIND_R
 * (may be NULL) to the encoding chosen. Returns cairo's status: not
 * CAIRO_STATUS_SUCCESS when drawing failed (out of memory, among others). */
cairo_status_t mg_pdf_raster_draw (PopplerPage *page, cairo_t *cr, double width, double height,
                                   double dpi, const MgImageLimits *limits,
                                   MgPdfRasterKind *kind_r);
