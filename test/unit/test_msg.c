/* test_msg.c - the catalogue (common/msg.h): every id has its row, both
 * languages say something, in valid UTF-8, with the same printf conversions
 * in the same order (a Japanese form with one %s too few or a %d for a %s
 * would print garbage or crash where the English is checked by the
 * compiler). */
#include <string.h>

#include "common/msg.h"
#include "common/verdict.h"

/* Appends to OUT the conversion at *P (just after its '%'): its argument
 * position if any, every '*' (an int argument), its length modifier and
 * letter, e.g. "s", "lu", "*" then "s" for "%.*s"; nothing for "%%". Moves
 * *P past it. FALSE on a conversion printf would not accept. */
static gboolean
conversion (const char **p, GPtrArray *out)
{
  const char *s = *p;
  const char *position = s;
  GString *spec;

  if (*s == '%') {
    *p = s + 1;
    return TRUE;
  }
  while (g_ascii_isdigit (*s))
    s++;
  if (*s != '$')
    s = position;
  spec = g_string_new_len (position, s == position ? 0 : s + 1 - position);
  if (*s == '$')
    s++;
  s += strspn (s, "-+ #0'");
  for (int part = 0; part < 2; part++) {
    if (part == 1 && *s == '.')
      s++;
    else if (part == 1)
      break;
    if (*s == '*') {
      g_ptr_array_add (out, g_strdup ("*"));
      s++;
    }
    while (g_ascii_isdigit (*s))
      s++;
  }
  const char *length = s;
  s += strspn (s, "hlLqjzt");
  if (*s == '\0' || strchr ("diouxXeEfFgGaAcsp", *s) == NULL || s - length > 2) {
    g_string_free (spec, TRUE);
    return FALSE;
  }
  g_string_append_len (spec, length, s + 1 - length);
  g_ptr_array_add (out, g_string_free (spec, FALSE));
  *p = s + 1;
  return TRUE;
}

/* The conversions of FORMAT in order, or NULL if one is malformed. */
static GPtrArray *
conversions (const char *format)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = strchr (format, '%'); p != NULL; p = strchr (p, '%')) {
    p++;
    if (!conversion (&p, out))
      return NULL;
  }
  return g_steal_pointer (&out);
}

static char *
joined (const char *format)
{
  g_autoptr (GPtrArray) list = conversions (format);

  if (list == NULL)
    return g_strdup ("(malformed)");
  g_ptr_array_add (list, NULL);
  return g_strjoinv (" ", (char **) list->pdata);
}

static void
test_parser (void)
{
  static const struct {
    const char *format, *expected;
  } cases[] = {
    { "no conversion", "" },
    { "100%% sure, %%s is not one", "" },
    { "%s: %u problems", "s u" },
    { "%-10s %6u %zu %.*s", "s u zu * s" },
    { "%" G_GINT64_FORMAT " s, %" G_GSIZE_FORMAT " bytes",
      G_GINT64_FORMAT " " G_GSIZE_FORMAT },
    { "%2$s then %1$s", "2$s 1$s" },
    { "%lld %hhx %Lf %p %c", "lld hhx Lf p c" },
    { "ends in %", "(malformed)" },
    { "%y is no conversion", "(malformed)" },
    { "%lllld is too long", "(malformed)" },
    { "全角の％は文字で、%s は変換", "s" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *got = joined (cases[i].format);
    g_assert_cmpstr (got, ==, cases[i].expected);
  }
}

static void
check_text (MgMsgId id, const char *lang, const char *text)
{
  if (text == NULL || *text == '\0')
    g_error ("row %d: no %s text", id, lang);
  if (!g_utf8_validate (text, -1, NULL))
    g_error ("row %d: the %s text is not valid UTF-8", id, lang);
}

static void
test_every_row (void)
{
  g_assert_cmpuint (mg_msg_n_rows (), ==, MG_MSG_COUNT);
  for (int id = 0; id < MG_MSG_COUNT; id++) {
    const MgMsg *row = mg_msg_row ((MgMsgId) id);
    g_autofree char *en = NULL, *ja = NULL;

    if (row == NULL || row->id != (MgMsgId) id)
      g_error ("id %d: the row at its place has id %d", id, row != NULL ? (int) row->id : -1);
    check_text (row->id, "English", row->en);
    check_text (row->id, "Japanese", row->ja);
    en = joined (row->en);
    ja = joined (row->ja);
    if (strcmp (en, "(malformed)") == 0 || strcmp (en, ja) != 0)
      g_error ("row %d (\"%s\"): conversions \"%s\" in English, \"%s\" in Japanese", id,
               row->en, en, ja);
    g_assert_true (mg_msg ((MgMsgId) id, MG_LANG_EN) == row->en);
    g_assert_true (mg_msg ((MgMsgId) id, MG_LANG_JA) == row->ja);
  }
  g_assert_null (mg_msg_row (MG_MSG_COUNT));
}

/* The web UI turns the report's English reasons back into ids: no two
 * reasons may read the same. */
static void
test_reasons (void)
{
  g_assert_cmpstr (mg_reason_text (MG_REASON_NONE, MG_LANG_JA), ==, "");
  for (int r = MG_REASON_NONE + 1; r < MG_REASON_COUNT; r++) {
    g_assert_cmpstr (mg_reason_text ((MgReason) r, MG_LANG_EN), ==,
                     mg_msg (MG_MSG_REASON_FIRST + r - 1, MG_LANG_EN));
    for (int other = r + 1; other < MG_REASON_COUNT; other++)
      g_assert_cmpstr (mg_reason_text ((MgReason) r, MG_LANG_EN), !=,
                       mg_reason_text ((MgReason) other, MG_LANG_EN));
  }
  g_assert_cmpstr (mg_reason_text (MG_REASON_VIRUS, MG_LANG_JA), ==,
                   "ウイルスが検出されました");
  g_assert_cmpint (mg_msg_lang ("ja"), ==, MG_LANG_JA);
  g_assert_cmpint (mg_msg_lang ("en"), ==, MG_LANG_EN);
  g_assert_cmpint (mg_msg_lang (NULL), ==, MG_LANG_EN);
}

/* The CLI finds a row by its English: no two may read the same. */
static void
test_find (void)
{
  for (int id = MG_MSG_CLI_FIRST; id < MG_MSG_CLI_END; id++) {
    MgMsgId first = id < MG_MSG_CLI_PHRASE_FIRST ? MG_MSG_CLI_FIRST : MG_MSG_CLI_PHRASE_FIRST;
    MgMsgId end = id < MG_MSG_CLI_PHRASE_FIRST ? MG_MSG_CLI_PHRASE_FIRST : MG_MSG_CLI_END;
    g_assert_cmpint (mg_msg_find (mg_msg (id, MG_LANG_EN), first, end), ==, id);
  }
  g_assert_cmpint (
      mg_msg_find ("configuration error: %s", MG_MSG_CLI_FIRST, MG_MSG_CLI_PHRASE_FIRST), ==,
      MG_MSG_CLI_CONFIGURATION_ERROR);
  g_assert_cmpint (mg_msg_find ("not in the catalogue", 0, MG_MSG_COUNT), ==, MG_MSG_COUNT);
}

/* Phrases of a message made elsewhere are replaced where they stand. */
static void
test_replace (void)
{
  static const char *const message = "cannot be opened: No such file or directory";
  g_autofree char *ja = mg_msg_replace (message, MG_MSG_CLI_PHRASE_FIRST, MG_MSG_CLI_END,
                                        MG_LANG_JA);
  g_autofree char *en = mg_msg_replace (message, MG_MSG_CLI_PHRASE_FIRST, MG_MSG_CLI_END,
                                        MG_LANG_EN);
  g_autofree char *size = mg_msg_replace ("larger than [limits] message_size (2000 bytes)",
                                          MG_MSG_CLI_PHRASE_FIRST, MG_MSG_CLI_END, MG_LANG_JA);

  g_assert_cmpstr (ja, ==, "開けません: ファイルまたはフォルダがありません");
  g_assert_cmpstr (en, ==, message);
  g_assert_cmpstr (size, ==, "[limits] message_size（2000 バイト）を超える大きさです");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/msg/conversion-parser", test_parser);
  g_test_add_func ("/msg/every-row", test_every_row);
  g_test_add_func ("/msg/reasons", test_reasons);
  g_test_add_func ("/msg/find", test_find);
  g_test_add_func ("/msg/replace", test_replace);
  return g_test_run ();
}
