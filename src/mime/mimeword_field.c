/* mimeword_field.c - the strict reader of Content-Type and
 * Content-Disposition: type, then "name[*N][*]=value" parameters as written.
 *
 * Strict in what it reports: every anomaly that makes two readers disagree
 * (comments, junk, a bad type, a parameter without '=', too many parameters)
 * becomes a MgFieldFlags bit and the caller decides. Values are kept as
 * written (quotes and escapes removed); mimeword_rfc2231.c turns them into
 * parameters. Linear in the length of the field; at most MAX_PARAMS read.
 */
#include "mime/mimeword.h"
#include "mime/mimeword_private.h"

#include "mime/charset.h"

#include <string.h>

#define MG_MIMEWORD_SECTION_DIGITS 4

void
mg_mimeword_raw_param_free (MgRawParam *r)
{
  g_free (r->name);
  g_free (r->value);
  g_free (r);
}

typedef struct {
  const char *p;
  guint flags;
} MgFieldReader;

static gboolean
tspecial (char c)
{
  return c != '\0' && strchr ("()<>@,;:\\\"/[]?=", c) != NULL;
}

static gboolean
token_char (char c)
{
  return (guchar) c > 0x20 && (guchar) c < 0x7f && !tspecial (c);
}

static void
skip_comment (MgFieldReader *r)
{
  guint depth = 0;

  r->flags |= MG_FIELD_COMMENT;
  for (; *r->p != '\0'; r->p++) {
    if (*r->p == '\\' && r->p[1] != '\0')
      r->p++;
    else if (*r->p == '(')
      depth++;
    else if (*r->p == ')' && --depth == 0) {
      r->p++;
      return;
    }
  }
  r->flags |= MG_FIELD_SYNTAX;
}

static void
skip_cfws (MgFieldReader *r)
{
  for (;;) {
    while (g_ascii_isspace (*r->p))
      r->p++;
    if (*r->p != '(')
      return;
    skip_comment (r);
  }
}

static char *
read_token (MgFieldReader *r)
{
  const char *start = r->p;

  while (token_char (*r->p))
    r->p++;
  return g_strndup (start, (gsize) (r->p - start));
}

/* Anything up to the next ';' is junk. */
static void
skip_junk (MgFieldReader *r)
{
  r->flags |= MG_FIELD_SYNTAX;
  while (*r->p != '\0' && *r->p != ';')
    r->p++;
}

/* A parameter without '=' up to the next ';': junk when a reader could take
 * a value from it ('=' or a quote further on), else stray words that every
 * reader drops ("text/rfc822-headers; Content-Transfer-Encoding: 8bit"). */
static void
skip_stray (MgFieldReader *r)
{
  const char *end = strchr (r->p, ';');
  gsize n = end != NULL ? (gsize) (end - r->p) : strlen (r->p);

  if (memchr (r->p, '=', n) != NULL || memchr (r->p, '"', n) != NULL) {
    skip_junk (r);
    return;
  }
  r->flags |= MG_FIELD_STRAY;
  r->p += n;
}

static char *
read_type (MgFieldReader *r)
{
  g_autofree char *type = NULL, *subtype = NULL;

  skip_cfws (r);
  type = read_token (r);
  skip_cfws (r);
  if (*r->p == '/') {
    r->p++;
    skip_cfws (r);
    subtype = read_token (r);
    skip_cfws (r);
    if (*subtype == '\0')
      r->flags |= MG_FIELD_SYNTAX;
  }
  if (*r->p != ';' && *r->p != '\0')
    skip_junk (r);
  if (*type == '\0') {
    r->flags |= MG_FIELD_SYNTAX;
    return NULL;
  }
  if (subtype != NULL) {
    g_autofree char *both = g_strconcat (type, "/", subtype, NULL);
    return g_ascii_strdown (both, -1);
  }
  return g_ascii_strdown (type, -1);
}

/* Whether the quoted string opening at P holds Shift_JIS, judged on the
 * bytes up to the next '"' (never part of a Shift_JIS character). */
static gboolean
quoted_is_sjis (const char *p)
{
  const char *end = strchr (p + 1, '"');
  gsize len = end != NULL ? (gsize) (end - p - 1) : strlen (p + 1);

  return strcmp (mg_charset_guess (p + 1, len), "cp932") == 0;
}

static gboolean
sjis_lead (guchar b)
{
  return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
}

/* A quoted string with its escapes resolved; in raw Shift_JIS a backslash
 * after a lead byte is the second byte of a character (予 is 0x97 0x5C), as
 * the mailers that write such names mean it. */
static char *
read_quoted (MgFieldReader *r)
{
  GString *s = g_string_new (NULL);
  gboolean sjis = quoted_is_sjis (r->p), lead = FALSE;

  for (r->p++; *r->p != '"'; r->p++) {
    if (*r->p == '\0') {
      r->flags |= MG_FIELD_SYNTAX;
      return g_string_free (s, FALSE);
    }
    if (*r->p == '\\' && r->p[1] != '\0' && !lead)
      r->p++;
    else
      lead = sjis && !lead && sjis_lead ((guchar) *r->p);
    g_string_append_c (s, *r->p);
  }
  r->p++;
  return g_string_free (s, FALSE);
}

static gboolean
value_char (char c)
{
  return (guchar) c > 0x20 && c != 0x7f && c != ';' && c != '(' && c != '"';
}

/* An unquoted value, lenient about tspecials; encoded-words that follow it
 * after blanks belong to it (unquoted, folded filenames). */
static char *
read_unquoted (MgFieldReader *r)
{
  GString *s = g_string_new (NULL);

  for (;;) {
    const char *q;
    while (value_char (*r->p))
      g_string_append_c (s, *r->p++);
    for (q = r->p; *q == ' ' || *q == '\t'; q++)
      ;
    if (q == r->p || s->len == 0 || !mg_mimeword_starts_word (q))
      break;
    g_string_append_c (s, ' ');
    r->p = q;
  }
  if (s->len == 0)
    r->flags |= MG_FIELD_SYNTAX;
  return g_string_free (s, FALSE);
}

/* Splits "name", "name*", "name*N" or "name*N*" into PARAM; FALSE for any
 * other form. */
static gboolean
split_name (MgFieldReader *r, const char *attr, MgRawParam *param)
{
  const char *star = strchr (attr, '*'), *digits, *after;

  param->section = -1;
  param->name = g_ascii_strdown (attr, star != NULL ? star - attr : -1);
  if (star == NULL || star == attr)
    return star == NULL && *attr != '\0';
  param->star = TRUE;
  digits = star + 1;
  if (*digits == '\0')
    return TRUE;
  for (after = digits; g_ascii_isdigit (*after); after++)
    ;
  if (after == digits || (after[0] == '*' && after[1] != '\0') ||
      (after[0] != '*' && after[0] != '\0'))
    return FALSE;
  param->star = after[0] == '*';
  if (after - digits > MG_MIMEWORD_SECTION_DIGITS ||
      (digits[0] == '0' && after - digits > 1)) {
    r->flags |= MG_FIELD_BAD_CONTINUATION;
    return FALSE;
  }
  param->section = (gint) g_ascii_strtoll (digits, NULL, 10);
  return TRUE;
}

/* Reads "attr = value" at R; NULL (and a flag) when it is not one. */
static MgRawParam *
read_param (MgFieldReader *r)
{
  g_autofree char *attr = read_token (r);
  MgRawParam *param = g_new0 (MgRawParam, 1);

  skip_cfws (r);
  if (*r->p != '=') {
    skip_stray (r);
    mg_mimeword_raw_param_free (param);
    return NULL;
  }
  r->p++;
  skip_cfws (r);
  param->quoted = *r->p == '"';
  param->value = param->quoted ? read_quoted (r) : read_unquoted (r);
  skip_cfws (r);
  if (*r->p != ';' && *r->p != '\0')
    skip_junk (r);
  if (!split_name (r, attr, param)) {
    r->flags |= MG_FIELD_SYNTAX;
    g_clear_pointer (&param, mg_mimeword_raw_param_free);
  }
  return param;
}

/* Reads parameters up to MAX_PARAMS; every turn consumes input. */
static GPtrArray *
read_params (MgFieldReader *r, guint max_params)
{
  GPtrArray *raws = g_ptr_array_new_with_free_func (
      (GDestroyNotify) mg_mimeword_raw_param_free);
  MgRawParam *param;

  while (*r->p == ';') {
    r->p++;
    skip_cfws (r);
    if (*r->p == ';' || *r->p == '\0')
      continue;
    if (raws->len >= max_params) {
      r->flags |= MG_FIELD_TOO_MANY;
      break;
    }
    if ((param = read_param (r)) != NULL)
      g_ptr_array_add (raws, param);
  }
  return raws;
}

MgMimeField *
mg_mimeword_parse_field (const char *raw, guint max_params)
{
  MgMimeField *field = g_new0 (MgMimeField, 1);
  g_autofree char *text = mg_mimeword_unfold (raw != NULL ? raw : "");
  MgFieldReader r = { text, 0 };
  g_autoptr (GPtrArray) raws = NULL;

  field->params = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_mimeword_param_free);
  field->type = read_type (&r);
  raws = read_params (&r, max_params);
  mg_mimeword_resolve_params (raws, field->params, &r.flags);
  field->flags = r.flags;
  return field;
}

const MgMimeParam *
mg_mimeword_field_param (const MgMimeField *field, const char *name)
{
  g_return_val_if_fail (field != NULL && name != NULL, NULL);
  for (guint i = 0; i < field->params->len; i++) {
    const MgMimeParam *param = g_ptr_array_index (field->params, i);
    if (g_ascii_strcasecmp (param->name, name) == 0)
      return param;
  }
  return NULL;
}

void
mg_mimeword_field_free (MgMimeField *field)
{
  if (field == NULL)
    return;
  g_ptr_array_unref (field->params);
  g_free (field->type);
  g_free (field);
}
