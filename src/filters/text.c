/* text.c - the filter for plain text and CSV (see text.h).
 *
 * The output is always a new UTF-8 text built here; the input never passes as
 * it came. Names that Windows or a shell would run, and content libmagic calls
 * a script, are removed before anything is decoded. This module never opens a
 * file, never treats a name as a path, and never guesses a type from a name
 * except to remove more.
 */
#include "filters/text.h"

#include <string.h>

#include "mime/charset.h"

/* Types whose content an interpreter runs when the file is opened or renamed:
 * the filter takes them (text_types) only to remove them (script_types). */
#define MG_TEXT_SCRIPT_TYPES                                                                  \
  "text/x-shellscript", "text/x-msdos-batch", "text/x-python", "text/x-script.python",        \
      "text/x-perl", "text/x-php", "text/x-ruby", "text/x-awk", "text/x-gawk", "text/x-nawk", \
      "text/x-tcl", "text/x-lua", "text/x-execline", "text/x-ms-regedit",                     \
      "text/x-wine-extension-reg", "text/x-ms-scf"

static const char *const text_types[] = {
  /* plain text and the text/x-* types libmagic gives to source-like text */
  "text/plain",
  "text/csv",
  "text/troff",
  "text/x-Algol68",
  "text/x-asm",
  "text/x-bcpl",
  "text/x-c",
  "text/x-c++",
  "text/x-clojure",
  "text/x-diff",
  "text/x-forth",
  "text/x-fortran",
  "text/x-info",
  "text/x-java",
  "text/x-lisp",
  "text/x-m4",
  "text/x-makefile",
  "text/x-objective-c",
  "text/x-pascal",
  "text/x-po",
  "text/x-tex",
  "text/x-texinfo",
  /* scripts: taken so that they are removed with a reason a user can read */
  MG_TEXT_SCRIPT_TYPES,
  NULL,
};

static const char *const script_types[] = { MG_TEXT_SCRIPT_TYPES, NULL };

/* Extensions Windows (or a Unix desktop) runs, installs, or hands to an
 * interpreter; also Office's text formats that execute or fetch (slk, iqy). */
static const char *const script_extensions[] = {
  "exe",
  "com",
  "scr",
  "pif",
  "cpl",
  "dll",
  "ocx",
  "sys",
  "drv",
  "msi",
  "msp",
  "mst",
  "msc",
  "bat",
  "cmd",
  "vbs",
  "vbe",
  "vb",
  "js",
  "jse",
  "wsf",
  "wsc",
  "wsh",
  "ws",
  "sct",
  "hta",
  "ps1",
  "ps1xml",
  "ps2",
  "ps2xml",
  "psc1",
  "psc2",
  "psm1",
  "psd1",
  "msh",
  "msh1",
  "msh2",
  "mshxml",
  "msh1xml",
  "msh2xml",
  "lnk",
  "url",
  "scf",
  "inf",
  "ins",
  "isp",
  "reg",
  "jar",
  "jnlp",
  "chm",
  "hlp",
  "gadget",
  "application",
  "appref-ms",
  "diagcab",
  "library-ms",
  "settingcontent-ms",
  "searchconnector-ms",
  "shb",
  "shs",
  "xbap",
  "xll",
  "iqy",
  "dqy",
  "oqy",
  "rqy",
  "slk",
  "sh",
  "bash",
  "csh",
  "ksh",
  "zsh",
  "command",
  "desktop",
  "py",
  "pyw",
  "pyz",
  "pl",
  "pm",
  "rb",
  "php",
  "phtml",
  "cgi",
  "tcl",
  "lua",
  "applescript",
  "scpt",
  "workflow",
  "action",
  NULL,
};

/* Extensions the output keeps when the original name has one of them. */
static const char *const kept_extensions[] = { "txt", "csv", "tsv", "log", NULL };

static const char utf8_bom[] = "\xEF\xBB\xBF";

static gboolean
type_is (const char *type, const char *name)
{
  return type != NULL && g_ascii_strcasecmp (type, name) == 0;
}

static gboolean
has_utf8_bom (const char *data, gsize len)
{
  return len >= 3 && memcmp (data, utf8_bom, 3) == 0;
}

/* --- names ------------------------------------------------------------- */

/* FILENAME as Windows compares it, and a little stricter: valid UTF-8, format
 * characters (U+202E, U+200B, U+FEFF...) removed, NFKC, case-folded, trailing
 * dots and spaces removed. */
static char *
name_folded (const char *filename)
{
  g_autofree char *valid = g_utf8_make_valid (filename, -1);
  GString *visible = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_type (c) != G_UNICODE_FORMAT && !g_unichar_iscntrl (c))
      g_string_append_unichar (visible, c);
  }
  g_autofree char *nfkc = g_utf8_normalize (visible->str, -1, G_NORMALIZE_NFKC);
  g_string_free (visible, TRUE);
  char *folded = g_utf8_casefold (nfkc != NULL ? nfkc : "", -1);
  gsize len = strlen (folded);
  while (len > 0 && (folded[len - 1] == '.' || g_ascii_isspace (folded[len - 1])))
    folded[--len] = '\0';
  return folded;
}

/* The last extension of NAME (folded), without the dot, or NULL. */
static const char *
name_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || strpbrk (dot, "/\\") != NULL)
    return NULL;
  return dot + 1;
}

static gboolean
name_has_extension_in (const char *folded, const char *const *list)
{
  const char *ext = name_extension (folded);

  return ext != NULL && g_strv_contains (list, ext);
}

gboolean
mg_text_name_is_script (const char *filename)
{
  if (filename == NULL)
    return FALSE;
  g_autofree char *folded = name_folded (filename);
  const char *colon = strchr (folded, ':');

  if (colon != NULL) {
    /* "a.exe::$DATA" and "a.exe:x.txt" open a.exe's data on NTFS */
    g_autofree char *head = g_strndup (folded, colon - folded);
    g_autofree char *head_folded = name_folded (head);
    if (name_has_extension_in (head_folded, script_extensions))
      return TRUE;
  }
  return name_has_extension_in (folded, script_extensions);
}

/* --- decoding ---------------------------------------------------------- */

/* The charset a byte order mark at the start of DATA names, or NULL. */
static const char *
bom_charset (const char *data, gsize len, gsize *bom_len_r)
{
  const guchar *u = (const guchar *) data;

  *bom_len_r = 0;
  if (has_utf8_bom (data, len)) {
    *bom_len_r = 3;
    return "utf-8";
  }
  if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
    *bom_len_r = 2;
    return "utf-16le";
  }
  if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
    *bom_len_r = 2;
    return "utf-16be";
  }
  return NULL;
}

/* Make every line end "\n", in place. */
static void
normalise_line_ends (GString *text)
{
  gsize w = 0;

  for (gsize r = 0; r < text->len; r++) {
    char c = text->str[r];
    if (c == '\r') {
      if (r + 1 < text->len && text->str[r + 1] == '\n')
        continue;
      c = '\n';
    }
    text->str[w++] = c;
  }
  g_string_truncate (text, w);
}

char *
mg_text_decode (const char *data, gsize len, const char *charset, gsize *invalid_r)
{
  gsize bom_len;

  if (data == NULL) {
    data = "";
    len = 0;
  }
  const char *bom = bom_charset (data, len, &bom_len);
  g_autofree char *decoded = mg_charset_decode (data + bom_len, len - bom_len,
                                                bom != NULL ? bom : charset, invalid_r);
  const char *start = decoded;

  /* a second mark, or one charset.c left in place, is not text either */
  while (g_str_has_prefix (start, utf8_bom))
    start += 3;
  GString *text = g_string_new (start);
  normalise_line_ends (text);
  return g_string_free (text, FALSE);
}

/* --- CSV --------------------------------------------------------------- */

/* Length of the full-width ＝ ＋ － ＠ at P, or 0. */
static gsize
csv_fullwidth_sign (const char *p)
{
  static const char *const signs[] = { "\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D",
                                       "\xEF\xBC\xA0", NULL };

  for (guint i = 0; signs[i] != NULL; i++)
    if (g_str_has_prefix (p, signs[i]))
      return 3;
  return 0;
}

static gboolean
csv_cell_end (const char *p, char delimiter, gboolean quoted)
{
  if (quoted)
    return *p == '\0' || (p[0] == '"' && p[1] != '"');
  return *p == '\0' || *p == delimiter || *p == '\n';
}

/* TRUE when the cell from P on is a plain signed number ("-12", "+3.5"),
 * which a spreadsheet reads as a number, never as a formula. */
static gboolean
csv_cell_is_number (const char *p, char delimiter, gboolean quoted)
{
  gboolean digit = FALSE;

  for (p++; !csv_cell_end (p, delimiter, quoted); p++) {
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != ',')
      return FALSE;
    digit = digit || g_ascii_isdigit (*p);
  }
  return digit;
}

/* TRUE when a spreadsheet would read the cell whose value starts at P as a
 * formula (leading spaces and U+3000 do not save it). */
static gboolean
csv_cell_is_formula (const char *p, char delimiter, gboolean quoted)
{
  for (;;) {
    if (*p == ' ')
      p++;
    else if (g_str_has_prefix (p, "\xE3\x80\x80"))
      p += 3;
    else
      break;
  }
  if (*p == '+' || *p == '-')
    return !csv_cell_is_number (p, delimiter, quoted);
  return *p == '=' || *p == '@' || *p == '\t' || *p == '\r' || csv_fullwidth_sign (p) > 0;
}

/* The delimiter Excel uses for TEXT: a first line "sep=X" sets it; its length
 * (to be copied as it is) goes to *skip_r. */
static char
csv_delimiter (const char *text, char fallback, gsize *skip_r)
{
  *skip_r = 0;
  if (g_ascii_strncasecmp (text, "sep=", 4) == 0 && text[4] != '\0' && text[4] != '\n' &&
      (text[5] == '\n' || text[5] == '\0')) {
    *skip_r = text[5] == '\n' ? 6 : 5;
    return text[4];
  }
  return fallback;
}

/* Copy TEXT (UTF-8, "\n" lines) to OUT, putting ' before every cell a
 * spreadsheet would evaluate. Quoted cells keep their quotes; a quote inside
 * an unquoted cell is a plain character, as Excel reads it. */
static guint
csv_neutralise (const char *text, char fallback_delimiter, GString *out)
{
  gsize skip;
  char delimiter = csv_delimiter (text, fallback_delimiter, &skip);
  gboolean cell_start = TRUE, quoted = FALSE;
  guint count = 0;
  const char *p = text + skip;

  g_string_append_len (out, text, skip);
  while (*p != '\0') {
    if (cell_start) {
      cell_start = FALSE;
      quoted = *p == '"';
      if (quoted)
        g_string_append_c (out, *p++);
      if (csv_cell_is_formula (p, delimiter, quoted)) {
        g_string_append_c (out, '\'');
        count++;
      }
      continue;
    }
    if (quoted && p[0] == '"' && p[1] == '"') {
      g_string_append_len (out, p, 2);
      p += 2;
      continue;
    }
    if (quoted && *p == '"')
      quoted = FALSE;
    else if (!quoted && (*p == delimiter || *p == '\n'))
      cell_start = TRUE;
    g_string_append_c (out, *p++);
  }
  return count;
}

/* --- the filter -------------------------------------------------------- */

typedef enum { TEXT_PLAIN, TEXT_CSV, TEXT_TSV } TextKind;

static TextKind
text_kind (const MgFilterInput *in, const char *folded_name)
{
  const char *ext = folded_name != NULL ? name_extension (folded_name) : NULL;

  if (g_strcmp0 (ext, "tsv") == 0)
    return TEXT_TSV;
  if (g_strcmp0 (ext, "csv") == 0 || type_is (in->detected_type, "text/csv"))
    return TEXT_CSV;
  return TEXT_PLAIN;
}

static const char *
text_output_type (TextKind kind)
{
  static const char *const types[] = {
    [TEXT_PLAIN] = "text/plain",
    [TEXT_CSV] = "text/csv",
    [TEXT_TSV] = "text/tab-separated-values",
  };

  return types[kind];
}

static char *
text_output_extension (TextKind kind, const char *folded_name)
{
  if (folded_name != NULL && name_has_extension_in (folded_name, kept_extensions))
    return g_strconcat (".", name_extension (folded_name), NULL);
  return g_strdup (kind == TEXT_PLAIN ? ".txt" : ".csv");
}

static void
text_remove (MgFilterResult *result, MgReason reason, char *detail)
{
  mg_filter_result_set (result, MG_ACTION_REMOVED, reason, detail);
}

/* Removes scripts by name or by content; TRUE when it did. */
static gboolean
text_remove_script (const MgFilterInput *in, MgFilterResult *result)
{
  if (mg_text_name_is_script (in->filename)) {
    text_remove (result, MG_REASON_SCRIPT_NAME,
                 g_strdup ("the name ends in a script or executable extension"));
    return TRUE;
  }
  for (guint i = 0; script_types[i] != NULL; i++) {
    if (type_is (in->detected_type, script_types[i])) {
      text_remove (result, MG_REASON_TYPE_NOT_ALLOWED,
                   g_strdup_printf ("the content is a script (%s), whatever its name",
                                    script_types[i]));
      return TRUE;
    }
  }
  return FALSE;
}

/* The detail for the report: what changed, or NULL. */
static char *
text_detail (gsize invalid, guint formulas, gboolean bom_added)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (invalid > 0)
    g_ptr_array_add (
        parts,
        g_strdup_printf ("%" G_GSIZE_FORMAT " undecodable bytes shown as U+FFFD", invalid));
  if (formulas > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%u formula cells neutralised", formulas));
  if (bom_added)
    g_ptr_array_add (parts, g_strdup ("UTF-8 byte order mark added for spreadsheets"));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

static gboolean
text_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result, GError **error)
{
  gsize len, invalid = 0;
  const char *data = g_bytes_get_data (input, &len);
  g_autofree char *folded = in->filename != NULL ? name_folded (in->filename) : NULL;
  (void) error;

  if (text_remove_script (in, result))
    return TRUE;
  TextKind kind = text_kind (in, folded);
  g_autofree char *text = mg_text_decode (data, len, in->charset, &invalid);
  GString *out = g_string_sized_new (strlen (text) + 16);
  guint formulas = 0;

  if (kind == TEXT_PLAIN) {
    g_string_append (out, text);
  } else {
    g_string_append (out, utf8_bom);
    formulas = csv_neutralise (text, kind == TEXT_TSV ? '\t' : ',', out);
  }
  result->output = g_string_free_to_bytes (out);
  result->action = g_bytes_equal (result->output, input) ? MG_ACTION_KEPT
                                                         : MG_ACTION_CONVERTED;
  result->reason = result->action == MG_ACTION_KEPT ? MG_REASON_NONE
                                                    : MG_REASON_TEXT_REENCODED;
  result->detail = text_detail (invalid, formulas,
                                kind != TEXT_PLAIN && !has_utf8_bom (data, len));
  result->output_type = g_strdup (text_output_type (kind));
  result->output_extension = text_output_extension (kind, folded);
  return TRUE;
}

const MgFilter mg_filter_text = {
  .name = "text",
  .types = text_types,
  .sanitise = text_sanitise, /* no init or shutdown: nothing to load */
};
