/* fuzz_convert.c - the decoders of the converter's request and reply and of
 * a PPAP reply (worker/protocol.c) on arbitrary frames: what the supervisor's
 * service child reads from a worker, and what a worker and the admin process
 * read back. Whatever one accepts is well formed: a reply has exactly one of
 * an output and a reason, a PPAP output comes with a count of at least one
 * and the kind MG_PPAP_OK, a PPAP reason with a failure's kind. */
#include <stdint.h>
#include <string.h>

#include "worker/protocol.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_decode (data, size, NULL);
  MgConvertRequest request = { NULL, NULL, NULL };
  MgConvertReply reply = { NULL, NULL };
  MgPpapReply ppap = { NULL, 0, NULL, MG_PPAP_OK };
  g_autoptr (GError) error = NULL;

  if (frame == NULL)
    return 0;
  if (mg_protocol_convert_request_decode (frame, &request, NULL)) {
    g_assert (request.input != NULL && request.source != NULL && request.target != NULL);
    g_assert (strlen (request.source) <= MG_PROTOCOL_EXT_MAX);
  }
  if (mg_protocol_convert_reply_decode (frame, &reply, NULL))
    g_assert ((reply.output != NULL) != (reply.reason != NULL));
  if (mg_protocol_ppap_reply_decode (frame, &ppap, &error)) {
    g_assert ((ppap.output != NULL) != (ppap.reason != NULL));
    g_assert (ppap.output == NULL || ppap.opened > 0);
    g_assert ((ppap.kind == MG_PPAP_OK) == (ppap.output != NULL));
    g_assert (ppap.kind < MG_PPAP_NO_ANSWER);
  } else {
    g_assert (error != NULL && error->domain == MG_PROTOCOL_ERROR);
  }
  mg_convert_request_clear (&request);
  mg_convert_reply_clear (&reply);
  mg_ppap_reply_clear (&ppap);
  return 0;
}
