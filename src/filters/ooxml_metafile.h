/* ooxml_metafile.h - EMF and WMF pictures of an Office document drawn to PNG
 * by LibreOffice (ooxml_metafile.c). Part of the OOXML filter.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"
#include "filters/ooxml_zip.h"

/* "emf" or "wmf" when DATA is such a metafile, else NULL. */
const char *mg_ooxml_metafile_ext (GBytes *data);
/* The EMF/WMF parts of PKG, at most [office] max_metafiles in zip order,
 * drawn by LibreOffice (IN's converter) in one run and cut to their drawing,
 * as PNG bytes for the image filter: part key (PKG's) -> GBytes *, or NULL
 * for one it could not draw; a metafile beyond the limit has no entry. */
GHashTable *mg_ooxml_metafiles_draw (MgOoxmlPackage *pkg, const MgFilterInput *in);
