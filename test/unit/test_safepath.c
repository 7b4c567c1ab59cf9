/* test_safepath.c - untrusted names as relative paths that cannot escape. */
#include <string.h>

#include "util/safepath.h"

static void
test_relative_refused (void)
{
  static const char *const names[] = {
    "../../etc/x",
    "/abs",
    "\\abs",
    "C:\\x",
    "c:x",
    "\\\\server\\share\\x",
    "a/../../b",
    "a\\..\\..\\b",
    "..",
    "...",
    ". .",
    "a/../b",
    "",
    "/",
    "./.",
    NULL,
  };

  for (guint i = 0; names[i] != NULL; i++) {
    const char *why = NULL;
    g_autofree char *path = mg_safepath_relative (names[i], &why);
    if (path != NULL)
      g_error ("\"%s\" became \"%s\"", names[i], path);
    g_assert_nonnull (why);
  }
}

static void
test_relative_cleaned (void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "a.txt", "a.txt" },
    { "./dir//sub/./a.txt", "dir/sub/a.txt" },
    { "フォルダ\\資料～.txt", "フォルダ/資料～.txt" },
    { "dir/a.txt:stream", "dir/a.txt_stream" },
    { "dir/x\u202Etxt.exe", "dir/x_txt.exe" },
    { "con.txt", "_con.txt" },
    { "LPT1", "_LPT1" },
    { "dir./a. ", "dir/a" },
    { ".hidden/.profile", "hidden/profile" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const char *why = NULL;
    g_autofree char *path = mg_safepath_relative (cases[i].in, &why);
    g_assert_cmpstr (path, ==, cases[i].out);
  }
}

static void
test_component (void)
{
  g_autofree char *long_name = g_strnfill (400, 'a');
  g_autofree char *cut = mg_safepath_component (long_name, MG_SAFEPATH_COMPONENT_MAX);

  g_assert_cmpuint (strlen (cut), <=, MG_SAFEPATH_COMPONENT_MAX);
  g_assert_null (mg_safepath_component ("...", 150));
  g_assert_null (mg_safepath_component ("\xff\xfe", 150));
  g_assert_null (mg_safepath_component (NULL, 150));
}

static void
test_with_extension (void)
{
  static const struct {
    const char *in, *ext, *out;
  } cases[] = {
    { "a.docm", ".docx", "a.docx" },
    { "a.tar.gz", ".zip", "a.zip" },
    { "A.TGZ", ".zip", "A.zip" },
    { "a.txt.gz", ".zip", "a.txt.zip" },
    { "a.zip", ".zip", "a.zip" },
    { "noext", ".txt", "noext.txt" },
    { "a.verylongext", ".txt", "a.verylongext.txt" },
    { "dir.d/file", ".txt", "dir.d/file.txt" },
    { "a.txt", NULL, "a.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *out = mg_safepath_with_extension (cases[i].in, cases[i].ext);
    g_assert_cmpstr (out, ==, cases[i].out);
  }
  g_assert_cmpstr (mg_safepath_basename ("a/b/c.txt"), ==, "c.txt");
  g_assert_cmpstr (mg_safepath_basename ("c.txt"), ==, "c.txt");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/safepath/relative-refused", test_relative_refused);
  g_test_add_func ("/safepath/relative-cleaned", test_relative_cleaned);
  g_test_add_func ("/safepath/component", test_component);
  g_test_add_func ("/safepath/with-extension", test_with_extension);
  return g_test_run ();
}
