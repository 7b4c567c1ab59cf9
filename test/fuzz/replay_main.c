/* replay_main.c - run a fuzz target over files and folders of inputs.
 *
 * The same target functions that libFuzzer drives (with clang, -Dfuzzing=true)
 * are linked with this main in every build, so every corpus file and every
 * crash input kept as a regression sample is replayed by `meson test`.
 * Each file is also fed a byte at a time as a prefix series for small files.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static guint
replay_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return 0;
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  if (len <= 256) /* every prefix: parsers fed a byte at a time */
    for (gsize i = 0; i < len; i++)
      LLVMFuzzerTestOneInput ((const uint8_t *) data, i);
  return 1;
}

static guint
replay_path (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return replay_file (path);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    n += replay_path (child);
  }
  return n;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    n += replay_path (argv[i]);
  printf ("replayed %u inputs\n", n);
  return n > 0 ? 0 : 1;
}
