/* mimeword.c - header words of MIME: RFC 2047 encoded-words, RFC 2231
 * parameters, and the strict reading of Content-Type / Content-Disposition.
 *
 * Decoding is as lenient as the mail clients mugai's users run: encoded-words
 * inside quoted strings and unquoted filenames (Outlook, Becky!), characters
 * split across words, raw 8-bit Shift_JIS or UTF-8. The field parser is strict
 * in what it reports: every anomaly that makes two readers disagree becomes a
 * flag, and the caller decides.
 *
 * It must never take more than linear time or memory on hostile fields, and
 * never return decoded text holding CR, LF, NUL or other control characters
 * (they become spaces), so no decoded value can forge a header line.
 */
#include "pipeline/mimeword.h"

#include "common/charset.h"

#include <string.h>

#define MG_MIMEWORD_LINE_MAX 78 /* RFC 5322 2.1.1 */
#define MG_MIMEWORD_WORD_LINE_MAX 76 /* a line holding encoded-words, RFC 2047 2 */
#define MG_MIMEWORD_WORD_MAX 75 /* RFC 2047 2 */
#define MG_MIMEWORD_SECTION_DIGITS 4

/* ---- RFC 2047 decoding --------------------------------------------------- */

typedef struct {
  const char *charset; /* not NUL-terminated */
  gsize charset_len;   /* without an RFC 2231 "*lang" part */
  char encoding;       /* 'B' or 'Q' */
  const char *text;
  gsize text_len;
  gsize len; /* of the whole "=?...?=" */
} MgEncodedWord;

static gboolean
charset_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-_.:*!#$%&'+^`{|}~", c) != NULL);
}

/* Reads "=?charset?B|Q?text?=" at P. The text stops at the first '?' or
 * blank, so a run of false starts costs linear time. */
static gboolean
parse_encoded_word (const char *p, MgEncodedWord *w)
{
  const char *cs = p + 2, *q = cs, *lang, *t;

  if (p[0] != '=' || p[1] != '?')
    return FALSE;
  while (charset_char (*q))
    q++;
  if (q == cs || q[0] != '?' || strchr ("BbQq", q[1]) == NULL || q[1] == '\0' ||
      q[2] != '?')
    return FALSE;
  t = q + 3;
  w->text = t;
  while (*t != '\0' && *t != '?' && !g_ascii_isspace (*t))
    t++;
  if (t[0] != '?' || t[1] != '=')
    return FALSE;
  lang = memchr (cs, '*', (gsize) (q - cs));
  w->charset = cs;
  w->charset_len = (gsize) ((lang != NULL ? lang : q) - cs);
  w->encoding = g_ascii_toupper (q[1]);
  w->text_len = (gsize) (t - w->text);
  w->len = (gsize) (t + 2 - p);
  return w->charset_len > 0;
}

static void
decode_q (const char *t, gsize n, GByteArray *out)
{
  for (gsize i = 0; i < n; i++) {
    guint8 b = (guint8) t[i];
    if (t[i] == '_') {
      b = ' ';
    } else if (t[i] == '=' && i + 2 < n && g_ascii_isxdigit (t[i + 1]) &&
               g_ascii_isxdigit (t[i + 2])) {
      b = (guint8) (g_ascii_xdigit_value (t[i + 1]) << 4 | g_ascii_xdigit_value (t[i + 2]));
      i += 2;
    }
    g_byte_array_append (out, &b, 1);
  }
}

/* Base64 as clients read it: characters outside the alphabet are skipped,
 * missing padding is supplied, and the text ends at the first '='. */
static void
decode_b (const char *t, gsize n, GByteArray *out)
{
  g_autoptr (GString) clean = g_string_sized_new (n + 3);
  gint state = 0;
  guint save = 0;
  guint old = out->len;

  for (gsize i = 0; i < n && t[i] != '='; i++)
    if (g_ascii_isalnum (t[i]) || t[i] == '+' || t[i] == '/')
      g_string_append_c (clean, t[i]);
  while (clean->len % 4 != 0)
    g_string_append_c (clean, '=');
  g_byte_array_set_size (out, old + (guint) (clean->len / 4 * 3 + 3));
  g_byte_array_set_size (out, old + (guint) g_base64_decode_step (clean->str, clean->len,
                                                                   out->data + old,
                                                                   &state, &save));
}

/* Bytes wait here until the charset or the kind of text changes, so that
 * adjacent encoded-words of one charset are decoded as one. */
typedef struct {
  GString *out;
  GByteArray *bytes;
  char *charset;           /* of BYTES when they came from encoded-words */
  gboolean word;           /* BYTES came from encoded-words */
  gboolean any_word;       /* an encoded-word was decoded */
  const char *raw_charset; /* guessed for text outside encoded-words */
} MgWordDecoder;

static void
word_flush (MgWordDecoder *d)
{
  g_autofree char *text = NULL;

  if (d->bytes->len == 0)
    return;
  text = mg_charset_decode ((const char *) d->bytes->data, d->bytes->len,
                            d->word ? d->charset : d->raw_charset, NULL);
  g_string_append (d->out, text);
  g_byte_array_set_size (d->bytes, 0);
}

static void
word_switch (MgWordDecoder *d, gboolean word, const char *charset, gsize charset_len)
{
  if (d->word == word &&
      (!word || (strlen (d->charset) == charset_len &&
                 g_ascii_strncasecmp (d->charset, charset, charset_len) == 0)))
    return;
  word_flush (d);
  d->word = word;
  g_free (d->charset);
  d->charset = word ? g_strndup (charset, charset_len) : NULL;
}

static void
word_add (MgWordDecoder *d, const MgEncodedWord *w)
{
  word_switch (d, TRUE, w->charset, w->charset_len);
  if (w->encoding == 'B')
    decode_b (w->text, w->text_len, d->bytes);
  else
    decode_q (w->text, w->text_len, d->bytes);
  d->any_word = TRUE;
}

/* Control characters (CR and LF included) become spaces. */
static void
neutralise_controls (char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      *s = ' ';
}

/* Decodes LEN bytes of S: encoded-words anywhere (the blanks between two of
 * them dropped), other bytes in the charset guessed for the whole text. */
static char *
decode_words (const char *s, gsize len, gboolean *any_word_r)
{
  MgWordDecoder d = { g_string_sized_new (len), g_byte_array_new (), NULL, FALSE, FALSE,
                      mg_charset_guess (s, len) };
  const char *end = s + len;
  MgEncodedWord w, next;

  for (const char *p = s; p < end;) {
    if (parse_encoded_word (p, &w) && p + w.len <= end) {
      const char *q = p + w.len;
      word_add (&d, &w);
      p = q;
      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (q > p && q < end && parse_encoded_word (q, &next))
        p = q;
      continue;
    }
    word_switch (&d, FALSE, NULL, 0);
    g_byte_array_append (d.bytes, (const guint8 *) p++, 1);
  }
  word_flush (&d);
  g_byte_array_unref (d.bytes);
  g_free (d.charset);
  if (any_word_r != NULL)
    *any_word_r = d.any_word;
  neutralise_controls (d.out->str);
  return g_string_free (d.out, FALSE);
}

/* RFC 5322 unfolding; a CR or LF that folds nothing is dropped as well. */
static char *
unfold (const char *raw)
{
  GString *s = g_string_sized_new (strlen (raw));

  for (const char *p = raw; *p != '\0'; p++)
    if (*p != '\r' && *p != '\n')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

char *
mg_mimeword_decode_header (const char *raw)
{
  g_autofree char *unfolded = NULL;

  if (raw == NULL)
    return g_strdup ("");
  unfolded = unfold (raw);
  return g_strstrip (decode_words (unfolded, strlen (unfolded), NULL));
}

/* ---- structured headers (addresses) -------------------------------------- */

/* The end of the run of encoded-words starting at P (blanks between them
 * belong to the run), or P when none starts there. */
static const char *
word_run_end (const char *p, const char *end)
{
  MgEncodedWord w;
  const char *run_end = p;

  while (run_end < end && parse_encoded_word (run_end, &w) && run_end + w.len <= end) {
    const char *q = run_end + w.len;
    run_end = q;
    while (q < end && (*q == ' ' || *q == '\t'))
      q++;
    if (q == end || !parse_encoded_word (q, &w))
      break;
    run_end = q;
  }
  return run_end;
}

char *
mg_mimeword_protect_words (const char *raw, const char *tag, GPtrArray *decoded)
{
  g_autofree char *unfolded = unfold (raw != NULL ? raw : "");
  gsize len = strlen (unfolded);
  const char *end = unfolded + len;
  g_autoptr (GString) bytes = g_string_sized_new (len);
  char *text;

  for (const char *p = unfolded; p < end;) {
    const char *run_end = word_run_end (p, end);
    if (run_end == p) {
      g_string_append_c (bytes, *p++);
      continue;
    }
    g_ptr_array_add (decoded, g_strstrip (decode_words (p, (gsize) (run_end - p), NULL)));
    g_string_append_printf (bytes, "%s%u%s", tag, decoded->len - 1, tag);
    p = run_end;
  }
  text = mg_charset_decode (bytes->str, bytes->len, mg_charset_guess (unfolded, len), NULL);
  neutralise_controls (text);
  return text;
}

char *
mg_mimeword_restore_words (const char *text, const char *tag, GPtrArray *decoded)
{
  GString *out = g_string_new (NULL);
  gsize tag_len = strlen (tag);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, tag)) != NULL) {
    char *digits_end = NULL;
    guint64 index = g_ascii_strtoull (hit + tag_len, &digits_end, 10);
    g_string_append_len (out, p, hit - p);
    if (digits_end == hit + tag_len || index >= decoded->len ||
        strncmp (digits_end, tag, tag_len) != 0) {
      g_string_append_len (out, hit, (gssize) tag_len);   /* not a placeholder */
      p = hit + tag_len;
      continue;
    }
    g_string_append (out, g_ptr_array_index (decoded, index));
    p = digits_end + tag_len;
  }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* ---- the field parser ---------------------------------------------------- */

/* One "name[*N][*]=value" as written. */
typedef struct {
  char *name;    /* lower-case, without the suffix */
  gint section;  /* -1 without "*N" */
  gboolean star; /* the value is RFC 2231 percent-encoded */
  char *value;   /* quotes and escapes removed */
} MgRawParam;

static void
raw_param_free (MgRawParam *r)
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
  MgEncodedWord w;

  for (;;) {
    const char *q;
    while (value_char (*r->p))
      g_string_append_c (s, *r->p++);
    for (q = r->p; *q == ' ' || *q == '\t'; q++)
      ;
    if (q == r->p || s->len == 0 || !parse_encoded_word (q, &w))
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
  if (after - digits > MG_MIMEWORD_SECTION_DIGITS || (digits[0] == '0' && after - digits > 1)) {
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
    skip_junk (r);
    raw_param_free (param);
    return NULL;
  }
  r->p++;
  skip_cfws (r);
  param->value = *r->p == '"' ? read_quoted (r) : read_unquoted (r);
  skip_cfws (r);
  if (*r->p != ';' && *r->p != '\0')
    skip_junk (r);
  if (!split_name (r, attr, param)) {
    r->flags |= MG_FIELD_SYNTAX;
    g_clear_pointer (&param, raw_param_free);
  }
  return param;
}

/* Reads parameters up to MAX_PARAMS; every turn consumes input. */
static GPtrArray *
read_params (MgFieldReader *r, guint max_params)
{
  GPtrArray *raws = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_param_free);
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

/* ---- parameters as values ------------------------------------------------ */

/* Every written form of one parameter name. */
typedef struct {
  const char *name;
  MgRawParam *plain;    /* the first name= */
  MgRawParam *extended; /* the first name*= */
  GPtrArray *sections;  /* name*N= and name*N*=, unowned */
  guint n_plain, n_extended;
} MgParamForms;

static void
forms_free (MgParamForms *f)
{
  g_ptr_array_unref (f->sections);
  g_free (f);
}

static void
forms_add (MgParamForms *f, MgRawParam *raw)
{
  if (raw->section >= 0) {
    g_ptr_array_add (f->sections, raw);
  } else if (raw->star) {
    f->extended = f->n_extended++ == 0 ? raw : f->extended;
  } else {
    f->plain = f->n_plain++ == 0 ? raw : f->plain;
  }
}

/* Groups RAWS by name, in order of first appearance. */
static GPtrArray *
group_forms (GPtrArray *raws)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) forms_free);
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < raws->len; i++) {
    MgRawParam *raw = g_ptr_array_index (raws, i);
    MgParamForms *f = g_hash_table_lookup (by_name, raw->name);
    if (f == NULL) {
      f = g_new0 (MgParamForms, 1);
      f->name = raw->name;
      f->sections = g_ptr_array_new ();
      g_hash_table_insert (by_name, raw->name, f);
      g_ptr_array_add (groups, f);
    }
    forms_add (f, raw);
  }
  return groups;
}

static gint
compare_sections (gconstpointer a, gconstpointer b)
{
  const MgRawParam *x = *(MgRawParam *const *) a, *y = *(MgRawParam *const *) b;
  return (x->section > y->section) - (x->section < y->section);
}

static void
percent_decode (const char *s, GByteArray *out)
{
  for (; *s != '\0'; s++) {
    guint8 b = (guint8) *s;
    if (*s == '%' && g_ascii_isxdigit (s[1]) && g_ascii_isxdigit (s[2])) {
      b = (guint8) (g_ascii_xdigit_value (s[1]) << 4 | g_ascii_xdigit_value (s[2]));
      s += 2;
    }
    g_byte_array_append (out, &b, 1);
  }
}

/* Appends one RFC 2231 segment; the first encoded one names the charset. */
static void
add_segment (const MgRawParam *seg, gboolean first, GByteArray *bytes, char **charset_r,
             guint *flags)
{
  const char *v = seg->value, *q1, *q2;

  if (!seg->star) {
    g_byte_array_append (bytes, (const guint8 *) v, (guint) strlen (v));
    return;
  }
  if (first) {
    q1 = strchr (v, '\'');
    q2 = q1 != NULL ? strchr (q1 + 1, '\'') : NULL;
    if (q2 == NULL) {
      *flags |= MG_FIELD_SYNTAX;
    } else {
      *charset_r = q1 > v ? g_strndup (v, (gsize) (q1 - v)) : NULL;
      v = q2 + 1;
    }
  }
  percent_decode (v, bytes);
}

/* Decodes SEGS (in order) into a param value; RAW_R gets them as written. */
static char *
decode_segments (MgRawParam **segs, guint n, char **raw_r, guint *flags)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autofree char *charset = NULL;
  GString *raw = g_string_new (NULL);

  for (guint i = 0; i < n; i++) {
    add_segment (segs[i], i == 0, bytes, &charset, flags);
    g_string_append (raw, segs[i]->value);
  }
  *raw_r = g_string_free (raw, FALSE);
  return mg_charset_decode ((const char *) bytes->data, bytes->len, charset, NULL);
}

/* The continuations 0..n that follow each other; gaps and repeats are flagged. */
static guint
contiguous_sections (GPtrArray *sections, guint *flags)
{
  guint n = 0;

  g_ptr_array_sort (sections, compare_sections);
  for (guint i = 0; i < sections->len; i++) {
    const MgRawParam *s = g_ptr_array_index (sections, i);
    if (s->section != (gint) i) {
      *flags |= MG_FIELD_BAD_CONTINUATION;
      break;
    }
    n++;
  }
  return n;
}

static gboolean
holds_encoded_word (const char *s)
{
  MgEncodedWord w;

  for (const char *p = strstr (s, "=?"); p != NULL; p = strstr (p + 2, "=?"))
    if (parse_encoded_word (p, &w))
      return TRUE;
  return FALSE;
}

/* The RFC 2231 value of F (name*= or name*0*=..), or NULL when it has none. */
static MgMimeParam *
extended_param (MgParamForms *f, guint *flags)
{
  MgMimeParam *param;
  guint n = 0;

  if (f->sections->len > 0)
    n = contiguous_sections (f->sections, flags);
  if (f->n_extended > 1 || (f->n_extended > 0 && f->sections->len > 0))
    *flags |= MG_FIELD_DUPLICATE;
  if (f->extended == NULL && n == 0)
    return NULL;
  param = g_new0 (MgMimeParam, 1);
  param->extended = TRUE;
  if (f->extended != NULL)
    param->value = decode_segments (&f->extended, 1, &param->raw, flags);
  else
    param->value = decode_segments ((MgRawParam **) f->sections->pdata, n, &param->raw,
                                    flags);
  param->encoded_word = holds_encoded_word (param->raw);
  return param;
}

static MgMimeParam *
plain_param (const MgRawParam *raw)
{
  MgMimeParam *param = g_new0 (MgMimeParam, 1);

  param->raw = g_strdup (raw->value);
  param->value = decode_words (raw->value, strlen (raw->value), &param->encoded_word);
  return param;
}

static void
param_free (MgMimeParam *param)
{
  g_free (param->name);
  g_free (param->value);
  g_free (param->raw);
  g_free (param);
}

/* One parameter from all its forms: the RFC 2231 one wins, as in RFC 2231 4. */
static MgMimeParam *
resolve_forms (MgParamForms *f, guint *flags)
{
  MgMimeParam *plain = f->plain != NULL ? plain_param (f->plain) : NULL;
  MgMimeParam *extended = extended_param (f, flags);

  if (f->n_plain > 1)
    *flags |= MG_FIELD_DUPLICATE;
  if (plain != NULL && extended != NULL) {
    *flags |= MG_FIELD_MIXED_FORMS;
    if (strcmp (plain->value, extended->value) != 0)
      *flags |= MG_FIELD_DUPLICATE;
  }
  if (extended != NULL) {
    g_clear_pointer (&plain, param_free);
    plain = extended;
  }
  if (plain != NULL)
    plain->name = g_strdup (f->name);
  return plain;
}

MgMimeField *
mg_mimeword_parse_field (const char *raw, guint max_params)
{
  MgMimeField *field = g_new0 (MgMimeField, 1);
  g_autofree char *text = unfold (raw != NULL ? raw : "");
  MgFieldReader r = { text, 0 };
  g_autoptr (GPtrArray) raws = NULL, groups = NULL;

  field->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  field->type = read_type (&r);
  raws = read_params (&r, max_params);
  groups = group_forms (raws);
  for (guint i = 0; i < groups->len; i++) {
    MgMimeParam *param = resolve_forms (g_ptr_array_index (groups, i), &r.flags);
    if (param != NULL)
      g_ptr_array_add (field->params, param);
  }
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

/* ---- encoding headers ---------------------------------------------------- */

typedef struct {
  GString *out;
  gsize col; /* of the end of the current line, "Name: " included */
  gboolean line_has_word; /* the current line holds an encoded-word */
  gboolean iso2022jp;
} MgHeaderWriter;

static gboolean
needs_encoding (const char *word, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) word[i] >= 0x80 || (word[i] == '=' && i + 1 < len && word[i + 1] == '?'))
      return TRUE;
  return FALSE;
}

/* The end of the character at P, a half-width kana keeping its voiced mark
 * (CP50220 joins them). */
static const char *
next_unit (const char *p)
{
  gunichar c = g_utf8_get_char (p);
  const char *next = g_utf8_next_char (p);
  gunichar mark = *next != '\0' ? g_utf8_get_char (next) : 0;

  if (c >= 0xff61 && c <= 0xff9d && (mark == 0xff9e || mark == 0xff9f))
    return g_utf8_next_char (next);
  return next;
}

/* The length of a UTF-8 B-word holding BYTES bytes: "=?UTF-8?B?" + "?=". */
static gsize
utf8_word_len (gsize bytes)
{
  return 10 + (bytes + 2) / 3 * 4 + 2;
}

/* The encoded-word for the LEN bytes of TEXT. */
static char *
make_word (const char *text, gsize len, gboolean iso2022jp)
{
  g_autofree char *chunk = g_strndup (text, len);
  g_autofree char *jis = NULL, *b64 = NULL;
  gsize jis_len = 0;

  if (!iso2022jp) {
    b64 = g_base64_encode ((const guchar *) chunk, len);
    return g_strconcat ("=?UTF-8?B?", b64, "?=", NULL);
  }
  jis = mg_charset_encode_iso2022jp (chunk, &jis_len);
  if (jis == NULL) /* only a split the caller avoids: keep the text */
    return make_word (text, len, FALSE);
  b64 = g_base64_encode ((const guchar *) jis, jis_len);
  return g_strconcat ("=?ISO-2022-JP?B?", b64, "?=", NULL);
}

/* How many bytes of TEXT (whole characters) fit in one word of MAX chars. */
static gsize
fit_word (const char *text, gsize len, gsize max, gboolean iso2022jp)
{
  gsize fit = 0;

  for (const char *p = text; p < text + len;) {
    const char *next = next_unit (p);
    gsize n = (gsize) (next - text), word_len;
    if (iso2022jp) {
      g_autofree char *word = make_word (text, n, TRUE);
      word_len = strlen (word);
    } else {
      word_len = utf8_word_len (n);
    }
    if (word_len > max)
      break;
    fit = n;
    p = next;
  }
  return fit;
}

static void
writer_fold (MgHeaderWriter *w)
{
  g_string_append_c (w->out, '\n');
  w->col = 0;
  w->line_has_word = FALSE;
}

static void
write_plain (MgHeaderWriter *w, const char *ws, gsize ws_len, const char *word,
             gsize len)
{
  gsize max = w->line_has_word ? MG_MIMEWORD_WORD_LINE_MAX : MG_MIMEWORD_LINE_MAX;

  if (ws_len > 0 && w->col + ws_len + len > max)
    writer_fold (w);
  g_string_append_len (w->out, ws, (gssize) ws_len);
  g_string_append_len (w->out, word, (gssize) len);
  w->col += ws_len + len;
}

/* Writes TEXT as encoded-words after the blanks WS, folding between words. */
static void
write_encoded (MgHeaderWriter *w, const char *ws, gsize ws_len, const char *text,
               gsize len)
{
  const char *end = text + len;

  for (const char *p = text; p < end;) {
    /* the blanks before the run, a space between words, nothing at the start */
    const char *sep = ws_len > 0 ? ws : w->out->len > 0 ? " " : "";
    gsize sep_len = ws_len > 0 ? ws_len : strlen (sep);
    gsize room = MG_MIMEWORD_WORD_LINE_MAX - MIN (MG_MIMEWORD_WORD_LINE_MAX, w->col + sep_len);
    gsize n = fit_word (p, (gsize) (end - p), MIN (room, MG_MIMEWORD_WORD_MAX), w->iso2022jp);
    g_autofree char *word = NULL;

    if (n == 0 && w->col > sep_len) {
      writer_fold (w);
      continue;
    }
    if (n == 0) /* cannot happen: a word of 75 holds any character */
      n = (gsize) (next_unit (p) - p);
    word = make_word (p, n, w->iso2022jp);
    g_string_append_len (w->out, sep, (gssize) sep_len);
    g_string_append (w->out, word);
    w->col += sep_len + strlen (word);
    w->line_has_word = TRUE;
    p += n;
    ws = " ";
    ws_len = 1;
  }
}

static gsize
span_blank (const char *p, const char *end)
{
  const char *q = p;

  while (q < end && (*q == ' ' || *q == '\t'))
    q++;
  return (gsize) (q - p);
}

static gsize
span_word (const char *p, const char *end)
{
  const char *q = p;

  while (q < end && *q != ' ' && *q != '\t')
    q++;
  return (gsize) (q - p);
}

/* Writes TEXT word by word; runs of words that need encoding (and the blanks
 * inside the run) become encoded-words, the rest stays as it is. */
static void
write_words (MgHeaderWriter *w, const char *text)
{
  const char *end = text + strlen (text), *p = text;

  while (p < end) {
    gsize ws = span_blank (p, end), len = span_word (p + ws, end);
    const char *word = p + ws, *run_end = word + len;

    if (len == 0) { /* trailing blanks */
      g_string_append_len (w->out, p, (gssize) ws);
      break;
    }
    if (!needs_encoding (word, len)) {
      write_plain (w, p, ws, word, len);
      p = run_end;
      continue;
    }
    for (;;) { /* extend the run over following words that need encoding */
      gsize ws2 = span_blank (run_end, end), len2 = span_word (run_end + ws2, end);
      if (len2 == 0 || !needs_encoding (run_end + ws2, len2))
        break;
      run_end += ws2 + len2;
    }
    write_encoded (w, p, ws, word, (gsize) (run_end - word));
    p = run_end;
  }
}

char *
mg_mimeword_encode_header (const char *name, const char *utf8, gboolean iso2022jp)
{
  g_autofree char *text = NULL, *jis = NULL;
  MgHeaderWriter w = { NULL, 0, FALSE, FALSE };

  g_return_val_if_fail (name != NULL && utf8 != NULL, NULL);
  w.out = g_string_new (NULL);
  w.col = strlen (name) + 2;
  text = g_utf8_make_valid (utf8, -1);
  neutralise_controls (text);
  if (iso2022jp && needs_encoding (text, strlen (text)))
    w.iso2022jp = (jis = mg_charset_encode_iso2022jp (text, NULL)) != NULL;
  write_words (&w, text);
  return g_string_free (w.out, FALSE);
}

/* ---- encoding parameters ------------------------------------------------- */

#define MG_MIMEWORD_SEGMENT_MAX 76 /* " name*N*=...;" within a line */

static gboolean
attribute_char (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$&+-.^_`|~", c) != NULL);
}

/* RFC 2231 percent-encoding of one character. */
static void
percent_encode (const char *p, const char *end, GString *out)
{
  for (; p < end; p++) {
    if (attribute_char ((guchar) *p))
      g_string_append_c (out, *p);
    else
      g_string_append_printf (out, "%%%02X", (guchar) *p);
  }
}

static gboolean
quotable (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || (guchar) *s >= 0x7f)
      return FALSE;
  return TRUE;
}

static char *
encode_quoted (const char *name, const char *s)
{
  GString *out = g_string_new (name);

  g_string_append (out, "=\"");
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *s);
  }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* NAME*0*=UTF-8''.., NAME*1*=.. with whole characters in each segment. */
static char *
encode_sections (const char *name, const char *text)
{
  GString *out = g_string_new (NULL), *seg = g_string_new (NULL);
  guint section = 0;

  for (const char *p = text; *p != '\0';) {
    const char *next = g_utf8_next_char (p);
    GString *enc = g_string_new (NULL);
    percent_encode (p, next, enc);
    if (seg->len > 0 && seg->len + enc->len > MG_MIMEWORD_SEGMENT_MAX) {
      g_string_append_printf (out, "%s%s", out->len > 0 ? ";\n " : "", seg->str);
      g_string_printf (seg, "%s*%u*=", name, ++section);
    } else if (seg->len == 0) {
      g_string_printf (seg, "%s*0*=UTF-8''", name);
    }
    g_string_append_len (seg, enc->str, (gssize) enc->len);
    g_string_free (enc, TRUE);
    p = next;
  }
  g_string_append_printf (out, "%s%s", out->len > 0 ? ";\n " : "", seg->str);
  g_string_free (seg, TRUE);
  return g_string_free (out, FALSE);
}

char *
mg_mimeword_encode_param (const char *name, const char *utf8)
{
  g_autofree char *text = NULL;
  g_autoptr (GString) enc = NULL;

  g_return_val_if_fail (name != NULL && utf8 != NULL, NULL);
  text = g_utf8_make_valid (utf8, -1);
  enc = g_string_new (NULL);
  if (quotable (text))
    return encode_quoted (name, text);
  percent_encode (text, text + strlen (text), enc);
  if (strlen (name) + strlen ("*=UTF-8''") + enc->len <= MG_MIMEWORD_SEGMENT_MAX)
    return g_strdup_printf ("%s*=UTF-8''%s", name, enc->str);
  return encode_sections (name, text);
}
