/* ooxml_word.h - Word fields flattened to their result text (ooxml_word.c).
 * Part of the OOXML filter: ooxml.c runs it on the text parts of a document.
 */
#pragma once
#include <libxml/tree.h>

#include "filters/ooxml_findings.h"

/* Flatten every field not on the allow-list (complex fields split across
 * runs, nested fields, fldSimple) to its result text. */
void mg_ooxml_word_fields (xmlDoc *doc, MgOoxmlFindings *findings);
