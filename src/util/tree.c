/* tree.c - recursive removal of temporary folders. */
#include "util/tree.h"

#include <glib.h>
#include <glib/gstdio.h>
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
