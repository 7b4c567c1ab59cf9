/* cmd_mail.c - `mugai mail`: one message through the pipeline, offline.
 *
 * Exit 0 sanitised, 3 withheld, 64 usage, 75 temporary failure, 78
 * configuration. Nothing is written to OUT unless the pipeline produced it.
 * --sender and --recipient give the envelope the quarantine records (where a
 * release may go); without them none is recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "pipeline/pipeline.h"
#include "worker/remote.h"
#include "quarantine/quarantine_alert.h"
#include "quarantine/quarantine_envelope.h"
#include "util/fdio.h"

typedef struct {
  gboolean no_sandbox;
  char *config;
  char *report;
  char *output;
  char *sender;
  char **recipients;
  char **inputs;
} MgMailArgs;

static gboolean
check_address (const char *flag, const char *address, gboolean null_ok, GError **error)
{
  g_autofree char *bare = mg_quarantine_envelope_address (address);

  if (bare != NULL && (null_ok || *bare != '\0'))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s: not a plain address (local@domain)", flag);
  return FALSE;
}

static gboolean
check_addresses (const MgMailArgs *args, GError **error)
{
  if (args->sender != NULL && !check_address ("--sender", args->sender, TRUE, error))
    return FALSE;
  for (int i = 0; args->recipients != NULL && args->recipients[i] != NULL; i++)
    if (!check_address ("--recipient", args->recipients[i], FALSE, error))
      return FALSE;
  return TRUE;
}

static gboolean
parse_args (int argc, char **argv, MgMailArgs *args, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &args->config, "configuration file", "FILE" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &args->report, "write the JSON report", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args->output, "output (default stdout)",
      "OUT" },
    { "sender", 0, 0, G_OPTION_ARG_STRING, &args->sender,
      "envelope sender (MAIL FROM) to record", "ADDR" },
    { "recipient", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->recipients,
      "an envelope recipient (RCPT TO) to record; repeat for each", "ADDR" },
    { "no-sandbox", 0, 0, G_OPTION_ARG_NONE, &args->no_sandbox,
      "run the pipeline in this process (debugging only)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args->inputs, NULL, "[IN|-]" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- sanitise one message");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (args->inputs != NULL && g_strv_length (args->inputs) > 1) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s",
                 mg_cli_text ("one input at most"));
    return FALSE;
  }
  return check_addresses (args, error);
}

/* Input beyond the size limit is kept only so far: the pipeline withholds it. */
/* Paths that can never work are usage errors (64), not a failure a retry
 * could cure: a missing or unreadable input, an output that is a folder. */
static gboolean
check_paths (const MgMailArgs *args, GError **error)
{
  const char *in = args->inputs != NULL ? args->inputs[0] : NULL;

  if (in != NULL && !g_str_equal (in, "-") && access (in, R_OK) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", in,
                 g_strerror (errno));
    return FALSE;
  }
  if (in != NULL && g_file_test (in, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, mg_cli_text ("%s: is a folder"), in);
    return FALSE;
  }
  if (args->output != NULL && !g_str_equal (args->output, "-") &&
      !mg_fdio_output_usable (args->output, error))
    return FALSE;
  return args->report == NULL || mg_fdio_output_usable (args->report, error);
}

static GBytes *
read_input (const char *path, const MgConfig *config, GError **error)
{
  gsize max = (gsize) config->limits.message_size + 1024 * 1024;
  int fd = 0;
  gboolean truncated;
  GBytes *bytes;

  if (path != NULL && g_strcmp0 (path, "-") != 0) {
    fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  }
  bytes = mg_fdio_read_prefix (fd, max, &truncated, error);
  if (fd != 0)
    close (fd);
  return bytes;
}

static gboolean
write_outputs (const MgMailArgs *args, const MgMailResult *result, GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data (result->output, &len);

  if (args->report != NULL) {
    g_autofree char *line = g_strconcat (result->report_json, "\n", NULL);
    if (!mg_fdio_write_file_atomic (args->report, line, strlen (line), error))
      return FALSE;
  }
  if (args->output != NULL && g_strcmp0 (args->output, "-") != 0)
    return mg_fdio_write_file_atomic (args->output, data, len, error);
  return mg_fdio_write_all (1, data, len, error);
}

static int
run (const MgMailArgs *args, const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgPipeline) pipeline = mg_remote_pipeline_new (config, &error);
  g_autoptr (GBytes) input = NULL;
  g_autoptr (MgMailResult) result = NULL;
  MgEnvelope envelope = { args->sender != NULL ? args->sender : "",
                          (const char *const *) args->recipients };
  gboolean has_envelope = args->sender != NULL || args->recipients != NULL;

  if (pipeline == NULL) {
    mg_cli_error ("mugai", "configuration error: %s", error->message);
    return MG_EXIT_CONFIG;
  }
  input = read_input (args->inputs ? args->inputs[0] : NULL, config, &error);
  if (input == NULL) {
    mg_cli_error ("mugai", "%s", error->message);
    return MG_EXIT_TEMPFAIL;
  }
  if (!mg_pipeline_mail_envelope (pipeline, input, NULL, has_envelope ? &envelope : NULL,
                                  &result, &error) ||
      !write_outputs (args, result, &error)) {
    mg_cli_error ("mugai", "temporary failure: %s", error->message);
    return MG_EXIT_TEMPFAIL;
  }
  if (!mg_quarantine_alert_report (config, result->report_json,
                                   mg_verdict_name (result->verdict),
                                   has_envelope ? &envelope : NULL, &error))
    mg_cli_error ("mugai", "warning: %s", error->message);
  return result->verdict == MG_VERDICT_SANITISED ? MG_EXIT_OK : MG_EXIT_WITHHELD;
}

int
mg_cmd_mail (int argc, char **argv)
{
  MgMailArgs args = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  int status;

  if (!parse_args (argc, argv, &args, &error) || !check_paths (&args, &error)) {
    mg_cli_error ("mugai mail", "%s", error->message);
    status = MG_EXIT_USAGE;
  } else if ((config = mg_cli_load_config (args.config)) == NULL) {
    status = MG_EXIT_CONFIG;
  } else {
    config->sandbox.workers = 1;
    if (args.no_sandbox) {
      config->sandbox.enabled = 0;
      fprintf (stderr, "mugai mail: --no-sandbox: parsers run unconfined (debugging only)\n");
    }
    status = run (&args, config);
  }
  g_free (args.config);
  g_free (args.report);
  g_free (args.output);
  g_free (args.sender);
  g_strfreev (args.recipients);
  g_strfreev (args.inputs);
  return status;
}
