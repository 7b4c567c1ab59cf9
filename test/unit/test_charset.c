/* test_charset.c - mime/charset: Japanese decoding without losing a
 * character, mislabelled charsets, and CP50220 encoding. */
#include "mime/charset.h"

#include <string.h>

/* Decodes LEN bytes labelled CHARSET and checks the text and the number of
 * substitutions. */
static void
assert_decodes (const char *data, gsize len, const char *charset, const char *expected,
                gsize expected_invalid)
{
  gsize invalid = 99;
  g_autofree char *text = mg_charset_decode (data, len, charset, &invalid);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (invalid, ==, expected_invalid);
}

#define DECODES(bytes, charset, expected)                                                     \
  assert_decodes (bytes, sizeof bytes - 1, charset, expected, 0)

static void
test_iso2022jp_nec_specials (void)
{
  DECODES ("\x1b$B\x2d\x21\x2d\x22\x2d\x6a\x2d\x62\x2d\x37\x1b(B", "ISO-2022-JP", "①②㈱№Ⅲ");
}

static void
test_iso2022jp_microsoft_mapping (void)
{
  /* 1-33 and 1-61: CP932 0x8160 and 0x817C, as Outlook meant them. */
  DECODES ("\x1b$B\x21\x41\x21\x5d\x1b(B", "iso-2022-jp", "～－");
  /* NEC-selected IBM extensions (rows 89-92). */
  DECODES ("\x1b$B\x7c\x62\x79\x75\x1b(B", "iso-2022-jp", "髙﨑");
  DECODES ("\x1b$@\x46\x7c\x4b\x5c\x1b(J ok", "iso-2022-jp", "日本 ok");
}

static void
test_iso2022jp_halfwidth_kana (void)
{
  DECODES ("a\x1b(I\x31\x32\x5e\x1b(Bb", "iso-2022-jp", "aｱｲﾞb");
  DECODES ("a\x0e\x31\x32\x0f"
           "b",
           "iso-2022-jp", "aｱｲb");
  DECODES ("\x1b$B\x24\x22\x0e\x31\x0f\x24\x24\x1b(B", "iso-2022-jp", "あｱい");
}

static void
test_iso2022jp_jisx0212 (void)
{
  DECODES ("\x1b$(D\x30\x21\x1b$B\x24\x22\x1b(B", "iso-2022-jp", "丂あ");
}

static void
test_iso2022jp_jisx0213 (void)
{
  DECODES ("\x1b$(Q\x2e\x21\x1b$(P\x21\x21\x1b(B.", "iso-2022-jp-2004", "俱𠂉.");
}

static void
test_iso2022jp_broken (void)
{
  /* An unknown escape, a lone byte in two-byte mode, a kana byte out of range. */
  assert_decodes ("a\x1b$Zb", 5, "iso-2022-jp", "a\xef\xbf\xbd$Zb", 1);
  assert_decodes ("\x1b$B\x24\x22\x24", 7, "iso-2022-jp", "あ\xef\xbf\xbd", 1);
  assert_decodes ("\x1b(I\x70\x1b(B", 7, "iso-2022-jp", "\xef\xbf\xbd", 1);
  /* Rows CP932 leaves empty. */
  assert_decodes ("\x1b$B\x75\x21\x1b(B", 8, "iso-2022-jp", "\xef\xbf\xbd", 1);
}

static void
test_shift_jis_cp932 (void)
{
  static const char *const labels[] = { "Shift_JIS", "shift-jis",   "sjis",  "x-sjis",
                                        "MS_Kanji",  "Windows-31J", "CP932", "\"shift_jis\"" };
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    DECODES ("\x87\x40\x87\x8a\x87\x82\x87\x56\xfa\x40\xfb\xfc\xfa\xb1\xed\x95\x81\x60"
             "\x81\x7c\xb1",
             labels[i], "①㈱№Ⅲⅰ髙﨑﨑～－ｱ");
}

static void
test_euc_jp (void)
{
  DECODES ("\x8e\xb1\xa4\xa2\x8f\xb0\xa1\xc6\xfc\x8f\xa2\xb7", "EUC-JP", "ｱあ丂日～");
  DECODES ("\xa1\xc1\xad\xa1", "x-euc-jp", "～①");
  /* JIS X 0213 that EUC-JP-MS lacks, from an EUC-JIS-2004 sender. */
  DECODES ("\xa4\xa2\xa2\xb3\xae\xa1", "euc-jp", "あ〳俱");
  assert_decodes ("\xa4\xa2\xff\xa4", 4, "euc-jp", "あ\xef\xbf\xbd\xef\xbf\xbd", 2);
}

static void
test_utf8 (void)
{
  DECODES ("\xf0\xa0\xae\xb7\xe9\x87\x8e\xe5\xae\xb6", "UTF-8", "𠮷野家");
  DECODES ("\xef\xbb\xbf"
           "BOM",
           "utf-8", "BOM");
  assert_decodes ("a\xff"
                  "b\xc3",
                  4, "utf-8",
                  "a\xef\xbf\xbd"
                  "b\xef\xbf\xbd",
                  2);
  /* Overlong form, surrogate. */
  assert_decodes ("\xc0\xaf\xed\xa0\x80", 5, "utf-8",
                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 5);
}

static void
test_nul_dropped (void)
{
  assert_decodes ("a\0b", 3, "utf-8", "ab", 0);
  assert_decodes ("\x82\xa0\0\x82\xa2", 5, "shift_jis", "あい", 0);
  assert_decodes ("a\0\x1b$B\x24\x22\x1b(B", 10, "iso-2022-jp", "aあ", 0);
  assert_decodes ("a\0\0\0b\0", 6, "utf-16le", "ab", 0);
}

static void
test_mislabelled (void)
{
  /* ISO-2022-JP label on Shift_JIS, UTF-8 and EUC-JP bytes. */
  DECODES ("\x82\xa0\x82\xa2\x93\xfa\x96\x7b\x8c\xea", "iso-2022-jp", "あい日本語");
  DECODES ("日本語のテキスト", "iso-2022-jp", "日本語のテキスト");
  DECODES ("\xa4\xa2\xa4\xa4\xc6\xfc\xcb\xdc\xb8\xec", "iso-2022-jp", "あい日本語");
  /* Shift_JIS label on UTF-8 bytes; EUC-JP label on Shift_JIS bytes. */
  DECODES ("件名：見積書の送付", "Shift_JIS", "件名：見積書の送付");
  DECODES ("\x8c\xa9\x90\xcf\x8f\x91", "euc-jp", "見積書");
  /* US-ASCII label on ISO-2022-JP and on Shift_JIS. */
  DECODES ("\x1b$B\x24\x22\x1b(B", "us-ascii", "あ");
  DECODES ("\x8c\xa9\x90\xcf\x8f\x91", "us-ascii", "見積書");
}

static void
test_unknown_labels (void)
{
  DECODES ("\x8c\xa9\x90\xcf\x8f\x91", "x-unknown", "見積書");
  DECODES ("\x8c\xa9\x90\xcf\x8f\x91", NULL, "見積書");
  DECODES ("\x8c\xa9\x90\xcf\x8f\x91", "../../etc/passwd", "見積書");
  DECODES ("caf\xe9", "iso-8859-1", "café");
  DECODES ("\x80", "iso-8859-1", "€");
  DECODES ("\xc0\xd0", "koi8-r", "юп");
  DECODES ("caf\xe9 cr\xe8me", NULL, "café crème");
}

static void
test_guess (void)
{
  static const struct {
    const char *bytes;
    const char *charset;
  } cases[] = {
    { "plain", "us-ascii" },
    { "\x1b$B\x24\x22\x1b(B", "iso-2022-jp" },
    { "\x1b(I\x31\x1b(B", "iso-2022-jp" },
    { "日本語", "utf-8" },
    { "\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67", "cp932" },
    { "\xc6\xfc\xcb\xdc\xb8\xec\xa4\xce\xa5\xc6\xa5\xad\xa5\xb9\xa5\xc8", "euc-jp" },
    { "na\xefve caf\xe9 ", "windows-1252" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (mg_charset_guess (cases[i].bytes, strlen (cases[i].bytes)), ==,
                     cases[i].charset);
}

static void
assert_round_trip (const char *utf8)
{
  gsize len = 0;
  g_autofree char *jis = mg_charset_encode_iso2022jp (utf8, &len);
  g_autofree char *back = NULL;

  g_assert_nonnull (jis);
  g_assert_cmpuint (len, ==, strlen (jis));
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint ((guchar) jis[i], <, 0x80);
  back = mg_charset_decode (jis, len, "iso-2022-jp", NULL);
  g_assert_cmpstr (back, ==, utf8);
}

static void
test_encode_round_trip (void)
{
  assert_round_trip ("①㈱髙﨑Ⅲ№～－");
  assert_round_trip ("Re: 見積書（第2版）の件\r\nabc ⅰⅱ ∵ ￢ ㈱");
  assert_round_trip ("");
  assert_round_trip ("ascii only");
}

static void
test_encode_form (void)
{
  gsize len;
  g_autofree char *a = mg_charset_encode_iso2022jp ("a①b", &len);
  g_autofree char *kana = mg_charset_encode_iso2022jp ("ｶﾞｷﾞｸﾟﾊﾟｳﾞﾜﾞｱ", NULL);
  g_autofree char *back = NULL;

  g_assert_cmpmem (a, len, "a\x1b$B\x2d\x21\x1b(Bb", 10);
  back = mg_charset_decode (kana, strlen (kana), "iso-2022-jp", NULL);
  g_assert_cmpstr (back, ==, "ガギク゜パヴワ゛ア");
  g_assert_null (mg_charset_encode_iso2022jp ("emoji 😀", NULL));
  g_assert_null (mg_charset_encode_iso2022jp ("é", NULL));
  g_assert_null (mg_charset_encode_iso2022jp ("¥", NULL));
  g_assert_null (mg_charset_encode_iso2022jp ("\xee\x80\x80", NULL)); /* user-defined */
  g_assert_null (mg_charset_encode_iso2022jp ("esc \x1b$B", NULL));
  g_assert_null (mg_charset_encode_iso2022jp ("bad \xff", NULL));
}

/* Every CP932 double-byte character inside the JIS rows or in the IBM
 * extensions reaches ISO-2022-JP and comes back unchanged. */
static void
test_encode_every_cp932_char (void)
{
  guint checked = 0;

  for (guint lead = 0x81; lead <= 0xfc; lead++) {
    for (guint trail = 0x40; trail <= 0xfc; trail++) {
      char sjis[2] = { (char) lead, (char) trail };
      gsize invalid;
      g_autofree char *text = NULL, *jis = NULL, *back = NULL;

      if (trail == 0x7f || (lead >= 0xa0 && lead < 0xe0))
        continue;
      text = mg_charset_decode (sjis, 2, "cp932", &invalid);
      if (invalid != 0 || g_utf8_strlen (text, -1) != 1)
        continue;
      jis = mg_charset_encode_iso2022jp (text, NULL);
      if (lead >= 0xf0 && lead <= 0xf9) {
        g_assert_null (jis);
        continue;
      }
      g_assert_nonnull (jis);
      back = mg_charset_decode (jis, strlen (jis), "iso-2022-jp", NULL);
      g_assert_cmpstr (back, ==, text);
      checked++;
    }
  }
  g_assert_cmpuint (checked, >, 7900);
}

/* Whatever the bytes and label, the result is valid UTF-8 without NUL. */
static void
test_random_bytes (void)
{
  static const char *const labels[] = { "iso-2022-jp", "shift_jis", "euc-jp", "utf-8",
                                        "us-ascii",    NULL,        "utf-16", "iso-8859-1",
                                        "gb2312",      "x-bogus" };
  char buf[256];

  for (guint round = 0; round < 300; round++) {
    gsize len = (gsize) g_test_rand_int_range (0, sizeof buf);
    for (gsize i = 0; i < len; i++)
      buf[i] = (char) g_test_rand_int_range (0, 256);
    if (round % 3 == 0 && len > 4)
      memcpy (buf + len / 2, "\x1b$B", 3);
    for (gsize k = 0; k < G_N_ELEMENTS (labels); k++) {
      gsize n = 0;
      g_autofree char *text = mg_charset_decode (buf, len, labels[k], &n);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_assert_cmpuint (strlen (text), <=, 4 * len + 3);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/charset/iso2022jp/nec-specials", test_iso2022jp_nec_specials);
  g_test_add_func ("/charset/iso2022jp/microsoft-mapping", test_iso2022jp_microsoft_mapping);
  g_test_add_func ("/charset/iso2022jp/halfwidth-kana", test_iso2022jp_halfwidth_kana);
  g_test_add_func ("/charset/iso2022jp/jisx0212", test_iso2022jp_jisx0212);
  g_test_add_func ("/charset/iso2022jp/jisx0213", test_iso2022jp_jisx0213);
  g_test_add_func ("/charset/iso2022jp/broken", test_iso2022jp_broken);
  g_test_add_func ("/charset/shift-jis/cp932", test_shift_jis_cp932);
  g_test_add_func ("/charset/euc-jp", test_euc_jp);
  g_test_add_func ("/charset/utf-8", test_utf8);
  g_test_add_func ("/charset/nul-dropped", test_nul_dropped);
  g_test_add_func ("/charset/mislabelled", test_mislabelled);
  g_test_add_func ("/charset/unknown-labels", test_unknown_labels);
  g_test_add_func ("/charset/guess", test_guess);
  g_test_add_func ("/charset/encode/round-trip", test_encode_round_trip);
  g_test_add_func ("/charset/encode/form", test_encode_form);
  g_test_add_func ("/charset/encode/every-cp932-char", test_encode_every_cp932_char);
  g_test_add_func ("/charset/random-bytes", test_random_bytes);
  return g_test_run ();
}
