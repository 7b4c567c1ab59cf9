/* ooxml_clean.h - the rules for every kept XML part of an OOXML package
 * (ooxml_clean.c). Part of the OOXML filter: ooxml.c runs them last on each
 * part, after markup compatibility (ooxml_allow.h) and the rules of the
 * part's kind (ooxml_word.h, ooxml_excel.h).
 */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

#include "filters/ooxml_findings.h"

/* Clean DOC in place: elements and attributes outside the allow-list
 * (ooxml_allow.c) and active elements removed (counted in FINDINGS),
 * references to relationships not in KEPT_IDS removed (with their element
 * where it needs them), external link attributes, processing instructions
 * and comments removed. */
void mg_ooxml_clean (xmlDoc *doc, GHashTable *kept_ids, MgOoxmlFindings *findings);
