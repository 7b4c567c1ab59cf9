/* fuzz_job.c - a worker's decoders of the jobs it is sent (mail, file, PPAP;
 * worker/protocol.c) on arbitrary frames. Whatever one accepts has its
 * required fields, within their bounds, and encodes back to a frame that
 * decodes to the same job. */
#include <stdint.h>
#include <string.h>

#include "worker/protocol.h"

static void
check_mail (const MgIpcFrame *frame)
{
  MgJobMail job = { NULL, NULL }, again = { NULL, NULL };
  g_autoptr (MgIpcFrame) encoded = NULL;

  if (!mg_protocol_job_mail_decode (frame, &job, NULL))
    return;
  g_assert (job.message != NULL);
  g_assert (job.queue_id == NULL || strlen (job.queue_id) <= MG_PROTOCOL_QUEUE_ID_MAX);
  encoded = mg_protocol_job_mail_encode (&job);
  g_assert (mg_protocol_job_mail_decode (encoded, &again, NULL));
  g_assert (g_bytes_equal (job.message, again.message));
  g_assert (g_strcmp0 (job.queue_id, again.queue_id) == 0);
  mg_job_mail_clear (&job);
  mg_job_mail_clear (&again);
}

static void
check_file (const MgIpcFrame *frame)
{
  MgJobFile job = { NULL, NULL }, again = { NULL, NULL };
  g_autoptr (MgIpcFrame) encoded = NULL;

  if (!mg_protocol_job_file_decode (frame, &job, NULL))
    return;
  g_assert (job.data != NULL && job.name != NULL);
  g_assert (strlen (job.name) <= MG_PROTOCOL_NAME_MAX && g_utf8_validate (job.name, -1, NULL));
  encoded = mg_protocol_job_file_encode (&job);
  g_assert (mg_protocol_job_file_decode (encoded, &again, NULL));
  g_assert (g_bytes_equal (job.data, again.data) && g_str_equal (job.name, again.name));
  mg_job_file_clear (&job);
  mg_job_file_clear (&again);
}

static void
check_ppap (const MgIpcFrame *frame)
{
  MgPpapRequest job = { NULL, NULL }, again = { NULL, NULL };
  g_autoptr (MgIpcFrame) encoded = NULL;

  if (!mg_protocol_ppap_request_decode (frame, &job, NULL))
    return;
  g_assert (job.message != NULL && job.password != NULL);
  g_assert (strlen (job.password) <= MG_PROTOCOL_PASSWORD_MAX);
  encoded = mg_protocol_ppap_request_encode (&job);
  g_assert (mg_protocol_ppap_request_decode (encoded, &again, NULL));
  g_assert (g_str_equal (job.password, again.password));
  mg_ppap_request_clear (&job);
  mg_ppap_request_clear (&again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (MgIpcFrame) frame = mg_ipc_frame_decode (data, size, NULL);

  if (frame == NULL)
    return 0;
  check_mail (frame);
  check_file (frame);
  check_ppap (frame);
  return 0;
}
