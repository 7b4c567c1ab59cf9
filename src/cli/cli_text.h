/* cli_text.h - the language of what `mugai` prints as errors and findings.
 *
 * Like the notices, messages follow the locale: Japanese when the first set
 * of LC_ALL, LC_MESSAGES and LANG names a Japanese locale ("ja_JP.UTF-8",
 * "ja"), English otherwise. It is decided from the variables, not from
 * setlocale(), so that a machine without the ja_JP locale compiled still
 * speaks Japanese. The code writes messages in English; their Japanese forms
 * are rows of the catalogue (common/msg_cli.c): whole formats (the same
 * conversions in the same order) and phrases of messages made elsewhere (a
 * GError's, the system's error texts). Anything not in it stays English.
 */
#pragma once
#include <glib.h>
#include <stdarg.h>

/* Whether messages are in Japanese (read once). */
gboolean mg_cli_text_ja (void);
/* FORMAT, or its Japanese form. */
const char *mg_cli_text (const char *format);
/* MESSAGE (made elsewhere) with every known phrase in Japanese (newly
 * allocated; a copy in English). */
char *mg_cli_text_message (const char *message);
/* "WHO: MESSAGE\n" on stderr, FORMAT and the phrases in the language. */
void mg_cli_error (const char *who, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* MESSAGE and a newline on stdout, in the language. */
void mg_cli_print (const char *format, ...) G_GNUC_PRINTF (1, 2);
void mg_cli_vprint (const char *format, va_list args) G_GNUC_PRINTF (1, 0);
