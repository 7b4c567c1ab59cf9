/* ooxml_word.c - Word fields flattened to their result text.
 *
 * A field's instruction may run something (DDE, DDEAUTO), fetch something
 * (INCLUDETEXT, INCLUDEPICTURE, HYPERLINK, LINK, IMPORT) or be built from
 * other fields to hide what it is (QUOTE, nested fields). Fields on a short
 * allow-list of harmless ones (PAGE, DATE, TOC, REF, form fields...) stay;
 * every other one loses its instruction and keeps the text it last showed.
 * Complex fields (fldChar begin/separate/end, instrText split over any number
 * of runs, even across paragraphs) and simple ones (fldSimple) alike. This
 * module only removes nodes; it never adds text.
 */
#include "filters/ooxml_word.h"

#include <string.h>

#include "filters/ooxml_xml.h"

/* Fields that neither fetch, include, run nor prompt. */
static const char *const safe_fields[] = {
  "PAGE",         "NUMPAGES",
  "SECTIONPAGES", "SECTION",
  "DATE",         "TIME",
  "CREATEDATE",   "SAVEDATE",
  "PRINTDATE",    "EDITTIME",
  "TOC",          "TOA",
  "TC",           "TA",
  "XE",           "INDEX",
  "REF",          "PAGEREF",
  "NOTEREF",      "STYLEREF",
  "SEQ",          "AUTONUM",
  "AUTONUMLGL",   "AUTONUMOUT",
  "LISTNUM",      "BIBLIOGRAPHY",
  "CITATION",     "AUTHOR",
  "TITLE",        "SUBJECT",
  "KEYWORDS",     "COMMENTS",
  "LASTSAVEDBY",  "NUMWORDS",
  "NUMCHARS",     "FILESIZE",
  "FILENAME",     "TEMPLATE",
  "DOCPROPERTY",  "INFO",
  "USERNAME",     "USERINITIALS",
  "USERADDRESS",  "FORMTEXT",
  "FORMCHECKBOX", "FORMDROPDOWN",
  "EQ",           "SYMBOL",
  "ADVANCE",      "IF",
  "COMPARE",      "SET",
  "MERGEFIELD",   "MERGEREC",
  "MERGESEQ",     "NEXT",
  "NEXTIF",       "SKIPIF",
  "GREETINGLINE", "ADDRESSBLOCK",
  "BIDIOUTLINE",  "=",
  NULL,
};

/* TRUE when the field instruction INSTR names a field on the allow-list. */
static gboolean
field_is_safe (const char *instr)
{
  const char *p = instr;
  gsize n = 0;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '=')
    return TRUE;
  while (p[n] != '\0' && g_ascii_isalpha (p[n]))
    n++;
  if (n == 0 || n > 16 || (p[n] != '\0' && !g_ascii_isspace (p[n])))
    return FALSE; /* quoted, escaped or glued names are how DDE hides */
  g_autofree char *name = g_ascii_strup (p, n);
  return g_strv_contains (safe_fields, name);
}

typedef struct {
  xmlNode *begin;
  GPtrArray *instr_nodes; /* nodes of the instruction, removed when flattened */
  GString *instr;
  gboolean in_instr;
  gboolean nested; /* another field began inside the instruction */
} Field;

static void
field_free (Field *field)
{
  g_ptr_array_unref (field->instr_nodes);
  g_string_free (field->instr, TRUE);
  g_free (field);
}

typedef struct {
  GPtrArray *stack;   /* Field *, innermost last */
  GHashTable *doomed; /* nodes to remove once the walk is over */
  MgOoxmlFindings *findings;
} Walk;

/* The outermost open field still reading its instruction: everything met
 * before its separator belongs to that instruction. */
static Field *
instruction_owner (Walk *w)
{
  for (guint i = 0; i < w->stack->len; i++) {
    Field *f = g_ptr_array_index (w->stack, i);
    if (f->in_instr)
      return f;
  }
  return NULL;
}

static void
doom (Walk *w, xmlNode *node)
{
  if (node != NULL)
    g_hash_table_add (w->doomed, node);
}

/* Decide FIELD at its separator (or end): flatten it unless it is safe. */
static void
field_decide (Walk *w, Field *field, xmlNode *separator)
{
  field->in_instr = FALSE;
  if (!field->nested && field_is_safe (field->instr->str))
    return;
  w->findings->fields++;
  doom (w, field->begin);
  doom (w, separator);
  for (guint i = 0; i < field->instr_nodes->len; i++)
    doom (w, g_ptr_array_index (field->instr_nodes, i));
}

static void
on_begin (Walk *w, xmlNode *node)
{
  Field *owner = instruction_owner (w);
  Field *field = g_new0 (Field, 1);

  if (owner != NULL) {
    owner->nested = TRUE;
    g_ptr_array_add (owner->instr_nodes, node);
  }
  field->begin = node;
  field->instr_nodes = g_ptr_array_new ();
  field->instr = g_string_new (NULL);
  field->in_instr = TRUE;
  g_ptr_array_add (w->stack, field);
}

/* A separator or an end: the innermost field's. */
static void
on_separate_or_end (Walk *w, xmlNode *node, gboolean end)
{
  Field *field = w->stack->len > 0 ? g_ptr_array_index (w->stack, w->stack->len - 1) : NULL;
  Field *owner;

  if (field == NULL) {
    doom (w, node); /* a stray marker */
    return;
  }
  owner = instruction_owner (w);
  if (owner != NULL && owner != field)
    g_ptr_array_add (owner->instr_nodes, node);
  if (field->in_instr)
    field_decide (w, field, end ? NULL : node);
  else if (!end)
    doom (w, node); /* a second separator */
  if (end) {
    /* a flattened field's end goes with its begin */
    if (g_hash_table_contains (w->doomed, field->begin))
      doom (w, node);
    g_ptr_array_remove_index (w->stack, w->stack->len - 1);
  }
}

static void
on_instruction_text (Walk *w, xmlNode *node)
{
  Field *owner = instruction_owner (w);
  Field *field = w->stack->len > 0 ? g_ptr_array_index (w->stack, w->stack->len - 1) : NULL;

  if (owner == NULL) {
    if (mg_ooxml_xml_is (node, "instrText") || mg_ooxml_xml_is (node, "delInstrText"))
      doom (w, node); /* an instruction outside any field */
    return;
  }
  g_ptr_array_add (owner->instr_nodes, node);
  if (field == owner && !mg_ooxml_xml_is (node, "t") && !mg_ooxml_xml_is (node, "delText")) {
    xmlChar *text = xmlNodeGetContent (node);
    g_string_append (field->instr, (const char *) text);
    xmlFree (text);
  }
}

static void
on_fld_char (Walk *w, xmlNode *node)
{
  g_autofree char *type = mg_ooxml_xml_attr (node, "fldCharType");

  if (g_strcmp0 (type, "begin") == 0)
    on_begin (w, node);
  else if (g_strcmp0 (type, "separate") == 0)
    on_separate_or_end (w, node, FALSE);
  else if (g_strcmp0 (type, "end") == 0)
    on_separate_or_end (w, node, TRUE);
  else
    doom (w, node);
}

static void
walk_complex_fields (xmlDoc *doc, Walk *w)
{
  for (xmlNode *n = doc->children; n != NULL;) {
    gboolean leaf = TRUE;
    if (mg_ooxml_xml_is (n, "fldChar"))
      on_fld_char (w, n);
    else if (mg_ooxml_xml_is (n, "instrText") || mg_ooxml_xml_is (n, "delInstrText") ||
             mg_ooxml_xml_is (n, "t") || mg_ooxml_xml_is (n, "delText"))
      on_instruction_text (w, n);
    else
      leaf = FALSE;
    n = mg_ooxml_xml_next (n, leaf);
  }
  /* fields never closed: flattened, their instructions gone */
  while (w->stack->len > 0) {
    Field *field = g_ptr_array_index (w->stack, w->stack->len - 1);
    if (field->in_instr)
      field_decide (w, field, NULL);
    g_ptr_array_remove_index (w->stack, w->stack->len - 1);
  }
}

static void
flatten_simple_fields (xmlDoc *doc, MgOoxmlFindings *findings)
{
  g_autoptr (GPtrArray) unsafe = g_ptr_array_new ();

  for (xmlNode *n = doc->children; n != NULL; n = mg_ooxml_xml_next (n, FALSE)) {
    if (!mg_ooxml_xml_is (n, "fldSimple"))
      continue;
    g_autofree char *instr = mg_ooxml_xml_attr (n, "instr");
    if (instr == NULL || !field_is_safe (instr))
      g_ptr_array_add (unsafe, n);
  }
  for (guint i = 0; i < unsafe->len; i++)
    mg_ooxml_xml_unwrap (g_ptr_array_index (unsafe, i));
  findings->fields += unsafe->len;
}

void
mg_ooxml_word_fields (xmlDoc *doc, MgOoxmlFindings *findings)
{
  Walk w = { g_ptr_array_new_with_free_func ((GDestroyNotify) field_free),
             g_hash_table_new (NULL, NULL), findings };
  GHashTableIter iter;
  gpointer node;

  walk_complex_fields (doc, &w);
  g_hash_table_iter_init (&iter, w.doomed);
  while (g_hash_table_iter_next (&iter, &node, NULL))
    mg_ooxml_xml_remove (node);
  g_hash_table_unref (w.doomed);
  g_ptr_array_unref (w.stack);
  flatten_simple_fields (doc, findings);
}
