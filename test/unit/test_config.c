/* test_config.c - the configuration table, conf/mugai.conf and doc/ agree,
 * and the loader refuses what it must. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"

static char *
src_path (const char *rel)
{
  const char *root = g_getenv ("MUGAI_SRCDIR");
  return g_build_filename (root != NULL ? root : ".", rel, NULL);
}

/* Every key of the table is in conf/mugai.conf with its default, and the
 * reverse: the shipped file holds no key the code does not know. */
static void
test_conf_matches_table (void)
{
  g_autofree char *path = src_path ("conf/mugai.conf");
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;

  g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error));
  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++) {
    g_autofree char *v = g_key_file_get_value (kf, k->group, k->key, NULL);
    g_assert_nonnull (v);
    g_assert_cmpstr (g_strstrip (v), ==, k->default_value);
  }
  config = mg_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
}

/* Every key has its own table row "| [group] | `key` |" at the start of a
 * line: a key name used in two groups needs a row in each. */
static void
assert_doc_mentions_every_key (const char *rel)
{
  g_autofree char *path = src_path (rel);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++) {
    g_autofree char *row = g_strdup_printf ("\n| [%s] | `%s` |", k->group, k->key);
    if (strstr (text, row) == NULL)
      g_error ("%s has no row | [%s] | `%s` |", rel, k->group, k->key);
  }
}

static gboolean
key_known (const char *group, const char *key)
{
  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++)
    if (g_str_equal (k->group, group) && g_str_equal (k->key, key))
      return TRUE;
  return FALSE;
}

/* The reverse: every "| [group] | `key` |" row of a doc names a real key. */
static void
assert_doc_has_no_unknown_key (const char *rel)
{
  g_autofree char *path = src_path (rel);
  g_autofree char *text = NULL;
  g_autoptr (GRegex)
      row = g_regex_new ("^\\| \\[(\\w+)\\] \\| `(\\w+)`", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr (GMatchInfo) m = NULL;
  int rows = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (g_regex_match (row, text, 0, &m); g_match_info_matches (m);
       g_match_info_next (m, NULL)) {
    g_autofree char *group = g_match_info_fetch (m, 1);
    g_autofree char *key = g_match_info_fetch (m, 2);
    if (!key_known (group, key))
      g_error ("%s documents [%s] %s, which the code does not know", rel, group, key);
    rows++;
  }
  g_assert_cmpint (rows, >, 0);
}

static void
assert_man_page_has_every_key (void)
{
  g_autofree char *path = src_path ("doc/man/mugai.conf.5");
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const MgConfKey *k = mg_config_keys (); k->group != NULL; k++) {
    g_autofree char *needle = g_strdup_printf (".B %s = %s\n", k->key, k->default_value);
    g_autofree char *group = g_strdup_printf (".SH [%s]", k->group);
    if (strstr (text, needle) == NULL || strstr (text, group) == NULL)
      g_error ("mugai.conf(5) does not document [%s] %s", k->group, k->key);
  }
}

static void
test_docs_document_every_key (void)
{
  assert_doc_mentions_every_key ("doc/configuration.md");
  assert_doc_mentions_every_key ("doc/ja/configuration.md");
  assert_doc_has_no_unknown_key ("doc/configuration.md");
  assert_doc_has_no_unknown_key ("doc/ja/configuration.md");
  assert_man_page_has_every_key ();
}

static MgConfig *
load_text (const char *text, GError **error)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("mugai-conf-XXXXXX", &path, NULL);
  MgConfig *config;

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  close (fd);
  config = mg_config_load (path, error);
  g_unlink (path);
  return config;
}

static void
test_rejects_bad_values (void)
{
  const char *bad[] = {
    "[policy]\non_virus = maybe\n", "[limits]\nparts = 0\n",     "[limits]\nparts = 12x\n",
    "[nosuch]\nkey = 1\n",          "[notice]\nlanguage = fr\n", "not an ini file",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (MgConfig) config = load_text (bad[i], &error);
    g_assert_null (config);
    g_assert_nonnull (error);
  }
}

static void
test_inline_comments_and_choices (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = load_text (
      "[policy]\non_virus = reject   ; answer 550\noutput_charset = ISO-2022-JP\n"
      "[notice]\nlanguage = en\n[limits]\nparts = 42 # fewer\n",
      &error);

  g_assert_no_error (error);
  g_assert_cmpint (config->on_virus, ==, MG_ON_VIRUS_REJECT);
  g_assert_cmpint (config->output_charset, ==, MG_OUTPUT_ISO2022JP);
  g_assert_cmpstr (config->notice_language, ==, "en");
  g_assert_cmpint (config->limits.parts, ==, 42);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/conf-matches-table", test_conf_matches_table);
  g_test_add_func ("/config/docs-document-every-key", test_docs_document_every_key);
  g_test_add_func ("/config/rejects-bad-values", test_rejects_bad_values);
  g_test_add_func ("/config/inline-comments", test_inline_comments_and_choices);
  return g_test_run ();
}
