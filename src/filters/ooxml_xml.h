/* ooxml_xml.h - the XML of an OOXML package (ooxml_xml.c): parts parsed
 * without loading anything, [Content_Types].xml and .rels read into tables
 * and written anew, and small tree helpers for the cleaners. Part of the
 * OOXML filter: other modules use ooxml.h.
 */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

typedef struct {
  char *id;
  char *type;
  char *target;
  gboolean external; /* TargetMode="External" */
} MgOoxmlRel;

/* Parse one part: no network, no entities substituted, no DTD loaded. NULL
 * when it is not well-formed XML, or has a DOCTYPE (then *DOCTYPE_R = TRUE). */
xmlDoc *mg_ooxml_xml_parse (GBytes *data, gboolean *doctype_r);
/* DOC as UTF-8 XML bytes. */
GBytes *mg_ooxml_xml_dump (xmlDoc *doc);
/* The content type table of [Content_Types].xml: keys "ext:png" for
 * Defaults, part keys for Overrides; NULL when DOC is not one. */
GHashTable *mg_ooxml_types_read (xmlDoc *doc);
/* The content type of the part with KEY, or NULL. */
const char *mg_ooxml_types_get (GHashTable *types, const char *key);
/* A new [Content_Types].xml with one Override per NAMES[i] -> TYPES[i]. */
GBytes *mg_ooxml_types_write (GPtrArray *names, GPtrArray *types);
/* The relationships of a .rels part (MgOoxmlRel *), or NULL when DOC is not one. */
GPtrArray *mg_ooxml_rels_read (xmlDoc *doc);
/* A new .rels part: RELS (MgOoxmlRel *, none external; targets absolute). */
GBytes *mg_ooxml_rels_write (GPtrArray *rels);
void mg_ooxml_rel_free (MgOoxmlRel *rel);
/* Helpers for the cleaners (ooxml_allow.c, ooxml_clean.c, ooxml_word.c,
 * ooxml_excel.c). */
gboolean mg_ooxml_xml_is (const xmlNode *node, const char *local_name);
char *mg_ooxml_xml_attr (const xmlNode *node, const char *local_name);
void mg_ooxml_xml_unwrap (xmlNode *node);
void mg_ooxml_xml_remove (xmlNode *node);
/* The next node of DOC in document order after NODE, not descending into
 * NODE's children when SKIP_CHILDREN (for walking while removing). */
xmlNode *mg_ooxml_xml_next (xmlNode *node, gboolean skip_children);
