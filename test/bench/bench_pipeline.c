/* bench_pipeline.c - messages per second of the pipeline in one process.
 *
 * Loads the engine once (timed on its own), then runs every message of the
 * corpus directories through mg_pipeline_mail ROUNDS times, and the same bytes
 * through a libclamav scan alone, side by side: the price of sanitising over
 * scanning. Prints a Markdown table. Not a test: no assertion on time.
 */
#include <stdio.h>
#include <sys/resource.h>

#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"
#include "worker/remote.h"
#include "worker/worker.h"
#include "scan/scan.h"

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static GPtrArray *
load_corpus (char **dirs)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (char **d = dirs; *d != NULL; d++) {
    g_autoptr (GDir) dir = g_dir_open (*d, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *path = g_build_filename (*d, name, NULL);
      char *data;
      gsize len;
      if (g_str_has_suffix (name, ".eml") && g_file_get_contents (path, &data, &len, NULL))
        g_ptr_array_add (corpus, g_bytes_new_take (data, len));
    }
  }
  return corpus;
}

typedef struct {
  double wall, cpu;
  guint messages;
} MgBenchRun;

/* STAGES: only what a worker runs per message, every stage but the
 * quarantine and audit write, which the front does. */
static MgBenchRun
run_pipeline (MgPipeline *pipeline, GPtrArray *corpus, int rounds, gboolean stages)
{
  double t0 = g_get_monotonic_time () / 1e6, c0 = cpu_seconds ();
  MgBenchRun run = { 0 };

  for (int r = 0; r < rounds; r++)
    for (guint i = 0; i < corpus->len; i++) {
      g_autoptr (MgMailResult) result = NULL;
      g_autoptr (GError) error = NULL;
      GBytes *message = g_ptr_array_index (corpus, i);
      if (stages)
        result = mg_pipeline_sanitise_local (pipeline, message, NULL);
      else if (!mg_pipeline_mail (pipeline, message, NULL, &result, &error))
        g_error ("tempfail: %s", error->message);
      run.messages++;
    }
  run.wall = g_get_monotonic_time () / 1e6 - t0;
  run.cpu = cpu_seconds () - c0;
  return run;
}

static MgBenchRun
run_scan_only (MgScanEngine *engine, GPtrArray *corpus, int rounds)
{
  double t0 = g_get_monotonic_time () / 1e6, c0 = cpu_seconds ();
  MgBenchRun run = { 0 };

  for (int r = 0; r < rounds; r++)
    for (guint i = 0; i < corpus->len; i++) {
      g_autofree char *name = NULL;
      gsize len;
      const void *data = g_bytes_get_data (g_ptr_array_index (corpus, i), &len);
      mg_scan_buffer (engine, data, len, &name);
      run.messages++;
    }
  run.wall = g_get_monotonic_time () / 1e6 - t0;
  run.cpu = cpu_seconds () - c0;
  return run;
}

static void
print_row (const char *what, MgBenchRun run)
{
  printf ("| %s | %u | %.0f | %.2f |\n", what, run.messages, run.messages / run.wall,
          1000.0 * run.cpu / run.messages);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  double t0;
  int rounds;

  if (argc > 1 && g_str_equal (argv[1], MG_WORKER_SUPERVISOR_ARG))
    return mg_worker_supervisor_main (argc, argv);
  g_log_set_handler ("mugai", G_LOG_LEVEL_MESSAGE, (GLogFunc) g_log_default_handler, NULL);
  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  if (argc < 4)
    g_error ("usage: bench_pipeline CONF ROUNDS DIR...");
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  config = mg_config_load (argv[1], &error);
  g_assert_no_error (error);
  rounds = atoi (argv[2]);
  t0 = g_get_monotonic_time () / 1e6;
  config->sandbox.enabled = 0;
  g_autoptr (MgPipeline) pipeline = mg_remote_pipeline_new (config, &error);
  g_assert_no_error (error);
  printf ("engine load (pipeline setup): %.1f ms\n\n",
          1000 * (g_get_monotonic_time () / 1e6 - t0));
  config->sandbox.enabled = 1;
  config->sandbox.workers = 1;
  g_autoptr (MgPipeline) sandboxed = mg_remote_pipeline_new (config, &error);
  g_assert_no_error (error);
  g_autoptr (MgScanEngine)
      engine = mg_scan_engine_load (config->clamav_database, config->limits.message_size,
                                    config->clamav_max_scan_seconds, &error);
  g_autoptr (GPtrArray) corpus = load_corpus (argv + 3);
  printf ("| what (one process, %u messages x %d rounds) | messages | msgs/s | CPU ms/msg |\n",
          corpus->len, rounds);
  printf ("|---|---|---|---|\n");
  print_row ("libclamav scan only (same engine)", run_scan_only (engine, corpus, rounds));
  print_row (
      "mugai pipeline stages only (as a worker runs them: no quarantine or audit write)",
      run_pipeline (pipeline, corpus, rounds, TRUE));
  print_row ("mugai pipeline in process (scan + parse + sanitise + assemble)",
             run_pipeline (pipeline, corpus, rounds, FALSE));
  print_row ("mugai pipeline in a sandboxed worker (same, plus IPC; front CPU only)",
             run_pipeline (sandboxed, corpus, rounds, FALSE));
  return 0;
}
