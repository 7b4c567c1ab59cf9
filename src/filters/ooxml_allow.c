/* ooxml_allow.c - what a kept XML part may hold: an allow-list of namespaces
 * for elements and attributes, and of attribute values.
 *
 * An element passes only in a namespace of the OOXML standard that draws or
 * holds something (WordprocessingML, SpreadsheetML, PresentationML,
 * DrawingML and its pictures, charts, diagrams; math; VML, which Word still
 * draws shapes and pictures of older documents with; properties), in one of
 * Microsoft's shape namespaces Word draws text boxes with (wps, wpg, wpc),
 * or in the namespace of its part's root when that part type is on the
 * allow-list and has its own (comments extended, threaded comments, chart
 * styles, diagram drawings). Every other element goes with its content:
 * extensions (w14, w15, wp15's online video with its HTML, x14...), schema
 * libraries and their locations, anything unknown. Markup compatibility is
 * resolved here, as a reader would: the first mc:Choice whose namespaces are
 * all on the list, else mc:Fallback, takes the place of mc:AlternateContent,
 * and no mc: element or attribute stays. Attributes pass only without a
 * namespace or in an allowed one (xml:space included), and only when their
 * value could not be read as a link, a path or HTML.
 */
#include "filters/ooxml_allow.h"

#include <string.h>

#include "filters/ooxml_xml.h"

#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_XML "http://www.w3.org/XML/1998/namespace"
#define OX "http://schemas.openxmlformats.org/"
#define PURL "http://purl.oclc.org/ooxml/"
#define MSO "http://schemas.microsoft.com/office/"

/* Namespaces whose elements and attributes may appear in any kept part. */
static const char *const allowed_namespaces[] = {
  OX "wordprocessingml/2006/main",
  PURL "wordprocessingml/main",
  OX "spreadsheetml/2006/main",
  PURL "spreadsheetml/main",
  OX "presentationml/2006/main",
  PURL "presentationml/main",
  OX "drawingml/2006/main",
  PURL "drawingml/main",
  OX "drawingml/2006/wordprocessingDrawing",
  PURL "drawingml/wordprocessingDrawing",
  OX "drawingml/2006/spreadsheetDrawing",
  PURL "drawingml/spreadsheetDrawing",
  OX "drawingml/2006/picture",
  PURL "drawingml/picture",
  OX "drawingml/2006/chart",
  PURL "drawingml/chart",
  OX "drawingml/2006/chartDrawing",
  PURL "drawingml/chartDrawing",
  OX "drawingml/2006/diagram",
  PURL "drawingml/diagram",
  OX "drawingml/2006/lockedCanvas",
  PURL "drawingml/lockedCanvas",
  OX "drawingml/2006/compatibility",
  PURL "drawingml/compatibility",
  OX "officeDocument/2006/relationships",
  PURL "officeDocument/relationships",
  OX "officeDocument/2006/math",
  PURL "officeDocument/math",
  OX "officeDocument/2006/sharedTypes",
  PURL "officeDocument/sharedTypes",
  OX "officeDocument/2006/extended-properties",
  PURL "officeDocument/extendedProperties",
  OX "officeDocument/2006/docPropsVTypes",
  PURL "officeDocument/docPropsVTypes",
  OX "package/2006/metadata/core-properties",
  "http://purl.org/dc/elements/1.1/",
  "http://purl.org/dc/terms/",
  "http://purl.org/dc/dcmitype/",
  "http://www.w3.org/2001/XMLSchema-instance",
  MSO "word/2010/wordprocessingShape",
  MSO "word/2010/wordprocessingGroup",
  MSO "word/2010/wordprocessingCanvas",
  "urn:schemas-microsoft-com:vml",
  "urn:schemas-microsoft-com:office:office",
  "urn:schemas-microsoft-com:office:word",
  NULL,
};

/* Namespaces allowed only in a part whose root element is in them: the
 * parts of these types (on ooxml.c's list) are written in their own. */
static const char *const part_root_namespaces[] = {
  MSO "word/2012/wordml",                    /* commentsExtended, people */
  MSO "word/2016/wordml/cid",                /* commentsIds */
  MSO "word/2018/wordml/cex",                /* commentsExtensible */
  MSO "spreadsheetml/2018/threadedcomments", /* threaded comments, persons */
  MSO "drawing/2012/chartStyle",             /* chart styles and colours */
  MSO "drawing/2008/diagram",                /* diagram drawings */
  NULL,
};

/* What an a:graphicData may hold (its uri): pictures, charts, diagrams,
 * tables and Word's shapes; anything else (OLE objects...) goes. */
static const char *const graphic_uris[] = {
  OX "drawingml/2006/picture",
  PURL "drawingml/picture",
  OX "drawingml/2006/chart",
  PURL "drawingml/chart",
  OX "drawingml/2006/diagram",
  PURL "drawingml/diagram",
  OX "drawingml/2006/table",
  PURL "drawingml/table",
  OX "drawingml/2006/lockedCanvas",
  PURL "drawingml/lockedCanvas",
  MSO "word/2010/wordprocessingShape",
  MSO "word/2010/wordprocessingGroup",
  MSO "word/2010/wordprocessingCanvas",
  NULL,
};

/* Schemes a reader may follow or run, as the value's first word. */
static const char *const link_schemes[] = {
  "file",    "http",      "https",        "ftp",          "ftps",     "smb",
  "nfs",     "webdav",    "dav",          "ldap",         "mailto",   "news",
  "telnet",  "gopher",    "javascript",   "vbscript",     "jscript",  "livescript",
  "data",    "mhtml",     "mk",           "its",          "ms-its",   "res",
  "jar",     "about",     "blob",         "ms-word",      "ms-excel", "ms-powerpoint",
  "ms-msdt", "search-ms", "search",       "ms-officecmd", "onenote",  "ppaction",
  "macro",   "shell",     "vnd.ms-excel", NULL,
};

static gboolean
ns_in (const xmlNs *ns, const char *const *list)
{
  return ns != NULL && ns->href != NULL && g_strv_contains (list, (const char *) ns->href);
}

gboolean
mg_ooxml_allow_ns (const xmlNs *ns, const xmlNs *part_ns)
{
  if (ns == NULL)
    return FALSE;
  if (ns_in (ns, allowed_namespaces))
    return TRUE;
  return part_ns != NULL && ns_in (part_ns, part_root_namespaces) &&
         g_strcmp0 ((const char *) ns->href, (const char *) part_ns->href) == 0;
}

gboolean
mg_ooxml_allow_graphic (const char *uri)
{
  return uri != NULL && g_strv_contains (graphic_uris, uri);
}

/* VALUE without white space or control characters, lower case: how a
 * reader that skips them would see a scheme. */
static char *
value_squeezed (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    if (*p > ' ' && *p != 0x7f)
      g_string_append_c (out, g_ascii_tolower (*p));
  return g_string_free (out, FALSE);
}

static gboolean
scheme_unsafe (const char *v)
{
  gsize n = 0;

  while (g_ascii_isalnum (v[n]) || v[n] == '+' || v[n] == '-' || v[n] == '.')
    n++;
  if (n == 0 || v[n] != ':')
    return FALSE;
  if (n == 1)
    return v[2] == '\\' || v[2] == '/'; /* C:\ or C:/ */
  g_autofree char *scheme = g_strndup (v, n);
  return g_strv_contains (link_schemes, scheme);
}

/* An HTML or XML tag: '<' then a letter, '/', '!' or '?'. */
static gboolean
has_tag (const char *v)
{
  for (const char *p = strchr (v, '<'); p != NULL; p = strchr (p + 1, '<'))
    if (g_ascii_isalpha (p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?')
      return TRUE;
  return FALSE;
}

gboolean
mg_ooxml_allow_value (const char *value)
{
  g_autofree char *v = value_squeezed (value != NULL ? value : "");

  /* the tag on the value as written: "a < b" is no tag to an HTML parser */
  return strstr (v, "://") == NULL && strstr (v, "\\\\") == NULL &&
         strstr (v, "%5c%5c") == NULL && !g_str_has_prefix (v, "//") &&
         !g_str_has_prefix (v, "\\") && !has_tag (value != NULL ? value : "") &&
         !scheme_unsafe (v);
}

/* A "uri" attribute naming a namespace of the standard or of Office (a:
 * graphicData's, w:compatSetting's): an identifier no reader fetches. */
static gboolean
uri_is_identifier (const xmlAttr *attr, const char *value)
{
  static const char *const prefixes[] = { OX, PURL, MSO,
                                          "http://schemas.microsoft.com/office/word" };

  if (strcmp ((const char *) attr->name, "uri") != 0 || value == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (value, prefixes[i]) && strpbrk (value, "?#\\<>\"' ") == NULL &&
        strstr (value, "..") == NULL)
      return TRUE;
  return FALSE;
}

gboolean
mg_ooxml_allow_attr (const xmlAttr *attr, const xmlNs *part_ns)
{
  if (attr->ns != NULL && g_strcmp0 ((const char *) attr->ns->href, NS_XML) != 0 &&
      !mg_ooxml_allow_ns (attr->ns, part_ns))
    return FALSE;
  xmlChar *value = xmlNodeGetContent ((const xmlNode *) attr);
  gboolean ok = uri_is_identifier (attr, (const char *) value) ||
                mg_ooxml_allow_value ((const char *) value);
  xmlFree (value);
  return ok;
}

static gboolean
attrs_unsafe (const xmlNode *node)
{
  for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
    xmlChar *value = xmlNodeGetContent ((const xmlNode *) a);
    gboolean ok = mg_ooxml_allow_value ((const char *) value);
    xmlFree (value);
    if (!ok)
      return TRUE;
  }
  return FALSE;
}

/* Recursion is bounded: libxml2 refuses documents nested deeper than 256. */
gboolean
mg_ooxml_allow_subtree_unsafe (const xmlNode *node)
{
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
    return node->content != NULL && has_tag ((const char *) node->content);
  if (node->type != XML_ELEMENT_NODE)
    return FALSE;
  if (attrs_unsafe (node))
    return TRUE;
  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if (mg_ooxml_allow_subtree_unsafe (c))
      return TRUE;
  return FALSE;
}

/* --- markup compatibility ---------------------------------------------- */

static gboolean
is_mc (const xmlNode *node, const char *local_name)
{
  return mg_ooxml_xml_is (node, local_name) && node->ns != NULL &&
         g_strcmp0 ((const char *) node->ns->href, NS_MC) == 0;
}

/* TRUE when every prefix in a Choice's Requires names an allowed namespace. */
static gboolean
choice_understood (xmlNode *choice, const xmlNs *part_ns)
{
  g_autofree char *requires = mg_ooxml_xml_attr (choice, "Requires");
  g_auto (GStrv) prefixes = g_strsplit_set (requires != NULL ? requires : "", " \t\r\n", -1);
  guint n = 0;

  for (char **p = prefixes; *p != NULL; p++) {
    if (**p == '\0')
      continue;
    xmlNs *ns = xmlSearchNs (choice->doc, choice, (const xmlChar *) *p);
    if (!mg_ooxml_allow_ns (ns, part_ns))
      return FALSE;
    n++;
  }
  return n > 0;
}

/* The branch of mc:AlternateContent a reader knowing only our namespaces
 * takes, or NULL. */
static xmlNode *
alternate_pick (xmlNode *ac, const xmlNs *part_ns)
{
  for (xmlNode *c = ac->children; c != NULL; c = c->next) {
    if (is_mc (c, "Choice") && choice_understood (c, part_ns))
      return c;
    if (is_mc (c, "Fallback"))
      return c;
  }
  return NULL;
}

/* Replace AC by the children of the branch taken; the next node to visit.
 * Moving text next to text merges (and frees) nodes: the next node is found
 * again from AC's neighbour before, which a merge keeps. */
static xmlNode *
alternate_resolve (xmlNode *ac, const xmlNs *part_ns)
{
  xmlNode *branch = alternate_pick (ac, part_ns);
  xmlNode *before = ac->prev, *parent = ac->parent;
  xmlNode *after = mg_ooxml_xml_next (ac, TRUE);
  xmlNode *next;

  if (branch != NULL) {
    xmlUnlinkNode (branch);
    xmlAddPrevSibling (ac, branch); /* its namespace declarations stay in scope */
    mg_ooxml_xml_unwrap (branch);
  }
  mg_ooxml_xml_remove (ac);
  next = before != NULL ? before->next : parent->children;
  return next != NULL ? next : after;
}

void
mg_ooxml_allow_alternates (xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  const xmlNs *part_ns = root != NULL ? root->ns : NULL;

  for (xmlNode *n = root; n != NULL;) {
    if (is_mc (n, "AlternateContent"))
      n = alternate_resolve (n, part_ns);
    else
      n = mg_ooxml_xml_next (n, FALSE);
  }
}

gboolean
mg_ooxml_allow_root (xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  return root != NULL && mg_ooxml_allow_ns (root->ns, root->ns);
}
