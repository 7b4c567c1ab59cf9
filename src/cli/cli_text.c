/* cli_text.c - the messages of `mugai` in its language (see cli_text.h).
 *
 * Their Japanese forms are rows of the catalogue (msg_cli.c), found by their
 * English: the compiler checks each call's format in English, and test_msg
 * that the Japanese form has the same conversions in the same order.
 */
#include "cli/cli_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/msg.h"

gboolean
mg_cli_text_ja (void)
{
  static gsize once = 0;
  static gboolean ja = FALSE;

  if (g_once_init_enter (&once)) {
    static const char *const names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
      const char *value = g_getenv (names[i]);
      if (value != NULL && *value != '\0') {
        ja = g_str_has_prefix (value, "ja");
        break;
      }
    }
    g_once_init_leave (&once, 1);
  }
  return ja;
}

const char *
mg_cli_text (const char *format)
{
  MgMsgId id;

  if (!mg_cli_text_ja ())
    return format;
  id = mg_msg_find (format, MG_MSG_CLI_FIRST, MG_MSG_CLI_PHRASE_FIRST);
  return id != MG_MSG_COUNT ? mg_msg (id, MG_LANG_JA) : format;
}

char *
mg_cli_text_message (const char *message)
{
  return mg_msg_replace (message, MG_MSG_CLI_PHRASE_FIRST, MG_MSG_CLI_END,
                         mg_cli_text_ja () ? MG_LANG_JA : MG_LANG_EN);
}

static char *
vformat (const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (mg_cli_text (format), args);

  return mg_cli_text_message (message);
}

void
mg_cli_error (const char *who, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = vformat (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\n", who, text);
}

void
mg_cli_vprint (const char *format, va_list args)
{
  g_autofree char *text = vformat (format, args);

  puts (text);
}

void
mg_cli_print (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  mg_cli_vprint (format, args);
  va_end (args);
}
