/* classify_db.h - libmagic's own compiled database without the tests that
 * cannot match text, for the bytes that are text (the same answers, faster). */
#pragma once
#include <glib.h>

/* The system's compiled magic database (the one magic_load (m, NULL) reads)
 * without its top-level tests whose value holds '<' (HTML, SVG, XML, SGML...)
 * or a control byte text never has (string, search, and byte to quad with no
 * mask), to load with magic_load_buffers(); or NULL when the
 * database or libmagic is not the one the equivalence was checked against
 * (classify_db.c says how). Built once per process, never freed. */
GBytes *mg_classify_db_reduced (void);
/* TRUE when libmagic names DATA the same with the reduced database as with
 * the full one: every byte is one of libmagic's text bytes but '<' (tab,
 * newline, printable ASCII...) or 0x80-0xff. */
gboolean mg_classify_db_covers (const void *data, gsize len);
