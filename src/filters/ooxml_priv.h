/* ooxml_priv.h - the pieces of the OOXML filter, shared by its files only.
 *
 * ooxml.c walks the package and decides what stays; ooxml_zip.c reads and
 * writes the zip (libarchive, in memory); ooxml_xml.c parses and writes XML
 * and removes active elements and orphaned references; ooxml_word.c and
 * ooxml_excel.c know Word fields and Excel formulas and names. Nothing here
 * is for other modules: they use ooxml.h.
 */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

#include "common/filter.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* [office] limits, read from the configuration once per document. */
typedef struct {
  gint64 max_parts;          /* zip entries */
  gint64 max_part_size;      /* bytes of one entry, unpacked */
  gint64 max_unpacked_size;  /* bytes of all entries, unpacked */
  gint64 max_ratio;          /* unpacked bytes per packed byte, beyond 1 MiB */
} MgOoxmlLimits;

/* One zip entry. */
typedef struct {
  char *name;                /* as stored, without a leading '/' (OPC's URI form) */
  char *key;                 /* percent-decoded and lower-case: OPC's comparison */
  GBytes *data;
} MgOoxmlPart;

typedef struct {
  GPtrArray *parts;          /* MgOoxmlPart *, in zip order */
  GHashTable *by_key;        /* key -> MgOoxmlPart * (borrowed) */
} MgOoxmlPackage;

/* What the rebuild left behind or changed, for the reason and the detail. */
typedef struct {
  guint macros;              /* VBA projects, vbaData, Excel 4.0 macro sheets */
  guint objects;             /* OLE objects, packages, ActiveX, altChunks, customUI */
  guint external;            /* external relationships and link targets */
  guint fields;              /* Word fields flattened to their result */
  guint formulas;            /* Excel formulas replaced by their cached value */
  guint names;               /* auto-run or external defined names */
  guint elements;            /* other active elements (sounds, embedded fonts...) */
  guint parts;               /* other parts not on the allow-list */
  guint images;              /* images the image filter did not pass */
  guint metafiles;           /* EMF/WMF pictures drawn to PNG (ooxml_metafile.c) */
  guint extensions;          /* elements and attributes outside the namespace allow-list
                                that carried no link or HTML (not a reason of their own) */
} MgOoxmlFindings;

/* How a kept XML part is cleaned beyond the rules for every part. */
typedef enum {
  MG_OOXML_KIND_OTHER,
  MG_OOXML_KIND_WORD_TEXT,   /* document, headers, footers, notes, comments */
  MG_OOXML_KIND_WORKBOOK,
  MG_OOXML_KIND_SHEET,
} MgOoxmlKind;

typedef struct {
  char *id;
  char *type;
  char *target;
  gboolean external;         /* TargetMode="External" */
} MgOoxmlRel;

/* --- ooxml_zip.c ------------------------------------------------------- */

/* Read the zip INPUT within LIMITS. NULL for bad input, with RESULT filled
 * (removed or withheld, reason, detail). Free with mg_ooxml_package_free. */
MgOoxmlPackage *mg_ooxml_zip_read (GBytes *input, const MgOoxmlLimits *limits,
                                   MgFilterResult *result);
void mg_ooxml_package_free (MgOoxmlPackage *package);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgOoxmlPackage, mg_ooxml_package_free)
/* The OPC comparison key of a part name or resolved target, or NULL when it
 * does not decode (a bad or NUL escape, an encoded slash or backslash, a
 * "." or ".." segment). */
char *mg_ooxml_part_key (const char *name);
/* A new zip (deflate) of NAMES[i] -> DATA[i], in that order; NULL with ERROR. */
GBytes *mg_ooxml_zip_write (GPtrArray *names, GPtrArray *data, GError **error);

/* --- ooxml_xml.c ------------------------------------------------------- */

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
/* Clean DOC in place: mc:AlternateContent resolved, elements and attributes
 * outside the allow-list (ooxml_allow.c) and active elements removed,
 * references to relationships not in KEPT_IDS removed (with their element
 * where it needs them), external link attributes removed, and the rules of
 * KIND applied. FALSE when nothing a reader needs is left (a root outside
 * the allow-list, a workbook without sheets). */
gboolean mg_ooxml_clean (xmlDoc *doc, MgOoxmlKind kind, GHashTable *kept_ids,
                     MgOoxmlFindings *findings);
/* TRUE when DOC's root element is in a namespace on the allow-list. */
gboolean mg_ooxml_root_allowed (xmlDoc *doc);
/* Helpers for the kind-specific cleaners. */
gboolean mg_ooxml_xml_is (const xmlNode *node, const char *local_name);
char *mg_ooxml_xml_attr (const xmlNode *node, const char *local_name);
void mg_ooxml_xml_unwrap (xmlNode *node);
void mg_ooxml_xml_remove (xmlNode *node);
/* The next node of DOC in document order after NODE, not descending into
 * NODE's children when SKIP_CHILDREN (for walking while removing). */
xmlNode *mg_ooxml_xml_next (xmlNode *node, gboolean skip_children);

/* --- ooxml_allow.c ----------------------------------------------------- */

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

/* --- ooxml_word.c ------------------------------------------------------ */

/* Flatten every field not on the allow-list (complex fields split across
 * runs, nested fields, fldSimple) to its result text. */
void mg_ooxml_word_fields (xmlDoc *doc, MgOoxmlFindings *findings);

/* --- ooxml_excel.c ----------------------------------------------------- */

/* Workbook: sheets whose relationship was dropped (macro sheets) removed
 * with the names and views that count sheets by position fixed; auto-run,
 * external and DDE names removed. FALSE when no sheet is left. */
gboolean mg_ooxml_excel_workbook (xmlDoc *doc, GHashTable *kept_ids,
                                  MgOoxmlFindings *findings);
/* Worksheet: formulas that reach outside (DDE, external workbooks,
 * WEBSERVICE, HYPERLINK...) give way to their cached values; data validation
 * and conditional formats with such formulas removed. */
void mg_ooxml_excel_sheet (xmlDoc *doc, MgOoxmlFindings *findings);
/* TRUE when a formula (a cell's, a name's) reaches outside the workbook or
 * runs something. */
gboolean mg_ooxml_excel_formula_unsafe (const char *formula);

/* ooxml_metafile.c: "emf" or "wmf" when DATA is such a metafile, else NULL. */
const char *mg_ooxml_metafile_ext (GBytes *data);
/* DATA, a metafile of extension EXT, drawn by LibreOffice (IN's converter)
 * and cut to its drawing, as PNG bytes for the image filter; NULL with
 * *WHY_R (English, owned). */
GBytes *mg_ooxml_metafile_png (GBytes *data, const char *ext, const MgFilterInput *in,
                               char **why_r);
#define MG_OOXML_MAX_METAFILES 4   /* per document: each one starts LibreOffice */
