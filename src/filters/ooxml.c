/* ooxml.c - the OOXML filter: the package walk and the rebuild (see ooxml.h).
 *
 * The walk starts at the package relationships and follows only relationship
 * types on the allow-list to parts whose content type is on the allow-list;
 * a part nothing kept points to is never written. Each kept XML part is
 * parsed, cleaned and written anew: the Word rules (ooxml_word.c) for the
 * text of a document, the Excel ones (ooxml_excel.c) for a workbook and its
 * sheets, chosen here by the part's content type, then the rules for every
 * part (ooxml_clean.c); each image goes through the
 * whole policy (virus scan, image filter) and only what comes back passes.
 * [Content_Types].xml and every .rels part are generated from what was kept,
 * so no external relationship or dropped type can survive. This module never
 * returns the input bytes, never follows a target outside the package and
 * never touches the file system.
 */
#include "filters/ooxml.h"

#include <string.h>

#include "filters/libreoffice.h"
#include "filters/ooxml_allow.h"
#include "filters/ooxml_clean.h"
#include "filters/ooxml_excel.h"
#include "filters/ooxml_metafile.h"
#include "filters/ooxml_word.h"
#include "filters/ooxml_xml.h"
#include "filters/ooxml_zip.h"

#define OXD "application/vnd.openxmlformats-officedocument."

typedef enum { FAMILY_NONE, FAMILY_WORD, FAMILY_EXCEL, FAMILY_POWERPOINT, FAMILY_XLSB } Family;

/* How a kept XML part is cleaned beyond the rules for every part. */
typedef enum {
  KIND_OTHER,
  KIND_WORD_TEXT, /* document, headers, footers, notes, comments */
  KIND_WORKBOOK,
  KIND_SHEET,
} Kind;

/* Content types of the main part: the family, and whether it runs macros. */
static const struct {
  const char *type;
  Family family;
  gboolean macros;
} main_types[] = {
  { OXD "wordprocessingml.document.main+xml", FAMILY_WORD, FALSE },
  { OXD "wordprocessingml.template.main+xml", FAMILY_WORD, FALSE },
  { "application/vnd.ms-word.document.macroenabled.main+xml", FAMILY_WORD, TRUE },
  { "application/vnd.ms-word.template.macroenabledtemplate.main+xml", FAMILY_WORD, TRUE },
  { OXD "spreadsheetml.sheet.main+xml", FAMILY_EXCEL, FALSE },
  { OXD "spreadsheetml.template.main+xml", FAMILY_EXCEL, FALSE },
  { "application/vnd.ms-excel.sheet.macroenabled.main+xml", FAMILY_EXCEL, TRUE },
  { "application/vnd.ms-excel.template.macroenabled.main+xml", FAMILY_EXCEL, TRUE },
  { "application/vnd.ms-excel.addin.macroenabled.main+xml", FAMILY_EXCEL, TRUE },
  { "application/vnd.ms-excel.sheet.binary.macroenabled.main", FAMILY_XLSB, TRUE },
  { OXD "presentationml.presentation.main+xml", FAMILY_POWERPOINT, FALSE },
  { OXD "presentationml.slideshow.main+xml", FAMILY_POWERPOINT, FALSE },
  { OXD "presentationml.template.main+xml", FAMILY_POWERPOINT, FALSE },
  { "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml", FAMILY_POWERPOINT,
    TRUE },
  { "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml", FAMILY_POWERPOINT, TRUE },
  { "application/vnd.ms-powerpoint.template.macroenabled.main+xml", FAMILY_POWERPOINT, TRUE },
};

/* What each family becomes: always the macro-free document type. */
static const struct {
  const char *main_type, *mime, *extension;
  Kind main_kind;
} outputs[] = {
  [FAMILY_WORD] = { OXD "wordprocessingml.document.main+xml", OXD "wordprocessingml.document",
                    ".docx", KIND_WORD_TEXT },
  [FAMILY_EXCEL] = { OXD "spreadsheetml.sheet.main+xml", OXD "spreadsheetml.sheet", ".xlsx",
                     KIND_WORKBOOK },
  [FAMILY_POWERPOINT] = { OXD "presentationml.presentation.main+xml",
                          OXD "presentationml.presentation", ".pptx", KIND_OTHER },
};

/* Content types of the other parts that may pass, and how each is cleaned. */
static const struct {
  const char *type;
  Kind kind;
} part_types[] = {
  { OXD "wordprocessingml.header+xml", KIND_WORD_TEXT },
  { OXD "wordprocessingml.footer+xml", KIND_WORD_TEXT },
  { OXD "wordprocessingml.footnotes+xml", KIND_WORD_TEXT },
  { OXD "wordprocessingml.endnotes+xml", KIND_WORD_TEXT },
  { OXD "wordprocessingml.comments+xml", KIND_WORD_TEXT },
  { OXD "wordprocessingml.styles+xml", KIND_OTHER },
  { OXD "wordprocessingml.settings+xml", KIND_OTHER },
  { OXD "wordprocessingml.websettings+xml", KIND_OTHER },
  { OXD "wordprocessingml.fonttable+xml", KIND_OTHER },
  { OXD "wordprocessingml.numbering+xml", KIND_OTHER },
  { OXD "wordprocessingml.commentsextended+xml", KIND_OTHER },
  { OXD "wordprocessingml.commentsids+xml", KIND_OTHER },
  { OXD "wordprocessingml.commentsextensible+xml", KIND_OTHER },
  { OXD "wordprocessingml.people+xml", KIND_OTHER },
  { "application/vnd.ms-word.styleswitheffects+xml", KIND_OTHER },
  { OXD "spreadsheetml.worksheet+xml", KIND_SHEET },
  { OXD "spreadsheetml.chartsheet+xml", KIND_OTHER },
  { OXD "spreadsheetml.sharedstrings+xml", KIND_OTHER },
  { OXD "spreadsheetml.styles+xml", KIND_OTHER },
  { OXD "spreadsheetml.calcchain+xml", KIND_OTHER },
  { OXD "spreadsheetml.comments+xml", KIND_OTHER },
  { OXD "spreadsheetml.table+xml", KIND_OTHER },
  { OXD "drawing+xml", KIND_OTHER },
  { "application/vnd.ms-excel.threadedcomments+xml", KIND_OTHER },
  { "application/vnd.ms-excel.person+xml", KIND_OTHER },
  { OXD "presentationml.slide+xml", KIND_OTHER },
  { OXD "presentationml.slidelayout+xml", KIND_OTHER },
  { OXD "presentationml.slidemaster+xml", KIND_OTHER },
  { OXD "presentationml.notesslide+xml", KIND_OTHER },
  { OXD "presentationml.notesmaster+xml", KIND_OTHER },
  { OXD "presentationml.handoutmaster+xml", KIND_OTHER },
  { OXD "presentationml.presprops+xml", KIND_OTHER },
  { OXD "presentationml.viewprops+xml", KIND_OTHER },
  { OXD "presentationml.tablestyles+xml", KIND_OTHER },
  { OXD "presentationml.commentauthors+xml", KIND_OTHER },
  { OXD "presentationml.comments+xml", KIND_OTHER },
  { OXD "theme+xml", KIND_OTHER },
  { OXD "themeoverride+xml", KIND_OTHER },
  { "application/vnd.openxmlformats-package.core-properties+xml", KIND_OTHER },
  { OXD "extended-properties+xml", KIND_OTHER },
  { OXD "drawingml.chart+xml", KIND_OTHER },
  { OXD "drawingml.chartshapes+xml", KIND_OTHER },
  { "application/vnd.ms-office.chartstyle+xml", KIND_OTHER },
  { "application/vnd.ms-office.chartcolorstyle+xml", KIND_OTHER },
  { OXD "drawingml.diagramdata+xml", KIND_OTHER },
  { OXD "drawingml.diagramlayout+xml", KIND_OTHER },
  { OXD "drawingml.diagramstyle+xml", KIND_OTHER },
  { OXD "drawingml.diagramcolors+xml", KIND_OTHER },
  { "application/vnd.ms-office.drawingml.diagramdrawing+xml", KIND_OTHER },
};

/* Where relationship types live (transitional, strict, Microsoft's). */
static const char *const rel_bases[] = {
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
  "http://purl.oclc.org/ooxml/officeDocument/relationships/",
  "http://schemas.openxmlformats.org/package/2006/relationships/metadata/",
  "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/",
  "http://schemas.microsoft.com/office/2006/relationships/",
  "http://schemas.microsoft.com/office/2007/relationships/",
  "http://schemas.microsoft.com/office/2011/relationships/",
  "http://schemas.microsoft.com/office/2016/09/relationships/",
  "http://schemas.microsoft.com/office/2017/10/relationships/",
  "http://schemas.microsoft.com/office/2018/08/relationships/",
  NULL,
};

/* Relationship types followed (the last segment of the type URI). */
static const char *const kept_rels[] = {
  "officeDocument",
  "core-properties",
  "extended-properties",
  "styles",
  "stylesWithEffects",
  "theme",
  "themeOverride",
  "numbering",
  "settings",
  "webSettings",
  "fontTable",
  "footnotes",
  "endnotes",
  "header",
  "footer",
  "comments",
  "commentsExtended",
  "commentsIds",
  "commentsExtensible",
  "people",
  "worksheet",
  "chartsheet",
  "sharedStrings",
  "calcChain",
  "table",
  "drawing",
  "chart",
  "chartUserShapes",
  "chartStyle",
  "chartColorStyle",
  "threadedComment",
  "person",
  "diagramData",
  "diagramLayout",
  "diagramQuickStyle",
  "diagramColors",
  "diagramDrawing",
  "slide",
  "slideLayout",
  "slideMaster",
  "notesSlide",
  "notesMaster",
  "handoutMaster",
  "presProps",
  "viewProps",
  "tableStyles",
  "commentAuthors",
  "image",
  NULL,
};

/* Relationship types left behind that are worth a line in the report. */
static const char *const macro_rels[] = {
  "vbaProject",
  "vbaProjectSignature",
  "vbaProjectSignatureAgile",
  "vbaProjectSignatureV3",
  "wordVbaData",
  "keyMapCustomizations",
  "xlMacrosheet",
  "xlIntlMacrosheet",
  "dialogsheet",
  NULL,
};
static const char *const object_rels[] = {
  "oleObject",   "package", "control", "activeXControlBinary", "extensibility", "aFChunk",
  "subDocument", "frame",   NULL,
};
static const char *const link_rels[] = {
  "attachedTemplate", "externalLink", "externalLinkPath", "connections", "queryTable",
  "hyperlink",        NULL,
};

/* --- the walk ---------------------------------------------------------- */

typedef struct {
  MgOoxmlPart *part; /* NULL for the package itself */
  const char *type;  /* content type written (static) */
  char *image_type;  /* content type of a re-encoded image */
  Kind kind;
  xmlDoc *doc;     /* XML parts */
  GBytes *image;   /* image parts, as the image filter wrote them */
  GPtrArray *rels; /* MgOoxmlRel *: the relationships kept */
  GHashTable *kept_ids;
} Kept;

typedef struct {
  const MgFilterInput *in;
  MgFilterResult *result;
  MgOoxmlPackage *pkg;
  GHashTable *types;   /* from [Content_Types].xml */
  GHashTable *kept;    /* part key -> Kept * */
  GHashTable *refused; /* part keys not kept */
  GPtrArray *order;    /* Kept *, as found (the package first) */
  GQueue queue;        /* Kept * whose relationships are still to read */
  Kept *main;
  Family family;
  gboolean main_macros;
  gboolean failed; /* RESULT says why */
  MgOoxmlFindings findings;
  GHashTable *drawn; /* mg_ooxml_metafiles_draw's, made at the first metafile */
} Rebuild;

static void
kept_free (Kept *k)
{
  g_clear_pointer (&k->doc, xmlFreeDoc);
  g_clear_pointer (&k->image, g_bytes_unref);
  g_clear_pointer (&k->rels, g_ptr_array_unref);
  g_clear_pointer (&k->kept_ids, g_hash_table_unref);
  g_free (k->image_type);
  g_free (k);
}

static Kept *
kept_new (MgOoxmlPart *part)
{
  Kept *k = g_new0 (Kept, 1);

  k->part = part;
  k->rels = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_ooxml_rel_free);
  k->kept_ids = g_hash_table_new (g_str_hash, g_str_equal);
  return k;
}

static void
fail (Rebuild *r, MgAction action, MgReason reason, char *detail)
{
  if (r->failed) {
    g_free (detail);
    return;
  }
  r->failed = TRUE;
  mg_filter_result_set (r->result, action, reason, detail);
}

/* The last segment of a relationship type on one of the known bases, or NULL. */
static const char *
rel_name (const char *type)
{
  for (guint i = 0; type != NULL && rel_bases[i] != NULL; i++)
    if (g_str_has_prefix (type, rel_bases[i]) &&
        strchr (type + strlen (rel_bases[i]), '/') == NULL)
      return type + strlen (rel_bases[i]);
  /* customUI lives under .../ui/extensibility: named for the report only */
  return type != NULL && g_str_has_suffix (type, "/ui/extensibility") ? "extensibility" : NULL;
}

/* The directory of part NAME with a trailing '/', or "" at the top. */
static char *
part_dir (const char *name)
{
  const char *slash = name != NULL ? strrchr (name, '/') : NULL;

  return slash != NULL ? g_strndup (name, slash - name + 1) : g_strdup ("");
}

/* The part TARGET names from the part SOURCE (NULL: the package), or NULL
 * when it leaves the package, has a scheme, a query or a fragment. */
static char *
resolve_target (const char *source, const char *target)
{
  g_autofree char *dir = part_dir (source);
  g_autofree char *joined = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new ();

  if (target == NULL || *target == '\0' || strpbrk (target, ":?#\\") != NULL)
    return NULL;
  joined = target[0] == '/' ? g_strdup (target + 1) : g_strconcat (dir, target, NULL);
  g_auto (GStrv) segments = g_strsplit (joined, "/", -1);
  for (char **s = segments; *s != NULL; s++) {
    if (**s == '\0' || g_str_equal (*s, "."))
      continue;
    if (g_str_equal (*s, "..")) {
      if (out->len == 0)
        return NULL;
      g_ptr_array_remove_index (out, out->len - 1);
      continue;
    }
    g_ptr_array_add (out, *s);
  }
  if (out->len == 0)
    return NULL;
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("/", (char **) out->pdata);
}

static gboolean
id_ok (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 255 || g_ascii_isdigit (*id))
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* TRUE for content types of VBA projects and Excel 4.0 macro sheets. */
static gboolean
type_is_macro (const char *type)
{
  return type != NULL &&
         (strstr (type, "vbaproject") != NULL || strstr (type, "vbadata") != NULL ||
          strstr (type, "macrosheet") != NULL);
}

/* A part left behind because of its relationship type NAME: counted, and
 * named in the report when it held macros or objects. */
static void
note_dropped (Rebuild *r, const char *name, MgOoxmlPart *part)
{
  MgFilterResult member = { MG_ACTION_REMOVED };
  const char *type = part != NULL ? mg_ooxml_types_get (r->types, part->key) : NULL;
  gboolean macro = (name != NULL && g_strv_contains (macro_rels, name)) ||
                   type_is_macro (type);
  gboolean object = name != NULL && g_strv_contains (object_rels, name);

  if (part != NULL && (g_hash_table_contains (r->refused, part->key) ||
                       g_hash_table_contains (r->kept, part->key)))
    return;
  if (part != NULL)
    g_hash_table_add (r->refused, part->key);
  if (macro)
    r->findings.macros++;
  else if (object)
    r->findings.objects++;
  else if (name != NULL && g_strv_contains (link_rels, name))
    r->findings.external++;
  else
    r->findings.parts++;
  if (part == NULL || (!macro && !object))
    return;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, part->data);
  member.reason = macro ? MG_REASON_MACROS_REMOVED : MG_REASON_OFFICE_ACTIVE;
  member.detail = g_strdup_printf ("%s part left out of the rebuilt document",
                                   name != NULL ? name : "unknown");
  mg_filter_result_add_member (r->result, part->name, type, &member, sha);
  mg_filter_result_clear (&member);
}

static void
take (Rebuild *r, Kept *k)
{
  g_hash_table_insert (r->kept, k->part->key, k);
  g_ptr_array_add (r->order, k);
}

/* PART, when it is an EMF or WMF picture, drawn to PNG by LibreOffice (all
 * the document's at once, at the first); else, or when that fails, NULL. */
static GBytes *
metafile_drawn (Rebuild *r, MgOoxmlPart *part)
{
  if (mg_ooxml_metafile_ext (part->data) == NULL)
    return NULL;
  if (r->drawn == NULL)
    r->drawn = mg_ooxml_metafiles_draw (r->pkg, r->in);
  if (!g_hash_table_contains (r->drawn, part->key)) {
    r->findings.metafiles_over++;
    return NULL;
  }
  GBytes *png = g_hash_table_lookup (r->drawn, part->key);
  r->findings.metafiles += png != NULL;
  return png != NULL ? g_bytes_ref (png) : NULL;
}

/* An image: through the whole policy; only what the image filter wrote passes. */
static Kept *
take_image (Rebuild *r, MgOoxmlPart *part)
{
  MgFilterResult res = { MG_ACTION_REMOVED };
  g_autofree char *detected = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, part->data);
  g_autoptr (GBytes) drawn = metafile_drawn (r, part);
  Kept *k = NULL;

  r->in->recurse (r->in->recurse_ctx, drawn != NULL ? drawn : part->data, part->name, &res,
                  &detected);
  mg_filter_result_add_member (r->result, part->name, detected, &res, sha);
  if (res.action == MG_ACTION_WITHHELD) {
    fail (r, MG_ACTION_WITHHELD, res.reason,
          g_strdup_printf ("the image %s was withheld", part->name));
  } else if ((res.action == MG_ACTION_KEPT || res.action == MG_ACTION_CONVERTED) &&
             res.output != NULL &&
             g_str_has_prefix (res.output_type ? res.output_type : "", "image/")) {
    k = kept_new (part);
    k->image = g_steal_pointer (&res.output);
    k->image_type = g_strdup (res.output_type);
    take (r, k);
  } else {
    r->findings.images++;
    g_hash_table_add (r->refused, part->key);
  }
  mg_filter_result_clear (&res);
  return k;
}

/* An XML part: parsed now, so that a DOCTYPE anywhere removes the document. */
static Kept *
take_xml (Rebuild *r, MgOoxmlPart *part, Kind kind, const char *type)
{
  gboolean doctype;
  xmlDoc *doc = mg_ooxml_xml_parse (part->data, &doctype);
  Kept *k;

  if (doc == NULL) {
    fail (r, MG_ACTION_REMOVED, doctype ? MG_REASON_XML_DOCTYPE : MG_REASON_CONVERT_FAILED,
          g_strdup_printf (doctype ? "part %s has a DOCTYPE (entity declarations)"
                                   : "part %s is not well-formed XML",
                           part->name));
    return NULL;
  }
  k = kept_new (part);
  k->doc = doc;
  k->kind = kind;
  k->type = type;
  take (r, k);
  g_queue_push_tail (&r->queue, k);
  return k;
}

/* The main part, named by the package's officeDocument relationship. */
static Kept *
take_main (Rebuild *r, MgOoxmlPart *part, const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (main_types); i++) {
    if (g_strcmp0 (type, main_types[i].type) != 0)
      continue;
    if (r->family != FAMILY_NONE) {
      fail (r, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
            g_strdup ("the package has two main documents"));
      return NULL;
    }
    r->family = main_types[i].family;
    r->main_macros = main_types[i].macros;
    if (r->family == FAMILY_XLSB)
      return NULL; /* binary: converted by the caller */
    r->main = take_xml (r, part, outputs[r->family].main_kind, outputs[r->family].main_type);
    return r->main;
  }
  return NULL;
}

static Kept *
take_part (Rebuild *r, const Kept *source, const char *name, MgOoxmlPart *part)
{
  const char *type = mg_ooxml_types_get (r->types, part->key);

  if (g_str_equal (name, "image") && type != NULL && g_str_has_prefix (type, "image/"))
    return take_image (r, part);
  if (g_str_equal (name, "officeDocument") && source->part == NULL)
    return take_main (r, part, type);
  for (gsize i = 0; type != NULL && i < G_N_ELEMENTS (part_types); i++)
    if (g_str_equal (type, part_types[i].type))
      return take_xml (r, part, part_types[i].kind, part_types[i].type);
  return NULL;
}

static void
keep_rel (Kept *source, const MgOoxmlRel *rel, const MgOoxmlPart *part)
{
  MgOoxmlRel *copy = g_new0 (MgOoxmlRel, 1);

  copy->id = g_strdup (rel->id);
  copy->type = g_strdup (rel->type);
  copy->target = g_strconcat ("/", part->name, NULL);
  g_ptr_array_add (source->rels, copy);
  g_hash_table_add (source->kept_ids, copy->id);
}

static void
follow_rel (Rebuild *r, Kept *source, const MgOoxmlRel *rel, gboolean duplicate)
{
  const char *name = rel_name (rel->type);
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  MgOoxmlPart *part = NULL;
  Kept *target;

  path = rel->external
             ? NULL
             : resolve_target (source->part ? source->part->name : NULL, rel->target);
  if (path == NULL) {
    r->findings.external++; /* external, or a target that leaves the package */
    return;
  }
  key = mg_ooxml_part_key (path);
  part = key != NULL ? g_hash_table_lookup (r->pkg->by_key, key) : NULL;
  if (duplicate || !id_ok (rel->id) || name == NULL || !g_strv_contains (kept_rels, name)) {
    note_dropped (r, name, part);
    return;
  }
  if (part == NULL)
    return; /* a dangling relationship: nothing to keep */
  target = g_hash_table_lookup (r->kept, part->key);
  if (target == NULL && !g_hash_table_contains (r->refused, part->key)) {
    target = take_part (r, source, name, part);
    if (target == NULL && !r->failed && r->family != FAMILY_XLSB) {
      g_hash_table_add (r->refused, part->key);
      r->findings.parts++;
    }
  }
  if (target != NULL)
    keep_rel (source, rel, part);
}

/* The name of the .rels part of SOURCE (NULL: the package). */
static char *
rels_name (const MgOoxmlPart *source)
{
  const char *name = source != NULL ? source->name : "";
  const char *slash = strrchr (name, '/');
  g_autofree char *dir = part_dir (name);

  return g_strconcat (dir, "_rels/", slash != NULL ? slash + 1 : name, ".rels", NULL);
}

/* A .rels part parsed, or NULL (RESULT filled unless it is simply absent). */
static GPtrArray *
load_rels (Rebuild *r, const MgOoxmlPart *source)
{
  g_autofree char *name = rels_name (source);
  g_autofree char *key = mg_ooxml_part_key (name);
  MgOoxmlPart *part = key != NULL ? g_hash_table_lookup (r->pkg->by_key, key) : NULL;
  gboolean doctype;
  GPtrArray *rels;

  if (part == NULL)
    return NULL;
  g_autoptr (xmlDoc) doc = mg_ooxml_xml_parse (part->data, &doctype);
  rels = doc != NULL ? mg_ooxml_rels_read (doc) : NULL;
  if (rels == NULL)
    fail (r, MG_ACTION_REMOVED, doctype ? MG_REASON_XML_DOCTYPE : MG_REASON_CONVERT_FAILED,
          g_strdup_printf (doctype ? "part %s has a DOCTYPE (entity declarations)"
                                   : "part %s is not a relationships part",
                           part->name));
  return rels;
}

static void
read_rels (Rebuild *r, Kept *source)
{
  g_autoptr (GPtrArray) rels = load_rels (r, source->part);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (rels == NULL)
    return;
  for (guint i = 0; i < rels->len; i++) {
    const MgOoxmlRel *rel = g_ptr_array_index (rels, i);
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, rel->id ? rel->id : ""));
    g_hash_table_insert (seen, rel->id ? rel->id : "", GUINT_TO_POINTER (n + 1));
  }
  for (guint i = 0; i < rels->len && !r->failed && r->family != FAMILY_XLSB; i++) {
    const MgOoxmlRel *rel = g_ptr_array_index (rels, i);
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, rel->id ? rel->id : ""));
    /* one id, two relationships: readers would disagree, so neither stays */
    follow_rel (r, source, rel, n > 1);
  }
}

static void
walk (Rebuild *r)
{
  Kept *package = kept_new (NULL);
  Kept *k;

  g_ptr_array_add (r->order, package);
  read_rels (r, package);
  if (!r->failed && r->family == FAMILY_NONE)
    fail (r, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
          g_strdup ("the package has no Word, Excel or PowerPoint document"));
  while (!r->failed && r->family != FAMILY_XLSB && (k = g_queue_pop_head (&r->queue)) != NULL)
    read_rels (r, k);
}

/* Parts nothing kept pointed to: never written; macros among them counted. */
static void
note_unreachable (Rebuild *r)
{
  for (guint i = 0; i < r->pkg->parts->len; i++) {
    MgOoxmlPart *part = g_ptr_array_index (r->pkg->parts, i);
    if (g_hash_table_contains (r->kept, part->key) ||
        g_hash_table_contains (r->refused, part->key) ||
        g_str_equal (part->key, "[content_types].xml") ||
        (g_str_has_suffix (part->key, ".rels") && strstr (part->key, "_rels/") != NULL))
      continue;
    const char *type = mg_ooxml_types_get (r->types, part->key);
    note_dropped (r, type_is_macro (type) ? "vbaProject" : NULL, part);
  }
}

static gboolean
read_types (Rebuild *r)
{
  MgOoxmlPart *part = g_hash_table_lookup (r->pkg->by_key, "[content_types].xml");
  gboolean doctype = FALSE;
  g_autoptr (xmlDoc) doc = part != NULL ? mg_ooxml_xml_parse (part->data, &doctype) : NULL;

  r->types = doc != NULL ? mg_ooxml_types_read (doc) : NULL;
  if (r->types == NULL)
    fail (r, MG_ACTION_REMOVED, doctype ? MG_REASON_XML_DOCTYPE : MG_REASON_CONVERT_FAILED,
          g_strdup (doctype ? "[Content_Types].xml has a DOCTYPE (entity declarations)"
                            : "not an Office package: no valid [Content_Types].xml"));
  return r->types != NULL;
}

/* Clean K's XML in place: markup compatibility resolved, the rules of its
 * kind (Word fields, Excel names and formulas), then those for every part.
 * FALSE when a workbook has no sheet left. */
static gboolean
clean_part (Kept *k, MgOoxmlFindings *findings)
{
  gboolean usable = TRUE;

  mg_ooxml_allow_alternates (k->doc);
  switch (k->kind) {
  case KIND_WORD_TEXT:
    mg_ooxml_word_fields (k->doc, findings);
    break;
  case KIND_WORKBOOK:
    usable = mg_ooxml_excel_workbook (k->doc, k->kept_ids, findings);
    break;
  case KIND_SHEET:
    mg_ooxml_excel_sheet (k->doc, findings);
    break;
  case KIND_OTHER:
    break;
  }
  mg_ooxml_clean (k->doc, k->kept_ids, findings);
  return usable;
}

static void
clean_all (Rebuild *r)
{
  for (guint i = 0; i < r->order->len && !r->failed; i++) {
    Kept *k = g_ptr_array_index (r->order, i);
    if (k->doc == NULL)
      continue;
    if (!mg_ooxml_allow_root (k->doc))
      fail (r, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
            g_strdup_printf ("part %s is not in an OOXML namespace", k->part->name));
    else if (!clean_part (k, &r->findings))
      fail (r, MG_ACTION_REMOVED, MG_REASON_MACROS_REMOVED,
            g_strdup ("no worksheet is left once the macro sheets are removed"));
  }
}

typedef struct {
  GPtrArray *names, *data;       /* what goes into the zip, in order */
  GPtrArray *part_names, *types; /* what goes into [Content_Types].xml */
} Output;

static void
output_add (Output *o, const char *name, GBytes *data)
{
  g_ptr_array_add (o->names, g_strdup (name));
  g_ptr_array_add (o->data, data);
}

/* K's part and its .rels part into O. */
static void
output_kept (Output *o, const Kept *k)
{
  if (k->part != NULL) {
    output_add (o, k->part->name,
                k->doc != NULL ? mg_ooxml_xml_dump (k->doc) : g_bytes_ref (k->image));
    g_ptr_array_add (o->part_names, k->part->name);
    g_ptr_array_add (o->types, k->image_type != NULL ? k->image_type : (char *) k->type);
  }
  if (k->rels->len > 0) {
    g_autofree char *name = rels_name (k->part);
    output_add (o, name, mg_ooxml_rels_write (k->rels));
  }
}

/* The new package: [Content_Types].xml first, then the package's
 * relationships and the main part (where readers and libmagic look). */
static GBytes *
write_package (Rebuild *r, GError **error)
{
  Output o = { g_ptr_array_new_with_free_func (g_free),
               g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
               g_ptr_array_new (), g_ptr_array_new () };
  GBytes *zip;

  output_kept (&o, g_ptr_array_index (r->order, 0));
  output_kept (&o, r->main);
  for (guint i = 1; i < r->order->len; i++)
    if (g_ptr_array_index (r->order, i) != r->main)
      output_kept (&o, g_ptr_array_index (r->order, i));
  g_ptr_array_insert (o.names, 0, g_strdup ("[Content_Types].xml"));
  g_ptr_array_insert (o.data, 0, mg_ooxml_types_write (o.part_names, o.types));
  zip = mg_ooxml_zip_write (o.names, o.data, error);
  g_ptr_array_unref (o.names);
  g_ptr_array_unref (o.data);
  g_ptr_array_unref (o.part_names);
  g_ptr_array_unref (o.types);
  return zip;
}

static MgReason
rebuild_reason (const Rebuild *r)
{
  const MgOoxmlFindings *f = &r->findings;

  if (r->main_macros || f->macros > 0)
    return MG_REASON_MACROS_REMOVED;
  if (f->images > 0)
    return MG_REASON_PICTURES_DROPPED; /* the reader must know what is missing */
  if (f->objects + f->external + f->fields + f->formulas + f->names + f->elements > 0)
    return MG_REASON_OFFICE_ACTIVE;
  return MG_REASON_OFFICE_REBUILT;
}

static void
detail_add (GPtrArray *parts, guint n, const char *what)
{
  if (n > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%u %s", n, what));
}

/* What the rebuild changed, in English for the report; NULL when nothing. */
static char *
rebuild_detail (const Rebuild *r)
{
  const MgOoxmlFindings *f = &r->findings;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (r->main_macros)
    g_ptr_array_add (parts, g_strdup ("macro-enabled type made macro-free"));
  detail_add (parts, f->macros, "macro parts (VBA, Excel 4.0 sheets) removed");
  detail_add (parts, f->objects, "embedded objects, controls or altChunks removed");
  detail_add (parts, f->external, "external links or templates removed");
  detail_add (parts, f->fields, "Word fields (DDE, INCLUDE, HYPERLINK...) flattened to text");
  detail_add (parts, f->formulas, "Excel formulas reaching outside replaced by their values");
  detail_add (parts, f->names, "auto-run or external defined names removed");
  detail_add (parts, f->elements, "other active elements (sounds, media, fonts) removed");
  detail_add (parts, f->parts, "other parts not on the allow-list left out");
  detail_add (parts, r->pkg != NULL ? r->pkg->damaged->len : 0,
              "damaged parts (wrong checksum) left out");
  detail_add (parts, f->metafiles, "EMF/WMF pictures drawn to PNG by LibreOffice");
  detail_add (parts, f->metafiles_over,
              "EMF/WMF pictures beyond [office] max_metafiles left out");
  detail_add (parts, f->images, "images the image filter did not pass left out");
  detail_add (parts, f->extensions,
              "extension elements or attributes outside the allow-list"
              " dropped");
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

static void
finish (Rebuild *r)
{
  g_autoptr (GError) error = NULL;
  GBytes *zip = write_package (r, &error);

  if (zip == NULL) {
    fail (r, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED, g_strdup (error->message));
    return;
  }
  r->result->action = MG_ACTION_CONVERTED;
  r->result->reason = rebuild_reason (r);
  g_free (r->result->detail);
  r->result->detail = rebuild_detail (r);
  r->result->output = zip;
  r->result->output_type = g_strdup (outputs[r->family].mime);
  r->result->output_extension = g_strdup (outputs[r->family].extension);
}

static void
rebuild_clear (Rebuild *r)
{
  g_clear_pointer (&r->types, g_hash_table_unref);
  g_clear_pointer (&r->kept, g_hash_table_unref);
  g_clear_pointer (&r->refused, g_hash_table_unref);
  g_clear_pointer (&r->drawn, g_hash_table_unref);
  g_clear_pointer (&r->order, g_ptr_array_unref);
  g_queue_clear (&r->queue);
}

static void
limits_from_config (const MgConfig *config, MgOoxmlLimits *limits)
{
  limits->max_parts = config->office.max_parts;
  limits->max_part_size = config->office.max_part_size;
  limits->max_unpacked_size = config->office.max_unpacked_size;
  limits->max_ratio = config->office.max_ratio;
}

void
mg_ooxml_rebuild (GBytes *input, const MgFilterInput *in, gboolean allow_convert,
                  MgFilterResult *result)
{
  MgOoxmlLimits limits;
  Rebuild r = { in, result };

  limits_from_config (in->config, &limits);
  g_autoptr (MgOoxmlPackage) pkg = mg_ooxml_zip_read (input, &limits, result);
  if (pkg == NULL)
    return;
  r.pkg = pkg;
  r.kept = g_hash_table_new (g_str_hash, g_str_equal);
  r.refused = g_hash_table_new (g_str_hash, g_str_equal);
  r.order = g_ptr_array_new_with_free_func ((GDestroyNotify) kept_free);
  g_queue_init (&r.queue);
  if (read_types (&r))
    walk (&r);
  if (!r.failed && r.family == FAMILY_XLSB && allow_convert)
    mg_ooxml_converted (input, in, "xlsb", result);
  else if (!r.failed && r.family == FAMILY_XLSB)
    fail (&r, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
          g_strdup ("a binary workbook (.xlsb) that was not converted"));
  else if (!r.failed) {
    note_unreachable (&r);
    clean_all (&r);
  }
  if (!r.failed && r.family != FAMILY_XLSB)
    finish (&r);
  rebuild_clear (&r);
}

void
mg_ooxml_converted (GBytes *input, const MgFilterInput *in, const char *source_ext,
                    MgFilterResult *result)
{
  const char *target = mg_libreoffice_target (source_ext);
  g_autofree char *why = NULL;
  g_autoptr (GBytes) converted = NULL;

  g_return_if_fail (target != NULL);
  converted = mg_libreoffice_convert (input, in, source_ext, target, &why);
  if (converted == NULL) {
    mg_filter_result_clear (result);
    mg_filter_result_set (result, MG_ACTION_REMOVED, mg_libreoffice_reason (why),
                          g_strdup (why != NULL ? why : "LibreOffice failed"));
    return;
  }
  mg_ooxml_rebuild (converted, in, FALSE, result);
  if (result->action != MG_ACTION_CONVERTED)
    return;
  if (result->reason != MG_REASON_MACROS_REMOVED)
    result->reason = MG_REASON_OFFICE_CONVERTED;
  g_autofree char *detail = result->detail;
  result->detail = g_strdup_printf ("converted from .%s by LibreOffice%s%s", source_ext,
                                    detail != NULL ? "; " : "", detail != NULL ? detail : "");
}

static const char *const ooxml_types[] = {
  OXD "wordprocessingml.document",
  OXD "wordprocessingml.template",
  OXD "spreadsheetml.sheet",
  OXD "spreadsheetml.template",
  OXD "presentationml.presentation",
  OXD "presentationml.slideshow",
  OXD "presentationml.template",
  "application/vnd.ms-word.document.macroEnabled.12",
  "application/vnd.ms-word.template.macroEnabled.12",
  "application/vnd.ms-excel.sheet.macroEnabled.12",
  "application/vnd.ms-excel.template.macroEnabled.12",
  "application/vnd.ms-excel.addin.macroEnabled.12",
  "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
  "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
  "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
  "application/vnd.ms-powerpoint.template.macroEnabled.12",
  NULL,
};

static gboolean
ooxml_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result, GError **error)
{
  (void) error;
  mg_ooxml_rebuild (input, in, TRUE, result);
  return TRUE;
}

const MgFilter mg_filter_ooxml = {
  .name = "ooxml",
  .types = ooxml_types,
  .sanitise = ooxml_sanitise, /* libxml2 is set up by its first parse */
};
