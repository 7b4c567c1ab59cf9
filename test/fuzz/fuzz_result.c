/* fuzz_result.c - the front's decoder of a worker's mail result: the frame
 * parser, the field checks and the check of the output against the report
 * (pipeline/worker.c, pipeline/worker_check.c), and the file result decoder
 * (mugai files), on what a hostile worker could send. Whatever they accept
 * has a valid id, and a mail result passes the check again. */
#include <stdint.h>
#include <string.h>

#include "pipeline/file.h"
#include "pipeline/pipeline_internal.h"
#include "pipeline/worker_check.h"
#include "quarantine/quarantine_store.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_decode (data, size, NULL);
  g_autoptr (MgMailResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MgFileResult) file = NULL;

  if (frame == NULL)
    return 0;
  file = mg_pipeline_worker_file_result_decode (frame);
  g_assert (file == NULL || mg_quarantine_id_valid (file->id));
  result = mg_pipeline_worker_result_decode (frame, &error);
  if (result == NULL) {
    g_assert (error != NULL);
    return 0;
  }
  g_assert (mg_quarantine_id_valid (result->id));
  g_assert (result->verdict == MG_VERDICT_SANITISED || result->verdict == MG_VERDICT_WITHHELD);
  g_assert (mg_worker_check_mail (result->id, result->verdict, result->report_json,
                                  result->output, NULL));
  return 0;
}
