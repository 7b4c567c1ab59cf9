/* classify_equiv.c - the type mg_classify_bytes() gives every file under the
 * paths given, with the reduced magic database (classify_db.h) and without:
 * they must be the same. Exit 1 on any difference, or when the reduced
 * database is not in use (the check would then prove nothing).
 * With --time ROUNDS FILE...: the CPU time of one call on each file, with the
 * full database and with the reduced one, in alternating rounds. Not a test. */
#include "pipeline/classify.h"
#include "pipeline/classify_db.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU ms of ROUNDS calls on DATA with the reduced database on or off. */
static double
time_calls (const char *data, gsize len, int rounds, gboolean reduced)
{
  double start;

  mg_classify_use_reduced (reduced);
  start = cpu_ms ();
  for (int r = 0; r < rounds; r++)
    g_free (mg_classify_bytes (data, len));
  return cpu_ms () - start;
}

static int
time_files (int rounds, char **paths)
{
  printf ("| file | type | full database ms/call | reduced ms/call |\n|---|---|---|---|\n");
  for (char **p = paths; *p != NULL; p++) {
    g_autofree char *data = NULL;
    g_autofree char *type = NULL;
    double full = 0, reduced = 0;
    gsize len = 0;
    if (!g_file_get_contents (*p, &data, &len, NULL))
      return 2;
    for (int half = 0; half < 10; half++) { /* alternate, so that drift hits both */
      full += time_calls (data, len, rounds / 10 + 1, FALSE);
      reduced += time_calls (data, len, rounds / 10 + 1, TRUE);
    }
    type = mg_classify_bytes (data, len);
    printf ("| %s | %s | %.3f | %.3f |\n", *p, type, full / (10 * (rounds / 10 + 1)),
            reduced / (10 * (rounds / 10 + 1)));
  }
  return 0;
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
  if (argc > 3 && g_str_equal (argv[1], "--time"))
    return time_files (atoi (argv[2]), argv + 3);
  for (int i = 1; i < argc; i++)
    check_path (argv[i], &t);
  printf ("files %u, covered by the reduced database %u, different %u\n", t.files, t.covered,
          t.differ);
  return t.differ == 0 && t.covered > 0 ? 0 : 1;
}
