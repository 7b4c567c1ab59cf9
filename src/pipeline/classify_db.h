/* classify_db.h - libmagic's own compiled database without the string tests
 * that need a '<', for the bytes that hold none (the same answers, faster). */
#pragma once
#include <glib.h>

/* The system's compiled magic database (the one magic_load (m, NULL) reads)
 * without its top-level string and search tests whose value holds '<' (HTML,
 * SVG, XML, SGML...), to load with magic_load_buffers(); or NULL when the
 * database or libmagic is not the one the equivalence was checked against
 * (classify_db.c says how). Built once per process, never freed. */
GBytes *mg_classify_db_reduced (void);
/* TRUE when libmagic names DATA the same with the reduced database as with
 * the full one: no '<' in it, nor any byte from which libmagic's text
 * conversions could make one (NUL and the control bytes that lead to
 * EBCDIC). */
gboolean mg_classify_db_covers (const void *data, gsize len);
