/* fuzz_result.c - the front's decoders of what a worker sends back: the
 * frame parser, the typed mail and file result decoders (worker/protocol.c),
 * the check of a mail output against its report (worker/worker_check.c), and
 * the failure and parts-list decoders, on what a hostile worker could send.
 * Whatever they accept has a valid id, and a mail result passes the check
 * again. */
#include <stdint.h>
#include <string.h>

#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_store.h"
#include "worker/protocol.h"
#include "worker/worker_check.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_decode (data, size, NULL);
  g_autoptr (MgMailResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MgFileResult) file = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *parts = NULL;
  g_autofree char *headers = NULL;

  if (frame == NULL)
    return 0;
  file = mg_protocol_result_file_decode (frame, NULL);
  g_assert (file == NULL || mg_quarantine_id_valid (file->id));
  failed = mg_protocol_failed_decode (frame, NULL);
  g_assert (failed == NULL || g_utf8_validate (failed, -1, NULL));
  mg_protocol_parts_decode (frame, &parts, &headers, NULL);
  result = mg_protocol_result_mail_decode (frame, &error);
  if (result == NULL) {
    g_assert (error != NULL);
    return 0;
  }
  g_assert (mg_quarantine_id_valid (result->id));
  g_assert (result->verdict == MG_VERDICT_SANITISED || result->verdict == MG_VERDICT_WITHHELD);
  g_assert (result->sender_address == NULL ||
            mg_quarantine_headers_address_valid (result->sender_address));
  if (!mg_worker_check_mail (result->id, result->verdict, result->report_json, result->output,
                             NULL))
    return 0;
  return 0;
}
