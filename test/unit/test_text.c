/* test_text.c - the plain-text/CSV filter, script names, and the registry. */
#include <string.h>

#include "filters/html.h"
#include "filters/registry.h"
#include "filters/text.h"

/* Run the text filter on LEN bytes of DATA; the result is the caller's. */
static void
run_filter (const char *data, gsize len, const char *type, const char *charset,
            const char *filename, MgFilterResult *result)
{
  g_autoptr (GBytes) input = g_bytes_new (data, len);
  MgFilterInput in = { .detected_type = type, .charset = charset, .filename = filename };

  memset (result, 0, sizeof *result);
  g_assert_true (mg_filter_text.sanitise (input, &in, result, NULL));
  if (result->output != NULL)
    g_assert_true (result->output != input);
}

static void
assert_output (const MgFilterResult *result, const char *expected)
{
  gsize len;
  const char *out = g_bytes_get_data (result->output, &len);

  g_assert_cmpmem (out, len, expected, strlen (expected));
}

static void
test_name_is_script (void)
{
  static const struct {
    const char *name;
    gboolean script;
  } cases[] = {
    { "請求書.pdf.exe", TRUE },  { "a.bat.", TRUE },
    { "a.bat . .", TRUE },       { "x\u202Etxt.exe", TRUE },
    { "x\u202Eexe.txt", FALSE }, { "A.JS", TRUE },
    { "setup.Ps1", TRUE },       { "ｓｃｒｉｐｔ．ｖｂｓ", TRUE },
    { "a.exe::$DATA", TRUE },    { "a.exe:x.txt", TRUE },
    { "link.lnk\u200B", TRUE },  { "query.iqy", TRUE },
    { "install.sh", TRUE },      { "page.hta", TRUE },
    { "notes.txt", FALSE },      { "data.csv", FALSE },
    { "readme", FALSE },         { ".bashrc", FALSE },
    { "jsfile.json", FALSE },    { "議事録 (案).txt", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].name);
    g_assert_cmpint (mg_text_name_is_script (cases[i].name), ==, cases[i].script);
  }
  g_assert_false (mg_text_name_is_script (NULL));
}

static void
test_script_removed (void)
{
  MgFilterResult r;

  run_filter ("@echo off\r\n", 11, "text/plain", NULL, "請求書.pdf.exe", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_SCRIPT_NAME);
  g_assert_null (r.output);
  mg_filter_result_clear (&r);

  run_filter ("#!/bin/sh\nrm -rf ~\n", 19, "text/x-shellscript", NULL, "notes.txt", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_TYPE_NOT_ALLOWED);
  g_assert_cmpstr (r.detail, ==,
                   "the content is a script (text/x-shellscript), whatever its name");
  g_assert_null (r.output);
  mg_filter_result_clear (&r);
}

static void
test_line_ends_and_nul (void)
{
  MgFilterResult r;

  run_filter ("a\r\nb\rc\n\r\n", 9, "text/plain", "us-ascii", "memo.TXT", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpint (r.reason, ==, MG_REASON_TEXT_REENCODED);
  assert_output (&r, "a\nb\nc\n\n");
  g_assert_cmpstr (r.output_type, ==, "text/plain");
  g_assert_cmpstr (r.output_extension, ==, ".txt");
  mg_filter_result_clear (&r);

  run_filter ("a\0b\n", 4, "text/plain", NULL, "x.log", &r);
  assert_output (&r, "ab\n");
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpstr (r.output_extension, ==, ".log");
  mg_filter_result_clear (&r);
}

static void
test_kept (void)
{
  MgFilterResult r;
  const char *text = "会議は 15 時からです。\n資料は後ほど。\n";

  run_filter (text, strlen (text), "text/plain", "utf-8", NULL, &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_KEPT);
  g_assert_cmpint (r.reason, ==, MG_REASON_NONE);
  g_assert_null (r.detail);
  assert_output (&r, text);
  g_assert_cmpstr (r.output_extension, ==, ".txt");
  mg_filter_result_clear (&r);
}

static void
test_shift_jis (void)
{
  MgFilterResult r;
  /* "①～髙テスト" in CP932, CRLF */
  const char sjis[] = "\x87\x40\x81\x60\xFB\xFC\x83\x65\x83\x58\x83\x67\r\n";

  run_filter (sjis, sizeof sjis - 1, "text/plain", "Shift_JIS", "お知らせ.txt", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  assert_output (&r, "①～髙テスト\n");
  g_assert_cmpstr (r.output_extension, ==, ".txt");
  mg_filter_result_clear (&r);
}

static void
test_byte_order_marks (void)
{
  MgFilterResult r;

  run_filter ("\xEF\xBB\xBF"
              "abc\n",
              7, "text/plain", "shift_jis", NULL, &r);
  assert_output (&r, "abc\n");
  mg_filter_result_clear (&r);
  run_filter ("\xFF\xFE"
              "a\0\x42\x30\n\0",
              8, "text/plain", NULL, NULL, &r);
  assert_output (&r, "aあ\n");
  mg_filter_result_clear (&r);
}

#define BOM "\xEF\xBB\xBF"

static void
test_csv_formulas (void)
{
  MgFilterResult r;
  const char *csv = "名前,式,数\r\n"
                    "太郎,=cmd|' /C calc'!A0,-5\r\n"
                    "\"=1+1\",\"a,=b\",+81-3-1234\r\n"
                    "@SUM(A1), ＝1,\"\"\"x\"\n"
                    "\"line\n=not a cell\",＋2,-1.5\n"
                    "－3,\t=2,+\n";
  const char *expected = BOM "名前,式,数\n"
                             "太郎,'=cmd|' /C calc'!A0,-5\n"
                             "\"'=1+1\",\"a,=b\",'+81-3-1234\n"
                             "'@SUM(A1),' ＝1,\"\"\"x\"\n"
                             "\"line\n=not a cell\",'＋2,-1.5\n"
                             "'－3,'\t=2,'+\n";

  run_filter (csv, strlen (csv), "text/plain", "utf-8", "名簿.csv", &r);
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  assert_output (&r, expected);
  g_assert_cmpstr (r.detail, ==,
                   "9 formula cells neutralised; "
                   "UTF-8 byte order mark added for spreadsheets");
  g_assert_cmpstr (r.output_type, ==, "text/csv");
  g_assert_cmpstr (r.output_extension, ==, ".csv");
  mg_filter_result_clear (&r);
}

static void
test_csv_separator_line (void)
{
  MgFilterResult r;
  const char *csv = "sep=;\na;=1,b;@x\n";

  run_filter (csv, strlen (csv), "text/csv", NULL, "export.dat", &r);
  assert_output (&r, BOM "sep=;\na;'=1,b;'@x\n");
  g_assert_cmpstr (r.output_extension, ==, ".csv");
  mg_filter_result_clear (&r);

  run_filter ("a\t=1\n", 5, "text/plain", NULL, "x.tsv", &r);
  assert_output (&r, BOM "a\t'=1\n");
  g_assert_cmpstr (r.output_type, ==, "text/tab-separated-values");
  g_assert_cmpstr (r.output_extension, ==, ".tsv");
  mg_filter_result_clear (&r);
}

/* Sanitising the output again changes nothing (THREATS 67). */
static void
test_idempotent (void)
{
  MgFilterResult first, second;
  const char *csv = "x,=1\r\n";

  run_filter (csv, strlen (csv), "text/csv", "utf-8", "a.csv", &first);
  gsize len;
  const char *out = g_bytes_get_data (first.output, &len);
  run_filter (out, len, "text/csv", "utf-8", "a.csv", &second);
  g_assert_cmpint (second.action, ==, MG_ACTION_KEPT);
  g_assert_true (g_bytes_equal (first.output, second.output));
  mg_filter_result_clear (&first);
  mg_filter_result_clear (&second);
}

static void
test_registry (void)
{
  g_assert_true (mg_filter_registry_find ("text/plain") == &mg_filter_text);
  g_assert_true (mg_filter_registry_find ("text/csv") == &mg_filter_text);
  g_assert_true (mg_filter_registry_find ("text/x-c") == &mg_filter_text);
  g_assert_true (mg_filter_registry_find ("TEXT/PLAIN; charset=utf-8") == &mg_filter_text);
  g_assert_true (mg_filter_registry_find ("text/x-Algol68") == &mg_filter_text);
  g_assert_nonnull (mg_filter_registry_find ("text/html"));
  g_assert_true (mg_filter_registry_find ("text/html") != &mg_filter_text);
  g_assert_null (mg_filter_registry_find ("text/plainx"));
  g_assert_true (mg_filter_registry_find ("text/rtf") != &mg_filter_text); /* office_legacy */
  g_assert_null (mg_filter_registry_find ("application/x-dosexec"));
  g_assert_null (mg_filter_registry_find ("image/svg+xml"));
  g_assert_null (mg_filter_registry_find (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (mg_filter_registry_init (NULL, NULL));
  g_test_add_func ("/text/name-is-script", test_name_is_script);
  g_test_add_func ("/text/script-removed", test_script_removed);
  g_test_add_func ("/text/line-ends-nul", test_line_ends_and_nul);
  g_test_add_func ("/text/kept", test_kept);
  g_test_add_func ("/text/shift-jis", test_shift_jis);
  g_test_add_func ("/text/byte-order-marks", test_byte_order_marks);
  g_test_add_func ("/text/csv-formulas", test_csv_formulas);
  g_test_add_func ("/text/csv-separator-line", test_csv_separator_line);
  g_test_add_func ("/text/idempotent", test_idempotent);
  g_test_add_func ("/text/registry", test_registry);
  int rc = g_test_run ();
  mg_filter_registry_shutdown ();
  return rc;
}
