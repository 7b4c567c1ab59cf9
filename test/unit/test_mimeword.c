/* test_mimeword.c - mime/mimeword: RFC 2047 words, RFC 2231 parameters,
 * the strict field parser and its anomaly flags, header and parameter output. */
#include "mime/mimeword.h"

#include <string.h>

static void
assert_header (const char *raw, const char *expected)
{
  g_autofree char *text = mg_mimeword_decode_header (raw);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpstr (text, ==, expected);
}

/* "=?CHARSET?B?..?=" for LEN bytes of DATA. */
static char *
b_word (const char *charset, const char *data, gsize len)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) data, len);
  return g_strdup_printf ("=?%s?B?%s?=", charset, b64);
}

static void
test_decode_basic (void)
{
  assert_header ("=?UTF-8?B?5pel5pys6Kqe?=", "日本語");
  assert_header ("=?utf-8?q?Hello_World=21_=e6=97=a5?=", "Hello World! 日");
  assert_header ("=?Iso-2022-jp?b?GyRCOCtAUT1xGyhC?=", "見積書");
  assert_header ("=?UTF-8*ja?B?5pel?=", "日");
  assert_header (" plain text \n", "plain text");
  assert_header ("", "");
}

static void
test_decode_whitespace (void)
{
  assert_header ("=?UTF-8?Q?a?= =?UTF-8?Q?b?= c", "ab c");
  assert_header ("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\r\n\t=?UTF-8?Q?c?=", "abc");
  assert_header ("x =?UTF-8?Q?a?= y", "x a y");
  assert_header ("=?UTF-8?Q?a_?= =?UTF-8?Q?_b?=", "a  b");
  /* Words of different charsets follow each other too. */
  assert_header ("=?ISO-2022-JP?B?GyRCOCsbKEI=?= =?UTF-8?B?5pel?=", "見日");
}

static void
test_decode_split_character (void)
{
  /* 見 is E8 A6 8B in UTF-8, and ESC $ B 0x38 0x2B in ISO-2022-JP. */
  g_autofree char *u1 = b_word ("UTF-8", "\xe8\xa6", 2);
  g_autofree char *u2 = b_word ("utf-8", "\x8b", 1);
  g_autofree char *j1 = b_word ("ISO-2022-JP", "\x1b$B8", 4);
  g_autofree char *j2 = b_word ("iso-2022-jp", "+\x1b(B", 4);
  g_autofree char *utf8 = g_strdup_printf ("%s\r\n %s.pdf", u1, u2);
  g_autofree char *jis = g_strdup_printf ("%s %s", j1, j2);

  assert_header (utf8, "見.pdf");
  assert_header (jis, "見");
  assert_header ("=?UTF-8?Q?=E8=A6?= =?UTF-8?Q?=8B?=", "見");
}

static void
test_decode_raw_8bit (void)
{
  assert_header ("Re: \x8c\xa9\x90\xcf\x8f\x91", "Re: 見積書");
  assert_header ("Re: 見積書 =?UTF-8?B?5pel?=", "Re: 見積書 日");
  assert_header ("\xa4\xa2\xa4\xa4\xc6\xfc\xcb\xdc\xb8\xec", "あい日本語");
  assert_header ("\x1b$B8+\x1b(B", "見");
}

static void
test_decode_malformed (void)
{
  assert_header ("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=");
  assert_header ("=?UTF-8?B?5pel", "=?UTF-8?B?5pel");
  assert_header ("=??B?5pel?=", "=??B?5pel?=");
  assert_header ("=?UTF-8?Q?a=0D=0Ab?=", "a  b");
  assert_header ("=?UTF-8?B?5p?=", "\xef\xbf\xbd");
  assert_header ("=?x-unknown?B?jKmQz4+R?=", "見積書");
}

static void
test_decode_hostile (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr (GTimer) timer = g_timer_new ();

  while (s->len < 100000)
    g_string_append (s, "=?x?q?");
  g_free (mg_mimeword_decode_header (s->str));
  g_string_truncate (s, 0);
  while (s->len < 100000)
    g_string_append (s, "=?UTF-8?Q?a?= ");
  g_free (mg_mimeword_decode_header (s->str));
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
  g_string_free (s, TRUE);
}

/* ---- fields -------------------------------------------------------------- */

static MgMimeField *
parse (const char *raw)
{
  return mg_mimeword_parse_field (raw, 100);
}

static void
assert_param (const MgMimeField *field, const char *name, const char *value)
{
  const MgMimeParam *param = mg_mimeword_field_param (field, name);

  g_assert_nonnull (param);
  g_assert_cmpstr (param->value, ==, value);
}

static void
test_field_basic (void)
{
  g_autoptr (MgMimeField)
      a = parse (" Text/Plain;\r\n\tcharset=\"ISO-2022-JP\"; format=flowed\n");
  g_autoptr (MgMimeField) b = parse ("attachment");
  g_autoptr (MgMimeField) c = parse ("multipart/mixed; boundary=\"a\\\"b\\\\c\";");
  g_autoptr (MgMimeField) d = parse ("multipart/mixed; boundary=\"\"");

  g_assert_cmpstr (a->type, ==, "text/plain");
  g_assert_cmpuint (a->flags, ==, 0);
  assert_param (a, "charset", "ISO-2022-JP");
  assert_param (a, "FORMAT", "flowed");
  g_assert_null (mg_mimeword_field_param (a, "name"));
  g_assert_cmpstr (b->type, ==, "attachment");
  g_assert_cmpuint (b->params->len, ==, 0);
  g_assert_cmpstr (mg_mimeword_field_param (c, "boundary")->raw, ==, "a\"b\\c");
  g_assert_cmpuint (c->flags, ==, 0);
  assert_param (d, "boundary", "");
  g_assert_cmpstr (mg_mimeword_field_param (d, "boundary")->raw, ==, "");
  g_assert_cmpuint (d->flags, ==, 0);
}

static void
test_field_rfc2231 (void)
{
  g_autoptr (MgMimeField) a = parse (
      "attachment;\r\n filename*0*=UTF-8''%E8%A6%8B;\r\n filename*1*=%E7%A9%8D%E6%9B%B8.pdf");
  g_autoptr (MgMimeField)
      b = parse ("attachment; filename*=iso-2022-jp'ja'%1B%24B8%2B%1B%28B.txt");
  g_autoptr (MgMimeField) c = parse (
      "attachment; filename*1=\".txt\"; filename*0*=Shift_JIS'ja'%8C%A9%90%CF%8F%91");
  g_autoptr (MgMimeField) d = parse ("attachment; FileName*=''abc%20def");
  const MgMimeParam *p = mg_mimeword_field_param (a, "filename");

  g_assert_cmpstr (p->value, ==, "見積書.pdf");
  g_assert_true (p->extended);
  g_assert_false (p->encoded_word);
  g_assert_cmpuint (a->flags, ==, 0);
  assert_param (b, "filename", "見.txt");
  assert_param (c, "filename", "見積書.txt");
  g_assert_cmpuint (c->flags, ==, 0);
  assert_param (d, "filename", "abc def");
}

static void
test_field_encoded_words (void)
{
  g_autoptr (MgMimeField)
      quoted = parse ("attachment; filename=\"=?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=.pdf\"");
  g_autoptr (MgMimeField) unquoted = parse (
      "application/pdf; name==?UTF-8?B?6KaL56mN?=\r\n =?UTF-8?B?5pu4LnBkZg==?=");
  g_autoptr (MgMimeField)
      raw_sjis = parse ("attachment; filename=\"\x8c\xa9\x90\xcf\x8f\x91.pdf\"");
  g_autoptr (MgMimeField) raw_utf8 = parse ("attachment; filename=見積書.pdf");
  /* 予算 is 0x97 0x5C 0x8E 0x5A: the backslash is a trail byte, not an escape. */
  g_autoptr (MgMimeField)
      trail_5c = parse ("attachment; filename=\"\x97\x5c\x8e\x5a\x88\xc4.txt\"; size=1");
  const MgMimeParam *p = mg_mimeword_field_param (quoted, "filename");

  g_assert_cmpstr (p->value, ==, "見積書.pdf");
  g_assert_true (p->encoded_word);
  g_assert_false (p->extended);
  g_assert_cmpuint (quoted->flags, ==, 0);
  assert_param (unquoted, "name", "見積書.pdf");
  g_assert_cmpuint (unquoted->flags, ==, 0);
  assert_param (raw_sjis, "filename", "見積書.pdf");
  assert_param (raw_utf8, "filename", "見積書.pdf");
  assert_param (trail_5c, "filename", "予算案.txt");
  assert_param (trail_5c, "size", "1");
  g_assert_cmpuint (trail_5c->flags, ==, 0);
}

static void
assert_flags (const char *raw, guint flags)
{
  g_autoptr (MgMimeField) field = parse (raw);

  g_assert_cmphex (field->flags, ==, flags);
}

static void
test_field_flags (void)
{
  g_autoptr (MgMimeField) dup = parse ("multipart/mixed; boundary=X; boundary=Y");
  g_autoptr (MgMimeField) comment = parse ("multipart/(x)mixed; boundary=(c)abc(d)");
  g_autoptr (MgMimeField)
      mixed = parse ("attachment; filename=\"a.txt\"; filename*=UTF-8''b.exe");

  g_assert_cmphex (dup->flags, ==, MG_FIELD_DUPLICATE);
  assert_param (dup, "boundary", "X");
  g_assert_cmphex (comment->flags, ==, MG_FIELD_COMMENT);
  g_assert_cmpstr (comment->type, ==, "multipart/mixed");
  assert_param (comment, "boundary", "abc");
  g_assert_cmphex (mixed->flags, ==, MG_FIELD_MIXED_FORMS | MG_FIELD_DUPLICATE);
  assert_param (mixed, "filename", "b.exe");

  assert_flags ("attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt",
                MG_FIELD_MIXED_FORMS);
  assert_flags ("multipart/mixed; boundary*=''x", 0);
  assert_flags ("multipart/mixed; boundary*0=x; boundary*1=y; boundary*0=z",
                MG_FIELD_BAD_CONTINUATION);
  assert_flags ("attachment; filename*0*=''a; filename*2*=c", MG_FIELD_BAD_CONTINUATION);
  assert_flags ("attachment; filename*01=a", MG_FIELD_BAD_CONTINUATION | MG_FIELD_SYNTAX);
  assert_flags ("attachment; filename*=''a; filename*=''b", MG_FIELD_DUPLICATE);
  assert_flags ("attachment; filename*=''a; filename*0=b", MG_FIELD_DUPLICATE);
  /* Words without '=' or a quote: every reader drops them (sisimai's
   * "text/rfc822-headers; Content-Transfer-Encoding: 8bit"). */
  assert_flags ("text/plain; charset", MG_FIELD_STRAY);
  assert_flags ("text/rfc822-headers; Content-Transfer-Encoding: 8bit", MG_FIELD_STRAY);
  assert_flags ("text/plain; name \"a.exe\"", MG_FIELD_SYNTAX);
  assert_flags ("text/plain; name x=a.exe", MG_FIELD_SYNTAX);
  assert_flags ("text/plain; charset=", MG_FIELD_SYNTAX);
  assert_flags ("text/plain; name=\"abc", MG_FIELD_SYNTAX);
  assert_flags ("text/plain; name=abc def", MG_FIELD_SYNTAX);
  assert_flags ("text/plain (abc", MG_FIELD_COMMENT | MG_FIELD_SYNTAX);
  assert_flags ("text/; a=b", MG_FIELD_SYNTAX);
  assert_flags ("; a=b", MG_FIELD_SYNTAX);
  assert_flags ("text/plain;; charset=x;", 0);
  assert_flags ("text/plain; name*x=1", MG_FIELD_SYNTAX);
}

static void
test_field_too_many (void)
{
  GString *s = g_string_new ("multipart/mixed");
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (MgMimeField) field = NULL, all = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (s, "; p%u=\"v%u\"", i, i);
  field = mg_mimeword_parse_field (s->str, 100);
  g_assert_true (field->flags & MG_FIELD_TOO_MANY);
  g_assert_cmpuint (field->params->len, ==, 100);
  all = mg_mimeword_parse_field (s->str, G_MAXUINT);
  g_assert_cmphex (all->flags, ==, 0);
  g_assert_cmpuint (all->params->len, ==, 10000);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
  g_string_free (s, TRUE);
}

/* 100 kB of hostile text in each shape; each parse must be quick. */
static void
test_field_hostile (void)
{
  static const char *const units[] = { ";",       "(",    "\"",         "\\", "=",
                                       "a*0*=%;", "x=y;", "n*9999*=a;", "=?", ")(" };

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++) {
    GString *s = g_string_new ("multipart/mixed; ");
    g_autoptr (GTimer) timer = g_timer_new ();
    while (s->len < 100000)
      g_string_append (s, units[i]);
    mg_mimeword_field_free (mg_mimeword_parse_field (s->str, G_MAXUINT));
    mg_mimeword_field_free (mg_mimeword_parse_field (s->str + 17, 100));
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 2.0);
    g_string_free (s, TRUE);
  }
}

/* Every prefix of a complex field parses without harm. */
static void
test_field_prefixes (void)
{
  static const char field[] =
      "multipart/(c\\)x)mixed; boundary=\"a\\\"b\"; name=\"=?UTF-8?B?5pel?=\";\r\n"
      " filename*0*=UTF-8'ja'%E8%A6; filename*1*=%8B; name*=''x (end";

  for (gsize i = 0; i <= sizeof field - 1; i++) {
    g_autofree char *prefix = g_strndup (field, i);
    g_autoptr (MgMimeField) f = parse (prefix);
    for (guint k = 0; k < f->params->len; k++) {
      const MgMimeParam *p = g_ptr_array_index (f->params, k);
      g_assert_true (g_utf8_validate (p->value, -1, NULL));
      g_assert_nonnull (p->raw);
    }
  }
}

/* Random text built from the characters that matter: no crash, valid UTF-8,
 * no control character in a decoded value. */
static void
test_random_fields (void)
{
  static const char *const pieces[] = { ";",        "=",           "\"",    "\\",
                                        "(",        ")",           "*",     "*0",
                                        "*1*",      "'",           "%E8",   "%",
                                        "=?",       "?=",          "?B?",   "?Q?",
                                        "UTF-8",    "iso-2022-jp", "5pel",  "\x1b$B",
                                        "\x8c\xa9", " ",           "\r\n ", "name",
                                        "filename", "boundary",    "a",     "_" };

  for (guint round = 0; round < 2000; round++) {
    GString *s = g_string_new (NULL);
    guint n = (guint) g_test_rand_int_range (0, 40);
    for (guint i = 0; i < n; i++)
      g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
    {
      g_autoptr (MgMimeField) f = mg_mimeword_parse_field (s->str, 8);
      g_autofree char *h = mg_mimeword_decode_header (s->str);
      g_assert_true (g_utf8_validate (h, -1, NULL));
      for (const char *c = h; *c != '\0'; c++)
        g_assert_cmpuint ((guchar) *c, >=, 0x20);
      g_assert_cmpuint (f->params->len, <=, 8);
      for (guint k = 0; k < f->params->len; k++) {
        const MgMimeParam *p = g_ptr_array_index (f->params, k);
        g_assert_true (g_utf8_validate (p->value, -1, NULL));
      }
    }
    g_string_free (s, TRUE);
  }
}

/* ---- output -------------------------------------------------------------- */

/* Checks "NAME: VALUE" keeps lines within 78 columns (76 with encoded-words)
 * and words within 75,
 * that every ISO-2022-JP word ends in ASCII, and that it decodes back. */
static void
assert_header_round_trip (const char *name, const char *text, gboolean iso2022jp)
{
  g_autofree char *value = mg_mimeword_encode_header (name, text, iso2022jp);
  g_autofree char *line = g_strdup_printf ("%s: %s", name, value);
  g_autofree char *back = mg_mimeword_decode_header (value);
  g_auto (GStrv) lines = g_strsplit (line, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) words = g_strsplit (lines[i], " ", -1);
    g_assert_cmpuint (strlen (lines[i]), <=, strstr (lines[i], "=?") != NULL ? 76 : 78);
    g_assert_true (i == 0 || lines[i][0] == ' ');
    for (guint k = 0; words[k] != NULL; k++) {
      g_assert_cmpuint (strlen (words[k]), <=, 75);
      if (g_str_has_prefix (words[k], "=?ISO-2022-JP?B?")) {
        gsize len;
        g_autofree char *b64 = g_strndup (words[k] + 16, strlen (words[k]) - 18);
        g_autofree guchar *jis = g_base64_decode (b64, &len);
        const guchar *last = memrchr (jis, 0x1b, len); /* each word ends in ASCII */
        g_assert_true (last == NULL || memcmp (last, "\x1b(B", 3) == 0);
        g_assert_true (jis[0] != 0x1b || memcmp (jis, "\x1b$B", 3) == 0);
      }
    }
  }
  g_assert_true (strchr (value, '\r') == NULL);
  g_assert_cmpstr (back, ==, text);
}

static void
test_encode_header (void)
{
  static const char subject[] =
      "Re: 【重要】令和6年度 住民税の特別徴収税額の決定通知書の送付について（お知らせ）"
      "①㈱髙﨑Ⅲ№～－ 担当: 総務課 ガイド資料 part 2";
  g_autofree char *twice = g_strconcat (subject, " ", subject, NULL);

  for (int iso = 0; iso <= 1; iso++) {
    assert_header_round_trip ("Subject", "Hello world", iso);
    assert_header_round_trip ("Subject", twice, iso);
    assert_header_round_trip ("Subject", "見積書", iso);
    assert_header_round_trip ("Subject", "a =?UTF-8?B?5pel?= b", iso);
    assert_header_round_trip ("X-A-Very-Long-Header-Name-That-Leaves-Little-Room-On-The-Line",
                              "日本語の件名です。日本語の件名です。", iso);
    assert_header_round_trip ("Subject", "emoji 😀 と 𠮷野家", iso);
  }
}

static void
test_encode_header_forms (void)
{
  g_autofree char *ascii = mg_mimeword_encode_header ("Subject", "Hello world", FALSE);
  g_autofree char *mixed = mg_mimeword_encode_header ("Subject", "Re: 見積 and more", FALSE);
  g_autofree char *jis = mg_mimeword_encode_header ("Subject", "見積書", TRUE);
  g_autofree char *emoji = mg_mimeword_encode_header ("Subject", "見積 😀", TRUE);
  g_autofree char *crlf = mg_mimeword_encode_header ("Subject", "a\r\nBcc: x", FALSE);
  g_autofree char *kana = mg_mimeword_encode_header ("Subject", "ｶﾞｲﾄﾞ", TRUE);
  g_autofree char *kana_back = mg_mimeword_decode_header (kana);

  g_assert_cmpstr (ascii, ==, "Hello world");
  g_assert_cmpstr (mixed, ==, "Re: =?UTF-8?B?6KaL56mN?= and more");
  g_assert_cmpstr (jis, ==, "=?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=");
  g_assert_true (g_str_has_prefix (emoji, "=?UTF-8?B?"));
  g_assert_cmpstr (crlf, ==, "a  Bcc: x");
  g_assert_cmpstr (kana_back, ==, "ガイド");
}

static void
assert_param_round_trip (const char *name, const char *value)
{
  g_autofree char *enc = mg_mimeword_encode_param (name, value);
  g_autofree char *field = g_strdup_printf ("attachment;\n %s", enc);
  g_autoptr (MgMimeField) parsed = parse (field);
  g_auto (GStrv) lines = g_strsplit (enc, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), <=, 78);
  g_assert_cmphex (parsed->flags, ==, 0);
  assert_param (parsed, name, value);
}

static void
test_encode_param (void)
{
  g_autofree char *ascii = mg_mimeword_encode_param ("filename", "report \"v2\".pdf");
  g_autofree char *ja = mg_mimeword_encode_param ("filename", "見積書.txt");
  g_autofree char *odd = mg_mimeword_encode_param ("filename", "a b*'%;.txt");
  g_autofree char *long_ja = mg_mimeword_encode_param (
      "filename", "令和6年度住民税特別徴収税額決定通知書（特別徴収義務者用）①㈱髙﨑.pdf");

  g_assert_cmpstr (ascii, ==, "filename=\"report \\\"v2\\\".pdf\"");
  g_assert_cmpstr (ja, ==, "filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.txt");
  g_assert_cmpstr (odd, ==, "filename=\"a b*'%;.txt\"");
  g_assert_true (g_str_has_prefix (long_ja, "filename*0*=UTF-8''%E4%BB%A4"));
  g_assert_nonnull (strstr (long_ja, ";\n filename*1*="));

  assert_param_round_trip ("filename", "report \"v2\".pdf");
  assert_param_round_trip ("filename", "見積書.txt");
  assert_param_round_trip (
      "name", "令和6年度住民税特別徴収税額決定通知書（特別徴収義務者用）①㈱髙﨑.pdf");
  assert_param_round_trip ("filename", "tab\there 😀 a*'%;\\.txt");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mimeword/decode/basic", test_decode_basic);
  g_test_add_func ("/mimeword/decode/whitespace", test_decode_whitespace);
  g_test_add_func ("/mimeword/decode/split-character", test_decode_split_character);
  g_test_add_func ("/mimeword/decode/raw-8bit", test_decode_raw_8bit);
  g_test_add_func ("/mimeword/decode/malformed", test_decode_malformed);
  g_test_add_func ("/mimeword/decode/hostile", test_decode_hostile);
  g_test_add_func ("/mimeword/field/basic", test_field_basic);
  g_test_add_func ("/mimeword/field/rfc2231", test_field_rfc2231);
  g_test_add_func ("/mimeword/field/encoded-words", test_field_encoded_words);
  g_test_add_func ("/mimeword/field/flags", test_field_flags);
  g_test_add_func ("/mimeword/field/too-many", test_field_too_many);
  g_test_add_func ("/mimeword/field/hostile", test_field_hostile);
  g_test_add_func ("/mimeword/field/prefixes", test_field_prefixes);
  g_test_add_func ("/mimeword/field/random", test_random_fields);
  g_test_add_func ("/mimeword/encode/header", test_encode_header);
  g_test_add_func ("/mimeword/encode/header-forms", test_encode_header_forms);
  g_test_add_func ("/mimeword/encode/param", test_encode_param);
  return g_test_run ();
}
