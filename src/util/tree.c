/* tree.c - recursive removal of temporary folders, and folder stamps. */
#include "util/tree.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

void
mg_tree_remove (const char *path)
{
  GStatBuf st;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode)) {
    g_unlink (path);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    mg_tree_remove (child);
  }
  g_rmdir (path);
}

/* For g_ptr_array_sort, which passes pointers to the elements. */
static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

char *
mg_tree_stamp (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (dir_path, name, NULL);
    struct stat st;
    if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
      continue;
    g_ptr_array_add (lines,
                     g_strdup_printf ("%s %jd %jd.%09ld", name, (intmax_t) st.st_size,
                                      (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec));
  }
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}
