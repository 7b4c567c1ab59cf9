/* fuzz_mail.c - the whole MIME pipeline (in process) on one message. */
#include <stdint.h>

#include "pipeline/pipeline_internal.h"

static MgConfig *config;
static MgPipeline *pipeline;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *src = g_getenv ("MUGAI_SRCDIR");
  g_autoptr (GError) error = NULL;

  (void) argc;
  (void) argv;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("mugai", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, g_log_default_handler,
                     NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  config = mg_config_new_default ();
  config->sandbox.enabled = 0;
  config->limits.message_size = 4 * 1024 * 1024;
  g_free (config->clamav_database);
  config->clamav_database = g_build_filename (src ? src : ".", "test/data/clamav", NULL);
  pipeline = mg_pipeline_new_local (config, &error);
  g_assert_no_error (error);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) message = g_bytes_new (data, size);
  g_autoptr (MgMailResult) result = mg_pipeline_sanitise_local (pipeline, message, NULL);

  g_assert (result->output != NULL && result->report_json != NULL);
  g_assert (result->verdict == MG_VERDICT_SANITISED || result->verdict == MG_VERDICT_WITHHELD);
  return 0;
}
