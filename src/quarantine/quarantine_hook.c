/* quarantine_hook.c - one command run without a shell, with a deadline.
 *
 * The child may hang, spew, or leave grandchildren holding the pipes: the
 * wait is bounded by the deadline whatever it does, and it is killed then.
 */
#include "quarantine/quarantine_hook.h"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

typedef struct {
  gboolean written; /* stdin written and closed (or given up) */
  gboolean drained; /* stderr at its end (or given up) */
  gboolean waited;  /* wait finished */
  gboolean exited;  /* the child is gone */
  gboolean timed_out;
  GCancellable *cancellable;
  GByteArray *err; /* the first MG_QUARANTINE_HOOK_STDERR_MAX bytes of stderr */
  guint8 chunk[4096];
  GError *error;
} MgHookWait;

char **
mg_quarantine_hook_argv (const char *command, GError **error)
{
  char **argv = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, error))
    return NULL;
  if (!g_path_is_absolute (argv[0])) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: the program must be an absolute path", argv[0]);
    g_strfreev (argv);
    return NULL;
  }
  return argv;
}

static void
keep_error (MgHookWait *w, GError *error)
{
  /* a command that does not read its stdin is not an error */
  if (w->error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    w->error = g_steal_pointer (&error);
  g_clear_error (&error);
}

static void
written (GObject *source, GAsyncResult *result, gpointer data)
{
  MgHookWait *w = data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    keep_error (w, error);
  g_output_stream_close (G_OUTPUT_STREAM (source), NULL, NULL);
  w->written = TRUE;
}

/* Read stderr to its end, keeping only its start: a child that spews is
 * drained (so it does not block) without the milter's memory growing. */
static void
drained (GObject *source, GAsyncResult *result, gpointer data)
{
  MgHookWait *w = data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n > 0) {
    g_byte_array_append (w->err, w->chunk,
                         MIN ((gsize) n, MG_QUARANTINE_HOOK_STDERR_MAX - w->err->len));
    g_input_stream_read_async (G_INPUT_STREAM (source), w->chunk, sizeof w->chunk,
                               G_PRIORITY_DEFAULT, w->cancellable, drained, w);
    return;
  }
  if (n < 0)
    keep_error (w, error);
  w->drained = TRUE;
}

static void
waited (GObject *source, GAsyncResult *result, gpointer data)
{
  MgHookWait *w = data;

  w->exited = g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  w->waited = TRUE;
}

static gboolean
deadline (gpointer data)
{
  GCancellable *cancellable = data;

  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static char **
environment (const char *const *vars)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add (b, "PATH=/usr/local/bin:/usr/bin:/bin");
  g_strv_builder_add (b, "LANG=C.UTF-8");
  for (guint i = 0; vars != NULL && vars[i] != NULL; i++)
    g_strv_builder_add (b, vars[i]);
  return g_strv_builder_end (b);
}

/* What the child wrote on stderr, shortened and made one printable line. */
static char *
stderr_text (GByteArray *err)
{
  g_autofree char *text = g_utf8_make_valid (err->len > 0 ? (const char *) err->data : "",
                                             MIN (err->len, MG_QUARANTINE_HOOK_STDERR_MAX));

  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      *p = ' ';
  return g_strdup (g_strstrip (text));
}

static gboolean
outcome (GSubprocess *proc, MgHookWait *w, guint timeout, GError **error)
{
  g_autofree char *err = stderr_text (w->err);

  if (w->timed_out) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "killed after %u s (%s)", timeout,
                 err);
    return FALSE;
  }
  if (w->error != NULL) {
    g_propagate_error (error, g_steal_pointer (&w->error));
    return FALSE;
  }
  if (g_subprocess_get_if_signaled (proc)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "killed by signal %d (%s)",
                 g_subprocess_get_term_sig (proc), err);
    return FALSE;
  }
  if (g_subprocess_get_exit_status (proc) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "exit status %d (%s)",
                 g_subprocess_get_exit_status (proc), err);
    return FALSE;
  }
  return TRUE;
}

gboolean
mg_quarantine_hook_run (const char *command, const char *const *vars, GBytes *input,
                        guint timeout, GError **error)
{
  g_auto (GStrv) argv = mg_quarantine_hook_argv (command, error);
  g_auto (GStrv) envp = environment (vars);
  g_autoptr (GMainContext) context = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GSource) timer = NULL;
  MgHookWait w = { 0 };
  gboolean ok;

  if (argv == NULL)
    return FALSE;
  signal (SIGPIPE, SIG_IGN); /* a child that closes its stdin is EPIPE, not death */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_cwd (launcher, "/");
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, error);
  if (proc == NULL)
    return FALSE;
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  cancellable = g_cancellable_new ();
  timer = g_timeout_source_new_seconds (MAX (timeout, 1));
  g_source_set_callback (timer, deadline, cancellable, NULL);
  g_source_attach (timer, context);
  w.cancellable = cancellable;
  w.err = g_byte_array_new ();
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (proc),
                                   input != NULL ? g_bytes_get_data (input, NULL) : "",
                                   input != NULL ? g_bytes_get_size (input) : 0,
                                   G_PRIORITY_DEFAULT, cancellable, written, &w);
  g_input_stream_read_async (g_subprocess_get_stderr_pipe (proc), w.chunk, sizeof w.chunk,
                             G_PRIORITY_DEFAULT, cancellable, drained, &w);
  while (!w.written || !w.drained)
    g_main_context_iteration (context, TRUE);
  /* the child may have closed its pipes and still run: wait for it, up to
   * the same deadline (a wait started once it has passed would not end) */
  if (!g_cancellable_is_cancelled (cancellable)) {
    g_subprocess_wait_async (proc, cancellable, waited, &w);
    while (!w.waited)
      g_main_context_iteration (context, TRUE);
  }
  g_source_destroy (timer);
  w.timed_out = !w.exited;
  if (w.timed_out) {
    g_subprocess_force_exit (proc);
    g_clear_error (&w.error);
  }
  g_subprocess_wait (proc, NULL, NULL);
  g_main_context_pop_thread_default (context);
  ok = outcome (proc, &w, timeout, error);
  g_clear_pointer (&w.err, g_byte_array_unref);
  g_clear_error (&w.error);
  return ok;
}
