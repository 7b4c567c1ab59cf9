/* ooxml_allow.h - what a kept XML part of an OOXML package may hold: the
 * allow-lists of namespaces and attribute values, and markup compatibility
 * resolved (ooxml_allow.c). Part of the OOXML filter.
 */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

/* TRUE when NS is on the allow-list, or is PART_NS (the namespace of the
 * part's root) and that is one of the namespaces allowed in their own part. */
gboolean mg_ooxml_allow_ns (const xmlNs *ns, const xmlNs *part_ns);
/* TRUE when ATTR may stay: no namespace, xml:, or an allowed one, and a
 * value that mg_ooxml_allow_value takes. */
gboolean mg_ooxml_allow_attr (const xmlAttr *attr, const xmlNs *part_ns);
/* FALSE when VALUE could be read as a link, a path or HTML: "://", a UNC
 * or rooted path, a drive letter, a scheme a reader follows or runs, a tag. */
gboolean mg_ooxml_allow_value (const char *value);
/* TRUE when an a:graphicData of URI draws something on the allow-list. */
gboolean mg_ooxml_allow_graphic (const char *uri);
/* TRUE when an attribute value or text below NODE fails mg_ooxml_allow_value
 * (how an element outside the list is counted: a link, or an extension). */
gboolean mg_ooxml_allow_subtree_unsafe (const xmlNode *node);
/* Resolve every mc:AlternateContent of DOC to the branch a reader of the
 * allowed namespaces takes (the first understood mc:Choice, else
 * mc:Fallback, else nothing). */
void mg_ooxml_allow_alternates (xmlDoc *doc);
/* TRUE when DOC's root element is in a namespace on the allow-list. */
gboolean mg_ooxml_allow_root (xmlDoc *doc);
