/* admin_html.c - escaping printf, page frame and style sheet.
 *
 * Must never append a string argument unescaped: text from messages (subjects,
 * senders, headers) is hostile.
 */
#include "admin/admin_html.h"

static const char css[] =
    "body{font-family:\"Noto Sans JP\",\"Hiragino Sans\",\"Yu Gothic\",Meiryo,sans-serif;"
    "margin:0;color:#222;background:#f6f7f9;font-size:15px}"
    "header{background:#1f3a5f;color:#fff;padding:.6em 1em;display:flex;gap:1.5em;"
    "align-items:center;flex-wrap:wrap}"
    "header a{color:#fff}header .title{font-weight:bold;font-size:1.1em}"
    "header form{margin:0}header .right{margin-left:auto;display:flex;gap:1em;align-items:center}"
    "main{padding:1em 1.5em;max-width:1200px}"
    "table{border-collapse:collapse;background:#fff;width:100%}"
    "th,td{border:1px solid #ccd;padding:.35em .5em;text-align:left;vertical-align:top}"
    "th{background:#e8ecf2;white-space:nowrap}"
    "td{overflow-wrap:anywhere}td.subject{word-break:break-all}td.nowrap{white-space:nowrap}"
    ".msg{padding:.6em 1em;border-radius:4px;margin:.5em 0;background:#e6f4ea;"
    "border:1px solid #9c9}"
    ".msg.error{background:#fdecea;border-color:#d99}"
    "form.filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;margin:.5em 0 1em}"
    "form.filters label{display:flex;flex-direction:column;font-size:.9em}"
    "section{background:#fff;border:1px solid #ccd;padding:.8em 1em;margin:1em 0}"
    "pre{white-space:pre-wrap;word-break:break-all;background:#f3f3f3;padding:.5em}"
    "button{padding:.3em 1em}button.danger{background:#b3261e;color:#fff;border:0}"
    ".withheld{color:#b3261e;font-weight:bold}.note{color:#555;font-size:.9em}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}"
    "dd{margin:0;word-break:break-all}";

const char *
mg_admin_html_css (void)
{
  return css;
}

/* TRUE for a character that changes how text around it reads without being
 * seen itself: format characters (bidi overrides and isolates, zero-width
 * spaces and joiners, soft hyphen, BOM, tags), line and paragraph separators,
 * control characters, and the Hangul fillers that render as blanks. */
static gboolean
invisible (gunichar c)
{
  switch (g_unichar_type (c)) {
  case G_UNICODE_FORMAT:
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR:
    return TRUE;
  case G_UNICODE_CONTROL:
    return c != '\n' && c != '\t';
  default:
    return c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0;
  }
}

/* Append TEXT (valid UTF-8) with every invisible character written as
 * "<U+XXXX>" (escaped: the text may be inside an attribute). The formats are
 * constants without such characters, so only values are affected. */
static void
append_visible (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (invisible (c))
      g_string_append_printf (out, "&lt;U+%04X&gt;", c);
    else
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
  }
}

void
mg_admin_html_printf (GString *out, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_markup_vprintf_escaped (format, ap);
  va_end (ap);
  append_visible (out, text);
}

char *
mg_admin_html_cut (const char *text, glong max_chars)
{
  g_autofree char *head = NULL;

  if (text == NULL || g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);
  head = g_utf8_substring (text, 0, max_chars);
  return g_strconcat (head, "\u2026", NULL);
}

void
mg_admin_html_message (GString *out, const char *message, gboolean error)
{
  mg_admin_html_printf (out, "<p class=\"msg%s\" role=\"status\">%s</p>\n",
                        error ? " error" : "", message);
}

void
mg_admin_html_csrf (GString *out, const char *csrf)
{
  mg_admin_html_printf (out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf);
}

static void
navigation (GString *out, const MgAdminPage *page)
{
  MgLang l = page->lang;
  const MgAdminSession *s = page->session;

  mg_admin_html_printf (out, "<header><span class=\"title\">%s</span>",
                        mg_msg (MG_MSG_UI_TITLE, l));
  if (s != NULL)
    mg_admin_html_printf (out, "<a href=\"/items\">%s</a><a href=\"/stats\">%s</a>",
                          mg_msg (MG_MSG_UI_ITEMS, l), mg_msg (MG_MSG_UI_STATS, l));
  mg_admin_html_printf (out, "<span class=\"right\"><a href=\"?lang=%s\" lang=\"%s\">%s</a>",
                        l == MG_LANG_EN ? "ja" : "en", l == MG_LANG_EN ? "ja" : "en",
                        mg_msg (MG_MSG_UI_LANG_SWITCH, l));
  if (s != NULL) {
    g_autofree char *who = g_strdup_printf (mg_msg (MG_MSG_UI_LOGGED_IN_AS, l), s->name,
                                            mg_admin_text_word (l, s->role));
    mg_admin_html_printf (out, "<span>%s</span><form method=\"post\" action=\"/logout\">",
                          who);
    mg_admin_html_csrf (out, s->csrf);
    mg_admin_html_printf (out, "<button>%s</button></form>", mg_msg (MG_MSG_UI_LOGOUT, l));
  }
  g_string_append (out, "</span></header>\n");
}

void
mg_admin_html_begin (GString *out, const MgAdminPage *page, MgAdminSession *session)
{
  mg_admin_html_printf (out,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width\">"
                        "<title>%s - %s</title><link rel=\"stylesheet\" href=\"/style.css\">"
                        "</head><body>\n",
                        page->lang == MG_LANG_EN ? "en" : "ja", page->title,
                        mg_msg (MG_MSG_UI_TITLE, page->lang));
  navigation (out, page);
  mg_admin_html_printf (out, "<main><h1>%s</h1>\n", page->title);
  if (session != NULL && session->flash != NULL) {
    mg_admin_html_message (out, session->flash, session->flash_error);
    g_clear_pointer (&session->flash, g_free);
  }
}

void
mg_admin_html_end (GString *out)
{
  g_string_append (out, "</main></body></html>\n");
}
