/* fuzz_config.c - the configuration loader on arbitrary files. */
#include <stdint.h>
#include <unistd.h>

#include "common/config.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("mugai-fuzz-conf-XXXXXX", &path, NULL);
  g_autoptr (MgConfig) config = NULL;

  g_assert (fd >= 0);
  g_assert (write (fd, data, size) == (ssize_t) size);
  close (fd);
  config = mg_config_load (path, NULL);
  unlink (path);
  return 0;
}
