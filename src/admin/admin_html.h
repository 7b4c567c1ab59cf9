/* admin_html.h - server-rendered HTML: escaping, the page frame, the style.
 *
 * Every value put into a page goes through mg_admin_html_printf, which
 * escapes each string argument for HTML text and double-quoted attributes
 * (g_markup_printf_escaped); formats are constants of this program. Pages
 * need no JavaScript and load nothing but /style.css.
 */
#pragma once
#include <glib.h>

#include "admin/admin_session.h"
#include "admin/admin_text.h"

typedef struct {
  MgLang lang;
  const char *title;             /* a text of admin_text */
  const MgAdminSession *session; /* NULL when logged out */
} MgAdminPage;

/* Append FORMAT with every string argument escaped. Strings must be valid
 * UTF-8 (what admin_http and the quarantine give). Characters that are not
 * seen but change how the text reads (bidi controls such as U+202E, zero-width
 * and other format characters, separators, controls) are shown as "<U+202E>",
 * so that "請求書<U+202E>fdp.exe" cannot pass for "請求書exe.pdf". */
void mg_admin_html_printf (GString *out, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* TEXT cut after MAX_CHARS characters with "…" (for lists; the item page
 * shows the whole value), owned by the caller; NULL for NULL. */
char *mg_admin_html_cut (const char *text, glong max_chars);

/* The head, the navigation (items, statistics, language, user, log out) and
 * the session's flash message, which is then forgotten. */
void mg_admin_html_begin (GString *out, const MgAdminPage *page, MgAdminSession *session);
void mg_admin_html_end (GString *out);

/* A message box; ERROR marks it as a refusal or failure. */
void mg_admin_html_message (GString *out, const char *message, gboolean error);
/* The hidden CSRF field of a form. */
void mg_admin_html_csrf (GString *out, const char *csrf);

/* The style sheet served at /style.css. */
const char *mg_admin_html_css (void);
