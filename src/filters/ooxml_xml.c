/* ooxml_xml.c - XML of an OOXML package: parsed safely, written anew.
 *
 * Parsing never loads anything (no network, no DTD, no entity substitution)
 * and refuses a DOCTYPE outright: OOXML has none, so one is an attack (billion
 * laughs, XXE). [Content_Types].xml and .rels parts are read into tables and
 * written from scratch, never copied. The tree helpers at the end serve the
 * cleaners; what a part may keep is decided there (ooxml_allow.c,
 * ooxml_clean.c, ooxml_word.c, ooxml_excel.c), never here.
 */
#include "filters/ooxml_xml.h"

#include <libxml/parser.h>
#include <string.h>

#include "filters/ooxml_zip.h"

#define NS_CONTENT_TYPES "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_RELS "http://schemas.openxmlformats.org/package/2006/relationships"

/* --- parsing and writing ----------------------------------------------- */

static gboolean
has_doctype (const char *data, gsize len)
{
  static const char utf16[] = "<\0!\0D\0O\0C\0T\0Y\0P\0E";

  if (data == NULL || len == 0)
    return FALSE;
  /* memmem, not g_strstr_len: a NUL byte must not end the search */
  return memmem (data, len, "<!DOCTYPE", 9) != NULL ||
         memmem (data, len, "<!ENTITY", 8) != NULL ||
         memmem (data, len, utf16, sizeof utf16 - 1) != NULL ||
         memmem (data, len, utf16 + 1, sizeof utf16 - 2) != NULL;
}

xmlDoc *
mg_ooxml_xml_parse (GBytes *data, gboolean *doctype_r)
{
  gsize len;
  const char *bytes = g_bytes_get_data (data, &len);
  xmlDoc *doc;

  *doctype_r = FALSE;
  if (len > G_MAXINT)
    return NULL;
  if (has_doctype (bytes, len)) {
    *doctype_r = TRUE;
    return NULL;
  }
  doc = xmlReadMemory (bytes, (int) len, NULL, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                           XML_PARSE_COMPACT);
  if (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)) {
    *doctype_r = TRUE;
    g_clear_pointer (&doc, xmlFreeDoc);
  }
  if (doc != NULL && xmlDocGetRootElement (doc) == NULL)
    g_clear_pointer (&doc, xmlFreeDoc);
  return doc;
}

GBytes *
mg_ooxml_xml_dump (xmlDoc *doc)
{
  xmlChar *mem = NULL;
  int size = 0;

  xmlDocDumpMemoryEnc (doc, &mem, &size, "UTF-8");
  GBytes *out = g_bytes_new (mem, size > 0 ? size : 0);
  xmlFree (mem);
  return out;
}

gboolean
mg_ooxml_xml_is (const xmlNode *node, const char *local_name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         strcmp ((const char *) node->name, local_name) == 0;
}

char *
mg_ooxml_xml_attr (const xmlNode *node, const char *local_name)
{
  for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
    if (strcmp ((const char *) a->name, local_name) != 0)
      continue;
    xmlChar *v = xmlNodeGetContent ((xmlNode *) a);
    char *out = g_strdup ((const char *) v);
    xmlFree (v);
    return out;
  }
  return NULL;
}

static gboolean
root_is (xmlDoc *doc, const char *local_name, const char *ns)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  return mg_ooxml_xml_is (root, local_name) && root->ns != NULL &&
         strcmp ((const char *) root->ns->href, ns) == 0;
}

/* Children of the root named LOCAL_NAME, in order. */
static GPtrArray *
root_children (xmlDoc *doc, const char *local_name)
{
  GPtrArray *out = g_ptr_array_new ();

  for (xmlNode *n = xmlDocGetRootElement (doc)->children; n != NULL; n = n->next)
    if (mg_ooxml_xml_is (n, local_name))
      g_ptr_array_add (out, n);
  return out;
}

/* Put KEY -> TYPE (lower case) into TYPES; FALSE when KEY is there already. */
static gboolean
types_put (GHashTable *types, char *key, const char *type)
{
  if (key == NULL || type == NULL || g_hash_table_contains (types, key)) {
    g_free (key);
    return FALSE;
  }
  g_hash_table_insert (types, key, g_ascii_strdown (type, -1));
  return TRUE;
}

/* The table key of a Default's extension or an Override's part name. */
static char *
types_key (const char *name, gboolean part)
{
  if (name == NULL)
    return NULL;
  if (part)
    return name[0] == '/' ? mg_ooxml_part_key (name + 1) : NULL;
  g_autofree char *low = g_ascii_strdown (name, -1);
  return g_strconcat ("ext:", low, NULL);
}

/* The Default (by extension) or Override (by part name) entries into TYPES. */
static gboolean
types_read_entries (xmlDoc *doc, GHashTable *types, gboolean overrides)
{
  g_autoptr (GPtrArray) nodes = root_children (doc, overrides ? "Override" : "Default");

  for (guint i = 0; i < nodes->len; i++) {
    g_autofree char *name = mg_ooxml_xml_attr (nodes->pdata[i],
                                               overrides ? "PartName" : "Extension");
    g_autofree char *type = mg_ooxml_xml_attr (nodes->pdata[i], "ContentType");
    if (!types_put (types, types_key (name, overrides), type))
      return FALSE;
  }
  return TRUE;
}

GHashTable *
mg_ooxml_types_read (xmlDoc *doc)
{
  g_autoptr (GHashTable)
      types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!root_is (doc, "Types", NS_CONTENT_TYPES))
    return NULL;
  if (!types_read_entries (doc, types, FALSE) || !types_read_entries (doc, types, TRUE))
    return NULL; /* a part with two types: readers would disagree */
  return g_steal_pointer (&types);
}

const char *
mg_ooxml_types_get (GHashTable *types, const char *key)
{
  const char *type = g_hash_table_lookup (types, key);
  const char *slash = strrchr (key, '/');
  const char *dot = strrchr (slash != NULL ? slash : key, '.');

  if (type != NULL || dot == NULL)
    return type;
  g_autofree char *ext = g_strconcat ("ext:", dot + 1, NULL);
  return g_hash_table_lookup (types, ext);
}

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, escaped);
}

GBytes *
mg_ooxml_types_write (GPtrArray *names, GPtrArray *types)
{
  GString *out = g_string_new (
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"" NS_CONTENT_TYPES "\">"
      "<Default Extension=\"rels\" ContentType=\"application/"
      "vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>");

  for (guint i = 0; i < names->len; i++) {
    g_string_append (out, "<Override PartName=\"/");
    append_escaped (out, g_ptr_array_index (names, i));
    g_string_append (out, "\" ContentType=\"");
    append_escaped (out, g_ptr_array_index (types, i));
    g_string_append (out, "\"/>");
  }
  g_string_append (out, "</Types>");
  return g_string_free_to_bytes (out);
}

void
mg_ooxml_rel_free (MgOoxmlRel *rel)
{
  g_free (rel->id);
  g_free (rel->type);
  g_free (rel->target);
  g_free (rel);
}

GPtrArray *
mg_ooxml_rels_read (xmlDoc *doc)
{
  GPtrArray *rels;

  if (!root_is (doc, "Relationships", NS_RELS))
    return NULL;
  g_autoptr (GPtrArray) nodes = root_children (doc, "Relationship");
  rels = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_ooxml_rel_free);
  for (guint i = 0; i < nodes->len; i++) {
    MgOoxmlRel *rel = g_new0 (MgOoxmlRel, 1);
    g_autofree char *mode = mg_ooxml_xml_attr (nodes->pdata[i], "TargetMode");
    rel->id = mg_ooxml_xml_attr (nodes->pdata[i], "Id");
    rel->type = mg_ooxml_xml_attr (nodes->pdata[i], "Type");
    rel->target = mg_ooxml_xml_attr (nodes->pdata[i], "Target");
    /* anything but the default "Internal" is taken for external */
    rel->external = mode != NULL && g_ascii_strcasecmp (g_strstrip (mode), "Internal") != 0;
    g_ptr_array_add (rels, rel);
  }
  return rels;
}

GBytes *
mg_ooxml_rels_write (GPtrArray *rels)
{
  GString *out = g_string_new (
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"" NS_RELS "\">");

  for (guint i = 0; i < rels->len; i++) {
    const MgOoxmlRel *rel = g_ptr_array_index (rels, i);
    g_assert (!rel->external);
    g_string_append (out, "<Relationship Id=\"");
    append_escaped (out, rel->id);
    g_string_append (out, "\" Type=\"");
    append_escaped (out, rel->type);
    g_string_append (out, "\" Target=\"");
    append_escaped (out, rel->target);
    g_string_append (out, "\"/>");
  }
  g_string_append (out, "</Relationships>");
  return g_string_free_to_bytes (out);
}

/* --- tree helpers ------------------------------------------------------ */

xmlNode *
mg_ooxml_xml_next (xmlNode *node, gboolean skip_children)
{
  if (!skip_children && node->type == XML_ELEMENT_NODE && node->children != NULL)
    return node->children;
  while (node != NULL) {
    if (node->next != NULL)
      return node->next;
    node = node->parent;
    if (node == NULL || node->type == XML_DOCUMENT_NODE)
      return NULL;
  }
  return NULL;
}

void
mg_ooxml_xml_remove (xmlNode *node)
{
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

void
mg_ooxml_xml_unwrap (xmlNode *node)
{
  xmlNode *child = node->children;

  while (child != NULL) {
    xmlNode *next = child->next;
    xmlUnlinkNode (child);
    xmlNode *placed = xmlAddPrevSibling (node, child);
    /* the child may use a namespace NODE declares: declare it where it lands */
    if (placed != NULL && placed->type == XML_ELEMENT_NODE)
      xmlReconciliateNs (node->doc, placed);
    child = next;
  }
  mg_ooxml_xml_remove (node);
}
