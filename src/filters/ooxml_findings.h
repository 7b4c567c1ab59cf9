/* ooxml_findings.h - what an OOXML rebuild left behind or changed, counted
 * by the cleaners (ooxml_clean.c, ooxml_word.c, ooxml_excel.c) and the walk
 * (ooxml.c), which turns the counts into the reason and the detail. A type
 * only; no functions.
 */
#pragma once
#include <glib.h>

/* What the rebuild left behind or changed, for the reason and the detail. */
typedef struct {
  guint macros;         /* VBA projects, vbaData, Excel 4.0 macro sheets */
  guint objects;        /* OLE objects, packages, ActiveX, altChunks, customUI */
  guint external;       /* external relationships and link targets */
  guint fields;         /* Word fields flattened to their result */
  guint formulas;       /* Excel formulas replaced by their cached value */
  guint names;          /* auto-run or external defined names */
  guint elements;       /* other active elements (sounds, embedded fonts...) */
  guint parts;          /* other parts not on the allow-list */
  guint images;         /* images the image filter did not pass */
  guint metafiles;      /* EMF/WMF pictures drawn to PNG (ooxml_metafile.c) */
  guint metafiles_over; /* EMF/WMF pictures beyond [office] max_metafiles */
  guint extensions;     /* elements and attributes outside the namespace allow-list
                           that carried no link or HTML (not a reason of their own) */
} MgOoxmlFindings;
