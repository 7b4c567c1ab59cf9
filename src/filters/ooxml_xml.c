/* ooxml_xml.c - XML of an OOXML package: parsed safely, cleaned, written anew.
 *
 * Parsing never loads anything (no network, no DTD, no entity substitution)
 * and refuses a DOCTYPE outright: OOXML has none, so one is an attack (billion
 * laughs, XXE). Cleaning removes, in every kept part, the elements that run,
 * embed or fetch something, references to relationships the rebuild dropped
 * (the element too where it means nothing without them), and attributes that
 * point outside the package. [Content_Types].xml and .rels parts are read
 * into tables and written from scratch, never copied.
 */
#include "filters/ooxml_priv.h"

#include <libxml/parser.h>
#include <string.h>

#define NS_CONTENT_TYPES "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_RELS "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_OFFICE_VML "urn:schemas-microsoft-com:office:office"

/* Namespaces of r:id, r:embed, r:link... (transitional and strict). */
static const char *const rel_namespaces[] = {
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
  "http://purl.oclc.org/ooxml/officeDocument/relationships",
  NULL,
};

/* --- parsing and writing ----------------------------------------------- */

static gboolean
has_doctype (const char *data, gsize len)
{
  static const char utf16[] = "<\0!\0D\0O\0C\0T\0Y\0P\0E";

  if (data == NULL || len == 0)
    return FALSE;
  /* memmem, not g_strstr_len: a NUL byte must not end the search */
  return memmem (data, len, "<!DOCTYPE", 9) != NULL || memmem (data, len, "<!ENTITY", 8) != NULL
         || memmem (data, len, utf16, sizeof utf16 - 1) != NULL
         || memmem (data, len, utf16 + 1, sizeof utf16 - 2) != NULL;
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
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                         | XML_PARSE_COMPACT);
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
  return node != NULL && node->type == XML_ELEMENT_NODE
         && strcmp ((const char *) node->name, local_name) == 0;
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

  return mg_ooxml_xml_is (root, local_name) && root->ns != NULL
         && strcmp ((const char *) root->ns->href, ns) == 0;
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
  g_autoptr (GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        g_free);

  if (!root_is (doc, "Types", NS_CONTENT_TYPES))
    return NULL;
  if (!types_read_entries (doc, types, FALSE) || !types_read_entries (doc, types, TRUE))
    return NULL;   /* a part with two types: readers would disagree */
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
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
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
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
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

/* --- cleaning ---------------------------------------------------------- */

typedef enum { CAT_OBJECT, CAT_EXTERNAL, CAT_MACRO, CAT_ELEMENT } Category;

/* Elements removed wherever they appear, by local name. */
static const struct {
  const char *name;
  Category category;
} active_elements[] = {
  { "altChunk", CAT_OBJECT }, { "subDoc", CAT_OBJECT }, { "control", CAT_OBJECT },
  { "controls", CAT_OBJECT }, { "OLEObject", CAT_OBJECT }, { "oleObj", CAT_OBJECT },
  { "oleObjects", CAT_OBJECT }, { "objectEmbed", CAT_OBJECT }, { "objectLink", CAT_OBJECT },
  { "fldData", CAT_OBJECT }, { "movie", CAT_OBJECT },
  { "attachedTemplate", CAT_EXTERNAL }, { "mailMerge", CAT_EXTERNAL },
  { "saveThroughXslt", CAT_EXTERNAL }, { "frameset", CAT_EXTERNAL },
  { "hlinkClick", CAT_EXTERNAL }, { "hlinkHover", CAT_EXTERNAL },
  { "hlinkMouseOver", CAT_EXTERNAL }, { "externalReferences", CAT_EXTERNAL },
  { "webPublishItems", CAT_EXTERNAL }, { "webPublishObjects", CAT_EXTERNAL },
  { "HyperlinkBase", CAT_EXTERNAL }, { "HLinks", CAT_EXTERNAL },
  { "entryMacro", CAT_MACRO }, { "exitMacro", CAT_MACRO }, { "functionGroups", CAT_MACRO },
  { "embeddedFontLst", CAT_ELEMENT }, { "custDataLst", CAT_ELEMENT },
  { "dataBinding", CAT_ELEMENT }, { "snd", CAT_ELEMENT }, { "sndAc", CAT_ELEMENT },
  { "stSnd", CAT_ELEMENT }, { "videoFile", CAT_ELEMENT }, { "audioFile", CAT_ELEMENT },
  { "quickTimeFile", CAT_ELEMENT }, { "wavAudioFile", CAT_ELEMENT },
  { "audioCd", CAT_ELEMENT }, { "media", CAT_ELEMENT }, { "pivotCaches", CAT_ELEMENT },
  { "attachedSchema", CAT_EXTERNAL }, { "schemaLibrary", CAT_EXTERNAL },
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
  guint found = GPOINTER_TO_UINT (g_hash_table_lookup (active_table (),
                                                       (const char *) node->name));

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
  return strcmp ((const char *) attr->ns->href, NS_OFFICE_VML) == 0
         && strcmp ((const char *) attr->name, "relid") == 0;
}

static gboolean
value_is_external (const char *value)
{
  while (g_ascii_isspace (*value))
    value++;
  return strchr (value, ':') != NULL || value[0] == '\\' || value[0] == '/'
         || g_str_has_prefix (value, "%5c") || g_str_has_prefix (value, "%5C");
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
  const xmlNs *part_ns;        /* the namespace of the part's root */
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
    } else if (g_strv_contains (link_attributes, (const char *) attr->name)
               && value_is_external (value)) {
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
    c->f->extensions++;       /* extensions of DrawingML, SpreadsheetML... */
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
  if (clean_attributes (node, c)
      && !g_strv_contains (survive_orphaned, (const char *) node->name)) {
    mg_ooxml_xml_remove (node);
    return skip;
  }
  return mg_ooxml_xml_next (node, FALSE);
}

/* The rules for every part: elements and attributes on the allow-list only,
 * active elements, orphaned references, external attributes; processing
 * instructions and comments go. */
static void
clean_generic (xmlDoc *doc, const Clean *c)
{
  xmlNode *node = doc->children;

  while (node != NULL) {
    if (node->type == XML_ELEMENT_NODE) {
      node = clean_element (node, c);
    } else if (node->type == XML_PI_NODE || node->type == XML_COMMENT_NODE) {
      xmlNode *next = mg_ooxml_xml_next (node, TRUE);
      mg_ooxml_xml_remove (node);
      node = next;
    } else {
      node = mg_ooxml_xml_next (node, FALSE);
    }
  }
}

gboolean
mg_ooxml_root_allowed (xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  return root != NULL && mg_ooxml_allow_ns (root->ns, root->ns);
}

gboolean
mg_ooxml_clean (xmlDoc *doc, MgOoxmlKind kind, GHashTable *kept_ids,
                MgOoxmlFindings *findings)
{
  gboolean usable = TRUE;
  Clean c = { kept_ids, findings, NULL };

  if (!mg_ooxml_root_allowed (doc))
    return FALSE;
  mg_ooxml_allow_alternates (doc);
  switch (kind) {
  case MG_OOXML_KIND_WORD_TEXT:
    mg_ooxml_word_fields (doc, findings);
    break;
  case MG_OOXML_KIND_WORKBOOK:
    usable = mg_ooxml_excel_workbook (doc, kept_ids, findings);
    break;
  case MG_OOXML_KIND_SHEET:
    mg_ooxml_excel_sheet (doc, findings);
    break;
  case MG_OOXML_KIND_OTHER:
    break;
  }
  c.part_ns = xmlDocGetRootElement (doc)->ns;
  clean_generic (doc, &c);
  return usable;
}
