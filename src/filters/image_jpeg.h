/* image_jpeg.h - a JPEG written again from its DCT coefficients (libjpeg),
 * without loss, the way `jpegtran -copy none -optimize` does it.
 *
 * The output is baseline sequential Huffman coding with optimised tables
 * and no restart markers, whatever the input's coding (progressive and
 * arithmetic coding are turned into that: one form, the most widely read).
 * It holds SOI, the JFIF APP0 and, where the input had one, the Adobe APP14
 * that libjpeg writes itself, the quantisation tables, the frame, Huffman
 * tables, one scan and EOI: no marker of the input is copied (no EXIF, XMP,
 * ICC, Photoshop or other APPn, no COM, no JFIF thumbnail), and what follows
 * EOI is never read. The JFIF version and pixel density, the component ids
 * and the quantisation tables are kept, as jpegtran keeps them. The pixels
 * decode exactly as the input's do, and the output transcoded again gives
 * the same bytes: it is a fixed point.
 *
 * What this keeps that re-encoding the pixels would not: the coefficients
 * themselves, so data hidden in them (steganography) passes as it came.
 * Coefficients out of the range a JPEG may hold make libjpeg's encoder
 * fail, and a JPEG that libjpeg's decoder could not show (a colour space of
 * other than 1, 3 or 4 components, sampling factors that are not whole
 * ratios) is refused, so nothing passes that viewers could not decode.
 *
 * The size in the header is checked against [image] max_pixels and
 * max_dimension before any coefficient is read; a progressive JPEG of more
 * than MG_IMAGE_JPEG_MAX_SCANS scans is refused. An EXIF orientation of 2 to
 * 8 is reported, once the coefficients were read (so that limit holds for
 * the caller's decoder too), and nothing is written: the caller turns the
 * pixels.
 * Damaged entropy-coded data (a file cut short, corrupt bytes) is filled in
 * the way libjpeg and so every viewer built on it shows it; a damaged
 * header is an error. libjpeg's messages never reach stderr and its errors
 * never exit: they come back as MG_IMAGE_JPEG_BAD.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

/* Scans a progressive JPEG may have: a usual one has about 10, and each
 * scan walks every block of the image again. */
#define MG_IMAGE_JPEG_MAX_SCANS 256

typedef enum {
  MG_IMAGE_JPEG_DONE,    /* output holds the new JPEG */
  MG_IMAGE_JPEG_TURN,    /* EXIF orientation 2 to 8: the pixels must be turned */
  MG_IMAGE_JPEG_TOO_BIG, /* width x height over [image] limits */
  MG_IMAGE_JPEG_TOO_MANY_SCANS,
  MG_IMAGE_JPEG_TOO_SLOW, /* DEADLINE passed while reading or writing */
  MG_IMAGE_JPEG_BAD,      /* does not decode; message says why */
} MgImageJpegStatus;

typedef struct {
  GBytes *output;       /* the new JPEG (DONE), owned */
  char *message;        /* libjpeg's words (BAD), owned */
  int width, height;    /* from the header, 0 when it did not parse */
  int orientation;      /* EXIF orientation, 0 when there is none */
  gboolean progressive; /* the input's coding */
  gboolean arithmetic;
  long damaged; /* corrupt-data warnings libjpeg repaired */
} MgImageJpeg;

/* Transcode the JPEG INPUT into JPEG_R (which is overwritten; clear it with
 * mg_image_jpeg_clear). Returns what happened: bad input, and memory that
 * runs out, come back as a status with a message, never as an exit.
 * DEADLINE (g_get_monotonic_time (), 0: none) is checked as libjpeg reports
 * progress, row by row. */
MgImageJpegStatus mg_image_jpeg_transcode (GBytes *input, const MgImageLimits *limits,
                                           gint64 deadline, MgImageJpeg *jpeg_r);

void mg_image_jpeg_clear (MgImageJpeg *jpeg);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgImageJpeg, mg_image_jpeg_clear)
