/* ooxml_clean.c - the rules for every kept XML part (see ooxml_clean.h).
 *
 * Removes, in every kept part, the elements that run, embed or fetch
 * something, references to relationships the rebuild dropped (the element
 * too where it means nothing without them), attributes that point outside
 * the package, whatever the allow-list (ooxml_allow.c) does not name, and
 * processing instructions and comments. Only removes; never adds.
 */
#include "filters/ooxml_clean.h"

#include <string.h>

#include "filters/ooxml_allow.h"
#include "filters/ooxml_xml.h"

#define NS_OFFICE_VML "urn:schemas-microsoft-com:office:office"

/* Namespaces of r:id, r:embed, r:link... (transitional and strict). */
static const char *const rel_namespaces[] = {
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
  "http://purl.oclc.org/ooxml/officeDocument/relationships",
  NULL,
};

typedef enum { CAT_OBJECT, CAT_EXTERNAL, CAT_MACRO, CAT_ELEMENT } Category;

/* Elements removed wherever they appear, by local name. */
static const struct {
  const char *name;
  Category category;
} active_elements[] = {
  { "altChunk", CAT_OBJECT },
  { "subDoc", CAT_OBJECT },
  { "control", CAT_OBJECT },
  { "controls", CAT_OBJECT },
  { "OLEObject", CAT_OBJECT },
  { "oleObj", CAT_OBJECT },
  { "oleObjects", CAT_OBJECT },
  { "objectEmbed", CAT_OBJECT },
  { "objectLink", CAT_OBJECT },
  { "fldData", CAT_OBJECT },
  { "movie", CAT_OBJECT },
  { "attachedTemplate", CAT_EXTERNAL },
  { "mailMerge", CAT_EXTERNAL },
  { "saveThroughXslt", CAT_EXTERNAL },
  { "frameset", CAT_EXTERNAL },
  { "hlinkClick", CAT_EXTERNAL },
  { "hlinkHover", CAT_EXTERNAL },
  { "hlinkMouseOver", CAT_EXTERNAL },
  { "externalReferences", CAT_EXTERNAL },
  { "webPublishItems", CAT_EXTERNAL },
  { "webPublishObjects", CAT_EXTERNAL },
  { "HyperlinkBase", CAT_EXTERNAL },
  { "HLinks", CAT_EXTERNAL },
  { "entryMacro", CAT_MACRO },
  { "exitMacro", CAT_MACRO },
  { "functionGroups", CAT_MACRO },
  { "embeddedFontLst", CAT_ELEMENT },
  { "custDataLst", CAT_ELEMENT },
  { "dataBinding", CAT_ELEMENT },
  { "snd", CAT_ELEMENT },
  { "sndAc", CAT_ELEMENT },
  { "stSnd", CAT_ELEMENT },
  { "videoFile", CAT_ELEMENT },
  { "audioFile", CAT_ELEMENT },
  { "quickTimeFile", CAT_ELEMENT },
  { "wavAudioFile", CAT_ELEMENT },
  { "audioCd", CAT_ELEMENT },
  { "media", CAT_ELEMENT },
  { "pivotCaches", CAT_ELEMENT },
  { "attachedSchema", CAT_EXTERNAL },
  { "schemaLibrary", CAT_EXTERNAL },
};

/* Elements that keep their meaning (their text) without a relationship. */
static const char *const survive_orphaned[] = { "hyperlink", "pageSetup", NULL };

/* Attributes that may carry a link out of the package. */
static const char *const link_attributes[] = { "href", "src", "altHref", NULL };

static void
count (MgOoxmlFindings *f, Category category)
{
  switch (category) {
  case CAT_OBJECT:
    f->objects++;
    break;
  case CAT_EXTERNAL:
    f->external++;
    break;
  case CAT_MACRO:
    f->macros++;
    break;
  case CAT_ELEMENT:
    f->elements++;
    break;
  }
}

/* active_elements as a table by name (category + 1), made once. */
static GHashTable *
active_table (void)
{
  static gsize once = 0;
  static GHashTable *table;

  if (g_once_init_enter (&once)) {
    table = g_hash_table_new (g_str_hash, g_str_equal);
    for (gsize i = 0; i < G_N_ELEMENTS (active_elements); i++)
      g_hash_table_insert (table, (gpointer) active_elements[i].name,
                           GUINT_TO_POINTER (active_elements[i].category + 1));
    g_once_init_leave (&once, 1);
  }
  return table;
}

static gboolean
active_element (const xmlNode *node, Category *category_r)
{
  guint found = GPOINTER_TO_UINT (
      g_hash_table_lookup (active_table (), (const char *) node->name));

  *category_r = found > 0 ? (Category) (found - 1) : CAT_ELEMENT;
  return found > 0;
}

/* TRUE when ATTR names a relationship (r:id, r:embed..., VML's o:relid). */
static gboolean
attr_is_rel_ref (const xmlAttr *attr)
{
  if (attr->ns == NULL)
    return FALSE;
  if (g_strv_contains (rel_namespaces, (const char *) attr->ns->href))
    return TRUE;
  return strcmp ((const char *) attr->ns->href, NS_OFFICE_VML) == 0 &&
         strcmp ((const char *) attr->name, "relid") == 0;
}

static gboolean
value_is_external (const char *value)
{
  while (g_ascii_isspace (*value))
    value++;
  return strchr (value, ':') != NULL || value[0] == '\\' || value[0] == '/' ||
         g_str_has_prefix (value, "%5c") || g_str_has_prefix (value, "%5C");
}

static char *
attr_value (xmlAttr *attr)
{
  xmlChar *v = xmlNodeGetContent ((xmlNode *) attr);
  char *out = g_strdup (v != NULL ? (const char *) v : "");

  xmlFree (v);
  return out;
}

typedef struct {
  GHashTable *kept_ids;
  MgOoxmlFindings *f;
  const xmlNs *part_ns; /* the namespace of the part's root */
} Clean;

/* Remove attributes of NODE that reference dropped relationships, point
 * outside, or are not on the allow-list. Returns TRUE when NODE referenced
 * relationships and none is kept. */
static gboolean
clean_attributes (xmlNode *node, const Clean *c)
{
  guint refs = 0, kept = 0;
  xmlAttr *attr = node->properties;

  while (attr != NULL) {
    xmlAttr *next = attr->next;
    g_autofree char *value = attr_value (attr);
    if (attr_is_rel_ref (attr)) {
      refs++;
      if (g_hash_table_contains (c->kept_ids, value))
        kept++;
      else
        xmlRemoveProp (attr);
    } else if (g_strv_contains (link_attributes, (const char *) attr->name) &&
               value_is_external (value)) {
      c->f->external++;
      xmlRemoveProp (attr);
    } else if (!mg_ooxml_allow_attr (attr, c->part_ns)) {
      if (mg_ooxml_allow_value (value))
        c->f->extensions++;
      else
        c->f->external++;
      xmlRemoveProp (attr);
    }
    attr = next;
  }
  return refs > 0 && kept == 0;
}

/* Why NODE goes as a whole (counted), or FALSE when it may stay. */
static gboolean
element_refused (xmlNode *node, const Clean *c)
{
  Category category;

  if (!mg_ooxml_allow_ns (node->ns, c->part_ns)) {
    /* an extension: a link or HTML in it (wp15's online video) is counted as one */
    if (mg_ooxml_allow_subtree_unsafe (node))
      c->f->external++;
    else
      c->f->extensions++;
    return TRUE;
  }
  if (active_element (node, &category)) {
    count (c->f, category);
    return TRUE;
  }
  if (mg_ooxml_xml_is (node, "extLst")) {
    c->f->extensions++; /* extensions of DrawingML, SpreadsheetML... */
    return TRUE;
  }
  if (mg_ooxml_xml_is (node, "graphicData")) {
    g_autofree char *uri = mg_ooxml_xml_attr (node, "uri");
    if (mg_ooxml_allow_graphic (uri))
      return FALSE;
    if (uri != NULL && strstr (uri, "/ole") != NULL)
      c->f->objects++;
    else
      c->f->extensions++;
    return TRUE;
  }
  return FALSE;
}

/* Clean one element; returns the node to visit next. */
static xmlNode *
clean_element (xmlNode *node, const Clean *c)
{
  xmlNode *skip = mg_ooxml_xml_next (node, TRUE);

  if (element_refused (node, c)) {
    mg_ooxml_xml_remove (node);
    return skip;
  }
  if (clean_attributes (node, c) &&
      !g_strv_contains (survive_orphaned, (const char *) node->name)) {
    mg_ooxml_xml_remove (node);
    return skip;
  }
  return mg_ooxml_xml_next (node, FALSE);
}

void
mg_ooxml_clean (xmlDoc *doc, GHashTable *kept_ids, MgOoxmlFindings *findings)
{
  Clean c = { kept_ids, findings, xmlDocGetRootElement (doc)->ns };
  xmlNode *node = doc->children;

  while (node != NULL) {
    if (node->type == XML_ELEMENT_NODE) {
      node = clean_element (node, &c);
    } else if (node->type == XML_PI_NODE || node->type == XML_COMMENT_NODE) {
      xmlNode *next = mg_ooxml_xml_next (node, TRUE);
      mg_ooxml_xml_remove (node);
      node = next;
    } else {
      node = mg_ooxml_xml_next (node, FALSE);
    }
  }
}
