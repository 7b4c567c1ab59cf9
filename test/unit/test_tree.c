/* test_tree.c - folder stamps: the same folder always gives the same stamp. */
#include <glib/gstdio.h>

#include "util/tree.h"

/* Files written in an order unlike their names' must come out sorted by
 * name: the milter compares stamps to decide that the virus database changed,
 * and an order that depended on memory addresses made it reload an unchanged
 * database. */
static void
test_stamp_sorted (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mugai-tree-XXXXXX", NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stamp = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_nonnull (dir);
  for (int i = 40; i > 0; i--) {
    g_autofree char *path = g_strdup_printf ("%s/f%02d.ndb", dir, (i * 17) % 41);
    g_assert_true (g_file_set_contents (path, "x", 1, NULL));
  }
  stamp = mg_tree_stamp (dir);
  lines = g_strsplit (stamp, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 40);
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_strcmp0 (lines[i - 1], lines[i]) >= 0)
      g_error ("stamp not sorted by name: \"%s\" before \"%s\"", lines[i - 1], lines[i]);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) fields = g_strsplit (lines[i], " ", 2);
    g_autofree char *path = g_build_filename (dir, fields[0], NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tree/stamp-sorted", test_stamp_sorted);
  return g_test_run ();
}
