/* ooxml_excel.c - Excel workbooks and worksheets: what runs or reaches out.
 *
 * Excel 4.0 macro sheets are left behind by the package walk (their
 * relationship type is not on the allow-list); here the workbook forgets
 * them, and the names and views that count sheets by position are fixed.
 * Auto-run names (Auto_Open and kin) and names or formulas that reach outside
 * the workbook (DDE "cmd|' /c calc'!A0", external workbooks "[1]Sheet1!A1",
 * WEBSERVICE, HYPERLINK, RTD, CALL, REGISTER, EXEC) are removed; a cell keeps
 * the value it last showed. This module only removes and renumbers; it never
 * writes a formula.
 */
#include "filters/ooxml_excel.h"

#include <string.h>

#include "filters/ooxml_xml.h"

/* Functions that reach outside the workbook or run code. */
static const char *const unsafe_functions[] = {
  "HYPERLINK", "WEBSERVICE", "RTD",   "CALL",    "REGISTER", "REGISTER.ID",
  "EXEC",      "IMAGE",      "FOPEN", "FWRITE",  "FWRITELN", "DDE",
  "INITIATE",  "EXECUTE",    "POKE",  "REQUEST", "RUN",      NULL,
};

/* Names Excel runs when a workbook opens, closes or activates. */
static const char *const auto_names[] = {
  "auto_open", "auto_close", "auto_activate", "auto_deactivate", NULL,
};

static gboolean
function_unsafe (const char *start, gsize len)
{
  g_autofree char *name = g_ascii_strup (start, len);
  const char *bare = name;

  for (;;) {
    if (g_str_has_prefix (bare, "_XLFN."))
      bare += 6;
    else if (g_str_has_prefix (bare, "_XLWS."))
      bare += 6;
    else
      break;
  }
  return g_strv_contains (unsafe_functions, bare);
}

static gboolean
ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || (guchar) c >= 0x80;
}

/* TRUE when the bracket at P (depth 0) opens an external workbook reference:
 * "[1]" as files store them, or "[book.xlsx]" after no table name. */
static gboolean
external_bracket (const char *formula, const char *p)
{
  const char *close = strchr (p, ']');

  if (g_ascii_isdigit (p[1]))
    return TRUE;
  if (p > formula && ident_char (p[-1]))
    return FALSE; /* Table1[Column]: a structured reference */
  return close != NULL && memchr (p, '.', close - p) != NULL;
}

gboolean
mg_ooxml_excel_formula_unsafe (const char *formula)
{
  gboolean in_string = FALSE, in_sheet = FALSE;
  guint depth = 0;

  for (const char *p = formula; *p != '\0'; p++) {
    if (in_string) {
      in_string = *p != '"';
      continue;
    }
    if (*p == '"' && !in_sheet) {
      in_string = TRUE;
    } else if (*p == '\'') {
      in_sheet = !in_sheet;
    } else if (*p == '|') {
      return TRUE; /* DDE: application|topic!item */
    } else if (*p == '[') {
      if (in_sheet || (depth == 0 && external_bracket (formula, p)))
        return TRUE; /* '[1]Sheet'!A1, [1]Sheet!A1 */
      depth++;
    } else if (*p == ']') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (!in_sheet && ident_char (*p) && (p == formula || !ident_char (p[-1]))) {
      gsize n = 0;
      while (ident_char (p[n]))
        n++;
      if (p[n] == '(' && function_unsafe (p, n))
        return TRUE;
      p += n - 1;
    }
  }
  return FALSE;
}

static char *
node_text (xmlNode *node)
{
  xmlChar *text = xmlNodeGetContent (node);
  char *out = g_strdup (text != NULL ? (const char *) text : "");

  xmlFree (text);
  return out;
}

static xmlNode *
child (xmlNode *parent, const char *local_name)
{
  for (xmlNode *n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
    if (mg_ooxml_xml_is (n, local_name))
      return n;
  return NULL;
}

/* --- workbook ---------------------------------------------------------- */

/* Remove the sheets whose relationship is gone; *MAP_R gets, for each old
 * position, the new one or -1. Returns the number of sheets left. */
static guint
workbook_sheets (xmlNode *root, GHashTable *kept_ids, GArray **map_r)
{
  xmlNode *sheets = child (root, "sheets");
  GArray *map = g_array_new (FALSE, FALSE, sizeof (gint));
  gint left = 0;

  for (xmlNode *n = sheets != NULL ? sheets->children : NULL; n != NULL;) {
    xmlNode *next = n->next;
    if (mg_ooxml_xml_is (n, "sheet")) {
      g_autofree char *id = mg_ooxml_xml_attr (n, "id");
      gint index = id != NULL && g_hash_table_contains (kept_ids, id) ? left++ : -1;
      g_array_append_val (map, index);
      if (index < 0)
        mg_ooxml_xml_remove (n);
    }
    n = next;
  }
  *map_r = map;
  return left;
}

static gint
map_index (GArray *map, const char *value)
{
  guint64 old;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &old, NULL) ||
      old >= map->len)
    return -1;
  return g_array_index (map, gint, old);
}

static gboolean
name_is_auto (const char *name)
{
  g_autofree char *low = g_ascii_strdown (name != NULL ? name : "", -1);
  const char *bare = g_str_has_prefix (low, "_xlnm.") ? low + 6 : low;

  for (guint i = 0; auto_names[i] != NULL; i++)
    if (g_str_has_prefix (bare, auto_names[i]))
      return TRUE;
  return FALSE;
}

/* Keep a defined name? Renumbers its localSheetId when it stays. */
static gboolean
keep_defined_name (xmlNode *n, GArray *map)
{
  g_autofree char *name = mg_ooxml_xml_attr (n, "name");
  g_autofree char *local = mg_ooxml_xml_attr (n, "localSheetId");
  g_autofree char *formula = node_text (n);

  if (name_is_auto (name) || mg_ooxml_excel_formula_unsafe (formula))
    return FALSE;
  if (local != NULL) {
    gint index = map_index (map, local);
    if (index < 0)
      return FALSE;
    g_autofree char *text = g_strdup_printf ("%d", index);
    xmlSetProp (n, (const xmlChar *) "localSheetId", (const xmlChar *) text);
  }
  return TRUE;
}

static void
workbook_names (xmlNode *root, GArray *map, MgOoxmlFindings *f)
{
  xmlNode *names = child (root, "definedNames");

  for (xmlNode *n = names != NULL ? names->children : NULL; n != NULL;) {
    xmlNode *next = n->next;
    if (mg_ooxml_xml_is (n, "definedName") && !keep_defined_name (n, map)) {
      f->names++;
      mg_ooxml_xml_remove (n);
    }
    n = next;
  }
}

/* Views name sheets by position: point them at a sheet that is still there. */
static void
workbook_views (xmlNode *root, GArray *map, guint left)
{
  static const char *const attrs[] = { "activeTab", "firstSheet" };
  xmlNode *views = child (root, "bookViews");

  for (xmlNode *v = views != NULL ? views->children : NULL; v != NULL; v = v->next) {
    if (!mg_ooxml_xml_is (v, "workbookView"))
      continue;
    for (guint i = 0; i < G_N_ELEMENTS (attrs); i++) {
      g_autofree char *old = mg_ooxml_xml_attr (v, attrs[i]);
      gint index = old != NULL ? map_index (map, old) : 0;
      if (old == NULL)
        continue;
      g_autofree char *text = g_strdup_printf ("%d",
                                               index >= 0 && (guint) index < left ? index : 0);
      xmlSetProp (v, (const xmlChar *) attrs[i], (const xmlChar *) text);
    }
  }
}

gboolean
mg_ooxml_excel_workbook (xmlDoc *doc, GHashTable *kept_ids, MgOoxmlFindings *findings)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  g_autoptr (GArray) map = NULL;
  guint left = workbook_sheets (root, kept_ids, &map);

  workbook_names (root, map, findings);
  workbook_views (root, map, left);
  return left > 0;
}

/* --- worksheets -------------------------------------------------------- */

static gboolean
is_shared_master (xmlNode *f, char **si_r)
{
  g_autofree char *t = mg_ooxml_xml_attr (f, "t");

  *si_r = g_strcmp0 (t, "shared") == 0 ? mg_ooxml_xml_attr (f, "si") : NULL;
  return *si_r != NULL;
}

/* Remove unsafe cell formulas (the cached <v> stays); collect the shared
 * formula ids whose master went, and unsafe rule formulas' owners. */
static void
sheet_formulas (xmlDoc *doc, GHashTable *gone_si, GHashTable *doomed, MgOoxmlFindings *f)
{
  for (xmlNode *n = doc->children; n != NULL;) {
    gboolean is_cell = mg_ooxml_xml_is (n, "f");
    gboolean is_rule = mg_ooxml_xml_is (n, "formula") || mg_ooxml_xml_is (n, "formula1") ||
                       mg_ooxml_xml_is (n, "formula2");
    if (!is_cell && !is_rule) {
      n = mg_ooxml_xml_next (n, FALSE);
      continue;
    }
    g_autofree char *text = node_text (n);
    if (mg_ooxml_excel_formula_unsafe (text)) {
      char *si = NULL;
      f->formulas++;
      if (is_cell && is_shared_master (n, &si))
        g_hash_table_add (gone_si, si);
      g_hash_table_add (doomed, is_cell ? n : n->parent);
    }
    n = mg_ooxml_xml_next (n, TRUE);
  }
}

/* Formulas that share a removed master formula. */
static void
sheet_shared (xmlDoc *doc, GHashTable *gone_si, GHashTable *doomed)
{
  if (g_hash_table_size (gone_si) == 0)
    return;
  for (xmlNode *n = doc->children; n != NULL; n = mg_ooxml_xml_next (n, FALSE)) {
    g_autofree char *si = NULL;
    if (mg_ooxml_xml_is (n, "f") && is_shared_master (n, &si) &&
        g_hash_table_contains (gone_si, si))
      g_hash_table_add (doomed, n);
  }
}

void
mg_ooxml_excel_sheet (xmlDoc *doc, MgOoxmlFindings *findings)
{
  g_autoptr (GHashTable)
      gone_si = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) doomed = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer node;

  sheet_formulas (doc, gone_si, doomed, findings);
  sheet_shared (doc, gone_si, doomed);
  g_hash_table_iter_init (&iter, doomed);
  while (g_hash_table_iter_next (&iter, &node, NULL))
    mg_ooxml_xml_remove (node);
}
