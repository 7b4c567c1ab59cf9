/* test_html.c - HTML to text: what is dropped, how links, lists, tables and
 * Japanese charsets come out, and that hostile nesting stays bounded. */
#include <string.h>

#include "filters/html.h"
#include "filters/registry.h"

static void
assert_html (const char *html, const char *charset, const char *expected)
{
  g_autofree char *text = mg_html_to_text (html, strlen (html), charset);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_active_content_dropped (void)
{
  const char *html =
      "<html><head><title>TITLE</title>"
      "<meta http-equiv=\"refresh\" content=\"0;url=https://refresh.example/\">"
      "<style>p { background: url(https://css.example/x.png) }</style>"
      "<script>alert('SCRIPT')</script></head><body>"
      "<!-- COMMENT --><p>本文です。</p>"
      "<script>document.write('SCRIPT2')</script>"
      "<iframe src=\"https://frame.example/\">IFRAME</iframe>"
      "<object data=\"x.swf\"><param name=a value=PARAM>OBJECT</object>"
      "<embed src=\"x.swf\"><noscript>NOSCRIPT</noscript>"
      "<form action=\"https://form.example/\"><input type=\"hidden\" name=\"t\" value=\"HIDDEN\">"
      "<textarea>TEXTAREA</textarea><select><option>OPTION</option></select></form>"
      "<svg><text>SVG</text></svg><template>TEMPLATE</template>"
      "<div style=\"display: none\">DISPLAYNONE</div><span hidden>HIDDENATTR</span>"
      "<p style=\"mso-hide: all\">MSOHIDE</p>"
      "<p>以上</p></body></html>";
  static const char *const absent[] = {
    "TITLE",    "refresh",       "css.example", "SCRIPT", "COMMENT",
    "IFRAME",   "frame.example", "OBJECT",      "PARAM",  "NOSCRIPT",
    "HIDDEN",   "form.example",  "TEXTAREA",    "OPTION", "SVG",
    "TEMPLATE", "DISPLAYNONE",   "MSOHIDE",     NULL
  };
  g_autofree char *text = mg_html_to_text (html, strlen (html), "utf-8");

  g_assert_cmpstr (text, ==, "本文です。\n\n以上");
  for (guint i = 0; absent[i] != NULL; i++)
    g_assert_null (strstr (text, absent[i]));
}

static void
test_links (void)
{
  assert_html ("<p><a href=\"https://example.jp/x\">こちら</a>をご覧ください。</p>", NULL,
               "こちら <https://example.jp/x>をご覧ください。");
  /* text that looks like a URL never hides the real target */
  assert_html ("<a href=\"https://evil.example/\">https://bank.example/</a>", NULL,
               "https://bank.example/ <https://evil.example/>");
  assert_html ("<a href=\"https://bank.example/\">https://bank.example/</a>", NULL,
               "<https://bank.example/>");
  assert_html ("see <a href=\" https://a.example/\n\">\n https://a.example/ </a>.", NULL,
               "see <https://a.example/>.");
  assert_html ("<a href=\"https://img.example/\"><img src=\"x.png\"></a>", NULL,
               "<https://img.example/>");
  assert_html ("<a href=\"mailto:info@example.jp\">info@example.jp</a>", NULL,
               "info@example.jp <mailto:info@example.jp>");
  assert_html ("<a href=\"#top\">先頭へ</a>", NULL, "先頭へ");
  assert_html ("<a>no target</a>", NULL, "no target");
}

static void
test_link_schemes (void)
{
  assert_html ("<a href=\"javascript:alert(1)\">click</a>", NULL, "click <javascript:…>");
  assert_html ("<a href=\"java&#x09;script:alert(1)\">x</a>", NULL, "x <javascript:…>");
  assert_html ("<a href=\" JavaScript:alert(1)\">x</a>", NULL, "x <javascript:…>");
  assert_html ("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>", NULL, "x <data:…>");
  assert_html ("<a href=\"vbscript:msgbox\">x</a>", NULL, "x <vbscript:…>");
  assert_html ("<a href=\"file://server/share/a.exe\">x</a>", NULL, "x <file:…>");
  assert_html ("<a href=\"ms-msdt:/id PCWDiagnostic\">x</a>", NULL, "x <ms-msdt:…>");
  /* characters that could end the brackets or turn the text around are escaped */
  assert_html ("<a href=\"https://a.example/a b>c&#x202E;d\">x</a>", NULL,
               "x <https://a.example/a%20b%3Ec%E2%80%AEd>");
}

static void
test_entities_and_whitespace (void)
{
  assert_html ("<p>A &amp; B &#x3042;&#12354; a&nbsp;&nbsp;b &lt;tag&gt;</p>", NULL,
               "A & B ああ a  b <tag>");
  assert_html ("<p>  one\n\t two   three  </p>", NULL, "one two three");
  /* a line break between Japanese characters is no space (CSS Text 3) */
  assert_html ("<p>こんにちは、\n世界。\nHello\nworld</p>", NULL,
               "こんにちは、世界。 Hello world");
  assert_html ("<pre>  a\n    b  </pre>after", NULL, "  a\n    b\n\nafter");
  assert_html ("", NULL, "");
  assert_html ("<html><body></body></html>", NULL, "");
}

static void
test_blocks (void)
{
  assert_html ("<h1>題</h1><p>一</p><div>二</div><div>三</div>a<br>b<br><br>c<hr>d", NULL,
               "題\n\n一\n\n二\n三\na\nb\n\nc\n"
               "----------------------------------------\nd");
  assert_html ("<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul>after", NULL,
               "・ one\n・ two\n  1. a\n  2. b\n\nafter");
  assert_html ("<table><tr><th>名前</th><th></th><th>値</th></tr>"
               "<tr><td>A</td><td>1</td></tr></table>",
               NULL, "名前 | 値\nA | 1");
  assert_html ("<blockquote><p>引用</p><p>二段落</p></blockquote>返信", NULL,
               "> 引用\n\n> 二段落\n\n返信");
  assert_html ("<p>a</p><br><br><br><br><br><p>b</p>", NULL, "a\n\n\nb");
  assert_html ("<img src=\"https://track.example/p.gif\" alt=\" ロゴ \">"
               "<img src=\"https://track.example/q.gif\">",
               NULL, "[ロゴ]");
}

/* Shift_JIS bytes for "①～髙テスト" (CP932: NEC special, wave dash, IBM extension). */
#define SJIS_TEXT "\x87\x40\x81\x60\xFB\xFC\x83\x65\x83\x58\x83\x67"

static void
test_shift_jis_meta (void)
{
  assert_html ("<html><head><meta charset=\"Shift_JIS\"></head><body><p>" SJIS_TEXT
               "</p></body></html>",
               NULL, "①～髙テスト");
  assert_html ("<html><head><meta http-equiv=\"Content-Type\" "
               "content=\"text/html; charset=shift_jis\"></head><body>" SJIS_TEXT
               "</body></html>",
               NULL, "①～髙テスト");
  /* the MIME label wins over a meta that says otherwise */
  assert_html ("<meta charset=\"utf-8\"><p>" SJIS_TEXT "</p>", "Shift_JIS", "①～髙テスト");
  /* a meta in UTF-8 bytes never makes libxml2 decode them a second time */
  assert_html ("<meta charset=\"Shift_JIS\"><p>①～髙</p>", "utf-8", "①～髙");
}

static void
test_deep_nesting (void)
{
  GString *html = g_string_new ("<html><body>before");

  for (int i = 0; i < 100000; i++)
    g_string_append (html, "<div>");
  g_string_append (html, "deep");
  g_autofree char *text = mg_html_to_text (html->str, html->len, "utf-8");
  /* libxml2 stops at 256 levels; what follows is cut and marked */
  g_assert_cmpstr (text, ==, "before\n[…]");
  g_string_free (html, TRUE);
}

static void
test_many_siblings (void)
{
  GString *html = g_string_new (NULL);

  for (int i = 0; i < 100000; i++)
    g_string_append (html, "<li>x");
  g_autofree char *text = mg_html_to_text (html->str, html->len, "utf-8");
  g_assert_cmpuint (strlen (text), ==, 100000 * strlen ("・ x\n") - 1);
  g_string_free (html, TRUE);
}

/* Every prefix of a document converts without a fault (run under ASan). */
static void
test_every_prefix (void)
{
  const char *html = "<html><head><meta charset=shift_jis><title>t</title></head><body>"
                     "<p>a<a href=\"java\tscript:x\">l<img alt=b></a><table><tr><td>c"
                     "<td><ul><li>d<ol><li>e</ol></ul><pre>f\n g</pre>" SJIS_TEXT
                     "<blockquote>h&amp;&#x3042</blockquote><!-- i";

  for (gsize n = 0; n <= strlen (html); n++) {
    g_autofree char *prefix = g_strndup (html, n);
    g_autofree char *text = mg_html_to_text (prefix, n, NULL);
    g_assert_true (g_utf8_validate (text, -1, NULL));
  }
}

static void
test_filter (void)
{
  const char
      *html = "<p>請求書を<a href=\"https://example.jp/\">こちら</a></p><script>x</script>";
  g_autoptr (GBytes) input = g_bytes_new_static (html, strlen (html));
  MgFilterInput in = { .detected_type = "text/html", .filename = "a.html" };
  MgFilterResult result = { 0 };
  const MgFilter *filter = mg_filter_registry_find ("text/html");
  gsize len;

  g_assert_nonnull (filter);
  g_assert_true (mg_filter_registry_find ("application/xhtml+xml") == filter);
  g_assert_true (filter->sanitise (input, &in, &result, NULL));
  g_assert_cmpint (result.action, ==, MG_ACTION_CONVERTED);
  g_assert_cmpint (result.reason, ==, MG_REASON_HTML_TO_TEXT);
  g_assert_cmpstr (result.output_type, ==, "text/plain");
  g_assert_cmpstr (result.output_extension, ==, ".txt");
  const char *out = g_bytes_get_data (result.output, &len);
  g_assert_cmpmem (out, len, "請求書をこちら <https://example.jp/>\n",
                   strlen ("請求書をこちら <https://example.jp/>\n"));
  mg_filter_result_clear (&result);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/html/active-content-dropped", test_active_content_dropped);
  g_test_add_func ("/html/links", test_links);
  g_test_add_func ("/html/link-schemes", test_link_schemes);
  g_test_add_func ("/html/entities-whitespace", test_entities_and_whitespace);
  g_test_add_func ("/html/blocks", test_blocks);
  g_test_add_func ("/html/shift-jis-meta", test_shift_jis_meta);
  g_test_add_func ("/html/deep-nesting", test_deep_nesting);
  g_test_add_func ("/html/many-siblings", test_many_siblings);
  g_test_add_func ("/html/every-prefix", test_every_prefix);
  g_test_add_func ("/html/filter", test_filter);
  return g_test_run ();
}
