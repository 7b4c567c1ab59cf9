/* test_pipeline.c - the ambiguity checks and limits, in process.
 *
 * Each case is a small message; the assertion is the verdict and the reason a
 * user would read in the report. The integration suites run the same kinds of
 * input through the built `mugai mail`.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pipeline/gmime_autoptr.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"
#include "scan/scan.h"
#include "worker/remote.h"

static MgConfig *config;
static MgPipeline *pipeline;

static MgMailResult *
run (const char *message)
{
  g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr (GError) error = NULL;
  MgMailResult *result = NULL;

  g_assert_true (mg_pipeline_mail (pipeline, bytes, "TESTQID", &result, &error));
  g_assert_no_error (error);
  return result;
}

static void
assert_verdict (const char *message, MgVerdict verdict, const char *reason)
{
  g_autoptr (MgMailResult) r = run (message);

  if (r->verdict != verdict)
    g_error ("expected %s, got %s (%s) for:\n%.300s", mg_verdict_name (verdict),
             mg_verdict_name (r->verdict), r->reason ? r->reason : "-", message);
  if (reason != NULL)
    g_assert_nonnull (strstr (r->report_json, reason));
  g_assert_nonnull (strstr (r->report_json, "\"queue_id\":\"TESTQID\""));
}

#define HDR "From: a@example.jp\nTo: b@example.lg.jp\nSubject: t\nMIME-Version: 1.0\n"
#define AMBIGUOUS "ambiguous MIME structure"
#define LIMIT "limit exceeded"

static void
test_duplicate_headers (void)
{
  assert_verdict (HDR "Content-Type: multipart/mixed; boundary=a\n"
                      "Content-Type: multipart/mixed; boundary=b\n\n--a\n\nx\n--a--\n",
                  MG_VERDICT_WITHHELD, NULL);
  assert_verdict (HDR "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n"
                      "Content-Transfer-Encoding: quoted-printable\n\naGVsbG8=\n",
                  MG_VERDICT_WITHHELD, AMBIGUOUS);
  assert_verdict (HDR "Content-Type: text/plain\n"
                      "Content-Transfer-Encoding: base64, quoted-printable\n\naGVsbG8=\n",
                  MG_VERDICT_WITHHELD, AMBIGUOUS);
}

static void
test_boundaries (void)
{
  const char *bad[] = {
    "Content-Type: multipart/mixed; boundary=a; boundary=b\n\n--a\n\nx\n--a--\n",
    "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nx\n----\n",
    "Content-Type: multipart/mixed; boundary*=''a\n\n--a\n\nx\n--a--\n",
    "Content-Type: multipart/mixed; boundary*0=a; boundary*1=b\n\n--ab\n\nx\n--ab--\n",
    "Content-Type: multipart/mixed; boundary=\"=?utf-8?q?a?=\"\n\n--a\n\nx\n--a--\n",
    "Content-Type: multipart/mixed; boundary=(c)a\n\n--a\n\nx\n--a--\n",
    "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
    "Content-Type: multipart/mixed; boundary=outerX\n\n--outerX\n\nx\n--outerX--\n--outer--\n",
    "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b junk\n\ny\n--b--\n",
    "Content-Type: multipart/mixed; boundary=b\n\n--\"b\"\n\nx\n--b--\n",
    "Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *m = g_strconcat (HDR, bad[i], NULL);
    assert_verdict (m, MG_VERDICT_WITHHELD, NULL);
  }
}

static void
test_header_bytes (void)
{
  assert_verdict ("From: a@example.jp\nSubject: a\rb\n\nx\n", MG_VERDICT_WITHHELD, AMBIGUOUS);
  assert_verdict (HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\n \nx\n--b--\n",
                  MG_VERDICT_WITHHELD, AMBIGUOUS);
  assert_verdict (HDR "Content-Type(x): text/plain\n\nx\n", MG_VERDICT_WITHHELD, NULL);
}

static void
test_lenient_readings (void)
{
  /* Read as clients do: no final boundary, no MIME-Version. */
  assert_verdict (HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                      "Content-Type: text/plain; charset=utf-8\n\n本文\n",
                  MG_VERDICT_SANITISED, NULL);
  assert_verdict ("From: a@example.jp\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                  "Content-Type: text/plain\n\nhello\n--b--\n",
                  MG_VERDICT_SANITISED, NULL);
}

static GString *
nested (int depth)
{
  GString *m = g_string_new (HDR);

  for (int i = 0; i < depth; i++)
    g_string_append_printf (m, "Content-Type: multipart/mixed; boundary=\"d%d_\"\n\n--d%d_\n",
                            i, i);
  g_string_append (m, "Content-Type: text/plain\n\ndeep\n");
  for (int i = depth - 1; i >= 0; i--)
    g_string_append_printf (m, "--d%d_--\n", i);
  return m;
}

static void
test_limits (void)
{
  g_autoptr (GString) deep = nested (30);
  g_autoptr (GString) fine = nested (5);
  g_autoptr (GString)
      many = g_string_new (HDR "Content-Type: multipart/mixed; boundary=p\n\n");
  g_autoptr (GString) params = g_string_new (HDR "Content-Type: text/plain");
  g_autoptr (GString) longh = g_string_new (HDR "X-Long: ");

  assert_verdict (deep->str, MG_VERDICT_WITHHELD, LIMIT);
  assert_verdict (fine->str, MG_VERDICT_SANITISED, NULL);
  for (int i = 0; i < 600; i++)
    g_string_append (many, "--p\nContent-Type: text/plain\n\nx\n");
  g_string_append (many, "--p--\n");
  assert_verdict (many->str, MG_VERDICT_WITHHELD, LIMIT);
  for (int i = 0; i < 100; i++)
    g_string_append_printf (params, "; p%d=v", i);
  g_string_append (params, "\n\nx\n");
  assert_verdict (params->str, MG_VERDICT_WITHHELD, LIMIT);
  for (int i = 0; i < 20000; i++)
    g_string_append_c (longh, 'a');
  g_string_append (longh, "\n\nx\n");
  assert_verdict (longh->str, MG_VERDICT_WITHHELD, LIMIT);
}

static void
test_containers (void)
{
  assert_verdict (HDR "Content-Type: message/partial; id=x; number=1\n\nx\n",
                  MG_VERDICT_WITHHELD, "message/partial");
  assert_verdict (HDR "Content-Type: multipart/encrypted; boundary=e; protocol=x\n\n"
                      "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--e--\n",
                  MG_VERDICT_WITHHELD, "encrypted");
}

/* a.zip holding inner.zip holding the EICAR test file, both deflated */
#define ZIP_IN_ZIP_B64                                                                        \
  "UEsDBBQAAAAIAPBbhl38lo5LigAAALoAAAAJAAAAaW5uZXIuemlwC/BmZhFhYGDgYPgQ3RZrcz4w\n"            \
  "ww3IcwFiTiBOzUxOLNJLzs/tNvgazhNQWsDTYdbJ2dFlYHqRo+OySXnZNZP1oYVfS8p4LvHyFX4p\n"            \
  "LuQpulj6hfsjz2ceLt5rvIW8fBdLP38pDA35eOHbBSaGAG9GJhFm3NbBQAMjA7LlAd6sbCABRiA0\n"            \
  "B9K5YEUAUEsBAhQDFAAAAAgA8FuGXfyWjkuKAAAAugAAAAkAAAAAAAAAAAAAAIABAAAAAGlubmVy\n"            \
  "LnppcFBLBQYAAAAAAQABADcAAACxAAAAAAA=\n"
#define ZIP_IN_ZIP_SHA256 "6b73c8724b3b9e73eacb9e2df74440346c27bb39a730919e53cf6fbfafcc1a83"
#define ZIP_MAIL(type)                                                                        \
  HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n"    \
      "--b\nContent-Type: " type "\nContent-Transfer-Encoding: base64\n\n" ZIP_IN_ZIP_B64     \
      "--b--\n"

/* The whole-message scan decodes the parts but opens no archive: it names
 * the zip it left unopened, and leaves no "clean" mark in libclamav's cache
 * that would make the leaf scan of the same zip skip it. */
static void
test_message_scan_opens_no_archive (void)
{
  const char *src = g_getenv ("MUGAI_SRCDIR");
  g_autofree char *db = g_build_filename (src ? src : ".", "test/data/clamav", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MgScanEngine) engine = mg_scan_engine_load (db, 1 << 24, 30, &error);
  g_autoptr (GHashTable)
      unparsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *mail = ZIP_MAIL ("application/zip; name=a.zip");
  g_autofree char *name = NULL;
  gsize zip_len;
  g_autofree guchar *zip = g_base64_decode (ZIP_IN_ZIP_B64, &zip_len);

  g_assert_no_error (error);
  g_assert_cmpint (mg_scan_message (engine, mail, strlen (mail), unparsed, &name), ==,
                   MG_SCAN_CLEAN);
  g_assert_cmpuint (g_hash_table_size (unparsed), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (unparsed, ZIP_IN_ZIP_SHA256)), ==,
                    zip_len);
  g_assert_cmpint (mg_scan_buffer (engine, zip, zip_len, &name), ==, MG_SCAN_VIRUS);
  g_assert_cmpstr (name, ==, "Mugai.Test.EICAR.UNOFFICIAL");
}

/* A leaf scan strikes the file the message scan left unopened when its bytes
 * are the same, and leaves it when only the size is the same. */
static void
test_leaf_strikes_unparsed (void)
{
  MgJob *job = mg_job_new (config, NULL);
  const char *a = "file a", *b = "file b";

  g_hash_table_insert (job->unparsed, g_compute_checksum_for_string (G_CHECKSUM_SHA256, a, -1),
                       GSIZE_TO_POINTER (strlen (a)));
  g_hash_table_insert (job->unparsed, g_strdup ("unread 1"), GSIZE_TO_POINTER (100));
  mg_job_index_unparsed (job);
  mg_job_met (job, b, strlen (b));
  g_assert_cmpuint (g_hash_table_size (job->unparsed), ==, 2);
  mg_job_met (job, a, strlen (a));
  g_assert_cmpuint (g_hash_table_size (job->unparsed), ==, 1);
  mg_job_met (job, a, strlen (a));
  g_assert_cmpuint (g_hash_table_size (job->unparsed), ==, 1);
  mg_job_free (job);
}

/* EICAR in a zip in a zip is found by the leaf scan; in a part the walk does
 * not scan (an encrypted part is withheld unread), by the second scan of the
 * whole message, which opens what no leaf scan met. */
static void
test_archive_viruses_found (void)
{
  assert_verdict (ZIP_MAIL ("application/zip; name=a.zip"), MG_VERDICT_WITHHELD,
                  "\"virus\":[\"Mugai.Test.EICAR.UNOFFICIAL\"]");
  assert_verdict (ZIP_MAIL ("application/pkcs7-mime; name=a.p7m"), MG_VERDICT_WITHHELD,
                  "\"virus\":[\"Mugai.Test.EICAR.UNOFFICIAL\"]");
}

/* The decoded text of a notice R delivered. */
static char *
notice_text (const MgMailResult *r)
{
  g_autoptr (GMimeStream) in = g_mime_stream_mem_new_with_buffer (
      g_bytes_get_data (r->output, NULL), g_bytes_get_size (r->output));
  g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (in);
  g_autoptr (GMimeMessage) m = g_mime_parser_construct_message (parser, NULL);
  g_autoptr (GMimeStream) out = g_mime_stream_mem_new ();
  GByteArray *bytes;
  GMimeObject *body;

  g_assert_nonnull (m);
  body = g_mime_message_get_body (m);
  g_assert_true (GMIME_IS_PART (body));
  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (body)), out);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
  return g_strndup ((const char *) bytes->data, bytes->len);
}

/* UTF-8 text is text by its bytes, as 7-bit text is: it reaches the body
 * whatever libmagic would see in it (here a PDF, for the "%PDF-" line). */
static void
test_utf8_text_is_text (void)
{
  g_autoptr (MgMailResult) r = run (
      HDR "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
          "お世話になっております。\n%PDF-1.4 の書式について\n");
  g_autofree char *text = notice_text (r);

  g_assert_cmpint (r->verdict, ==, MG_VERDICT_SANITISED);
  g_assert_false (r->held);
  g_assert_null (strstr (r->report_json, "application/pdf"));
  g_assert_nonnull (strstr (text, "%PDF-1.4"));
}

/* The notice of a worker that failed: the parts it listed, or plainly that
 * they are unknown; never "no attachments" when it could not tell. */
static void
test_failed_worker_notice (void)
{
  static const char *const unlisted[] = { NULL, "2\tx.pdf\n", "2\tx.pdf\tapplication/pdf\tz\n",
                                          "../2\tx\tapplication/pdf\t1\n" };
  g_autoptr (GBytes) message = g_bytes_new_static (HDR "\nbody\n", strlen (HDR) + 6);

  for (gsize i = 0; i < G_N_ELEMENTS (unlisted); i++) {
    g_autoptr (MgMailResult)
        r = mg_pipeline_failed_result (config, message, NULL, "killed", unlisted[i], NULL, 7);
    g_autofree char *out = notice_text (r);
    g_assert_nonnull (strstr (r->report_json, "\"parts\":[]"));
    g_assert_nonnull (strstr (r->report_json, "\"parts_listed\":false"));
    g_assert_null (strstr (out, "添付ファイルはありません"));
    g_assert_nonnull (strstr (out, "添付ファイルの有無と一覧を確認できませんでした"));
  }
  {
    g_autoptr (MgMailResult) r = mg_pipeline_failed_result (
        config, message, NULL, "killed", "2\t見積.pdf\tapplication/pdf\t1234\n", NULL, 7);
    g_autofree char *out = notice_text (r);
    g_assert_nonnull (strstr (r->report_json, "\"filename\":\"見積.pdf\""));
    g_assert_nonnull (strstr (r->report_json, "1234 bytes"));
    g_assert_nonnull (strstr (r->report_json, "\"elapsed_ms\":7"));
    g_assert_nonnull (strstr (out, "見積.pdf（application/pdf）: 保留"));
    g_assert_null (strstr (out, "確認できませんでした"));
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *qdir = g_dir_make_tmp ("mugai-q-XXXXXX", NULL);
  const char *src = g_getenv ("MUGAI_SRCDIR");

  g_test_init (&argc, &argv, NULL);
  config = mg_config_new_default ();
  g_free (config->clamav_database);
  config->clamav_database = g_build_filename (src ? src : ".", "test/data/clamav", NULL);
  g_free (config->quarantine_directory);
  config->quarantine_directory = g_strdup (qdir);
  config->sandbox.enabled = 0; /* in process: the sandbox has its own tests */
  pipeline = mg_remote_pipeline_new (config, &error);
  g_assert_no_error (error);
  g_test_add_func ("/pipeline/duplicate-headers", test_duplicate_headers);
  g_test_add_func ("/pipeline/boundaries", test_boundaries);
  g_test_add_func ("/pipeline/header-bytes", test_header_bytes);
  g_test_add_func ("/pipeline/lenient-readings", test_lenient_readings);
  g_test_add_func ("/pipeline/utf8-text-is-text", test_utf8_text_is_text);
  g_test_add_func ("/pipeline/limits", test_limits);
  g_test_add_func ("/pipeline/containers", test_containers);
  g_test_add_func ("/pipeline/failed-worker-notice", test_failed_worker_notice);
  g_test_add_func ("/pipeline/message-scan-opens-no-archive",
                   test_message_scan_opens_no_archive);
  g_test_add_func ("/pipeline/archive-viruses-found", test_archive_viruses_found);
  g_test_add_func ("/pipeline/leaf-strikes-unparsed", test_leaf_strikes_unparsed);
  return g_test_run ();
}
