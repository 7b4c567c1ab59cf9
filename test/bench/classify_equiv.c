/* classify_equiv.c - the type mg_classify_bytes() gives every file under the
 * paths given, with the reduced magic database (classify_db.h) and without:
 * they must be the same. Exit 1 on any difference, or when the reduced
 * database is not in use (the check would then prove nothing). */
#include "pipeline/classify.h"
#include "pipeline/classify_db.h"

#include <gio/gio.h>
#include <stdio.h>

typedef struct {
  guint files, covered, differ;
} Tally;

static void
check_file (const char *path, Tally *t)
{
  g_autofree char *data = NULL;
  g_autofree char *fast = NULL;
  g_autofree char *full = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return;
  t->files++;
  t->covered += mg_classify_db_covers (data, len);
  mg_classify_use_reduced (TRUE);
  fast = mg_classify_bytes (data, len);
  mg_classify_use_reduced (FALSE);
  full = mg_classify_bytes (data, len);
  if (!g_str_equal (fast, full)) {
    t->differ++;
    printf ("DIFFER %s: reduced %s, full %s\n", path, fast, full);
  }
}

static void
check_path (const char *path, Tally *t)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    check_file (path, t);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    check_path (child, t);
  }
}

int
main (int argc, char **argv)
{
  Tally t = { 0 };

  if (argc < 2) {
    fprintf (stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
    return 2;
  }
  if (!mg_classify_init (NULL) || !mg_classify_reduced_ready ()) {
    fprintf (stderr, "classify_equiv: the reduced magic database is not in use\n");
    return 1;
  }
  for (int i = 1; i < argc; i++)
    check_path (argv[i], &t);
  printf ("files %u, covered by the reduced database %u, different %u\n", t.files, t.covered,
          t.differ);
  return t.differ == 0 && t.covered > 0 ? 0 : 1;
}
