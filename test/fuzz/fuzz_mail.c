/* fuzz_mail.c - the whole MIME pipeline (in process) on one message. */
#include <stdint.h>

#include "pipeline/pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>

static MgConfig *config;

/* A critical of mugai's own is a bug: abort so that libFuzzer keeps the
 * input. GMime 3.2 logs criticals from inside its own parser on some hostile
 * headers (e.g. control bytes in an encoded-word charset) and then carries on;
 * those are printed, not fatal. */
static void
abort_on_critical (const char *domain, GLogLevelFlags level, const char *message,
                   gpointer data)
{
  (void) data;
  fprintf (stderr, "%s: %s\n", domain ? domain : "", message);
  if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) && g_strcmp0 (domain, "mugai") == 0)
    abort ();
}
static MgPipeline *pipeline;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *src = g_getenv ("MUGAI_SRCDIR");
  g_autoptr (GError) error = NULL;

  (void) argc;
  (void) argv;
  g_log_set_default_handler (abort_on_critical, NULL);
  g_log_set_handler ("mugai", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_WARNING,
                     (GLogFunc) g_log_default_handler, NULL);
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
