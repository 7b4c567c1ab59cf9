/* ooxml_metafile.h - EMF and WMF pictures of an Office document drawn to PNG
 * by LibreOffice (ooxml_metafile.c). Part of the OOXML filter.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

/* "emf" or "wmf" when DATA is such a metafile, else NULL. */
const char *mg_ooxml_metafile_ext (GBytes *data);
/* DATA, a metafile of extension EXT, drawn by LibreOffice (IN's converter)
 * and cut to its drawing, as PNG bytes for the image filter; NULL with
 * *WHY_R (English, owned). */
GBytes *mg_ooxml_metafile_png (GBytes *data, const char *ext, const MgFilterInput *in,
                               char **why_r);
#define MG_OOXML_MAX_METAFILES 4   /* per document: each one starts LibreOffice */
