/* test_ooxml.c - the OOXML rebuild on packages made here: formulas that reach
 * outside, fields, names that mean two parts, limits, and every truncation
 * and many corruptions of a valid package (a result each time, never a crash,
 * never the input bytes). The hostile documents of THREATS.md, checked in
 * LibreOffice, are in test/integration/test_office.py. */
#include <glib.h>
#include <string.h>

#include "common/config.h"
#include "filters/office_batch.h"
#include "filters/office_cfb.h"
#include "filters/ooxml.h"
#include "filters/ooxml_allow.h"
#include "filters/ooxml_excel.h"
#include "filters/ooxml_zip.h"

#define CT_HEAD                                                                                           \
  "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" \
  "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
#define RELS_HEAD                                                                             \
  "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define W_HEAD                                                                                \
  "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "     \
  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>"

static MgConfig *config;

static void
no_recurse (gpointer ctx, GBytes *data, const char *name, MgFilterResult *result,
            char **detected_r)
{
  (void) ctx;
  (void) data;
  (void) name;
  *detected_r = g_strdup ("image/png");
  result->action = MG_ACTION_REMOVED;
}

/* A zip of NAME, DATA pairs (NULL-terminated). */
static GBytes *
zip_of (const char *first, ...)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GPtrArray) data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  va_list ap;

  va_start (ap, first);
  for (const char *n = first; n != NULL; n = va_arg (ap, const char *)) {
    const char *d = va_arg (ap, const char *);
    g_ptr_array_add (names, (gpointer) n);
    g_ptr_array_add (data, g_bytes_new (d, strlen (d)));
  }
  va_end (ap);
  return mg_ooxml_zip_write (names, data, NULL);
}

/* A .docx whose main part is DOC, with its content type and relationship. */
static GBytes *
docx_with_document (const char *doc)
{
  return zip_of (
      "[Content_Types].xml",
      CT_HEAD "<Override PartName=\"/word/document.xml\" "
              "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml."
              "document.main+xml\"/></Types>",
      "_rels/.rels",
      RELS_HEAD "<Relationship Id=\"rId1\" Type=\"" RT "officeDocument\" "
                "Target=\"word/document.xml\"/></Relationships>",
      "word/document.xml", doc, NULL);
}

static GBytes *
docx_with_body (const char *body)
{
  g_autofree char *doc = g_strconcat (W_HEAD, body, "</w:body></w:document>", NULL);

  return docx_with_document (doc);
}

static void
rebuild (GBytes *input, MgFilterResult *result)
{
  MgFilterInput in = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    NULL,
    "t.docx",
    config,
    no_recurse,
    NULL,
    0
  };

  memset (result, 0, sizeof *result);
  mg_ooxml_rebuild (input, &in, FALSE, result);
  if (result->output != NULL)
    g_assert_false (g_bytes_equal (result->output, input));
}

/* The document.xml of a rebuilt package. */
static char *
document_of (GBytes *output)
{
  MgFilterResult dummy = { 0 };
  MgOoxmlLimits limits = { 100, 1 << 20, 1 << 22, 100 };
  g_autoptr (MgOoxmlPackage) pkg = mg_ooxml_zip_read (output, &limits, &dummy);
  MgOoxmlPart *part = pkg != NULL ? g_hash_table_lookup (pkg->by_key, "word/document.xml")
                                  : NULL;

  g_assert_nonnull (part);
  return g_strndup (g_bytes_get_data (part->data, NULL), g_bytes_get_size (part->data));
}

static void
test_formulas (void)
{
  static const char *const unsafe[] = {
    "cmd|' /C calc'!A0",
    "=MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''",
    "[1]Sheet1!A1",
    "'[2]Sheet 1'!$A$1",
    "SUM('C:\\x\\[book.xlsx]S'!A1)",
    "[book.xlsx]S!A1",
    "HYPERLINK(\"file://server/share\",\"x\")",
    "_xlfn.WEBSERVICE(\"http://e/\")",
    "rtd(\"x\",,\"y\")",
    "CALL(\"kernel32\",\"WinExec\",\"JCJ\",\"calc\",0)",
    "EXEC(\"calc\")",
    "_xlfn._xlws.IMAGE(\"http://e/a.png\")",
    NULL,
  };
  static const char *const safe[] = {
    "SUM(A1:B2)",
    "A1&\"|\"&B1",
    "Table1[Column]",
    "Table1[[#This Row],[Col]]",
    "'My Sheet'!A1*2",
    "IF(A1>0,\"[1]\",\"cmd|x\")",
    "VLOOKUP(A1,Sheet2!A:B,2,FALSE)",
    "",
    NULL,
  };

  for (guint i = 0; unsafe[i] != NULL; i++)
    g_assert_true (mg_ooxml_excel_formula_unsafe (unsafe[i]));
  for (guint i = 0; safe[i] != NULL; i++)
    g_assert_false (mg_ooxml_excel_formula_unsafe (safe[i]));
}

static void
test_fields (void)
{
  g_autoptr (GBytes) input = docx_with_body (
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
      "<w:r><w:instrText>DD</w:instrText></w:r><w:r><w:instrText>EAUTO c:\\\\a.exe</w:instrText></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>kept-1</w:t></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
      "<w:p><w:fldSimple w:instr=\" PAGE \"><w:r><w:t>7</w:t></w:r></w:fldSimple>"
      "<w:fldSimple w:instr='INCLUDETEXT \"\\\\\\\\h\\\\s\"'><w:r><w:t>kept-2</w:t></w:r></w:fldSimple></w:p>"
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>DDE x</w:instrText></w:r></w:p>");
  MgFilterResult result;

  rebuild (input, &result);
  g_assert_cmpint (result.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpint (result.reason, ==, MG_REASON_OFFICE_ACTIVE);
  g_autofree char *doc = document_of (result.output);
  g_assert_null (strstr (doc, "DD"));
  g_assert_null (strstr (doc, "a.exe"));
  g_assert_null (strstr (doc, "INCLUDETEXT"));
  g_assert_null (strstr (doc, "fldChar"));
  g_assert_nonnull (strstr (doc, "kept-1"));
  g_assert_nonnull (strstr (doc, "kept-2"));
  g_assert_nonnull (strstr (doc, "PAGE"));
  mg_filter_result_clear (&result);
}

static void
expect_removed (GBytes *input, MgReason reason)
{
  MgFilterResult result;

  rebuild (input, &result);
  g_assert_cmpint (result.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (result.reason, ==, reason);
  g_assert_null (result.output);
  mg_filter_result_clear (&result);
}

static void
test_bad_packages (void)
{
  g_autoptr (GBytes) twins = zip_of ("[Content_Types].xml", CT_HEAD "</Types>", "word/A.xml",
                                     "<a/>", "word/a.xml", "<a/>", NULL);
  g_autoptr (GBytes) climb = zip_of ("[Content_Types].xml", CT_HEAD "</Types>",
                                     "word/../x.xml", "<a/>", NULL);
  g_autoptr (GBytes) encoded_climb = zip_of ("[Content_Types].xml", CT_HEAD "</Types>",
                                             "word/%2e%2e/x.xml", "<a/>", NULL);
  g_autoptr (GBytes) no_types = zip_of ("word/document.xml", "<a/>", NULL);
  g_autoptr (GBytes) no_main = zip_of ("[Content_Types].xml", CT_HEAD "</Types>",
                                       "_rels/.rels", RELS_HEAD "</Relationships>", NULL);
  g_autoptr (GBytes) doctype = docx_with_body ("<!DOCTYPE x [<!ENTITY a \"b\">]><w:p/>");

  expect_removed (twins, MG_REASON_CONVERT_FAILED);
  expect_removed (climb, MG_REASON_CONVERT_FAILED);
  expect_removed (encoded_climb, MG_REASON_CONVERT_FAILED);
  expect_removed (no_types, MG_REASON_CONVERT_FAILED);
  expect_removed (no_main, MG_REASON_CONVERT_FAILED);
  expect_removed (doctype, MG_REASON_XML_DOCTYPE);
}

static void
test_limits (void)
{
  g_autofree char *big = g_strnfill (3 << 20, 'a');
  g_autofree char *big_xml = g_strconcat ("<w:p><w:r><w:t>", big, "</w:t></w:r></w:p>", NULL);
  g_autoptr (GBytes) bomb = docx_with_body (big_xml);
  g_autoptr (GBytes) small = docx_with_body ("<w:p/>");
  gint64 parts = config->office.max_parts;

  expect_removed (bomb, MG_REASON_LIMIT); /* 3 MiB from a few KiB: max_ratio */
  config->office.max_parts = 2;
  expect_removed (small, MG_REASON_LIMIT);
  config->office.max_parts = parts;
}

/* Every prefix and many single-byte corruptions of a valid package: a
 * result every time, and never the input bytes. */
static void
test_truncated_and_corrupted (void)
{
  g_autoptr (GBytes) good = docx_with_body ("<w:p><w:r><w:t>x</w:t></w:r></w:p>");
  gsize len;
  const guint8 *data = g_bytes_get_data (good, &len);
  GRand *rand = g_rand_new_with_seed (4);

  for (gsize n = 0; n < len; n++) {
    g_autoptr (GBytes) cut = g_bytes_new (data, n);
    MgFilterResult result;
    rebuild (cut, &result);
    g_assert_cmpint (result.action, !=, MG_ACTION_KEPT);
    mg_filter_result_clear (&result);
  }
  for (guint i = 0; i < 2000; i++) {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    copy[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int (rand);
    g_autoptr (GBytes) bad = g_bytes_new (copy, len);
    MgFilterResult result;
    rebuild (bad, &result);
    g_assert_cmpint (result.action, !=, MG_ACTION_KEPT);
    mg_filter_result_clear (&result);
  }
  g_rand_free (rand);
}

#define MC_NS "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define WPS_NS "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
#define W14_NS "http://schemas.microsoft.com/office/word/2010/wordml"

/* The rebuilt document.xml of a document with BODY, and the result's reason. */
static char *
rebuilt_body (const char *body, MgReason *reason_r)
{
  g_autoptr (GBytes) input = docx_with_body (body);
  MgFilterResult result;

  rebuild (input, &result);
  g_assert_cmpint (result.action, ==, MG_ACTION_CONVERTED);
  *reason_r = result.reason;
  char *doc = document_of (result.output);
  mg_filter_result_clear (&result);
  return doc;
}

/* DOC holds none of ABSENT and all of PRESENT (NULL-terminated). */
static void
check_text (const char *doc, const char *const *absent, const char *const *present)
{
  for (guint i = 0; absent[i] != NULL; i++)
    g_assert_null (strstr (doc, absent[i]));
  for (guint i = 0; present[i] != NULL; i++)
    g_assert_nonnull (strstr (doc, present[i]));
}

/* mc:AlternateContent is resolved as a reader of the allowed namespaces
 * would: w14 is not one (its Fallback is taken), wps is (its Choice is). */
static void
test_alternate_content (void)
{
  MgReason reason;
  g_autofree char *doc = rebuilt_body (
      "<mc:AlternateContent xmlns:mc=\"" MC_NS "\" xmlns:w14=\"" W14_NS "\">"
      "<mc:Choice Requires=\"w14\"><w:p><w:r><w:t>choice-w14</w:t></w:r></w:p></mc:Choice>"
      "<mc:Fallback><w:p><w:r><w:t>fallback-1</w:t></w:r></w:p></mc:Fallback>"
      "</mc:AlternateContent>"
      "<w:p><w:r><mc:AlternateContent xmlns:mc=\"" MC_NS "\" xmlns:wps=\"" WPS_NS "\">"
      "<mc:Choice Requires=\"wps\"><w:t>choice-wps</w:t></mc:Choice>"
      "<mc:Fallback><w:t>fallback-2</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
      "<w:p w14:paraId=\"1A2B3C4D\" xmlns:w14=\"" W14_NS "\"><w:r><w14:glow w14:rad=\"1\"/>"
      "<w:t xml:space=\"preserve\"> kept </w:t></w:r></w:p>",
      &reason);

  check_text (doc,
              (const char *[]){ "choice-w14", "fallback-2", "AlternateContent", "paraId",
                                "glow", NULL },
              (const char *[]){ "fallback-1", "choice-wps",
                                "xml:space=\"preserve\"> kept </w:t>", NULL });
  /* extensions without links or HTML are no active content */
  g_assert_cmpint (reason, ==, MG_REASON_OFFICE_REBUILT);
}

/* Attributes whose values could be links, paths or HTML go from elements
 * that are on the list; elements of unknown namespaces go with their text. */
static void
test_allow_values (void)
{
  static const char *const unsafe[] = {
    "https://e.example/", "\\\\host\\share\\x.xsd",
    "file:///C:/x",       "FILE:x",
    " java\tscript:x",    "//host/x",
    "C:\\Windows\\x.xsd", "<script>x</script>",
    "a<iframe src=x>",    "%5c%5chost%5cs",
    "mhtml:x!y",          "ms-msdt:/id",
    "search-ms:query=x",  NULL,
  };
  static const char *const safe[] = {
    "Heading1",
    "dcterms:W3CDTF",
    "position:absolute;margin-left:0",
    "%1.",
    "<",
    "a < b",
    "{C809E66F-F1BF-436E-b5F7-EEA9579F0CBA}",
    "urn:schemas-microsoft-com:office:smarttags",
    "yyyy/MM/dd",
    "",
    NULL,
  };

  for (guint i = 0; unsafe[i] != NULL; i++)
    g_assert_false (mg_ooxml_allow_value (unsafe[i]));
  for (guint i = 0; safe[i] != NULL; i++)
    g_assert_true (mg_ooxml_allow_value (safe[i]));

  MgReason reason;
  g_autofree char *doc = rebuilt_body (
      "<w:p><w:customXml w:uri=\"file://host/s\" w:element=\"e\"><w:r><w:t>custom-text</w:t></w:r>"
      "</w:customXml></w:p><w:p><x:thing xmlns:x=\"urn:x-unknown\">hidden-text</x:thing>"
      "<w:r><w:t>visible</w:t></w:r></w:p>",
      &reason);
  check_text (doc, (const char *[]){ "file:", "hidden-text", NULL },
              (const char *[]){ "custom-text", "w:element=\"e\"", "visible", NULL });
  g_assert_cmpint (reason, ==, MG_REASON_OFFICE_ACTIVE);
}

/* Word's online video: the picture stays, the HTML player goes. */
static void
test_web_video (void)
{
  MgReason reason;
  g_autofree char *doc = rebuilt_body (
      "<w:p><w:r><w:drawing><wp:inline xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/"
      "wordprocessingDrawing\"><wp:extent cx=\"1\" cy=\"1\"/><wp:docPr id=\"1\" name=\"v\"/>"
      "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">"
      "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
      "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
      "<pic:nvPicPr><pic:cNvPr id=\"1\" name=\"v\"><a:extLst><a:ext uri=\"{C809E66F}\">"
      "<wp15:webVideoPr xmlns:wp15=\"http://schemas.microsoft.com/office/word/2012/"
      "wordprocessingDrawing\" embeddedHtml=\"&lt;script&gt;alert(1)&lt;/script&gt;&lt;iframe "
      "src=&quot;https://evil.example/&quot;&gt;\"/></a:ext></a:extLst></pic:cNvPr>"
      "</pic:nvPicPr></pic:pic></a:graphicData></a:graphic>"
      "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">"
      "<a:graphicData uri=\"http://schemas.openxmlformats.org/presentationml/2006/ole\">"
      "<a:t>ole-preview</a:t></a:graphicData></a:graphic>"
      "</wp:inline></w:drawing></w:r></w:p>",
      &reason);

  check_text (doc,
              (const char *[]){ "script", "evil.example", "webVideoPr", "ole-preview", NULL },
              (const char *[]){ "pic:cNvPr", "drawingml/2006/picture", NULL });
  g_assert_cmpint (reason, ==, MG_REASON_OFFICE_ACTIVE);
}

/* A part whose root is in no allowed namespace: the document is removed. */
static void
test_foreign_root (void)
{
  g_autoptr (GBytes) input = docx_with_document (
      "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script/></html>");

  expect_removed (input, MG_REASON_CONVERT_FAILED);
}

/* The compound file reader on a real .doc, cut short and corrupted: it
 * answers every time, and sees the real file as a Word file, not encrypted. */
static void
test_cfb (void)
{
  const char *root = g_getenv ("MUGAI_SRCDIR");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "test", "data",
                                            "office", "legacy.doc", NULL);
  g_autofree char *data = NULL;
  gsize len;
  GRand *rand = g_rand_new_with_seed (7);

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_autoptr (GBytes) doc = g_bytes_new_static (data, len);
  g_assert_true (mg_office_cfb_has (doc, "WordDocument"));
  g_assert_false (mg_office_cfb_encrypted (doc));
  for (gsize n = 0; n < len; n += 61) {
    g_autoptr (GBytes) cut = g_bytes_new_static (data, n);
    (void) mg_office_cfb_encrypted (cut);
  }
  for (guint i = 0; i < 3000; i++) {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    for (guint k = 0; k < 4; k++)
      copy[g_rand_int_range (rand, 0, (gint32) MIN (len, 4096))] = (guint8) g_rand_int (rand);
    g_autoptr (GBytes) bad = g_bytes_new (copy, len);
    (void) mg_office_cfb_encrypted (bad);
    (void) mg_office_cfb_has (bad, "Workbook");
  }
  g_rand_free (rand);
}

/* A batch of pictures for one LibreOffice run, as the converter reads what a
 * worker wrote: packed and read back item by item; a length past the end, a
 * cut length or more items than allowed is no batch. */
static void
test_batch (void)
{
  g_autoptr (GPtrArray)
      items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (items, g_bytes_new_static ("emf", 3));
  g_ptr_array_add (items, g_bytes_new_static ("", 0));
  g_ptr_array_add (items, g_bytes_new_static ("\x01\x00\x00\x00"
                                              "data",
                                              8));
  g_autoptr (GBytes) batch = mg_office_batch_pack (items);
  g_autoptr (GPtrArray) back = mg_office_batch_unpack (batch, 3);

  g_assert_nonnull (back);
  g_assert_cmpuint (back->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (back, i), g_ptr_array_index (items, i)));
  g_assert_null (mg_office_batch_unpack (batch, 2));
  gsize len;
  const guint8 *d = g_bytes_get_data (batch, &len);
  for (gsize cut = 1; cut < len; cut++) {
    g_autoptr (GBytes) part = g_bytes_new (d, cut);
    g_autoptr (GPtrArray) got = mg_office_batch_unpack (part, 3);
    /* only a cut between items reads, and then as fewer items */
    g_assert_true (got == NULL || got->len < 3);
  }
  static const guint8 past[] = { 0xff, 0xff, 0xff, 0xf0, 'e', 'm', 'f' };
  g_autoptr (GBytes) bad = g_bytes_new_static (past, sizeof past);
  g_assert_null (mg_office_batch_unpack (bad, 3));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  config = mg_config_new_default ();
  g_test_add_func ("/ooxml/formulas", test_formulas);
  g_test_add_func ("/ooxml/fields", test_fields);
  g_test_add_func ("/ooxml/bad-packages", test_bad_packages);
  g_test_add_func ("/ooxml/limits", test_limits);
  g_test_add_func ("/ooxml/batch", test_batch);
  g_test_add_func ("/ooxml/truncated-and-corrupted", test_truncated_and_corrupted);
  g_test_add_func ("/ooxml/alternate-content", test_alternate_content);
  g_test_add_func ("/ooxml/allow-values", test_allow_values);
  g_test_add_func ("/ooxml/web-video", test_web_video);
  g_test_add_func ("/ooxml/foreign-root", test_foreign_root);
  g_test_add_func ("/office/cfb", test_cfb);
  status = g_test_run ();
  mg_config_free (config);
  return status;
}
