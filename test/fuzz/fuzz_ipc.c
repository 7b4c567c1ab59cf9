/* fuzz_ipc.c - the strict frame parser: decode, and re-encode what parsed. */
#include <stdint.h>
#include <string.h>

#include "ipc/frame.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_decode (data, size, NULL);
  g_autoptr (GBytes) again = NULL;

  if (frame == NULL)
    return 0;
  again = mg_ipc_frame_encode (frame);
  g_assert (g_bytes_get_size (again) <= size);
  return 0;
}
